/* sim_steady: is an output series in steady state?  Two tests on series of
 * equally spaced observations (e.g. monthly means):
 *
 *   MSER-k (White 1997, "An effective truncation heuristic for bias
 *   reduction in simulation output"): the series is cut into batch means
 *   of k observations (an incomplete last batch dropped); truncating the
 *   first d batches leaves a mean whose squared standard error is
 *   estimated by MSER(d) = sum_{j >= d} (b_j - mean_d)^2 / (nb - d)^2; the
 *   truncation point is the d minimising it over the first half of the
 *   batches: a cut beyond half the series is rejected, so a minimum on
 *   that boundary (still falling there) means the series has not settled
 *   within its length.  Looking no further also keeps away from the end,
 *   where a few batches left can give a small MSER(d) by chance alone.
 *
 *   Trend across replications: the least-squares slope of each
 *   replication's series against its index; the slopes are independent
 *   and identically distributed over replications, so their mean has a
 *   Student t interval.  A series that keeps growing has an interval
 *   entirely above 0.
 *
 * Pure functions, no allocation but where said; status codes from
 * sim_status. */
#ifndef SIM_STEADY_H
#define SIM_STEADY_H

#include <stddef.h>
#include "sim_stats.h"

#define SIM_MSER_BATCH 5        /* MSER-5 */

typedef struct {
    size_t truncate;           /* observations to discard: d* x k */
    size_t batches;            /* nb, whole batches of k in the series */
    size_t batch_size;         /* k */
    double statistic;          /* MSER(d*) */
    int ok;                    /* 0: the minimum is at half the batches (rejected: not
                                  settled), or fewer than 4 batches */
} sim_mser;

/* MSER-k on x[0..n).  NaN observations end the series (not simulated).
 * SIM_EINVAL when k == 0. */
int sim_mser_find(const double *x, size_t n, size_t k, sim_mser *out);

typedef struct {
    double slope;              /* mean over replications of each one's OLS slope, per observation */
    double se;                 /* its standard error (NaN with fewer than 2 replications) */
    double lo, hi;             /* its two-sided interval at the level asked */
    size_t n_reps, n_obs;
} sim_trend;

/* Slopes of n_reps series of n_obs observations each (row-major, rep by
 * rep), with a two-sided interval of confidence level `level` (e.g.
 * 0.999).  SIM_EINVAL when n_obs < 3 or n_reps == 0. */
int sim_trend_across(const double *rows, size_t n_reps, size_t n_obs, double level, sim_trend *out);
/* The same in pieces, for series seen one replication at a time: the
 * slope of one series (0 when it holds a NaN, which sim_trend_across
 * skips), and the trend from the Welford accumulator of the slopes kept
 * (sim_stats.h), in replication order for the same bits. */
int sim_trend_slope(const double *y, size_t n_obs, double *slope);
int sim_trend_finish(const sim_welford *slopes, size_t n_obs, double level, sim_trend *out);

#endif
