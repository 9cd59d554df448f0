/* Where the shipped scenarios are, wherever the program was installed.
 *
 * `make install PREFIX=...` copies the program and the scenarios without
 * rebuilding, so the directory compiled in (RS_SCENARIO_DIR, from the
 * build's PREFIX) may be wrong: the scenarios beside the executable come
 * first.  README.md ("Installing") documents the order. */
#include "cli.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The executable's directory (symlinks resolved), or "" if unknown. */
static void exe_dir(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    buf[n > 0 ? n : 0] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    else
        buf[0] = '\0';
}

size_t cli_scenario_dirs(char dirs[][CLI_PATH_MAX], size_t max)
{
    char exe[CLI_PATH_MAX];
    exe_dir(exe, sizeof exe);
    const char *env = getenv("RS_SCENARIO_DIR");
    size_t n = 0;
    if (env && *env && n < max)
        snprintf(dirs[n++], CLI_PATH_MAX, "%s", env);
    if (exe[0] && n < max)                   /* installed: PREFIX/bin/refugesim */
        snprintf(dirs[n++], CLI_PATH_MAX, "%.*s/../share/refugesim/scenarios", CLI_PATH_MAX - 40, exe);
    if (exe[0] && n < max)                   /* a source checkout: ./refugesim */
        snprintf(dirs[n++], CLI_PATH_MAX, "%.*s/scenarios", CLI_PATH_MAX - 16, exe);
    if (n < max)
        snprintf(dirs[n++], CLI_PATH_MAX, "scenarios");
    if (n < max)
        snprintf(dirs[n++], CLI_PATH_MAX, "%s", RS_SCENARIO_DIR);
    return n;
}

const char *cli_scenario_path(const char *name)
{
    static char buf[CLI_PATH_MAX + 256];
    char dirs[CLI_SCENARIO_DIRS][CLI_PATH_MAX];
    size_t n = cli_scenario_dirs(dirs, CLI_SCENARIO_DIRS);
    for (size_t i = 0; i < n; i++) {
        snprintf(buf, sizeof buf, "%s/%s", dirs[i], name);
        char real[PATH_MAX];
        if (access(buf, R_OK) == 0) {
            if (realpath(buf, real) && strlen(real) < sizeof buf)
                strcpy(buf, real);       /* no bin/../share in messages */
            return buf;
        }
    }
    return NULL;
}
