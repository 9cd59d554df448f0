/* Summary tables, report CSV and plots from a results file. */
#include "test_h5_fixture.h"

#include <math.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "an_plot.h"
#include "an_report.h"
#include "an_summary.h"
#include "rf_model.h"

/* 97.5% Student t quantiles for 2 and 3 degrees of freedom (tables). */
#define T975_2 4.302652729749464
#define T975_3 3.182446305284263

static char *print_to_string(void (*fn)(FILE *, const an_point_summary *, size_t, int),
                             const an_point_summary *pts, size_t n, int all)
{
    static char *buf; /* static: open_memstream keeps its address past this call */
    static size_t len;
    buf = NULL;
    len = 0;
    FILE *m = open_memstream(&buf, &len);
    fn(m, pts, n, all);
    fclose(m);
    return buf;
}

static void print_services_all(FILE *f, const an_point_summary *p, size_t n, int all)
{
    (void)all;
    an_print_services(f, p, n);
}

static void print_groups_all(FILE *f, const an_point_summary *p, size_t n, int all)
{
    (void)all;
    an_print_groups(f, p, n);
}

/* The ratio of sums of 3 or 4 (numerator, denominator) pairs and its
 * delta-method 95% half-width, by hand: residuals y - R x about R = sum y /
 * sum x, se = sqrt(sum e^2 / (n (n - 1))) / mean x. */
static void pooled_ci(const double *y, const double *x, size_t n, double *ratio, double *ci)
{
    double sy = 0, sx = 0, ss = 0;
    for (size_t i = 0; i < n; i++) {
        sy += y[i];
        sx += x[i];
    }
    *ratio = sy / sx;
    for (size_t i = 0; i < n; i++)
        ss += (y[i] - *ratio * x[i]) * (y[i] - *ratio * x[i]);
    double se = sqrt(ss / ((double)n * (double)(n - 1))) / (sx / (double)n);
    *ci = (n == 3 ? T975_2 : T975_3) * se;
}

Test(summary, table_numbers_by_hand)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    an_point_summary pts[2];
    rf_params pp[2];
    rf_result res[2][4];
    for (int p = 0; p < 2; p++) {
        fx_params(p, &pp[p]);
        for (size_t r = 0; r < fx_reps[p]; r++)
            fx_result(p, (int)r, &res[p][r]);
        cr_assert_eq(an_point_summary_from_results(&pts[p], NULL, &pp[p], res[p], NULL, fx_reps[p]), SIM_OK);
    }
    cr_expect_str_eq(pts[0].label, "21 spaces");
    cr_expect_str_eq(pts[1].label, "70 spaces");
    char *out = print_to_string(an_print_summary, pts, 2, 0);

    /* refused share: sum of (R - other) over sum of R, R = 600 + 10r (+50 at
     * 70 spaces): the ratio of sums, not the mean of the ratios */
    double x[4], y[4], mean, ci;
    char want[160];
    for (int r = 0; r < 3; r++) {
        x[r] = 600 + 10 * r;
        y[r] = x[r] - (60 + 20 + r + 100 + r + 40 + 10 + 5);
    }
    pooled_ci(y, x, 3, &mean, &ci);
    double m0 = mean, c0 = ci;
    for (int r = 0; r < 4; r++) {
        x[r] = 650 + 10 * r;
        y[r] = x[r] - (60 + 20 + r + 150 + r + 50 + 10 + 5);
    }
    pooled_ci(y, x, 4, &mean, &ci);
    snprintf(want, sizeof want, "%.1f%% ± %.1f  %.1f%% ± %.1f", 100 * m0, 100 * c0, 100 * mean, 100 * ci);
    cr_expect(strstr(out, want) != NULL, "refused row should read '%s' in:\n%s", want, out);
    cr_expect(strstr(out, "Refused: no space") != NULL);

    /* referrals per year: horizon 365 days, so the counts themselves */
    snprintf(want, sizeof want, "%.0f ± %.0f", 610.0, T975_2 * 10.0 / sqrt(3.0));
    cr_expect(strstr(out, want) != NULL, "referrals row '%s' in:\n%s", want, out);
    /* mean wait: days waited (3 + 0.5r) x placed (140 + r) over placed */
    for (int r = 0; r < 3; r++) {
        x[r] = 140 + r;
        y[r] = (3 + 0.5 * r) * x[r];
    }
    pooled_ci(y, x, 3, &mean, &ci);
    snprintf(want, sizeof want, "%.2f ± %.2f", mean, ci);
    cr_expect(strstr(out, want) != NULL, "wait row '%s' in:\n%s", want, out);
    cr_expect(strstr(out, "estimate ± 95% confidence half-width over 3 replications") != NULL, "%s", out);
    free(out);

    out = print_to_string(print_services_all, pts, 1, 0);
    /* Brookes House: 12 units, occupancy (0.8*365*12 + r) / (12*365) */
    for (int r = 0; r < 3; r++) {
        y[r] = 0.8 * 365 * 12 + r;
        x[r] = 12 * 365.0;
    }
    pooled_ci(y, x, 3, &mean, &ci);
    snprintf(want, sizeof want, "%.1f%% ± %.1f", 100 * mean, 100 * ci);
    cr_expect(strstr(out, "Brookes House") && strstr(out, want), "'%s' in:\n%s", want, out);
    free(out);

    out = print_to_string(print_groups_all, pts, 1, 0);
    /* nrpf (g = 3): refused 40 + r of 53 + r */
    for (int r = 0; r < 3; r++) {
        y[r] = 40.0 + r;
        x[r] = 53.0 + r;
    }
    pooled_ci(y, x, 3, &mean, &ci);
    snprintf(want, sizeof want, "%.1f%% ± %.1f", 100 * mean, 100 * ci);
    char *line = strstr(out, "\nNo recourse to public funds");
    cr_assert_not_null(line, "%s", out);
    char *eol = strchr(line + 1, '\n');
    if (eol)
        *eol = '\0';
    cr_expect(strstr(line, want) != NULL, "'%s' in '%s'", want, line);
    free(out);
    for (int p = 0; p < 2; p++)
        an_point_summary_free(&pts[p]);
}

Test(summary, one_replication_has_no_interval)
{
    rf_params pp;
    rf_result r;
    fx_params(0, &pp);
    fx_result(0, 1, &r);
    an_point_summary ps;
    cr_assert_eq(an_point_summary_from_results(&ps, "one", &pp, &r, NULL, 1), SIM_OK);
    char *out = print_to_string(an_print_summary, &ps, 1, 1);
    cr_expect(strstr(out, "1 replication: no confidence interval") != NULL, "%s", out);
    cr_expect(strstr(out, "±") == NULL, "no ± without an interval:\n%s", out);
    cr_expect(strstr(out, "3.50") != NULL, "wait 3.5 days:\n%s", out);
    free(out);
    an_point_summary_free(&ps);
}

/* ---- CSV ---- */

static int count_lines(const char *path, char *first, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char buf[8192];
    int n = 0;
    while (fgets(buf, sizeof buf, f)) {
        if (n == 0 && first) {
            buf[strcspn(buf, "\n")] = '\0';
            snprintf(first, size, "%s", buf);
        }
        n++;
    }
    fclose(f);
    return n;
}

Test(report, csv_files)
{
    fixture fx;
    fx_setup(&fx, NULL, 1);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(fx.path, &f), SIM_OK);
    char dir[300], p[400], head[8192];
    snprintf(dir, sizeof dir, "%s/csv", fx.dir);
    cr_assert_eq(mkdir(dir, 0777), 0);
    cr_assert_eq(an_report_csv(f, dir), SIM_OK);
    an_h5_close(f);
    size_t reps = fx_reps[0] + fx_reps[1], nm = rf_metric_count();
    static const struct {
        const char *file, *head_prefix;
    } files[] = {
        {"points.csv", "index,label,n_reps,reps_done,total_units,horizon_days,warmup_days,services[0].units"},
        {"summary.csv", "point,services[0].units,metric,units,description,n,mean,sd,ci95,p10,p50,p90,min,max"},
        {"replications.csv", "point,services[0].units,rep,referrals,"},
        {"outcomes.csv", "point,services[0].units,rep,referrals,screened_out,"},
        {"services.csv", "point,services[0].units,service,name,rep,units,placements,departures,early_exits,"
                         "move_ons,timely_move_ons,occupied_days,blocked_days,down_days"},
        {"groups.csv", "point,services[0].units,group,rep,referrals,screened_out,no_suitable_unit,"},
        {"monthly.csv", "point,services[0].units,rep,month,occupied,waiting,referrals,placed,refused,"
                        "abandoned"},
        {"ratio_parts.csv", "point,services[0].units,rep,screened_out_num,screened_out_den,"},
    };
    const size_t rows[] = {2, 2 * nm, reps, reps, 2 * reps, RF_G_N * reps, FX_MONTHS * reps, reps};
    for (size_t i = 0; i < 8; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i].file);
        int n = count_lines(p, head, sizeof head);
        cr_expect_eq(n, (int)rows[i] + 1, "%s: %d lines, expected %zu rows + header", files[i].file, n, rows[i]);
        cr_expect(!strncmp(head, files[i].head_prefix, strlen(files[i].head_prefix)),
                  "%s header: %s", files[i].file, head);
    }
    /* every replications.csv row has as many cells as the header */
    snprintf(p, sizeof p, "%s/replications.csv", dir);
    count_lines(p, head, sizeof head);
    size_t commas = 0;
    for (char *c = head; *c; c++)
        commas += *c == ',';
    cr_expect_eq(commas + 1, 3 + nm);
    fx_teardown(&fx);
}

/* ---- the CLI: tables, plots, errors ---- */

static int have_gnuplot(void)
{
    char *g = an_plot_find_gnuplot();
    int found = g != NULL;
    free(g);
    return found;
}

static int run_cli(const char *dir, const char *args, const char *env)
{
    const char *prog = getenv("RS_PROGRAM");
    cr_assert_not_null(prog, "RS_PROGRAM must name the built refugesim");
    char cmd[1600];
    snprintf(cmd, sizeof cmd, "cd '%s' && %s '%s' %s > out.txt 2> err.txt", dir, env ? env : "", prog, args);
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static char *slurp(const char *dir, const char *name)
{
    char p[400];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    FILE *f = fopen(p, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    b[got] = '\0';
    fclose(f);
    return b;
}

Test(report, cli_tables_and_plots, .timeout = 60)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is missing: install it with 'apt-get install gnuplot-nox'");
    fixture fx;
    fx_setup(&fx, NULL, 1);
    cr_assert_eq(run_cli(fx.dir, "report results.h5 --plots plots --csv csv", NULL), 0);
    char *out = slurp(fx.dir, "out.txt");
    cr_assert_not_null(out);
    cr_expect(strstr(out, "21 spaces") && strstr(out, "70 spaces") && strstr(out, "Refused: no space") &&
              strstr(out, "Services, 70 spaces") && strstr(out, "Household groups, 21 spaces"), "%s", out);
    free(out);
    static const char *const plots[] = {"capacity_refused", "capacity_wait", "monthly_waiting",
                                        "monthly_occupancy", "groups_not_accommodated"};
    char p[400], cmd[1200];
    for (size_t i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/plots/%s.png", fx.dir, plots[i]);
        FILE *f = fopen(p, "rb");
        cr_assert_not_null(f, "%s missing", p);
        unsigned char sig[8] = {0};
        cr_expect_eq(fread(sig, 1, 8, f), 8);
        cr_expect(!memcmp(sig, "\x89PNG\r\n\x1a\n", 8), "%s: not a PNG", p);
        fseek(f, 0, SEEK_END);
        cr_expect_gt(ftell(f), 5000, "%s: suspiciously small", p);
        fclose(f);
        snprintf(p, sizeof p, "%s/plots/%s.svg", fx.dir, plots[i]);
        struct stat sb;
        cr_assert_eq(stat(p, &sb), 0, "%s missing", p);
        cr_expect_gt(sb.st_size, 2000);
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 -c 'import sys, xml.etree.ElementTree as E; "
                 "r = E.parse(sys.argv[1]).getroot(); sys.exit(0 if r.tag.endswith(\"svg\") else 1)' '%s'", p);
        cr_expect_eq(system(cmd), 0, "%s: not an SVG document", p);
    }
    snprintf(p, sizeof p, "%s/csv", fx.dir);
    cr_expect_eq(fx_count_entries(p), 8 + 3, "the tidy tables and the three wide ones");
    fx_teardown(&fx);
}

Test(report, cli_png_only_single_point, .timeout = 60)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is missing: install it with 'apt-get install gnuplot-nox'");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    fixture fx;
    memset(&fx, 0, sizeof fx);
    fx_tmpdir(fx.dir, sizeof fx.dir);
    snprintf(fx.path, sizeof fx.path, "%s/one.h5", fx.dir);
    rf_params pp;
    rf_result r[2];
    fx_params(0, &pp);
    fx_result(0, 0, &r[0]);
    fx_result(0, 1, &r[1]);
    an_point pt = {.params = &pp, .n_reps = 2, .results = r};
    an_run run = {.info = {.scenario_text = fx_scenario, .n_points = 1}, .complete = 1, .points = &pt};
    cr_assert_eq(an_h5_write(fx.path, &run, 0), SIM_OK);
    cr_assert_eq(run_cli(fx.dir, "report one.h5 --plots p --format png", NULL), 0);
    char p[400];
    snprintf(p, sizeof p, "%s/p", fx.dir);
    /* no capacity curve for one point; 3 PNGs + 3 data files + script + log */
    cr_expect_eq(fx_count_entries(p), 3 + 3 + 2);
    snprintf(p, sizeof p, "%s/p/monthly_waiting.png", fx.dir);
    struct stat sb;
    cr_expect_eq(stat(p, &sb), 0);
    snprintf(p, sizeof p, "%s/p/monthly_waiting.svg", fx.dir);
    cr_expect_neq(stat(p, &sb), 0, "--format png writes no SVG");
    fx_teardown(&fx);
}

Test(report, cli_errors)
{
    fixture fx;
    fx_setup(&fx, NULL, 1);
    cr_expect_eq(run_cli(fx.dir, "report", NULL), 2);
    cr_expect_eq(run_cli(fx.dir, "report results.h5 --bogus", NULL), 2);
    char *err = slurp(fx.dir, "err.txt");
    cr_expect(err && !strncmp(err, "refugesim: error: --bogus: ", 27), "%s", err);
    free(err);
    cr_expect_eq(run_cli(fx.dir, "report results.h5 --format gif", NULL), 2);
    err = slurp(fx.dir, "err.txt");
    cr_expect(err && strstr(err, "refugesim: error: --format: ") == err, "%s", err);
    free(err);
    /* a results file that is not there, or not one, is an input error */
    cr_expect_eq(run_cli(fx.dir, "report missing.h5", NULL), 2);
    cr_expect_eq(run_cli(fx.dir, "report err.txt", NULL), 2);
    cr_expect_eq(run_cli(fx.dir, "report results.h5 --plots p", "PATH=/nonexistent"), 1);
    err = slurp(fx.dir, "err.txt");
    cr_expect(err && strstr(err, "gnuplot not found: install it with 'apt-get install gnuplot-nox'"), "%s", err);
    free(err);
    fx_teardown(&fx);
}

/* The group table's "Not accommodated" is the headline's definition: with
 * every household high risk, the high-risk group is everybody, and its row
 * is the summary's refused_of_eligible, abandoning included; its waits are
 * the summary's waits of those placed and of all who waited. */
Test(summary, group_not_accommodated_is_the_headline)
{
    rf_params p;
    rf_params_init(&p);
    rf_params_add_service(&p, "s", 6, sim_dist_exp(60));
    p.per_year = 60;
    p.horizon = 2 * 365;
    p.warmup = 365;
    p.mix.p_high_risk = 1;
    p.mix.p_pet = 0.1;
    p.services[0].blocks[0].takes_pets = false;        /* some fit no unit */
    p.n_screen = 1;
    p.screen[0].prob = 0.1;
    p.p_wait = 0.5;
    p.patience = sim_dist_exp(20);
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    enum { N = 40 };
    static rf_result res[N];
    for (int r = 0; r < N; r++)
        cr_assert_eq(rf_model_run(&p, (uint64_t)r, &res[r]), SIM_OK);
    an_point_summary ps;
    cr_assert_eq(an_point_summary_from_results(&ps, NULL, &p, res, NULL, N), SIM_OK);
    static const struct { an_group_measure g; const char *metric; } same[] = {
        {AN_GRP_NOT_ACCOMMODATED, "refused_of_eligible"}, {AN_GRP_WAIT_MEAN, "wait_mean"},
        {AN_GRP_WAIT_ALL, "wait_all_mean"}, {AN_GRP_PLACED, "placed"},
        {AN_GRP_ABANDONED, "abandoned"}};
    for (size_t k = 0; k < sizeof same / sizeof same[0]; k++) {
        sim_summary g;
        an_group_summary(&ps, RF_G_HIGH_RISK, same[k].g, &g);
        const an_metric_summary *m = an_point_summary_find(&ps, same[k].metric);
        cr_assert_not_null(m);
        cr_expect(m->s.mean > 0 && fabs(g.mean - m->s.mean) < 1e-12 && fabs(g.ci95 - m->s.ci95) < 1e-12,
                  "%s: group %.6f ± %.6f, summary %.6f ± %.6f", same[k].metric, g.mean, g.ci95,
                  m->s.mean, m->s.ci95);
    }
    const an_metric_summary *ab = an_point_summary_find(&ps, "abandoned");
    cr_expect_gt(ab->s.mean, 0, "some give up: the headline counts them");
    char *out = print_to_string(print_groups_all, &ps, 1, 0);
    cr_expect(strstr(out, "High risk") && strstr(out, "Not accommodated"), "%s", out);
    free(out);
    an_point_summary_free(&ps);
}

/* The wide CSV: measures as rows, points as columns, estimate and interval
 * in separate columns, the same numbers as the summaries (shares in %). */
Test(report, wide_csv)
{
    fixture fx;
    fx_setup(&fx, NULL, 1);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(fx.path, &f), SIM_OK);
    an_point_summary *pts;
    size_t n;
    cr_assert_eq(an_report_load(f, &pts, &n), SIM_OK);
    char dir[300], p[400], head[8192];
    snprintf(dir, sizeof dir, "%s/wide", fx.dir);
    cr_assert_eq(mkdir(dir, 0777), 0);
    cr_assert_eq(an_report_csv_wide(f, dir, pts, n), SIM_OK);
    snprintf(p, sizeof p, "%s/measures_wide.csv", dir);
    cr_expect_eq(count_lines(p, head, sizeof head), 2 + (int)rf_metric_count());
    cr_expect_str_eq(head, "Measure,Unit,21 spaces estimate,21 spaces 95% low,21 spaces 95% high,"
                           "70 spaces estimate,70 spaces 95% low,70 spaces 95% high");
    const an_metric_summary *a = an_point_summary_find(&pts[0], "refused_no_space"),
                            *b = an_point_summary_find(&pts[1], "refused_no_space");
    char want[400];
    snprintf(want, sizeof want, "\nRefused: no space,%%,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g\n", 100 * a->s.mean,
             100 * (a->s.mean - a->s.ci95), 100 * (a->s.mean + a->s.ci95), 100 * b->s.mean,
             100 * (b->s.mean - b->s.ci95), 100 * (b->s.mean + b->s.ci95));
    FILE *in = fopen(p, "r");
    static char all[1 << 16];
    size_t got = fread(all, 1, sizeof all - 1, in);
    all[got] = '\0';
    fclose(in);
    cr_expect(strstr(all, want), "%s not in\n%s", want, all);
    cr_expect(strstr(all, "\nMean wait of those placed,days,"), "%s", all);
    snprintf(p, sizeof p, "%s/groups_wide.csv", dir);
    cr_expect_eq(count_lines(p, head, sizeof head), 1 + RF_G_N * AN_GRP_N);
    snprintf(p, sizeof p, "%s/services_wide.csv", dir);
    cr_expect_eq(count_lines(p, head, sizeof head), 1 + 2 * AN_SVC_N);
    in = fopen(p, "r");
    got = fread(all, 1, sizeof all - 1, in);
    all[got] = '\0';
    fclose(in);
    cr_expect(strstr(all, "\nJuno House,Occupancy,%,"), "%s", all);
    an_report_free_points(pts, n);
    an_h5_close(f);
    fx_teardown(&fx);
}

/* A varied key's value as a phrase for a column heading or legend: words
 * and units, shares in percent, a service's key naming the service. */
Test(report, key_values_in_words)
{
    an_point_summary ps = {.n_services = 2};
    snprintf(ps.service_names[1], sizeof ps.service_names[1], "Juno House");
    char b[200];
    an_report_key_value(b, sizeof b, "referrals.per_year", 150, &ps);
    cr_expect_str_eq(b, "150 referrals a year");
    an_report_key_value(b, sizeof b, "households.p_pet", 0.4, &ps);
    cr_expect_str_eq(b, "40% with a pet");
    an_report_key_value(b, sizeof b, "services[1].stay.mean", 20, &ps);
    cr_expect_str_eq(b, "mean stay 20 days at Juno House");
    an_report_key_value(b, sizeof b, "services[1].blocks[0].units", 3, &ps);
    cr_expect_str_eq(b, "3 units in block 1 of Juno House");
    an_report_key_value(b, sizeof b, "extra[county refuges]", 10, &ps);
    cr_expect_str_eq(b, "10 units added to county refuges");
    an_report_key_value(b, sizeof b, "spaces", 70, &ps);
    cr_expect_str_eq(b, "70 spaces");
    an_report_key_value(b, sizeof b, "screening.p_other", 0.1, &ps);
    cr_expect_str_eq(b, "screening.p_other 0.1", "an unknown key: the key itself");
}
