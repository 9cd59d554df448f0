/* The one table of metric labels: every metric, group and outcome has words
 * for a person, and what a person reads (the printed tables) shows them,
 * never a key. */
#include "test_h5_fixture.h"

#include <ctype.h>
#include "an_summary.h"

static int looks_like_a_key(const char *s)
{
    return strchr(s, '_') != NULL || islower((unsigned char)s[0]);
}

Test(labels, every_metric_has_words_of_its_own)
{
    for (size_t i = 0; i < rf_metric_count(); i++) {
        const char *name = rf_metric_at(i)->name, *label = rf_metric_label(name);
        cr_expect(label && *label, "%s: no label", name);
        cr_expect(strcmp(label, rf_metric_at(i)->description), "%s: label is the description", name);
        cr_expect(!looks_like_a_key(label), "%s: label '%s' looks like a key", name, label);
        for (size_t j = 0; j < i; j++)
            cr_expect(strcmp(label, rf_metric_label(rf_metric_at(j)->name)),
                      "%s and %s share the label '%s'", name, rf_metric_at(j)->name, label);
    }
    cr_expect_str_eq(rf_metric_label("refused_no_space"), "Refused: no space");
    cr_expect_str_eq(rf_metric_label("referrals_per_year"), "Referrals per year");
    cr_expect_str_eq(rf_metric_label("no_such_metric"), "no_such_metric");
    cr_expect_str_eq(rf_metric_unit_label("refused_no_space"), "%");
    cr_expect_str_eq(rf_metric_unit_label("wait_mean"), "days");
    char b[80];
    an_metric_heading(b, sizeof b, "wait_mean", 0);
    cr_expect_str_eq(b, "Mean wait of those placed (days)");
    an_metric_heading(b, sizeof b, "occupancy", 0);
    cr_expect_str_eq(b, "Occupancy");
    an_metric_heading(b, sizeof b, "occupancy", 1);
    cr_expect_str_eq(b, "Occupancy (%)");
}

Test(labels, every_group_and_outcome_has_words)
{
    for (int g = 0; g < RF_G_N; g++) {
        const char *l = rf_group_label((rf_group)g);
        cr_expect(!looks_like_a_key(l), "group %s: '%s'", rf_group_name((rf_group)g), l);
        for (int h = 0; h < g; h++)
            cr_expect(strcmp(l, rf_group_label((rf_group)h)), "groups share '%s'", l);
    }
    for (int o = 0; o < RF_OUT_N; o++)
        cr_expect(!looks_like_a_key(rf_outcome_label((rf_outcome)o)), "outcome %d", o);
    /* an outcome that is also a metric reads the same in both */
    cr_expect_str_eq(rf_outcome_label(RF_OUT_REFUSED_NO_SPACE), rf_metric_label("refused_no_space"));
    cr_expect_str_eq(rf_outcome_label(RF_OUT_ABANDONED), rf_metric_label("abandoned"));
}

/* Every table `run` and `report` print, with every metric (--all): no
 * metric or group key anywhere in them. */
Test(labels, printed_tables_show_words_not_keys)
{
    rf_params p;
    rf_result r[3];
    fx_params(0, &p);
    for (int i = 0; i < 3; i++)
        fx_result(0, i, &r[i]);
    an_point_summary ps;
    cr_assert_eq(an_point_summary_from_results(&ps, NULL, &p, r, NULL, 3), SIM_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    an_print_summary(m, &ps, 1, 1);
    an_print_groups(m, &ps, 1);
    fclose(m);
    for (size_t i = 0; i < rf_metric_count(); i++) {
        const char *name = rf_metric_at(i)->name;
        if (strchr(name, '_'))
            cr_expect(!strstr(buf, name), "the tables show the key %s:\n%s", name, buf);
    }
    for (int g = 0; g < RF_G_N; g++) {
        cr_expect(strstr(buf, rf_group_label((rf_group)g)), "group %d missing:\n%s", g, buf);
        if (strchr(rf_group_name((rf_group)g), '_'))
            cr_expect(!strstr(buf, rf_group_name((rf_group)g)), "key %s shown", rf_group_name((rf_group)g));
    }
    cr_expect(strstr(buf, "Refused: no space"), "%s", buf);
    cr_expect(strstr(buf, "Longest waiting list (households)"), "%s", buf);
    free(buf);
    an_point_summary_free(&ps);
}
