/* rf_params: everything a refuge scenario can say, as plain structs.
 *
 * The scenario loader (rf_scenario) fills these from YAML; tests and the
 * model build them directly.  An rf_params has no pointers except `trace`,
 * which it borrows (see below), so a point of a sweep is a copy made with '='.
 * Time is in days throughout; a year is 365 days, a month 365/12 days.
 *
 * Fit rules (see rf_match): a household fits a unit when
 *   persons <= largest_family, oldest male child <= male_child_age_limit,
 *   wheelchair need -> unit accessible, male victim -> takes_male,
 *   pet -> takes_pets, needs night security -> night_security,
 *   high support needs -> high_support, NRPF -> nrpf yes, or case-by-case
 *   and the service's decision on the household accepts it (a draw below
 *   the service's nrpf_case_accept: the household's own draw for that
 *   service, or its one shared draw, see rf_nrpf_decision),
 *   a specialist unit (BME / young women) takes only households of its group,
 *   a household that needs a specialist service fits only a unit of one of
 *   its groups, and a household that wants a particular area fits only units
 *   in that area. */
#ifndef RF_PARAMS_H
#define RF_PARAMS_H

#include <stdbool.h>
#include <stdint.h>
#include "rf_area.h"
#include "sim_dist.h"

#define RF_NAME_MAX        64
#define RF_MAX_SERVICES    32
#define RF_MAX_BLOCKS      32   /* unit blocks per service: units in every area of a network */
#define RF_MAX_SCREEN      8    /* screening reasons */
#define RF_MAX_CHILDREN    8
#define RF_MAX_INITIAL     512  /* starting occupants / waiting households */
#define RF_MONTHS_MAX      120  /* monthly series cover the first 10 years after warm-up */
#define RF_YEARS_MAX       10   /* so do the yearly figures (rf_year_result) */
#define RF_YEAR_DAYS       365.0
#define RF_NO_LIMIT        1000 /* "no male child age limit" */
#define RF_MAX_PROFILES    64   /* households.profiles */

typedef enum { RF_NRPF_NO, RF_NRPF_CASE_BY_CASE, RF_NRPF_YES } rf_nrpf_policy;
typedef enum { RF_SPEC_NONE, RF_SPEC_BME, RF_SPEC_YOUNG_WOMEN, RF_SPEC_N } rf_specialism;
typedef enum { RF_MATCH_FIRST_FIT, RF_MATCH_BEST_FIT } rf_match_policy;
typedef enum { RF_PRIORITY_FIFO, RF_PRIORITY_HIGH_RISK } rf_priority;
/* How a service's case-by-case NRPF decision is drawn: each service decides
 * on its own (independent of every other service's decision), or one draw
 * per household serves every `shared` service (a household accepted by one
 * is accepted by every shared service at least as accepting). */
typedef enum { RF_NRPF_DECIDE_INDEPENDENT, RF_NRPF_DECIDE_SHARED } rf_nrpf_decision;

/* A block of identical units inside a service. */
typedef struct {
    char name[RF_NAME_MAX];    /* the scenario's name of the block; "" for the units of the
                                  service's own attributes (what its blocks leave) */
    int count;                 /* units in the block, >= 0 */
    bool wheelchair;           /* accessible */
    int largest_family;        /* persons (adults + children), >= 1 */
    int male_child_age_limit;  /* oldest male child accepted (years); RF_NO_LIMIT = none */
    rf_nrpf_policy nrpf;
    bool takes_male;           /* male victims */
    bool takes_pets;
    bool night_security;
    bool high_support;         /* can meet high support needs */
    bool self_contained;       /* else shared (informational) */
    rf_specialism specialism;
    int area;                  /* index into rf_params.area_names */
    /* In service from `opens` to `closes`, days from the start of the horizon
     * (after warm-up); opens 0: from the start of the run, closes 0: never.
     * A unit occupied when it closes closes when its household leaves. */
    double opens, closes;
    /* Costs (currency-neutral): a year of a unit in service, and each
     * placement into one. */
    double cost_unit_year, cost_placement;
} rf_unit_block;

/* The distributions a service may set for itself; where it does not, the
 * scenario-wide one (rf_params.move_on_delay, turnaround, outage_interval,
 * outage_duration) applies.  A dispersed flat and a shared refuge differ. */
typedef enum {
    RF_SD_MOVE_ON,             /* move-on delay after planned support */
    RF_SD_TURNAROUND,          /* cleaning / repair after each departure */
    RF_SD_OUTAGE_INTERVAL,     /* time in service between maintenance outages; NONE = none */
    RF_SD_OUTAGE_DURATION,
    RF_SD_N
} rf_service_dist_kind;

typedef struct {
    char name[RF_NAME_MAX];
    int n_blocks;
    rf_unit_block blocks[RF_MAX_BLOCKS];
    sim_dist stay;             /* planned length of support (days) */
    double p_early_exit;       /* unplanned exit: leaves after U(0,1) x planned stay, no move-on */
    double nrpf_case_accept;   /* case-by-case NRPF: share of NRPF households accepted */
    rf_nrpf_decision nrpf_decision;
    unsigned own;              /* bit k (rf_service_dist_kind): dist[k] is the service's own */
    sim_dist dist[RF_SD_N];
} rf_service;

/* Household mix: who is referred.  Probabilities are independent unless said. */
typedef struct {
    sim_dist adults;           /* persons aged 16+ in the household, rounded, >= 1 */
    sim_dist children;         /* number of children, rounded, capped at RF_MAX_CHILDREN */
    double p_child_male;       /* each child is male with this probability */
    sim_dist child_age;        /* each child's age in years */
    double p_wheelchair;
    double p_nrpf;
    double p_male;             /* male victim */
    double p_pet;
    double p_bme;
    double p_young;            /* victim aged 16-24 */
    double p_needs_specialist; /* of BME or young households: needs a specialist service */
    double p_high_support;
    double p_high_risk;
    double p_needs_security;   /* needs night security */
    double p_outside_area;     /* referred from outside the area (reported only) */
    double p_wants_area;       /* wants one particular area ... */
    double area_weights[RF_MAX_AREAS]; /* ... chosen with these weights */
} rf_household_mix;

/* A household profile (households.profiles): the mix as a weighted table of
 * kinds of household, for services whose case records show attributes that
 * go together (NRPF, BME and family size are not independent).  With
 * profiles, each referral is one profile, chosen with the relative weights;
 * what the profile leaves out (RF_PROFILE_DRAW) is drawn from the
 * independent mix as usual. */
#define RF_PROFILE_DRAW (-1)
#define RF_PROFILE_NONE (-2)   /* oldest_boy_age: no boy; area: wants no particular area */
typedef struct {
    char name[RF_NAME_MAX];
    double weight;             /* relative, >= 0 */
    int adults, children;      /* >= 1 / 0..RF_MAX_CHILDREN, or DRAW */
    int oldest_boy_age;        /* years, NONE or DRAW (with DRAW the children are drawn) */
    int wheelchair, nrpf, male, pet, bme, young, needs_specialist, high_support, high_risk,
        needs_security, outside_area;   /* 0 / 1, or DRAW */
    int area;                  /* the area it wants (index), NONE or DRAW */
} rf_profile;

typedef struct {
    char name[RF_NAME_MAX];
    double prob;               /* share of all referrals screened out for this reason */
} rf_screen_reason;

/* A referral read from a trace file (replay mode).  A negative field means
 * "draw it as usual"; attribute flags are 0/1. */
typedef struct {
    double day;
    int adults, children, oldest_boy_age;
    int wheelchair, nrpf, male, pet, bme, young, needs_specialist,
        high_support, high_risk, needs_security, outside_area, area;
    int screened_out;          /* reason index, -1 none */
    int will_wait;             /* 0/1, -1 draw */
    double patience, stay, move_on_delay; /* days, -1 draw */
} rf_trace_row;

typedef struct {
    int n;
    rf_trace_row *rows;        /* sorted by day */
} rf_trace;

typedef struct {
    int service;               /* index */
    double days_stayed;        /* support so far */
} rf_initial_occupant;

typedef struct {
    char name[RF_NAME_MAX];
    double horizon;            /* days simulated after warm-up */
    double warmup;             /* days simulated and discarded first */
    uint32_t reps;
    uint64_t seed;

    /* referrals */
    double per_year;           /* referrals per year at t = 0 (after warm-up) */
    double growth;             /* yearly growth: rate x (1+growth)^(t/365) */
    double seasonality[12];    /* monthly factors, mean 1; [0] is January */
    int start_month;           /* 1..12: the calendar month the horizon (after warm-up) starts in */
    const rf_trace *trace;     /* borrowed; NULL = Poisson arrivals */

    rf_household_mix mix;
    int n_profiles;            /* 0: attributes drawn independently from mix */
    rf_profile profiles[RF_MAX_PROFILES];
    int n_screen;
    rf_screen_reason screen[RF_MAX_SCREEN];

    /* waiting list */
    double p_wait;             /* a household finding no space waits with this probability */
    sim_dist patience;         /* days before it gives up; NONE = never */
    rf_priority priority;
    int max_waiting;           /* 0 = no cap; when full, no-space households are refused */

    rf_match_policy matching;

    int n_areas;
    char area_names[RF_MAX_AREAS][RF_NAME_MAX];

    int n_services;
    rf_service services[RF_MAX_SERVICES];

    /* move-on: after planned support the unit stays blocked for this delay */
    sim_dist move_on_delay;
    double timely_days;        /* a move-on within this many days is timely */

    /* downtime */
    sim_dist turnaround;       /* cleaning / repair after each departure */
    sim_dist outage_interval;  /* time in service between maintenance outages; NONE = no outages */
    sim_dist outage_duration;

    /* starting state ("from today"): occupants at t = 0 and households already
     * waiting (drawn from the mix) with days waited so far */
    int n_initial_occupants;
    rf_initial_occupant initial_occupants[RF_MAX_INITIAL];
    int n_initial_waiting;
    double initial_waiting_days[RF_MAX_INITIAL];

    rf_network net;            /* areas as a network (rf_area.h); off = one system */
} rf_params;

/* A profile that draws everything from the mix (weight 1), to fill in. */
rf_profile rf_profile_default(void);

/* Defaults: one area, no services, FIFO, first fit, everything off
 * (no screening, no waiting, no move-on delay, no downtime), 1 adult, 0
 * children, 365-day horizon, no warm-up, 100 replications, seed 1. */
void rf_params_init(rf_params *p);
/* The defaults of rf_params_init on a struct already zero (calloc): only
 * the pages written are touched, about 10 of its 175 (a fresh page costs
 * microseconds to fault in). */
void rf_params_defaults(rf_params *p);

/* Add a service with one block of `units` units that take everybody (10
 * persons, no age limit, accessible, NRPF, male victims, pets, night
 * security, high support, no specialism, area 0) and the given stay;
 * returns its index, or -1 when RF_MAX_SERVICES are already there. */
int rf_params_add_service(rf_params *p, const char *name, int units, sim_dist stay);

/* The distribution of kind k that service s uses: its own, or the
 * scenario's. */
const sim_dist *rf_service_dist(const rf_params *p, int s, rf_service_dist_kind k);

/* Total units over every service and block. */
int rf_params_total_units(const rf_params *p);
/* The units in service over the horizon (blocks' opens and closes): at its
 * start, the fewest and the most at any time, and the day of the one change
 * when there is exactly one (else -1). */
void rf_params_units_over(const rf_params *p, int *start, int *lo, int *hi, double *change_day);

/* Prepare every distribution (sim_dist_prepare); SIM_ERANGE names nothing:
 * the scenario loader reports the key. */
int rf_params_prepare(rf_params *p);

#endif
