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

/* sweep (the command after the program, without -o) killed with no
 * cleanup once two points are checkpointed, then resumed: the same bits
 * as the sweep never interrupted */
static void killed_then_resumed(const char *sweep)
{
    cr_assert_eq(ts_sh("cd '%s' && '%s' %s -o ref.h5 > /dev/null", ts_dir, ts_prog(), sweep), 0,
                 "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && { '%s' %s -o res.h5 > /dev/null 2>&1 & p=$!; i=0; "
                       "while [ $(ls res.h5.ckpt 2>/dev/null | grep -c '^point-') -lt 2 ] "
                       "&& [ $i -lt 3000 ]; do sleep 0.02; i=$((i+1)); done; kill -9 $p; "
                       "wait $p; ls res.h5.ckpt; }", ts_dir, ts_prog(), sweep), 0, "%s", ts_out);
    cr_assert(strstr(ts_out, "point-1.bin"), "no checkpoints: %s", ts_out);
    cr_expect(!strstr(ts_out, "point-4.bin"), "the sweep finished before it was killed: %s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && '%s' %s -o res.h5 --resume", ts_dir, ts_prog(), sweep), 0, "%s",
                 ts_out);
    cr_expect(strstr(ts_out, "resuming: "), "%s", ts_out);
    char a[400], b[400], why[700];
    snprintf(a, sizeof a, "%s/ref.h5", ts_dir);
    snprintf(b, sizeof b, "%s/res.h5", ts_dir);
    cr_expect(same_data(a, b, why, sizeof why), "resumed file differs: %s", why);
    cr_expect_neq(ts_sh("test -e '%s/res.h5.ckpt'", ts_dir), 0, "checkpoints left behind");
}

Test(precision_resume, killed_then_resumed_to_the_same_bits)
{
    char sweep[1024];
    snprintf(sweep, sizeof sweep, SWEEP, ts_root());
    killed_then_resumed(sweep);
}

/* A network's points: each checkpoint holds the areas' records beside
 * the replications' (issue 17). */
Test(precision_resume, a_network_resumes_to_the_same_bits)
{
    char sweep[1024];
    snprintf(sweep, sizeof sweep,
             "sweep '%s/scenarios/east-midlands.yaml' --vary 'services[3].units=50:90:10' "
             "--precision refused_no_space=0.002 --max-reps 300 --threads 1", ts_root());
    killed_then_resumed(sweep);
    an_h5_file *f = NULL;
    char path[400];
    snprintf(path, sizeof path, "%s/res.h5", ts_dir);
    cr_assert_eq(an_h5_open(path, &f), SIM_OK);
    cr_expect(an_h5_has(f, "/points/0/areas"), "not a network's results");
    an_h5_close(f);
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
