#include "sim_stats.h"

#include <math.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

void sim_welford_reset(sim_welford *w)
{
    *w = (sim_welford){0, 0, 0, INFINITY, -INFINITY};
}

void sim_welford_add(sim_welford *w, double x)
{
    w->n++;
    double d = x - w->mean;
    w->mean += d / (double)w->n;
    w->m2 += d * (x - w->mean);
    if (x < w->min) w->min = x;
    if (x > w->max) w->max = x;
}

void sim_welford_merge(sim_welford *a, const sim_welford *b)
{
    if (b->n == 0)
        return;
    if (a->n == 0) {
        *a = *b;
        return;
    }
    double n = (double)(a->n + b->n);
    double d = b->mean - a->mean;
    a->mean += d * (double)b->n / n;
    a->m2 += b->m2 + d * d * (double)a->n * (double)b->n / n;
    a->n += b->n;
    if (b->min < a->min) a->min = b->min;
    if (b->max > a->max) a->max = b->max;
}

double sim_welford_var(const sim_welford *w) { return w->n > 1 ? w->m2 / (double)(w->n - 1) : 0; }
double sim_welford_sd(const sim_welford *w) { return sqrt(sim_welford_var(w)); }

void sim_level_reset(sim_level *l, double t, double level)
{
    *l = (sim_level){t, t, level, 0, level};
}

extern inline void sim_level_set(sim_level *l, double t, double level);

double sim_level_area(const sim_level *l, double t_end)
{
    return l->area + (t_end > l->t_last ? l->level * (t_end - l->t_last) : 0);
}

double sim_level_mean(const sim_level *l, double t_end)
{
    double span = t_end - l->t0;
    return span > 0 ? sim_level_area(l, t_end) / span : l->level;
}

void sim_hist_init(sim_hist *h, double lo, double hi, uint32_t nbins)
{
    if (nbins > SIM_HIST_MAXBINS) nbins = SIM_HIST_MAXBINS;
    if (nbins < 1) nbins = 1;
    /* only the bins in use: a model's histograms live in a struct zeroed
     * up to them, once a replication */
    h->n = 0;
    memset(h->counts, 0, nbins * sizeof h->counts[0]);
    h->lo = lo;
    h->nbins = nbins;
    h->width = (hi - lo) / nbins;
}

void sim_hist_add(sim_hist *h, double x)
{
    double f = (x - h->lo) / h->width;
    uint32_t i = f <= 0 ? 0 : f >= h->nbins ? h->nbins - 1 : (uint32_t)f;
    h->counts[i]++;
    h->n++;
}

double sim_hist_quantile(const sim_hist *h, double p)
{
    if (h->n == 0)
        return NAN;
    double target = p * (double)h->n, c = 0;
    for (uint32_t i = 0; i < h->nbins; i++) {
        double next = c + (double)h->counts[i];
        if (h->counts[i] && next >= target) {
            double frac = (target - c) / (double)h->counts[i];
            return h->lo + ((double)i + frac) * h->width;
        }
        c = next;
    }
    return h->lo + h->nbins * h->width;
}

double sim_t975(size_t dof)
{
    return dof > 0 ? gsl_cdf_tdist_Pinv(0.975, (double)dof) : NAN;
}

void sim_summarize(const double *x, size_t n, double *work, sim_summary *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            work[m++] = x[i];
    memset(out, 0, sizeof *out);
    out->n = m;
    if (m == 0) {
        out->mean = out->sd = out->ci95 = out->p10 = out->p50 = out->p90 = out->min = out->max = NAN;
        return;
    }
    gsl_sort(work, 1, m);
    out->mean = gsl_stats_mean(work, 1, m);
    out->sd = m > 1 ? gsl_stats_sd_m(work, 1, m, out->mean) : NAN;
    out->ci95 = m > 1 ? sim_t975(m - 1) * out->sd / sqrt((double)m) : NAN;
    out->p10 = gsl_stats_quantile_from_sorted_data(work, 1, m, 0.10);
    out->p50 = gsl_stats_quantile_from_sorted_data(work, 1, m, 0.50);
    out->p90 = gsl_stats_quantile_from_sorted_data(work, 1, m, 0.90);
    out->min = work[0];
    out->max = work[m - 1];
}

void sim_ratio_acc_add(sim_ratio_acc *a, double num, double den)
{
    if (isnan(num) || isnan(den))
        return;
    if (a->n == 0) {
        a->kn = num;
        a->kd = den;
    }
    a->n++;
    a->num += num;
    a->den += den;
    /* about the first replication's values: co-moments do not change with
     * a shift, and small shifted values keep their digits when the spread
     * is tiny beside the level */
    num -= a->kn;
    den -= a->kd;
    double k = (double)a->n, dn = num - a->mn, dd = den - a->md;
    a->mn += dn / k;
    a->md += dd / k;
    a->cnn += dn * (num - a->mn);
    a->cdd += dd * (den - a->md);
    a->cnd += dn * (den - a->md);
}

void sim_ratio_acc_result(const sim_ratio_acc *a, sim_ratio *out)
{
    double sy = a->num, sx = a->den;
    size_t m = a->n;
    *out = (sim_ratio){m, sy, sx, sx != 0 ? sy / sx : NAN, NAN, NAN};
    if (m < 2 || !(sx != 0))
        return;
    /* the residuals about the estimate from the co-moments: counts of
     * thousands over thousands of replications keep their digits */
    double r = out->ratio, off = (a->kn - r * a->kd) + (a->mn - r * a->md);
    double ss = a->cnn - 2 * r * a->cnd + r * r * a->cdd + (double)m * off * off;
    if (ss < 0)
        ss = 0;
    double dbar = sx / (double)m;
    out->se = sqrt(ss / ((double)m * (double)(m - 1))) / fabs(dbar);
    out->ci95 = sim_t975(m - 1) * out->se;
}

void sim_ratio_estimate(const double *num, const double *den, size_t n, sim_ratio *out)
{
    sim_ratio_acc a = {0};
    for (size_t i = 0; i < n; i++)
        sim_ratio_acc_add(&a, num[i], den[i]);
    sim_ratio_acc_result(&a, out);
}

void sim_ratio_paired_diff(const double *num_a, const double *den_a, const double *num_b,
                           const double *den_b, size_t n, sim_ratio_diff *out)
{
    double ya = 0, xa = 0, yb = 0, xb = 0;
    size_t m = 0;
#define PAIR_OK(i) (!isnan(num_a[i]) && !isnan(den_a[i]) && !isnan(num_b[i]) && !isnan(den_b[i]))
    for (size_t i = 0; i < n; i++)
        if (PAIR_OK(i)) {
            ya += num_a[i];
            xa += den_a[i];
            yb += num_b[i];
            xb += den_b[i];
            m++;
        }
    double ra = xa != 0 ? ya / xa : NAN, rb = xb != 0 ? yb / xb : NAN;
    *out = (sim_ratio_diff){m, ra, rb, ra - rb, NAN, NAN};
    if (m < 2 || isnan(out->diff))
        return;
    double abar = xa / (double)m, bbar = xb / (double)m, ss = 0;
    for (size_t i = 0; i < n; i++)
        if (PAIR_OK(i)) {
            double z = (num_a[i] - ra * den_a[i]) / abar - (num_b[i] - rb * den_b[i]) / bbar;
            ss += z * z;
        }
#undef PAIR_OK
    out->se = sqrt(ss / ((double)m * (double)(m - 1)));
    out->ci95 = sim_t975(m - 1) * out->se;
}
