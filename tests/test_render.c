/* The HTML report as a person sees it: the report of the shipped
 * comparison (`refugesim run`: the county at 21 and at 70 spaces) rendered
 * by headless Chromium to PDF and PNG.  The page parses and references
 * nothing outside itself; the PDF has a sensible number of A4 pages and
 * its text holds the headline sentence, the README's, and its figures.
 * Skips without Chromium (a developer's tree) unless RS_REQUIRE_CHROMIUM
 * is set, as `make check` (and so CI) sets it after `make deps` installed
 * it: there a missing browser fails. */
#include "test_shell.h"

static void need_chromium(void)
{
    if (system("command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 "
               "&& command -v pdfinfo >/dev/null 2>&1") == 0)
        return;
    const char *req = getenv("RS_REQUIRE_CHROMIUM");
    cr_assert(!(req && *req), "chromium or poppler-utils missing although RS_REQUIRE_CHROMIUM is set "
                              "(make deps installs them)");
    cr_skip_test("chromium or pdftotext missing: 'make deps' installs chromium and poppler-utils "
                 "(make check requires them)");
}

/* ts_out with runs of white space made one space. */
static char *squeezed(void)
{
    static char b[sizeof ts_out];
    size_t n = 0;
    for (const char *s = ts_out; *s; s++) {
        int sp = *s == ' ' || *s == '\n' || *s == '\t' || *s == '\f' || *s == '\r';
        if (sp && (n == 0 || b[n - 1] == ' '))
            continue;
        b[n++] = sp ? ' ' : *s;
    }
    b[n] = '\0';
    return b;
}

/* The README's sentence starting with `start` (its wrapped lines joined). */
static void readme_sentence(const char *start, char *out, size_t size)
{
    /* read directly: the README is larger than ts_out */
    static char text[1 << 20];
    char path[1024];
    snprintf(path, sizeof path, "%s/README.md", ts_root());
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    cr_assert_lt(len, sizeof text - 1, "the README fits");
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {          /* lines joined, runs of spaces one */
        char c = text[i] == '\n' ? ' ' : text[i];
        if (c == ' ' && k && text[k - 1] == ' ')
            continue;
        text[k++] = c;
    }
    text[k] = '\0';
    const char *s = strstr(text, start);
    cr_assert_not_null(s, "README has no \"%s\"", start);
    const char *e = strstr(s, "numbers).");
    if (!e || e - s > 400)
        e = strstr(s, "referrals.");
    cr_assert_not_null(e);
    snprintf(out, size, "%.*s", (int)(e - s) + (int)strcspn(e, ".") + 1, s);
}

static void headline_of(const char *html, char *out, size_t size)
{
    cr_assert_eq(ts_sh("cd '%s' && /usr/bin/python3 '%s/tests/py/check_html.py' '%s'", ts_dir,
                       ts_root(), html), 0, "%s", ts_out);
    const char *h = strstr(ts_out, "headline: ");
    cr_assert_not_null(h, "%s", ts_out);
    snprintf(out, size, "%.*s", (int)strcspn(h + 10, "\n"), h + 10);
}

Test(render, the_shipped_comparison_as_printed, .timeout = 300)
{
    need_chromium();
    ts_make_dir();
    cr_assert_eq(ts_sh("cd '%s' && RS_SCENARIO_DIR='%s/scenarios' '%s' run -o county.h5 && '%s' report "
                       "county.h5 --html county.html", ts_dir, ts_root(), ts_prog(), ts_prog()),
                 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "report written to county.html"), "%s", ts_out);
    /* the figures the tables print are the page's */
    cr_assert_eq(ts_sh("cd '%s' && '%s' report county.h5 | grep '^Not accommodated, of refuge'",
                       ts_dir, ts_prog()), 0, "%s", ts_out);
    double lo_pct, hi_pct;
    cr_assert_eq(sscanf(ts_out, "Not accommodated, of refuge referrals %lf%%%*[^0-9]%*f %lf%%", &lo_pct,
                        &hi_pct), 2, "%s", ts_out);
    char headline[1024], want[1024], fig[32];
    headline_of("county.html", headline, sizeof headline);
    /* the README's two-point example is this page's headline */
    readme_sentence("At 70 spaces about", want, sizeof want);
    cr_expect_str_eq(headline, want);
    cr_assert_eq(ts_sh("cd '%s' && sh '%s/tests/render_html.sh' county.html county.pdf county.png",
                       ts_dir, ts_root()), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && head -c 8 county.png | od -An -c | tr -d ' \\n'", ts_dir), 0);
    cr_expect(strstr(ts_out, "211PNG\\r\\n032\\n"), "not a PNG: %s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && pdfinfo county.pdf", ts_dir), 0, "%s", ts_out);
    int pages = 0;
    const char *pg = strstr(ts_out, "Pages:");
    cr_assert_not_null(pg, "%s", ts_out);
    sscanf(pg, "Pages: %d", &pages);
    cr_expect(pages >= 3 && pages <= 16, "%d pages", pages);
    cr_expect(strstr(ts_out, "(A4)"), "A4 pages: %s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && pdftotext county.pdf -", ts_dir), 0, "%s", ts_out);
    char *text = squeezed();
    cr_expect(strstr(text, headline), "the PDF lacks the headline \"%s\":\n%.3000s", headline, text);
    snprintf(fig, sizeof fig, "%.1f%%", hi_pct);
    cr_expect(strstr(text, fig), "the 70-space figure %s", fig);
    snprintf(fig, sizeof fig, "%.1f%%", lo_pct);
    cr_expect(strstr(text, fig), "the 21-space figure %s", fig);
    static const char *const sections[] = {"The question", "The answer", "The measures",
                                           "Differences from the baseline", "Who is refused most",
                                           "Over time", "Assumptions", "Checklist of the study",
                                           "Provenance"};
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++)
        cr_expect(strstr(text, sections[i]), "the PDF lacks the section %s", sections[i]);
    cr_expect(strstr(text, "TUNED") && strstr(text, "referrals.per_year"), "assumptions with marks");
    ts_remove_dir();
}

/* The README's one-point example (its faster move-on run) is what the page says. */
Test(render, the_one_point_sentence_of_the_readme, .timeout = 120)
{
    ts_make_dir();
    cr_assert_eq(ts_sh("cd '%s' && '%s' run '%s/scenarios/leicestershire-county.yaml' --reps 50 "
                       "--set move_on.delay.mean=15 -o f.h5 && '%s' report f.h5 --html f.html",
                       ts_dir, ts_prog(), ts_root(), ts_prog()), 0, "%s", ts_out);
    char headline[1024], want[1024];
    headline_of("f.html", headline, sizeof headline);
    readme_sentence("At 21 spaces about", want, sizeof want);
    cr_expect_str_eq(headline, want);
    ts_remove_dir();
}

/* A network compare's page as printed: the section of areas on its own
 * pages, its tables' words and compare's figure for the county (its
 * residents' paired difference in points) in the PDF's text. */
Test(render, a_network_compare_as_printed, .timeout = 300)
{
    need_chromium();
    ts_make_dir();
    cr_assert_eq(ts_sh("cd '%s' && '%s' compare '%s/scenarios/east-midlands.yaml' --vs "
                       "'services[3].units=70' --reps 3 --set horizon=365 -o c.h5 | grep '^leicestershire '"
                       " && '%s' report c.h5 --html c.html > /dev/null", ts_dir, ts_prog(), ts_root(),
                       ts_prog()), 0, "%s", ts_out);
    char points[32];
    cr_assert_eq(sscanf(ts_out, "leicestershire %31s", points), 1, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && sh '%s/tests/render_html.sh' c.html c.pdf c.png && pdfinfo c.pdf",
                       ts_dir, ts_root()), 0, "%s", ts_out);
    int pages = 0;
    const char *pg = strstr(ts_out, "Pages:");
    cr_assert_not_null(pg, "%s", ts_out);
    sscanf(pg, "Pages: %d", &pages);
    cr_expect(pages >= 4 && pages <= 30, "%d pages", pages);
    cr_assert_eq(ts_sh("cd '%s' && pdftotext c.pdf -", ts_dir), 0, "%s", ts_out);
    char *text = squeezed(), want[64];
    static const char *const words[] = {"The network of areas", "All 10 areas together:",
                                        "Declined an offer", "From \\ to",
                                        "Differences by the area of residence", "leicestershire"};
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        cr_expect(strstr(text, words[i]), "the PDF lacks \"%s\"", words[i]);
    snprintf(want, sizeof want, "%s points", points);
    cr_expect(strstr(text, want), "the county's residents' difference %s", want);
    ts_remove_dir();
}
