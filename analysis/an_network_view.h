/* an_network_view: what a person reads of a network point besides the
 * area_summary, shared by the printed tables (an_summary) and the HTML
 * page (an_html): households a year of an area's shares, the areas shown
 * when there are too many to list, and the largest flows when the full
 * origin-destination matrix would be too wide to read.
 *
 * The rule, the same in a terminal and on the page: up to
 * AN_FLOW_MATRIX_MAX areas the full matrix (origin by row, destination by
 * column); beyond, the AN_FLOW_TOP largest flows (placements a year, mean
 * over replications), largest first, with a sentence saying how many flows
 * with any placement are left out and how many placements a year they
 * hold.  The results file always has every flow (flow_summary). */
#ifndef AN_NETWORK_VIEW_H
#define AN_NETWORK_VIEW_H

#include <stddef.h>
#include <stdio.h>
#include "an_summary.h"

#define AN_FLOW_MATRIX_MAX 12   /* areas: the full matrix up to this many */
#define AN_FLOW_TOP 30          /* beyond it: this many largest flows */
#define AN_AREA_ROWS 30         /* areas listed in a table (terminal and page) */

typedef struct {
    int origin, destination;
    sim_summary s;              /* placements a year (mean, 95% half-width) */
} an_flow_row;

typedef struct {
    an_flow_row *rows;          /* owned, n_rows, largest first (ties: origin, then destination) */
    size_t n_rows;
    size_t n_flows;             /* pairs with any placement in any replication */
    double left_per_year;       /* placements a year in the n_flows - n_rows left out */
} an_top_flows;

/* The at most max largest flows of ps (every pair with a placement when
 * max >= n_flows).  SIM_ENOMEM (out then holds nothing to free). */
int an_top_flows_of(const an_point_summary *ps, size_t max, an_top_flows *out);
void an_top_flows_free(an_top_flows *t);

/* Households a year behind area a's measure m (a = -1: all areas): its
 * numerator a year (residents placed, refused, ...; placements from
 * elsewhere), mean over replications with its Student t interval; NAN
 * (mean) for measures that count no households (units, occupancy) or are
 * already a year. */
void an_area_households(const an_point_summary *ps, int a, an_area_measure m, sim_summary *out);

/* The areas to list when there are more than max: into idx (room for
 * max) the max areas with the most referrals a year (mean over
 * replications), in the order of the scenario; all areas when they fit.
 * Returns how many. */
size_t an_areas_shown(const an_point_summary *ps, size_t max, int *idx);

/* The printed sentence under a table that lists shown of n areas (none
 * when every area is listed): how many are left out and where they are. */
void an_print_areas_left_out(FILE *f, size_t shown, size_t n);

/* The printed form of the largest flows (more than AN_FLOW_MATRIX_MAX
 * areas): a heading naming the point, a row per flow (from, to,
 * placements a year "12.3 ± 1.4"), the sentence of what is left out. */
void an_print_top_flows(FILE *f, const an_point_summary *ps);

#endif
