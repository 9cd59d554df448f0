#include "sim_runner.h"
#include "sim_status.h"

#include <stdlib.h>
#include <string.h>
#include <omp.h>

volatile sig_atomic_t sim_runner_abort = 0;

int sim_runner_threads(int threads)
{
    return threads > 0 ? threads : omp_get_num_procs();
}

void sim_runner_release(int threads)
{
    if (sim_runner_threads(threads) > 1)
        omp_pause_resource_all(omp_pause_soft);
}

int sim_runner_run(const sim_runner_cfg *cfg, sim_rep_fn fn, const void *ctx,
                   void *results, unsigned char *done, uint64_t *failed_rep)
{
    size_t n = cfg->n_reps;
    int *status = malloc((n ? n : 1) * sizeof *status);
    if (!status)
        return SIM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        status[i] = -1;             /* not run */
    size_t completed = 0;
    int threads = sim_runner_threads(cfg->threads);

#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (size_t i = 0; i < n; i++) {
        if (cfg->stop && *cfg->stop)
            continue;
        void *rec = (unsigned char *)results + i * cfg->result_size;
        status[i] = fn(ctx, cfg->first_rep + i, rec);
        if (cfg->progress) {
#pragma omp critical(sim_runner_progress)
            {
                completed++;
                cfg->progress(cfg->progress_user, completed, n);
            }
        }
    }

    /* The team ends with the batch: otherwise its threads spin (libgomp's
     * default wait, milliseconds at a time) while this thread writes results
     * or loads the next point, burning a core another job could use.  The
     * next batch starts a new team, tens of microseconds. */
    if (!cfg->keep_team)
        sim_runner_release(threads);

    int rc = SIM_OK;
    for (size_t i = 0; i < n; i++) {
        if (done)
            done[i] = status[i] == SIM_OK;
        if (status[i] == SIM_EINTR) /* stopped mid-way by sim_runner_abort */
            status[i] = -1;
        if (rc == SIM_OK && status[i] > 0) {
            rc = status[i];
            if (failed_rep)
                *failed_rep = cfg->first_rep + i;
        }
    }
    if (rc == SIM_OK)
        for (size_t i = 0; i < n; i++)
            if (status[i] < 0) {
                rc = SIM_EINTR;
                break;
            }
    free(status);
    return rc;
}
