/* Replays every fuzz seed and every kept crasher through the fuzz harnesses,
 * under the normal (and the sanitizer) build: a fixed bug stays fixed. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ENTRY fuzz_vary_one
#include "fuzz/fuzz_vary.c"
#undef FUZZ_ENTRY
#define FUZZ_ENTRY fuzz_scenario_one
#include "fuzz/fuzz_scenario.c"
#undef FUZZ_ENTRY
#define FUZZ_ENTRY fuzz_set_one
#include "fuzz/fuzz_set.c"
#undef FUZZ_ENTRY

typedef int (*entry_fn)(const uint8_t *, size_t);

static size_t replay_dir(const char *dir, entry_fn fn)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        static uint8_t buf[1 << 20];
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        cr_assert_eq(fn(buf, len), 0, "%s", path);
        n++;
    }
    closedir(d);
    return n;
}

/* The seed corpus, the kept crashers, and any extra folders (relative to the
 * repository) the fuzz target also starts from. */
static void replay(const char *target, entry_fn fn, const char *const *extra)
{
    const char *root = getenv("RS_ROOT");
    cr_assert_not_null(root, "RS_ROOT not set (run through make test)");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", root, target);
    size_t n = replay_dir(dir, fn);
    snprintf(dir, sizeof dir, "%s/tests/fuzz/regressions/%s", root, target);
    n += replay_dir(dir, fn);
    for (; extra && *extra; extra++) {
        snprintf(dir, sizeof dir, "%s/%s", root, *extra);
        n += replay_dir(dir, fn);
    }
    cr_assert_gt(n, 0, "no inputs found for %s", target);
}

Test(fuzz_regressions, vary_parser) { replay("fuzz_vary", fuzz_vary_one, NULL); }

Test(fuzz_regressions, scenario_loader)
{
    static const char *const extra[] = {"scenarios", "tests/bad_scenarios", NULL};
    replay("fuzz_scenario", fuzz_scenario_one, extra);
}

Test(fuzz_regressions, set_overrides) { replay("fuzz_set", fuzz_set_one, NULL); }
