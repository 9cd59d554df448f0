/* The county scenario of the benchmarks: scenarios/leicestershire-county.yaml
 * (found through RS_ROOT) with every mechanism on: matching, a waiting list
 * with patience, move-on delay, turnaround and maintenance outages, over 5
 * years after its warm-up. */
#ifndef BENCH_COUNTY_PARAMS_H
#define BENCH_COUNTY_PARAMS_H

#include "rf_params.h"

/* Fill *p with the county at `spaces` units (21 = today, 70 = recommended;
 * other totals scale every block by rf_capacity_set_total).  Returns a
 * sim_status. */
int bench_county_params(rf_params *p, int spaces);

/* The --set strings that switch every mechanism on (for the cases that run
 * the refugesim program itself). */
#define BENCH_COUNTY_N_SETS 5
extern const char *const bench_county_sets[BENCH_COUNTY_N_SETS];

#endif
