/* The command line: exit statuses and one-line errors naming the option. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static int run(const char *args, char *out, size_t size)
{
    const char *prog = getenv("RS_PROGRAM");
    cr_assert_not_null(prog, "RS_PROGRAM not set (run through make test)");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s %s 2>&1", prog, args);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, size - 1, f);
    out[n] = '\0';
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(cli, validate_passes_and_prints_the_table)
{
    static char out[8192];
    cr_assert_eq(run("validate --reps 20", out, sizeof out), 0, "%s", out);
    cr_assert(strstr(out, "Erlang B") && strstr(out, "Erlang C") && strstr(out, "Erlang A"));
    cr_assert(strstr(out, "8 cases, 0 failed"), "%s", out);
}

Test(cli, mmcc_prints_blocking_next_to_erlang_b)
{
    static char out[4096];
    cr_assert_eq(run("mmcc --servers 70 --load 60 --reps 20 --arrivals 5000", out, sizeof out), 0);
    cr_assert(strstr(out, "blocking (Erlang B)   0.02374"), "%s", out);
}

Test(cli, bad_options_name_the_option_and_range)
{
    static char out[4096];
    cr_assert_eq(run("mmcc --servers -3 --load 60", out, sizeof out), 2);
    cr_assert(strstr(out, "refugesim: error: --servers: expected a whole number from 1 to 100000, got '-3'"), "%s", out);
    cr_assert_eq(run("mmcc --servers 5 --load abc", out, sizeof out), 2);
    cr_assert(strstr(out, "--load: expected a number"), "%s", out);
    cr_assert_eq(run("mmcc --servers 5", out, sizeof out), 2);
    cr_assert_eq(run("frobnicate", out, sizeof out), 2);
    cr_assert(strstr(out, "unknown command 'frobnicate'"), "%s", out);
    cr_assert_eq(run("validate --reps 1", out, sizeof out), 2);
    cr_assert_eq(run("--help", out, sizeof out), 0);
}

/* The environment's settings are refused as options are: before anything
 * runs, one line naming the variable, what it takes and what it got. */
Test(cli, mistyped_environment_settings_are_refused)
{
    static char out[4096];
    const struct { const char *env, *line; } bad[] = {
        {"REFUGESIM_TERM_GRACE=10s", "refugesim: error: REFUGESIM_TERM_GRACE: expected a whole "
         "number of seconds, at least 1, got '10s'\n"},
        {"REFUGESIM_TERM_GRACE=0", "refugesim: error: REFUGESIM_TERM_GRACE: expected a whole "
         "number of seconds, at least 1, got '0'\n"},
        {"REFUGESIM_PROGRESS_DELAY=-1", "refugesim: error: REFUGESIM_PROGRESS_DELAY: expected a "
         "number of seconds, 0 or more, got '-1'\n"},
        {"REFUGESIM_PROGRESS_DELAY=soon", "refugesim: error: REFUGESIM_PROGRESS_DELAY: expected a "
         "number of seconds, 0 or more, got 'soon'\n"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *eq = strchr(bad[i].env, '=');
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(eq - bad[i].env), bad[i].env);
        setenv(name, eq + 1, 1);
        int rc = run("validate --reps 2", out, sizeof out);
        unsetenv(name);
        cr_assert_eq(rc, 2, "%s: %s", bad[i].env, out);
        cr_assert_str_eq(out, bad[i].line, "%s", bad[i].env);
    }
    /* set to nothing is as if unset; a fraction of a second is a delay */
    setenv("REFUGESIM_TERM_GRACE", "", 1);
    setenv("REFUGESIM_PROGRESS_DELAY", "0.5", 1);
    int rc = run("validate --reps 2", out, sizeof out);
    unsetenv("REFUGESIM_TERM_GRACE");
    unsetenv("REFUGESIM_PROGRESS_DELAY");
    cr_assert_eq(rc, 0, "%s", out);
}

/* getopt's own messages ("run: unrecognized option '--bogus'") are ours:
 * one line in the usual form, naming the option and where help is, with
 * the user's text escaped for the terminal. */
Test(cli, an_unknown_or_incomplete_option_is_said_in_one_line)
{
    static char out[8192];
    const struct { const char *args, *first; } cases[] = {
        {"run --bogus", "refugesim: error: --bogus: unknown option (see 'refugesim run --help')\n"},
        {"sweep --vary", "refugesim: error: --vary: needs a value (see 'refugesim sweep --help')\n"},
        {"mmcc -q", "refugesim: error: -q: unknown option (see 'refugesim mmcc --help')\n"},
        {"capacity -o", "refugesim: error: -o: needs a value (see 'refugesim capacity --help')\n"},
        {"run \"$(printf -- '--\\033[31mred')\"", "refugesim: error: --\\x1B[31mred: unknown option (see "
                                  "'refugesim run --help')\n"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int rc = run(cases[i].args, out, sizeof out);
        cr_expect_eq(rc, 2, "%s: %s", cases[i].args, out);
        cr_expect(!strncmp(out, cases[i].first, strlen(cases[i].first)), "%s:\n%s", cases[i].args,
                  out);
        cr_expect(!strstr(out, "\033"), "%s: an escape reached the terminal", cases[i].args);
    }
}

/* The names the user gave, printed back ("results written to NAME"), are
 * escaped for the terminal as every other string from outside is. */
Test(cli, an_output_name_is_escaped_when_printed)
{
    static char out[8192];
    char args[600];
    const char *root = getenv("RS_ROOT");
    cr_assert_not_null(root);
    snprintf(args, sizeof args, "run '%s/scenarios/leicestershire-county.yaml' --reps 2 --threads 1 "
             "-o \"$(mktemp -d /tmp/rs_test_esc_XXXXXX)/$(printf 'a\\033[31m.h5')\" | tail -n 1", root);
    cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "a\\x1B[31m.h5\n") && !strchr(out, '\033'), "%s", out);
    cr_expect_eq(system("rm -rf /tmp/rs_test_esc_*"), 0);
}

/* compare's heading of an alternative names its file as given: escaped */
Test(cli, an_alternative_named_with_an_escape_is_shown_escaped)
{
    static char out[16384];
    char args[800];
    const char *root = getenv("RS_ROOT");
    cr_assert_not_null(root);
    snprintf(args, sizeof args, "compare '%s/scenarios/leicestershire-county.yaml' "
             "\"$(d=$(mktemp -d /tmp/rs_test_escalt_XXXXXX) && f=\"$d/$(printf 'al\\033[31mt.yaml')\" "
             "&& printf 'extends: %s/scenarios/leicestershire-county.yaml\\n' > \"$f\" && "
             "echo \"$f\")\" --reps 3 --threads 1", root, root);
    cr_assert_eq(run(args, out, sizeof out), 0, "%s", out);
    cr_expect(strstr(out, "al\\x1B[31mt against the baseline") && !strchr(out, '\033'), "%s", out);
    cr_expect_eq(system("rm -rf /tmp/rs_test_escalt_*"), 0);
}
