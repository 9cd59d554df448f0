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

/* The cuts whose tests can be asked for are known before the series are:
 * MSER-5 cuts at 5 d months, d up to half the batches, and the trend is
 * taken after the cut found (0 when none) or after half the series.  So
 * each replication's series add, at once, its part of every candidate's
 * statistics (a Welford accumulator each, in replication order: the same
 * bits as from every series held), and a point's replications need not be
 * kept: memory is a few doubles a candidate and month, whatever the
 * replications. */
#define N_CUT_SERIES 2         /* occupied, waiting: MSER-5 and the early difference */
#define N_TREND_SERIES 2       /* waiting, refused: the trends */

struct an_steady_builder {
    size_t cap, n, months, first_month;
    double *sum[N_CUT_SERIES]; /* months: each month summed over the replications; NULL until
                                  sized (by the window, else by the first record) */
    double tot_w, tot_r;       /* every month of every replication, waiting and refused */
    size_t n_early;            /* early candidates: cut = 5 (k + 1), k < n_early */
    sim_welford *early[N_CUT_SERIES];
    size_t change_month;       /* the first month whose units in service differ from the
                                  first's, in any replication (0: none) */
    size_t n_trend;            /* trend candidates: the cuts in tcut */
    size_t *tcut;
    sim_welford *trend[N_TREND_SERIES];
};

static size_t early_cut(size_t k) { return SIM_MSER_BATCH * (k + 1); }

/* What b owns (not b itself). */
static void builder_release(an_steady_builder *b)
{
    for (int c = 0; c < N_CUT_SERIES; c++) {
        free(b->sum[c]);
        free(b->early[c]);
    }
    for (int c = 0; c < N_TREND_SERIES; c++)
        free(b->trend[c]);
    free(b->tcut);
}

/* Room for series of `months` months. */
static int builder_size(an_steady_builder *b, size_t months)
{
    b->months = months;
    size_t half = months / SIM_MSER_BATCH / 2;
    b->n_early = half;
    b->n_trend = 0;
    b->tcut = malloc((half + 3) * sizeof *b->tcut);
    for (int c = 0; c < N_CUT_SERIES; c++) {
        b->sum[c] = calloc(months + 1, sizeof *b->sum[c]);
        b->early[c] = malloc((half + 1) * sizeof *b->early[c]);
        if (!b->sum[c] || !b->early[c])
            return SIM_ENOMEM;
        for (size_t k = 0; k < half; k++)
            sim_welford_reset(&b->early[c][k]);
    }
    if (!b->tcut)
        return SIM_ENOMEM;
    /* 0, every MSER cut, half the series; each once */
    for (size_t k = 0; k <= half + 1; k++) {
        size_t c = k == 0 ? 0 : k <= half ? early_cut(k - 1) : months / 2;
        int seen = 0;
        for (size_t j = 0; j < b->n_trend; j++)
            seen |= b->tcut[j] == c;
        if (!seen && months >= 3 && months - c >= 3)
            b->tcut[b->n_trend++] = c;
    }
    for (int c = 0; c < N_TREND_SERIES; c++) {
        b->trend[c] = malloc((b->n_trend + 1) * sizeof *b->trend[c]);
        if (!b->trend[c])
            return SIM_ENOMEM;
        for (size_t k = 0; k < b->n_trend; k++)
            sim_welford_reset(&b->trend[c][k]);
    }
    return SIM_OK;
}

/* Mean of months [0, cut) minus mean of [cut, n) of one replication's
 * series, each sum taken in month order. */
static double early_of(const double *y, size_t n, size_t cut)
{
    double a = 0, b = 0;
    for (size_t m = 0; m < n; m++)
        *(m < cut ? &a : &b) += y[m];
    return a / (double)cut - b / (double)(n - cut);
}

/* One replication's series (months values each, from its first month on). */
static void builder_put(an_steady_builder *b, const double *occ, const double *wait,
                        const double *ref)
{
    size_t n = b->months;
    const double *cut_s[N_CUT_SERIES] = {occ, wait}, *trend_s[N_TREND_SERIES] = {wait, ref};
    for (size_t m = 0; m < n; m++) {
        b->sum[0][m] += occ[m];
        b->sum[1][m] += wait[m];
        b->tot_w += wait[m];
        b->tot_r += ref[m];
    }
    for (int c = 0; c < N_CUT_SERIES; c++)
        for (size_t k = 0; k < b->n_early; k++)
            sim_welford_add(&b->early[c][k], early_of(cut_s[c], n, early_cut(k)));
    for (int c = 0; c < N_TREND_SERIES; c++)
        for (size_t k = 0; k < b->n_trend; k++) {
            double slope;
            if (sim_trend_slope(trend_s[c] + b->tcut[k], n - b->tcut[k], &slope))
                sim_welford_add(&b->trend[c][k], slope);
        }
    b->n++;
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

/* MSER-5 on a mean series, and whether the months it cuts differ from the
 * rest: the candidate's early differences over the replications, with a
 * TREND_LEVEL interval. */
static void find_cut(const double *mean, size_t n, const sim_welford *early, size_t n_early,
                     an_cut *out)
{
    memset(out, 0, sizeof *out);
    sim_mser_find(mean, n, SIM_MSER_BATCH, &out->mser);
    size_t cut = out->mser.truncate;
    if (!(cut > 0 && cut < n) || cut % SIM_MSER_BATCH || cut / SIM_MSER_BATCH > n_early)
        return;
    const sim_welford *w = &early[cut / SIM_MSER_BATCH - 1];
    size_t reps = (size_t)w->n;
    out->early = w->mean;
    if (reps >= 2) {
        double se = sqrt(w->m2 / (double)(reps - 1) / (double)reps);
        double t = gsl_cdf_tdist_Pinv(0.5 + TREND_LEVEL / 2, (double)(reps - 1));
        out->significant = fabs(w->mean) > t * se;
    }
}

static void trend_at(const an_steady_builder *b, int series, size_t cut, sim_trend *out)
{
    for (size_t k = 0; k < b->n_trend; k++)
        if (b->tcut[k] == cut) {
            sim_trend_finish(&b->trend[series][k], b->months - cut, TREND_LEVEL, out);
            return;
        }
}

static int builder_finish(an_steady_builder *b, an_steady *out)
{
    memset(out, 0, sizeof *out);
    size_t n = b->n, months = b->months;
    if (n == 0 || months == 0)
        return SIM_OK;
    out->n_reps = n;
    out->n_months = months;
    out->occupied = malloc(months * sizeof *out->occupied);
    out->waiting = malloc(months * sizeof *out->waiting);
    if (!out->occupied || !out->waiting) {
        an_steady_free(out);
        return SIM_ENOMEM;
    }
    for (size_t m = 0; m < months; m++) {
        out->occupied[m] = b->sum[0][m] / (double)n;
        out->waiting[m] = b->sum[1][m] / (double)n;
    }
    double cells = (double)n * (double)months;
    double mean_w = b->tot_w / cells, mean_r = b->tot_r / cells;
    find_cut(out->occupied, months, b->early[0], b->n_early, &out->cut_occupied);
    find_cut(out->waiting, months, b->early[1], b->n_early, &out->cut_waiting);
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
    /* Units that open or close move the occupancy by design: a cut that
     * reaches the change cannot tell a warm-up left over from it. */
    out->units_change_month = b->change_month;
    if (b->change_month && out->truncate_months >= b->change_month) {
        out->transient_left = 0;
        out->cut_hidden_by_change = 1;
    }
    /* The trend after the transient MSER-5 found, so that a rise from an
     * empty start is not taken for overload; the second half of the series
     * when MSER-5 finds no steady part (a series that grows without end
     * grows there too). */
    size_t cut = out->settled ? out->truncate_months : months / 2;
    if (months - cut >= 3) {
        trend_at(b, 0, cut, &out->trend_waiting);
        trend_at(b, 1, cut, &out->trend_refused);
        out->growing_waiting = growing(&out->trend_waiting, mean_w);
        out->growing_refused = growing(&out->trend_refused, mean_r);
        out->overloaded = out->growing_waiting || out->growing_refused;
    }
    return SIM_OK;
}

static int builder_add(an_steady_builder *b, const rf_result *x)
{
    size_t xm = x->n_months > 0 ? (size_t)x->n_months : 0;
    if (xm > RF_MONTHS_MAX)
        xm = RF_MONTHS_MAX;
    xm = xm > b->first_month ? xm - b->first_month : 0;
    if (b->n == b->cap)
        return SIM_EINVAL;
    if (!b->sum[0]) {
        int rc = builder_size(b, xm);
        if (rc != SIM_OK)
            return rc;
    }
    /* the months every replication has: a point's replications share them */
    if (xm < b->months)
        return SIM_EINVAL;
    /* a month's mean units in service is a mean over its days: equal counts
     * can differ in their last bits, a unit more for a day by 1/31 */
    const double *u = x->monthly_units + b->first_month;
    for (size_t m = 1; m < b->months && (!b->change_month || m < b->change_month); m++)
        if (fabs(u[m] - u[0]) > 1e-6 * fmax(1, fabs(u[0]))) {
            b->change_month = m;
            break;
        }
    double refused[RF_MONTHS_MAX];   /* counted as uint32: the tests take doubles */
    for (size_t m = 0; m < b->months; m++)
        refused[m] = x->monthly_refused[b->first_month + m];
    builder_put(b, x->monthly_occupied + b->first_month, x->monthly_waiting + b->first_month,
                refused);
    return SIM_OK;
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
    an_steady_builder b = {.cap = n, .first_month = first_month};
    int rc = builder_size(&b, months - first_month);
    for (size_t r = 0; r < n_reps && rc == SIM_OK; r++)
        if (!done || done[r])
            rc = builder_add(&b, &res[r]);
    if (rc == SIM_OK)
        rc = builder_finish(&b, out);
    builder_release(&b);
    return rc;
}

/* ------------------------------------------------------------ streaming -- */

int an_steady_build_begin(an_steady_builder **out, size_t cap)
{
    return an_steady_build_begin_window(out, cap, 0);
}

int an_steady_build_begin_window(an_steady_builder **out, size_t cap, size_t first_month)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return SIM_ENOMEM;
    (*out)->cap = cap;
    (*out)->first_month = first_month;
    return SIM_OK;
}

int an_steady_build_add(an_steady_builder *b, const rf_result *res, size_t res_stride,
                        const unsigned char *done, size_t n)
{
    for (size_t r = 0; r < n; r++) {
        if (done && !done[r])
            continue;
        int rc = builder_add(b, (const rf_result *)((const unsigned char *)res + r * res_stride));
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

int an_steady_build_end(an_steady_builder *b, an_steady *out)
{
    int rc = builder_finish(b, out);
    an_steady_build_free(b);
    return rc;
}

void an_steady_build_free(an_steady_builder *b)
{
    if (!b)
        return;
    builder_release(b);
    free(b);
}
