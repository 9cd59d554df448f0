/* Without --threads the program takes OpenMP's default: OMP_NUM_THREADS
 * when it is set (the manual says so), else every core; --threads wins
 * over both.  The results file's `threads` attribute says what ran. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <unistd.h>
#include "test_shell.h"

TestSuite(threads_default, .init = ts_make_dir, .fini = ts_remove_dir);

static long threads_run(const char *env, const char *opt)
{
    cr_assert_eq(ts_sh("cd '%s' && %s '%s' run scenarios/leicestershire-county.yaml --reps 3 %s "
                       "-o '%s/t.h5' --force >/dev/null", ts_root(), env, ts_prog(), opt, ts_dir),
                 0, "%s", ts_out);
    cr_assert_eq(ts_sh("h5dump -a /threads '%s/t.h5' | sed -n 's/.*(0): *\\([0-9]*\\).*/\\1/p'",
                       ts_dir), 0, "%s", ts_out);
    long n = -1;
    cr_assert_eq(sscanf(ts_out, "%ld", &n), 1, "%s", ts_out);
    return n;
}

Test(threads_default, omp_num_threads_sets_the_threads_unless_given)
{
    cr_assert_eq(threads_run("OMP_NUM_THREADS=1", ""), 1);
    cr_assert_eq(threads_run("OMP_NUM_THREADS=3", ""), 3);
    cr_assert_eq(threads_run("OMP_NUM_THREADS=1", "--threads 2"), 2);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    cr_assert_eq(threads_run("env -u OMP_NUM_THREADS", ""), cores);
}
