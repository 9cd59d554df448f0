#include "an_summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sim_status.h"
#include "sim_text.h"
#include "rf_network.h"
#include "an_network_view.h"

#define DAYS_PER_YEAR 365.0
#define METRIC_PARTS_MAX 64      /* room for one record's metric parts, not kept */

static void copy_str(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static void free_years(an_years *Y)
{
    if (!Y)
        return;
    free(Y->num);
    free(Y->den);
    free(Y->days);
    free(Y->acc);
    free(Y);
}

void an_point_summary_free(an_point_summary *ps)
{
    if (!ps)
        return;
    free(ps->metrics);
    free(ps->svc_pool);
    free(ps->grp_pool);
    free(ps->num);
    free(ps->den);
    free(ps->reps);
    free(ps->metric_pool);
    free_years(ps->years);
    free(ps->area_names);
    free(ps->areas);
    free(ps->flows);
    rf_flow_layout_free(&ps->flow_layout);
    memset(ps, 0, sizeof *ps);
}

const an_metric_summary *an_point_summary_find(const an_point_summary *ps, const char *name)
{
    for (size_t i = 0; i < ps->n_metrics; i++)
        if (!strcmp(ps->metrics[i].name, name))
            return &ps->metrics[i];
    return NULL;
}

/* The estimate of one metric from its pooled parts and its values. */
static void metric_estimate(an_metric_summary *ms, const sim_ratio_acc *pool, const double *vals,
                            size_t n, int pooled, double *work)
{
    sim_summarize(vals, n, work, &ms->s);
    ms->rep_mean = ms->s.mean;
    sim_ratio e;
    sim_ratio_acc_result(pool, &e);
    ms->pooled = pooled;
    ms->s.n = e.n;
    ms->s.mean = e.ratio;
    ms->s.ci95 = e.ci95;
    ms->se = e.se;
    ms->total_num = e.num;
    ms->total_den = e.den;
}

/* The allocation of a summary of up to cap replications, its names and
 * labels; *vals receives nm x cap doubles (metric by metric, so each
 * metric's values sort in place) for the per-replication values and 2 cap
 * of work. */
static int summary_alloc(an_point_summary *out, const char *label, const rf_params *p, int ns,
                         size_t cap, double **vals, int parts)
{
    memset(out, 0, sizeof *out);
    size_t nm = rf_metric_count();
    *vals = malloc((nm * cap + 2 * cap + 1) * sizeof **vals);
    out->metrics = calloc(nm ? nm : 1, sizeof *out->metrics);
    out->metric_pool = calloc(nm ? nm : 1, sizeof *out->metric_pool);
    if (parts) {
        out->num = malloc((cap * nm + 1) * sizeof *out->num);
        out->den = malloc((cap * nm + 1) * sizeof *out->den);
    }
    out->reps = malloc((cap + 1) * sizeof *out->reps);
    if (!*vals || !out->metrics || !out->metric_pool || (parts && (!out->num || !out->den))
        || !out->reps || nm > METRIC_PARTS_MAX) {
        free(*vals);
        *vals = NULL;
        an_point_summary_free(out);
        return SIM_ENOMEM;
    }
    if (label)
        copy_str(out->label, sizeof out->label, label);
    else {
        int units = p ? rf_params_total_units(p) : 0;
        snprintf(out->label, sizeof out->label, "%d space%s", units, units == 1 ? "" : "s");
    }
    out->horizon_days = p ? p->horizon : NAN;
    out->n_metrics = nm;
    out->n_services = ns;
    for (int s = 0; s < ns; s++) {
        if (p)
            copy_str(out->service_names[s], RF_NAME_MAX, p->services[s].name);
        else
            snprintf(out->service_names[s], RF_NAME_MAX, "service_%d", s);
    }
    return SIM_OK;
}

static void service_parts(const an_point_summary *ps, const rf_service_result *sr,
                          an_service_measure m, double *num, double *den);
static void group_parts(const an_point_summary *ps, const rf_group_result *g, an_group_measure m,
                        double *num, double *den);

int an_point_summary_pool(an_point_summary *ps, const rf_service_result *svc,
                          const rf_group_result *grp)
{
    size_t ns = (size_t)ps->n_services;
    if (!ps->svc_pool)
        ps->svc_pool = calloc(ns * AN_SVC_POOLS + 1, sizeof *ps->svc_pool);
    if (!ps->grp_pool)
        ps->grp_pool = calloc((size_t)RF_G_N * AN_GRP_N, sizeof *ps->grp_pool);
    if (!ps->svc_pool || !ps->grp_pool)
        return SIM_ENOMEM;
    double num, den, year = ps->horizon_days > 0 ? DAYS_PER_YEAR / ps->horizon_days : NAN;
    for (size_t s = 0; s < ns; s++) {
        sim_ratio_acc *a = &ps->svc_pool[s * AN_SVC_POOLS];
        if (!ps->n_pooled)
            ps->service_units[s] = svc[s].units;
        for (int m = 0; m < AN_SVC_N; m++) {
            service_parts(ps, &svc[s], (an_service_measure)m, &num, &den);
            sim_ratio_acc_add(&a[m], num, den);
        }
        sim_ratio_acc_add(&a[AN_SVC_N], svc[s].cost * year, 1);
        ps->any_cost |= svc[s].cost != 0;
    }
    for (size_t g = 0; g < RF_G_N; g++)
        for (int m = 0; m < AN_GRP_N; m++) {
            group_parts(ps, &grp[g], (an_group_measure)m, &num, &den);
            sim_ratio_acc_add(&ps->grp_pool[g * AN_GRP_N + (size_t)m], num, den);
        }
    ps->n_pooled++;
    return SIM_OK;
}

/* Replication slot d (the next one kept) from record x. */
static int summary_put(an_point_summary *out, double *vals, size_t cap, size_t d,
                       const rf_result *x)
{
    size_t nm = out->n_metrics;
    double own[3][METRIC_PARTS_MAX];
    double *num = out->num ? &out->num[d * nm] : own[0], *den = out->num ? &out->den[d * nm] : own[1];
    rf_result_metrics(x, own[2]);
    rf_result_metric_parts(x, num, den);
    for (size_t m = 0; m < nm; m++) {
        vals[m * cap + d] = own[2][m];     /* metric by metric: no copy to sort them */
        sim_ratio_acc_add(&out->metric_pool[m], num[m], den[m]);
    }
    out->reps[d] = x->rep;
    return an_point_summary_pool(out, x->services, x->groups);
}

/* The estimates over the nd slots filled; vals (summary_alloc's, cap
 * slots) is freed. */
static int summary_finish(an_point_summary *out, double *vals, size_t cap, size_t nd)
{
    size_t nm = out->n_metrics;
    out->n_reps = nd;
    /* work needs 2 nd doubles: summary_alloc's 2 cap after the values */
    double *work = vals + nm * cap;
    for (size_t m = 0; m < nm; m++) {
        const rf_metric_info *mi = rf_metric_at(m);
        an_metric_summary *ms = &out->metrics[m];
        copy_str(ms->name, sizeof ms->name, mi->name);
        copy_str(ms->units, sizeof ms->units, mi->units);
        copy_str(ms->description, sizeof ms->description, mi->description);
        metric_estimate(ms, &out->metric_pool[m], &vals[m * cap], nd, mi->denominator != NULL,
                        work);
    }
    free(vals);
    return SIM_OK;
}

int an_point_summary_from_results(an_point_summary *out, const char *label, const rf_params *p,
                                  const rf_result *res, const unsigned char *done, size_t n_reps)
{
    memset(out, 0, sizeof *out);
    size_t nd = 0;
    for (size_t r = 0; r < n_reps; r++)
        nd += !done || done[r];
    int ns = p ? p->n_services : 0;
    for (size_t r = 0; r < n_reps && !p; r++)
        if (!done || done[r])
            ns = res[r].n_services;
    if (ns < 0 || ns > RF_MAX_SERVICES)
        return SIM_EINVAL;
    double *vals;
    int rc = summary_alloc(out, label, p, ns, nd, &vals, 1);
    if (rc != SIM_OK)
        return rc;
    size_t d = 0;
    for (size_t r = 0; r < n_reps && rc == SIM_OK; r++)
        if (!done || done[r])
            rc = summary_put(out, vals, nd, d++, &res[r]);
    if (rc != SIM_OK) {
        free(vals);
        an_point_summary_free(out);
        return rc;
    }
    return summary_finish(out, vals, nd, nd);
}

static int metric_index(const an_point_summary *ps, const char *name)
{
    for (size_t i = 0; i < ps->n_metrics; i++)
        if (!strcmp(ps->metrics[i].name, name))
            return (int)i;
    return -1;
}

/* Where metric m's numerators (num) or denominators of year y (< 0: the
 * whole horizon) are, replication i at base[i * stride]. */
static const double *parts_of(const an_point_summary *ps, int y, int m, int num, size_t *stride)
{
    if (y < 0) {
        *stride = ps->n_metrics;
        return (num ? ps->num : ps->den) + m;
    }
    const an_years *Y = ps->years;
    *stride = Y->n_years * Y->n_metrics;
    return (num ? Y->num : Y->den) + (size_t)y * Y->n_metrics + (size_t)m;
}

/* The per-replication parts of metric `name` of a and b over the whole
 * horizon (y < 0) or in year y, paired by replication number: *w (malloc'd)
 * holds num_a, den_a, num_b, den_b, each n long, of which *k pairs are
 * filled; with per_year the numerators alone, scaled to a year (den 1). */
static int pair_parts(const an_point_summary *a, const an_point_summary *b, const char *name,
                      int per_year, int y, double **w_out, size_t *n_out, size_t *k_out)
{
    int ia = metric_index(a, name), ib = metric_index(b, name);
    *w_out = NULL;
    if (ia < 0 || ib < 0 || !a->num || !b->num || !a->reps || !b->reps)
        return SIM_ENOTFOUND;
    if (y >= 0 && (!a->years || !b->years || !a->years->num || !b->years->num
                   || (size_t)y >= a->years->n_years || (size_t)y >= b->years->n_years))
        return SIM_ENOTFOUND;
    double la = y < 0 ? a->horizon_days : a->years->days[y];
    double lb = y < 0 ? b->horizon_days : b->years->days[y];
    double ka = per_year && la > 0 ? DAYS_PER_YEAR / la : NAN;
    double kb = per_year && lb > 0 ? DAYS_PER_YEAR / lb : NAN;
    size_t sa, sb;
    const double *na = parts_of(a, y, ia, 1, &sa), *da = parts_of(a, y, ia, 0, &sa);
    const double *nb = parts_of(b, y, ib, 1, &sb), *db = parts_of(b, y, ib, 0, &sb);
    size_t n = a->n_reps < b->n_reps ? a->n_reps : b->n_reps;
    double *w = malloc((4 * n + 1) * sizeof *w);
    if (!w)
        return SIM_ENOMEM;
    /* both lists are in replication order: pair equal replication numbers */
    size_t k = 0;
    for (size_t i = 0, j = 0; i < a->n_reps && j < b->n_reps;) {
        if (a->reps[i] < b->reps[j]) {
            i++;
        } else if (a->reps[i] > b->reps[j]) {
            j++;
        } else {
            w[k] = per_year ? ka * na[i * sa] : na[i * sa];
            w[n + k] = per_year ? 1 : da[i * sa];
            w[2 * n + k] = per_year ? kb * nb[j * sb] : nb[j * sb];
            w[3 * n + k] = per_year ? 1 : db[j * sb];
            k++;
            i++;
            j++;
        }
    }
    *w_out = w;
    *n_out = n;
    *k_out = k;
    return SIM_OK;
}

/* The paired difference a - b of metric `name` over the whole horizon (y <
 * 0) or in year y; with per_year the numerators alone, scaled to a year
 * (den 1: the paired mean of the per-replication differences). */
static int paired(const an_point_summary *a, const an_point_summary *b, const char *name,
                  int per_year, int y, sim_ratio_diff *out)
{
    double *w;
    size_t n, k;
    memset(out, 0, sizeof *out);
    int rc = pair_parts(a, b, name, per_year, y, &w, &n, &k);
    if (rc != SIM_OK)
        return rc;
    sim_ratio_paired_diff(w, w + n, w + 2 * n, w + 3 * n, k, out);
    free(w);
    return SIM_OK;
}

/* The extra cost per extra household accommodated, alternative a against
 * baseline b: the ratio of the summed per-replication differences in cost
 * and in households placed, sum(dc_i) / sum(dp_i), with the delta method's
 * interval (sim_ratio_estimate of dc over dp: e_i = dc_i - R dp_i). */
static int extra_cost_per_household(const an_point_summary *a, const an_point_summary *b,
                                    sim_ratio *out)
{
    double *wc, *wp;
    size_t n, k, n2, k2;
    memset(out, 0, sizeof *out);
    int rc = pair_parts(a, b, "cost_per_year", 0, -1, &wc, &n, &k);
    if (rc != SIM_OK)
        return rc;
    if ((rc = pair_parts(a, b, "placed", 0, -1, &wp, &n2, &k2)) != SIM_OK) {
        free(wc);
        return rc;
    }
    /* the same replications pair in both: reuse wc's first half for dc, dp */
    for (size_t i = 0; i < k && i < k2; i++) {
        wc[i] = wc[i] - wc[2 * n + i];
        wc[n + i] = wp[i] - wp[2 * n2 + i];
    }
    sim_ratio_estimate(wc, wc + n, k < k2 ? k : k2, out);
    free(wc);
    free(wp);
    return SIM_OK;
}

int an_point_summary_paired_diff(const an_point_summary *a, const an_point_summary *b,
                                 const char *name, sim_ratio_diff *out)
{
    return paired(a, b, name, 0, -1, out);
}

/* Each measure of a service or group as a numerator and a denominator in
 * one replication (denominator 1: a mean over replications). */
static void service_parts(const an_point_summary *ps, const rf_service_result *sr,
                          an_service_measure m, double *num, double *den)
{
    /* in service (opens / closes); files and records without it: units x horizon */
    double cap = sr->unit_days > 0 ? sr->unit_days : (double)sr->units * ps->horizon_days;
    *den = cap;
    switch (m) {
    case AN_SVC_PLACEMENTS_PER_YEAR:
        *num = (double)sr->placements * DAYS_PER_YEAR / ps->horizon_days;
        *den = ps->horizon_days > 0 ? 1 : NAN;
        break;
    case AN_SVC_OCCUPANCY: *num = sr->occupied_days; break;
    case AN_SVC_BLOCKED: *num = sr->blocked_days; break;
    case AN_SVC_DOWNTIME: *num = sr->down_days; break;
    case AN_SVC_TIMELY_MOVE_ON:
        *num = (double)sr->timely_move_ons;
        *den = (double)sr->move_ons;
        break;
    default: *num = *den = NAN; break;
    }
}

static void group_parts(const an_point_summary *ps, const rf_group_result *g, an_group_measure m,
                        double *num, double *den)
{
    double n = (double)g->referrals;
    const uint64_t *o = g->outcomes;
    double placed = (double)(o[RF_OUT_PLACED_IMMEDIATELY] + o[RF_OUT_PLACED_AFTER_WAIT]);
    *den = n;
    switch (m) {
    case AN_GRP_REFERRALS_PER_YEAR:
        *num = n * DAYS_PER_YEAR / ps->horizon_days;
        *den = ps->horizon_days > 0 ? 1 : NAN;
        break;
    case AN_GRP_PLACED: *num = placed; break;
    case AN_GRP_REFUSED: *num = (double)o[RF_OUT_REFUSED_NO_SPACE]; break;
    case AN_GRP_NO_SUITABLE: *num = (double)o[RF_OUT_NO_SUITABLE]; break;
    case AN_GRP_ABANDONED: *num = (double)o[RF_OUT_ABANDONED]; break;
    case AN_GRP_WITHIN_28D: *num = (double)g->placed_within_28d; break;
    case AN_GRP_NOT_ACCOMMODATED:
        *num = (double)(o[RF_OUT_REFUSED_NO_SPACE] + o[RF_OUT_NO_SUITABLE] + o[RF_OUT_ABANDONED]);
        *den = n - (double)o[RF_OUT_SCREENED_OUT];
        break;
    case AN_GRP_WAIT_MEAN:
        *num = g->wait_sum;
        *den = placed;
        break;
    case AN_GRP_WAIT_ALL:
        *num = g->waited_sum;
        *den = (double)g->waited;
        break;
    default: *num = *den = NAN; break;
    }
}

void an_area_parts(const an_point_summary *ps, size_t r, int a, an_area_measure m, double *num,
                   double *den)
{
    rf_area_result x = {0};
    uint64_t away = 0;
    int na = ps->n_areas;
    const rf_flow_layout *l = &ps->flow_layout;
    const uint32_t *fl = &ps->flows[r * l->n_cells];
    for (int k = a >= 0 ? a : 0; k < (a >= 0 ? a + 1 : na); k++) {
        const rf_area_result *y = &ps->areas[r * (size_t)na + (size_t)k];
        x.referrals += y->referrals;
        for (int o = 0; o < RF_OUT_N; o++)
            x.outcomes[o] += y->outcomes[o];
        x.placed_in += y->placed_in;
        x.placed_in_from_elsewhere += y->placed_in_from_elsewhere;
        x.units += y->units;
        x.occupied_days += y->occupied_days;
        x.unit_days += y->unit_days;
        for (size_t c = l->row[k]; c < l->row[k + 1]; c++)
            away += l->dest[c] != k ? fl[c] : 0;
    }
    const uint32_t *o = x.outcomes;
    double placed = (double)o[RF_OUT_PLACED_IMMEDIATELY] + o[RF_OUT_PLACED_AFTER_WAIT];
    double per_year = ps->horizon_days > 0 ? DAYS_PER_YEAR / ps->horizon_days : NAN;
    *den = (double)x.referrals;
    switch (m) {
    case AN_AREA_REFERRALS_PER_YEAR: *num = x.referrals * per_year; *den = 1; break;
    case AN_AREA_PLACED: *num = placed; break;
    case AN_AREA_REFUSED: *num = o[RF_OUT_REFUSED_NO_SPACE]; break;
    case AN_AREA_NO_SUITABLE: *num = o[RF_OUT_NO_SUITABLE]; break;
    case AN_AREA_DECLINED: *num = o[RF_OUT_DECLINED]; break;
    case AN_AREA_NOT_ACCOMMODATED:
        *num = (double)o[RF_OUT_REFUSED_NO_SPACE] + o[RF_OUT_NO_SUITABLE] + o[RF_OUT_ABANDONED]
               + o[RF_OUT_DECLINED];
        break;
    case AN_AREA_PLACED_AWAY: *num = (double)away; *den = placed; break;
    case AN_AREA_UNITS: *num = x.unit_days / ps->horizon_days; *den = 1; break;
    case AN_AREA_PLACEMENTS_IN: *num = x.placed_in * per_year; *den = 1; break;
    case AN_AREA_FROM_ELSEWHERE: *num = x.placed_in_from_elsewhere; *den = x.placed_in; break;
    case AN_AREA_OCCUPANCY: *num = x.occupied_days; *den = x.unit_days; break;
    default: *num = *den = NAN; break;
    }
}

/* A pooled measure as a summary: n, mean and ci95 (the spread NaN). */
static void from_pool(const sim_ratio_acc *a, sim_summary *out)
{
    sim_ratio e;
    sim_summarize(NULL, 0, NULL, out);
    if (!a)
        return;
    sim_ratio_acc_result(a, &e);
    out->n = e.n;
    out->mean = e.ratio;
    out->ci95 = e.ci95;
}

/* Pool one measure over the replications; the buffers are small (reps).
 * which: 2 area (idx -1: every area), 3 flow (idx origin x n_areas +
 * destination). */
static void summarize_reps(const an_point_summary *ps, int which, int idx, int m, sim_summary *out)
{
    size_t n = ps->n_reps;
    double *x = calloc(3 * n + 1, sizeof *x);
    if (!x) {
        sim_summarize(NULL, 0, NULL, out);
        return;
    }
    for (size_t r = 0; r < n; r++) {
        if (which == 3) {
            x[r] = an_flow_at(ps, r, idx / ps->n_areas, idx % ps->n_areas)
                   * (DAYS_PER_YEAR / ps->horizon_days);
            x[n + r] = 1;
        } else
            an_area_parts(ps, r, idx, (an_area_measure)m, &x[r], &x[n + r]);
    }
    sim_ratio e;
    sim_ratio_estimate(x, x + n, n, &e);
    for (size_t r = 0; r < n; r++)
        x[2 * n + r] = x[n + r] > 0 ? x[r] / x[n + r] : NAN;
    sim_summarize(x + 2 * n, n, x, out);   /* the spread of the per-replication values */
    out->n = e.n;
    out->mean = e.ratio;
    out->ci95 = e.ci95;
    free(x);
}

uint32_t an_flow_at(const an_point_summary *ps, size_t r, int origin, int destination)
{
    long c = rf_flow_cell(&ps->flow_layout, origin, destination);
    return c < 0 || r >= ps->n_reps ? 0 : ps->flows[r * ps->flow_layout.n_cells + (size_t)c];
}

/* A network's areas and flows for up to cap replication slots. */
static int network_alloc(an_point_summary *ps, const rf_params *p, size_t stride, size_t cap)
{
    int na = p->n_areas;
    rf_flow_layout l;
    int rc = rf_net_flow_layout(p, &l);
    if (rc)
        return rc;
    if (stride < rf_net_record_size(&l)) {
        rf_flow_layout_free(&l);
        return SIM_EINVAL;
    }
    ps->area_names = calloc((size_t)na, sizeof *ps->area_names);
    ps->areas = calloc(cap * (size_t)na + 1, sizeof *ps->areas);
    ps->flows = calloc(cap * l.n_cells + 1, sizeof *ps->flows);
    ps->flow_layout = l;
    if (!ps->area_names || !ps->areas || !ps->flows) {
        free(ps->area_names);
        free(ps->areas);
        free(ps->flows);
        rf_flow_layout_free(&ps->flow_layout);
        ps->area_names = NULL;
        ps->areas = NULL;
        ps->flows = NULL;
        return SIM_ENOMEM;
    }
    ps->n_areas = na;
    for (int a = 0; a < na; a++)
        copy_str(ps->area_names[a], RF_NAME_MAX, p->area_names[a]);
    return SIM_OK;
}

static void network_put(an_point_summary *ps, size_t d, const void *rec)
{
    size_t na = (size_t)ps->n_areas, nc = ps->flow_layout.n_cells;
    memcpy(&ps->areas[d * na], rf_net_record_areas_c(rec), na * sizeof *ps->areas);
    memcpy(&ps->flows[d * nc], rf_net_record_flows_c(rec, &ps->flow_layout), nc * sizeof *ps->flows);
}

int an_point_summary_add_network(an_point_summary *ps, const rf_params *p, const void *net,
                                 size_t stride, const unsigned char *done, size_t n_reps)
{
    if (!p || !p->net.on || !net)
        return SIM_OK;
    size_t nd = ps->n_reps;
    int rc = network_alloc(ps, p, stride, nd);
    if (rc)
        return rc;
    size_t d = 0;
    for (size_t r = 0; r < n_reps && d < nd; r++)
        if (!done || done[r])
            network_put(ps, d++, (const unsigned char *)net + r * stride);
    return SIM_OK;
}

void an_service_summary(const an_point_summary *ps, int service, an_service_measure m,
                        sim_summary *out)
{
    if (service < 0 || service >= ps->n_services) {
        sim_summarize(NULL, 0, NULL, out);
        return;
    }
    from_pool(ps->svc_pool ? &ps->svc_pool[(size_t)service * AN_SVC_POOLS + (size_t)m] : NULL, out);
}

void an_group_summary(const an_point_summary *ps, int group, an_group_measure m, sim_summary *out)
{
    if (group < 0 || group >= RF_G_N) {
        sim_summarize(NULL, 0, NULL, out);
        return;
    }
    from_pool(ps->grp_pool ? &ps->grp_pool[(size_t)group * AN_GRP_N + (size_t)m] : NULL, out);
}

void an_area_summary(const an_point_summary *ps, int area, an_area_measure m, sim_summary *out)
{
    if (area < -1 || area >= ps->n_areas || ps->n_areas == 0) {
        sim_summarize(NULL, 0, NULL, out);
        return;
    }
    summarize_reps(ps, 2, area, (int)m, out);
}

void an_flow_summary(const an_point_summary *ps, int origin, int destination, sim_summary *out)
{
    if (origin < 0 || destination < 0 || origin >= ps->n_areas || destination >= ps->n_areas) {
        sim_summarize(NULL, 0, NULL, out);
        return;
    }
    summarize_reps(ps, 3, origin * ps->n_areas + destination, 0, out);
}

static int decimals_for(double v)
{
    double a = fabs(v);
    return a >= 100 ? 0 : a >= 10 ? 1 : 2;
}

int an_range_decimals(double lo, double hi, int most)
{
    if (!(hi > lo))
        return 0;
    for (int d = 0; d < most; d++) {
        char a[64], b[64];
        snprintf(a, sizeof a, "%.*f", d, lo);
        snprintf(b, sizeof b, "%.*f", d, hi);
        if (strcmp(a, b))
            return d;
    }
    return most;
}

void an_format_cell(char *buf, size_t size, const sim_summary *s, int percent)
{
    if (isnan(s->mean)) {
        snprintf(buf, size, "-");
        return;
    }
    double k = percent ? 100.0 : 1.0;
    int dec = percent ? 1 : decimals_for(s->mean);
    const char *pc = percent ? "%" : "";
    if (isnan(s->ci95))
        snprintf(buf, size, "%.*f%s", dec, k * s->mean, pc);
    else
        snprintf(buf, size, "%.*f%s ± %.*f", dec, k * s->mean, pc, dec, k * s->ci95);
}

/* ---- a small text table: cells are strings, column 0 left-aligned ---- */

#define CELL_MAX 64

void an_metric_heading(char *buf, size_t size, const char *name, int with_percent)
{
    const char *unit = rf_metric_unit_label(name);
    if (!*unit || (!with_percent && !strcmp(unit, "%")))
        snprintf(buf, size, "%s", rf_metric_label(name));
    else
        snprintf(buf, size, "%s (%s)", rf_metric_label(name), unit);
}

/* Cells hold CELL_MAX bytes; a label (an alternative's, a point's) may be
 * longer and is put whole (tt_put), never cut to a cell, and shown on
 * several lines when long (tt_wrap). */
typedef struct {
    size_t rows, cols;
    char (*cell)[CELL_MAX];
    char **wide;               /* NULL, or per cell NULL or its longer text (owned) */
    unsigned char *label;      /* NULL, or per cell 1 where tt_put put a label */
} text_table;

static int tt_init(text_table *t, size_t rows, size_t cols)
{
    t->rows = rows;
    t->cols = cols;
    t->wide = NULL;
    t->label = NULL;
    t->cell = calloc(rows * cols + 1, sizeof *t->cell);
    return t->cell ? 0 : -1;
}

static char *tt_at(text_table *t, size_t r, size_t c)
{
    return t->cell[r * t->cols + c];
}

/* What cell (r, c) shows: its long text when it has one. */
static const char *tt_text(const text_table *t, size_t r, size_t c)
{
    size_t i = r * t->cols + c;
    return t->wide && t->wide[i] ? t->wide[i] : t->cell[i];
}

/* Put label s whole into cell (r, c), however long; one that fits a cell
 * goes there as any other. */
static void tt_put(text_table *t, size_t r, size_t c, const char *s)
{
    size_t i = r * t->cols + c, n = strlen(s ? s : "");
    if (!t->label)
        t->label = calloc(t->rows * t->cols + 1, 1);
    if (t->label)
        t->label[i] = 1;
    if (n < CELL_MAX) {
        snprintf(t->cell[i], CELL_MAX, "%s", s ? s : "");
        return;
    }
    if (!t->wide && !(t->wide = calloc(t->rows * t->cols + 1, sizeof *t->wide))) {
        snprintf(t->cell[i], CELL_MAX, "%.*s...", CELL_MAX - 4, s); /* out of memory: shown cut */
        return;
    }
    free(t->wide[i]);
    if (!(t->wide[i] = malloc(n + 1)))
        snprintf(t->cell[i], CELL_MAX, "%.*s...", CELL_MAX - 4, s);
    else
        memcpy(t->wide[i], s, n + 1);
}

static void tt_free(text_table *t)
{
    for (size_t i = 0; t->wide && i < t->rows * t->cols; i++)
        free(t->wide[i]);
    free(t->wide);
    free(t->label);
    free(t->cell);
    t->wide = NULL;
    t->label = NULL;
    t->cell = NULL;
}

/* Display width: UTF-8 continuation bytes take no column ("±" is one). */
static size_t disp_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static size_t disp_width_n(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n && s[i]; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* A label wider than this is shown on several lines of at most this many
 * columns, so that a table of long labels stays readable (side by side,
 * six points of 255 characters were 1500 columns wide); other cells are
 * never wrapped. */
#define TT_WRAP 40
#define TT_MAX_LINES (AN_LABEL_SHOWN / 8)

typedef struct {
    size_t off, len;           /* a line of a cell: bytes [off, off + len) of its text */
} tt_line;

/* The lines of s: all of it when it fits TT_WRAP columns, else broken
 * after the last "," within TT_WRAP columns, else at the last space
 * (anywhere, at a character boundary, when there is neither), the space
 * at a break left out.  Returns how many (at most max). */
static size_t tt_wrap(const char *s, tt_line *out, size_t max)
{
    size_t n = 0, at = 0, len = strlen(s);
    while (n < max) {
        while (at < len && s[at] == ' ' && n)
            at++;                /* a continuation does not start with the break's space */
        size_t rest = len - at;
        if (disp_width(s + at) <= TT_WRAP || n + 1 == max) {
            out[n++] = (tt_line){at, rest};
            break;
        }
        size_t cut = 0, cols = 0, i = at, comma = 0, space = 0;
        for (; i < len; i++) {
            int lead = ((unsigned char)s[i] & 0xC0) != 0x80;
            if (lead && cols == TT_WRAP)
                break;
            cols += (size_t)lead;
            if (s[i] == ',')        /* a line ends after a comma, between the parts of a label */
                comma = i + 1 - at;
            else if (s[i] == ' ')   /* else at a space, inside a name */
                space = i + 1 - at;
        }
        if (comma && i < len && s[at + comma] == ' ')
            comma++;                /* ", ": the space goes with the break */
        cut = comma ? comma : space ? space : i - at;
        size_t keep = cut;
        while (keep && s[at + keep - 1] == ' ')
            keep--;               /* the line does not end in the break's space */
        out[n++] = (tt_line){at, keep ? keep : cut};
        at += cut;
    }
    return n;
}

static void tt_print(FILE *f, text_table *t)
{
    size_t cells = t->rows * t->cols;
    size_t *w = calloc(t->cols + 1, sizeof *w);
    char **shown = calloc(cells + 1, sizeof *shown);   /* escaped copies, where needed */
    tt_line *lines = malloc((t->cols + 1) * TT_MAX_LINES * sizeof *lines);
    size_t *nl = calloc(t->cols + 1, sizeof *nl);
    if (!w || !shown || !lines || !nl) {
        free(w);
        free(shown);
        free(lines);
        free(nl);
        tt_free(t);
        return;
    }
    /* labels and service names come from files: shown, never obeyed */
    for (size_t r = 0; r < t->rows; r++)
        for (size_t c = 0; c < t->cols; c++) {
            const char *cell = tt_text(t, r, c);
            size_t room = 4 * strlen(cell) + 8;       /* \xNN for every byte at most */
            if (sim_text_has_control(cell) && (shown[r * t->cols + c] = malloc(room)))
                sim_text_str(SIM_TEXT_TERM, cell, shown[r * t->cols + c], room);
        }
#define TEXT(r, c) (shown[(r) * t->cols + (c)] ? shown[(r) * t->cols + (c)] : tt_text(t, r, c))
#define WRAP(r, c, out)                                                                  \
    (t->label && t->label[(r) * t->cols + (c)] ? tt_wrap(TEXT(r, c), (out), TT_MAX_LINES) \
     : ((out)[0] = (tt_line){0, strlen(TEXT(r, c))}, (size_t)1))
    for (size_t r = 0; r < t->rows; r++)
        for (size_t c = 0; c < t->cols; c++) {
            size_t k = WRAP(r, c, lines);
            for (size_t l = 0; l < k; l++) {
                size_t dw = disp_width_n(TEXT(r, c) + lines[l].off, lines[l].len)
                            + (r && !c && l ? 2 : 0);
                if (dw > w[c])
                    w[c] = dw;
            }
        }
    /* one printed line: every column's width, its UTF-8 bytes (up to 4 a
     * column) and the gaps */
    size_t row_size = 16;
    for (size_t c = 0; c < t->cols; c++)
        row_size += 4 * w[c] + 2;
    char *row = malloc(row_size);
    for (size_t r = 0; row && r < t->rows; r++) {
        size_t height = 1;
        for (size_t c = 0; c < t->cols; c++) {
            nl[c] = WRAP(r, c, lines + c * TT_MAX_LINES);
            height = nl[c] > height ? nl[c] : height;
        }
        /* headings sit on the rule (their last lines together), a row's
         * cells on its first line, a long label's rest indented below */
        for (size_t y = 0; y < height; y++) {
            size_t at = 0;
            for (size_t c = 0; c < t->cols; c++) {
                size_t l = r == 0 ? y + nl[c] - height : y;   /* wraps when above the heading */
                const char *s = "";
                size_t len = 0, indent = r && !c && l ? 2 : 0;
                if (l < nl[c]) {
                    s = TEXT(r, c) + lines[c * TT_MAX_LINES + l].off;
                    len = lines[c * TT_MAX_LINES + l].len;
                } else {
                    indent = 0;
                }
                size_t pad = w[c] - disp_width_n(s, len) - indent;
                int n = c ? snprintf(row + at, row_size - at, "  %*s%.*s", (int)pad, "", (int)len, s)
                          : snprintf(row + at, row_size - at, "%*s%.*s%*s", (int)indent, "",
                                     (int)len, s, (int)pad, "");
                at = n < 0 || at + (size_t)n >= row_size ? row_size - 1 : at + (size_t)n;
            }
            while (height > 1 && at && row[at - 1] == ' ')
                at--;           /* a line of a wrapped label may end in blank cells */
            fprintf(f, "%.*s\n", (int)at, row);
        }
        if (r == 0) {
            size_t total = 0;
            for (size_t c = 0; c < t->cols; c++)
                total += w[c] + (c ? 2 : 0);
            for (size_t i = 0; i < total; i++)
                fputc('-', f);
            fputc('\n', f);
        }
    }
#undef WRAP
#undef TEXT
    free(row);
    for (size_t i = 0; i < cells; i++)
        free(shown[i]);
    free(shown);
    free(lines);
    free(nl);
    free(w);
    tt_free(t);
}

static void ci_note(FILE *f, const an_point_summary *pts, size_t n_pts)
{
    size_t min_reps = (size_t)-1;
    for (size_t i = 0; i < n_pts; i++)
        if (pts[i].n_reps < min_reps)
            min_reps = pts[i].n_reps;
    if (min_reps < 2)
        fprintf(f, "%zu replication%s: no confidence interval\n", min_reps, min_reps == 1 ? "" : "s");
    else if (n_pts)
        fprintf(f, "estimate ± 95%% confidence half-width over %zu replications%s; shares and "
                   "waits pooled (ratios of sums)\n", min_reps,
                n_pts > 1 ? " (fewest of any point)" : "");
}

/* The rows commissioners read first; their words come from the one table
 * of metric labels (rf_metric_label). */
static const char *const key_rows[] = {
    "referrals_per_year", "placed", "refused_no_space", "no_suitable_unit", "abandoned",
    "screened_out", "waiting_at_end", "declined_offer", /* networks only */
    "refused_of_eligible", "wait_mean", "wait_p90",
    "wait_all_mean", "waiting_mean", "occupancy", "downtime_share", "blocked_share",
    "timely_move_on", "cost_per_year", "cost_per_accommodated", /* with costs only */
};
#define N_KEY_ROWS (sizeof key_rows / sizeof key_rows[0])

static int is_share(const char *units)
{
    return !strcmp(units, "share");
}

/* Rows shown only where they mean something: declined offers in a network,
 * costs where the scenario has some. */
static int key_row_applies(const an_point_summary *ps, const char *metric)
{
    if (!strcmp(metric, "declined_offer"))
        return ps->n_areas > 0;
    if (!strncmp(metric, "cost_", 5)) {
        const an_metric_summary *c = an_point_summary_find(ps, "cost_per_year");
        return c && c->total_num > 0;
    }
    return 1;
}

/* "referrals_per_year" may be absent from the record: derive it from the
 * referral count and the horizon (a linear map, so the summary scales). */
static int key_row_summary(const an_point_summary *ps, const char *metric, sim_summary *s,
                           int *percent)
{
    if (!key_row_applies(ps, metric))
        return 0;
    const an_metric_summary *m = an_point_summary_find(ps, metric);
    if (m) {
        *s = m->s;
        *percent = is_share(m->units);
        return 1;
    }
    if (!strcmp(metric, "referrals_per_year") && (m = an_point_summary_find(ps, "referrals")) &&
        ps->horizon_days > 0) {
        double f = DAYS_PER_YEAR / ps->horizon_days;
        *s = m->s;
        s->mean *= f;
        s->sd *= f;
        s->ci95 *= f;
        s->p10 *= f;
        s->p50 *= f;
        s->p90 *= f;
        s->min *= f;
        s->max *= f;
        *percent = 0;
        return 1;
    }
    return 0;
}

static int is_key_metric(const char *name)
{
    for (size_t k = 0; k < N_KEY_ROWS; k++)
        if (!strcmp(key_rows[k], name))
            return 1;
    return 0;
}

void an_print_summary(FILE *f, const an_point_summary *pts, size_t n_pts, int all_metrics)
{
    if (!n_pts)
        return;
    size_t extra = all_metrics ? pts[0].n_metrics : 0;
    text_table t;
    if (tt_init(&t, 1 + N_KEY_ROWS + extra, 1 + n_pts))
        return;
    snprintf(tt_at(&t, 0, 0), CELL_MAX, "Measure");
    for (size_t p = 0; p < n_pts; p++)
        tt_put(&t, 0, 1 + p, pts[p].label);
    size_t r = 1;
    for (size_t k = 0; k < N_KEY_ROWS; k++) {
        int any = 0;
        for (size_t p = 0; p < n_pts; p++) {
            sim_summary s;
            int pc;
            if (key_row_summary(&pts[p], key_rows[k], &s, &pc)) {
                an_format_cell(tt_at(&t, r, 1 + p), CELL_MAX, &s, pc);
                any = 1;
            } else {
                snprintf(tt_at(&t, r, 1 + p), CELL_MAX, "-");
            }
        }
        if (any)
            an_metric_heading(tt_at(&t, r++, 0), CELL_MAX, key_rows[k], 0);
    }
    for (size_t m = 0; m < extra; m++) {
        const an_metric_summary *ms = &pts[0].metrics[m];
        if (is_key_metric(ms->name))
            continue;
        an_metric_heading(tt_at(&t, r, 0), CELL_MAX, ms->name, 0);
        for (size_t p = 0; p < n_pts; p++) {
            const an_metric_summary *mp = an_point_summary_find(&pts[p], ms->name);
            if (mp)
                an_format_cell(tt_at(&t, r, 1 + p), CELL_MAX, &mp->s, is_share(mp->units));
            else
                snprintf(tt_at(&t, r, 1 + p), CELL_MAX, "-");
        }
        r++;
    }
    t.rows = r;
    tt_print(f, &t);
    ci_note(f, pts, n_pts);
}

/* Points as rows: the headline measures always, the others only where
 * they tell the points apart (the rest go into one line below the table,
 * with their common value). */
static const struct {
    const char *metric, *heading;
    int headline;
} row_cols[] = {
    {"refused_of_eligible", "Not accommodated", 1},
    {"placed", "Placed", 1},
    {"referrals_per_year", "Referrals/yr", 0},
    {"refused_no_space", "No space", 0},
    {"no_suitable_unit", "No suitable unit", 0},
    {"abandoned", "Abandoned", 0},
    {"waiting_at_end", "Waiting at end", 0},
    {"declined_offer", "Declined offer", 0},
    {"wait_mean", "Wait, placed (days)", 0},
    {"waiting_mean", "Waiting list", 0},
    {"occupancy", "Occupancy", 0},
    {"blocked_share", "Blocked by move-on", 0},
    {"cost_per_year", "Cost a year", 0},
    {"cost_per_accommodated", "Cost a household", 0},
};
#define N_ROW_COLS (sizeof row_cols / sizeof row_cols[0])

void an_print_summary_rows(FILE *f, const an_point_summary *pts, size_t n_pts)
{
    if (!n_pts)
        return;
    text_table t;
    if (tt_init(&t, 1 + n_pts, 1 + N_ROW_COLS))
        return;
    char same[N_ROW_COLS][2 * CELL_MAX];
    size_t n_same = 0, c = 1;
    snprintf(tt_at(&t, 0, 0), CELL_MAX, "Point");
    for (size_t p = 0; p < n_pts; p++)
        tt_put(&t, 1 + p, 0, pts[p].label);
    for (size_t k = 0; k < N_ROW_COLS; k++) {
        int any = 0, differ = 0;
        for (size_t p = 0; p < n_pts; p++) {
            sim_summary s;
            int pc;
            char *cell = tt_at(&t, 1 + p, c);
            if (key_row_summary(&pts[p], row_cols[k].metric, &s, &pc)) {
                an_format_cell(cell, CELL_MAX, &s, pc);
                any = 1;
            } else {
                snprintf(cell, CELL_MAX, "-");
            }
            differ |= p && strcmp(cell, tt_at(&t, 1, c));
        }
        if (!any)
            continue;
        if (differ || row_cols[k].headline || n_pts == 1) {
            snprintf(tt_at(&t, 0, c++), CELL_MAX, "%s", row_cols[k].heading);
            continue;
        }
        char heading[CELL_MAX];
        an_metric_heading(heading, sizeof heading, row_cols[k].metric, 0);
        snprintf(same[n_same++], sizeof same[0], "%s %s", heading, tt_at(&t, 1, c));
    }
    /* the columns not kept are overwritten by the next kept one; cut the rest */
    size_t cols = c;
    text_table u;
    if (tt_init(&u, t.rows, cols)) {
        tt_free(&t);
        return;
    }
    for (size_t r = 0; r < t.rows; r++)
        for (size_t j = 0; j < cols; j++) {
            if (t.label && t.label[r * t.cols + j])
                tt_put(&u, r, j, tt_text(&t, r, j));   /* the points' labels, whole */
            else
                memcpy(tt_at(&u, r, j), tt_at(&t, r, j), CELL_MAX);
        }
    tt_free(&t);
    tt_print(f, &u);
    /* one item a line: a reader scans them like the table's columns */
    if (n_same)
        fputs("the same at every point:\n", f);
    for (size_t i = 0; i < n_same; i++)
        fprintf(f, "  %s\n", same[i]);
    ci_note(f, pts, n_pts);
}

static const struct {
    const char *heading;
    int percent;
} svc_cols[AN_SVC_N] = {
    {"Placements/yr", 0}, {"Occupancy", 1}, {"Blocked", 1}, {"Downtime", 1}, {"Timely move-on", 1},
};

static const struct {
    const char *heading;
    int percent;
} grp_cols[AN_GRP_N] = {
    {"Referrals/yr", 0},  {"Placed", 1},        {"No space", 1},           {"No suitable", 1},
    {"Abandoned", 1},     {"Not accommodated", 1}, {"Placed in 28d", 1},
    {"Wait, placed", 0},  {"Wait, all waiting", 0},
};

const char *an_service_measure_heading(an_service_measure m, int *percent)
{
    if ((unsigned)m >= AN_SVC_N)
        return "?";
    if (percent)
        *percent = svc_cols[m].percent;
    return svc_cols[m].heading;
}

const char *an_group_measure_heading(an_group_measure m, int *percent)
{
    if ((unsigned)m >= AN_GRP_N)
        return "?";
    if (percent)
        *percent = grp_cols[m].percent;
    return grp_cols[m].heading;
}

/* Service s's cost a year over ps's replications (mean and 95% interval). */
static void service_cost(const an_point_summary *ps, int s, sim_summary *out)
{
    from_pool(ps->svc_pool ? &ps->svc_pool[(size_t)s * AN_SVC_POOLS + AN_SVC_N] : NULL, out);
}

void an_print_services(FILE *f, const an_point_summary *pts, size_t n_pts)
{
    for (size_t p = 0; p < n_pts; p++) {
        const an_point_summary *ps = &pts[p];
        int costs = ps->any_cost;
        text_table t;
        if (tt_init(&t, 1 + (size_t)ps->n_services, 2 + AN_SVC_N + (size_t)costs))
            return;
        char lab[AN_LABEL_SHOWN];
        fprintf(f, "%sServices, %s\n", p ? "\n" : "",
                sim_text_str(SIM_TEXT_TERM, ps->label, lab, sizeof lab));
        snprintf(tt_at(&t, 0, 0), CELL_MAX, "Service");
        snprintf(tt_at(&t, 0, 1), CELL_MAX, "Units");
        for (int c = 0; c < AN_SVC_N; c++)
            snprintf(tt_at(&t, 0, 2 + (size_t)c), CELL_MAX, "%s", svc_cols[c].heading);
        if (costs)
            snprintf(tt_at(&t, 0, 2 + AN_SVC_N), CELL_MAX, "Cost a year");
        for (int s = 0; s < ps->n_services; s++) {
            size_t r = 1 + (size_t)s;
            snprintf(tt_at(&t, r, 0), CELL_MAX, "%s", ps->service_names[s]);
            if (ps->n_pooled)
                snprintf(tt_at(&t, r, 1), CELL_MAX, "%d", ps->service_units[s]);
            for (int c = 0; c < AN_SVC_N; c++) {
                sim_summary sm;
                an_service_summary(ps, s, (an_service_measure)c, &sm);
                an_format_cell(tt_at(&t, r, 2 + (size_t)c), CELL_MAX, &sm, svc_cols[c].percent);
            }
            if (costs) {
                sim_summary sm;
                service_cost(ps, s, &sm);
                an_format_cell(tt_at(&t, r, 2 + AN_SVC_N), CELL_MAX, &sm, 0);
            }
        }
        tt_print(f, &t);
    }
    ci_note(f, pts, n_pts);
}

void an_print_groups(FILE *f, const an_point_summary *pts, size_t n_pts)
{
    for (size_t p = 0; p < n_pts; p++) {
        const an_point_summary *ps = &pts[p];
        text_table t;
        if (tt_init(&t, 1 + RF_G_N, 1 + AN_GRP_N))
            return;
        char lab[AN_LABEL_SHOWN];
        fprintf(f, "%sHousehold groups, %s (shares of the group's referrals; not accommodated of "
                   "those not screened out, as in the summary; waits in days)\n",
                p ? "\n" : "", sim_text_str(SIM_TEXT_TERM, ps->label, lab, sizeof lab));
        snprintf(tt_at(&t, 0, 0), CELL_MAX, "Group");
        for (int c = 0; c < AN_GRP_N; c++)
            snprintf(tt_at(&t, 0, 1 + (size_t)c), CELL_MAX, "%s", grp_cols[c].heading);
        for (int g = 0; g < RF_G_N; g++) {
            size_t r = 1 + (size_t)g;
            snprintf(tt_at(&t, r, 0), CELL_MAX, "%s", rf_group_label((rf_group)g));
            for (int c = 0; c < AN_GRP_N; c++) {
                sim_summary sm;
                an_group_summary(ps, g, (an_group_measure)c, &sm);
                an_format_cell(tt_at(&t, r, 1 + (size_t)c), CELL_MAX, &sm, grp_cols[c].percent);
            }
        }
        tt_print(f, &t);
    }
    ci_note(f, pts, n_pts);
}

/* ------------------------------------------------------ comparisons -- */

/* Whether a metric's numerator counts households (a share of referrals). */
static int counts_households(const char *metric)
{
    int i = rf_metric_find(metric);
    const rf_metric_info *mi = i >= 0 ? rf_metric_at((size_t)i) : NULL;
    return mi && mi->denominator && mi->numerator_units && !strcmp(mi->numerator_units, "referrals");
}

int an_compare_points(const an_point_summary *base, const an_point_summary *alt, size_t point,
                      an_comparison **rows, size_t *n_rows)
{
    *rows = NULL;
    *n_rows = 0;
    if (!base->num || !alt->num || !base->reps || !alt->reps)
        return SIM_ENOTFOUND;
    an_comparison *out = calloc(base->n_metrics + 2, sizeof *out);
    if (!out)
        return SIM_ENOMEM;
    size_t n = 0;
    for (size_t m = 0; m < base->n_metrics; m++) {
        const an_metric_summary *mb = &base->metrics[m], *ma = an_point_summary_find(alt, mb->name);
        if (!ma)
            continue;
        an_comparison *c = &out[n];
        c->point = point;
        copy_str(c->label, sizeof c->label, alt->label);
        copy_str(c->metric, sizeof c->metric, mb->name);
        copy_str(c->units, sizeof c->units, mb->units);
        c->baseline = mb->s.mean;
        c->alternative = ma->s.mean;
        int rc = paired(alt, base, mb->name, 0, -1, &c->d);
        c->households = counts_households(mb->name);
        if (rc == SIM_OK && c->households)
            rc = paired(alt, base, mb->name, 1, -1, &c->per_year);
        if (!c->households)
            c->per_year.diff = c->per_year.se = c->per_year.ci95 = c->per_year.a = c->per_year.b = NAN;
        if (rc != SIM_OK) {
            free(out);
            return rc;
        }
        c->unpaired_ci95 = c->d.n > 1 ? sim_t975(c->d.n - 1) * sqrt(ma->se * ma->se + mb->se * mb->se)
                                      : NAN;
        n++;
    }
    /* with costs: the extra cost per extra household accommodated */
    const an_metric_summary *cb = an_point_summary_find(base, "cost_per_year"),
                            *ca = an_point_summary_find(alt, "cost_per_year");
    if (cb && ca && (cb->total_num > 0 || ca->total_num > 0)) {
        an_comparison *c = &out[n];
        sim_ratio e;
        int rc = extra_cost_per_household(alt, base, &e);
        if (rc != SIM_OK) {
            free(out);
            return rc;
        }
        c->point = point;
        copy_str(c->label, sizeof c->label, alt->label);
        copy_str(c->metric, sizeof c->metric, AN_EXTRA_COST_METRIC);
        copy_str(c->units, sizeof c->units, "currency");
        c->baseline = c->alternative = NAN;
        c->d = (sim_ratio_diff){.n = e.n, .a = NAN, .b = NAN, .diff = e.ratio, .se = e.se,
                                .ci95 = e.ci95};
        c->unpaired_ci95 = NAN;
        c->per_year.diff = c->per_year.se = c->per_year.ci95 = c->per_year.a = c->per_year.b = NAN;
        n++;
    }
    *rows = out;
    *n_rows = n;
    return SIM_OK;
}

static const an_comparison *find_comparison(const an_comparison *rows, size_t n, const char *metric)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].metric, metric))
            return &rows[i];
    return NULL;
}

/* "+10.7 points (10.1 to 11.3)" for a share, "-1.23 (-1.50 to -0.96)" else. */
static void format_diff(char *buf, size_t size, const sim_ratio_diff *d, int percent)
{
    if (isnan(d->diff)) {
        snprintf(buf, size, "-");
        return;
    }
    double k = percent ? 100.0 : 1.0;
    int dec = percent ? 1 : decimals_for(d->diff);
    const char *pts = percent ? " points" : "";
    double shown = k * d->diff;
    if (fabs(shown) < 0.5 * pow(10, -dec))
        shown = 0;                  /* "+0.0", not "-0.0" */
    if (isnan(d->ci95))
        snprintf(buf, size, "%+.*f%s", dec, shown, pts);
    else
        snprintf(buf, size, "%+.*f%s (%.*f to %.*f)", dec, shown, pts, dec,
                 k * (d->diff - d->ci95), dec, k * (d->diff + d->ci95));
}

/* The households a year that the headline shares count, in words. */
static const struct {
    const char *metric, *words;
} household_rows[] = {
    {"placed", "households accommodated"},
    {"refused_of_eligible", "households not accommodated"},
    {"refused_no_space", "households refused for lack of space"},
    {"abandoned", "households giving up waiting"},
};

void an_print_comparison(FILE *f, const an_point_summary *base, const an_point_summary *alt,
                         const an_comparison *rows, size_t n_rows)
{
    text_table t;
    if (tt_init(&t, 1 + N_KEY_ROWS, 4))
        return;
    snprintf(tt_at(&t, 0, 0), CELL_MAX, "Measure");
    tt_put(&t, 0, 1, base->label);
    tt_put(&t, 0, 2, alt->label);
    snprintf(tt_at(&t, 0, 3), CELL_MAX, "difference (95%% CI)");
    size_t r = 1;
    for (size_t k = 0; k < N_KEY_ROWS; k++) {
        const an_comparison *c = find_comparison(rows, n_rows, key_rows[k]);
        const an_metric_summary *mb = an_point_summary_find(base, key_rows[k]);
        const an_metric_summary *ma = an_point_summary_find(alt, key_rows[k]);
        if (!c || !mb || !ma || (!key_row_applies(base, key_rows[k]) && !key_row_applies(alt, key_rows[k])))
            continue;
        int pc = is_share(mb->units);
        an_metric_heading(tt_at(&t, r, 0), CELL_MAX, key_rows[k], 0);
        an_format_cell(tt_at(&t, r, 1), CELL_MAX, &mb->s, pc);
        an_format_cell(tt_at(&t, r, 2), CELL_MAX, &ma->s, pc);
        format_diff(tt_at(&t, r, 3), CELL_MAX, &c->d, pc);
        r++;
    }
    t.rows = r;
    tt_print(f, &t);
    for (size_t k = 0; k < sizeof household_rows / sizeof household_rows[0]; k++) {
        const an_comparison *c = find_comparison(rows, n_rows, household_rows[k].metric);
        if (!c || !c->households || isnan(c->per_year.diff))
            continue;
        const sim_ratio_diff *y = &c->per_year;
        if (isnan(y->ci95))
            fprintf(f, "%+.1f %s a year\n", y->diff, household_rows[k].words);
        else
            fprintf(f, "%+.1f %s a year (95%% CI %.1f to %.1f)\n", y->diff,
                    household_rows[k].words, y->diff - y->ci95, y->diff + y->ci95);
    }
    const an_comparison *cy = find_comparison(rows, n_rows, "cost_per_year");
    const an_comparison *ic = find_comparison(rows, n_rows, AN_EXTRA_COST_METRIC);
    if (ic && cy) {
        fprintf(f, "%+.0f cost a year (95%% CI %.0f to %.0f)\n", cy->d.diff, cy->d.diff - cy->d.ci95,
                cy->d.diff + cy->d.ci95);
        if (isnan(ic->d.diff))
            fprintf(f, "extra cost per extra household accommodated: - (no household more or fewer)\n");
        else
            fprintf(f, "extra cost per extra household accommodated: %.0f (95%% CI %.0f to %.0f, "
                       "delta method)\n", ic->d.diff, ic->d.diff - ic->d.ci95, ic->d.diff + ic->d.ci95);
    }
    size_t n = rows && n_rows ? rows[0].d.n : 0;
    fprintf(f, "differences paired over %zu replications on common random numbers (alternative "
               "minus baseline); shares as paired differences of pooled ratios, in percentage "
               "points\n", n);
}

/* ------------------------------------------------------------ years -- */

/* Yearly figures of up to cap replication slots, n_years wide so far
 * (widened by years_put when a record has more); each slot's parts kept
 * only with `paired`. */
static an_years *years_alloc(size_t cap, int paired)
{
    an_years *Y = calloc(1, sizeof *Y);
    if (!Y)
        return NULL;
    Y->n_metrics = rf_metric_count();
    if (paired) {
        Y->num = malloc((cap * Y->n_metrics + 1) * sizeof *Y->num);
        Y->den = malloc((cap * Y->n_metrics + 1) * sizeof *Y->den);
    }
    Y->days = calloc(RF_YEARS_MAX + 1, sizeof *Y->days);
    Y->acc = calloc(RF_YEARS_MAX * Y->n_metrics + 1, sizeof *Y->acc);
    if ((paired && (!Y->num || !Y->den)) || !Y->days || !Y->acc) {
        free_years(Y);
        return NULL;
    }
    Y->n_reps = cap;   /* capacity until years_put fills it */
    return Y;
}

/* Slots 0 .. k-1 from ny to ny2 years wide, the new years NaN. */
static int years_widen(an_years *Y, size_t k, size_t ny2)
{
    size_t nm = Y->n_metrics, ny = Y->n_years;
    /* each array is Y's again as soon as realloc returns it, so a failure
     * of the second leaves Y owning only live blocks (free_years) */
    double **arr[2] = {&Y->num, &Y->den};
    for (int i = 0; i < 2 && Y->num; i++) {
        double *x = realloc(*arr[i], (Y->n_reps * ny2 * nm + 1) * sizeof *x);
        if (!x)
            return SIM_ENOMEM;
        *arr[i] = x;
        for (size_t r = k; r-- > 0;) {
            memmove(x + r * ny2 * nm, x + r * ny * nm, ny * nm * sizeof *x);
            for (size_t j = ny * nm; j < ny2 * nm; j++)
                x[r * ny2 * nm + j] = NAN;
        }
    }
    Y->n_years = ny2;
    return SIM_OK;
}

/* Slot k (the next) from x. */
static int years_put(an_years *Y, size_t k, const rf_result *x)
{
    size_t nm = Y->n_metrics, xy = x->n_years > 0 ? (size_t)x->n_years : 0;
    if (xy > RF_YEARS_MAX)
        xy = RF_YEARS_MAX;
    if (xy > Y->n_years && years_widen(Y, k, xy) != SIM_OK)
        return SIM_ENOMEM;
    size_t ny = Y->n_years;
    double own[2][METRIC_PARTS_MAX];
    if (nm > METRIC_PARTS_MAX)
        return SIM_EINVAL;
    for (size_t y = 0; y < ny; y++) {
        double *num = Y->num ? Y->num + (k * ny + y) * nm : own[0];
        double *den = Y->num ? Y->den + (k * ny + y) * nm : own[1];
        if ((int)y < x->n_years) {
            rf_result_year_metric_parts(x, (int)y, num, den);
            Y->days[y] = x->years[y].days;
            /* NaN parts (a year not reached, undefined) are skipped, as
             * sim_ratio_estimate skips them */
            for (size_t m = 0; m < nm; m++)
                sim_ratio_acc_add(&Y->acc[y * nm + m], num[m], den[m]);
        } else {
            for (size_t m = 0; m < nm; m++)
                num[m] = den[m] = NAN;
        }
    }
    return SIM_OK;
}

void an_point_summary_drop_years(an_point_summary *ps)
{
    free_years(ps->years);
    ps->years = NULL;
}

int an_point_summary_add_years(an_point_summary *ps, const rf_result *res,
                               const unsigned char *done, size_t n_reps)
{
    an_years *Y = years_alloc(ps->n_reps, 1);
    if (!Y)
        return SIM_ENOMEM;
    size_t k = 0;
    for (size_t r = 0; r < n_reps && k < ps->n_reps; r++)
        if (!done || done[r]) {
            if (years_put(Y, k, &res[r]) != SIM_OK) {
                free_years(Y);
                return SIM_ENOMEM;
            }
            k++;
        }
    Y->n_reps = k;
    free_years(ps->years);
    ps->years = Y;
    return SIM_OK;
}

/* ------------------------------------------------------------ streaming -- */

struct an_summary_builder {
    an_point_summary ps;
    double *vals;
    size_t cap, d, stride;
    int network;
};

int an_summary_build_begin(an_summary_builder **out, const char *label, const rf_params *p,
                           size_t cap, size_t net_stride, int flags)
{
    *out = NULL;
    if (!p || p->n_services < 0 || p->n_services > RF_MAX_SERVICES)
        return SIM_EINVAL;
    an_summary_builder *b = calloc(1, sizeof *b);
    if (!b)
        return SIM_ENOMEM;
    int years = flags & 3;
    int rc = summary_alloc(&b->ps, label, p, p->n_services, cap, &b->vals,
                           (flags & AN_BUILD_PARTS) != 0);
    if (rc == SIM_OK && net_stride && p->net.on) {
        b->network = 1;
        b->stride = net_stride;
        rc = network_alloc(&b->ps, p, net_stride, cap);
    }
    if (rc == SIM_OK && years && !(b->ps.years = years_alloc(cap, years == AN_YEARS_PAIRED)))
        rc = SIM_ENOMEM;
    if (rc != SIM_OK) {
        an_summary_build_free(b);
        return rc;
    }
    b->cap = cap;
    *out = b;
    return SIM_OK;
}

int an_summary_build_add(an_summary_builder *b, const rf_result *res, const void *net,
                         size_t res_stride, const unsigned char *done, size_t n)
{
    for (size_t r = 0; r < n; r++) {
        if (done && !done[r])
            continue;
        if (b->d == b->cap)
            return SIM_EINVAL;
        const rf_result *x = (const rf_result *)((const unsigned char *)res + r * res_stride);
        if (summary_put(&b->ps, b->vals, b->cap, b->d, x) != SIM_OK)
            return SIM_ENOMEM;
        if (b->network)
            network_put(&b->ps, b->d, (const unsigned char *)net + r * b->stride);
        if (b->ps.years && years_put(b->ps.years, b->d, x) != SIM_OK)
            return SIM_ENOMEM;
        b->d++;
    }
    return SIM_OK;
}

int an_summary_build_end(an_summary_builder *b, an_point_summary *out)
{
    if (b->ps.years)
        b->ps.years->n_reps = b->d;
    double *vals = b->vals;
    size_t nd = b->d, cap = b->cap;
    b->vals = NULL;
    *out = b->ps;
    memset(&b->ps, 0, sizeof b->ps);
    an_summary_build_free(b);
    return summary_finish(out, vals, cap, nd);
}

void an_summary_build_free(an_summary_builder *b)
{
    if (!b)
        return;
    free(b->vals);
    an_point_summary_free(&b->ps);
    free(b);
}

int an_year_estimate(const an_point_summary *ps, size_t y, const char *name, sim_ratio *out)
{
    int m = metric_index(ps, name);
    memset(out, 0, sizeof *out);
    if (m < 0 || !ps->years || y >= ps->years->n_years)
        return SIM_ENOTFOUND;
    sim_ratio_acc_result(&ps->years->acc[y * ps->years->n_metrics + (size_t)m], out);
    return SIM_OK;
}

int an_year_paired_diff(const an_point_summary *a, const an_point_summary *b, size_t y,
                        const char *name, sim_ratio_diff *out)
{
    return paired(a, b, name, 0, (int)y, out);
}

int an_compare_years(const an_point_summary *base, const an_point_summary *alt, size_t point,
                     an_comparison_year **rows, size_t *n_rows)
{
    *rows = NULL;
    *n_rows = 0;
    if (!base->years || !alt->years)
        return SIM_ENOTFOUND;
    size_t ny = base->years->n_years < alt->years->n_years ? base->years->n_years
                                                           : alt->years->n_years;
    an_comparison_year *out = calloc(ny * base->n_metrics + 1, sizeof *out);
    if (!out)
        return SIM_ENOMEM;
    size_t n = 0;
    for (size_t m = 0; m < base->n_metrics; m++) {
        const an_metric_summary *mb = &base->metrics[m];
        int mi = rf_metric_find(mb->name);
        if (mi < 0 || !rf_metric_by_year((size_t)mi) || !an_point_summary_find(alt, mb->name))
            continue;
        for (size_t y = 0; y < ny; y++) {
            an_comparison_year *c = &out[n];
            sim_ratio_diff hh;
            c->point = point;
            c->year = y + 1;
            copy_str(c->label, sizeof c->label, alt->label);
            copy_str(c->metric, sizeof c->metric, mb->name);
            if (paired(alt, base, mb->name, 0, (int)y, &c->d) != SIM_OK)
                continue;
            c->baseline = c->d.b;
            c->alternative = c->d.a;
            c->households = NAN;
            if (counts_households(mb->name) && paired(alt, base, mb->name, 1, (int)y, &hh) == SIM_OK)
                c->households = hh.diff * base->years->days[y] / DAYS_PER_YEAR;
            n++;
        }
    }
    *rows = out;
    *n_rows = n;
    return SIM_OK;
}

/* Key rows kept year by year (the derived referrals-per-year row is not). */
static int key_row_by_year(size_t k)
{
    int i = rf_metric_find(key_rows[k]);
    return i >= 0 && rf_metric_by_year((size_t)i);
}

/* Key measures by year: ps's estimates, or with alt its paired differences
 * from ps. */
static void year_table(FILE *f, const an_point_summary *ps, const an_point_summary *alt)
{
    if (!ps->years || (alt && !alt->years))
        return;
    size_t ny = ps->years->n_years;
    if (alt && alt->years->n_years < ny)
        ny = alt->years->n_years;
    text_table t;
    if (!ny || tt_init(&t, 2 + N_KEY_ROWS, 1 + ny))
        return;
    char lab[AN_LABEL_SHOWN], alab[AN_LABEL_SHOWN];
    sim_text_str(SIM_TEXT_TERM, ps->label, lab, sizeof lab);
    if (alt)
        fprintf(f, "\nDifference by year (95%% CI), %s against %s\n",
                sim_text_str(SIM_TEXT_TERM, alt->label, alab, sizeof alab), lab);
    else
        fprintf(f, "\nBy year, %s\n", lab);
    snprintf(tt_at(&t, 0, 0), CELL_MAX, "Measure");
    for (size_t y = 0; y < ny; y++)
        snprintf(tt_at(&t, 0, 1 + y), CELL_MAX, "Year %zu", y + 1);
    size_t r = 1;
    for (size_t k = 0; k <= N_KEY_ROWS; k++) {
        /* the units in service first: what changes year by year with opens / closes */
        const char *metric = k ? key_rows[k - 1] : "units_in_service";
        const an_metric_summary *ms = an_point_summary_find(ps, metric);
        /* a difference applies where either side has the measure (costs
         * against a baseline that gives none) */
        int applies = key_row_applies(ps, metric) || (alt && key_row_applies(alt, metric));
        if (!ms || (k && !key_row_by_year(k - 1)) || !applies)
            continue;
        an_metric_heading(tt_at(&t, r, 0), CELL_MAX, metric, 0);
        for (size_t y = 0; y < ny; y++) {
            char *cell = tt_at(&t, r, 1 + y);
            if (alt) {
                sim_ratio_diff d;
                an_year_paired_diff(alt, ps, y, ms->name, &d);
                format_diff(cell, CELL_MAX, &d, is_share(ms->units));
            } else {
                sim_ratio e;
                an_year_estimate(ps, y, ms->name, &e);
                sim_summary s = {.n = e.n, .mean = e.ratio, .ci95 = e.ci95};
                an_format_cell(cell, CELL_MAX, &s, is_share(ms->units));
            }
        }
        r++;
    }
    t.rows = r;
    tt_print(f, &t);
}

void an_print_years(FILE *f, const an_point_summary *pts, size_t n_pts)
{
    for (size_t p = 0; p < n_pts; p++)
        year_table(f, &pts[p], NULL);
}

void an_print_comparison_years(FILE *f, const an_point_summary *base, const an_point_summary *alt)
{
    year_table(f, base, alt);
}

static const struct {
    const char *heading;
    int percent;
} area_cols[AN_AREA_N] = {
    {"Referrals/yr", 0}, {"Placed", 1},      {"No space", 1},       {"No suitable", 1},
    {"Declined", 1},     {"Not placed", 1},   {"Placed elsewhere", 1}, {"Units", 0},
    {"Placements in/yr", 0}, {"From elsewhere", 1}, {"Occupancy", 1},
};

void an_print_areas(FILE *f, const an_point_summary *pts, size_t n_pts)
{
    int any = 0;
    char lab[AN_LABEL_SHOWN]; /* labels come from files: shown, never obeyed */
    for (size_t p = 0; p < n_pts; p++) {
        const an_point_summary *ps = &pts[p];
        size_t na = (size_t)ps->n_areas;
        if (!na)
            continue;
        /* hundreds of areas: the busiest AN_AREA_ROWS, as on the page */
        int *idx = malloc((na < AN_AREA_ROWS ? na : AN_AREA_ROWS) * sizeof *idx);
        size_t ns = idx ? an_areas_shown(ps, AN_AREA_ROWS, idx) : 0;
        text_table t;
        if (!idx || tt_init(&t, 2 + ns, 1 + AN_AREA_N)) {
            free(idx);
            return;
        }
        fprintf(f, "%sAreas, %s (shares of the area's residents' referrals; placed elsewhere of "
                   "those placed; from elsewhere of the placements into its units)\n",
                any ? "\n" : "", sim_text_str(SIM_TEXT_TERM, ps->label, lab, sizeof lab));
        snprintf(tt_at(&t, 0, 0), CELL_MAX, "Area");
        for (int c = 0; c < AN_AREA_N; c++)
            snprintf(tt_at(&t, 0, 1 + (size_t)c), CELL_MAX, "%s", area_cols[c].heading);
        for (size_t r = 1; r <= ns + 1; r++) {
            int a = r <= ns ? idx[r - 1] : -1;
            snprintf(tt_at(&t, r, 0), CELL_MAX, "%s", a >= 0 ? ps->area_names[a] : "all areas");
            for (int c = 0; c < AN_AREA_N; c++) {
                sim_summary sm;
                an_area_summary(ps, a, (an_area_measure)c, &sm);
                an_format_cell(tt_at(&t, r, 1 + (size_t)c), CELL_MAX, &sm, area_cols[c].percent);
            }
        }
        tt_print(f, &t);
        an_print_areas_left_out(f, ns, na);
        free(idx);
        any = 1;
        if (na > AN_FLOW_MATRIX_MAX) { /* too wide: the largest flows (an_network_view) */
            an_print_top_flows(f, ps);
            continue;
        }
        if (tt_init(&t, 1 + na, 1 + na))
            return;
        fprintf(f, "\nPlacements a year, %s: residents of the row's area placed in the column's\n",
                sim_text_str(SIM_TEXT_TERM, ps->label, lab, sizeof lab));
        snprintf(tt_at(&t, 0, 0), CELL_MAX, "From \\ to");
        for (size_t d = 0; d < na; d++)
            snprintf(tt_at(&t, 0, 1 + d), CELL_MAX, "%s", ps->area_names[d]);
        for (size_t o = 0; o < na; o++) {
            snprintf(tt_at(&t, 1 + o, 0), CELL_MAX, "%s", ps->area_names[o]);
            for (size_t d = 0; d < na; d++) {
                sim_summary sm;
                an_flow_summary(ps, (int)o, (int)d, &sm);
                an_format_cell(tt_at(&t, 1 + o, 1 + d), CELL_MAX, &sm, 0);
            }
        }
        tt_print(f, &t);
        any = 1;
    }
    if (any)
        ci_note(f, pts, n_pts);
}
