/* an_html: the report a commissioner can print, one self-contained HTML
 * page made from a results file alone.
 *
 * Sections, in order (README.md, "report --html", says what each holds):
 *   the question, the answer (plain sentences with 95% intervals), the
 *   measures, differences from the baseline (two or more points: each
 *   point minus the first, paired under common random numbers), who is
 *   refused most, over time (results by year when the file holds them),
 *   costs (when a point has any: the metrics cost_per_year and
 *   cost_per_accommodated, and against the first point the extra cost per
 *   extra household accommodated, an_compare_points; else one sentence
 *   saying why there are none), the
 *   assumptions (every scenario value with its source mark, an_yaml_marks),
 *   a STRESS-DES style checklist, provenance.
 * Plots are gnuplot's SVG (an_plot.h) inlined, their ids made unique per
 * figure; without gnuplot the page says so where the plots would be.  CSS
 * is inline with a print stylesheet (A4, page breaks); nothing is fetched:
 * no scripts, fonts, images or links outside the page.  Every string from
 * the results file passes through one HTML escaping function.
 *
 * The file is written atomically (a temporary sibling, fsynced, renamed). */
#ifndef AN_HTML_H
#define AN_HTML_H

#include <stddef.h>
#include "an_h5.h"
#include "an_summary.h"

typedef struct {
    const char *gnuplot;      /* program; NULL: search PATH; "": no plots */
    const char *source_name;  /* the results file's name as given, for provenance */
    const char *tmp_dir;      /* where plots are drawn (NULL: $TMPDIR or /tmp) */
} an_html_opts;

/* SIM_EEXIST: path exists and force is 0; SIM_ENOTFOUND: its directory is
 * missing; SIM_EIO: writing failed (nothing is left at path). */
int an_html_write(const char *path, int force, an_h5_file *f, const an_point_summary *pts,
                  size_t n_pts, const an_html_opts *opts);

#endif
