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
