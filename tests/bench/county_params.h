/* The county scenario of the benchmarks, built in C.
 *
 * Leicestershire County with every mechanism on: three services of seven
 * units (21 spaces) with mixed attributes, matching, a waiting list with
 * patience, move-on delay, turnaround and maintenance outages.  It mirrors
 * what the brief of issue #7 says the county scenario file will hold; the
 * bench must not depend on the scenario loader or on files in scenarios/. */
#ifndef BENCH_COUNTY_PARAMS_H
#define BENCH_COUNTY_PARAMS_H

#include "rf_params.h"

/* Fill *p with the county at `spaces` units (21 = today, 70 = recommended;
 * other totals scale every block by rf_capacity_set_total) and prepare it.
 * Returns a sim_status. */
int bench_county_params(rf_params *p, int spaces);

#endif
