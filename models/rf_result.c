#include "rf_result.h"

#include <math.h>
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

/* name, units, description, value computed from `const rf_result *r` */
#define RF_METRIC_LIST(X)                                                                      \
    X("referrals", "households", "referrals after warm-up", REF)                              \
    X("screened_out", "share", "screened out (not for a space)", ratio(OUT(RF_OUT_SCREENED_OUT), REF)) \
    X("no_suitable_unit", "share", "no unit in the area could ever fit the household",        \
      ratio(OUT(RF_OUT_NO_SUITABLE), REF))                                                     \
    X("placed", "share", "placed, immediately or after a wait",                               \
      ratio(OUT(RF_OUT_PLACED_IMMEDIATELY) + OUT(RF_OUT_PLACED_AFTER_WAIT), REF))              \
    X("placed_immediately", "share", "a fitting unit was free on arrival",                    \
      ratio(OUT(RF_OUT_PLACED_IMMEDIATELY), REF))                                              \
    X("placed_after_wait", "share", "waited, then placed", ratio(OUT(RF_OUT_PLACED_AFTER_WAIT), REF)) \
    X("refused_no_space", "share", "fitting units all busy or down, did not wait",            \
      ratio(OUT(RF_OUT_REFUSED_NO_SPACE), REF))                                                \
    X("abandoned", "share", "waited and gave up", ratio(OUT(RF_OUT_ABANDONED), REF))          \
    X("waiting_at_end", "share", "still waiting when the horizon ended",                      \
      ratio(OUT(RF_OUT_WAITING_AT_END), REF))                                                  \
    X("refused", "share", "not accommodated: no space + no suitable unit + abandoned",        \
      ratio(OUT(RF_OUT_REFUSED_NO_SPACE) + OUT(RF_OUT_NO_SUITABLE) + OUT(RF_OUT_ABANDONED), REF)) \
    X("refused_of_eligible", "share",                                                         \
      "not accommodated (no space + no suitable unit + abandoned) among referrals not screened out", \
      ratio(OUT(RF_OUT_REFUSED_NO_SPACE) + OUT(RF_OUT_NO_SUITABLE) + OUT(RF_OUT_ABANDONED),      \
            REF - OUT(RF_OUT_SCREENED_OUT)))                                                   \
    X("placed_within_7d", "share", "placed within 7 days of referral",                        \
      ratio((double)r->placed_within_7d, REF))                                                 \
    X("placed_within_28d", "share", "placed within 28 days of referral",                      \
      ratio((double)r->placed_within_28d, REF))                                                \
    X("wait_mean", "days", "mean wait of placed households (0 if immediate)", r->wait_mean)   \
    X("wait_p50", "days", "median wait of placed households", r->wait_p50)                    \
    X("wait_p90", "days", "90th percentile wait of placed households", r->wait_p90)           \
    X("waiting_mean", "households", "time-average waiting list length", r->waiting_mean)      \
    X("waiting_max", "households", "largest waiting list length", r->waiting_max)             \
    X("occupancy", "share", "share of unit-days with a household in (support + move-on)",     \
      r->occupancy)                                                                            \
    X("blocked_share", "share", "share of unit-days held only by move-on delay", r->blocked_share) \
    X("downtime_share", "share", "share of unit-days in turnaround or maintenance",           \
      r->downtime_share)                                                                       \
    X("timely_move_on", "share", "share of move-ons within the timely threshold (of move-ons)", \
      ratio((double)r->timely_move_ons, (double)r->move_ons))                                  \
    X("moveon_days", "days", "bed-days lost to move-on delay", r->moveon_days)                \
    X("departures", "count", "households leaving a unit", (double)r->departures)              \
    X("early_exits", "count", "unplanned early exits", (double)r->early_exits)                \
    X("events", "count", "calendar events processed (whole run)", (double)r->events)

static const rf_metric_info metrics[] = {
#define RF_X(name, units, desc, expr) {name, units, desc},
    RF_METRIC_LIST(RF_X)
#undef RF_X
};

size_t rf_metric_count(void) { return sizeof metrics / sizeof metrics[0]; }

const rf_metric_info *rf_metric_at(size_t i) { return i < rf_metric_count() ? &metrics[i] : NULL; }

int rf_metric_find(const char *name)
{
    for (size_t i = 0; i < rf_metric_count(); i++)
        if (strcmp(metrics[i].name, name) == 0)
            return (int)i;
    return -1;
}

void rf_result_metrics(const rf_result *r, double *out)
{
    size_t i = 0;
#define RF_X(name, units, desc, expr) out[i++] = (expr);
    RF_METRIC_LIST(RF_X)
#undef RF_X
}
