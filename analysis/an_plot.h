/* an_plot: report plots drawn by gnuplot (PNG and SVG).
 *
 * Writes gnuplot data files (*.dat), the script (plots.gp) and gnuplot's
 * messages (plots.log) into dir, then runs gnuplot there:
 *   capacity_refused   refused share against spaces (or the varied key), 95% CI band  (>= 2 points)
 *   capacity_wait      mean wait of placed households, 95% CI band                   (>= 2 points)
 *   monthly_waiting    waiting list by month: mean and 10-90th percentile band over replications
 *   monthly_occupancy  occupancy by month, same bands
 *   groups_not_accommodated  share of each household group not accommodated (no space,
 *                      no suitable unit, gave up) among its referrals not screened out,
 *                      with 95% CI bars
 * Monthly and group plots show every point when there are at most 4, else
 * the first, middle and last. */
#ifndef AN_PLOT_H
#define AN_PLOT_H

#include <stddef.h>
#include "an_h5.h"
#include "an_steady.h"
#include "an_summary.h"

enum { AN_PLOT_PNG = 1, AN_PLOT_SVG = 2 };

/* The gnuplot program found on PATH (malloc'd, caller frees) or NULL. */
char *an_plot_find_gnuplot(void);

/* formats: AN_PLOT_PNG | AN_PLOT_SVG.  gnuplot: program path (NULL = search
 * PATH).  SIM_ENOTFOUND: gnuplot missing (the CLI suggests
 * `apt-get install gnuplot-nox`) or dir missing; SIM_EIO: gnuplot failed
 * (see dir/plots.log) or a file could not be written. */
int an_plot_all(an_h5_file *f, const an_point_summary *pts, size_t n_pts, const char *dir,
                int formats, const char *gnuplot);

/* refugesim warmup --plot: warmup_occupancy and warmup_waiting (PNG, SVG)
 * from warmup.dat and warmup.gp (messages in warmup.log), each monthly
 * mean series with MSER-5's cut and the scenario's warm-up (in months; 0:
 * none) marked.  Errors as an_plot_all's. */
int an_plot_warmup(const an_steady *a, double warmup_months, const char *dir, int formats,
                   const char *gnuplot);

#endif
