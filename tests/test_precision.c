/* Replications to a precision (study_precision, the replication algorithm of
 * Hoad, Robinson and Davies 2010): the parser, the look-ahead, and on an
 * M/M/c/c loss system the replication count the algorithm stops at
 * against the one predicted from the estimator's variance; the same count
 * and the same bits for any thread count; the maximum. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rf_result.h"
#include "sim_stats.h"
#include "sim_status.h"
#include "study.h"
#include "study_precision.h"

static const char *mmcc_path(void)
{
    static char path[512];
    const char *root = getenv("RS_ROOT");
    cr_assert_not_null(root, "RS_ROOT not set (run through make test)");
    snprintf(path, sizeof path, "%s/scenarios/mmcc.yaml", root);
    return path;
}

Test(precision, parses_absolute_relative_and_refuses_the_rest)
{
    study_precision_target t;
    char why[4096];
    cr_assert_eq(study_precision_parse("refused_no_space=0.01", &t, why, sizeof why), SIM_OK, "%s", why);
    cr_assert_eq(t.metric, rf_metric_find("refused_no_space"));
    cr_assert_float_eq(t.h, 0.01, 1e-15);
    cr_assert_eq(t.relative, 0);
    cr_assert_eq(study_precision_parse("wait_mean=5%", &t, why, sizeof why), SIM_OK, "%s", why);
    cr_assert_float_eq(t.h, 0.05, 1e-15);
    cr_assert_eq(t.relative, 1);
    cr_assert_eq(study_precision_parse("no_such=1", &t, why, sizeof why), SIM_EPARSE);
    cr_assert(strstr(why, "unknown metric 'no_such'") && strstr(why, "refused_no_space"), "%s", why);
    const char *bad[] = {"refused_no_space", "=0.1", "refused_no_space=", "refused_no_space=-1",
                         "refused_no_space=0", "refused_no_space=1x", "refused_no_space=5%%"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_assert_eq(study_precision_parse(bad[i], &t, why, sizeof why), SIM_EPARSE, "%s", bad[i]);
}

/* Hoad et al.'s look-ahead f(kLimit = 5, n): 5 up to 100 replications, 5%
 * of n above, in whole batches. */
Test(precision, look_ahead_is_hoads_in_whole_batches)
{
    study_precision_cfg c = {.batch = 10};
    cr_assert_eq(study_precision_look_ahead(&c, 30), 10u);
    cr_assert_eq(study_precision_look_ahead(&c, 100), 10u);
    cr_assert_eq(study_precision_look_ahead(&c, 200), 10u);
    cr_assert_eq(study_precision_look_ahead(&c, 500), 30u);
    c.batch = 50;
    cr_assert_eq(study_precision_look_ahead(&c, 400), 50u);
    cr_assert_eq(study_precision_look_ahead(&c, 2000), 100u);
}

/* A driver study of the M/M/5/5 case with a one-year horizon, point "5". */
static study *open_mmcc(const char *seed_set, int threads, size_t *p, study_error *err)
{
    static const char *keys[] = {"spaces"};
    static const char *sets[2];
    sets[0] = "horizon=365";
    sets[1] = seed_set;
    static study_cfg cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.points.scenario_path = mmcc_path();
    cfg.points.n_vary = 1;
    cfg.points.vary_keys = keys;
    cfg.points.sets = sets;
    cfg.points.n_sets = 2;
    cfg.no_points = 1;
    cfg.threads = threads;
    study *s;
    cr_assert_eq(study_open(&cfg, &s, err), SIM_OK, "%s", err->message);
    const char *v[] = {"5"};
    cr_assert_eq(study_add_point(s, v, NULL, p, err), SIM_OK, "%s", err->message);
    return s;
}

static sim_summary refused_at(study *s, size_t p, size_t n, study_error *err)
{
    cr_assert_eq(study_extend(s, p, n, err), SIM_OK, "%s", err->message);
    an_point_summary ps;
    cr_assert_eq(study_point_summary(s, p, &ps), SIM_OK);
    sim_summary r = ps.metrics[rf_metric_find("refused_no_space")].s;
    an_point_summary_free(&ps);
    return r;
}

/* The half-width after n replications is t(0.975, n-1) sd / sqrt(n), sd the
 * per-replication standard deviation of the pooled share's linearisation;
 * a pilot of 4000 replications on another seed estimates sd, so the target
 * h is first met at n* = (1.96 sd / h)^2.  The algorithm checks after every
 * batch of 50, so it first meets it within a batch of n*: the pilot's sd
 * has a standard error of 1.1%, the run's own estimate at n* (about 300
 * replications) 4%, so n* is known to about 8%, some 25 replications. */
Test(precision, stops_within_a_batch_of_the_predicted_count_on_mmcc, .timeout = 120)
{
    study_error *err = malloc(sizeof *err);
    size_t p;
    study *pilot = open_mmcc("seed=99", 0, &p, err);
    an_point_summary ps;
    cr_assert_eq(study_extend(pilot, p, 4000, err), SIM_OK, "%s", err->message);
    cr_assert_eq(study_point_summary(pilot, p, &ps), SIM_OK);
    const an_metric_summary *m = an_point_summary_find(&ps, "refused_no_space");
    double sd = m->se * sqrt(4000.0);
    an_point_summary_free(&ps);
    study_free(pilot);

    double h = 0.002;
    double n_star = pow(1.96 * sd / h, 2);
    cr_assert(n_star > 200 && n_star < 800, "n* = %g: pick h for a few hundred", n_star);
    study_precision_cfg c = {.n_targets = 1, .batch = 50, .max_reps = 5000};
    c.targets[0] = (study_precision_target){.metric = rf_metric_find("refused_no_space"), .h = h};
    study_precision_result r[2];
    an_point_summary sums[2];
    for (int pass = 0; pass < 2; pass++) {
        study *s = open_mmcc("seed=1", pass ? 1 : 2, &p, err);
        cr_assert_eq(study_precision_point(s, p, &c, &r[pass], err), SIM_OK, "%s", err->message);
        cr_assert_eq(study_point_summary(s, p, &sums[pass]), SIM_OK);
        if (pass == 0) {
            /* The rule itself: met at first_met, not one batch before. */
            sim_summary at = refused_at(s, p, r[0].first_met, err);
            cr_assert_leq(at.ci95, h);
            if (r[0].first_met > c.batch) {
                study_forget(s, p);
                sim_summary before = refused_at(s, p, r[0].first_met - c.batch, err);
                cr_assert_gt(before.ci95, h);
            }
        }
        study_free(s);
    }
    cr_log_info("first met at %zu, predicted %.1f, stopped at %zu", r[0].first_met, n_star, r[0].reps);
    cr_assert_eq(r[0].stopped, STUDY_STOP_MET);
    cr_assert(fabs((double)r[0].first_met - n_star) <= (double)c.batch,
              "first met at %zu replications, predicted %.0f (batch %zu)", r[0].first_met, n_star,
              c.batch);
    cr_assert_eq(r[0].reps, r[0].first_met + study_precision_look_ahead(&c, r[0].first_met));
    /* Same replications, same bits, on 1 and 2 threads. */
    cr_assert_eq(r[0].reps, r[1].reps);
    cr_assert_eq(r[0].first_met, r[1].first_met);
    for (size_t k = 0; k < sums[0].n_metrics; k++)
        cr_assert_eq(memcmp(&sums[0].metrics[k].s, &sums[1].metrics[k].s, sizeof(sim_summary)), 0,
                     "%s", sums[0].metrics[k].name);
    an_point_summary_free(&sums[0]);
    an_point_summary_free(&sums[1]);
    free(err);
}

/* A target out of reach stops at the maximum, and says so; a relative
 * target is relative to the estimate. */
Test(precision, stops_at_the_maximum_and_takes_relative_targets)
{
    study_error *err = malloc(sizeof *err);
    size_t p;
    study *s = open_mmcc("seed=1", 0, &p, err);
    study_precision_cfg c = {.n_targets = 1, .max_reps = 35};
    c.targets[0] = (study_precision_target){.metric = rf_metric_find("refused_no_space"), .h = 1e-6};
    study_precision_result r;
    cr_assert_eq(study_precision_point(s, p, &c, &r, err), SIM_OK, "%s", err->message);
    cr_assert_eq(r.stopped, STUDY_STOP_MAX);
    cr_assert_eq(r.reps, 35u);
    cr_assert_eq(r.first_met, 0u);
    cr_assert_str_eq(study_precision_reason(r.stopped), "maximum reached");
    /* 10% of a share near 0.11 is 0.011: met at the first batch. */
    study_forget(s, p);
    c.targets[0] = (study_precision_target){.metric = rf_metric_find("refused_no_space"), .h = 0.1,
                                            .relative = 1};
    cr_assert_eq(study_precision_point(s, p, &c, &r, err), SIM_OK, "%s", err->message);
    cr_assert_eq(r.stopped, STUDY_STOP_MET);
    cr_assert_eq(r.first_met, 10u);
    cr_assert_eq(r.reps, 20u);
    study_free(s);
    free(err);
}

/* study_run with precision (run, sweep): each point gets its own count,
 * the same as the driver's. */
Test(precision, study_run_gives_each_point_its_count)
{
    static const char *sets[] = {"horizon=365", "seed=1"};
    rf_sweep *g = rf_sweep_create();
    char perr[256];
    cr_assert_eq(rf_sweep_add(g, "spaces=3,5", perr, sizeof perr), SIM_OK);
    study_precision_cfg c = {.n_targets = 1};
    c.targets[0] = (study_precision_target){.metric = rf_metric_find("refused_no_space"), .h = 0.006};
    study_cfg cfg = {.points = {.scenario_path = mmcc_path(), .sets = sets, .n_sets = 2},
                     .grid = g, .keep_summaries = 1, .precision = &c};
    study_error *err = malloc(sizeof *err);
    study *s;
    cr_assert_eq(study_open(&cfg, &s, err), SIM_OK, "%s", err->message);
    cr_assert_eq(study_run(s, err), SIM_OK, "%s", err->message);
    size_t reps[2];
    for (size_t i = 0; i < 2; i++) {
        const study_precision_result *r = study_precision(s, i);
        cr_assert_not_null(r);
        cr_assert_eq(r->stopped, STUDY_STOP_MET);
        cr_assert_eq(study_summary(s, i)->n_reps, r->reps);
        cr_assert_leq(study_summary(s, i)->metrics[c.targets[0].metric].s.ci95, 0.006);
        reps[i] = r->reps;
    }
    study_free(s);
    /* The driver on point "5" alone takes as many. */
    size_t p;
    s = open_mmcc("seed=1", 0, &p, err);
    study_precision_result r;
    cr_assert_eq(study_precision_point(s, p, &c, &r, err), SIM_OK, "%s", err->message);
    cr_assert_eq(r.reps, reps[1]);
    study_free(s);
    rf_sweep_free(g);
    free(err);
}
