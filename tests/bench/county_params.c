#include "county_params.h"
#include "rf_capacity.h"
#include "rf_scenario.h"
#include "sim_status.h"

#include <stdio.h>
#include <stdlib.h>

/* The shipped county scenario with the mechanisms it leaves off switched on
 * (its households do not wait and its units have no maintenance outages),
 * over the 5 years of issue #7. */
const char *const bench_county_sets[] = {
    "horizon=1825",
    "waiting.p_wait=0.5",
    "waiting.patience={dist: exponential, mean: 30}",
    "downtime.outage_interval={dist: exponential, mean: 170}",
    "downtime.outage_duration={dist: exponential, mean: 14}",
};
_Static_assert(sizeof bench_county_sets / sizeof bench_county_sets[0] == BENCH_COUNTY_N_SETS,
               "BENCH_COUNTY_N_SETS");

int bench_county_params(rf_params *p, int spaces)
{
    const char *root = getenv("RS_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/leicestershire-county.yaml", root ? root : ".");
    rf_scenario *s = NULL;
    int rc = rf_scenario_load_file(path, bench_county_sets, BENCH_COUNTY_N_SETS, &s, NULL);
    if (rc != SIM_OK)
        return rc;
    *p = *rf_scenario_params(s);    /* no trace: nothing borrowed from s */
    rf_scenario_free(s);
    return rf_capacity_set_total(p, spaces);
}
