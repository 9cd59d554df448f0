#include "rf_result.h"
#include "sim_status.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *const outcome_names[] = {
#define RF_X(id, name, desc) name,
    RF_OUTCOME_LIST(RF_X)
#undef RF_X
};
static const char *const outcome_descs[] = {
#define RF_X(id, name, desc) desc,
    RF_OUTCOME_LIST(RF_X)
#undef RF_X
};
static const char *const group_names[] = {
#define RF_X(id, name, desc) name,
    RF_GROUP_LIST(RF_X)
#undef RF_X
};
static const char *const group_descs[] = {
#define RF_X(id, name, desc) desc,
    RF_GROUP_LIST(RF_X)
#undef RF_X
};
static const char *const block_names[] = {
#define RF_X(id, name) name,
    RF_BLOCK_LIST(RF_X)
#undef RF_X
};

/* Words for a person, in enum order (the asserts keep them in step). */
static const char *const outcome_labels[] = {
    "Screened out", "No suitable unit", "Placed at once", "Placed after a wait",
    "Refused: no space", "Abandoned the wait", "Still waiting at the end", "Declined an offer",
};
static const char *const group_labels[] = {
    "Wheelchair users", "Large families (5 or more)", "With a boy of 12 or over",
    "No recourse to public funds", "Male victims", "With a pet", "Need a specialist service",
    "Aged 16 to 24", "High support needs", "Black and minority ethnic", "High risk",
};
_Static_assert(sizeof outcome_labels / sizeof *outcome_labels == RF_OUT_N, "a label per outcome");
_Static_assert(sizeof group_labels / sizeof *group_labels == RF_G_N, "a label per group");

const char *rf_outcome_label(rf_outcome o) { return (unsigned)o < RF_OUT_N ? outcome_labels[o] : "?"; }
const char *rf_group_label(rf_group g) { return (unsigned)g < RF_G_N ? group_labels[g] : "?"; }

const char *rf_outcome_name(rf_outcome o) { return (unsigned)o < RF_OUT_N ? outcome_names[o] : "?"; }
const char *rf_outcome_description(rf_outcome o)
{
    return (unsigned)o < RF_OUT_N ? outcome_descs[o] : "?";
}
const char *rf_group_name(rf_group g) { return (unsigned)g < RF_G_N ? group_names[g] : "?"; }
const char *rf_group_description(rf_group g) { return (unsigned)g < RF_G_N ? group_descs[g] : "?"; }
const char *rf_block_name(rf_block_reason b) { return (unsigned)b < RF_BLK_N ? block_names[b] : "?"; }

static double ratio(double num, double den) { return den > 0 ? num / den : NAN; }

#define OUT(o) (double)r->outcomes[o]
#define REF ((double)r->referrals)
#define PLACED (OUT(RF_OUT_PLACED_IMMEDIATELY) + OUT(RF_OUT_PLACED_AFTER_WAIT))
#define NOT_ACCOMMODATED (OUT(RF_OUT_REFUSED_NO_SPACE) + OUT(RF_OUT_NO_SUITABLE) + OUT(RF_OUT_ABANDONED))

/* The metric table.  A share (or any quotient of counts) is a ratio: its
 * numerator and denominator are per-replication totals, named as the
 * results file's columns name them, and the summary pools them over
 * replications (sim_ratio_estimate).  Other metrics are averaged over
 * replications (no denominator: 0, with value 1).
 *   name, units, description,
 *   numerator (words), its units, its value,
 *   denominator (words), its units, its value */
#define SHARE(num_words, num, den_words, den) num_words, "referrals", num, den_words, "referrals", den
#define MEAN(units, value) NULL, units, value, 0, 0, 1
#define RF_METRIC_LIST(X)                                                                      \
    X("referrals", "households", "referrals after warm-up", MEAN("referrals", REF))          \
    X("screened_out", "share", "screened out (not for a space)",                              \
      SHARE("screened_out", OUT(RF_OUT_SCREENED_OUT), "referrals", REF))                       \
    X("no_suitable_unit", "share", "no unit in the area could ever fit the household",        \
      SHARE("no_suitable_unit", OUT(RF_OUT_NO_SUITABLE), "referrals", REF))                    \
    X("placed", "share", "placed, immediately or after a wait",                               \
      SHARE("placed_immediately + placed_after_wait", PLACED, "referrals", REF))               \
    X("placed_immediately", "share", "a fitting unit was free on arrival",                    \
      SHARE("placed_immediately", OUT(RF_OUT_PLACED_IMMEDIATELY), "referrals", REF))           \
    X("placed_after_wait", "share", "waited, then placed",                                    \
      SHARE("placed_after_wait", OUT(RF_OUT_PLACED_AFTER_WAIT), "referrals", REF))             \
    X("refused_no_space", "share", "fitting units all busy or down, did not wait",            \
      SHARE("refused_no_space", OUT(RF_OUT_REFUSED_NO_SPACE), "referrals", REF))               \
    X("abandoned", "share", "waited and gave up",                                             \
      SHARE("abandoned", OUT(RF_OUT_ABANDONED), "referrals", REF))                             \
    X("waiting_at_end", "share", "still waiting when the horizon ended",                      \
      SHARE("waiting_at_end", OUT(RF_OUT_WAITING_AT_END), "referrals", REF))                   \
    X("declined_offer", "share", "offered a unit, declined it (a network's distances)",        \
      SHARE("declined_offer", OUT(RF_OUT_DECLINED), "referrals", REF))                         \
    X("refused", "share", "not accommodated: no space + no suitable unit + abandoned",        \
      SHARE("refused_no_space + no_suitable_unit + abandoned", NOT_ACCOMMODATED, "referrals", REF)) \
    X("refused_of_eligible", "share",                                                         \
      "not accommodated (no space + no suitable unit + abandoned) among referrals not screened out", \
      SHARE("refused_no_space + no_suitable_unit + abandoned", NOT_ACCOMMODATED,               \
            "referrals - screened_out", REF - OUT(RF_OUT_SCREENED_OUT)))                       \
    X("placed_within_7d", "share", "placed within 7 days of referral",                        \
      SHARE("placed_within_7d", (double)r->placed_within_7d, "referrals", REF))                \
    X("placed_within_28d", "share", "placed within 28 days of referral",                      \
      SHARE("placed_within_28d", (double)r->placed_within_28d, "referrals", REF))              \
    X("wait_mean", "days", "mean wait of placed households (0 if immediate)",                 \
      "wait_sum (days waited by placed households)", "days", r->wait_sum,                     \
      "placed_immediately + placed_after_wait", "households", PLACED)                          \
    X("wait_all_mean", "days",                                                                \
      "mean wait of every household that joined the waiting list: placed after a wait, gave up, " \
      "or still waiting at the end (its wait so far)",                                        \
      "waited_sum (days on the list)", "days", r->waited_sum,                                  \
      "waited (households that joined the list)", "households", (double)r->waited)            \
    X("wait_all_p90", "days", "90th percentile wait of every household that joined the waiting list", \
      MEAN("days", r->wait_all_p90))                                                           \
    X("joined_list", "share", "joined the waiting list (placed after a wait, gave up, still waiting)", \
      SHARE("waited", (double)r->waited, "referrals", REF))                                    \
    X("wait_p50", "days", "median wait of placed households", MEAN("days", r->wait_p50))      \
    X("wait_p90", "days", "90th percentile wait of placed households", MEAN("days", r->wait_p90)) \
    X("waiting_mean", "households", "time-average waiting list length",                       \
      MEAN("households", r->waiting_mean))                                                     \
    X("waiting_max", "households", "largest waiting list length", MEAN("households", r->waiting_max)) \
    X("occupancy", "share", "share of unit-days with a household in (support + move-on)",     \
      "occupied_days", "unit-days", r->occupied_days, "unit_days", "unit-days", r->unit_days)  \
    X("blocked_share", "share", "share of unit-days held only by move-on delay",              \
      "moveon_days", "unit-days", r->moveon_days, "unit_days", "unit-days", r->unit_days)      \
    X("downtime_share", "share", "share of unit-days in turnaround or maintenance",           \
      "down_days", "unit-days", r->down_days, "unit_days", "unit-days", r->unit_days)          \
    X("timely_move_on", "share", "share of move-ons within the timely threshold (of move-ons)", \
      "timely_move_ons", "households", (double)r->timely_move_ons, "move_ons", "households",   \
      (double)r->move_ons)                                                                     \
    X("units_in_service", "units", "mean units in service (opened and not yet closed)",       \
      "unit_days (unit-days in service)", "unit-days", r->unit_days, "days", "days", r->days)    \
    X("cost_per_year", "currency", "cost of the units in service and the placements, a year", \
      "cost", "cost", r->cost, "years (days / 365)", "years", r->days / 365)                  \
    X("cost_per_accommodated", "currency",                                                    \
      "cost per household accommodated (placed)", "cost", "cost", r->cost,                    \
      "placed_immediately + placed_after_wait", "households", PLACED)                          \
    X("moveon_days", "days", "bed-days lost to move-on delay", MEAN("days", r->moveon_days))  \
    X("departures", "count", "households leaving a unit", MEAN("count", (double)r->departures)) \
    X("early_exits", "count", "unplanned early exits", MEAN("count", (double)r->early_exits)) \
    X("events", "count", "calendar events processed (whole run)", MEAN("count", (double)r->events))

/* X(...) with the row's arguments expanded first (SHARE, MEAN). */
#define RF_ROW(F, ...) F(__VA_ARGS__)

#define RF_INFO(name, units, desc, num, nunits, nexpr, den, dunits, dexpr) \
    {name, units, desc, num, nunits, den, dunits},
#define RF_X(...) RF_ROW(RF_INFO, __VA_ARGS__)
static const rf_metric_info metrics[] = {RF_METRIC_LIST(RF_X)};
#undef RF_X

size_t rf_metric_count(void) { return sizeof metrics / sizeof metrics[0]; }

const rf_metric_info *rf_metric_at(size_t i) { return i < rf_metric_count() ? &metrics[i] : NULL; }

int rf_metric_find(const char *name)
{
    for (size_t i = 0; i < rf_metric_count(); i++)
        if (strcmp(metrics[i].name, name) == 0)
            return (int)i;
    return -1;
}

/* The metric labels: one table for every place a person reads a metric.
 * Labels carry no units; rf_metric_unit_label gives them. */
static const struct {
    const char *name, *label;
} metric_labels[] = {
    {"referrals", "Referrals"},
    {"referrals_per_year", "Referrals per year"},
    {"screened_out", "Screened out"},
    {"no_suitable_unit", "No suitable unit"},
    {"placed", "Placed"},
    {"placed_immediately", "Placed at once"},
    {"placed_after_wait", "Placed after a wait"},
    {"refused_no_space", "Refused: no space"},
    {"abandoned", "Abandoned the wait"},
    {"waiting_at_end", "Still waiting at the end"},
    {"declined_offer", "Declined an offer"},
    {"refused", "Not accommodated, of all referrals"},
    {"refused_of_eligible", "Not accommodated, of refuge referrals"},
    {"placed_within_7d", "Placed within 7 days"},
    {"placed_within_28d", "Placed within 28 days"},
    {"wait_mean", "Mean wait of those placed"},
    {"wait_all_mean", "Mean wait of all who waited"},
    {"wait_all_p90", "90th percentile wait, all who waited"},
    {"joined_list", "Joined the waiting list"},
    {"wait_p50", "Median wait, placed"},
    {"wait_p90", "90th percentile wait, placed"},
    {"waiting_mean", "Waiting list"},
    {"waiting_max", "Longest waiting list"},
    {"occupancy", "Occupancy"},
    {"blocked_share", "Blocked by move-on"},
    {"downtime_share", "Downtime"},
    {"timely_move_on", "Timely move-on"},
    {"units_in_service", "Units in service"},
    {"cost_per_year", "Cost a year"},
    {"cost_per_accommodated", "Cost per household accommodated"},
    {"moveon_days", "Lost to move-on delay"},
    {"departures", "Departures"},
    {"early_exits", "Early exits"},
    {"events", "Simulation events"},
};

const char *rf_metric_label(const char *name)
{
    for (size_t i = 0; i < sizeof metric_labels / sizeof *metric_labels; i++)
        if (!strcmp(metric_labels[i].name, name))
            return metric_labels[i].label;
    int k = rf_metric_find(name);
    return k >= 0 ? metrics[k].description : name;
}

const char *rf_metric_unit_label(const char *name)
{
    int k = rf_metric_find(name);
    if (k < 0)
        return "";
    const char *u = metrics[k].units;
    if (!strcmp(u, "share"))
        return "%";
    if (!strcmp(u, "count"))
        return "";
    return u;
}

void rf_result_metric_parts(const rf_result *r, double *num, double *den)
{
    size_t i = 0;
#define RF_PARTS(name, units, desc, n, nunits, nexpr, d, dunits, dexpr) \
    num[i] = (nexpr), den[i] = (dexpr), i++;
#define RF_X(...) RF_ROW(RF_PARTS, __VA_ARGS__)
    RF_METRIC_LIST(RF_X)
#undef RF_X
}

void rf_result_metrics(const rf_result *r, double *out)
{
    size_t i = 0;
#define RF_VALUE(name, units, desc, n, nunits, nexpr, d, dunits, dexpr) \
    out[i++] = d ? ratio(nexpr, dexpr) : (nexpr);
#define RF_X(...) RF_ROW(RF_VALUE, __VA_ARGS__)
    RF_METRIC_LIST(RF_X)
#undef RF_X
}

/* Metrics that are not kept year by year (NaN in the yearly figures). */
static const char *const not_by_year[] = {"wait_all_p90", "wait_p50", "wait_p90", "waiting_max",
                                          "departures", "early_exits", "events", "timely_move_on"};

static unsigned char by_year_mask[sizeof metrics / sizeof metrics[0]];
static pthread_once_t by_year_once = PTHREAD_ONCE_INIT;

static void by_year_init(void)
{
    for (size_t i = 0; i < rf_metric_count(); i++) {
        by_year_mask[i] = 1;
        for (size_t k = 0; k < sizeof not_by_year / sizeof not_by_year[0]; k++)
            if (!strcmp(metrics[i].name, not_by_year[k]))
                by_year_mask[i] = 0;
    }
}

int rf_metric_by_year(size_t i)
{
    if (i >= rf_metric_count())
        return 0;
    pthread_once(&by_year_once, by_year_init);
    return by_year_mask[i];
}

void rf_result_year_metric_parts(const rf_result *r, int y, double *num, double *den)
{
    /* A year's figures are a whole record's with only the year's fields
     * set.  The writer calls this for every replication, year and point, so
     * the scratch record is zeroed once per thread (its other fields stay
     * zero: every call writes the same fields) instead of copying 10 KB of
     * zeros a call, which was a third of a county run's instructions. */
    static _Thread_local rf_result x;
    const rf_year_result *yr = &r->years[y];
    x.referrals = yr->referrals;
    for (int o = 0; o < RF_OUT_N; o++)
        x.outcomes[o] = yr->outcomes[o];
    x.placed_within_7d = yr->placed_within_7d;
    x.placed_within_28d = yr->placed_within_28d;
    x.wait_sum = yr->wait_sum;
    x.waited = yr->waited;
    x.waited_sum = yr->waited_sum;
    x.occupied_days = yr->occupied_days;
    x.moveon_days = yr->blocked_days;
    x.down_days = yr->down_days;
    x.unit_days = yr->unit_days;
    x.days = yr->days;
    x.cost = yr->cost;
    /* the waiting list's time average: the months of the year, by length */
    const double month = RF_YEAR_DAYS / 12;
    double sum = 0;
    for (int j = 0; j < 12 && 12 * y + j < r->n_months; j++) {
        double len = fmin(month, yr->days - j * month);
        if (len > 0)
            sum += r->monthly_waiting[12 * y + j] * len;
    }
    x.waiting_mean = yr->days > 0 ? sum / yr->days : NAN;
    rf_result_metric_parts(&x, num, den);
    pthread_once(&by_year_once, by_year_init);
    for (size_t i = 0; i < rf_metric_count(); i++)
        if (!by_year_mask[i])
            num[i] = den[i] = NAN;
}

/* ---- a network's record ---------------------------------------------- */

size_t rf_net_record_size(const rf_flow_layout *l)
{
    if (!l || l->n_areas <= 0)
        return 0;
    size_t b = (size_t)l->n_areas * sizeof(rf_area_result) + l->n_cells * sizeof(uint32_t);
    return (b + 7) / 8 * 8;
}

rf_area_result *rf_net_record_areas(void *rec) { return rec; }
const rf_area_result *rf_net_record_areas_c(const void *rec) { return rec; }

uint32_t *rf_net_record_flows(void *rec, const rf_flow_layout *l)
{
    return (uint32_t *)((unsigned char *)rec + (size_t)l->n_areas * sizeof(rf_area_result));
}

const uint32_t *rf_net_record_flows_c(const void *rec, const rf_flow_layout *l)
{
    return (const uint32_t *)((const unsigned char *)rec
                              + (size_t)l->n_areas * sizeof(rf_area_result));
}

long rf_flow_cell(const rf_flow_layout *l, int origin, int destination)
{
    if (origin < 0 || origin >= l->n_areas || destination < 0)
        return -1;
    size_t lo = l->row[origin], hi = l->row[origin + 1];
    while (lo < hi) {              /* destinations ascending */
        size_t mid = lo + (hi - lo) / 2;
        if (l->dest[mid] < destination)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < l->row[origin + 1] && l->dest[lo] == destination ? (long)lo : -1;
}

uint32_t rf_net_record_flow(const void *rec, const rf_flow_layout *l, int origin, int destination)
{
    long c = rf_flow_cell(l, origin, destination);
    return c < 0 ? 0 : rf_net_record_flows_c(rec, l)[c];
}

int rf_flow_layout_from_marks(int n_areas, const unsigned char *mark, rf_flow_layout *out)
{
    memset(out, 0, sizeof *out);
    size_t na = n_areas > 0 ? (size_t)n_areas : 0, n = 0;
    for (size_t i = 0; i < na * na; i++)
        n += mark[i] != 0;
    out->row = malloc((na + 1) * sizeof *out->row);
    out->dest = malloc((n + 1) * sizeof *out->dest);
    if (!out->row || !out->dest) {
        rf_flow_layout_free(out);
        return SIM_ENOMEM;
    }
    out->n_areas = n_areas;
    size_t c = 0;
    for (size_t o = 0; o < na; o++) {
        out->row[o] = c;
        for (size_t d = 0; d < na; d++)
            if (mark[o * na + d])
                out->dest[c++] = (uint16_t)d;
    }
    out->row[na] = c;
    out->n_cells = c;
    return SIM_OK;
}

void rf_flow_layout_free(rf_flow_layout *l)
{
    if (!l)
        return;
    free(l->row);
    free(l->dest);
    memset(l, 0, sizeof *l);
}
