/* capacity, compare and optimise warn as run does (issue 15): a point whose
 * waiting list keeps growing has no steady state, and one whose warm-up
 * MSER-5 finds too short says so, once per point, naming it in words.
 *
 * M/M/c with infinite patience (everyone waits): referrals 1500 a year and
 * stays of 1.5 days offer 6.16 Erlangs, so 5 spaces or fewer grow without
 * end (at 5 by 1500/365 - 5/1.5 = 0.776 households a day, 23.6 a month)
 * and 7 or more are stable (load 0.88 a space or less). */
#include "test_shell.h"

TestSuite(search_steady, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 200);

#define OVERLOAD "--set waiting.p_wait=1 --set referrals.per_year=1500 --set horizon=1095"

static int warns(const char *what) { return strstr(ts_out, what) != NULL; }

Test(search_steady, capacity_warns_for_the_overloaded_capacities_only)
{
    int rc = ts_sh("'%s' capacity '%s/scenarios/mmcc.yaml' " OVERLOAD " --target 'wait_mean<=3' "
                   "--min 1 --max 20 --reps 20 --threads 1", ts_prog(), ts_root());
    cr_assert_eq(rc, 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "answer: 7 spaces meet"), "%s", ts_out);
    /* tried: 20, 1, 10, 5, 7, 6 */
    const char *msg = "no steady state: demand exceeds what the units can serve; averages "
                      "depend on the horizon";
    char want[256];
    snprintf(want, sizeof want, "refugesim: warning: 1 space: %s", msg);
    cr_expect(warns(want), "%s", ts_out);
    snprintf(want, sizeof want, "refugesim: warning: 5 spaces: %s (the waiting list grows by ", msg);
    cr_expect(warns(want), "%s", ts_out);
    cr_expect(!warns(": 7 spaces: no steady") && !warns(": 10 spaces: no steady")
              && !warns(": 20 spaces: no steady"), "%s", ts_out);
    /* once per capacity: 1 and 5 certainly, 6 (load 1.03 a space) perhaps */
    size_t n = 0;
    for (const char *p = ts_out; (p = strstr(p, msg)); p++)
        n++;
    cr_expect(n == 2 || n == 3, "%zu warnings: %s", n, ts_out);
    /* the exact growth at 5 spaces, 23.6 a month, inside the printed interval */
    const char *at5 = strstr(ts_out, "5 spaces: no steady state");
    double slope, lo, hi;
    cr_assert(at5 && sscanf(strstr(at5, "grows by "), "grows by %lf a month, 99.9%% interval %lf "
                            "to %lf", &slope, &lo, &hi) == 3, "%s", ts_out);
    double exact = (1500 / 365.0 - 5 / 1.5) * 365.0 / 12;
    cr_expect(lo < exact && exact < hi, "[%g, %g], exact %g", lo, hi, exact);
}

Test(search_steady, capacity_of_a_stable_system_does_not_warn)
{
    /* Erlang B: load 3, no waiting; every capacity tried is in steady state
     * after the scenario's year of warm-up */
    int rc = ts_sh("'%s' capacity '%s/scenarios/mmcc.yaml' --target 'refused_no_space<=0.05' "
                   "--max 20 --reps 20 --threads 1", ts_prog(), ts_root());
    cr_assert_eq(rc, 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "answer: "), "%s", ts_out);
    cr_expect(!warns("warning"), "%s", ts_out);
}

Test(search_steady, capacity_says_the_warm_up_is_too_short)
{
    int rc = ts_sh("'%s' capacity '%s/scenarios/leicester-city-2021.yaml' --set warmup=0 "
                   "--target 'refused_no_space<=0.2' --min 50 --max 60 --reps 20 --threads 1",
                   ts_prog(), ts_root());
    cr_assert_eq(rc, 0, "%s", ts_out);
    cr_expect(warns("refugesim: warning: 60 spaces: the warm-up is shorter than MSER-5 suggests: "
                    "the first "), "%s", ts_out);
    /* with the scenario's own year of warm-up, nothing */
    rc = ts_sh("'%s' capacity '%s/scenarios/leicester-city-2021.yaml' "
               "--target 'refused_no_space<=0.2' --min 50 --max 60 --reps 20 --threads 1",
               ts_prog(), ts_root());
    cr_assert_eq(rc, 0, "%s", ts_out);
    cr_expect(!warns("warning"), "%s", ts_out);
}

Test(search_steady, compare_names_the_overloaded_alternative)
{
    int rc = ts_sh("'%s' compare '%s/scenarios/mmcc.yaml' " OVERLOAD " --set services[0].units=10 "
                   "--vs spaces=5 --vs spaces=8 --reps 20 --threads 1", ts_prog(), ts_root());
    cr_assert_eq(rc, 0, "%s", ts_out);
    cr_expect(warns("refugesim: warning: spaces=5: no steady state: demand exceeds what the units "
                    "can serve; averages depend on the horizon"), "%s", ts_out);
    cr_expect(!warns("baseline: no steady") && !warns("spaces=8: no steady"), "%s", ts_out);
}

Test(search_steady, optimise_names_the_overloaded_mixes)
{
    FILE *f;
    char path[400];
    snprintf(path, sizeof path, "%s/over.yaml", ts_dir);
    cr_assert_not_null(f = fopen(path, "w"));
    fputs("name: over\nhorizon: 1095\nwarmup: 365\nreplications: 20\nseed: 1\n"
          "referrals: {per_year: 1500}\nwaiting: {p_wait: 1}\n"
          "services:\n  - name: plain\n    units: 5\n    largest_family: 10\n"
          "    stay: {dist: exponential, mean: 1.5}\n"
          "    blocks:\n      - {name: extra, units: 1, cost: {per_unit_year: 10000}}\n", f);
    cr_assert_eq(fclose(f), 0);
    int rc = ts_sh("cd '%s' && '%s' optimise over.yaml --budget 30000 --add extra "
                   "--target wait_mean --reps 20 --threads 1", ts_dir, ts_prog());
    cr_assert_eq(rc, 0, "%s", ts_out);
    /* 5 spaces as they are grow; 7 (step 2) and 8 (step 3) do not */
    cr_expect(warns("refugesim: warning: step 0 (the scenario as it is): no steady state: demand "
                    "exceeds what the units can serve"), "%s", ts_out);
    cr_expect(!warns("step 2 (2 x extra): no steady") && !warns("step 3 (3 x extra): no steady"),
              "%s", ts_out);
}
