/* The Slurm scripts (scenarios/cluster/) under stand-in sbatch, srun and
 * scontrol (tests/slurm/: they run the job here, the way Slurm would, from a
 * spool copy of the script, in the submit directory).  Jobs are submitted
 * from a directory that is not the checkout; a SIGTERM before the time limit
 * checkpoints the sweep, the job requeues itself and the resumed file is the
 * same bits as an uninterrupted sweep's. */
#include "test_shell.h"
/* Every test here has the same .timeout: Criterion 2.4's runner leaks a
 * little (LeakSanitizer, make asan) when tests with different timeouts run
 * side by side. */

#include <unistd.h>

/* The environment of a stand-in Slurm rooted in the scratch directory:
 * submit from ts_dir/sub, state in ts_dir/slurm. */
#define SLURM_ENV "cd '%s/sub' && PATH='%s/tests/slurm':$PATH FAKE_SLURM_DIR='%s/slurm' "
#define SLURM_ARGS ts_dir, ts_root(), ts_dir

static void slurm_setup(void)
{
    ts_make_dir();
    cr_assert_eq(ts_sh("mkdir -p '%s/sub' '%s/slurm'", ts_dir, ts_dir), 0);
}

static int same_file(const char *a, const char *b)
{
    return ts_sh("/usr/bin/python3 '%s/tests/py/same_results.py' '%s' '%s'", ts_root(), a, b);
}

/* The sweep the tests submit: 20 points, long enough to be cut mid-way. */
#define SWEEP_ARGS "--vary spaces=10:200:10 --reps 40 --set horizon=365"

/* ts_dir/ref.h5: the uninterrupted sweep, the command the jobs run, by hand. */
static void reference_sweep(void)
{
    if (!ts_have_python("h5py"))
        cr_skip_test("h5py is missing (make deps)");
    cr_assert_eq(ts_sh("%s sweep '%s/scenarios/leicestershire-county.yaml' --threads 1 " SWEEP_ARGS
                       " -o '%s/ref.h5'", ts_prog(), ts_root(), ts_dir), 0, "%s", ts_out);
}

Test(cluster, sweep_requeued_after_sigterm_resumes_to_the_same_bits, .init = slurm_setup,
     .fini = ts_remove_dir, .timeout = 300)
{
    reference_sweep();
    /* SIGTERM to the batch shell (--signal=B:TERM@300) once 3 points are checkpointed */
    cr_assert_eq(ts_sh(SLURM_ENV "REFUGESIM='%s' FAKE_SLURM_SIGNAL_WHEN='[ $(ls results/*.ckpt "
                       "2>/dev/null | grep -c bin) -ge 3 ]' sbatch --cpus-per-task=1 "
                       "'%s/scenarios/cluster/sweep.sbatch' " SWEEP_ARGS,
                       SLURM_ARGS, ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_assert_str_eq(ts_out, "Submitted batch job 1001\n");
    cr_assert_eq(ts_sh("cat '%s/slurm/job1001.signalled' '%s/slurm/requeued'", ts_dir, ts_dir), 0,
                 "the job was never signalled and requeued (did it finish first?): %s", ts_out);
    cr_assert_str_eq(ts_out, "TERM\n1001\n");
    /* one log named after the job, holding both runs (--open-mode=append) */
    cr_assert_eq(ts_sh("cat '%s/sub/refugesim-sweep-1001.log'", ts_dir), 0, "%s", ts_out);
    cr_assert(strstr(ts_out, "SIGTERM (the time limit is near"), "%s", ts_out);
    cr_assert(strstr(ts_out, "interrupted:"), "%s", ts_out);
    cr_assert(strstr(ts_out, "requeueing job 1001"), "%s", ts_out);
    cr_assert(strstr(ts_out, " -o results/refugesim-sweep-1001.h5 --resume"), "%s", ts_out);
    cr_assert(strstr(ts_out, "refugesim: resuming: "), "%s", ts_out);
    cr_assert(strstr(ts_out, "results written to results/refugesim-sweep-1001.h5\n"), "%s", ts_out);
    cr_assert_eq(ts_sh("cat '%s/slurm/job1001.state' '%s/slurm/srun.log'", ts_dir, ts_dir), 0);
    cr_assert_str_eq(ts_out, "COMPLETED\n--mpi=pmix --cpu-bind=cores\n--mpi=pmix --cpu-bind=cores\n");
    char res[400];
    snprintf(res, sizeof res, "%s/sub/results/refugesim-sweep-1001.h5", ts_dir);
    char ref[300];
    snprintf(ref, sizeof ref, "%s/ref.h5", ts_dir);
    cr_assert_eq(same_file(ref, res), 0, "the requeued sweep differs: %s", ts_out);
    cr_assert_eq(ts_sh("ls -A '%s/sub/results'", ts_dir), 0);
    cr_assert_str_eq(ts_out, "refugesim-sweep-1001.h5\n", "checkpoints or temporary files left");
}

/* RS_MAX_REQUEUES bounds the requeues of a job that never finishes in time. */
Test(cluster, sweep_stops_requeueing_after_rs_max_requeues, .init = slurm_setup,
     .fini = ts_remove_dir, .timeout = 300)
{
    cr_assert_eq(ts_sh(SLURM_ENV "REFUGESIM='%s' RS_MAX_REQUEUES=0 FAKE_SLURM_SIGNAL_WHEN='[ $(ls "
                       "results/*.ckpt 2>/dev/null | grep -c bin) -ge 1 ]' sbatch --cpus-per-task=1 "
                       "'%s/scenarios/cluster/sweep.sbatch' " SWEEP_ARGS " >/dev/null && cat "
                       "../slurm/job1001.signalled ../slurm/job1001.state refugesim-sweep-1001.log",
                       SLURM_ARGS, ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_assert(!strncmp(ts_out, "TERM\nFAILED\n", 12), "%s", ts_out);
    cr_assert(strstr(ts_out, "requeued 0 times already (RS_MAX_REQUEUES)"), "%s", ts_out);
    cr_assert_neq(ts_sh("test -e '%s/slurm/requeued'", ts_dir), 0, "requeued all the same");
}

/* Arguments after the script: a scenario relative to the submit directory,
 * several --vary, -o; the job's errors are the program's. */
Test(cluster, sweep_takes_a_scenario_several_vary_and_an_output, .init = slurm_setup,
     .fini = ts_remove_dir, .timeout = 300)
{
    cr_assert_eq(ts_sh("cp '%s/scenarios/mmcc.yaml' '%s/sub/my.yaml'", ts_root(), ts_dir), 0);
    cr_assert_eq(ts_sh(SLURM_ENV "REFUGESIM='%s' sbatch -J mine --cpus-per-task=2 "
                       "'%s/scenarios/cluster/sweep.sbatch' my.yaml --vary spaces=3:6:1 "
                       "--vary referrals.per_year=100,200 --reps 4 -o out/two-keys.h5 && "
                       "cat mine-1001.log", SLURM_ARGS, ts_prog(), ts_root()),
                 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cat '%s/slurm/job1001.state'", ts_dir), 0);
    /* out/ did not exist: the script makes the output's directory */
    cr_assert_str_eq(ts_out, "COMPLETED\n", "%s", ts_out);
    cr_assert_eq(ts_sh("/usr/bin/python3 -c \"import h5py; f=h5py.File('%s/sub/out/two-keys.h5');"
                       "print(f.attrs['n_points'], list(f.attrs['vary_keys']), f.attrs['threads'])\"",
                       ts_dir), 0, "%s", ts_out);
    cr_assert_str_eq(ts_out, "8 ['spaces', 'referrals.per_year'] 2\n");
    /* without a --vary the script's own (SWEEP: spaces=10:120:5, 23 points) */
    cr_assert_eq(ts_sh(SLURM_ENV "REFUGESIM='%s' sbatch '%s/scenarios/cluster/sweep.sbatch' my.yaml "
                       "--reps 2 --set horizon=30 > /dev/null && /usr/bin/python3 -c \"import h5py; "
                       "print(h5py.File('results/refugesim-sweep-1002.h5').attrs['n_points'])\"",
                       SLURM_ARGS, ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_assert_str_eq(ts_out, "23\n");
    /* a bad key is the program's usage error, and the job fails with it */
    cr_assert_eq(ts_sh(SLURM_ENV "REFUGESIM='%s' sbatch '%s/scenarios/cluster/sweep.sbatch' "
                       "my.yaml --vary nonsense.key=1,2 --reps 4 && cat refugesim-sweep-1003.log "
                       "&& cat ../slurm/job1003.state", SLURM_ARGS, ts_prog(), ts_root()), 0,
                 "%s", ts_out);
    cr_assert(strstr(ts_out, "nonsense") && strstr(ts_out, "FAILED"), "%s", ts_out);
    cr_assert_null(strstr(ts_out, "requeueing"), "%s", ts_out);
}

Test(cluster, sweep_under_mpi_gives_the_single_process_bits, .init = slurm_setup,
     .fini = ts_remove_dir, .timeout = 300)
{
    const char *mpi = getenv("RS_MPI_PROGRAM");
    if (!mpi || !*mpi || access(mpi, X_OK) != 0)
        cr_skip_test("no MPI build (make MPI=1) to test");
    reference_sweep();
    cr_assert_eq(ts_sh(SLURM_ENV "REFUGESIM='%s' FAKE_SRUN_MPIRUN=1 OMPI_ALLOW_RUN_AS_ROOT=1 "
                       "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader sbatch --nodes=1 "
                       "--ntasks-per-node=3 --cpus-per-task=1 '%s/scenarios/cluster/sweep.sbatch' "
                       SWEEP_ARGS " --chunk 8 && cat refugesim-sweep-1001.log", SLURM_ARGS, mpi,
                       ts_root()), 0, "%s", ts_out);
    cr_assert(strstr(ts_out, "results written to"), "%s", ts_out);
    char ref[300], res[400];
    snprintf(ref, sizeof ref, "%s/ref.h5", ts_dir);
    snprintf(res, sizeof res, "%s/sub/results/refugesim-sweep-1001.h5", ts_dir);
    cr_assert_eq(ts_sh("/usr/bin/python3 -c \"import h5py; print(h5py.File('%s').attrs['ranks'])\"",
                       res), 0, "%s", ts_out);
    cr_assert_str_eq(ts_out, "3\n");
    cr_assert_eq(same_file(ref, res), 0, "%s", ts_out);
}

/* The array script's plumbing with a program that records what it is asked
 * (tests/slurm/refugesim-recorder): task k of n gets its share of the grid,
 * the merge runs once, after every task, over every part. */
Test(cluster, array_splits_the_grid_and_merges_after_every_task, .init = slurm_setup,
     .fini = ts_remove_dir, .timeout = 300)
{
    /* 10 spaces x 2 seeds = 20 points over 3 tasks */
    cr_assert_eq(ts_sh(SLURM_ENV "REFUGESIM='%s/tests/slurm/refugesim-recorder' sbatch --array=0-2 "
                       "'%s/scenarios/cluster/sweep-array.sbatch' --vary spaces=1:10:1 "
                       "--vary seed=1,2 --reps 7 && cat ../slurm/refugesim.log", SLURM_ARGS,
                       ts_root(), ts_root()), 0, "%s", ts_out);
    const char *want[] = {
        "--vary spaces=1:10:1 --vary seed=1,2 --reps 7 --points 0:5 -o results/refugesim-array-1001/part-0.h5\n",
        "--points 6:12 -o results/refugesim-array-1001/part-1.h5\n",
        "--points 13:19 -o results/refugesim-array-1001/part-2.h5\n",
        "merge results/refugesim-array-1001/part-0.h5 results/refugesim-array-1001/part-1.h5 "
        "results/refugesim-array-1001/part-2.h5 -o results/refugesim-array-1001.h5\n"};
    const char *at = ts_out;
    for (size_t i = 0; i < 4; i++) {
        const char *hit = strstr(at, want[i]);
        cr_assert(hit, "missing or out of order: %s\nin:\n%s", want[i], ts_out);
        at = hit + strlen(want[i]);
    }
    cr_assert_null(strstr(at, "merge"), "merged twice:\n%s", ts_out);
    cr_assert_eq(ts_sh("cat '%s/slurm/job1004.state'; ls '%s/sub'", ts_dir, ts_dir), 0);
    cr_assert_str_eq(ts_out, "COMPLETED\nrefugesim-array-1001_0.log\nrefugesim-array-1001_1.log\n"
                     "refugesim-array-1001_2.log\nrefugesim-array-merge-1004.log\nresults\n");

    /* more tasks than points: the empty tasks do nothing, every point once */
    cr_assert_eq(ts_sh(SLURM_ENV "REFUGESIM='%s/tests/slurm/refugesim-recorder' sbatch --array=0-4 "
                       "'%s/scenarios/cluster/sweep-array.sbatch' --vary spaces=1,2,3 >/dev/null && "
                       "grep -o -e '--points [0-9:]*' -e '^merge.*' ../slurm/refugesim.log | tail -n 4",
                       SLURM_ARGS, ts_root(), ts_root()), 0, "%s", ts_out);
    cr_assert_str_eq(ts_out, "--points 0:0\n--points 1:1\n--points 2:2\n"
                     "merge results/refugesim-array-1005/part-1.h5 results/refugesim-array-1005/part-3.h5 "
                     "results/refugesim-array-1005/part-4.h5 -o results/refugesim-array-1005.h5\n");

    /* a task that fails: the merge is cancelled, never run */
    cr_assert_eq(ts_sh(SLURM_ENV "REFUGESIM='%s/tests/slurm/refugesim-recorder' FAKE_FAIL=part-1.h5 "
                       "sbatch --array=0-1 '%s/scenarios/cluster/sweep-array.sbatch' --vary "
                       "spaces=1,2 >/dev/null; cat ../slurm/job1011.state ../slurm/job1013.state; "
                       "grep -c 'merge.*1011' ../slurm/refugesim.log", SLURM_ARGS, ts_root(),
                       ts_root()), 1, "%s", ts_out);
    cr_assert_str_eq(ts_out, "FAILED\nCANCELLED\n0\n", "%s", ts_out);
}

/* The grid the array script splits has as many points as refugesim makes. */
Test(cluster, array_counts_the_grid_as_refugesim_does, .init = ts_make_dir, .fini = ts_remove_dir,
     .timeout = 300)
{
    if (!ts_have_python("h5py"))
        cr_skip_test("h5py is missing (make deps)");
    static const char *const grids[] = {
        "--vary spaces=1:10:3", "--vary referrals.per_year=0.1:0.7:0.2 --vary seed=1,2,3",
        "--vary=referrals.per_year=2:3:0.5 --vary waiting.p_wait=0,0.5,1", "--vary seed=5"};
    for (size_t i = 0; i < sizeof grids / sizeof grids[0]; i++) {
        cr_assert_eq(ts_sh("bash -c 'RS_HERE=\"$1\"; . \"$RS_HERE/refugesim-slurm.sh\"; shift; "
                           "rs_grid_points \"$@\"' - '%s/scenarios/cluster' %s", ts_root(),
                           grids[i]), 0, "%s", ts_out);
        int script = atoi(ts_out);
        cr_assert_eq(ts_sh("%s sweep '%s/scenarios/mmcc.yaml' %s --reps 2 --set horizon=30 "
                           "-o '%s/g%zu.h5' >/dev/null && /usr/bin/python3 -c \"import h5py; "
                           "print(h5py.File('%s/g%zu.h5').attrs['n_points'])\"", ts_prog(),
                           ts_root(), grids[i], ts_dir, i, ts_dir, i), 0, "%s", ts_out);
        cr_expect_eq(script, atoi(ts_out), "%s: the script counts %d points, refugesim %d",
                     grids[i], script, atoi(ts_out));
    }
}

/* End to end (sweep --points, merge): the merged file of an array whose
 * first task was stopped by SIGTERM and requeued is the same bits as one
 * sweep's. */
Test(cluster, array_sweep_merges_to_the_same_bits, .init = slurm_setup, .fini = ts_remove_dir,
     .timeout = 300)
{
    reference_sweep();
    cr_assert_eq(ts_sh(SLURM_ENV "REFUGESIM='%s' FAKE_SLURM_SIGNAL_WHEN='[ $(ls results/*/part-0.h5.ckpt "
                       "2>/dev/null | grep -c bin) -ge 2 ]' sbatch --array=0-2 --cpus-per-task=1 "
                       "'%s/scenarios/cluster/sweep-array.sbatch' " SWEEP_ARGS " && "
                       "cat ../slurm/requeued ../slurm/job1004.state", SLURM_ARGS, ts_prog(),
                       ts_root()), 0, "%s", ts_out);
    cr_assert_str_eq(ts_out, "Submitted batch job 1001\n1001\nCOMPLETED\n",
                     "task 0 was not requeued, or the merge did not complete");
    char ref[300], res[400];
    snprintf(ref, sizeof ref, "%s/ref.h5", ts_dir);
    snprintf(res, sizeof res, "%s/sub/results/refugesim-array-1001.h5", ts_dir);
    cr_assert_eq(same_file(ref, res), 0, "the merged file differs: %s", ts_out);
}
