/* An output is never one of the command's own inputs, even with --force:
 * `report v.h5 --html v.h5 --force`, `merge p0.h5 p1.h5 -o p0.h5 --force`,
 * `rerun a.h5 -o a.h5 --force` and `run s.yaml -o TRACE --force` replaced
 * what they read.  The same file under another name, through a hard link
 * or a symlinked directory, is the same input.  Refused with one line
 * naming both, exit 2, before any work, the input untouched. */
#include "test_shell.h"

#include <sys/stat.h>
#include <unistd.h>

TestSuite(output_not_input, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 120);

static int one_line(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == '\n' && !memchr(s, '\n', n - 1);
}

/* In ts_dir: the program with args; 2 and one line naming out and in,
 * nothing done, and file (a name in ts_dir) the same bytes as its copy
 * file.orig. */
static void refused(const char *args, const char *out, const char *in, const char *file)
{
    char says[600];
    snprintf(says, sizeof says, "%s is the same file as the input %s: refusing to replace it, "
             "even with --force", out, in);
    cr_assert_eq(ts_sh("cd '%s' && cp '%s' '%s.orig'", ts_dir, file, file), 0, "%s", ts_out);
    int rc = ts_sh("cd '%s' && '%s' %s", ts_dir, ts_prog(), args);
    cr_expect_eq(rc, 2, "%s: exit %d: %s", args, rc, ts_out);
    cr_expect(!strncmp(ts_out, "refugesim: error: ", 18) && strstr(ts_out, says),
              "%s: expected '%s', got: %s", args, says, ts_out);
    cr_expect(one_line(ts_out), "%s: work was done, or more was said: %s", args, ts_out);
    cr_expect_eq(ts_sh("cd '%s' && cmp '%s' '%s.orig'", ts_dir, file, file), 0,
                 "%s: %s was replaced", args, file);
}

/* A results file of two replications at name (in ts_dir). */
static void results(const char *name, const char *more)
{
    cr_assert_eq(ts_sh("cd '%s' && '%s' run '%s/scenarios/leicestershire-county.yaml' --reps 2 "
                       "--threads 1 %s -o '%s'", ts_dir, ts_prog(), ts_root(), more, name), 0,
                 "%s", ts_out);
}

Test(output_not_input, report_never_writes_over_the_file_it_reports_on)
{
    results("v.h5", "");
    refused("report v.h5 --html v.h5 --force", "v.h5", "v.h5", "v.h5");
    refused("report v.h5 --html ./v.h5 --force", "./v.h5", "v.h5", "v.h5");
    /* without --force too: not "use --force", which would not help */
    refused("report v.h5 --html v.h5", "v.h5", "v.h5", "v.h5");
    /* a --csv or --plots directory holding it under a name its writer uses */
    cr_assert_eq(ts_sh("cd '%s' && mkdir csv && cp v.h5 csv/summary.csv && cp v.h5 csv/plots.log",
                       ts_dir), 0);
    refused("report csv/summary.csv --csv csv --force", "csv/summary.csv", "csv/summary.csv",
            "csv/summary.csv");
    refused("report csv/plots.log --plots csv --force", "csv/plots.log", "csv/plots.log",
            "csv/plots.log");
    /* ... but one holding it under another name is written into */
    cr_expect_eq(ts_sh("cd '%s' && cp v.h5 csv/in.h5 && '%s' report csv/in.h5 --csv csv --force "
                       "&& test -s csv/points.csv && cmp csv/in.h5 v.h5", ts_dir, ts_prog()), 0,
                 "%s", ts_out);
    /* --force over a file that is not the input replaces it as before */
    cr_expect_eq(ts_sh("cd '%s' && cp v.h5 other.h5 && '%s' report v.h5 --html other.h5 --force "
                       "&& grep -q '<html' other.h5", ts_dir, ts_prog()), 0, "%s", ts_out);
}

Test(output_not_input, merge_never_writes_over_a_part)
{
    static const char *const sweep = "sweep '%s/scenarios/leicestershire-county.yaml' --reps 2 "
                                      "--threads 1 --vary spaces=21,30 --points %d:%d -o p%d.h5";
    for (int i = 0; i < 2; i++) {
        char args[600];
        snprintf(args, sizeof args, sweep, ts_root(), i, i, i);
        cr_assert_eq(ts_sh("cd '%s' && '%s' %s", ts_dir, ts_prog(), args), 0, "%s", ts_out);
    }
    refused("merge p0.h5 p1.h5 -o p0.h5 --force", "p0.h5", "p0.h5", "p0.h5");
    refused("merge p0.h5 p1.h5 -o p1.h5 --force", "p1.h5", "p1.h5", "p1.h5");
    cr_assert_eq(ts_sh("cd '%s' && cp p1.h5 all.h5", ts_dir), 0);
    cr_expect_eq(ts_sh("cd '%s' && '%s' merge p0.h5 p1.h5 -o all.h5 --force", ts_dir, ts_prog()), 0,
                 "%s", ts_out);
}

Test(output_not_input, rerun_never_writes_over_the_file_it_repeats)
{
    results("a.h5", "");
    refused("rerun a.h5 -o a.h5 --force --threads 1", "a.h5", "a.h5", "a.h5");
    cr_assert_eq(ts_sh("cd '%s' && cp a.h5 b.h5", ts_dir), 0);
    cr_expect_eq(ts_sh("cd '%s' && '%s' rerun a.h5 -o b.h5 --force --threads 1", ts_dir, ts_prog()),
                 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "identical to the stored results"), "%s", ts_out);
}

Test(output_not_input, run_never_writes_over_its_scenario_or_what_it_reads)
{
    /* names that pass the .h5 check: a scenario, the file it extends, a trace */
    cr_assert_eq(ts_sh("cd '%s' && cp '%s/scenarios/leicestershire-county.yaml' s.h5 && "
                       "printf 'extends: s.h5\\nreplications: 3\\n' > ext.yaml && "
                       "cp '%s/scenarios/example-trace.csv' trace.h5 && "
                       "sed 's/^  trace: .*/  trace: trace.h5/' '%s/scenarios/example-trace.yaml' "
                       "> tr.yaml", ts_dir, ts_root(), ts_root(), ts_root()), 0, "%s", ts_out);
    refused("run s.h5 --reps 2 -o s.h5 --force", "s.h5", "s.h5", "s.h5");
    refused("run ext.yaml --reps 2 -o s.h5 --force", "s.h5", "s.h5", "s.h5");
    char in[400];
    snprintf(in, sizeof in, "%s/trace.h5", ts_dir);
    refused("run tr.yaml --reps 2 -o trace.h5 --force", "trace.h5", in, "trace.h5");
    refused("sweep tr.yaml --reps 2 --vary seed=1,2 -o trace.h5 --force", "trace.h5", in,
            "trace.h5");
    /* rerun reads the trace its stored scenario names */
    cr_assert_eq(ts_sh("cd '%s' && '%s' run tr.yaml --reps 2 --threads 1 -o t.h5", ts_dir,
                       ts_prog()), 0, "%s", ts_out);
    refused("rerun t.h5 -o trace.h5 --force --threads 1", "trace.h5", in, "trace.h5");
    /* a scenario under a name --force allows */
    cr_assert_eq(ts_sh("cd '%s' && cp s.h5 victim.yaml", ts_dir), 0);
    refused("run victim.yaml --reps 2 -o victim.yaml --force", "victim.yaml", "victim.yaml",
            "victim.yaml");
    /* the searches, before they search */
    refused("capacity ext.yaml --target 'refused_no_space<=0.5' --max 30 -o s.h5 --force", "s.h5",
            "s.h5", "s.h5");
    refused("compare s.h5 --vs spaces=30 --reps 2 -o s.h5 --force", "s.h5", "s.h5", "s.h5");
    refused("calibrate victim.yaml --fit referrals.per_year=100:300 --target "
            "'refused_no_space=0.3' --reps 4 -o victim.yaml --force", "victim.yaml", "victim.yaml",
            "victim.yaml");
}

Test(output_not_input, the_same_file_under_another_name)
{
    results("a.h5", "");
    cr_assert_eq(ts_sh("cd '%s' && mkdir real && cp a.h5 real/r.h5 && ln -s real linked && "
                       "ln a.h5 hard.h5", ts_dir), 0, "%s", ts_out);
    /* a hard link */
    refused("report a.h5 --html hard.h5 --force", "hard.h5", "a.h5", "a.h5");
    refused("rerun hard.h5 -o a.h5 --force --threads 1", "a.h5", "hard.h5", "a.h5");
    /* a symbolic link to its directory */
    refused("report real/r.h5 --html linked/r.h5 --force", "linked/r.h5", "real/r.h5", "real/r.h5");
    refused("rerun linked/r.h5 -o real/r.h5 --force --threads 1", "real/r.h5", "linked/r.h5",
            "real/r.h5");
    /* the scenario through its directory's link */
    cr_assert_eq(ts_sh("cd '%s' && cp '%s/scenarios/leicestershire-county.yaml' real/s.h5", ts_dir,
                       ts_root()), 0);
    refused("run real/s.h5 --reps 2 -o linked/s.h5 --force", "linked/s.h5", "real/s.h5",
            "real/s.h5");
}
