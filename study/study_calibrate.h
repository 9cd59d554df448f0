/* study_calibrate: find the scenario values that reproduce observed
 * figures, a driver over study_add_point / study_extend.
 *
 * Every evaluation runs the same replications (same seed, replications
 * 0 .. reps-1: common random numbers), so the response is a smooth-enough
 * function of the unknowns for root finding and minimisation:
 *   one unknown, one target: the target bracketed by the range's ends, then
 *     Brent's method (gsl_root_fsolver_brent) on metric(x) - value;
 *   several: the Nelder-Mead simplex (gsl_multimin_fminimizer_nmsimplex2)
 *     on the sum of squared standardised distances
 *     sum_k ((metric_k(x) - value_k) / s_k)^2, s_k the target's tolerance,
 *     or the estimate's 95% half-width at the range's centre without one;
 *     the unknowns kept inside their ranges by x = lo + (hi - lo)(1 + sin u)/2.
 * The fitted values' uncertainty comes from the local slopes (central
 * differences, J) and each target's half-width h_k, the tolerance and the
 * estimate's 95% half-width combined (sqrt(tol^2 + ci^2)): the square
 * roots of the diagonal of (J' W J)^-1, W = diag(1 / h_k^2); for one
 * unknown and one target, h / |slope|.
 *
 * Every rank calls it alike; results are the same whatever the thread or
 * rank count.  Nothing printed: failures come back as a study_error. */
#ifndef STUDY_CALIBRATE_H
#define STUDY_CALIBRATE_H

#include <stddef.h>
#include "sim_stats.h"
#include "study.h"

#define STUDY_CAL_MAX 8

typedef struct {
    char key[160];             /* a numeric scenario key, e.g. referrals.per_year */
    double lo, hi;
} study_cal_fit;

typedef struct {
    int metric;                /* index of an rf_metric */
    double value;
    double tol;                /* 0: none (the estimate's interval alone) */
} study_cal_target;

typedef struct {
    study_cfg base;            /* scenario, --set, seed, threads, hooks (no output) */
    study_cal_fit fits[STUDY_CAL_MAX];
    size_t n_fits;
    study_cal_target targets[STUDY_CAL_MAX];
    size_t n_targets;
    long reps;                 /* per evaluation; 0: the scenario's */
    int max_evals;             /* 0: 200 */
    /* Rank 0, may be NULL: an evaluation done (x[n_fits], y[n_targets]). */
    void (*on_eval)(void *user, const double *x, const sim_summary *y);
    void *user;
} study_calibrate_cfg;

typedef struct {
    double x[STUDY_CAL_MAX];   /* the fitted values */
    double u[STUDY_CAL_MAX];   /* their 95%-scale uncertainty (NaN: a slope of 0) */
    double slope[STUDY_CAL_MAX]; /* one unknown: d metric / d x at the fit */
    sim_summary achieved[STUDY_CAL_MAX]; /* each target's metric at the fit */
    int evals;                 /* evaluations run */
    long reps;
    int met;                   /* every target's value inside achieved +- sqrt(tol^2 + ci^2) */
} study_calibrate_result;

/* SIM_OK, or an input error with err saying why: more unknowns than
 * targets, an empty or reversed range, a key that is not a number, a
 * target no value in the range reaches (one unknown: which end comes
 * nearest, with its figure). */
int study_calibrate(const study_calibrate_cfg *cfg, study_calibrate_result *out, study_error *err);

#endif
