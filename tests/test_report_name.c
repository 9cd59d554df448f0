/* The scenario's name in the report (an outside review): it was the text
 * between the first two quote characters of the stored `name:` line, so
 * "Women's Aid \"pilot\" 2021" titled the page "Women's Aid \" and \e
 * showed as written.  It is read as YAML now: every scalar style gives the
 * name the scenario meant, and the writers still escape what it holds. */
#include "test_shell.h"

#include "an_h5.h"
#include "an_plot.h"
#include "an_report.h"
#include "sim_status.h"

TestSuite(report_name, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 60);

static const char *name_of(const char *yaml)
{
    static char buf[128];
    an_scenario_name(yaml, buf, sizeof buf);
    return buf;
}

Test(report_name, every_scalar_style_gives_the_name_meant)
{
    cr_expect_str_eq(name_of("name: \"Women's Aid \\\"pilot\\\" 2021\"\nhorizon: 3\n"),
                     "Women's Aid \"pilot\" 2021");
    cr_expect_str_eq(name_of("name: \"esc \\e \\t \\u00e9 \\\\ end\"\n"), "esc \x1b \t \xc3\xa9 \\ end");
    cr_expect_str_eq(name_of("name: 'Women''s Aid \"pilot\"'\n"), "Women's Aid \"pilot\"");
    cr_expect_str_eq(name_of("name: Women's Aid pilot   # a comment\n"), "Women's Aid pilot");
    cr_expect_str_eq(name_of("name: >-\n  Women's Aid\n  pilot\nhorizon: 3\n"), "Women's Aid pilot");
    cr_expect_str_eq(name_of("name: |\n  two\n  lines\n"), "two\nlines\n");
    cr_expect_str_eq(name_of("name: \"a long name\n  on two lines\"\n"), "a long name on two lines");
    /* only the top level's name, wherever it is among the keys */
    cr_expect_str_eq(name_of("services:\n- name: inner\n  units: 2\nname: outer\n"), "outer");
    cr_expect_str_eq(name_of("{horizon: 3, name: flow}"), "flow");
    cr_expect_str_eq(name_of("services: [{name: inner}]\n"), "");
    /* no name, or not one: "" */
    cr_expect_str_eq(name_of("horizon: 3\n"), "");
    cr_expect_str_eq(name_of("name: [a, b]\n"), "");
    cr_expect_str_eq(name_of("- name: a\n"), "");
    cr_expect_str_eq(name_of("name: \"unclosed\n"), "");
    cr_expect_str_eq(name_of(""), "");
    cr_expect_str_eq(name_of(NULL), "");
    /* cut to the buffer at a character boundary */
    char small[6];
    an_scenario_name("name: ab\xc3\xa9\xc3\xa9\n", small, sizeof small);
    cr_expect_str_eq(small, "ab\xc3\xa9");
}

/* Through the program: the results file's stored scenario, the page's
 * title and heading, and the plots' caption (a gnuplot string), each
 * escaped for where it goes. */
Test(report_name, the_page_and_the_plots_show_the_whole_name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/s.yaml", ts_dir);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs("name: \"Women's Aid \\\"pilot\\\" 2021 \\e\"\nreplications: 2\nreferrals: {per_year: 20}\n"
          "services:\n  - {name: s, units: 2, largest_family: 4, stay: {dist: exponential, mean: 20}}\n",
          f);
    fclose(f);
    cr_assert_eq(ts_sh("cd '%s' && '%s' run s.yaml --threads 1 -o s.h5 > /dev/null", ts_dir, ts_prog()),
                 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && '%s' report s.h5 --html s.html > /dev/null", ts_dir, ts_prog()), 0,
                 "%s", ts_out);
    cr_assert_eq(ts_sh("cat '%s/s.html'", ts_dir), 0);
    cr_expect(strstr(ts_out, "<title>Refuge capacity: Women&#39;s Aid &quot;pilot&quot; 2021 "
                             "\\x1B</title>"), "%.400s", ts_out);
    cr_expect(strstr(ts_out, "<h1>Refuge capacity: Women&#39;s Aid &quot;pilot&quot; 2021 "
                             "\\x1B</h1>"), "%.400s", strstr(ts_out, "<h1>"));
    cr_expect(!strchr(ts_out, '\x1b'));
    /* the plots' script, with /bin/true for gnuplot (the script alone) */
    an_h5_file *h;
    snprintf(p, sizeof p, "%s/s.h5", ts_dir);
    cr_assert_eq(an_h5_open(p, &h), SIM_OK);
    an_point_summary *pts;
    size_t n;
    cr_assert_eq(an_report_load(h, &pts, &n), SIM_OK);
    an_plot_opts script_only = {.formats = AN_PLOT_SVG, .gnuplot = "/bin/true"};
    cr_expect_eq(an_plot_all(h, pts, n, ts_dir, &script_only, NULL), SIM_OK);
    an_report_free_points(pts, n);
    an_h5_close(h);
    cr_assert_eq(ts_sh("cat '%s/plots.gp'", ts_dir), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "'Scenario Women''s Aid \"pilot\" 2021 \\x1B, 2 replications"), "%.2000s",
              ts_out);
    cr_expect(!strchr(ts_out, '\x1b'));
}
