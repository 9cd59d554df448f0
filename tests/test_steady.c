/* sim_steady on synthetic series: MSER-5 finds a known transient (a step,
 * an exponential decay), its statistic by hand, rejects a series that never
 * settles; the trend
 * across replications finds a slope and its interval holds 0 when there is
 * none. */
#include <criterion/criterion.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

#include "sim_status.h"
#include "sim_steady.h"

/* A step: 40 observations at 10 then 160 at 0, plus N(0, 1) noise. */
Test(steady, mser5_cuts_a_step_transient)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    double x[200];
    for (size_t i = 0; i < 200; i++)
        x[i] = (i < 40 ? 10 : 0) + gsl_ran_gaussian(r, 1);
    sim_mser m;
    cr_assert_eq(sim_mser_find(x, 200, SIM_MSER_BATCH, &m), SIM_OK);
    cr_assert_eq(m.batches, 40u);
    cr_assert(m.ok);
    cr_assert_eq(m.truncate, 40u, "truncate %zu", m.truncate);
    gsl_rng_free(r);
}

/* An exponential decay 20 e^{-t/10} over noise of sd 1: the bias falls
 * below a batch mean's noise (sd 1/sqrt 5) after about 10 ln(20 sqrt 5)
 * = 38 observations; MSER-5 cuts there, within a batch or two. */
Test(steady, mser5_cuts_an_exponential_transient_near_where_it_fades)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    double x[300];
    for (size_t i = 0; i < 300; i++)
        x[i] = 20 * exp(-(double)i / 10) + gsl_ran_gaussian(r, 1);
    sim_mser m;
    cr_assert_eq(sim_mser_find(x, 300, SIM_MSER_BATCH, &m), SIM_OK);
    cr_assert(m.ok);
    cr_assert(m.truncate >= 25 && m.truncate <= 50, "truncate %zu", m.truncate);
    gsl_rng_free(r);
}

/* Exact: the statistic at the truncation point, by hand. */
Test(steady, mser_statistic_by_hand)
{
    double x[] = {9, 9, 1, 2, 1, 2, 1, 2};   /* k = 2: batch means 9, 1.5, 1.5, 1.5 */
    sim_mser m;
    cr_assert_eq(sim_mser_find(x, 8, 2, &m), SIM_OK);
    cr_assert_eq(m.batches, 4u);
    cr_assert_eq(m.truncate, 2u);
    cr_assert_float_eq(m.statistic, 0.0, 1e-12);
    /* An odd tail is dropped, NaN ends the series. */
    double y[] = {9, 9, 1, 2, 1, 2, 1, 2, 5, NAN, 7};
    cr_assert_eq(sim_mser_find(y, 11, 2, &m), SIM_OK);
    cr_assert_eq(m.batches, 4u);
    cr_assert_eq(m.truncate, 2u);
    cr_assert_eq(sim_mser_find(y, 11, 0, &m), SIM_EINVAL);
}

/* A series still climbing (a ramp) is still falling at half the series:
 * rejected.  A short one (fewer than 4 batches) too. */
Test(steady, mser5_rejects_a_series_that_never_settles)
{
    double x[100];
    for (size_t i = 0; i < 100; i++)
        x[i] = 0.5 * (double)i + 0.01 * (double)(i % 3);
    sim_mser m;
    cr_assert_eq(sim_mser_find(x, 100, SIM_MSER_BATCH, &m), SIM_OK);
    cr_assert_eq(m.ok, 0, "truncate %zu", m.truncate);
    cr_assert_eq(m.truncate, 50u);
    cr_assert_eq(sim_mser_find(x, 15, SIM_MSER_BATCH, &m), SIM_OK);
    cr_assert_eq(m.ok, 0);
}

/* Stationary noise: the trend interval holds 0; with a slope 0.05 added it
 * lies above 0 and holds 0.05. */
Test(steady, trend_across_replications)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    enum { REPS = 200, OBS = 36 };
    double *flat = malloc(sizeof(double) * REPS * OBS), *up = malloc(sizeof(double) * REPS * OBS);
    for (size_t i = 0; i < REPS * OBS; i++) {
        double e = gsl_ran_gaussian(r, 2);
        flat[i] = 5 + e;
        up[i] = 5 + 0.05 * (double)(i % OBS) + e;
    }
    sim_trend t;
    cr_assert_eq(sim_trend_across(flat, REPS, OBS, 0.999, &t), SIM_OK);
    cr_assert(t.lo < 0 && t.hi > 0, "[%g, %g]", t.lo, t.hi);
    cr_assert_eq(t.n_reps, (size_t)REPS);
    cr_assert_eq(sim_trend_across(up, REPS, OBS, 0.999, &t), SIM_OK);
    cr_assert_gt(t.lo, 0);
    cr_assert(t.lo < 0.05 && t.hi > 0.05, "[%g, %g]", t.lo, t.hi);
    /* The slope's standard error: sd / sqrt(S_tt) / sqrt(reps). */
    double stt = OBS * (OBS * OBS - 1.0) / 12;
    double se = 2 / sqrt(stt) / sqrt((double)REPS);
    cr_assert(fabs(t.se - se) < 0.15 * se, "se %g, expected %g", t.se, se);
    cr_assert_eq(sim_trend_across(up, REPS, 2, 0.999, &t), SIM_EINVAL);
    free(flat);
    free(up);
    gsl_rng_free(r);
}
