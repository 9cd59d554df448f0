#include "an_html.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "an_heatmap.h"
#include "an_html_network.h"
#include "an_output.h"
#include "an_plot.h"
#include "an_report.h"
#include "an_steady.h"
#include "an_yaml_marks.h"
#include "sim_status.h"
#include "sim_text.h"

#define DAYS_PER_YEAR 365.0
#define HEADLINE "refused_of_eligible"
#define TABLE_COLUMNS 6
#define AN_HEADING_MAX AN_HTML_HEADING_MAX

/* ------------------------------------------------------ escaping -- */

/* The one place a string from the results file enters the page: &, <, >,
 * quotes escaped, control characters made visible (sim_text). */
static void h(FILE *o, const char *s)
{
    sim_text_put(o, SIM_TEXT_HTML, s);
}

/* ------------------------------------------------------ numbers -- */

/* A point's warm-up and overload verdicts (an_steady) on the monthly
 * series the file holds (after the warm-up, as `run` checks them). */
typedef struct {
    int known;                 /* 0: no monthly series to test */
    size_t truncate_months;    /* > 0: the warm-up looks too short */
    size_t change_month;       /* > 0: a cut ran into the units in service changing then */
    int overloaded;            /* no steady state */
} point_steady;

typedef struct {
    an_h5_file *f;
    const an_h5_info *info;
    const an_point_summary *pts;
    size_t n;                  /* points */
    size_t *pt, m;             /* points with data */
    size_t min_reps;
    char scenario[AN_NAME_MAX];
    char *resolved, *source;
    an_plot_list plots;
    const char *plot_dir;      /* NULL: no plots */
    const char *gnuplot_missing;
    int fig;                   /* figures so far, for unique ids */
    const char *source_name;   /* the results file as named on the command line */
    char (*heading)[AN_HEADING_MAX]; /* n: each point's column heading in words */
    point_steady *steady;      /* n: warm-up and overload from the stored monthly series */
} page;

static int percent_metric(const char *name)
{
    return !strcmp(rf_metric_unit_label(name), "%");
}

/* "57.0%" / "12.3" for one value of metric name. */
static void value_text(char *buf, size_t size, const char *name, double v)
{
    an_heatmap_value(buf, size, v, percent_metric(name));
}

/* "57.0% (56.6% to 57.4%)" */
static void estimate_text(char *buf, size_t size, const char *name, double mean, double ci)
{
    char a[32], lo[32], hi[32];
    value_text(a, sizeof a, name, mean);
    if (isnan(ci) || isnan(mean)) {
        snprintf(buf, size, "%s", a);
        return;
    }
    value_text(lo, sizeof lo, name, mean - ci);
    value_text(hi, sizeof hi, name, mean + ci);
    snprintf(buf, size, "%s (%s to %s)", a, lo, hi);
}

static const an_metric_summary *metric(const page *p, size_t point, const char *name)
{
    return an_point_summary_find(&p->pts[point], name);
}

static double per_year(const page *p, size_t point)
{
    const an_metric_summary *r = metric(p, point, "referrals");
    const an_point_summary *ps = &p->pts[point];
    return r && ps->horizon_days > 0 ? r->s.mean * DAYS_PER_YEAR / ps->horizon_days : NAN;
}

/* ------------------------------------------------------ figures -- */

static const an_plot_entry *plot_entry(const page *p, const char *name)
{
    for (size_t i = 0; i < p->plots.n; i++)
        if (!strcmp(p->plots.e[i].name, name))
            return &p->plots.e[i];
    return NULL;
}

/* gnuplot's SVG inlined: the XML prolog dropped, ids and references to
 * them given the figure's prefix (every figure defines the same ids). */
static int inline_svg(FILE *o, const page *p, const char *name, int fig)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s.svg", p->plot_dir, name);
    FILE *in = fopen(path, "rb");
    if (!in)
        return -1;
    fseek(in, 0, SEEK_END);
    long n = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *b = n > 0 ? malloc((size_t)n + 1) : NULL;
    size_t got = b ? fread(b, 1, (size_t)n, in) : 0;
    fclose(in);
    if (!b)
        return -1;
    b[got] = '\0';
    char *s = strstr(b, "<svg");
    if (!s) {
        free(b);
        return -1;
    }
    char prefix[16];
    snprintf(prefix, sizeof prefix, "f%d-", fig);
    fprintf(o, "<svg role=\"img\" aria-labelledby=\"f%d-cap\"", fig);
    s += 4;
    for (; *s; s++) {
        if (!strncmp(s, "id='", 4) || !strncmp(s, "id=\"", 4)) {
            fwrite(s, 1, 4, o);
            fputs(prefix, o);
            s += 3;
        } else if (!strncmp(s, "href='#", 7) || !strncmp(s, "href=\"#", 7)) {
            fwrite(s, 1, 7, o);
            fputs(prefix, o);
            s += 6;
        } else if (!strncmp(s, "url(#", 5)) {
            fputs("url(#", o);
            fputs(prefix, o);
            s += 4;
        } else if (!strncmp(s, "<title>Gnuplot</title>", 22)) {
            s += 21;
        } else {
            fputc(*s, o);
        }
    }
    free(b);
    return 0;
}

static void figure(FILE *o, page *p, const char *name)
{
    const an_plot_entry *e = plot_entry(p, name);
    if (!p->plot_dir) {
        fprintf(o, "<p class=\"note\">%s</p>\n", p->gnuplot_missing);
        return;
    }
    if (!e)
        return;
    if (!e->drawn) {
        fputs("<p class=\"note\">Plot: ", o);
        h(o, e->title);
        fputs(". ", o);
        h(o, e->caption);
        fputs("</p>\n", o);
        return;
    }
    int fig = ++p->fig;
    fputs("<figure>\n", o);
    if (inline_svg(o, p, name, fig) != 0)
        fputs("<p class=\"note\">The plot could not be drawn.</p>", o);
    fprintf(o, "\n<figcaption id=\"f%d-cap\"><b>Figure %d.</b> ", fig, fig);
    h(o, e->title);
    fputs(". ", o);
    h(o, e->caption);
    fputs("</figcaption>\n</figure>\n", o);
}

/* ------------------------------------------------------ sections -- */

static void head(FILE *o, const page *p)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", o);
    fputs("Refuge capacity: ", o);
    h(o, p->scenario[0] ? p->scenario : "results");
    fputs("</title>\n<style>\n"
          "body{font-family:\"DejaVu Sans\",\"Liberation Sans\",Arial,Helvetica,sans-serif;"
          "max-width:62rem;margin:1.5rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.45}\n"
          "h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:1px solid #bbb;"
          "margin-top:1.8rem;padding-bottom:.15rem}h3{font-size:1.05rem}\n"
          "table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.85rem}"
          "th,td{border-bottom:1px solid #ddd;padding:.2rem .45rem;text-align:right;vertical-align:top}"
          "th{background:#f2f2f2}th:first-child,td:first-child{text-align:left}"
          "td.l,th.l{text-align:left}\n"
          "table.net{font-size:.78rem}table.net th{font-weight:600}tr.total td{font-weight:bold;"
          "border-top:1px solid #999}.ci,.hh{font-size:.85em;color:#555;white-space:nowrap}"
          "table.flows{font-size:.7rem}\n"
          ".answer{font-size:1.1rem;background:#eef4fa;border-left:4px solid #0072B2;"
          "padding:.5rem 1rem;margin:.8rem 0}\n"
          "figure{margin:1rem 0}figure svg{width:100%;height:auto;display:block}"
          "figcaption{font-size:.82rem;color:#333}\n"
          ".note{color:#555;font-style:italic}.sub{color:#444;margin-top:0}"
          "code{font-family:\"DejaVu Sans Mono\",\"Liberation Mono\",monospace;font-size:.85em}\n"
          ".mark-ASSUMED{color:#8a4b00}.mark-TUNED{color:#0b5e8a;font-weight:bold}"
          ".mark-CHOSEN{color:#7a2d7a}.mark-default{color:#777}\n"
          "@page{size:A4;margin:15mm 13mm}\n"
          "@media print{body{max-width:none;margin:0;padding:0;font-size:9.5pt}"
          "h2{break-after:avoid;page-break-after:avoid}"
          "figure,.answer,tr{break-inside:avoid;page-break-inside:avoid}"
          "thead{display:table-header-group}"
          "section.assumptions,section.checklist,section.network{break-before:page;"
          "page-break-before:always}table.net{font-size:7.5pt}table.flows{font-size:6.5pt}"
          "figure svg{height:85mm;width:auto;max-width:100%;margin:0 auto}}\n"
          "</style>\n</head>\n<body>\n", o);
}

static void vary_words(char *buf, size_t size, const page *p, size_t k)
{
    an_report_key_label(buf, size, p->info->vary_keys[k], p->m ? &p->pts[p->pt[0]] : NULL);
}

/* The distinct values of varied key k, "14, 28, 42". */
static void vary_values(FILE *o, const page *p, size_t k)
{
    double *v = malloc((p->n + 1) * sizeof *v);
    size_t u = 0;
    if (!v)
        return;
    for (size_t i = 0; i < p->n; i++) {
        double x = an_h5_point_at(p->f, i)->vary_values[k];
        size_t j = 0;
        while (j < u && v[j] != x)
            j++;
        if (j == u)
            v[u++] = x;
    }
    for (size_t j = 0; j < u; j++)
        fprintf(o, "%s%g", j == 0 ? "" : j + 1 == u ? " and " : ", ", v[j]);
    free(v);
}

/* Position of v among the n ascending levels lv. */
static size_t level_of(const double *lv, size_t n, double v)
{
    size_t i = 0;
    while (i + 1 < n && lv[i] != v)
        i++;
    return i;
}

/* Ascending distinct values of key k over the finished points, into lv
 * (p->m entries); their count. */
static size_t key_levels(const page *p, size_t k, double *lv)
{
    size_t u = 0;
    for (size_t j = 0; j < p->m; j++) {
        double x = an_h5_point_at(p->f, p->pt[j])->vary_values[k];
        size_t i = 0;
        while (i < u && lv[i] < x)
            i++;
        if (i < u && lv[i] == x)
            continue;
        memmove(lv + i + 1, lv + i, (u - i) * sizeof *lv);
        lv[i] = x;
        u++;
    }
    return u;
}

/* A sweep over two keys with a grid of 4 x 4 or more (an_heatmap_fits) as
 * a heatmap of metric `name`, in place of one line per level; 0 when the
 * grid does not call for one (the caller draws the gnuplot figure). */
static int heatmap_figure(FILE *o, page *p, const char *name, const char *title)
{
    size_t nk = p->info->n_vary, kx = 0, ky = 0, nx, ny, m = p->m;
    if (nk < 2 || m < AN_HEATMAP_MIN_LEVELS * AN_HEATMAP_MIN_LEVELS)
        return 0;
    double *vals = malloc(m * nk * sizeof *vals), *xl = malloc(m * sizeof *xl),
           *yl = malloc(m * sizeof *yl);
    char (*xt)[40] = malloc(m * sizeof *xt), (*yt)[40] = malloc(m * sizeof *yt);
    const char **xp = malloc(m * sizeof *xp), **yp = malloc(m * sizeof *yp);
    double *mean = NULL, *ci = NULL;
    int shown = 0;
    if (!vals || !xl || !yl || !xt || !yt || !xp || !yp)
        goto done;
    for (size_t j = 0; j < m; j++)
        memcpy(vals + j * nk, an_h5_point_at(p->f, p->pt[j])->vary_values, nk * sizeof *vals);
    if (!an_heatmap_fits(vals, m, nk, &kx, &ky))
        goto done;
    nx = key_levels(p, kx, xl);
    ny = key_levels(p, ky, yl);
    mean = malloc(nx * ny * sizeof *mean);
    ci = malloc(nx * ny * sizeof *ci);
    if (!mean || !ci)
        goto done;
    for (size_t i = 0; i < nx * ny; i++)
        mean[i] = ci[i] = NAN;
    int any = 0;
    for (size_t j = 0; j < m; j++) {
        const an_metric_summary *ms = metric(p, p->pt[j], name);
        size_t c = level_of(yl, ny, vals[j * nk + ky]) * nx + level_of(xl, nx, vals[j * nk + kx]);
        if (ms) {
            mean[c] = ms->s.mean;
            ci[c] = ms->s.ci95;
            any |= !isnan(ms->s.mean) && ms->s.mean != 0;
        }
    }
    shown = 1;
    if (!any) {
        fputs("<p class=\"note\">Heatmap of ", o);
        h(o, title);
        fputs(" left out: it is 0 (or not defined) at every point.</p>\n", o);
        goto done;
    }
    for (size_t i = 0; i < nx; i++) {
        snprintf(xt[i], sizeof xt[i], "%g", xl[i]);
        xp[i] = xt[i];
    }
    for (size_t i = 0; i < ny; i++) {
        snprintf(yt[i], sizeof yt[i], "%g", yl[i]);
        yp[i] = yt[i];
    }
    char xw[200], yw[200], id[16];
    vary_words(xw, sizeof xw, p, kx);
    vary_words(yw, sizeof yw, p, ky);
    int fig = ++p->fig;
    snprintf(id, sizeof id, "f%d", fig);
    an_heatmap hm = {.nx = nx, .ny = ny, .x = xl, .y = yl, .mean = mean, .ci95 = ci,
                     .x_title = xw, .y_title = yw, .x_text = xp, .y_text = yp,
                     .percent = percent_metric(name), .id = id};
    fputs("<figure class=\"heatmap\">\n", o);
    an_heatmap_svg(o, &hm);
    fprintf(o, "\n<figcaption id=\"f%d-cap\"><b>Figure %d.</b> ", fig, fig);
    h(o, title);
    fputs(" by ", o);
    h(o, xw);
    fputs(" (across) and ", o);
    h(o, yw);
    fputs(" (down). Scenario ", o);
    h(o, p->scenario[0] ? p->scenario : "(unnamed)");
    fprintf(o, ", %zu replications a point, seed %llu. Each cell: the estimate and ± its 95%% "
               "confidence half-width; darker is higher (the scale at the right). A grid of %zu x "
               "%zu points is shown as a heatmap; smaller grids as one line per level.</figcaption>\n"
               "</figure>\n", p->min_reps, (unsigned long long)p->info->seed, nx, ny);
done:
    free(vals);
    free(xl);
    free(yl);
    free(xt);
    free(yt);
    free(xp);
    free(yp);
    free(mean);
    free(ci);
    return shown;
}

/* --precision's targets ("refused_of_eligible=0.01 wait_mean=5%") in
 * words: "a 95% half-width of at most 1 percentage point for “Not
 * accommodated, of refuge referrals”". */
static void precision_words(FILE *o, const char *spec)
{
    int k = 0;
    for (const char *s = spec; *s;) {
        size_t n = strcspn(s, " ");
        char w[160];
        snprintf(w, sizeof w, "%.*s", (int)(n < sizeof w ? n : sizeof w - 1), s);
        char *eq = strchr(w, '=');
        if (eq) {
            *eq = '\0';
            const char *h_text = eq + 1;
            size_t hl = strlen(h_text);
            fputs(k++ ? " and " : "", o);
            fputs("a 95% half-width of at most ", o);
            if (hl && h_text[hl - 1] == '%') {
                h(o, h_text);
                fputs(" of the estimate", o);
            } else if (percent_metric(w) && rf_metric_find(w) >= 0) {
                double v = strtod(h_text, NULL);
                fprintf(o, "%g percentage point%s", 100 * v, 100 * v == 1 ? "" : "s");
            } else {
                h(o, h_text);
            }
            fputs(" for “", o);
            h(o, rf_metric_find(w) >= 0 ? rf_metric_label(w) : w);
            fputs("”", o);
        }
        s += n;
        while (*s == ' ')
            s++;
    }
}

/* "in batches of 10 replications, at least 20 and at most 2000" */
static void precision_batches(FILE *o, const page *p)
{
    const uint64_t *r = p->info->precision_reps;
    fprintf(o, "in batches of %llu replications, ", (unsigned long long)r[0]);
    if (r[1] > 0)
        fprintf(o, "at least %llu and ", (unsigned long long)r[1]);
    fprintf(o, "at most %llu", (unsigned long long)r[2]);
}

/* Point i's replications for a table cell: "40 (target met)". */
static void reps_text(char *buf, size_t size, const page *p, size_t i)
{
    const an_h5_point_row *r = an_h5_point_at(p->f, i);
    if (r->stopped[0] && r->first_met)
        snprintf(buf, size, "%zu (%s, held from %zu on)", p->pts[i].n_reps, r->stopped, r->first_met);
    else if (r->stopped[0])
        snprintf(buf, size, "%zu (%s)", p->pts[i].n_reps, r->stopped);
    else
        snprintf(buf, size, "%zu", p->pts[i].n_reps);
}

static void section_question(FILE *o, const page *p)
{
    fputs("<h1>Refuge capacity: ", o);
    h(o, p->scenario[0] ? p->scenario : "unnamed scenario");
    fputs("</h1>\n<p class=\"sub\">A report of refugesim, a simulation of refuge (domestic-abuse "
          "safe accommodation) capacity, made from the results file ", o);
    if (p->source_name) {
        fputs("<code>", o);
        h(o, p->source_name);
        fputs("</code> ", o);
    }
    fputs("created ", o);
    h(o, p->info->created_utc);
    fputs(".</p>\n", o);
    if (!p->info->complete)
        fputs("<p class=\"answer\"><b>Incomplete:</b> the run was interrupted; the figures are "
              "those of the replications that finished.</p>\n", o);
    fputs("<section class=\"question\">\n<h2>The question</h2>\n<p>", o);
    const an_h5_point_row *r0 = p->n ? an_h5_point_at(p->f, 0) : NULL;
    if (p->info->n_vary) {
        fputs("How do the outcomes for households referred to refuge change with ", o);
        for (size_t k = 0; k < p->info->n_vary; k++) {
            char w[200];
            vary_words(w, sizeof w, p, k);
            fputs(k == 0 ? "" : k + 1 == p->info->n_vary ? " and with " : ", with ", o);
            h(o, w);
            fputs(" at ", o);
            vary_values(o, p, k);
        }
    } else if (p->n > 1) {
        fputs("How do the outcomes for households referred to refuge compare between ", o);
        for (size_t i = 0; i < p->n; i++) {
            fputs(i == 0 ? "" : i + 1 == p->n ? " and " : ", ", o);
            h(o, p->heading[i]);
        }
    } else {
        fputs("What happens to households referred to refuge at ", o);
        h(o, p->n ? p->heading[0] : "");
    }
    fputs("?</p>\n<p>", o);
    if (p->info->precision) {
        fprintf(o, "%zu point%s, each simulated (replications) with different random referrals "
                   "and stays until its estimates were precise enough: ", p->n, p->n == 1 ? "" : "s");
        precision_words(o, p->info->precision);
        fputs(", ", o);
        precision_batches(o, p);
        fputs(" (the replications each point took, and why it stopped, are in the measures "
              "table)", o);
    } else {
        fprintf(o, "%zu point%s, each simulated %zu times (replications) with different random "
                   "referrals and stays", p->n, p->n == 1 ? "" : "s", p->min_reps);
    }
    if (p->n > 1)
        fputs(", the same ones at every point (common random numbers), so that differences "
              "between points are the effect of what changes, not of chance", o);
    fprintf(o, ". Seed %llu.", (unsigned long long)p->info->seed);
    if (r0)
        fprintf(o, " Each replication runs %.0f days (%.1f years) after a warm-up of %.0f days "
                   "that is not counted.", r0->horizon_days, r0->horizon_days / DAYS_PER_YEAR,
                r0->warmup_days);
    fputs("</p>\n</section>\n", o);
}

/* The point with the lowest / highest headline. */
static void extremes(const page *p, size_t *lo, size_t *hi)
{
    *lo = *hi = p->pt[0];
    for (size_t j = 0; j < p->m; j++) {
        const an_metric_summary *a = metric(p, p->pt[j], HEADLINE);
        if (!a)
            continue;
        if (a->s.mean < metric(p, *lo, HEADLINE)->s.mean)
            *lo = p->pt[j];
        if (a->s.mean > metric(p, *hi, HEADLINE)->s.mean)
            *hi = p->pt[j];
    }
}

/* "about 76 more households a year (70 to 82) would be accommodated" from
 * the paired difference of the share of all referrals not accommodated. */
/* " about K more households a year" and " (LO to HI" (without its closing
 * words) when there is an interval: whole households unless its ends would
 * then read alike. */
static void households_estimate(FILE *o, double k, double ci, const char *tail)
{
    int d = isnan(ci) ? 0 : an_range_decimals(fabs(k) - ci, fabs(k) + ci, 3);
    fprintf(o, " about %.*f %s households a year%s", d, fabs(k), k >= 0 ? "more" : "fewer", tail);
    if (!isnan(ci))
        fprintf(o, " (%.*f to %.*f", d, fabs(k) - ci, d, fabs(k) + ci);
}

static void more_households(FILE *o, const page *p, size_t a, size_t base)
{
    sim_ratio_diff d;
    double ry = per_year(p, base);
    if (an_point_summary_paired_diff(&p->pts[a], &p->pts[base], "refused", &d) || isnan(ry)
        || isnan(d.diff))
        return;
    double k = -d.diff * ry, ci = d.ci95 * ry;
    fputc(':', o);
    households_estimate(o, k, ci, " would be accommodated");
    if (!isnan(ci))
        fputs(", a paired difference under common random numbers)", o);
}

static void headline_at(FILE *o, const page *p, size_t i)
{
    const an_metric_summary *a = metric(p, i, HEADLINE);
    char t[120];
    estimate_text(t, sizeof t, HEADLINE, a->s.mean, a->s.ci95);
    fputs("At ", o);
    h(o, p->heading[i]);
    /* "At 21 spaces, 41 from day 365, about" */
    fputs(strchr(p->heading[i], ',') ? ", about " : " about ", o);
    h(o, t);
    fputs(" of refuge referrals would not be accommodated", o);
}

/* The warm-up (overload 0) or steady-state (1) verdict over the points,
 * naming those it concerns. */
static void steady_words(FILE *o, const page *p, int overload)
{
    size_t known = 0, bad = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->steady && p->steady[i].known) {
            known++;
            bad += overload ? p->steady[i].overloaded : p->steady[i].truncate_months > 0;
        }
    if (!known) {
        fputs(overload ? "Not tested: the results file holds no monthly series."
                       : "MSER-5 not applied: the results file holds no monthly series.", o);
        return;
    }
    if (!bad) {
        fputs(overload ? "Yes: neither the waiting list nor the refusals a month keep growing over "
                         "the horizon (a slope test on the monthly series across replications)."
                       : "MSER-5 (White 1997) on the monthly occupancy and waiting list after it, "
                         "over the replications, finds no transient left: the warm-up is long "
                         "enough.", o);
        for (size_t i = 0; !overload && i < p->n; i++)
            if (p->steady[i].known && p->steady[i].change_month) {
                fputs(" At ", o);
                h(o, p->heading[i]);
                fprintf(o, " the months that differ run into month %zu, when the units in "
                           "service change: units opening or closing move the occupancy by "
                           "design, so that is not taken for a warm-up left over.",
                        p->steady[i].change_month + 1);
            }
        return;
    }
    fputs(overload ? "<b>No steady state</b> at " : "MSER-5 (White 1997) on the monthly occupancy "
                                                    "and waiting list after it finds the first "
                                                    "months still settling at ", o);
    size_t said = 0;
    for (size_t i = 0; i < p->n && said < 6; i++) {
        const point_steady *q = &p->steady[i];
        if (!q->known || !(overload ? q->overloaded : q->truncate_months > 0))
            continue;
        fputs(said++ ? ", " : "", o);
        h(o, p->heading[i]);
        if (!overload)
            fprintf(o, " (%zu month%s)", q->truncate_months, q->truncate_months == 1 ? "" : "s");
    }
    if (bad > said)
        fprintf(o, " and %zu more point%s", bad - said, bad - said == 1 ? "" : "s");
    fputs(overload ? ": the waiting list or the refusals a month keep growing over the horizon; "
                     "demand exceeds what the units can serve, and averages depend on the "
                     "horizon."
                   : ": the warm-up looks too short (refugesim warmup estimates it).", o);
}

/* A stored note (capacity's answer, "answer: 49 spaces meet
 * refused_of_eligible <= 0.2 with 95% confidence (now 21)") in words:
 * metric names as their labels, <= and >= as "at most" / "at least", a
 * share's value after them in percent.  Every word passes through h(). */
static void note_words(FILE *o, const char *note)
{
    if (!strncmp(note, "answer: ", 8))
        note += 8;
    const char *share = NULL; /* the metric of the comparison being read */
    for (const char *s = note; *s;) {
        size_t n = strcspn(s, " ");
        char w[128];
        snprintf(w, sizeof w, "%.*s", (int)(n < sizeof w ? n : sizeof w - 1), s);
        char *end;
        double v = strtod(w, &end);
        if (rf_metric_find(w) >= 0) {
            fputs("“", o);
            h(o, rf_metric_label(w));
            fputs("”", o);
            share = percent_metric(w) ? w : NULL;
        } else if (!strcmp(w, "<=") || !strcmp(w, ">=")) {
            fputs(w[0] == '<' ? "at most" : "at least", o);
        } else if (share && end != w && !*end) {
            fprintf(o, "%g%%", 100 * v);
            share = NULL;
        } else {
            h(o, w);
        }
        s += n;
        if (*s)
            fputc(*s++, o);
    }
}

static void amount_estimate(char *buf, size_t size, double mean, double ci);

/* optimise's path: a row per step, the units of each candidate added so
 * far (its varied keys services[S].blocks[NAME].units), the cost a year
 * and the target measure with their 95% intervals. */
static void optimise_path(FILE *o, const page *p)
{
    const char *target = p->info->target ? strrchr(p->info->target, ' ') : NULL;
    target = target ? target + 1 : p->info->target ? p->info->target : HEADLINE;
    if (rf_metric_find(target) < 0)
        target = HEADLINE;
    fputs("<p>The path the search took (greedy marginal analysis, then one-swap local search, on "
          "common random numbers): each step's mix of added units, its cost and ", o);
    h(o, rf_metric_label(target));
    fputs(".</p>\n<table class=\"path\">\n<thead><tr><th>Step</th><th class=\"l\">Units added</th>"
          "<th>Cost a year</th><th>", o);
    h(o, rf_metric_label(target));
    fputs("</th><th>Replications</th></tr></thead>\n<tbody>\n", o);
    for (size_t i = 0; i < p->n; i++) {
        const an_h5_point_row *r = an_h5_point_at(p->f, i);
        fprintf(o, "<tr><td>%zu</td><td class=\"l\">", i);
        int any = 0;
        for (size_t k = 0; k < p->info->n_vary; k++) {
            const char *key = p->info->vary_keys[k], *b = strstr(key, "blocks["), *e;
            if (!b || !(e = strchr(b + 7, ']')) || r->vary_values[k] <= 0)
                continue;
            char name[AN_NAME_MAX];
            snprintf(name, sizeof name, "%.*s", (int)(e - b - 7), b + 7);
            fprintf(o, "%s%g x ", any++ ? ", " : "", r->vary_values[k]);
            h(o, name);
        }
        fputs(any ? "" : "none (the scenario as it is)", o);
        const an_metric_summary *c = metric(p, i, "cost_per_year"), *m = metric(p, i, target);
        char t[160];
        amount_estimate(t, sizeof t, c ? c->s.mean : NAN, c ? c->s.ci95 : NAN);
        fputs("</td><td>", o);
        h(o, t);
        estimate_text(t, sizeof t, target, m ? m->s.mean : NAN, m ? m->s.ci95 : NAN);
        fputs("</td><td>", o);
        h(o, t);
        fprintf(o, "</td><td>%zu</td></tr>\n", p->pts[i].n_reps);
    }
    fputs("</tbody>\n</table>\n", o);
}

static void section_answer(FILE *o, page *p)
{
    fputs("<section class=\"answer-section\">\n<h2>The answer</h2>\n", o);
    int optimise = p->info->kind && !strcmp(p->info->kind, "optimise");
    if (p->info->note && p->info->note[0]) {
        const char *n = p->info->note;
        if (optimise && !strncmp(n, "final mix: ", 11))
            n += 11;
        fputs(optimise ? "<p class=\"answer\" id=\"optimise-answer\">The best mix for the budget: "
                       : "<p class=\"answer\" id=\"capacity-answer\">The capacity search: ", o);
        note_words(o, n);
        fputs(".</p>\n", o);
    }
    if (optimise)
        optimise_path(o, p);
    if (!p->m || !metric(p, p->pt[0], HEADLINE)) {
        fputs("<p class=\"note\">No point has finished replications: there is no answer yet.</p>\n"
              "</section>\n", o);
        return;
    }
    fputs("<p class=\"answer\" id=\"headline\">", o);
    size_t b = p->pt[0];
    char t[120];
    if (p->m == 1) {
        headline_at(o, p, b);
        const an_metric_summary *r = metric(p, b, "refused");
        double ry = per_year(p, b);
        if (r && !isnan(ry))
            fprintf(o, ": about %.0f households a year of %.0f referrals", r->s.mean * ry, ry);
        fputs(".", o);
    } else if (p->m == 2) {
        size_t a = p->pt[1];
        headline_at(o, p, a);
        value_text(t, sizeof t, HEADLINE, metric(p, b, HEADLINE)->s.mean);
        fputs(", against ", o);
        h(o, t);
        fputs(" at ", o);
        h(o, p->heading[b]);
        more_households(o, p, a, b);
        fputs(".", o);
    } else {
        size_t lo, hi;
        extremes(p, &lo, &hi);
        const an_metric_summary *l = metric(p, lo, HEADLINE), *g = metric(p, hi, HEADLINE);
        fprintf(o, "Across the %zu points, the share of refuge referrals not accommodated runs from ",
                p->m);
        estimate_text(t, sizeof t, HEADLINE, g->s.mean, g->s.ci95);
        h(o, t);
        fputs(" at ", o);
        h(o, p->heading[hi]);
        fputs(" to ", o);
        estimate_text(t, sizeof t, HEADLINE, l->s.mean, l->s.ci95);
        h(o, t);
        fputs(" at ", o);
        h(o, p->heading[lo]);
        if (lo != b) {
            fputs(". At the best point, ", o);
            h(o, p->heading[lo]);
            fputs(", against the first, ", o);
            h(o, p->heading[b]);
            more_households(o, p, lo, b);
        }
        fputs(".", o);
    }
    fputs("</p>\n", o);
    /* the parts: lack of space, no suitable unit, waits */
    fputs("<p>", o);
    const an_metric_summary *ns = metric(p, b, "refused_no_space"), *nu = metric(p, b, "no_suitable_unit"),
                            *w = metric(p, b, "wait_mean");
    if (ns && nu) {
        fputs("At ", o);
        h(o, p->heading[b]);
        estimate_text(t, sizeof t, "refused_no_space", ns->s.mean, ns->s.ci95);
        fputs(", ", o);
        h(o, t);
        fputs(" of all referrals are refused for lack of space and ", o);
        estimate_text(t, sizeof t, "no_suitable_unit", nu->s.mean, nu->s.ci95);
        h(o, t);
        fputs(" find no unit that could ever suit them (more units of the same kinds do not help "
              "them). ", o);
    }
    if (w && w->s.mean > 0) {
        estimate_text(t, sizeof t, "wait_mean", w->s.mean, w->s.ci95);
        fputs("Those placed waited ", o);
        h(o, t);
        fputs(" days on average.", o);
    } else if (w) {
        fputs("Nobody waits: a household finding no free unit is not accommodated.", o);
    }
    fputs("</p>\n", o);
    for (size_t i = 0; p->steady && i < p->n; i++)
        if (p->steady[i].overloaded) {
            fputs("<p class=\"answer\" id=\"overload\">", o);
            steady_words(o, p, 1);
            fputs("</p>\n", o);
            break;
        }
    fputs("<p class=\"note\">Figures are estimates over the replications with 95% confidence "
          "intervals in brackets; shares are of all referrals unless they say “of refuge "
          "referrals” (those not screened out as needing no refuge unit).</p>\n", o);
    if (!heatmap_figure(o, p, HEADLINE, "Not accommodated, of refuge referrals"))
        figure(o, p, "capacity_refused");
    fputs("</section>\n", o);
}

static const char *const measure_rows[] = {
    "referrals_per_year", "placed", "refused_no_space", "no_suitable_unit", "abandoned",
    "screened_out", "waiting_at_end", HEADLINE, "wait_mean", "wait_p90", "wait_all_mean",
    "waiting_mean", "occupancy", "downtime_share", "blocked_share", "timely_move_on",
};
#define N_MEASURES (sizeof measure_rows / sizeof measure_rows[0])

static int measure_cell(const page *p, size_t i, const char *name, char *buf, size_t size)
{
    if (!strcmp(name, "referrals_per_year")) {
        const an_metric_summary *r = metric(p, i, "referrals");
        const an_point_summary *ps = &p->pts[i];
        if (!r || ps->horizon_days <= 0)
            return 0;
        double f = DAYS_PER_YEAR / ps->horizon_days, lo = (r->s.mean - r->s.ci95) * f,
               hi = (r->s.mean + r->s.ci95) * f;
        int d = an_range_decimals(lo, hi, 3);
        snprintf(buf, size, "%.*f (%.*f to %.*f)", d, r->s.mean * f, d, lo, d, hi);
        return 1;
    }
    const an_metric_summary *m = metric(p, i, name);
    if (!m || isnan(m->s.mean))
        return 0;
    estimate_text(buf, size, name, m->s.mean, m->s.ci95);
    return 1;
}

/* A table row's first cell: the metric in words. */
static void row_label(FILE *o, const char *name)
{
    char label[128];
    an_metric_heading(label, sizeof label, name, 0);
    fputs("<tr><td>", o);
    h(o, label);
    fputs("</td>", o);
}

static void table_head(FILE *o, const page *p, const char *first, size_t from, size_t k)
{
    fputs("<table>\n<thead><tr><th>", o);
    h(o, first);
    fputs("</th>", o);
    for (size_t j = from; j < from + k; j++) {
        fputs("<th>", o);
        h(o, p->heading[j]);
        fputs("</th>", o);
    }
    fputs("</tr></thead>\n<tbody>\n", o);
}

/* A table's head over the finished points from..from + k - 1 (p->pt). */
static void finished_head(FILE *o, const page *p, size_t from, size_t k)
{
    fputs("<table>\n<thead><tr><th>Measure</th>", o);
    for (size_t j = 0; j < k; j++) {
        fputs("<th>", o);
        h(o, p->heading[p->pt[from + j]]);
        fputs("</th>", o);
    }
    fputs("</tr></thead>\n<tbody>\n", o);
}

static void section_measures(FILE *o, page *p)
{
    fputs("<section class=\"measures\">\n<h2>The measures</h2>\n", o);
    for (size_t from = 0; from < p->n; from += TABLE_COLUMNS) {
        size_t k = p->n - from < TABLE_COLUMNS ? p->n - from : TABLE_COLUMNS;
        table_head(o, p, "Measure", from, k);
        for (size_t r = 0; r < N_MEASURES; r++) {
            char cells[TABLE_COLUMNS][96];
            int any = 0;
            for (size_t j = 0; j < k; j++) {
                if (!measure_cell(p, from + j, measure_rows[r], cells[j], sizeof cells[j]))
                    snprintf(cells[j], sizeof cells[j], "-");
                else
                    any = 1;
            }
            if (!any)
                continue;
            row_label(o, measure_rows[r]);
            for (size_t j = 0; j < k; j++) {
                fputs("<td>", o);
                h(o, cells[j]);
                fputs("</td>", o);
            }
            fputs("</tr>\n", o);
        }
        fputs(p->info->precision ? "<tr><td>Replications (why they stopped)</td>"
                                 : "<tr><td>Replications</td>", o);
        for (size_t j = 0; j < k; j++) {
            char t[128];
            reps_text(t, sizeof t, p, from + j);
            fputs("<td>", o);
            h(o, t);
            fputs("</td>", o);
        }
        fputs("</tr>\n</tbody>\n</table>\n", o);
    }
    if (p->info->precision)
        fputs("<p class=\"note\">Replications to a precision (the replication algorithm of Hoad, "
              "Robinson and Davies, 2010): “target met” when every target held over a look-ahead "
              "of further batches, “maximum reached” when the most replications allowed ran "
              "first.</p>\n", o);
    fprintf(o, "<p class=\"note\">Estimate (95%% confidence interval) over %zu replications%s; "
               "shares and waits are pooled over replications (ratios of sums, delta-method "
               "intervals), other measures are means over replications (Student t intervals).</p>\n",
            p->min_reps, p->n > 1 ? " (the fewest of any point)" : "");
    if (!heatmap_figure(o, p, "wait_mean", "Mean wait of those placed (days)"))
        figure(o, p, "capacity_wait");
    fputs("</section>\n", o);
}

/* A table stored in the file (a hook for /comparison, /yearly),
 * shown as it is, its columns in words where they are metrics. */
static int stored_table(FILE *o, const page *p, const char *path)
{
    an_table *t;
    if (an_h5_read_table(p->f, path, &t) != SIM_OK)
        return 0;
    fputs("<table>\n<thead><tr>", o);
    for (size_t j = 0; j < t->n_cols; j++) {
        const char *name = t->descs && t->descs[j][0] ? t->descs[j] : t->names[j];
        fputs("<th>", o);
        h(o, rf_metric_find(t->names[j]) >= 0 ? rf_metric_label(t->names[j]) : name);
        fputs("</th>", o);
    }
    fputs("</tr></thead>\n<tbody>\n", o);
    for (size_t r = 0; r < t->n_rows; r++) {
        fputs("<tr>", o);
        for (size_t j = 0; j < t->n_cols; j++) {
            fputs(t->is_str[j] ? "<td class=\"l\">" : "<td>", o);
            if (t->is_str[j]) {
                const char *s = t->str[r * t->n_cols + j];
                h(o, rf_metric_find(s) >= 0 ? rf_metric_label(s) : s);
            } else {
                double v = t->num[r * t->n_cols + j];
                if (!isnan(v))
                    fprintf(o, t->is_int[j] ? "%.0f" : "%.4g", v);
            }
            fputs("</td>", o);
        }
        fputs("</tr>\n", o);
    }
    fputs("</tbody>\n</table>\n", o);
    an_table_free(t);
    return 1;
}

/* The key measures of the differences from the baseline. */
static const char *const diff_rows[] = {HEADLINE, "refused_no_space", "placed", "abandoned",
                                        "wait_mean", "occupancy"};
#define N_DIFF_ROWS (sizeof diff_rows / sizeof diff_rows[0])

/* "-44.0 points (-45.0 to -43.0)" for a share, "+1.2 (0.9 to 1.5)" else. */
static void diff_text(char *buf, size_t size, const char *name, double diff, double lo, double hi)
{
    int pc = percent_metric(name);
    double s = pc ? 100 : 1;
    if (isnan(diff))
        snprintf(buf, size, "-");
    else if (isnan(lo) || isnan(hi))
        snprintf(buf, size, "%+.1f%s", s * diff, pc ? " points" : "");
    else
        snprintf(buf, size, "%+.1f%s (%+.1f to %+.1f)", s * diff, pc ? " points" : "", s * lo, s * hi);
}

/* "+60 (58 to 62)" households a year. */
static void households_text(char *buf, size_t size, double k, double lo, double hi)
{
    if (isnan(k))
        snprintf(buf, size, "-");
    else if (isnan(lo) || isnan(hi))
        snprintf(buf, size, "%+.0f", k);
    else
        snprintf(buf, size, "%+.0f (%+.0f to %+.0f)", k, lo, hi);
}

static int is_diff_row(const char *name)
{
    for (size_t r = 0; r < N_DIFF_ROWS; r++)
        if (!strcmp(diff_rows[r], name))
            return 1;
    return 0;
}

/* The /comparison `compare` stores (per alternative and metric: the two
 * estimates, the paired difference with its interval, households a year
 * where given), its key measures only: the page's one table of
 * differences when the points lack the per-replication parts to pair
 * them here.  0 when absent or of another shape. */
static int comparison_table(FILE *o, const page *p)
{
    an_table *t;
    if (an_h5_read_table(p->f, "/comparison", &t) != SIM_OK)
        return 0;
    int cl = an_table_col(t, "label"), cm = an_table_col(t, "metric"), cb = an_table_col(t, "baseline"),
        ca = an_table_col(t, "alternative"), cd = an_table_col(t, "difference"),
        clo = an_table_col(t, "lo"), chi = an_table_col(t, "hi"),
        ch = an_table_col(t, "households_per_year"), chl = an_table_col(t, "households_per_year_lo"),
        chh = an_table_col(t, "households_per_year_hi");
    if (cl < 0 || cm < 0 || cb < 0 || ca < 0 || cd < 0 || clo < 0 || chi < 0 || !t->is_str[cl]
        || !t->is_str[cm]) {
        an_table_free(t);
        return 0;
    }
    fputs("<p>The comparison stored in the file by <code>refugesim compare</code>: each alternative "
          "against the baseline on the same replications (common random numbers), the paired "
          "difference with its 95% interval (the file holds every measure; these are the key "
          "ones).</p>\n"
          "<table>\n<thead><tr><th>Alternative</th><th class=\"l\">Measure</th><th>Baseline</th>"
          "<th>Alternative</th><th>Difference (95% interval)</th><th>Households a year</th></tr>"
          "</thead>\n<tbody>\n", o);
    for (size_t r = 0; r < t->n_rows; r++) {
        const double *v = t->num + r * t->n_cols;
        const char *metric_name = t->str[r * t->n_cols + (size_t)cm];
        metric_name = metric_name ? metric_name : "";
        if (!is_diff_row(metric_name))
            continue;
        char a[48], b[48], d[96];
        fputs("<tr><td>", o);
        h(o, t->str[r * t->n_cols + (size_t)cl]);
        fputs("</td><td class=\"l\">", o);
        h(o, rf_metric_label(metric_name));
        value_text(a, sizeof a, metric_name, v[cb]);
        value_text(b, sizeof b, metric_name, v[ca]);
        diff_text(d, sizeof d, metric_name, v[cd], v[clo], v[chi]);
        fputs("</td><td>", o);
        h(o, a);
        fputs("</td><td>", o);
        h(o, b);
        fputs("</td><td>", o);
        h(o, d);
        fputs("</td><td>", o);
        if (ch >= 0) {
            households_text(d, sizeof d, v[ch], chl >= 0 ? v[chl] : NAN, chh >= 0 ? v[chh] : NAN);
            h(o, isnan(v[ch]) ? "" : d);
        }
        fputs("</td></tr>\n", o);
    }
    fputs("</tbody>\n</table>\n", o);
    an_table_free(t);
    return 1;
}

/* Households accommodated a year, point a minus point b: the paired
 * difference of placements a year (an_compare_points), as compare prints it. */
static void households_cell(char *buf, size_t size, const page *p, size_t a, size_t b)
{
    an_comparison *rows = NULL;
    size_t n = 0;
    snprintf(buf, size, "-");
    if (an_compare_points(&p->pts[b], &p->pts[a], a, &rows, &n) != SIM_OK)
        return;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].metric, "placed") && rows[i].households) {
            const sim_ratio_diff *y = &rows[i].per_year;
            households_text(buf, size, y->diff, y->diff - y->ci95, y->diff + y->ci95);
        }
    free(rows);
}

/* One table of differences: the page's own paired differences when the
 * points hold their per-replication parts (a compare file's /comparison
 * holds the same differences, so it is not shown twice), else the key
 * rows of a stored /comparison. */
static void section_differences(FILE *o, const page *p)
{
    fputs("<section class=\"differences\">\n<h2>Differences from the baseline</h2>\n", o);
    if (p->m < 2 || !p->pts[p->pt[0]].num) {
        if (!comparison_table(o, p))
            fputs(p->m < 2 ? "<p class=\"note\">One point only: there is no baseline to compare "
                             "with.</p>\n"
                           : "<p class=\"note\">This results file does not hold the "
                             "per-replication parts that paired differences need.</p>\n", o);
        fputs("</section>\n", o);
        return;
    }
    size_t b = p->pt[0];
    fputs("<p>Each point minus the baseline, ", o);
    h(o, p->heading[b]);
    fputs(" (the first point): the paired difference over the same replications (common random "
          "numbers), with its 95% confidence interval. Shares differ in percentage points.</p>\n", o);
    for (size_t from = 1; from < p->m; from += TABLE_COLUMNS) {
        size_t k = p->m - from < TABLE_COLUMNS ? p->m - from : TABLE_COLUMNS;
        finished_head(o, p, from, k);
        for (size_t r = 0; r < N_DIFF_ROWS; r++) {
            row_label(o, diff_rows[r]);
            for (size_t j = 0; j < k; j++) {
                sim_ratio_diff d;
                char t[96] = "-";
                if (!an_point_summary_paired_diff(&p->pts[p->pt[from + j]], &p->pts[b], diff_rows[r], &d))
                    diff_text(t, sizeof t, diff_rows[r], d.diff, d.diff - d.ci95, d.diff + d.ci95);
                fputs("<td>", o);
                h(o, t);
                fputs("</td>", o);
            }
            fputs("</tr>\n", o);
        }
        fputs("<tr><td>Households accommodated a year</td>", o);
        for (size_t j = 0; j < k; j++) {
            char t[96];
            households_cell(t, sizeof t, p, p->pt[from + j], b);
            fputs("<td>", o);
            h(o, t);
            fputs("</td>", o);
        }
        fputs("</tr>\n</tbody>\n</table>\n", o);
    }
    an_table *t;
    if (an_h5_read_table(p->f, "/comparison", &t) == SIM_OK) {
        fputs("<p class=\"note\">The results file also holds these differences for every measure "
              "as the table <code>/comparison</code> that <code>refugesim compare</code> "
              "wrote.</p>\n", o);
        an_table_free(t);
    }
    fputs("</section>\n", o);
}

static size_t shown_points(const page *p, size_t *idx)
{
    size_t k = 0;
    for (size_t j = 0; j < p->m && k < 4; j++)
        idx[k++] = p->pt[j];
    if (p->m > 4) {
        idx[0] = p->pt[0];
        idx[1] = p->pt[p->m / 2];
        idx[2] = p->pt[p->m - 1];
        k = 3;
    }
    return k;
}

/* A network's areas, flows and differences by area (an_html_network). */
static void section_network(FILE *o, const page *p)
{
    size_t idx[4], k = shown_points(p, idx);
    an_html_net n = {.f = p->f, .pts = p->pts, .pt = p->pt, .m = p->m, .shown = idx,
                     .n_shown = k, .heading = p->heading};
    an_html_network_section(o, &n);
}

static void section_groups(FILE *o, page *p)
{
    fputs("<section class=\"groups\">\n<h2>Who is refused most</h2>\n", o);
    size_t idx[4], k = shown_points(p, idx);
    if (!k) {
        fputs("<p class=\"note\">No point has finished replications.</p>\n</section>\n", o);
        return;
    }
    fputs("<p>Household groups by the share of their refuge referrals not accommodated (no space, "
          "no suitable unit, gave up the wait), most refused first; a household can be in several "
          "groups.</p>\n", o);
    /* order by the first shown point */
    int order[RF_G_N];
    double key[RF_G_N];
    for (int g = 0; g < RF_G_N; g++) {
        sim_summary s;
        an_group_summary(&p->pts[idx[0]], g, AN_GRP_NOT_ACCOMMODATED, &s);
        key[g] = isnan(s.mean) ? -1 : s.mean;
        order[g] = g;
    }
    for (int i = 1; i < RF_G_N; i++)
        for (int j = i; j > 0 && key[order[j]] > key[order[j - 1]]; j--) {
            int t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
    fputs("<table>\n<thead><tr><th>Group</th>", o);
    for (size_t j = 0; j < k; j++) {
        fputs("<th>", o);
        h(o, p->heading[idx[j]]);
        fputs(": referrals a year</th><th>not accommodated</th>", o);
    }
    fputs("</tr></thead>\n<tbody>\n", o);
    for (int i = 0; i < RF_G_N; i++) {
        int g = order[i];
        fputs("<tr><td>", o);
        h(o, rf_group_label((rf_group)g));
        fputs("</td>", o);
        for (size_t j = 0; j < k; j++) {
            sim_summary r, s;
            an_group_summary(&p->pts[idx[j]], g, AN_GRP_REFERRALS_PER_YEAR, &r);
            an_group_summary(&p->pts[idx[j]], g, AN_GRP_NOT_ACCOMMODATED, &s);
            char t[96];
            estimate_text(t, sizeof t, HEADLINE, s.mean, s.ci95);
            fprintf(o, "<td>%.1f</td><td>", r.mean);
            h(o, t);
            fputs("</td>", o);
        }
        fputs("</tr>\n", o);
    }
    fputs("</tbody>\n</table>\n", o);
    figure(o, p, "groups_not_accommodated");
    fputs("</section>\n", o);
}

/* Point i's results by year (<i>/yearly_summary: year, metric, mean, lo,
 * hi), a row per metric and a column per year; 0 when the file has none. */
static int yearly_table(FILE *o, const page *p, size_t i)
{
    char path[96];
    snprintf(path, sizeof path, "/points/%zu/yearly_summary", i);
    an_table *t;
    if (an_h5_read_table(p->f, path, &t) != SIM_OK)
        return 0;
    int cy = an_table_col(t, "year"), cm = an_table_col(t, "metric"), cmean = an_table_col(t, "mean"),
        clo = an_table_col(t, "lo"), chi = an_table_col(t, "hi");
    if (cy < 0 || cm < 0 || cmean < 0 || clo < 0 || chi < 0 || !t->is_str[cm] || !t->n_rows) {
        an_table_free(t);
        return 0;
    }
    int years = 0;
    for (size_t r = 0; r < t->n_rows; r++)
        if (t->num[r * t->n_cols + (size_t)cy] > years)
            years = (int)t->num[r * t->n_cols + (size_t)cy];
    fputs("<p>", o);
    h(o, p->heading[i]);
    fputs(", year by year after the warm-up (estimate and 95% interval):</p>\n<table>\n<thead><tr>"
          "<th>Measure</th>", o);
    for (int y = 1; y <= years && y <= 10; y++)
        fprintf(o, "<th>Year %d</th>", y);
    fputs("</tr></thead>\n<tbody>\n", o);
    for (size_t r = 0; r < t->n_rows; r++) {
        const char *name = t->str[r * t->n_cols + (size_t)cm];
        if (!name || t->num[r * t->n_cols + (size_t)cy] != 1)
            continue; /* a row per metric: start at its year 1 */
        row_label(o, name);
        for (int y = 1; y <= years && y <= 10; y++) {
            fputs("<td>", o);
            for (size_t q = 0; q < t->n_rows; q++) {
                const char *nq = t->str[q * t->n_cols + (size_t)cm];
                if (nq && !strcmp(nq, name) && t->num[q * t->n_cols + (size_t)cy] == y) {
                    double mean = t->num[q * t->n_cols + (size_t)cmean];
                    double ci = (t->num[q * t->n_cols + (size_t)chi] - t->num[q * t->n_cols + (size_t)clo]) / 2;
                    char b[96];
                    estimate_text(b, sizeof b, name, mean, ci);
                    h(o, b);
                    break;
                }
            }
            fputs("</td>", o);
        }
        fputs("</tr>\n", o);
    }
    fputs("</tbody>\n</table>\n", o);
    an_table_free(t);
    return 1;
}

static void section_time(FILE *o, page *p)
{
    fputs("<section class=\"time\">\n<h2>Over time</h2>\n", o);
    fputs("<h3>Results by year</h3>\n", o);
    size_t idx[4], k = shown_points(p, idx), shown = 0;
    for (size_t j = 0; j < k; j++)
        shown += yearly_table(o, p, idx[j]);
    if (!shown && !stored_table(o, p, "/yearly"))
        fputs("<p class=\"note\">This results file holds no results by year (run or compare "
              "with --by-year).</p>\n", o);
    figure(o, p, "monthly_waiting");
    figure(o, p, "monthly_occupancy");
    fputs("</section>\n", o);
}

/* ------------------------------------------------------ costs -- */

/* "1,126,000": a currency-neutral amount rounded to a whole unit, its
 * thousands grouped (the scenario's costs carry no currency). */
static void amount_text(char *buf, size_t size, double v)
{
    if (isnan(v)) {
        snprintf(buf, size, "-");
        return;
    }
    char digits[48];
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    if (!strcmp(digits, "0"))
        v = 0; /* "0", not "-0" */
    size_t n = strlen(digits), k = 0;
    if (v < 0 && k + 1 < size)
        buf[k++] = '-';
    for (size_t i = 0; i < n && k + 2 < size; i++) {
        buf[k++] = digits[i];
        if ((n - i - 1) % 3 == 0 && i + 1 < n)
            buf[k++] = ',';
    }
    buf[k] = '\0';
}

/* "3,753 (3,719 to 3,786)" */
static void amount_estimate(char *buf, size_t size, double mean, double ci)
{
    char a[48], lo[48], hi[48];
    amount_text(a, sizeof a, mean);
    if (isnan(ci) || isnan(mean)) {
        snprintf(buf, size, "%s", a);
        return;
    }
    amount_text(lo, sizeof lo, mean - ci);
    amount_text(hi, sizeof hi, mean + ci);
    snprintf(buf, size, "%s (%s to %s)", a, lo, hi);
}

static int point_has_costs(const page *p, size_t i)
{
    const an_metric_summary *c = metric(p, i, "cost_per_year");
    return c && c->total_num > 0;
}

static const an_comparison *comparison_row(const an_comparison *rows, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(rows[i].metric, name))
            return &rows[i];
    return NULL;
}

/* "Against B, A costs about 390,997 more a year (...) and accommodates
 * about 35 more households a year (...): about 11,068 (...) for each
 * extra household accommodated." from compare's paired differences. */
static void extra_cost_sentence(FILE *o, const page *p, size_t a, size_t b)
{
    an_comparison *rows = NULL;
    size_t n = 0;
    if (an_compare_points(&p->pts[b], &p->pts[a], a, &rows, &n) != SIM_OK)
        return;
    const an_comparison *cy = comparison_row(rows, n, "cost_per_year"),
                        *pl = comparison_row(rows, n, "placed"),
                        *ex = comparison_row(rows, n, AN_EXTRA_COST_METRIC);
    if (cy && !isnan(cy->d.diff)) {
        char t[160];
        fputs("<p>Against ", o);
        h(o, p->heading[b]);
        fputs(", ", o);
        h(o, p->heading[a]);
        amount_estimate(t, sizeof t, fabs(cy->d.diff), cy->d.ci95);
        fputs(" costs about ", o);
        h(o, t);
        fputs(cy->d.diff >= 0 ? " more a year" : " less a year", o);
        if (pl && pl->households && !isnan(pl->per_year.diff)) {
            double k = pl->per_year.diff, ci = pl->per_year.ci95;
            fputs(" and accommodates", o);
            households_estimate(o, k, ci, "");
            if (!isnan(ci))
                fputc(')', o);
        }
        if (ex && !isnan(ex->d.diff)) {
            amount_estimate(t, sizeof t, ex->d.diff, ex->d.ci95);
            fputs(": about ", o);
            h(o, t);
            fputs(" for each extra household accommodated (the extra cost over the extra "
                  "households, paired over the same replications, with a delta-method 95% "
                  "interval)", o);
        } else if (ex) {
            fputs(": no household more or fewer is accommodated, so there is no cost per extra "
                  "household", o);
        }
        fputs(".</p>\n", o);
    }
    free(rows);
}

static const char *const cost_rows[] = {"cost_per_year", "cost_per_accommodated"};

/* Costs (issue 13's metrics) whenever a point has any; else one sentence
 * saying why there is no section. */
static void section_costs(FILE *o, const page *p)
{
    size_t with = 0;
    for (size_t j = 0; j < p->m; j++)
        with += point_has_costs(p, p->pt[j]);
    if (!with) {
        fputs("<p class=\"note\" id=\"no-costs\">No costs: the scenario gives no <code>cost</code> "
              "(per unit a year, per placement) for any service or block, so this report shows "
              "none.</p>\n", o);
        return;
    }
    fputs("<section class=\"costs\">\n<h2>Costs</h2>\n", o);
    for (size_t j = 0; j < p->m; j++) {
        size_t i = p->pt[j];
        if (!point_has_costs(p, i))
            continue;
        const an_metric_summary *y = metric(p, i, "cost_per_year"),
                                *c = metric(p, i, "cost_per_accommodated");
        char t[160];
        fputs("<p class=\"cost\">At ", o);
        h(o, p->heading[i]);
        amount_estimate(t, sizeof t, y->s.mean, y->s.ci95);
        fputs(" the units in service and the placements cost about ", o);
        h(o, t);
        fputs(" a year", o);
        if (c && !isnan(c->s.mean)) {
            amount_estimate(t, sizeof t, c->s.mean, c->s.ci95);
            fputs(": about ", o);
            h(o, t);
            fputs(" per household accommodated", o);
        }
        fputs(".</p>\n", o);
    }
    if (p->m > 1 && p->pts[p->pt[0]].num)
        for (size_t j = 1; j < p->m; j++)
            extra_cost_sentence(o, p, p->pt[j], p->pt[0]);
    for (size_t from = 0; from < p->m; from += TABLE_COLUMNS) {
        size_t k = p->m - from < TABLE_COLUMNS ? p->m - from : TABLE_COLUMNS;
        finished_head(o, p, from, k);
        for (size_t r = 0; r < sizeof cost_rows / sizeof *cost_rows; r++) {
            fputs("<tr><td>", o); /* no unit: the note below says what the amounts are in */
            h(o, rf_metric_label(cost_rows[r]));
            fputs("</td>", o);
            for (size_t j = 0; j < k; j++) {
                const an_metric_summary *m = metric(p, p->pt[from + j], cost_rows[r]);
                char t[160];
                amount_estimate(t, sizeof t, m ? m->s.mean : NAN, m ? m->s.ci95 : NAN);
                fputs("<td>", o);
                h(o, t);
                fputs("</td>", o);
            }
            fputs("</tr>\n", o);
        }
        fputs("</tbody>\n</table>\n", o);
    }
    fputs("<p class=\"note\">Costs are in the currency of the scenario's <code>cost</code> values "
          "(the program adds no currency; the shipped examples use pounds): each unit's days in "
          "service at its cost per unit a year, and each placement at its cost per placement. "
          "Cost a year and cost per household accommodated are ratios of sums over the "
          "replications with delta-method 95% intervals; a point whose scenario gives no costs "
          "shows 0.</p>\n</section>\n", o);
}

/* More values than this (hundreds of areas, their services' blocks): the
 * list items' unmarked values and defaults are left out, with a sentence. */
#define ASSUMPTION_ROWS_MAX 400

/* A list item's value (its key holds "[") that carries no mark: nothing
 * a reader checks against a source. */
static int unmarked_item(const an_assumption *a)
{
    return strchr(a->path, '[') && (a->mark == AN_MARK_DEFAULT || a->mark == AN_MARK_NONE);
}

static void section_assumptions(FILE *o, const page *p)
{
    fputs("<section class=\"assumptions\">\n<h2>Assumptions</h2>\n", o);
    an_assumption *a = NULL;
    size_t n = 0;
    if (!p->resolved || an_assumptions(p->resolved, p->source, &a, &n) != SIM_OK) {
        fputs("<p class=\"note\">The scenario could not be read from the results file.</p>\n"
              "</section>\n", o);
        return;
    }
    size_t count[AN_MARK_N] = {0};
    for (size_t i = 0; i < n; i++)
        count[a[i].mark]++;
    if (!p->source) {
        fputs("<p class=\"note\">This results file does not hold the scenario file as written "
              "(with its comments), so the values below carry no source marks.</p>\n", o);
    } else {
        char *src = an_scenario_sources(p->source);
        if (src && src[0]) {
            fputs("<p>Sources the scenario file cites:</p>\n<ul>\n", o);
            for (char *l = src; l && *l;) {
                char *e = strchr(l, '\n');
                if (e)
                    *e = '\0';
                fputs("<li>", o);
                h(o, l);
                fputs("</li>\n", o);
                l = e ? e + 1 : NULL;
            }
            fputs("</ul>\n", o);
        }
        free(src);
        fprintf(o, "<p>Every value of the scenario (point 1; a sweep changes the varied keys), with "
                   "the mark its comment in the scenario file gives it: <b>source</b> (taken from a "
                   "cited source, %zu values), <b>ASSUMED</b> (a stated judgement, %zu), "
                   "<b>TUNED</b> (fitted to a published figure, %zu), <b>CHOSEN</b> (a judgement "
                   "made so that the model can meet its target, %zu), note (a comment without a "
                   "mark, %zu), not marked (%zu), and default (not in the file: the program's "
                   "default, %zu). A comment in italics is its section's.</p>\n",
                count[AN_MARK_SOURCE], count[AN_MARK_ASSUMED], count[AN_MARK_TUNED],
                count[AN_MARK_CHOSEN], count[AN_MARK_NOTE], count[AN_MARK_NONE],
                count[AN_MARK_DEFAULT]);
    }
    size_t left_out = 0;
    if (n > ASSUMPTION_ROWS_MAX)
        for (size_t i = 0; i < n; i++)
            left_out += unmarked_item(&a[i]);
    if (left_out)
        fprintf(o, "<p class=\"note\">Of the scenario's %zu values, the %zu of its lists' items "
                   "(areas, services, blocks) that carry no mark (not marked, or the program's "
                   "default) are left out here; the results file holds the whole scenario "
                   "(<code>/scenario</code>).</p>\n", n, left_out);
    fputs("<table class=\"assumptions\">\n<thead><tr><th>Scenario key</th><th class=\"l\">Value</th>"
          "<th class=\"l\">Mark</th><th class=\"l\">Comment in the scenario file</th></tr></thead>\n"
          "<tbody>\n", o);
    for (size_t i = 0; i < n; i++) {
        if (left_out && unmarked_item(&a[i]))
            continue;
        fputs("<tr><td><code>", o);
        h(o, a[i].path);
        fputs("</code></td><td class=\"l\">", o);
        h(o, a[i].value);
        /* a class is one word: "not marked" becomes mark-not-marked */
        fputs("</td><td class=\"l mark-", o);
        for (const char *c = an_mark_name(a[i].mark); *c; c++)
            fputc(*c == ' ' ? '-' : *c, o);
        fputs("\">", o);
        h(o, an_mark_name(a[i].mark));
        fputs(a[i].inherited ? "</td><td class=\"l\"><i>" : "</td><td class=\"l\">", o);
        h(o, a[i].comment);
        fputs(a[i].inherited ? "</i></td></tr>\n" : "</td></tr>\n", o);
    }
    fputs("</tbody>\n</table>\n</section>\n", o);
    an_assumptions_free(a, n);
}

static void check_row(FILE *o, const char *item, const char *text)
{
    fputs("<tr><td>", o);
    h(o, item);
    fputs("</td><td class=\"l\">", o);
    h(o, text);
    fputs("</td></tr>\n", o);
}

static void section_checklist(FILE *o, const page *p)
{
    fputs("<section class=\"checklist\">\n<h2>Checklist of the study (STRESS-DES)</h2>\n"
          "<p>After the Strengthening the Reporting of Empirical Simulation Studies guidelines for "
          "discrete-event simulation (STRESS-DES).</p>\n<table>\n<thead><tr><th>Item</th>"
          "<th class=\"l\">This study</th></tr></thead>\n<tbody>\n", o);
    char t[2048];
    const an_h5_point_row *r0 = p->n ? an_h5_point_at(p->f, 0) : NULL;
    fputs("<tr><th colspan=\"2\" class=\"l\">1. Objectives</th></tr>\n", o);
    snprintf(t, sizeof t, "How many refuge spaces, of which kinds, meet demand: the scenario %s%s",
             p->scenario[0] ? p->scenario : "(unnamed)",
             p->info->n_vary ? ", over the values in The question" : "");
    check_row(o, "Purpose", t);
    check_row(o, "Outputs", "Outcome of every referral (placed at once or after a wait, refused for "
                            "lack of space, no suitable unit, gave up the wait, screened out, "
                            "still waiting), waits, waiting list, occupancy, downtime, units "
                            "blocked by move-on; overall, per service and per household group.");
    fputs("<tr><th colspan=\"2\" class=\"l\">2. Model logic</th></tr>\n", o);
    check_row(o, "Base model",
              "Discrete-event simulation: referrals arrive (Poisson, with growth and seasonality), "
              "are screened, matched to a free unit that suits the household (size, boys' ages, "
              "wheelchair, no recourse to public funds, male victims, pets, security, support, "
              "specialism, area), or wait (with patience) or are refused; stays end in move-on, "
              "whose delay keeps the unit blocked, then turnaround and maintenance downtime.");
    check_row(o, "Validation", "The engine is checked against queueing theory (Erlang B, C and A, "
                               "Little's law) and conservation of referrals by the test suite.");
    fputs("<tr><th colspan=\"2\" class=\"l\">3. Data</th></tr>\n", o);
    check_row(o, "Sources and assumptions", p->source ? "Every input with its mark (source, ASSUMED, "
                                                        "TUNED, CHOSEN, default): see Assumptions."
                                                      : "The scenario values are listed under "
                                                        "Assumptions (their source marks are not "
                                                        "stored in this file).");
    fputs("<tr><th colspan=\"2\" class=\"l\">4. Experimentation</th></tr>\n", o);
    if (r0) {
        fprintf(o, "<tr><td>Warm-up</td><td class=\"l\">%.0f days, discarded: the units start "
                   "empty and fill. ", r0->warmup_days);
        steady_words(o, p, 0);
        fputs("</td></tr>\n<tr><td>Steady state</td><td class=\"l\">", o);
        steady_words(o, p, 1);
        fputs("</td></tr>\n", o);
        snprintf(t, sizeof t, "%.0f days (%.1f years) counted after the warm-up", r0->horizon_days,
                 r0->horizon_days / DAYS_PER_YEAR);
        check_row(o, "Run length", t);
    }
    if (p->info->precision) {
        fputs("<tr><td>Replications</td><td class=\"l\">To a precision (the replication algorithm "
              "of Hoad, Robinson and Davies, 2010): ", o);
        precision_words(o, p->info->precision);
        fputs("; ", o);
        precision_batches(o, p);
        fputs(", stopping once every target has held over a look-ahead of further batches. "
              "Taken: ", o);
        for (size_t i = 0; i < p->n; i++) {
            char r[128];
            reps_text(r, sizeof r, p, i);
            fputs(i ? "; " : "", o);
            h(o, p->heading[i]);
            fputs(": ", o);
            h(o, r);
        }
        fputs(". 95% confidence intervals: ratio-of-sums estimators with delta-method intervals "
              "for shares and waits, Student t for means.</td></tr>\n", o);
    } else {
        snprintf(t, sizeof t, "%zu per point (the fewest of any point); 95%% confidence intervals: "
                 "ratio-of-sums estimators with delta-method intervals for shares and waits, "
                 "Student t for means", p->min_reps);
        check_row(o, "Replications", t);
    }
    check_row(o, "Common random numbers",
              p->n > 1 ? "Yes: replication r of every point uses the same random streams, and "
                         "every random number about a household comes from that household's own "
                         "stream, so the points see the same households."
                       : "One point: each household's random numbers come from its own stream.");
    fputs("<tr><th colspan=\"2\" class=\"l\">5. Implementation</th></tr>\n", o);
    snprintf(t, sizeof t, "refugesim %s", p->info->refugesim_version);
    check_row(o, "Software", t);
    check_row(o, "Commit", p->info->git_commit);
    check_row(o, "Random number generator", p->info->rng);
    snprintf(t, sizeof t, "%llu; replication r draws from streams keyed by (seed, r)",
             (unsigned long long)p->info->seed);
    check_row(o, "Seed", t);
    snprintf(t, sizeof t, "%d thread%s, %d rank%s (the results are the same bits for any count)",
             p->info->threads, p->info->threads == 1 ? "" : "s", p->info->ranks,
             p->info->ranks == 1 ? "" : "s");
    check_row(o, "Computing", t);
    fputs("<tr><th colspan=\"2\" class=\"l\">6. Code access</th></tr>\n", o);
    check_row(o, "Reproduce", "refugesim rerun on the results file repeats every point from the "
                              "scenario stored in it and says whether every figure is the same.");
    fputs("</tbody>\n</table>\n</section>\n", o);
}

static void section_provenance(FILE *o, const page *p)
{
    fputs("<section class=\"provenance\">\n<h2>Provenance</h2>\n<table>\n<tbody>\n", o);
    check_row(o, "Results file", p->source_name ? p->source_name : "");
    check_row(o, "Command line", p->info->command_line);
    check_row(o, "Created", p->info->created_utc);
    char t[128];
    snprintf(t, sizeof t, "refugesim %s (commit %s), results format %d", p->info->refugesim_version,
             p->info->git_commit, p->info->format_version);
    check_row(o, "Version", t);
    check_row(o, "Complete", p->info->complete ? "yes" : "no: the run was interrupted");
    fputs("</tbody>\n</table>\n</section>\n</body>\n</html>\n", o);
}

/* MSER-5 and the overload test (an_steady) on point i's stored monthly
 * occupancy, waiting list and refusals, replication by replication. */
static void steady_of_point(an_h5_file *f, size_t i, point_steady *out)
{
    memset(out, 0, sizeof *out);
    static const char *const which[3] = {"occupied", "waiting", "refused"};
    double *d[3] = {NULL, NULL, NULL};
    size_t nr[3], nm[3];
    int ok = 1;
    for (int k = 0; k < 3; k++)
        ok &= an_h5_read_monthly(f, i, which[k], &d[k], &nr[k], &nm[k]) == SIM_OK;
    size_t n = ok ? nr[0] : 0, months = ok ? nm[0] : 0;
    ok = ok && n && months && nr[1] == n && nr[2] == n && nm[1] == months && nm[2] == months;
    if (months > RF_MONTHS_MAX)
        months = RF_MONTHS_MAX;
    rf_result *recs = ok ? calloc(n, sizeof *recs) : NULL;
    unsigned char *done = ok ? calloc(n, 1) : NULL;
    if (recs && done) {
        /* the units in service, where the file has them: a change of them
         * is not a warm-up left over (an_steady) */
        double *units = NULL;
        size_t ur = 0, um = 0;
        if (an_h5_read_monthly(f, i, "units", &units, &ur, &um) != SIM_OK || ur != n
            || um != nm[0]) {
            free(units);
            units = NULL;
        }
        for (size_t r = 0; r < n; r++) {
            size_t m = 0;
            while (m < months && !isnan(d[0][r * nm[0] + m]) && !isnan(d[1][r * nm[0] + m])
                   && !isnan(d[2][r * nm[0] + m])) {
                recs[r].monthly_occupied[m] = d[0][r * nm[0] + m];
                recs[r].monthly_waiting[m] = d[1][r * nm[0] + m];
                recs[r].monthly_refused[m] = (uint32_t)d[2][r * nm[0] + m];
                recs[r].monthly_units[m] = units ? units[r * nm[0] + m] : 0;
                m++;
            }
            recs[r].n_months = (int)m;
            done[r] = m > 0;
        }
        free(units);
        an_steady st;
        if (an_steady_from_results(&st, recs, done, n) == SIM_OK && st.n_months) {
            out->known = 1;
            out->truncate_months = st.transient_left ? st.truncate_months : 0;
            out->change_month = st.cut_hidden_by_change ? st.units_change_month : 0;
            out->overloaded = st.overloaded;
        }
        an_steady_free(&st);
    }
    free(recs);
    free(done);
    for (int k = 0; k < 3; k++)
        free(d[k]);
}

/* ------------------------------------------------------ the page -- */

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[4400];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(dir);
}

static int write_page(FILE *o, page *p)
{
    head(o, p);
    section_question(o, p);
    section_answer(o, p);
    section_measures(o, p);
    section_differences(o, p);
    section_network(o, p);
    section_groups(o, p);
    section_time(o, p);
    section_costs(o, p);
    section_assumptions(o, p);
    section_checklist(o, p);
    section_provenance(o, p);
    return ferror(o) ? SIM_EIO : SIM_OK;
}

int an_html_write(const char *path, int force, an_h5_file *f, const an_point_summary *pts,
                  size_t n_pts, const an_html_opts *opts)
{
    an_output_problem problem = an_output_check(path, force, NULL);
    if (problem != AN_OUT_OK)
        return an_output_problem_status(problem);
    int st;
    page p = {.f = f, .info = an_h5_get_info(f), .pts = pts, .n = n_pts, .min_reps = (size_t)-1,
              .source_name = opts ? opts->source_name : NULL};
    p.pt = malloc((n_pts + 1) * sizeof *p.pt);
    p.heading = malloc((n_pts + 1) * sizeof *p.heading);
    if (!p.pt || !p.heading) {
        free(p.pt);
        free(p.heading);
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < n_pts; i++)
        an_report_point_heading(p.heading[i], sizeof p.heading[i], f, i, &pts[i]);
    p.steady = calloc(n_pts + 1, sizeof *p.steady);
    for (size_t i = 0; p.steady && i < n_pts; i++)
        if (pts[i].n_reps)
            steady_of_point(f, i, &p.steady[i]);
    for (size_t i = 0; i < n_pts; i++)
        if (pts[i].n_reps) {
            p.pt[p.m++] = i;
            if (pts[i].n_reps < p.min_reps)
                p.min_reps = pts[i].n_reps;
        }
    if (!p.m)
        p.min_reps = 0;
    an_report_scenario_name(f, p.scenario, sizeof p.scenario);
    if (an_h5_read_scenario(f, &p.resolved) != SIM_OK)
        p.resolved = NULL;
    if (an_h5_read_scenario_source(f, &p.source) != SIM_OK)
        p.source = NULL;

    /* the plots, as SVG, in a scratch directory */
    char tmp[4096];
    const char *base = opts && opts->tmp_dir ? opts->tmp_dir : getenv("TMPDIR");
    snprintf(tmp, sizeof tmp, "%s/refugesim-html-XXXXXX", base && *base ? base : "/tmp");
    int have_dir = 0;
    p.gnuplot_missing = "Plots left out: gnuplot was not found (apt-get install gnuplot-nox).";
    if (!(opts && opts->gnuplot && !opts->gnuplot[0])) {
        char *gp = opts && opts->gnuplot ? NULL : an_plot_find_gnuplot();
        const char *prog = opts && opts->gnuplot ? opts->gnuplot : gp;
        if (prog && mkdtemp(tmp)) {
            have_dir = 1;
            /* printed some 12 cm wide: a larger font than on a screen */
            an_plot_opts po = {.formats = AN_PLOT_SVG, .no_caption = 1, .gnuplot = prog,
                               .font_points = 17};
            if (an_plot_all(f, pts, n_pts, tmp, &po, &p.plots) == SIM_OK)
                p.plot_dir = tmp;
            else
                p.gnuplot_missing = "Plots left out: gnuplot failed to draw them.";
        }
        free(gp);
    } else {
        p.gnuplot_missing = "Plots left out (no plots asked for).";
    }

    char tpath[4200];
    snprintf(tpath, sizeof tpath, "%s.tmp.%ld", path, (long)getpid());
    FILE *o = fopen(tpath, "w");
    if (!o) {
        st = errno == ENOENT ? SIM_ENOTFOUND : SIM_EIO;
    } else {
        st = write_page(o, &p);
        if (fflush(o) != 0 || fsync(fileno(o)) != 0)
            st = st ? st : SIM_EIO;
        st = an_report_fclose(o, st);
        if (!st && rename(tpath, path) != 0)
            st = SIM_EIO;
        if (st)
            unlink(tpath);
    }
    if (have_dir)
        remove_dir(tmp);
    free(p.resolved);
    free(p.source);
    free(p.pt);
    free(p.heading);
    free(p.steady);
    return st;
}
