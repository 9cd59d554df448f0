/* run / sweep / rerun end to end through the program: results files are
 * written atomically, never overwritten by accident, the same bits whatever
 * the threads, chunking or MPI ranks, and an interrupted or killed sweep
 * resumes to the same file as an uninterrupted one. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char dir[256];
static char out[65536];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/rs_batch_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Run a shell command (with %s for the program, scenario dir and temp dir
 * substituted by the caller); output in out[]; returns the exit status. */
__attribute__((format(printf, 1, 2))) static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd - 8, fmt, ap);
    va_end(ap);
    cr_assert(n > 0 && (size_t)n < sizeof cmd - 8);
    strcat(cmd, " 2>&1");
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    size_t len = fread(out, 1, sizeof out - 1, f);
    out[len] = '\0';
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static const char *prog(void)
{
    const char *p = getenv("RS_PROGRAM");
    cr_assert_not_null(p, "RS_PROGRAM not set (run through make test)");
    return p;
}

static const char *root(void)
{
    const char *r = getenv("RS_ROOT");
    cr_assert_not_null(r, "RS_ROOT not set (run through make test)");
    return r;
}

static int same(const char *a, const char *b)
{
    return sh("/usr/bin/python3 '%s/tests/py/same_results.py' '%s' '%s'", root(), a, b);
}

#define COUNTY "'%s/scenarios/leicestershire-county.yaml'"
/* A small sweep: 4 capacities x 30 replications of one year after warm-up. */
#define SMALL "--vary spaces=10:40:10 --reps 30 --set horizon=365"

Test(batch, output_safety_force_and_missing_directory, .init = make_dir, .fini = remove_dir)
{
    cr_assert_eq(sh("%s run " COUNTY " --reps 5 -o %s/a.h5", prog(), root(), dir), 0, "%s", out);
    cr_assert(strstr(out, "results written to"), "%s", out);
    struct stat before, after;
    char path[300];
    snprintf(path, sizeof path, "%s/a.h5", dir);
    cr_assert_eq(stat(path, &before), 0);
    cr_assert_eq(sh("%s run " COUNTY " --reps 5 -o %s/a.h5", prog(), root(), dir), 2);
    cr_assert(strstr(out, "exists: use --force"), "%s", out);
    cr_assert_eq(stat(path, &after), 0);
    cr_assert_eq(before.st_mtime, after.st_mtime);
    cr_assert_eq(before.st_ino, after.st_ino, "the old file was replaced");
    cr_assert_eq(sh("%s run " COUNTY " --reps 5 -o %s/a.h5 --force", prog(), root(), dir), 0);
    cr_assert_eq(sh("%s run " COUNTY " --reps 5 -o %s/no/such/dir/a.h5", prog(), root(), dir), 2);
    cr_assert(strstr(out, "directory does not exist"), "%s", out);
    /* nothing but the results file is left in the directory */
    cr_assert_eq(sh("ls -A '%s'", dir), 0);
    cr_assert_str_eq(out, "a.h5\n");
}

Test(batch, same_bits_whatever_threads_and_chunks, .init = make_dir, .fini = remove_dir)
{
    cr_assert_eq(sh("%s sweep " COUNTY " " SMALL " --threads 1 --chunk 30 -o %s/t1.h5",
                    prog(), root(), dir), 0, "%s", out);
    cr_assert_eq(sh("%s sweep " COUNTY " " SMALL " --threads 2 --chunk 7 -o %s/t2.h5",
                    prog(), root(), dir), 0, "%s", out);
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/t1.h5", dir);
    snprintf(b, sizeof b, "%s/t2.h5", dir);
    cr_assert_eq(same(a, b), 0, "%s", out);
}

Test(batch, rerun_repeats_a_file_exactly, .init = make_dir, .fini = remove_dir)
{
    cr_assert_eq(sh("%s sweep " COUNTY " " SMALL " --seed 77 -o %s/s.h5", prog(), root(), dir), 0,
                 "%s", out);
    cr_assert_eq(sh("%s rerun %s/s.h5 -o %s/r.h5", prog(), dir, dir), 0, "%s", out);
    cr_assert(strstr(out, "identical to the stored results"), "%s", out);
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/s.h5", dir);
    snprintf(b, sizeof b, "%s/r.h5", dir);
    cr_assert_eq(same(a, b), 0, "%s", out);
}

Test(batch, sweep_points_share_random_numbers, .init = make_dir, .fini = remove_dir)
{
    /* Under common random numbers the referrals of replication r are the
     * same households at every capacity: their count is identical.  Scaling
     * adds units to every kind, including those tried first, so single
     * replications may refuse more (README.md, "More units, fewer
     * refusals"); the total over the replications falls. */
    cr_assert_eq(sh("%s sweep " COUNTY " " SMALL " -o %s/s.h5", prog(), root(), dir), 0, "%s", out);
    cr_assert_eq(sh("/usr/bin/python3 -c \"import h5py,numpy as np; f=h5py.File('%s/s.h5');"
                    "r=[f['points/%%d/metrics/referrals'%%i][()] for i in range(4)];"
                    "n=[f['points/%%d/metrics/refused_no_space'%%i][()] for i in range(4)];"
                    "assert all((x==r[0]).all() for x in r), 'referrals differ';"
                    "t=[(n[i]*r[i]).sum() for i in range(4)];"
                    "assert all(t[i+1]<t[i] for i in range(3)), 'more units refused more: %%s'%%t;"
                    "print('ok')\"", dir), 0, "%s", out);
}

static int count_ckpt(const char *ckdir)
{
    DIR *d = opendir(ckdir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strstr(e->d_name, ".bin") && !strstr(e->d_name, ".tmp");
    closedir(d);
    return n;
}

/* Start a shell command in the background; its pid. */
static pid_t spawn(const char *cmd)
{
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    return pid;
}

/* Send sig and wait: the exit status, 128 + signal if killed. */
static int signal_and_wait(pid_t pid, int sig)
{
    kill(pid, sig);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Start a sweep in the background and SIGKILL it once `points` points are
 * checkpointed; returns 1 if it was killed mid-run, 0 if it finished first. */
static int kill_midway(const char *cmd, const char *ckdir, int points)
{
    pid_t pid = spawn(cmd);
    struct timespec tick = {0, 2000000};
    for (int i = 0; i < 30000; i++) {
        int st;
        if (waitpid(pid, &st, WNOHANG) == pid)
            return 0;
        if (count_ckpt(ckdir) >= points)
            break;
        nanosleep(&tick, NULL);
    }
    signal_and_wait(pid, SIGKILL);
    return 1;
}

#define LONG "--vary spaces=10:200:10 --reps 40 --set horizon=365"

Test(batch, killed_sweep_keeps_the_old_file_and_resumes_to_the_same_bits, .init = make_dir,
     .fini = remove_dir, .timeout = 300)
{
    char ref[300], res[300], old_copy[300], cmd[2048], ck[320];
    snprintf(ref, sizeof ref, "%s/ref.h5", dir);
    snprintf(res, sizeof res, "%s/res.h5", dir);
    snprintf(old_copy, sizeof old_copy, "%s/old.h5", dir);
    snprintf(ck, sizeof ck, "%s.ckpt", res);
    cr_assert_eq(sh("%s sweep " COUNTY " " LONG " -o %s", prog(), root(), ref), 0, "%s", out);
    /* an older results file sits where the new sweep will write */
    cr_assert_eq(sh("%s sweep " COUNTY " --vary spaces=5,6 --reps 5 -o %s && cp %s %s", prog(),
                    root(), res, res, old_copy), 0, "%s", out);
    snprintf(cmd, sizeof cmd, "exec %s sweep '%s/scenarios/leicestershire-county.yaml' " LONG
             " --threads 1 --force -o %s > /dev/null 2>&1", prog(), root(), res);
    int killed = kill_midway(cmd, ck, 3);
    cr_assert(killed, "the sweep finished before it could be killed: make it longer");
    cr_assert_eq(same(res, old_copy), 0, "the old file was damaged: %s", out);
    /* only the results files, the checkpoints and the killed writer's own
     * temporary sibling are there */
    cr_assert_eq(sh("cd '%s' && ls -A | grep -v -e '^ref.h5$' -e '^old.h5$' -e '^res.h5$' "
                    "-e '^res.h5.ckpt$' -e '^res.h5.tmp.[0-9]*$' | wc -l", dir), 0);
    cr_assert_str_eq(out, "0\n", "stray files beside the results");
    cr_assert_eq(sh("%s sweep " COUNTY " " LONG " --resume -o %s", prog(), root(), res), 0, "%s", out);
    cr_assert(strstr(out, "resuming:"), "%s", out);
    cr_assert_eq(same(ref, res), 0, "resumed file differs: %s", out);
    cr_assert_eq(sh("ls -A '%s' | grep -c tmp || true", dir), 0);
    cr_assert_str_eq(out, "0\n", "a stale temporary file survived the resumed run");
    struct stat st;
    cr_assert_neq(stat(ck, &st), 0, "checkpoints left behind after completion");
}

Test(batch, interrupt_writes_what_is_complete_and_fails, .init = make_dir, .fini = remove_dir,
     .timeout = 300)
{
    char res[300], cmd[2048], ck[320];
    snprintf(res, sizeof res, "%s/int.h5", dir);
    snprintf(ck, sizeof ck, "%s.ckpt", res);
    snprintf(cmd, sizeof cmd, "exec %s sweep '%s/scenarios/leicestershire-county.yaml' " LONG
             " --threads 1 -o %s > %s/int.log 2>&1", prog(), root(), res, dir);
    pid_t pid = spawn(cmd);
    struct timespec tick = {0, 2000000};
    for (int i = 0; i < 30000 && count_ckpt(ck) < 2; i++)
        nanosleep(&tick, NULL);
    int st = signal_and_wait(pid, SIGINT);
    cr_assert_eq(st, 1, "exit status %d", st);
    cr_assert_eq(sh("cat %s/int.log", dir), 0);
    cr_assert(strstr(out, "interrupted"), "%s", out);
    cr_assert_eq(sh("/usr/bin/python3 -c \"import h5py; f=h5py.File('%s');"
                    "assert f.attrs['complete']==0; t=f['point_table'][()];"
                    "done=[r for r in t if r['n_reps']>0 and r['reps_done']==r['n_reps']];"
                    "assert 2<=len(done)<len(t), (len(done), len(t)); print('ok')\"", res), 0,
                 "%s", out);
}

Test(batch, mpi_ranks_give_the_single_process_bits, .init = make_dir, .fini = remove_dir,
     .timeout = 300)
{
    const char *mpi = getenv("RS_MPI_PROGRAM");
    if (!mpi || !*mpi || access(mpi, X_OK) != 0)
        cr_skip_test("no MPI build (make MPI=1) to test");
    cr_assert_eq(sh("%s sweep " COUNTY " " SMALL " -o %s/one.h5", prog(), root(), dir), 0, "%s", out);
    cr_assert_eq(sh("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader "
                    "mpirun -n 3 --oversubscribe %s sweep " COUNTY " " SMALL
                    " --threads 1 --chunk 8 -o %s/three.h5", mpi, root(), dir), 0, "%s", out);
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/one.h5", dir);
    snprintf(b, sizeof b, "%s/three.h5", dir);
    cr_assert_eq(same(a, b), 0, "%s", out);
    /* rank 0 runs tasks too: two ranks with their default chunks, and four
     * ranks on small chunks (many more tasks than ranks, so tasks are handed
     * out while rank 0 is busy with its own), give the same bits; so does a
     * run of one point */
    cr_assert_eq(sh("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader "
                    "mpirun -n 2 --oversubscribe %s sweep " COUNTY " " SMALL
                    " --threads 2 -o %s/two.h5", mpi, root(), dir), 0, "%s", out);
    snprintf(b, sizeof b, "%s/two.h5", dir);
    cr_assert_eq(same(a, b), 0, "%s", out);
    cr_assert_eq(sh("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader "
                    "mpirun -n 4 --oversubscribe %s sweep " COUNTY " " SMALL
                    " --threads 1 --chunk 3 -o %s/four.h5", mpi, root(), dir), 0, "%s", out);
    snprintf(b, sizeof b, "%s/four.h5", dir);
    cr_assert_eq(same(a, b), 0, "%s", out);
    cr_assert_eq(sh("%s run " COUNTY " --reps 40 -o %s/run1.h5", prog(), root(), dir), 0, "%s", out);
    cr_assert_eq(sh("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader "
                    "mpirun -n 2 --oversubscribe %s run " COUNTY " --reps 40 --chunk 7 --threads 1"
                    " -o %s/run2.h5", mpi, root(), dir), 0, "%s", out);
    snprintf(a, sizeof a, "%s/run1.h5", dir);
    snprintf(b, sizeof b, "%s/run2.h5", dir);
    cr_assert_eq(same(a, b), 0, "%s", out);
    /* the search and the rerun take the same steps on every rank */
    cr_assert_eq(sh("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader "
                    "mpirun -n 2 --oversubscribe %s capacity '%s/scenarios/mmcc.yaml' "
                    "--target 'refused_no_space<=0.02' --reps 40 --max 50 --threads 1", mpi, root()),
                 0, "%s", out);
    cr_assert(strstr(out, "answer: 8 spaces"), "%s", out);
    cr_assert_eq(sh("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader "
                    "mpirun -n 3 --oversubscribe %s rerun %s/one.h5 --threads 1", mpi, dir), 0,
                 "%s", out);
    cr_assert(strstr(out, "identical to the stored results"), "%s", out);
    cr_assert_null(strstr(out, "DIFFERENT"), "%s", out);
}

#define MPI_LONG "--vary spaces=10:200:10 --reps 40 --set horizon=1460"

/* Rank 0 writes the ranks' chunks as they come, in task order (those ahead
 * of a missing one wait): interrupted, the file keeps what ran and is
 * marked incomplete; resumed on ranks, it is the single process's bits.
 * Chunks of 7 on 3 ranks make chunks arrive out of order. */
Test(batch, mpi_interrupt_keeps_what_ran_and_resumes_to_the_same_bits, .init = make_dir,
     .fini = remove_dir, .timeout = 300)
{
    const char *mpi = getenv("RS_MPI_PROGRAM");
    if (!mpi || !*mpi || access(mpi, X_OK) != 0)
        cr_skip_test("no MPI build (make MPI=1) to test");
    char res[300], ref[300], cmd[2048], ck[320];
    snprintf(res, sizeof res, "%s/int.h5", dir);
    snprintf(ref, sizeof ref, "%s/ref.h5", dir);
    snprintf(ck, sizeof ck, "%s.ckpt", res);
    cr_assert_eq(sh("%s sweep " COUNTY " " MPI_LONG " --threads 1 -o %s", prog(), root(), ref), 0,
                 "%s", out);
    snprintf(cmd, sizeof cmd, "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
             "OMPI_MCA_btl=self,vader exec setsid mpirun -n 3 --oversubscribe %s sweep "
             "'%s/scenarios/leicestershire-county.yaml' " MPI_LONG " --threads 1 --chunk 7 -o %s "
             "> %s/int.log 2>&1", mpi, root(), res, dir);
    pid_t pid = spawn(cmd);
    struct timespec tick = {0, 2000000};
    for (int i = 0; i < 30000 && count_ckpt(ck) < 3; i++)
        nanosleep(&tick, NULL);
    /* the ranks themselves (mpirun does not pass a SIGINT on), as a
     * scheduler's signal to the job step reaches them; mpirun in its own
     * session, so that ending the job cannot reach this test */
    cr_assert_eq(sh("pkill -INT -P %d", (int)pid), 0, "no rank to signal: %s", out);
    int st = signal_and_wait(pid, 0);
    cr_assert_neq(st, 0, "the sweep was not interrupted");
    cr_assert_eq(sh("cat %s/int.log", dir), 0);
    /* what ran is in the file, replication by replication the reference's */
    cr_assert_eq(sh("/usr/bin/python3 -c \"import h5py, numpy as np; f=h5py.File('%s'); "
                    "g=h5py.File('%s'); assert f.attrs['complete']==0; t=f['point_table'][()]; "
                    "whole=[r for r in t if r['n_reps']>0 and r['reps_done']==r['n_reps']]; "
                    "assert 3<=len(whole)<len(t), (len(whole), len(t)); n=0\n"
                    "for p in f['points']:\n"
                    " d=f['points'][p]['done'][()]==1; a=f['points'][p]['metrics/occupancy'][()]; "
                    "b=g['points'][p]['metrics/occupancy'][()]; assert np.array_equal(a[d], b[d]); "
                    "n+=d.sum()\n"
                    "print(n)\"", res, ref), 0, "%s", out);
    cr_assert_eq(sh("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_btl=self,vader "
                    "mpirun -n 3 --oversubscribe %s sweep " COUNTY " " MPI_LONG
                    " --threads 1 --chunk 7 --resume -o %s", mpi, root(), res), 0, "%s", out);
    cr_assert(strstr(out, "resuming:"), "%s", out);
    cr_assert_eq(same(ref, res), 0, "the resumed file differs: %s", out);
}

/* mmcc.yaml is M/M/c/c at 3 Erlangs: Erlang B gives B(7,3) = 0.0223 and
 * B(8,3) = 0.0081, so 8 is the smallest capacity whose whole 95% interval
 * lies under 2% (the intervals here are about +-0.001). */
Test(batch, capacity_search_finds_the_erlang_b_answer, .init = make_dir, .fini = remove_dir,
     .timeout = 300)
{
    cr_assert_eq(sh("%s capacity '%s/scenarios/mmcc.yaml' --target 'refused_no_space<=0.02' "
                    "--reps 40 --max 50 -o %s/cap.h5", prog(), root(), dir), 0, "%s", out);
    cr_assert(strstr(out, "answer: 8 spaces meet refused_no_space <= 0.02"), "%s", out);
    cr_assert(strstr(out, "results written to"), "%s", out);
    /* the curve it walked is in the file, one point per capacity tried */
    cr_assert_eq(sh("/usr/bin/python3 -c \"import h5py; f=h5py.File('%s/cap.h5');"
                    "t=f['point_table'][()]; s=sorted(int(x) for x in t['spaces']);"
                    "assert 7 in s and 8 in s, s; assert f.attrs['note'].startswith('answer: 8 spaces');"
                    "print(len(s))\"", dir), 0, "%s", out);
    cr_assert_eq(sh("%s capacity '%s/scenarios/mmcc.yaml' --target 'nonsense<=1'", prog(), root()), 2);
    cr_assert(strstr(out, "unknown metric 'nonsense' (accepted: referrals"), "%s", out);
    cr_assert_eq(sh("%s capacity '%s/scenarios/mmcc.yaml' --target 'refused_no_space<=0.0001' "
                    "--reps 10 --max 9 -o %s/none.h5", prog(), root(), dir), 1);
    cr_assert(strstr(out, "no capacity up to 9 spaces meets"), "%s", out);
    /* not met: the file still holds what was tried, and its note (and so the
     * report's answer) says that nothing up to --max meets the target */
    cr_assert_eq(sh("/usr/bin/python3 -c \"import h5py; f=h5py.File('%s/none.h5');"
                    "assert f.attrs['note'].startswith('no capacity up to 9 spaces meets'), "
                    "f.attrs['note']; assert 9 in [int(x) for x in f['point_table'][()]['spaces']]\"",
                    dir), 0, "%s", out);
    cr_assert_eq(sh("%s report %s/none.h5 --html %s/none.html && grep -q 'The capacity search: no "
                    "capacity up to 9 spaces meets' %s/none.html", prog(), dir, dir, dir), 0, "%s", out);
}

/* The h5 file holds what the run printed: the summary table's cells are the
 * file's summary means and half-widths, rounded. */
Test(batch, the_file_holds_what_the_run_printed, .init = make_dir, .fini = remove_dir)
{
    cr_assert_eq(sh("%s run " COUNTY " --reps 20 -o %s/p.h5 > %s/printed.txt", prog(), root(),
                    dir, dir), 0, "%s", out);
    cr_assert_eq(sh("/usr/bin/python3 -c \"import h5py\n"
                    "f=h5py.File('%s/p.h5'); t=f['points/0/summary'][()]\n"
                    "row={r['metric'].decode(): r for r in t}\n"
                    "text=open('%s/printed.txt').read()\n"
                    "for label, m in [('Placed','placed'),('Refused: no space','refused_no_space'),"
                    "('Occupancy','occupancy'),('Timely move-on','timely_move_on')]:\n"
                    "    cell='%%.1f%%%% ± %%.1f' %% (100*row[m]['mean'], 100*row[m]['ci95'])\n"
                    "    line=[l for l in text.splitlines() if l.startswith(label)][0]\n"
                    "    assert line.endswith(cell), (line, cell)\n"
                    "r=f['points/0/metrics/referrals'][()]\n"
                    "assert len(r)==20 and abs(r.mean()-row['referrals']['mean'])<1e-9\n"
                    "print('ok')\"", dir, dir), 0, "%s", out);
}

/* Progress goes to stderr only when it is a terminal (script(1) gives one). */
Test(batch, progress_only_on_a_terminal, .init = make_dir, .fini = remove_dir, .timeout = 300)
{
    if (system("command -v script >/dev/null 2>&1") != 0)
        cr_skip_test("script(1) is missing");
    cr_assert_eq(sh("REFUGESIM_PROGRESS_DELAY=0 script -qec \"%s run "
                    "'%s/scenarios/leicester-city-2021.yaml' --reps 300 --threads 1 > /dev/null\" /dev/null | tr '\\r' '\\n' | grep -c 'replications, '",
                    prog(), root()), 0, "%s", out);
    cr_assert_gt(atoi(out), 0, "no progress line on a terminal");
    cr_assert_eq(sh("REFUGESIM_PROGRESS_DELAY=0 %s run '%s/scenarios/leicester-city-2021.yaml' "
                    "--reps 300 --threads 1 2>&1 >/dev/null | grep -c 'replications, ' || true", prog(), root()), 0);
    cr_assert_str_eq(out, "0\n", "progress printed to a pipe");
}

/* Ctrl-C during a run of one chunk: the replications in progress finish and
 * are written, marked incomplete, and the file reads like any other. */
Test(batch, interrupted_run_keeps_the_finished_replications, .init = make_dir, .fini = remove_dir,
     .timeout = 300)
{
    char res[300], cmd[2048];
    snprintf(res, sizeof res, "%s/run.h5", dir);
    snprintf(cmd, sizeof cmd, "exec %s run '%s/scenarios/leicester-city-2021.yaml' --reps 40 "
             "--threads 2 --set horizon=365000 -o %s > %s/run.log 2>&1", prog(), root(), res, dir);
    pid_t pid = spawn(cmd);
    struct timespec wait = {1, 500000000};
    nanosleep(&wait, NULL);
    int st = signal_and_wait(pid, SIGINT);
    cr_assert_eq(st, 1, "exit status %d", st);
    cr_assert_eq(sh("/usr/bin/python3 -c \"import h5py; f=h5py.File('%s');"
                    "assert f.attrs['complete']==0; r=f['point_table'][()][0];"
                    "assert 1<=r['reps_done']<r['n_reps'], r; print(r['reps_done'])\"", res), 0,
                 "%s", out);
    cr_assert_eq(sh("%s report %s", prog(), res), 0, "%s", out);
    cr_assert(strstr(out, "Placed"), "%s", out);
}

Test(batch, resume_never_replaces_a_finished_unrelated_file, .init = make_dir, .fini = remove_dir)
{
    cr_assert_eq(sh("%s run '%s/scenarios/mmcc.yaml' --reps 3 -o %s/keep.h5 && cp %s/keep.h5 %s/copy.h5",
                    prog(), root(), dir, dir, dir), 0, "%s", out);
    cr_assert_eq(sh("%s sweep '%s/scenarios/mmcc.yaml' --vary spaces=3,4 --reps 3 --resume -o %s/keep.h5",
                    prog(), root(), dir), 2, "%s", out);
    cr_assert(strstr(out, "nothing to resume (use --force"), "%s", out);
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/keep.h5", dir);
    snprintf(b, sizeof b, "%s/copy.h5", dir);
    cr_assert_eq(same(a, b), 0, "%s", out);
    /* a file where the checkpoint folder should be is refused before any work */
    cr_assert_eq(sh("touch %s/m.h5.ckpt && %s sweep '%s/scenarios/mmcc.yaml' --vary spaces=3,4 "
                    "--reps 3 -o %s/m.h5", dir, prog(), root(), dir), 2, "%s", out);
    cr_assert(strstr(out, "is not a checkpoint directory"), "%s", out);
}

Test(batch, sweeps_over_the_seed_rerun_exactly, .init = make_dir, .fini = remove_dir)
{
    cr_assert_eq(sh("%s sweep " COUNTY " --vary seed=1,2 --reps 5 --set horizon=365 -o %s/s.h5",
                    prog(), root(), dir), 0, "%s", out);
    cr_assert_eq(sh("%s rerun %s/s.h5", prog(), dir), 0, "%s", out);
    cr_assert(strstr(out, "identical to the stored results"), "%s", out);
}
