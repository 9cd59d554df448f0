/* compare --precision (issue 15): the targets are on every alternative's
 * paired difference from the baseline; every point is extended together
 * so all keep one replication count (common random numbers), stopping
 * with "target met" or at --max-reps, the same bits on 1 and 2 threads
 * (and on rerun); a bad --precision is refused. */
#include "test_shell.h"

#include "an_h5.h"
#include "sim_status.h"

TestSuite(compare_precision, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 300);

/* spaces=+3: the baseline's 21 plus 3 */
#define CMP "compare '%s/scenarios/leicestershire-county.yaml' --vs spaces=+3 " \
            "--vs 'referrals.per_year=191' --set horizon=730 "

/* how many lines of ts_out hold s */
static int count(const char *s)
{
    int n = 0;
    for (const char *p = ts_out; (p = strstr(p, s)); p += strlen(s))
        n++;
    return n;
}

Test(compare_precision, a_loose_target_is_met_with_one_count_for_every_point)
{
    cr_assert_eq(ts_sh("cd '%s' && '%s' " CMP "--precision refused_no_space=0.05 --max-reps 200 "
                       "--threads 1 -o a.h5", ts_dir, ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_expect_eq(count("replications, target met"), 3, "%s", ts_out);
    const char *b = strstr(ts_out, "  baseline: ");
    cr_assert(b, "%s", ts_out);
    unsigned long n = strtoul(b + 12, NULL, 10);
    cr_expect(n >= 10 && n < 200, "%lu", n);
    char line[64];
    snprintf(line, sizeof line, ": %lu replications, target met", n);
    cr_expect_eq(count(line), 3, "not one count for every point: %s", ts_out);
    cr_assert_eq(ts_sh("h5dump -A '%s/a.h5' | grep -c '\"target met\"'", ts_dir), 0, "%s", ts_out);
    cr_expect_eq(atoi(ts_out), 3, "the file's stopped attributes: %s", ts_out);
    /* rerun takes the same paired steps */
    cr_expect_eq(ts_sh("cd '%s' && '%s' rerun a.h5 --threads 2", ts_dir, ts_prog()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "identical to the stored results"), "%s", ts_out);
}

Test(compare_precision, an_impossible_target_stops_at_max_reps)
{
    cr_assert_eq(ts_sh("cd '%s' && '%s' " CMP "--precision refused_no_space=0.00001 "
                       "--precision occupancy=1%% --max-reps 30 --threads 1 -o b.h5", ts_dir,
                       ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_expect_eq(count(": 30 replications, maximum reached"), 3, "%s", ts_out);
    cr_assert_eq(ts_sh("h5dump -A '%s/b.h5' | grep -c '\"maximum reached\"'", ts_dir), 0, "%s", ts_out);
    cr_expect_eq(atoi(ts_out), 3, "%s", ts_out);
}

Test(compare_precision, one_and_two_threads_give_the_same_file)
{
    for (int t = 1; t <= 2; t++)
        cr_assert_eq(ts_sh("cd '%s' && '%s' " CMP "--precision refused_no_space=0.03 "
                           "--max-reps 200 --threads %d -o t%d.h5", ts_dir, ts_prog(), ts_root(),
                           t, t), 0, "%s", ts_out);
    char a[400], b[400];
    snprintf(a, sizeof a, "%s/t1.h5", ts_dir);
    snprintf(b, sizeof b, "%s/t2.h5", ts_dir);
    an_h5_file *fa = NULL, *fb = NULL;
    cr_assert_eq(an_h5_open(a, &fa), SIM_OK);
    cr_assert_eq(an_h5_open(b, &fb), SIM_OK);
    an_h5_difference d;
    size_t n = 0;
    cr_assert_eq(an_h5_compare_data(fa, fb, &d, &n), SIM_OK);
    cr_expect(!d.found, "%s: %s (row %zu)", d.dataset, d.why, d.row);
    cr_expect_gt(n, 0u);
    an_h5_close(fa);
    an_h5_close(fb);
}

Test(compare_precision, a_bad_precision_is_refused)
{
    const char *bad[] = {"refused_no_space", "no_such=1", "refused_no_space=-1",
                         "refused_no_space=x%"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = ts_sh("cd '%s' && '%s' " CMP "--precision '%s'", ts_dir, ts_prog(), ts_root(),
                       bad[i]);
        cr_expect_eq(rc, 2, "%s: exit %d: %s", bad[i], rc, ts_out);
        cr_expect(strstr(ts_out, "--precision: "), "%s: %s", bad[i], ts_out);
    }
    int rc = ts_sh("cd '%s' && '%s' " CMP "--max-reps 50", ts_dir, ts_prog(), ts_root());
    cr_expect_eq(rc, 2, "--max-reps alone: exit %d: %s", rc, ts_out);
}
