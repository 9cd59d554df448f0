/* rf_scenario_diag: the diagnostics every step of the scenario loader
 * reports into (an rf_diags, see rf_scenario.h); not API.
 *
 * The loader's files call one way only:
 *   rf_scenario.c -> rf_scenario_schema.c -> rf_scenario_tree.c -> rf_scenario_diag.c
 * (rf_scenario.c also calls the tree, the diagnostics and rf_trace.c
 * directly); `make lint` keeps the lower files from including the upper
 * headers. */
#ifndef RF_SCENARIO_DIAG_H
#define RF_SCENARIO_DIAG_H

#include <stdarg.h>
#include "rf_scenario.h"

void rf_diags_addv(rf_diags *d, const char *file, int line, int col, const char *key,
                   const char *fmt, va_list ap);
void rf_diags_add(rf_diags *d, const char *file, int line, int col, const char *key,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int rf_diags_total(const rf_diags *d);

/* Order problems as readers expect: by file (in the order files first
 * appear), then line and column.  Stable. */
void rf_diags_sort(rf_diags *d);

#endif
