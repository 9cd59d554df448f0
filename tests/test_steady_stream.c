/* The warm-up and overload verdicts seen one replication at a time
 * (an_steady_builder, which keeps no replication's series) are the
 * verdicts from every series held: the same bits as a direct computation
 * written here from the definitions in an_steady.h (mean series, MSER-5,
 * the early difference of the cut months over the replications, the trend
 * after the cut by sim_trend_across), on an M/M/c/c system started empty
 * (a significant cut), an overloaded queue (growing) and a stable one,
 * fed in chunks with replications left out. */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "an_steady.h"
#include "sim_status.h"
#include "study.h"
#include "test_mmcc_point.h"

/* The definitions, with every series held (rows: replication-major). */
static void direct_cut(const double *mean, const double *rows, size_t n, size_t months, an_cut *c)
{
    memset(c, 0, sizeof *c);
    sim_mser_find(mean, months, SIM_MSER_BATCH, &c->mser);
    size_t cut = c->mser.truncate;
    if (!(cut > 0 && cut < months))
        return;
    double m = 0, m2 = 0;
    for (size_t r = 0; r < n; r++) {
        double a = 0, b = 0;
        for (size_t k = 0; k < months; k++)
            *(k < cut ? &a : &b) += rows[r * months + k];
        double x = a / (double)cut - b / (double)(months - cut), d = x - m;
        m += d / (double)(r + 1);
        m2 += d * (x - m);
    }
    c->early = m;
    double se = sqrt(m2 / (double)(n - 1) / (double)n);
    c->significant = fabs(m) > gsl_cdf_tdist_Pinv(0.5 + 0.999 / 2, (double)(n - 1)) * se;
}

static void direct(const rf_result *res, const unsigned char *done, size_t n_all, an_steady *out)
{
    memset(out, 0, sizeof *out);
    size_t n = 0, months = (size_t)res[0].n_months;
    for (size_t r = 0; r < n_all; r++)
        n += done[r];
    double *rows[3], *occ = calloc(months, sizeof *occ), *wait = calloc(months, sizeof *wait);
    for (int k = 0; k < 3; k++)
        rows[k] = malloc(n * months * sizeof *rows[k]);
    double tw = 0, tr = 0;
    for (size_t r = 0, i = 0; r < n_all; r++) {
        if (!done[r])
            continue;
        for (size_t m = 0; m < months; m++) {
            rows[0][i * months + m] = res[r].monthly_occupied[m];
            rows[1][i * months + m] = res[r].monthly_waiting[m];
            rows[2][i * months + m] = res[r].monthly_refused[m];
            occ[m] += res[r].monthly_occupied[m];
            wait[m] += res[r].monthly_waiting[m];
            tw += res[r].monthly_waiting[m];
            tr += res[r].monthly_refused[m];
        }
        i++;
    }
    for (size_t m = 0; m < months; m++) {
        occ[m] /= (double)n;
        wait[m] /= (double)n;
    }
    direct_cut(occ, rows[0], n, months, &out->cut_occupied);
    direct_cut(wait, rows[1], n, months, &out->cut_waiting);
    out->settled = 1;
    const an_cut *cuts[2] = {&out->cut_occupied, &out->cut_waiting};
    for (int c = 0; c < 2; c++)
        if (cuts[c]->significant) {
            if (cuts[c]->mser.truncate > out->truncate_months)
                out->truncate_months = cuts[c]->mser.truncate;
            if (!cuts[c]->mser.ok)
                out->settled = 0;
        }
    size_t cut = out->settled ? out->truncate_months : months / 2, w = months - cut;
    double *tail = malloc(n * w * sizeof *tail);
    for (int k = 1; k <= 2; k++) {
        for (size_t i = 0; i < n; i++)
            memcpy(tail + i * w, rows[k] + i * months + cut, w * sizeof *tail);
        sim_trend_across(tail, n, w, 0.999, k == 1 ? &out->trend_waiting : &out->trend_refused);
    }
    out->n_reps = n;
    out->n_months = months;
    out->occupied = occ;
    out->waiting = wait;
    (void)tw;
    (void)tr;
    free(tail);
    for (int k = 0; k < 3; k++)
        free(rows[k]);
}

static void same_cut(const an_cut *a, const an_cut *b)
{
    cr_assert_eq(a->mser.truncate, b->mser.truncate);
    cr_assert_eq(a->mser.ok, b->mser.ok);
    cr_assert(memcmp(&a->early, &b->early, sizeof a->early) == 0, "early %.17g vs %.17g",
              a->early, b->early);
    cr_assert_eq(a->significant, b->significant);
}

static void same_trend(const sim_trend *a, const sim_trend *b)
{
    cr_assert_eq(a->n_reps, b->n_reps);
    cr_assert_eq(a->n_obs, b->n_obs);
    const double x[] = {a->slope, a->se, a->lo, a->hi}, y[] = {b->slope, b->se, b->lo, b->hi};
    cr_assert(memcmp(x, y, sizeof x) == 0, "slope %.17g vs %.17g, se %.17g vs %.17g", a->slope,
              b->slope, a->se, b->se);
}

static void same_steady(const an_steady *a, const an_steady *b)
{
    cr_assert_eq(a->n_reps, b->n_reps);
    cr_assert_eq(a->n_months, b->n_months);
    cr_assert(memcmp(a->occupied, b->occupied, a->n_months * sizeof *a->occupied) == 0);
    cr_assert(memcmp(a->waiting, b->waiting, a->n_months * sizeof *a->waiting) == 0);
    same_cut(&a->cut_occupied, &b->cut_occupied);
    same_cut(&a->cut_waiting, &b->cut_waiting);
    cr_assert_eq(a->truncate_months, b->truncate_months);
    cr_assert_eq(a->settled, b->settled);
    same_trend(&a->trend_waiting, &b->trend_waiting);
    same_trend(&a->trend_refused, &b->trend_refused);
}

/* Builder in chunks of 7 with every fifth replication left out, the
 * whole-records function and the definitions: one answer; returns it. */
static an_steady check_case(const char *const *sets, size_t n_sets, size_t reps)
{
    study_cfg cfg;
    study_error err;
    study *s = tm_open_mmcc_point(sets, n_sets, reps, &cfg, &err);
    size_t n;
    unsigned char *all;
    rf_result *r = tm_records(s, 0, &n, &all);
    cr_assert_eq(n, reps);
    unsigned char *done = malloc(n);
    for (size_t i = 0; i < n; i++)
        done[i] = all[i] && i % 5 != 3;
    an_steady_builder *b;
    cr_assert_eq(an_steady_build_begin(&b, n), SIM_OK);
    for (size_t i = 0; i < n; i += 7)
        cr_assert_eq(an_steady_build_add(b, r + i, sizeof *r, done + i, n - i < 7 ? n - i : 7),
                     SIM_OK);
    an_steady streamed, whole, def;
    cr_assert_eq(an_steady_build_end(b, &streamed), SIM_OK);
    cr_assert_eq(an_steady_from_results(&whole, r, done, n), SIM_OK);
    direct(r, done, n, &def);
    same_steady(&streamed, &whole);
    same_steady(&streamed, &def);
    an_steady_free(&whole);
    an_steady_free(&def);
    /* the study's own from its records read back a block at a time */
    an_steady own;
    cr_assert_eq(study_point_steady(s, 0, 0, 1, &own), SIM_OK);
    cr_assert_eq(an_steady_from_results(&whole, r, all, n), SIM_OK);
    same_steady(&own, &whole);
    an_steady_free(&own);
    an_steady_free(&whole);
    free(done);
    free(all);
    free(r);
    study_free(s);
    return streamed;
}

Test(steady_stream, a_transient_from_empty_is_cut_the_same_way)
{
    const char *sets[] = {"referrals.per_year=1946.6667", "services[0].units=10",
                          "services[0].stay.mean=60", "warmup=0", "horizon=1825", "seed=5"};
    an_steady st = check_case(sets, 6, 60);
    cr_assert(st.cut_occupied.significant, "the case must exercise a significant cut");
    cr_assert_gt(st.truncate_months, 0);
    an_steady_free(&st);
}

Test(steady_stream, overload_and_stability_are_judged_the_same_way)
{
    const char *over[] = {"waiting.p_wait=1", "referrals.per_year=1946.6667", "horizon=1095"};
    an_steady st = check_case(over, 3, 40);
    cr_assert(st.overloaded, "the case must exercise a growing waiting list");
    an_steady_free(&st);
    const char *stable[] = {"waiting.p_wait=1", "referrals.per_year=730", "horizon=1095"};
    st = check_case(stable, 3, 40);
    cr_assert(!st.overloaded);
    an_steady_free(&st);
    /* a horizon past the monthly series' ten years: 120 months, every candidate cut */
    const char *longer[] = {"waiting.p_wait=1", "referrals.per_year=1946.6667", "horizon=4000"};
    st = check_case(longer, 3, 12);
    cr_assert_eq(st.n_months, 120);
    an_steady_free(&st);
}

Test(steady_stream, a_replication_with_fewer_months_is_refused)
{
    rf_result *r = calloc(2, sizeof *r);
    r[0].n_months = 24;
    r[1].n_months = 12;
    an_steady_builder *b;
    cr_assert_eq(an_steady_build_begin(&b, 2), SIM_OK);
    cr_assert_eq(an_steady_build_add(b, r, sizeof *r, NULL, 1), SIM_OK);
    cr_assert_eq(an_steady_build_add(b, r + 1, sizeof *r, NULL, 1), SIM_EINVAL);
    an_steady_build_free(b);
    free(r);
}
