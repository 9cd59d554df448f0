/* rf_model: one replication of the refuge model on the sim/ engine.
 *
 * Referrals arrive (Poisson with growth and seasonality, or a replayed trace),
 * are screened, matched to a free in-service unit they fit (rf_match), else
 * refused or put on the waiting list; placed households stay, may leave
 * early, then hold the unit through a move-on delay; every departure is
 * followed by a turnaround, and units have maintenance outages.
 *
 * Semantics (the details a reader of the results needs):
 *  - Time 0 is the start of the simulation; statistics cover
 *    [warmup, warmup + horizon].  The arrival rate counts time from the END of
 *    warm-up, which is the first day of calendar month start_month (1 =
 *    January): rate(t) = per_year/365 * (1+growth)^((t-warmup)/365) *
 *    seasonality[(start_month - 1 + m) mod 12],
 *    m = floor(((t-warmup) mod 365) / (365/12)), so seasonality[0] is
 *    January and month m of the monthly series is calendar month
 *    start_month + m (mod 12); warm-up runs at the (growth-discounted) rate
 *    of the months before it.  Months are 365/12 days.  Thinning uses the
 *    largest rate over [0, warmup + horizon].
 *  - Trace mode (p->trace): referral k arrives at warmup + rows[k].day; its
 *    fields >= 0 override the drawn ones.  A trace stay is the whole time in
 *    support (no early exit is drawn for it).
 *  - Only referrals arriving at or after warm-up end are counted; each gets
 *    exactly one rf_outcome; those still waiting at the end are
 *    waiting_at_end.  Starting-state households (initial occupants and
 *    initial waiting list) are not referrals of the window: they take units
 *    and places on the list, show in levels and per-service counts, but have
 *    no outcome.
 *  - Per-service counts (placements, departures, early exits, move-ons) count
 *    events that happen inside the window; unit-days are clipped to it.
 *  - Unit life cycle: free -> support (stay; an early exit leaves after
 *    U x stay with no move-on) -> move-on delay (unit blocked, counted as
 *    occupied and as blocked) -> turnaround (down) -> free.  A maintenance
 *    outage that falls due while the unit is occupied starts after its
 *    turnaround.  The next outage falls due outage_interval after the end of
 *    the previous one.  Zero-length phases take no event.  The stay, the
 *    move-on delay, the turnaround and the outages follow the distributions
 *    of the unit's service (rf_service_dist: its own or the scenario's).
 *  - Capacity over time (a block's opens / closes, days after warm-up):
 *    until it opens a unit is closed: it takes nobody, has no outages and
 *    its type counts for no "no suitable unit" decision; on opening each
 *    unit takes the first waiting household it fits, and its outages start
 *    (first due outage_interval after the opening, from its own stream).
 *    On the closing day free units, and units in turnaround or an outage,
 *    close; an occupied unit closes when its household leaves (after the
 *    stay and move-on, without a turnaround): nobody is evicted.  Unit-day
 *    shares are of the unit-days in service.
 *  - Years (rf_year_result): a year's referral counts are of the referrals
 *    arriving in it, whenever settled; its unit-days are those within it.
 *  - A case-by-case NRPF unit takes an NRPF household when its service's
 *    decision accepts it: a draw of the household's below the service's
 *    nrpf_case_accept, the household's own draw for that service
 *    (RF_NRPF_DECIDE_INDEPENDENT) or its one draw shared by every `shared`
 *    service.  The decision is made once, at referral.
 *  - With household profiles, a referral is one profile (by weight); the
 *    attributes the profile gives replace the independent draws, the others
 *    are drawn as usual.
 *  - A unit that becomes free is offered to the waiting list in priority
 *    order (high-risk households first when priority = high_risk, else FIFO);
 *    the first household it fits is placed.
 *  - Ages are in completed years: a drawn child age is truncated.
 *  - Two waits: that of the households placed (0 for those placed at once;
 *    wait_sum, wait_mean, wait_p50, wait_p90) and that of every household
 *    that joined the waiting list, placed after a wait, gave up, or still
 *    waiting at the end with its wait so far (waited, waited_sum,
 *    wait_all_p90).  Quantiles use a histogram of 1-day bins over 0..730
 *    days (longer waits in the last bin); for those placed, positive waits
 *    go to the histogram and zero waits are counted exactly.
 *  - Monthly counts: referrals by the month they arrive; placements,
 *    refusals on arrival (no space, no suitable unit) and abandonments by
 *    the month they happen (of counted referrals, within the series).
 *  - Starting state: each initial occupant takes a free unit of the first
 *    block of its service that has one, with a residual stay drawn from the
 *    stay distribution conditional on exceeding days_stayed; it may leave
 *    early (after U x residual) like anyone else.  Initial waiting households
 *    are drawn from the mix (no screening, they wait whatever p_wait says)
 *    and their patience is conditional on exceeding the days already waited.
 *
 * Random streams, keyed by (p->seed, rep, id):
 *   RF_STREAM_ARRIVALS  interarrival times and thinning
 *   RF_STREAM_HOUSEHOLD RF_HH_UNIFORMS uniforms per referral, whatever the
 *                       configuration: attributes, screening, will-wait,
 *                       patience, and everything about its stay: length,
 *                       early exit, move-on delay and the turnaround of the
 *                       unit after it leaves
 *   RF_STREAM_HOUSEHOLD_MORE  RF_HH_MORE_UNIFORMS further uniforms per
 *                       referral, read at random like the first 32: the
 *                       profile, the services' NRPF decisions
 *   RF_STREAM_INITIAL   the starting state
 *   RF_STREAM_INITIAL_MORE  the same further uniforms for each initial
 *                       waiting household
 *   RF_STREAM_UNIT_BASE + rf_unit_stream_block(service, block) * 2^16 + i
 *                       unit i of a block: its maintenance outages only.
 *                       Keyed by position in its block rather than by global
 *                       index so that growing one service leaves every other
 *                       unit's stream alone.
 *
 * A household takes the lowest-numbered free unit of the first unit type
 * that fits it (types in matching order), so a unit added to the end of the
 * last type is everybody's last choice.  With no waiting list, such a unit
 * only ever takes households the smaller system refused, and everything
 * else happens as without it: no replication refuses more (tested).
 *
 * rf_model_run returns SIM_EINVAL when the params cannot run: horizon <= 0,
 * warmup < 0, per_year < 0, growth <= -1, a negative seasonality factor,
 * screening probabilities < 0 or summing above 1, p_wait or a probability of
 * the mix outside [0,1], n_areas outside 1..RF_MAX_AREAS, a block with count
 * < 0 or > 65535 or largest_family < 1 or an area out of range, more initial
 * occupants of a service than its units or a bad service index, counts of
 * services / blocks / initial households / screening reasons out of their
 * bounds, a start_month outside 1..12, a household profile with a negative
 * weight, a value out of range or needs_specialist without bme or young
 * (or profiles whose weights are all 0), a service outage interval with a
 * mean of 0, a trace with negative or decreasing days, and a network
 * rf_net_check refuses (rf_network.h).  SIM_ENOMEM when
 * memory runs out.  The params must have been through rf_params_prepare. */
#ifndef RF_MODEL_H
#define RF_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "rf_match.h"
#include "rf_network.h"
#include "rf_params.h"
#include "rf_result.h"

enum {
    RF_STREAM_ARRIVALS = 0,
    RF_STREAM_HOUSEHOLD = 1,
    RF_STREAM_INITIAL = 2,
    RF_STREAM_HOUSEHOLD_MORE = 3,
    RF_STREAM_INITIAL_MORE = 4,
    RF_STREAM_UNIT_BASE = 1u << 20
};

/* A block's place in the units' stream keys.  The first 8 blocks of every
 * service keep the keys they had when a service had at most 8 (so that a
 * scenario's outages stay the same bits); blocks 8 and later follow all
 * of those. */
#define RF_UNIT_STREAM_OLD_BLOCKS 8
static inline uint64_t rf_unit_stream_block(int service, int block)
{
    if (block < RF_UNIT_STREAM_OLD_BLOCKS)
        return (uint64_t)service * RF_UNIT_STREAM_OLD_BLOCKS + (uint64_t)block;
    return (uint64_t)RF_MAX_SERVICES * RF_UNIT_STREAM_OLD_BLOCKS
           + (uint64_t)service * (RF_MAX_BLOCKS - RF_UNIT_STREAM_OLD_BLOCKS)
           + (uint64_t)(block - RF_UNIT_STREAM_OLD_BLOCKS);
}

#define RF_HH_UNIFORMS 32
/* Words of RF_STREAM_HOUSEHOLD_MORE per referral: HM_PROFILE the profile
 * drawn (households.profiles); in a network (rf_area.h) HM_ORIGIN its area
 * of origin, HM_LEAVE whether it must leave it, HM_DECLINE whether it
 * declines an offer; words up to HM_NRPF0 - 1 kept free for later
 * mechanisms, HM_NRPF0 + s service s's case-by-case NRPF decision. */
#define RF_HH_MORE_UNIFORMS 48
enum { HM_PROFILE = 0, HM_ORIGIN = 1, HM_LEAVE = 2, HM_DECLINE = 3, HM_NRPF0 = 16 };

/* What the observer hook sees when a counted referral's outcome is settled. */
typedef struct {
    uint64_t referral;         /* referral number in the run, 0-based, warm-up included */
    double t;                  /* when the outcome was settled */
    double referred;           /* when the household was referred */
    rf_outcome outcome;
    int reason;                /* screening reason or rf_block_reason; -1 otherwise */
    int service, block, unit;  /* where it was placed (unit: global index); -1 otherwise */
    int origin;                /* its area of origin in a network (rf_area.h); 0 without */
    bool must_leave;           /* in a network: must be placed outside its origin */
    const rf_household *household;
    const rf_unit_type *type;  /* the unit's type when placed, else NULL */
} rf_outcome_info;

typedef void (*rf_outcome_fn)(void *user, const rf_outcome_info *info);

typedef struct {
    rf_outcome_fn on_outcome;  /* may be NULL; called for counted referrals only */
    void *user;
} rf_model_hooks;

/* One replication; *out is overwritten. */
int rf_model_run(const rf_params *p, uint64_t rep, rf_result *out);

/* The most events one replication may be expected to need: referrals
 * drawn (the thinning's candidates) or unit outages, each counted alone.
 * About a minute of one core; beyond it rf_model_check refuses, naming the
 * key (referrals.per_year, .growth, .seasonality, an outage_interval). */
#define RF_MAX_EVENTS 1e9

/* SIM_OK when rf_model_run can run p; else SIM_EINVAL and, in why (may be
 * NULL), what is wrong, starting with the scenario key where there is one
 * ("services[0].outage_interval: ..."; the loader finds its place). */
int rf_model_check(const rf_params *p, char *why, size_t size);

/* The same with an observer (hooks may be NULL). */
int rf_model_run_ex(const rf_params *p, uint64_t rep, rf_result *out, const rf_model_hooks *hooks);

/* The same writing a network's areas and flows into net (rf_result.h's
 * rf_net_record, rf_net_record_bytes(p) bytes); net NULL: they are not
 * kept (rf_model_run, rf_model_run_ex). */
int rf_model_run_net(const rf_params *p, uint64_t rep, rf_result *out, void *net,
                     const rf_model_hooks *hooks);

/* sim_rep_fn adapter: ctx is a const rf_params *, result an rf_result *
 * (a network's areas and flows are not kept: rf_model_run_record). */
int rf_model_run_rep(const void *ctx, uint64_t rep, void *result);

/* The experiment's record of a replication: an rf_result, then p's network
 * record (rf_net_record_bytes(p) bytes, none without a network), then
 * zeros up to record_size (>= sizeof(rf_result) + those bytes: the largest
 * of a study's points). */
typedef struct {
    const rf_params *p;
    size_t record_size;
    /* A network's tables built once for the point (distances, search
     * orders, flow layout: rf_net_share), only read by its replications;
     * owned (rf_model_record_ctx_open / _close).  NULL: each replication
     * builds its own (the same bits either way). */
    rf_net *net;
} rf_model_record_ctx;

/* sim_rep_fn adapter: ctx a const rf_model_record_ctx *, record
 * ctx->record_size bytes. */
int rf_model_run_record(const void *ctx, uint64_t rep, void *record);

/* Make c the context of p's replications (closing what it held): its
 * network's tables built here, once.  c zeroed or opened before.
 * SIM_ENOMEM (c then builds them per replication). */
int rf_model_record_ctx_open(rf_model_record_ctx *c, const rf_params *p, size_t record_size);
void rf_model_record_ctx_close(rf_model_record_ctx *c);

#endif
