/* Memory does not grow with the records of replications (issue 17 item 12):
 * a point's records are streamed chunk by chunk (ex_experiment's
 * chunk_done) into the summaries and, with -o, into the results file and
 * the checkpoints, so only what the summaries keep of each replication
 * remains: each metric's value, for the exact percentiles, about 0.3 KB a
 * county replication.  Its numerators and denominators are pooled as they
 * come (kept only for paired comparisons, AN_BUILD_PARTS), so are the
 * services and groups (an_point_summary_pool); the steady-state test keeps
 * no series (an_steady_builder), the yearly figures only their estimates
 * (AN_YEARS_ESTIMATES).  Before, every replication held its 10.4 KB
 * rf_result (13 KB a replication in all without -o, 14.4 KB with it).
 * With -o HDF5's chunk cache fills too, up to its bound (1 MB a dataset),
 * which over these sizes adds 2-3 KB a replication.  The tests run the
 * program with N and 4N replications and bound the growth of its peak RSS
 * per extra replication: run at 1 KB (measured 0.38), run -o at 4.5 KB
 * (2.8), rerun at 5 KB (3.5), a two-point sweep -o (checkpointed) at
 * 4.5 KB (2.8), the same sweep on two MPI ranks at 4.5 KB (3.3; rank 0
 * held 27.6 KB before it streamed); holding the records would exceed
 * each bound. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <string.h>

#include "rf_result.h"
#include "test_shell.h"

#define N_REPS 1000
#define MAX_BYTES_PER_REP 1000.0

/* Peak RSS (bytes) of one run of the program: `cmd` (run, sweep, rerun, or
 * mpi-sweep: a sweep under mpirun -n 2, whose peak is its largest rank) of
 * the county with reps replications, then the extra arguments. */
static double peak_rss(const char *cmd, size_t reps, const char *const *extra)
{
    const char *prog = getenv("RS_PROGRAM"), *root = getenv("RS_ROOT");
    cr_assert(prog && root, "RS_PROGRAM and RS_ROOT must be set (make test)");
    char scen[4096], nreps[32];
    snprintf(scen, sizeof scen, "%s/scenarios/leicestershire-county.yaml", root);
    snprintf(nreps, sizeof nreps, "%zu", reps);
    const char *argv[24] = {prog, cmd, scen, "--reps", nreps, "--threads", "2"};
    size_t k = 7;
    char file[4200];
    if (!strcmp(cmd, "rerun")) {     /* rerun of the run -o file of reps replications */
        snprintf(file, sizeof file, "%s/run-%zu.h5", ts_dir, reps);
        argv[2] = file;
        k = 3;
        cr_assert_eq(ts_sh("'%s' run '%s' --reps %zu -o '%s' --force", prog, scen, reps, file), 0,
                     "%s", ts_out);
    }
    int mpi = !strcmp(cmd, "mpi-sweep");  /* rank 0 of two: the largest process */
    if (mpi) {
        const char *m[] = {"mpirun", "-n", "2", "--oversubscribe", getenv("RS_MPI_PROGRAM"),
                           "sweep", scen, "--reps", nreps, "--threads", "1"};
        k = sizeof m / sizeof *m;
        memcpy(argv, m, sizeof m);
    }
    for (size_t i = 0; extra && extra[i] && k < 23; i++)
        argv[k++] = extra[i];
    argv[k] = NULL;
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        if (mpi) {
            setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
            setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
            setenv("OMPI_MCA_btl", "self,vader", 1);
            execvp("mpirun", (char *const *)argv);
        }
        execv(prog, (char *const *)argv);
        _exit(127);
    }
    int st;
    struct rusage ru;
    cr_assert_eq(wait4(pid, &st, 0, &ru), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "refugesim %s --reps %zu failed", cmd, reps);
    return (double)ru.ru_maxrss * 1024.0;   /* kilobytes on Linux */
}

/* The growth of peak RSS per replication from N to 4N, below bound. */
static void bounded(const char *cmd, const char *const *extra, double bound)
{
    /* AddressSanitizer keeps freed memory in quarantine: its RSS grows with
     * every allocation, freed or not, so only a plain build can tell */
    if (ts_sh("ldd '%s' | grep -q -e libasan -e libtsan", ts_prog()) == 0)
        cr_skip_test("a sanitizer build: freed memory is held in quarantine");
    double small = peak_rss(cmd, N_REPS, extra), large = peak_rss(cmd, 4 * N_REPS, extra);
    double per_rep = (large - small) / (3.0 * N_REPS);
    cr_log_info("%s: peak RSS %.1f MB at %d reps, %.1f MB at %d: %.0f bytes a replication", cmd,
                small / 1e6, N_REPS, large / 1e6, 4 * N_REPS, per_rep);
    /* the bound must tell: a held record and the summary's parts exceed it */
    cr_assert_gt((double)sizeof(rf_result) + 3000.0, bound);
    cr_assert_lt(per_rep, bound,
                 "%s: peak RSS grows %.0f bytes a replication (%.1f MB at %d reps, %.1f MB at %d)",
                 cmd, per_rep, small / 1e6, N_REPS, large / 1e6, 4 * N_REPS);
}

Test(memory_flat, run_does_not_keep_records)
{
    bounded("run", NULL, MAX_BYTES_PER_REP);
}

Test(memory_flat, results_files_and_checkpoints_do_not_keep_records, .init = ts_make_dir,
     .fini = ts_remove_dir)
{
    char out[400];
    snprintf(out, sizeof out, "%s/r.h5", ts_dir);
    const char *run_o[] = {"-o", out, "--force", NULL};
    bounded("run", run_o, 4500.0);
    snprintf(out, sizeof out, "%s/s.h5", ts_dir);
    /* two points, each checkpointed as its chunks come */
    const char *sweep_o[] = {"--vary", "spaces=20,30", "-o", out, "--force", NULL};
    bounded("sweep", sweep_o, 4500.0);
    /* rerun recomputes into a temporary file and compares it dataset by
     * dataset */
    bounded("rerun", NULL, 5000.0);
}

/* The drivers (capacity here; compare, optimise, calibrate and
 * --precision extend points the same way, study_extend) keep a point's
 * records in a spool, memory up to a budget (8 MB) and an unlinked file
 * after, and run a step a few MB of records at a time; capacity -o keeps
 * every capacity tried, for the file an interrupted search writes.  Two
 * capacities, both sure of the target, then the curve written as a sweep.
 * Before, every record was held: above 10.4 KB a replication. */
Test(memory_flat, searches_do_not_keep_records, .init = ts_make_dir, .fini = ts_remove_dir,
     .timeout = 300)
{
    char out[400];
    snprintf(out, sizeof out, "%s/c.h5", ts_dir);
    setenv("TMPDIR", ts_dir, 1);
    const char *cap_o[] = {"--target", "refused_no_space<=0.6", "--min", "20", "--max", "22",
                           "-o", out, "--force", NULL};
    bounded("capacity", cap_o, 4500.0);
    unsetenv("TMPDIR");
}

/* MPI: rank 0 writes the ranks' chunks as they arrive, in task order, and
 * holds only those that come ahead of the next (before, every point's
 * records until it was complete: 27.6 KB a replication here; measured
 * 2.8 KB, HDF5's chunk cache as with run -o). */
Test(memory_flat, mpi_rank_0_does_not_keep_records, .init = ts_make_dir, .fini = ts_remove_dir,
     .timeout = 300)
{
    const char *mpi = getenv("RS_MPI_PROGRAM");
    if (!mpi || !*mpi || access(mpi, X_OK) != 0 || ts_sh("command -v mpirun") != 0)
        cr_skip_test("no MPI build (make MPI=1)");
    char out[400];
    snprintf(out, sizeof out, "%s/m.h5", ts_dir);
    const char *sweep_o[] = {"--vary", "spaces=20,30", "--chunk", "50", "-o", out, "--force",
                             NULL};
    bounded("mpi-sweep", sweep_o, 4500.0);
}

/* The streamed summaries are the same bits whichever way the chunks come:
 * `run` in one process (blocks of one OpenMP team) prints what two MPI
 * ranks (tasks arriving in any order, delivered in task order) print; with the yearly
 * figures, two points (--vary), chunks of 7 on 2 threads (a last chunk
 * shorter than the rest) and a network's areas and flows.  The files are
 * compared the same way in test_batch_cli.c. */
static void same_tables(const char *mpi, const char *args)
{
    const char *prog = ts_prog(), *root = ts_root();
    cr_assert_eq(ts_sh("cd '%s' && '%s' %s > '%s/streamed.txt'", root, prog, args, ts_dir), 0,
                 "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
                       "OMPI_MCA_btl=self,vader mpirun -n 2 --oversubscribe '%s' %s --threads 1 "
                       "> '%s/held.txt'", root, mpi, args, ts_dir), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cmp '%s/streamed.txt' '%s/held.txt' && test -s '%s/held.txt'", ts_dir,
                       ts_dir, ts_dir), 0, "%s: the streamed tables differ", args);
}

Test(memory_flat, streamed_tables_same_bits, .init = ts_make_dir, .fini = ts_remove_dir,
     .timeout = 300)
{
    const char *mpi = getenv("RS_MPI_PROGRAM");
    if (!mpi || !*mpi || access(mpi, X_OK) != 0 || ts_sh("command -v mpirun") != 0)
        cr_skip_test("no MPI build (make MPI=1) to hold whole points");
    same_tables(mpi, "run scenarios/leicestershire-county.yaml --reps 300 --by-year");
    same_tables(mpi, "run scenarios/leicestershire-county.yaml --vary spaces=20,30 --reps 61 "
                     "--chunk 7 --by-year");
    same_tables(mpi, "run scenarios/east-midlands.yaml --reps 9 --chunk 4");
}
