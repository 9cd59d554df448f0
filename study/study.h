/* study: a refuge simulation study, the experiment layer put together for
 * the refuge model: the points (models/points, rf_points), their
 * replications (experiment/, ex_experiment: tasks over MPI ranks and OpenMP
 * threads, checkpoints, resume) and the results file (analysis/, an_h5).
 *
 * `run`, `sweep` and `rerun` are one call sequence:
 *     study_open      build and check every point, prepare the output and
 *                     (sweeps) the checkpoints, resuming finished points
 *     study_run       run the replications; points are published into the
 *                     results file (and checkpointed) as they complete
 *     study_commit    publish the file atomically
 * Drivers that choose their points as they go (capacity search, and later
 * compare, optimise, calibrate, --precision) open a study with no points,
 * then study_add_point and study_extend: "evaluate point P with
 * replications [a, b)", deterministic whatever the threads or ranks, where
 * adding replications later extends, never replaces, the first ones.
 *
 * Every rank calls the same functions in the same order; rank 0 alone
 * writes files and holds summaries.  Nothing is printed: failures come back
 * as a sim_status and a study_error, warnings and progress through hooks. */
#ifndef STUDY_H
#define STUDY_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include "an_steady.h"
#include "an_compare_areas.h"
#include "an_summary.h"
#include "rf_points.h"
#include "rf_scenario.h"
#include "rf_sweep.h"
#include "sim_runner.h"

/* Why a study call failed, in words for the command line to print. */
typedef struct {
    int status;                /* sim_status */
    int input;                 /* 1: the input is at fault (usage / scenario), 0: runtime */
    int all_ranks;             /* found by every rank alike (else rank 0 reports it) */
    int own_rank;              /* a rank other than 0 found it itself: it reports it */
    long point;                /* >= 0: the diags are about this point of a sweep */
    char message[1200];        /* "" when there is nothing more than the diags */
    rf_diags diags;            /* scenario problems, diags.n == 0 when none */
} study_error;

typedef struct study_precision_cfg study_precision_cfg;       /* study_precision.h */
typedef struct study_precision_result study_precision_result;

typedef struct {
    rf_points_cfg points;      /* scenario (or texts), --set, overrides, varied keys */
    const rf_sweep *grid;      /* file points: the grid's points (NULL: one point) */
    int part;                  /* sweep --points: run grid points first_point..last_point */
    size_t first_point, last_point; /* (0-based, inclusive) only, as points 0, 1, ... of a
                                   results file marked as that part of the grid (an_h5.h) */
    const double *text_values; /* text points: n_text_points x n_vary numbers */
    size_t n_text_points;
    int no_points;             /* drivers: start with no points (study_add_point) */
    const rf_points_alt *alts; /* compare: these points, in order (with grid NULL) */
    size_t n_alts;
    /* a list of points (with grid NULL): n_list_points x points.n_vary
     * values of the varied keys, row by row (optimise's path) */
    const char *const *list_values;
    size_t n_list_points;
    int threads;               /* per rank; <= 0: all cores */
    size_t chunk;              /* replications per task, 0: the default */
    const char *out_path;      /* NULL: no results file */
    int force;                 /* replace an existing file */
    /* files the command reads besides the scenario (rerun's results file):
     * out_path may be none of them, nor a file the scenario read */
    const char *const *inputs;
    size_t n_inputs;
    int checkpoint;            /* keep <out>.ckpt/ so an interrupted sweep can resume */
    int resume;                /* reuse its finished points */
    int keep_summaries;        /* rank 0 keeps every point's summary */
    int by_year;               /* ... with its yearly figures (an_point_summary_add_years) */
    int compare_points;        /* with keep_summaries: at a complete commit, write /comparison,
                                  every point against point 0 (rerun of a compare file) */
    /* NULL: every point gets the scenario's replications; else study_run
     * gives each point replications until the targets hold
     * (study_precision.h), and there are no checkpoints. */
    const study_precision_cfg *precision;
    const char *precision_text; /* the targets as given, stored in the results file */
    int precision_paired;      /* compare: the targets are on every point's paired difference
                                  from point 0, all points extended together
                                  (study_precision_paired) */
    const char *command_line;  /* stored in the file */
    const char *note;          /* NULL, or the file's `note` attribute */
    const char *const *attrs;  /* n_attrs (name, value) pairs of root string attributes */
    size_t n_attrs;
    const char *scenario_source; /* NULL: read from points.scenario_path (and what it
                                   extends); else stored as it is (rerun, merge) */
    volatile sig_atomic_t *stop; /* may be NULL: non-zero stops starting work */
    /* Hooks, each may be NULL; user is passed to them. */
    void (*on_start)(void *user);                       /* every rank, just before replications run */
    void (*on_end)(void *user);                         /* every rank, just after, before any report */
    sim_progress_fn progress;                           /* rank 0: replications done, of total */
    void (*warn)(void *user, const char *message);      /* rank 0: the run goes on */
    void *user;
} study_cfg;

typedef struct study study;

/* For the study modules: err cleared (nothing wrong), or set (its status,
 * whether the input is at fault, the message) returning status. */
void study_error_clear(study_error *err);
__attribute__((format(printf, 4, 5)))
int study_error_set(study_error *err, int status, int input, const char *fmt, ...);

/* Load and check every point (they must agree on the replications), then
 * on rank 0 prepare the output; every rank learns whether that worked.  On
 * failure *out is NULL and err says why.  cfg must outlive the study. */
int study_open(const study_cfg *cfg, study **out, study_error *err);
void study_free(study *s);    /* NULL is fine */

/* Points resumed from checkpoints by study_open (rank 0). */
size_t study_resumed(const study *s);

/* Run every point's replications.  SIM_OK; SIM_EINTR when stopped early
 * (rank 0 publishes the points that have replications, marked incomplete);
 * or a failure (err says it). */
int study_run(study *s, study_error *err);

/* Rank 0, after study_run: publish the results file atomically (nothing
 * without one) and, when complete, remove the checkpoints. */
int study_commit(study *s, int complete, study_error *err);

size_t study_n_points(const study *s);
size_t study_reps(const study *s);                 /* replications of every point */
size_t study_reps_finished(const study *s);        /* rank 0 */
int study_has_checkpoints(const study *s);
int study_total_units(const study *s, size_t i);
/* With cfg->precision, after study_run: how point i's replications were
 * chosen (NULL before). */
const study_precision_result *study_precision(const study *s, size_t i);
/* Rank 0 with keep_summaries: point i's warm-up and overload tests on the
 * monthly series after warm-up (an_steady.h); NULL while it has none. */
const an_steady *study_steady(const study *s, size_t i);
/* Rank 0 with keep_summaries: point i's summary; NULL while it has none. */
const an_point_summary *study_summary(const study *s, size_t i);

/* Rank 0 with keep_summaries: every point i >= 1 against point 0
 * (an_compare_points), in point order; *rows malloc'd (free it). */
int study_comparison_rows(const study *s, an_comparison **rows, size_t *n_rows, study_error *err);
/* Rank 0, after study_run and before study_commit: the results file's
 * /comparison table (nothing without a results file). */
int study_put_comparison(study *s, const an_comparison *rows, size_t n_rows, study_error *err);
/* With cfg->by_year: the /comparison_yearly table of every alternative
 * against point 0 (an_compare_years; nothing without a results file). */
int study_put_comparison_yearly(study *s, study_error *err);
/* The same for /comparison_areas (a network's areas, an_compare_areas.h). */
int study_put_area_comparison(study *s, const an_area_cmp_set *sets, size_t n_sets,
                              study_error *err);

/* Drivers.  Add a point (values of the varied keys; see rf_points_add),
 * loaded and checked at once; *index receives its number. */
int study_add_point(study *s, const char *const *values, const double *numbers, size_t *index,
                    study_error *err);
/* Give point i replications [0, n_reps): only those it lacks are run, a
 * slice of a few MB of records at a time into the point's spool.  Stopped
 * (SIM_EINTR), the point keeps the slices that finished (study_have). */
int study_extend(study *s, size_t i, size_t n_reps, study_error *err);
/* Free point i's replications (it has none afterwards). */
void study_forget(study *s, size_t i);
/* Point i's replications so far (every rank knows). */
size_t study_have(const study *s, size_t i);
/* Rank 0: point i's replication records so far, a block at a time in
 * replication order (they are kept in a study_spool: memory up to a
 * budget, then a temporary file): fn gets records [first, first + n),
 * n <= STUDY_BLOCK, each an rf_result stride bytes apart (a network's
 * record after each), and their done flags.  A status other than SIM_OK
 * from fn stops the walk and is returned; SIM_EIO with errno when the
 * records cannot be read, SIM_ENOMEM. */
#define STUDY_BLOCK 64
typedef int (*study_block_fn)(void *user, size_t first, size_t n, const rf_result *res,
                              size_t stride, const unsigned char *done);
int study_each_block(const study *s, size_t i, study_block_fn fn, void *user);
/* The same over two points in step: their replications [0, n), n at most
 * either's, replication r of both in the same call. */
typedef int (*study_pair_fn)(void *user, size_t first, size_t n, const rf_result *a,
                             const unsigned char *done_a, const rf_result *b,
                             const unsigned char *done_b, size_t stride);
int study_each_pair(const study *s, size_t a, size_t b, size_t n, study_pair_fn fn, void *user);
/* Rank 0: point i's warm-up and overload tests (an_steady_window on its
 * replications so far, months first_month..); series 0 leaves out the
 * monthly means (an_steady_verdict).  Free it with an_steady_free. */
int study_point_steady(const study *s, size_t i, size_t first_month, int series, an_steady *out);
/* Rank 0, drivers: write every point that has replications, with those it
 * has (points added but never run are left out), to a results file at
 * path marked incomplete (complete = 0): what an interrupted search
 * evaluated.  The output checks and the atomic writing of study_open /
 * study_commit; note is the file's `note`.  SIM_OK writing nothing when no
 * point has replications (*written 0). */
int study_write_partial(study *s, const char *path, int force, const char *note,
                        size_t *written, study_error *err);
/* Rank 0: summary of point i's replications so far (free it with
 * an_point_summary_free). */
int study_point_summary(study *s, size_t i, an_point_summary *out);

#endif
