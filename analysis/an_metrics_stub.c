/* an_metrics_stub: TEMPORARY weak stand-ins for the metric and name functions
 * declared in models/rf_result.h, so analysis/ builds and tests before the
 * model helper's models/rf_result.c is merged.  Every symbol is weak: the
 * real (strong) definitions win at link time.
 *
 * DELETE THIS FILE AFTER models/rf_result.c IS MERGED. */
#include <math.h>
#include <string.h>
#include "rf_result.h"

#define WEAK __attribute__((weak))

static const char *const stub_outcome_names[] = {
#define X(id, name, desc) name,
    RF_OUTCOME_LIST(X)
#undef X
};
static const char *const stub_outcome_desc[] = {
#define X(id, name, desc) desc,
    RF_OUTCOME_LIST(X)
#undef X
};
static const char *const stub_group_names[] = {
#define X(id, name, desc) name,
    RF_GROUP_LIST(X)
#undef X
};
static const char *const stub_group_desc[] = {
#define X(id, name, desc) desc,
    RF_GROUP_LIST(X)
#undef X
};
static const char *const stub_block_names[] = {
#define X(id, name) name,
    RF_BLOCK_LIST(X)
#undef X
};

WEAK const char *rf_outcome_name(rf_outcome o)
{
    return (unsigned)o < RF_OUT_N ? stub_outcome_names[o] : "unknown";
}
WEAK const char *rf_outcome_description(rf_outcome o)
{
    return (unsigned)o < RF_OUT_N ? stub_outcome_desc[o] : "unknown";
}
WEAK const char *rf_group_name(rf_group g)
{
    return (unsigned)g < RF_G_N ? stub_group_names[g] : "unknown";
}
WEAK const char *rf_group_description(rf_group g)
{
    return (unsigned)g < RF_G_N ? stub_group_desc[g] : "unknown";
}
WEAK const char *rf_block_name(rf_block_reason b)
{
    return (unsigned)b < RF_BLK_N ? stub_block_names[b] : "unknown";
}

static const rf_metric_info stub_metrics[] = {
    {"referrals", "referrals", "referrals after warm-up"},
    {"screened_out", "share", "share of referrals screened out (not for a space)"},
    {"no_suitable_unit", "share", "share of referrals no unit in the area could ever fit"},
    {"placed", "share", "share of referrals placed (immediately or after a wait)"},
    {"refused_no_space", "share", "share of referrals refused: fitting units all busy or down"},
    {"abandoned", "share", "share of referrals that waited and gave up"},
    {"wait_mean", "days", "mean wait of placed households (0 if placed immediately)"},
    {"wait_p90", "days", "90th percentile of the wait of placed households"},
    {"waiting_mean", "households", "time-average waiting list length"},
    {"occupancy", "share", "share of unit-days with a household in"},
    {"downtime_share", "share", "share of unit-days in turnaround or maintenance"},
    {"blocked_share", "share", "share of unit-days held only by move-on delay"},
    {"timely_move_on", "share", "share of move-ons within the timely limit"},
};
#define STUB_N (sizeof stub_metrics / sizeof stub_metrics[0])

WEAK size_t rf_metric_count(void)
{
    return STUB_N;
}
WEAK const rf_metric_info *rf_metric_at(size_t i)
{
    return i < STUB_N ? &stub_metrics[i] : NULL;
}
WEAK int rf_metric_find(const char *name)
{
    for (size_t i = 0; i < STUB_N; i++)
        if (!strcmp(stub_metrics[i].name, name))
            return (int)i;
    return -1;
}

static double share(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : NAN;
}

WEAK void rf_result_metrics(const rf_result *r, double *out)
{
    uint64_t n = r->referrals;
    out[0] = (double)n;
    out[1] = share(r->outcomes[RF_OUT_SCREENED_OUT], n);
    out[2] = share(r->outcomes[RF_OUT_NO_SUITABLE], n);
    out[3] = share(r->outcomes[RF_OUT_PLACED_IMMEDIATELY] + r->outcomes[RF_OUT_PLACED_AFTER_WAIT], n);
    out[4] = share(r->outcomes[RF_OUT_REFUSED_NO_SPACE], n);
    out[5] = share(r->outcomes[RF_OUT_ABANDONED], n);
    out[6] = r->wait_mean;
    out[7] = r->wait_p90;
    out[8] = r->waiting_mean;
    out[9] = r->occupancy;
    out[10] = r->downtime_share;
    out[11] = r->blocked_share;
    out[12] = share(r->timely_move_ons, r->move_ons);
}
