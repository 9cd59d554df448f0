/* report reads an interrupted run's file: the points that have
 * replications are in every table, the points never started are named on
 * a line of their own (not a row of dashes, not an error), and --csv and
 * --html still write. */
#include "test_shell.h"

TestSuite(report_partial, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 300);

Test(report_partial, an_interrupted_sweep_reports_what_was_evaluated)
{
    /* SIGINT once the second point's checkpoint is there: the first points
     * are whole, the last of the ten never starts */
    int rc = ts_sh("cd '%s' && { '%s' sweep '%s/scenarios/leicestershire-county.yaml' "
                   "--vary spaces=10:100:10 --reps 300 --threads 1 -o s.h5 > out.txt 2>&1 & p=$!; "
                   "i=0; while [ ! -e s.h5.ckpt/point-1.bin ] && [ $i -lt 3000 ]; do sleep 0.05; "
                   "i=$((i+1)); done; kill -INT $p; wait $p; echo \"rc=$?\"; }",
                   ts_dir, ts_prog(), ts_root());
    cr_assert_eq(rc, 0, "%s", ts_out);
    cr_assert(strstr(ts_out, "rc=1"), "interrupted: %s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && '%s' report s.h5 --csv csv --html s.html > rep.txt", ts_dir,
                       ts_prog()), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && grep -c 'INCOMPLETE' rep.txt && grep '^Not run (the run was "
                       "interrupted before them):.* point 10 of 10$' rep.txt && "
                       "grep -c '^Measure  *10 spaces  *20 spaces' rep.txt",
                       ts_dir), 0, "%s", ts_out);
    /* no row for a point without replications */
    cr_assert_neq(ts_sh("cd '%s' && grep -E '^ +- +-' rep.txt", ts_dir), 0, "%s", ts_out);
    cr_assert_neq(ts_sh("cd '%s' && grep '^0 replications' rep.txt", ts_dir), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && test -s s.html && test -s csv/measures_wide.csv", ts_dir), 0,
                 "%s", ts_out);
}
