/* an_h5_network: a network point's tables in the results file (areas,
 * flows and their summaries, see an_h5.h); not API. */
#ifndef AN_H5_NETWORK_H
#define AN_H5_NETWORK_H

#include <hdf5.h>
#include "an_h5.h"

/* Point group pg of a point with a network (ps->n_areas > 0):
 *   areas         rows area x replication: the area's residents' referrals
 *                 and outcomes, placements into its units (from elsewhere),
 *                 units, occupied unit-days
 *   flows         rows replication x origin x destination (the pairs of
 *                 the flow layout: destinations acceptable to the origin's
 *                 residents): placements
 *   area_summary  rows area (and "all areas") x measure: mean, lo, hi,
 *                 half_width (95%), n
 *   flow_summary  rows origin x destination (the same pairs): placements a year with their
 *                 95% interval
 * from the summary's per-replication parts (ps->reps numbers the rows).
 * Nothing for a point without a network.  A sim_status. */
int an_h5i_write_network(hid_t pg, const an_point_summary *ps);

/* The table comparison_areas in group g (an_h5_put_area_comparison).  A
 * sim_status. */
int an_h5i_write_area_comparison(hid_t g, const an_area_cmp_set *sets, size_t n_sets);

#endif
