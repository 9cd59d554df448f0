/* The refuge model against queueing theory: with its refuge-specific
 * mechanisms switched off (or reduced to constants) it must be the textbook
 * M/G/c/c, M/M/c and M/M/c+M systems.  Every tolerance is 4 standard errors
 * of the mean over independent replications. */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <stdlib.h>
#include "mq_queue.h"
#include "sim_runner.h"
#include "test_model_util.h"

#define REPS 20

static double refused(const rf_result *r, void *u)
{
    (void)u;
    return tm_share(r, RF_OUT_REFUSED_NO_SPACE);
}

static void expect_near(tm_est e, double theory, const char *what)
{
    cr_assert(e.n > 0, "%s: the model failed", what);
    cr_expect(fabs(e.mean - theory) <= 4 * e.se,
              "%s: simulated %.5f +- %.5f (se), theory %.5f", what, e.mean, e.se, theory);
}

Test(model_theory, erlang_b_exponential_and_lognormal)
{
    struct { int c; double a; sim_dist stay; } cases[] = {
        {5, 3, sim_dist_exp(30)},
        {4, 2, sim_dist_lognormal(30, 60)},
        {10, 10, sim_dist_lognormal(120, 90)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rf_params p;
        tm_loss_system(&p, cases[i].c, cases[i].a, cases[i].stay, 100);
        cr_assert_eq(rf_params_prepare(&p), SIM_OK);
        tm_est e = tm_replicate(&p, REPS, refused, NULL);
        char what[64];
        snprintf(what, sizeof what, "B(%d, %g)", cases[i].c, cases[i].a);
        expect_near(e, mq_erlang_b(cases[i].c, cases[i].a), what);
    }
}

static double screened_or_refused(const rf_result *r, void *u)
{
    (void)u;
    return tm_share(r, RF_OUT_SCREENED_OUT) + tm_share(r, RF_OUT_REFUSED_NO_SPACE);
}

Test(model_theory, screening_in_front_of_a_loss_system)
{
    rf_params p;
    tm_loss_system(&p, 5, 3, sim_dist_exp(30), 100);
    p.n_screen = 2;
    p.screen[0].prob = 0.2;
    p.screen[1].prob = 0.1;
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    double q = 0.3;
    tm_est e = tm_replicate(&p, REPS, screened_or_refused, NULL);
    expect_near(e, q + (1 - q) * mq_erlang_b(5, (1 - q) * 3), "q + (1-q) B(c, (1-q) a)");
}

typedef struct {
    int which;                 /* 0 refused, 1 blocked share, 2 downtime share, 3 occupancy */
} held_sel;

static double held_stat(const rf_result *r, void *u)
{
    switch (((held_sel *)u)->which) {
    case 0: return tm_share(r, RF_OUT_REFUSED_NO_SPACE);
    case 1: return r->blocked_share;
    case 2: return r->downtime_share;
    default: return r->occupancy;
    }
}

/* A unit is held for stay + move-on delay + turnaround: blocking is Erlang B
 * with that mean holding time (insensitivity), and each phase's share of
 * unit-days is its share of the carried load. */
Test(model_theory, time_held_is_stay_plus_moveon_plus_turnaround)
{
    const int c = 5;
    const double stay = 30, delay = 10, turn = 5, a = 3;
    rf_params p;
    tm_loss_system(&p, c, a, sim_dist_exp(stay), 100);
    p.per_year = a / (stay + delay + turn) * 365;
    p.move_on_delay = sim_dist_const(delay);
    p.turnaround = sim_dist_const(turn);
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    double b = mq_erlang_b(c, a), carried = a * (1 - b) / (stay + delay + turn) / c;
    const double theory[] = {b, carried * delay, carried * turn, carried * (stay + delay)};
    const char *what[] = {"refused_no_space", "blocked_share", "downtime_share", "occupancy"};
    for (int k = 0; k < 4; k++) {
        held_sel sel = {k};
        expect_near(tm_replicate(&p, REPS, held_stat, &sel), theory[k], what[k]);
    }
}

static double downtime_gap(const rf_result *r, void *u)
{
    double mean_turn = *(double *)u, unit_days = r->services[0].units * 365.0 * 100;
    return r->downtime_share - mean_turn * (double)r->departures / unit_days;
}

static double downtime_share(const rf_result *r, void *u)
{
    (void)u;
    return r->downtime_share;
}

Test(model_theory, downtime_share_is_turnaround_times_departures)
{
    rf_params p;
    tm_loss_system(&p, 6, 4, sim_dist_lognormal(60, 40), 100);
    double mean_turn = 7;
    p.turnaround = sim_dist_exp(mean_turn);
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    tm_est e = tm_replicate(&p, REPS, downtime_gap, &mean_turn);
    expect_near(e, 0, "downtime share - E[turnaround] x departures / unit-days");

    /* Outages alone on idle units: an alternating renewal process, down a
     * share D / (I + D) of the time. */
    tm_loss_system(&p, 10, 1, sim_dist_exp(30), 100);
    p.per_year = 0;
    p.outage_interval = sim_dist_exp(60);
    p.outage_duration = (sim_dist){.kind = SIM_DIST_GAMMA, .mean = 15, .sd = 5};
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    expect_near(tm_replicate(&p, REPS, downtime_share, NULL), 15.0 / 75, "outage share D/(I+D)");
}

static double waited(const rf_result *r, void *u)
{
    (void)u;
    return 1 - tm_share(r, RF_OUT_PLACED_IMMEDIATELY);
}

Test(model_theory, erlang_c_with_an_unlimited_waiting_list)
{
    rf_params p;
    tm_loss_system(&p, 2, 1.5, sim_dist_exp(30), 100);
    p.p_wait = 1;
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    expect_near(tm_replicate(&p, REPS, waited, NULL), mq_erlang_c(2, 1.5), "C(2, 1.5)");
    cr_expect(fabs(mq_erlang_c(2, 1.5) - 0.642857) < 1e-6);
}

/* Time on the list of counted referrals, for Little's law. */
typedef struct {
    double on_list;
} little_acc;

static void on_outcome(void *user, const rf_outcome_info *info)
{
    little_acc *a = user;
    if (info->outcome == RF_OUT_PLACED_AFTER_WAIT || info->outcome == RF_OUT_ABANDONED
        || info->outcome == RF_OUT_WAITING_AT_END)
        a->on_list += info->t - info->referred;
}

/* Erlang A (M/M/c+M): n = 10, lambda = 10, mu = 1, patience rate 0.5, and
 * Little's law on the waiting list. */
Test(model_theory, erlang_a_and_littles_law)
{
    rf_params p;
    tm_loss_system(&p, 10, 10, sim_dist_exp(1), 0);
    p.horizon = 3000;
    p.p_wait = 1;
    p.patience = sim_dist_exp(2);
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    double pw, pa, pb, L;
    mq_birth_death(10, 400, 10, 1, 0.5, &pw, &pa, &pb, &L);
    cr_expect(fabs(pw - 0.6197) < 1e-3 && fabs(pa - 0.1039) < 1e-3, "theory %g %g", pw, pa);

    sim_welford w_wait, w_ab, w_little;
    sim_welford_reset(&w_wait);
    sim_welford_reset(&w_ab);
    sim_welford_reset(&w_little);
    const size_t reps = 10;
    for (size_t i = 0; i < reps; i++) {
        rf_result r;
        little_acc acc = {0};
        rf_model_hooks hooks = {on_outcome, &acc};
        cr_assert_eq(rf_model_run_ex(&p, i, &r, &hooks), SIM_OK);
        sim_welford_add(&w_wait, 1 - tm_share(&r, RF_OUT_PLACED_IMMEDIATELY));
        sim_welford_add(&w_ab, tm_share(&r, RF_OUT_ABANDONED));
        /* L = lambda W: the only gap is the households already waiting when
         * the window opens, O(L W / horizon). */
        sim_welford_add(&w_little, r.waiting_mean - acc.on_list / p.horizon);
    }
    double se = sqrt((double)reps);
    expect_near((tm_est){w_wait.mean, sim_welford_sd(&w_wait) / se, 0, reps}, pw, "Erlang A P(wait)");
    expect_near((tm_est){w_ab.mean, sim_welford_sd(&w_ab) / se, 0, reps}, pa, "Erlang A P(abandon)");
    cr_expect(fabs(w_little.mean) <= 4 * sim_welford_sd(&w_little) / se + 1e-3,
              "Little: L - lambda W = %g", w_little.mean);
}

/* Referrals per month of the run, over every replication. */
typedef struct {
    double per_month[36];
} month_counts;

static void count_referral(void *user, const rf_outcome_info *e)
{
    int m = (int)(e->referred / (365.0 / 12));
    if (m >= 0 && m < 36)
        ((month_counts *)user)->per_month[m]++;
}

/* Non-homogeneous Poisson arrivals by thinning: each month's count is
 * Poisson with mean per_year/365 * s[m mod 12] * integral of (1+g)^(t/365). */
/* Seasonality factors are calendar months, January first; start_month
 * says which month the horizon starts in (April: month 0 of the run has
 * April's factor). */
Test(model_theory, growth_and_seasonality)
{
    rf_params p;
    rf_params_init(&p);
    rf_params_add_service(&p, "s", 5, sim_dist_exp(30));
    p.per_year = 789;
    p.growth = 0.1;
    const double s[12] = {0.5, 0.7, 0.9, 1.1, 1.3, 1.5, 1.5, 1.3, 1.1, 0.9, 0.7, 0.5};
    memcpy(p.seasonality, s, sizeof s);
    p.horizon = 3 * 365;
    for (int start = 1; start <= 4; start += 3) {
        p.start_month = start;
        cr_assert_eq(rf_params_prepare(&p), SIM_OK);
        const int reps = 30;
        month_counts c = {{0}};
        rf_model_hooks hooks = {count_referral, &c};
        for (int i = 0; i < reps; i++) {
            rf_result r;
            cr_assert_eq(rf_model_run_ex(&p, (uint64_t)i, &r, &hooks), SIM_OK);
        }
        double L = 365.0 / 12, k = log(1 + p.growth) / 365;
        for (int m = 0; m < 36; m++) {
            double integral = (exp(k * (m + 1) * L) - exp(k * m * L)) / k;
            double expect = reps * p.per_year / 365 * s[(m + start - 1) % 12] * integral;
            cr_expect(fabs(c.per_month[m] - expect) <= 4 * sqrt(expect),
                      "start month %d, month %d: %g referrals, expected %g", start, m,
                      c.per_month[m], expect);
        }
    }
    p.start_month = 13;
    cr_expect_eq(rf_model_check(&p, NULL, 0), SIM_EINVAL);
}

typedef struct {
    sim_welford high, other;
    double listed_sum;         /* everyone who joined the list: days on it */
    uint64_t listed, high_listed;
    double high_listed_sum;
} risk_waits;

static void wait_by_risk(void *user, const rf_outcome_info *e)
{
    risk_waits *w = user;
    if (e->outcome == RF_OUT_PLACED_AFTER_WAIT || e->outcome == RF_OUT_PLACED_IMMEDIATELY)
        sim_welford_add(e->household->high_risk ? &w->high : &w->other, e->t - e->referred);
    if (e->outcome == RF_OUT_PLACED_AFTER_WAIT || e->outcome == RF_OUT_ABANDONED
        || e->outcome == RF_OUT_WAITING_AT_END) {
        w->listed++;
        w->listed_sum += e->t - e->referred;
        if (e->household->high_risk) {
            w->high_listed++;
            w->high_listed_sum += e->t - e->referred;
        }
    }
}

/* Priority for high risk: with the list served high-risk first, they wait
 * far less than the rest in every replication; with FIFO the per-replication
 * difference of mean waits is zero within 4 standard errors. */
Test(model_theory, high_risk_priority)
{
    rf_params p;
    tm_loss_system(&p, 5, 4.5, sim_dist_exp(30), 30);
    p.p_wait = 1;
    p.mix.p_high_risk = 0.3;
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    for (int v = 0; v < 2; v++) {
        p.priority = v ? RF_PRIORITY_HIGH_RISK : RF_PRIORITY_FIFO;
        sim_welford diff;
        sim_welford_reset(&diff);
        const size_t reps = 10;
        for (uint64_t i = 0; i < reps; i++) {
            risk_waits w = {0};
            sim_welford_reset(&w.high);
            sim_welford_reset(&w.other);
            rf_model_hooks hooks = {wait_by_risk, &w};
            rf_result r;
            cr_assert_eq(rf_model_run_ex(&p, i, &r, &hooks), SIM_OK);
            /* the high-risk group row and the waits of all who waited are
             * what the households' outcomes say */
            const rf_group_result *g = &r.groups[RF_G_HIGH_RISK];
            cr_expect_eq(g->outcomes[RF_OUT_PLACED_IMMEDIATELY] + g->outcomes[RF_OUT_PLACED_AFTER_WAIT],
                         w.high.n);
            cr_expect(fabs(g->wait_sum - w.high.mean * (double)w.high.n) < 1e-6 * (1 + g->wait_sum),
                      "high-risk wait_sum %g", g->wait_sum);
            cr_expect_eq(g->waited, w.high_listed);
            cr_expect(fabs(g->waited_sum - w.high_listed_sum) < 1e-6 * (1 + g->waited_sum));
            cr_expect_eq(r.waited, w.listed);
            cr_expect(fabs(r.waited_sum - w.listed_sum) < 1e-6 * (1 + r.waited_sum));
            if (v)
                cr_expect_lt(w.high.mean, 0.5 * w.other.mean, "rep %lu: high %g other %g",
                             (unsigned long)i, w.high.mean, w.other.mean);
            sim_welford_add(&diff, w.high.mean - w.other.mean);
        }
        if (!v)
            cr_expect(fabs(diff.mean) <= 4 * sim_welford_sd(&diff) / sqrt((double)reps),
                      "FIFO: high - other = %g +- %g", diff.mean, sim_welford_sd(&diff));
    }
}

/* Shares are pooled over replications.  M/M/21/21 at 21 Erlangs over one
 * year, about 100 referrals a replication: the mean of the replications'
 * own refused shares is biased low (a replication with more referrals
 * refuses a larger share of them, so weighting every replication alike
 * undercounts), by more than its own 99.9% interval at 20000 replications;
 * the ratio of the summed refusals and referrals is consistent and Erlang B
 * lies inside its 99.9% delta-method interval. */
Test(model_theory, pooled_shares_match_erlang_b_where_the_mean_of_ratios_does_not, .timeout = 120)
{
    enum { N = 20000, CHUNK = 1000 };
    rf_params p;
    tm_loss_system(&p, 21, 21, sim_dist_exp(21 * 365.0 / 100), 1);
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    int k = rf_metric_find("refused_no_space");
    cr_assert_geq(k, 0);
    cr_assert_not_null(rf_metric_at((size_t)k)->denominator, "a ratio metric");
    static rf_result res[CHUNK];
    static double num[N], den[N], val[N], work[N];
    double pn[128], pd[128], pv[128];
    cr_assert_leq(rf_metric_count(), 128);
    for (int first = 0; first < N; first += CHUNK) {
        sim_runner_cfg cfg = {.first_rep = (uint64_t)first, .n_reps = CHUNK,
                              .result_size = sizeof *res, .threads = 2};
        uint64_t failed;
        cr_assert_eq(sim_runner_run(&cfg, rf_model_run_rep, &p, res, NULL, &failed), SIM_OK);
        for (int r = 0; r < CHUNK; r++) {
            rf_result_metric_parts(&res[r], pn, pd);
            rf_result_metrics(&res[r], pv);
            num[first + r] = pn[k];
            den[first + r] = pd[k];
            val[first + r] = pv[k];
        }
    }
    sim_ratio e;
    sim_ratio_estimate(num, den, N, &e);
    sim_summary old;
    sim_summarize(val, N, work, &old);
    double b = mq_erlang_b(21, 21), t999 = gsl_cdf_tdist_Pinv(0.9995, N - 1);
    cr_expect(e.den / N > 90 && e.den / N < 110, "%g referrals a replication", e.den / N);
    cr_expect_leq(fabs(e.ratio - b), t999 * e.se, "pooled %.5f ± %.5f (99.9%%) vs B = %.5f",
                  e.ratio, t999 * e.se, b);
    double old_half = t999 * old.sd / sqrt((double)old.n);
    cr_expect_gt(b - old.mean, old_half, "mean of ratios %.5f ± %.5f (99.9%%) vs B = %.5f",
                 old.mean, old_half, b);
    cr_log_info("B(21, 21) = %.5f: pooled %.5f ± %.5f, mean of ratios %.5f ± %.5f (99.9%%)", b,
                e.ratio, t999 * e.se, old.mean, old_half);
}

/* Each service its own turnaround, move-on delay and outages: service 0
 * turns a unit round in 10 days and moves on at once, service 1 takes no
 * turnaround, blocks its units 20 days for move-on and has outages; the
 * scenario-wide values (never used here) would give both 3-day turnarounds.
 * Every phase starts and ends inside the window or is clipped, so the
 * unit-days are bounded by the counts exactly. */
Test(model_theory, turnaround_move_on_and_outages_per_service)
{
    rf_params p;
    tm_loss_system(&p, 4, 3, sim_dist_exp(40), 20);
    rf_params_add_service(&p, "flats", 4, sim_dist_exp(40));
    p.per_year *= 2;
    p.turnaround = sim_dist_const(3);
    p.move_on_delay = sim_dist_const(3);
    rf_service *a = &p.services[0], *b = &p.services[1];
    a->own = 1u << RF_SD_TURNAROUND | 1u << RF_SD_MOVE_ON;
    a->dist[RF_SD_TURNAROUND] = sim_dist_const(10);
    a->dist[RF_SD_MOVE_ON] = sim_dist_none();
    b->own = 1u << RF_SD_TURNAROUND | 1u << RF_SD_MOVE_ON | 1u << RF_SD_OUTAGE_INTERVAL
             | 1u << RF_SD_OUTAGE_DURATION;
    b->dist[RF_SD_TURNAROUND] = sim_dist_none();
    b->dist[RF_SD_MOVE_ON] = sim_dist_const(20);
    b->dist[RF_SD_OUTAGE_INTERVAL] = sim_dist_exp(100);
    b->dist[RF_SD_OUTAGE_DURATION] = sim_dist_const(5);
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    cr_expect_eq(rf_service_dist(&p, 0, RF_SD_TURNAROUND)->mean, 10);
    cr_expect_eq(rf_service_dist(&p, 0, RF_SD_OUTAGE_INTERVAL), &p.outage_interval,
                 "what a service does not set is the scenario's");
    for (uint64_t rep = 0; rep < 5; rep++) {
        rf_result r;
        cr_assert_eq(rf_model_run(&p, rep, &r), SIM_OK);
        const rf_service_result *x = &r.services[0], *y = &r.services[1];
        cr_assert_gt(x->departures, 100);
        cr_assert_gt(y->departures, 100);
        /* service 0: down exactly 10 days per departure, give or take the
         * turnarounds cut by the window's ends (at most one per unit each) */
        cr_expect(fabs(x->down_days - 10.0 * (double)x->departures) <= 10.0 * 2 * x->units,
                  "rep %lu: %g down days for %lu departures", (unsigned long)rep, x->down_days,
                  (unsigned long)x->departures);
        cr_expect_eq(x->blocked_days, 0, "no move-on delay in service 0");
        cr_expect_eq(x->move_ons, x->departures - x->early_exits);
        /* service 1: 20 blocked days per move-on, downtime from outages only */
        cr_expect(fabs(y->blocked_days - 20.0 * (double)y->move_ons) <= 20.0 * 2 * y->units,
                  "rep %lu: %g blocked days for %lu move-ons", (unsigned long)rep, y->blocked_days,
                  (unsigned long)y->move_ons);
        cr_expect_eq(y->timely_move_ons, 0);
        cr_expect_gt(y->down_days, 0);
        cr_expect_lt(y->down_days, 5.0 * 0.1 * y->units * 20 * 365, "outages of 5 days, rarely");
    }
}
