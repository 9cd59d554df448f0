/* calibrate -o keeps the scenario as written (its comments, its layout)
 * with the fitted values in place and marked, behind a header saying how
 * they were fitted and by which command; its output goes through the
 * checks every writer has, before any work (issue 15). */
#include "test_shell.h"

#include "rf_scenario.h"
#include "sim_status.h"

TestSuite(calibrate_output, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 200);

#define FIT "--fit referrals.per_year=300:1500 --target refused_no_space=0.110054 --reps 10 --threads 1"

Test(calibrate_output, fitted_values_written_into_the_original_text)
{
    cr_assert_eq(ts_sh("cd '%s' && cp '%s/scenarios/mmcc.yaml' m.yaml && '%s' calibrate m.yaml " FIT
                       " -o fitted.yaml 2>/dev/null", ts_dir, ts_root(), ts_prog()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "fitted scenario written to fitted.yaml"), "%s", ts_out);
    cr_assert_eq(ts_sh("cat '%s/fitted.yaml'", ts_dir), 0);
    static char text[1 << 17];
    snprintf(text, sizeof text, "%s", ts_out);
    /* the header */
    cr_expect(!strncmp(text, "# Fitted by refugesim calibrate (10 replications an evaluation, ", 64),
              "%s", text);
    cr_expect(strstr(text, "# command: ") && strstr(text, "calibrate m.yaml --fit "), "%s", text);
    /* the original's comments and layout, the fitted value in its place */
    cr_expect(strstr(text, "# M/M/c/c loss system used by the analytic tests"), "%s", text);
    cr_expect(strstr(text, "\nservices:\n  - name: plain\n    units: 5\n"), "%s", text);
    const char *pv = strstr(text, "\n  per_year: ");
    cr_assert_not_null(pv, "%s", text);
    double fitted = atof(pv + 12);
    cr_expect(fitted > 600 && fitted < 860, "per_year %g (M/M/5/5 at B = 0.110054: 730)", fitted);
    cr_expect(strstr(pv, "  # fitted by refugesim calibrate (see the first lines)\n"), "%s", text);
    /* it loads, with the fitted value */
    rf_scenario *s = NULL;
    rf_diags d;
    char path[400];
    snprintf(path, sizeof path, "%s/fitted.yaml", ts_dir);
    cr_assert_eq(rf_scenario_load_file(path, NULL, 0, &s, &d), SIM_OK);
    cr_expect_float_eq(rf_scenario_params(s)->per_year, fitted, 1e-6 * fitted);
    rf_scenario_free(s);
    /* again without --force: refused before any work (no evaluation line) */
    int rc = ts_sh("cd '%s' && '%s' calibrate m.yaml " FIT " -o fitted.yaml", ts_dir, ts_prog());
    cr_expect_eq(rc, 2, "exit %d: %s", rc, ts_out);
    cr_expect(strstr(ts_out, "fitted.yaml exists: use --force to overwrite it")
              && !strstr(ts_out, "referrals.per_year=300:"), "%s", ts_out);
}

Test(calibrate_output, bad_outputs_refused_before_any_work)
{
    static const char *const outs[] = {"/dev/null", "no/such/dir/f.yaml", "."};
    for (size_t i = 0; i < sizeof outs / sizeof *outs; i++) {
        int rc = ts_sh("cd '%s' && '%s' calibrate '%s/scenarios/mmcc.yaml' " FIT " -o '%s' --force",
                       ts_dir, ts_prog(), ts_root(), outs[i]);
        cr_expect_eq(rc, 2, "%s: exit %d: %s", outs[i], rc, ts_out);
        cr_expect(!strstr(ts_out, "referrals.per_year=300:"), "%s: work done first: %s", outs[i],
                  ts_out);
    }
}
