/* --precision gives the same result whatever the rank count (issue 15):
 * run, sweep, compare and capacity with --precision write the same bits
 * under mpirun -n 1, 2 and 3 as in one process (every dataset and every
 * attribute but how and when the file was made: tests/py/same_results.py).
 * The targets make points stop at different counts (the sweep's 30, 70 and
 * 140, the capacities' 20 to 80), in batches of 10 against tasks of 50
 * replications under MPI.
 * Skipped without the MPI build (make test builds it when mpicc exists and
 * passes it as RS_MPI_PROGRAM). */
#include "test_shell.h"

#include <unistd.h>

TestSuite(precision_mpi, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 600);

#define MPIRUN "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader " \
               "mpirun -n %d --oversubscribe "

static const char *mpi_program(void)
{
    const char *mpi = getenv("RS_MPI_PROGRAM");
    if (!mpi || !*mpi || access(mpi, X_OK) != 0)
        cr_skip_test("no MPI build (make MPI=1) to test");
    return mpi;
}

/* The command (after the program's name, with %s for the repository) in
 * one process into one.h5, then on 1, 2 and 3 ranks: the same file. */
static void same_on_every_rank_count(const char *args)
{
    const char *mpi = mpi_program();
    char cmd[2048];
    snprintf(cmd, sizeof cmd, args, ts_root());
    cr_assert_eq(ts_sh("cd '%s' && '%s' %s --threads 1 -o one.h5", ts_dir, ts_prog(), cmd), 0,
                 "%s", ts_out);
    cr_assert(strstr(ts_out, "results written to one.h5"), "%s", ts_out);
    for (int n = 1; n <= 3; n++) {
        cr_assert_eq(ts_sh("cd '%s' && " MPIRUN "'%s' %s --threads 1 -o ranks%d.h5", ts_dir, n,
                           mpi, cmd, n), 0, "%d ranks: %s", n, ts_out);
        cr_assert_eq(ts_sh("/usr/bin/python3 '%s/tests/py/same_results.py' '%s/one.h5' "
                           "'%s/ranks%d.h5'", ts_root(), ts_dir, ts_dir, n), 0,
                     "%s %d ranks: %s", cmd, n, ts_out);
    }
}

Test(precision_mpi, run)
{
    same_on_every_rank_count("run '%s/scenarios/mmcc.yaml' --reps 10 --max-reps 200 "
                             "--precision refused_no_space=3%% --set horizon=730");
}

Test(precision_mpi, sweep)
{
    same_on_every_rank_count("sweep '%s/scenarios/mmcc.yaml' --vary spaces=4:6:1 --reps 10 "
                             "--max-reps 200 --precision refused_no_space=3%% "
                             "--set horizon=730");
}

Test(precision_mpi, compare)
{
    same_on_every_rank_count("compare '%s/scenarios/mmcc.yaml' --vs spaces=6 --vs spaces=7 "
                             "--reps 10 --max-reps 200 --precision refused_no_space=0.002 "
                             "--set horizon=730");
}

Test(precision_mpi, capacity)
{
    same_on_every_rank_count("capacity '%s/scenarios/mmcc.yaml' --target 'refused_no_space<=0.05' "
                             "--max 20 --reps 10 --max-reps 200 "
                             "--precision refused_no_space=0.003 --set horizon=730");
}
