/* refugesim compare (study_compare): paired differences under common random
 * numbers.  The paired interval is the unpaired one less exactly the
 * covariance the shared numbers bring (so narrower when it is positive); a
 * --vs that changes nothing gives exactly 0 with a zero-width interval; an
 * alternative file with another horizon is refused, naming the key; the
 * results file holds every alternative as a point and /comparison. */
#include "test_shell.h"

#include <hdf5.h>
#include <math.h>
#include "an_h5.h"
#include "sim_status.h"
#include "study_compare.h"

static char c_path[512];

static const char *county(void)
{
    snprintf(c_path, sizeof c_path, "%s/scenarios/leicestershire-county.yaml", ts_root());
    return c_path;
}

static void setup(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static int compare(const char *const *files, size_t n_files, const char *const *vs, size_t n_vs,
                   const char *out, study_compare_result *res, study_error *err)
{
    static const char *sets[] = {"replications=40"};
    study_compare_cfg cc = {.base = {.points = {.scenario_path = county(), .sets = sets, .n_sets = 1},
                                     .threads = 2, .out_path = out, .force = 1, .by_year = 1},
                            .files = files, .n_files = n_files, .vs = vs, .n_vs = n_vs};
    return study_compare(&cc, res, err);
}

static const an_comparison *row(const study_compare_result *r, size_t point, const char *metric)
{
    size_t n;
    const an_comparison *rows = study_compare_rows(r, point, &n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].metric, metric))
            return &rows[i];
    cr_assert_fail("no comparison of %s at point %zu", metric, point);
    return NULL;
}

/* The delta method's residuals of one point's metric, replication by
 * replication: e_i / dbar (z_i of sim_ratio_paired_diff is their difference). */
static void residuals(const an_point_summary *ps, const char *metric, double *z)
{
    size_t m = 0;
    while (strcmp(ps->metrics[m].name, metric))
        m++;
    double num = 0, den = 0;
    for (size_t r = 0; r < ps->n_reps; r++) {
        num += ps->num[r * ps->n_metrics + m];
        den += ps->den[r * ps->n_metrics + m];
    }
    double R = num / den, dbar = den / (double)ps->n_reps;
    for (size_t r = 0; r < ps->n_reps; r++)
        z[r] = (ps->num[r * ps->n_metrics + m] - R * ps->den[r * ps->n_metrics + m]) / dbar;
}

Test(compare, paired_interval_is_unpaired_less_the_shared_variance, .init = setup)
{
    const char *vs[] = {"extra[county refuges]=4"};
    study_compare_result res;
    study_error *err = malloc(sizeof *err);
    cr_assert_eq(compare(NULL, 0, vs, 1, NULL, &res, err), SIM_OK, "%s", err->message);
    const an_point_summary *b = study_summary(res.s, 0), *a = study_summary(res.s, 1);
    cr_assert_eq(b->n_reps, 40u);
    const char *metrics[] = {"placed", "refused_of_eligible", "refused_no_space", "occupancy"};
    for (size_t k = 0; k < 4; k++) {
        const an_comparison *c = row(&res, 1, metrics[k]);
        double za[40], zb[40], cov = 0;
        residuals(a, metrics[k], za);
        residuals(b, metrics[k], zb);
        for (size_t r = 0; r < 40; r++)
            cov += za[r] * zb[r];
        cov /= 40.0 * 39.0;               /* the covariance of the two estimates */
        const an_metric_summary *ma = an_point_summary_find(a, metrics[k]),
                                *mb = an_point_summary_find(b, metrics[k]);
        double var = ma->se * ma->se + mb->se * mb->se - 2 * cov;
        cr_expect(fabs(c->d.se * c->d.se - var) <= 1e-9 * var, "%s: se^2 %g, expected %g",
                  metrics[k], c->d.se * c->d.se, var);
        cr_expect_gt(cov, 0, "%s: common random numbers correlate the runs", metrics[k]);
        cr_expect_lt(c->d.ci95, 0.5 * c->unpaired_ci95, "%s: paired %g, unpaired %g", metrics[k],
                     c->d.ci95, c->unpaired_ci95);
        cr_expect(fabs(c->d.diff - (c->alternative - c->baseline)) < 1e-12);
    }
    /* 4 more units accommodate more households, a difference well outside noise */
    const an_comparison *p = row(&res, 1, "placed");
    cr_expect(p->households && p->per_year.diff - p->per_year.ci95 > 0, "%g ± %g",
              p->per_year.diff, p->per_year.ci95);
    /* households a year: the mean per-replication difference of placements */
    size_t m = 0;
    while (strcmp(a->metrics[m].name, "placed"))
        m++;
    double sum = 0;
    for (size_t r = 0; r < 40; r++)
        sum += a->num[r * a->n_metrics + m] - b->num[r * b->n_metrics + m];
    double want = sum / 40 * 365.0 / b->horizon_days;
    cr_expect(fabs(p->per_year.diff - want) < 1e-9 * fabs(want), "%g vs %g", p->per_year.diff, want);
    study_compare_result_free(&res);
    free(err);
}

Test(compare, no_change_gives_exactly_zero, .init = setup)
{
    /* the county's own demand and 0 extra units: the baseline again */
    const char *vs[] = {"referrals.per_year=171,extra[county refuges]=0"};
    study_compare_result res;
    study_error *err = malloc(sizeof *err);
    cr_assert_eq(compare(NULL, 0, vs, 1, NULL, &res, err), SIM_OK, "%s", err->message);
    size_t n;
    const an_comparison *rows = study_compare_rows(&res, 1, &n);
    cr_assert_gt(n, 20u);
    for (size_t i = 0; i < n; i++) {
        if (isnan(rows[i].baseline))
            continue;                      /* undefined in the scenario (no waits) */
        cr_expect_eq(rows[i].d.diff, 0.0, "%s: %g", rows[i].metric, rows[i].d.diff);
        cr_expect_eq(rows[i].d.ci95, 0.0, "%s: %g", rows[i].metric, rows[i].d.ci95);
        if (rows[i].households) {
            cr_expect_eq(rows[i].per_year.diff, 0.0, "%s", rows[i].metric);
            cr_expect_eq(rows[i].per_year.ci95, 0.0, "%s", rows[i].metric);
        }
    }
    /* year by year too */
    const an_point_summary *b = study_summary(res.s, 0), *a = study_summary(res.s, 1);
    cr_assert(b->years && b->years->n_years == 3);
    for (size_t y = 0; y < 3; y++)
        for (size_t m = 0; m < b->n_metrics; m++) {
            sim_ratio_diff d;
            if (an_year_paired_diff(a, b, y, b->metrics[m].name, &d) != SIM_OK || isnan(d.a))
                continue;
            cr_expect_eq(d.diff, 0.0, "year %zu %s", y, b->metrics[m].name);
            cr_expect_eq(d.ci95, 0.0, "year %zu %s", y, b->metrics[m].name);
        }
    study_compare_result_free(&res);
    free(err);
}

Test(compare, alternative_files_must_share_seed_horizon_warmup, .init = setup)
{
    ts_make_dir();
    const char *keys[] = {"horizon: 730", "warmup: 100", "seed: 7"};
    const char *names[] = {"horizon", "warmup", "seed"};
    for (int k = 0; k < 3; k++) {
        char alt[512];
        snprintf(alt, sizeof alt, "%s/alt%d.yaml", ts_dir, k);
        FILE *f = fopen(alt, "w");
        cr_assert_not_null(f);
        fprintf(f, "extends: %s\n%s\n", county(), keys[k]);
        fclose(f);
        const char *files[] = {alt};
        study_compare_result res;
        study_error *err = malloc(sizeof *err);
        cr_assert_eq(compare(files, 1, NULL, 0, NULL, &res, err), SIM_EINVAL);
        cr_expect(err->input);
        char want[64];
        snprintf(want, sizeof want, ": %s is ", names[k]);
        cr_expect(strstr(err->message, want) != NULL, "%s", err->message);
        free(err);
    }
    /* through the program: exit status 2 and the key named */
    cr_expect_eq(ts_sh("'%s' compare '%s' '%s/alt0.yaml' --reps 5", ts_prog(), county(), ts_dir), 2);
    cr_expect(strstr(ts_out, "error:") && strstr(ts_out, "horizon is 730"), "%s", ts_out);
    ts_remove_dir();
}

Test(compare, results_file_has_points_and_comparison, .init = setup)
{
    ts_make_dir();
    char alt[512], out[512];
    snprintf(alt, sizeof alt, "%s/more move-on.yaml", ts_dir);
    snprintf(out, sizeof out, "%s/cmp.h5", ts_dir);
    FILE *f = fopen(alt, "w");
    cr_assert_not_null(f);
    fprintf(f, "extends: %s\nmove_on:\n  delay: {dist: exponential, mean: 15}\n", county());
    fclose(f);
    const char *files[] = {alt}, *vs[] = {"spaces=30"};
    study_compare_result res;
    study_error *err = malloc(sizeof *err);
    cr_assert_eq(compare(files, 1, vs, 1, out, &res, err), SIM_OK, "%s", err->message);
    an_h5_file *h;
    cr_assert_eq(an_h5_open(out, &h), SIM_OK);
    cr_assert_eq(an_h5_get_info(h)->n_points, 3u);
    cr_expect_str_eq(an_h5_point_at(h, 0)->label, "baseline");
    cr_expect_str_eq(an_h5_point_at(h, 1)->label, "more move-on");
    cr_expect_str_eq(an_h5_point_at(h, 2)->label, "spaces=30");
    cr_expect_eq(an_h5_point_at(h, 2)->total_units, 30);
    an_table *t;
    cr_assert_eq(an_h5_read_table(h, "/comparison", &t), SIM_OK);
    cr_expect_eq(t->n_rows, res.n_rows);
    int cp = an_table_col(t, "point"), cm = an_table_col(t, "metric"), cd = an_table_col(t, "difference"),
        clo = an_table_col(t, "lo"), chy = an_table_col(t, "households_per_year");
    cr_assert(cp >= 0 && cm >= 0 && cd >= 0 && clo >= 0 && chy >= 0);
    for (size_t r = 0; r < t->n_rows; r++) {
        const an_comparison *c = &res.rows[r];
        cr_expect_eq(t->num[r * t->n_cols + (size_t)cp], (double)c->point);
        cr_expect_str_eq(t->str[r * t->n_cols + (size_t)cm], c->metric);
        double d = t->num[r * t->n_cols + (size_t)cd];
        cr_expect(d == c->d.diff || (isnan(d) && isnan(c->d.diff)), "%s", c->metric);
        cr_expect_eq(isnan(t->num[r * t->n_cols + (size_t)chy]), !c->households || isnan(c->per_year.diff));
    }
    an_table_free(t);
    an_h5_close(h);
    study_compare_result_free(&res);
    free(err);
    ts_remove_dir();
}
