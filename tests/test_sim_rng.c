/* Streams depend on (seed, replication, stream id) only and are uniform. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <gsl/gsl_randist.h>

#include <Random123/philox.h>

#include "sim_rng.h"

Test(rng, same_key_same_numbers_and_any_key_change_differs)
{
    sim_stream a, b, c, d, e;
    sim_stream_init(&a, 42, 7, 3);
    sim_stream_init(&b, 42, 7, 3);
    sim_stream_init(&c, 43, 7, 3);
    sim_stream_init(&d, 42, 8, 3);
    sim_stream_init(&e, 42, 7, 4);
    int diff_c = 0, diff_d = 0, diff_e = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = sim_stream_u64(&a);
        cr_assert_eq(x, sim_stream_u64(&b));
        diff_c += x != sim_stream_u64(&c);
        diff_d += x != sim_stream_u64(&d);
        diff_e += x != sim_stream_u64(&e);
    }
    cr_assert_eq(diff_c, 1000);
    cr_assert_eq(diff_d, 1000);
    cr_assert_eq(diff_e, 1000);
}

Test(rng, heap_generator_matches_embedded_stream)
{
    gsl_rng *r = sim_rng_alloc(9, 2, 1);
    sim_stream s;
    sim_stream_init(&s, 9, 2, 1);
    cr_assert_str_eq(gsl_rng_name(r), "philox4x64-10");
    for (int i = 0; i < 100; i++)
        cr_assert_eq(gsl_rng_uniform(r), gsl_rng_uniform(&s.rng));
    gsl_rng_free(r);
}

Test(rng, uniform_moments_within_confidence_bounds)
{
    enum { N = 1000000 };
    sim_stream s;
    sim_stream_init(&s, 1, 0, 0);
    double sum = 0, sum2 = 0, lo = 1, hi = 0;
    for (int i = 0; i < N; i++) {
        double u = sim_stream_u01(&s);
        cr_assert(u >= 0 && u < 1);
        sum += u;
        sum2 += u * u;
        if (u < lo) lo = u;
        if (u > hi) hi = u;
    }
    double mean = sum / N, var = sum2 / N - mean * mean;
    /* sd of the mean of U(0,1) = sqrt(1/12/N); allow 4 sd */
    cr_assert_lt(fabs(mean - 0.5), 4 * sqrt(1.0 / 12 / N));
    cr_assert_lt(fabs(var - 1.0 / 12), 4 * sqrt(1.0 / 180 / N));
    cr_assert_lt(lo, 1e-4);
    cr_assert_gt(hi, 1 - 1e-4);
}

Test(rng, gsl_distributions_work_on_the_stream)
{
    enum { N = 200000 };
    sim_stream s;
    sim_stream_init(&s, 5, 0, 0);
    double sum = 0;
    for (int i = 0; i < N; i++)
        sum += gsl_ran_gamma(&s.rng, 2.0, 3.0);      /* mean 6, var 18 */
    cr_assert_lt(fabs(sum / N - 6.0), 4 * sqrt(18.0 / N));
    unsigned long k = 0;
    for (int i = 0; i < N; i++)
        k += gsl_rng_uniform_int(&s.rng, 10);           /* mean 4.5, var 8.25 */
    cr_assert_lt(fabs((double)k / N - 4.5), 4 * sqrt(8.25 / N));
}

Test(rng, random_access_blocks_equal_the_sequential_draws)
{
    sim_stream seq, ra;
    sim_stream_init(&seq, 11, 3, 1);
    sim_stream_init(&ra, 11, 3, 1);
    for (uint64_t b = 0; b < 50; b++) {
        double u[4];
        sim_stream_block_u01(&ra, b, u);
        for (int w = 0; w < 4; w++)
            cr_assert_eq(u[w], sim_stream_u01(&seq), "block %llu word %d", (unsigned long long)b, w);
    }
    /* out of order, and without moving the sequential position */
    double u7[4], again[4];
    sim_stream_block_u01(&ra, 7, u7);
    sim_stream_block_u01(&ra, 2, again);
    sim_stream_block_u01(&ra, 7, again);
    cr_assert_eq(memcmp(u7, again, sizeof u7), 0);
    sim_stream fresh;
    sim_stream_init(&fresh, 11, 3, 1);
    cr_assert_eq(sim_stream_u01(&ra), sim_stream_u01(&fresh));
}

/* The stream's own Philox rounds (round keys computed once per stream) are
 * Random123's philox4x64, for any key. */
Test(rng, blocks_are_random123_philox4x64_for_any_key)
{
    sim_stream keys;
    sim_stream_init(&keys, 5, 5, 5);
    for (int i = 0; i < 500; i++) {
        uint64_t seed = sim_stream_u64(&keys), rep = sim_stream_u64(&keys) >> 32,
                 id = sim_stream_u64(&keys) >> 32;
        sim_stream s;
        sim_stream_init(&s, seed, rep, id);
        philox4x64_key_t k = {{seed, (rep << 32) | id}};
        for (uint64_t b = 0; b < 4; b++) {
            philox4x64_ctr_t r = philox4x64(((philox4x64_ctr_t){{b, 0, 0, 0}}), k);
            double u[4];
            sim_stream_block_u01(&s, b * 977, u);
            philox4x64_ctr_t far = philox4x64(((philox4x64_ctr_t){{b * 977, 0, 0, 0}}), k);
            for (int w = 0; w < 4; w++) {
                cr_assert_eq(sim_stream_u64(&s), r.v[w]);
                cr_assert_eq(u[w], (double)(far.v[w] >> 11) * 0x1.0p-53);
            }
        }
    }
}
