#include "an_h5_point.h"
#include "an_h5_base.h"
#include "an_h5_network.h"
#include "an_h5_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rf_result.h"
#include "sim_status.h"

/* Columns shared by the outcomes and the groups tables: referrals and the
 * count of each outcome; then, separately, placements within 7 and 28 days. */
static void outcome_columns(an_tbl *t)
{
    an_tbl_column(t, "referrals", AN_COL_U64, "referrals");
    for (int o = 0; o < RF_OUT_N; o++)
        an_tbl_column(t, rf_outcome_name((rf_outcome)o), AN_COL_U64, "referrals");
}

static void outcome_cells(an_tbl *t, uint64_t referrals, const uint64_t *outcomes)
{
    an_tbl_u64(t, referrals);
    for (int o = 0; o < RF_OUT_N; o++)
        an_tbl_u64(t, outcomes[o]);
}

static void within_columns(an_tbl *t)
{
    an_tbl_column(t, "placed_within_7d", AN_COL_U64, "referrals");
    an_tbl_column(t, "placed_within_28d", AN_COL_U64, "referrals");
}

/* The monthly series: name, units, description, value of month m. */
static double mon_occupied(const rf_result *x, size_t m) { return x->monthly_occupied[m]; }
static double mon_waiting(const rf_result *x, size_t m) { return x->monthly_waiting[m]; }
static double mon_units(const rf_result *x, size_t m) { return x->monthly_units[m]; }
static double mon_referrals(const rf_result *x, size_t m) { return x->monthly_referrals[m]; }
static double mon_placed(const rf_result *x, size_t m) { return x->monthly_placed[m]; }
static double mon_refused(const rf_result *x, size_t m) { return x->monthly_refused[m]; }
static double mon_abandoned(const rf_result *x, size_t m) { return x->monthly_abandoned[m]; }

static const struct {
    const char *name, *units, *description;
    double (*value)(const rf_result *, size_t);
} monthly_series[] = {
    {"occupied", "units", "mean number of units with a household in, per month after warm-up",
     mon_occupied},
    {"waiting", "households", "mean waiting list length, per month after warm-up", mon_waiting},
    {"units", "units", "mean number of units in service (opened and not closed), per month after "
     "warm-up", mon_units},
    {"referrals", "referrals", "referrals arriving in the month (after warm-up)", mon_referrals},
    {"placed", "referrals",
     "referrals placed in the month, at once or after a wait (the month of the placement)",
     mon_placed},
    {"refused", "referrals",
     "referrals refused on arrival in the month: no space (and did not wait) or no suitable unit",
     mon_refused},
    {"abandoned", "referrals", "waiting households that gave up in the month", mon_abandoned},
};

#define N_MONTHLY (sizeof monthly_series / sizeof monthly_series[0])

static const char *const replications_desc =
    "one row per completed replication: every output metric (pandas-friendly)";
static const char *const outcomes_desc =
    "one row per completed replication: referral outcome counts, screening "
    "reasons and the attribute that left a household with no suitable unit";

struct an_h5p {
    hid_t pg, metrics_g, monthly_g, yearly_g, done_d;
    hid_t *metric_d;              /* nm */
    hid_t *yearly_d;              /* nm: the metrics kept by year, else invalid */
    hid_t monthly_d[N_MONTHLY];
    size_t n, nm, nmon, ny;       /* nmon, ny: known from the first completed replication */
    int yearly_made;
    size_t next;                  /* the replication the next piece starts with */
    int monthly_made, first_month, n_screen;
    an_tbl reps_t, out_t, svc_t, grp_t, parts_t;   /* columns; rows of the piece being added */
    /* the service names, copied: a caller may load another point between
     * pieces (MPI's rank 0 runs its own tasks), which frees the params */
    int n_names;                  /* -1: none, rows say service_<i> */
    char names[RF_MAX_SERVICES][RF_NAME_MAX];
};

void an_h5p_free(an_h5p *p)
{
    if (!p)
        return;
    for (size_t m = 0; p->metric_d && m < p->nm; m++)
        if (p->metric_d[m] >= 0)
            H5Dclose(p->metric_d[m]);
    for (size_t m = 0; p->yearly_d && m < p->nm; m++)
        if (p->yearly_d[m] >= 0)
            H5Dclose(p->yearly_d[m]);
    if (p->yearly_g >= 0)
        H5Gclose(p->yearly_g);
    free(p->yearly_d);
    for (size_t k = 0; k < N_MONTHLY; k++)
        if (p->monthly_d[k] >= 0)
            H5Dclose(p->monthly_d[k]);
    if (p->done_d >= 0)
        H5Dclose(p->done_d);
    if (p->metrics_g >= 0)
        H5Gclose(p->metrics_g);
    if (p->monthly_g >= 0)
        H5Gclose(p->monthly_g);
    if (p->pg >= 0)
        H5Gclose(p->pg);
    free(p->metric_d);
    an_tbl_free(&p->reps_t);
    an_tbl_free(&p->out_t);
    an_tbl_free(&p->svc_t);
    an_tbl_free(&p->grp_t);
    an_tbl_free(&p->parts_t);
    free(p);
}

static void replications_columns(an_tbl *t, size_t nm)
{
    an_tbl_column(t, "rep", AN_COL_U64, "replication");
    for (size_t m = 0; m < nm; m++)
        an_tbl_column(t, rf_metric_at(m)->name, AN_COL_F64, rf_metric_at(m)->units);
}

static void outcomes_columns(an_tbl *t, const rf_params *p, int n_screen)
{
    an_tbl_column(t, "rep", AN_COL_U64, "replication");
    outcome_columns(t);
    for (int k = 0; k < n_screen; k++)
        an_tbl_columnf(t, AN_COL_U64, "referrals", "screened_%s", p->screen[k].name);
    for (int b = 0; b < RF_BLK_N; b++)
        an_tbl_columnf(t, AN_COL_U64, "referrals", "no_suitable_%s",
                       rf_block_name((rf_block_reason)b));
    within_columns(t);
    static const char *const counts[] = {"departures", "early_exits", "move_ons", "timely_move_ons"};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
        an_tbl_column(t, counts[c], AN_COL_U64, "households");
    an_tbl_column(t, "moveon_days", AN_COL_F64, "bed-days");
}

static void outcomes_row(an_tbl *t, size_t rep, const rf_result *x, int n_screen)
{
    an_tbl_row(t);
    an_tbl_u64(t, rep);
    outcome_cells(t, x->referrals, x->outcomes);
    for (int k = 0; k < n_screen; k++)
        an_tbl_u64(t, x->screened[k]);
    for (int b = 0; b < RF_BLK_N; b++)
        an_tbl_u64(t, x->no_suitable[b]);
    const uint64_t v[] = {x->placed_within_7d, x->placed_within_28d, x->departures,
                          x->early_exits, x->move_ons, x->timely_move_ons};
    for (size_t c = 0; c < sizeof v / sizeof v[0]; c++)
        an_tbl_u64(t, v[c]);
    an_tbl_f64(t, x->moveon_days);
}

/* Each ratio metric's numerator and denominator per replication: what the
 * summary pools, and what a paired comparison of two points needs. */
static const char *const ratio_parts_desc =
    "one row per completed replication: the numerator and denominator of every ratio metric, "
    "whose sums over replications give the summary's estimate (<metric>_num / <metric>_den per "
    "replication is the metric's per-replication value)";

static void ratio_parts_columns(an_tbl *t, size_t nm)
{
    an_tbl_column(t, "rep", AN_COL_U64, "replication");
    for (size_t m = 0; m < nm; m++) {
        const rf_metric_info *mi = rf_metric_at(m);
        if (!mi->denominator)
            continue;
        an_tbl_columnf(t, AN_COL_F64, mi->numerator_units, "%s_num", mi->name);
        an_tbl_columnf(t, AN_COL_F64, mi->denominator_units, "%s_den", mi->name);
    }
}

static void ratio_parts_row(an_tbl *t, size_t nm, size_t rep, const rf_result *x)
{
    double num[128], den[128];
    if (nm > 128)
        return;
    rf_result_metric_parts(x, num, den);
    an_tbl_row(t);
    an_tbl_u64(t, rep);
    for (size_t m = 0; m < nm; m++)
        if (rf_metric_at(m)->denominator) {
            an_tbl_f64(t, num[m]);
            an_tbl_f64(t, den[m]);
        }
}

static const char *const services_desc =
    "one row per service and completed replication (after warm-up)";
static const char *const groups_desc =
    "one row per household group and completed replication; a household can be in several "
    "groups; wait_sum = days waited by placed households; waited = households that joined the "
    "waiting list (placed after a wait, gave up, still waiting at the end), waited_sum = their "
    "days on the list";

static void services_columns(an_tbl *t)
{
    an_tbl_column(t, "service", AN_COL_I64, "index");
    an_tbl_column(t, "name", AN_COL_STR, "");
    an_tbl_column(t, "rep", AN_COL_U64, "replication");
    an_tbl_column(t, "units", AN_COL_I64, "units");
    static const char *const counts[] = {"placements", "departures", "early_exits", "move_ons",
                                         "timely_move_ons"};
    for (size_t c = 0; c < 5; c++)
        an_tbl_column(t, counts[c], AN_COL_U64, "households");
    static const char *const days[] = {"occupied_days", "blocked_days", "down_days", "unit_days"};
    for (size_t c = 0; c < 4; c++)
        an_tbl_column(t, days[c], AN_COL_F64, "unit-days");
}

/* Replication rep's rows: one a service, then one a group. */
static void services_rows(an_tbl *t, const an_h5p *p, size_t rep, const rf_result *x)
{
    int ns = p->n_names >= 0 ? p->n_names : x->n_services;
    for (int s = 0; s < ns && s < RF_MAX_SERVICES; s++) {
        const rf_service_result *v = &x->services[s];
        char name[32];
        if (p->n_names < 0)
            snprintf(name, sizeof name, "service_%d", s);
        an_tbl_row(t);
        an_tbl_i64(t, s);
        an_tbl_str(t, p->n_names >= 0 ? p->names[s] : name);
        an_tbl_u64(t, rep);
        an_tbl_i64(t, v->units);
        const uint64_t c[5] = {v->placements, v->departures, v->early_exits, v->move_ons,
                               v->timely_move_ons};
        for (size_t k = 0; k < 5; k++)
            an_tbl_u64(t, c[k]);
        const double dd[4] = {v->occupied_days, v->blocked_days, v->down_days, v->unit_days};
        for (size_t k = 0; k < 4; k++)
            an_tbl_f64(t, dd[k]);
    }
}

static void groups_columns(an_tbl *t)
{
    an_tbl_column(t, "group", AN_COL_STR, "");
    an_tbl_column(t, "rep", AN_COL_U64, "replication");
    outcome_columns(t);
    within_columns(t);
    an_tbl_column(t, "wait_sum", AN_COL_F64, "days");
    an_tbl_column(t, "waited", AN_COL_U64, "households");
    an_tbl_column(t, "waited_sum", AN_COL_F64, "days");
}

static void groups_rows(an_tbl *t, size_t rep, const rf_result *x)
{
    for (int g = 0; g < RF_G_N; g++) {
        const rf_group_result *v = &x->groups[g];
        an_tbl_row(t);
        an_tbl_str(t, rf_group_name((rf_group)g));
        an_tbl_u64(t, rep);
        outcome_cells(t, v->referrals, v->outcomes);
        an_tbl_u64(t, v->placed_within_7d);
        an_tbl_u64(t, v->placed_within_28d);
        an_tbl_f64(t, v->wait_sum);
        an_tbl_u64(t, v->waited);
        an_tbl_f64(t, v->waited_sum);
    }
}

int an_h5p_begin(hid_t points, const char *name, const an_point *pt, an_h5p **out)
{
    *out = NULL;
    an_h5p *p = calloc(1, sizeof *p);
    if (!p)
        return SIM_ENOMEM;
    p->pg = p->metrics_g = p->monthly_g = p->yearly_g = p->done_d = H5I_INVALID_HID;
    for (size_t k = 0; k < N_MONTHLY; k++)
        p->monthly_d[k] = H5I_INVALID_HID;
    p->n = pt->n_reps;
    p->nm = rf_metric_count();
    p->first_month = pt->params ? pt->params->start_month : 1;
    p->n_screen = pt->params ? pt->params->n_screen : 0;
    if (p->n_screen < 0 || p->n_screen > RF_MAX_SCREEN)
        p->n_screen = 0;
    int st = SIM_ENOMEM;
    if (!(p->metric_d = malloc((p->nm + 1) * sizeof *p->metric_d))
        || !(p->yearly_d = malloc((p->nm + 1) * sizeof *p->yearly_d)))
        goto fail;
    for (size_t m = 0; m < p->nm; m++)
        p->metric_d[m] = p->yearly_d[m] = H5I_INVALID_HID;
    st = SIM_EHDF5;
    if ((p->pg = H5Gcreate2(points, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0
        || (p->metrics_g = H5Gcreate2(p->pg, "metrics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0
        || (p->monthly_g = H5Gcreate2(p->pg, "monthly", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)) < 0)
        goto fail;
    hsize_t dim = p->n;
    unsigned char no = 0;
    st = an_h5i_create_array(p->pg, "done", H5T_NATIVE_UCHAR, 1, &dim, &no, "flag",
                             "1 where the replication completed (index = replication)", &p->done_d);
    double nan = NAN;
    for (size_t m = 0; m < p->nm && !st; m++) {
        const rf_metric_info *mi = rf_metric_at(m);
        st = an_h5i_create_array(p->metrics_g, mi->name, H5T_NATIVE_DOUBLE, 1, &dim, &nan,
                                 mi->units, mi->description, &p->metric_d[m]);
    }
    replications_columns(&p->reps_t, p->nm);
    outcomes_columns(&p->out_t, pt->params, p->n_screen);
    if (!st) st = an_tbl_create(p->pg, "replications", &p->reps_t, replications_desc, p->n);
    if (!st) st = an_tbl_create(p->pg, "outcomes", &p->out_t, outcomes_desc, p->n);
    p->n_names = -1;
    if (pt->params) {
        p->n_names = pt->params->n_services < 0 ? 0
                     : pt->params->n_services > RF_MAX_SERVICES ? RF_MAX_SERVICES
                     : pt->params->n_services;
        for (int k = 0; k < p->n_names; k++)
            snprintf(p->names[k], RF_NAME_MAX, "%s", pt->params->services[k].name);
    }
    services_columns(&p->svc_t);
    groups_columns(&p->grp_t);
    size_t ns = pt->params && pt->params->n_services > 0 ? (size_t)pt->params->n_services : 1;
    if (!st) st = an_tbl_create(p->pg, "services", &p->svc_t, services_desc, p->n * ns);
    if (!st) st = an_tbl_create(p->pg, "groups", &p->grp_t, groups_desc, p->n * RF_G_N);
    ratio_parts_columns(&p->parts_t, p->nm);
    if (!st) st = an_tbl_create(p->pg, "ratio_parts", &p->parts_t, ratio_parts_desc, p->n);
    if (st)
        goto fail;
    *out = p;
    return SIM_OK;
fail:
    an_h5p_free(p);
    return st;
}

/* The monthly datasets, [replications x nmon], NaN until written. */
static int make_monthly(an_h5p *p, size_t nmon)
{
    if (nmon > RF_MONTHS_MAX)
        nmon = RF_MONTHS_MAX;
    p->nmon = nmon;
    p->monthly_made = 1;
    int st = SIM_OK;
    double nan = NAN;
    for (size_t k = 0; k < N_MONTHLY && !st; k++) {
        hsize_t dims[2] = {p->n, nmon};
        char desc[AN_DESC_MAX];
        snprintf(desc, sizeof desc, "%s (NaN: replication not done)", monthly_series[k].description);
        hid_t d = H5I_INVALID_HID;
        st = an_h5i_create_array(p->monthly_g, monthly_series[k].name, H5T_NATIVE_DOUBLE, 2, dims,
                                 &nan, monthly_series[k].units, desc, &d);
        p->monthly_d[k] = d;
        if (!st) st = an_h5i_attr_str(d, "axes", "replication,month");
        if (!st) st = an_h5i_attr_num(d, "month_days", H5T_NATIVE_DOUBLE, &(double){365.0 / 12.0});
        if (!st) st = an_h5i_attr_int(d, "first_month", p->first_month);
    }
    return st;
}

/* /points/<i>/yearly/<metric> [replications x ny] for every metric kept by
 * year, NaN until written. */
static int make_yearly(an_h5p *p, size_t ny)
{
    if (ny > RF_YEARS_MAX)
        ny = RF_YEARS_MAX;
    p->ny = ny;
    p->yearly_made = 1;
    p->yearly_g = H5Gcreate2(p->pg, "yearly", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    int st = p->yearly_g < 0 ? SIM_EHDF5 : SIM_OK;
    double nan = NAN;
    for (size_t m = 0; m < p->nm && !st; m++) {
        if (!rf_metric_by_year(m))
            continue;
        const rf_metric_info *mi = rf_metric_at(m);
        hsize_t dims[2] = {p->n, ny};
        char desc[AN_DESC_MAX];
        snprintf(desc, sizeof desc, "%s, year by year of the horizon (NaN: not done or undefined)",
                 mi->description);
        st = an_h5i_create_array(p->yearly_g, mi->name, H5T_NATIVE_DOUBLE, 2, dims, &nan,
                                 mi->units, desc, &p->yearly_d[m]);
        if (!st) st = an_h5i_attr_str(p->yearly_d[m], "axes", "replication,year");
        if (!st) st = an_h5i_attr_num(p->yearly_d[m], "year_days", H5T_NATIVE_DOUBLE,
                                      &(double){RF_YEAR_DAYS});
    }
    return st;
}

#define YEAR_BLOCK 256            /* records whose year parts are at hand at once */

/* The yearly rows of records [0, n) (replications first..), a block at a
 * time: each metric's value in each year (NaN: not done, not reached,
 * undefined). */
static int add_yearly(an_h5p *p, size_t first, size_t n, const rf_result *res, size_t res_stride,
                      const unsigned char *done)
{
    size_t nm = p->nm, ny = p->ny;
    if (!ny)
        return SIM_OK;
    double *num = malloc((YEAR_BLOCK * ny * nm + 1) * sizeof *num);
    double *den = malloc((YEAR_BLOCK * ny * nm + 1) * sizeof *den);
    double *col = malloc((YEAR_BLOCK * ny + 1) * sizeof *col);
    int st = num && den && col ? SIM_OK : SIM_ENOMEM;
    for (size_t r0 = 0; r0 < n && !st; r0 += YEAR_BLOCK) {
        size_t k = n - r0 < YEAR_BLOCK ? n - r0 : YEAR_BLOCK;
        for (size_t i = 0; i < k && !st; i++) {
            const rf_result *x = (const rf_result *)((const unsigned char *)res + (r0 + i) * res_stride);
            int ok = !done || done[r0 + i];
            /* a point's replications share their years */
            if (ok && x->n_years > 0 && (size_t)x->n_years > ny)
                st = SIM_EINVAL;
            for (size_t y = 0; y < ny; y++) {
                double *nu = num + (i * ny + y) * nm, *de = den + (i * ny + y) * nm;
                if (ok && (int)y < x->n_years)
                    rf_result_year_metric_parts(x, (int)y, nu, de);
                else
                    for (size_t m = 0; m < nm; m++)
                        nu[m] = de[m] = NAN;
            }
        }
        for (size_t m = 0; m < nm && !st; m++) {
            if (p->yearly_d[m] < 0)
                continue;
            int ratio = rf_metric_at(m)->denominator != NULL;
            for (size_t j = 0; j < k * ny; j++) {
                double nu = num[j * nm + m], de = den[j * nm + m];
                col[j] = ratio ? (de > 0 ? nu / de : NAN) : nu;
            }
            st = an_h5i_write_rows(p->yearly_d[m], H5T_NATIVE_DOUBLE, first + r0, k, col);
        }
    }
    free(num);
    free(den);
    free(col);
    return st;
}

#define REC(i) ((const rf_result *)((const unsigned char *)res + (i) * res_stride))
#define DONE(i) (!done || done[i])

int an_h5p_add(an_h5p *p, size_t first, size_t n, const rf_result *res, size_t res_stride,
               const unsigned char *done)
{
    if (!n)
        return SIM_OK;
    if (first != p->next || n > p->n - first || !res)
        return SIM_EINVAL;
    p->next += n;
    int st = SIM_OK;
    /* every replication of a point covers the months of its horizon: the
     * first completed one says how many */
    for (size_t r = 0; r < n && !p->monthly_made && !st; r++)
        if (DONE(r))
            st = make_monthly(p, REC(r)->n_months > 0 ? (size_t)REC(r)->n_months : 0);
    for (size_t r = 0; r < n && !p->yearly_made && !st; r++)
        if (DONE(r))
            st = make_yearly(p, REC(r)->n_years > 0 ? (size_t)REC(r)->n_years : 0);
    if (!st && p->yearly_made)
        st = add_yearly(p, first, n, res, res_stride, done);
    if (st)
        return st;
    size_t nm = p->nm, nmon = p->nmon;
    double *vals = malloc((n * nm + 1) * sizeof *vals), *col = malloc((n * nmon + n + 1) * sizeof *col);
    unsigned char *flags = malloc(n + 1);
    if (!vals || !col || !flags) {
        st = SIM_ENOMEM;
        goto out;
    }
    for (size_t r = 0; r < n; r++) {
        flags[r] = DONE(r) ? 1 : 0;
        if (flags[r])
            rf_result_metrics(REC(r), &vals[r * nm]);
        else
            for (size_t m = 0; m < nm; m++)
                vals[r * nm + m] = NAN;
    }
    st = an_h5i_write_rows(p->done_d, H5T_NATIVE_UCHAR, first, n, flags);
    for (size_t m = 0; m < nm && !st; m++) {
        for (size_t r = 0; r < n; r++)
            col[r] = vals[r * nm + m];
        st = an_h5i_write_rows(p->metric_d[m], H5T_NATIVE_DOUBLE, first, n, col);
    }
    for (size_t r = 0; r < n && !st; r++) {
        if (!flags[r])
            continue;
        an_tbl_row(&p->reps_t);
        an_tbl_u64(&p->reps_t, first + r);
        for (size_t m = 0; m < nm; m++)
            an_tbl_f64(&p->reps_t, vals[r * nm + m]);
        outcomes_row(&p->out_t, first + r, REC(r), p->n_screen);
        services_rows(&p->svc_t, p, first + r, REC(r));
        groups_rows(&p->grp_t, first + r, REC(r));
        ratio_parts_row(&p->parts_t, nm, first + r, REC(r));
    }
    if (!st) st = an_tbl_append(p->pg, "replications", &p->reps_t);
    if (!st) st = an_tbl_append(p->pg, "outcomes", &p->out_t);
    if (!st) st = an_tbl_append(p->pg, "services", &p->svc_t);
    if (!st) st = an_tbl_append(p->pg, "groups", &p->grp_t);
    if (!st) st = an_tbl_append(p->pg, "ratio_parts", &p->parts_t);
    for (size_t k = 0; k < N_MONTHLY && !st && p->monthly_made; k++) {
        for (size_t r = 0; r < n; r++)
            for (size_t m = 0; m < nmon; m++) {
                const rf_result *x = REC(r);
                int ok = flags[r] && m < (size_t)x->n_months;
                col[r * nmon + m] = ok ? monthly_series[k].value(x, m) : NAN;
            }
        st = an_h5i_write_rows(p->monthly_d[k], H5T_NATIVE_DOUBLE, first, n, col);
    }
out:
    free(vals);
    free(col);
    free(flags);
    return st;
}

#undef REC
#undef DONE

static const char *const stat_names[] = {"mean", "sd", "ci95", "p10", "p50", "p90", "min", "max"};

static int write_summary(hid_t pg, const an_point_summary *ps)
{
    an_tbl t = {0};
    an_tbl_column(&t, "metric", AN_COL_STR, "");
    an_tbl_column(&t, "units", AN_COL_STR, "");
    an_tbl_column(&t, "description", AN_COL_TEXT, "");
    an_tbl_column(&t, "n", AN_COL_U64, "replications");
    for (size_t c = 0; c < 8; c++)
        an_tbl_column(&t, stat_names[c], AN_COL_F64, "units of the metric");
    /* Added in format version 1 after the columns above (readers find
     * columns by name). */
    an_tbl_column(&t, "estimator", AN_COL_STR, "");
    an_tbl_column(&t, "se", AN_COL_F64, "units of the metric");
    an_tbl_column(&t, "rep_mean", AN_COL_F64, "units of the metric");
    an_tbl_column(&t, "total_numerator", AN_COL_F64, "see ratio_parts");
    an_tbl_column(&t, "total_denominator", AN_COL_F64, "see ratio_parts");
    an_tbl_column(&t, "numerator", AN_COL_TEXT, "");
    an_tbl_column(&t, "denominator", AN_COL_TEXT, "");
    for (size_t m = 0; m < ps->n_metrics; m++) {
        const an_metric_summary *ms = &ps->metrics[m];
        int k = rf_metric_find(ms->name);
        const rf_metric_info *mi = k >= 0 ? rf_metric_at((size_t)k) : NULL;
        an_tbl_row(&t);
        an_tbl_str(&t, ms->name);
        an_tbl_str(&t, ms->units);
        an_tbl_str(&t, ms->description);
        an_tbl_u64(&t, ms->s.n);
        const double v[8] = {ms->s.mean, ms->s.sd, ms->s.ci95, ms->s.p10,
                             ms->s.p50,  ms->s.p90, ms->s.min, ms->s.max};
        for (size_t c = 0; c < 8; c++)
            an_tbl_f64(&t, v[c]);
        an_tbl_str(&t, ms->pooled ? "ratio_of_sums" : "mean");
        an_tbl_f64(&t, ms->se);
        an_tbl_f64(&t, ms->rep_mean);
        an_tbl_f64(&t, ms->total_num);
        an_tbl_f64(&t, ms->total_den);
        an_tbl_str(&t, mi ? mi->numerator : "");
        an_tbl_str(&t, mi && mi->denominator ? mi->denominator : "");
    }
    return an_tbl_write(pg, "summary", &t,
                     "per metric over completed replications: mean is the estimate (the ratio "
                     "of the summed numerators and denominators for estimator ratio_of_sums, "
                     "else the mean of the replications), se and ci95 its standard error and "
                     "95% half-width (delta method, Student t); sd, p10, p50, p90, min, max and "
                     "rep_mean describe the per-replication values");
}

/* The point's unit mix, one row a block, from the params it ran with (after
 * spaces / extra[...]): what a planner needs to know which units were in
 * it without reading the scenario.  Words as the scenario writes them. */
static int write_units(hid_t pg, const rf_params *p)
{
    static const char *const nrpf[] = {"no", "case_by_case", "yes"};
    static const char *const spec[] = {"none", "bme", "young_women"};
    an_tbl t = {0};
    an_tbl_column(&t, "service", AN_COL_STR, "");
    an_tbl_column(&t, "block", AN_COL_STR, "");
    an_tbl_column(&t, "units", AN_COL_I64, "units");
    an_tbl_column(&t, "area", AN_COL_STR, "");
    an_tbl_column(&t, "largest_family", AN_COL_I64, "persons");
    an_tbl_column(&t, "wheelchair", AN_COL_I64, "flag");
    an_tbl_column(&t, "takes_male", AN_COL_I64, "flag");
    an_tbl_column(&t, "takes_pets", AN_COL_I64, "flag");
    an_tbl_column(&t, "male_child_age_limit", AN_COL_I64, "years");
    an_tbl_column(&t, "nrpf", AN_COL_STR, "");
    an_tbl_column(&t, "night_security", AN_COL_I64, "flag");
    an_tbl_column(&t, "high_support", AN_COL_I64, "flag");
    an_tbl_column(&t, "self_contained", AN_COL_I64, "flag");
    an_tbl_column(&t, "specialism", AN_COL_STR, "");
    an_tbl_column(&t, "opens", AN_COL_F64, "days");
    an_tbl_column(&t, "closes", AN_COL_F64, "days");
    an_tbl_column(&t, "cost_per_unit_year", AN_COL_F64, "currency");
    an_tbl_column(&t, "cost_per_placement", AN_COL_F64, "currency");
    for (int s = 0; s < p->n_services; s++)
        for (int b = 0; b < p->services[s].n_blocks; b++) {
            const rf_unit_block *u = &p->services[s].blocks[b];
            an_tbl_row(&t);
            an_tbl_str(&t, p->services[s].name);
            an_tbl_str(&t, u->name);
            an_tbl_i64(&t, u->count);
            an_tbl_str(&t, p->n_areas > 0 && u->area >= 0 && u->area < p->n_areas
                               ? p->area_names[u->area] : "");
            an_tbl_i64(&t, u->largest_family);
            an_tbl_i64(&t, u->wheelchair);
            an_tbl_i64(&t, u->takes_male);
            an_tbl_i64(&t, u->takes_pets);
            an_tbl_i64(&t, u->male_child_age_limit == RF_NO_LIMIT ? -1 : u->male_child_age_limit);
            an_tbl_str(&t, (unsigned)u->nrpf < 3 ? nrpf[u->nrpf] : "?");
            an_tbl_i64(&t, u->night_security);
            an_tbl_i64(&t, u->high_support);
            an_tbl_i64(&t, u->self_contained);
            an_tbl_str(&t, (unsigned)u->specialism < RF_SPEC_N ? spec[u->specialism] : "?");
            an_tbl_f64(&t, u->opens);
            an_tbl_f64(&t, u->closes);
            an_tbl_f64(&t, u->cost_unit_year);
            an_tbl_f64(&t, u->cost_placement);
        }
    return an_tbl_write(pg, "units", &t,
                        "the point's unit mix, one row per block of units: service, block (its "
                        "name; empty for the service's own units, what its blocks leave), units "
                        "(after spaces / extra), area, and the attributes households are matched "
                        "on (male_child_age_limit -1: none; opens / closes 0: from the start / "
                        "never)");
}

/* /points/<i>/yearly_summary: each year's pooled estimates (the yearly
 * datasets are written as the replications come, add_yearly). */
static int write_yearly(hid_t pg, const an_point_summary *ps)
{
    const an_years *Y = ps->years;
    if (!Y || Y->n_reps != ps->n_reps || Y->n_metrics != rf_metric_count())
        return SIM_EINVAL;
    size_t ny = Y->n_years, nm = Y->n_metrics;
    an_tbl t = {0};
    an_tbl_column(&t, "year", AN_COL_U64, "year");
    an_tbl_column(&t, "days", AN_COL_F64, "days");
    an_tbl_column(&t, "metric", AN_COL_STR, "");
    an_tbl_column(&t, "units", AN_COL_STR, "");
    an_tbl_column(&t, "mean", AN_COL_F64, "metric units");
    an_tbl_column(&t, "lo", AN_COL_F64, "metric units");
    an_tbl_column(&t, "hi", AN_COL_F64, "metric units");
    an_tbl_column(&t, "half_width", AN_COL_F64, "metric units");
    an_tbl_column(&t, "n", AN_COL_U64, "replications");
    for (size_t y = 0; y < ny; y++)
        for (size_t m = 0; m < nm; m++) {
            if (!rf_metric_by_year(m))
                continue;
            const rf_metric_info *mi = rf_metric_at(m);
            sim_ratio e;
            an_year_estimate(ps, y, mi->name, &e);
            an_tbl_row(&t);
            an_tbl_u64(&t, y + 1);
            an_tbl_f64(&t, ps->years->days[y]);
            an_tbl_str(&t, mi->name);
            an_tbl_str(&t, mi->units);
            an_tbl_f64(&t, e.ratio);
            an_tbl_f64(&t, e.ratio - e.ci95);
            an_tbl_f64(&t, e.ratio + e.ci95);
            an_tbl_f64(&t, e.ci95);
            an_tbl_u64(&t, e.n);
        }
    return an_tbl_write(pg, "yearly_summary", &t,
                        "one row per year of the horizon (1 = the first after warm-up) and metric "
                        "kept by year: the estimate over the point's completed replications "
                        "(pooled for ratio metrics, as in summary) and its 95% confidence interval "
                        "lo..hi; a year's shares are of the referrals arriving in it");
}


int an_h5p_end(an_h5p *p, const an_point *pt, const an_point_summary *ps,
               const char *scenario_text)
{
    int st = p->monthly_made ? SIM_OK : make_monthly(p, 0);
    if (!st && !p->yearly_made)
        st = make_yearly(p, 0);
    hid_t pg = p->pg;
    if (!st) st = write_summary(pg, ps);
    if (!st && pt->params) st = write_units(pg, pt->params);
    if (!st) st = write_yearly(pg, ps);
    if (!st) st = an_h5i_write_network(pg, ps);
    if (!st && pt->stopped)
        st = an_h5i_attr_str(pg, "stopped", pt->stopped);
    if (!st && pt->stopped)
        st = an_h5i_attr_u64(pg, "reps_first_met", pt->first_met);
    if (!st)
        st = an_h5i_write_text(pg, "scenario", pt->scenario_text ? pt->scenario_text : scenario_text,
                               "resolved scenario of this point, its unit counts written out");
    an_h5p_free(p);
    return st;
}
