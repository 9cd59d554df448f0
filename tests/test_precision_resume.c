/* sweep --precision keeps a checkpoint per finished point, holding the
 * replications that point took, and --resume finishes the sweep to the
 * same bits as one never interrupted (issue 15); a changed --precision is
 * refused, naming it. */
#include "test_shell.h"

#include "an_h5.h"
#include "sim_status.h"

TestSuite(precision_resume, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 300);

#define SWEEP "sweep '%s/scenarios/leicestershire-county.yaml' --vary spaces=10:60:10 " \
              "--set horizon=730 --precision refused_of_eligible=0.02 --max-reps 200 --threads 1"

static int same_data(const char *a, const char *b, char *why, size_t size)
{
    an_h5_file *fa = NULL, *fb = NULL;
    cr_assert_eq(an_h5_open(a, &fa), SIM_OK, "%s", a);
    cr_assert_eq(an_h5_open(b, &fb), SIM_OK, "%s", b);
    an_h5_difference d;
    cr_assert_eq(an_h5_compare_data(fa, fb, &d, NULL), SIM_OK);
    snprintf(why, size, "%s: %s (row %zu)", d.dataset, d.why, d.row);
    an_h5_close(fa);
    an_h5_close(fb);
    return !d.found;
}

Test(precision_resume, killed_then_resumed_to_the_same_bits)
{
    cr_assert_eq(ts_sh("cd '%s' && '%s' " SWEEP " -o ref.h5 > /dev/null", ts_dir, ts_prog(),
                       ts_root()), 0, "%s", ts_out);
    /* killed (no cleanup) once two points are checkpointed */
    cr_assert_eq(ts_sh("cd '%s' && { '%s' " SWEEP " -o res.h5 > /dev/null 2>&1 & p=$!; i=0; "
                       "while [ $(ls res.h5.ckpt 2>/dev/null | grep -c '^point-') -lt 2 ] "
                       "&& [ $i -lt 3000 ]; do sleep 0.02; i=$((i+1)); done; kill -9 $p; "
                       "wait $p; ls res.h5.ckpt; }", ts_dir, ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_assert(strstr(ts_out, "point-1.bin"), "no checkpoints: %s", ts_out);
    cr_expect(!strstr(ts_out, "point-5.bin"), "the sweep finished before it was killed: %s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && '%s' " SWEEP " -o res.h5 --resume", ts_dir, ts_prog(), ts_root()),
                 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "resuming: "), "%s", ts_out);
    char a[400], b[400], why[700];
    snprintf(a, sizeof a, "%s/ref.h5", ts_dir);
    snprintf(b, sizeof b, "%s/res.h5", ts_dir);
    cr_expect(same_data(a, b, why, sizeof why), "resumed file differs: %s", why);
    cr_expect_neq(ts_sh("test -e '%s/res.h5.ckpt'", ts_dir), 0, "checkpoints left behind");
}

Test(precision_resume, a_changed_precision_is_refused)
{
    /* interrupted once a point is checkpointed */
    ts_sh("cd '%s' && { '%s' " SWEEP " -o res.h5 > /dev/null 2>&1 & p=$!; i=0; "
          "while [ ! -e res.h5.ckpt/point-0.bin ] && [ $i -lt 3000 ]; do sleep 0.02; i=$((i+1)); done; "
          "kill -INT $p; wait $p; }", ts_dir, ts_prog(), ts_root());
    int rc = ts_sh("cd '%s' && '%s' " SWEEP " --precision occupancy=1%% -o res.h5 --resume", ts_dir,
                   ts_prog(), ts_root());
    cr_expect_eq(rc, 2, "exit %d: %s", rc, ts_out);
    cr_expect(strstr(ts_out, "--resume: the checkpoints in res.h5.ckpt are of another run: "
                             "--precision changed"), "%s", ts_out);
}
