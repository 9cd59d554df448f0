/* An option given twice where one is taken, or one that does not apply
 * with the others given, is refused before any work (exit status 2, one
 * line naming it): the last one won unsaid, or the other was ignored. */
#include "test_shell.h"

#define COUNTY "'%s/scenarios/leicestershire-county.yaml'"
#define CANDIDATES "'%s/scenarios/example-county-candidates.yaml'"

TestSuite(option_conflicts, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 60);

/* rc 2, the one line, and nothing run: no progress line, no table, no
 * results file. */
static void refused(const char *what, const char *line)
{
    int rc = ts_sh("cd '%s' && %s", ts_dir, what);
    cr_expect_eq(rc, 2, "%s: exit %d: %s", what, rc, ts_out);
    char want[1024];
    snprintf(want, sizeof want, "refugesim: error: %s\n", line);
    cr_expect_str_eq(ts_out, want, "%s", what);
    cr_expect_neq(ts_sh("test -e '%s/out.h5'", ts_dir), 0, "%s: a results file", what);
}

Test(option_conflicts, capacity_takes_one_target_and_reps_within_max_reps)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s capacity " COUNTY " --target 'refused_no_space<=0.1' "
             "--target 'wait_mean<=3' --reps 5 --threads 1 -o out.h5", ts_prog(), ts_root());
    refused(cmd, "--target: given twice ('refused_no_space<=0.1' and 'wait_mean<=3'): capacity "
                 "meets one target");
    snprintf(cmd, sizeof cmd, "%s capacity " COUNTY " --target 'refused_no_space<=0.1' --reps 5 "
             "--max-reps 2 --threads 1 -o out.h5", ts_prog(), ts_root());
    refused(cmd, "--reps 5 is more than --max-reps 2");
}

Test(option_conflicts, optimise_takes_one_target_one_budget_and_reps_within_max_reps)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s optimise " CANDIDATES " --budget 400000 --add standard "
             "--target refused_of_eligible --reps 5 --max-reps 2 --threads 1 -o out.h5",
             ts_prog(), ts_root());
    refused(cmd, "--reps 5 is more than --max-reps 2");
    snprintf(cmd, sizeof cmd, "%s optimise " CANDIDATES " --budget 400000 --add standard "
             "--target refused_of_eligible --target wait_mean --reps 5 --threads 1 -o out.h5",
             ts_prog(), ts_root());
    refused(cmd, "--target: given twice ('refused_of_eligible' and 'wait_mean'): optimise "
                 "improves one metric");
    snprintf(cmd, sizeof cmd, "%s optimise " CANDIDATES " --budget 400000 --budget 60000 --add "
             "standard --target refused_of_eligible --reps 5 --threads 1 -o out.h5", ts_prog(),
             ts_root());
    refused(cmd, "--budget: given twice ('400000' and '60000')");
}

/* Several targets are several metrics: one metric twice is two figures
 * for one number, refused as a key given twice to --fit is. */
Test(option_conflicts, calibrate_takes_a_metric_once)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s calibrate " COUNTY " --fit referrals.per_year=100:300 "
             "--target refused_of_eligible=0.3 --target refused_of_eligible=0.5 --reps 5 "
             "--threads 1", ts_prog(), ts_root());
    refused(cmd, "--target refused_of_eligible is given twice");
}

Test(option_conflicts, mmcc_cv_is_a_lognormal_stays_only)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s mmcc --servers 5 --load 3 --service exp --cv 2", ts_prog());
    refused(cmd, "--cv: applies to a lognormal stay only, and the stay is exp (accepted: "
                 "--service lognormal --cv X)");
    snprintf(cmd, sizeof cmd, "%s mmcc --servers 5 --load 3 --cv 2 --service constant",
             ts_prog());
    refused(cmd, "--cv: applies to a lognormal stay only, and the stay is constant (accepted: "
                 "--service lognormal --cv X)");
    /* without --cv the default is said as the default, not as given */
    cr_assert_eq(ts_sh("%s mmcc --servers 5 --load 3 --service lognormal --reps 4 --arrivals 500 "
                       "--threads 1", ts_prog()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "lognormal stay (CV 1, the default)\n"), "%s", ts_out);
    cr_assert_eq(ts_sh("%s mmcc --servers 5 --load 3 --service lognormal --cv 2 --reps 4 "
                       "--arrivals 500 --threads 1", ts_prog()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "lognormal stay (CV 2)\n"), "%s", ts_out);
}

/* --format is the --plots files' only: alone it would say something
 * nothing does. */
Test(option_conflicts, report_format_needs_plots)
{
    cr_assert_eq(ts_sh("cd '%s' && %s run '%s/scenarios/mmcc.yaml' --reps 2 --threads 1 "
                       "-o r.h5 > /dev/null", ts_dir, ts_prog(), ts_root()), 0, "%s", ts_out);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s report r.h5 --format svg", ts_prog());
    refused(cmd, "--format: applies to --plots only: give --plots DIR too");
    snprintf(cmd, sizeof cmd, "%s report r.h5 --csv c --format png", ts_prog());
    refused(cmd, "--format: applies to --plots only: give --plots DIR too");
    cr_expect_neq(ts_sh("test -e '%s/c'", ts_dir), 0, "--csv written before the refusal");
}
