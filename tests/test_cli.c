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
