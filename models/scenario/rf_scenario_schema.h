/* rf_scenario_schema: the structs libcyaml loads the resolved text into,
 * the libcyaml schema, and a walker that checks a merged tree against it,
 * reporting every problem rather than libcyaml's first; not API.  Calls the
 * tree and the diagnostics only. */
#ifndef RF_SCENARIO_SCHEMA_H
#define RF_SCENARIO_SCHEMA_H

#include <stdbool.h>
#include <stdint.h>
#include <cyaml/cyaml.h>
#include "rf_area.h"
#include "rf_scenario_tree.h"

/* ---- schema: the structs libcyaml loads the resolved text into ---- */

typedef struct {
    int dist;                   /* sim_dist_kind */
    double mean, sd, min, max;
    double *values;
    unsigned values_count;
    double *weights;
    unsigned weights_count;
} sc_dist;

/* Unit attributes, shared by a service and its blocks. */
typedef struct {
    bool wheelchair;
    int largest_family;
    char *male_child_age_limit; /* a whole number of years or "none" */
    int nrpf;                   /* rf_nrpf_policy */
    bool takes_male, takes_pets, night_security, high_support, self_contained;
    int specialism;             /* rf_specialism */
    char *area;
    double opens;               /* days from the start of the horizon, absent 0 */
    char *closes;               /* days, or "none" (absent: never) */
    struct {
        double per_unit_year, per_placement;
    } cost;
} sc_attrs;

typedef struct {
    char *name;
    int units;
    sc_attrs at;
} sc_block;

typedef struct {
    char *name;
    int units;
    sc_attrs at;
    double nrpf_case_accept;
    int nrpf_decision;          /* rf_nrpf_decision */
    sc_dist stay;
    double p_early_exit;
    sc_dist move_on_delay, turnaround, outage_interval, outage_duration;
    sc_block *blocks;
    unsigned blocks_count;
} sc_service;

typedef struct {
    double per_year, growth;
    double *seasonality;
    unsigned seasonality_count;
    int start_month;
    char *trace;
} sc_referrals;

typedef struct {
    char *name;
    double weight;
    int adults, children;
    char *oldest_boy_age;       /* whole years or "none" */
    bool wheelchair, nrpf, male, pet, bme, young, needs_specialist, high_support, high_risk,
        needs_security, outside_area;
    char *area;                 /* a name in areas, or "any" */
} sc_profile;

typedef struct {
    sc_dist adults, children, child_age;
    double p_child_male, p_wheelchair, p_nrpf, p_male, p_pet, p_bme, p_young,
        p_needs_specialist, p_high_support, p_high_risk, p_needs_security, p_outside_area,
        p_wants_area;
    double *area_weights;
    unsigned area_weights_count;
    sc_profile *profiles;
    unsigned profiles_count;
} sc_mix;

typedef struct {
    char *name;
    double prob;
} sc_screen;

typedef struct {
    double p_wait;
    sc_dist patience;
    int priority;               /* rf_priority */
    int max_waiting;
} sc_waiting;

typedef struct {
    sc_dist delay;
    double timely_days;
} sc_move_on;

typedef struct {
    sc_dist turnaround, outage_interval, outage_duration;
} sc_downtime;

typedef struct {
    char *service;
    int count;
    double days_stayed;
} sc_occupant;

typedef struct {
    sc_occupant *occupants;
    unsigned occupants_count;
    double *waiting_days;
    unsigned waiting_days_count;
} sc_initial;

/* network: (rf_area.h); which optional keys are given is read from the tree */
typedef struct {
    double p[RF_AM_N];          /* rf_area_mix_field order */
    sc_dist d[RF_AD_N];         /* rf_area_dist_field order */
} sc_area_mix;

typedef struct {
    char *name;
    double population, per_year, growth, p_leave, p_leave_high_risk;
    double x_km, y_km, lat, lon;
    char **neighbours;
    unsigned neighbours_count;
    double *seasonality;
    unsigned seasonality_count;
    sc_area_mix households;
} sc_area;

typedef struct {
    char *from, *to;
    double km;
} sc_distance;

typedef struct {
    double km, p;
} sc_decline_point;

typedef struct {
    double midpoint_km, scale_km, max;
} sc_logistic;

typedef struct {
    sc_decline_point *table;
    unsigned table_count;
    sc_logistic logistic;
} sc_decline;

typedef struct {
    sc_area *areas;
    unsigned areas_count;
    sc_distance *distances;
    unsigned distances_count;
    double p_leave, p_leave_high_risk, max_km;
    bool own_area_first;
    int waiting_list;           /* rf_net_waiting */
    sc_decline decline;
} sc_network;

typedef struct {
    char *name;
    char *description;
    double horizon, warmup;
    uint32_t replications;
    uint64_t seed;
    sc_referrals referrals;
    sc_mix households;
    sc_screen *screening;
    unsigned screening_count;
    sc_waiting waiting;
    int matching;               /* rf_match_policy */
    char **areas;
    unsigned areas_count;
    sc_service *services;
    unsigned services_count;
    sc_move_on move_on;
    sc_downtime downtime;
    sc_initial initial;
    sc_network network;
} sc_scenario;

extern const cyaml_schema_value_t rf_sc_top_schema;

/* Check a merged tree against the schema; returns the number of problems. */
int rf_sc_check_tree(const st_node *root, rf_diags *d);

#endif
