/* Where output goes: -o names that are not HDF5 are refused, and a reader
 * that closes standard output early (`report ... | head`) never stops the
 * files being written, while a real failure to write standard output is an
 * error. */
#include "test_shell.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define MMCC "'%s/scenarios/mmcc.yaml'"

Test(output, names_not_ending_in_h5_are_refused_unless_forced, .init = ts_make_dir,
     .fini = ts_remove_dir)
{
    static const char *const cmds[] = {
        "run " MMCC " --reps 2 -o '%s/out.csv'",
        "sweep " MMCC " --vary spaces=3,4 --reps 2 -o '%s/out.csv'",
        "capacity " MMCC " --target 'refused_no_space<=0.5' --reps 4 --max 6 -o '%s/out.csv'",
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        char args[512];
        snprintf(args, sizeof args, cmds[i], ts_root(), ts_dir);
        cr_assert_eq(ts_sh("%s %s", ts_prog(), args), 2, "%s: %s", args, ts_out);
        cr_assert(strstr(ts_out, "out.csv: results files are HDF5, named *.h5 or *.hdf5"), "%s",
                  ts_out);
        cr_assert_eq(ts_sh("ls -A '%s' | wc -l", ts_dir), 0);
        cr_assert_str_eq(ts_out, "0\n", "%s wrote something", args);
    }
    cr_assert_eq(ts_sh("%s run " MMCC " --reps 2 -o '%s/a.H5' && %s run " MMCC
                       " --reps 2 -o '%s/b.hdf5'", ts_prog(), ts_root(), ts_dir, ts_prog(),
                       ts_root(), ts_dir), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("%s rerun '%s/a.H5' -o '%s/again.txt'", ts_prog(), ts_dir, ts_dir), 2);
    cr_assert(strstr(ts_out, "results files are HDF5"), "%s", ts_out);
    /* --force writes HDF5 under the name asked for */
    cr_assert_eq(ts_sh("%s run " MMCC " --reps 2 -o '%s/out.csv' --force", ts_prog(), ts_root(),
                       ts_dir), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("%s report '%s/out.csv'", ts_prog(), ts_dir), 0, "%s", ts_out);
}

/* Start `refugesim ARGS` with standard output the write end of a pipe whose
 * read end is already closed: every write to stdout fails, like `| head`
 * once head has exited, but without the race. */
static int run_with_closed_stdout(const char *args)
{
    int fd[2];
    cr_assert_eq(pipe(fd), 0);
    close(fd[0]);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "exec %s %s 2> '%s/stderr.txt'", ts_prog(), args, ts_dir);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[1]);
        signal(SIGPIPE, SIG_DFL);   /* what a shell gives its pipelines */
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    close(fd[1]);
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

Test(output, report_into_a_closed_pipe_still_writes_every_file, .init = ts_make_dir,
     .fini = ts_remove_dir, .timeout = 120)
{
    /* six points, services and groups: more than one stdio buffer of tables */
    cr_assert_eq(ts_sh("%s sweep '%s/scenarios/leicester-city-2021.yaml' --vary spaces=60:110:10 "
                       "--reps 4 --set horizon=365 -o '%s/s.h5'", ts_prog(), ts_root(), ts_dir),
                 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && %s report s.h5 --csv ref > report.txt && wc -c < report.txt",
                       ts_dir, ts_prog()), 0, "%s", ts_out);
    cr_assert_gt(atoi(ts_out), 8192, "the report must overflow stdio's buffer to test this");
    char args[1024];
    snprintf(args, sizeof args, "report '%s/s.h5' --csv '%s/piped'", ts_dir, ts_dir);
    int st = run_with_closed_stdout(args);
    ts_sh("cat '%s/stderr.txt'", ts_dir);
    cr_assert_eq(st, 0, "exit %d: %s", st, ts_out);
    cr_assert_str_eq(ts_out, "", "a closed pipe is not an error worth a message");
    cr_assert_eq(ts_sh("diff -r '%s/ref' '%s/piped' && ls '%s/piped' | wc -l", ts_dir, ts_dir,
                       ts_dir), 0, "%s", ts_out);
    cr_assert_str_eq(ts_out, "11\n", "8 tidy tables and 3 wide ones");
    /* the plots too, when gnuplot is there */
    if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
        snprintf(args, sizeof args, "report '%s/s.h5' --plots '%s/plots' --format svg", ts_dir,
                 ts_dir);
        cr_assert_eq(run_with_closed_stdout(args), 0);
        cr_assert_eq(ts_sh("ls '%s/plots'/*.svg | wc -l", ts_dir), 0);
        cr_assert_gt(atoi(ts_out), 2, "%s", ts_out);
    }
    /* as people type it */
    cr_assert_eq(ts_sh("cd '%s' && %s report s.h5 --csv headed | head -n 2 && diff -r ref headed",
                       ts_dir, ts_prog()), 0, "%s", ts_out);
    /* a sweep printing into a closed pipe still writes its results file */
    snprintf(args, sizeof args, "sweep '%s/scenarios/mmcc.yaml' --vary spaces=1:80:1 --reps 2 "
             "-o '%s/p.h5'", ts_root(), ts_dir);
    cr_assert_eq(run_with_closed_stdout(args), 0);
    cr_assert_eq(ts_sh("%s report '%s/p.h5' | grep -c spaces", ts_prog(), ts_dir), 0, "%s", ts_out);
}

Test(output, a_full_disk_on_stdout_is_an_error, .init = ts_make_dir, .fini = ts_remove_dir)
{
    if (access("/dev/full", W_OK) != 0)
        cr_skip_test("no /dev/full");
    cr_assert_eq(ts_sh("%s run " MMCC " --reps 2 -o '%s/a.h5'", ts_prog(), ts_root(), ts_dir), 0);
    cr_assert_eq(ts_sh("{ %s report '%s/a.h5' > /dev/full; }", ts_prog(), ts_dir), 1, "%s", ts_out);
    cr_assert(strstr(ts_out, "writing to standard output failed: No space left on device"), "%s",
              ts_out);
}
