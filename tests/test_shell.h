/* Shell helpers for the tests that drive the program and its scripts from
 * outside: a scratch directory, commands run through sh with their output
 * captured, and the program and repository the suite was started with
 * (RS_PROGRAM, RS_ROOT, set by `make test`). */
#ifndef TEST_SHELL_H
#define TEST_SHELL_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static char ts_dir[256];          /* the test's scratch directory */
static char ts_out[1 << 17];      /* output (stdout and stderr) of the last ts_sh */

__attribute__((unused)) static void ts_make_dir(void)
{
    snprintf(ts_dir, sizeof ts_dir, "/tmp/rs_test_XXXXXX");
    cr_assert_not_null(mkdtemp(ts_dir));
}

__attribute__((unused)) static void ts_remove_dir(void)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", ts_dir);
    cr_assert_eq(system(cmd), 0);
}

/* Run a shell command (printf-style), stdout and stderr into ts_out;
 * returns the exit status, 128 + the signal if it was killed. */
__attribute__((format(printf, 1, 2))) static int ts_sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd - 16, fmt, ap);
    va_end(ap);
    cr_assert(n > 0 && (size_t)n < sizeof cmd - 16, "command too long");
    strcat(cmd, " 2>&1");
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    size_t len = fread(ts_out, 1, sizeof ts_out - 1, f);
    ts_out[len] = '\0';
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

__attribute__((unused)) static const char *ts_prog(void)
{
    const char *p = getenv("RS_PROGRAM");
    cr_assert_not_null(p, "RS_PROGRAM not set (run through make test)");
    return p;
}

__attribute__((unused)) static const char *ts_root(void)
{
    const char *r = getenv("RS_ROOT");
    cr_assert_not_null(r, "RS_ROOT not set (run through make test)");
    return r;
}

/* In ts_dir, run the program with args (stdout to out.txt, stderr to
 * err.txt) and SIGINT it once `lines` lines of err.txt hold `pattern` (or
 * after 150 s); ts_out then holds "rc=STATUS\n", out.txt and err.txt. */
__attribute__((unused)) static int ts_interrupt_when(const char *pattern, int lines,
                                                     const char *args)
{
    /* err.txt exists before the first look: else, when the background job
     * had not yet opened it, the count was empty, the loop ended at once and
     * the SIGINT came before the program caught it (a background job of sh
     * ignores SIGINT until then), so the run went on to the end */
    return ts_sh("cd '%s' && : > err.txt && { '%s' %s > out.txt 2> err.txt & p=$!; i=0; "
                 "while [ $(grep -c -- '%s' err.txt) -lt %d ] && [ $i -lt 3000 ]; do "
                 "sleep 0.05; i=$((i+1)); done; kill -INT $p; wait $p; echo \"rc=$?\"; "
                 "cat out.txt err.txt; }", ts_dir, getenv("RS_PROGRAM"), args, pattern, lines);
}

/* 1 when /usr/bin/python3 can import every module of a comma-separated list. */
__attribute__((unused)) static int ts_have_python(const char *modules)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c 'import %s' >/dev/null 2>&1", modules);
    return system(cmd) == 0;
}

#endif
