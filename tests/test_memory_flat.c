/* Memory does not grow with the records of replications (issue 17 item 12):
 * without a results file a point's records are streamed chunk by chunk
 * (ex_experiment's chunk_done) and only the summaries' per-replication
 * parts are kept: metric values and ratio parts, services, groups and the
 * three monthly series of the steady-state test, about 3 KB a county
 * replication, against the 10.4 KB rf_result that every replication held
 * before (13 KB a replication in all).  The test runs the program with N
 * and 4N replications and bounds the growth of its peak RSS per extra
 * replication at 5 KB: holding the records would exceed it twice over. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>

#include "rf_result.h"
#include "test_shell.h"

#define N_REPS 1000
#define MAX_BYTES_PER_REP 5000.0

/* Peak RSS (bytes) of one run of the program with reps replications. */
static double peak_rss(size_t reps)
{
    const char *prog = getenv("RS_PROGRAM"), *root = getenv("RS_ROOT");
    cr_assert(prog && root, "RS_PROGRAM and RS_ROOT must be set (make test)");
    char scen[4096], nreps[32];
    snprintf(scen, sizeof scen, "%s/scenarios/leicestershire-county.yaml", root);
    snprintf(nreps, sizeof nreps, "%zu", reps);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execl(prog, prog, "run", scen, "--reps", nreps, "--threads", "2", (char *)NULL);
        _exit(127);
    }
    int st;
    struct rusage ru;
    cr_assert_eq(wait4(pid, &st, 0, &ru), pid);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "refugesim run --reps %zu failed", reps);
    return (double)ru.ru_maxrss * 1024.0;   /* kilobytes on Linux */
}

Test(memory_flat, run_does_not_keep_records)
{
    /* AddressSanitizer keeps freed memory in quarantine: its RSS grows with
     * every allocation, freed or not, so only a plain build can tell */
    if (ts_sh("ldd '%s' | grep -q -e libasan -e libtsan", ts_prog()) == 0)
        cr_skip_test("a sanitizer build: freed memory is held in quarantine");
    double small = peak_rss(N_REPS), large = peak_rss(4 * N_REPS);
    double per_rep = (large - small) / (3.0 * N_REPS);
    cr_log_info("peak RSS %.1f MB at %d reps, %.1f MB at %d: %.0f bytes a replication",
                small / 1e6, N_REPS, large / 1e6, 4 * N_REPS, per_rep);
    /* the bound must tell: a held record alone is twice as large */
    cr_assert_gt((double)sizeof(rf_result), 2 * MAX_BYTES_PER_REP);
    cr_assert_lt(per_rep, MAX_BYTES_PER_REP,
                 "peak RSS grows %.0f bytes a replication (%.1f MB at %d reps, %.1f MB at %d)",
                 per_rep, small / 1e6, N_REPS, large / 1e6, 4 * N_REPS);
}

/* The streamed summaries are the same bits as those of the whole point's
 * records: `run` without -o (streamed) prints what `run -o` (records held
 * until the point is written) prints, but the line naming the file; with
 * the yearly figures, two points (--vary), chunks of 7 on 2 threads (a
 * last chunk shorter than the rest) and a network's areas and flows. */
static void same_tables(const char *args)
{
    const char *prog = ts_prog(), *root = ts_root();
    cr_assert_eq(ts_sh("cd '%s' && '%s' %s > '%s/streamed.txt'", root, prog, args, ts_dir), 0,
                 "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && '%s' %s -o '%s/x.h5' --force | grep -v '^results written to' "
                       "> '%s/held.txt'", root, prog, args, ts_dir, ts_dir), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cmp '%s/streamed.txt' '%s/held.txt' && test -s '%s/held.txt'", ts_dir,
                       ts_dir, ts_dir), 0, "%s: the streamed tables differ", args);
}

Test(memory_flat, streamed_tables_same_bits, .init = ts_make_dir, .fini = ts_remove_dir)
{
    same_tables("run scenarios/leicestershire-county.yaml --reps 300 --by-year --threads 2");
    same_tables("run scenarios/leicestershire-county.yaml --vary spaces=20,30 --reps 61 "
                "--chunk 7 --threads 2 --by-year");
    same_tables("run scenarios/east-midlands.yaml --reps 9 --chunk 4 --threads 2");
}
