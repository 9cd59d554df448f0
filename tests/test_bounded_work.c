/* Accepted values that would never finish, and what `run` refuses that
 * `check` passed (issue 17, items 5 and 6): refused by the loader with
 * file:line:col and key, exit 2; a second SIGINT, or SIGTERM after its
 * grace period, stops a replication mid-way. */
#include "test_shell.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>
#include "rf_model.h"
#include "rf_scenario.h"
#include "sim_status.h"

TestSuite(bounded_work, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 120);

static const char base[] =
    "name: t\n"                                                         /* 1 */
    "horizon: 365\n"                                                    /* 2 */
    "warmup: 0\n"                                                       /* 3 */
    "referrals: {per_year: 100}\n"                                      /* 4 */
    "services:\n"                                                       /* 5 */
    "  - name: A\n"                                                     /* 6 */
    "    units: 4\n"                                                    /* 7 */
    "    largest_family: 4\n"                                           /* 8 */
    "    stay: {dist: exponential, mean: 30}\n";                        /* 9 */

/* base with line `line` (1-based) replaced by `with` (which may add lines),
 * and line2 by with2 */
static void write_case(const char *path, int line, const char *with, int line2, const char *with2)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    int n = 1;
    for (const char *p = base; *p; n++) {
        const char *e = strchr(p, '\n');
        if (n == line)
            fputs(with, f);
        else if (n == line2)
            fputs(with2, f);
        else
            fwrite(p, 1, (size_t)(e - p + 1), f);
        p = e + 1;
    }
    fclose(f);
}

Test(bounded_work, check_refuses_what_run_would_with_place_and_key)
{
    static const struct {
        int line;
        const char *with, *says;
        int line2;
        const char *with2;
    } cases[] = {
        /* work that would not finish (item 5) */
        {4, "referrals: {per_year: 100, growth: 10}\n", "c.yaml:4:36: error: referrals.growth: about", 2,
         "horizon: 36500\n"},
        {4, "referrals: {per_year: 1e300}\n", "c.yaml:4:23: error: referrals.per_year: about 1e+300 referrals", 0, NULL},
        {4, "referrals: {per_year: 100}\ndowntime: {outage_interval: {dist: constant, mean: 1e-300}, "
            "outage_duration: {dist: constant, mean: 1}}\n",
         "c.yaml:5:29: error: downtime.outage_interval: about", 0, NULL},
        {9, "    stay: {dist: exponential, mean: 30}\n    outage_interval: {dist: exponential, mean: 1e-290}\n"
            "    outage_duration: {dist: constant, mean: 1}\n",
         "c.yaml:10:22: error: services[0].outage_interval: about", 0, NULL},
        /* what the model refused after check passed (item 6) */
        {7, "    units: 70000\n", "c.yaml:7:12: error: services[0].units:", 0, NULL},
        {9, "    stay: {dist: gamma, mean: 30, sd: 1e-200}\n", "c.yaml:9:11: error: services[0].stay: gamma", 0, NULL},
        {9, "    stay: {dist: lognormal, mean: 30, sd: 1e200}\n",
         "c.yaml:9:11: error: services[0].stay: lognormal distribution with mean 30 and sd 1e+200 cannot be drawn", 0, NULL},
        {4, "referrals: {per_year: 100, seasonality: [1e308, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]}\n",
         "c.yaml:4:", 0, NULL},
    };
    char path[400];
    snprintf(path, sizeof path, "%s/c.yaml", ts_dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_case(path, cases[i].line, cases[i].with, cases[i].line2, cases[i].with2);
        cr_expect_eq(ts_sh("'%s' check '%s'", ts_prog(), path), 2, "case %zu: %s", i, ts_out);
        cr_expect(strstr(ts_out, cases[i].says), "case %zu: %s", i, ts_out);
        cr_expect(!strstr(ts_out, "the model cannot run"), "case %zu found late: %s", i, ts_out);
        /* run refuses the same, before any work */
        cr_expect_eq(ts_sh("'%s' run '%s' --reps 1", ts_prog(), path), 2, "case %zu: %s", i, ts_out);
        cr_expect(strstr(ts_out, cases[i].says), "case %zu: %s", i, ts_out);
    }
    /* what is merely big still runs: 1e7 referrals a year over a year */
    rf_scenario *s = NULL;
    rf_diags d;
    cr_expect_eq(rf_scenario_load_text("name: t\nhorizon: 365\nwarmup: 0\nreferrals: {per_year: 1e7}\n"
                                       "services: [{name: A, units: 4, largest_family: 4, "
                                       "stay: {dist: exponential, mean: 30}}]\n", "t.yaml", NULL, 0, &s, &d),
                 SIM_OK);
    rf_scenario_free(s);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* One replication of several seconds, signalled; returns the seconds from
 * the last signal to the exit, and the exit status in *rc. */
static double interrupt(const char *signals, const char *env, int *rc)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && { %s '%s' run '%s/scenarios/leicestershire-county.yaml' --reps 1 --threads 1 "
             "--set referrals.per_year=3e6 --set horizon=3650 -o out.h5 > out.txt 2> err.txt & p=$!; "
             "sleep 1; for s in %s; do kill -$s $p; sleep 0.3; done; "
             "date +%%s.%%N > last; wait $p; echo $? > rc; date +%%s.%%N > end; }",
             ts_dir, env, ts_prog(), ts_root(), signals);
    double t0 = now_s();
    cr_assert_eq(system(cmd), 0);
    cr_expect_lt(now_s() - t0, 15, "it ran on");
    cr_assert_eq(ts_sh("cat '%s/rc'; echo; cat '%s/err.txt'", ts_dir, ts_dir), 0);
    *rc = atoi(ts_out);
    cr_assert_eq(ts_sh("echo \"$(cat '%s/end') - $(cat '%s/last')\" | bc", ts_dir, ts_dir), 0);
    return atof(ts_out);
}

Test(bounded_work, second_sigint_stops_a_replication_mid_way)
{
    int rc;
    double after = interrupt("INT INT", "", &rc);
    cr_expect_eq(rc, 1);
    cr_expect_lt(after, 2.0, "%.2f s after the second SIGINT", after);
    cr_assert_eq(ts_sh("cat '%s/err.txt'; ls '%s'", ts_dir, ts_dir), 0);
    cr_expect(strstr(ts_out, "interrupted: 0 replications finished") && strstr(ts_out, "out.h5")
              && !strstr(ts_out, ".tmp."), "%s", ts_out);
}

Test(bounded_work, sigterm_after_its_grace_period)
{
    int rc;
    double after = interrupt("TERM", "REFUGESIM_TERM_GRACE=1", &rc);
    cr_expect_eq(rc, 1);
    cr_expect(after > 0.4 && after < 3.0, "%.2f s after SIGTERM (grace 1 s)", after);
}
