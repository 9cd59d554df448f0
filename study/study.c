#include "study.h"
#include "an_h5.h"
#include "an_output.h"
#include "ex_ckpt.h"
#include "ex_experiment.h"
#include "rf_model.h"
#include "rf_network.h"
#include "sim_farm.h"
#include "sim_file.h"
#include "sim_status.h"
#include "sim_text.h"
#include "study_compare_network.h"
#include "study_precision.h"
#include "study_spool.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct study {
    const study_cfg *cfg;
    rf_points *pts;
    ex_experiment *ex;
    size_t n_points, cap, reps;
    size_t first;             /* sweep --points: grid index of point 0 */
    uint64_t sweep_digest;    /* sweep --points: the whole sweep's inputs */
    int *total_units;
    an_h5_writer *writer;
    an_point_summary *sums;
    an_steady *steady;        /* with sums: each point's warm-up and overload tests */
    ex_ckpt ckpt;
    int have_ckpt;
    size_t resumed;
    int hook_status;          /* the last point_done failure */
    size_t progress_base;     /* drivers: replications the point had before */
    size_t progress_total;    /* drivers: of how many (0: base and this step's) */
    /* A record is an rf_result then, in a network, its areas and flows
     * (rf_model_run_record): net_bytes the largest of any point's, so that
     * a study without a network keeps records of sizeof(rf_result). */
    size_t net_bytes, rec_size;
    rf_model_record_ctx rctx;
    /* drivers: every point's records so far (rank 0, rec_size each), in
     * memory while budget lasts, then in temporary files; have[i] on every
     * rank */
    study_spool **sp;
    size_t budget;
    size_t *have;
    study_precision_result *prec; /* cfg->precision: each point's, after study_run */
    /* streaming (no results file): the point whose chunks are coming in */
    an_summary_builder *sb;
    an_steady_builder *tb;
};

/* study.c says fail() and clear_error() for these. */
#define fail study_error_set
#define clear_error study_error_clear

int study_error_set(study_error *err, int status, int input, const char *fmt, ...)
{
    err->status = status;
    err->input = input;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

void study_error_clear(study_error *err)
{
    err->status = SIM_OK;
    err->input = err->all_ranks = err->own_rank = 0;
    err->point = -1;
    err->message[0] = '\0';
    err->diags.n = err->diags.dropped = 0;
}

static int root(void) { return sim_farm_rank() == 0; }

/* The current point's label, whole, into buf (AN_LABEL_MAX bytes), or
 * SIM_ERANGE: study_open and study_add_point refuse a point whose label
 * would not fit wherever labels are kept, so this is the last guard that
 * no label is ever cut. */
static int point_label(const study *s, char *buf)
{
    return rf_points_label(s->pts, buf, AN_LABEL_MAX) < AN_LABEL_MAX ? SIM_OK : SIM_ERANGE;
}

/* Whether the points' labels are kept: written to a results file or held
 * in the summaries that are printed.  A calibration's points, and the
 * probe of a baseline's spaces, are labelled nowhere. */
static int labels_kept(const study *s)
{
    return s->cfg->out_path || s->cfg->keep_summaries;
}

/* The grid's (rf_points') index of the study's point i. */
static size_t grid_point(const study *s, size_t i) { return s->first + i; }

/* ------------------------------------------------------------ hooks -- */

static int open_point(void *user, size_t point, sim_rep_fn *fn, const void **ctx)
{
    study *s = user;
    rf_diags d;
    int rc = rf_points_load(s->pts, grid_point(s, point), &d);
    *fn = rf_model_run_record;
    /* the network's tables once for the point's replications (rf_model.h) */
    int orc = rf_model_record_ctx_open(&s->rctx, rc ? NULL : rf_points_params(s->pts), s->rec_size);
    rc = rc ? rc : orc;
    *ctx = &s->rctx;
    return rc;
}

/* Where a point's records are read from, a block at a time: the whole
 * point in memory (ex_run's point_done) or a driver's spool. */
typedef struct {
    const unsigned char *mem, *done;   /* rec_size apart */
    study_spool *sp;
} rec_source;

/* Records [first, first + n) of src (n <= STUDY_BLOCK), through buf. */
static const unsigned char *src_get(const study *s, const rec_source *src, size_t first, size_t n,
                                    unsigned char *buf, const unsigned char **done)
{
    if (src->mem) {
        *done = src->done + first;
        return src->mem + first * s->rec_size;
    }
    *done = study_spool_done(src->sp) + first;
    return study_spool_get(src->sp, first, n, buf);
}

/* Walk src's n records in blocks: fn(user, first, n, res, stride, done). */
static int src_each(const study *s, const rec_source *src, size_t n, study_block_fn fn, void *user)
{
    if (!src->mem && !src->sp)
        return n ? SIM_EINVAL : SIM_OK;   /* a rank other than 0 holds no records */
    unsigned char *buf = src->mem ? NULL : malloc(STUDY_BLOCK * s->rec_size);
    if (!src->mem && !buf)
        return SIM_ENOMEM;
    int rc = SIM_OK;
    for (size_t first = 0; first < n && rc == SIM_OK; first += STUDY_BLOCK) {
        size_t k = n - first < STUDY_BLOCK ? n - first : STUDY_BLOCK;
        const unsigned char *done;
        const unsigned char *res = src_get(s, src, first, k, buf, &done);
        rc = res ? fn(user, first, k, (const rf_result *)res, s->rec_size, done) : SIM_EIO;
    }
    free(buf);
    return rc;
}

static int summary_flags(const study *s);

/* What publish builds as the blocks go by. */
typedef struct {
    study *s;
    an_summary_builder *sb;
    an_steady_builder *tb;
    int to_file;
} publishing;

static int publish_block(void *user, size_t first, size_t n, const rf_result *res, size_t stride,
                         const unsigned char *done)
{
    publishing *pb = user;
    int rc = SIM_OK;
    if (pb->sb)
        rc = an_summary_build_add(pb->sb, res, (const unsigned char *)res + sizeof(rf_result),
                                  stride, done, n);
    if (rc == SIM_OK && pb->tb)
        rc = an_steady_build_add(pb->tb, res, stride, done, n);
    if (rc == SIM_OK && pb->to_file)
        rc = an_h5_point_add(pb->s->writer, first, n, res, stride, done);
    return rc;
}

/* Rank 0: a point has its n_reps replications (in src): publish it into
 * the results file, summarize it, a block at a time.  pr: how they were
 * chosen (--precision), or NULL. */
static int publish(study *s, size_t point, const rec_source *src, size_t n_reps,
                   const study_precision_result *pr)
{
    rf_diags d;
    int rc = rf_points_load(s->pts, grid_point(s, point), &d);
    if (rc != SIM_OK)
        return s->hook_status = rc;
    const rf_params *p = rf_points_params(s->pts);
    s->total_units[point] = rf_params_total_units(p);
    /* one summary for the file and the tables: the file's yearly tables
     * need its years, which it keeps only for --by-year */
    an_point_summary own = {0}, *ps = s->sums ? &s->sums[point] : s->writer ? &own : NULL;
    char label[AN_LABEL_MAX] = "";
    if (ps && (rc = point_label(s, label)) != SIM_OK)
        return s->hook_status = rc;
    publishing pb = {.s = s, .to_file = s->writer != NULL};
    an_point pt = {.params = p, .vary_values = rf_points_values(s->pts, grid_point(s, point)),
                   .n_reps = n_reps, .scenario_text = rf_points_text(s->pts), .label = label,
                   .stopped = pr ? study_precision_reason(pr->stopped) : NULL,
                   .first_met = pr ? pr->first_met : 0};
    if (ps)
        rc = an_summary_build_begin(&pb.sb, label, p, n_reps, s->net_bytes ? s->rec_size : 0,
                                    summary_flags(s));
    if (rc == SIM_OK && s->steady)
        rc = an_steady_build_begin(&pb.tb, n_reps);
    if (rc == SIM_OK && s->writer)
        rc = an_h5_point_begin(s->writer, point, &pt);
    if (rc == SIM_OK && (pb.sb || pb.tb || pb.to_file))
        rc = src_each(s, src, n_reps, publish_block, &pb);
    if (rc == SIM_OK && pb.sb) {
        rc = an_summary_build_end(pb.sb, ps);
        pb.sb = NULL;
    }
    if (rc == SIM_OK && pb.tb) {
        rc = an_steady_build_end(pb.tb, &s->steady[point]);
        pb.tb = NULL;
    }
    if (rc == SIM_OK && s->writer)
        rc = an_h5_point_end(s->writer, &pt, ps);
    an_summary_build_free(pb.sb);
    an_steady_build_free(pb.tb);
    an_point_summary_free(&own);
    if (rc == SIM_OK && s->sums && !s->cfg->by_year)
        an_point_summary_drop_years(&s->sums[point]);
    return rc == SIM_OK ? SIM_OK : (s->hook_status = rc);
}

static int stream_point_done(study *s, size_t point);

static int point_done(void *user, size_t point, const void *records, const unsigned char *done)
{
    study *s = user;
    if (!records)
        return stream_point_done(s, point);
    rec_source src = {.mem = records, .done = done};
    return publish(s, point, &src, s->reps, NULL);
}

/* The header of point i (loaded) for the results file. */
static an_point point_header(study *s, size_t point, const char *label)
{
    return (an_point){.params = rf_points_params(s->pts),
                      .vary_values = rf_points_values(s->pts, grid_point(s, point)),
                      .n_reps = s->reps, .scenario_text = rf_points_text(s->pts), .label = label};
}

/* What a streamed point's summary keeps: every replication's metric parts
 * and years only where paired differences are taken (compare and its
 * rerun), the years' estimates for --by-year and the file. */
static int summary_flags(const study *s)
{
    int paired = s->cfg->alts || s->cfg->compare_points || s->cfg->precision_paired;
    int years = s->cfg->by_year ? (paired ? AN_YEARS_PAIRED : AN_YEARS_ESTIMATES)
              : s->writer ? AN_YEARS_ESTIMATES : AN_YEARS_NONE;
    return years | (paired ? AN_BUILD_PARTS : 0);
}

/* Streaming (ex_experiment's chunk_done): the point's summaries grow, and
 * its results go to the file, chunk by chunk; no record outlives its
 * chunk. */
static int chunk_done(void *user, size_t point, size_t first, size_t n, const void *records,
                      const unsigned char *done)
{
    study *s = user;
    if (!s->sums && !s->writer)
        return SIM_OK;
    int rc = SIM_OK;
    if (first == 0) {
        an_summary_build_free(s->sb);
        an_steady_build_free(s->tb);
        s->sb = NULL;
        s->tb = NULL;
        rf_diags d;
        if ((rc = rf_points_load(s->pts, grid_point(s, point), &d)) != SIM_OK)
            return s->hook_status = rc;
        char label[AN_LABEL_MAX];
        if ((rc = point_label(s, label)) != SIM_OK)
            return s->hook_status = rc;
        rc = an_summary_build_begin(&s->sb, label, rf_points_params(s->pts), s->reps,
                                    s->net_bytes ? s->rec_size : 0,
                                    summary_flags(s));
        if (rc == SIM_OK && s->steady)
            rc = an_steady_build_begin(&s->tb, s->reps);
        if (rc == SIM_OK && s->writer) {
            an_point pt = point_header(s, point, label);
            rc = an_h5_point_begin(s->writer, point, &pt);
        }
        if (rc != SIM_OK)
            return s->hook_status = rc;
    }
    rc = an_summary_build_add(s->sb, records, (const unsigned char *)records + sizeof(rf_result),
                              s->rec_size, done, n);
    if (rc == SIM_OK && s->tb)
        rc = an_steady_build_add(s->tb, records, s->rec_size, done, n);
    if (rc == SIM_OK && s->writer)
        rc = an_h5_point_add(s->writer, first, n, records, s->rec_size, done);
    return rc == SIM_OK ? SIM_OK : (s->hook_status = rc);
}

/* The end of a streamed point: its summaries from the builders, and the
 * rest of its results in the file. */
static int stream_point_done(study *s, size_t point)
{
    rf_diags d;
    int rc = rf_points_load(s->pts, grid_point(s, point), &d);
    if (rc != SIM_OK)
        return s->hook_status = rc;
    s->total_units[point] = rf_params_total_units(rf_points_params(s->pts));
    if (!s->sums && !s->writer)
        return SIM_OK;
    if (!s->sb)             /* its first chunk failed: that failure is the status */
        return s->hook_status ? s->hook_status : SIM_EINVAL;
    an_point_summary own = {0}, *ps = s->sums ? &s->sums[point] : &own;
    rc = an_summary_build_end(s->sb, ps);
    s->sb = NULL;
    if (rc == SIM_OK && s->tb)
        rc = an_steady_build_end(s->tb, &s->steady[point]);
    s->tb = NULL;
    if (rc == SIM_OK && s->writer) {
        char label[AN_LABEL_MAX];
        if ((rc = point_label(s, label)) == SIM_OK) {
            an_point pt = point_header(s, point, label);
            rc = an_h5_point_end(s->writer, &pt, ps);
        }
    }
    an_point_summary_free(&own);
    if (rc == SIM_OK && s->sums && !s->cfg->by_year)
        an_point_summary_drop_years(ps);     /* the file's: not kept for every point */
    return rc == SIM_OK ? SIM_OK : (s->hook_status = rc);
}

static void progress(void *user, size_t done, size_t total)
{
    study *s = user;
    s->cfg->progress(s->cfg->user, s->progress_base + done,
                     s->progress_total ? s->progress_total : s->progress_base + total);
}

static void ckpt_failed(void *user, const char *dir, int err)
{
    study *s = user;
    char msg[4400];
    snprintf(msg, sizeof msg, "%s: cannot write checkpoints (%s): an interrupted sweep will not resume",
             dir, strerror(err));
    if (s->cfg->warn)
        s->cfg->warn(s->cfg->user, msg);
}

/* ------------------------------------------------------------ points -- */

/* Point i (current) has a label of n bytes, more than a label can hold:
 * refused, saying which point in the words it was given by.  Labels are
 * stored whole and printed whole; cut, two points printed and were stored
 * under one name. */
static int refuse_label(study *s, size_t i, int in_sweep, size_t n, study_error *err)
{
    const study_cfg *c = s->cfg;
    char start[64];
    rf_points_label(s->pts, start, sizeof start);
    sim_text_drop_partial(start);     /* not half a character */
    const int max = AN_LABEL_MAX - 1;
    const char *why = "labels are stored whole in the results file and printed whole, never cut";
    if (c->alts && i < c->n_alts && c->alts[i].path)
        return fail(err, SIM_ERANGE, 1, "%s: this alternative's label, its file name ('%s...'), "
                    "is %zu bytes, more than the %d a label can have (%s): give the file a "
                    "shorter name", c->alts[i].path, start, n, max, why);
    if (c->alts)
        return fail(err, SIM_ERANGE, 1, "--vs '%s...' (alternative %zu): this alternative's label, "
                    "its changes as given, is %zu bytes, more than the %d a label can have (%s): "
                    "give fewer or shorter changes, or put them in an ALT.yaml file", start, i, n,
                    max, why);
    if (c->points.texts)
        return fail(err, SIM_ERANGE, 1, "the results file's point %zu has a label of %zu bytes "
                    "('%s...'), more than the %d a label can have (%s)", i, n, start, max, why);
    if (c->list_values)
        return fail(err, SIM_ERANGE, 1, "step %zu of the path would be labelled by the units of "
                    "every candidate ('%s...'), %zu bytes, more than the %d a label can have (%s): "
                    "name fewer candidates with --add", i, start, n, max, why);
    if (in_sweep && !c->no_points)
        return fail(err, SIM_ERANGE, 1, "sweep point %zu's label, what varies at it ('%s...'), is "
                    "%zu bytes, more than the %d a label can have (%s): vary fewer keys, or give "
                    "shorter values", grid_point(s, i), start, n, max, why);
    return fail(err, SIM_ERANGE, 1, "the %s label ('%s...'), the unit counts set and the values "
                "varied, is %zu bytes, more than the %d a label can have (%s): set or vary fewer "
                "keys", c->no_points ? "point's" : "run's", start, n, max, why);
}

/* Load point i and check that the model can run it. */
static int check_point(study *s, size_t i, int in_sweep, study_error *err)
{
    const study_cfg *c = s->cfg;
    int rc = rf_points_load(s->pts, grid_point(s, i), &err->diags);
    if (rc != SIM_OK) {
        err->status = rc;
        err->input = rc != SIM_ENOMEM;
        err->point = in_sweep ? (long)grid_point(s, i) : -1;
        return rc;
    }
    char why[512];
    const rf_params *p = rf_points_params(s->pts);
    if (rf_model_check(p, why, sizeof why) != SIM_OK)
        return fail(err, SIM_EINVAL, 1, "%s%s: the model cannot run this scenario: %s",
                    c->points.texts ? "results file scenario" : c->points.scenario_path,
                    in_sweep ? " (a sweep point)" : "", why);
    s->total_units[i] = rf_params_total_units(p);
    size_t label_len = rf_points_label(s->pts, NULL, 0);
    if (labels_kept(s) && label_len >= AN_LABEL_MAX)
        return refuse_label(s, i, in_sweep, label_len, err);
    size_t nb = rf_net_record_bytes(p);
    if (s->ex && nb > s->net_bytes)     /* a driver's later point: records are sized already */
        return fail(err, SIM_EINVAL, 1, "a point's network has more acceptable pairs of areas "
                    "than the study's first points (%zu bytes a record, not %zu): vary max_km or "
                    "neighbours in the first points", nb, s->net_bytes);
    if (nb > s->net_bytes)
        s->net_bytes = nb;
    s->rec_size = sizeof(rf_result) + s->net_bytes;
    return SIM_OK;
}

/* A point's label and inputs, digested: two points of one label must be
 * one scenario. */
typedef struct {
    uint64_t label, inputs;
    size_t point;
} label_key;

static int cmp_label_key(const void *a, const void *b)
{
    const label_key *x = a, *y = b;
    if (x->label != y->label)
        return x->label < y->label ? -1 : 1;
    if (x->inputs != y->inputs)
        return x->inputs < y->inputs ? -1 : 1;
    return (x->point > y->point) - (x->point < y->point);
}

/* Two points of keys[n] (each point's label and inputs) with one label
 * but different inputs are refused: they would print, and be stored,
 * under one name.  (The same scenario twice, a list value repeated, may
 * share its label.)  Sorts keys. */
static int check_labels_differ(study *s, label_key *keys, size_t n, study_error *err)
{
    qsort(keys, n, sizeof *keys, cmp_label_key);
    for (size_t j = 1; j < n; j++) {
        if (keys[j].label != keys[j - 1].label || keys[j].inputs == keys[j - 1].inputs)
            continue;
        size_t a = keys[j - 1].point < keys[j].point ? keys[j - 1].point : keys[j].point;
        size_t b = keys[j - 1].point < keys[j].point ? keys[j].point : keys[j - 1].point;
        char label[AN_LABEL_MAX] = "";
        if (rf_points_load(s->pts, grid_point(s, a), &err->diags) == SIM_OK)
            point_label(s, label);
        err->diags.n = err->diags.dropped = 0;
        const study_cfg *c = s->cfg;
        if (c->alts)
            return fail(err, SIM_EINVAL, 1, "%s%zu and alternative %zu are both labelled '%s' but "
                        "are different scenarios: they could not be told apart in the tables or "
                        "the results file; give them different names", a ? "alternative " : "",
                        a, b, label);
        return fail(err, SIM_EINVAL, 1, "points %zu and %zu are both labelled '%s' but are "
                    "different scenarios: they could not be told apart in the tables or the "
                    "results file", grid_point(s, a), grid_point(s, b), label);
    }
    return SIM_OK;
}

static int grow(study *s, size_t n)
{
    if (n <= s->cap)
        return SIM_OK;
    size_t cap = s->cap ? 2 * s->cap : 8;
    while (cap < n)
        cap *= 2;
    int *tu = realloc(s->total_units, cap * sizeof *tu);
    if (tu)
        s->total_units = tu;
    study_spool **sp = realloc(s->sp, cap * sizeof *sp);
    if (sp)
        s->sp = sp;
    size_t *h = realloc(s->have, cap * sizeof *h);
    if (h)
        s->have = h;
    if (!tu || !sp || !h)
        return SIM_ENOMEM;
    for (size_t i = s->cap; i < cap; i++) {
        s->total_units[i] = 0;
        s->sp[i] = NULL;
        s->have[i] = 0;
    }
    s->cap = cap;
    return SIM_OK;
}

static int add_points(study *s, study_error *err)
{
    const study_cfg *c = s->cfg;
    char msg[sizeof err->message];
    int rc = SIM_OK;
    msg[0] = '\0';
    if (c->points.texts) {
        size_t nv = c->points.n_vary;
        for (size_t i = 0; i < c->n_text_points && rc == SIM_OK; i++)
            rc = rf_points_add(s->pts, NULL, c->text_values + i * nv, msg, sizeof msg);
    } else if (c->list_values) {
        size_t nv = c->points.n_vary;
        double *nums = calloc(nv + 1, sizeof *nums);
        if (!nums)
            rc = SIM_ENOMEM;
        for (size_t i = 0; nums && i < c->n_list_points && rc == SIM_OK; i++) {
            for (size_t k = 0; k < nv; k++)
                nums[k] = strtod(c->list_values[i * nv + k], NULL);
            rc = rf_points_add(s->pts, c->list_values + i * nv, nums, msg, sizeof msg);
        }
        free(nums);
    } else if (c->alts) {
        for (size_t i = 0; i < c->n_alts && rc == SIM_OK; i++)
            rc = rf_points_add_alt(s->pts, &c->alts[i], msg, sizeof msg);
    } else if (!c->no_points) {
        rc = rf_points_add_grid(s->pts, c->grid, msg, sizeof msg);
    }
    err->all_ranks = 1;       /* every rank builds the same points */
    if (rc == SIM_ENOMEM)
        return fail(err, rc, 0, "out of memory");
    if (rc != SIM_OK)
        return fail(err, rc, 1, "%s", msg);
    s->n_points = rf_points_count(s->pts);
    if (c->part) {
        size_t n = s->n_points;
        if (c->first_point > c->last_point || c->last_point >= n)
            return fail(err, SIM_EINVAL, 1,
                        "--points %zu:%zu: the grid has %zu point%s, numbered 0 to %zu (FROM:TO, "
                        "0-based, TO included, FROM <= TO)", c->first_point, c->last_point, n,
                        n == 1 ? "" : "s", n - 1);
        s->first = c->first_point;
        s->n_points = c->last_point - c->first_point + 1;
    }
    err->all_ranks = 0;
    return grow(s, s->n_points) == SIM_OK ? SIM_OK : fail(err, SIM_ENOMEM, 0, "%s", "");
}

/* sweep --points: what every part of the sweep shares, whatever its range:
 * grid point 0's inputs (seed, replications, resolved scenario, trace rows;
 * the other points differ from it by their varied values only), the grid
 * and the build. */
static int sweep_digest(study *s, study_error *err)
{
    int rc = rf_points_load(s->pts, 0, &err->diags);
    if (rc != SIM_OK) {
        err->status = rc;
        err->input = rc != SIM_ENOMEM;
        err->point = 0;
        return rc;
    }
    uint64_t h = rf_points_digest(s->pts, EX_DIGEST_INIT, ex_digest);
    const rf_sweep *g = s->cfg->grid;
    size_t nk = g ? rf_sweep_n_keys(g) : 0, np = g ? rf_sweep_n_points(g) : 1;
    h = ex_digest(h, &np, sizeof np);
    for (size_t k = 0; k < nk; k++) {
        const char *key = rf_sweep_key(g, k);
        h = ex_digest(h, key, strlen(key) + 1);
        for (size_t i = 0; i < np; i++) {
            const char *v = rf_sweep_value(g, i, k);
            h = ex_digest(h, v, strlen(v) + 1);
        }
    }
    s->sweep_digest = ex_digest_finish(h, sizeof(rf_result));
    return SIM_OK;
}

/* ------------------------------------------------------------ output -- */

/* Rank 0: start the results file, and for sweeps the checkpoints (reusing
 * finished points with resume). */
/* Append the whole file at path to *buf (*len bytes so far), read as the
 * scenario loader reads it (a regular file, bounded); 0 on success. */
static int append_file(char **buf, size_t *len, const char *path)
{
    size_t n;
    int e;
    char *text = sim_file_read(path, RF_SCENARIO_MAX_BYTES, &n, &e);
    char *b = text ? realloc(*buf, *len + n + 1) : NULL;
    if (!b) {
        free(text);
        return -1;
    }
    memcpy(b + *len, text, n + 1);
    *len += n;
    *buf = b;
    free(text);
    return 0;
}

/* The scenario file as written and each file it extends (relative to the
 * file naming it), each after "# file: NAME": the comments hold the source
 * marks the report's assumptions show.  NULL when a file cannot be read
 * (the run goes on; the report then says the marks are unknown). */
static char *scenario_source(const char *path)
{
    char *buf = NULL, cur[4096], head[4200];
    size_t len = 0;
    snprintf(cur, sizeof cur, "%s", path);
    for (int depth = 0; depth < 8 && cur[0]; depth++) {
        const char *base = strrchr(cur, '/');
        snprintf(head, sizeof head, "%s# file: %s\n", len && buf[len - 1] != '\n' ? "\n" : "",
                 base ? base + 1 : cur);
        char *b = realloc(buf, len + strlen(head) + 1);
        if (!b)
            break;
        buf = b;
        memcpy(buf + len, head, strlen(head) + 1);
        len += strlen(head);
        size_t start = len;
        if (append_file(&buf, &len, cur)) {
            free(buf);
            return NULL;
        }
        /* the next file: a top-level "extends: NAME" line */
        const char *e = NULL;
        for (const char *l = buf + start; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
            if (!strncmp(l, "extends:", 8)) {
                e = l + 8;
                break;
            }
        if (!e)
            break;
        while (*e == ' ' || *e == '"' || *e == '\'')
            e++;
        size_t n = strcspn(e, "\"' #\r\n");
        char next[4096];
        if (e[0] == '/' || !base)
            snprintf(next, sizeof next, "%.*s", (int)n, e);
        else
            snprintf(next, sizeof next, "%.*s%.*s", (int)(base + 1 - cur), cur, (int)n, e);
        snprintf(cur, sizeof cur, "%s", next);
    }
    return buf;
}

/* What the checkpoints record of their run's inputs, one "name value" line
 * each (ex_ckpt "inputs"), so that a resume with other inputs names what
 * changed: the scenario text (as written, with what it extends), --set, the
 * varied keys and values, replications, seed, the points run (sweep
 * --points), the build, and the checkpoints' key. */
static char *inputs_text(const study *s, const char *source, uint64_t key)
{
    const study_cfg *c = s->cfg;
    const char *text = source ? source : rf_points_text(s->pts);
    uint64_t h = ex_digest(EX_DIGEST_INIT, text ? text : "", text ? strlen(text) + 1 : 1);
    size_t size = 1700 + strlen(RS_VERSION RS_GIT_COMMIT), len = 0;
    for (size_t i = 0; i < c->points.n_sets; i++)
        size += strlen(c->points.sets[i]) + 1;
    const rf_sweep *g = c->grid;
    size_t nk = g ? rf_sweep_n_keys(g) : 0, np = g ? rf_sweep_n_points(g) : 0;
    for (size_t k = 0; k < nk; k++) {
        size += strlen(rf_sweep_key(g, k)) + 2;
        for (size_t i = 0; i < np; i++)
            size += strlen(rf_sweep_value(g, i, k)) + 1;
    }
    char *buf = malloc(size);
    if (!buf)
        return NULL;
    len += (size_t)snprintf(buf, size, "scenario %016llx\nset", (unsigned long long)h);
    size_t start = len;
    for (size_t i = 0; i < c->points.n_sets; i++) {
        const char *set = c->points.sets[i];
        if (strncmp(set, "replications=", 13) && strncmp(set, "seed=", 5)) /* lines of their own */
            len += (size_t)snprintf(buf + len, size - len, " %s", set);
    }
    len += (size_t)snprintf(buf + len, size - len, "%s\nvary ", len > start ? "" : " (none)");
    /* the grid as its points list it: key=v,v,... for each key */
    for (size_t k = 0; k < nk; k++) {
        len += (size_t)snprintf(buf + len, size - len, "%s%s=", k ? " " : "", rf_sweep_key(g, k));
        for (size_t i = 0; i < np; i++)
            len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? "," : "",
                                    rf_sweep_value(g, i, k));
    }
    len += (size_t)snprintf(buf + len, size - len, "%s\nreps %zu\nseed %llu\n", nk ? "" : "(none)",
                            s->reps, (unsigned long long)rf_points_params(s->pts)->seed);
    if (c->precision) {
        const study_precision_cfg *pc = c->precision;
        len += (size_t)snprintf(buf + len, size - len, "precision %.1000s (batch %zu, min %zu, "
                                "max %zu)\n", c->precision_text ? c->precision_text : "",
                                pc->batch, pc->min_reps, pc->max_reps);
    }
    if (c->part)
        len += (size_t)snprintf(buf + len, size - len, "points %zu:%zu\n", c->first_point,
                                c->last_point);
    else
        len += (size_t)snprintf(buf + len, size - len, "points all\n");
    snprintf(buf + len, size - len, "build %s %s\nkey %016llx\n", RS_VERSION, RS_GIT_COMMIT,
             (unsigned long long)key);
    return buf;
}

/* The value of line `name` in an inputs text, into buf ("" when absent). */
static void inputs_value(const char *text, const char *name, char *buf, size_t size)
{
    size_t n = strlen(name);
    buf[0] = '\0';
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (!strncmp(l, name, n) && l[n] == ' ') {
            size_t m = strcspn(l + n + 1, "\n");
            snprintf(buf, size, "%.*s", (int)(m < size ? m : size - 1), l + n + 1);
            return;
        }
}

/* --resume: refuse checkpoints of other inputs (another key), naming what
 * changed.  Checkpoints that record nothing (none yet, or of an older
 * build) are left to the key of each point. */
static int check_resume_inputs(study *s, const char *ckdir, const char *now, study_error *err)
{
    ex_ckpt c;
    if (ex_ckpt_init(&c, ckdir, 0, 0, 0) != SIM_OK)
        return SIM_OK;
    char *then = ex_ckpt_read_inputs(&c);
    if (!then)
        return SIM_OK;
    static const struct { const char *name, *what; } fields[] = {
        {"scenario", "the scenario"}, {"set", "--set"}, {"vary", "--vary"}, {"reps", "--reps"},
        {"seed", "--seed"}, {"precision", "--precision"}, {"points", "--points"},
        {"build", "the build"}};
    char changed[900] = "", a[200], b[200];
    size_t len = 0;
    inputs_value(then, "key", a, sizeof a);
    inputs_value(now, "key", b, sizeof b);
    if (!strcmp(a, b)) {
        free(then);
        return SIM_OK;          /* the same inputs */
    }
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        inputs_value(then, fields[i].name, a, sizeof a);
        inputs_value(now, fields[i].name, b, sizeof b);
        if (!a[0] || !strcmp(a, b))
            continue;                 /* the same, or not recorded */
        if (i == 0)
            len += (size_t)snprintf(changed + len, sizeof changed - len,
                                    "%s%s changed (its text differs)", len ? ", " : "", fields[i].what);
        else
            len += (size_t)snprintf(changed + len, sizeof changed - len, "%s%s changed (%s, now %s)",
                                    len ? ", " : "", fields[i].what, a, b);
        if (len >= sizeof changed)
            len = sizeof changed - 1;
    }
    free(then);
    return fail(err, SIM_EEXIST, 1,
                "--resume: the checkpoints in %s are of another run: %s; run without --resume to "
                "start over", ckdir,
                changed[0] ? changed : "its inputs changed");
}

/* The output is none of the command's inputs: cfg's, and the files the
 * current point's scenario read (its extends, its trace). */
static int check_not_input(study *s, study_error *err)
{
    const study_cfg *c = s->cfg;
    const rf_scenario *sc = rf_points_scenario(s->pts);
    size_t n = c->n_inputs + (sc ? rf_scenario_n_files(sc) : 0), which;
    const char **in = calloc(n + 1, sizeof *in);
    if (!in)
        return fail(err, SIM_ENOMEM, 0, "out of memory");
    for (size_t i = 0; i < n; i++)
        in[i] = i < c->n_inputs ? c->inputs[i] : rf_scenario_file(sc, i - c->n_inputs);
    int rc = SIM_OK;
    if (an_output_check_inputs(c->out_path, in, n, &which) != AN_OUT_OK) {
        char msg[sizeof err->message];
        an_output_describe_input(msg, sizeof msg, c->out_path, in[which]);
        rc = fail(err, an_output_problem_status(AN_OUT_INPUT), 1, "%s", msg);
    }
    free(in);
    return rc;
}

static int prepare_output(study *s, uint64_t key, study_error *err)
{
    const study_cfg *c = s->cfg;
    int rc, e;
    /* The run's seed and scenario are point 0's; loaded first, so that an
     * output that is one of its files is said before "use --force". */
    if ((rc = rf_points_load(s->pts, 0, &(rf_diags){0})) != SIM_OK)
        return fail(err, rc, 0, "%s", "");
    if ((rc = check_not_input(s, err)) != SIM_OK)
        return rc;
    /* --resume replaces the interrupted file it finishes */
    an_output_problem p = an_output_check(c->out_path, c->force || c->resume, &e);
    if (p != AN_OUT_OK) {
        char msg[sizeof err->message];
        an_output_describe(msg, sizeof msg, c->out_path, p, e);
        if (p == AN_OUT_EXISTS && c->checkpoint)
            return fail(err, SIM_EEXIST, 1, "%s or --resume to finish an interrupted sweep", msg);
        return fail(err, an_output_problem_status(p), 1, "%s", msg);
    }
    an_output_remove_stale(c->out_path);
    char ckdir[4096];
    snprintf(ckdir, sizeof ckdir, "%s.ckpt", c->out_path);
    if (c->resume && !c->force && !an_output_resumable(c->out_path, ckdir))
        return fail(err, SIM_EEXIST, 1,
                    "%s is a complete results file and has no checkpoints: nothing to resume "
                    "(use --force to overwrite it)", c->out_path);
    if (c->checkpoint && ex_ckpt_dir_state(ckdir) < 0)
        return fail(err, SIM_EEXIST, 1, "%s exists and is not a checkpoint directory: move it away",
                    ckdir);
    an_part part = {.first = s->first, .last = s->first + s->n_points - 1,
                    .grid_points = rf_points_count(s->pts), .digest = s->sweep_digest};
    char *source = c->scenario_source || !c->points.scenario_path
                       ? NULL : scenario_source(c->points.scenario_path);
    an_run_info info = {.scenario_text = rf_points_text(s->pts), .command_line = c->command_line,
                        .scenario_source = c->scenario_source ? c->scenario_source : source,
                        .seed = rf_points_params(s->pts)->seed,
                        .threads = sim_runner_threads(c->threads), .ranks = sim_farm_size(),
                        .n_vary = rf_points_n_vary(s->pts),
                        .vary_keys = rf_points_vary_keys(s->pts), .n_points = s->n_points,
                        .note = c->note, .attrs = c->attrs, .n_attrs = c->n_attrs, .precision = c->precision ? c->precision_text : NULL,
                        .part = c->part ? &part : NULL};
    if (c->precision) {
        const study_precision_cfg *pc = c->precision;
        info.precision_reps[0] = pc->batch ? pc->batch : STUDY_PRECISION_BATCH;
        info.precision_reps[1] = pc->min_reps;
        info.precision_reps[2] = pc->max_reps ? pc->max_reps : STUDY_PRECISION_MAX_REPS;
    }
    char *inputs = c->checkpoint ? inputs_text(s, info.scenario_source, key) : NULL;
    if (c->checkpoint && !inputs) {
        free(source);
        return fail(err, SIM_ENOMEM, 0, "out of memory");
    }
    if (c->resume && (rc = check_resume_inputs(s, ckdir, inputs, err)) != SIM_OK) {
        free(source);
        free(inputs);
        return rc;
    }
    rc = an_h5_create(c->out_path, &info, c->force || c->resume, &s->writer);
    free(source);
    if (rc != SIM_OK)
        free(inputs);
    if (rc == SIM_EEXIST)
        return fail(err, rc, 1, "%s exists: use --force to overwrite it%s", c->out_path,
                    c->checkpoint ? " or --resume to finish an interrupted sweep" : "");
    if (rc == SIM_ENOTFOUND)
        return fail(err, rc, 1, "%s: the directory does not exist", c->out_path);
    if (rc != SIM_OK)
        return fail(err, rc, 0, "%s: cannot create the results file: %s", c->out_path,
                    an_h5_strerror(rc));
    if (!c->checkpoint)
        return SIM_OK;
    /* Checkpoints sit beside the output, one small file per finished point;
     * with --precision each holds the replications its point took, and
     * run_to_precision reads and writes them itself. */
    ex_ckpt_init(&s->ckpt, ckdir, key, s->reps, s->rec_size);
    s->have_ckpt = 1;
    if (!c->precision)
        ex_use_checkpoints(s->ex, &s->ckpt);
    if (c->resume && c->precision) {
        /* read point by point in run_to_precision; counted here */
        for (size_t i = 0; i < s->n_points; i++) {
            size_t n;
            unsigned char *d;
            ex_ckpt_reader r;
            if (ex_ckpt_open_n(&s->ckpt, i, &r, &n, &d) == SIM_OK) {
                s->resumed++;
                free(d);
                ex_ckpt_close(&r);
            }
        }
    } else if (c->resume) {
        s->hook_status = SIM_OK;
        if ((rc = ex_resume(s->ex, &s->resumed)) != SIM_OK) {
            free(inputs);
            if (rc == SIM_EPARSE || rc == SIM_EIO) {
                char path[4200];
                ex_ckpt_point_path(&s->ckpt, ex_resume_bad_point(s->ex), path, sizeof path);
                if (rc == SIM_EIO)
                    return fail(err, rc, 0, "--resume: cannot read %s: %s", path, strerror(errno));
                return fail(err, rc, 1, "--resume: %s is damaged (its checksum does not match): "
                            "remove it to redo that point, or run without --resume to start over",
                            path);
            }
            if (s->hook_status != SIM_OK)
                return fail(err, rc, 0, "%s: %s", c->out_path, sim_strerror(rc));
            return fail(err, rc, 0, "out of memory");
        }
    } else {
        ex_ckpt_remove(&s->ckpt, s->n_points);
    }
    rc = ex_ckpt_make_dir(&s->ckpt) == SIM_OK ? ex_ckpt_write_inputs(&s->ckpt, inputs) : SIM_EIO;
    free(inputs);
    if (rc != SIM_OK)
        return fail(err, SIM_EIO, 0, "%s: cannot create the checkpoint directory: %s", s->ckpt.dir,
                    strerror(errno));
    return SIM_OK;
}

/* ------------------------------------------------------------ study -- */

int study_open(const study_cfg *cfg, study **out, study_error *err)
{
    *out = NULL;
    clear_error(err);
    study *s = calloc(1, sizeof *s);
    if (!s) {
        err->all_ranks = 1;
        return fail(err, SIM_ENOMEM, 0, "out of memory");
    }
    s->cfg = cfg;
    if (study_spool_budget(&s->budget) != SIM_OK) {
        err->all_ranks = 1;
        fail(err, SIM_EINVAL, 1, "REFUGESIM_RECORD_MEMORY: expected a number of bytes, optionally "
             "followed by K, M or G (powers of 1024), got '%s'", getenv("REFUGESIM_RECORD_MEMORY"));
        free(s);
        return SIM_EINVAL;
    }
    rf_points_cfg pc = cfg->points;
    const char **keys = NULL;
    if (!pc.texts && cfg->grid) {
        pc.n_vary = rf_sweep_n_keys(cfg->grid);
        keys = calloc(pc.n_vary + 1, sizeof *keys);
        for (size_t k = 0; keys && k < pc.n_vary; k++)
            keys[k] = rf_sweep_key(cfg->grid, k);
        pc.vary_keys = keys;
    }
    int rc = (pc.n_vary && !pc.vary_keys) ? SIM_ENOMEM : rf_points_create(&pc, &s->pts);
    free(keys);
    if (rc != SIM_OK) {
        err->all_ranks = 1;
        fail(err, rc, 0, "out of memory");
        goto fail;
    }
    if ((rc = add_points(s, err)) != SIM_OK)
        goto fail;
    if (cfg->part && (rc = sweep_digest(s, err)) != SIM_OK)
        goto fail;
    /* Load and check every point before anything runs, and key checkpoints
     * to what they load. */
    uint64_t key = EX_DIGEST_INIT;
    int in_sweep = s->n_points > 1 || cfg->part;
    /* stored labels (rerun) are kept as they were, even two alike */
    int compare_labels = labels_kept(s) && !cfg->points.texts && s->n_points > 1;
    label_key *labels = compare_labels ? calloc(s->n_points, sizeof *labels) : NULL;
    if (compare_labels && !labels) {
        err->all_ranks = 1;
        rc = fail(err, SIM_ENOMEM, 0, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < s->n_points; i++) {
        if ((rc = check_point(s, i, in_sweep, err)) != SIM_OK) {
            free(labels);
            goto fail;
        }
        key = rf_points_digest(s->pts, key, ex_digest);
        if (labels) {
            char label[AN_LABEL_MAX];
            point_label(s, label);     /* it fits: check_point */
            labels[i] = (label_key){ex_digest(EX_DIGEST_INIT, label, strlen(label)),
                                    rf_points_digest(s->pts, EX_DIGEST_INIT, ex_digest), i};
        }
        size_t r = rf_points_params(s->pts)->reps;
        if (i == 0) {
            s->reps = r;
        } else if (r != s->reps) {
            rc = fail(err, SIM_EINVAL, 1,
                      "sweep point %zu has %zu replications, point %zu has %zu: a sweep needs "
                      "the same number everywhere (use --reps)", grid_point(s, i), r,
                      grid_point(s, 0), s->reps);
            free(labels);
            goto fail;
        }
    }
    rc = labels ? check_labels_differ(s, labels, s->n_points, err) : SIM_OK;
    free(labels);
    if (rc != SIM_OK)
        goto fail;
    if (!s->rec_size)
        s->rec_size = sizeof(rf_result);
    ex_cfg ec = {.n_points = s->n_points, .n_reps = s->reps, .record_size = s->rec_size,
                 .chunk = cfg->chunk, .threads = cfg->threads, .stop = cfg->stop};
    ex_hooks eh = {.open_point = open_point, .point_done = point_done,
                   .chunk_done = chunk_done,
                   .progress = cfg->progress ? progress : NULL, .progress_user = s,
                   .ckpt_failed = ckpt_failed, .user = s};
    if (cfg->keep_summaries && s->n_points) {
        s->sums = calloc(s->n_points, sizeof *s->sums);
        s->steady = calloc(s->n_points, sizeof *s->steady);
    }
    if ((rc = ex_create(&ec, &eh, &s->ex)) != SIM_OK || (cfg->keep_summaries && s->n_points && (!s->sums || !s->steady))) {
        err->all_ranks = 1;
        rc = fail(err, SIM_ENOMEM, 0, "out of memory");
        goto fail;
    }
    if (cfg->precision) {      /* the replications depend on the targets and bounds too */
        const study_precision_cfg *prc = cfg->precision;
        const char *t = cfg->precision_text ? cfg->precision_text : "";
        uint64_t b[3] = {prc->batch, prc->min_reps, prc->max_reps};
        key = ex_digest(ex_digest(key, t, strlen(t) + 1), b, sizeof b);
    }
    key = ex_digest_finish(key, s->rec_size);
    /* Rank 0 prepares the output; every rank then learns whether to go on
     * (one broadcast, so no rank is left waiting when rank 0 fails). */
    int setup = SIM_OK;
    if (root() && cfg->out_path)
        setup = prepare_output(s, key, err);
    if ((rc = sim_farm_bcast_int(setup)) != SIM_OK) {
        if (!root())
            err->status = rc;
        goto fail;
    }
    *out = s;
    return SIM_OK;
fail:
    study_free(s);
    return rc;
}

void study_free(study *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_points; i++) {
        if (s->sums)
            an_point_summary_free(&s->sums[i]);
        if (s->steady)
            an_steady_free(&s->steady[i]);
        if (s->sp)
            study_spool_free(s->sp[i]);
    }
    free(s->sums);
    free(s->steady);
    an_summary_build_free(s->sb);
    an_steady_build_free(s->tb);
    free(s->sp);
    free(s->have);
    free(s->prec);
    free(s->total_units);
    an_h5_discard(s->writer);
    if (s->have_ckpt)
        ex_ckpt_prune(&s->ckpt, s->n_points); /* a failed sweep that finished no point */
    ex_free(s->ex);
    rf_model_record_ctx_close(&s->rctx);
    rf_points_free(s->pts);
    free(s);
}

size_t study_resumed(const study *s) { return s->resumed; }
size_t study_n_points(const study *s) { return s->n_points; }
size_t study_reps(const study *s) { return s->reps; }
size_t study_reps_finished(const study *s) { return ex_reps_finished(s->ex); }
int study_has_checkpoints(const study *s) { return s->have_ckpt; }
int study_total_units(const study *s, size_t i) { return s->total_units[i]; }

const study_precision_result *study_precision(const study *s, size_t i)
{
    return s->prec && i < s->n_points && s->prec[i].stopped ? &s->prec[i] : NULL;
}

const an_steady *study_steady(const study *s, size_t i)
{
    return s->steady && s->steady[i].n_months ? &s->steady[i] : NULL;
}

size_t study_have(const study *s, size_t i) { return s->have[i]; }

/* Point i's spool as a source (none on ranks other than 0). */
static rec_source spool_source(const study *s, size_t i) { return (rec_source){.sp = s->sp[i]}; }

int study_each_block(const study *s, size_t i, study_block_fn fn, void *user)
{
    rec_source src = spool_source(s, i);
    return src_each(s, &src, s->have[i], fn, user);
}

int study_each_pair(const study *s, size_t a, size_t b, size_t n, study_pair_fn fn, void *user)
{
    if (n > s->have[a] || n > s->have[b] || (n && (!s->sp[a] || !s->sp[b])))
        return SIM_EINVAL;
    unsigned char *buf = malloc(2 * STUDY_BLOCK * s->rec_size + 1);
    if (!buf)
        return SIM_ENOMEM;
    rec_source sa = spool_source(s, a), sb = spool_source(s, b);
    int rc = SIM_OK;
    for (size_t first = 0; first < n && rc == SIM_OK; first += STUDY_BLOCK) {
        size_t k = n - first < STUDY_BLOCK ? n - first : STUDY_BLOCK;
        const unsigned char *da, *db;
        const unsigned char *ra = src_get(s, &sa, first, k, buf, &da);
        const unsigned char *rb = src_get(s, &sb, first, k, buf + STUDY_BLOCK * s->rec_size, &db);
        rc = ra && rb ? fn(user, first, k, (const rf_result *)ra, da, (const rf_result *)rb, db,
                           s->rec_size)
                      : SIM_EIO;
    }
    free(buf);
    return rc;
}

static int steady_block(void *user, size_t first, size_t n, const rf_result *res, size_t stride,
                        const unsigned char *done)
{
    (void)first;
    return an_steady_build_add(user, res, stride, done, n);
}

int study_point_steady(const study *s, size_t i, size_t first_month, int series, an_steady *out)
{
    memset(out, 0, sizeof *out);
    an_steady_builder *b;
    int rc = an_steady_build_begin_window(&b, s->have[i], first_month);
    if (rc != SIM_OK)
        return rc;
    if ((rc = study_each_block(s, i, steady_block, b)) != SIM_OK) {
        an_steady_build_free(b);
        return rc;
    }
    rc = an_steady_build_end(b, out);
    if (!series) {
        free(out->occupied);
        free(out->waiting);
        out->occupied = out->waiting = NULL;
    }
    return rc;
}

const an_point_summary *study_summary(const study *s, size_t i)
{
    return s->sums && s->sums[i].metrics ? &s->sums[i] : NULL;
}

static int ckpt_block(void *user, size_t first, size_t n, const rf_result *res, size_t stride,
                      const unsigned char *done)
{
    (void)first, (void)stride, (void)done;
    return ex_ckpt_stream_add(user, res, n);
}

/* Point i's checkpoint (--precision): its records as ex_evaluate gives
 * them, written as they are read from its spool. */
static int write_precise(study *s, size_t i)
{
    ex_ckpt_stream cs;
    int rc = ex_ckpt_stream_begin_n(&s->ckpt, i, s->have[i], study_spool_done(s->sp[i]), &cs);
    if (rc != SIM_OK)
        return rc;
    rc = study_each_block(s, i, ckpt_block, &cs);
    int e = errno;
    int end = ex_ckpt_stream_end(&cs, rc == SIM_OK);
    if (rc != SIM_OK)
        errno = e;
    return rc != SIM_OK ? SIM_EIO : end;
}

/* A new spool for point i (replacing any). */
static int new_spool(study *s, size_t i)
{
    study_spool_free(s->sp[i]);
    s->sp[i] = NULL;
    return study_spool_new(&s->sp[i], s->rec_size, &s->budget);
}

/* Why a spool's temporary file could not be written, in words. */
static const char *spool_failed(int e)
{
    static char msg[4400];
    snprintf(msg, sizeof msg, "cannot keep the replications' records in a temporary file in %s: "
             "%s%s", study_spool_dir(), strerror(e), e == EMFILE || e == ENFILE ? ""
             : " (set TMPDIR to a place with room)");
    return msg;
}

/* Point i's checkpoint read into a new spool, a block at a time; *n its
 * replications.  Statuses as ex_ckpt_open_n, and SIM_ENOMEM; *spool_errno
 * is errno when the spool's temporary file could not be written (else 0). */
static int read_precise(study *s, size_t i, size_t *n, int *spool_errno)
{
    *spool_errno = 0;
    ex_ckpt_reader r;
    unsigned char *done;
    int rc = ex_ckpt_open_n(&s->ckpt, i, &r, n, &done);
    if (rc != SIM_OK)
        return rc;
    unsigned char *buf = malloc(STUDY_BLOCK * s->rec_size);
    rc = buf ? new_spool(s, i) : SIM_ENOMEM;
    for (size_t first = 0; rc == SIM_OK && first < *n; first += STUDY_BLOCK) {
        size_t k = *n - first < STUDY_BLOCK ? *n - first : STUDY_BLOCK;
        if ((rc = ex_ckpt_get(&r, first, k, buf)) == SIM_OK
            && (rc = study_spool_append(s->sp[i], buf, done + first, k)) == SIM_EIO)
            *spool_errno = errno;      /* the spool's file, not the checkpoint */
    }
    int e = errno;
    ex_ckpt_close(&r);
    free(buf);
    free(done);
    errno = e;
    return rc;
}

/* --precision --resume: point i's checkpoint, when there is one, gives it
 * the replications it took; study_precision_point then runs none (they are
 * there) and takes the same decisions on the same records, so the point
 * stops where it stopped: the same bits as a run never interrupted.
 * Every rank learns how many it has (workers hold no records). */
static int resume_precise(study *s, size_t i, study_error *err)
{
    if (!s->cfg->resume)
        return SIM_OK;
    int rc = SIM_OK, e = 0, spool_errno = 0;
    size_t n = 0;
    if (root() && s->have_ckpt) {
        rc = read_precise(s, i, &n, &spool_errno);
        e = errno;                     /* before the broadcasts */
        if (rc != SIM_OK) {
            study_spool_free(s->sp[i]);
            s->sp[i] = NULL;
        }
        if (rc == SIM_ENOTFOUND || rc == SIM_EINVAL) {
            rc = SIM_OK;               /* none, or not reusable: run the point */
            n = 0;
        }
    }
    uint64_t have = n;
    if ((rc = sim_farm_bcast_int(rc)) == SIM_OK)
        rc = sim_farm_bcast_bytes(&have, sizeof have);
    if (rc != SIM_OK) {
        if (!root())
            return err->status = rc;
        if (rc == SIM_ENOMEM)
            return fail(err, rc, 0, "out of memory");
        if (spool_errno)
            return fail(err, rc, 0, "%s", spool_failed(spool_errno));
        char path[4200];
        ex_ckpt_point_path(&s->ckpt, i, path, sizeof path);
        if (rc == SIM_EPARSE)
            return fail(err, rc, 1, "--resume: %s is damaged (its checksum does not match): "
                        "remove it to redo that point, or run without --resume to start over",
                        path);
        return fail(err, rc, 0, "--resume: cannot read %s: %s", path, strerror(e));
    }
    s->have[i] = (size_t)have;
    return SIM_OK;
}

/* --precision: each point in turn gets replications until its targets
 * hold, then is checkpointed, published and its records freed. */
static int run_to_precision(study *s, study_error *err)
{
    s->prec = calloc(s->n_points ? s->n_points : 1, sizeof *s->prec);
    int rc = sim_farm_bcast_int(s->prec ? SIM_OK : SIM_ENOMEM);
    if (rc != SIM_OK)
        return root() ? fail(err, rc, 0, "out of memory") : rc;
    if (s->cfg->precision_paired) {
        if ((rc = study_precision_paired(s, s->cfg->precision, &s->prec[0], err)) != SIM_OK)
            return rc;
        for (size_t i = 0; i < s->n_points; i++) {
            s->prec[i] = s->prec[0];
            rec_source src = spool_source(s, i);
            if (root() && (rc = publish(s, i, &src, s->have[i], &s->prec[i])) != SIM_OK)
                return fail(err, rc, 0, "%s: %s", s->cfg->out_path ? s->cfg->out_path : "summary",
                            sim_strerror(rc));
        }
        for (size_t i = 0; i < s->n_points; i++)
            study_forget(s, i);
        return SIM_OK;
    }
    for (size_t i = 0; i < s->n_points; i++) {
        if ((rc = resume_precise(s, i, err)) != SIM_OK)
            return rc;
        rc = study_precision_point(s, i, s->cfg->precision, &s->prec[i], err);
        rec_source src = spool_source(s, i);
        if (rc == SIM_EINTR && root() && s->have[i] > 0) {
            s->prec[i].stopped = STUDY_STOP_NONE;
            publish(s, i, &src, s->have[i], NULL);
        }
        if (rc != SIM_OK)
            return rc;
        if (root() && s->have_ckpt && s->sp[i] && write_precise(s, i) != SIM_OK)
            ckpt_failed(s, s->ckpt.dir, errno);   /* a resume redoes the point: go on */
        if (root() && (rc = publish(s, i, &src, s->have[i], &s->prec[i])) != SIM_OK)
            return fail(err, rc, 0, "%s: %s", s->cfg->out_path ? s->cfg->out_path : "summary",
                        sim_strerror(rc));
        study_forget(s, i);
    }
    return SIM_OK;
}

int study_run(study *s, study_error *err)
{
    clear_error(err);
    if (s->cfg->precision) {
        int rc = run_to_precision(s, err);
        return root() || rc == SIM_OK ? rc : (err->status = rc);
    }
    if (s->cfg->on_start)
        s->cfg->on_start(s->cfg->user);
    s->progress_base = 0;
    int rc = ex_run(s->ex);
    if (s->cfg->on_end)
        s->cfg->on_end(s->cfg->user);
    if (!root()) {
        if (rc != SIM_OK && rc != SIM_EINTR) {   /* its own failure: rank 0 cannot know it */
            fail(err, rc, 0, "simulation failed: %s", sim_strerror(rc));
            err->own_rank = 1;
        }
        return err->status = rc;
    }
    if (rc != SIM_OK && rc != SIM_EINTR && s->writer && s->hook_status == rc && an_h5_sys_errno())
        return fail(err, rc, 0, "%s: writing the results file failed: %s", s->cfg->out_path,
                    an_h5_strerror(rc));
    if (rc != SIM_OK && rc != SIM_EINTR)
        return fail(err, rc, 0, "simulation failed: %s", sim_strerror(rc));
    if (rc == SIM_EINTR)
        ex_flush_partial(s->ex);      /* keep what finished, marked incomplete */
    return rc;
}

int study_commit(study *s, int complete, study_error *err)
{
    clear_error(err);
    if (!s->writer)
        return SIM_OK;
    if (complete && s->cfg->compare_points && s->cfg->keep_summaries) {
        an_comparison *rows = NULL;
        size_t n = 0;
        int rc = study_comparison_rows(s, &rows, &n, err);
        if (rc == SIM_OK)
            rc = study_put_comparison(s, rows, n, err);
        if (rc == SIM_OK)
            rc = study_put_comparison_yearly(s, err);
        if (rc == SIM_OK)
            rc = study_compare_put_areas(s, err);
        free(rows);
        if (rc != SIM_OK)
            return rc;
    }
    an_h5_writer *w = s->writer;
    s->writer = NULL;
    int rc = an_h5_commit(w, complete);
    if (rc != SIM_OK)
        return fail(err, rc, 0, "%s: writing the results file failed: %s", s->cfg->out_path,
                    an_h5_strerror(rc));
    if (complete && s->have_ckpt)
        ex_ckpt_remove(&s->ckpt, s->n_points);
    return SIM_OK;
}

int study_comparison_rows(const study *s, an_comparison **rows, size_t *n_rows, study_error *err)
{
    clear_error(err);
    *rows = NULL;
    *n_rows = 0;
    const an_point_summary *base = study_summary(s, 0);
    for (size_t i = 1; i < study_n_points(s); i++) {
        an_comparison *one;
        size_t n;
        int rc = an_compare_points(base, study_summary(s, i), i, &one, &n);
        if (rc != SIM_OK)
            return fail(err, rc, 0, "comparing point %zu failed: %s", i, sim_strerror(rc));
        an_comparison *all = realloc(*rows, (*n_rows + n + 1) * sizeof *all);
        if (!all) {
            free(one);
            return fail(err, SIM_ENOMEM, 0, "out of memory");
        }
        memcpy(all + *n_rows, one, n * sizeof *one);
        *rows = all;
        *n_rows += n;
        free(one);
    }
    return SIM_OK;
}

int study_put_comparison(study *s, const an_comparison *rows, size_t n_rows, study_error *err)
{
    clear_error(err);
    if (!s->writer)
        return SIM_OK;
    int rc = an_h5_put_comparison(s->writer, rows, n_rows);
    return rc == SIM_OK ? SIM_OK
                        : fail(err, rc, 0, "%s: writing the comparison failed: %s",
                               s->cfg->out_path, sim_strerror(rc));
}

int study_put_comparison_yearly(study *s, study_error *err)
{
    clear_error(err);
    if (!s->writer || !s->cfg->by_year)
        return SIM_OK;
    const an_point_summary *base = study_summary(s, 0);
    an_comparison_year *all = NULL;
    size_t n_all = 0;
    int rc = SIM_OK;
    for (size_t i = 1; rc == SIM_OK && i < study_n_points(s); i++) {
        an_comparison_year *one;
        size_t n;
        rc = an_compare_years(base, study_summary(s, i), i, &one, &n);
        if (rc == SIM_ENOTFOUND) {
            rc = SIM_OK;
            continue;
        }
        if (rc != SIM_OK)
            break;
        an_comparison_year *grown = realloc(all, (n_all + n + 1) * sizeof *grown);
        if (!grown) {
            free(one);
            rc = SIM_ENOMEM;
            break;
        }
        memcpy(grown + n_all, one, n * sizeof *one);
        all = grown;
        n_all += n;
        free(one);
    }
    if (rc == SIM_OK && n_all)
        rc = an_h5_put_comparison_yearly(s->writer, all, n_all);
    free(all);
    return rc == SIM_OK ? SIM_OK
                        : fail(err, rc, 0, "%s: writing the yearly comparison failed: %s",
                               s->cfg->out_path, sim_strerror(rc));
}

int study_put_area_comparison(study *s, const an_area_cmp_set *sets, size_t n_sets,
                              study_error *err)
{
    clear_error(err);
    if (!s->writer || !n_sets)
        return SIM_OK;
    int rc = an_h5_put_area_comparison(s->writer, sets, n_sets);
    return rc == SIM_OK ? SIM_OK
                        : fail(err, rc, 0, "%s: writing the areas' comparison failed: %s",
                               s->cfg->out_path, sim_strerror(rc));
}

/* ------------------------------------------------------------ drivers -- */

int study_add_point(study *s, const char *const *values, const double *numbers, size_t *index,
                    study_error *err)
{
    clear_error(err);
    char msg[sizeof err->message];
    int rc = rf_points_add(s->pts, values, numbers, msg, sizeof msg);
    if (rc != SIM_OK) {
        err->all_ranks = 1;
        return rc == SIM_ENOMEM ? fail(err, rc, 0, "out of memory") : fail(err, rc, 1, "%s", msg);
    }
    size_t i = rf_points_count(s->pts) - 1;
    if (grow(s, i + 1) != SIM_OK)
        return fail(err, SIM_ENOMEM, 0, "%s", "");
    s->n_points = i + 1;
    if ((rc = check_point(s, i, 0, err)) != SIM_OK)
        return rc;
    *index = i;
    return SIM_OK;
}

/* Replications a driver's step runs at a time, their records held at
 * once: 4 MB of them, and at least 256 (a few tasks a rank, so the ranks
 * stay busy), whatever the step's count. */
static size_t slice_reps(const study *s)
{
    size_t k = ((size_t)4 << 20) / s->rec_size;
    return k < 256 ? 256 : k;
}

int study_extend(study *s, size_t i, size_t n_reps, study_error *err)
{
    clear_error(err);
    size_t have = s->have[i];
    if (n_reps <= have)
        return SIM_OK;
    size_t slice = slice_reps(s);
    if (slice > n_reps - have)
        slice = n_reps - have;
    int rc = SIM_OK;
    unsigned char *raw = NULL, *done = NULL;
    if (root()) {
        raw = malloc(slice * s->rec_size);
        done = malloc(slice);
        if (!raw || !done || (!s->sp[i] && new_spool(s, i) != SIM_OK))
            rc = SIM_ENOMEM;
    }
    if ((rc = sim_farm_bcast_int(rc)) != SIM_OK) {
        free(raw);
        free(done);
        return root() ? fail(err, rc, 0, "out of memory") : rc;
    }
    if (s->cfg->on_start)
        s->cfg->on_start(s->cfg->user);
    s->progress_total = n_reps;
    /* slice by slice, each kept once it is whole: the same replications,
     * the same bits, as in one step (each replication's streams are its
     * own), and an interrupted step keeps the slices that finished */
    int io_errno = 0;
    while (rc == SIM_OK && s->have[i] < n_reps) {
        size_t k = n_reps - s->have[i] < slice ? n_reps - s->have[i] : slice;
        s->progress_base = s->have[i];
        rc = ex_evaluate(s->ex, i, s->have[i], k, raw, done);
        if (rc == SIM_OK && root() && (rc = study_spool_append(s->sp[i], raw, done, k)) == SIM_EIO)
            io_errno = errno;
        /* every rank takes the same next step: rank 0's */
        if ((rc = sim_farm_bcast_int(rc)) == SIM_OK)
            s->have[i] += k;
    }
    s->progress_total = 0;
    free(raw);
    free(done);
    if (s->cfg->on_end)
        s->cfg->on_end(s->cfg->user);
    if (rc == SIM_OK)
        return SIM_OK;
    if (!root())
        return err->status = rc;
    if (rc == SIM_EINTR) {
        /* the study's, not this step's: every point evaluated before counts */
        size_t total = ex_reps_finished(s->ex);
        for (size_t k = 0; k < s->n_points; k++)
            total += s->have[k];
        return fail(err, rc, 0, "interrupted: %zu replications finished", total);
    }
    if (io_errno)
        return fail(err, rc, 0, "%s", spool_failed(io_errno));
    return fail(err, rc, 0, "simulation failed: %s", sim_strerror(rc));
}

int study_write_partial(study *s, const char *path, int force, const char *note,
                        size_t *written, study_error *err)
{
    clear_error(err);
    *written = 0;
    size_t n = 0;
    for (size_t i = 0; i < s->n_points; i++)
        n += s->have[i] > 0;
    if (!n || !root())
        return SIM_OK;
    /* prepare_output and publish read the output from the study's cfg */
    study_cfg c = *s->cfg;
    c.out_path = path;
    c.force = force;
    c.note = note;
    c.checkpoint = c.resume = 0;
    c.precision = NULL;
    const study_cfg *saved = s->cfg;
    s->cfg = &c;
    int rc = prepare_output(s, EX_DIGEST_INIT, err);
    for (size_t i = 0; rc == SIM_OK && i < s->n_points; i++)
        if (s->have[i] > 0) {
            rec_source src = spool_source(s, i);
            if ((rc = publish(s, i, &src, s->have[i], NULL)) != SIM_OK)
                fail(err, rc, 0, "%s: writing the results file failed: %s", path,
                     an_h5_strerror(rc));
            else
                (*written)++;
        }
    if (rc == SIM_OK)
        rc = study_commit(s, 0, err);
    an_h5_discard(s->writer);   /* after a failure; NULL after the commit */
    s->writer = NULL;
    s->cfg = saved;
    return rc;
}

static int summary_block(void *user, size_t first, size_t n, const rf_result *res, size_t stride,
                         const unsigned char *done)
{
    (void)first;
    return an_summary_build_add(user, res, (const unsigned char *)res + sizeof(rf_result), stride,
                                done, n);
}

int study_point_summary(study *s, size_t i, an_point_summary *out)
{
    memset(out, 0, sizeof *out);
    rf_diags d;
    int rc = rf_points_load(s->pts, grid_point(s, i), &d);
    if (rc != SIM_OK)
        return rc;
    /* these summaries decide a search and are stored nowhere (a driver
     * whose points are kept checked their labels): one too long to keep is
     * named by its number rather than cut */
    char label[AN_LABEL_MAX];
    if (point_label(s, label) != SIM_OK)
        snprintf(label, sizeof label, "point %zu", i);
    /* every replication's parts (the drivers' paired comparisons) and,
     * for --by-year, its years */
    an_summary_builder *b;
    int flags = AN_BUILD_PARTS | (s->cfg->by_year ? AN_YEARS_PAIRED : AN_YEARS_NONE);
    rc = an_summary_build_begin(&b, label, rf_points_params(s->pts), s->have[i],
                                s->net_bytes ? s->rec_size : 0, flags);
    if (rc != SIM_OK)
        return rc;
    if ((rc = study_each_block(s, i, summary_block, b)) != SIM_OK) {
        an_summary_build_free(b);
        return rc;
    }
    return an_summary_build_end(b, out);
}

void study_forget(study *s, size_t i)
{
    study_spool_free(s->sp[i]);
    s->sp[i] = NULL;
    s->have[i] = 0;
}
