#include "study_floor.h"
#include "sim_status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The floor and its bound gathered a replication at a time, so that a
 * study's records can be read a block at a time (study_floor_points). */
typedef struct {
    int metric, kind;          /* kind: -1 lower bound, 1 upper, 0 none */
    size_t m, nm;
    double refs, by[RF_BLK_N], sy, sx;
    sim_ratio_acc share;
    double *parts;             /* nm numerators then nm denominators */
} floor_acc;

/* kind of bound the floor puts on metric (study_floor_bound). */
static int bound_kind(int metric)
{
    static const char *const lower[] = {"refused", "refused_of_eligible", "no_suitable_unit"};
    static const char *const upper[] = {"placed", "placed_immediately", "placed_within_7d",
                                        "placed_within_28d"};
    int kind = 0;
    for (size_t i = 0; i < sizeof lower / sizeof *lower; i++)
        if (metric == rf_metric_find(lower[i]))
            kind = -1;
    for (size_t i = 0; i < sizeof upper / sizeof *upper; i++)
        if (metric == rf_metric_find(upper[i]))
            kind = 1;
    return metric < 0 ? 0 : kind;
}

static int acc_begin(floor_acc *a, int metric)
{
    memset(a, 0, sizeof *a);
    a->metric = metric;
    a->kind = bound_kind(metric);
    a->nm = rf_metric_count();
    if (a->kind && !(a->parts = malloc(2 * a->nm * sizeof *a->parts)))
        return SIM_ENOMEM;
    return SIM_OK;
}

static void acc_add(floor_acc *a, const rf_result *r)
{
    sim_ratio_acc_add(&a->share, (double)r->outcomes[RF_OUT_NO_SUITABLE], (double)r->referrals);
    a->refs += (double)r->referrals;
    for (int b = 0; b < RF_BLK_N; b++)
        a->by[b] += (double)r->no_suitable[b];
    a->m++;
    if (!a->kind)
        return;
    rf_result_metric_parts(r, a->parts, a->parts + a->nm);
    double den = a->parts[a->nm + (size_t)a->metric];
    if (isnan(den))
        return;
    double none = (double)r->outcomes[RF_OUT_NO_SUITABLE];
    /* with referrals as the denominator the rest could all be placed */
    a->sy += a->kind < 0 ? none : den - none - (double)r->outcomes[RF_OUT_SCREENED_OUT];
    a->sx += den;
}

static void acc_add_strided(floor_acc *a, const rf_result *res, size_t stride,
                            const unsigned char *done, size_t n)
{
    for (size_t r = 0; r < n; r++)
        if (!done || done[r])
            acc_add(a, (const rf_result *)((const unsigned char *)res + r * stride));
}

static void acc_end(floor_acc *a, study_floor *out, double *bound)
{
    memset(out, 0, sizeof *out);
    out->reps = a->m;
    sim_ratio q;
    sim_ratio_acc_result(&a->share, &q);
    out->share = a->m ? q.ratio : NAN;
    out->ci95 = a->m ? q.ci95 : NAN;
    for (int b = 0; b < RF_BLK_N; b++)
        out->by[b] = a->refs > 0 ? a->by[b] / a->refs : NAN;
    if (bound)
        *bound = a->kind && a->sx > 0 ? a->sy / a->sx : NAN;
    free(a->parts);
    a->parts = NULL;
}

void study_floor_of(const rf_result *res, const unsigned char *done, size_t n, study_floor *out)
{
    floor_acc a;
    acc_begin(&a, -1);
    acc_add_strided(&a, res, sizeof *res, done, n);
    acc_end(&a, out, NULL);
}

int study_floor_bound(const rf_result *res, const unsigned char *done, size_t n, int metric,
                      double *bound)
{
    floor_acc a;
    study_floor f;
    *bound = NAN;
    if (acc_begin(&a, metric) != SIM_OK || !a.kind) {
        free(a.parts);
        return 0;
    }
    acc_add_strided(&a, res, sizeof *res, done, n);
    acc_end(&a, &f, bound);
    return 1;
}

/* The paired parts of the no-suitable share, four a replication. */
typedef struct {
    double *w;
    size_t m, cap;
} pairs;

static int pairs_add(pairs *p, const rf_result *a, const unsigned char *done_a, const rf_result *b,
                     const unsigned char *done_b, size_t stride, size_t n)
{
    if (p->m + n > p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256;
        while (cap < p->m + n)
            cap *= 2;
        double *w = realloc(p->w, 4 * cap * sizeof *w);
        if (!w)
            return SIM_ENOMEM;
        p->w = w;
        p->cap = cap;
    }
    for (size_t r = 0; r < n; r++) {
        if ((done_a && !done_a[r]) || (done_b && !done_b[r]))
            continue;
        const rf_result *x = (const rf_result *)((const unsigned char *)a + r * stride);
        const rf_result *y = (const rf_result *)((const unsigned char *)b + r * stride);
        double *w = p->w + 4 * p->m++;
        w[0] = (double)y->outcomes[RF_OUT_NO_SUITABLE];
        w[1] = (double)y->referrals;
        w[2] = (double)x->outcomes[RF_OUT_NO_SUITABLE];
        w[3] = (double)x->referrals;
    }
    return SIM_OK;
}

/* b - a from the gathered parts (frees them). */
static void pairs_end(pairs *p, sim_ratio_diff *out)
{
    memset(out, 0, sizeof *out);
    out->diff = out->ci95 = NAN;
    size_t m = p->m;
    double *cols = malloc((4 * m + 1) * sizeof *cols);
    if (cols) {      /* with no pair, what the estimator says of none */
        for (size_t r = 0; r < m; r++)
            for (int c = 0; c < 4; c++)
                cols[(size_t)c * m + r] = p->w[4 * r + (size_t)c];
        sim_ratio_paired_diff(cols, cols + m, cols + 2 * m, cols + 3 * m, m, out);
    }
    free(cols);
    free(p->w);
    p->w = NULL;
}

void study_floor_change(const rf_result *a, const unsigned char *done_a, const rf_result *b,
                        const unsigned char *done_b, size_t n, sim_ratio_diff *out)
{
    pairs p = {0};
    if (pairs_add(&p, a, done_a, b, done_b, sizeof *a, n) != SIM_OK)
        p.m = 0;
    pairs_end(&p, out);
}

int study_floor_holds(const study_floor *f, const sim_ratio_diff *change)
{
    if (!(f->share > 0))
        return 0;
    /* exactly no change (the same households, common random numbers) has
     * a zero-width interval */
    double half = isnan(change->ci95) ? 0 : change->ci95;
    return !(change->diff + half < 0);
}

/* ------------------------------------------------- a study's points -- */

static int floor_block(void *user, size_t first, size_t n, const rf_result *res, size_t stride,
                       const unsigned char *done)
{
    (void)first;
    acc_add_strided(user, res, stride, done, n);
    return SIM_OK;
}

static int pair_block(void *user, size_t first, size_t n, const rf_result *a,
                      const unsigned char *done_a, const rf_result *b, const unsigned char *done_b,
                      size_t stride)
{
    (void)first;
    return pairs_add(user, a, done_a, b, done_b, stride, n);
}

int study_floor_points(const study *s, size_t base, size_t hi, int metric, study_floor_report *out)
{
    memset(out, 0, sizeof *out);
    floor_acc a;
    int rc = acc_begin(&a, metric);
    if (rc == SIM_OK)
        rc = study_each_block(s, hi, floor_block, &a);
    acc_end(&a, &out->floor, &out->bound);
    out->bounded = a.kind != 0;
    if (rc != SIM_OK)
        return rc;
    size_t nh = study_have(s, hi), nb = study_have(s, base);
    pairs p = {0};
    rc = study_each_pair(s, base, hi, nh < nb ? nh : nb, pair_block, &p);
    if (rc != SIM_OK)
        p.m = 0;
    pairs_end(&p, &out->change);
    return rc;
}
