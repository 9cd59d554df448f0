/* sim_dist: the distributions a scenario can name, sampled by inversion.
 *
 * Every draw is quantile(u) of one uniform, so a model that stores a
 * household's uniforms at referral can turn them into a stay for whichever
 * service it ends up in: common random numbers survive capacity changes.
 * The quantile functions are GSL's.
 *
 * A sim_dist is plain data with no pointers: copy it with '='.  Fill the
 * user-facing fields, then call sim_dist_prepare once before sampling. */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <math.h>
#include <gsl/gsl_rng.h>

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
    double p1, p2;
    double cum[SIM_DIST_EMP_MAX];
} sim_dist;

/* Check the parameters and derive what sampling needs.  SIM_ERANGE when a
 * parameter is out of its domain (negative mean, sd <= 0 where a spread is
 * needed, min > max, no positive weight...).  Values must be >= 0: every
 * distribution in refugesim is a duration or a count. */
int sim_dist_prepare(sim_dist *d);

/* u in [0,1).  Exact inverse CDF for the continuous kinds.  Inline for the
 * cheap kinds (a model draws several per event); lognormal, gamma and
 * Weibull go to sim_dist_quantile_gsl. */
inline double sim_dist_quantile(const sim_dist *d, double u);
double sim_dist_quantile_gsl(const sim_dist *d, double u);
double sim_dist_cdf(const sim_dist *d, double x);
double sim_dist_mean(const sim_dist *d);
double sim_dist_draw(const sim_dist *d, const gsl_rng *r);

/* Convenience constructors, already prepared. */
sim_dist sim_dist_none(void);
sim_dist sim_dist_const(double value);
sim_dist sim_dist_exp(double mean);
sim_dist sim_dist_lognormal(double mean, double sd);

/* The exponential as -mean * log(1 - u): 1 - u is exact for a 53-bit u, and
 * log is about twice as fast as log1p(-u) for the same value.  (C99 inline:
 * sim_dist.c emits the external definition, so the symbol stays.) */
inline double sim_dist_quantile(const sim_dist *d, double u)
{
    switch (d->kind) {
    case SIM_DIST_NONE: return 0;
    case SIM_DIST_CONST: return d->mean;
    case SIM_DIST_EXP: return -d->mean * log(1 - u);
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
    default: return sim_dist_quantile_gsl(d, u);
    }
}

const char *sim_dist_kind_name(sim_dist_kind k);
/* -1 when the name is unknown. */
int sim_dist_kind_parse(const char *name);

#endif
