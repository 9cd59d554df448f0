/* A quota (EDQUOT) takes the same path as a full disk (ENOSPC): one
 * message with its cause, the temporary file removed, the previous file
 * kept, exit 1 (issue 17, item 3).  No quota can be set up here, so the
 * writes fail by a shim preloaded into the program: pwrite and write to a
 * results file's temporary sibling fail with the errno asked for once a
 * few kilobytes are written. */
#include "test_shell.h"

#include <errno.h>

TestSuite(quota, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 120);

static const char shim[] =
    "#define _GNU_SOURCE\n"
    "#include <dlfcn.h>\n#include <errno.h>\n#include <stdio.h>\n#include <stdlib.h>\n"
    "#include <string.h>\n#include <unistd.h>\n"
    "static size_t written;\n"
    "static int full(int fd, size_t n) {\n"
    "    char l[64], p[4096]; snprintf(l, sizeof l, \"/proc/self/fd/%d\", fd);\n"
    "    ssize_t k = readlink(l, p, sizeof p - 1); if (k <= 0) return 0; p[k] = 0;\n"
    "    if (!strstr(p, \".h5.tmp.\")) return 0;\n"
    "    written += n; if (written < 16384) return 0;\n"
    "    errno = atoi(getenv(\"SHIM_ERRNO\")); return 1; }\n"
    "ssize_t pwrite(int fd, const void *b, size_t n, off_t o) {\n"
    "    static ssize_t (*real)(int, const void *, size_t, off_t);\n"
    "    if (!real) real = (ssize_t (*)(int, const void *, size_t, off_t))dlsym(RTLD_NEXT, \"pwrite\");\n"
    "    return full(fd, n) ? -1 : real(fd, b, n, o); }\n"
    "ssize_t pwrite64(int fd, const void *b, size_t n, off_t o) { return pwrite(fd, b, n, o); }\n"
    "ssize_t write(int fd, const void *b, size_t n) {\n"
    "    static ssize_t (*real)(int, const void *, size_t);\n"
    "    if (!real) real = (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, \"write\");\n"
    "    return full(fd, n) ? -1 : real(fd, b, n); }\n";

Test(quota, edquot_fails_like_enospc)
{
    FILE *f = fopen(strcat(strcpy((char[300]){0}, ts_dir), "/shim.c"), "w");
    cr_assert_not_null(f);
    fputs(shim, f);
    fclose(f);
    if (ts_sh("cd '%s' && cc -shared -fPIC -o shim.so shim.c -ldl", ts_dir) != 0)
        cr_skip_test("no C compiler to build the write shim: %s", ts_out);
    if (ts_sh("ldd '%s' | grep -q -e libasan -e libubsan -e libtsan", ts_prog()) == 0)
        cr_skip_test("a sanitizer build: its runtime must come first, before any preloaded shim");
    static const struct { int err; const char *says; } cases[] = {
        {ENOSPC, "No space left on device"}, {EDQUOT, "Disk quota exceeded"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int rc = ts_sh("cd '%s' && printf previous > x.h5 && { SHIM_ERRNO=%d LD_PRELOAD=./shim.so "
                       "'%s' run '%s/scenarios/leicestershire-county.yaml' --reps 20 -o x.h5 --force "
                       "> /dev/null; }", ts_dir, cases[i].err, ts_prog(), ts_root());
        cr_expect_eq(rc, 1, "errno %d: exit %d: %s", cases[i].err, rc, ts_out);
        char want[200];
        snprintf(want, sizeof want, "refugesim: error: x.h5: writing the results file failed: %s\n",
                 cases[i].says);
        cr_expect_str_eq(ts_out, want, "errno %d: %s", cases[i].err, ts_out);
        cr_expect_eq(ts_sh("cd '%s' && cat x.h5 && ls -A | grep -c tmp", ts_dir), 1);
        cr_expect_str_eq(ts_out, "previous0\n", "errno %d: previous file or temporary: %s",
                         cases[i].err, ts_out);
    }
}
