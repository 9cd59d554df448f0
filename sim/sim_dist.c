#include "sim_dist.h"
#include "sim_status.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sf_gamma.h>

static const char *const kind_names[] = {
#define SIM_DIST_NAME(name, text) text,
    SIM_DIST_KIND_LIST(SIM_DIST_NAME)
#undef SIM_DIST_NAME
};

const char *sim_dist_kind_name(sim_dist_kind k)
{
    return (unsigned)k < SIM_DIST_N_KINDS ? kind_names[k] : "?";
}

int sim_dist_kind_parse(const char *name)
{
    for (int k = 0; k < SIM_DIST_N_KINDS; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return k;
    return -1;
}

static const sim_qtab *table_for(const sim_dist *d);

/* Weibull shape k with the given coefficient of variation:
 * CV^2 = G(1+2/k)/G(1+1/k)^2 - 1 is decreasing in k, so bisect on log k. */
static double weibull_shape_for_cv(double cv)
{
    double lo = log(0.05), hi = log(200.0);
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi), k = exp(mid);
        double c2 = exp(gsl_sf_lngamma(1 + 2 / k) - 2 * gsl_sf_lngamma(1 + 1 / k)) - 1;
        if (c2 > cv * cv)
            lo = mid;
        else
            hi = mid;
    }
    return exp(0.5 * (lo + hi));
}

static int prepare(sim_dist *d);

/* Parameters in range can still give a distribution that cannot be drawn:
 * a lognormal sd of 1e200 makes sigma infinite, a gamma sd of 1e-200 an
 * infinite shape.  Refused here, where the scenario loader asks, rather
 * than as a NaN time in the middle of a run. */
static int drawable(const sim_dist *d)
{
    if (d->kind != SIM_DIST_LOGNORMAL && d->kind != SIM_DIST_GAMMA && d->kind != SIM_DIST_WEIBULL)
        return 1;
    if (!(isfinite(d->p1) && isfinite(d->p2) && d->p2 > 0 && isfinite(d->scale) && d->scale > 0))
        return 0;
    static const double us[] = {0, 1e-9, 0.5, 1 - 1e-9, 1 - 0x1p-53};
    for (size_t i = 0; i < sizeof us / sizeof us[0]; i++) {
        double x = sim_dist_quantile(d, us[i]);
        if (!(isfinite(x) && x >= 0))
            return 0;
    }
    return 1;
}

int sim_dist_prepare(sim_dist *d)
{
    int rc = prepare(d);
    return rc == SIM_OK && !drawable(d) ? SIM_ERANGE : rc;
}

static int prepare(sim_dist *d)
{
    switch (d->kind) {
    case SIM_DIST_NONE:
        d->mean = 0;
        return SIM_OK;
    case SIM_DIST_CONST:
    case SIM_DIST_EXP:
        return isfinite(d->mean) && d->mean >= 0 ? SIM_OK : SIM_ERANGE;
    case SIM_DIST_LOGNORMAL:
        if (!(isfinite(d->mean) && d->mean > 0 && isfinite(d->sd) && d->sd > 0))
            return SIM_ERANGE;
        d->p2 = sqrt(log1p((d->sd / d->mean) * (d->sd / d->mean)));   /* sigma */
        d->p1 = log(d->mean) - 0.5 * d->p2 * d->p2;                      /* zeta */
        d->scale = exp(d->p1);
        d->tab = table_for(d);
        return SIM_OK;
    case SIM_DIST_GAMMA:
        if (!(isfinite(d->mean) && d->mean > 0 && isfinite(d->sd) && d->sd > 0))
            return SIM_ERANGE;
        d->p1 = (d->mean / d->sd) * (d->mean / d->sd);                   /* shape */
        d->p2 = d->sd * d->sd / d->mean;                                 /* scale */
        d->scale = d->p2;
        d->tab = table_for(d);
        return SIM_OK;
    case SIM_DIST_WEIBULL:
        if (!(isfinite(d->mean) && d->mean > 0 && isfinite(d->sd) && d->sd > 0)
            || d->sd / d->mean > 20)
            return SIM_ERANGE;
        d->p1 = weibull_shape_for_cv(d->sd / d->mean);                   /* shape */
        d->p2 = d->mean / exp(gsl_sf_lngamma(1 + 1 / d->p1));            /* scale */
        d->scale = d->p2;
        d->tab = table_for(d);
        return SIM_OK;
    case SIM_DIST_UNIFORM:
        if (!(isfinite(d->min) && isfinite(d->max) && d->min >= 0 && d->min <= d->max))
            return SIM_ERANGE;
        d->mean = 0.5 * (d->min + d->max);
        return SIM_OK;
    case SIM_DIST_EMPIRICAL: {
        if (d->n < 1 || d->n > SIM_DIST_EMP_MAX)
            return SIM_ERANGE;
        double total = 0, m = 0;
        for (int i = 0; i < d->n; i++) {
            if (!(isfinite(d->values[i]) && d->values[i] >= 0 && isfinite(d->weights[i])
                  && d->weights[i] >= 0))
                return SIM_ERANGE;
            total += d->weights[i];
        }
        if (!(total > 0))
            return SIM_ERANGE;
        double c = 0;
        for (int i = 0; i < d->n; i++) {
            c += d->weights[i] / total;
            d->cum[i] = c;
            m += d->values[i] * d->weights[i] / total;
        }
        d->cum[d->n - 1] = 1.0;
        d->mean = m;
        return SIM_OK;
    }
    default:
        return SIM_EINVAL;
    }
}

extern inline double sim_dist_quantile(const sim_dist *d, double u);

/* ---- exact unit-scale quantiles, one per tail ---------------------------
 * lower(par, w) = Q(w), upper(par, w) = Q(1 - w), for w in [0, 1/2]: each
 * tail from its own side keeps full relative precision (1 - u is exact for
 * u >= 1/2; GSL's Pinv near 1 is not). */

/* x with P(k, x) = w (lower tail) or Q(k, x) = w (upper), unit scale:
 * Halley steps on G(y) = log P (or log Q) against y = log x, kept inside a
 * bracket that every evaluation narrows, bisecting (geometrically) when a
 * step leaves it.  In log space the tails are nearly straight lines, and
 * G' = +-x f / F, G'' = G' (k - x) - G'^2 come free with F, so from the
 * Wilson-Hilferty or small-x start (or a neighbour's quantile) two or
 * three evaluations of GSL's incomplete gamma function suffice. */
static double gamma_invert(double k, double lgk, double w, int upper, double hint)
{
    if (!(w > 0))
        return upper ? INFINITY : 0;
    double lw = log(w), x = hint;
    if (!(x > 0)) {
        double lsmall = (lw + lgk + log(k)) / k;  /* log x where P ~ x^k / G(k+1) */
        if (!upper && lsmall < -744)
            return 0;                             /* below the smallest double */
        double c = 1 / (9 * k);
        double z = upper ? gsl_cdf_ugaussian_Qinv(w) : gsl_cdf_ugaussian_Pinv(w);
        double base = 1 - c + z * sqrt(c);
        if (base > 0.2)
            x = k * base * base * base;
        else if (!upper)
            x = exp(lsmall);
        else
            x = fmax(-lw - lgk + (k - 1) * log(fmax(-lw, 1)), 1);
    }
    double lo = 0, hi = INFINITY;
    for (int it = 0; it < 200; it++) {
        double f = upper ? gsl_sf_gamma_inc_Q(k, x) : gsl_sf_gamma_inc_P(k, x);
        if (f == w)
            return x;
        if ((f < w) != upper)
            lo = x;                               /* the quantile is above x */
        else
            hi = x;
        double xf = exp(k * log(x) - x - lgk);   /* x times the density */
        double next = NAN;
        if (f > 0 && xf > 0) {
            double g = log(f) - lw, d1 = (upper ? -xf : xf) / f, d2 = d1 * (k - x) - d1 * d1;
            double den = d1 * d1 - 0.5 * g * d2;
            double dy = den > 0.5 * d1 * d1 ? g * d1 / den : g / d1;   /* Halley, else Newton */
            next = x * exp(-dy);
            /* cubic convergence: what this step leaves is about dy^3 times
             * a modest constant.  A step that leaves the bracket by less
             * than 1e-12 is rounding in F: x is as close as F can tell. */
            if (fabs(dy) < 1e-6 && next > lo && next < hi)
                return next;
            if (fabs(dy) < 1e-12)
                return x;
        }
        if (!(next > lo && next < hi))
            next = hi == INFINITY ? 16 * x : lo == 0 ? hi / 16 : sqrt(lo) * sqrt(hi);
        if (next == x || next == lo || next == hi)
            return x;                             /* bracket down to adjacent doubles */
        x = next;
    }
    return x;
}

static double gamma_lower(const double *par, double w, double hint)
{
    return gamma_invert(par[0], par[1], w, 0, hint);
}

static double gamma_upper(const double *par, double w, double hint)
{
    return gamma_invert(par[0], par[1], w, 1, hint);
}

/* gsl_cdf_lognormal_Pinv / _Qinv at zeta = 0 */
static double lognormal_lower(const double *par, double w, double hint)
{
    (void)hint;
    return exp(par[0] * gsl_cdf_ugaussian_Pinv(w));
}

static double lognormal_upper(const double *par, double w, double hint)
{
    (void)hint;
    return exp(par[0] * gsl_cdf_ugaussian_Qinv(w));
}

/* gsl_cdf_weibull_Pinv / _Qinv at scale 1; par[1] = 1 / shape */
static double weibull_lower(const double *par, double w, double hint)
{
    (void)hint;
    return pow(-log1p(-w), par[1]);
}

static double weibull_upper(const double *par, double w, double hint)
{
    (void)hint;
    return pow(-log(w), par[1]);
}

/* The table's parameters for a prepared lognormal, gamma or Weibull. */
static void unit_params(const sim_dist *d, sim_qtab_fn fn[2], double par[2])
{
    switch (d->kind) {
    case SIM_DIST_LOGNORMAL:
        fn[0] = lognormal_lower, fn[1] = lognormal_upper;
        par[0] = d->p2, par[1] = 0;
        break;
    case SIM_DIST_GAMMA:
        fn[0] = gamma_lower, fn[1] = gamma_upper;
        par[0] = d->p1, par[1] = gsl_sf_lngamma(d->p1);
        break;
    default:
        fn[0] = weibull_lower, fn[1] = weibull_upper;
        par[0] = d->p1, par[1] = 1 / d->p1;
        break;
    }
}

static double unit_exact(const sim_dist *d, double u)
{
    sim_qtab_fn fn[2];
    double par[2];
    unit_params(d, fn, par);
    return u >= 0.5 ? fn[1](par, 1 - u, 0) : fn[0](par, u, 0);
}

/* ---- the table cache --------------------------------------------------------
 * One table per (kind, shape), built on first use and kept until exit:
 * tables are immutable, so sharing them across threads and sim_dist copies
 * needs no more than this lock around the lookup. */
typedef struct cached {
    struct cached *next;
    int kind;
    double shape;
    sim_qtab *tab;
} cached;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static cached *cache_head;
static size_t cache_bytes;

static const sim_qtab *table_for(const sim_dist *d)
{
    double shape = d->kind == SIM_DIST_LOGNORMAL ? d->p2 : d->p1;
    const sim_qtab *found = NULL;
    pthread_mutex_lock(&cache_lock);
    for (cached *c = cache_head; c && !found; c = c->next)
        if (c->kind == (int)d->kind && c->shape == shape)
            found = c->tab;
    if (!found && cache_bytes < SIM_DIST_TABLE_BYTES) {
        sim_qtab_fn fn[2];
        double par[2];
        unit_params(d, fn, par);
        cached *c = malloc(sizeof *c);
        sim_qtab *t = c ? sim_qtab_build(fn[0], fn[1], par, SIM_DIST_TABLE_TOL) : NULL;
        if (t) {
            sim_qtab_info info;
            sim_qtab_get_info(t, &info);
            *c = (cached){cache_head, (int)d->kind, shape, t};
            cache_head = c;
            cache_bytes += info.bytes;
            found = t;
        } else {
            free(c);
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return found;
}

double sim_dist_quantile_table(const sim_dist *d, double u)
{
    switch (d->kind) {
    case SIM_DIST_LOGNORMAL:
    case SIM_DIST_GAMMA:
    case SIM_DIST_WEIBULL:
        return d->scale * (d->tab ? sim_qtab_eval(d->tab, u) : unit_exact(d, u));
    default: return sim_dist_quantile(d, u);
    }
}

double sim_dist_quantile_exact(const sim_dist *d, double u)
{
    switch (d->kind) {
    case SIM_DIST_LOGNORMAL:
    case SIM_DIST_GAMMA:
    case SIM_DIST_WEIBULL:
        return d->scale * unit_exact(d, u);
    case SIM_DIST_EXP: return -d->mean * log1p(-u);
    default: return sim_dist_quantile(d, u);
    }
}

double sim_dist_cdf(const sim_dist *d, double x)
{
    if (x < 0)
        return 0;
    switch (d->kind) {
    case SIM_DIST_NONE: return 1;
    case SIM_DIST_CONST: return x >= d->mean ? 1 : 0;
    case SIM_DIST_EXP: return d->mean > 0 ? -expm1(-x / d->mean) : 1;
    case SIM_DIST_LOGNORMAL: return x > 0 ? gsl_cdf_lognormal_P(x, d->p1, d->p2) : 0;
    case SIM_DIST_GAMMA: return gsl_cdf_gamma_P(x, d->p1, d->p2);
    case SIM_DIST_WEIBULL: return gsl_cdf_weibull_P(x, d->p2, d->p1);
    case SIM_DIST_UNIFORM:
        if (x >= d->max) return 1;
        return x <= d->min ? 0 : (x - d->min) / (d->max - d->min);
    case SIM_DIST_EMPIRICAL: {
        double c = 0, total = 0;
        for (int i = 0; i < d->n; i++) {
            total += d->weights[i];
            if (d->values[i] <= x)
                c += d->weights[i];
        }
        return c / total;
    }
    default: return NAN;
    }
}

double sim_dist_mean(const sim_dist *d) { return d->kind == SIM_DIST_NONE ? 0 : d->mean; }

double sim_dist_draw(const sim_dist *d, const gsl_rng *r)
{
    return sim_dist_quantile(d, gsl_rng_uniform(r));
}

static sim_dist prepared(sim_dist d)
{
    sim_dist_prepare(&d);
    return d;
}

sim_dist sim_dist_none(void) { return prepared((sim_dist){.kind = SIM_DIST_NONE}); }
sim_dist sim_dist_const(double v) { return prepared((sim_dist){.kind = SIM_DIST_CONST, .mean = v}); }
sim_dist sim_dist_exp(double mean) { return prepared((sim_dist){.kind = SIM_DIST_EXP, .mean = mean}); }
sim_dist sim_dist_lognormal(double mean, double sd)
{
    return prepared((sim_dist){.kind = SIM_DIST_LOGNORMAL, .mean = mean, .sd = sd});
}
