/* The experiment layer: records land where they belong whatever the chunking
 * and threads, added replications extend the first ones bit for bit,
 * checkpoints are reused only under the same key, an interrupted run keeps
 * what finished; and for the refuge model, a driver's point extended in two
 * steps equals one extended at once. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ex_ckpt.h"
#include "ex_experiment.h"
#include "sim_status.h"
#include "study.h"

/* A toy model: a record says which point and replication made it, plus a
 * value that depends on nothing else. */
typedef struct {
    uint64_t point, rep;
    double x;
} toy_rec;

typedef struct {
    uint64_t point;
} toy_ctx;

static int toy_rep(const void *ctx, uint64_t rep, void *out)
{
    const toy_ctx *c = ctx;
    uint64_t z = (c->point + 1) * 0x9E3779B97F4A7C15ull ^ (rep + 1) * 0xBF58476D1CE4E5B9ull;
    z ^= z >> 31;
    toy_rec *r = out;
    r->point = c->point;
    r->rep = rep;
    r->x = (double)(z >> 11) / 9007199254740992.0;
    return SIM_OK;
}

typedef struct {
    toy_ctx ctx;
    int opens, stop_at;              /* stop_at > 0: set stop on that open_point */
    volatile sig_atomic_t stop;
    size_t n_reps;
    toy_rec got[4][16];
    unsigned char done[4][16];
    int delivered[4];
} toy;

static int toy_open(void *user, size_t point, sim_rep_fn *fn, const void **ctx)
{
    toy *t = user;
    if (++t->opens == t->stop_at)
        t->stop = 1;
    t->ctx.point = point;
    *fn = toy_rep;
    *ctx = &t->ctx;
    return SIM_OK;
}

static int toy_done(void *user, size_t point, const void *records, const unsigned char *done)
{
    toy *t = user;
    memcpy(t->got[point], records, t->n_reps * sizeof(toy_rec));
    memcpy(t->done[point], done, t->n_reps);
    t->delivered[point]++;
    return SIM_OK;
}

static ex_experiment *toy_experiment(toy *t, size_t n_points, size_t n_reps, size_t chunk,
                                     int threads)
{
    t->n_reps = n_reps;
    ex_cfg cfg = {.n_points = n_points, .n_reps = n_reps, .record_size = sizeof(toy_rec),
                  .chunk = chunk, .threads = threads, .stop = &t->stop};
    ex_hooks h = {.open_point = toy_open, .point_done = toy_done, .user = t};
    ex_experiment *ex;
    cr_assert_eq(ex_create(&cfg, &h, &ex), SIM_OK);
    return ex;
}

static void expect_record(const toy_rec *r, uint64_t point, uint64_t rep)
{
    toy_ctx c = {point};
    toy_rec want;
    toy_rep(&c, rep, &want);
    cr_assert_eq(r->point, point);
    cr_assert_eq(r->rep, rep);
    cr_assert_eq(memcmp(&r->x, &want.x, sizeof want.x), 0, "point %llu rep %llu",
                 (unsigned long long)point, (unsigned long long)rep);
}

Test(experiment, evaluate_in_steps_equals_evaluate_at_once)
{
    toy *t = calloc(1, sizeof *t);
    toy_rec once[12], steps[12];
    unsigned char d1[12], d2[12];
    ex_experiment *ex = toy_experiment(t, 0, 0, 5, 2);
    cr_assert_eq(ex_evaluate(ex, 2, 0, 12, once, d1), SIM_OK);
    ex_free(ex);
    /* other chunking and threads, and in three calls */
    ex = toy_experiment(t, 0, 0, 3, 1);
    cr_assert_eq(ex_evaluate(ex, 2, 0, 4, steps, d2), SIM_OK);
    cr_assert_eq(ex_evaluate(ex, 2, 4, 1, steps + 4, d2 + 4), SIM_OK);
    cr_assert_eq(ex_evaluate(ex, 2, 5, 7, steps + 5, d2 + 5), SIM_OK);
    cr_assert_eq(ex_reps_finished(ex), 7u, "progress counts within one call");
    ex_free(ex);
    for (int r = 0; r < 12; r++) {
        cr_assert(d1[r] && d2[r]);
        expect_record(&once[r], 2, (uint64_t)r);
        cr_assert_eq(memcmp(&once[r], &steps[r], sizeof once[r]), 0, "rep %d", r);
    }
    free(t);
}

Test(experiment, run_delivers_every_point_once_with_its_records)
{
    toy *t = calloc(1, sizeof *t);
    ex_experiment *ex = toy_experiment(t, 3, 7, 3, 2);
    cr_assert_eq(ex_run(ex), SIM_OK);
    cr_assert_eq(ex_reps_finished(ex), 21u);
    for (size_t p = 0; p < 3; p++) {
        cr_assert_eq(t->delivered[p], 1, "point %zu", p);
        for (uint64_t r = 0; r < 7; r++) {
            cr_assert(t->done[p][r]);
            expect_record(&t->got[p][r], p, r);
        }
    }
    ex_free(ex);
    free(t);
}

Test(experiment, checkpoints_are_reused_only_under_the_same_key)
{
    char dir[] = "/tmp/rs_ckpt_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char ck[64];
    snprintf(ck, sizeof ck, "%s/out.h5.ckpt", dir);
    uint64_t key = ex_digest_finish(ex_digest(EX_DIGEST_INIT, "inputs", 6), sizeof(toy_rec));
    ex_ckpt c;
    cr_assert_eq(ex_ckpt_init(&c, ck, key, 5, sizeof(toy_rec)), SIM_OK);
    cr_assert_eq(ex_ckpt_dir_state(ck), 0);
    cr_assert_eq(ex_ckpt_make_dir(&c), SIM_OK);
    cr_assert_eq(ex_ckpt_dir_state(ck), 1);

    toy *t = calloc(1, sizeof *t);
    ex_experiment *ex = toy_experiment(t, 2, 5, 2, 1);
    ex_use_checkpoints(ex, &c);
    cr_assert_eq(ex_run(ex), SIM_OK);
    ex_free(ex);

    /* the same key: both points come back from their files, nothing runs */
    memset(t, 0, sizeof *t);
    ex = toy_experiment(t, 2, 5, 2, 1);
    ex_use_checkpoints(ex, &c);
    size_t reused;
    cr_assert_eq(ex_resume(ex, &reused), SIM_OK);
    cr_assert_eq(reused, 2u);
    cr_assert_eq(ex_run(ex), SIM_OK);
    cr_assert_eq(t->opens, 0, "a resumed point ran again");
    for (size_t p = 0; p < 2; p++)
        for (uint64_t r = 0; r < 5; r++)
            expect_record(&t->got[p][r], p, r);
    ex_free(ex);

    /* another key (changed inputs): nothing is reused */
    ex_ckpt other = c;
    other.key = key + 1;
    memset(t, 0, sizeof *t);
    ex = toy_experiment(t, 2, 5, 2, 1);
    ex_use_checkpoints(ex, &other);
    cr_assert_eq(ex_resume(ex, &reused), SIM_OK);
    cr_assert_eq(reused, 0u);
    ex_free(ex);

    ex_ckpt_remove(&c, 2);
    cr_assert_eq(ex_ckpt_dir_state(ck), 0, "the checkpoint directory was left behind");
    cr_assert_eq(rmdir(dir), 0);
    free(t);
}

Test(experiment, an_interrupted_run_keeps_what_finished)
{
    toy *t = calloc(1, sizeof *t);
    t->stop_at = 2;                  /* stop as the second task starts */
    ex_experiment *ex = toy_experiment(t, 2, 7, 3, 1);
    cr_assert_eq(ex_run(ex), SIM_EINTR);
    cr_assert_eq(t->delivered[0], 0, "an unfinished point was delivered as finished");
    cr_assert_eq(ex_flush_partial(ex), SIM_OK);
    cr_assert_eq(t->delivered[0], 1);
    cr_assert_eq(t->delivered[1], 0, "a point with no replication was delivered");
    for (uint64_t r = 0; r < 7; r++) {
        cr_assert_eq(t->done[0][r], r < 3, "rep %llu", (unsigned long long)r);
        if (r < 3)
            expect_record(&t->got[0][r], 0, r);
    }
    ex_free(ex);
    free(t);
}

/* The refuge model through study/: a point given 6 then 15 replications has
 * the summary of one given 15 at once (common random numbers), on another
 * thread count. */
Test(experiment, study_extend_adds_replications_deterministically)
{
    const char *root = getenv("RS_ROOT");
    cr_assert_not_null(root, "RS_ROOT not set (run through make test)");
    char path[512];
    snprintf(path, sizeof path, "%s/scenarios/mmcc.yaml", root);
    const char *keys[] = {"spaces"};
    an_point_summary a, b;
    study_error *err = malloc(sizeof *err);
    for (int pass = 0; pass < 2; pass++) {
        study_cfg cfg = {.points = {.scenario_path = path, .n_vary = 1, .vary_keys = keys},
                         .no_points = 1, .threads = pass ? 1 : 2, .chunk = pass ? 4 : 0};
        study *s;
        cr_assert_eq(study_open(&cfg, &s, err), SIM_OK, "%s", err->message);
        const char *v[] = {"5"};
        size_t p;
        cr_assert_eq(study_add_point(s, v, NULL, &p, err), SIM_OK, "%s", err->message);
        if (pass == 0)
            cr_assert_eq(study_extend(s, p, 6, err), SIM_OK, "%s", err->message);
        cr_assert_eq(study_extend(s, p, 15, err), SIM_OK, "%s", err->message);
        cr_assert_eq(study_total_units(s, p), 5);
        cr_assert_eq(study_point_summary(s, p, pass ? &b : &a), SIM_OK);
        study_free(s);
    }
    cr_assert_eq(a.n_reps, 15u);
    cr_assert_eq(a.n_metrics, b.n_metrics);
    for (size_t m = 0; m < a.n_metrics; m++)
        cr_assert_eq(memcmp(&a.metrics[m].s, &b.metrics[m].s, sizeof a.metrics[m].s), 0, "%s",
                     a.metrics[m].name);
    an_point_summary_free(&a);
    an_point_summary_free(&b);
    free(err);
}
