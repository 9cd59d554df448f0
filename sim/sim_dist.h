/* sim_dist: the distributions a scenario can name, sampled by inversion.
 *
 * Every draw is quantile(u) of one uniform, so a model that stores a
 * household's uniforms at referral can turn them into a stay for whichever
 * service it ends up in: common random numbers survive capacity changes.
 * That needs the quantile to be monotone in u, and it is, for every pair of
 * doubles.
 *
 * Lognormal, gamma and Weibull quantiles come from a table (sim_qtab) built
 * by sim_dist_prepare: a few dozen instructions a draw instead of GSL's
 * iterative inversion (8,000 instructions for the gamma), within 1e-9
 * relative error of GSL's quantile over the whole of (0, 1), tails included
 * (GSL's Pinv below the median, Qinv(1 - u) above, where 1 - u is exact).
 * The tables have unit scale, so they depend on the shape alone (the
 * coefficient of variation): distributions that differ only in their mean
 * share one.  They live in a process-wide cache, are immutable once built
 * and are never freed before exit (at most SIM_DIST_TABLE_BYTES in all;
 * past that, new shapes fall back to exact inversion).  The exponential is
 * exact in closed form, the rest are exact by construction.
 *
 * A sim_dist is plain data: copy it with '=' (copies share the immutable
 * table).  Fill the user-facing fields, then call sim_dist_prepare once
 * before sampling. */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <math.h>
#include <stddef.h>
#include <gsl/gsl_rng.h>
#include "sim_qtab.h"

#define SIM_DIST_EMP_MAX 64

#define SIM_DIST_KIND_LIST(X)                                           \
    X(SIM_DIST_NONE,        "none")        /* always 0 */               \
    X(SIM_DIST_CONST,       "constant")    /* mean */                   \
    X(SIM_DIST_EXP,         "exponential") /* mean */                   \
    X(SIM_DIST_LOGNORMAL,   "lognormal")   /* mean, sd */               \
    X(SIM_DIST_GAMMA,       "gamma")       /* mean, sd */               \
    X(SIM_DIST_WEIBULL,     "weibull")     /* mean, sd */               \
    X(SIM_DIST_UNIFORM,     "uniform")     /* min, max */               \
    X(SIM_DIST_EMPIRICAL,   "empirical")   /* values, weights */

typedef enum {
#define SIM_DIST_ENUM(name, text) name,
    SIM_DIST_KIND_LIST(SIM_DIST_ENUM)
#undef SIM_DIST_ENUM
    SIM_DIST_N_KINDS
} sim_dist_kind;

typedef struct {
    sim_dist_kind kind;
    double mean, sd;                   /* constant, exponential, lognormal, gamma, weibull */
    double min, max;                   /* uniform */
    int n;                             /* empirical: number of values */
    double values[SIM_DIST_EMP_MAX];   /* empirical: the values (any order) */
    double weights[SIM_DIST_EMP_MAX];  /* empirical: relative weights, >= 0, sum > 0 */
    /* derived by sim_dist_prepare */
    double p1, p2;                     /* lognormal zeta, sigma; gamma, Weibull shape, scale */
    double cum[SIM_DIST_EMP_MAX];
    double scale;                      /* lognormal, gamma, Weibull: Q(u) = scale * unit Q(u) */
    const sim_qtab *tab;               /* their unit quantile table; NULL: exact inversion */
} sim_dist;

/* Bound on the memory all quantile tables together may hold. */
#define SIM_DIST_TABLE_BYTES ((size_t)64 << 20)
/* Relative error the tables are built to at their check points. */
#define SIM_DIST_TABLE_TOL 1e-10

/* Check the parameters and derive what sampling needs, including the
 * quantile table (built on first use of a shape: about 7 ms for a gamma,
 * less for the others; later calls with the same shape find it in the
 * cache).  SIM_ERANGE when a parameter is out of its domain (negative mean,
 * sd <= 0 where a spread is needed, min > max, no positive weight...).
 * Values must be >= 0: every distribution in refugesim is a duration or a
 * count.  Safe to call from several threads at once. */
int sim_dist_prepare(sim_dist *d);

/* u in [0,1): the inverse CDF, non-decreasing in u.  Inline for the cheap
 * kinds (a model draws several per event); lognormal, gamma and Weibull go
 * to their table (sim_dist_quantile_table). */
inline double sim_dist_quantile(const sim_dist *d, double u);
double sim_dist_quantile_table(const sim_dist *d, double u);
/* The inverse CDF by exact inversion (GSL), what the tables approximate:
 * for tests, and for the far tails.  The gamma inverts GSL's incomplete
 * gamma functions by safeguarded Newton steps (gsl_cdf_gamma_Pinv fails to
 * converge for shapes below about 0.2 or above 1e4). */
double sim_dist_quantile_exact(const sim_dist *d, double u);
double sim_dist_cdf(const sim_dist *d, double x);
double sim_dist_mean(const sim_dist *d);
double sim_dist_draw(const sim_dist *d, const gsl_rng *r);

/* Convenience constructors, already prepared. */
sim_dist sim_dist_none(void);
sim_dist sim_dist_const(double value);
sim_dist sim_dist_exp(double mean);
sim_dist sim_dist_lognormal(double mean, double sd);

/* The exponential as -mean * log(1 - u): 1 - u is exact for a 53-bit u, and
 * log is about twice as fast as log1p(-u) for the same value.  Below 2^-20,
 * where a u of more bits would lose relative precision in 1 - u, log1p.
 * (C99 inline: sim_dist.c emits the external definition, so the symbol
 * stays.) */
inline double sim_dist_quantile(const sim_dist *d, double u)
{
    switch (d->kind) {
    case SIM_DIST_NONE: return 0;
    case SIM_DIST_CONST: return d->mean;
    case SIM_DIST_EXP: return -d->mean * (u < 0x1p-20 ? log1p(-u) : log(1 - u));
    case SIM_DIST_UNIFORM: return d->min + u * (d->max - d->min);
    case SIM_DIST_EMPIRICAL: {
        /* first i with u < cum[i]; cum[] rises to cum[n-1] = 1 > u, so for
         * a short table that is the count of cum[i] <= u, without the
         * unpredictable branches of a binary search */
        if (d->n <= 16) {
            int k = 0;
            for (int i = 0; i < d->n - 1; i++)
                k += d->cum[i] <= u;
            return d->values[k];
        }
        int lo = 0, hi = d->n - 1;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (u < d->cum[mid])
                hi = mid;
            else
                lo = mid + 1;
        }
        return d->values[lo];
    }
    default: return sim_dist_quantile_table(d, u);
    }
}

const char *sim_dist_kind_name(sim_dist_kind k);
/* -1 when the name is unknown. */
int sim_dist_kind_parse(const char *name);

#endif
