/* rf_result: what one replication of the refuge model measured.
 *
 * A plain fixed-size record (no pointers), filled by rf_model_run and read by
 * the summary, the HDF5 writer and the report.  Everything counts referrals
 * that arrived after warm-up; levels are time averages over
 * [warmup, warmup + horizon].
 *
 * Every referral ends in exactly one outcome (conservation):
 *   referrals == sum over rf_outcome of outcomes[], overall and per group. */
#ifndef RF_RESULT_H
#define RF_RESULT_H

#include <stddef.h>
#include <stdint.h>
#include "rf_params.h"

#define RF_OUTCOME_LIST(X)                                                              \
    X(RF_OUT_SCREENED_OUT,      "screened_out",      "not for a space: screened out")   \
    X(RF_OUT_NO_SUITABLE,       "no_suitable_unit",  "no unit in the area could ever fit the household") \
    X(RF_OUT_PLACED_IMMEDIATELY,"placed_immediately","a fitting unit was free on arrival") \
    X(RF_OUT_PLACED_AFTER_WAIT, "placed_after_wait", "waited, then placed")             \
    X(RF_OUT_REFUSED_NO_SPACE,  "refused_no_space",  "fitting units exist but all were busy or down; did not wait") \
    X(RF_OUT_ABANDONED,         "abandoned",         "waited and gave up")              \
    X(RF_OUT_WAITING_AT_END,    "waiting_at_end",    "still waiting when the horizon ended") \
    X(RF_OUT_DECLINED,          "declined_offer",    "offered a unit, declined it (network: often its distance)")

typedef enum {
#define RF_OUT_ENUM(id, name, desc) id,
    RF_OUTCOME_LIST(RF_OUT_ENUM)
#undef RF_OUT_ENUM
    RF_OUT_N
} rf_outcome;

/* Household groups; a household can be in several. */
#define RF_GROUP_LIST(X)                                                  \
    X(RF_G_WHEELCHAIR,   "wheelchair",   "needs wheelchair access")       \
    X(RF_G_LARGE_FAMILY, "large_family", "more than 4 persons")           \
    X(RF_G_OLDER_BOY,    "older_boy",    "a male child aged 12 or over")  \
    X(RF_G_NRPF,         "nrpf",         "no recourse to public funds")   \
    X(RF_G_MALE,         "male",         "male victim")                   \
    X(RF_G_PET,          "pet",          "has a pet")                     \
    X(RF_G_SPECIALIST,   "specialist",   "needs a specialist (BME / young women) service") \
    X(RF_G_YOUNG,        "age_16_24",    "victim aged 16-24")             \
    X(RF_G_HIGH_SUPPORT, "high_support", "high support needs")            \
    X(RF_G_BME,          "bme",          "black and minority ethnic")      \
    X(RF_G_HIGH_RISK,    "high_risk",    "high risk (first in the queue under priority: high_risk)")

typedef enum {
#define RF_G_ENUM(id, name, desc) id,
    RF_GROUP_LIST(RF_G_ENUM)
#undef RF_G_ENUM
    RF_G_N
} rf_group;

/* Which requirement left a household with no suitable unit anywhere: the one
 * attribute whose removal would let some unit fit, or MULTIPLE. */
#define RF_BLOCK_LIST(X)                                  \
    X(RF_BLK_FAMILY_SIZE,  "family_size")                 \
    X(RF_BLK_BOY_AGE,      "male_child_age")              \
    X(RF_BLK_WHEELCHAIR,   "wheelchair")                  \
    X(RF_BLK_NRPF,         "nrpf")                        \
    X(RF_BLK_MALE,         "male_victim")                 \
    X(RF_BLK_PET,          "pet")                         \
    X(RF_BLK_SECURITY,     "night_security")              \
    X(RF_BLK_HIGH_SUPPORT, "high_support")                \
    X(RF_BLK_SPECIALISM,   "specialism")                  \
    X(RF_BLK_AREA,         "area")                        \
    X(RF_BLK_MULTIPLE,     "multiple")

typedef enum {
#define RF_BLK_ENUM(id, name) id,
    RF_BLOCK_LIST(RF_BLK_ENUM)
#undef RF_BLK_ENUM
    RF_BLK_N
} rf_block_reason;

typedef struct {
    uint64_t referrals;
    uint64_t outcomes[RF_OUT_N];
    uint64_t placed_within_7d, placed_within_28d;  /* among all referrals; immediate counts */
    double wait_sum;                                /* days waited by placed households */
    uint64_t waited;           /* joined the waiting list: placed after a wait, abandoned, still waiting */
    double waited_sum;         /* their days on the list (to placement, giving up, or the end) */
} rf_group_result;

typedef struct {
    int units;                 /* units of its blocks (whether or not open at t = 0) */
    uint64_t placements;       /* placed into this service (after warm-up) */
    uint64_t departures;
    uint64_t early_exits;
    uint64_t move_ons, timely_move_ons;
    double occupied_days;      /* unit-days with a household in (support + move-on) */
    double blocked_days;       /* unit-days held only by move-on delay */
    double down_days;          /* unit-days in turnaround or maintenance */
    double unit_days;          /* unit-days in service (units x horizon unless some open
                                  later or close: rf_unit_block opens, closes) */
    double cost;               /* unit-days in service x per_unit_year / 365 + placements x
                                  per_placement (rf_unit_block costs) */
} rf_service_result;

/* One year of the horizon (days 365 y .. 365 (y + 1) after warm-up, the
 * last one ending at the horizon): referrals arriving in it and what became
 * of them (whenever settled, so a year's outcomes add up to its referrals),
 * and the unit-days spent in it.  Years past RF_YEARS_MAX are not kept. */
typedef struct {
    uint32_t referrals;
    uint32_t outcomes[RF_OUT_N];
    uint32_t placed_within_7d, placed_within_28d;
    uint32_t waited;           /* joined the waiting list */
    double wait_sum;           /* days waited by those placed */
    double waited_sum;         /* days on the list of those who joined it */
    double occupied_days, blocked_days, down_days;   /* unit-days within the year */
    double unit_days;          /* unit-days in service within the year */
    double cost;               /* its units' days in service and its placements (by when placed) */
    double days;               /* the year's length (365, less for a last part-year) */
} rf_year_result;
/* One area of a network (rf_area.h), in one replication. */
typedef struct {
    uint32_t referrals;        /* counted referrals of its residents */
    uint32_t outcomes[RF_OUT_N];  /* their outcomes */
    uint32_t placed_in;        /* placements into its units (counted referrals) */
    uint32_t placed_in_from_elsewhere;  /* of them, residents of other areas */
    int units;                 /* units at t = 0 */
    double occupied_days;      /* its unit-days with a household in, in the window */
} rf_area_result;

typedef struct {
    uint64_t rep;
    uint64_t events;           /* calendar events processed (whole run) */
    uint64_t referrals;
    uint64_t outcomes[RF_OUT_N];
    uint64_t screened[RF_MAX_SCREEN];       /* by reason */
    uint64_t no_suitable[RF_BLK_N];         /* by blocking attribute */
    uint64_t placed_within_7d, placed_within_28d;
    uint64_t departures, early_exits, move_ons, timely_move_ons;
    double wait_sum;           /* days waited by placed households (0 if immediate) */
    double wait_mean, wait_p50, wait_p90;    /* days, over placed households (0 if immediate) */
    /* Everyone who joined the waiting list (placed after a wait, abandoned,
     * or still waiting at the end, whose wait so far counts): */
    uint64_t waited;
    double waited_sum, wait_all_p90;         /* days */
    double waiting_mean, waiting_max;        /* waiting list length */
    double occupancy;          /* share of unit-days with a household in */
    double blocked_share;      /* share of unit-days held by move-on delay */
    double downtime_share;     /* share of unit-days in turnaround / maintenance */
    double moveon_days;        /* bed-days lost to move-on delay */
    double unit_days;          /* unit-days in service (units x horizon when every unit is in
                                  service throughout): the denominator of the unit-day shares */
    double days;               /* the horizon */
    double cost;               /* every service's cost over the horizon */
    double occupied_days, down_days;  /* unit-days with a household in; in turnaround / maintenance */
    int n_services;
    rf_service_result services[RF_MAX_SERVICES];
    rf_group_result groups[RF_G_N];
    int n_months;              /* months recorded (<= RF_MONTHS_MAX) */
    double monthly_occupied[RF_MONTHS_MAX]; /* mean units with a household in */
    double monthly_waiting[RF_MONTHS_MAX];  /* mean waiting list length */
    double monthly_units[RF_MONTHS_MAX];    /* mean units in service */
    /* counted referrals by the month they arrived, and outcomes by the month
     * they were settled: placed (at once or after a wait), refused on
     * arrival (no space or no suitable unit), abandoned the wait */
    uint32_t monthly_referrals[RF_MONTHS_MAX];
    uint32_t monthly_placed[RF_MONTHS_MAX];
    uint32_t monthly_refused[RF_MONTHS_MAX];
    uint32_t monthly_abandoned[RF_MONTHS_MAX];
    int n_years;               /* years recorded (<= RF_YEARS_MAX) */
    rf_year_result years[RF_YEARS_MAX];
    /* A network's areas (n_areas 0 without one): their record follows
     * this one (rf_net_record below), so that a record without a network
     * stays small whatever RF_MAX_AREAS is. */
    int n_areas;
} rf_result;

/* A network replication's areas and flows: the rf_net_record_size(layout)
 * bytes after its rf_result in the experiment's record,
 *     rf_area_result areas[n_areas];
 *     uint32_t flows[n_cells];    counted referrals placed, cell by cell
 * (then zeros up to a multiple of 8 bytes).  The cells are the pairs
 * (origin, destination) a household could be placed in: row o holds the
 * areas acceptable to residents of o (its own included), destinations
 * ascending, so hundreds of areas within a max_km of each other cost only
 * their acceptable pairs: at most n_areas x sizeof(rf_area_result) + 4 x
 * (acceptable pairs) + 4 bytes, n_areas x (56 + 4 n_areas) with every
 * area acceptable to every other. */
typedef struct {
    int n_areas;
    size_t n_cells;
    size_t *row;               /* owned, n_areas + 1: origin o's cells are [row[o], row[o + 1]) */
    uint16_t *dest;            /* owned, n_cells */
} rf_flow_layout;

/* Bytes of a network record (a multiple of 8; 0 for n_areas 0). */
size_t rf_net_record_size(const rf_flow_layout *l);
rf_area_result *rf_net_record_areas(void *rec);
const rf_area_result *rf_net_record_areas_c(const void *rec);
uint32_t *rf_net_record_flows(void *rec, const rf_flow_layout *l);
const uint32_t *rf_net_record_flows_c(const void *rec, const rf_flow_layout *l);
/* The cell of (origin, destination), -1 when the pair has none (nobody
 * from origin can be placed there). */
long rf_flow_cell(const rf_flow_layout *l, int origin, int destination);
/* Placements from origin into destination in a record (0 without a cell). */
uint32_t rf_net_record_flow(const void *rec, const rf_flow_layout *l, int origin, int destination);
/* A layout from its pairs: mark[o * n_areas + d] != 0 for each cell.
 * SIM_ENOMEM. */
int rf_flow_layout_from_marks(int n_areas, const unsigned char *mark, rf_flow_layout *out);
/* Frees what the layout owns and zeroes it; a zeroed layout is fine. */
void rf_flow_layout_free(rf_flow_layout *l);

const char *rf_outcome_name(rf_outcome o);
const char *rf_outcome_description(rf_outcome o);
const char *rf_group_name(rf_group g);
const char *rf_group_description(rf_group g);
const char *rf_block_name(rf_block_reason b);
/* Words for a person ("Wheelchair users", not `wheelchair`): what printed
 * tables, plots, the HTML report and the wide CSV headings show. */
const char *rf_outcome_label(rf_outcome o);
const char *rf_group_label(rf_group g);

/* Scalar metrics derived from a record: the names users write in targets
 * (`refused_no_space<=0.05`), summaries, and HDF5 columns.  Shares are of all
 * referrals after warm-up unless the description says otherwise.
 *
 * A ratio metric (every share, the mean wait of placed households) is a
 * numerator and a denominator counted in each replication; its estimate over
 * replications is the ratio of their sums, not the mean of the
 * per-replication ratios, which is biased when a replication holds few
 * events (sim_ratio_estimate).  Other metrics (counts, levels, quantiles)
 * are means over replications; for them `denominator` is NULL. */
typedef struct {
    const char *name;
    const char *units;
    const char *description;
    const char *numerator;     /* the count summed, in words of the results file's columns;
                                  NULL for a mean over replications */
    const char *numerator_units;
    const char *denominator;   /* NULL: a mean over replications */
    const char *denominator_units;
} rf_metric_info;

size_t rf_metric_count(void);
const rf_metric_info *rf_metric_at(size_t i);
/* Index of a metric by name, -1 if unknown. */
int rf_metric_find(const char *name);
/* The one table of metric labels, in words for a person ("Refused: no
 * space", not `refused_no_space`), shared by the printed tables, plots, the
 * HTML report and the wide CSV.  Also knows "referrals_per_year" (the
 * referrals metric scaled to a year).  Never NULL: a metric without a label
 * of its own shows its description, anything else its name. */
const char *rf_metric_label(const char *name);
/* The unit a label's values are in, for a person: "%" for a share, else
 * the metric's units ("days", "households"); "" for plain counts and when
 * the label says it ("Referrals per year") or the metric is unknown. */
const char *rf_metric_unit_label(const char *name);
/* out[] receives rf_metric_count() values (NAN where undefined, e.g. a share
 * of zero referrals): numerator / denominator for a ratio metric. */
void rf_result_metrics(const rf_result *r, double *out);
/* num[] and den[] receive each metric's numerator and denominator in this
 * replication (den 1 for a mean over replications, num then the value, NaN
 * where undefined), for pooling over replications. */
void rf_result_metric_parts(const rf_result *r, double *num, double *den);

/* The same for year y (< r->n_years) of the record: every metric of
 * referrals counts that year's referrals, unit-day shares its unit-days,
 * the waiting list is its time average (from the monthly series); metrics
 * not kept by year (quantiles, maxima, departures, events, timely move-on)
 * are NaN.  rf_metric_by_year says which. */
void rf_result_year_metric_parts(const rf_result *r, int y, double *num, double *den);
int rf_metric_by_year(size_t i);

#endif
