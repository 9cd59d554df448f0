/* rf_area: a national network of refuges, as plain params (part of
 * rf_params; no pointers, so a point is still a copy made with '=').
 *
 * Areas are the rf_params.area_names; units belong to an area through
 * their block's `area`.  Without a network (rf_network.on false) the model
 * is the single-area model it always was.  With one:
 *  - referrals come from every area at once: area a's rate is its per_year
 *    with its growth and its seasonality (its own or the scenario's), the
 *    total is their sum, and each referral's origin is drawn in proportion
 *    to the areas' rates at the time it arrives; its residents' household
 *    mix is the scenario's except what the area sets: any probability of
 *    it (own_mix) and the distributions of adults, children and the ages
 *    of children (own_dist, kept in rf_network.dists); profiles and the
 *    weights of wanted areas stay the scenario's;
 *  - a referral must be placed outside its origin with probability p_leave
 *    (p_leave_high_risk for a high-risk household);
 *  - it accepts the areas within max_km of its origin, or, when the origin
 *    lists neighbours, those neighbours only; its own area too unless it
 *    must leave;
 *  - it searches its own area first (when allowed), then the acceptable
 *    areas nearest first; equal distances go in scenario order (the area
 *    listed first in `areas` first);
 *  - offered a unit d km from its origin, it declines with probability
 *    decline(d): a table of (km, p) points, linear between them and flat
 *    beyond the ends, or a logistic curve max / (1 + exp(-(d - mid) /
 *    scale)).  One uniform per household decides every offer (it declines
 *    at d when u < decline(d)), and a declined offer ends its referral
 *    (outcome declined_offer);
 *  - waiting: one national list (a unit that frees goes to the first
 *    waiting household, in priority order, that fits it and accepts its
 *    area) or one list per area (a household waits on the list of the
 *    first area of its search order with a unit it could fit, and a unit
 *    is offered to its area's list only).
 * Everything drawn for a household (origin, leaving, declining) comes from
 * its own numbers (rf_model.h, HM_ORIGIN ...), so adding units anywhere
 * changes no household's draws. */
#ifndef RF_AREA_H
#define RF_AREA_H

#include <stdbool.h>
#include <stdint.h>
#include "sim_dist.h"

/* Areas of a network: up to several hundred.  Their params are what each
 * area says (a few hundred bytes an area); distances are not a table here
 * but coordinates, or the given pairs (network.distances), and rf_net
 * builds the table once per point. */
#define RF_MAX_AREAS       512
#define RF_MAX_NEIGHBOURS  32    /* listed neighbours of one area */
#define RF_MAX_DISTANCES   1024  /* given pairs: a whole table of 32 areas; more areas need coordinates */
#define RF_MAX_DECLINE     16    /* points of a decline table */
#define RF_MAX_AREA_DISTS  32    /* areas' own household distributions, all areas together */

typedef enum { RF_NET_WAIT_NATIONAL, RF_NET_WAIT_AREA } rf_net_waiting;

/* The household probabilities an area may set for its own residents
 * (rf_household_mix's fields of the same names). */
#define RF_AREA_MIX_LIST(X)                                                  \
    X(RF_AM_WHEELCHAIR, "p_wheelchair", p_wheelchair)                        \
    X(RF_AM_NRPF, "p_nrpf", p_nrpf)                                          \
    X(RF_AM_MALE, "p_male", p_male)                                          \
    X(RF_AM_PET, "p_pet", p_pet)                                             \
    X(RF_AM_BME, "p_bme", p_bme)                                             \
    X(RF_AM_YOUNG, "p_young", p_young)                                       \
    X(RF_AM_NEEDS_SPECIALIST, "p_needs_specialist", p_needs_specialist)      \
    X(RF_AM_HIGH_SUPPORT, "p_high_support", p_high_support)                  \
    X(RF_AM_HIGH_RISK, "p_high_risk", p_high_risk)                           \
    X(RF_AM_NEEDS_SECURITY, "p_needs_security", p_needs_security)          \
    X(RF_AM_CHILD_MALE, "p_child_male", p_child_male)                        \
    X(RF_AM_OUTSIDE_AREA, "p_outside_area", p_outside_area)                  \
    X(RF_AM_WANTS_AREA, "p_wants_area", p_wants_area)

typedef enum {
#define RF_AM_ENUM(id, key, field) id,
    RF_AREA_MIX_LIST(RF_AM_ENUM)
#undef RF_AM_ENUM
    RF_AM_N
} rf_area_mix_field;
/* The household distributions an area may set for its own residents
 * (rf_household_mix's sim_dist fields of the same names). */
#define RF_AREA_DIST_LIST(X)                                                 \
    X(RF_AD_ADULTS, "adults", adults)                                        \
    X(RF_AD_CHILDREN, "children", children)                                  \
    X(RF_AD_CHILD_AGE, "child_age", child_age)

typedef enum {
#define RF_AD_ENUM(id, key, field) id,
    RF_AREA_DIST_LIST(RF_AD_ENUM)
#undef RF_AD_ENUM
    RF_AD_N
} rf_area_dist_field;

typedef enum { RF_DECLINE_NONE, RF_DECLINE_TABLE, RF_DECLINE_LOGISTIC } rf_decline_kind;

typedef struct {
    double population;         /* people (informational, and the share of referrals) */
    double per_year;           /* referrals a year from the area at t = 0 (after warm-up) */
    double growth;             /* their yearly growth */
    double p_leave;            /* must be placed outside the area */
    double p_leave_high_risk;  /* the same for a high-risk household */
    bool has_neighbours;       /* acceptable areas are the listed neighbours ... */
    int n_neighbours;
    uint16_t neighbours[RF_MAX_NEIGHBOURS];  /* ... these areas */
    bool has_coords;           /* x, y hold its coordinates, of rf_network.coords' kind */
    double x, y;               /* x_km, y_km on a plane; lat, lon in degrees */
    bool own_seasonality;      /* its referrals follow seasonality[] (mean 1), not the scenario's */
    double seasonality[12];
    uint32_t own_mix;          /* bit k (rf_area_mix_field): its residents' p_mix[k] ... */
    double p_mix[RF_AM_N];     /* ... replaces the scenario's household probability */
    uint8_t own_dist[RF_AD_N]; /* 0: the scenario's; k: rf_network.dists[k - 1] replaces it */
} rf_area;

typedef enum { RF_NET_COORDS_NONE, RF_NET_COORDS_PLANE, RF_NET_COORDS_GLOBE } rf_net_coords;

/* A given distance (network.distances): from -> to, and to -> from too
 * unless that is given as well. */
typedef struct {
    uint16_t from, to;
    float km;
} rf_net_distance;

/* The distance from area a to area b: a given pair, else its reverse, else
 * from the two areas' coordinates (the plane's hypot, or great-circle), in
 * float as the table keeps it; 0 from an area to itself unless given. */
typedef struct {
    bool on;                   /* the scenario has a network section */
    rf_area areas[RF_MAX_AREAS];            /* indexed like rf_params.area_names */
    rf_net_coords coords;      /* the kind of every area's coordinates */
    int n_distances;
    rf_net_distance distances[RF_MAX_DISTANCES];
    double max_km;             /* acceptable distance (INFINITY: any) */
    bool own_first;            /* search the origin first when it may stay */
    rf_net_waiting waiting;
    rf_decline_kind decline;
    int n_decline;
    double decline_km[RF_MAX_DECLINE], decline_p[RF_MAX_DECLINE]; /* increasing km */
    double decline_mid_km, decline_scale_km, decline_max;         /* logistic */
    int n_dists;               /* the areas' own household distributions (rf_area.own_dist) */
    sim_dist dists[RF_MAX_AREA_DISTS];
} rf_network;

#endif
