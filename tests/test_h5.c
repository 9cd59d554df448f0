/* The results file: C writer -> C reader and h5py, atomic writes, errors. */
#include "test_h5_fixture.h"

#include <math.h>
#include <stdarg.h>
#include <sys/stat.h>
#include "an_summary.h"
#include "sim_stats.h"

static int same_double(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

/* Every service and group measure of a and b, the same bits, and each
 * service's units; a change to any replication's record would show. */
static void same_pools(const an_point_summary *a, const an_point_summary *b)
{
    cr_assert_eq(a->n_services, b->n_services);
    cr_assert_eq(a->n_pooled, b->n_pooled);
    cr_expect_eq(a->any_cost, b->any_cost);
    for (int s = 0; s < a->n_services; s++) {
        cr_expect_eq(a->service_units[s], b->service_units[s], "service %d units", s);
        for (int m = 0; m < AN_SVC_N; m++) {
            sim_summary x, y;
            an_service_summary(a, s, (an_service_measure)m, &x);
            an_service_summary(b, s, (an_service_measure)m, &y);
            cr_expect(x.n == y.n && same_double(x.mean, y.mean) && same_double(x.ci95, y.ci95),
                      "service %d measure %d: %.17g vs %.17g", s, m, x.mean, y.mean);
        }
    }
    for (int g = 0; g < RF_G_N; g++)
        for (int m = 0; m < AN_GRP_N; m++) {
            sim_summary x, y;
            an_group_summary(a, g, (an_group_measure)m, &x);
            an_group_summary(b, g, (an_group_measure)m, &y);
            cr_expect(x.n == y.n && same_double(x.mean, y.mean) && same_double(x.ci95, y.ci95),
                      "group %d measure %d: %.17g vs %.17g", g, m, x.mean, y.mean);
        }
}

Test(h5, roundtrip_root_and_points)
{
    fixture fx;
    fx_setup(&fx, NULL, 1);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(fx.path, &f), SIM_OK);
    const an_h5_info *in = an_h5_get_info(f);
    cr_expect_eq(in->format_version, AN_H5_FORMAT_VERSION);
    cr_expect_eq(in->seed, 42);
    cr_expect_eq(in->threads, 2);
    cr_expect_eq(in->ranks, 1);
    cr_expect_eq(in->complete, 1);
    cr_expect_eq(in->n_points, FX_POINTS);
    cr_expect_str_eq(in->command_line, "refugesim sweep test.yaml");
    cr_expect_str_eq(in->rng, "philox4x64-10");
    cr_expect_eq(strlen(in->created_utc), 20, "ISO 8601 UTC: %s", in->created_utc);
    cr_assert_eq(in->n_vary, 1);
    cr_expect_str_eq(in->vary_keys[0], "services[0].units");
    char *text;
    cr_assert_eq(an_h5_read_scenario(f, &text), SIM_OK);
    cr_expect_str_eq(text, fx_scenario);
    free(text);
    cr_assert_eq(an_h5_read_point_scenario(f, 1, &text), SIM_OK);
    cr_expect_str_eq(text, fx_scenario, "a point without its own scenario reads the run's");
    free(text);
    for (int p = 0; p < FX_POINTS; p++) {
        const an_h5_point_row *row = an_h5_point_at(f, (size_t)p);
        cr_assert_not_null(row);
        cr_expect_eq(row->index, (size_t)p);
        cr_expect_eq(row->n_reps, fx_reps[p]);
        cr_expect_eq(row->reps_done, fx_reps[p]);
        cr_expect_eq(row->total_units, fx_units[p][0] + fx_units[p][1]);
        cr_expect_eq(row->horizon_days, 365.0);
        cr_expect_eq(row->warmup_days, 180.0);
        cr_expect_eq(row->vary_values[0], fx_vary[p][0]);
        char want[32];
        snprintf(want, sizeof want, "%d spaces", row->total_units);
        cr_expect_str_eq(row->label, want);
    }
    cr_expect_null(an_h5_point_at(f, FX_POINTS));
    an_h5_close(f);
    fx_teardown(&fx);
}

Test(h5, roundtrip_metrics_monthly_tables)
{
    fixture fx;
    fx_setup(&fx, NULL, 1);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(fx.path, &f), SIM_OK);
    size_t nm = rf_metric_count();
    double want[128], got[8], work[8];
    cr_assert_leq(rf_metric_count(), 128);
    for (int p = 0; p < FX_POINTS; p++) {
        size_t n = fx_reps[p];
        an_point_summary ps;
        cr_assert_eq(an_h5_read_point_summary(f, (size_t)p, &ps), SIM_OK);
        cr_expect_eq(ps.n_reps, n);
        cr_assert_eq(ps.n_metrics, nm);
        cr_expect_eq(ps.horizon_days, 365.0);
        for (size_t m = 0; m < nm; m++) {
            const char *name = rf_metric_at(m)->name;
            cr_assert_eq(an_h5_read_metric(f, (size_t)p, name, got), SIM_OK, "%s", name);
            double vals[8], num[8], den[8], pn[128], pd[128];
            for (size_t r = 0; r < n; r++) {
                rf_result_metrics(&fx.res[p][r], want);
                rf_result_metric_parts(&fx.res[p][r], pn, pd);
                vals[r] = want[m];
                num[r] = pn[m];
                den[r] = pd[m];
                cr_expect(same_double(got[r], want[m]), "point %d %s[%zu]: %g vs %g", p, name, r,
                          got[r], want[m]);
            }
            sim_summary s;
            sim_summarize(vals, n, work, &s);
            sim_ratio e;
            sim_ratio_estimate(num, den, n, &e);
            const an_metric_summary *ms = an_point_summary_find(&ps, name);
            cr_assert_not_null(ms, "%s", name);
            cr_expect_str_eq(ms->units, rf_metric_at(m)->units);
            cr_expect_eq(ms->pooled, rf_metric_at(m)->denominator != NULL, "%s", name);
            /* the estimate is the pooled one; the spread and rep_mean are the
             * per-replication values' */
            cr_expect(same_double(ms->s.mean, e.ratio) && same_double(ms->s.ci95, e.ci95)
                          && same_double(ms->se, e.se) && same_double(ms->rep_mean, s.mean)
                          && same_double(ms->s.p90, s.p90) && same_double(ms->s.sd, s.sd)
                          && ms->s.n == e.n && same_double(ms->total_num, e.num)
                          && same_double(ms->total_den, e.den),
                      "summary of %s", name);
            /* the parts came back too: pairing the point with itself */
            sim_ratio_diff dd;
            cr_expect_eq(an_point_summary_paired_diff(&ps, &ps, name, &dd), SIM_OK);
            cr_expect(isnan(e.ratio) || (dd.diff == 0 && dd.n == e.n), "%s", name);
            for (size_t r = 0; r < n; r++)
                cr_expect(same_double(ps.num[r * nm + m], num[r])
                              && same_double(ps.den[r * nm + m], den[r]),
                          "point %d %s parts of rep %zu", p, name, r);
        }
        cr_expect_eq(an_h5_read_metric(f, (size_t)p, "no_such_metric", got), SIM_ENOTFOUND);
        cr_assert_eq(ps.n_services, 2);
        cr_expect_str_eq(ps.service_names[0], "Brookes House");
        cr_expect_str_eq(ps.service_names[1], "Juno House");
        /* the services and groups came back: pooled as the records pool */
        an_point_summary mem;
        cr_assert_eq(an_point_summary_from_results(&mem, NULL, &fx.params[p], fx.res[p], NULL, n),
                     SIM_OK);
        same_pools(&ps, &mem);
        an_point_summary_free(&mem);
        an_point_summary_free(&ps);

        double *mo;
        size_t nr, nmo;
        cr_assert_eq(an_h5_read_monthly(f, (size_t)p, "waiting", &mo, &nr, &nmo), SIM_OK);
        cr_expect_eq(nr, n);
        cr_expect_eq(nmo, FX_MONTHS);
        for (size_t r = 0; r < nr; r++)
            for (size_t m = 0; m < nmo; m++)
                cr_expect_eq(mo[r * nmo + m], fx.res[p][r].monthly_waiting[m]);
        free(mo);
        cr_assert_eq(an_h5_read_monthly(f, (size_t)p, "occupied", &mo, &nr, &nmo), SIM_OK);
        cr_expect_eq(mo[nmo + 3], fx.res[p][1].monthly_occupied[3]);
        free(mo);

        an_table *t;
        char path[64];
        snprintf(path, sizeof path, "/points/%d/outcomes", p);
        cr_assert_eq(an_h5_read_table(f, path, &t), SIM_OK);
        cr_expect_eq(t->n_rows, n);
        int c = an_table_col(t, "no_suitable_family_size");
        cr_assert_geq(c, 0);
        cr_expect_eq(t->num[2 * t->n_cols + (size_t)c], 17.0);
        cr_expect(t->is_int[c]);
        an_table_free(t);
    }
    an_h5_close(f);
    fx_teardown(&fx);
}

Test(h5, incomplete_point)
{
    static const unsigned char d0[3] = {1, 1, 1}, d1[4] = {1, 0, 1, 0};
    const unsigned char *const done[FX_POINTS] = {d0, d1};
    fixture fx;
    fx_setup(&fx, done, 1);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(fx.path, &f), SIM_OK);
    cr_expect_eq(an_h5_get_info(f)->complete, 0, "a point with undone replications is incomplete");
    cr_expect_eq(an_h5_point_at(f, 0)->reps_done, 3);
    cr_expect_eq(an_h5_point_at(f, 1)->reps_done, 2);
    unsigned char flags[4];
    cr_assert_eq(an_h5_read_done(f, 1, flags), SIM_OK);
    cr_expect(flags[0] == 1 && flags[1] == 0 && flags[2] == 1 && flags[3] == 0);
    double v[4];
    cr_assert_eq(an_h5_read_metric(f, 1, "referrals", v), SIM_OK);
    cr_expect(v[0] == 650 && isnan(v[1]) && v[2] == 670 && isnan(v[3]));
    an_point_summary ps;
    cr_assert_eq(an_h5_read_point_summary(f, 1, &ps), SIM_OK);
    cr_expect_eq(ps.n_reps, 2);
    cr_expect_eq(an_point_summary_find(&ps, "referrals")->s.mean, 660.0);
    /* the second done replication is rep 2 */
    an_point_summary mem;
    const unsigned char done2[4] = {1, 0, 1, 0};
    cr_assert_eq(an_point_summary_from_results(&mem, NULL, &fx.params[1], fx.res[1], done2, 4),
                 SIM_OK);
    same_pools(&ps, &mem);
    an_point_summary_free(&mem);
    an_point_summary_free(&ps);
    an_table *t;
    cr_assert_eq(an_h5_read_table(f, "/points/1/replications", &t), SIM_OK);
    cr_expect_eq(t->n_rows, 2);
    cr_expect_eq(t->num[1 * t->n_cols + (size_t)an_table_col(t, "rep")], 2.0);
    an_table_free(t);
    /* /summary: point 1's rows over its 2 done replications */
    cr_assert_eq(an_h5_read_table(f, "/summary", &t), SIM_OK);
    cr_assert_eq(t->n_rows, FX_POINTS * rf_metric_count());
    size_t row = rf_metric_count() + (size_t)rf_metric_find("referrals");
    cr_expect_eq(t->num[row * t->n_cols + (size_t)an_table_col(t, "point")], 1.0);
    cr_expect_eq(t->num[row * t->n_cols + (size_t)an_table_col(t, "n")], 2.0);
    cr_expect_eq(t->num[row * t->n_cols + (size_t)an_table_col(t, "mean")], 660.0);
    cr_expect_str_eq(t->str[row * t->n_cols + (size_t)an_table_col(t, "metric")], "referrals");
    an_table_free(t);
    an_h5_close(f);
    fx_teardown(&fx);
}

Test(h5, interrupted_run_is_marked)
{
    fixture fx;
    fx_setup(&fx, NULL, 0);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(fx.path, &f), SIM_OK);
    cr_expect_eq(an_h5_get_info(f)->complete, 0);
    an_h5_close(f);
    fx_teardown(&fx);
}

static long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long)sb.st_size : -1;
}

Test(h5, refuses_to_overwrite_without_force)
{
    fixture fx;
    fx_setup(&fx, NULL, 1);
    char other[320];
    snprintf(other, sizeof other, "%s/other.txt", fx.dir);
    FILE *o = fopen(other, "w");
    fputs("precious", o);
    fclose(o);
    an_run_info info = {.scenario_text = "x", .n_points = 0};
    an_run run = {.info = info, .complete = 1};
    cr_expect_eq(an_h5_write(other, &run, 0), SIM_EEXIST);
    cr_expect_eq(file_size(other), 8, "existing file unchanged");
    cr_expect_eq(fx_count_entries(fx.dir), 2, "no temporary file left");
    cr_expect_eq(an_h5_write(other, &run, 1), SIM_OK, "force replaces");
    cr_expect_gt(file_size(other), 8);
    cr_expect_eq(fx_count_entries(fx.dir), 2, "no temporary file left after success");
    an_h5_file *f;
    cr_assert_eq(an_h5_open(other, &f), SIM_OK);
    cr_expect_eq(an_h5_get_info(f)->n_points, 0);
    an_h5_close(f);
    fx_teardown(&fx);
}

Test(h5, missing_directory_creates_nothing)
{
    fixture fx;
    fx_setup(&fx, NULL, 1);
    char bad[320];
    snprintf(bad, sizeof bad, "%s/no/such/dir/out.h5", fx.dir);
    an_run run = {.info = {.scenario_text = "x"}, .complete = 1};
    cr_expect_eq(an_h5_write(bad, &run, 0), SIM_ENOTFOUND);
    cr_expect_eq(an_h5_write(bad, &run, 1), SIM_ENOTFOUND);
    cr_expect_eq(fx_count_entries(fx.dir), 1, "only the fixture's results.h5");
    fx_teardown(&fx);
}

Test(h5, failure_midway_leaves_nothing)
{
    fixture fx;
    fx_setup(&fx, NULL, 1);
    char out[320];
    snprintf(out, sizeof out, "%s/partial.h5", fx.dir);
    an_point bad = {.params = &fx.params[0], .n_reps = 3, .results = NULL};
    an_point good = {.params = &fx.params[0], .n_reps = 3, .results = fx.res[0]};
    an_point pts[2] = {good, bad};
    an_run run = {.info = {.scenario_text = "x", .n_points = 2}, .complete = 1, .points = pts};
    cr_expect_eq(an_h5_write(out, &run, 0), SIM_EINVAL);
    cr_expect_eq(fx_count_entries(fx.dir), 1, "neither the temporary nor the final file");

    an_h5_writer *w;
    cr_assert_eq(an_h5_create(out, &run.info, 0, &w), SIM_OK);
    cr_expect_eq(fx_count_entries(fx.dir), 2, "the temporary file only");
    cr_expect_eq(file_size(out), -1);
    cr_expect_eq(an_h5_put_point(w, 1, &good), SIM_OK, "points may come in any order");
    cr_expect_eq(an_h5_put_point(w, 1, &good), SIM_EINVAL, "each point once");
    cr_expect_eq(an_h5_put_point(w, 2, &good), SIM_EINVAL, "index out of range");
    an_h5_discard(w);
    cr_expect_eq(fx_count_entries(fx.dir), 1);

    cr_assert_eq(an_h5_create(out, &run.info, 0, &w), SIM_OK);
    cr_expect_eq(an_h5_put_point(w, 1, &good), SIM_OK);
    cr_expect_eq(an_h5_commit(w, 1), SIM_OK);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(out, &f), SIM_OK);
    cr_expect_eq(an_h5_get_info(f)->complete, 0, "point 0 was never written");
    cr_expect_eq(an_h5_point_at(f, 0)->n_reps, 0);
    cr_expect_eq(an_h5_point_at(f, 1)->reps_done, 3);
    an_h5_close(f);
    cr_expect_eq(fx_count_entries(fx.dir), 2);
    fx_teardown(&fx);
}

Test(h5, reader_errors)
{
    fixture fx;
    fx_setup(&fx, NULL, 1);
    an_h5_file *f;
    char p[320];
    snprintf(p, sizeof p, "%s/missing.h5", fx.dir);
    cr_expect_eq(an_h5_open(p, &f), SIM_ENOTFOUND);
    snprintf(p, sizeof p, "%s/text.h5", fx.dir);
    FILE *o = fopen(p, "w");
    fputs("not hdf5\n", o);
    fclose(o);
    cr_expect_eq(an_h5_open(p, &f), SIM_EPARSE);
    snprintf(p, sizeof p, "%s/plain.h5", fx.dir);
    hid_t h = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    H5Fclose(h);
    cr_expect_eq(an_h5_open(p, &f), SIM_EPARSE, "HDF5 without the format attribute");
    char *text;
    cr_expect_eq(an_h5_read_scenario_text(fx.path, &text), SIM_OK);
    cr_expect_str_eq(text, fx_scenario);
    free(text);
    fx_teardown(&fx);
}

/* ---- h5py: the layout and values as Python sees them ---- */

static void expect_line(FILE *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void expect_line(FILE *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(e, fmt, ap);
    va_end(ap);
    fputc('\n', e);
}

Test(h5, h5py_reads_layout_and_values)
{
    if (system("/usr/bin/python3 -c 'import h5py' >/dev/null 2>&1") != 0)
        cr_skip_test("h5py is missing: install it with 'apt-get install python3-h5py'");
    const char *root = getenv("RS_ROOT");
    cr_assert_not_null(root, "RS_ROOT must point at the repository");
    fixture fx;
    fx_setup(&fx, NULL, 1);
    char exp_path[320], scen_path[320], cmd[1200];
    snprintf(exp_path, sizeof exp_path, "%s/expected.tsv", fx.dir);
    snprintf(scen_path, sizeof scen_path, "%s/scenario.txt", fx.dir);
    FILE *s = fopen(scen_path, "w");
    fputs(fx_scenario, s);
    fclose(s);
    FILE *e = fopen(exp_path, "w");
    cr_assert_not_null(e);
    expect_line(e, "text\t/scenario\t%s", scen_path);
    expect_line(e, "attr\t/\tseed\t42");
    expect_line(e, "attr\t/\tformat_version\t%d", AN_H5_FORMAT_VERSION);
    expect_line(e, "attr\t/\tcomplete\t1");
    expect_line(e, "attr\t/\tcommand_line\trefugesim sweep test.yaml");
    expect_line(e, "rows\t/point_table\t2");
    expect_line(e, "rows\t/summary\t%zu", FX_POINTS * rf_metric_count());
    size_t nm = rf_metric_count();
    double v[128];
    cr_assert_leq(rf_metric_count(), 128);
    for (int p = 0; p < FX_POINTS; p++) {
        expect_line(e, "cell\t/point_table\t%d\ttotal_units\t%d", p, fx_units[p][0] + fx_units[p][1]);
        expect_line(e, "cell\t/point_table\t%d\tservices_0_units\t%g", p, fx_vary[p][0]);
        expect_line(e, "cell\t/point_table\t%d\tlabel\t%d spaces", p, fx_units[p][0] + fx_units[p][1]);
        expect_line(e, "rows\t/points/%d/replications\t%zu", p, fx_reps[p]);
        expect_line(e, "rows\t/points/%d/summary\t%zu", p, nm);
        expect_line(e, "rows\t/points/%d/services\t%zu", p, 2 * fx_reps[p]);
        expect_line(e, "rows\t/points/%d/groups\t%zu", p, RF_G_N * fx_reps[p]);
        expect_line(e, "shape\t/points/%d/monthly/waiting\t%zu,%d", p, fx_reps[p], FX_MONTHS);
        for (size_t r = 0; r < fx_reps[p]; r++) {
            const rf_result *x = &fx.res[p][r];
            rf_result_metrics(x, v);
            for (size_t m = 0; m < nm; m++) {
                expect_line(e, "value\t/points/%d/metrics/%s\t%zu\t%.17g", p, rf_metric_at(m)->name, r, v[m]);
                expect_line(e, "cell\t/points/%d/replications\t%zu\t%s\t%.17g", p, r, rf_metric_at(m)->name, v[m]);
            }
            for (int mo = 0; mo < FX_MONTHS; mo++)
                expect_line(e, "value\t/points/%d/monthly/occupied\t%zu\t%.17g", p,
                            r * FX_MONTHS + (size_t)mo, x->monthly_occupied[mo]);
            /* services rows: replication-major, then service (written as
             * the replications come) */
            size_t row = r * 2 + 1;
            expect_line(e, "cell\t/points/%d/services\t%zu\tname\tJuno House", p, row);
            expect_line(e, "cell\t/points/%d/services\t%zu\tplacements\t%llu", p, row,
                        (unsigned long long)x->services[1].placements);
            expect_line(e, "cell\t/points/%d/services\t%zu\toccupied_days\t%.17g", p, row,
                        x->services[1].occupied_days);
            row = r * RF_G_N + (size_t)RF_G_NRPF;
            expect_line(e, "cell\t/points/%d/groups\t%zu\tgroup\tnrpf", p, row);
            expect_line(e, "cell\t/points/%d/groups\t%zu\treferrals\t%llu", p, row,
                        (unsigned long long)x->groups[RF_G_NRPF].referrals);
            expect_line(e, "cell\t/points/%d/groups\t%zu\trefused_no_space\t%llu", p, row,
                        (unsigned long long)x->groups[RF_G_NRPF].outcomes[RF_OUT_REFUSED_NO_SPACE]);
            expect_line(e, "cell\t/points/%d/groups\t%zu\twait_sum\t%.17g", p, row,
                        x->groups[RF_G_NRPF].wait_sum);
        }
        an_point_summary ps;
        cr_assert_eq(an_point_summary_from_results(&ps, NULL, &fx.params[p], fx.res[p], NULL, fx_reps[p]), SIM_OK);
        /* /summary: point-major, then metric, with the point's varied values */
        for (size_t m = 0; m < nm; m++) {
            const sim_summary *sm = &ps.metrics[m].s;
            size_t row = (size_t)p * nm + m;
            expect_line(e, "cell\t/summary\t%zu\tpoint\t%d", row, p);
            expect_line(e, "cell\t/summary\t%zu\tlabel\t%d spaces", row, fx_units[p][0] + fx_units[p][1]);
            expect_line(e, "cell\t/summary\t%zu\tservices_0_units\t%g", row, fx_vary[p][0]);
            expect_line(e, "cell\t/summary\t%zu\tmetric\t%s", row, ps.metrics[m].name);
            expect_line(e, "cell\t/summary\t%zu\tunits\t%s", row, ps.metrics[m].units);
            expect_line(e, "cell\t/summary\t%zu\tmean\t%.17g", row, sm->mean);
            expect_line(e, "cell\t/summary\t%zu\tlo\t%.17g", row, sm->mean - sm->ci95);
            expect_line(e, "cell\t/summary\t%zu\thi\t%.17g", row, sm->mean + sm->ci95);
            expect_line(e, "cell\t/summary\t%zu\thalf_width\t%.17g", row, sm->ci95);
            expect_line(e, "cell\t/summary\t%zu\tn\t%zu", row, fx_reps[p]);
        }
        for (size_t m = 0; m < nm; m++) {
            expect_line(e, "cell\t/points/%d/summary\t%zu\tmetric\t%s", p, m, ps.metrics[m].name);
            expect_line(e, "cell\t/points/%d/summary\t%zu\tmean\t%.17g", p, m, ps.metrics[m].s.mean);
            expect_line(e, "cell\t/points/%d/summary\t%zu\tci95\t%.17g", p, m, ps.metrics[m].s.ci95);
            expect_line(e, "cell\t/points/%d/summary\t%zu\tp90\t%.17g", p, m, ps.metrics[m].s.p90);
        }
        an_point_summary_free(&ps);
    }
    fclose(e);
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/py/check_results.py' '%s' '%s' > '%s/py.out' 2>&1",
             root, fx.path, exp_path, fx.dir);
    int rc = system(cmd);
    if (rc != 0) {
        snprintf(cmd, sizeof cmd, "cat '%s/py.out' >&2", fx.dir);
        if (system(cmd) != 0) { /* shown for diagnosis only */ }
    }
    cr_expect_eq(rc, 0, "check_results.py failed (its output is above)");
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/analysis/examples/read_results.py' '%s' > '%s/ex.out' 2>&1",
             root, fx.path, fx.dir);
    cr_expect_eq(system(cmd), 0, "the reader example runs on a fresh file");
    fx_teardown(&fx);
}

/* tests/data/results-v1.h5 was written in format 1 by main at 2346605 (a
 * county sweep over referrals.per_year=150,200, 2 replications of 60 days):
 * plain compound datasets with column names as given (a dot in the varied
 * key, spaces in the screening reasons).  Today's reader reads it. */
static const char *v1_path(void)
{
    static char p[1024];
    const char *root = getenv("RS_ROOT");
    cr_assert_not_null(root, "RS_ROOT must point at the repository");
    snprintf(p, sizeof p, "%s/tests/data/results-v1.h5", root);
    return p;
}

Test(h5, reads_a_format_1_file)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(v1_path(), &f), SIM_OK);
    const an_h5_info *in = an_h5_get_info(f);
    cr_expect_eq(in->format_version, 1);
    cr_expect_eq(in->seed, 2022);
    cr_expect_eq(in->complete, 1);
    cr_assert_eq(in->n_points, 2);
    cr_assert_eq(in->n_vary, 1);
    cr_expect_str_eq(in->vary_keys[0], "referrals.per_year");
    static const double per_year[2] = {150, 200}, referrals[2][2] = {{24, 30}, {30, 36}};
    for (size_t p = 0; p < 2; p++) {
        const an_h5_point_row *row = an_h5_point_at(f, p);
        cr_expect_eq(row->vary_values[0], per_year[p]);
        cr_expect_eq(row->n_reps, 2);
        cr_expect_eq(row->reps_done, 2);
        cr_expect_eq(row->total_units, 21);
        cr_expect_eq(row->horizon_days, 60.0);
        char want[32];
        snprintf(want, sizeof want, "per_year=%g", per_year[p]);
        cr_expect_str_eq(row->label, want);
        double v[2];
        cr_assert_eq(an_h5_read_metric(f, p, "referrals", v), SIM_OK);
        cr_expect(v[0] == referrals[p][0] && v[1] == referrals[p][1]);
        an_point_summary ps;
        cr_assert_eq(an_h5_read_point_summary(f, p, &ps), SIM_OK);
        const an_metric_summary *m = an_point_summary_find(&ps, "referrals");
        cr_assert_not_null(m);
        cr_expect_eq(m->s.n, 2);
        cr_expect_eq(m->s.mean, (referrals[p][0] + referrals[p][1]) / 2);
        cr_expect_eq(ps.n_services, 1);
        cr_expect_str_eq(ps.service_names[0], "county refuges");
        an_point_summary_free(&ps);
        double *mon;
        size_t nr, nm;
        cr_assert_eq(an_h5_read_monthly(f, p, "occupied", &mon, &nr, &nm), SIM_OK);
        cr_expect(nr == 2 && nm == 2 && mon[0] > 18 && mon[0] < 20, "%zu x %zu", nr, nm);
        free(mon);
    }
    an_table *t;
    cr_assert_eq(an_h5_read_table(f, "/points/1/outcomes", &t), SIM_OK);
    int c = an_table_col(t, "screened_support needs unsuitable");
    cr_assert_geq(c, 0, "format 1 names kept as they are in the file");
    cr_expect_eq(t->num[1 * t->n_cols + (size_t)c], 2.0);
    cr_expect_str_eq(t->descs[(size_t)c], "");
    an_table_free(t);
    an_h5_close(f);
}

/* report, report --csv and rerun take a format 1 file; its CSV files have
 * the column names they had. */
Test(h5, commands_take_a_format_1_file, .timeout = 120)
{
    char dir[64], cmd[1600];
    fx_tmpdir(dir, sizeof dir);
    const char *prog = getenv("RS_PROGRAM");
    cr_assert_not_null(prog);
    snprintf(cmd, sizeof cmd,
             "cd '%s' && '%s' report '%s' --csv csv > report.txt && grep -q 'per_year=150' "
             "report.txt && head -n 1 csv/points.csv | grep -q ',referrals.per_year$' && "
             "head -n 1 csv/outcomes.csv | grep -q ',screened_support needs unsuitable,' && "
             "{ '%s' rerun '%s' -o again.h5 > rerun.txt 2>&1; test $? -eq 1; } && "
             /* written by an older model (main at 2346605, before the
              * household-stream turnarounds): rerun reads it, recomputes
              * every point and says the results moved */
             "grep -q 'DIFFERENT from the stored results' rerun.txt && test -f again.h5",
             dir, prog, v1_path(), prog, v1_path());
    cr_expect_eq(system(cmd), 0, "%s", cmd);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}
