/* Plots that read right: points with interval bars, lines only across
 * narrow gaps, one line per level of a second key, panels for a third, the
 * x axis in words, captions, plots with nothing to show left out, and
 * strings from the file quoted for gnuplot.  Built on fabricated records
 * (test_h5_fixture.h), read back from the data files and script the plots
 * are drawn from. */
#include "test_h5_fixture.h"

#include <math.h>
#include <sys/stat.h>
#include "an_plot.h"
#include "an_report.h"

#define MAXP 16

typedef struct {
    char dir[256], path[300];
    an_plot_list list;
    int status;
} plotted;

static int have_gnuplot(void)
{
    char *g = an_plot_find_gnuplot();
    free(g);
    return g != NULL;
}

/* When set, changes every fabricated record before it is written. */
static void (*tweak)(rf_result *);
/* When set, the file's root attributes (name, value pairs). */
static const char *const *root_attrs;
static size_t n_root_attrs;

/* A results file of n points over keys (values row-major, n x n_keys),
 * every point 3 replications of fixture records; no_wait: nobody waits.
 * Then the plots, PNG only, into dir/p. */
static void plot_grid(plotted *out, size_t n_keys, const char *const *keys, const double *values,
                      size_t n, int no_wait, const char *scenario, const char *label0)
{
    if (!have_gnuplot())
        cr_skip_test("gnuplot is missing: install it with 'apt-get install gnuplot-nox'");
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    fx_tmpdir(out->dir, sizeof out->dir);
    snprintf(out->path, sizeof out->path, "%s/r.h5", out->dir);
    static rf_params pp[MAXP];
    static rf_result res[MAXP][3];
    an_point pts[MAXP];
    cr_assert_leq(n, MAXP);
    for (size_t i = 0; i < n; i++) {
        fx_params(0, &pp[i]);
        for (int r = 0; r < 3; r++) {
            fx_result((int)(i % 2), r, &res[i][r]);
            if (tweak)
                tweak(&res[i][r]);
            if (no_wait) {
                rf_result *x = &res[i][r];
                x->outcomes[RF_OUT_REFUSED_NO_SPACE] += x->outcomes[RF_OUT_PLACED_AFTER_WAIT]
                                                        + x->outcomes[RF_OUT_ABANDONED]
                                                        + x->outcomes[RF_OUT_WAITING_AT_END];
                x->outcomes[RF_OUT_PLACED_AFTER_WAIT] = x->outcomes[RF_OUT_ABANDONED] = 0;
                x->outcomes[RF_OUT_WAITING_AT_END] = 0;
                x->wait_sum = x->wait_mean = x->wait_p50 = x->wait_p90 = 0;
                x->waited = 0;
                x->waited_sum = x->wait_all_p90 = x->waiting_mean = x->waiting_max = 0;
                for (int m = 0; m < FX_MONTHS; m++)
                    x->monthly_waiting[m] = 0;
            }
        }
        pts[i] = (an_point){.params = &pp[i], .vary_values = values + i * n_keys, .n_reps = 3,
                            .results = res[i], .label = i == 0 ? label0 : NULL};
    }
    an_run run = {.info = {.scenario_text = scenario ? scenario : fx_scenario, .seed = 7,
                           .n_vary = n_keys, .vary_keys = keys, .n_points = n,
                           .attrs = root_attrs, .n_attrs = n_root_attrs},
                  .complete = 1, .points = pts};
    cr_assert_eq(an_h5_write(out->path, &run, 0), SIM_OK);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(out->path, &f), SIM_OK);
    an_point_summary *ps;
    size_t np;
    cr_assert_eq(an_report_load(f, &ps, &np), SIM_OK);
    char d[300];
    snprintf(d, sizeof d, "%s/p", out->dir);
    cr_assert_eq(mkdir(d, 0777), 0);
    an_plot_opts o = {.formats = AN_PLOT_PNG};
    out->status = an_plot_all(f, ps, np, d, &o, &out->list);
    an_report_free_points(ps, np);
    an_h5_close(f);
}

static char *slurp_file(const plotted *p, const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/p/%s", p->dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int exists(const plotted *p, const char *name)
{
    char path[400];
    struct stat sb;
    snprintf(path, sizeof path, "%s/p/%s", p->dir, name);
    return stat(path, &sb) == 0 && sb.st_size > 0;
}

static const an_plot_entry *find(const plotted *p, const char *name)
{
    for (size_t i = 0; i < p->list.n; i++)
        if (!strcmp(p->list.e[i].name, name))
            return &p->list.e[i];
    cr_assert_fail("no plot %s", name);
    return NULL;
}

/* Block b of capacity.dat: its rows and the line segments they form
 * (runs of rows between single blank lines). */
static void block_shape(const plotted *p, int b, int *rows, int *segments)
{
    char *t = slurp_file(p, "capacity.dat");
    cr_assert_not_null(t);
    char want[32];
    snprintf(want, sizeof want, "# block %d\n", b);
    char *s = strstr(t, want);
    cr_assert_not_null(s, "no block %d in\n%s", b, t);
    s += strlen(want);
    *rows = 0;
    *segments = 0;
    int in_segment = 0;
    for (char *line = s; *line;) {
        char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        if (len == 0) {
            if (eol && eol[1] == '\n')
                break; /* two blank lines: the block ends */
            in_segment = 0;
        } else if (line[0] != '#') {
            (*rows)++;
            if (!in_segment)
                (*segments)++;
            in_segment = 1;
        }
        if (!eol)
            break;
        line = eol + 1;
    }
}

static void teardown(plotted *p)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", p->dir);
    cr_expect_eq(system(cmd), 0);
}

static const char *const spaces_key[1] = {"spaces"};

Test(plots, two_far_points_are_not_joined)
{
    plotted p;
    const double v[] = {21, 70};
    plot_grid(&p, 1, spaces_key, v, 2, 0, NULL, NULL);
    cr_assert_eq(p.status, SIM_OK);
    int rows, seg;
    block_shape(&p, 0, &rows, &seg);
    cr_expect_eq(rows, 2);
    cr_expect_eq(seg, 2, "21 and 70 spaces must not be joined by a line");
    cr_expect(exists(&p, "capacity_refused.png"));
    char *gp = slurp_file(&p, "plots.gp");
    cr_expect(strstr(gp, "with yerrorbars"), "points with interval bars");
    cr_expect(strstr(gp, "set xtics (21, 70)"), "ticks at the simulated values:\n%s", gp);
    teardown(&p);
}

Test(plots, a_dense_grid_is_one_line_and_a_gap_breaks_it)
{
    plotted p;
    const double even[] = {14, 28, 42, 56, 70, 84};
    plot_grid(&p, 1, spaces_key, even, 6, 0, NULL, NULL);
    cr_assert_eq(p.status, SIM_OK);
    int rows, seg;
    block_shape(&p, 0, &rows, &seg);
    cr_expect(rows == 6 && seg == 1, "six even points: one line (%d rows, %d segments)", rows, seg);
    teardown(&p);
    /* a gap of 50 in a range of 90 (over a quarter) breaks the line there */
    const double gap[] = {10, 20, 30, 40, 50, 100};
    plot_grid(&p, 1, spaces_key, gap, 6, 0, NULL, NULL);
    cr_assert_eq(p.status, SIM_OK);
    block_shape(&p, 0, &rows, &seg);
    cr_expect(rows == 6 && seg == 2, "%d rows, %d segments", rows, seg);
    teardown(&p);
}

Test(plots, a_second_key_is_one_line_per_level)
{
    plotted p;
    static const char *const keys[2] = {"referrals.per_year", "spaces"};
    double v[24];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 6; j++) {
            v[2 * (6 * i + j)] = 150 + 50 * i;
            v[2 * (6 * i + j) + 1] = 14 + 14 * j;
        }
    plot_grid(&p, 2, keys, v, 12, 0, NULL, NULL);
    cr_assert_eq(p.status, SIM_OK);
    for (int b = 0; b < 2; b++) {
        int rows, seg;
        block_shape(&p, b, &rows, &seg);
        cr_expect(rows == 6 && seg == 1, "line %d: %d rows, %d segments\n%s", b, rows, seg,
                  slurp_file(&p, "capacity.dat"));
    }
    char *gp = slurp_file(&p, "plots.gp");
    /* x is the key with more levels, in words; a line per referral level */
    cr_expect(strstr(gp, "set xlabel 'Refuge spaces (all services)'"), "%s", gp);
    cr_expect(strstr(gp, "'150 referrals a year'") && strstr(gp, "'200 referrals a year'"), "%s", gp);
    cr_expect(!strstr(gp, "multiplot"), "two keys need no panels");
    teardown(&p);
}

Test(plots, a_third_key_is_small_multiples)
{
    plotted p;
    static const char *const keys[3] = {"spaces", "referrals.per_year", "move_on.delay.mean"};
    double v[3 * 12];
    size_t n = 0;
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 2; b++)
            for (int c = 0; c < 2; c++, n++) {
                v[3 * n] = 20 + 20 * a;
                v[3 * n + 1] = 600 + 200 * b;
                v[3 * n + 2] = 20 + 20 * c;
            }
    plot_grid(&p, 3, keys, v, n, 0, NULL, NULL);
    cr_assert_eq(p.status, SIM_OK);
    char *gp = slurp_file(&p, "plots.gp");
    cr_expect(strstr(gp, "set multiplot layout 1,2"), "%s", gp);
    cr_expect(strstr(gp, "set title 'Mean move-on delay 20 days'")
              && strstr(gp, "set title 'Mean move-on delay 40 days'"), "%s", gp);
    cr_expect(strstr(find(&p, "capacity_refused")->caption, "one panel per level"));
    teardown(&p);
}

Test(plots, the_x_axis_is_what_varies)
{
    plotted p;
    static const char *const keys[1] = {"services[0].blocks[0].units"};
    const double v[] = {1, 2, 3};
    plot_grid(&p, 1, keys, v, 3, 0, NULL, NULL);
    cr_assert_eq(p.status, SIM_OK);
    char *gp = slurp_file(&p, "plots.gp");
    cr_expect(strstr(gp, "set xlabel 'Units in block 1 of Brookes House'"), "%s", gp);
    cr_expect(!strstr(gp, "Refuge spaces"), "a block sweep is not plotted against total spaces");
    char *d = slurp_file(&p, "capacity.dat");
    cr_expect(strstr(d, "\n1\t") && strstr(d, "\n2\t") && strstr(d, "\n3\t"), "%s", d);
    teardown(&p);
}

Test(plots, nothing_to_show_is_left_out_with_a_reason)
{
    plotted p;
    const double v[] = {21, 70};
    plot_grid(&p, 1, spaces_key, v, 2, 1, NULL, NULL);
    cr_assert_eq(p.status, SIM_OK);
    const an_plot_entry *w = find(&p, "capacity_wait"), *m = find(&p, "monthly_waiting");
    cr_expect(!w->drawn && strstr(w->caption, "nobody waited"), "%s", w->caption);
    cr_expect(!m->drawn && strstr(m->caption, "Left out"), "%s", m->caption);
    cr_expect(!exists(&p, "capacity_wait.png") && !exists(&p, "monthly_waiting.png"));
    const an_plot_entry *r = find(&p, "capacity_refused");
    cr_expect(r->drawn && exists(&p, "capacity_refused.png"));
    /* every drawn plot names its scenario, replications and seed */
    for (size_t i = 0; i < p.list.n; i++)
        if (p.list.e[i].drawn)
            cr_expect(strstr(p.list.e[i].caption, "Scenario county, 3 replications a point")
                      && strstr(p.list.e[i].caption, "seed 7"), "%s", p.list.e[i].caption);
    teardown(&p);
    /* one point: no curve */
    plot_grid(&p, 1, spaces_key, v, 1, 0, NULL, NULL);
    cr_assert_eq(p.status, SIM_OK);
    cr_expect(!find(&p, "capacity_refused")->drawn && !exists(&p, "capacity_refused.png"));
    teardown(&p);
}

Test(plots, strings_from_the_file_are_quoted_for_gnuplot)
{
    plotted p;
    static const char scen[] = "name: O'Brien `touch pwned` @x\nhorizon: 365\n";
    const double v[] = {21, 70};
    plot_grid(&p, 1, spaces_key, v, 2, 0, scen, "it's `touch pwned2`\nset output 'x'");
    cr_assert_eq(p.status, SIM_OK, "gnuplot failed: %s", slurp_file(&p, "plots.log"));
    char *gp = slurp_file(&p, "plots.gp");
    cr_expect(strstr(gp, "'Scenario O''Brien `touch pwned` @x, 3 replications"), "%s", gp);
    cr_expect(strstr(gp, "'it''s `touch pwned2`\\nset output ''x'''"), "%s", gp);
    cr_expect(!exists(&p, "pwned") && !exists(&p, "pwned2") && !exists(&p, "x"));
    cr_expect(exists(&p, "monthly_occupancy.png"));
    teardown(&p);
}

/* Units that open in the middle of the horizon: a month's occupancy is a
 * share of the units in service that month, not of the units at the end. */
static void half_open(rf_result *x)
{
    for (int m = 0; m < FX_MONTHS; m++) {
        x->monthly_units[m] = m < 6 ? 10 : 40;
        x->monthly_occupied[m] = m < 6 ? 9 : 20;
    }
}

Test(plots, occupancy_by_month_is_of_the_units_in_service)
{
    plotted p;
    const double v[] = {21};
    tweak = half_open;
    plot_grid(&p, 1, spaces_key, v, 1, 0, NULL, NULL);
    tweak = NULL;
    cr_assert_eq(p.status, SIM_OK, "gnuplot failed: %s", slurp_file(&p, "plots.log"));
    char *dat = slurp_file(&p, "monthly_occupancy.dat");
    char *line = dat;
    int months = 0;
    for (char *nl; (nl = strchr(line, '\n')); line = nl + 1) {
        *nl = '\0';
        unsigned m;
        double mean, p10, p90;
        if (sscanf(line, "%u %lf %lf %lf", &m, &mean, &p10, &p90) != 4)
            continue;
        double want = m <= 6 ? 90 : 50;
        cr_expect(fabs(mean - want) < 1e-9 && fabs(p10 - want) < 1e-9 && fabs(p90 - want) < 1e-9,
                  "month %u: %g (%g to %g), want %g", m, mean, p10, p90, want);
        months++;
    }
    cr_expect_eq(months, FX_MONTHS);
    char *gp = slurp_file(&p, "plots.gp");
    cr_expect(strstr(gp, "% of units in service"), "%s", gp);
    teardown(&p);
}

/* optimise's points are the steps of its path (one unit type more at a
 * time), not a grid of its keys: one line by total spaces, never a line
 * per level of one key and a panel per level of another. */
Test(plots, an_optimise_path_is_one_line_by_total_spaces)
{
    plotted p;
    static const char *const keys[2] = {"services[0].units", "services[1].units"};
    const double v[] = {12, 9, 13, 9, 13, 10, 14, 10};
    static const char *const attrs[] = {"kind", "optimise"};
    for (int optimise = 0; optimise < 2; optimise++) {
        root_attrs = optimise ? attrs : NULL;
        n_root_attrs = optimise ? 1 : 0;
        plot_grid(&p, 2, keys, v, 4, 0, NULL, NULL);
        root_attrs = NULL;
        n_root_attrs = 0;
        cr_assert_eq(p.status, SIM_OK, "gnuplot failed: %s", slurp_file(&p, "plots.log"));
        char *gp = slurp_file(&p, "plots.gp");
        /* the fixture's points have the same total spaces: in order */
        int lines = strstr(gp, "capacity.dat' index 1 ") != NULL;
        if (optimise)
            cr_expect(!lines && !strstr(gp, "set xlabel 'Units"), "one line, in order:\n%s", gp);
        else
            cr_expect(lines, "a grid: a line per level of the second key:\n%s", gp);
        teardown(&p);
    }
}
