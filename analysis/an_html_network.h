/* an_html_network: the HTML page's section on a network of areas (an_html
 * calls it; not API).  For each point shown: its areas' residents (shares
 * of their referrals with 95% intervals and households a year), their
 * units (placements in a year, the share from other areas, occupancy), the
 * national totals, and the placements a year between areas (the full
 * matrix when small, else the largest flows: an_network_view's rule);
 * then, two points or more, each point's paired differences from the
 * first by the area of residence (an_compare_areas, as `compare` prints
 * and stores them in /comparison_areas).  More than AN_HTML_AREA_ROWS
 * areas: the busiest that many, with a sentence saying how many are left
 * out.  Nothing at all when no point has areas. */
#ifndef AN_HTML_NETWORK_H
#define AN_HTML_NETWORK_H

#include <stddef.h>
#include <stdio.h>
#include "an_h5.h"
#include "an_network_view.h"
#include "an_report.h"
#include "an_summary.h"

#define AN_HTML_AREA_ROWS AN_AREA_ROWS /* the terminal's rule */
#define AN_HTML_HEADING_MAX AN_REPORT_HEADING_MAX   /* a point's heading in words, whole */

typedef struct {
    an_h5_file *f;
    const an_point_summary *pts;
    const size_t *pt;           /* the finished points, m of them; the first is the baseline */
    size_t m;
    const size_t *shown;        /* the points whose tables are shown, n_shown of them */
    size_t n_shown;
    char (*heading)[AN_HTML_HEADING_MAX]; /* each point's heading in words */
} an_html_net;

void an_html_network_section(FILE *o, const an_html_net *p);

#endif
