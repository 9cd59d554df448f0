/* Untrusted strings written into other languages (sim_text), and the
 * writers that use it: a hostile results file must not run commands. */
#include "test_h5_fixture.h"

#include <sys/stat.h>
#include "an_plot.h"
#include "an_report.h"
#include "an_summary.h"
#include "sim_text.h"

/* newline + gnuplot shell escape, quotes, backslash, ESC sequences (title
 * change, clear screen), a C1 CSI and a lone invalid byte */
static const char hostile[] = "a'b\"c\\d\n!touch PWNED\r\x1b]0;owned\x07\x1b[2J<i>&\xc2\x9b" "31m\xff!";

static char buf[1024];

static const char *str(sim_text_lang lang, const char *s)
{
    return sim_text_str(lang, s, buf, sizeof buf);
}

Test(text, terminal_shows_controls_on_one_line)
{
    cr_expect_str_eq(str(SIM_TEXT_TERM, hostile),
                     "a'b\"c\\d\\n!touch PWNED\\r\\x1B]0;owned\\x07\\x1B[2J<i>&\\x9B31m\\xFF!");
    cr_expect_str_eq(str(SIM_TEXT_TERM, "Ma\xc3\xafson \xe2\x80\x94 ok"), "Ma\xc3\xafson \xe2\x80\x94 ok");
    cr_expect_str_eq(str(SIM_TEXT_TERM, "rtl\xe2\x80\xaeoverride"), "rtl\\u202Eoverride");
    cr_expect_str_eq(str(SIM_TEXT_TERM, "overlong \xc0\xaf"), "overlong \\xC0\\xAF");
    cr_expect_str_eq(str(SIM_TEXT_TERM, NULL), "");
    cr_expect(sim_text_has_control(hostile));
    cr_expect(!sim_text_has_control("plain 'text' \xc3\xa9"));
}

Test(text, gnuplot_string_is_one_single_quoted_token)
{
    const char *g = str(SIM_TEXT_GNUPLOT, hostile);
    cr_expect_str_eq(g, "'a''b\"c\\d\\n!touch PWNED\\r\\x1B]0;owned\\x07\\x1B[2J<i>&\\x9B31m\\xFF!'");
    cr_expect(!strchr(g, '\n') && !strchr(g, '\r') && !strchr(g, '\x1b'));
    cr_expect_str_eq(str(SIM_TEXT_GNUPLOT, "`rm -rf x` @macro"), "'`rm -rf x` @macro'");
}

Test(text, html_csv_yaml)
{
    cr_expect_str_eq(str(SIM_TEXT_HTML, "<script>alert('x')</script> & \"q\"\n"),
                     "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;\\n");
    cr_expect_str_eq(str(SIM_TEXT_CSV, "plain"), "plain");
    cr_expect_str_eq(str(SIM_TEXT_CSV, "a,b \"c\"\nd"), "\"a,b \"\"c\"\"\\nd\"");
    cr_expect_str_eq(str(SIM_TEXT_CSV, "=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    cr_expect_str_eq(str(SIM_TEXT_CSV, "@SUM(A1)"), "'@SUM(A1)");
    cr_expect_str_eq(str(SIM_TEXT_YAML, "a\"b\\c\nd\x1b"), "\"a\\\"b\\\\c\\nd\\x1B\"");
}

Test(text, cut_short_stays_well_formed)
{
    char small[12];
    cr_expect_str_eq(sim_text_str(SIM_TEXT_GNUPLOT, "abcdefghijklmnop", small, sizeof small), "'abcdef...'");
    cr_expect_str_eq(sim_text_str(SIM_TEXT_TERM, "abcdefghijk", small, sizeof small), "abcdefghijk");
    cr_expect_str_eq(sim_text_str(SIM_TEXT_TERM, "abcdefghijkl", small, sizeof small), "abcdefgh...");
    /* never half an escape or half a UTF-8 character */
    cr_expect_str_eq(sim_text_str(SIM_TEXT_TERM, "abcdef\n\n\n", small, sizeof small), "abcdef\\n...");
    cr_expect_str_eq(sim_text_str(SIM_TEXT_TERM, "abcdefg\xe2\x80\x94\xe2\x80\x94", small, sizeof small),
                     "abcdefg...");
    char tiny[2];
    cr_expect_str_eq(sim_text_str(SIM_TEXT_GNUPLOT, "abc", tiny, sizeof tiny), "");
}

/* A results file whose labels and varied key are hostile, as someone else
 * could send it. */
static void hostile_file(fixture *fx)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    memset(fx, 0, sizeof *fx);
    fx_tmpdir(fx->dir, sizeof fx->dir);
    snprintf(fx->path, sizeof fx->path, "%s/results.h5", fx->dir);
    static const char *const keys[1] = {"x'\n!touch PWNED_KEY\n'"};
    static const char *const labels[FX_POINTS] = {"one'\n!touch PWNED\nset output 'x",
                                                  "two\x1b]0;title\x07\x1b[2J<b>\",=1+1"};
    an_point pts[FX_POINTS];
    for (int p = 0; p < FX_POINTS; p++) {
        fx_params(p, &fx->params[p]);
        fx->res[p] = calloc(fx_reps[p], sizeof(rf_result));
        for (size_t r = 0; r < fx_reps[p]; r++)
            fx_result(p, (int)r, &fx->res[p][r]);
        pts[p] = (an_point){.params = &fx->params[p], .vary_values = fx_vary[p], .n_reps = fx_reps[p],
                            .results = fx->res[p], .label = labels[p]};
    }
    an_run run = {.info = {.scenario_text = fx_scenario, .command_line = "refugesim\x1b[2J sweep\n!x",
                           .seed = 42, .threads = 1, .ranks = 1, .n_vary = 1, .vary_keys = keys,
                           .n_points = FX_POINTS},
                  .complete = 1, .points = pts};
    cr_assert_eq(an_h5_write(fx->path, &run, 0), SIM_OK);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char b[1 << 16];
    size_t n = fread(b, 1, sizeof b - 1, f);
    b[n] = '\0';
    fclose(f);
    return b;
}

Test(text, hostile_results_file_plots_and_csv, .timeout = 60)
{
    fixture fx;
    hostile_file(&fx);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(fx.path, &f), SIM_OK);
    an_point_summary *pts;
    size_t n;
    cr_assert_eq(an_report_load(f, &pts, &n), SIM_OK);
    /* /bin/true as gnuplot: the script alone */
    an_plot_opts script_only = {.formats = AN_PLOT_PNG, .gnuplot = "/bin/true"};
    cr_assert_eq(an_plot_all(f, pts, n, fx.dir, &script_only, NULL), SIM_OK);
    char p[400];
    snprintf(p, sizeof p, "%s/plots.gp", fx.dir);
    const char *gp = slurp(p);
    cr_assert_not_null(gp);
    /* every line is one of ours: no line starts with what a label held */
    for (const char *l = gp; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
        cr_expect(strncmp(l, "!", 1) && strncmp(l, "set output 'x", 13) && strncmp(l, "'", 1),
                  "a label became a command line: %.60s", l);
    }
    cr_expect(!strchr(gp, '\x1b'));
    cr_expect(strstr(gp, "'one''\\n!touch PWNED\\nset output ''x'"), "%s", gp);
    cr_expect(strstr(gp, "'x''\\n!touch PWNED_KEY\\n''"), "%s", gp);

    /* gnuplot itself runs the script without running the labels */
    char *g = an_plot_find_gnuplot();
    if (g) {
        an_plot_opts real = {.formats = AN_PLOT_PNG};
        cr_expect_eq(an_plot_all(f, pts, n, fx.dir, &real, NULL), SIM_OK);
        snprintf(p, sizeof p, "%s/PWNED", fx.dir);
        struct stat sb;
        cr_expect_neq(stat(p, &sb), 0, "the label ran a shell command");
        snprintf(p, sizeof p, "%s/PWNED_KEY", fx.dir);
        cr_expect_neq(stat(p, &sb), 0, "the varied key ran a shell command");
        free(g);
    }

    /* CSV: one record per line, the label quoted, no formula */
    char dir[300];
    snprintf(dir, sizeof dir, "%s/csv", fx.dir);
    cr_assert_eq(mkdir(dir, 0777), 0);
    cr_assert_eq(an_report_csv(f, dir), SIM_OK);
    snprintf(p, sizeof p, "%s/points.csv", dir);
    const char *csv = slurp(p);
    int lines = 0;
    for (const char *c = csv; *c; c++)
        lines += *c == '\n';
    cr_expect_eq(lines, 1 + FX_POINTS, "%s", csv);
    cr_expect(strstr(csv, "\"two\\x1B]0;title\\x07\\x1B[2J<b>\"\",=1+1\""), "%s", csv);
    cr_expect(!strchr(csv, '\x1b'));

    /* the terminal report: nothing that drives the terminal */
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);
    an_report_print(m, an_h5_get_info(f), pts, n);
    fclose(m);
    cr_expect(!strchr(out, '\x1b') && !strchr(out, '\x07') && !strchr(out, '\r'));
    cr_expect(strstr(out, "command: refugesim\\x1B[2J sweep\\n!x\n"), "%s", out);
    free(out);
    an_report_free_points(pts, n);
    an_h5_close(f);
    fx_teardown(&fx);
}

/* Messages quote keys and file names from the user: one line each, shown. */
Test(text, cli_messages_and_resolved_yaml, .timeout = 60)
{
    const char *prog = getenv("RS_PROGRAM");
    cr_assert_not_null(prog, "RS_PROGRAM must name the built refugesim");
    char dir[64], p[200], cmd[1200];
    fx_tmpdir(dir, sizeof dir);
    snprintf(p, sizeof p, "%s/bad.yaml", dir);
    FILE *f = fopen(p, "w");
    fputs("name: x\n\"evil\\e]0;title\\a\\nkey\": 1\n", f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' check '%s' 2>&1 >/dev/null", prog, p);
    FILE *o = popen(cmd, "r");
    static char out[8192];
    size_t n = fread(out, 1, sizeof out - 1, o);
    out[n] = '\0';
    cr_expect_eq(WEXITSTATUS(pclose(o)), 2);
    cr_expect(!strchr(out, '\x1b') && !strchr(out, '\a'), "%s", out);
    cr_expect(strstr(out, "evil\\x1B]0;title\\x07\\nkey"), "%s", out);
    /* the resolved scenario's header comment names the file on one line */
    snprintf(p, sizeof p, "%s/x\nreferrals: 1 #.yaml", dir);
    snprintf(cmd, sizeof cmd, "cp '%s/scenarios/leicestershire-county.yaml' \"$(printf '%s/x\\nreferrals: 1 #.yaml')\"",
             getenv("RS_ROOT"), dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "'%s' check \"$(printf '%s/x\\nreferrals: 1 #.yaml')\" 2>&1", prog, dir);
    o = popen(cmd, "r");
    n = fread(out, 1, sizeof out - 1, o);
    out[n] = '\0';
    cr_expect_eq(WEXITSTATUS(pclose(o)), 0, "%s", out);
    cr_expect(strstr(out, "/x\\nreferrals: 1 #.yaml: extends") && !strstr(out, "\nreferrals: 1 #"),
              "%.300s", out);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_expect_eq(system(cmd), 0);
}

/* A cut that left a last character incomplete drops it; a whole one, of
 * any length, stays. */
Test(text, a_partial_last_character_is_dropped)
{
    const struct { const char *in, *out; } cases[] = {
        {"abc", "abc"},          {"ab\xC3\xA9", "ab\xC3\xA9"}, {"ab\xC3", "ab"},
        {"a\xE2\x82\xAC", "a\xE2\x82\xAC"}, {"a\xE2\x82", "a"}, {"a\xF0\x9F\x98", "a"},
        {"a\xF0\x9F\x98\x80", "a\xF0\x9F\x98\x80"}, {"", ""}, {"\xA9", "\xA9"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char b[16];
        snprintf(b, sizeof b, "%s", cases[i].in);
        sim_text_drop_partial(b);
        cr_expect_str_eq(b, cases[i].out, "case %zu", i);
    }
}
