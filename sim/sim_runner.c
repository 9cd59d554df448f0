#include "sim_runner.h"
#include "sim_status.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>

volatile sig_atomic_t sim_runner_abort = 0;

int sim_runner_threads(int threads)
{
    return threads > 0 ? threads : omp_get_max_threads();
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

/* ---- sim_runner_stream ------------------------------------------------------
 * Threads take replications in order from `next`.  Replication i belongs to
 * block i / block, which lives in ring half (i / block) % 2; a thread may
 * start it only when that half is free (the block two before has been
 * delivered), else it sleeps on `changed` (never spins: with blocks of
 * dozens of replications this is the rare case of one replication
 * outlasting a whole block).  Only the calling thread (the team's master)
 * delivers, between its own replications: the sink may call libraries
 * that keep per-thread state (HDF5's error handling), and it sees the
 * thread it would without streaming.  A block completed by another thread
 * waits at most one of the master's replications; when the master sleeps
 * for a free half, the completion wakes it to deliver. */
typedef struct {
    const sim_runner_cfg *cfg;
    sim_rep_fn fn;
    const void *ctx;
    unsigned char *ring, *done;
    size_t block, n_blocks;
    sim_block_fn sink;
    void *sink_user;
    pthread_mutex_t lock;
    pthread_cond_t changed;              /* a half freed, or a block completed */
    size_t next, delivered, completed;
    size_t finished[2];                  /* replications finished in each ring half */
    int halt, sink_rc, fail_rc;
    uint64_t fail_rep;
} stream;

static size_t block_len(const stream *s, size_t b)
{
    size_t first = b * s->block, n = s->cfg->n_reps;
    return n - first < s->block ? n - first : s->block;
}

static unsigned char *slot(const stream *s, size_t i)
{
    size_t b = i / s->block;
    return s->ring + ((b % 2) * s->block + i % s->block) * s->cfg->result_size;
}

static int block_ready(const stream *s)
{
    return !s->halt && s->delivered < s->n_blocks
           && s->finished[s->delivered % 2] == block_len(s, s->delivered);
}

/* The master, with the lock held; returns with it held. */
static void deliver_ready(stream *s)
{
    while (block_ready(s)) {
        size_t b = s->delivered, first = b * s->block, k = block_len(s, b);
        pthread_mutex_unlock(&s->lock);
        int rc = s->sink(s->sink_user, first, k, slot(s, first), s->done + first);
        pthread_mutex_lock(&s->lock);
        if (rc) {
            s->sink_rc = rc;
            s->halt = 1;
        }
        s->finished[b % 2] = 0;
        s->delivered++;
        pthread_cond_broadcast(&s->changed);
    }
}

static void stream_worker(stream *s)
{
    const sim_runner_cfg *cfg = s->cfg;
    int master = omp_get_thread_num() == 0;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        if (master)
            deliver_ready(s);
        if (s->halt || s->next >= cfg->n_reps || (cfg->stop && *cfg->stop))
            break;
        size_t i = s->next;
        if (i / s->block >= s->delivered + 2) {
            pthread_cond_wait(&s->changed, &s->lock);
            continue;
        }
        s->next++;
        pthread_mutex_unlock(&s->lock);
        int st = s->fn(s->ctx, cfg->first_rep + i, slot(s, i));
        pthread_mutex_lock(&s->lock);
        s->done[i] = st == SIM_OK;
        if (st > 0 && st != SIM_EINTR && (!s->fail_rc || cfg->first_rep + i < s->fail_rep)) {
            s->fail_rc = st;
            s->fail_rep = cfg->first_rep + i;
            s->halt = 1;
        }
        if (cfg->progress && st == SIM_OK)
            cfg->progress(cfg->progress_user, ++s->completed, cfg->n_reps);
        s->finished[(i / s->block) % 2]++;
        if (!master && block_ready(s))
            pthread_cond_broadcast(&s->changed);
    }
    pthread_cond_broadcast(&s->changed); /* a sleeper must see the end too */
    pthread_mutex_unlock(&s->lock);
}

int sim_runner_stream(const sim_runner_cfg *cfg, sim_rep_fn fn, const void *ctx, void *ring,
                      size_t block, sim_block_fn sink, void *sink_user, unsigned char *done,
                      uint64_t *failed_rep)
{
    size_t n = cfg->n_reps;
    if (!block)
        return SIM_EINVAL;
    memset(done, 0, n);
    stream s = {.cfg = cfg, .fn = fn, .ctx = ctx, .ring = ring, .done = done, .block = block,
                .n_blocks = (n + block - 1) / block, .sink = sink, .sink_user = sink_user};
    if (pthread_mutex_init(&s.lock, NULL))
        return SIM_ENOMEM;
    if (pthread_cond_init(&s.changed, NULL)) {
        pthread_mutex_destroy(&s.lock);
        return SIM_ENOMEM;
    }
    int threads = sim_runner_threads(cfg->threads);
    if ((size_t)threads > n)
        threads = n ? (int)n : 1;
#pragma omp parallel num_threads(threads)
    stream_worker(&s);
    if (threads > 1)
        sim_runner_release(threads);

    /* Finished, or stopped: the blocks left (those begun, with their holes)
     * go out.  A failure or a sink's error delivers nothing more. */
    if (!s.halt) {
        size_t begun = (s.next + block - 1) / block;
        for (size_t b = s.delivered; b < begun && !s.sink_rc; b++) {
            size_t first = b * block;
            s.sink_rc = sink(sink_user, first, block_len(&s, b), slot(&s, first), done + first);
            s.delivered++;
        }
    }
    pthread_cond_destroy(&s.changed);
    pthread_mutex_destroy(&s.lock);
    if (s.fail_rc) {
        if (failed_rep)
            *failed_rep = s.fail_rep;
        return s.fail_rc;
    }
    if (s.sink_rc)
        return s.sink_rc;
    for (size_t i = 0; i < n; i++)
        if (!done[i])
            return SIM_EINTR;
    return SIM_OK;
}
