/* Installing anywhere: `make install PREFIX=...` into a scratch prefix (no
 * rebuild, so the directory compiled in is wrong), a run from another
 * directory that finds the installed scenarios beside the program, the man
 * page and docs, and `make uninstall` leaving no file behind. */
#include "test_shell.h"

#include <unistd.h>

/* make in the repository, for the build the suite runs (build/<BUILD>/...),
 * without the outer make's jobserver. */
#define MAKE "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C '%s' BUILD=%s"

/* The BUILD of RS_PROGRAM (build/<BUILD>/refugesim), or NULL. */
static const char *program_build(void)
{
    static char build[64];
    char want[4096];
    snprintf(want, sizeof want, "%s/build/", ts_root());
    const char *p = ts_prog();
    if (strncmp(p, want, strlen(want)) != 0)
        return NULL;
    p += strlen(want);
    size_t n = strcspn(p, "/");
    if (n == 0 || n >= sizeof build || strcmp(p + n, "/refugesim") != 0)
        return NULL;
    memcpy(build, p, n);
    build[n] = '\0';
    return build;
}

Test(install, into_a_prefix_runs_from_anywhere_and_uninstalls_cleanly, .init = ts_make_dir,
     .fini = ts_remove_dir, .timeout = 300)
{
    const char *build = program_build();
    if (!build)
        cr_skip_test("RS_PROGRAM is not build/<BUILD>/refugesim of RS_ROOT");
    /* a space in the prefix: every path in the recipes is quoted */
    char prefix[512];
    snprintf(prefix, sizeof prefix, "%s/pre fix", ts_dir);
    cr_assert_eq(ts_sh(MAKE " install PREFIX='%s'", ts_root(), build, prefix), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && find . -type f | sort", prefix), 0);
    static const char *const files[] = {
        "./bin/refugesim", "./share/man/man1/refugesim.1", "./share/doc/refugesim/README.md",
        "./share/doc/refugesim/scenarios/README.md", "./share/doc/refugesim/analysis/README.md",
        "./share/doc/refugesim/docs/report-first-page.png", /* the README's image, beside it */
        "./share/refugesim/scenarios/leicestershire-county.yaml",
        "./share/refugesim/scenarios/example-trace.csv",
        "./share/refugesim/scenarios/cluster/sweep.sbatch",
        "./share/refugesim/scenarios/cluster/sweep-array.sbatch",
        "./share/refugesim/scenarios/cluster/refugesim-slurm.sh"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        cr_expect(strstr(ts_out, files[i]), "%s not installed:\n%s", files[i], ts_out);

    /* from a directory with no scenarios/ and no RS_SCENARIO_DIR */
    cr_assert_eq(ts_sh("mkdir '%s/elsewhere' && cd '%s/elsewhere' && env -u RS_SCENARIO_DIR "
                       "'%s/bin/refugesim' run --reps 2", ts_dir, ts_dir, prefix), 0, "%s", ts_out);
    cr_assert(strstr(ts_out, "21 spaces") && strstr(ts_out, "70 spaces"), "%s", ts_out);
    cr_assert(strstr(ts_out, "over 2 replications"), "%s", ts_out);
    /* installed scenarios that extend others and replay a trace work too */
    cr_assert_eq(ts_sh("cd '%s/elsewhere' && '%s/bin/refugesim' run "
                       "'%s/share/refugesim/scenarios/example-trace.yaml' --reps 2 && "
                       "'%s/bin/refugesim' check '%s/share/refugesim/scenarios/"
                       "leicestershire-county-70.yaml' > /dev/null", ts_dir, prefix, prefix,
                       prefix, prefix), 0, "%s", ts_out);
    /* RS_SCENARIO_DIR, when set, wins */
    cr_assert_eq(ts_sh("mkdir '%s/mine' && sed 's/^replications: .*/replications: 3/' "
                       "'%s/scenarios/leicestershire-county.yaml' > '%s/mine/leicestershire-county.yaml' "
                       "&& cd '%s/elsewhere' && RS_SCENARIO_DIR='%s/mine' '%s/bin/refugesim' run",
                       ts_dir, ts_root(), ts_dir, ts_dir, ts_dir, prefix), 0, "%s", ts_out);
    cr_assert(strstr(ts_out, "over 3 replications"), "%s", ts_out);
    /* the installed Slurm script finds its scenarios through the path
     * scontrol reports (spaces and all), under the stand-in Slurm */
    cr_assert_eq(ts_sh("mkdir '%s/slurm' && cd '%s/elsewhere' && PATH='%s/tests/slurm':$PATH "
                       "FAKE_SLURM_DIR='%s/slurm' REFUGESIM='%s/bin/refugesim' sbatch "
                       "--cpus-per-task=1 '%s/share/refugesim/scenarios/cluster/sweep.sbatch' "
                       "--vary spaces=5,10 --reps 2 && cat refugesim-sweep-1001.log", ts_dir,
                       ts_dir, ts_root(), ts_dir, prefix, prefix), 0, "%s", ts_out);
    cr_assert(strstr(ts_out, "/share/refugesim/scenarios/leicestershire-county.yaml --reps 500"),
              "%s", ts_out);
    cr_assert(strstr(ts_out, "results written to results/refugesim-sweep-1001.h5"), "%s", ts_out);
    /* the man page is found through MANPATH and renders without warnings */
    if (system("command -v man >/dev/null && command -v groff >/dev/null") == 0) {
        cr_assert_eq(ts_sh("groff -man -Tutf8 -ww -z '%s/share/man/man1/refugesim.1'", prefix), 0);
        cr_assert_str_eq(ts_out, "", "groff warnings:\n%s", ts_out);
        cr_assert_eq(ts_sh("MANPATH='%s/share/man' MANWIDTH=80 man refugesim | grep -c RS_SCENARIO_DIR",
                           prefix), 0, "%s", ts_out);
    }

    cr_assert_eq(ts_sh(MAKE " uninstall PREFIX='%s'", ts_root(), build, prefix), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("find '%s' ! -type d", prefix), 0);
    cr_assert_str_eq(ts_out, "", "left behind by make uninstall:\n%s", ts_out);
}

/* The man page documents every command `refugesim --help` lists, and the
 * program's version. */
Test(install, man_page_covers_every_command)
{
    cr_assert_eq(ts_sh("%s --help | sed -n 's/^  \\([a-z][a-z-]*\\)  .*/\\1/p'", ts_prog()), 0);
    char cmds[4096];
    snprintf(cmds, sizeof cmds, "%.4000s", ts_out);
    cr_assert(strstr(cmds, "run\n") && strstr(cmds, "report\n"), "%s", cmds);
    for (char *c = strtok(cmds, "\n"); c; c = strtok(NULL, "\n")) {
        cr_expect_eq(ts_sh("grep -c '^\\.SS \"%s ' '%s/cli/refugesim.1'", c, ts_root()), 0,
                     "cli/refugesim.1 has no .SS \"%s ...\" section: document the command there", c);
    }
    cr_assert_eq(ts_sh("%s --version | cut -d' ' -f2", ts_prog()), 0);
    char version[64];
    snprintf(version, sizeof version, "%.*s", (int)strcspn(ts_out, "\n"), ts_out);
    cr_assert_eq(ts_sh("grep -c '^\\.TH REFUGESIM 1 .* \"refugesim %s\"' '%s/cli/refugesim.1'",
                       version, ts_root()), 0, "the man page's .TH line does not say version %s",
                 version);
}
