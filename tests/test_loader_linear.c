/* The scenario loader's work is linear in its input (issue 17, item 11):
 * a mapping of 30000 keys, and flow nesting 100000 levels deep, counted in
 * key comparisons and YAML events (rf_scenario_work), never timed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rf_scenario.h"
#include "sim_status.h"

/* "name: x\n" and n keys k0: 1, k1: 1, ... in one mapping. */
static char *many_keys(size_t n)
{
    char *t = malloc(32 + 24 * n), *p = t;
    cr_assert_not_null(t);
    p += sprintf(p, "name: x\n");
    for (size_t i = 0; i < n; i++)
        p += sprintf(p, "k%zu: 1\n", i);
    return t;
}

static size_t work_of(const char *yaml, int *status)
{
    rf_scenario *s = NULL;
    rf_diags d;
    size_t before = rf_scenario_work();
    *status = rf_scenario_load_text(yaml, "many.yaml", NULL, 0, &s, &d);
    size_t w = rf_scenario_work() - before;
    rf_scenario_free(s);
    return w;
}

Test(loader_linear, thirty_thousand_keys_in_one_mapping)
{
    int st;
    char *half = many_keys(15000), *full = many_keys(30000);
    size_t w1 = work_of(half, &st), w2 = work_of(full, &st);
    cr_expect_eq(st, SIM_EPARSE, "unknown keys must be refused");
    /* a few comparisons and events a key; the old linear search made
     * n^2 / 2 = 4.5e8 comparisons */
    cr_expect_lt(w2, 20 * 30000, "%zu units of work for 30000 keys", w2);
    cr_log_info("work: %zu for 15000 keys, %zu for 30000", w1, w2);
    /* and doubling the keys doubles the work, not four times it */
    cr_expect_lt((double)w2, 2.3 * (double)w1, "15000 keys: %zu, 30000 keys: %zu", w1, w2);
    free(half);
    free(full);
}

Test(loader_linear, deep_flow_nesting_is_refused_early)
{
    size_t n = 100000;
    char *t = malloc(2 * n + 16);
    cr_assert_not_null(t);
    char *p = t + sprintf(t, "name: ");
    memset(p, '[', n);
    memset(p + n, ']', n);
    p[2 * n] = '\0';
    rf_scenario *s = NULL;
    rf_diags d;
    size_t before = rf_scenario_work();
    cr_expect_eq(rf_scenario_load_text(t, "deep.yaml", NULL, 0, &s, &d), SIM_EPARSE);
    size_t w = rf_scenario_work() - before;
    cr_expect_lt(w, 1000, "%zu events read for a document nested %zu deep", w, n);
    char line[512] = "";
    if (d.n)
        rf_diag_format(&d.items[0], line, sizeof line);
    cr_expect(strstr(line, "nested more than 64 levels deep"), "%s", line);
    cr_expect(strstr(line, "deep.yaml:1:"), "%s", line);
    rf_scenario_free(s);
    free(t);
}
