/* study_capacity: the smallest number of spaces that meets a target with 95%
 * confidence, a short driver over study_add_point / study_extend.
 *
 * A capacity meets the target when the whole 95% confidence interval of the
 * metric's mean satisfies it, fails when the whole interval violates it, and
 * is too close to call otherwise: then its replications are doubled (up to
 * max_reps; the added ones extend the first, under common random numbers),
 * and a capacity still too close at max_reps counts as not met.  The search
 * checks hi first, then bisects [lo, hi] on the curve, which is monotone
 * under common random numbers (more spaces never refuse more). */
#ifndef STUDY_CAPACITY_H
#define STUDY_CAPACITY_H

#include <stddef.h>
#include "sim_stats.h"
#include "study.h"
#include "study_floor.h"

typedef struct {
    int metric;                /* index of an rf_metric */
    int ge;                    /* 1: metric >= x; 0: metric <= x */
    double x;
} study_target;

enum { STUDY_MEETS, STUDY_FAILS, STUDY_UNSURE };

typedef struct {
    int units;                 /* total spaces */
    long reps;                 /* replications the verdict rests on */
    sim_summary s;             /* the metric over them */
    int verdict;               /* STUDY_MEETS, STUDY_FAILS or STUDY_UNSURE */
    int stopped;               /* with precision: why its first replications stopped
                                  (STUDY_STOP_MET, STUDY_STOP_MAX); else STUDY_STOP_NONE */
    an_steady steady;          /* rank 0: warm-up and overload of its replications'
                                  monthly series (an_steady_verdict: no series) */
} study_trial;

typedef struct {
    study_cfg base;            /* scenario, --set, seed, threads, hooks (no output) */
    const char *by;            /* NULL: scale every service; else add units to the
                                  first block of this service */
    study_target target;
    long lo, hi;               /* the range of total spaces searched */
    long reps, max_reps;       /* 0: 100 and 8 x reps */
    /* NULL, or each capacity's first replications chosen to this precision
     * (study_precision.h; its max_reps bounds them), before any doubling
     * of a capacity too close to call; the curve (study_capacity_curve)
     * then chooses its points' replications the same way. */
    const study_precision_cfg *precision;
    /* NULL, or where an interrupted search writes the capacities evaluated
     * so far, each with the replications it had (study_write_partial:
     * marked incomplete); their records are kept meanwhile (a point's
     * replications x sizeof(rf_result) each).  With force, replaced. */
    const char *partial_out;
    int partial_force;
    const char *partial_note;
    /* Rank 0, may be NULL: the search starts (base_units known), a capacity
     * is decided. */
    void (*on_begin)(void *user, int base_units);
    void (*on_trial)(void *user, const study_trial *t);
    void *user;                /* for on_begin and on_trial */
} study_capacity_cfg;

typedef struct {
    int base_units;            /* the scenario's own total */
    int met;                   /* 0: not even hi meets the target */
    long answer;               /* the smallest capacity that meets it */
    study_trial *trials;       /* every capacity decided, by units; owned */
    size_t n_trials;
    /* When not even hi meets the target (floor_checked 1): the households
     * no unit fits at hi (study_floor), the paired change of their share
     * from the scenario's own capacity to hi (more units minus fewer), and
     * the best the target metric can be while they stay (floor_bounded 0:
     * the floor bounds this metric in no simple way). */
    int floor_checked;
    study_floor floor;
    sim_ratio_diff floor_change;
    int floor_bounded;
    double floor_bound;
    size_t partial_written;    /* interrupted with partial_out: capacities written there */
    int partial_status;        /* ... and how writing them went (a sim_status) */
    char partial_message[1200]; /* ... its failure in words */
} study_capacity_result;

/* Run the search (every rank).  SIM_OK also when nothing meets the target
 * (met == 0); otherwise err says why (SIM_EINTR when interrupted: then
 * partial_out, if given, holds what was evaluated). */
int study_capacity_search(const study_capacity_cfg *cfg, study_capacity_result *out,
                          study_error *err);
void study_capacity_result_free(study_capacity_result *r);

/* The curve walked, as a sweep to run like any other: every capacity tried,
 * at the largest replication count used.  *out is cfg->base with the grid
 * *grid (free it with rf_sweep_free after the study); the caller adds the
 * output path and note. */
int study_capacity_curve(const study_capacity_cfg *cfg, const study_capacity_result *r,
                         study_cfg *out, rf_sweep **grid);

/* The verdict of a summary against the target. */
int study_judge(const study_target *t, const sim_summary *s);

#endif
