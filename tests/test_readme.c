/* The worked examples in README.md print what README.md says they print. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

Test(readme, every_example_prints_what_the_readme_shows, .timeout = 600)
{
    const char *root = getenv("RS_ROOT"), *prog = getenv("RS_PROGRAM");
    cr_assert(root && prog, "run through make test");
    if (system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") != 0)
        cr_skip_test("python3 is missing");
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 '%s/tests/py/readme_examples.py' --check '%s/README.md' '%s' 2>&1",
             root, root, prog);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    static char out[1 << 16];
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    int st = pclose(f);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s", out);
    cr_assert(strstr(out, " 0 failures"), "%s", out);
}
