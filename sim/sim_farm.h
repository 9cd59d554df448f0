/* sim_farm: hand independent tasks (sweep points, chunks of replications) to
 * MPI ranks with dynamic load balancing; rank 0 collects every result.
 *
 * Built without MPI (the default), or run on one rank, it simply runs the
 * tasks in order on the calling process.  With MPI and K > 1 ranks, rank 0
 * hands out tasks and runs tasks itself between taking in results: no rank
 * only coordinates.  Each worker holds up to four tasks, so it has the next
 * ones while rank 0 is busy with its own, and sends results without waiting
 * for them to be taken.  Every result reaches `done` on rank 0, in
 * completion order.  Nothing waits by polling a core: waits test, then nap
 * for 100 microseconds (Open MPI's blocking calls spin).  A task's result
 * must depend only on its index, so the collected results are the same bits
 * whatever the number of ranks.  Tasks use OpenMP threads inside; all MPI
 * calls are made from the main thread (MPI_THREAD_FUNNELED). */
#ifndef SIM_FARM_H
#define SIM_FARM_H

#include <signal.h>
#include <stddef.h>

/* Compute task `task` into out[0 .. out_size).  Returns a sim_status. */
typedef int (*sim_task_fn)(void *user, size_t task, void *out);
/* Rank 0 only: task finished with `status`; out holds its result if SIM_OK. */
typedef void (*sim_task_done_fn)(void *user, size_t task, int status, const void *out);

/* Both are harmless without MPI.  init must come before any other call.
 * It reads $REFUGESIM_MPI_TIMEOUT (SIM_EINVAL when it is not a number of
 * seconds >= 0). */
int sim_farm_init(int *argc, char ***argv);

/* A rank that hears nothing from the rank it waits for (a result, a task,
 * a broadcast) for this long gives up with SIM_ETIMEDOUT: a stopped or
 * lost rank ends the job instead of hanging it forever.  Seconds, from
 * $REFUGESIM_MPI_TIMEOUT; SIM_FARM_TIMEOUT by default; 0 waits forever.
 * It must exceed the longest task (a chunk of replications). */
#define SIM_FARM_TIMEOUT 3600.0
double sim_farm_timeout(void);
/* After a SIM_ETIMEDOUT: 1, and the rank that was silent (-1: unknown,
 * some rank of a broadcast).  The job cannot end normally then (MPI's
 * finalize waits for every rank): the caller says so and calls
 * sim_farm_abort. */
int sim_farm_timed_out(int *silent_rank);
void sim_farm_finalize(void);
int sim_farm_rank(void);
int sim_farm_size(void);
/* Abort every rank (MPI) or exit (serial) with `code`. */
void sim_farm_abort(int code);
/* Broadcast a status from rank 0 so every rank takes the same branch. */
int sim_farm_bcast_int(int value);
/* Broadcast n bytes from rank 0 (a no-op on one rank).  Returns a sim_status. */
int sim_farm_bcast_bytes(void *data, size_t n);

/* Run tasks 0..n_tasks-1 except those with skip[i] != 0 (skip may be NULL).
 * Every rank must call it with the same n_tasks, out_size and skip.
 * When *stop becomes non-zero no new task starts.  Returns SIM_OK, SIM_EINTR
 * when stopped early, SIM_EIO on a communication failure, or the first
 * failing task's status (on rank 0; workers return SIM_OK), SIM_ETIMEDOUT
 * when a rank stays silent beyond sim_farm_timeout(). */
int sim_farm_run(size_t n_tasks, size_t out_size, const unsigned char *skip, sim_task_fn fn,
                 sim_task_done_fn done, void *user, volatile sig_atomic_t *stop);

#endif
