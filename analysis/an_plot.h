/* an_plot: report plots drawn by gnuplot (PNG and SVG), made to read right.
 *
 * Writes gnuplot data files (*.dat), the script (plots.gp) and gnuplot's
 * messages (plots.log) into dir, then runs gnuplot there:
 *   capacity_refused   not accommodated, of refuge referrals (the headline), against what varies
 *   capacity_wait      mean wait of those placed, against what varies
 *   monthly_waiting    waiting list by month: mean and 10-90th percentile band over replications
 *   monthly_occupancy  occupancy by month, same bands
 *   groups_not_accommodated  share of each household group not accommodated (no space,
 *                      no suitable unit, gave up) among its referrals not screened out,
 *                      bars with 95% intervals
 *
 * The curves (capacity_*) are points with 95% confidence interval bars.
 * The x axis is what varies, in words and units (an_report_key_label):
 * the varied key with the most values; a second varied key gives one line
 * per level, a third one panel per level (small multiples); more than
 * three keys are not plotted.  Points without a varied key are placed at
 * their total spaces when those differ, else side by side by label.
 * Lines: two neighbouring points are joined only when they are at most a
 * quarter of the x range apart (AN_PLOT_JOIN_FRACTION), so a line needs
 * about five evenly spread points and never crosses a wide gap (a straight
 * line between 21 and 70 spaces would claim values never simulated).
 *
 * Every plot names its scenario, replications and seed in its caption; a
 * plot with nothing to show (one point, nobody waited, no group referred)
 * is left out, and its entry says why.  Monthly and group plots show every
 * point when there are at most 4, else the first, middle and last.
 * Strings from the results file reach the gnuplot script only through one
 * quoting function (sim_text: single-quoted, quotes doubled, control
 * characters made visible; gnuplot expands neither macros nor backquotes
 * there). */
#ifndef AN_PLOT_H
#define AN_PLOT_H

#include <stddef.h>
#include "an_h5.h"
#include "an_summary.h"

enum { AN_PLOT_PNG = 1, AN_PLOT_SVG = 2 };

#define AN_PLOT_JOIN_FRACTION 0.25
#define AN_PLOT_MAX 8

typedef struct {
    char name[40];          /* file stem, e.g. "capacity_refused" */
    char title[200];        /* what the plot shows */
    char caption[600];      /* drawn: scenario, replications, how to read it; else why left out */
    int drawn;
} an_plot_entry;

typedef struct {
    size_t n;
    an_plot_entry e[AN_PLOT_MAX];
} an_plot_list;

typedef struct {
    int formats;            /* AN_PLOT_PNG | AN_PLOT_SVG */
    int no_caption;         /* 1: captions are left to the page that shows the plot (HTML) */
    const char *gnuplot;    /* program path, NULL = search PATH */
    int font_points;        /* 0: 11 (a plot on a screen); larger for a plot printed small */
} an_plot_opts;

/* The gnuplot program found on PATH (malloc'd, caller frees) or NULL. */
char *an_plot_find_gnuplot(void);

/* Run `gnuplot SCRIPT.gp` in dir, its messages into dir/SCRIPT.log
 * (SCRIPT a plain name).  SIM_OK, or SIM_EIO when gnuplot fails. */
int an_plot_run(const char *gnuplot, const char *dir, const char *script);

/* Draws the plots into dir; list (may be NULL) receives every plot, drawn
 * or left out.  SIM_ENOTFOUND: gnuplot missing (the CLI suggests
 * `apt-get install gnuplot-nox`) or dir missing; SIM_EIO: gnuplot failed
 * (see dir/plots.log) or a file could not be written. */
int an_plot_all(an_h5_file *f, const an_point_summary *pts, size_t n_pts, const char *dir,
                const an_plot_opts *opts, an_plot_list *list);

#endif
