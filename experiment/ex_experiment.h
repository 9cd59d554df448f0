/* ex_experiment: the generic part of the experiment layer.  An experiment is
 * a set of points (numbered 0 .. n_points-1), each evaluated with
 * replications 0, 1, 2, ...; replication r of a point is one numbered run
 * whose result depends only on (point, r), as in OMNeT++'s run numbers.
 *
 * Work is cut into tasks (point, first replication, count) of `chunk`
 * replications.  Tasks are spread over MPI ranks by sim_farm (rank 0 collects
 * every result) and a task's replications over OpenMP threads by sim_runner,
 * so the records are the same bits whatever the rank count, thread count,
 * chunking or completion order.  Finished points can be checkpointed
 * (ex_ckpt) and reused by a resumed experiment.
 *
 * This module knows no model and no results file: a record is record_size
 * opaque bytes, and the model and the output are reached through hooks:
 *   open_point  (every rank) make a point current and say which sim_rep_fn
 *               runs its replications, with which read-only context;
 *   point_done  (rank 0) a point has its replications (all of them, or the
 *               ones that finished when the run was interrupted);
 *   chunk_done  (rank 0, optional) streaming: replications [first, first+n)
 *               of a point, chunk after chunk in replication order, through
 *               one reused buffer; point_done then comes with no records.
 *               The records then need not be held.  Used by ex_run and
 *               ex_resume (checkpoints written and read a chunk at a
 *               time): in one process the chunks of a point's single
 *               OpenMP team; under MPI the ranks' tasks in task order, one
 *               point after another, those arriving ahead of the next kept
 *               until it comes.  ex_evaluate still holds whole points.
 *
 * Two ways to run:
 *   ex_run       every point with replications [0, n_reps), points delivered
 *                to point_done as they complete (run, sweep, rerun);
 *   ex_evaluate  one point with replications [first, first + n) into the
 *                caller's buffers: "evaluate point P with replications
 *                [a, b)", the step that capacity search, comparisons,
 *                optimisation, calibration and --precision are made of.
 *                Adding replications [b, c) later gives exactly the records
 *                a single evaluation of [a, c) would have.
 *
 * Every rank calls the same functions with the same arguments, from the
 * main thread.  Functions return a sim_status and never print. */
#ifndef EX_EXPERIMENT_H
#define EX_EXPERIMENT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "ex_ckpt.h"
#include "sim_runner.h"

#define EX_DEFAULT_CHUNK 50
/* Records a streamed point's block holds (rounded up to a multiple of the
 * thread count): two blocks are the only records in memory, 1.3 MB of
 * rf_results (a page touched first costs microseconds: smaller is faster
 * to start, and a block's delivery overlaps the next one's simulation). */
#define EX_STREAM_CHUNK 64

typedef struct {
    /* Every rank, before each task: make `point` current and set *fn and
     * *ctx (ctx must stay valid and unchanged until the next call). */
    int (*open_point)(void *user, size_t point, sim_rep_fn *fn, const void **ctx);
    /* Rank 0 (ex_run only): records holds n_reps records of point, done
     * n_reps flags.  A failure stops delivering checkpoints for the point
     * and becomes ex_run's status. */
    int (*point_done)(void *user, size_t point, const void *records, const unsigned char *done);
    /* Rank 0, may be NULL: streaming (above).  records holds n records of
     * point, replications first .. first + n - 1, valid during the call;
     * done their n flags.  A point whose chunks came this way is then given
     * to point_done with records NULL (done: all n_reps flags).  A failure
     * stops the run and becomes ex_run's status. */
    int (*chunk_done)(void *user, size_t point, size_t first, size_t n, const void *records,
                      const unsigned char *done);
    /* Rank 0, may be NULL: replications finished so far, of total. */
    sim_progress_fn progress;
    void *progress_user;
    /* Rank 0, may be NULL: the first checkpoint that could not be written
     * (err: errno as the write left it).  The run goes on without it. */
    void (*ckpt_failed)(void *user, const char *dir, int err);
    void *user;
} ex_hooks;

typedef struct {
    size_t n_points;           /* ex_run */
    size_t n_reps;             /* ex_run: replications of every point */
    size_t record_size;        /* bytes per replication record */
    size_t chunk;              /* replications per task; 0: EX_DEFAULT_CHUNK under MPI,
                                  a whole point in one process */
    int threads;               /* per rank; <= 0: all cores */
    volatile sig_atomic_t *stop; /* may be NULL; non-zero: start nothing new */
} ex_cfg;

typedef struct ex_experiment ex_experiment;

/* Copies cfg and hooks.  ex_free(NULL) is fine. */
int ex_create(const ex_cfg *cfg, const ex_hooks *hooks, ex_experiment **out);
void ex_free(ex_experiment *ex);

/* Rank 0, before ex_run: write a checkpoint for every point that completes
 * (c is copied; its n_reps and record_size must be the experiment's). */
void ex_use_checkpoints(ex_experiment *ex, const ex_ckpt *c);

/* Rank 0, before ex_run, after ex_use_checkpoints: deliver every point
 * whose checkpoint matches to point_done and skip its tasks.  *reused
 * counts them.  A point_done failure is returned (SIM_ENOMEM likewise). */
int ex_resume(ex_experiment *ex, size_t *reused);
/* A damaged checkpoint (SIM_EPARSE) or one that cannot be read (SIM_EIO)
 * stops ex_resume with that status; this is then its point. */
size_t ex_resume_bad_point(const ex_experiment *ex);

/* Every rank: run the tasks not skipped.  On rank 0 returns SIM_OK, SIM_EINTR
 * when stopped early, or the first failure (of a task or of point_done); on
 * other ranks the farm's status. */
int ex_run(ex_experiment *ex);

/* Rank 0, after an interrupted ex_run: deliver every point that has some
 * but not all of its replications (no checkpoint).  Stops at the first
 * point_done failure and returns it. */
int ex_flush_partial(ex_experiment *ex);

/* Replications finished so far (rank 0; resumed points included). */
size_t ex_reps_finished(const ex_experiment *ex);

/* Every rank: replications [first, first + n) of `point`; on rank 0 records
 * (n records) and done (n flags) receive them.  Progress counts within this
 * call.  Returns SIM_OK, SIM_EINTR, or the first failing task's status. */
int ex_evaluate(ex_experiment *ex, size_t point, uint64_t first, size_t n, void *records,
                unsigned char *done);

#endif
