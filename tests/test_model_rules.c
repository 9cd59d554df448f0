/* The refuge model's rules: conservation of referrals, the fit invariant,
 * monotonicity under common random numbers, determinism, the starting state,
 * and a hand-checked trace replay. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include "rf_capacity.h"
#include "rf_scenario.h"
#include "rf_trace.h"
#include "sim_runner.h"
#include "test_model_util.h"

/* ---- conservation ------------------------------------------------------ */

static void expect_close(double a, double b, const char *what, int y)
{
    cr_expect(fabs(a - b) <= 1e-9 * fmax(1, fabs(b)), "%s (year %d): %.17g vs %.17g", what, y, a, b);
}

/* The years add up to the whole, each year's outcomes to its referrals, and
 * a year's counts are its twelve months' (the horizon within 10 years). */
static void check_years(const rf_params *p, const rf_result *r)
{
    int ny = (int)ceil(p->horizon / 365 - 1e-9);
    cr_assert_eq(r->n_years, ny > RF_YEARS_MAX ? RF_YEARS_MAX : ny);
    if (ny > RF_YEARS_MAX)
        return;
    uint64_t ref = 0, out[RF_OUT_N] = {0}, w7 = 0, w28 = 0, waited = 0;
    double wait = 0, waited_sum = 0, occ = 0, blk = 0, down = 0, ud = 0, days = 0, wl = 0;
    for (int y = 0; y < r->n_years; y++) {
        const rf_year_result *yr = &r->years[y];
        uint64_t yo = 0, mref = 0;
        for (int o = 0; o < RF_OUT_N; o++) {
            out[o] += yr->outcomes[o];
            yo += yr->outcomes[o];
        }
        cr_expect_eq(yo, yr->referrals, "year %d: outcomes %lu, referrals %u", y, (unsigned long)yo,
                     yr->referrals);
        for (int k = 12 * y; k < 12 * y + 12 && k < r->n_months; k++)
            mref += r->monthly_referrals[k];
        cr_expect_eq(mref, yr->referrals, "year %d: its months' referrals", y);
        ref += yr->referrals;
        w7 += yr->placed_within_7d;
        w28 += yr->placed_within_28d;
        waited += yr->waited;
        wait += yr->wait_sum;
        waited_sum += yr->waited_sum;
        occ += yr->occupied_days;
        blk += yr->blocked_days;
        down += yr->down_days;
        ud += yr->unit_days;
        days += yr->days;
        cr_expect(yr->occupied_days + yr->down_days <= yr->unit_days * (1 + 1e-12));
        /* a year's occupied unit-days are its months' mean occupied units x their lengths */
        double mo = 0;
        for (int j = 0; j < 12 && 12 * y + j < r->n_months; j++)
            mo += r->monthly_occupied[12 * y + j] * fmin(365.0 / 12, yr->days - j * 365.0 / 12);
        expect_close(mo, yr->occupied_days, "occupied unit-days against the months", y);
        double num[64], den[64];
        rf_result_year_metric_parts(r, y, num, den);
        int iw = rf_metric_find("waiting_mean");
        wl += num[iw] * yr->days;
    }
    cr_expect_eq(ref, r->referrals);
    for (int o = 0; o < RF_OUT_N; o++)
        cr_expect_eq(out[o], r->outcomes[o], "outcome %s", rf_outcome_name(o));
    cr_expect_eq(w7, r->placed_within_7d);
    cr_expect_eq(w28, r->placed_within_28d);
    cr_expect_eq(waited, r->waited);
    expect_close(wait, r->wait_sum, "wait_sum", -1);
    expect_close(waited_sum, r->waited_sum, "waited_sum", -1);
    expect_close(occ, r->occupied_days, "occupied_days", -1);
    expect_close(blk, r->moveon_days, "blocked days", -1);
    expect_close(down, r->down_days, "down_days", -1);
    expect_close(ud, r->unit_days, "unit_days", -1);
    expect_close(days, p->horizon, "days", -1);
    expect_close(wl / p->horizon, r->waiting_mean, "waiting list", -1);
}

static void check_conservation(const rf_params *p, const rf_result *r)
{
    check_years(p, r);
    uint64_t sum = 0;
    for (int o = 0; o < RF_OUT_N; o++)
        sum += r->outcomes[o];
    cr_expect_eq(sum, r->referrals, "rep %lu: outcomes %lu != referrals %lu",
                 (unsigned long)r->rep, (unsigned long)sum, (unsigned long)r->referrals);
    for (int g = 0; g < RF_G_N; g++) {
        uint64_t gs = 0;
        for (int o = 0; o < RF_OUT_N; o++)
            gs += r->groups[g].outcomes[o];
        cr_expect_eq(gs, r->groups[g].referrals, "group %s", rf_group_name(g));
        cr_expect_leq(r->groups[g].referrals, r->referrals);
    }
    uint64_t scr = 0, ns = 0;
    for (int i = 0; i < p->n_screen; i++)
        scr += r->screened[i];
    for (int b = 0; b < RF_BLK_N; b++)
        ns += r->no_suitable[b];
    cr_expect_eq(scr, r->outcomes[RF_OUT_SCREENED_OUT]);
    cr_expect_eq(ns, r->outcomes[RF_OUT_NO_SUITABLE]);
    uint64_t placed = r->outcomes[RF_OUT_PLACED_IMMEDIATELY] + r->outcomes[RF_OUT_PLACED_AFTER_WAIT];
    cr_expect(r->placed_within_7d <= r->placed_within_28d && r->placed_within_28d <= placed);
    cr_expect(r->placed_within_7d >= r->outcomes[RF_OUT_PLACED_IMMEDIATELY]);
    cr_expect(r->occupancy >= 0 && r->occupancy + r->downtime_share <= 1 + 1e-9,
              "occupancy %g + downtime %g", r->occupancy, r->downtime_share);
    cr_expect(r->blocked_share <= r->occupancy + 1e-12);
    cr_expect(r->timely_move_ons <= r->move_ons && r->early_exits <= r->departures);
    cr_expect(r->waiting_max <= p->max_waiting || p->max_waiting == 0);
    /* Months have equal length, so their mean is the window's mean. */
    cr_expect_eq(r->n_months, (int)ceil(p->horizon / (365.0 / 12) - 1e-9));
    double m = 0;
    for (int i = 0; i < r->n_months; i++)
        m += r->monthly_occupied[i] / r->n_months;
    cr_expect(fabs(m - r->occupancy * rf_params_total_units(p)) < 1e-6,
              "monthly mean %g vs %g", m, r->occupancy * rf_params_total_units(p));
    /* the monthly counts add up to the run's (the horizon is within the series) */
    uint64_t mr = 0, mp = 0, mf = 0, ma = 0;
    for (int i = 0; i < r->n_months; i++) {
        mr += r->monthly_referrals[i];
        mp += r->monthly_placed[i];
        mf += r->monthly_refused[i];
        ma += r->monthly_abandoned[i];
    }
    cr_expect_eq(mr, r->referrals, "monthly referrals");
    cr_expect_eq(mp, placed, "monthly placements");
    cr_expect_eq(mf, r->outcomes[RF_OUT_REFUSED_NO_SPACE] + r->outcomes[RF_OUT_NO_SUITABLE],
                 "monthly refusals");
    cr_expect_eq(ma, r->outcomes[RF_OUT_ABANDONED], "monthly abandonments");
}

/* A part-year at the end, and a horizon past the yearly figures' 10 years. */
Test(model_rules, years_add_up_to_the_whole)
{
    rf_params p;
    tm_city(&p);
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    const double horizons[] = {1000, 200, 365, 4000, 12 * 365.0 + 7};
    for (size_t h = 0; h < sizeof horizons / sizeof horizons[0]; h++) {
        p.horizon = horizons[h];
        for (uint64_t rep = 0; rep < 3; rep++) {
            rf_result r;
            cr_assert_eq(rf_model_run(&p, rep, &r), SIM_OK);
            if (p.horizon == 365)
                check_conservation(&p, &r);   /* whole months: its monthly checks hold */
            else
                check_years(&p, &r);
            if (p.horizon > RF_YEARS_MAX * 365.0) {
                uint64_t ref = 0;
                for (int y = 0; y < RF_YEARS_MAX; y++)
                    ref += r.years[y].referrals;
                cr_expect_lt(ref, r.referrals);
                cr_expect_eq(r.years[RF_YEARS_MAX - 1].days, 365.0);
            }
        }
    }
}

Test(model_rules, conservation_with_every_mechanism_on)
{
    rf_params p;
    tm_city(&p);
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    for (int variant = 0; variant < 4; variant++) {
        p.matching = variant & 1 ? RF_MATCH_FIRST_FIT : RF_MATCH_BEST_FIT;
        p.priority = variant & 2 ? RF_PRIORITY_FIFO : RF_PRIORITY_HIGH_RISK;
        for (uint64_t rep = 0; rep < 6; rep++) {
            rf_result r;
            cr_assert_eq(rf_model_run(&p, rep, &r), SIM_OK);
            cr_assert_gt(r.referrals, 1000);
            for (int o = 0; o < RF_OUT_N; o++)   /* declines need a network (test_network) */
                cr_expect(o == RF_OUT_DECLINED || r.outcomes[o] > 0, "outcome %s never happens",
                          rf_outcome_name(o));
            check_conservation(&p, &r);
        }
    }
}

/* ---- the fit invariant ------------------------------------------------- */

/* The rules of rf_params.h, written out again independently of rf_match. */
static bool spec_fits(const rf_params *p, const rf_household *h, int s, int b)
{
    const rf_unit_block *u = &p->services[s].blocks[b];
    if (h->adults + h->children > u->largest_family || h->oldest_boy > u->male_child_age_limit)
        return false;
    if ((h->wheelchair && !u->wheelchair) || (h->male && !u->takes_male) || (h->pet && !u->takes_pets)
        || (h->needs_security && !u->night_security) || (h->high_support && !u->high_support))
        return false;
    if (h->nrpf && (u->nrpf == RF_NRPF_NO
                    || (u->nrpf == RF_NRPF_CASE_BY_CASE && !(h->nrpf_ok >> s & 1))))
        return false;
    if ((u->specialism == RF_SPEC_BME && !h->bme) || (u->specialism == RF_SPEC_YOUNG_WOMEN && !h->young))
        return false;
    if (h->needs_specialist && u->specialism == RF_SPEC_NONE)
        return false;
    return h->area < 0 || h->area == u->area;
}

static bool anything_fits(const rf_params *p, const rf_household *h)
{
    for (int s = 0; s < p->n_services; s++)
        for (int b = 0; b < p->services[s].n_blocks; b++)
            if (p->services[s].blocks[b].count > 0 && spec_fits(p, h, s, b))
                return true;
    return false;
}

typedef struct {
    const rf_params *p;
    uint64_t placed, misplaced, wrong_no_suitable, wrong_no_space, checked;
} fit_check;

static void check_fit(void *user, const rf_outcome_info *e)
{
    fit_check *c = user;
    c->checked++;
    switch (e->outcome) {
    case RF_OUT_PLACED_IMMEDIATELY:
    case RF_OUT_PLACED_AFTER_WAIT:
        c->placed++;
        c->misplaced += !spec_fits(c->p, e->household, e->service, e->block);
        break;
    case RF_OUT_NO_SUITABLE: c->wrong_no_suitable += anything_fits(c->p, e->household); break;
    case RF_OUT_REFUSED_NO_SPACE:
    case RF_OUT_ABANDONED:
    case RF_OUT_WAITING_AT_END: c->wrong_no_space += !anything_fits(c->p, e->household); break;
    default: break;
    }
}

Test(model_rules, never_placed_in_a_unit_it_does_not_fit)
{
    rf_params p;
    tm_city(&p);
    p.horizon = 15 * 365;
    p.per_year = 1200;
    p.mix.p_wants_area = 0.4;
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    for (int variant = 0; variant < 2; variant++) {
        p.matching = variant ? RF_MATCH_FIRST_FIT : RF_MATCH_BEST_FIT;
        fit_check c = {.p = &p};
        rf_model_hooks hooks = {check_fit, &c};
        rf_result r;
        cr_assert_eq(rf_model_run_ex(&p, 3, &r, &hooks), SIM_OK);
        cr_expect_eq(c.checked, r.referrals);
        cr_expect_gt(c.placed, 2000);
        cr_expect_eq(c.misplaced, 0, "%lu households placed in units they do not fit",
                     (unsigned long)c.misplaced);
        cr_expect_eq(c.wrong_no_suitable, 0);
        cr_expect_eq(c.wrong_no_space, 0);
    }
}

/* Case-by-case NRPF: two services accepting 30% and 60% of NRPF
 * households, every household NRPF and room for all.  Deciding
 * independently, no service takes 0.7 x 0.4 = 0.28 of them; with one shared
 * decision, those the 60% service refuses are refused by both: 0.4.  The
 * 30% service takes 0.3 either way. */
static double nrpf_share(const rf_params *p, rf_outcome o, int service, double *se)
{
    sim_welford w;
    sim_welford_reset(&w);
    for (uint64_t rep = 0; rep < 20; rep++) {
        rf_result r;
        cr_assert_eq(rf_model_run(p, rep, &r), SIM_OK);
        double x = service < 0 ? (double)r.outcomes[o]
                               : (double)r.services[service].placements;
        sim_welford_add(&w, x / (double)r.referrals);
    }
    *se = sim_welford_sd(&w) / sqrt(20.0);
    return w.mean;
}

Test(model_rules, nrpf_decisions_per_service_or_shared)
{
    rf_params p;
    rf_params_init(&p);
    for (int s = 0; s < 2; s++) {
        rf_params_add_service(&p, s ? "laxer" : "stricter", 200, sim_dist_exp(5));
        p.services[s].blocks[0].nrpf = RF_NRPF_CASE_BY_CASE;
        p.services[s].nrpf_case_accept = s ? 0.6 : 0.3;
    }
    p.mix.p_nrpf = 1;
    p.per_year = 2000;
    p.horizon = 3 * 365;
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    static const struct { rf_nrpf_decision d; double none, first; } want[] = {
        {RF_NRPF_DECIDE_INDEPENDENT, 0.7 * 0.4, 0.3}, {RF_NRPF_DECIDE_SHARED, 0.4, 0.3}};
    for (int k = 0; k < 2; k++) {
        p.services[0].nrpf_decision = p.services[1].nrpf_decision = want[k].d;
        double se, none = nrpf_share(&p, RF_OUT_NO_SUITABLE, -1, &se);
        cr_expect_leq(fabs(none - want[k].none), 4 * se, "%s: no unit %.4f, expected %.4f",
                      k ? "shared" : "independent", none, want[k].none);
        double first = nrpf_share(&p, RF_OUT_N, 0, &se);
        cr_expect_leq(fabs(first - want[k].first), 4 * se + 0.002, "%s: stricter took %.4f",
                      k ? "shared" : "independent", first);
        double refused = nrpf_share(&p, RF_OUT_REFUSED_NO_SPACE, -1, &se);
        cr_expect_eq(refused, 0, "room for everybody");
    }
}

/* Best fit keeps the scarce accessible units for those who need them. */
Test(model_rules, best_fit_refuses_fewer_wheelchair_users_than_first_fit)
{
    rf_params p;
    rf_params_init(&p);
    int s = rf_params_add_service(&p, "mixed", 0, sim_dist_exp(90));
    p.services[s].n_blocks = 2;
    rf_unit_block plain = {.count = 8, .largest_family = 6, .male_child_age_limit = RF_NO_LIMIT,
                           .nrpf = RF_NRPF_YES};
    p.services[s].blocks[0] = plain;
    p.services[s].blocks[0].wheelchair = true;   /* first in scenario order */
    p.services[s].blocks[0].count = 3;
    p.services[s].blocks[1] = plain;
    p.mix.p_wheelchair = 0.15;
    p.per_year = 40;
    p.horizon = 50 * 365;
    p.warmup = 365;
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    double refused[2] = {0, 0};
    for (int v = 0; v < 2; v++) {
        p.matching = v ? RF_MATCH_BEST_FIT : RF_MATCH_FIRST_FIT;
        for (uint64_t rep = 0; rep < 5; rep++) {
            rf_result r;
            cr_assert_eq(rf_model_run(&p, rep, &r), SIM_OK);
            const rf_group_result *g = &r.groups[RF_G_WHEELCHAIR];
            refused[v] += (double)g->outcomes[RF_OUT_REFUSED_NO_SPACE] / (double)g->referrals;
        }
    }
    cr_expect_lt(refused[1], 0.8 * refused[0], "best fit %g vs first fit %g", refused[1], refused[0]);
}

/* ---- common random numbers -------------------------------------------- */

Test(model_rules, more_units_never_refuse_more)
{
    rf_params p;
    for (int rep = 0; rep < 12; rep++) {
        uint64_t prev = UINT64_MAX, referrals = 0;
        for (int c = 3; c <= 8; c++) {
            tm_loss_system(&p, c, 4, (sim_dist){.kind = SIM_DIST_WEIBULL, .mean = 90, .sd = 60}, 10);
            cr_assert_eq(rf_params_prepare(&p), SIM_OK);
            rf_result r;
            cr_assert_eq(rf_model_run(&p, (uint64_t)rep, &r), SIM_OK);
            if (c > 3)
                cr_expect_eq(r.referrals, referrals, "the same referrals whatever the capacity");
            referrals = r.referrals;
            uint64_t refused = r.outcomes[RF_OUT_REFUSED_NO_SPACE];
            cr_expect_leq(refused, prev, "rep %d: %d units refuse %lu > %lu with one fewer", rep, c,
                          (unsigned long)refused, (unsigned long)prev);
            prev = refused;
        }
    }
}

/* ---- more units never refuse more: sample paths ------------------------ */

/* A unit added after every other unit in the matching order (or any unit
 * when all units are interchangeable) can only take households the smaller
 * system refused: the other units are offered exactly the same households
 * as before, and each household's time in a unit (stay, early exit, move-on,
 * turnaround) is its own.  So with no waiting list, every household refused
 * with c + 1 units is refused with c, in every replication, whatever the
 * distributions; outages (drawn from each unit's own stream) do not change
 * that for a unit tried last.  These tests check it; the next one measures
 * how often it fails where the argument does not apply. */

enum { MONO_REPS = 1000 };

static rf_scenario *load_scenario(const char *rel, const char *const *sets, size_t n_sets)
{
    const char *root = getenv("RS_ROOT");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root ? root : ".", rel);
    rf_diags d;
    rf_scenario *s = NULL;
    int rc = rf_scenario_load_file(path, sets, n_sets, &s, &d);
    cr_assert_eq(rc, SIM_OK, "%s: %s", rel, d.n ? d.items[0].message : sim_strerror(rc));
    return s;
}

static uint64_t not_accommodated(const rf_result *r)
{
    return r->outcomes[RF_OUT_REFUSED_NO_SPACE] + r->outcomes[RF_OUT_NO_SUITABLE]
           + r->outcomes[RF_OUT_ABANDONED];
}

/* Replications 0..MONO_REPS-1 of p and of p with one more unit in block b
 * of service s: how many refuse more (not accommodated: no space, no
 * suitable unit, abandoned) with the extra unit. */
static int more_refused_ex(const rf_params *p, int s, int b, long *change)
{
    static rf_result a[MONO_REPS], c[MONO_REPS];
    rf_params q = *p;
    cr_assert_eq(rf_capacity_add(&q, s, b, 1), SIM_OK);
    sim_runner_cfg cfg = {.first_rep = 0, .n_reps = MONO_REPS, .result_size = sizeof(rf_result),
                          .threads = 2};
    uint64_t failed;
    cr_assert_eq(sim_runner_run(&cfg, rf_model_run_rep, p, a, NULL, &failed), SIM_OK);
    cr_assert_eq(sim_runner_run(&cfg, rf_model_run_rep, &q, c, NULL, &failed), SIM_OK);
    int worse = 0;
    *change = 0;
    for (int i = 0; i < MONO_REPS; i++) {
        cr_assert_eq(a[i].referrals, c[i].referrals, "the same referrals");
        worse += not_accommodated(&c[i]) > not_accommodated(&a[i]);
        *change += (long)not_accommodated(&c[i]) - (long)not_accommodated(&a[i]);
    }
    return worse;
}

static int more_refused(const rf_params *p, int s, int b)
{
    long change;
    return more_refused_ex(p, s, b, &change);
}

/* The unit type tried last: the last non-empty block under first fit, the
 * most capable under best fit. */
static void last_tried(const rf_params *p, int *s, int *b)
{
    rf_unit_type types[RF_MAX_SERVICES * RF_MAX_BLOCKS];
    int order[RF_MAX_SERVICES * RF_MAX_BLOCKS], n = 0;
    for (int i = 0; i < p->n_services; i++)
        for (int k = 0; k < p->services[i].n_blocks; k++)
            if (p->services[i].blocks[k].count > 0)
                rf_unit_type_init(&types[n++], p, i, k);
    cr_assert_gt(n, 0);
    if (p->matching == RF_MATCH_BEST_FIT) {
        rf_match_best_fit_order(types, n, order);
    } else {
        for (int k = 0; k < n; k++)
            order[k] = k;
    }
    *s = types[order[n - 1]].service;
    *b = types[order[n - 1]].block;
}

static const int county_spaces[] = {5, 10, 21, 45, 70};

/* The shipped county (first fit, three kinds of unit, stays, early exits,
 * move-on and turnaround from the household's numbers) at several
 * capacities, one more unit of the kind tried last. */
Test(model_rules, more_units_never_refuse_more_in_the_county, .timeout = 300)
{
    rf_scenario *sc = load_scenario("scenarios/leicestershire-county.yaml", NULL, 0);
    for (size_t i = 0; i < sizeof county_spaces / sizeof county_spaces[0]; i++) {
        rf_params p = *rf_scenario_params(sc);
        cr_assert_eq(rf_capacity_set_total(&p, county_spaces[i]), SIM_OK);
        int s, b;
        last_tried(&p, &s, &b);
        cr_expect_eq(more_refused(&p, s, b), 0, "%d spaces: one more unit of block %d refuses more",
                     county_spaces[i], b);
    }
    rf_scenario_free(sc);
}

/* Every household fits every unit: any added unit is as good as the last. */
Test(model_rules, more_units_never_refuse_more_when_units_are_alike, .timeout = 300)
{
    static const char *const alike[] = {"households.p_wheelchair=0", "households.p_male=0",
                                        "households.p_pet=0"};
    rf_scenario *sc = load_scenario("scenarios/leicestershire-county.yaml", alike, 3);
    for (size_t i = 0; i < sizeof county_spaces / sizeof county_spaces[0]; i += 2) {
        rf_params p = *rf_scenario_params(sc);
        cr_assert_eq(rf_capacity_set_total(&p, county_spaces[i]), SIM_OK);
        cr_expect_eq(more_refused(&p, 0, 0), 0, "%d spaces: one more plain unit refuses more",
                     county_spaces[i]);
    }
    rf_scenario_free(sc);
}

/* The city's nine services (best fit, specialisms, areas), no waiting list,
 * no starting state, outages on: one more unit of the most capable kind. */
Test(model_rules, more_units_never_refuse_more_with_matching_and_outages, .timeout = 300)
{
    rf_params p;
    tm_city(&p);
    p.p_wait = 0;
    p.n_initial_occupants = p.n_initial_waiting = 0;
    p.horizon = 2 * 365;
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    int s, b;
    for (int scale = 1; scale <= 2; scale++) {
        if (scale == 2)
            cr_assert_eq(rf_capacity_set_total(&p, 2 * rf_params_total_units(&p)), SIM_OK);
        last_tried(&p, &s, &b);
        cr_expect_eq(more_refused(&p, s, b), 0, "%d units: one more unit of %s block %d refuses more",
                     rf_params_total_units(&p), p.services[s].name, b);
    }
}

/* The argument itself: with the extra unit tried last, the households
 * refused with it are a subset of those refused without it. */
enum { LOG_MAX = 4096 };

typedef struct {
    size_t n;
    unsigned char refused[LOG_MAX];
} refused_log;

static void log_refused(void *user, const rf_outcome_info *e)
{
    refused_log *l = user;
    if (e->referral < LOG_MAX) {
        l->refused[e->referral] = e->outcome == RF_OUT_REFUSED_NO_SPACE
                                  || e->outcome == RF_OUT_NO_SUITABLE;
        if (e->referral + 1 > l->n)
            l->n = e->referral + 1;
    }
}

Test(model_rules, households_refused_with_one_more_unit_were_refused_without_it)
{
    rf_scenario *sc = load_scenario("scenarios/leicestershire-county.yaml", NULL, 0);
    rf_params p = *rf_scenario_params(sc), q = p;
    int s, b;
    last_tried(&p, &s, &b);
    cr_assert_eq(rf_capacity_add(&q, s, b, 1), SIM_OK);
    static refused_log a, c;
    uint64_t fewer = 0;
    for (uint64_t rep = 0; rep < 50; rep++) {
        memset(&a, 0, sizeof a);
        memset(&c, 0, sizeof c);
        rf_model_hooks ha = {log_refused, &a}, hc = {log_refused, &c};
        rf_result ra, rc;
        cr_assert_eq(rf_model_run_ex(&p, rep, &ra, &ha), SIM_OK);
        cr_assert_eq(rf_model_run_ex(&q, rep, &rc, &hc), SIM_OK);
        cr_assert_eq(a.n, c.n);
        for (size_t i = 0; i < a.n; i++) {
            cr_expect(!c.refused[i] || a.refused[i], "rep %lu: referral %zu refused only with the "
                      "extra unit", (unsigned long)rep, i);
            fewer += a.refused[i] && !c.refused[i];
        }
    }
    cr_expect_gt(fewer, 0, "the extra unit places somebody");
    rf_scenario_free(sc);
}

/* Where the argument does not hold, sample paths can go the wrong way:
 * a unit tried before others (a household takes it that the smaller system
 * would have placed elsewhere, and a household that needed that unit is
 * then refused), a waiting list (a freed unit goes to someone else), and
 * outages with interchangeable units (which unit a household takes changes
 * when the others' outages start).  The rates are measured here and quoted
 * in README.md; the test checks they stay rare but are not zero, and that
 * over all the replications the extra unit still refuses fewer. */
Test(model_rules, where_more_units_can_refuse_more, .timeout = 600)
{
    static const char *const waiting[] = {"waiting.p_wait=0.5",
                                          "waiting.patience={dist: exponential, mean: 14}"};
    static const char *const outages[] = {
        "households.p_wheelchair=0", "households.p_male=0", "households.p_pet=0",
        "downtime.outage_interval={dist: exponential, mean: 85}",
        "downtime.outage_duration={dist: exponential, mean: 10}"};
    static const struct {
        const char *what;
        const char *const *sets;
        size_t n_sets;
        int last;      /* the extra unit in the block tried last, else the first */
    } cases[] = {
        {"a plain unit, tried before the others", NULL, 0, 0},
        {"a waiting list (p_wait 0.5, patience 14 days)", waiting, 2, 1},
        {"outages, every unit alike", outages, 5, 0},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rf_scenario *sc = load_scenario("scenarios/leicestershire-county.yaml", cases[k].sets,
                                        cases[k].n_sets);
        int total = 0;
        char line[256];
        int len = snprintf(line, sizeof line, "%s:", cases[k].what);
        for (size_t i = 1; i < 4; i++) {
            rf_params p = *rf_scenario_params(sc);
            cr_assert_eq(rf_capacity_set_total(&p, county_spaces[i]), SIM_OK);
            int s = 0, b = 0;
            if (cases[k].last)
                last_tried(&p, &s, &b);
            long change;
            int w = more_refused_ex(&p, s, b, &change);
            total += w;
            cr_expect_lt(change, 0, "%s at %d spaces: refusals rise by %ld in all", cases[k].what,
                         county_spaces[i], change);
            len += snprintf(line + len, sizeof line - (size_t)len, " %d at %d,", w, county_spaces[i]);
        }
        cr_log_info("%s (of %d replications each)", line, MONO_REPS);
        cr_expect_gt(total, 0, "%s", line);
        cr_expect_lt(total, 5 * MONO_REPS / 10, "%s", line);
        rf_scenario_free(sc);
    }
}

#define CRN_MAX 4096
typedef struct {
    size_t n;
    rf_household h[CRN_MAX];
} hh_log;

static void log_household(void *user, const rf_outcome_info *e)
{
    hh_log *l = user;
    if (e->referral < CRN_MAX) {
        l->h[e->referral] = *e->household;
        if (e->referral + 1 > l->n)
            l->n = e->referral + 1;
    }
}

Test(model_rules, the_same_households_whatever_the_capacity)
{
    static hh_log a, b;
    rf_params p;
    tm_city(&p);
    p.warmup = 0;
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    rf_model_hooks ha = {log_household, &a}, hb = {log_household, &b};
    rf_result r;
    cr_assert_eq(rf_model_run_ex(&p, 5, &r, &ha), SIM_OK);
    for (int s = 0; s < p.n_services; s++)        /* about 3x the spaces */
        for (int k = 0; k < p.services[s].n_blocks; k++)
            p.services[s].blocks[k].count *= 3;
    p.move_on_delay = sim_dist_none();             /* and a different move-on */
    cr_assert_eq(rf_model_run_ex(&p, 5, &r, &hb), SIM_OK);
    cr_assert_eq(a.n, b.n);
    cr_assert_gt(a.n, 1000);
    cr_expect_eq(memcmp(a.h, b.h, a.n * sizeof a.h[0]), 0);
}

/* ---- determinism --------------------------------------------------------- */

Test(model_rules, deterministic_and_independent_of_threads)
{
    rf_params p;
    tm_city(&p);
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    static rf_result a, b;
    cr_assert_eq(rf_model_run(&p, 2, &a), SIM_OK);
    cr_assert_eq(rf_model_run(&p, 2, &b), SIM_OK);
    cr_expect_eq(memcmp(&a, &b, sizeof a), 0, "same seed, same bits");
    p.seed++;
    cr_assert_eq(rf_model_run(&p, 2, &b), SIM_OK);
    cr_expect_neq(memcmp(&a, &b, sizeof a), 0);
    cr_expect_neq(a.referrals, b.referrals);

    enum { N = 6 };
    static rf_result one[N], two[N];
    for (int t = 1; t <= 2; t++) {
        sim_runner_cfg cfg = {.first_rep = 10, .n_reps = N, .result_size = sizeof(rf_result),
                              .threads = t};
        uint64_t failed;
        cr_assert_eq(sim_runner_run(&cfg, rf_model_run_rep, &p, t == 1 ? one : two, NULL, &failed),
                     SIM_OK);
    }
    cr_expect_eq(memcmp(one, two, sizeof one), 0, "1 and 2 threads give the same records");
    cr_expect_eq(one[3].rep, 13);
}

/* ---- starting state ------------------------------------------------------ */

/* Five households in ten units, each 40 days into a 100-day stay: they leave
 * at day 60, so occupancy over 100 days is 5 x 60 / (10 x 100).  Two waiting
 * households are placed at once in the free units. */
Test(model_rules, starting_from_today)
{
    rf_params p;
    rf_params_init(&p);
    rf_params_add_service(&p, "s", 10, sim_dist_const(100));
    p.horizon = 100;
    p.n_initial_occupants = 5;
    for (int i = 0; i < 5; i++)
        p.initial_occupants[i] = (rf_initial_occupant){0, 40};
    p.n_initial_waiting = 2;
    p.initial_waiting_days[0] = 10;
    p.initial_waiting_days[1] = 20;
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    rf_result r;
    cr_assert_eq(rf_model_run(&p, 0, &r), SIM_OK);
    cr_expect_eq(r.referrals, 0);
    cr_expect(fabs(r.occupancy - (5 * 60.0 + 2 * 100.0) / 1000) < 1e-12, "occupancy %g", r.occupancy);
    cr_expect_eq(r.services[0].placements, 2);
    cr_expect_eq(r.departures, 5);
    cr_expect_eq(r.waiting_max, 0);

    p.n_initial_occupants = 11;                     /* more than the units */
    for (int i = 5; i < 11; i++)
        p.initial_occupants[i] = (rf_initial_occupant){0, 0};
    cr_expect_eq(rf_model_run(&p, 0, &r), SIM_EINVAL);
}

Test(model_rules, rejects_params_it_cannot_run)
{
    rf_params base, p;
    tm_loss_system(&base, 3, 2, sim_dist_exp(30), 1);
    cr_assert_eq(rf_params_prepare(&base), SIM_OK);
    rf_result r;
    cr_assert_eq(rf_model_run(&base, 0, &r), SIM_OK);
    p = base; p.horizon = 0;
    cr_expect_eq(rf_model_run(&p, 0, &r), SIM_EINVAL);
    p = base; p.growth = -1;
    cr_expect_eq(rf_model_run(&p, 0, &r), SIM_EINVAL);
    p = base; p.n_screen = 2; p.screen[0].prob = 0.7; p.screen[1].prob = 0.4;
    cr_expect_eq(rf_model_run(&p, 0, &r), SIM_EINVAL);
    p = base; p.mix.p_pet = 1.5;
    cr_expect_eq(rf_model_run(&p, 0, &r), SIM_EINVAL);
    p = base; p.services[0].blocks[0].area = 1;
    cr_expect_eq(rf_model_run(&p, 0, &r), SIM_EINVAL);
    p = base; p.outage_interval = sim_dist_const(0);
    cr_expect_eq(rf_model_run(&p, 0, &r), SIM_EINVAL);
}

/* ---- trace replay ------------------------------------------------------- */

static char *data_path(const char *name)
{
    const char *root = getenv("RS_ROOT");
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/tests/data/%s", root ? root : ".", name);
    return buf;
}

typedef struct {
    int n;
    rf_outcome_info e[32];
} outcome_log;

static void log_outcome(void *user, const rf_outcome_info *e)
{
    outcome_log *l = user;
    if (l->n < 32) {
        l->e[l->n] = *e;
        l->e[l->n].household = NULL;
        l->e[l->n].type = NULL;
        l->n++;
    }
}

/* tests/data/trace_small.csv replayed into one service of two units: unit 0
 * (block 0) plain, unit 1 (block 1) accessible; both up to 4 persons, male
 * children up to 12, no pets.  First fit, FIFO, turnaround 2 days, timely
 * move-on = 0 days, no screening by draw (reason 0 has probability 0).
 *
 *   #  day  household                      outcome
 *   0   0   plain, stay 10, move-on 0      placed at once in unit 0; leaves 10; free 12
 *   1   1   wheelchair, stay 20, m-o 5     placed at once in unit 1; support ends 21,
 *                                          leaves 26 (5 blocked days); free 28
 *   2   2   plain, will not wait           refused_no_space (both units busy)
 *   3   3   pet                            no_suitable_unit: pet
 *   4   4   screened out, reason 0         screened_out
 *   5   5   plain, waits, patience 100     placed in unit 0 at 12 (waited 7); leaves 42; free 44
 *   6   6   wheelchair, patience 10        abandons at 16 (unit 1 frees only at 28)
 *   7   7   plain, patience 50, stay 5     placed in unit 1 at 28 (waited 21); leaves 33;
 *                                          free 35; its stale renege at 57 is ignored
 *   8   8   3 adults + 3 children          no_suitable_unit: family_size
 *   9  40   wheelchair, stay 100           placed at once in unit 1 (free since 35)
 *  10  41   plain, high risk, stay 100     unit 0 in turnaround: waits, placed at 44 (waited 3)
 *  11  50   plain, waits, no patience      waiting_at_end at 100
 *  12  60   a 14-year-old son              no_suitable_unit: male_child_age
 *
 * Unit-days (200): occupied 0-10, 12-42, 44-100 and 1-26, 28-33, 40-100 = 186;
 * blocked 5; down 4 turnarounds x 2 = 8.  Waiting list: 5-12, 6-16, 7-28,
 * 41-44, 50-100 = 91 household-days, longest 3 (days 7-12). */
Test(model_trace, hand_checked)
{
    rf_trace tr;
    int line;
    char err[256];
    cr_assert_eq(rf_trace_load(data_path("trace_small.csv"), &tr, &line, err, sizeof err), SIM_OK,
                 "line %d: %s", line, err);
    cr_assert_eq(tr.n, 13);

    rf_params p;
    rf_params_init(&p);
    int s = rf_params_add_service(&p, "refuge", 0, sim_dist_const(1000));
    rf_unit_block u = {.count = 1, .largest_family = 4, .male_child_age_limit = 12,
                       .nrpf = RF_NRPF_YES, .night_security = true};
    p.services[s].n_blocks = 2;
    p.services[s].blocks[0] = u;
    p.services[s].blocks[1] = u;
    p.services[s].blocks[1].wheelchair = true;
    p.n_screen = 1;
    snprintf(p.screen[0].name, RF_NAME_MAX, "%s", "no_current_abuse");
    p.turnaround = sim_dist_const(2);
    p.horizon = 100;
    p.trace = &tr;
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);

    outcome_log log = {0};
    rf_model_hooks hooks = {log_outcome, &log};
    rf_result r;
    cr_assert_eq(rf_model_run_ex(&p, 0, &r, &hooks), SIM_OK);

    const struct { rf_outcome o; double t; int unit, reason; } want[13] = {
        {RF_OUT_PLACED_IMMEDIATELY, 0, 0, -1},
        {RF_OUT_PLACED_IMMEDIATELY, 1, 1, -1},
        {RF_OUT_REFUSED_NO_SPACE, 2, -1, -1},
        {RF_OUT_NO_SUITABLE, 3, -1, RF_BLK_PET},
        {RF_OUT_SCREENED_OUT, 4, -1, 0},
        {RF_OUT_PLACED_AFTER_WAIT, 12, 0, -1},
        {RF_OUT_ABANDONED, 16, -1, -1},
        {RF_OUT_PLACED_AFTER_WAIT, 28, 1, -1},
        {RF_OUT_NO_SUITABLE, 8, -1, RF_BLK_FAMILY_SIZE},
        {RF_OUT_PLACED_IMMEDIATELY, 40, 1, -1},
        {RF_OUT_PLACED_AFTER_WAIT, 44, 0, -1},
        {RF_OUT_WAITING_AT_END, 100, -1, -1},
        {RF_OUT_NO_SUITABLE, 60, -1, RF_BLK_BOY_AGE},
    };
    cr_assert_eq(log.n, 13);
    bool seen[13] = {false};
    for (int i = 0; i < log.n; i++) {
        const rf_outcome_info *e = &log.e[i];
        cr_assert_lt(e->referral, 13);
        int k = (int)e->referral;
        cr_expect(!seen[k], "referral %d settled twice", k);
        seen[k] = true;
        cr_expect_eq(e->outcome, want[k].o, "referral %d: %s, expected %s", k,
                     rf_outcome_name(e->outcome), rf_outcome_name(want[k].o));
        cr_expect_eq(e->t, want[k].t, "referral %d settled at %g, expected %g", k, e->t, want[k].t);
        cr_expect_eq(e->unit, want[k].unit, "referral %d: unit %d", k, e->unit);
        cr_expect_eq(e->reason, want[k].reason, "referral %d: reason %d", k, e->reason);
    }
    cr_expect_eq(r.referrals, 13);
    cr_expect_eq(r.placed_within_7d, 5);
    cr_expect_eq(r.placed_within_28d, 6);
    cr_expect(fabs(r.wait_mean - 31.0 / 6) < 1e-12, "wait_mean %g", r.wait_mean);
    cr_expect_eq(r.departures, 4);
    cr_expect_eq(r.move_ons, 4);
    cr_expect_eq(r.timely_move_ons, 3);
    cr_expect(fabs(r.occupancy - 186.0 / 200) < 1e-12, "occupancy %g", r.occupancy);
    cr_expect(fabs(r.blocked_share - 5.0 / 200) < 1e-12);
    cr_expect(fabs(r.moveon_days - 5) < 1e-12);
    cr_expect(fabs(r.downtime_share - 8.0 / 200) < 1e-12, "downtime %g", r.downtime_share);
    cr_expect(fabs(r.waiting_mean - 0.91) < 1e-12, "waiting_mean %g", r.waiting_mean);
    cr_expect_eq(r.waiting_max, 3);
    rf_trace_free(&tr);
}

static int load_text(const char *text, rf_trace *tr, int *line, char *err, size_t n)
{
    char path[] = "/tmp/rf_trace_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    int rc = rf_trace_load(path, tr, line, err, n);
    remove(path);
    return rc;
}

Test(model_trace, reader_errors_name_the_line_and_column)
{
    rf_trace tr;
    int line;
    char err[256];
    cr_expect_eq(load_text("day,colour\n1,red\n", &tr, &line, err, sizeof err), SIM_EPARSE);
    cr_expect_eq(line, 1);
    /* the cell's number, never its text (a trace path may name any file) */
    cr_expect(strstr(err, "header cell 2 is not a column name") && !strstr(err, "colour"), "%s", err);
    cr_expect_eq(load_text("adults\n1\n", &tr, &line, err, sizeof err), SIM_EPARSE);
    cr_expect_eq(load_text("day,adults\n5,1\n3,1\n", &tr, &line, err, sizeof err), SIM_EPARSE);
    cr_expect_eq(line, 3);
    cr_expect_eq(load_text("day,stay\n1,abc\n", &tr, &line, err, sizeof err), SIM_EPARSE);
    cr_expect(strstr(err, "stay") != NULL, "%s", err);
    cr_expect_eq(load_text("day,pet,stay\n1,yes,\n2,0,7.5\n", &tr, &line, err, sizeof err), SIM_OK);
    cr_expect_eq(tr.n, 2);
    cr_expect_eq(tr.rows[0].pet, 1);
    cr_expect_eq(tr.rows[0].stay, -1);
    cr_expect_eq(tr.rows[1].stay, 7.5);
    cr_expect_eq(tr.rows[1].adults, -1);
    rf_trace_free(&tr);
    cr_expect_eq(rf_trace_load("/nonexistent/x.csv", &tr, &line, err, sizeof err), SIM_EIO);
}

/* households.profiles: attributes that go together.  A quarter of the
 * households are one profile, NRPF, BME and with four children (large
 * families: 5 persons or more), the rest another, none of the three: so in
 * every replication the three groups are the same households, which
 * independent draws would never give. */
Test(model_rules, profiles_draw_attributes_together)
{
    rf_params p;
    tm_loss_system(&p, 10, 5, sim_dist_exp(30), 3);
    p.mix.p_nrpf = 0.5;                     /* left to the profiles */
    p.mix.p_bme = 0.5;
    p.mix.p_pet = 0.2;                      /* left to the mix: drawn as usual */
    p.n_profiles = 2;
    p.profiles[0] = rf_profile_default();
    snprintf(p.profiles[0].name, RF_NAME_MAX, "%s", "nrpf bme family");
    p.profiles[0].weight = 1;
    p.profiles[0].nrpf = p.profiles[0].bme = 1;
    p.profiles[0].children = 4;
    p.profiles[0].oldest_boy_age = RF_PROFILE_NONE;
    p.profiles[1] = rf_profile_default();
    p.profiles[1].weight = 3;
    p.profiles[1].nrpf = p.profiles[1].bme = 0;
    p.profiles[1].children = 0;
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    cr_assert_eq(rf_model_check(&p, NULL, 0), SIM_OK);
    sim_welford share, pets;
    sim_welford_reset(&share);
    sim_welford_reset(&pets);
    for (uint64_t rep = 0; rep < 20; rep++) {
        rf_result r;
        cr_assert_eq(rf_model_run(&p, rep, &r), SIM_OK);
        uint64_t n = r.groups[RF_G_NRPF].referrals;
        cr_expect_eq(r.groups[RF_G_BME].referrals, n, "rep %lu: NRPF and BME together", (unsigned long)rep);
        cr_expect_eq(r.groups[RF_G_LARGE_FAMILY].referrals, n, "and the large families");
        cr_expect_eq(r.groups[RF_G_OLDER_BOY].referrals, 0, "the profile has no boys");
        sim_welford_add(&share, (double)n / (double)r.referrals);
        sim_welford_add(&pets, (double)r.groups[RF_G_PET].referrals / (double)r.referrals);
    }
    double se = sim_welford_sd(&share) / sqrt(20.0);
    cr_expect_leq(fabs(share.mean - 0.25), 4 * se, "profile share %.4f, weights give 0.25", share.mean);
    se = sim_welford_sd(&pets) / sqrt(20.0);
    cr_expect_leq(fabs(pets.mean - 0.2), 4 * se, "pets from the mix: %.4f", pets.mean);

    /* one profile that gives nothing is the independent mix, to the bit */
    rf_params q = p;
    q.n_profiles = 1;
    q.profiles[0] = rf_profile_default();
    rf_result a, b;
    q.n_profiles = 0;
    cr_assert_eq(rf_model_run(&q, 3, &a), SIM_OK);
    q.n_profiles = 1;
    cr_assert_eq(rf_model_run(&q, 3, &b), SIM_OK);
    cr_expect_eq(memcmp(&a, &b, sizeof a), 0, "a profile drawing everything changes nothing");

    p.profiles[0].needs_specialist = 1;     /* fine: the profile is BME */
    cr_expect_eq(rf_model_check(&p, NULL, 0), SIM_OK);
    p.profiles[0].bme = 0;
    char why[256];
    cr_expect_eq(rf_model_check(&p, why, sizeof why), SIM_EINVAL);
    cr_expect(strstr(why, "profiles[0]") != NULL, "%s", why);
}
