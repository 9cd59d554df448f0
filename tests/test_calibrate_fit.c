/* calibrate (study_calibrate): Brent's method recovers the referral rate
 * of an M/M/5/5 system from the Erlang B blocking it produces, within the
 * uncertainty it reports; the simplex recovers two unknowns from two
 * targets; the county's shipped demand is recovered from "57% of refuge
 * referrals refused"; and bad requests are refused with the reason. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mq_queue.h"
#include "rf_result.h"
#include "sim_status.h"
#include "study_calibrate.h"

/* A 95% half-width is 1.96 standard errors; the tests allow the 99.9%
 * interval's 3.29. */
#define WIDEN (3.29 / 1.96)

static const char *scenario(const char *name)
{
    static char path[512];
    const char *root = getenv("RS_ROOT");
    cr_assert_not_null(root, "RS_ROOT not set (run through make test)");
    snprintf(path, sizeof path, "%s/scenarios/%s", root, name);
    return path;
}

static void fit(study_calibrate_cfg *c, const char *key, double lo, double hi)
{
    study_cal_fit *f = &c->fits[c->n_fits++];
    snprintf(f->key, sizeof f->key, "%s", key);
    f->lo = lo;
    f->hi = hi;
}

static void target(study_calibrate_cfg *c, const char *metric, double value, double tol)
{
    c->targets[c->n_targets++] = (study_cal_target){.metric = rf_metric_find(metric),
                                                    .value = value, .tol = tol};
}

/* M/M/5/5, stays of 1.5 days: 730 referrals a year are 3 Erlangs, blocking
 * B(5, 3) = 0.110054.  Asked for that blocking, Brent's method finds 730
 * within the uncertainty it reports (the estimate's half-width over the
 * local slope). */
Test(calibrate, recovers_a_referral_rate_from_erlang_b, .timeout = 120)
{
    study_calibrate_cfg *c = calloc(1, sizeof *c);
    c->base.points.scenario_path = scenario("mmcc.yaml");
    c->reps = 100;
    fit(c, "referrals.per_year", 300, 1500);
    target(c, "refused_no_space", mq_erlang_b(5, 3.0), 0);
    study_calibrate_result r;
    study_error *err = malloc(sizeof *err);
    cr_assert_eq(study_calibrate(c, &r, err), SIM_OK, "%s", err->message);
    cr_log_info("per_year %g ± %g, %d evaluations", r.x[0], r.u[0], r.evals);
    cr_assert(r.met);
    cr_assert(isfinite(r.u[0]) && r.u[0] > 0 && r.u[0] < 30, "u %g", r.u[0]);
    cr_assert(fabs(r.x[0] - 730) <= WIDEN * r.u[0], "fitted %g ± %g, true 730", r.x[0], r.u[0]);
    cr_assert(fabs(r.achieved[0].mean - mq_erlang_b(5, 3.0)) <= r.achieved[0].ci95);
    cr_assert_lt(r.evals, 40);
    /* The uncertainty is h / |slope|, the slope that of Erlang B in the
     * load (dB/da = B (c/a - 1 + B)) times a's rate per referral a year. */
    double a = 3, b = mq_erlang_b(5, a), slope = b * (5 / a - 1 + b) * (1.5 / 365);
    cr_assert(fabs(r.slope[0] - slope) < 0.1 * slope, "slope %g, theory %g", r.slope[0], slope);
    free(err);
    free(c);
}

/* Two unknowns, two targets: the referral rate and the mean stay from the
 * referrals counted over the horizon (730 a year x 3 years) and Erlang B
 * at 3 Erlangs; the simplex finds both within their uncertainties. */
Test(calibrate, recovers_two_unknowns_with_the_simplex, .timeout = 300)
{
    static const char *sets[] = {"horizon=1095"};
    study_calibrate_cfg *c = calloc(1, sizeof *c);
    c->base.points.scenario_path = scenario("mmcc.yaml");
    c->base.points.sets = sets;
    c->base.points.n_sets = 1;
    c->reps = 50;
    fit(c, "referrals.per_year", 400, 1200);
    fit(c, "services[0].stay.mean", 0.5, 3);
    target(c, "referrals", 2190, 0);
    target(c, "refused_no_space", mq_erlang_b(5, 3.0), 0);
    study_calibrate_result r;
    study_error *err = malloc(sizeof *err);
    cr_assert_eq(study_calibrate(c, &r, err), SIM_OK, "%s", err->message);
    cr_log_info("per_year %g ± %g, stay %g ± %g, %d evaluations", r.x[0], r.u[0], r.x[1], r.u[1],
                r.evals);
    cr_assert(fabs(r.x[0] - 730) <= WIDEN * r.u[0], "per_year %g ± %g", r.x[0], r.u[0]);
    cr_assert(fabs(r.x[1] - 1.5) <= WIDEN * r.u[1], "stay %g ± %g", r.x[1], r.u[1]);
    cr_assert(r.met);
    free(err);
    free(c);
}

/* The county's demand, 171 referrals a year in the shipped scenario, from
 * its one published figure: 57% of refuge referrals not accommodated. */
Test(calibrate, recovers_the_countys_shipped_demand, .timeout = 120)
{
    study_calibrate_cfg *c = calloc(1, sizeof *c);
    c->base.points.scenario_path = scenario("leicestershire-county.yaml");
    fit(c, "referrals.per_year", 100, 300);
    target(c, "refused_of_eligible", 0.57, 0);
    study_calibrate_result r;
    study_error *err = malloc(sizeof *err);
    cr_assert_eq(study_calibrate(c, &r, err), SIM_OK, "%s", err->message);
    cr_log_info("county per_year %g ± %g", r.x[0], r.u[0]);
    cr_assert_eq(r.reps, 100);
    cr_assert(fabs(r.x[0] - 171) <= WIDEN * r.u[0], "fitted %g ± %g, shipped 171", r.x[0], r.u[0]);
    free(err);
    free(c);
}

static void count_eval(void *user, const double *x, const sim_summary *y)
{
    (void)x, (void)y;
    ++*(int *)user;
}

/* A key taking whole numbers loads at whole ends; the search's values
 * between them do not, so it is refused before the first evaluation, with
 * what to use instead. */
Test(calibrate, a_key_taking_whole_numbers_is_refused_before_any_evaluation)
{
    static const struct {
        const char *key, *instead;
        double lo, hi;
    } whole[] = {
        {"services[0].units", "'refugesim capacity'", 10, 40},
        {"services.*.units", "'refugesim optimise'", 20, 21},
        {"waiting.max_waiting", "'refugesim sweep --vary waiting.max_waiting=A,B,...'", 1, 9},
    };
    study_calibrate_cfg *c = calloc(1, sizeof *c);
    study_calibrate_result r;
    study_error *err = malloc(sizeof *err);
    int evals = 0;
    c->base.points.scenario_path = scenario("leicestershire-county.yaml");
    c->base.threads = 1;
    c->reps = 5;
    c->on_eval = count_eval;
    c->user = &evals;
    target(c, "refused_of_eligible", 0.3, 0);
    for (size_t i = 0; i < sizeof whole / sizeof *whole; i++) {
        c->n_fits = 0;
        fit(c, whole[i].key, whole[i].lo, whole[i].hi);
        cr_assert_eq(study_calibrate(c, &r, err), SIM_EINVAL, "%s: %s", whole[i].key, err->message);
        cr_expect(err->input);
        cr_expect(strstr(err->message, whole[i].key) && strstr(err->message, "expected a whole "
                  "number") && strstr(err->message, "--fit takes a key with a continuous value")
                  && strstr(err->message, whole[i].instead), "%s", err->message);
        cr_expect_eq(evals, 0, "%s: evaluated before the refusal", whole[i].key);
    }
    free(err);
    free(c);
}

Test(calibrate, refuses_bad_requests_with_the_reason)
{
    study_calibrate_cfg *c = calloc(1, sizeof *c);
    study_calibrate_result r;
    study_error *err = malloc(sizeof *err);
    c->base.points.scenario_path = scenario("mmcc.yaml");
    c->reps = 10;
    fit(c, "referrals.per_year", 300, 1500);
    fit(c, "services[0].stay.mean", 1, 2);
    target(c, "refused_no_space", 0.1, 0);
    cr_assert_eq(study_calibrate(c, &r, err), SIM_EINVAL);
    cr_assert(strstr(err->message, "2 unknowns but 1 target"), "%s", err->message);
    cr_assert(err->input);

    c->n_fits = 0;
    fit(c, "name", 1, 2);
    cr_assert_eq(study_calibrate(c, &r, err), SIM_EINVAL);
    cr_assert(strstr(err->message, "not a number"), "%s", err->message);

    c->n_fits = 0;
    fit(c, "spaces", 1, 20);
    cr_assert_eq(study_calibrate(c, &r, err), SIM_EINVAL);
    cr_assert(strstr(err->message, "capacity"), "%s", err->message);

    /* Blocking of 0.5 needs far more than 400 referrals a year: the high
     * end comes nearest. */
    c->n_fits = 0;
    fit(c, "referrals.per_year", 100, 400);
    c->targets[0].value = 0.5;
    cr_assert_eq(study_calibrate(c, &r, err), SIM_ERANGE);
    cr_assert(strstr(err->message, "no value of referrals.per_year in [100, 400] reaches "
                                   "refused_no_space = 0.5") &&
              strstr(err->message, "the high end (400) comes nearest"), "%s", err->message);
    cr_assert(err->input);
    free(err);
    free(c);
}

/* scenarios/README.md records the commands that re-derive the shipped
 * values; the county's, run exactly as written there (from the
 * repository), gives an interval holding the shipped 171. */
Test(calibrate, the_documented_county_command_recovers_171, .timeout = 300)
{
    const char *root = getenv("RS_ROOT"), *prog = getenv("RS_PROGRAM");
    cr_assert(root && prog, "RS_ROOT / RS_PROGRAM not set (run through make test)");
    char path[512], line[2048], cmd[4096] = "";
    snprintf(path, sizeof path, "%s/scenarios/README.md", root);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    const char *want = "refugesim calibrate scenarios/leicestershire-county.yaml ";
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, want, strlen(want))) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(cmd, sizeof cmd, "cd '%s' && '%s'%s 2>/dev/null", root, prog,
                     line + strlen("refugesim"));
            break;
        }
    fclose(f);
    cr_assert(cmd[0], "no county calibrate command in scenarios/README.md");
    FILE *p = popen(cmd, "r");
    cr_assert_not_null(p);
    double x = NAN, u = NAN;
    while (fgets(line, sizeof line, p))
        sscanf(line, "  fitted  referrals.per_year = %lf ± %lf", &x, &u);
    cr_assert_eq(pclose(p), 0, "%s", cmd);
    cr_log_info("%s: %g ± %g", cmd, x, u);
    cr_assert(isfinite(x) && isfinite(u), "no fitted value printed by %s", cmd);
    cr_assert(fabs(x - 171) <= u, "fitted %g ± %g, shipped 171", x, u);
}
