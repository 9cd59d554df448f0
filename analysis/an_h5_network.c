#include "an_h5_network.h"
#include "an_h5_table.h"
#include "rf_result.h"
#include "sim_status.h"

#include <stdio.h>

static int write_areas(hid_t pg, const an_point_summary *ps)
{
    an_tbl t = {0};
    an_tbl_column(&t, "area", AN_COL_STR, "");
    an_tbl_column(&t, "rep", AN_COL_U64, "replication");
    an_tbl_column(&t, "referrals", AN_COL_U64, "referrals");
    for (int o = 0; o < RF_OUT_N; o++)
        an_tbl_column(&t, rf_outcome_name((rf_outcome)o), AN_COL_U64, "referrals");
    an_tbl_column(&t, "placed_in", AN_COL_U64, "households");
    an_tbl_column(&t, "placed_in_from_elsewhere", AN_COL_U64, "households");
    an_tbl_column(&t, "units", AN_COL_I64, "units");
    an_tbl_column(&t, "occupied_days", AN_COL_F64, "unit-days");
    an_tbl_column(&t, "unit_days", AN_COL_F64, "unit-days");
    if (an_tbl_create(pg, "areas", &t,
                     "one row per area and completed replication: its residents' referrals and "
                        "outcomes (after warm-up), placements into its units and how many of them "
                        "came from other areas, its units (at the start), occupied unit-days and "
                        "unit-days in service",
                     ps->n_reps * (size_t)ps->n_areas))
        return an_tbl_finish(&t);
    for (int a = 0; a < ps->n_areas; a++)
        for (size_t slot = 0; slot < ps->n_reps; slot++) {
            const rf_area_result *x = &ps->areas[slot * (size_t)ps->n_areas + (size_t)a];
            an_tbl_row(&t);
            an_tbl_str(&t, ps->area_names[a]);
            an_tbl_u64(&t, ps->reps[slot]);
            an_tbl_u64(&t, x->referrals);
            for (int o = 0; o < RF_OUT_N; o++)
                an_tbl_u64(&t, x->outcomes[o]);
            an_tbl_u64(&t, x->placed_in);
            an_tbl_u64(&t, x->placed_in_from_elsewhere);
            an_tbl_i64(&t, x->units);
            an_tbl_f64(&t, x->occupied_days);
            an_tbl_f64(&t, x->unit_days);
        }
    return an_tbl_finish(&t);
}

static int write_flows(hid_t pg, const an_point_summary *ps)
{
    an_tbl t = {0};
    an_tbl_column(&t, "rep", AN_COL_U64, "replication");
    an_tbl_column(&t, "origin", AN_COL_STR, "");
    an_tbl_column(&t, "destination", AN_COL_STR, "");
    an_tbl_column(&t, "placements", AN_COL_U64, "households");
    const rf_flow_layout *l = &ps->flow_layout;
    if (an_tbl_create(pg, "flows", &t,
                     "one row per completed replication, area of origin and area of the unit "
                        "acceptable to its residents (pairs not listed: none can be placed there): "
                        "referrals (after warm-up) placed",
                     ps->n_reps * ps->flow_layout.n_cells))
        return an_tbl_finish(&t);
    for (size_t slot = 0; slot < ps->n_reps; slot++) {
        const uint32_t *fl = &ps->flows[slot * l->n_cells];
        for (int o = 0; o < ps->n_areas; o++)
            for (size_t c = l->row[o]; c < l->row[o + 1]; c++) {
                an_tbl_row(&t);
                an_tbl_u64(&t, ps->reps[slot]);
                an_tbl_str(&t, ps->area_names[o]);
                an_tbl_str(&t, ps->area_names[l->dest[c]]);
                an_tbl_u64(&t, fl[c]);
            }
    }
    return an_tbl_finish(&t);
}

static void summary_columns(an_tbl *t)
{
    an_tbl_column(t, "mean", AN_COL_F64, "");
    an_tbl_column(t, "lo", AN_COL_F64, "");
    an_tbl_column(t, "hi", AN_COL_F64, "");
    an_tbl_column(t, "half_width", AN_COL_F64, "");
    an_tbl_column(t, "n", AN_COL_U64, "replications");
}

static void summary_cells(an_tbl *t, const sim_summary *s)
{
    an_tbl_f64(t, s->mean);
    an_tbl_f64(t, s->mean - s->ci95);
    an_tbl_f64(t, s->mean + s->ci95);
    an_tbl_f64(t, s->ci95);
    an_tbl_u64(t, s->n);
}

static const struct {
    const char *name, *units;
} measures[AN_AREA_N] = {
    {"referrals_per_year", "referrals/year"}, {"placed", "share"},
    {"refused_no_space", "share"},            {"no_suitable_unit", "share"},
    {"declined_offer", "share"},              {"not_placed", "share"},
    {"placed_elsewhere", "share of placed"},  {"units", "units"},
    {"placements_in_per_year", "households/year"}, {"from_elsewhere", "share of placements in"},
    {"occupancy", "share"},
};

static int write_area_summary(hid_t pg, const an_point_summary *ps)
{
    an_tbl t = {0};
    an_tbl_column(&t, "area", AN_COL_STR, "");
    an_tbl_column(&t, "measure", AN_COL_STR, "");
    an_tbl_column(&t, "units", AN_COL_STR, "");
    summary_columns(&t);
    for (int a = -1; a < ps->n_areas; a++)
        for (int m = 0; m < AN_AREA_N; m++) {
            sim_summary s;
            int area = a < 0 ? -1 : a;
            an_area_summary(ps, area, (an_area_measure)m, &s);
            an_tbl_row(&t);
            an_tbl_str(&t, a < 0 ? "all areas" : ps->area_names[a]);
            an_tbl_str(&t, measures[m].name);
            an_tbl_str(&t, measures[m].units);
            summary_cells(&t, &s);
        }
    return an_tbl_write(pg, "area_summary", &t,
                        "per area (and all areas): its residents' outcomes as shares of their "
                        "referrals (placed_elsewhere of those placed), its units, placements into "
                        "them (from_elsewhere: share from other areas) and occupancy; pooled "
                        "estimates with 95% intervals lo..hi");
}

static int write_flow_summary(hid_t pg, const an_point_summary *ps)
{
    an_tbl t = {0};
    an_tbl_column(&t, "origin", AN_COL_STR, "");
    an_tbl_column(&t, "destination", AN_COL_STR, "");
    summary_columns(&t);
    const rf_flow_layout *l = &ps->flow_layout;
    for (int o = 0; o < ps->n_areas; o++)
        for (size_t c = l->row[o]; c < l->row[o + 1]; c++) {
            int d = l->dest[c];
            sim_summary s;
            an_flow_summary(ps, o, d, &s);
            an_tbl_row(&t);
            an_tbl_str(&t, ps->area_names[o]);
            an_tbl_str(&t, ps->area_names[d]);
            summary_cells(&t, &s);
        }
    return an_tbl_write(pg, "flow_summary", &t,
                        "placements a year of residents of origin into units of destination "
                        "(the pairs of the flows table), mean over replications with its 95% "
                        "interval lo..hi");
}

int an_h5i_write_network(hid_t pg, const an_point_summary *ps)
{
    if (ps->n_areas <= 0)
        return SIM_OK;
    int st = write_areas(pg, ps);
    if (!st) st = write_flows(pg, ps);
    if (!st) st = write_area_summary(pg, ps);
    if (!st) st = write_flow_summary(pg, ps);
    return st;
}

int an_h5i_write_area_comparison(hid_t g, const an_area_cmp_set *sets, size_t n_sets)
{
    an_tbl t = {0};
    an_tbl_column(&t, "point", AN_COL_U64, "point");
    an_tbl_column(&t, "label", AN_COL_LABEL, "");
    an_tbl_column(&t, "area", AN_COL_STR, "");
    an_tbl_column(&t, "measure", AN_COL_STR, "");
    an_tbl_column(&t, "units", AN_COL_STR, "");
    an_tbl_column(&t, "baseline", AN_COL_F64, "measure units");
    an_tbl_column(&t, "alternative", AN_COL_F64, "measure units");
    an_tbl_column(&t, "difference", AN_COL_F64, "measure units");
    an_tbl_column(&t, "lo", AN_COL_F64, "measure units");
    an_tbl_column(&t, "hi", AN_COL_F64, "measure units");
    an_tbl_column(&t, "half_width", AN_COL_F64, "measure units");
    an_tbl_column(&t, "n", AN_COL_U64, "replications");
    for (size_t k = 0; k < n_sets; k++)
        for (size_t i = 0; i < sets[k].n; i++) {
            const an_area_comparison *r = &sets[k].rows[i];
            for (int m = 0; m < AN_ACMP_N; m++) {
                const sim_ratio_diff *d = &r->d[m];
                an_tbl_row(&t);
                an_tbl_u64(&t, sets[k].point);
                an_tbl_str(&t, sets[k].label);
                an_tbl_str(&t, r->area < 0 ? "all areas" : sets[k].base->area_names[r->area]);
                an_tbl_str(&t, an_area_cmp_name((an_area_cmp_measure)m));
                an_tbl_str(&t, an_area_cmp_units((an_area_cmp_measure)m));
                an_tbl_f64(&t, d->b);
                an_tbl_f64(&t, d->a);
                an_tbl_f64(&t, d->diff);
                an_tbl_f64(&t, d->diff - d->ci95);
                an_tbl_f64(&t, d->diff + d->ci95);
                an_tbl_f64(&t, d->ci95);
                an_tbl_u64(&t, d->n);
            }
        }
    return an_tbl_write(g, "comparison_areas", &t,
                        "compare of a network: one row per alternative, area of residence (all "
                        "areas first) and measure: its residents placed (share of their "
                        "referrals, and a year), placements into its units a year and those of "
                        "residents of other areas; the alternative (point) minus the baseline "
                        "(point 0) paired over the same replications, 95% interval lo..hi");
}
