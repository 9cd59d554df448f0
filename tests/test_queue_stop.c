/* mmcc and validate stop like run (issue 17, items 5 and 11): the first
 * SIGINT / SIGTERM starts no new replication, a second SIGINT (or the
 * SIGTERM's grace period) stops the one in progress mid-way. */
#include "test_shell.h"

#include <time.h>

TestSuite(queue_stop, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 60);

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* `refugesim ARGS` signalled after a second; the seconds from the last
 * signal to the exit, the exit status in *rc, stderr in ts_out. */
static double interrupt(const char *args, const char *signals, const char *env, int *rc)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && { %s '%s' %s > out.txt 2> err.txt & p=$!; "
             "sleep 1; for s in %s; do kill -$s $p; sleep 0.3; done; "
             "date +%%s.%%N > last; wait $p; echo $? > rc; date +%%s.%%N > end; }",
             ts_dir, env, ts_prog(), args, signals);
    double t0 = now_s();
    cr_assert_eq(system(cmd), 0);
    cr_expect_lt(now_s() - t0, 20, "it ran on");
    cr_assert_eq(ts_sh("cat '%s/rc'", ts_dir), 0);
    *rc = atoi(ts_out);
    cr_assert_eq(ts_sh("echo \"$(cat '%s/end') - $(cat '%s/last')\" | bc", ts_dir, ts_dir), 0);
    double after = atof(ts_out);
    cr_assert_eq(ts_sh("cat '%s/err.txt'", ts_dir), 0);
    return after;
}

/* One M/M/5/5 replication of 10^9 arrivals: minutes, unless stopped. */
#define LONG_MMCC "mmcc --servers 5 --load 3 --arrivals 1000000000 --reps 2 --threads 1"

Test(queue_stop, mmcc_second_sigint_stops_a_replication_mid_way)
{
    int rc;
    double after = interrupt(LONG_MMCC, "INT INT", "", &rc);
    cr_expect_eq(rc, 1, "%s", ts_out);
    cr_expect_lt(after, 2.0, "%.2f s after the second SIGINT", after);
    cr_expect(strstr(ts_out, "refugesim: error: mmcc: interrupted"), "%s", ts_out);
}

Test(queue_stop, mmcc_sigterm_after_its_grace_period)
{
    int rc;
    double after = interrupt(LONG_MMCC, "TERM", "REFUGESIM_TERM_GRACE=1", &rc);
    cr_expect_eq(rc, 1, "%s", ts_out);
    cr_expect(after > 0.4 && after < 3.0, "%.2f s after SIGTERM (grace 1 s)", after);
}

Test(queue_stop, validate_stops_on_sigint)
{
    int rc;
    double after = interrupt("validate --reps 100000 --threads 1", "INT INT", "", &rc);
    cr_expect_eq(rc, 1, "%s", ts_out);
    cr_expect_lt(after, 2.0, "%.2f s after the second SIGINT", after);
    cr_expect(strstr(ts_out, "refugesim: error: validate: interrupted in case"), "%s", ts_out);
}
