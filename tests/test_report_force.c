/* report --csv / --plots refuse a directory that holds files already
 * unless --force, before any work, like every other writer (issue 17,
 * item 11); warmup --plot checks its directory the same way. */
#include "test_h5_fixture.h"
#include "test_shell.h"

#include <sys/stat.h>

Test(report_force, csv_and_plots_refuse_files_already_there, .timeout = 60)
{
    fixture fx;
    fx_setup(&fx, NULL, 1);
    /* a fresh directory, and an empty one, are written */
    cr_assert_eq(ts_sh("cd '%s' && '%s' report results.h5 --csv csv", fx.dir, ts_prog()), 0, "%s",
                 ts_out);
    cr_assert_eq(ts_sh("cd '%s' && mkdir empty && '%s' report results.h5 --csv empty", fx.dir,
                       ts_prog()), 0, "%s", ts_out);
    /* again: refused with exit 2, one line, nothing touched */
    cr_assert_eq(ts_sh("cd '%s' && echo mine > csv/points.csv", fx.dir), 0);
    int rc = ts_sh("cd '%s' && '%s' report results.h5 --csv csv", fx.dir, ts_prog());
    cr_expect_eq(rc, 2, "exit %d: %s", rc, ts_out);
    cr_expect(strstr(ts_out, "refugesim: error: --csv: csv holds files already: use --force to "
                             "write into it"), "%s", ts_out);
    cr_expect(!strstr(ts_out, "Measure"), "work was done before the refusal: %s", ts_out);
    cr_expect_eq(ts_sh("cd '%s' && grep -qx mine csv/points.csv", fx.dir), 0, "a file was replaced");
    /* --plots alike (checked before gnuplot is looked for) */
    cr_assert_eq(ts_sh("cd '%s' && mkdir p && touch p/monthly_waiting.png", fx.dir), 0);
    rc = ts_sh("cd '%s' && '%s' report results.h5 --plots p", fx.dir, ts_prog());
    cr_expect_eq(rc, 2, "exit %d: %s", rc, ts_out);
    cr_expect(strstr(ts_out, "refugesim: error: --plots: p holds files already"), "%s", ts_out);
    /* not a directory, or in a missing one */
    rc = ts_sh("cd '%s' && '%s' report results.h5 --csv results.h5", fx.dir, ts_prog());
    cr_expect_eq(rc, 2, "exit %d: %s", rc, ts_out);
    cr_expect(strstr(ts_out, "results.h5 exists and is not a directory"), "%s", ts_out);
    rc = ts_sh("cd '%s' && '%s' report results.h5 --csv no/such/dir", fx.dir, ts_prog());
    cr_expect_eq(rc, 2, "exit %d: %s", rc, ts_out);
    /* --force writes into it */
    cr_expect_eq(ts_sh("cd '%s' && '%s' report results.h5 --csv csv --force", fx.dir, ts_prog()), 0,
                 "%s", ts_out);
    cr_expect_neq(ts_sh("cd '%s' && grep -qx mine csv/points.csv", fx.dir), 0, "not replaced");
    fx_teardown(&fx);
}

/* warmup --plot: the directory checked as report --plots checks it, before
 * the replications (they ran first, and a bad directory failed after). */
Test(report_force, warmup_plot_checks_its_directory_before_any_work, .init = ts_make_dir,
     .fini = ts_remove_dir, .timeout = 60)
{
    static const struct {
        const char *dir, *said;
    } bad[] = {
        {"no/such/dir", "refugesim: error: --plot: no/such/dir: the directory does not exist"},
        {"afile", "refugesim: error: --plot: afile exists and is not a directory"},
        {"full", "refugesim: error: --plot: full holds files already: use --force to write "
                 "into it"},
    };
    cr_assert_eq(ts_sh("cd '%s' && echo mine > afile && mkdir full && echo mine > full/warmup.gp",
                       ts_dir), 0, "%s", ts_out);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = ts_sh("cd '%s' && '%s' warmup '%s/scenarios/mmcc.yaml' --reps 2 --threads 1 "
                       "--plot %s", ts_dir, ts_prog(), ts_root(), bad[i].dir);
        cr_expect_eq(rc, 2, "%s: exit %d: %s", bad[i].dir, rc, ts_out);
        cr_expect(strstr(ts_out, bad[i].said), "%s", ts_out);
        cr_expect(!strstr(ts_out, "warm-up by MSER-5"), "work was done before the refusal: %s",
                  ts_out);
    }
    cr_expect_eq(ts_sh("cd '%s' && grep -qx mine afile && grep -qx mine full/warmup.gp", ts_dir),
                 0, "a file was replaced");
    /* --force writes into it, as report's does (the plots then need gnuplot) */
    ts_sh("cd '%s' && '%s' warmup '%s/scenarios/mmcc.yaml' --reps 2 --threads 1 --plot full "
          "--force", ts_dir, ts_prog(), ts_root());
    cr_expect(strstr(ts_out, "warm-up by MSER-5"), "%s", ts_out);
}
