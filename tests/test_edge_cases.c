/* Numeric edge cases get a clear error or a correct answer, never a hang,
 * a NaN in the table or a crash. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static char out[65536];

static int run(const char *args)
{
    const char *prog = getenv("RS_PROGRAM"), *root = getenv("RS_ROOT");
    cr_assert(prog && root, "run through make test");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && timeout 120 %s %s 2>&1", root, prog, args);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, sizeof out - 1, f);
    out[n] = '\0';
    int st = pclose(f);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) != 124, "timed out: %s", args);
    cr_assert_null(strstr(out, "nan"), "NaN printed for %s:\n%s", args, out);
    return WEXITSTATUS(st);
}

/* The table row starting with `label` holds `cell`, whatever the widths. */
static int row_has(const char *label, const char *cell)
{
    for (const char *line = out; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, label, strlen(label)) != 0)
            continue;
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[512];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), line);
        if (strstr(buf + strlen(label), cell))
            return 1;
    }
    return 0;
}

#define COUNTY "run scenarios/leicestershire-county.yaml --reps 4 "

Test(edge, zero_referrals_give_empty_shares_not_nan)
{
    cr_assert_eq(run(COUNTY "--set referrals.per_year=0"), 0, "%s", out);
    cr_assert(row_has("Referrals per year", " 0.00"), "%s", out);
}

/* "What if there were no refuge at all" is a fair question: every referral
 * that needs a space finds no suitable unit, and unit shares are undefined. */
Test(edge, no_units_at_all_refuses_everyone)
{
    cr_assert_eq(run("run scenarios/mmcc.yaml --set services[0].units=0"), 0, "%s", out);
    cr_assert(row_has("No suitable unit", " 100.0% ± 0.0"), "%s", out);
    cr_assert(row_has("Occupancy", " -"), "%s", out);
}

Test(edge, a_unit_nobody_fits_is_refused_with_the_key)
{
    cr_assert_eq(run(COUNTY "--set households.p_male=1"), 2, "%s", out);
    cr_assert(strstr(out, "leicestershire-county.yaml:"), "%s", out);
    cr_assert(strstr(out, "takes_male"), "%s", out);
}

Test(edge, stays_longer_than_the_horizon_fill_the_units_and_refuse_the_rest)
{
    cr_assert_eq(run(COUNTY "--set services[0].stay.mean=100000 --set services[0].stay.sd=10"), 0,
                 "%s", out);
    cr_assert(row_has("Placed", " 0.0% ± 0.0"), "%s", out);
}

Test(edge, warmup_longer_than_the_horizon)
{
    cr_assert_eq(run(COUNTY "--set warmup=5000 --set horizon=100"), 0, "%s", out);
}

Test(edge, probabilities_zero_and_one)
{
    cr_assert_eq(run(COUNTY "--set waiting.p_wait=1 --set households.p_nrpf=0 "
                     "--set households.p_high_risk=1 --set households.p_outside_area=1"), 0, "%s",
                 out);
    /* everyone needing an accessible unit makes the other units unusable: said, not run */
    cr_assert_eq(run(COUNTY "--set households.p_wheelchair=1"), 2, "%s", out);
    cr_assert(strstr(out, "fit no household: every household needs a wheelchair"), "%s", out);
    cr_assert_eq(run(COUNTY "--set waiting.p_wait=0 --set households.p_pet=0"), 0, "%s", out);
}

Test(edge, one_replication_says_there_is_no_interval)
{
    cr_assert_eq(run(COUNTY "--reps 1"), 0, "%s", out);
    cr_assert(strstr(out, "1 replication: no confidence interval"), "%s", out);
}

Test(edge, many_replications_and_a_thousand_years, .timeout = 240)
{
    cr_assert_eq(run("run scenarios/mmcc.yaml --reps 20000 --set horizon=10 --set warmup=1"), 0,
                 "%s", out);
    cr_assert(strstr(out, "over 20000 replications"), "%s", out);
    cr_assert_eq(run("run scenarios/leicestershire-county.yaml --reps 2 --set horizon=365000"), 0,
                 "%s", out);
}

Test(edge, out_of_range_values_name_the_accepted_range)
{
    cr_assert_eq(run(COUNTY "--set referrals.per_year=-3"), 2, "%s", out);
    cr_assert(strstr(out, "referrals.per_year"), "%s", out);
    cr_assert_eq(run(COUNTY "--set waiting.p_wait=1.5"), 2, "%s", out);
    cr_assert(strstr(out, "waiting.p_wait"), "%s", out);
    cr_assert_eq(run("run scenarios/leicestershire-county.yaml --reps 0"), 2, "%s", out);
    cr_assert(strstr(out, "--reps: expected a whole number from 1 to 1000000, got '0'"), "%s", out);
}
