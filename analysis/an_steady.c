#include "an_steady.h"
#include "sim_status.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TREND_LEVEL 0.999
#define TREND_MATERIAL 0.25

void an_steady_free(an_steady *s)
{
    if (!s)
        return;
    free(s->occupied);
    free(s->waiting);
    memset(s, 0, sizeof *s);
}

/* Growing: the interval of the slope above 0, and the rise over the series
 * at least one household and TREND_MATERIAL of the series' mean level. */
static int growing(const sim_trend *t, double mean)
{
    if (!(t->lo > 0))
        return 0;
    double rise = t->slope * (double)(t->n_obs - 1);
    return rise >= 1 && rise >= TREND_MATERIAL * fabs(mean);
}

/* Mean over replications of (mean of months [0, cut) - mean of [cut, n)),
 * *significant when its TREND_LEVEL interval excludes 0. */
static double early_difference(const double *rows, size_t reps, size_t n, size_t cut,
                               int *significant)
{
    double mean = 0, m2 = 0;
    for (size_t r = 0; r < reps; r++) {
        double a = 0, b = 0;
        for (size_t m = 0; m < n; m++)
            *(m < cut ? &a : &b) += rows[r * n + m];
        double x = a / (double)cut - b / (double)(n - cut), delta = x - mean;
        mean += delta / (double)(r + 1);
        m2 += delta * (x - mean);
    }
    *significant = 0;
    if (reps >= 2) {
        double se = sqrt(m2 / (double)(reps - 1) / (double)reps);
        double t = gsl_cdf_tdist_Pinv(0.5 + TREND_LEVEL / 2, (double)(reps - 1));
        *significant = fabs(mean) > t * se;
    }
    return mean;
}

/* The trend of rows[r][cut..n) over the replications. */
static void trend_after(const double *rows, size_t reps, size_t n, size_t cut, double *work,
                        sim_trend *out)
{
    size_t w = n - cut;
    for (size_t r = 0; r < reps; r++)
        memcpy(work + r * w, rows + r * n + cut, w * sizeof *work);
    sim_trend_across(work, reps, w, TREND_LEVEL, out);
}

static void find_cut(const double *mean, const double *rows, size_t reps, size_t n, an_cut *out)
{
    memset(out, 0, sizeof *out);
    sim_mser_find(mean, n, SIM_MSER_BATCH, &out->mser);
    size_t cut = out->mser.truncate;
    if (cut > 0 && cut < n)
        out->early = early_difference(rows, reps, n, cut, &out->significant);
}

int an_steady_from_results(an_steady *out, const rf_result *res, const unsigned char *done,
                           size_t n_reps)
{
    return an_steady_window(out, res, done, n_reps, 0);
}

int an_steady_verdict(an_steady *out, const rf_result *res, const unsigned char *done,
                      size_t n_reps)
{
    int rc = an_steady_window(out, res, done, n_reps, 0);
    free(out->occupied);
    free(out->waiting);
    out->occupied = out->waiting = NULL;
    return rc;
}

int an_steady_window(an_steady *out, const rf_result *res, const unsigned char *done,
                     size_t n_reps, size_t first_month)
{
    memset(out, 0, sizeof *out);
    size_t n = 0, months = RF_MONTHS_MAX;
    for (size_t r = 0; r < n_reps; r++)
        if (!done || done[r]) {
            n++;
            if ((size_t)res[r].n_months < months)
                months = (size_t)res[r].n_months;
        }
    if (n == 0 || months <= first_month)
        return SIM_OK;
    months -= first_month;
    out->n_reps = n;
    out->n_months = months;
    out->occupied = calloc(months, sizeof *out->occupied);
    out->waiting = calloc(months, sizeof *out->waiting);
    size_t cells = n * months;
    double *rows = malloc(4 * cells * sizeof *rows);
    if (!out->occupied || !out->waiting || !rows) {
        free(rows);
        an_steady_free(out);
        return SIM_ENOMEM;
    }
    double *rows_o = rows, *rows_w = rows + cells, *rows_r = rows + 2 * cells, *work = rows + 3 * cells;
    size_t i = 0;
    double mean_w = 0, mean_r = 0;
    for (size_t r = 0; r < n_reps; r++) {
        if (done && !done[r])
            continue;
        for (size_t m = 0; m < months; m++) {
            out->occupied[m] += res[r].monthly_occupied[first_month + m] / (double)n;
            out->waiting[m] += res[r].monthly_waiting[first_month + m] / (double)n;
            rows_o[i * months + m] = res[r].monthly_occupied[first_month + m];
            rows_w[i * months + m] = res[r].monthly_waiting[first_month + m];
            rows_r[i * months + m] = res[r].monthly_refused[first_month + m];
            mean_w += res[r].monthly_waiting[first_month + m];
            mean_r += res[r].monthly_refused[first_month + m];
        }
        i++;
    }
    mean_w /= (double)cells;
    mean_r /= (double)cells;
    find_cut(out->occupied, rows_o, n, months, &out->cut_occupied);
    find_cut(out->waiting, rows_w, n, months, &out->cut_waiting);
    const an_cut *cuts[2] = {&out->cut_occupied, &out->cut_waiting};
    out->settled = 1;
    for (int c = 0; c < 2; c++) {
        if (!cuts[c]->significant)
            continue;
        if (cuts[c]->mser.truncate > out->truncate_months)
            out->truncate_months = cuts[c]->mser.truncate;
        if (!cuts[c]->mser.ok)
            out->settled = 0;
    }
    out->transient_left = out->truncate_months > 0;
    /* The trend after the transient MSER-5 found, so that a rise from an
     * empty start is not taken for overload; the second half of the series
     * when MSER-5 finds no steady part (a series that grows without end
     * grows there too). */
    size_t cut = out->settled ? out->truncate_months : months / 2;
    if (months - cut >= 3) {
        trend_after(rows_w, n, months, cut, work, &out->trend_waiting);
        trend_after(rows_r, n, months, cut, work, &out->trend_refused);
        out->growing_waiting = growing(&out->trend_waiting, mean_w);
        out->growing_refused = growing(&out->trend_refused, mean_r);
        out->overloaded = out->growing_waiting || out->growing_refused;
    }
    free(rows);
    return SIM_OK;
}
