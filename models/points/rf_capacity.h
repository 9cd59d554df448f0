/* rf_capacity: change how many units a scenario has, for sweeps over spaces
 * and the capacity search.
 *
 * Scaling keeps the mix of unit kinds: every block gets its share of the new
 * total by the largest-remainder method (ties to the earlier block), so the
 * result is deterministic and sums exactly to the total. */
#ifndef RF_CAPACITY_H
#define RF_CAPACITY_H

#include "rf_params.h"

/* Scale every block so the scenario has `total` units.  SIM_EINVAL when the
 * scenario has no units to scale from or total < 0. */
int rf_capacity_set_total(rf_params *p, int total);

/* Add `k` (may be negative, not below 0) units to one block of one service. */
int rf_capacity_add(rf_params *p, int service, int block, int k);

/* Index of the service named `name`, -1 if none. */
int rf_capacity_find_service(const rf_params *p, const char *name);

#endif
