/* compare --by-year writes /comparison_yearly (issue 13): its year-by-year
 * differences are the printed ones, the years' households add up to the
 * whole horizon's, and rerun of the file says identical. */
#include "test_shell.h"

#include "an_h5.h"
#include "sim_status.h"

#include <math.h>

Test(compare_yearly, table_matches_printed_and_rerun, .timeout = 300)
{
    ts_make_dir();
    cr_assert_eq(ts_sh("cd '%s' && '%s' compare '%s/scenarios/leicestershire-county.yaml' "
                       "'%s/scenarios/example-county-20-more-from-year-2.yaml' --reps 8 --by-year "
                       "-o a.h5", ts_dir, ts_prog(), ts_root(), ts_root()), 0, "%s", ts_out);
    /* the printed "Placed" row of the difference by year */
    const char *p = strstr(ts_out, "Difference by year");
    cr_assert_not_null(p, "%s", ts_out);
    /* the alternative's costs by year, though the baseline gives none */
    cr_expect(strstr(p, "\nCost a year (currency) "), "%s", p);
    p = strstr(p, "\nPlaced ");
    cr_assert_not_null(p, "%s", ts_out);
    double printed[3];
    p += strlen("\nPlaced ");
    for (int y = 0; y < 3; y++) {
        while (*p == ' ')
            p++;
        cr_assert_eq(sscanf(p, "%lf", &printed[y]), 1, "%s", p);
        p = strchr(p, ')');
        cr_assert_not_null(p);
        p++;
    }
    char path[600];
    snprintf(path, sizeof path, "%s/a.h5", ts_dir);
    an_h5_file *h;
    cr_assert_eq(an_h5_open(path, &h), SIM_OK);
    an_table *t, *w;
    cr_assert_eq(an_h5_read_table(h, "/comparison_yearly", &t), SIM_OK);
    cr_assert_eq(an_h5_read_table(h, "/comparison", &w), SIM_OK);
    int cp = an_table_col(t, "point"), cy = an_table_col(t, "year"), cm = an_table_col(t, "metric"),
        cd = an_table_col(t, "difference"), ch = an_table_col(t, "households"),
        chw = an_table_col(t, "half_width");
    cr_assert(cp >= 0 && cy >= 0 && cm >= 0 && cd >= 0 && ch >= 0 && chw >= 0);
    double hh_sum = 0;
    int seen = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        const double *row = &t->num[r * t->n_cols];
        if (strcmp(t->str[r * t->n_cols + (size_t)cm], "placed"))
            continue;
        cr_expect_eq(row[cp], 1.0);
        int y = (int)row[cy] - 1;
        cr_assert(y >= 0 && y < 3);
        /* printed in points to one decimal */
        cr_expect(fabs(row[cd] * 100 - printed[y]) <= 0.05 + 1e-9, "year %d: %g vs printed %g",
                  y + 1, row[cd] * 100, printed[y]);
        cr_expect(row[chw] >= 0);
        hh_sum += row[ch];
        seen++;
    }
    cr_expect_eq(seen, 3);
    int wm = an_table_col(w, "metric"), wh = an_table_col(w, "households_per_year");
    cr_assert(wm >= 0 && wh >= 0);
    double whole = NAN;
    for (size_t r = 0; r < w->n_rows; r++)
        if (!strcmp(w->str[r * w->n_cols + (size_t)wm], "placed"))
            whole = w->num[r * w->n_cols + (size_t)wh];
    double horizon_years = (double)an_h5_point_at(h, 0)->horizon_days / 365.0;
    cr_expect(fabs(hh_sum - whole * horizon_years) <= 1e-6 * (1 + fabs(hh_sum)),
              "years add to %g, whole horizon %g a year x %g years", hh_sum, whole, horizon_years);
    an_table_free(t);
    an_table_free(w);
    an_h5_close(h);
    cr_assert_eq(ts_sh("cd '%s' && TMPDIR='%s' '%s' rerun a.h5", ts_dir, ts_dir, ts_prog()), 0,
                 "%s", ts_out);
    cr_expect(strstr(ts_out, "identical to the stored results"), "%s", ts_out);
    ts_remove_dir();
}
