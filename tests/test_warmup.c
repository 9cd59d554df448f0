/* Warm-up and overload of the refuge model's monthly series (an_steady):
 * MSER-5 on an M/M/c/c system starting empty cuts after its transient,
 * computed exactly from the birth-death chain's forward equations; a warm-up
 * long enough leaves no transient; an overloaded system (load above
 * capacity, infinite patience) is found growing and a stable one is not. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "an_plot_warmup.h"
#include "an_steady.h"
#include "mq_queue.h"
#include "sim_status.h"
#include "study.h"
#include "test_mmcc_point.h"

#define UNITS 10
#define STAY 60.0             /* days, exponential */
#define LOAD 8.0              /* Erlangs */

static void steady_of(study *s, size_t first_month, an_steady *out)
{
    size_t n;
    unsigned char *done;
    rf_result *r = tm_records(s, 0, &n, &done);
    cr_assert_eq(an_steady_window(out, r, done, n, first_month), SIM_OK);
    /* the study's own, its records read back a block at a time: the same */
    an_steady own;
    cr_assert_eq(study_point_steady(s, 0, first_month, 1, &own), SIM_OK);
    cr_assert_eq(own.n_months, out->n_months);
    cr_assert_eq(own.n_reps, out->n_reps);
    cr_assert_eq(own.truncate_months, out->truncate_months);
    cr_assert_eq(own.overloaded, out->overloaded);
    cr_assert(!out->n_months || !memcmp(own.occupied, out->occupied,
                                        out->n_months * sizeof *own.occupied));
    an_steady_free(&own);
    free(r);
    free(done);
}

/* Exact monthly means of the number busy in M/M/c/c from empty: the
 * forward equations p' = pQ of the birth-death chain (RK4, step 0.01 day),
 * averaged over each month. */
static void exact_months(double *out, size_t months)
{
    double lambda = LOAD / STAY, mu = 1 / STAY, p[UNITS + 1] = {1}, h = 0.01;
    size_t steps = (size_t)llround(AN_MONTH_DAYS / h);
    h = AN_MONTH_DAYS / (double)steps;
    for (size_t m = 0; m < months; m++) {
        double area = 0;
        for (size_t s = 0; s < steps; s++) {
            double k[4][UNITS + 1], q[UNITS + 1];
            for (int stage = 0; stage < 4; stage++) {
                double f = stage == 0 ? 0 : stage == 3 ? 1 : 0.5;
                for (int j = 0; j <= UNITS; j++)
                    q[j] = p[j] + (stage ? f * h * k[stage - 1][j] : 0);
                for (int j = 0; j <= UNITS; j++) {
                    double in = (j > 0 ? lambda * q[j - 1] : 0) + (j < UNITS ? (j + 1) * mu * q[j + 1] : 0);
                    double outr = (j < UNITS ? lambda : 0) + j * mu;
                    k[stage][j] = in - outr * q[j];
                }
            }
            double before = 0, after = 0;
            for (int j = 0; j <= UNITS; j++) {
                before += j * p[j];
                p[j] += h / 6 * (k[0][j] + 2 * k[1][j] + 2 * k[2][j] + k[3][j]);
                after += j * p[j];
            }
            area += h * (before + after) / 2;
        }
        out[m] = area / AN_MONTH_DAYS;
    }
}

Test(warmup, mser5_cuts_after_the_exact_mmcc_transient, .timeout = 120)
{
    char per_year[64], units[64], stay[96];
    snprintf(per_year, sizeof per_year, "referrals.per_year=%.17g", LOAD / STAY * 365);
    snprintf(units, sizeof units, "services[0].units=%d", UNITS);
    snprintf(stay, sizeof stay, "services[0].stay={dist: exponential, mean: %g}", STAY);
    const char *sets[] = {per_year, units, stay, "warmup=0", "horizon=1825", "seed=5"};
    study_cfg cfg;
    study_error *err = malloc(sizeof *err);
    enum { REPS = 400 };
    study *s = tm_open_mmcc_point(sets, 6, REPS, &cfg, err);
    an_steady a;
    steady_of(s, 0, &a);
    size_t months = a.n_months;
    cr_assert_eq(months, 60u);
    double exact[60];
    exact_months(exact, months);
    double steady = LOAD * (1 - mq_erlang_b(UNITS, LOAD));
    cr_assert_float_eq(exact[59], steady, 1e-6);
    /* The simulated monthly means follow the exact transient: each inside
     * 4 standard errors (the spread of the replications' month). */
    size_t n;
    unsigned char *done;
    rf_result *r = tm_records(s, 0, &n, &done);
    double se[60];
    for (size_t m = 0; m < months; m++) {
        double s2 = 0;
        for (size_t i = 0; i < n; i++)
            s2 += pow(r[i].monthly_occupied[m] - a.occupied[m], 2);
        se[m] = sqrt(s2 / (double)(n - 1) / (double)n);
        cr_assert(fabs(a.occupied[m] - exact[m]) < 4 * se[m], "month %zu: %g, exact %g, se %g",
                  m + 1, a.occupied[m], exact[m], se[m]);
    }
    /* The transient lasts while the exact bias of a month exceeds the
     * standard error of its simulated mean; MSER-5 cuts after that. */
    size_t end = 0;
    for (size_t m = 0; m < months; m++)
        if (fabs(exact[m] - steady) > se[m])
            end = m + 1;
    cr_log_info("transient: %zu months; MSER-5 cut %zu months", end, a.cut_occupied.mser.truncate);
    cr_assert_gt(end, 3u);
    cr_assert(a.settled && a.cut_occupied.significant);
    cr_assert_geq(a.truncate_months, end, "cut %zu months, transient %zu", a.truncate_months, end);
    cr_assert_leq(a.truncate_months, months / 2);
    cr_assert(a.transient_left);
    cr_assert_eq(a.overloaded, 0);
    /* After a warm-up of the MSER-5 cut, no transient is left. */
    an_steady b;
    steady_of(s, a.truncate_months, &b);
    cr_assert_eq(b.transient_left, 0, "cut %zu more", b.truncate_months);
    cr_assert_eq(b.overloaded, 0);
    an_steady_free(&a);
    an_steady_free(&b);
    free(r);
    free(done);
    study_free(s);
    free(err);
}

/* M/M/5 with infinite patience (everyone waits, nobody gives up): at load
 * 8 the waiting list grows by (lambda - 5 mu) a day, without end; at load 3
 * it is stable (Erlang C). */
Test(warmup, overload_is_found_and_a_stable_queue_is_not)
{
    const char *over[] = {"waiting.p_wait=1", "referrals.per_year=1946.6667", "horizon=1095"};
    const char *stable[] = {"waiting.p_wait=1", "referrals.per_year=730", "horizon=1095"};
    study_cfg cfg;
    study_error *err = malloc(sizeof *err);
    an_steady a, b;
    study *s = tm_open_mmcc_point(over, 3, 50, &cfg, err);
    steady_of(s, 0, &a);
    study_free(s);
    s = tm_open_mmcc_point(stable, 3, 50, &cfg, err);
    steady_of(s, 0, &b);
    study_free(s);
    cr_assert(a.overloaded && a.growing_waiting);
    /* (8 - 5) / 1.5 households a day, per month */
    double rate = 3 / 1.5 * AN_MONTH_DAYS;
    cr_assert(a.trend_waiting.lo < rate && a.trend_waiting.hi > rate, "[%g, %g], expected %g",
              a.trend_waiting.lo, a.trend_waiting.hi, rate);
    cr_assert_eq(b.overloaded, 0);
    cr_assert(b.trend_waiting.lo <= 0 || b.trend_waiting.slope * 35 < 1);
    an_steady_free(&a);
    an_steady_free(&b);
    free(err);
}

/* warmup --plot: both series drawn, PNG and SVG, with the data and script
 * beside them. */
Test(warmup, plots_both_series)
{
    char *gp = an_plot_find_gnuplot();
    if (!gp)
        cr_skip_test("gnuplot is missing: install it with 'apt-get install gnuplot-nox'");
    const char *sets[] = {"warmup=0", "horizon=730"};
    study_cfg cfg;
    study_error *err = malloc(sizeof *err);
    study *s = tm_open_mmcc_point(sets, 2, 10, &cfg, err);
    an_steady a;
    steady_of(s, 0, &a);
    char dir[] = "/tmp/rs-warmup-plot-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(an_plot_warmup(&a, 12, dir, AN_PLOT_PNG | AN_PLOT_SVG, gp), SIM_OK);
    const char *files[] = {"warmup.dat", "warmup.gp", "warmup_occupancy.png", "warmup_occupancy.svg",
                           "warmup_waiting.png", "warmup_waiting.svg", "warmup.log"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char path[256];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        cr_assert(stat(path, &st) == 0 && (i == 6 || st.st_size > 0), "%s", path);
        unlink(path);
    }
    rmdir(dir);
    an_steady_free(&a);
    study_free(s);
    free(gp);
    free(err);
}

/* Units that open or close move the occupancy by design: a cut that runs
 * into the month the units in service change is not taken for a warm-up
 * left over; one that ends before it still is, and so is the same step
 * with the units unchanged. */
static void stepped(rf_result *r, size_t n, size_t step, size_t change)
{
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < n; i++) {
        memset(&r[i], 0, sizeof r[i]);
        r[i].n_months = 36;
        for (int m = 0; m < 36; m++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            double noise = (double)(x >> 11) * 0x1p-53 - 0.5;
            r[i].monthly_occupied[m] = ((size_t)m < step ? 19 : 30) + noise;
            r[i].monthly_waiting[m] = 0;
            /* a month's mean over its days: last bits may differ */
            r[i].monthly_units[m] = ((size_t)m < change ? 21 : 41) + (m % 3 ? 0 : 1e-12);
        }
    }
}

Test(warmup, a_change_of_units_is_not_a_warm_up_left_over)
{
    enum { N = 40 };
    static rf_result r[N];
    an_steady st;
    stepped(r, N, 12, 12);            /* the step is the units opening */
    cr_assert_eq(an_steady_from_results(&st, r, NULL, N), SIM_OK);
    cr_expect_eq(st.units_change_month, 12);
    cr_expect(st.truncate_months >= 12 && !st.transient_left && st.cut_hidden_by_change,
              "cut %zu", st.truncate_months);
    an_steady_free(&st);
    stepped(r, N, 12, 1000);          /* the same step, the units unchanged */
    cr_assert_eq(an_steady_from_results(&st, r, NULL, N), SIM_OK);
    cr_expect_eq(st.units_change_month, 0);
    cr_expect(st.transient_left && !st.cut_hidden_by_change, "cut %zu", st.truncate_months);
    an_steady_free(&st);
    stepped(r, N, 5, 24);             /* a transient that ends before the change */
    cr_assert_eq(an_steady_from_results(&st, r, NULL, N), SIM_OK);
    cr_expect_eq(st.units_change_month, 24);
    cr_expect(st.transient_left && st.truncate_months < 24 && !st.cut_hidden_by_change,
              "cut %zu", st.truncate_months);
    an_steady_free(&st);
}
