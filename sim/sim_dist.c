#include "sim_dist.h"
#include "sim_status.h"

#include <math.h>
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

int sim_dist_prepare(sim_dist *d)
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
        return SIM_OK;
    case SIM_DIST_GAMMA:
        if (!(isfinite(d->mean) && d->mean > 0 && isfinite(d->sd) && d->sd > 0))
            return SIM_ERANGE;
        d->p1 = (d->mean / d->sd) * (d->mean / d->sd);                   /* shape */
        d->p2 = d->sd * d->sd / d->mean;                                 /* scale */
        return SIM_OK;
    case SIM_DIST_WEIBULL:
        if (!(isfinite(d->mean) && d->mean > 0 && isfinite(d->sd) && d->sd > 0)
            || d->sd / d->mean > 20)
            return SIM_ERANGE;
        d->p1 = weibull_shape_for_cv(d->sd / d->mean);                   /* shape */
        d->p2 = d->mean / exp(gsl_sf_lngamma(1 + 1 / d->p1));            /* scale */
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

double sim_dist_quantile_gsl(const sim_dist *d, double u)
{
    switch (d->kind) {
    /* gsl_cdf_lognormal_Pinv is exactly this, behind one more call */
    case SIM_DIST_LOGNORMAL: return u > 0 ? exp(d->p1 + d->p2 * gsl_cdf_ugaussian_Pinv(u)) : 0;
    case SIM_DIST_GAMMA: return u > 0 ? gsl_cdf_gamma_Pinv(u, d->p1, d->p2) : 0;
    case SIM_DIST_WEIBULL: return d->p2 * pow(-log(1 - u), 1 / d->p1);
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
