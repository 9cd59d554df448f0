/* A summary built a chunk at a time keeping only estimates (no
 * AN_BUILD_PARTS, AN_YEARS_ESTIMATES: what run and run -o keep) gives every
 * metric's summary, every service and group pool and every year's estimate
 * bit for bit as the summary that keeps each replication's parts
 * (from_results + add_years), and refuses the paired differences it has
 * no parts for instead of inventing them. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "an_summary.h"
#include "sim_status.h"
#include "rf_model.h"
#include "rf_scenario.h"

Test(summary_stream, years_estimates_alone_are_the_same_bits)
{
    static char path[512];
    const char *root = getenv("RS_ROOT");
    cr_assert_not_null(root, "RS_ROOT not set (run through make test)");
    snprintf(path, sizeof path, "%s/scenarios/example-county-20-more-from-year-2.yaml", root);
    rf_scenario *scen;
    cr_assert_eq(rf_scenario_load_file(path, NULL, 0, &scen, NULL), SIM_OK);
    const rf_params *prm = rf_scenario_params(scen);
    enum { n = 45 };
    rf_result *r = calloc(n, sizeof *r);
    unsigned char done[n];
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(rf_model_run(prm, i, &r[i]), SIM_OK);
        done[i] = i % 4 != 1;
    }
    an_point_summary whole, lean;
    cr_assert_eq(an_point_summary_from_results(&whole, "x", prm, r, done, n), SIM_OK);
    cr_assert_eq(an_point_summary_add_years(&whole, r, done, n), SIM_OK);
    an_summary_builder *b;
    cr_assert_eq(an_summary_build_begin(&b, "x", prm, n, 0, AN_YEARS_ESTIMATES), SIM_OK);
    for (size_t i = 0; i < n; i += 8)
        cr_assert_eq(an_summary_build_add(b, r + i, NULL, sizeof *r, done + i, n - i < 8 ? n - i : 8),
                     SIM_OK);
    cr_assert_eq(an_summary_build_end(b, &lean), SIM_OK);
    cr_assert_null(lean.years->num, "no replication's year parts kept");
    cr_assert_null(lean.num, "no replication's metric parts kept without AN_BUILD_PARTS");
    /* the metrics' estimates (pooled) and spread (values kept): the same bits */
    cr_assert_eq(lean.n_metrics, whole.n_metrics);
    for (size_t m = 0; m < lean.n_metrics; m++)
        cr_assert(memcmp(&lean.metrics[m], &whole.metrics[m], sizeof lean.metrics[m]) == 0,
                  "metric %s", whole.metrics[m].name);
    sim_ratio_diff pd;
    cr_assert_eq(an_point_summary_paired_diff(&lean, &whole, "placed", &pd), SIM_ENOTFOUND);
    /* and the services' and groups' pools */
    cr_assert(memcmp(lean.svc_pool, whole.svc_pool,
                     (size_t)whole.n_services * AN_SVC_POOLS * sizeof *whole.svc_pool) == 0);
    cr_assert(memcmp(lean.grp_pool, whole.grp_pool, RF_G_N * AN_GRP_N * sizeof *whole.grp_pool) == 0);
    cr_assert_eq(lean.years->n_years, whole.years->n_years);
    cr_assert_geq(lean.years->n_years, 3);
    size_t checked = 0;
    for (size_t y = 0; y < lean.years->n_years; y++)
        for (size_t m = 0; m < rf_metric_count(); m++) {
            sim_ratio a, c;
            const char *name = rf_metric_at(m)->name;
            cr_assert_eq(an_year_estimate(&lean, y, name, &a), SIM_OK);
            cr_assert_eq(an_year_estimate(&whole, y, name, &c), SIM_OK);
            cr_assert(memcmp(&a, &c, sizeof a) == 0, "%s year %zu: %.17g +- %.17g vs %.17g +- %.17g",
                      name, y + 1, a.ratio, a.ci95, c.ratio, c.ci95);
            checked += a.n > 0;
        }
    cr_assert_gt(checked, 20);
    sim_ratio_diff dd;
    cr_assert_eq(an_year_paired_diff(&lean, &whole, 0, "placed", &dd), SIM_ENOTFOUND);
    cr_assert_eq(an_year_paired_diff(&whole, &whole, 0, "placed", &dd), SIM_OK);
    an_point_summary_free(&whole);
    an_point_summary_free(&lean);
    free(r);
    rf_scenario_free(scen);
}
