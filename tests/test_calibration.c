/* Calibration: the shipped scenarios reproduce the published figures they
 * were tuned to (the header comment of each file gives the sources, the tuned
 * values and the figures a 100-replication run gives).
 *
 * Each check asks two things of a metric over the replications: that its
 * mean lies in the published range (widened only where the source gives a
 * single figure), and that its 95% confidence half-width is small enough for
 * that to mean something.  The runs use each file's seed and replications
 * 0..REPS-1, the same records `refugesim run FILE --reps 100` summarises, so
 * the test is deterministic; the margins between the means and the range
 * ends are several half-widths, so a change of seed would not fail it. */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rf_model.h"
#include "rf_scenario.h"
#include "sim_runner.h"
#include "sim_stats.h"
#include "sim_status.h"

enum { REPS = 100 };   /* a few ms each; ASan included the file takes seconds */

static rf_scenario *load(const char *rel)
{
    const char *root = getenv("RS_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root ? root : ".", rel);
    rf_diags d;
    rf_scenario *s = NULL;
    int rc = rf_scenario_load_file(path, NULL, 0, &s, &d);
    for (int i = 0; rc != SIM_OK && i < d.n; i++) {
        char line[1024];
        rf_diag_format(&d.items[i], line, sizeof line);
        cr_log_error("%s", line);
    }
    cr_assert_eq(rc, SIM_OK, "%s does not load: %s", rel, sim_strerror(rc));
    return s;
}

/* Replications 0..REPS-1 of a scenario; the caller frees the records. */
static rf_result *run_file(const char *rel)
{
    rf_scenario *s = load(rel);
    rf_result *r = calloc(REPS, sizeof *r);
    cr_assert_not_null(r);
    sim_runner_cfg cfg = {.first_rep = 0, .n_reps = REPS, .result_size = sizeof *r};
    uint64_t failed = 0;
    int rc = sim_runner_run(&cfg, rf_model_run_rep, rf_scenario_params(s), r, NULL, &failed);
    cr_assert_eq(rc, SIM_OK, "%s: replication %llu: %s", rel, (unsigned long long)failed,
                 sim_strerror(rc));
    rf_scenario_free(s);
    return r;
}

typedef double (*stat_fn)(const rf_result *r);

typedef struct {
    double mean, half;   /* mean and 95% t half-width over the replications */
} est;

static est estimate(const rf_result *r, stat_fn f)
{
    sim_welford w;
    sim_welford_reset(&w);
    for (int i = 0; i < REPS; i++)
        sim_welford_add(&w, f(&r[i]));
    return (est){w.mean, gsl_cdf_tdist_Pinv(0.975, REPS - 1) * sim_welford_sd(&w) / sqrt(REPS)};
}

/* The mean in [lo, hi] and the half-width at most max_half. */
#define EXPECT_IN(name, e, lo, hi, max_half)                                                  \
    do {                                                                                      \
        cr_expect((e).mean >= (lo) && (e).mean <= (hi), "%s = %.4f ± %.4f, outside [%g, %g]", \
                  name, (e).mean, (e).half, (double)(lo), (double)(hi));                      \
        cr_expect_leq((e).half, max_half, "%s: 95%% half-width %.4f above %g", name, (e).half, \
                      (double)(max_half));                                                    \
    } while (0)

static double share(const rf_result *r, rf_outcome o)
{
    return (double)r->outcomes[o] / (double)r->referrals;
}

/* Among referrals for a refuge space, i.e. not screened out. */
static double of_refuge_referrals(const rf_result *r, uint64_t n)
{
    return (double)n / (double)(r->referrals - r->outcomes[RF_OUT_SCREENED_OUT]);
}

/* ---- Leicester City ------------------------------------------------------ */

static double waiting_mean(const rf_result *r) { return r->waiting_mean; }
static double downtime(const rf_result *r) { return r->downtime_share; }
static double timely(const rf_result *r) { return (double)r->timely_move_ons / (double)r->move_ons; }

static double monthly_waiting_min(const rf_result *r)
{
    double m = INFINITY;
    for (int i = 0; i < r->n_months; i++)
        m = fmin(m, r->monthly_waiting[i]);
    return m;
}

static double monthly_waiting_max(const rf_result *r)
{
    double m = 0;
    for (int i = 0; i < r->n_months; i++)
        m = fmax(m, r->monthly_waiting[i]);
    return m;
}

/* Screening reasons in file order: no unit needed, support needs, no DA, other. */
static double screened_support(const rf_result *r) { return (double)r->screened[1] / (double)r->referrals; }
static double screened_no_da(const rf_result *r) { return (double)r->screened[2] / (double)r->referrals; }
static double screened_other(const rf_result *r) { return (double)r->screened[3] / (double)r->referrals; }
static double wants_area(const rf_result *r) { return (double)r->no_suitable[RF_BLK_AREA] / (double)r->referrals; }
static double refused_no_space(const rf_result *r) { return share(r, RF_OUT_REFUSED_NO_SPACE); }

/* [S 5.5]: a waiting list averaging 13 (range 5 to 26), 19% of unit-days
 * down, timely move-on 50-60%, and the recorded reasons of the 110 cases. */
Test(calibration, leicester_city)
{
    rf_result *r = run_file("scenarios/leicester-city-2021.yaml");
    cr_assert_eq(r[0].n_months, 36, "three years of monthly means");

    EXPECT_IN("waiting_mean", estimate(r, waiting_mean), 10, 16, 1.0);
    /* the lowest and highest monthly means of each 3-year run against the
     * published range 5 to 26 (its extremes: a few households either way) */
    EXPECT_IN("lowest monthly waiting list", estimate(r, monthly_waiting_min), 3, 8, 1.0);
    EXPECT_IN("highest monthly waiting list", estimate(r, monthly_waiting_max), 20, 32, 2.5);
    EXPECT_IN("downtime_share", estimate(r, downtime), 0.17, 0.21, 0.005);
    EXPECT_IN("timely_move_on", estimate(r, timely), 0.50, 0.60, 0.01);

    /* the reasons of the 110 cases, as shares of the 789 referrals: the
     * screening shares are set to them, so only sampling error is allowed */
    static const struct {
        const char *name;
        stat_fn f;
        double cases;
    } reasons[] = {{"support needs unsuitable", screened_support, 29},
                   {"no current domestic abuse", screened_no_da, 20},
                   {"other", screened_other, 29}};
    for (size_t i = 0; i < sizeof reasons / sizeof reasons[0]; i++) {
        est e = estimate(r, reasons[i].f);
        cr_expect_leq(fabs(e.mean - reasons[i].cases / 789), 2 * e.half, "%s: %.4f ± %.4f vs %.4f",
                      reasons[i].name, e.mean, e.half, reasons[i].cases / 789);
    }
    /* wanted a specific area: 19 / 789 = 0.024; households wanting it who
     * also have another need no unit meets count under "multiple" instead */
    EXPECT_IN("no_suitable_unit (area)", estimate(r, wants_area), 0.020, 0.026, 0.002);
    est nsp = estimate(r, refused_no_space);
    cr_expect_eq(nsp.mean, 0, "everyone finding no space waits (p_wait = 1)");
    free(r);
}

/* ---- Leicestershire County ----------------------------------------------- */

static double county_refused(const rf_result *r)
{
    return of_refuge_referrals(r, r->outcomes[RF_OUT_REFUSED_NO_SPACE] + r->outcomes[RF_OUT_NO_SUITABLE]
                                      + r->outcomes[RF_OUT_ABANDONED]);
}

static double county_no_space(const rf_result *r)
{
    return of_refuge_referrals(r, r->outcomes[RF_OUT_REFUSED_NO_SPACE]);
}

static double county_no_suitable(const rf_result *r)
{
    return of_refuge_referrals(r, r->outcomes[RF_OUT_NO_SUITABLE]);
}

static double screened(const rf_result *r) { return share(r, RF_OUT_SCREENED_OUT); }

/* [C] Women's Aid audit: 57% of refuge referrals rejected, mainly for lack of
 * space; 70 spaces under common random numbers refuse far fewer in every
 * replication. */
Test(calibration, leicestershire_county)
{
    rf_result *a = run_file("scenarios/leicestershire-county.yaml");
    rf_result *b = run_file("scenarios/leicestershire-county-70.yaml");

    EXPECT_IN("refused share at 21 spaces", estimate(a, county_refused), 0.53, 0.61, 0.01);
    est ns = estimate(a, county_no_space), nu = estimate(a, county_no_suitable);
    cr_expect_geq(ns.mean - ns.half, 3 * (nu.mean + nu.half),
                  "refused_no_space %.3f should be most of the refusals (no_suitable %.3f)",
                  ns.mean, nu.mean);
    EXPECT_IN("screened_out", estimate(a, screened), 0, 0.10, 0.01);

    int fewer = 0;
    for (int i = 0; i < REPS; i++) {
        cr_assert_eq(a[i].rep, b[i].rep);
        fewer += county_refused(b + i) < county_refused(a + i) - 0.3
                 && county_no_space(b + i) < 0.15;
    }
    cr_expect_eq(fewer, REPS, "70 spaces refuse far fewer than 21 in %d of %d replications",
                 fewer, REPS);
    EXPECT_IN("refused share at 70 spaces", estimate(b, county_refused), 0.08, 0.18, 0.01);
    /* the same households: those no unit of the kind fits are not helped */
    est nu70 = estimate(b, county_no_suitable);
    cr_expect_leq(fabs(nu70.mean - nu.mean), 1e-12, "same demand, same unfit households");
    free(a);
    free(b);
}

/* The worked example keeps the county's demand and halves move-on: it must
 * refuse fewer for lack of space and move people on in time more often. */
Test(calibration, example_faster_move_on)
{
    rf_result *a = run_file("scenarios/leicestershire-county.yaml");
    rf_result *c = run_file("scenarios/example-county-faster-move-on.yaml");
    est na = estimate(a, county_no_space), nc = estimate(c, county_no_space);
    est ta = estimate(a, timely), tc = estimate(c, timely);
    cr_expect_lt(nc.mean + nc.half, na.mean - na.half, "refused_no_space %.3f vs %.3f", nc.mean,
                 na.mean);
    /* exponential delays: P(delay <= 28) = 1 - exp(-28/15) = 0.845 vs 1 - exp(-28/30) = 0.607 */
    cr_expect_leq(fabs(tc.mean - (1 - exp(-28.0 / 15))), 3 * tc.half, "timely %.3f", tc.mean);
    cr_expect_leq(fabs(ta.mean - (1 - exp(-28.0 / 30))), 3 * ta.half, "timely %.3f", ta.mean);
    free(a);
    free(c);
}
