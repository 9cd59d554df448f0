/* Quantiles from tables (sim_qtab) against GSL: relative error at most 1e-9
 * over the whole of (0, 1), tails included, and monotone in u for every pair
 * of doubles; and the county scenario gives the same statistics with the
 * tables as with exact inversion. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>

#include "rf_model.h"
#include "rf_result.h"
#include "rf_scenario.h"
#include "sim_dist.h"
#include "sim_rng.h"
#include "sim_status.h"

#define REL_TOL 1e-9

static void quiet_gsl(void) { gsl_set_error_handler_off(); }

/* GSL's quantile: Pinv below the median, Qinv(1 - u) above (1 - u is exact
 * there; Pinv near 1 loses the digits of 1 - u). */
static double gsl_quantile(const sim_dist *d, double u)
{
    switch (d->kind) {
    case SIM_DIST_GAMMA:
        return u < 0.5 ? gsl_cdf_gamma_Pinv(u, d->p1, d->p2) : gsl_cdf_gamma_Qinv(1 - u, d->p1, d->p2);
    case SIM_DIST_LOGNORMAL:
        return u < 0.5 ? gsl_cdf_lognormal_Pinv(u, d->p1, d->p2)
                       : gsl_cdf_lognormal_Qinv(1 - u, d->p1, d->p2);
    case SIM_DIST_WEIBULL:
        return u < 0.5 ? gsl_cdf_weibull_Pinv(u, d->p2, d->p1)
                       : gsl_cdf_weibull_Qinv(1 - u, d->p2, d->p1);
    default: return NAN;
    }
}

/* |F(x) - u| (or |Q(x) - (1 - u)| above the median) in units of what a
 * relative error of REL_TOL in x moves it by: <= 1 means x is within
 * REL_TOL of the exact quantile.  Independent of GSL's inversion, so it
 * also covers shapes where gsl_cdf_gamma_Pinv fails to converge. */
static double cdf_miss(const sim_dist *d, double u, double x)
{
    double f, dens;
    int upper = u >= 0.5;
    switch (d->kind) {
    case SIM_DIST_GAMMA:
        f = upper ? gsl_cdf_gamma_Q(x, d->p1, d->p2) : gsl_cdf_gamma_P(x, d->p1, d->p2);
        dens = gsl_ran_gamma_pdf(x, d->p1, d->p2);
        break;
    case SIM_DIST_LOGNORMAL:
        f = upper ? gsl_cdf_lognormal_Q(x, d->p1, d->p2) : gsl_cdf_lognormal_P(x, d->p1, d->p2);
        dens = gsl_ran_lognormal_pdf(x, d->p1, d->p2);
        break;
    default:
        f = upper ? gsl_cdf_weibull_Q(x, d->p2, d->p1) : gsl_cdf_weibull_P(x, d->p2, d->p1);
        dens = gsl_ran_weibull_pdf(x, d->p2, d->p1);
        break;
    }
    double target = upper ? 1 - u : u;
    /* what REL_TOL of x moves F by, plus the rounding of F itself */
    double allowed = REL_TOL * x * dens + 8 * DBL_EPSILON * target;
    return fabs(f - target) / allowed;
}

typedef struct {
    sim_dist_kind kind;
    double mean, sd;
    int gsl_ok;                 /* GSL's own quantile converges everywhere it is compared */
} dist_case;

/* The shipped scenarios' distributions, then shapes far from them: very
 * skewed (CV 3-100) and very narrow (CV 0.01). */
static const dist_case cases[] = {
    {SIM_DIST_GAMMA, 7, 4, 1},          /* county turnaround */
    {SIM_DIST_GAMMA, 10, 5, 1},
    {SIM_DIST_GAMMA, 15, 5, 1},
    {SIM_DIST_GAMMA, 1, 1, 1},          /* the exponential as a gamma */
    {SIM_DIST_GAMMA, 1, 2, 0},          /* shape 0.25 */
    {SIM_DIST_GAMMA, 1, 3, 0},          /* shape 0.11 */
    {SIM_DIST_GAMMA, 1, 0.1, 1},        /* shape 100 */
    {SIM_DIST_GAMMA, 1, 0.01, 0},       /* shape 10^4 */
    {SIM_DIST_LOGNORMAL, 75, 60, 1},    /* county stay */
    {SIM_DIST_LOGNORMAL, 120, 90, 1},
    {SIM_DIST_LOGNORMAL, 1, 2, 1},
    {SIM_DIST_LOGNORMAL, 1, 100, 1},
    {SIM_DIST_LOGNORMAL, 1, 0.01, 1},
    {SIM_DIST_WEIBULL, 90, 60, 1},
    {SIM_DIST_WEIBULL, 1, 3, 1},
    {SIM_DIST_WEIBULL, 1, 0.1, 1},
    {SIM_DIST_WEIBULL, 1, 20, 1},
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* Dense u: a uniform grid, a log grid into both tails (1e-300 .. 1/2 and
 * 1 - 1e-16 .. 1/2), random uniforms, and a few doubles either side of every
 * piece boundary of the table.  Sorted. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double *dense_grid(const sim_dist *d, size_t *n_out)
{
    enum { UNIFORM = 1 << 15, LOG = 3000, RANDOM = 1 << 14, AROUND = 8 };
    double bnd[4096];
    size_t nb = d->tab ? sim_qtab_boundaries(d->tab, bnd, 4096) : 0;
    cr_assert_leq(nb, 4096);
    size_t n = UNIFORM + 2 * LOG + RANDOM + nb * (2 * AROUND + 1) + 4, k = 0;
    double *u = malloc(n * sizeof *u);
    cr_assert_not_null(u);
    for (int i = 1; i < UNIFORM; i++)
        u[k++] = (double)i / UNIFORM;
    for (int i = 0; i < LOG; i++) {
        u[k++] = pow(10, -300.0 * (i + 1) / LOG);                 /* 1e-300 .. 0.79 */
        double v = 1 - pow(10, -0.3 - 15.7 * (double)i / (LOG - 1));   /* .. 1 - 1e-16 */
        if (v < 1)
            u[k++] = v;
    }
    sim_stream s;
    sim_stream_init(&s, 7, 0, 0);
    for (int i = 0; i < RANDOM; i++) {
        double v = sim_stream_u01(&s);
        if (v > 0)
            u[k++] = v;
    }
    for (size_t b = 0; b < nb; b++) {
        double lo = bnd[b], hi = bnd[b];
        u[k++] = bnd[b];
        for (int i = 0; i < AROUND; i++) {
            lo = nextafter(lo, 0);
            hi = nextafter(hi, 1);
            u[k++] = lo;
            if (hi < 1)
                u[k++] = hi;
        }
    }
    u[k++] = 0x1p-53;                      /* the extremes a 53-bit uniform takes */
    u[k++] = 1 - 0x1p-53;
    u[k++] = DBL_MIN;
    qsort(u, k, sizeof *u, cmp_double);
    *n_out = k;
    return u;
}

static sim_dist prepared(const dist_case *c)
{
    sim_dist d = {.kind = c->kind, .mean = c->mean, .sd = c->sd};
    cr_assert_eq(sim_dist_prepare(&d), SIM_OK);
    return d;
}

Test(sim_dist, table_within_1e9_of_gsl_over_all_of_0_1, .init = quiet_gsl, .timeout = 120)
{
    for (size_t c = 0; c < N_CASES; c++) {
        sim_dist d = prepared(&cases[c]);
        cr_assert_not_null(d.tab, "case %zu has no table", c);
        size_t n;
        double *u = dense_grid(&d, &n);
        double worst = 0, worst_u = 0, worst_miss = 0;
        size_t compared = 0;
        for (size_t i = 0; i < n; i++) {
            double q = sim_dist_quantile(&d, u[i]);
            cr_assert(q >= 0 && !isnan(q), "case %zu u=%a: %g", c, u[i], q);
            /* below DBL_MIN no double carries 9 digits; above 1e300, the
             * scale of the lognormal's far tail, neither does GSL */
            if (cases[c].gsl_ok) {
                double r = gsl_quantile(&d, u[i]);
                if (isfinite(r) && r >= DBL_MIN && r < 1e300) {
                    double e = fabs(q - r) / r;
                    if (e > worst)
                        worst = e, worst_u = u[i];
                    compared++;
                }
            }
            /* GSL's CDFs underflow to 0 below about 1e-300 */
            if (q >= DBL_MIN && isfinite(q) && q < 1e300 && fmin(u[i], 1 - u[i]) >= 1e-290)
                worst_miss = fmax(worst_miss, cdf_miss(&d, u[i], q));
        }
        free(u);
        cr_assert_leq(worst, REL_TOL, "%s mean %g sd %g: relative error %.3g at u = %a",
                      sim_dist_kind_name(d.kind), d.mean, d.sd, worst, worst_u);
        cr_assert(!cases[c].gsl_ok || compared > n / 2, "case %zu: too few GSL values", c);
        cr_assert_leq(worst_miss, 1.0, "%s mean %g sd %g: the CDF misses u by %.3g tolerances",
                      sim_dist_kind_name(d.kind), d.mean, d.sd, worst_miss);
    }
}

Test(sim_dist, table_monotone_in_u_for_every_pair_of_doubles, .init = quiet_gsl, .timeout = 120)
{
    for (size_t c = 0; c < N_CASES; c++) {
        sim_dist d = prepared(&cases[c]);
        size_t n;
        double *u = dense_grid(&d, &n);
        double prev = -1;
        size_t strict_needed = 0, strict_seen = 0;
        for (size_t i = 0; i < n; i++) {
            double q = sim_dist_quantile(&d, u[i]);
            /* below 2^-53 (no 53-bit uniform is there) exact inversion
             * answers: monotone to within its own rounding */
            cr_assert_geq(q, u[i] < 0x1p-53 ? prev * (1 - 1e-13) : prev,
                          "%s mean %g sd %g: Q(%a) = %a < Q(previous) = %a",
                          sim_dist_kind_name(d.kind), d.mean, d.sd, u[i], q, prev);
            /* strictly increasing wherever the exact quantile rises by more
             * than the error bound on both values */
            if (i > 0) {
                double e0 = sim_dist_quantile_exact(&d, u[i - 1]), e1 = sim_dist_quantile_exact(&d, u[i]);
                if (e1 > e0 * (1 + 2.5 * REL_TOL) && e0 >= DBL_MIN) {
                    strict_needed++;
                    strict_seen += q > prev;
                }
            }
            prev = q;
        }
        free(u);
        cr_assert_eq(strict_seen, strict_needed, "case %zu: %zu of %zu rises lost", c,
                     strict_needed - strict_seen, strict_needed);
    }
}

/* Inside pieces, runs of consecutive doubles (the grid above only samples). */
Test(sim_dist, table_monotone_over_runs_of_consecutive_doubles)
{
    sim_stream s;
    sim_stream_init(&s, 11, 0, 0);
    for (size_t c = 0; c < N_CASES; c++) {
        sim_dist d = prepared(&cases[c]);
        for (int r = 0; r < 2000; r++) {
            double u = sim_stream_u01(&s);
            if (r % 4 == 1)              /* the lower tail's binades, down to 2^-53 */
                u = fmax(ldexp(u, -(int)(sim_stream_u64(&s) % 53)), 0x1p-53);
            else if (r % 4 == 2)
                u = 1 - ldexp(u, -(int)(sim_stream_u64(&s) % 53)) / 2;
            double prev = sim_dist_quantile(&d, u);
            for (int i = 0; i < 300 && u < 1; i++) {
                u = nextafter(u, 1);
                if (u >= 1)
                    break;
                double q = sim_dist_quantile(&d, u);
                cr_assert_geq(q, prev, "case %zu at u = %a", c, u);
                prev = q;
            }
        }
    }
}

Test(sim_dist, tables_are_small_and_shared_by_shape)
{
    sim_dist a = {.kind = SIM_DIST_GAMMA, .mean = 7, .sd = 4};
    sim_dist b = {.kind = SIM_DIST_GAMMA, .mean = 70, .sd = 40};      /* same CV */
    sim_dist c = {.kind = SIM_DIST_GAMMA, .mean = 7, .sd = 5};
    cr_assert_eq(sim_dist_prepare(&a), SIM_OK);
    cr_assert_eq(sim_dist_prepare(&b), SIM_OK);
    cr_assert_eq(sim_dist_prepare(&c), SIM_OK);
    cr_assert_eq(a.tab, b.tab);
    cr_assert_neq(a.tab, c.tab);
    sim_dist copy = a;                      /* plain data: copies share it */
    cr_assert_eq(sim_dist_quantile(&copy, 0.3), sim_dist_quantile(&a, 0.3));
    cr_assert_float_eq(sim_dist_quantile(&b, 0.3), 10 * sim_dist_quantile(&a, 0.3), 1e-13 * 100);
    for (size_t i = 0; i < N_CASES; i++) {
        sim_dist d = prepared(&cases[i]);
        sim_qtab_info info;
        sim_qtab_get_info(d.tab, &info);
        cr_assert_lt(info.bytes, 64 << 10, "case %zu: %zu bytes", i, info.bytes);
        cr_assert_eq(info.exact_binades, 0, "case %zu: %d binades left to exact inversion", i,
                     info.exact_binades);
        cr_assert_leq(info.max_error, SIM_DIST_TABLE_TOL);
    }
}

/* Below 2^-53 and for shapes no table covers, exact inversion: still right. */
Test(sim_dist, exact_inversion_where_no_table_reaches, .init = quiet_gsl)
{
    sim_dist d = {.kind = SIM_DIST_GAMMA, .mean = 7, .sd = 4};
    cr_assert_eq(sim_dist_prepare(&d), SIM_OK);
    const double us[] = {1e-300, 1e-100, 1e-20, 0x1p-54, 0x1p-53, 1 - 1e-12, 1 - 0x1p-53};
    for (size_t i = 0; i < sizeof us / sizeof us[0]; i++) {
        double q = sim_dist_quantile(&d, us[i]), r = gsl_quantile(&d, us[i]);
        cr_assert_leq(fabs(q - r), REL_TOL * r, "u = %g: %.17g vs GSL %.17g", us[i], q, r);
    }
    /* shape 0.01: lower-tail values a table cannot hold (they reach 1e-300
     * by u = 1e-3); GSL's gamma Pinv fails there, the CDF still agrees */
    sim_dist tiny = {.kind = SIM_DIST_GAMMA, .mean = 1, .sd = 10};
    cr_assert_eq(sim_dist_prepare(&tiny), SIM_OK);
    for (double u = 0.01; u < 1; u += 0.01) {
        double q = sim_dist_quantile(&tiny, u);
        cr_assert(q >= 0 && isfinite(q));
        if (q >= DBL_MIN)
            cr_assert_leq(cdf_miss(&tiny, u, q), 1.0, "u = %g: x = %g", u, q);
    }
    cr_assert_eq(sim_dist_quantile(&d, 0), 0);
}

Test(sim_dist, exponential_keeps_relative_precision_for_tiny_u)
{
    sim_dist e = sim_dist_exp(30);
    const double us[] = {1e-300, 1e-30, 1e-10, 0x1p-21, 0x1p-20, 1e-3, 0.5, 1 - 0x1p-53};
    for (size_t i = 0; i < sizeof us / sizeof us[0]; i++) {
        double q = sim_dist_quantile(&e, us[i]), r = -30 * log1p(-us[i]);
        cr_assert_leq(fabs(q - r), 1e-12 * r, "u = %g", us[i]);
    }
}

/* ---- the county run with tables and with exact inversion ---------------- */

static void exact_inversion(rf_params *p)
{
    sim_dist *all[] = {&p->mix.adults, &p->mix.children, &p->mix.child_age, &p->patience,
                       &p->move_on_delay, &p->turnaround, &p->outage_interval,
                       &p->outage_duration};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        all[i]->tab = NULL;
    for (int s = 0; s < p->n_services; s++)
        p->services[s].stay.tab = NULL;
}

Test(sim_dist, county_statistics_same_with_tables_as_with_exact_inversion, .init = quiet_gsl,
     .timeout = 120)
{
    const char *root = getenv("RS_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/leicestershire-county.yaml", root ? root : ".");
    /* every mechanism on, as in the benchmark: waiting, patience, outages */
    const char *sets[] = {"waiting.p_wait=0.5", "waiting.patience={dist: exponential, mean: 30}",
                          "downtime.outage_interval={dist: exponential, mean: 170}",
                          "downtime.outage_duration={dist: gamma, mean: 14, sd: 6}"};
    rf_scenario *sc = NULL;
    cr_assert_eq(rf_scenario_load_file(path, sets, 4, &sc, NULL), SIM_OK);
    rf_params tab = *rf_scenario_params(sc), ex = tab;
    exact_inversion(&ex);
    cr_assert_not_null(tab.turnaround.tab);
    enum { REPS = 100 };
    size_t nm = rf_metric_count();
    double *a = calloc(nm * REPS, sizeof *a), *b = calloc(nm * REPS, sizeof *b);
    cr_assert(a && b);
    int same_counts = 0;
    for (int r = 0; r < REPS; r++) {
        rf_result ra, rb;
        cr_assert_eq(rf_model_run(&tab, (uint64_t)r, &ra), SIM_OK);
        cr_assert_eq(rf_model_run(&ex, (uint64_t)r, &rb), SIM_OK);
        rf_result_metrics(&ra, a + r * nm);
        rf_result_metrics(&rb, b + r * nm);
        same_counts += !memcmp(ra.outcomes, rb.outcomes, sizeof ra.outcomes)
                       && ra.events == rb.events;
    }
    /* every metric's mean agrees within 1% of its 95% half-width (the
     * stated error of the run's table); in practice to many more digits */
    for (size_t k = 0; k < nm; k++) {
        double sa = 0, sb = 0, sbb = 0;
        int n = 0;
        for (int r = 0; r < REPS; r++) {
            double x = a[r * nm + k], y = b[r * nm + k];
            if (isnan(x) || isnan(y)) {
                cr_assert_eq(isnan(x), isnan(y), "metric %s", rf_metric_at(k)->name);
                continue;
            }
            sa += x, sb += y, sbb += y * y;
            n++;
        }
        if (n < 2)
            continue;
        double mb = sb / n, sd = sqrt(fmax(sbb / n - mb * mb, 0) * n / (n - 1));
        double half = 1.984 * sd / sqrt(n);
        cr_assert_leq(fabs(sa / n - mb), 0.01 * half + 1e-12 * fabs(mb),
                      "metric %s: %.12g with tables, %.12g exact (half-width %.3g)",
                      rf_metric_at(k)->name, sa / n, mb, half);
    }
    cr_assert_geq(same_counts, REPS * 9 / 10, "only %d of %d replications with the same outcomes",
                  same_counts, REPS);
    free(a);
    free(b);
    rf_scenario_free(sc);
}
