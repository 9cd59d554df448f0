/* The HTML report: every section, escaping of every string from the file,
 * nothing referenced outside the page, --force, the assumptions' source
 * marks, and the sections that appear when the file holds a comparison,
 * results by year or costs.  On fabricated records (test_h5_fixture.h). */
#include "test_h5_fixture.h"

#include <hdf5_hl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "an_heatmap.h"
#include "an_html.h"
#include "an_html_network.h"
#include "an_network_view.h"
#include "an_report.h"
#include "an_yaml_marks.h"
#include "grid_network.h"

static char html[1 << 20];

static void read_html(const char *path)
{
    FILE *in = fopen(path, "rb");
    cr_assert_not_null(in);
    size_t n = fread(html, 1, sizeof html - 1, in);
    html[n] = '\0';
    fclose(in);
}

/* The report of the results file h5 written to out and read into html;
 * twice: checks that the second needs force. */
static void render(const char *h5, const char *out, const an_html_opts *o, int twice)
{
    an_h5_file *f;
    cr_assert_eq(an_h5_open(h5, &f), SIM_OK);
    an_point_summary *ps;
    size_t np;
    cr_assert_eq(an_report_load(f, &ps, &np), SIM_OK);
    cr_assert_eq(an_html_write(out, !twice, f, ps, np, o), SIM_OK);
    if (twice) {
        cr_expect_eq(an_html_write(out, 0, f, ps, np, o), SIM_EEXIST, "no overwriting without force");
        cr_expect_eq(an_html_write(out, 1, f, ps, np, o), SIM_OK);
    }
    an_report_free_points(ps, np);
    an_h5_close(f);
    read_html(out);
}

/* A two-point file (21 and 70 spaces as the fixture has them) with the
 * given scenario texts and first label, its report written to dir/r.html;
 * tables: WITH_TABLES adds a stored /comparison and /yearly, WITH_COSTS
 * gives the records costs. */
enum { WITH_TABLES = 1, WITH_COSTS = 2, WITH_PRECISION = 4 };
static const char capacity_note[] =
    "answer: 45 spaces meet refused_of_eligible <= 0.2 with 95% confidence (now 21)";
static void write_report(char *dir, size_t dsize, const char *scenario, const char *source,
                         const char *label0, int tables)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    fx_tmpdir(dir, dsize);
    char path[400], out[400];
    snprintf(path, sizeof path, "%s/r.h5", dir);
    static rf_params pp[2];
    static rf_result res[2][4];
    an_point pts[2];
    for (int p = 0; p < 2; p++) {
        fx_params(p, &pp[p]);
        for (int r = 0; r < 4; r++) {
            fx_result(p, r, &res[p][r]);
            if (tables & WITH_COSTS) { /* known costs: 301,500 and 351,500 a year */
                res[p][r].days = 365;
                res[p][r].cost = 300000 + 50000 * p + 1000 * r;
            }
        }
        pts[p] = (an_point){.params = &pp[p], .vary_values = fx_vary[p], .n_reps = 4,
                            .results = res[p], .label = p == 0 ? label0 : NULL};
        if (tables & WITH_PRECISION) {
            pts[p].stopped = p == 0 ? "target met" : "maximum reached";
            pts[p].first_met = p == 0 ? 3 : 0;
        }
    }
    an_run run = {.info = {.scenario_text = scenario, .scenario_source = source, .seed = 11,
                           .command_line = "refugesim run <x> & 'y'", .n_vary = 1,
                           .vary_keys = fx_keys, .n_points = 2},
                  .complete = 1, .points = pts};
    if (tables & WITH_PRECISION) { /* as capacity --precision stores them */
        run.info.precision = "refused_of_eligible=0.01 wait_mean=5%";
        run.info.precision_reps[0] = 2;
        run.info.precision_reps[1] = 2;
        run.info.precision_reps[2] = 4;
        run.info.note = capacity_note;
    }
    cr_assert_eq(an_h5_write(path, &run, 0), SIM_OK);
    if (tables & WITH_TABLES) { /* what compare and results by year store */
        hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
        cr_assert_geq(f, 0);
        typedef struct { char metric[16]; double diff; } row;
        row rows[1] = {{"refused", -0.25}};
        const char *names[2] = {"metric", "diff"};
        size_t off[2] = {HOFFSET(row, metric), HOFFSET(row, diff)}, sizes[2] = {16, 8};
        hid_t st = H5Tcopy(H5T_C_S1);
        H5Tset_size(st, 16);
        H5Tset_cset(st, H5T_CSET_UTF8); /* as the writer's strings */
        hid_t types[2] = {st, H5T_NATIVE_DOUBLE};
        cr_assert_geq(H5TBmake_table("c", f, "comparison", 2, 1, sizeof(row), names, off, types,
                                     1, NULL, 0, rows), 0);
        rows[0].diff = 2024;
        cr_assert_geq(H5TBmake_table("y", f, "yearly", 2, 1, sizeof(row), names, off, types, 1,
                                     NULL, 0, rows), 0);
        (void)sizes;
        H5Tclose(st);
        H5Fclose(f);
    }
    snprintf(out, sizeof out, "%s/r.html", dir);
    an_html_opts o = {.source_name = "r<1>.h5"};
    render(path, out, &o, 1);
}

static void remove_tree(const char *dir)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

static int check_html(const char *dir, char *out, size_t size)
{
    const char *root = getenv("RS_ROOT");
    cr_assert_not_null(root, "run through make test");
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 '%s/tests/py/check_html.py' '%s/r.html' 2>&1", root, dir);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out, 1, size - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char scen[] =
    "name: Brook <script>alert(1)</script> & \"co\"\n"
    "horizon: 365\nwarmup: 180\nseed: 11\n"
    "referrals:\n  per_year: 171\n  growth: 0\n"
    "services:\n- name: Brookes House\n  units: 12\n  blocks:\n  - name: accessible\n    units: 2\n";
static const char src[] =
    "# file: mine.yaml\n"
    "#   [C] The county's summary;\n#   [S] The city's strategy\n#       (draft)\n"
    "name: whatever\nextends: base.yaml\n"
    "referrals:\n  per_year: 171   # TUNED: fitted to 57% [C]\n"
    "services:\n  - name: Brookes House\n    units: 12   # [C] spaces <b>\n"
    "    blocks:\n      - {name: accessible, units: 2}   # ASSUMED: about 10%\n"
    "# file: base.yaml\n"
    "horizon: 365   # [C] three years\nreferrals:\n  per_year: 100   # ASSUMED: overridden\n"
    "  growth: 0\n";

Test(html, every_section_escaped_and_self_contained, .timeout = 60)
{
    char dir[256], out[8192];
    write_report(dir, sizeof dir, scen, src, "21 <i>spaces</i>", 0);
    int rc = check_html(dir, out, sizeof out);
    cr_expect_eq(rc, 0, "%s", out);
    cr_expect(!strstr(html, "<script") && strstr(html, "Brook &lt;script&gt;alert(1)&lt;/script&gt; "
                                                       "&amp; &quot;co&quot;"), "scenario name escaped");
    cr_expect(!strstr(html, "<i>spaces") && strstr(html, "21 &lt;i&gt;spaces&lt;/i&gt;"), "label escaped");
    cr_expect(strstr(html, "refugesim run &lt;x&gt; &amp; &#39;y&#39;"), "command line escaped");
    cr_expect(strstr(html, "r&lt;1&gt;.h5"), "file name escaped");
    cr_expect(strstr(html, "@page{size:A4") && strstr(html, "@media print"), "print stylesheet");
    /* the answer: two points, the second against the first, with intervals */
    cr_expect(strstr(out, "headline: At 70 spaces about ") && strstr(out, "of refuge referrals would "
                                                                          "not be accommodated, against "),
              "%s", out);
    cr_expect(strstr(out, "more households a year would be accommodated ("), "%s", out);
    /* words, not keys */
    cr_expect(strstr(html, "Refused: no space") && strstr(html, "Wheelchair users"));
    cr_expect(strstr(html, "Units of Brookes House"), "the varied key in words");
    cr_expect(!strstr(html, "<h2>Costs</h2>"), "no costs section without costs");
    remove_tree(dir);
}

Test(html, assumptions_carry_their_source_marks, .timeout = 60)
{
    char dir[256];
    write_report(dir, sizeof dir, scen, src, NULL, 0);
    const char *a = strstr(html, "<h2>Assumptions</h2>");
    cr_assert_not_null(a);
    cr_expect(strstr(a, "<li>[S] The city&#39;s strategy (draft)</li>"), "sources cited, joined");
    cr_expect(strstr(a, "<code>referrals.per_year</code></td><td class=\"l\">171</td>"
                        "<td class=\"l mark-TUNED\">TUNED</td><td class=\"l\">TUNED: fitted to 57% [C]"),
              "the file's own comment wins over the base's");
    cr_expect(strstr(a, "<code>horizon</code></td><td class=\"l\">365</td><td class=\"l mark-source\">"
                        "source</td><td class=\"l\">[C] three years"), "from the base file");
    cr_expect(strstr(a, "<code>services[0].units</code></td><td class=\"l\">12</td><td class=\"l "
                        "mark-source\">source</td><td class=\"l\">[C] spaces &lt;b&gt;"), "escaped");
    cr_expect(strstr(a, "<code>services[0].blocks[0].units</code></td><td class=\"l\">2</td><td "
                        "class=\"l mark-ASSUMED\">ASSUMED"), "a flow mapping's items");
    cr_expect(strstr(a, "<code>seed</code></td><td class=\"l\">11</td><td class=\"l mark-default\">"
                        "default"), "not in the files: the default");
    cr_expect(!strstr(html, "mark-not marked"), "a class is one word (mark-not-marked)");
    remove_tree(dir);
    /* a file without the scenario as written: values, no marks */
    write_report(dir, sizeof dir, scen, NULL, NULL, 0);
    cr_expect(strstr(html, "carry no source marks") && strstr(html, "mark-unknown"));
    remove_tree(dir);
}

Test(html, stored_comparison_and_years_appear, .timeout = 60)
{
    char dir[256], out[8192];
    write_report(dir, sizeof dir, scen, src, NULL, WITH_TABLES);
    cr_expect_eq(check_html(dir, out, sizeof out), 0, "%s", out);
    const char *d = strstr(html, "<h2>Differences from the baseline</h2>");
    cr_assert_not_null(d);
    cr_expect(!strstr(d, "-0.25") && strstr(d, "also holds these differences for every measure"),
              "a /comparison of another shape: not shown, the page's own table is:\n%.3000s", d);
    cr_expect(strstr(html, "<td>2024</td>"), "results by year");
    remove_tree(dir);
}

/* Costs are metrics (cost_per_year, cost_per_accommodated) and, against
 * the first point, the extra cost per extra household accommodated (delta
 * method): worked by hand from the fixture's records.  Without costs: no
 * section, a sentence saying why. */
Test(html, costs_from_the_metrics, .timeout = 60)
{
    char dir[256], out[8192];
    write_report(dir, sizeof dir, scen, src, NULL, WITH_COSTS);
    cr_expect_eq(check_html(dir, out, sizeof out), 0, "%s", out);
    const char *c = strstr(html, "<h2>Costs</h2>");
    cr_assert_not_null(c, "a costs section");
    /* point 0: costs 300,000 + 1,000 r over 4 years of replications; placed 140 + r */
    cr_expect(strstr(c, "At 21 spaces the units in service and the placements cost about 301,500 ("),
              "%.2000s", c);
    cr_expect(strstr(c, "about 2,131 ("), "1,206,000 / 566 placed:\n%.2000s", c);
    cr_expect(strstr(c, "At 70 spaces the units in service and the placements cost about 351,500 ("));
    /* the same 50,000 more in every replication and 60 more placed: 833 each */
    cr_expect(strstr(c, "Against 21 spaces, 70 spaces costs about 50,000 (50,000 to 50,000) more a "
                        "year and accommodates about 60 more households a year (60 to 60): about "
                        "833 (833 to 833) for each extra household accommodated"), "%.3000s", c);
    cr_expect(strstr(c, "<tr><td>Cost a year</td><td>301,500 (") &&
              strstr(c, "<tr><td>Cost per household accommodated</td><td>2,131 ("), "the table:\n%.3000s", strstr(c, "<table>"));
    cr_expect(strstr(c, "shipped examples use pounds"), "currency-neutral, said so");
    cr_expect(!strstr(html, "id=\"no-costs\""));
    remove_tree(dir);
    write_report(dir, sizeof dir, scen, src, NULL, 0);
    cr_expect(!strstr(html, "<h2>Costs</h2>") && strstr(html, "<p class=\"note\" id=\"no-costs\">No "
                                                            "costs: the scenario gives no"),
              "no section, a sentence why");
    remove_tree(dir);
}

Test(html, marks_by_hand)
{
    an_assumption *a;
    size_t n;
    static const char res[] = "waiting:\n  p_wait: 1\n  patience: {dist: exponential, mean: 90}\n"
                              "areas: [city, elsewhere]\ndescription: >-\n  long\n  text\nseed: 3\n";
    static const char so[] = "# file: x.yaml\nwaiting:   # [S 5.5] the service keeps a list\n"
                             "  p_wait: 1\n  patience: {dist: exponential, mean: 90}\n"
                             "                         # CHOSEN: continued below\n"
                             "areas: [city, elsewhere]   # 'quoted # not a comment' ok\n";
    cr_assert_eq(an_assumptions(res, so, &a, &n), SIM_OK);
    cr_assert_eq(n, 4, "description left out");
    cr_expect_str_eq(a[0].path, "waiting.p_wait");
    cr_expect(a[0].mark == AN_MARK_SOURCE && a[0].inherited, "the section's comment");
    cr_expect_str_eq(a[1].path, "waiting.patience");
    cr_expect_str_eq(a[1].value, "{dist: exponential, mean: 90}");
    cr_expect(a[1].mark == AN_MARK_CHOSEN && !a[1].inherited, "a continuation line");
    cr_expect(a[2].mark == AN_MARK_NOTE, "%s", a[2].comment);
    cr_expect_str_eq(a[3].path, "seed");
    cr_expect(a[3].mark == AN_MARK_DEFAULT);
    an_assumptions_free(a, n);
}

/* The command line: checked before any work, --force replaces, the page
 * is complete (no temporary left). */
Test(html, cli_force_semantics, .timeout = 60)
{
    char dir[256];
    write_report(dir, sizeof dir, scen, src, NULL, 0);
    const char *prog = getenv("RS_PROGRAM");
    cr_assert_not_null(prog);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' report r.h5 --html r.html > out.txt 2> err.txt", dir, prog);
    int st = system(cmd);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "an existing page is not replaced");
    snprintf(cmd, sizeof cmd, "grep -q 'error: --html: r.html exists: use --force to overwrite it' '%s/err.txt'"
             " && test ! -s '%s/out.txt'", dir, dir);
    cr_expect_eq(system(cmd), 0, "the error, before any table");
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' report r.h5 --html r.html --force > out.txt 2> err.txt"
             " && grep -q '^report written to r.html$' out.txt && ls | grep -c tmp | grep -q '^0$'",
             dir, prog);
    cr_expect_eq(system(cmd), 0, "--force replaces it, nothing temporary left");
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' report r.h5 --html no/such/dir.html 2> err.txt; "
             "test $? = 2 && grep -q 'the directory does not exist' err.txt", dir, prog);
    cr_expect_eq(system(cmd), 0, "a missing directory is an error before any work");
    remove_tree(dir);
}

/* compare's /comparison and results by year (<i>/yearly_summary), in the
 * shapes issue 13 writes them: read by column name, shown in words. */
Test(html, compare_and_years_in_their_own_tables, .timeout = 60)
{
    char dir[256], path[400], out[400];
    write_report(dir, sizeof dir, scen, src, NULL, 0);
    snprintf(path, sizeof path, "%s/r.h5", dir);
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t st = H5Tcopy(H5T_C_S1);
    H5Tset_size(st, 24);
    H5Tset_cset(st, H5T_CSET_UTF8);
    typedef struct {
        char label[24], metric[24];
        double baseline, alternative, difference, lo, hi, hh, hlo, hhi;
    } crow;
    crow c[1] = {{"70 spaces", "refused_of_eligible", 0.57, 0.13, -0.44, -0.45, -0.43, -76, -80, -72}};
    const char *cn[10] = {"label", "metric", "baseline", "alternative", "difference", "lo", "hi",
                          "households_per_year", "households_per_year_lo", "households_per_year_hi"};
    size_t co[10] = {HOFFSET(crow, label), HOFFSET(crow, metric), HOFFSET(crow, baseline),
                     HOFFSET(crow, alternative), HOFFSET(crow, difference), HOFFSET(crow, lo),
                     HOFFSET(crow, hi), HOFFSET(crow, hh), HOFFSET(crow, hlo), HOFFSET(crow, hhi)};
    hid_t ct[10] = {st, st};
    for (int i = 2; i < 10; i++)
        ct[i] = H5T_NATIVE_DOUBLE;
    cr_assert_geq(H5TBmake_table("c", f, "comparison", 10, 1, sizeof(crow), cn, co, ct, 1, NULL, 0, c), 0);
    typedef struct {
        double year;
        char metric[24];
        double mean, lo, hi;
    } yrow;
    yrow y[2] = {{1, "placed", 0.40, 0.39, 0.41}, {2, "placed", 0.42, 0.41, 0.43}};
    const char *yn[5] = {"year", "metric", "mean", "lo", "hi"};
    size_t yo[5] = {HOFFSET(yrow, year), HOFFSET(yrow, metric), HOFFSET(yrow, mean), HOFFSET(yrow, lo),
                    HOFFSET(yrow, hi)};
    hid_t yt[5] = {H5T_NATIVE_DOUBLE, st, H5T_NATIVE_DOUBLE, H5T_NATIVE_DOUBLE, H5T_NATIVE_DOUBLE};
    hid_t g = H5Gopen2(f, "/points/0", H5P_DEFAULT);
    if (H5Lexists(g, "yearly_summary", H5P_DEFAULT) > 0) /* the writer's own: replaced by a known one */
        H5Ldelete(g, "yearly_summary", H5P_DEFAULT);
    cr_assert_geq(H5TBmake_table("y", g, "yearly_summary", 5, 2, sizeof(yrow), yn, yo, yt, 1, NULL, 0, y), 0);
    H5Gclose(g);
    H5Tclose(st);
    H5Fclose(f);
    snprintf(out, sizeof out, "%s/r.html", dir);
    an_html_opts o = {.gnuplot = ""};
    render(path, out, &o, 0);
    /* one table of differences: the page's own (compare's holds the same) */
    const char *d = strstr(html, "<h2>Differences from the baseline</h2>"),
               *e = d ? strstr(d, "</section>") : NULL;
    cr_assert(d && e);
    size_t tables = 0;
    for (const char *q = d; (q = strstr(q, "<table")) && q < e; q++)
        tables++;
    cr_expect_eq(tables, 1, "one table of differences:\n%.*s", (int)(e - d), d);
    cr_expect(!strstr(d, "-76 (-80 to -72)") && strstr(d, "<tr><td>Households accommodated a year</td>"
                                                          "<td>+60 (+60 to +60)</td></tr>"),
              "the page's own, with households a year (60 more placed in every replication):\n%.*s",
              (int)(e - d), d);
    cr_expect(strstr(html, "<th>Year 1</th><th>Year 2</th>") &&
              strstr(html, "<tr><td>Placed</td><td>40.0% (39.0% to 41.0%)</td><td>42.0% (41.0% to 43.0%)</td>"),
              "%s", strstr(html, "<h2>Over time"));
    cr_expect(strstr(html, "Plots left out (no plots asked for)."));
    /* without the per-replication parts: compare's stored table instead, its key rows */
    f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    cr_assert_geq(H5Ldelete(f, "/points/0/ratio_parts", H5P_DEFAULT), 0);
    H5Fclose(f);
    render(path, out, &o, 0);
    d = strstr(html, "<h2>Differences from the baseline</h2>");
    cr_assert_not_null(d);
    cr_expect(strstr(d, "<tr><td>70 spaces</td><td class=\"l\">Not accommodated, of refuge referrals</td>"
                        "<td>57.0%</td><td>13.0%</td><td>-44.0 points (-45.0 to -43.0)</td>"
                        "<td>-76 (-80 to -72)</td></tr>") && !strstr(d, "Households accommodated a year"),
              "%s", d);
    remove_tree(dir);
}

/* In dir: `refugesim STUDY` (its output into dir/study.txt) then
 * `refugesim report REPORT` (the shell expands $RS_ROOT, the repository),
 * the page dir/r.html read into html. */
static void cli_page(const char *dir, const char *study, const char *report)
{
    cr_assert(getenv("RS_PROGRAM") && getenv("RS_ROOT"), "run through make test");
    char cmd[2000];
    snprintf(cmd, sizeof cmd, "cd '%s' && \"$RS_PROGRAM\" %s > study.txt 2>&1 && \"$RS_PROGRAM\" "
             "report %s > /dev/null", dir, study, report);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    snprintf(cmd, sizeof cmd, "%s/r.html", dir);
    read_html(cmd);
}

/* The README's costs sentence, from the shipped comparison of costs as
 * the README runs it (compare --reps 50; a fraction of a second). */
Test(html, readme_costs_sentence, .timeout = 120)
{
    char dir[256];
    fx_tmpdir(dir, sizeof dir);
    cli_page(dir, "compare \"$RS_ROOT/scenarios/leicestershire-county.yaml\" "
             "\"$RS_ROOT/scenarios/example-county-20-more-from-year-2.yaml\" --reps 50 -o c.h5",
             "c.h5 --html r.html");
    cr_expect(strstr(html, "Against baseline, example-county-20-more-from-year-2 costs about 390,997 "
                           "(390,498 to 391,496) more a year and accommodates about 35 more households a "
                           "year (34 to 36): about 11,068 (10,769 to 11,367) for each extra household "
                           "accommodated"), "%s", strstr(html, "<h2>Costs") ? strstr(html, "<h2>Costs") : html);
    remove_tree(dir);
}

/* A sweep over keys that are not units: the page's and the wide CSV's
 * column headings in words and units, not "per_year=150, mean=20"; the
 * tidy CSV keeps the keys (for programs). */
Test(html, sweep_headings_in_words, .timeout = 120)
{
    char dir[256], cmd[2000];
    fx_tmpdir(dir, sizeof dir);
    cli_page(dir, "sweep \"$RS_ROOT/scenarios/leicestershire-county.yaml\" --vary "
             "referrals.per_year=150,200 --vary 'services[0].stay.mean=20,40' --reps 3 "
             "--set horizon=200 -o s.h5", "s.h5 --html r.html --csv csv");
    cr_expect(strstr(html, "<th>150 referrals a year, mean stay 20 days at county refuges</th>")
              && strstr(html, "<th>200 referrals a year, mean stay 40 days at county refuges</th>"),
              "%.4000s", strstr(html, "<h2>The measures") ? strstr(html, "<h2>The measures") : html);
    cr_expect(!strstr(html, "per_year=150, mean") && !strstr(html, "<th>per_year"), "no keys in headings");
    snprintf(cmd, sizeof cmd, "cd '%s/csv' && head -n 1 measures_wide.csv | grep -q '^Measure,Unit,\"150 "
             "referrals a year, mean stay 20 days at county refuges estimate\",' && ! grep -q 'per_year=' "
             "measures_wide.csv groups_wide.csv services_wide.csv && head -n 1 summary.csv | grep -q "
             "'^point,referrals.per_year,services\\[0\\].stay.mean,metric,'", dir);
    cr_expect_eq(system(cmd), 0, "wide CSV headings in words, the tidy CSV's keys kept");
    remove_tree(dir);
}

/* --precision: the replications each point took and why they stopped, in
 * the measures table and the checklist; the targets in words; capacity's
 * answer (the file's note) in The answer; the fixture's waiting list grows
 * a household a month (10 + month + replication): no steady state. */
Test(html, precision_capacity_answer_and_overload, .timeout = 60)
{
    char dir[256], out[8192];
    write_report(dir, sizeof dir, scen, src, NULL, WITH_PRECISION);
    cr_expect_eq(check_html(dir, out, sizeof out), 0, "%s", out);
    const char *a = strstr(html, "<h2>The answer</h2>"), *m = strstr(html, "<h2>The measures</h2>"),
               *c = strstr(html, "<h2>Checklist of the study");
    cr_assert(a && m && c);
    cr_expect(strstr(a, "<p class=\"answer\" id=\"capacity-answer\">The capacity search: 45 spaces meet "
                        "“Not accommodated, of refuge referrals” at most 20% with 95% confidence (now "
                        "21).</p>") && strstr(a, "capacity-answer") < m, "%.1500s", a);
    cr_expect(strstr(m, "<tr><td>Replications (why they stopped)</td><td>4 (target met, held from 3 "
                        "on)</td><td>4 (maximum reached)</td></tr>"), "%.5000s", m);
    cr_expect(strstr(html, "until its estimates were precise enough: a 95% half-width of at most 1 "
                           "percentage point for “Not accommodated, of refuge referrals” and a 95% "
                           "half-width of at most 5% of the estimate for “Mean wait of those placed”, "
                           "in batches of 2 replications, at least 2 and at most 4"));
    cr_expect(strstr(c, "<tr><td>Replications</td><td class=\"l\">To a precision (the replication "
                        "algorithm of Hoad, Robinson and Davies, 2010): ")
              && strstr(c, "Taken: 21 spaces: 4 (target met, held from 3 on); 70 spaces: 4 (maximum "
                           "reached)."), "%.3000s", c);
    cr_expect(strstr(a, "<p class=\"answer\" id=\"overload\"><b>No steady state</b> at 21 spaces, 70 "
                        "spaces: the waiting list") && strstr(c, "<tr><td>Steady state</td><td class="
                                                                 "\"l\"><b>No steady state</b>"),
              "%.2000s", a);
    remove_tree(dir);
    /* a fixed number of replications: no reasons, no capacity answer */
    write_report(dir, sizeof dir, scen, src, NULL, 0);
    cr_expect(strstr(html, "<tr><td>Replications</td><td>4</td><td>4</td></tr>")
              && !strstr(html, "why they stopped") && !strstr(html, "capacity-answer"));
    remove_tree(dir);
}

/* The county as shipped: MSER-5 finds its warm-up long enough and the
 * system settled; without a warm-up the first months still settle, as
 * `run` warns. */
Test(html, warmup_verdicts_from_the_stored_series, .timeout = 120)
{
    char dir[256];
    fx_tmpdir(dir, sizeof dir);
    for (int w = 0; w < 2; w++) {
        cli_page(dir, w ? "run \"$RS_ROOT/scenarios/leicestershire-county.yaml\" --reps 20 --set "
                          "warmup=0 -o r.h5 --force"
                        : "run \"$RS_ROOT/scenarios/leicestershire-county.yaml\" --reps 20 -o r.h5",
                 "r.h5 --html r.html --force");
        const char *c = strstr(html, "<h2>Checklist of the study");
        cr_assert_not_null(c);
        cr_expect(strstr(c, "<tr><td>Steady state</td><td class=\"l\">Yes: "), "%.3000s", c);
        if (w == 0)
            cr_expect(strstr(c, "finds no transient left: the warm-up is long enough."), "%.3000s", c);
        else
            cr_expect(strstr(c, "finds the first months still settling at 21 spaces (")
                      && strstr(c, "the warm-up looks too short"), "%.3000s", c);
    }
    remove_tree(dir);
}

/* The heatmap rule: exactly two keys that vary, each over 4 values or
 * more, no combination twice; x the key with more levels. */
Test(html, heatmap_rule)
{
    double v[3 * 20];
    size_t n = 0, kx, ky;
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 5; b++, n++) {
            v[3 * n] = 10 + a;      /* 4 levels */
            v[3 * n + 1] = 7;       /* constant: not varying */
            v[3 * n + 2] = 100 + b; /* 5 levels */
        }
    cr_expect(an_heatmap_fits(v, 20, 3, &kx, &ky) && kx == 2 && ky == 0, "4 x 5: x has 5 levels");
    cr_expect(!an_heatmap_fits(v, 15, 3, &kx, &ky), "3 x 5: lines per level");
    v[3 * 19 + 1] = 8; /* a third key varies */
    cr_expect(!an_heatmap_fits(v, 20, 3, &kx, &ky), "three keys: small multiples");
    v[3 * 19 + 1] = 7;
    v[3 * 19 + 2] = 100; /* (13, 100) twice */
    cr_expect(!an_heatmap_fits(v, 20, 3, &kx, &ky), "a combination twice");
}

/* A 4 x 4 sweep over spaces and referrals: a heatmap in the page, every
 * cell's estimate written in it, a colour scale; a 2 x 2 grid keeps lines. */
Test(html, a_large_two_key_grid_is_a_heatmap, .timeout = 120)
{
    char dir[256];
    fx_tmpdir(dir, sizeof dir);
    cli_page(dir, "sweep \"$RS_ROOT/scenarios/leicestershire-county.yaml\" --vary spaces=14,28,42,56 "
             "--vary referrals.per_year=100,150,200,250 --reps 3 --set horizon=200 -o s.h5",
             "s.h5 --html r.html");
    char out[8192];
    cr_expect_eq(check_html(dir, out, sizeof out), 0, "%s", out);
    const char *a = strstr(html, "<h2>The answer</h2>");
    cr_assert_not_null(a);
    const char *f = strstr(a, "<figure class=\"heatmap\">");
    cr_assert_not_null(f, "%.3000s", a);
    const char *e = strstr(f, "</figure>");
    cr_assert_not_null(e);
    size_t rects = 0, cells = 0;
    for (const char *q = f; (q = strstr(q, "<rect")) && q < e; q++)
        rects++;
    static const char bold[] = "font-weight=\"bold\">";
    for (const char *q = f; (q = strstr(q, bold)) && q < e; q++) {
        const char *t = q + strlen(bold), *end = strstr(t, "</text>");
        cells += *t >= '0' && *t <= '9' && end && end[-1] == '%';
    }
    cr_expect_eq(rects, 16 + 5, "16 cells and a scale of 5");
    cr_expect_eq(cells, 16, "every cell's estimate written in it, in percent");
    cr_expect(strstr(f, "<g class=\"legend\">") && strstr(f, "Refuge spaces (all services)")
              && strstr(f, "Referrals per year") && strstr(f, "A grid of 4 x 4 points is shown as a heatmap"),
              "%.*s", (int)(e - f), f);
    remove_tree(dir);
    fx_tmpdir(dir, sizeof dir);
    cli_page(dir, "sweep \"$RS_ROOT/scenarios/leicestershire-county.yaml\" --vary spaces=14,28 "
             "--vary referrals.per_year=100,150 --reps 3 --set horizon=200 -o s.h5", "s.h5 --html r.html");
    cr_expect(!strstr(html, "class=\"heatmap\""), "2 x 2: one line per level");
    remove_tree(dir);
}

/* An optimise file: the final mix in The answer, the path as a table (a
 * row per step: the units added, the cost a year, the target measure),
 * the points headed by their steps. */
Test(html, optimise_path_and_final_mix, .timeout = 120)
{
    char dir[256], out[8192];
    fx_tmpdir(dir, sizeof dir);
    cli_page(dir, "optimise \"$RS_ROOT/scenarios/example-county-candidates.yaml\" --budget 200000 "
             "--add 'standard,dispersed flat' --target refused_of_eligible --reps 10 --max-reps 20 "
             "-o o.h5", "o.h5 --html r.html");
    cr_expect_eq(check_html(dir, out, sizeof out), 0, "%s", out);
    const char *a = strstr(html, "<h2>The answer</h2>");
    cr_assert_not_null(a);
    cr_expect(strstr(a, "<p class=\"answer\" id=\"optimise-answer\">The best mix for the budget: 4 x "
                        "dispersed flat: 4 units, 200000 a year of the budget 200000; “Not "
                        "accommodated, of refuge referrals” "), "%.2000s", a);
    cr_expect(strstr(a, "<tr><td>0</td><td class=\"l\">none (the scenario as it is)</td><td>0 (0 to 0)</td>")
              && strstr(a, "<tr><td>4</td><td class=\"l\">4 x dispersed flat</td><td>200,000 (200,000 to "
                           "200,000)</td>"), "%.3000s", a);
    cr_expect(strstr(html, "<th>Step 4</th>") && !strstr(html, "<th>new units="), "steps as headings");
    remove_tree(dir);
}

/* ---------------------------------------------------------- networks -- */

/* The first line of file dir/name that starts with prefix followed by two
 * spaces (a table row, not a heading), into out. */
static void row_of(const char *dir, const char *name, const char *prefix, int nth, char *out,
                   size_t size)
{
    char path[600], line[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *in = fopen(path, "r");
    cr_assert_not_null(in, "%s", path);
    size_t n = strlen(prefix);
    int seen = 0;
    out[0] = '\0';
    while (fgets(line, sizeof line, in))
        if (!strncmp(line, prefix, n) && line[n] == ' ' && line[n + 1] == ' ' && seen++ == nth) {
            snprintf(out, size, "%s", line);
            break;
        }
    fclose(in);
    cr_assert(out[0], "no row %d of %s in %s", nth, prefix, path);
}

/* The estimates of a printed row ("345 ± 4  43.6% ± 1.9 ..."): each word
 * just before a "±", in order, into est; returns how many. */
static size_t row_estimates(const char *row, char est[][32], size_t max)
{
    size_t k = 0;
    char prev[64] = "";
    for (const char *s = row; *s && k < max;) {
        while (*s == ' ')
            s++;
        size_t w = strcspn(s, " \n");
        if (!w)
            break;
        if (w == strlen("±") && !strncmp(s, "±", w))
            snprintf(est[k++], 32, "%s", prev);
        snprintf(prev, sizeof prev, "%.*s", (int)w, s);
        s += w;
    }
    return k;
}

/* The first cell values of the page's nth row of area name ("<td>NAME</td><td>"),
 * each cell's text before its first tag, into val; returns how many. */
static size_t page_row(const char *name, int nth, char val[][32], size_t max)
{
    char start[128];
    snprintf(start, sizeof start, "<td>%s</td><td>", name);
    const char *r = html;
    for (int i = 0; i <= nth; i++) {
        r = strstr(r, start);
        cr_assert_not_null(r, "no row %d of %s on the page", nth, name);
        r += strlen(start) - 4;
    }
    const char *end = strstr(r, "</tr>");
    size_t k = 0;
    for (const char *c = r; k < max && (c = strstr(c, "<td>")) && c < end; c += 4)
        snprintf(val[k++], 32, "%.*s", (int)strcspn(c + 4, "<"), c + 4);
    return k;
}

/* A network run's page: the table of areas and the flows, the same
 * figures as `run` printed for them (its table of areas, its flows'
 * row), the national totals, names escaped. */
Test(html, network_run_tables_are_the_run_figures, .timeout = 120)
{
    char dir[256], out[8192];
    fx_tmpdir(dir, sizeof dir);
    cli_page(dir, "run \"$RS_ROOT/scenarios/east-midlands.yaml\" --reps 3 --set horizon=365 -o n.h5",
             "n.h5 --html r.html");
    cr_expect_eq(check_html(dir, out, sizeof out), 0, "%s", out);
    const char *sec = strstr(html, "<h2>The network of areas</h2>");
    cr_assert_not_null(sec, "no network section");
    cr_expect(strstr(sec, "<p>All 10 areas together: "), "national totals");
    static const char *const names[] = {"leicestershire", "all areas", "rutland"};
    for (size_t i = 0; i < 3; i++) {
        char row[4096], want[32][32], got[32][32];
        row_of(dir, "study.txt", names[i], 0, row, sizeof row);
        size_t n = row_estimates(row, want, 32);
        cr_assert_eq(n, 11, "%s", row);
        size_t k = page_row(names[i], 0, got, 7);
        k += page_row(names[i], 1, got + k, 4);
        cr_assert_eq(k, 11, "%s: residents and units rows", names[i]);
        for (size_t c = 0; c < n; c++)
            cr_expect_str_eq(got[c], want[c], "%s column %zu", names[i], c);
    }
    /* the full matrix of flows (10 areas): leicestershire's row as run printed it */
    char row[4096], want[32][32], got[32][32];
    row_of(dir, "study.txt", "leicestershire", 1, row, sizeof row);
    cr_assert_eq(row_estimates(row, want, 32), 10, "%s", row);
    cr_assert_eq(page_row("leicestershire", 2, got, 32), 10);
    for (size_t c = 0; c < 10; c++)
        cr_expect_str_eq(got[c], want[c], "flow to column %zu", c);
    cr_expect(strstr(sec, "<th>From \\ to</th><th>derby</th>"), "the matrix's head");
    remove_tree(dir);
}

/* A network compare's page: the paired differences by area of residence,
 * the figures compare printed. */
Test(html, network_compare_differences_by_area, .timeout = 120)
{
    char dir[256], out[8192];
    fx_tmpdir(dir, sizeof dir);
    cli_page(dir, "compare \"$RS_ROOT/scenarios/east-midlands.yaml\" --vs 'services[3].units=70' "
             "--reps 3 --set horizon=365 -o c.h5", "c.h5 --html r.html");
    cr_expect_eq(check_html(dir, out, sizeof out), 0, "%s", out);
    const char *d = strstr(html, "<h3 class=\"diffs\">Differences by the area of residence</h3>");
    cr_assert_not_null(d);
    static const char *const names[] = {"leicestershire", "all areas"};
    for (size_t i = 0; i < 2; i++) {
        char row[4096], want[1024] = "", v[4][4][32];
        row_of(dir, "study.txt", names[i], 0, row, sizeof row);
        /* "+5.3 (4.1 to 6.5)" four times after the name */
        const char *s = row + strlen(names[i]);
        for (int m = 0; m < 4; m++) {
            int used = 0;
            cr_assert_eq(sscanf(s, " %31s (%31s to %31[^)])%n", v[m][0], v[m][1], v[m][2], &used), 3,
                         "%s", row);
            s += used;
            size_t l = strlen(want);
            snprintf(want + l, sizeof want - l, "<td>%s%s<br><span class=\"ci\">%s to %s</span></td>",
                     v[m][0], m ? "" : " points", v[m][1], v[m][2]);
        }
        char tr[1200];
        snprintf(tr, sizeof tr, "<td>%s</td>%s</tr>", names[i], want);
        cr_expect(strstr(d, tr), "the page lacks\n%s\n%.3000s", tr, d);
    }
    remove_tree(dir);
}

/* 400 areas: the page lists the 30 busiest areas and the 30 largest flows,
 * each with a sentence saying how many are left out, and of the 4,042
 * scenario values the 42 that are not its lists' unmarked items. */
Test(html, a_network_of_400_areas_stays_readable, .timeout = 300)
{
    char dir[256], out[8192], path[400];
    static char yaml[1 << 17];
    fx_tmpdir(dir, sizeof dir);
    size_t k = grid_network_yaml(yaml, sizeof yaml, 20, 2, 3000, 200);
    cr_assert_lt(k, sizeof yaml);
    snprintf(path, sizeof path, "%s/grid.yaml", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(yaml, f);
    fclose(f);
    cli_page(dir, "run grid.yaml --set warmup=30 -o g.h5", "g.h5 --html r.html");
    cr_expect_eq(check_html(dir, out, sizeof out), 0, "%s", out);
    const char *sec = strstr(html, "<h2>The network of areas</h2>"), *e = sec ? strstr(sec, "</section>") : NULL;
    cr_assert(sec && e);
    const char *t = strstr(sec, "<table class=\"net\">"), *te = t ? strstr(t, "</table>") : NULL;
    cr_assert(t && te);
    size_t rows = 0;
    for (const char *q = t; (q = strstr(q, "<tr><td>a")) && q < te; q++)
        rows++;
    cr_expect_eq(rows, AN_HTML_AREA_ROWS, "area rows of the first table");
    cr_expect(strstr(t, "<tr class=\"total\"><td>all areas</td>") < te, "the total row");
    cr_expect(strstr(sec, "Shown: the 30 areas with the most referrals of the 400, in the scenario's "
                          "order; the other 370 areas ("), "%.300s", te);
    const char *fl = strstr(sec, "<th>From</th><th class=\"l\">To</th>");
    cr_assert(fl && fl < e, "the list of the largest flows");
    size_t flows = 0;
    for (const char *q = fl; (q = strstr(q, "<tr><td>a")) && q < e; q++)
        flows++;
    cr_expect_eq(flows, AN_FLOW_TOP);
    cr_expect(strstr(fl, "<p class=\"note\">The 30 largest of the ") && strstr(fl, " flows between the "
              "400 areas with any placement; the other "), "%.600s", fl);
    cr_expect(!strstr(sec, "From \\ to"), "no matrix of 400 columns");
    cr_expect_lt(e - sec, 40000, "a section of a readable size");
    cr_expect(strstr(html, "<p class=\"note\">Of the scenario's 4042 values, the 4000 of its lists' "
                           "items (areas, services, blocks) that carry no mark"), "assumptions cut short");
    cr_expect_lt(strlen(html), 100000, "a page of a readable size");
    remove_tree(dir);
}

/* Area names from the results file are escaped wherever the network's
 * tables show them. */
Test(html, network_area_names_escaped, .timeout = 120)
{
    char dir[256], out[8192], path[400];
    fx_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/two.yaml", dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("name: two\nhorizon: 200\nwarmup: 30\nreplications: 2\nreferrals: {per_year: 100}\n"
          "areas: [\"a<i>\", \"b & 'c'\"]\nservices:\n"
          "  - {name: s, units: 4, largest_family: 4, area: \"a<i>\", stay: {dist: exponential, mean: 30}}\n"
          "network:\n  p_leave: 0.5\n  areas:\n    - {name: \"a<i>\", x_km: 0, y_km: 0}\n"
          "    - {name: \"b & 'c'\", x_km: 9, y_km: 0}\n", f);
    fclose(f);
    cli_page(dir, "run two.yaml -o t.h5", "t.h5 --html r.html");
    cr_expect_eq(check_html(dir, out, sizeof out), 0, "%s", out);
    const char *sec = strstr(html, "<h2>The network of areas</h2>");
    cr_assert_not_null(sec);
    cr_expect(strstr(sec, "<td>a&lt;i&gt;</td><td>") && strstr(sec, "<td>b &amp; &#39;c&#39;</td><td>")
              && strstr(sec, "<th>a&lt;i&gt;</th>") && !strstr(sec, "a<i>"), "%.3000s", sec);
    remove_tree(dir);
}

/* Across several points the answer names the best one (the fewest not
 * accommodated) before the first it is measured against, and a paired
 * difference narrower than a household keeps the digits that tell its
 * ends apart. */
Test(html, the_answer_names_the_best_point, .timeout = 120)
{
    char dir[256];
    fx_tmpdir(dir, sizeof dir);
    cli_page(dir, "sweep \"$RS_ROOT/scenarios/leicestershire-county.yaml\" --vary spaces=21,40,70 "
             "--reps 20 --set horizon=400 -o s.h5", "s.h5 --html r.html");
    const char *a = strstr(html, "At the best point, 70 spaces, against the first, 21 spaces: about ");
    cr_expect(a, "%.3000s", strstr(html, "Across the") ? strstr(html, "Across the") : html);
    cr_expect(!strstr(html, "the best:"), "no 'the best' read as the first point");
    remove_tree(dir);
}

Test(html, a_narrow_difference_keeps_its_digits)
{
    cr_expect_eq(an_range_decimals(139.8, 140.4, 3), 1, "whole households would read 140 to 140");
    cr_expect_eq(an_range_decimals(139.4, 141.6, 3), 0);
    cr_expect_eq(an_range_decimals(140.01, 140.04, 3), 2);
    cr_expect_eq(an_range_decimals(140.0001, 140.0002, 3), 3, "at most 3");
    cr_expect_eq(an_range_decimals(60, 60, 3), 0, "no width: whole");
    cr_expect_eq(an_range_decimals(NAN, 1, 3), 0);
}
