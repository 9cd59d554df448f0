/* The printed services table has a cost column when the scenario has costs
 * (issue 13): the services' costs a year add up to the headline cost a
 * year; a scenario without costs has no such column. */
#include "test_shell.h"

#include <math.h>
#include <stdlib.h>

/* The number before the last '±' of the line that starts at p. */
static double last_estimate(const char *p)
{
    const char *end = strchr(p, '\n'), *pm = NULL;
    for (const char *q = p; q < end; q++)
        if (!strncmp(q, "\xc2\xb1", 2))
            pm = q;
    cr_assert_not_null(pm, "%.*s", (int)(end - p), p);
    const char *q = pm - 1;
    while (q > p && q[-1] != ' ')
        q--;
    while (q > p && q[-1] == ' ' && q[-2] != ' ')
        q--;
    return atof(q);
}

Test(services_cost, column_adds_up_to_headline, .timeout = 200)
{
    cr_assert_eq(ts_sh("'%s' run '%s/scenarios/example-county-20-more-from-year-2.yaml' --reps 4 "
                       "--services", ts_prog(), ts_root()), 0, "%s", ts_out);
    const char *h = strstr(ts_out, "\nCost a year (currency)");
    cr_assert_not_null(h, "%s", ts_out);
    double headline = last_estimate(h + 1);
    const char *t = strstr(ts_out, "\nServices, ");
    cr_assert_not_null(t, "%s", ts_out);
    const char *head = strchr(t + 1, '\n') + 1;
    cr_expect(!strncmp(strchr(head, '\n') - strlen("Cost a year"), "Cost a year", 11), "%s", ts_out);
    double sum = 0;
    const char *names[] = {"\ncounty refuges ", "\nnew refuge units "};
    for (int i = 0; i < 2; i++) {
        const char *r = strstr(t, names[i]);
        cr_assert_not_null(r, "%s", ts_out);
        sum += last_estimate(r + 1);
    }
    cr_expect(headline > 0);
    cr_expect(fabs(sum - headline) <= 2, "services %g, headline %g: %s", sum, headline, ts_out);
    cr_assert_eq(ts_sh("'%s' run '%s/scenarios/leicestershire-county.yaml' --reps 2 --services",
                       ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_assert_not_null(strstr(ts_out, "\nServices, "), "%s", ts_out);
    cr_expect_null(strstr(strstr(ts_out, "\nServices, "), "Cost a year"), "%s", ts_out);
}
