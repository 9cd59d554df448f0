/* An MPI job with a stopped rank ends instead of hanging (issue 17, item
 * 11): a rank that hears nothing from the one it waits for within
 * $REFUGESIM_MPI_TIMEOUT seconds says so, on its own stderr with its rank,
 * and ends the whole job with exit status 1. */
#include "test_shell.h"

#include <time.h>
#include <unistd.h>

TestSuite(mpi_timeout, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 300);

#define MPI_ENV "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader "

Test(mpi_timeout, a_stopped_rank_ends_the_job)
{
    const char *mpi = getenv("RS_MPI_PROGRAM");
    if (!mpi || !*mpi || access(mpi, X_OK) != 0)
        cr_skip_test("no MPI build (make MPI=1) to test");
    /* a sweep of a minute or more on two ranks; rank 1 (found by the rank
     * Open MPI gives it in its environment) is stopped once the first point
     * is done, so both ranks are past MPI's start-up (MPI_Init has no
     * limit of ours) and in the sweep */
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = ts_sh("cd '%s' && { REFUGESIM_MPI_TIMEOUT=3 " MPI_ENV "timeout 250 mpirun -n 2 "
                   "--oversubscribe '%s' sweep '%s/scenarios/leicestershire-county.yaml' "
                   "--vary spaces=10:200:10 --reps 40 --threads 1 --chunk 4 -o m.h5 "
                   "> out.txt 2> err.txt & m=$!; i=0; "
                   "while [ ! -e m.h5.ckpt/point-0.bin ] && [ $i -lt 1500 ]; do sleep 0.1; "
                   "i=$((i+1)); done; "
                   "for p in $(pgrep -f -- '%s sweep'); do "
                   "tr '\\0' '\\n' < /proc/$p/environ 2>/dev/null | grep -qx OMPI_COMM_WORLD_RANK=1 "
                   "&& kill -STOP $p; done; wait $m; echo \"rc=$?\"; cat err.txt; }",
                   ts_dir, mpi, ts_root(), mpi);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double took = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    cr_assert_eq(rc, 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "rc=1\n"), "the job did not fail: %s", ts_out);
    cr_expect(strstr(ts_out, "refugesim: rank 0: error: no word from rank 1 for 3 s"), "%s", ts_out);
    cr_expect_lt(took, 200, "%.1f s: the job hung", took);
    /* nothing claims to be the results (the checkpoints stay, for --resume) */
    cr_expect_neq(ts_sh("test -e '%s/m.h5'", ts_dir), 0, "a results file was written");
}

Test(mpi_timeout, a_bad_limit_is_a_usage_error)
{
    cr_expect_eq(ts_sh("REFUGESIM_MPI_TIMEOUT=soon '%s' check '%s/scenarios/mmcc.yaml'", ts_prog(),
                       ts_root()), 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "refugesim: error: REFUGESIM_MPI_TIMEOUT: expected a number of "
                             "seconds, 0 to wait forever, got 'soon'"), "%s", ts_out);
}
