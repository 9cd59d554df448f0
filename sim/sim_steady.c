#include "sim_steady.h"
#include "sim_status.h"
#include "sim_stats.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <string.h>

int sim_mser_find(const double *x, size_t n, size_t k, sim_mser *out)
{
    memset(out, 0, sizeof *out);
    if (k == 0)
        return SIM_EINVAL;
    size_t len = 0;
    while (len < n && !isnan(x[len]))
        len++;
    size_t nb = len / k;
    out->batches = nb;
    out->batch_size = k;
    out->statistic = NAN;
    if (nb < 4)
        return SIM_OK;
    /* Suffix sums over the batch means, d from the end backwards, so every
     * MSER(d) is O(1): with S1 and S2 the sums of b and b^2 over batches
     * d.., the sum of squared deviations is S2 - S1^2 / m, m = nb - d. */
    double s1 = 0, s2 = 0;
    double best = INFINITY;
    size_t best_d = 0, half = nb / 2;
    /* d from the end backwards; cuts beyond half the batches are not
     * considered (with only a few batches left, MSER(d) is small by chance
     * alone: White's end effect). */
    for (size_t m = 1; m <= nb; m++) {
        size_t d = nb - m;
        double b = 0;
        for (size_t i = 0; i < k; i++)
            b += x[d * k + i];
        b /= (double)k;
        s1 += b;
        s2 += b * b;
        if (d > half)
            continue;
        double ss = s2 - s1 * s1 / (double)m;
        if (ss < 0)
            ss = 0;
        double v = ss / ((double)m * (double)m);
        if (v <= best) {     /* ties: the smaller truncation */
            best = v;
            best_d = d;
        }
    }
    out->truncate = best_d * k;
    out->statistic = best;
    out->ok = best_d < half;
    return SIM_OK;
}

int sim_trend_slope(const double *y, size_t n_obs, double *slope)
{
    double tbar = (double)(n_obs - 1) / 2, stt = 0, sty = 0;
    int bad = 0;
    for (size_t t = 0; t < n_obs; t++)
        stt += ((double)t - tbar) * ((double)t - tbar);
    for (size_t t = 0; t < n_obs; t++) {
        if (isnan(y[t]))
            bad = 1;
        sty += ((double)t - tbar) * y[t];
    }
    *slope = sty / stt;
    return !bad;
}

int sim_trend_finish(const sim_welford *slopes, size_t n_obs, double level, sim_trend *out)
{
    memset(out, 0, sizeof *out);
    out->slope = out->se = out->lo = out->hi = NAN;
    size_t n = (size_t)slopes->n;
    out->n_reps = n;
    out->n_obs = n_obs;
    if (n_obs < 3 || n == 0)
        return SIM_EINVAL;
    out->slope = slopes->mean;
    if (n >= 2) {
        out->se = sqrt(slopes->m2 / (double)(n - 1) / (double)n);
        double t = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(n - 1));
        out->lo = out->slope - t * out->se;
        out->hi = out->slope + t * out->se;
    }
    return SIM_OK;
}

int sim_trend_across(const double *rows, size_t n_reps, size_t n_obs, double level, sim_trend *out)
{
    sim_welford w;
    sim_welford_reset(&w);
    if (n_obs < 3 || n_reps == 0)
        n_obs = 0;             /* nothing to look at: finish says so */
    for (size_t r = 0; r < n_reps && n_obs; r++) {
        double slope;
        if (sim_trend_slope(rows + r * n_obs, n_obs, &slope))
            sim_welford_add(&w, slope);
    }
    return sim_trend_finish(&w, n_obs, level, out);
}
