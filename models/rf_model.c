#include "rf_model.h"
#include "rf_network.h"
#include "sim_calendar.h"
#include "sim_rng.h"
#include "sim_runner.h"
#include "sim_stats.h"
#include "sim_status.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MONTH_DAYS (365.0 / 12)
#define WAIT_HIST_DAYS 730
#define MAX_BLOCK_UNITS 65535

enum { EV_ARRIVAL, EV_RENEGE, EV_SUPPORT_END, EV_MOVEON_END, EV_TURNAROUND_END,
       EV_OUTAGE_DUE, EV_OUTAGE_END, EV_WARMUP_END, EV_MONTH, EV_END, EV_OPEN, EV_CLOSE };

/* U_CLOSED: not in service (not yet open, or closed). */
enum { U_FREE, U_SUPPORT, U_MOVEON, U_TURNAROUND, U_OUTAGE, U_CLOSED };

/* Which of a referral's uniforms drives what.  The household stream always
 * yields RF_HH_UNIFORMS per referral, so adding a mechanism never shifts the
 * numbers another mechanism sees. */
enum {
    UX_SCREEN, UX_ADULTS, UX_CHILDREN, UX_WHEELCHAIR, UX_NRPF, UX_MALE, UX_PET, UX_BME,
    UX_YOUNG, UX_SPECIALIST, UX_HIGH_SUPPORT, UX_HIGH_RISK, UX_SECURITY, UX_OUTSIDE,
    UX_WANTS_AREA, UX_AREA, UX_WAIT, UX_PATIENCE, UX_STAY, UX_EARLY, UX_EARLY_T,
    UX_MOVEON, UX_NRPF_CASE, UX_CHILD0, /* one per child: sex, then age by rescaling */
    UX_TURNAROUND = UX_CHILD0 + RF_MAX_CHILDREN, /* the unit's turnaround after it leaves */
    UX_END
};
_Static_assert(UX_END <= RF_HH_UNIFORMS, "household uniforms");

enum { LIST_HIGH, LIST_NORMAL };

/* A household between referral and its outcome. */
typedef struct {
    rf_household h;
    uint64_t number;
    double referred, wait_start;
    double patience;                      /* < 0: draw from u_patience when it waits */
    double u_patience;
    double u_stay, u_early, u_early_t, u_moveon, u_turnaround;
    double stay_fixed, moveon_fixed;      /* >= 0: from a trace */
    int screened;                         /* reason, -1 none */
    bool will_wait, counted;
    int year;                             /* year_of(referred) when counted */
    /* network (rf_area.h): origin, must leave it, the decline uniform, the
     * area whose list it waits on (per-area lists) */
    int origin, wait_area;
    bool leave;
    double u_decline;
    /* waiting-list pool bookkeeping */
    uint32_t gen;
    int prev, next, list;
} hh_rec;

/* A unit.  Its stream serves only what belongs to the unit (outages);
 * everything about a stay, the turnaround after it included, comes from the
 * occupant's numbers, so a unit added elsewhere changes no household's
 * draws (and see rf_model.h on when one more unit never refuses more). */
typedef struct {
    sim_stream rng;
    int type;
    int state;
    bool outage_due, early;
    double since, moveon;
    double u_turnaround;       /* the occupant's turnaround uniform */
    double open_t, close_t;    /* in service [open_t, close_t) (close_t INFINITY: still) */
} unit_t;

typedef struct {
    const rf_params *p;
    const rf_model_hooks *hooks;
    rf_result *res;
    rf_net *net;               /* NULL without a network */
    const rf_net *shared;      /* the point's tables (rf_net_share), or NULL: net builds its own */
    /* a network's record (the caller's, or net_own when it gave none):
     * its areas and its flows' cells (rf_net_layout) */
    rf_area_result *areas;
    uint32_t *flows;
    const rf_flow_layout *lay;
    void *net_rec, *net_own;
    /* a network's: each area's residents' mix, the scenario's unless the
     * area sets its own (kept in own_mixes, one per such area) */
    const rf_household_mix **mixes;
    rf_household_mix *own_mixes;
    sim_calendar *cal;
    sim_stream arr, hhs, init, hhs_more, init_more;
    uint32_t case_by_case;     /* bit s: service s has a case-by-case NRPF block */
    double warmup, end;
    double lambda_max;
    bool constant_rate;        /* no growth, flat seasonality: rate_at is lambda_max */
    uint64_t n_referred;

    /* each service's move-on, turnaround and outage distributions */
    const sim_dist *sd[RF_MAX_SERVICES][RF_SD_N];

    /* Per unit type, n_types of each, in one allocation (type_arrays): up
     * to RF_MAX_SERVICES x RF_MAX_BLOCKS types, but a replication zeroes
     * only the ones its scenario has. */
    int n_types;
    rf_unit_type *types;
    int *order;                /* matching order */
    int *first;                /* first global unit of a type */
    int *count;
    int *n_free;
    /* Capacity over time: a type takes households while open[k]; closing[k]
     * once its closing day has come (units close as they come free). */
    bool *open, *closing;
    bool phased;               /* some block opens later or closes */
    int n_units;
    unit_t *units;
    /* Free units, one bit per unit: type k's units first[k] + i are bits i
     * of words word0[k] ...; lo[k] is a word below which type k has no free
     * unit.  A household takes the lowest-numbered free unit of a type, so
     * a unit added to the end of a block is that block's last choice. */
    uint64_t *free_bits;
    int *word0;
    int *lo;

    hh_rec *pool;
    int pool_cap, pool_free;
    int head[2], tail[2];
    int n_waiting;

    sim_level occ, wait, m_occ, m_wait, m_units;
    double month_start;
    int series_months;         /* months the monthly series hold */
    int n_years;               /* years the yearly figures hold */
    uint64_t n_waits, n_zero_waits;
    double wait_sum;
    unsigned polls;            /* counts to the next look at sim_runner_abort */
    /* Last: run_model zeroes the model up to here, and sim_hist_init the
     * bins it uses (a third of the model's 34 KB is bins never used). */
    sim_hist waits;            /* positive waits of placed households */
    sim_hist waited;           /* waits of everyone who joined the list */
} model;

/* Why the params cannot run, in words for the CLI; SIM_OK when they can. */
#define REFUSE(...)                                                                         \
    do {                                                                                    \
        if (why && size)                                                                    \
            snprintf(why, size, __VA_ARGS__);                                               \
        return SIM_EINVAL;                                                                  \
    } while (0)

static double max_rate(const rf_params *p);

/* Work a replication would do, before doing it: values that pass every
 * range check can still ask for 1e104 referrals (growth 10 over a century)
 * or an outage every 1e-300 days, which no interrupt would end.  The
 * thinning draws candidates at the maximum rate over the whole run; each
 * unit's outages come one interval apart. */
/* A network's referrals are its areas' rates (rf_net_max_rate): the key
 * to name is the area drawing most, its seasonality or growth when that is
 * what makes it so many (the scenario's when the area has none of its
 * own), else its per_year (the scenario's referrals.per_year when the
 * areas share it by population: their rates add up to it). */
static void net_work_key(const rf_params *p, char *key, size_t size)
{
    double T = p->warmup + p->horizon, best = -1, sum = 0;
    int a = 0;
    for (int k = 0; k < p->n_areas; k++) {
        const rf_area *x = &p->net.areas[k];
        sum += x->per_year;
        double r = rf_net_area_max_rate(p, k);
        if (r > best) {
            best = r;
            a = k;
        }
    }
    const rf_area *x = &p->net.areas[a];
    const double *sv = x->own_seasonality ? x->seasonality : p->seasonality;
    double smax = 0, base = x->per_year / 365 * T;
    for (int m = 0; m < 12; m++)
        smax = fmax(smax, sv[m]);
    bool shared = p->per_year > 0 && fabs(sum - p->per_year) <= 1e-9 * p->per_year;
    if (smax > 1e3 && !x->own_seasonality)
        snprintf(key, size, "referrals.seasonality");
    else if (smax > 1e3)
        snprintf(key, size, "network.areas[%d].seasonality", a);
    else if (base > 0 && best * T / base > 1e3 && x->growth == p->growth)
        snprintf(key, size, "referrals.growth");
    else if (base > 0 && best * T / base > 1e3)
        snprintf(key, size, "network.areas[%d].growth", a);
    else if (shared)
        snprintf(key, size, "referrals.per_year");
    else
        snprintf(key, size, "network.areas[%d].per_year", a);
}

static int check_work(const rf_params *p, char *why, size_t size)
{
    double T = p->warmup + p->horizon;
    if (!p->trace && p->net.on) {
        double lam = max_rate(p) * T;
        if (!(lam <= RF_MAX_EVENTS)) {
            char key[96];
            net_work_key(p, key, sizeof key);
            REFUSE("%s: about %.3g referrals would be drawn in one replication of %g days "
                   "(at most %.0e)", key, lam, T, RF_MAX_EVENTS);
        }
    } else if (!p->trace) {
        double base = p->per_year / 365 * T, lam = max_rate(p) * T;
        if (!(lam <= RF_MAX_EVENTS)) {
            double smax = 0;
            for (int m = 0; m < 12; m++)
                smax = fmax(smax, p->seasonality[m]);
            const char *key = smax > 1e3 ? "referrals.seasonality"
                              : base > 0 && lam / base > 1e3 ? "referrals.growth"
                                                            : "referrals.per_year";
            REFUSE("%s: about %.3g referrals would be drawn in one replication of %g days "
                   "(at most %.0e)", key, lam, T, RF_MAX_EVENTS);
        }
    }
    double shared = 0;   /* outages under the scenario-wide interval */
    int shared_units = 0;
    for (int k = 0; k < p->n_services; k++) {
        const sim_dist *iv = rf_service_dist(p, k, RF_SD_OUTAGE_INTERVAL);
        if (iv->kind == SIM_DIST_NONE)
            continue;
        int units = 0;
        for (int b = 0; b < p->services[k].n_blocks; b++)
            units += p->services[k].blocks[b].count;
        double n = (double)units * T / sim_dist_mean(iv);
        if (iv == &p->outage_interval) {
            shared += n;
            shared_units += units;
        } else if (!(n <= RF_MAX_EVENTS)) {
            REFUSE("services[%d].outage_interval: about %.3g outages in one replication of %g "
                   "days over %d units (at most %.0e)", k, n, T, units, RF_MAX_EVENTS);
        }
    }
    if (!(shared <= RF_MAX_EVENTS))
        REFUSE("downtime.outage_interval: about %.3g outages in one replication of %g days over "
               "%d units (at most %.0e)", shared, T, shared_units, RF_MAX_EVENTS);
    return SIM_OK;
}

static int validate(const rf_params *p, char *why, size_t size)
{
    if (!(isfinite(p->horizon) && p->horizon > 0))
        REFUSE("horizon must be a positive number of days");
    if (!(isfinite(p->warmup) && p->warmup >= 0))
        REFUSE("warmup must be 0 or more days");
    if (!(isfinite(p->per_year) && p->per_year >= 0))
        REFUSE("referrals.per_year must be 0 or more");
    if (!(p->growth > -1 && isfinite(p->growth)))
        REFUSE("referrals.growth must be above -1");
    for (int m = 0; m < 12; m++)
        if (!(isfinite(p->seasonality[m]) && p->seasonality[m] >= 0))
            REFUSE("referrals.seasonality[%d] must be a finite number, 0 or more", m);
    if (p->start_month < 1 || p->start_month > 12)
        REFUSE("referrals.start_month must be a month, 1 to 12");
    if (p->n_screen < 0 || p->n_screen > RF_MAX_SCREEN)
        REFUSE("at most %d screening reasons", RF_MAX_SCREEN);
    double q = 0;
    for (int i = 0; i < p->n_screen; i++) {
        if (!(p->screen[i].prob >= 0))
            REFUSE("screening[%d].prob must be 0 or more", i);
        q += p->screen[i].prob;
    }
    if (q > 1 + 1e-12)
        REFUSE("screening probabilities add up to %g, more than 1", q);
    const rf_household_mix *x = &p->mix;
    const double probs[] = {p->p_wait, x->p_child_male, x->p_wheelchair, x->p_nrpf, x->p_male,
                            x->p_pet, x->p_bme, x->p_young, x->p_needs_specialist,
                            x->p_high_support, x->p_high_risk, x->p_needs_security,
                            x->p_outside_area, x->p_wants_area};
    for (size_t i = 0; i < sizeof probs / sizeof probs[0]; i++)
        if (!(probs[i] >= 0 && probs[i] <= 1))
            REFUSE("a probability (waiting.p_wait or households.p_*) is outside [0, 1]: %g",
                   probs[i]);
    if (p->n_areas < 1 || p->n_areas > RF_MAX_AREAS)
        REFUSE("1 to %d areas", RF_MAX_AREAS);
    if (p->n_profiles < 0 || p->n_profiles > RF_MAX_PROFILES)
        REFUSE("at most %d household profiles", RF_MAX_PROFILES);
    double weights = 0;
    for (int i = 0; i < p->n_profiles; i++) {
        const rf_profile *f = &p->profiles[i];
        if (!(f->weight >= 0 && isfinite(f->weight)))
            REFUSE("households.profiles[%d].weight must be 0 or more", i);
        weights += f->weight;
        const int flags[] = {f->wheelchair, f->nrpf, f->male, f->pet, f->bme, f->young,
                             f->needs_specialist, f->high_support, f->high_risk,
                             f->needs_security, f->outside_area};
        for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
            if (flags[k] < RF_PROFILE_DRAW || flags[k] > 1)
                REFUSE("households.profiles[%d]: a flag is neither true, false nor drawn", i);
        if ((f->adults != RF_PROFILE_DRAW && f->adults < 1)
            || (f->children != RF_PROFILE_DRAW && (f->children < 0 || f->children > RF_MAX_CHILDREN))
            || f->oldest_boy_age < RF_PROFILE_NONE || f->area < RF_PROFILE_NONE
            || f->area >= p->n_areas)
            REFUSE("households.profiles[%d]: adults, children, oldest_boy_age or area out of "
                   "range", i);
        if (f->needs_specialist == 1 && f->bme != 1 && f->young != 1)
            REFUSE("households.profiles[%d]: needs_specialist needs bme or young", i);
    }
    if (p->n_profiles > 0 && !(weights > 0))
        REFUSE("households.profiles: at least one weight must be more than 0");
    if (p->n_services < 0 || p->n_services > RF_MAX_SERVICES)
        REFUSE("at most %d services", RF_MAX_SERVICES);
    if (p->max_waiting < 0)
        REFUSE("waiting.max_waiting must be 0 (no cap) or more");
    for (int a = 0; a < p->n_areas; a++)
        if (!(p->mix.area_weights[a] >= 0))
            REFUSE("households.area_weights[%d] must be 0 or more", a);
    int occupants[RF_MAX_SERVICES] = {0};
    if (p->n_initial_occupants < 0 || p->n_initial_occupants > RF_MAX_INITIAL
        || p->n_initial_waiting < 0 || p->n_initial_waiting > RF_MAX_INITIAL)
        REFUSE("at most %d initial occupants and %d initial waiting households", RF_MAX_INITIAL,
               RF_MAX_INITIAL);
    for (int i = 0; i < p->n_initial_occupants; i++) {
        const rf_initial_occupant *o = &p->initial_occupants[i];
        if (o->service < 0 || o->service >= p->n_services || !(o->days_stayed >= 0))
            REFUSE("initial occupant %d: unknown service or negative days stayed", i);
        occupants[o->service]++;
    }
    for (int i = 0; i < p->n_initial_waiting; i++)
        if (!(p->initial_waiting_days[i] >= 0))
            REFUSE("initial.waiting_days[%d] must be 0 or more", i);
    for (int s = 0; s < p->n_services; s++) {
        const rf_service *sv = &p->services[s];
        if (sv->n_blocks < 0 || sv->n_blocks > RF_MAX_BLOCKS)
            REFUSE("services[%d]: at most %d unit blocks", s, RF_MAX_BLOCKS);
        if (!(sv->p_early_exit >= 0 && sv->p_early_exit <= 1))
            REFUSE("services[%d].p_early_exit is outside [0, 1]", s);
        int units = 0;
        for (int b = 0; b < sv->n_blocks; b++) {
            const rf_unit_block *bl = &sv->blocks[b];
            if (bl->count < 0 || bl->count > MAX_BLOCK_UNITS)
                REFUSE("services[%d].units: a block of %d units (accepted: 0 to %d units a "
                       "block)", s, bl->count, MAX_BLOCK_UNITS);
            if (bl->largest_family < 1 || bl->area < 0 || bl->area >= p->n_areas)
                REFUSE("services[%d]: a block has largest_family < 1 or an unknown area", s);
            if (!(bl->opens >= 0 && bl->opens < p->horizon)
                || !(bl->closes == 0 || (bl->closes > bl->opens && bl->closes <= p->horizon)))
                REFUSE("services[%d]: a block opens or closes outside the horizon, or closes "
                       "before it opens", s);
            units += bl->opens == 0 ? bl->count : 0;
        }
        if (occupants[s] > units)
            REFUSE("services[%d] (%s): %d initial occupants but %d units open at the start", s,
                   sv->name, occupants[s], units);
    }
    if (p->outage_interval.kind != SIM_DIST_NONE && !(sim_dist_mean(&p->outage_interval) > 0))
        REFUSE("downtime.outage_interval must have a positive mean");
    for (int s = 0; s < p->n_services; s++) {
        const sim_dist *iv = rf_service_dist(p, s, RF_SD_OUTAGE_INTERVAL);
        if (iv->kind != SIM_DIST_NONE && !(sim_dist_mean(iv) > 0))
            REFUSE("services[%d].outage_interval must have a positive mean", s);
    }
    if (p->trace) {
        if (p->trace->n < 0 || (p->trace->n > 0 && !p->trace->rows))
            REFUSE("the referral trace is empty or unreadable");
        for (int i = 0; i < p->trace->n; i++) {
            const rf_trace_row *r = &p->trace->rows[i];
            if (!(r->day >= 0) || (i > 0 && r->day < p->trace->rows[i - 1].day))
                REFUSE("trace referral %d: days must be 0 or more and in order", i + 1);
            if (r->screened_out >= p->n_screen)
                REFUSE("trace referral %d: screened_out %d but the scenario has %d screening "
                       "reasons (accepted: empty or -1 for none%s)", i + 1, r->screened_out,
                       p->n_screen, p->n_screen ? ", or a reason's index from 0" : "");
            if (r->area >= p->n_areas)
                REFUSE("trace referral %d: area %d but the scenario has %d areas", i + 1, r->area,
                       p->n_areas);
        }
    }
    int rc = check_work(p, why, size);
    return rc ? rc : rf_net_check(p, why, size);
}
#undef REFUSE

int rf_model_check(const rf_params *p, char *why, size_t size)
{
    if (why && size)
        why[0] = '\0';
    return validate(p, why, size);
}

/* ---- arrivals ---------------------------------------------------------- */

/* The calendar month (0 = January) x days after warm-up. */
static int calendar_month(const rf_params *p, double x)
{
    double m = fmod(x, 365);
    if (m < 0)
        m += 365;
    int mi = (int)(m / MONTH_DAYS);
    return ((mi > 11 ? 11 : mi) + p->start_month - 1) % 12;
}

static double rate_at(const rf_params *p, double t)
{
    double x = t - p->warmup;
    int month = calendar_month(p, x);
    if (p->net.on)
        return rf_net_rate(p, x, month);
    double r = p->per_year / 365;
    if (p->growth != 0)
        r *= pow(1 + p->growth, x / 365);
    return r * p->seasonality[month];
}

static double max_rate(const rf_params *p)
{
    double smax = 0;
    for (int m = 0; m < 12; m++)
        smax = fmax(smax, p->seasonality[m]);
    if (p->net.on)
        return rf_net_max_rate(p);
    double g = p->growth != 0 ? fmax(pow(1 + p->growth, -p->warmup / 365),
                                     pow(1 + p->growth, p->horizon / 365)) : 1;
    return p->per_year / 365 * g * smax;
}

/* Thinning: candidates at the maximum rate, each kept with rate(t)/max. */
static int schedule_next_arrival(model *m, double now)
{
    const rf_params *p = m->p;
    if (p->trace) {
        uint64_t k = m->n_referred;
        if (k >= (uint64_t)p->trace->n)
            return SIM_OK;
        double t = m->warmup + p->trace->rows[k].day;
        return t < m->end ? sim_cal_schedule(m->cal, t, EV_ARRIVAL, 0, 0) : SIM_OK;
    }
    if (!(m->lambda_max > 0))
        return SIM_OK;
    double t = now;
    for (;;) {
        if (!(++m->polls & 4095u) && sim_runner_abort)
            return SIM_EINTR; /* long runs of rejected candidates stop too */
        t -= log(1 - sim_stream_u01(&m->arr)) / m->lambda_max;  /* 1 - u is exact */
        double u = sim_stream_u01(&m->arr);
        if (t >= m->end)
            return SIM_OK;
        if (u * m->lambda_max < (m->constant_rate ? m->lambda_max : rate_at(p, t)))
            return sim_cal_schedule(m->cal, t, EV_ARRIVAL, 0, 0);
    }
}

/* ---- households -------------------------------------------------------- */

static int rounded(const sim_dist *d, double u)
{
    /* floor(v) is the truncation for v >= 0, the households' counts: no
     * floor sequence (there is no SSE4.1 rounding in a portable build) */
    double v = sim_dist_quantile(d, u) + 0.5;
    if (v > 1e6)
        return 1000000;
    return v >= 0 ? (int)v : (int)floor(v);
}

/* A referral's uniforms, computed a Philox block (four uniforms) at a time
 * when first read.  Referral k's RF_HH_UNIFORMS uniforms are words
 * k * RF_HH_UNIFORMS ... of the household stream, i.e. blocks k * HH_BLOCKS
 * ... of its Philox sequence, so any one of them can be computed alone (a
 * counter-based generator needs no skipping).  A block none of whose
 * uniforms the referral reads is never computed: the unused area draws when
 * nobody wants an area, children that the household does not have, the
 * stay and patience of a referral neither placed nor listed (draw_course),
 * the shared NRPF decision of a household without NRPF.  Each value is
 * the same as the stream's sim_stream_u01 would give, so the numbers, and
 * common random numbers, are unchanged; half of the model's time went to
 * computing all eight blocks of every referral, most of them unread.
 *
 * sim_stream_block_u01 gives any block of the stream alone.  Starting-state
 * households read a plain sequential stream instead and fill every block
 * first. */
#define HH_BLOCKS (RF_HH_UNIFORMS / 4)
_Static_assert(RF_HH_UNIFORMS % 4 == 0 && HH_BLOCKS <= 32, "whole Philox blocks");

typedef struct {
    const sim_stream *stream;
    uint64_t first;            /* the referral's first block */
    uint32_t have;             /* bit j: block j is in u[] */
    double u[RF_HH_UNIFORMS];
} hh_uniforms;

static void hu_start(hh_uniforms *d, const sim_stream *s, uint64_t referral)
{
    d->stream = s;
    d->first = referral * HH_BLOCKS;
    d->have = 0;
}

static void hu_fill(hh_uniforms *d, sim_stream *s)
{
    for (int i = 0; i < RF_HH_UNIFORMS; i++)
        d->u[i] = sim_stream_u01(s);
    d->have = (uint32_t)((1ull << HH_BLOCKS) - 1);
}

static void hu_block(hh_uniforms *d, int j)
{
    sim_stream_block_u01(d->stream, d->first + (uint64_t)j, &d->u[4 * j]);
    d->have |= 1u << j;
}

static inline double hu(hh_uniforms *d, int i)
{
    if (!(d->have >> (i >> 2) & 1))
        hu_block(d, i >> 2);
    return d->u[i];
}

/* A household's further numbers, from a second stream laid out the same
 * way (RF_HH_MORE_UNIFORMS words per referral, blocks computed when first
 * read): the profile it is drawn from and one case-by-case NRPF decision
 * per service.  Kept apart so that the 32 uniforms above, and every figure
 * that depends on them, stay as they were. */
#define HM_BLOCKS (RF_HH_MORE_UNIFORMS / 4)
_Static_assert(RF_HH_MORE_UNIFORMS % 4 == 0 && HM_BLOCKS <= 32, "whole Philox blocks");
_Static_assert(HM_NRPF0 + RF_MAX_SERVICES <= RF_HH_MORE_UNIFORMS, "one NRPF draw per service");
_Static_assert(RF_MAX_SERVICES <= 32, "rf_household.nrpf_ok has a bit per service");

typedef struct {
    const sim_stream *stream;
    uint64_t first;
    uint32_t have;
    double u[RF_HH_MORE_UNIFORMS];
} hh_more;

static void hm_start(hh_more *x, const sim_stream *s, uint64_t household)
{
    x->stream = s;
    x->first = household * HM_BLOCKS;
    x->have = 0;
}

static double hm(hh_more *x, int i)
{
    if (!(x->have >> (i >> 2) & 1)) {
        sim_stream_block_u01(x->stream, x->first + (uint64_t)(i >> 2), &x->u[4 * (i >> 2)]);
        x->have |= 1u << (i >> 2);
    }
    return x->u[i];
}

/* u < p without reading u when p is 0 (u < 0 never holds). */
static inline bool hu_below(hh_uniforms *d, int i, double p)
{
    return p > 0 && hu(d, i) < p;
}

/* The profile a referral is, by its profile uniform; NULL without profiles. */
static const rf_profile *pick_profile(const rf_params *p, hh_more *x)
{
    if (p->n_profiles <= 0)
        return NULL;
    double total = 0;
    for (int i = 0; i < p->n_profiles; i++)
        total += p->profiles[i].weight;
    double c = 0, target = hm(x, HM_PROFILE) * total;
    int last = 0;
    for (int i = 0; i < p->n_profiles; i++) {
        if (!(p->profiles[i].weight > 0))
            continue;
        c += p->profiles[i].weight;
        last = i;
        if (target < c)
            return &p->profiles[i];
    }
    return &p->profiles[last];   /* rounding at the top */
}

/* A profile's value where it gives one, else the drawn one. */
#define PROFILE_OR(pr, field, drawn) ((pr) && (pr)->field != RF_PROFILE_DRAW ? (pr)->field : (drawn))
#define PROFILE_FLAG(pr, field, drawn) \
    ((pr) && (pr)->field != RF_PROFILE_DRAW ? (pr)->field != 0 : (drawn))

/* The household, its screening and whether it would wait (unless it is
 * screened out and `course` is false); draw_course gives the rest of its
 * course, nrpf_decisions its NRPF decisions.  With profiles, its
 * profile's attributes replace the independent draws (the uniforms they
 * would have used are left unread). */
static void draw_household(const rf_params *p, const rf_household_mix *x, hh_uniforms *d,
                           hh_more *more, hh_rec *r, bool course)
{
    const rf_profile *pr = pick_profile(p, more);
    rf_household *h = &r->h;
    memset(h, 0, sizeof *h);
    h->adults = PROFILE_OR(pr, adults, rounded(&x->adults, hu(d, UX_ADULTS)));
    if (h->adults < 1)
        h->adults = 1;
    h->children = PROFILE_OR(pr, children, rounded(&x->children, hu(d, UX_CHILDREN)));
    if (h->children > RF_MAX_CHILDREN)
        h->children = RF_MAX_CHILDREN;
    h->oldest_boy = -1;
    if (pr && pr->oldest_boy_age != RF_PROFILE_DRAW) {
        h->oldest_boy = pr->oldest_boy_age >= 0 ? pr->oldest_boy_age : -1;
    } else {
        for (int i = 0; i < h->children && x->p_child_male > 0; i++) {
            double v = hu(d, UX_CHILD0 + i);
            if (v < x->p_child_male) {
                /* v / p is again uniform and independent of the sex draw. */
                int age = (int)sim_dist_quantile(&x->child_age, v / x->p_child_male);
                if (age > h->oldest_boy)
                    h->oldest_boy = age;
            }
        }
    }
    h->wheelchair = PROFILE_FLAG(pr, wheelchair, hu_below(d, UX_WHEELCHAIR, x->p_wheelchair));
    h->nrpf = PROFILE_FLAG(pr, nrpf, hu_below(d, UX_NRPF, x->p_nrpf));
    h->male = PROFILE_FLAG(pr, male, hu_below(d, UX_MALE, x->p_male));
    h->pet = PROFILE_FLAG(pr, pet, hu_below(d, UX_PET, x->p_pet));
    h->bme = PROFILE_FLAG(pr, bme, hu_below(d, UX_BME, x->p_bme));
    h->young = PROFILE_FLAG(pr, young, hu_below(d, UX_YOUNG, x->p_young));
    h->needs_specialist = (h->bme || h->young)
                          && PROFILE_FLAG(pr, needs_specialist,
                                          hu_below(d, UX_SPECIALIST, x->p_needs_specialist));
    h->high_support = PROFILE_FLAG(pr, high_support, hu_below(d, UX_HIGH_SUPPORT, x->p_high_support));
    h->high_risk = PROFILE_FLAG(pr, high_risk, hu_below(d, UX_HIGH_RISK, x->p_high_risk));
    h->needs_security = PROFILE_FLAG(pr, needs_security,
                                     hu_below(d, UX_SECURITY, x->p_needs_security));
    h->outside_area = PROFILE_FLAG(pr, outside_area, hu_below(d, UX_OUTSIDE, x->p_outside_area));
    h->area = -1;
    if (pr && pr->area != RF_PROFILE_DRAW) {
        h->area = pr->area >= 0 ? pr->area : -1;
    } else if (hu_below(d, UX_WANTS_AREA, x->p_wants_area)) {
        double total = 0;
        for (int a = 0; a < p->n_areas; a++)
            total += x->area_weights[a];
        if (total > 0) {
            double c = 0, target = hu(d, UX_AREA) * total;
            for (int a = 0; a < p->n_areas && h->area < 0; a++) {
                c += x->area_weights[a];
                if (target < c)
                    h->area = a;
            }
            for (int a = p->n_areas - 1; h->area < 0; a--)  /* rounding at the top */
                if (x->area_weights[a] > 0)
                    h->area = a;
        } else {
            h->area = (int)(hu(d, UX_AREA) * p->n_areas);
        }
    }

    r->screened = -1;
    double c = 0;
    for (int i = 0; i < p->n_screen; i++) {
        c += p->screen[i].prob;
        if (hu(d, UX_SCREEN) < c) {
            r->screened = i;
            break;
        }
    }
    r->patience = -1;              /* drawn only if it waits (patience_of) */
    r->stay_fixed = r->moveon_fixed = -1;
    r->will_wait = !(r->screened >= 0 && !course) && hu_below(d, UX_WAIT, p->p_wait);
}

/* The uniforms of a household's stay and of waiting for one, read only when
 * it is placed or joins the list: more than half the county's referrals are
 * refused, and their stay blocks (UX_STAY's, UX_TURNAROUND's) were a tenth
 * of a replication's instructions.  The same words whenever they are read. */
static void draw_course(hh_uniforms *d, hh_rec *r)
{
    r->u_patience = hu(d, UX_PATIENCE);
    r->u_stay = hu(d, UX_STAY);
    r->u_early = hu(d, UX_EARLY);
    r->u_early_t = hu(d, UX_EARLY_T);
    r->u_moveon = hu(d, UX_MOVEON);
    r->u_turnaround = hu(d, UX_TURNAROUND);
}

/* Each service's case-by-case decision on an NRPF household: its own draw
 * for the service, or the household's one shared draw. */
static void nrpf_decisions(const model *m, hh_uniforms *d, hh_more *x, rf_household *h)
{
    const rf_params *p = m->p;
    h->nrpf_ok = 0;
    if (!h->nrpf)
        return;
    for (uint32_t c = m->case_by_case; c; c &= c - 1) {
        int s = __builtin_ctz(c);
        const rf_service *sv = &p->services[s];
        if (sv->nrpf_decision == RF_NRPF_DECIDE_SHARED)
            h->nrpf_u = hu(d, UX_NRPF_CASE);
        double u = sv->nrpf_decision == RF_NRPF_DECIDE_SHARED ? h->nrpf_u : hm(x, HM_NRPF0 + s);
        h->nrpf_ok |= (uint32_t)(u < sv->nrpf_case_accept) << s;
    }
}

static void apply_trace(const rf_trace_row *t, hh_rec *r)
{
    rf_household *h = &r->h;
    if (t->adults >= 0) h->adults = t->adults > 0 ? t->adults : 1;
    if (t->children >= 0) h->children = t->children;
    if (t->oldest_boy_age >= 0) h->oldest_boy = t->oldest_boy_age;
#define RF_FLAG(f) if (t->f >= 0) h->f = t->f != 0;
    RF_FLAG(wheelchair) RF_FLAG(nrpf) RF_FLAG(male) RF_FLAG(pet) RF_FLAG(bme) RF_FLAG(young)
    RF_FLAG(needs_specialist) RF_FLAG(high_support) RF_FLAG(high_risk) RF_FLAG(needs_security)
    RF_FLAG(outside_area)
#undef RF_FLAG
    if (t->area >= 0) h->area = t->area;
    if (t->screened_out >= 0) r->screened = t->screened_out;
    if (t->will_wait >= 0) r->will_wait = t->will_wait != 0;
    if (t->patience >= 0) r->patience = t->patience;
    if (t->stay >= 0) r->stay_fixed = t->stay;
    if (t->move_on_delay >= 0) r->moveon_fixed = t->move_on_delay;
}

/* ---- accounting -------------------------------------------------------- */

static inline bool in_window(const model *m, double t) { return t >= m->warmup; }

/* fmax and fmin for times, which are never NaN: inline comparisons instead
 * of libm calls (a twentieth of the county's instructions went to the calls
 * in the by-year accounts). */
static inline double tmax(double a, double b) { return a > b ? a : b; }
static inline double tmin(double a, double b) { return a < b ? a : b; }

static double clipped(const model *m, double a, double b)
{
    double lo = tmax(a, m->warmup), hi = tmin(b, m->end);
    return hi > lo ? hi - lo : 0;
}

/* The unit-days of [a, b] in the window, year by year: the time a unit
 * spends in one state goes to the years it falls in (U_CLOSED: its time
 * in service, costing per_day). */
static void add_by_year(model *m, double a, double b, int state, double per_day)
{
    double lo = tmax(a, m->warmup), hi = tmin(b, m->end);
    if (!(hi > lo))
        return;
    /* lo >= warmup: truncation is floor.  The loop stops once the next year
     * starts at or after hi (its overlap and every later one is empty)
     * instead of running to the horizon's last year. */
    for (int y = (int)((lo - m->warmup) / RF_YEAR_DAYS); y < m->n_years; y++) {
        double ys = m->warmup + y * RF_YEAR_DAYS, ye = tmin(ys + RF_YEAR_DAYS, m->end);
        double d = tmin(hi, ye) - tmax(lo, ys);
        if (d > 0) {
            rf_year_result *yr = &m->res->years[y];
            if (state == U_SUPPORT || state == U_MOVEON)
                yr->occupied_days += d;
            if (state == U_MOVEON)
                yr->blocked_days += d;
            if (state == U_TURNAROUND || state == U_OUTAGE)
                yr->down_days += d;
            if (state == U_CLOSED) {
                if (m->phased)
                    yr->unit_days += d;  /* finish(): the days a unit was in service */
                yr->cost += d * per_day;
            }
        }
        if (hi <= m->warmup + (y + 1) * RF_YEAR_DAYS)
            break;
    }
}

static void unit_state(model *m, unit_t *u, double now, int state)
{
    rf_service_result *sr = &m->res->services[m->types[u->type].service];
    double d = clipped(m, u->since, now);
    switch (u->state) {
    case U_SUPPORT: sr->occupied_days += d; break;
    case U_MOVEON: sr->occupied_days += d; sr->blocked_days += d; break;
    case U_TURNAROUND:
    case U_OUTAGE: sr->down_days += d; break;
    default: break;
    }
    if (d > 0 && u->state != U_FREE && u->state != U_CLOSED)
        add_by_year(m, u->since, now, u->state, 0);
    bool was_occ = u->state == U_SUPPORT || u->state == U_MOVEON;
    if (m->net && was_occ)
        m->areas[m->types[u->type].def->area].occupied_days += d;
    bool is_occ = state == U_SUPPORT || state == U_MOVEON;
    if (was_occ != is_occ) {
        sim_level_add(&m->occ, now, is_occ ? 1 : -1);
        sim_level_add(&m->m_occ, now, is_occ ? 1 : -1);
    }
    u->state = state;
    u->since = now;
}

static void wait_level(model *m, double now, int delta)
{
    m->n_waiting += delta;
    sim_level_add(&m->wait, now, delta);
    sim_level_add(&m->m_wait, now, delta);
}

/* The month of the monthly series a time in the window falls in; -1 past
 * the series' end (horizons beyond RF_MONTHS_MAX months). */
static int series_month(const model *m, double t)
{
    /* floor without the call: below the warm-up's end it is month 0, and
     * from there truncation is floor (and floor(k) < n just when k < n) */
    if (!(t - m->warmup >= 0))
        return 0;
    double k = (t - m->warmup) / MONTH_DAYS;
    if (k < m->series_months)
        return (int)k;
    /* the last month ends at the horizon: a value rounded past it is in it */
    bool whole = m->series_months < RF_MONTHS_MAX || m->end - m->warmup <= RF_MONTHS_MAX * MONTH_DAYS;
    return whole ? m->series_months - 1 : -1;
}

/* The year of the yearly figures a time in the window falls in; -1 past
 * them (horizons beyond RF_YEARS_MAX years). */
static int year_of(const model *m, double t)
{
    if (!(t - m->warmup >= 0))     /* floor as in series_month */
        return 0;
    double k = (t - m->warmup) / RF_YEAR_DAYS;
    if (k < m->n_years)
        return (int)k;
    return t <= m->end && m->end - m->warmup <= m->n_years * RF_YEAR_DAYS ? m->n_years - 1 : -1;
}

static int unit_area(const model *m, int uidx) { return m->types[m->units[uidx].type].def->area; }

/* A network's accounts of a counted referral's outcome: its origin's
 * residents, and the flow into the area it was placed in. */
static void net_settle(model *m, const hh_rec *r, rf_outcome o, int uidx)
{
    m->areas[r->origin].outcomes[o]++;
    if (uidx >= 0 && (o == RF_OUT_PLACED_IMMEDIATELY || o == RF_OUT_PLACED_AFTER_WAIT)) {
        int d = unit_area(m, uidx);
        long c = rf_flow_cell(m->lay, r->origin, d);   /* always one: d was acceptable */
        if (c >= 0)
            m->flows[c]++;
        m->areas[d].placed_in++;
        m->areas[d].placed_in_from_elsewhere += d != r->origin;
    }
}

static void settle(model *m, const hh_rec *r, double now, rf_outcome o, int reason, int uidx)
{
    if (!r->counted)
        return;
    rf_result *res = m->res;
    res->outcomes[o]++;
    rf_year_result *yr = r->year >= 0 ? &res->years[r->year] : NULL;
    if (yr)
        yr->outcomes[o]++;
    if (m->net)
        net_settle(m, r, o, uidx);
    int mon = o == RF_OUT_WAITING_AT_END || o == RF_OUT_SCREENED_OUT ? -1 : series_month(m, now);
    if (mon >= 0) {
        if (o == RF_OUT_PLACED_IMMEDIATELY || o == RF_OUT_PLACED_AFTER_WAIT)
            res->monthly_placed[mon]++;
        else if (o == RF_OUT_REFUSED_NO_SPACE || o == RF_OUT_NO_SUITABLE)
            res->monthly_refused[mon]++;
        else if (o == RF_OUT_ABANDONED)
            res->monthly_abandoned[mon]++;
    }
    bool placed = o == RF_OUT_PLACED_IMMEDIATELY || o == RF_OUT_PLACED_AFTER_WAIT;
    double w = placed ? now - r->wait_start : 0;
    if (placed) {
        m->n_waits++;
        m->wait_sum += w;
        if (w > 0)
            sim_hist_add(&m->waits, w);
        else
            m->n_zero_waits++;
        res->placed_within_7d += w <= 7;
        res->placed_within_28d += w <= 28;
        if (yr) {
            yr->wait_sum += w;
            yr->placed_within_7d += w <= 7;
            yr->placed_within_28d += w <= 28;
        }
    }
    bool listed = o == RF_OUT_PLACED_AFTER_WAIT || o == RF_OUT_ABANDONED
                  || o == RF_OUT_WAITING_AT_END;
    double on_list = listed ? now - r->wait_start : 0;
    if (listed) {
        res->waited++;
        res->waited_sum += on_list;
        sim_hist_add(&m->waited, on_list);
        if (yr) {
            yr->waited++;
            yr->waited_sum += on_list;
        }
    }
    for (uint32_t g = r->h.groups; g; g &= g - 1) {
        rf_group_result *gr = &res->groups[__builtin_ctz(g)];
        gr->outcomes[o]++;
        if (placed) {
            gr->placed_within_7d += w <= 7;
            gr->placed_within_28d += w <= 28;
            gr->wait_sum += w;
        }
        if (listed) {
            gr->waited++;
            gr->waited_sum += on_list;
        }
    }
    if (m->hooks && m->hooks->on_outcome) {
        const rf_unit_type *t = uidx >= 0 ? &m->types[m->units[uidx].type] : NULL;
        rf_outcome_info info = {
            .referral = r->number, .t = now, .referred = r->referred, .outcome = o,
            .reason = reason, .service = t ? t->service : -1, .block = t ? t->block : -1,
            .unit = uidx, .household = &r->h, .type = t, .origin = r->origin,
            .must_leave = r->leave,
        };
        m->hooks->on_outcome(m->hooks->user, &info);
    }
}

/* ---- units ------------------------------------------------------------- */

static void push_free(model *m, int uidx)
{
    int k = m->units[uidx].type, i = uidx - m->first[k];
    m->free_bits[m->word0[k] + (i >> 6)] |= 1ull << (i & 63);
    m->n_free[k]++;
    if (i >> 6 < m->lo[k])
        m->lo[k] = i >> 6;
}

static void remove_free(model *m, int uidx)
{
    int k = m->units[uidx].type, i = uidx - m->first[k];
    m->free_bits[m->word0[k] + (i >> 6)] &= ~(1ull << (i & 63));
    m->n_free[k]--;
}

/* The lowest-numbered free unit of type k, taken off the free set; the
 * type must have one. */
static int take_lowest_free(model *m, int k)
{
    const uint64_t *w = &m->free_bits[m->word0[k]];
    while (!w[m->lo[k]])
        m->lo[k]++;
    int uidx = m->first[k] + (m->lo[k] << 6) + __builtin_ctzll(w[m->lo[k]]);
    remove_free(m, uidx);
    return uidx;
}

/* Put a household in a unit (already off the free stack) for `support`
 * days, then `moveon` days blocked unless it leaves early; u_turn draws the
 * turnaround after it leaves. */
static int occupy(model *m, int uidx, double now, double support, bool early, double moveon,
                  double u_turn)
{
    unit_t *u = &m->units[uidx];
    unit_state(m, u, now, U_SUPPORT);
    u->early = early;
    u->moveon = moveon;
    u->u_turnaround = u_turn;
    return sim_cal_schedule(m->cal, now + support, EV_SUPPORT_END, (uint32_t)uidx, 0);
}

static int place(model *m, const hh_rec *r, int uidx, double now, rf_outcome o)
{
    const rf_params *p = m->p;
    const rf_service *sv = &p->services[m->types[m->units[uidx].type].service];
    double stay, moveon;
    bool early = false;
    if (r->stay_fixed >= 0) {
        stay = r->stay_fixed;
    } else {
        stay = sim_dist_quantile(&sv->stay, r->u_stay);
        if (r->u_early < sv->p_early_exit) {
            early = true;
            stay *= r->u_early_t;
        }
    }
    int svc = m->types[m->units[uidx].type].service;
    moveon = r->moveon_fixed >= 0 ? r->moveon_fixed
                                  : sim_dist_quantile(m->sd[svc][RF_SD_MOVE_ON], r->u_moveon);
    if (in_window(m, now)) {
        const rf_unit_type *t = &m->types[m->units[uidx].type];
        double c = p->services[t->service].blocks[t->block].cost_placement;
        m->res->services[t->service].placements++;
        m->res->services[t->service].cost += c;
        int y = now == r->referred && r->counted ? r->year : year_of(m, now);
        if (y >= 0)
            m->res->years[y].cost += c;
    }
    settle(m, r, now, o, -1, uidx);
    return occupy(m, uidx, now, stay, early, moveon, r->u_turnaround);
}

static int start_outage(model *m, int uidx, double now)
{
    unit_t *u = &m->units[uidx];
    u->outage_due = false;
    unit_state(m, u, now, U_OUTAGE);
    double d = sim_dist_draw(m->sd[m->types[u->type].service][RF_SD_OUTAGE_DURATION], &u->rng.rng);
    return sim_cal_schedule(m->cal, now + d, EV_OUTAGE_END, (uint32_t)uidx, 0);
}

static void unlink_hh(model *m, int slot)
{
    hh_rec *r = &m->pool[slot];
    if (r->prev >= 0) m->pool[r->prev].next = r->next; else m->head[r->list] = r->next;
    if (r->next >= 0) m->pool[r->next].prev = r->prev; else m->tail[r->list] = r->prev;
    r->list = -1;
}

static void release_hh(model *m, int slot)
{
    hh_rec *r = &m->pool[slot];
    r->gen++;
    r->next = m->pool_free;
    m->pool_free = slot;
}

/* A unit leaves service: it takes nobody again. */
static void close_unit(model *m, int uidx, double now)
{
    unit_t *u = &m->units[uidx];
    unit_state(m, u, now, U_CLOSED);
    u->close_t = now;
    sim_level_add(&m->m_units, now, -1);
}

/* Network: whether a household declines an offer in area a (one uniform
 * for every offer, rf_area.h). */
static bool declines(const model *m, const hh_rec *r, int a)
{
    double q = rf_net_p_decline(m->p, rf_net_km(m->net, r->origin, a));
    return q > 0 && r->u_decline < q;
}

/* Network: whether a waiting household takes a unit of area a. */
static bool net_waits_for(const model *m, const hh_rec *r, int a)
{
    if (m->p->net.waiting == RF_NET_WAIT_AREA)
        return r->wait_area == a;
    return rf_net_accepts(m->net, r->origin, r->leave, a);
}

/* A unit is ready to let: the first waiting household it fits takes it
 * (in a network, the first that accepts its area: a household that
 * declines it leaves the list, declined_offer, and the next is asked; a unit
 * whose type is closing closes instead). */
static int unit_ready(model *m, int uidx, double now)
{
    unit_t *u = &m->units[uidx];
    if (u->state == U_CLOSED)
        return SIM_OK;               /* closed while in turnaround or an outage */
    if (m->closing[u->type]) {
        close_unit(m, uidx, now);
        return SIM_OK;
    }
    if (u->outage_due)
        return start_outage(m, uidx, now);
    unit_state(m, u, now, U_FREE);
    const rf_unit_type *t = &m->types[u->type];
    int area = t->def->area;
    for (int l = 0; l < 2; l++)
        for (int s = m->head[l], next; s >= 0; s = next) {
            next = m->pool[s].next;
            const hh_rec *r = &m->pool[s];
            if (!rf_match_fits(&r->h, t) || (m->net && !net_waits_for(m, r, area)))
                continue;
            unlink_hh(m, s);
            wait_level(m, now, -1);
            if (m->net && declines(m, r, area)) {
                settle(m, r, now, RF_OUT_DECLINED, -1, -1);
                release_hh(m, s);
                continue;
            }
            int rc = place(m, r, uidx, now, RF_OUT_PLACED_AFTER_WAIT);
            release_hh(m, s);
            return rc;
        }
    push_free(m, uidx);
    return SIM_OK;
}

static int depart(model *m, int uidx, double now)
{
    unit_t *u = &m->units[uidx];
    if (in_window(m, now))
        m->res->services[m->types[u->type].service].departures++;
    if (m->closing[u->type]) {
        close_unit(m, uidx, now);    /* closes when its household leaves: no turnaround */
        return SIM_OK;
    }
    double d = sim_dist_quantile(m->sd[m->types[u->type].service][RF_SD_TURNAROUND], u->u_turnaround);
    if (d > 0) {
        unit_state(m, u, now, U_TURNAROUND);
        return sim_cal_schedule(m->cal, now + d, EV_TURNAROUND_END, (uint32_t)uidx, 0);
    }
    return unit_ready(m, uidx, now);
}


static int on_moveon_end(model *m, int uidx, double now)
{
    unit_t *u = &m->units[uidx];
    if (in_window(m, now)) {
        rf_service_result *sr = &m->res->services[m->types[u->type].service];
        sr->move_ons++;
        sr->timely_move_ons += u->moveon <= m->p->timely_days;
    }
    return depart(m, uidx, now);
}

static int on_support_end(model *m, int uidx, double now)
{
    unit_t *u = &m->units[uidx];
    if (u->early) {
        if (in_window(m, now))
            m->res->services[m->types[u->type].service].early_exits++;
        return depart(m, uidx, now);
    }
    if (u->moveon > 0) {
        unit_state(m, u, now, U_MOVEON);
        return sim_cal_schedule(m->cal, now + u->moveon, EV_MOVEON_END, (uint32_t)uidx, 0);
    }
    return on_moveon_end(m, uidx, now);
}

static int on_outage_due(model *m, int uidx, double now)
{
    unit_t *u = &m->units[uidx];
    if (u->state == U_CLOSED)
        return SIM_OK;
    if (u->state != U_FREE) {
        u->outage_due = true;      /* starts after the occupant's turnaround */
        return SIM_OK;
    }
    remove_free(m, uidx);
    return start_outage(m, uidx, now);
}

static int on_outage_end(model *m, int uidx, double now)
{
    unit_t *u = &m->units[uidx];
    if (u->state == U_CLOSED)
        return SIM_OK;
    const sim_dist *iv = m->sd[m->types[u->type].service][RF_SD_OUTAGE_INTERVAL];
    int rc = sim_cal_schedule(m->cal, now + sim_dist_draw(iv, &u->rng.rng), EV_OUTAGE_DUE,
                              (uint32_t)uidx, 0);
    return rc ? rc : unit_ready(m, uidx, now);
}

/* ---- matching and the waiting list -------------------------------------- */

/* Network: the first free unit the household fits, areas in its search
 * order and types in matching order inside each; the household may
 * decline it (*declined, the unit stays free). */
static int net_take(model *m, const hh_rec *r, bool *declined)
{
    int na;
    const uint16_t *areas = rf_net_search(m->net, r->origin, r->leave, &na);
    for (int i = 0; i < na; i++) {
        int nt;
        const int *ts = rf_net_types(m->net, areas[i], &nt);
        for (int j = 0; j < nt; j++) {
            int k = ts[j];
            if (m->n_free[k] && rf_match_fits(&r->h, &m->types[k])) {
                if (declines(m, r, areas[i])) {
                    *declined = true;
                    return -1;
                }
                return take_lowest_free(m, k);
            }
        }
    }
    return -1;
}

static int take_free_unit(model *m, const hh_rec *r, bool *declined)
{
    *declined = false;
    if (m->net)
        return net_take(m, r, declined);
    for (int i = 0; i < m->n_types; i++) {
        int k = m->order[i];
        if (m->n_free[k] && rf_match_fits(&r->h, &m->types[k]))
            return take_lowest_free(m, k);
    }
    return -1;
}

/* Whether type k is one the household could ever take: it fits, and in a
 * network its area is acceptable (any_type_fits: among the types in
 * service, open and not closing). */
static bool could_take(const model *m, const hh_rec *r, int k)
{
    return rf_match_fits(&r->h, &m->types[k])
           && (!m->net || rf_net_accepts(m->net, r->origin, r->leave, m->types[k].def->area));
}

static bool any_type_fits(const model *m, const hh_rec *r)
{
    for (int k = 0; k < m->n_types; k++)
        if (m->open[k] && !m->closing[k] && could_take(m, r, k))
            return true;
    return false;
}

/* Why no unit fits: over the types in service (open, not closing) and, in
 * a network, of the acceptable areas (area when there are none). */
static rf_block_reason blocking(const model *m, const hh_rec *r)
{
    if (!m->net && !m->phased)
        return rf_match_blocking(&r->h, m->types, m->n_types);
    rf_unit_type ok[RF_MAX_SERVICES * RF_MAX_BLOCKS];
    int n = 0;
    for (int k = 0; k < m->n_types; k++)
        if ((!m->net || rf_net_accepts(m->net, r->origin, r->leave, m->types[k].def->area))
            && m->open[k] && !m->closing[k])
            ok[n++] = m->types[k];
    return n || !m->net ? rf_match_blocking(&r->h, ok, n) : RF_BLK_AREA;
}

/* A type's opening day: its units come into service (each takes the first
 * waiting household it fits) and their outages start. */
static int on_open(model *m, int k, double now)
{
    const sim_dist *iv = m->sd[m->types[k].service][RF_SD_OUTAGE_INTERVAL];
    m->open[k] = true;
    int rc = SIM_OK;
    for (int i = 0; i < m->count[k] && !rc; i++) {
        int uidx = m->first[k] + i;
        unit_t *u = &m->units[uidx];
        u->open_t = now;
        u->since = now;
        u->state = U_FREE;
        sim_level_add(&m->m_units, now, 1);
        if (iv->kind != SIM_DIST_NONE)
            rc = sim_cal_schedule(m->cal, now + sim_dist_draw(iv, &u->rng.rng), EV_OUTAGE_DUE,
                                  (uint32_t)uidx, 0);
        if (!rc)
            rc = unit_ready(m, uidx, now);
    }
    return rc;
}

/* A type's closing day: free units close now, the others when they come
 * free (an occupied one when its household leaves). */
static int on_close(model *m, int k, double now)
{
    m->closing[k] = true;
    for (int i = 0; i < m->count[k]; i++) {
        int uidx = m->first[k] + i;
        unit_t *u = &m->units[uidx];
        if (u->state == U_FREE) {
            remove_free(m, uidx);
            close_unit(m, uidx, now);
        } else if (u->state == U_TURNAROUND || u->state == U_OUTAGE) {
            close_unit(m, uidx, now);   /* nobody in it: no need to finish */
        }
    }
    return SIM_OK;
}

/* Network, per-area lists: the first area of its search order with a type
 * the household fits. */
static int wait_area_of(const model *m, const hh_rec *r)
{
    int na;
    const uint16_t *areas = rf_net_search(m->net, r->origin, r->leave, &na);
    for (int i = 0; i < na; i++) {
        int nt;
        const int *ts = rf_net_types(m->net, areas[i], &nt);
        for (int j = 0; j < nt; j++)
            if (rf_match_fits(&r->h, &m->types[ts[j]]))
                return areas[i];
    }
    return -1;
}

/* A household's origin x days after warm-up (0 without a network). */
static int origin_of(const model *m, hh_more *more, double x)
{
    const rf_params *p = m->p;
    if (!m->net || p->n_areas == 1)
        return 0;
    return rf_net_origin_of(m->net, p, x, calendar_month(p, x), hm(more, HM_ORIGIN));
}

/* The mix a household of this origin is drawn from. */
static const rf_household_mix *mix_of(const model *m, int origin)
{
    return m->net ? m->mixes[origin] : &m->p->mix;
}

/* A household's other network numbers: whether it must leave its origin,
 * its decline uniform (each read only when it matters). */
static void net_household(const model *m, hh_more *more, hh_rec *r, int origin)
{
    const rf_params *p = m->p;
    r->origin = origin;
    r->leave = false;
    r->u_decline = 1;
    r->wait_area = -1;
    if (!m->net)
        return;
    const rf_area *a = &p->net.areas[r->origin];
    if (a->p_leave > 0 || a->p_leave_high_risk > 0)
        r->leave = rf_net_leaves(p, r->origin, r->h.high_risk, hm(more, HM_LEAVE));
    if (p->net.decline != RF_DECLINE_NONE)
        r->u_decline = hm(more, HM_DECLINE);
}

static double patience_of(const rf_params *p, const hh_rec *r)
{
    if (r->patience >= 0)
        return r->patience;
    return p->patience.kind == SIM_DIST_NONE ? INFINITY
                                             : sim_dist_quantile(&p->patience, r->u_patience);
}

static int join_list(model *m, const hh_rec *r, double now, double patience)
{
    if (m->pool_free < 0) {
        int ncap = m->pool_cap * 2;
        hh_rec *np = realloc(m->pool, (size_t)ncap * sizeof *np);
        if (!np)
            return SIM_ENOMEM;
        m->pool = np;
        for (int i = m->pool_cap; i < ncap; i++) {
            np[i].gen = 0;
            np[i].next = i + 1 < ncap ? i + 1 : -1;
        }
        m->pool_free = m->pool_cap;
        m->pool_cap = ncap;
    }
    int s = m->pool_free;
    hh_rec *w = &m->pool[s];
    m->pool_free = w->next;
    uint32_t gen = w->gen;
    *w = *r;
    w->gen = gen;
    if (m->net && m->p->net.waiting == RF_NET_WAIT_AREA)
        w->wait_area = wait_area_of(m, r);
    w->list = m->p->priority == RF_PRIORITY_HIGH_RISK && r->h.high_risk ? LIST_HIGH : LIST_NORMAL;
    w->next = -1;
    w->prev = m->tail[w->list];
    if (w->prev >= 0) m->pool[w->prev].next = s; else m->head[w->list] = s;
    m->tail[w->list] = s;
    wait_level(m, now, 1);
    if (!isfinite(patience))
        return SIM_OK;
    return sim_cal_schedule(m->cal, now + patience, EV_RENEGE, (uint32_t)s, gen);
}

static void on_renege(model *m, uint32_t slot, uint32_t gen, double now)
{
    hh_rec *r = &m->pool[slot];
    if (r->gen != gen || r->list < 0)
        return;                    /* placed meanwhile: a stale event */
    unlink_hh(m, (int)slot);
    wait_level(m, now, -1);
    settle(m, r, now, RF_OUT_ABANDONED, -1, -1);
    release_hh(m, (int)slot);
}

static int on_arrival(model *m, double now)
{
    const rf_params *p = m->p;
    hh_uniforms d;
    hh_more x;
    hu_start(&d, &m->hhs, m->n_referred);
    hm_start(&x, &m->hhs_more, m->n_referred);
    hh_rec r;
    int origin = origin_of(m, &x, now - m->warmup);
    draw_household(p, mix_of(m, origin), &d, &x, &r, p->trace != NULL);
    if (p->trace)
        apply_trace(&p->trace->rows[m->n_referred], &r);
    nrpf_decisions(m, &d, &x, &r.h);
    rf_household_finish(&r.h);
    net_household(m, &x, &r, origin);
    r.number = m->n_referred++;
    r.referred = r.wait_start = now;
    r.counted = in_window(m, now);
    r.year = -1;
    int rc = schedule_next_arrival(m, now);
    if (rc)
        return rc;
    rf_result *res = m->res;
    if (r.counted) {
        res->referrals++;
        int mon = series_month(m, now);
        r.year = year_of(m, now);
        if (mon >= 0)
            res->monthly_referrals[mon]++;
        if (r.year >= 0)
            res->years[r.year].referrals++;
        for (uint32_t g = r.h.groups; g; g &= g - 1)
            res->groups[__builtin_ctz(g)].referrals++;
        if (m->net)
            m->areas[r.origin].referrals++;
    }
    if (r.screened >= 0) {
        res->screened[r.screened] += r.counted;
        settle(m, &r, now, RF_OUT_SCREENED_OUT, r.screened, -1);
        return SIM_OK;
    }
    bool declined;
    int uidx = take_free_unit(m, &r, &declined);
    if (uidx >= 0) {
        draw_course(&d, &r);
        return place(m, &r, uidx, now, RF_OUT_PLACED_IMMEDIATELY);
    }
    if (declined) {
        settle(m, &r, now, RF_OUT_DECLINED, -1, -1);
        return SIM_OK;
    }
    if (!any_type_fits(m, &r)) {
        rf_block_reason b = blocking(m, &r);
        res->no_suitable[b] += r.counted;
        settle(m, &r, now, RF_OUT_NO_SUITABLE, (int)b, -1);
        return SIM_OK;
    }
    if (r.will_wait && (p->max_waiting == 0 || m->n_waiting < p->max_waiting)) {
        draw_course(&d, &r);
        return join_list(m, &r, now, patience_of(p, &r));
    }
    settle(m, &r, now, RF_OUT_REFUSED_NO_SPACE, -1, -1);
    return SIM_OK;
}

/* ---- starting state ------------------------------------------------------ */

/* A draw from d conditional on exceeding `done`, minus `done`. */
static double residual(const sim_dist *d, double done, double u)
{
    double f = sim_dist_cdf(d, done);
    if (!(f < 1))
        return 0;
    double v = f + u * (1 - f);
    if (v >= 1)
        v = nextafter(1.0, 0.0);
    double x = sim_dist_quantile(d, v) - done;
    return x > 0 ? x : 0;
}

static int initial_state(model *m)
{
    const rf_params *p = m->p;
    int rc = SIM_OK;
    for (int i = 0; i < p->n_initial_occupants && !rc; i++) {
        const rf_initial_occupant *o = &p->initial_occupants[i];
        const rf_service *sv = &p->services[o->service];
        double u_stay = sim_stream_u01(&m->init), u_early = sim_stream_u01(&m->init);
        double u_early_t = sim_stream_u01(&m->init), u_moveon = sim_stream_u01(&m->init);
        double u_turn = sim_stream_u01(&m->init);
        int k = 0;
        while (m->types[k].service != o->service || !m->n_free[k])
            k++;                   /* validate() made sure one exists */
        int uidx = take_lowest_free(m, k);
        double stay = residual(&sv->stay, o->days_stayed, u_stay);
        bool early = u_early < sv->p_early_exit;
        rc = occupy(m, uidx, 0, early ? u_early_t * stay : stay, early,
                    sim_dist_quantile(m->sd[o->service][RF_SD_MOVE_ON], u_moveon), u_turn);
    }
    for (int i = 0; i < p->n_initial_waiting && !rc; i++) {
        hh_uniforms d;
        hh_more x;
        hu_fill(&d, &m->init);
        hm_start(&x, &m->init_more, (uint64_t)i);
        hh_rec r;
        int origin = origin_of(m, &x, -p->warmup);
        draw_household(p, mix_of(m, origin), &d, &x, &r, true);
        draw_course(&d, &r);
        nrpf_decisions(m, &d, &x, &r.h);
        rf_household_finish(&r.h);
        net_household(m, &x, &r, origin);
        double days = p->initial_waiting_days[i];
        r.number = UINT64_MAX;
        r.referred = r.wait_start = -days;
        r.counted = false;
        r.year = -1;
        bool declined;
        int uidx = take_free_unit(m, &r, &declined);
        if (uidx >= 0)
            rc = place(m, &r, uidx, 0, RF_OUT_PLACED_AFTER_WAIT);
        else if (declined)
            continue;              /* not a referral of the window: no outcome */
        else
            rc = join_list(m, &r, 0, p->patience.kind == SIM_DIST_NONE
                                         ? INFINITY : residual(&p->patience, days, d.u[UX_PATIENCE]));
    }
    return rc;
}

/* ---- statistics windows -------------------------------------------------- */

static int start_window(model *m, double now)
{
    sim_level_reset(&m->occ, now, m->occ.level);
    sim_level_reset(&m->wait, now, m->wait.level);
    sim_level_reset(&m->m_occ, now, m->occ.level);
    sim_level_reset(&m->m_wait, now, m->wait.level);
    sim_level_reset(&m->m_units, now, m->m_units.level);
    m->month_start = now;
    double next = now + MONTH_DAYS;
    return next < m->end - 1e-9 ? sim_cal_schedule(m->cal, next, EV_MONTH, 1, 0) : SIM_OK;
}

static void close_month(model *m, double now)
{
    rf_result *res = m->res;
    if (res->n_months < RF_MONTHS_MAX && now > m->month_start) {
        res->monthly_occupied[res->n_months] = sim_level_mean(&m->m_occ, now);
        res->monthly_waiting[res->n_months] = sim_level_mean(&m->m_wait, now);
        res->monthly_units[res->n_months] = sim_level_mean(&m->m_units, now);
        res->n_months++;
    }
    sim_level_reset(&m->m_occ, now, m->occ.level);
    sim_level_reset(&m->m_wait, now, m->wait.level);
    sim_level_reset(&m->m_units, now, m->m_units.level);
    m->month_start = now;
}

static int on_month(model *m, uint32_t k, double now)
{
    close_month(m, now);
    double next = m->warmup + (k + 1) * MONTH_DAYS;
    if (m->res->n_months >= RF_MONTHS_MAX || !(next < m->end - 1e-9))
        return SIM_OK;
    return sim_cal_schedule(m->cal, next, EV_MONTH, k + 1, 0);
}

static void finish(model *m)
{
    rf_result *res = m->res;
    double end = m->end;
    for (int l = 0; l < 2; l++)
        for (int s = m->head[l]; s >= 0; s = m->pool[s].next)
            settle(m, &m->pool[s], end, RF_OUT_WAITING_AT_END, -1, -1);
    for (int i = 0; i < m->n_units; i++)
        unit_state(m, &m->units[i], end, m->units[i].state);
    close_month(m, end);

    double occ = 0, blocked = 0, down = 0;
    for (int s = 0; s < res->n_services; s++) {
        const rf_service_result *sr = &res->services[s];
        occ += sr->occupied_days;
        blocked += sr->blocked_days;
        down += sr->down_days;
        res->departures += sr->departures;
        res->early_exits += sr->early_exits;
        res->move_ons += sr->move_ons;
        res->timely_move_ons += sr->timely_move_ons;
    }
    for (int y = 0; y < m->n_years; y++) {
        rf_year_result *yr = &res->years[y];
        yr->days = fmin(RF_YEAR_DAYS, m->p->horizon - y * RF_YEAR_DAYS);
        yr->unit_days = m->phased ? 0 : (double)m->n_units * yr->days;
    }
    res->n_years = m->n_years;
    double unit_days = (double)m->n_units * m->p->horizon;
    if (!m->phased)
        for (int s = 0; s < res->n_services; s++)
            res->services[s].unit_days = (double)res->services[s].units * m->p->horizon;
    else
        unit_days = 0;
    for (int a = 0; m->net && !m->phased && a < m->p->n_areas; a++)
        m->areas[a].unit_days = (double)m->areas[a].units * m->p->horizon;
    /* each unit from its opening to its closing: unit-days in service (when
     * some open later or close) and what they cost */
    for (int i = 0; i < m->n_units; i++) {
        const unit_t *u = &m->units[i];
        const rf_unit_type *t = &m->types[u->type];
        double per_day = m->p->services[t->service].blocks[t->block].cost_unit_year / 365.0;
        if (!(u->open_t < m->end) || (!m->phased && per_day == 0))
            continue;
        double d = clipped(m, u->open_t, u->close_t);
        if (m->phased) {
            unit_days += d;
            res->services[t->service].unit_days += d;
            if (m->net)
                m->areas[t->def->area].unit_days += d;
        }
        res->services[t->service].cost += d * per_day;
        add_by_year(m, u->open_t, u->close_t, U_CLOSED, per_day);
    }
    for (int s = 0; s < res->n_services; s++)
        res->cost += res->services[s].cost;
    res->days = m->p->horizon;
    res->occupancy = unit_days > 0 ? occ / unit_days : NAN;
    res->blocked_share = unit_days > 0 ? blocked / unit_days : NAN;
    res->downtime_share = unit_days > 0 ? down / unit_days : NAN;
    res->moveon_days = blocked;
    res->unit_days = unit_days;
    res->occupied_days = occ;
    res->down_days = down;
    res->wait_sum = m->wait_sum;
    res->waiting_mean = sim_level_mean(&m->wait, end);
    res->waiting_max = m->wait.max;
    if (m->n_waits) {
        res->wait_mean = m->wait_sum / (double)m->n_waits;
        double z = (double)m->n_zero_waits / (double)m->n_waits;
        res->wait_p50 = z >= 0.5 ? 0 : sim_hist_quantile(&m->waits, (0.5 - z) / (1 - z));
        res->wait_p90 = z >= 0.9 ? 0 : sim_hist_quantile(&m->waits, (0.9 - z) / (1 - z));
    } else {
        res->wait_mean = res->wait_p50 = res->wait_p90 = NAN;
    }
    res->wait_all_p90 = res->waited ? sim_hist_quantile(&m->waited, 0.9) : NAN;
}

/* ---- the run ------------------------------------------------------------- */

/* The per-type arrays of a model of n types, zeroed, in one block that
 * m->types owns. */
static int type_arrays(model *m, int n)
{
    size_t nt = (size_t)(n > 0 ? n : 1);
    int **ints[] = {&m->order, &m->first, &m->count, &m->n_free, &m->word0, &m->lo};
    size_t n_ints = sizeof ints / sizeof ints[0];
    unsigned char *b = calloc(1, nt * (sizeof *m->types + n_ints * sizeof(int) + 2 * sizeof(bool)));
    if (!b)
        return SIM_ENOMEM;
    m->types = (rf_unit_type *)b;
    b += nt * sizeof *m->types;
    for (size_t i = 0; i < n_ints; i++, b += nt * sizeof(int))
        *ints[i] = (int *)b;
    m->open = (bool *)b;
    m->closing = m->open + nt;
    return SIM_OK;
}

static int setup(model *m, const rf_params *p, uint64_t rep)
{
    rf_result *res = m->res;
    int n_types = 0;
    for (int s = 0; s < p->n_services; s++)
        for (int b = 0; b < p->services[s].n_blocks; b++)
            n_types += p->services[s].blocks[b].count != 0;
    if (type_arrays(m, n_types) != SIM_OK)
        return SIM_ENOMEM;
    res->rep = rep;
    res->n_services = p->n_services;
    for (int s = 0; s < p->n_services; s++)
        for (int k = 0; k < RF_SD_N; k++)
            m->sd[s][k] = rf_service_dist(p, s, (rf_service_dist_kind)k);
    for (int s = 0; s < p->n_services; s++)
        for (int b = 0; b < p->services[s].n_blocks; b++) {
            int c = p->services[s].blocks[b].count;
            res->services[s].units += c;
            if (c == 0)
                continue;
            int k = m->n_types++;
            rf_unit_type_init(&m->types[k], p, s, b);
            if (p->services[s].blocks[b].nrpf == RF_NRPF_CASE_BY_CASE)
                m->case_by_case |= 1u << s;
            m->first[k] = m->n_units;
            m->count[k] = c;
            m->n_units += c;
        }
    if (p->matching == RF_MATCH_BEST_FIT)
        rf_match_best_fit_order(m->types, m->n_types, m->order);
    else
        for (int k = 0; k < m->n_types; k++)
            m->order[k] = k;
    if (p->net.on) {
        int rc = m->shared ? rf_net_share(m->shared, m->types, m->n_types, m->order, &m->net)
                           : rf_net_create(p, m->types, m->n_types, m->order, &m->net);
        if (rc)
            return rc;
        res->n_areas = p->n_areas;
        m->lay = rf_net_layout(m->net);
        size_t bytes = rf_net_record_size(m->lay);
        if (!m->net_rec && !(m->net_rec = m->net_own = malloc(bytes)))
            return SIM_ENOMEM;
        memset(m->net_rec, 0, bytes);
        m->areas = rf_net_record_areas(m->net_rec);
        m->flows = rf_net_record_flows(m->net_rec, m->lay);
        int n_own = 0;
        for (int a = 0; a < p->n_areas; a++)
            n_own += rf_net_area_has_mix(p, a);
        m->mixes = malloc((size_t)p->n_areas * sizeof *m->mixes);
        m->own_mixes = malloc((size_t)(n_own + 1) * sizeof *m->own_mixes);
        if (!m->mixes || !m->own_mixes)
            return SIM_ENOMEM;
        for (int a = 0; a < p->n_areas; a++)
            if (!rf_net_area_has_mix(p, a)) {
                m->mixes[a] = &p->mix;
            } else {
                rf_net_area_mix(p, a, &m->own_mixes[--n_own]);
                m->mixes[a] = &m->own_mixes[n_own];
            }
        for (int s = 0; s < p->n_services; s++)
            for (int b = 0; b < p->services[s].n_blocks; b++)
                m->areas[p->services[s].blocks[b].area].units += p->services[s].blocks[b].count;
    }

    size_t nu = m->n_units > 0 ? (size_t)m->n_units : 1;
    m->units = calloc(nu, sizeof *m->units);
    int words = 0;
    for (int k = 0; k < m->n_types; k++) {
        m->word0[k] = words;
        words += (m->count[k] + 63) / 64;
    }
    m->free_bits = calloc(words > 0 ? (size_t)words : 1, sizeof *m->free_bits);
    m->pool_cap = 64;
    m->pool = malloc((size_t)m->pool_cap * sizeof *m->pool);
    m->cal = sim_cal_create(256 + 4 * nu);
    if (!m->units || !m->free_bits || !m->pool || !m->cal)
        return SIM_ENOMEM;
    for (int i = 0; i < m->pool_cap; i++) {
        m->pool[i].gen = 0;
        m->pool[i].next = i + 1 < m->pool_cap ? i + 1 : -1;
    }
    m->pool_free = 0;
    m->head[0] = m->head[1] = m->tail[0] = m->tail[1] = -1;

    sim_stream_init(&m->arr, p->seed, rep, RF_STREAM_ARRIVALS);
    sim_stream_init(&m->hhs, p->seed, rep, RF_STREAM_HOUSEHOLD);
    sim_stream_init(&m->init, p->seed, rep, RF_STREAM_INITIAL);
    sim_stream_init(&m->hhs_more, p->seed, rep, RF_STREAM_HOUSEHOLD_MORE);
    sim_stream_init(&m->init_more, p->seed, rep, RF_STREAM_INITIAL_MORE);
    sim_cal_reset(m->cal, 0);
    sim_level_reset(&m->occ, 0, 0);
    sim_level_reset(&m->wait, 0, 0);
    sim_level_reset(&m->m_occ, 0, 0);
    sim_level_reset(&m->m_wait, 0, 0);
    sim_level_reset(&m->m_units, 0, 0);
    sim_hist_init(&m->waits, 0, WAIT_HIST_DAYS, WAIT_HIST_DAYS);
    sim_hist_init(&m->waited, 0, WAIT_HIST_DAYS, WAIT_HIST_DAYS);

    for (int k = 0; k < m->n_types; k++) {
        const rf_unit_type *t = &m->types[k];
        for (int i = 0; i < m->count[k]; i++) {
            unit_t *u = &m->units[m->first[k] + i];
            u->type = k;
            u->state = U_FREE;
            sim_stream_init(&u->rng, p->seed, rep,
                            RF_STREAM_UNIT_BASE
                                + (rf_unit_stream_block(t->service, t->block) << 16)
                                + (uint64_t)i);
        }
        const rf_unit_block *bl = &p->services[t->service].blocks[t->block];
        m->open[k] = bl->opens == 0;
        m->phased |= bl->opens > 0 || bl->closes > 0;
        for (int i = 0; i < m->count[k]; i++) {
            unit_t *u = &m->units[m->first[k] + i];
            u->close_t = INFINITY;
            if (m->open[k]) {
                push_free(m, m->first[k] + i);
                sim_level_add(&m->m_units, 0, 1);
            } else {
                u->state = U_CLOSED;
            }
        }
    }
    return SIM_OK;
}

static int run(model *m)
{
    /* The end and the warm-up go first: FIFO on equal times then makes
     * anything due exactly at the end fall outside the run, and the window
     * open before anything due exactly at its start. */
    int rc = sim_cal_schedule(m->cal, m->end, EV_END, 0, 0);
    if (!rc)
        rc = m->warmup > 0 ? sim_cal_schedule(m->cal, m->warmup, EV_WARMUP_END, 0, 0)
                           : start_window(m, 0);
    if (!rc)
        rc = initial_state(m);
    for (int i = 0; i < m->n_units && !rc; i++) {
        const sim_dist *iv = m->sd[m->types[m->units[i].type].service][RF_SD_OUTAGE_INTERVAL];
        if (iv->kind != SIM_DIST_NONE && m->open[m->units[i].type])
            rc = sim_cal_schedule(m->cal, sim_dist_draw(iv, &m->units[i].rng.rng), EV_OUTAGE_DUE,
                                  (uint32_t)i, 0);
    }
    for (int k = 0; k < m->n_types && !rc; k++) {
        const rf_unit_block *bl = &m->p->services[m->types[k].service].blocks[m->types[k].block];
        if (bl->opens > 0)
            rc = sim_cal_schedule(m->cal, m->warmup + bl->opens, EV_OPEN, (uint32_t)k, 0);
        if (!rc && bl->closes > 0)
            rc = sim_cal_schedule(m->cal, m->warmup + bl->closes, EV_CLOSE, (uint32_t)k, 0);
    }
    if (!rc)
        rc = schedule_next_arrival(m, 0);

    sim_event ev;
    unsigned polls = 4096;         /* a countdown in a register, not m->polls */
    while (!rc && sim_cal_pop(m->cal, &ev) && ev.kind != EV_END) {
        double now = ev.t;
        if (--polls == 0) {
            polls = 4096;
            if (sim_runner_abort) {
                rc = SIM_EINTR; /* a second SIGINT: the record is discarded */
                break;
            }
        }
        switch (ev.kind) {
        case EV_ARRIVAL: rc = on_arrival(m, now); break;
        case EV_RENEGE: on_renege(m, ev.id, ev.tag, now); break;
        case EV_SUPPORT_END: rc = on_support_end(m, (int)ev.id, now); break;
        case EV_MOVEON_END: rc = on_moveon_end(m, (int)ev.id, now); break;
        case EV_TURNAROUND_END: rc = unit_ready(m, (int)ev.id, now); break;
        case EV_OUTAGE_DUE: rc = on_outage_due(m, (int)ev.id, now); break;
        case EV_OUTAGE_END: rc = on_outage_end(m, (int)ev.id, now); break;
        case EV_WARMUP_END: rc = start_window(m, now); break;
        case EV_MONTH: rc = on_month(m, ev.id, now); break;
        case EV_OPEN: rc = on_open(m, (int)ev.id, now); break;
        case EV_CLOSE: rc = on_close(m, (int)ev.id, now); break;
        default: rc = SIM_EINTERNAL; break;
        }
    }
    if (!rc)
        finish(m);
    m->res->events = sim_cal_popped(m->cal);
    return rc;
}

static int run_model(const rf_params *p, uint64_t rep, rf_result *out, void *net,
                     const rf_net *shared, const rf_model_hooks *hooks)
{
    memset(out, 0, sizeof *out);
    int rc = validate(p, NULL, 0);
    if (rc)
        return rc;
    model *m = malloc(sizeof *m);
    if (!m)
        return SIM_ENOMEM;
    memset(m, 0, offsetof(model, waits));
    m->p = p;
    m->hooks = hooks;
    m->res = out;
    m->net_rec = net;
    m->shared = p->net.on ? shared : NULL;
    m->warmup = p->warmup;
    m->end = p->warmup + p->horizon;
    m->series_months = (int)ceil(p->horizon / MONTH_DAYS - 1e-9);
    if (m->series_months > RF_MONTHS_MAX)
        m->series_months = RF_MONTHS_MAX;
    if (m->series_months < 1)
        m->series_months = 1;
    m->n_years = (int)ceil(p->horizon / RF_YEAR_DAYS - 1e-9);
    m->n_years = m->n_years > RF_YEARS_MAX ? RF_YEARS_MAX : m->n_years < 1 ? 1 : m->n_years;
    m->lambda_max = max_rate(p);
    m->constant_rate = p->growth == 0;
    for (int a = 0; p->net.on && a < p->n_areas; a++)
        m->constant_rate = m->constant_rate && p->net.areas[a].growth == 0
                           && !p->net.areas[a].own_seasonality;
    for (int i = 0; i < 12; i++)
        m->constant_rate = m->constant_rate && p->seasonality[i] == p->seasonality[0];
    rc = setup(m, p, rep);
    if (!rc)
        rc = run(m);
    sim_cal_destroy(m->cal);
    rf_net_free(m->net);
    free(m->net_own);
    free(m->mixes);
    free(m->own_mixes);
    free(m->units);
    free(m->free_bits);
    free(m->pool);
    free(m->types);
    free(m);
    return rc;
}

int rf_model_run_net(const rf_params *p, uint64_t rep, rf_result *out, void *net,
                     const rf_model_hooks *hooks)
{
    return run_model(p, rep, out, net, NULL, hooks);
}

int rf_model_run_ex(const rf_params *p, uint64_t rep, rf_result *out, const rf_model_hooks *hooks)
{
    return rf_model_run_net(p, rep, out, NULL, hooks);
}

int rf_model_run(const rf_params *p, uint64_t rep, rf_result *out)
{
    return rf_model_run_ex(p, rep, out, NULL);
}

int rf_model_run_rep(const void *ctx, uint64_t rep, void *result)
{
    return rf_model_run(ctx, rep, result);
}

int rf_model_run_record(const void *ctx, uint64_t rep, void *record)
{
    const rf_model_record_ctx *c = ctx;
    unsigned char *tail = (unsigned char *)record + sizeof(rf_result);
    memset(tail, 0, c->record_size - sizeof(rf_result));
    return run_model(c->p, rep, record, c->p->net.on ? tail : NULL, c->net, NULL);
}

int rf_model_record_ctx_open(rf_model_record_ctx *c, const rf_params *p, size_t record_size)
{
    rf_model_record_ctx_close(c);
    c->p = p;
    c->record_size = record_size;
    /* a network the model cannot build is refused by each replication, as before */
    if (p && p->net.on && rf_net_create(p, NULL, 0, NULL, &c->net) == SIM_ENOMEM)
        return SIM_ENOMEM;
    return SIM_OK;
}

void rf_model_record_ctx_close(rf_model_record_ctx *c)
{
    rf_net_free(c->net);
    c->net = NULL;
}
