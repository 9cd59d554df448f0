/* rf_network: the network of areas inside one replication (rf_area.h says
 * what the model does with it): referral rates and origins, who must leave,
 * declines, and the search order of every origin, sorted once.
 *
 * The rf_net a replication builds is owned by the caller (rf_net_free); it
 * borrows nothing after rf_net_create returns.  A point's replications may
 * instead share one point's tables (rf_net_share): the table of distances
 * and the sorted search orders are then built once per point, not once per
 * replication. */
#ifndef RF_NETWORK_H
#define RF_NETWORK_H

#include <stddef.h>
#include <stdint.h>
#include "rf_match.h"
#include "rf_params.h"

typedef struct rf_net rf_net;

/* SIM_OK when p's network can run (or it has none); else SIM_EINVAL and, in
 * why (may be NULL), what is wrong. */
int rf_net_check(const rf_params *p, char *why, size_t size);

/* The table of distances, km[a * n_areas + b] from area a to area b (the
 * rule in rf_area.h), NaN for a pair neither given nor from coordinates
 * (km holds n_areas^2 floats). */
void rf_net_km_table(const rf_params *p, float *km);

/* Gives the distance from -> to (network.distances); SIM_EINVAL when the
 * list is full or an area unknown. */
int rf_net_add_distance(rf_params *p, int from, int to, double km);

/* The areas' referral rate per day x days after warm-up, in calendar month
 * `month` (0 = January): the sum over areas of per_year / 365 x (1 +
 * growth)^(x / 365) x the area's seasonality[month]; and its largest value
 * over [-warmup, horizon]. */
double rf_net_rate(const rf_params *p, double x, int month);
double rf_net_max_rate(const rf_params *p);
/* Area a's part of it (its own largest rate). */
double rf_net_area_max_rate(const rf_params *p, int a);

/* The origin of a referral x days after warm-up in calendar month `month`,
 * from its uniform u: area a with probability a's rate / the total rate. */
int rf_net_origin(const rf_params *p, double x, int month, double u);

/* The household mix of area a's residents: the scenario's with the area's
 * own probabilities and distributions; whether it sets any. */
void rf_net_area_mix(const rf_params *p, int a, rf_household_mix *out);
bool rf_net_area_has_mix(const rf_params *p, int a);

/* Whether a household of origin must be placed outside it, from its
 * uniform u. */
bool rf_net_leaves(const rf_params *p, int origin, bool high_risk, double u);

/* The probability of declining an offer km away (0 without declines). */
double rf_net_p_decline(const rf_params *p, double km);

/* The distance table, search orders (sorted once, only the acceptable
 * areas kept) and per-area unit types from the model's unit types
 * (types[order[i]] in matching order).  SIM_ENOMEM when memory runs out,
 * SIM_EINVAL when a distance is unknown. */
int rf_net_create(const rf_params *p, const rf_unit_type *types, int n_types, const int *order,
                  rf_net **out);
void rf_net_free(rf_net *n);

/* A replication's network on a point's: the distance table, search orders,
 * flow layout and origins of shared (rf_net_create of the same params,
 * without unit types, built once per point and only read while any net
 * made from it lives) and its own unit types by area, as rf_net_create
 * would give them.  SIM_ENOMEM. */
int rf_net_share(const rf_net *shared, const rf_unit_type *types, int n_types, const int *order,
                 rf_net **out);

/* The areas a household from origin searches, in order (only the
 * acceptable ones); *count of them. */
const uint16_t *rf_net_search(const rf_net *n, int origin, bool leave, int *count);

/* Whether area is acceptable to a household from origin. */
bool rf_net_accepts(const rf_net *n, int origin, bool leave, int area);

/* The distance from origin to area, km. */
float rf_net_km(const rf_net *n, int origin, int area);

/* The cells of a replication's flows (rf_result.h's rf_net_record). */
const rf_flow_layout *rf_net_layout(const rf_net *n);

/* The same without a replication, for reading records: out owns its
 * arrays (rf_flow_layout_free); a zeroed layout without a network.
 * SIM_ENOMEM, SIM_EINVAL (a distance unknown). */
int rf_net_flow_layout(const rf_params *p, rf_flow_layout *out);

/* rf_net_record_size of p's layout: the bytes a replication's network
 * record takes (0 without a network, or when it cannot be built). */
size_t rf_net_record_bytes(const rf_params *p);

/* rf_net_origin in O(log areas) when every area's rate is constant in
 * time (the same origin, to the bit), else rf_net_origin. */
int rf_net_origin_of(const rf_net *n, const rf_params *p, double x, int month, double u);

/* Area a's unit types in matching order; *count of them. */
const int *rf_net_types(const rf_net *n, int area, int *count);

#endif
