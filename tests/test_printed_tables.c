/* What a person reads of a sweep: with many points one row a point, the
 * headline measures always there, and measures that do not tell the points
 * apart said once instead of repeated in a column. */
#include "test_shell.h"

#define MMCC "'%s/scenarios/mmcc.yaml'"

/* The line of ts_out that starts with prefix, or NULL. */
static const char *line_starting(const char *prefix)
{
    size_t n = strlen(prefix);
    for (const char *l = ts_out; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, prefix, n))
            return l;
    return NULL;
}

static void expect_rows_table(int n_points)
{
    const char *head = line_starting("Point ");
    cr_assert(head, "no points-as-rows table:\n%s", ts_out);
    const char *eol = strchr(head, '\n');
    char heading[512];
    snprintf(heading, sizeof heading, "%.*s", (int)(eol - head), head);
    cr_expect(strstr(heading, "Not accommodated"), "%s", heading);
    cr_expect(strstr(heading, "Placed"), "%s", heading);
    cr_expect(strstr(heading, "No space"), "%s", heading);
    /* nobody waits in M/M/c/c: those columns would be all zero */
    cr_expect(!strstr(heading, "Abandoned") && !strstr(heading, "Wait"), "%s", heading);
    for (int k = 0; k < n_points; k++) {
        char lab[32];
        snprintf(lab, sizeof lab, "%d spaces ", 2 + k);
        cr_expect(line_starting(lab), "no row '%s':\n%s", lab, ts_out);
    }
    cr_expect(strstr(ts_out, "the same at every point:\n"), "%s", ts_out);
    cr_expect(line_starting("  Abandoned the wait 0.0% ± 0.0"), "%s", ts_out);
    cr_expect(!line_starting("Measure "), "side-by-side table printed too:\n%s", ts_out);
}

Test(printed_tables, many_points_are_rows_with_the_headline_measures, .init = ts_make_dir,
     .fini = ts_remove_dir)
{
    cr_assert_eq(ts_sh("%s sweep " MMCC " --vary spaces=2:8:1 --reps 4 -o '%s/s.h5'", ts_prog(),
                       ts_root(), ts_dir), 0, "%s", ts_out);
    expect_rows_table(7);
    cr_assert_eq(ts_sh("%s report '%s/s.h5'", ts_prog(), ts_dir), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "Overall (one row a point)\n"), "%s", ts_out);
    expect_rows_table(7);
}

Test(printed_tables, few_points_stay_side_by_side_with_every_key_measure, .init = ts_make_dir,
     .fini = ts_remove_dir)
{
    cr_assert_eq(ts_sh("%s sweep " MMCC " --vary spaces=2:7:1 --reps 4 -o '%s/s.h5'", ts_prog(),
                       ts_root(), ts_dir), 0, "%s", ts_out);
    const char *head = line_starting("Measure ");
    cr_assert(head, "%s", ts_out);
    cr_expect(line_starting("Placed "), "%s", ts_out);
    cr_expect(line_starting("Not accommodated, of refuge referrals "), "%s", ts_out);
    cr_expect(line_starting("Abandoned the wait "), "%s", ts_out);
    cr_expect(!line_starting("Point "), "%s", ts_out);
}

#define COUNTY "'%s/scenarios/leicestershire-county.yaml'"

/* The heading line of the first printed table. */
static const char *heading(void)
{
    const char *h = line_starting("Measure ");
    cr_assert(h, "%s", ts_out);
    return h;
}

Test(printed_tables, a_label_says_what_varies_at_the_point, .init = ts_make_dir,
     .fini = ts_remove_dir)
{
    static const struct {
        const char *args, *want[3];
    } cases[] = {
        {"sweep " COUNTY " --vary 'services[0].blocks[accessible].units=1:3:1'",
         {"accessible=1 (21 spaces)", "accessible=2 (21 spaces)", "accessible=3 (21 spaces)"}},
        /* a block given by its index is still named; the service by its name */
        {"run " COUNTY " --set 'services[county refuges].blocks[1].units=3'",
         {"male and pets=3 (21 spaces)"}},
        {"run " COUNTY " --set 'services[0].units=30'", {"county refuges=30 (30 spaces)"}},
        {"sweep " COUNTY " --vary 'extra[county refuges]=0,5'",
         {"county refuges +0 (21 spaces)", "county refuges +5 (26 spaces)"}},
        {"sweep " COUNTY " --vary matching=first_fit,best_fit",
         {"matching=first_fit", "matching=best_fit"}},
        {"sweep " COUNTY " --vary spaces=20,30", {"20 spaces", "30 spaces"}},
        {"run " COUNTY, {"21 spaces"}},
        {"run " COUNTY " --set spaces=1", {"1 space"}},  /* singular, and not "1 spaces" */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char args[512];
        snprintf(args, sizeof args, cases[i].args, ts_root());
        cr_assert_eq(ts_sh("cd '%s' && %s %s --reps 2 -o out.h5 --force", ts_dir, ts_prog(), args),
                     0, "%s: %s", args, ts_out);
        const char *h = heading(), *eol = strchr(h, '\n');
        for (size_t k = 0; k < 3 && cases[i].want[k]; k++) {
            char *at = strstr(h, cases[i].want[k]);
            cr_expect(at && at < eol, "%s: no label '%s' in\n%s", args, cases[i].want[k], ts_out);
            cr_expect(!strstr(h, " 1 spaces"), "%s: '1 spaces' in\n%s", args, ts_out);
        }
        /* the results file holds the same labels */
        cr_assert_eq(ts_sh("cd '%s' && %s report out.h5", ts_dir, ts_prog()), 0, "%s", ts_out);
        cr_expect(strstr(ts_out, cases[i].want[0]), "%s: report: %s", args, ts_out);
    }
}

Test(printed_tables, rerun_keeps_the_labels, .init = ts_make_dir, .fini = ts_remove_dir)
{
    cr_assert_eq(ts_sh("cd '%s' && %s compare " COUNTY " --vs 'referrals.per_year=150' --reps 2 "
                       "-o c.h5 && %s rerun c.h5 -o again.h5", ts_dir, ts_prog(), ts_root(),
                       ts_prog()), 0, "%s", ts_out);
    const char *h = heading();
    cr_expect(strstr(h, "baseline") && strstr(h, "referrals.per_year=150"), "%s", ts_out);
}
