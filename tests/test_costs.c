/* Costs (cost: {per_unit_year, per_placement} on a service or block): the
 * record's cost against the one computed by hand from its unit-days and
 * placements, a block's own cost against its service's, units opening
 * later costing from their opening, the years adding up to the whole; in
 * compare the extra cost per extra household accommodated against the
 * delta method worked by hand from the per-replication differences. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <math.h>
#include "rf_scenario.h"
#include "sim_status.h"
#include "study_compare.h"
#include "test_model_util.h"

static rf_scenario *load(const char *extra)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: costs\nhorizon: 730\nwarmup: 0\nseed: 5\nreferrals: {per_year: 150}\n"
             "households: {adults: {dist: constant, mean: 1}, children: {dist: constant, mean: 0},"
             " p_pet: 0.3}\n"
             "services:\n  - name: a\n    units: 4\n    largest_family: 5\n"
             "    stay: {dist: exponential, mean: 20}\n"
             "    cost: {per_unit_year: 36500, per_placement: 500}\n"
             "    blocks:\n      - {name: pets, units: 1, takes_pets: true, %s}\n", extra);
    rf_scenario *sc = NULL;
    rf_diags d;
    int rc = rf_scenario_load_text(yaml, "costs.yaml", NULL, 0, &sc, &d);
    cr_assert_eq(rc, SIM_OK, "%s: %s", d.n ? d.items[0].key : "", d.n ? d.items[0].message : "");
    return sc;
}

static uint64_t block_placements;
static void count_block(void *user, const rf_outcome_info *e)
{
    (void)user;
    if (e->block == 1 && (e->outcome == RF_OUT_PLACED_IMMEDIATELY || e->outcome == RF_OUT_PLACED_AFTER_WAIT))
        block_placements++;
}

Test(costs, cost_is_unit_days_and_placements_by_hand)
{
    /* the pets block: its own cost; it opens on day 100 */
    rf_scenario *sc = load("opens: 100, cost: {per_unit_year: 73000, per_placement: 1000}");
    const rf_params *p = rf_scenario_params(sc);
    for (uint64_t rep = 0; rep < 10; rep++) {
        rf_result r;
        block_placements = 0;
        rf_model_hooks h = {count_block, NULL};
        cr_assert_eq(rf_model_run_ex(p, rep, &r, &h), SIM_OK);
        const rf_service_result *s = &r.services[0];
        /* 3 plain units x 730 days x 100 a day, 1 pets unit x 630 days x 200 a day */
        double want = 3 * 730 * 100.0 + 630 * 200.0
                      + 500.0 * (double)(s->placements - block_placements) + 1000.0 * (double)block_placements;
        cr_expect(fabs(r.cost - want) < 1e-6, "rep %lu: cost %.6f, by hand %.6f", (unsigned long)rep,
                  r.cost, want);
        cr_expect(fabs(s->cost - r.cost) < 1e-9);
        cr_expect_gt(block_placements, 0);
        double years = 0;
        for (int y = 0; y < r.n_years; y++)
            years += r.years[y].cost;
        cr_expect(fabs(years - r.cost) < 1e-6, "the years add up: %.6f vs %.6f", years, r.cost);
        /* the metrics: a year of cost, and per household placed */
        double num[64], den[64];
        rf_result_metric_parts(&r, num, den);
        int iy = rf_metric_find("cost_per_year"), ih = rf_metric_find("cost_per_accommodated");
        cr_expect(fabs(num[iy] / den[iy] - r.cost / 2) < 1e-6);
        double placed = (double)(r.outcomes[RF_OUT_PLACED_IMMEDIATELY] + r.outcomes[RF_OUT_PLACED_AFTER_WAIT]);
        cr_expect(fabs(num[ih] / den[ih] - r.cost / placed) < 1e-9);
    }
    rf_scenario_free(sc);
}

Test(costs, check_refuses_a_negative_cost)
{
    char yaml[] = "name: c\nhorizon: 365\nreferrals: {per_year: 10}\nservices:\n  - name: a\n    units: 2\n    largest_family: 5\n"
                  "    stay: {dist: exponential, mean: 20}\n    cost: {per_unit_year: -1}\n";
    rf_scenario *sc = NULL;
    rf_diags d;
    cr_assert_neq(rf_scenario_load_text(yaml, "c.yaml", NULL, 0, &sc, &d), SIM_OK);
    int found = 0;
    for (int i = 0; i < d.n; i++)
        found |= strstr(d.items[i].key, "cost.per_unit_year") != NULL;
    cr_expect(found);
    rf_scenario_free(sc);
}

Test(costs, extra_cost_per_extra_household_by_hand)
{
    char path[512];
    const char *root = getenv("RS_ROOT");
    cr_assert_not_null(root, "RS_ROOT not set (run through make test)");
    snprintf(path, sizeof path, "%s/scenarios/leicestershire-county.yaml", root);
    static const char *sets[] = {"replications=30",
                                 "services[county refuges].cost={per_unit_year: 28000, per_placement: 500}"};
    const char *vs[] = {"extra[county refuges]=6"};
    study_compare_cfg cc = {.base = {.points = {.scenario_path = path, .sets = sets, .n_sets = 2},
                                     .threads = 2},
                            .vs = vs, .n_vs = 1};
    study_compare_result res;
    study_error *err = malloc(sizeof *err);
    cr_assert_eq(study_compare(&cc, &res, err), SIM_OK, "%s", err->message);
    size_t n;
    const an_comparison *rows = study_compare_rows(&res, 1, &n), *ic = NULL;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].metric, AN_EXTRA_COST_METRIC))
            ic = &rows[i];
    cr_assert_not_null(ic);
    const an_point_summary *b = study_summary(res.s, 0), *a = study_summary(res.s, 1);
    size_t ic_ = 0, ip = 0;
    while (strcmp(b->metrics[ic_].name, "cost_per_year"))
        ic_++;
    while (strcmp(b->metrics[ip].name, "placed"))
        ip++;
    double dc[30], dp[30], sc = 0, sp = 0;
    for (size_t r = 0; r < 30; r++) {
        dc[r] = a->num[r * a->n_metrics + ic_] - b->num[r * b->n_metrics + ic_];
        dp[r] = a->num[r * a->n_metrics + ip] - b->num[r * b->n_metrics + ip];
        sc += dc[r];
        sp += dp[r];
    }
    double R = sc / sp, e2 = 0;
    for (size_t r = 0; r < 30; r++)
        e2 += (dc[r] - R * dp[r]) * (dc[r] - R * dp[r]);
    double se = sqrt(e2 / (30.0 * 29.0)) / (sp / 30);
    cr_expect(fabs(ic->d.diff - R) < 1e-9 * R, "%g vs %g", ic->d.diff, R);
    cr_expect(fabs(ic->d.se - se) < 1e-9 * se, "%g vs %g", ic->d.se, se);
    cr_expect(fabs(ic->d.ci95 - sim_t975(29) * se) < 1e-9 * se);
    /* 6 units a year cost 168,000 more, and each placement 500: the extra
     * cost per extra household is above 500 and finite */
    cr_expect(R > 500 && isfinite(ic->d.ci95));
    study_compare_result_free(&res);
    free(err);
}
