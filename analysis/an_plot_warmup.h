/* an_plot_warmup: the plots of `refugesim warmup --plot`: the monthly
 * occupancy and waiting list from day 0 (an_steady), MSER-5's cut and the
 * scenario's warm-up marked, drawn by gnuplot (an_plot_run). */
#ifndef AN_PLOT_WARMUP_H
#define AN_PLOT_WARMUP_H

#include "an_plot.h"
#include "an_steady.h"

/* warmup_occupancy and warmup_waiting (formats: AN_PLOT_PNG | AN_PLOT_SVG)
 * from warmup.dat and warmup.gp, messages in warmup.log, into dir;
 * warmup_months 0: no warm-up marked.  gnuplot NULL: search PATH.
 * SIM_ENOTFOUND: dir or gnuplot missing; SIM_EIO: a write or gnuplot failed. */
int an_plot_warmup(const an_steady *a, double warmup_months, const char *dir, int formats,
                   const char *gnuplot);

#endif
