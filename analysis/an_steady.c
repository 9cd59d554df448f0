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

/* The verdicts from the rows (n replications x months, each series) of
 * the replications in order; rows is freed. */
static int steady_finish(an_steady *out, double *rows, size_t n, size_t months)
{
    size_t cells = n * months;
    out->n_reps = n;
    out->n_months = months;
    out->occupied = calloc(months, sizeof *out->occupied);
    out->waiting = calloc(months, sizeof *out->waiting);
    double *work = malloc((cells + 1) * sizeof *work);
    if (!out->occupied || !out->waiting || !work) {
        free(rows);
        free(work);
        an_steady_free(out);
        return SIM_ENOMEM;
    }
    double *rows_o = rows, *rows_w = rows + cells, *rows_r = rows + 2 * cells;
    double mean_w = 0, mean_r = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t m = 0; m < months; m++) {
            out->occupied[m] += rows_o[i * months + m] / (double)n;
            out->waiting[m] += rows_w[i * months + m] / (double)n;
            mean_w += rows_w[i * months + m];
            mean_r += rows_r[i * months + m];
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
    free(work);
    return SIM_OK;
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
    size_t cells = n * months;
    double *rows = malloc(3 * cells * sizeof *rows);
    if (!rows)
        return SIM_ENOMEM;
    size_t i = 0;
    for (size_t r = 0; r < n_reps; r++) {
        if (done && !done[r])
            continue;
        for (size_t m = 0; m < months; m++) {
            rows[i * months + m] = res[r].monthly_occupied[first_month + m];
            rows[cells + i * months + m] = res[r].monthly_waiting[first_month + m];
            rows[2 * cells + i * months + m] = res[r].monthly_refused[first_month + m];
        }
        i++;
    }
    return steady_finish(out, rows, n, months);
}

/* ------------------------------------------------------------ streaming -- */

/* Each replication's three series at a stride of the first one's months
 * (the months every replication has can only fall). */
struct an_steady_builder {
    double *rows;
    size_t cap, n, stride, months;
};

int an_steady_build_begin(an_steady_builder **out, size_t cap)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return SIM_ENOMEM;
    (*out)->cap = cap;
    return SIM_OK;
}

int an_steady_build_add(an_steady_builder *b, const rf_result *res, size_t res_stride,
                        const unsigned char *done, size_t n)
{
    for (size_t r = 0; r < n; r++) {
        if (done && !done[r])
            continue;
        const rf_result *x = (const rf_result *)((const unsigned char *)res + r * res_stride);
        size_t xm = x->n_months > 0 ? (size_t)x->n_months : 0;
        if (xm > RF_MONTHS_MAX)
            xm = RF_MONTHS_MAX;
        if (b->n == 0) {
            b->stride = b->months = xm;
            free(b->rows);
            b->rows = malloc((3 * b->cap * b->stride + 1) * sizeof *b->rows);
            if (!b->rows)
                return SIM_ENOMEM;
        }
        if (b->n == b->cap)
            return SIM_EINVAL;
        if (xm < b->months)
            b->months = xm;
        size_t k = xm < b->stride ? xm : b->stride, cs = b->cap * b->stride;
        double *o = b->rows + b->n * b->stride;
        for (size_t m = 0; m < k; m++) {
            o[m] = x->monthly_occupied[m];
            o[cs + m] = x->monthly_waiting[m];
            o[2 * cs + m] = x->monthly_refused[m];
        }
        b->n++;
    }
    return SIM_OK;
}

int an_steady_build_end(an_steady_builder *b, an_steady *out)
{
    memset(out, 0, sizeof *out);
    size_t n = b->n, months = b->months, stride = b->stride, cs = b->cap * b->stride;
    double *rows = b->rows;
    b->rows = NULL;
    an_steady_build_free(b);
    if (n == 0 || months == 0) {
        free(rows);
        return SIM_OK;
    }
    /* to steady_finish's layout: series after series, months apart (a move
     * towards the start, so in place) */
    size_t cells = n * months;
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < n; i++)
            memmove(rows + k * cells + i * months, rows + k * cs + i * stride,
                    months * sizeof *rows);
    return steady_finish(out, rows, n, months);
}

void an_steady_build_free(an_steady_builder *b)
{
    if (!b)
        return;
    free(b->rows);
    free(b);
}
