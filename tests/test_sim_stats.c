/* Streaming statistics agree with GSL's batch statistics and with hand values. */
#include <criterion/criterion.h>
#include <math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>
#include <string.h>

#include "sim_dist.h"
#include "sim_rng.h"
#include "sim_stats.h"
#include "sim_status.h"

Test(stats, welford_matches_gsl_and_merges)
{
    enum { N = 10000 };
    static double x[N];
    sim_stream s;
    sim_stream_init(&s, 11, 0, 0);
    sim_welford all, a, b;
    sim_welford_reset(&all);
    sim_welford_reset(&a);
    sim_welford_reset(&b);
    for (int i = 0; i < N; i++) {
        x[i] = 1e6 + sim_stream_u01(&s);      /* large offset: naive sums would lose digits */
        sim_welford_add(&all, x[i]);
        sim_welford_add(i < 3000 ? &a : &b, x[i]);
    }
    double m = gsl_stats_mean(x, 1, N), v = gsl_stats_variance_m(x, 1, N, m);
    cr_assert_float_eq(all.mean, m, 1e-12 * m);
    cr_assert_float_eq(sim_welford_var(&all), v, 1e-9 * v + 1e-12);
    sim_welford_merge(&a, &b);
    cr_assert_eq(a.n, (uint64_t)N);
    cr_assert_float_eq(a.mean, m, 1e-12 * m);
    cr_assert_float_eq(sim_welford_var(&a), v, 1e-8 * v);
    cr_assert_eq(a.min, all.min);
    cr_assert_eq(a.max, all.max);
}

Test(stats, level_time_average)
{
    sim_level l;
    sim_level_reset(&l, 10, 2);          /* 2 over [10,12) */
    sim_level_set(&l, 12, 5);            /* 5 over [12,13) */
    sim_level_add(&l, 13, -4);           /* 1 over [13,20] */
    cr_assert_float_eq(sim_level_area(&l, 20), 2 * 2 + 5 * 1 + 1 * 7, 1e-12);
    cr_assert_float_eq(sim_level_mean(&l, 20), 16.0 / 10, 1e-12);
    cr_assert_eq(l.max, 5);
}

Test(stats, histogram_quantiles_of_a_uniform)
{
    sim_hist h;
    sim_hist_init(&h, 0, 100, 1000);
    for (int i = 0; i < 100000; i++)
        sim_hist_add(&h, (i + 0.5) / 1000.0);      /* uniform on [0,100) */
    cr_assert_float_eq(sim_hist_quantile(&h, 0.5), 50, 0.1);
    cr_assert_float_eq(sim_hist_quantile(&h, 0.9), 90, 0.1);
    sim_hist_add(&h, 1e9);                         /* clamped to the top bin, still counted */
    cr_assert_eq(h.n, 100001u);
}

/* sim_hist_init zeroes only the bins it will use (a model reuses no
 * zeroed memory for the rest): a histogram made over garbage, and over a
 * used one with more bins, gives the quantiles of a fresh one. */
Test(stats, histogram_over_dirty_memory_counts_from_zero)
{
    sim_hist *h = malloc(sizeof *h);
    cr_assert_not_null(h);
    memset(h, 0xff, sizeof *h);
    sim_hist_init(h, 0, 10, 10);
    cr_assert_eq(h->n, 0u);
    cr_assert(isnan(sim_hist_quantile(h, 0.5)));
    for (int i = 0; i < 10; i++)
        sim_hist_add(h, i + 0.5);                  /* one in each bin */
    cr_assert_float_eq(sim_hist_quantile(h, 0.5), 5, 1e-12);
    cr_assert_float_eq(sim_hist_quantile(h, 1.0), 10, 1e-12);
    sim_hist_add(h, 1e9);                          /* the top bin: the 11th observation */
    cr_assert_eq(h->n, 11u);
    cr_assert_eq(h->counts[9], 2u);
    sim_hist_init(h, 0, 100, 1000);                /* bins 10.. held the 0xff bytes */
    for (int i = 0; i < 1000; i++)
        sim_hist_add(h, i / 10.0 + 0.05);
    cr_assert_float_eq(sim_hist_quantile(h, 0.9), 90, 1e-9);
    free(h);
}

Test(stats, summary_ci_uses_student_t)
{
    double x[] = {1, 2, 3, 4, 5, NAN}, w[6];
    sim_summary s;
    sim_summarize(x, 6, w, &s);
    cr_assert_eq(s.n, 5u);
    cr_assert_float_eq(s.mean, 3, 1e-12);
    cr_assert_float_eq(s.sd, sqrt(2.5), 1e-12);
    /* t_{0.975,4} = 2.776445 */
    cr_assert_float_eq(s.ci95, 2.776445 * sqrt(2.5) / sqrt(5), 1e-5);
    cr_assert_float_eq(s.p50, 3, 1e-12);
    cr_assert_float_eq(s.p10, 1.4, 1e-12);
    double one[] = {7};
    sim_summarize(one, 1, w, &s);
    cr_assert(isnan(s.ci95), "one replication has no confidence interval");
}

static double sample_mean(const sim_dist *d, int n, uint64_t seed, double *var)
{
    sim_stream s;
    sim_stream_init(&s, seed, 0, 0);
    sim_welford w;
    sim_welford_reset(&w);
    for (int i = 0; i < n; i++)
        sim_welford_add(&w, sim_dist_draw(d, &s.rng));
    *var = sim_welford_var(&w);
    return w.mean;
}

Test(dist, every_kind_has_the_configured_mean_and_sd)
{
    sim_dist ds[] = {
        {.kind = SIM_DIST_EXP, .mean = 30},
        {.kind = SIM_DIST_LOGNORMAL, .mean = 120, .sd = 90},
        {.kind = SIM_DIST_GAMMA, .mean = 60, .sd = 20},
        {.kind = SIM_DIST_WEIBULL, .mean = 100, .sd = 50},
        {.kind = SIM_DIST_UNIFORM, .min = 2, .max = 8},
        {.kind = SIM_DIST_EMPIRICAL, .n = 3, .values = {0, 10, 40}, .weights = {2, 1, 1}},
        {.kind = SIM_DIST_CONST, .mean = 4},
    };
    /* empirical: E[X] = (0*2 + 10 + 40)/4 = 12.5, E[X^2] = (100 + 1600)/4 = 425 */
    double sds[] = {30, 90, 20, 50, 6 / sqrt(12), sqrt(425 - 12.5 * 12.5), 0};
    enum { N = 200000 };
    for (size_t i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        cr_assert_eq(sim_dist_prepare(&ds[i]), SIM_OK, "kind %s", sim_dist_kind_name(ds[i].kind));
        double var, m = sample_mean(&ds[i], N, 100 + i, &var);
        double want = sim_dist_mean(&ds[i]);
        double tol = 4 * sds[i] / sqrt(N) + 1e-12;
        cr_assert_lt(fabs(m - want), tol, "%s: mean %g vs %g", sim_dist_kind_name(ds[i].kind), m, want);
        cr_assert_lt(fabs(sqrt(var) - sds[i]), 0.03 * sds[i] + 1e-12, "%s: sd %g vs %g",
                     sim_dist_kind_name(ds[i].kind), sqrt(var), sds[i]);
    }
}

Test(dist, quantile_inverts_cdf_and_bad_parameters_are_refused)
{
    sim_dist d = {.kind = SIM_DIST_LOGNORMAL, .mean = 50, .sd = 40};
    cr_assert_eq(sim_dist_prepare(&d), SIM_OK);
    for (double u = 0.05; u < 1; u += 0.1)
        cr_assert_float_eq(sim_dist_cdf(&d, sim_dist_quantile(&d, u)), u, 1e-9);
    sim_dist bad[] = {
        {.kind = SIM_DIST_EXP, .mean = -1},
        {.kind = SIM_DIST_LOGNORMAL, .mean = 10, .sd = 0},
        {.kind = SIM_DIST_UNIFORM, .min = 5, .max = 1},
        {.kind = SIM_DIST_EMPIRICAL, .n = 2, .values = {1, 2}, .weights = {0, 0}},
        {.kind = SIM_DIST_EMPIRICAL, .n = 0},
        {.kind = SIM_DIST_GAMMA, .mean = NAN, .sd = 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert_eq(sim_dist_prepare(&bad[i]), SIM_ERANGE, "case %zu", i);
    cr_assert_eq(sim_dist_kind_parse("weibull"), SIM_DIST_WEIBULL);
    cr_assert_eq(sim_dist_kind_parse("normal"), -1);
}

/* t(0.975) with 2 degrees of freedom in closed form: (2p - 1) sqrt(2 / (4p(1 - p))). */
#define T2 (0.95 * sqrt(2 / 0.0975))

/* Ratio of sums by hand: num {1, 2, 3}, den {2, 2, 4}.  R = 6 / 8 = 0.75,
 * residuals num - R den = {-0.5, 0.5, 0}, sum of squares 0.5, mean
 * denominator 8/3, so se^2 = 0.5 / (3 x 2 x 64/9) = 0.01171875. */
Test(stats, ratio_of_sums_by_hand)
{
    const double num[] = {1, 2, 3, NAN}, den[] = {2, 2, 4, 5};
    sim_ratio r;
    sim_ratio_estimate(num, den, 4, &r);     /* the NaN replication is skipped */
    cr_assert_eq(r.n, 3);
    cr_assert_eq(r.num, 6);
    cr_assert_eq(r.den, 8);
    cr_assert_float_eq(r.ratio, 0.75, 1e-15);
    cr_assert_float_eq(r.se, sqrt(0.01171875), 1e-15);
    cr_assert_float_eq(r.ci95, T2 * sqrt(0.01171875), 1e-9);

    /* den = 1: the mean over replications and its usual standard error */
    const double x[] = {3, 5, 10}, one[] = {1, 1, 1};
    sim_ratio_estimate(x, one, 3, &r);
    double sd = sqrt((9.0 + 1 + 16) / 2);
    cr_assert_float_eq(r.ratio, 6, 1e-15);
    cr_assert_float_eq(r.se, sd / sqrt(3), 1e-14);

    /* a replication with nothing to divide still counts; none at all is NaN */
    const double n0[] = {0, 1}, d0[] = {0, 4};
    sim_ratio_estimate(n0, d0, 2, &r);
    cr_assert_float_eq(r.ratio, 0.25, 1e-15);
    cr_assert_eq(r.n, 2);
    sim_ratio_estimate(n0, n0, 1, &r);
    cr_assert(isnan(r.ratio) && isnan(r.ci95));
    sim_ratio_estimate(num, den, 1, &r);
    cr_assert_float_eq(r.ratio, 0.5, 1e-15);
    cr_assert(isnan(r.se), "one replication: no interval");
}

/* a as above (R_a = 0.75, residuals {-0.5, 0.5, 0}, mean den 8/3); b: num
 * {1, 1, 2}, den {4, 2, 4}: R_b = 0.4, residuals {-0.6, 0.2, 0.4}, mean den
 * 10/3.  z = e_a 3/8 - e_b 3/10 = {-0.0075, 0.1275, -0.12}, sum of squares
 * 0.0307125, se^2 = 0.0307125 / 6. */
Test(stats, paired_difference_of_ratios_by_hand)
{
    const double na[] = {1, 2, 3}, da[] = {2, 2, 4}, nb[] = {1, 1, 2}, db[] = {4, 2, 4};
    sim_ratio_diff d;
    sim_ratio_paired_diff(na, da, nb, db, 3, &d);
    cr_assert_eq(d.n, 3);
    cr_assert_float_eq(d.a, 0.75, 1e-15);
    cr_assert_float_eq(d.b, 0.4, 1e-15);
    cr_assert_float_eq(d.diff, 0.35, 1e-15);
    cr_assert_float_eq(d.se, sqrt(0.0307125 / 6), 1e-14);
    cr_assert_float_eq(d.ci95, T2 * sqrt(0.0307125 / 6), 1e-9);

    /* the same scenario twice: no difference and no noise */
    sim_ratio_paired_diff(na, da, na, da, 3, &d);
    cr_assert_eq(d.diff, 0);
    cr_assert_eq(d.se, 0);

    /* under common random numbers the paired interval is narrower than the
     * two intervals apart: b = a shifted by a little noise */
    enum { N = 400 };
    static double ya[N], xa[N], yb[N], xb[N];
    sim_stream s;
    sim_stream_init(&s, 5, 0, 0);
    for (int i = 0; i < N; i++) {
        xa[i] = xb[i] = 80 + floor(40 * sim_stream_u01(&s));
        ya[i] = floor(xa[i] * (0.3 + 0.2 * sim_stream_u01(&s)));
        yb[i] = ya[i] - (sim_stream_u01(&s) < 0.5);
    }
    sim_ratio ra, rb;
    sim_ratio_estimate(ya, xa, N, &ra);
    sim_ratio_estimate(yb, xb, N, &rb);
    sim_ratio_paired_diff(ya, xa, yb, xb, N, &d);
    cr_assert_float_eq(d.diff, ra.ratio - rb.ratio, 1e-15);
    cr_assert_lt(d.se, 0.2 * hypot(ra.se, rb.se), "paired %g vs unpaired %g", d.se,
                 hypot(ra.se, rb.se));
}

/* The accumulator against the two-pass definition sum((num - R den)^2) on
 * counts like a county's (thousands of referrals, shares near 0.9) over
 * 100,000 replications, on large offsets with small spread (where raw sums
 * of squares lose every digit), and on a mean (den 1); fed one at a time it
 * is sim_ratio_estimate, bit for bit. */
Test(stats, ratio_accumulator_keeps_the_digits_of_two_passes)
{
    enum { N = 100000 };
    double *num = malloc(N * sizeof *num), *den = malloc(N * sizeof *den);
    gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
    for (int c = 0; c < 3; c++) {
        for (int i = 0; i < N; i++) {
            double d = c == 0 ? 1500 + gsl_ran_gaussian(g, 40) : c == 1 ? 1e9 + gsl_ran_gaussian(g, 1) : 1;
            den[i] = d;
            num[i] = c == 0 ? 0.9 * d + gsl_ran_gaussian(g, 12)
                   : c == 1 ? 0.5e9 + gsl_ran_gaussian(g, 1) : 1e6 + gsl_ran_gaussian(g, 3);
        }
        double sy = 0, sx = 0;
        for (int i = 0; i < N; i++) {
            sy += num[i];
            sx += den[i];
        }
        /* two passes in long double: the reference */
        long double r = (long double)sy / sx, ss = 0;
        for (int i = 0; i < N; i++)
            ss += (num[i] - r * den[i]) * (num[i] - r * den[i]);
        double se = (double)(sqrtl(ss / ((long double)N * (N - 1))) / fabsl((long double)sx / N));
        sim_ratio a, b;
        sim_ratio_estimate(num, den, N, &a);
        cr_assert_eq(a.ratio, sy / sx, "the sums are added as before: the same ratio");
        cr_assert(fabs(a.se - se) <= 1e-9 * se, "case %d: se %.17g vs two passes in long double %.17g", c, a.se, se);
        sim_ratio_acc acc = {0};
        for (int i = 0; i < N; i++)
            sim_ratio_acc_add(&acc, num[i], den[i]);
        sim_ratio_acc_result(&acc, &b);
        cr_assert(memcmp(&a, &b, sizeof a) == 0);
    }
    gsl_rng_free(g);
    free(num);
    free(den);
}
