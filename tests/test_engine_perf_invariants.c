/* What the speed work on the engine must not change.
 *
 * - The calendar orders by an integer image of the time bits: it must still
 *   pop in (time, scheduling order) for negative times, -0/+0 and ties, and
 *   survive growth from a tiny capacity.
 * - The random streams start each Philox block one draw early: the words
 *   must still be Philox4x64-10 of counter 0, 1, 2, ... under the key
 *   (seed, rep << 32 | stream), through both sim_stream and gsl_rng.
 * - mq_queue draws exponentials by ziggurat: an M/M/1 queue must still match
 *   theory in P(wait), mean wait (which depends on the second moment of the
 *   service time) and mean number in system, and the benchmark's stop after
 *   max_customers must count exactly. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <Random123/philox.h>

#include "mq_queue.h"
#include "sim_calendar.h"
#include "sim_rng.h"
#include "sim_runner.h"
#include "sim_stats.h"
#include "sim_status.h"

typedef struct {
    double t;
    uint32_t id;     /* scheduling order */
} ref_ev;

static int ref_cmp(const void *a, const void *b)
{
    const ref_ev *x = a, *y = b;
    if (x->t < y->t || (x->t == y->t && x->id < y->id))
        return -1;
    return x->t > y->t || (x->t == y->t && x->id > y->id) ? 1 : 0;
}

Test(perf_invariants, calendar_orders_negative_times_ties_and_signed_zero)
{
    enum { N = 20000 };
    sim_calendar *cal = sim_cal_create(1);
    cr_assert_not_null(cal);
    sim_cal_reset(cal, -1000.0);
    sim_stream s;
    sim_stream_init(&s, 5, 0, 0);
    ref_ev *ref = malloc(N * sizeof *ref);
    cr_assert_not_null(ref);
    /* Few distinct times so ties are common; both zeros on purpose. */
    for (uint32_t i = 0; i < N; i++) {
        double t;
        uint64_t r = sim_stream_u64(&s) % 7;
        if (r == 0)
            t = -0.0;
        else if (r == 1)
            t = 0.0;
        else
            t = (double)((int64_t)(sim_stream_u64(&s) % 401) - 200) * 2.5;
        ref[i] = (ref_ev){t == 0 ? 0.0 : t, i};
        cr_assert_eq(sim_cal_schedule(cal, t, 1, i, 0), SIM_OK);
    }
    qsort(ref, N, sizeof *ref, ref_cmp);
    cr_assert_eq(sim_cal_peek_time(cal), ref[0].t);
    sim_event ev;
    for (uint32_t i = 0; i < N; i++) {
        cr_assert(sim_cal_pop(cal, &ev));
        cr_assert(ev.t == ref[i].t && ev.id == ref[i].id,
                  "pop %u: got (%g, %u), expected (%g, %u)", i, ev.t, ev.id, ref[i].t, ref[i].id);
        cr_assert_eq(sim_cal_now(cal), ev.t);
    }
    cr_assert_not(sim_cal_pop(cal, &ev));
    cr_assert_eq(sim_cal_popped(cal), N);
    cr_assert(isinf(sim_cal_peek_time(cal)));
    cr_assert_eq(sim_cal_schedule(cal, ref[N - 1].t - 1, 0, 0, 0), SIM_EINVAL);
    cr_assert_eq(sim_cal_schedule(cal, INFINITY, 0, 0, 0), SIM_EINVAL);
    cr_assert_eq(sim_cal_schedule(cal, NAN, 0, 0, 0), SIM_EINVAL);
    free(ref);
    sim_cal_destroy(cal);
}

Test(perf_invariants, calendar_interleaved_hold_model_keeps_fifo)
{
    /* A hold model (pop one, schedule one later) with integer delays, the
     * pattern of a simulation run; payloads must come back intact. */
    sim_calendar *cal = sim_cal_create(2);
    sim_cal_reset(cal, 0);
    sim_stream s;
    sim_stream_init(&s, 6, 0, 0);
    uint32_t next_id = 0;
    for (int i = 0; i < 300; i++, next_id++)
        cr_assert_eq(sim_cal_schedule(cal, (double)(sim_stream_u64(&s) % 10), 2, next_id, ~next_id), SIM_OK);
    double last_t = -1;
    uint32_t last_id = 0;
    sim_event ev;
    for (int i = 0; i < 100000; i++) {
        cr_assert(sim_cal_pop(cal, &ev));
        cr_assert_eq(ev.kind, 2);
        cr_assert_eq(ev.tag, ~ev.id);
        /* ids grow with scheduling order, so equal times must pop in id order */
        cr_assert(ev.t > last_t || (ev.t == last_t && ev.id > last_id));
        last_t = ev.t, last_id = ev.id;
        cr_assert_eq(sim_cal_schedule(cal, ev.t + (double)(sim_stream_u64(&s) % 10), 2, next_id, ~next_id),
                     SIM_OK);
        next_id++;
    }
    cr_assert_eq(sim_cal_size(cal), 300);
    sim_cal_destroy(cal);
}

Test(perf_invariants, streams_are_philox_blocks_in_counter_order)
{
    const uint64_t seed = 0x123456789abcdefULL, rep = 77, id = 3;
    sim_stream s;
    sim_stream_init(&s, seed, rep, id);
    gsl_rng *g = sim_rng_alloc(seed, rep, id);
    cr_assert_not_null(g);
    philox4x64_key_t k = {{seed, (rep << 32) | id}};
    for (uint64_t blk = 0; blk < 50; blk++) {
        philox4x64_ctr_t c = {{blk, 0, 0, 0}};
        philox4x64_ctr_t r = philox4x64(c, k);
        for (int w = 0; w < 4; w++) {
            cr_assert_eq(sim_stream_u64(&s), r.v[w], "block %lu word %d", (unsigned long)blk, w);
            cr_assert_eq(gsl_rng_get(g), (unsigned long)(r.v[w] >> 32));
        }
    }
    gsl_rng_free(g);
}

static double four_sigma(const double *x, size_t n, double *mean)
{
    sim_welford w;
    sim_welford_reset(&w);
    for (size_t i = 0; i < n; i++)
        sim_welford_add(&w, x[i]);
    *mean = w.mean;
    return 4 * sim_welford_sd(&w) / sqrt((double)n);
}

Test(perf_invariants, mm1_with_ziggurat_draws_matches_theory)
{
    /* rho 0.5, mu 1: P(wait) = 0.5, Wq = rho/(mu - lambda) = 1, L = 1. */
    enum { REPS = 40 };
    mq_params p = {.servers = 1, .arrival_rate = 0.5, .queue_cap = -1, .service = sim_dist_exp(1),
                   .patience = sim_dist_none(), .warmup = 100, .horizon = 100000, .seed = 99};
    mq_result res[REPS];
    sim_runner_cfg cfg = {.n_reps = REPS, .result_size = sizeof res[0], .threads = 2};
    cr_assert_eq(sim_runner_run(&cfg, mq_run_rep, &p, res, NULL, NULL), SIM_OK);
    double pw[REPS], wq[REPS], L[REPS], m, tol;
    for (int i = 0; i < REPS; i++)
        pw[i] = res[i].p_wait, wq[i] = res[i].mean_wait, L[i] = res[i].mean_in_system;
    tol = four_sigma(pw, REPS, &m);
    cr_assert(fabs(m - 0.5) <= tol, "P(wait) %g, theory 0.5 +- %g", m, tol);
    tol = four_sigma(wq, REPS, &m);
    cr_assert(fabs(m - 1.0) <= tol, "Wq %g, theory 1 +- %g", m, tol);
    tol = four_sigma(L, REPS, &m);
    cr_assert(fabs(m - 1.0) <= tol, "L %g, theory 1 +- %g", m, tol);
}

Test(perf_invariants, max_customers_stops_exactly_and_counts_events)
{
    mq_params p = {.servers = 1, .arrival_rate = 0.9, .queue_cap = -1, .service = sim_dist_exp(1),
                   .patience = sim_dist_none(), .warmup = 0, .horizon = 1e300,
                   .max_customers = 100000, .seed = 1};
    mq_result a, b;
    cr_assert_eq(mq_run(&p, 0, &a), SIM_OK);
    cr_assert_eq(a.arrivals, 100000);
    /* one pop per arrival and per departure; at the stop the server is busy
     * with exactly one of the customers who started service */
    cr_assert_eq(a.events, a.arrivals + (a.served - 1),
                 "events %lu, arrivals %lu, served %lu", (unsigned long)a.events,
                 (unsigned long)a.arrivals, (unsigned long)a.served);
    cr_assert_eq(mq_run(&p, 0, &b), SIM_OK);
    cr_assert(memcmp(&a, &b, sizeof a) == 0, "same inputs must give the same bits run to run");
}
