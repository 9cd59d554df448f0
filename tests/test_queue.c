/* The engine against queueing theory: Erlang B (insensitive to the stay
 * distribution), Erlang C, Erlang A, Little's law; and reproducibility.
 * A case passes when theory lies inside the 99.9% Student-t interval of the
 * replication means (0.1% false alarm per case at a fresh seed; the seeds
 * here are fixed, so the outcome is deterministic). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mq_queue.h"
#include "mq_validate.h"
#include "sim_runner.h"
#include "sim_status.h"

Test(theory, erlang_b_and_c_match_published_values)
{
    cr_assert_float_eq(mq_erlang_b(5, 3), 0.110054, 1e-6);
    cr_assert_float_eq(mq_erlang_b(4, 2), 0.095238, 1e-6);
    cr_assert_float_eq(mq_erlang_b(6, 2), 0.012085, 1e-6);
    cr_assert_float_eq(mq_erlang_b(10, 10), 0.214582, 1e-6);
    cr_assert_float_eq(mq_erlang_c(2, 1.5), 0.642857, 1e-6);
    double pw, pab, pbl, L;
    mq_birth_death(10, 2000, 10, 1, 0.5, &pw, &pab, &pbl, &L);
    cr_assert_float_eq(pw, 0.6197, 1e-4);
    cr_assert_float_eq(pab, 0.1039, 1e-4);
    /* the birth-death chain with K = c is Erlang B */
    mq_birth_death(5, 5, 3, 1, 0, &pw, &pab, &pbl, &L);
    cr_assert_float_eq(pbl, mq_erlang_b(5, 3), 1e-12);
}

Test(validate, every_builtin_case_covers_theory)
{
    for (size_t i = 0; i < mq_case_count(); i++) {
        const mq_case *k = mq_case_at(i);
        sim_summary s;
        cr_assert_eq(mq_case_run(k, 20261124, 30, 0, NULL, &s), SIM_OK);
        cr_assert(mq_case_covers(&s, k->theory, 0.999), "%s: simulated %g +- %g, theory %g",
                  k->name, s.mean, s.ci95, k->theory);
        /* the interval must be informative, not wide enough to cover anything */
        cr_assert_lt(s.ci95, 0.05 * k->theory + 0.002, "%s: CI too wide", k->name);
    }
}

static mq_params mm_c(int c, double load, long cap)
{
    return (mq_params){.servers = c, .arrival_rate = load, .service = sim_dist_exp(1),
                       .patience = sim_dist_none(), .queue_cap = cap, .warmup = 100,
                       .horizon = 10000, .seed = 99};
}

static void run_reps(const mq_params *p, size_t n, int threads, mq_result *res)
{
    sim_runner_cfg cfg = {.n_reps = n, .result_size = sizeof *res, .threads = threads};
    cr_assert_eq(sim_runner_run(&cfg, mq_run_rep, p, res, NULL, NULL), SIM_OK);
}

Test(little, mean_in_system_equals_throughput_times_sojourn)
{
    enum { R = 20 };
    mq_result res[R];
    mq_params p = mm_c(3, 2.4, -1);
    run_reps(&p, R, 0, res);
    double d[R], w[R];
    for (int i = 0; i < R; i++)
        d[i] = res[i].mean_in_system - res[i].throughput * res[i].mean_sojourn;
    sim_summary s;
    sim_summarize(d, R, w, &s);
    cr_assert(mq_case_covers(&s, 0, 0.999), "L - lambda W = %g +- %g", s.mean, s.ci95);
    /* and the level itself is the M/M/3 value */
    double pw, pab, pbl, L;
    mq_birth_death(3, 5000, 2.4, 1, 0, &pw, &pab, &pbl, &L);
    for (int i = 0; i < R; i++)
        d[i] = res[i].mean_in_system;
    sim_summarize(d, R, w, &s);
    cr_assert(mq_case_covers(&s, L, 0.999), "L = %g +- %g, theory %g", s.mean, s.ci95, L);
}

Test(reproducible, same_seed_same_bits_whatever_the_threads)
{
    enum { R = 16 };
    mq_result one[R], two[R], other[R];
    mq_params p = mm_c(5, 4, 10);
    p.horizon = 2000;
    run_reps(&p, R, 1, one);
    run_reps(&p, R, 2, two);
    cr_assert_eq(memcmp(one, two, sizeof one), 0, "1 and 2 threads differ");
    p.seed = 100;
    run_reps(&p, R, 2, other);
    for (int i = 0; i < R; i++)
        cr_assert_neq(one[i].arrivals * 1e9 + one[i].wait_sum,
                      other[i].arrivals * 1e9 + other[i].wait_sum, "rep %d same for two seeds", i);
}

Test(reproducible, runner_reports_interruption_and_done_flags)
{
    enum { R = 8 };
    mq_result res[R];
    unsigned char done[R];
    volatile sig_atomic_t stop = 1;
    mq_params p = mm_c(2, 1, 0);
    sim_runner_cfg cfg = {.n_reps = R, .result_size = sizeof *res, .threads = 2, .stop = &stop};
    cr_assert_eq(sim_runner_run(&cfg, mq_run_rep, &p, res, done, NULL), SIM_EINTR);
    for (int i = 0; i < R; i++)
        cr_assert_eq(done[i], 0);
}
