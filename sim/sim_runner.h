/* sim_runner: N independent replications of a model over OpenMP threads.
 *
 * The model is a function of (context, replication index) that fills one
 * result record.  Its randomness must come only from streams keyed by
 * (seed, replication, stream id) and the context must be read-only, so the
 * record of replication r is the same bits whatever the thread count and the
 * order the dynamic schedule hands replications out in.  Results land in
 * results[r - first]: aggregation afterwards, in index order, is then
 * deterministic too.
 *
 * Interruption: when *stop becomes non-zero (a signal handler may set it),
 * replications not yet started are skipped; those running finish.  done[]
 * tells which replications completed.  When sim_runner_abort becomes
 * non-zero too, models that poll it (every few thousand events) return
 * SIM_EINTR from the replication in progress, which counts as not run. */
#ifndef SIM_RUNNER_H
#define SIM_RUNNER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* Fill *result for replication `rep`.  Return a sim_status. */
typedef int (*sim_rep_fn)(const void *ctx, uint64_t rep, void *result);

/* Called with the number of completed replications, at most once per
 * completion, serialised (never two at once), from any thread. */
typedef void (*sim_progress_fn)(void *user, size_t done, size_t total);

typedef struct {
    uint64_t first_rep;        /* replication index of results[0] */
    size_t n_reps;
    size_t result_size;        /* bytes per result record */
    int threads;               /* <= 0: all available cores */
    sim_progress_fn progress;  /* may be NULL */
    void *progress_user;
    volatile sig_atomic_t *stop; /* may be NULL */
} sim_runner_cfg;

/* Run replications first_rep .. first_rep+n_reps-1.  results holds n_reps
 * records; done (may be NULL) receives 1 for each completed replication.
 * Returns SIM_OK, SIM_EINTR if stopped early, or the status of the failing
 * replication with the lowest index (its index in *failed_rep if non-NULL). */
int sim_runner_run(const sim_runner_cfg *cfg, sim_rep_fn fn, const void *ctx,
                   void *results, unsigned char *done, uint64_t *failed_rep);

/* Receives blocks of finished replications in replication order: block b
 * holds replications b*block .. of the batch (the last may be shorter), k
 * records and their done flags.  Called on the thread that called
 * sim_runner_stream, between its own replications, while the other
 * threads go on simulating.  A non-zero return stops the batch and is
 * returned. */
typedef int (*sim_block_fn)(void *user, size_t first, size_t k, const void *records,
                            const unsigned char *done);

/* Replications as sim_runner_run does, in one OpenMP team for the whole
 * batch, each block handed to `sink` as soon as it and the blocks before
 * it are finished: what the caller does with a block (summaries, writing)
 * overlaps the simulation instead of stopping it.  ring holds 2 * block
 * records (a block being delivered, the next being filled); done holds
 * n_reps flags.  When stopped, the blocks begun are delivered with their
 * holes (done 0); after a failing replication nothing more is.  Returns as
 * sim_runner_run, or the sink's status.  The team ends with the batch. */
int sim_runner_stream(const sim_runner_cfg *cfg, sim_rep_fn fn, const void *ctx, void *ring,
                      size_t block, sim_block_fn sink, void *sink_user, unsigned char *done,
                      uint64_t *failed_rep);

/* Set by a signal handler (never cleared): replications in progress stop. */
extern volatile sig_atomic_t sim_runner_abort;

/* End the OpenMP team (sim_runner.c says why; both runners call it). */
void sim_runner_release(int threads);

/* Threads that sim_runner_run would use for `threads`: <= 0 is OpenMP's
 * default, OMP_NUM_THREADS when it is set, else every core. */
int sim_runner_threads(int threads);

#endif
