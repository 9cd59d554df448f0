/* The include rules of ARCHITECTURE.md hold for the tree (make lint), and
 * the check would notice a folder breaking them. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static char out[8192];

static int sh(const char *cmd)
{
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    size_t len = fread(out, 1, sizeof out - 1, f);
    out[len] = '\0';
    int st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static const char *root(void)
{
    const char *r = getenv("RS_ROOT");
    cr_assert_not_null(r, "RS_ROOT not set (run through make test)");
    return r;
}

Test(layout, every_folder_keeps_its_include_rules)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "sh '%s/tests/lint_includes.sh' 2>&1", root());
    cr_assert_eq(sh(cmd), 0, "%s", out);
}

Test(layout, the_check_sees_a_broken_rule)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "d=$(mktemp -d) && cd '%s' && mkdir -p $d/tests && "
             "cp -r sim experiment models analysis study cli $d/ && cp tests/lint_includes.sh $d/tests/ && "
             "echo '#include \"rf_params.h\"' >> $d/sim/sim_rng.c && "
             "echo '#include \"rf_scenario_schema.h\"' >> $d/models/scenario/rf_scenario_tree.c && "
             "sh $d/tests/lint_includes.sh 2>&1; st=$?; rm -rf $d; exit $st", root());
    cr_assert_eq(sh(cmd), 1, "%s", out);
    cr_assert(strstr(out, "sim/sim_rng.c: includes models/rf_params.h"), "%s", out);
    cr_assert(strstr(out, "rf_scenario_tree.c: includes rf_scenario_schema.h"), "%s", out);
}
