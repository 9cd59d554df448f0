#include "an_html_network.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "an_compare_areas.h"
#include "an_network_view.h"
#include "sim_text.h"

/* Every area name enters the page here (sim_text's HTML escaping). */
static void h(FILE *o, const char *s)
{
    sim_text_put(o, SIM_TEXT_HTML, s);
}

/* A count or a level: three significant figures up to 100, whole above;
 * signed: with its sign (a difference). */
static void fig_text(char *buf, size_t size, double v, int sign)
{
    double a = fabs(v);
    if (sign)
        snprintf(buf, size, a >= 99.95 ? "%+.0f" : a >= 9.995 ? "%+.1f" : "%+.2f", v);
    else
        snprintf(buf, size, a >= 99.95 ? "%.0f" : a >= 9.995 ? "%.1f" : "%.2f", v);
}

static void num_text(char *buf, size_t size, double v)
{
    fig_text(buf, size, v, 0);
}

static void area_name(FILE *o, const an_point_summary *ps, int a)
{
    if (a < 0)
        fputs("all areas", o);
    else
        h(o, ps->area_names[a]);
}

/* A cell: the estimate, below it its 95% interval, below that (when
 * known) the households a year behind a share. */
static void cell(FILE *o, const sim_summary *s, int percent, const sim_summary *hh)
{
    char a[48], lo[48], hi[48];
    if (isnan(s->mean)) {
        fputs("<td>-</td>", o);
        return;
    }
    double k = percent ? 100 : 1;
    if (percent)
        snprintf(a, sizeof a, "%.1f%%", k * s->mean);
    else
        num_text(a, sizeof a, s->mean);
    fprintf(o, "<td>%s", a);
    if (!isnan(s->ci95) && s->ci95 > 0) {
        if (percent) { /* a share's interval shown inside [0, 100%] */
            snprintf(lo, sizeof lo, "%.1f", k * fmax(0, s->mean - s->ci95));
            snprintf(hi, sizeof hi, "%.1f", k * fmin(1, s->mean + s->ci95));
        } else {
            num_text(lo, sizeof lo, fmax(0, s->mean - s->ci95)); /* counts are never negative */
            num_text(hi, sizeof hi, s->mean + s->ci95);
        }
        fprintf(o, "<br><span class=\"ci\">%s to %s</span>", lo, hi);
    }
    if (hh && !isnan(hh->mean)) {
        num_text(a, sizeof a, hh->mean);
        fprintf(o, "<br><span class=\"hh\">%s a year</span>", a);
    }
    fputs("</td>", o);
}

typedef struct {
    an_area_measure m;
    const char *heading;
    int percent;
} column;

static const column residents_cols[] = {
    {AN_AREA_REFERRALS_PER_YEAR, "Referrals a year", 0},
    {AN_AREA_PLACED, "Placed", 1},
    {AN_AREA_REFUSED, "Refused: no space", 1},
    {AN_AREA_NO_SUITABLE, "No suitable unit", 1},
    {AN_AREA_DECLINED, "Declined an offer", 1},
    {AN_AREA_NOT_ACCOMMODATED, "Not placed (any reason)", 1},
    {AN_AREA_PLACED_AWAY, "Placed in another area, of those placed", 1},
};
static const column units_cols[] = {
    {AN_AREA_UNITS, "Units in service", 0},
    {AN_AREA_PLACEMENTS_IN, "Placements into its units a year", 0},
    {AN_AREA_FROM_ELSEWHERE, "Residents of other areas, of those placements", 1},
    {AN_AREA_OCCUPANCY, "Occupancy of its units", 1},
};

static void area_row(FILE *o, const an_point_summary *ps, int a, const column *cols, size_t nc)
{
    fputs(a < 0 ? "<tr class=\"total\"><td>" : "<tr><td>", o);
    area_name(o, ps, a);
    fputs("</td>", o);
    for (size_t c = 0; c < nc; c++) {
        sim_summary s, hh;
        an_area_summary(ps, a, cols[c].m, &s);
        an_area_households(ps, a, cols[c].m, &hh);
        cell(o, &s, cols[c].percent, &hh);
    }
    fputs("</tr>\n", o);
}

static void area_table(FILE *o, const an_point_summary *ps, const int *idx, size_t n,
                       const column *cols, size_t nc)
{
    fputs("<table class=\"net\">\n<thead><tr><th>Area</th>", o);
    for (size_t c = 0; c < nc; c++)
        fprintf(o, "<th>%s</th>", cols[c].heading);
    fputs("</tr></thead>\n<tbody>\n", o);
    for (size_t i = 0; i < n; i++)
        area_row(o, ps, idx[i], cols, nc);
    area_row(o, ps, -1, cols, nc);
    fputs("</tbody>\n</table>\n", o);
}

/* "The 30 areas with the most referrals of the 400 are shown ..." */
static void left_out_areas(FILE *o, const an_point_summary *ps, const int *idx, size_t n,
                           const char *what)
{
    size_t na = (size_t)ps->n_areas;
    if (n >= na)
        return;
    double shown = 0;
    for (size_t i = 0; i < n; i++) {
        sim_summary s;
        an_area_summary(ps, idx[i], AN_AREA_REFERRALS_PER_YEAR, &s);
        shown += s.mean;
    }
    sim_summary all;
    an_area_summary(ps, -1, AN_AREA_REFERRALS_PER_YEAR, &all);
    char t[48];
    num_text(t, sizeof t, all.mean - shown);
    fprintf(o, "<p class=\"note\">%s the %zu areas with the most referrals of the %zu, in the "
               "scenario's order; the other %zu areas (%s referrals a year together) are left out "
               "here and counted in “all areas”. The results file holds every area "
               "(<code>area_summary</code>; <code>refugesim report --csv</code> writes "
               "<code>area_summary.csv</code>).</p>\n",
            what, n, na, na - n, t);
}

/* The national totals in words, from the "all areas" row. */
static void national(FILE *o, const an_point_summary *ps)
{
    sim_summary ref, placed, away, units, in, occ, hp, ha;
    an_area_summary(ps, -1, AN_AREA_REFERRALS_PER_YEAR, &ref);
    an_area_summary(ps, -1, AN_AREA_PLACED, &placed);
    an_area_summary(ps, -1, AN_AREA_PLACED_AWAY, &away);
    an_area_summary(ps, -1, AN_AREA_UNITS, &units);
    an_area_summary(ps, -1, AN_AREA_PLACEMENTS_IN, &in);
    an_area_summary(ps, -1, AN_AREA_OCCUPANCY, &occ);
    an_area_households(ps, -1, AN_AREA_PLACED, &hp);
    an_area_households(ps, -1, AN_AREA_PLACED_AWAY, &ha);
    char r[48], u[48], q[48], x[48], y[48];
    num_text(r, sizeof r, ref.mean);
    num_text(u, sizeof u, units.mean);
    num_text(q, sizeof q, in.mean);
    num_text(x, sizeof x, hp.mean);
    num_text(y, sizeof y, ha.mean);
    fprintf(o, "<p>All %d areas together: %s referrals a year; %.1f%% of them placed (%.1f%% to "
               "%.1f%%, %s households a year), %.1f%% of those placed in another area than their "
               "own (%.1f%% to %.1f%%, %s a year); %s units in service took %s placements a year "
               "at %.1f%% occupancy.</p>\n",
            ps->n_areas, r, 100 * placed.mean, 100 * (placed.mean - placed.ci95),
            100 * (placed.mean + placed.ci95), x, 100 * away.mean, 100 * (away.mean - away.ci95),
            100 * (away.mean + away.ci95), y, u, q, 100 * occ.mean);
}

static void flow_matrix(FILE *o, const an_point_summary *ps)
{
    int na = ps->n_areas, blank = 0;
    fputs("<table class=\"net flows\">\n<thead><tr><th>From \\ to</th>", o);
    for (int d = 0; d < na; d++) {
        fputs("<th>", o);
        h(o, ps->area_names[d]);
        fputs("</th>", o);
    }
    fputs("</tr></thead>\n<tbody>\n", o);
    for (int r = 0; r < na; r++) {
        fputs("<tr><td>", o);
        h(o, ps->area_names[r]);
        fputs("</td>", o);
        for (int d = 0; d < na; d++) {
            if (rf_flow_cell(&ps->flow_layout, r, d) < 0) {
                fputs("<td>·</td>", o);
                blank = 1;
                continue;
            }
            sim_summary s;
            an_flow_summary(ps, r, d, &s);
            cell(o, &s, 0, NULL);
        }
        fputs("</tr>\n", o);
    }
    fputs("</tbody>\n</table>\n", o);
    if (blank)
        fputs("<p class=\"note\">·: the column's area is not acceptable to the row's residents "
              "(too far, or not a neighbour), so none is placed there.</p>\n", o);
}

static void flow_list(FILE *o, const an_point_summary *ps)
{
    an_top_flows t;
    if (an_top_flows_of(ps, AN_FLOW_TOP, &t) != 0)
        return;
    fputs("<table class=\"net\">\n<thead><tr><th>From</th><th class=\"l\">To</th>"
          "<th>Placements a year</th></tr></thead>\n<tbody>\n", o);
    for (size_t i = 0; i < t.n_rows; i++) {
        fputs("<tr><td>", o);
        h(o, ps->area_names[t.rows[i].origin]);
        fputs("</td><td class=\"l\">", o);
        h(o, ps->area_names[t.rows[i].destination]);
        fputs("</td>", o);
        cell(o, &t.rows[i].s, 0, NULL);
        fputs("</tr>\n", o);
    }
    fputs("</tbody>\n</table>\n", o);
    char left[48];
    num_text(left, sizeof left, t.left_per_year);
    if (t.n_rows < t.n_flows)
        fprintf(o, "<p class=\"note\">The %zu largest of the %zu flows between the %d areas with "
                   "any placement; the other %zu (%s placements a year together) are left out "
                   "here. The results file holds every flow (<code>flow_summary</code>; "
                   "<code>refugesim report --csv</code> writes <code>flow_summary.csv</code>).</p>\n",
                t.n_rows, t.n_flows, ps->n_areas, t.n_flows - t.n_rows, left);
    else
        fprintf(o, "<p class=\"note\">Every one of the %zu flows with any placement between the "
                   "%d areas, largest first.</p>\n", t.n_flows, ps->n_areas);
    an_top_flows_free(&t);
}

static void point_tables(FILE *o, const an_html_net *p, size_t i)
{
    const an_point_summary *ps = &p->pts[i];
    size_t na = (size_t)ps->n_areas;
    int *idx = malloc((na < AN_HTML_AREA_ROWS ? na : AN_HTML_AREA_ROWS) * sizeof *idx + 1);
    if (!idx)
        return;
    size_t n = an_areas_shown(ps, AN_HTML_AREA_ROWS, idx);
    fputs("<h3>", o);
    h(o, p->heading[i]);
    fputs("</h3>\n", o);
    national(o, ps);
    fputs("<p class=\"sub\">The residents of each area: shares of their referrals (placed in another "
          "area: of those placed), each with its 95% interval below it and the households a year "
          "below that.</p>\n", o);
    area_table(o, ps, idx, n, residents_cols, sizeof residents_cols / sizeof residents_cols[0]);
    left_out_areas(o, ps, idx, n, "Shown:");
    fputs("<p class=\"sub\">The units in each area, whoever's residents they take: units in service "
          "on average over the horizon, placements into them a year, the share of those placements "
          "that are residents of other areas, and the occupancy of their days in service.</p>\n", o);
    area_table(o, ps, idx, n, units_cols, sizeof units_cols / sizeof units_cols[0]);
    left_out_areas(o, ps, idx, n, "Shown:");
    if (na <= AN_FLOW_MATRIX_MAX) {
        fputs("<p class=\"sub\">Placements a year between areas: residents of the row's area "
              "placed in the column's (95% interval below).</p>\n", o);
        flow_matrix(o, ps);
    } else {
        fputs("<p class=\"sub\">The largest flows of placements a year between areas: residents "
              "of the first area placed in the second (95% interval below).</p>\n", o);
        flow_list(o, ps);
    }
    free(idx);
}

/* "+5.0 points" / "+17.7" over "4.7 to 5.3": the figures `compare` prints
 * (one decimal, whole households from 100). */
static void diff_cell(FILE *o, const sim_ratio_diff *d, int points)
{
    if (isnan(d->diff)) {
        fputs("<td>-</td>", o);
        return;
    }
    double k = points ? 100 : 1, v = k * d->diff;
    int dec = points || fabs(v) < 100 ? 1 : 0;
    if (fabs(v) < 0.5 * pow(10, -dec))
        v = 0;
    fprintf(o, "<td>%+.*f%s", dec, v, points ? " points" : "");
    if (!isnan(d->ci95))
        fprintf(o, "<br><span class=\"ci\">%.*f to %.*f</span>", dec, k * (d->diff - d->ci95), dec,
                k * (d->diff + d->ci95));
    fputs("</td>", o);
}

static const char *const diff_headings[AN_ACMP_N] = {
    "Residents placed (percentage points of their referrals)", "Residents placed a year",
    "Placements into its units a year", "Of them residents of other areas, a year"};

static void diff_row(FILE *o, const an_point_summary *ps, const an_area_comparison *r)
{
    fputs(r->area < 0 ? "<tr class=\"total\"><td>" : "<tr><td>", o);
    area_name(o, ps, r->area);
    fputs("</td>", o);
    for (int m = 0; m < AN_ACMP_N; m++)
        diff_cell(o, &r->d[m], m == AN_ACMP_PLACED);
    fputs("</tr>\n", o);
}

/* Point i minus the baseline b, by area of residence; 0 when they cannot
 * be paired here. */
static int area_differences(FILE *o, const an_html_net *p, size_t b, size_t i)
{
    const an_point_summary *base = &p->pts[b], *alt = &p->pts[i];
    an_area_comparison *rows;
    size_t n;
    if (an_compare_areas(base, alt, &rows, &n) != 0)
        return 0;
    size_t na = (size_t)base->n_areas;
    int *idx = malloc((na < AN_HTML_AREA_ROWS ? na : AN_HTML_AREA_ROWS) * sizeof *idx + 1);
    if (!idx) {
        free(rows);
        return 0;
    }
    size_t k = an_areas_shown(base, AN_HTML_AREA_ROWS, idx);
    fputs("<h3>", o);
    h(o, p->heading[i]);
    fputs(" against ", o);
    h(o, p->heading[b]);
    fputs("</h3>\n<table class=\"net\">\n<thead><tr><th>Area of residence</th>", o);
    for (int m = 0; m < AN_ACMP_N; m++)
        fprintf(o, "<th>%s</th>", diff_headings[m]);
    fputs("</tr></thead>\n<tbody>\n", o);
    for (size_t j = 0; j < k; j++)
        diff_row(o, base, &rows[1 + (size_t)idx[j]]);   /* rows[0] is all areas */
    diff_row(o, base, &rows[0]);
    fputs("</tbody>\n</table>\n", o);
    left_out_areas(o, base, idx, k, "Shown (by the baseline's referrals):");
    free(idx);
    free(rows);
    return 1;
}

void an_html_network_section(FILE *o, const an_html_net *p)
{
    int any = 0;
    for (size_t j = 0; j < p->n_shown && !any; j++)
        any = p->pts[p->shown[j]].n_areas > 0;
    if (!any)
        return;
    fputs("<section class=\"network\">\n<h2>The network of areas</h2>\n"
          "<p>Each area's residents are the households referred from it, wherever they are placed; "
          "its units take households from any area that accepts it. Estimates with their 95% "
          "confidence intervals over the replications (shares pooled over replications).</p>\n", o);
    for (size_t j = 0; j < p->n_shown; j++)
        if (p->pts[p->shown[j]].n_areas > 0)
            point_tables(o, p, p->shown[j]);
    if (p->m >= 2 && p->pts[p->pt[0]].n_areas > 0) {
        fputs("<h3 class=\"diffs\">Differences by the area of residence</h3>\n"
              "<p>Each point minus the baseline on the same replications (common random numbers): "
              "paired differences with their 95% intervals below them. Placements into its units "
              "count whoever's residents they are; of them residents of other areas.</p>\n", o);
        int shown_any = 0;
        for (size_t j = 0; j < p->n_shown; j++)
            if (p->shown[j] != p->pt[0])
                shown_any |= area_differences(o, p, p->pt[0], p->shown[j]);
        if (!shown_any)
            fputs(an_h5_has(p->f, "comparison_areas")
                      ? "<p class=\"note\">The points cannot be paired here (the file lacks their "
                        "replications' numbers); the results file holds the differences "
                        "<code>compare</code> computed as <code>/comparison_areas</code>.</p>\n"
                      : "<p class=\"note\">The points cannot be paired by area (different areas, "
                        "or the file lacks their replications' numbers).</p>\n", o);
    }
    fputs("</section>\n", o);
}
