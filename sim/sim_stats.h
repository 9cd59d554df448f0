/* sim_stats: streaming statistics whose memory does not grow with the horizon.
 *
 *  - sim_welford: count, mean, variance (Welford), min, max; mergeable.
 *  - sim_level: time-weighted average and maximum of a piecewise-constant
 *    level (occupancy, queue length).
 *  - sim_hist: fixed-bin histogram with interpolated quantiles.
 *  - sim_summarize: mean, sd, 95% CI half-width (Student t, GSL) and
 *    p10/p50/p90 across replications.
 *  - sim_ratio_estimate: a ratio of sums over replications (total refused /
 *    total referrals) with its delta-method standard error and Student t
 *    interval; sim_ratio_paired_diff: the difference of two such ratios
 *    measured on the same replications (common random numbers).
 * All are plain structs owned by the caller; none allocates. */
#ifndef SIM_STATS_H
#define SIM_STATS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t n;
    double mean, m2, min, max;
} sim_welford;

void sim_welford_reset(sim_welford *w);
void sim_welford_add(sim_welford *w, double x);
/* a += b (Chan et al. pairwise update). */
void sim_welford_merge(sim_welford *a, const sim_welford *b);
/* Sample variance (n-1); 0 when n < 2. */
double sim_welford_var(const sim_welford *w);
double sim_welford_sd(const sim_welford *w);

typedef struct {
    double t0;      /* start of the observation window */
    double t_last;  /* time of the last change */
    double level;   /* current level */
    double area;    /* integral of the level over [t0, t_last] */
    double max;     /* largest level seen in the window */
} sim_level;

/* Start observing at time t with the current level. */
void sim_level_reset(sim_level *l, double t, double level);
/* The level becomes `level` at time t (t >= t_last).  Inline: a model calls
 * it on every change of occupancy or queue length.  (C99 inline: sim_stats.c
 * emits the external definition.) */
inline void sim_level_set(sim_level *l, double t, double level)
{
    if (t > l->t_last) {
        l->area += l->level * (t - l->t_last);
        l->t_last = t;
    }
    l->level = level;
    if (level > l->max)
        l->max = level;
}
static inline void sim_level_add(sim_level *l, double t, double delta)
{
    sim_level_set(l, t, l->level + delta);
}
/* Time average over [t0, t_end]; the current level if the window is empty. */
double sim_level_mean(const sim_level *l, double t_end);
/* Integral over [t0, t_end]. */
double sim_level_area(const sim_level *l, double t_end);

#define SIM_HIST_MAXBINS 1024
typedef struct {
    double lo, width;        /* bin i covers [lo + i*width, lo + (i+1)*width) */
    uint32_t nbins;
    uint64_t n;              /* observations, including clamped ones */
    uint64_t counts[SIM_HIST_MAXBINS];
} sim_hist;

/* nbins <= SIM_HIST_MAXBINS.  Values outside the range go to the end bins.
 * Only the nbins bins in use are zeroed and ever read. */
void sim_hist_init(sim_hist *h, double lo, double hi, uint32_t nbins);
void sim_hist_add(sim_hist *h, double x);
/* p in [0,1]; linear inside the bin; NAN when empty. */
double sim_hist_quantile(const sim_hist *h, double p);

typedef struct {
    size_t n;
    double mean, sd, ci95;   /* ci95: half-width; NAN when n < 2 */
    double p10, p50, p90, min, max;
} sim_summary;

/* Summary of n values (NaNs are skipped and not counted).  `work` must hold
 * n doubles (it receives the sorted values); x is not modified. */
void sim_summarize(const double *x, size_t n, double *work, sim_summary *out);

/* Two-sided 95% Student t quantile for `dof` degrees of freedom. */
double sim_t975(size_t dof);

/* The ratio estimator R = sum(num) / sum(den) over n replications, e.g. a
 * share of referrals pooled over replications.  Unlike the mean of the
 * per-replication ratios it is consistent as the replications grow, however
 * few events each one holds.  Its variance is the delta method's:
 *   e_i = num_i - R den_i,   se^2 = sum(e_i^2) / (n (n - 1) dbar^2),
 * dbar the mean denominator, and ci95 = t(0.975, n - 1) se.  Replications
 * with a NaN numerator or denominator are skipped (not done); a zero
 * denominator counts (it adds nothing to either sum).  ratio is NaN when the
 * denominators sum to 0, se and ci95 when fewer than 2 replications count.
 * A mean over replications is the case den_i = 1. */
typedef struct {
    size_t n;                 /* replications counted */
    double num, den;          /* the sums */
    double ratio, se, ci95;
} sim_ratio;

void sim_ratio_estimate(const double *num, const double *den, size_t n, sim_ratio *out);

/* The same estimator fed one replication at a time, so that the parts need
 * not be kept: the sums as above and the co-moments about the running
 * means (Welford's update for two variables), from which
 *   sum(e_i^2) = Cnn - 2 R Cnd + R^2 Cdd + n (mean_num - R mean_den)^2
 * without the cancellation of raw sums of squares (the values taken about
 * the first replication's, so a level far above the spread keeps its
 * digits too).  sim_ratio_estimate is
 * this over the array, so parts added in replication order give the same
 * bits whichever way they arrive.  A plain value: zero it to start. */
typedef struct {
    size_t n;
    double num, den;          /* the sums, in the order added */
    double kn, kd;            /* the first values: the rest are taken about them */
    double mn, md;            /* running means (less kn, kd) */
    double cnn, cdd, cnd;     /* co-moments about them */
} sim_ratio_acc;

void sim_ratio_acc_add(sim_ratio_acc *a, double num, double den);   /* NaN: skipped */
void sim_ratio_acc_result(const sim_ratio_acc *a, sim_ratio *out);

/* The difference R_a - R_b of two ratio estimators on the same n
 * replications (pair i of a and pair i of b come from replication i of both
 * scenarios, so common random numbers cancel in the variance):
 *   z_i = e_a,i / dbar_a - e_b,i / dbar_b,   se^2 = sum(z_i^2) / (n (n - 1)).
 * A replication is skipped when any of its four values is NaN. */
typedef struct {
    size_t n;
    double a, b;              /* the two ratios */
    double diff, se, ci95;    /* a - b, its delta-method se and 95% half-width */
} sim_ratio_diff;

void sim_ratio_paired_diff(const double *num_a, const double *den_a, const double *num_b,
                           const double *den_b, size_t n, sim_ratio_diff *out);

#endif
