#include "ex_experiment.h"
#include "sim_farm.h"
#include "sim_status.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The replications being run: points point0 .. point0 + n_slots - 1, each
 * with replications [first, first + n).  ex_run: every point, [0, n_reps);
 * ex_evaluate: one point and the caller's range. */
typedef struct {
    size_t point0, n_slots;
    uint64_t first;
    size_t n, chunk, chunks_per_slot;
} window;

struct ex_experiment {
    ex_cfg cfg;
    ex_hooks h;
    window w;
    /* rank 0 collection, per slot */
    unsigned char **res;      /* n records while in progress (ex_run), or the caller's */
    unsigned char **done;
    size_t *chunks_left;
    unsigned char *skip;      /* per task */
    int per_point;            /* 1: deliver points as they complete (ex_run) */
    int first_error;
    size_t reps_finished, progress_total;
    ex_ckpt ckpt;
    int have_ckpt, ckpt_warned;
    size_t bad_point;          /* ex_resume: the damaged checkpoint's point */
    unsigned char *eval_records, *eval_done;  /* ex_evaluate's destination */
    unsigned char *streamed;  /* per point: chunks delivered, point_done not yet */
    /* MPI rank 0 in ex_run: results go to chunk_done in task order as they
     * arrive; those ahead of the next are kept until it comes (with ranks
     * of like speed, a few a rank), so no point's records are held whole */
    int ordered, point_bad;   /* point_bad: the point being delivered has holes */
    int ord_started;          /* ord_point: the point delivered last */
    size_t ord_next, ord_point, n_pend, cap_pend;
    struct pending *pend;
    ex_ckpt_stream ord_ck;
    int ord_ck_on;
};

struct pending {
    size_t task;
    int status;
    unsigned char *out;       /* a copy of the task's result */
};

typedef struct {
    int32_t status;
    uint32_t n;
    uint32_t direct;          /* the records went straight to their destination */
    uint32_t pad;             /* keeps what follows 16-byte aligned */
} task_header;

/* A task's result: header, done flags padded so the records that follow are
 * aligned, records. */
static size_t done_bytes(const window *w) { return (w->chunk + 15) / 16 * 16; }

static size_t task_size(const ex_experiment *ex)
{
    return sizeof(task_header) + done_bytes(&ex->w) + ex->w.chunk * ex->cfg.record_size;
}

static size_t n_tasks(const window *w) { return w->n_slots * w->chunks_per_slot; }

static void set_window(ex_experiment *ex, size_t point0, size_t n_slots, uint64_t first, size_t n)
{
    window *w = &ex->w;
    w->point0 = point0;
    w->n_slots = n_slots;
    w->first = first;
    w->n = n;
    /* One process: a point's replications in one task (one parallel region,
     * nothing left over at the end of each chunk); ranks share chunks. */
    w->chunk = ex->cfg.chunk ? ex->cfg.chunk : sim_farm_size() > 1 ? EX_DEFAULT_CHUNK : n;
    if (w->chunk > n)
        w->chunk = n;
    w->chunks_per_slot = w->chunk ? (n + w->chunk - 1) / w->chunk : 0;
}

int ex_create(const ex_cfg *cfg, const ex_hooks *hooks, ex_experiment **out)
{
    *out = NULL;
    if (!cfg || !hooks || !hooks->open_point || cfg->record_size == 0)
        return SIM_EINVAL;
    ex_experiment *ex = calloc(1, sizeof *ex);
    if (!ex)
        return SIM_ENOMEM;
    ex->cfg = *cfg;
    ex->h = *hooks;
    set_window(ex, 0, cfg->n_points, 0, cfg->n_reps);
    size_t np = cfg->n_points;
    ex->res = calloc(np + 1, sizeof *ex->res);
    ex->done = calloc(np + 1, sizeof *ex->done);
    ex->chunks_left = calloc(np + 1, sizeof *ex->chunks_left);
    ex->skip = calloc(n_tasks(&ex->w) + 1, 1);
    ex->streamed = calloc(np + 1, 1);
    if (!ex->res || !ex->done || !ex->chunks_left || !ex->skip || !ex->streamed) {
        ex_free(ex);
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < np; i++) {
        ex->chunks_left[i] = ex->w.chunks_per_slot;
        if (!(ex->done[i] = calloc(cfg->n_reps + 1, 1))) {
            ex_free(ex);
            return SIM_ENOMEM;
        }
    }
    *out = ex;
    return SIM_OK;
}

void ex_free(ex_experiment *ex)
{
    if (!ex)
        return;
    for (size_t i = 0; i < ex->cfg.n_points; i++) {
        if (ex->res)
            free(ex->res[i]);
        if (ex->done)
            free(ex->done[i]);
    }
    free(ex->res);
    free(ex->done);
    free(ex->chunks_left);
    free(ex->skip);
    free(ex->streamed);
    for (size_t i = 0; i < ex->n_pend; i++)
        free(ex->pend[i].out);
    free(ex->pend);
    if (ex->ord_ck_on)
        ex_ckpt_stream_end(&ex->ord_ck, 0);
    free(ex);
}

void ex_use_checkpoints(ex_experiment *ex, const ex_ckpt *c)
{
    ex->ckpt = *c;
    ex->have_ckpt = 1;
}

size_t ex_reps_finished(const ex_experiment *ex) { return ex->reps_finished; }

/* ------------------------------------------------------------ one task -- */

/* The runner counts inside one task; the user wants the whole run. */
static void task_progress(void *user, size_t done, size_t total)
{
    ex_experiment *ex = user;
    (void)total;
    ex->h.progress(ex->h.progress_user, ex->reps_finished + done, ex->progress_total);
}

static int run_task(void *user, size_t task, void *out)
{
    ex_experiment *ex = user;
    const window *w = &ex->w;
    size_t slot = task / w->chunks_per_slot, c = task % w->chunks_per_slot;
    size_t first = c * w->chunk, n = w->n - first < w->chunk ? w->n - first : w->chunk;
    task_header *h = out;
    unsigned char *done = (unsigned char *)(h + 1);
    void *res = done + done_bytes(w);
    h->n = (uint32_t)n;
    /* One process, a whole window a task: the replications go straight to
     * their destination, not through this buffer (a copy of megabytes,
     * page-faulted after the threads are done). */
    h->direct = 0;
    if (sim_farm_size() == 1 && n == w->n) {
        if (ex->per_point && (ex->res[slot] || (ex->res[slot] = calloc(w->n, ex->cfg.record_size)))) {
            res = ex->res[slot];
            done = ex->done[slot];
            h->direct = 1;
        } else if (!ex->per_point && ex->eval_records) {
            res = ex->eval_records;
            done = ex->eval_done;
            h->direct = 1;
        }
    }
    memset(done, 0, h->direct ? n : w->chunk);
    sim_rep_fn fn = NULL;
    const void *ctx = NULL;
    int rc = ex->h.open_point(ex->h.user, w->point0 + slot, &fn, &ctx);
    if (rc == SIM_OK) {
        sim_runner_cfg rc_cfg = {.first_rep = w->first + first, .n_reps = n,
                                 .result_size = ex->cfg.record_size,
                                 .threads = ex->cfg.threads, .stop = ex->cfg.stop};
        if (sim_farm_rank() == 0 && ex->h.progress) {
            rc_cfg.progress = task_progress;
            rc_cfg.progress_user = ex;
        }
        rc = sim_runner_run(&rc_cfg, fn, ctx, res, done, NULL);
    }
    h->status = rc;
    return rc;
}

/* ------------------------------------------------------------ ex_run -- */

/* The first checkpoint that could not be written is reported (errno as the
 * failure left it); the run goes on without it. */
static void ckpt_lost(ex_experiment *ex)
{
    if (ex->ckpt_warned)
        return;
    if (ex->h.ckpt_failed)
        ex->h.ckpt_failed(ex->h.user, ex->ckpt.dir, errno);
    ex->ckpt_warned = 1;
}

static int finish_point(ex_experiment *ex, size_t point, int write_ckpt)
{
    int rc = ex->h.point_done ? ex->h.point_done(ex->h.user, point, ex->res[point], ex->done[point])
                              : SIM_OK;
    if (rc != SIM_OK)
        return rc;
    if (write_ckpt && ex->have_ckpt) {
        size_t ndone = 0;
        for (size_t r = 0; r < ex->cfg.n_reps; r++)
            ndone += ex->done[point][r];
        /* A lost checkpoint only costs a resume its reuse: report, go on. */
        if (ndone == ex->cfg.n_reps
            && ex_ckpt_write(&ex->ckpt, point, ex->done[point], ex->res[point]) != SIM_OK)
            ckpt_lost(ex);
    }
    free(ex->res[point]);
    ex->res[point] = NULL;
    return SIM_OK;
}

/* ---- MPI rank 0, in task order -------------------------------------------- */

static void note_error(ex_experiment *ex, int rc)
{
    if (rc != SIM_OK && rc != SIM_EINTR && !ex->first_error)
        ex->first_error = rc;
}

/* A streamed point that stopped with holes: point_done with what finished
 * (nothing when none did). */
static int close_streamed(ex_experiment *ex, size_t i)
{
    ex->streamed[i] = 0;
    size_t any = 0;
    for (size_t r = 0; r < ex->cfg.n_reps; r++)
        any += ex->done[i][r];
    return any && ex->h.point_done ? ex->h.point_done(ex->h.user, i, NULL, ex->done[i]) : SIM_OK;
}

/* The point delivered last, if it stopped with holes, before the next one
 * begins: study's chunk_done keeps one point's summaries at a time. */
static void close_partial(ex_experiment *ex)
{
    if (ex->ord_started && ex->streamed[ex->ord_point])
        note_error(ex, close_streamed(ex, ex->ord_point));
}

/* Task `task`'s result to chunk_done; the point's end to point_done when
 * every chunk of it was whole. */
static void deliver_task(ex_experiment *ex, size_t task, int status, const void *out)
{
    const window *w = &ex->w;
    size_t slot = task / w->chunks_per_slot, c = task % w->chunks_per_slot;
    const task_header *h = out;
    const unsigned char *done_in = (const unsigned char *)(h + 1);
    const unsigned char *res = done_in + done_bytes(w);
    size_t first = c * w->chunk, n = h->n;
    unsigned char *done = ex->done[slot] + first;
    memcpy(done, done_in, n);
    if (c == 0) {
        close_partial(ex);
        ex->ord_point = slot;
        ex->ord_started = 1;
        ex->point_bad = 0;
        if (ex->have_ckpt && !ex->ord_ck_on) {
            ex->ord_ck = (ex_ckpt_stream){.fd = -1};
            if (ex_ckpt_stream_begin(&ex->ckpt, slot, &ex->ord_ck) == SIM_OK)
                ex->ord_ck_on = 1;
            else
                ckpt_lost(ex);
        }
    }
    ex->streamed[slot] = 1;
    int rc = ex->h.chunk_done(ex->h.user, slot, first, n, res, done);
    note_error(ex, rc);
    size_t ndone = 0;
    for (size_t r = 0; r < n; r++)
        ndone += done[r];
    if (status != SIM_OK || ndone != n)
        ex->point_bad = 1;
    if (ex->ord_ck_on && !ex->point_bad && rc == SIM_OK
        && ex_ckpt_stream_add(&ex->ord_ck, res, n) != SIM_OK) {
        ckpt_lost(ex);
        ex_ckpt_stream_end(&ex->ord_ck, 0);
        ex->ord_ck_on = 0;
    }
    if (c + 1 < w->chunks_per_slot)
        return;
    int whole = !ex->point_bad && rc == SIM_OK;
    if (ex->ord_ck_on) {
        if (ex_ckpt_stream_end(&ex->ord_ck, whole) != SIM_OK && whole)
            ckpt_lost(ex);
        ex->ord_ck_on = 0;
    }
    if (whole) {                         /* else it waits, streamed, for close_partial */
        ex->streamed[slot] = 0;
        if (ex->h.point_done)
            note_error(ex, ex->h.point_done(ex->h.user, slot, NULL, ex->done[slot]));
    }
}

static void skip_delivered(ex_experiment *ex)
{
    while (ex->ord_next < n_tasks(&ex->w) && ex->skip[ex->ord_next])
        ex->ord_next++;
}

/* Deliver ord_next and every kept task that follows it. */
static void drain(ex_experiment *ex)
{
    for (int found = 1; found;) {
        found = 0;
        skip_delivered(ex);
        for (size_t i = 0; i < ex->n_pend; i++)
            if (ex->pend[i].task == ex->ord_next) {
                struct pending p = ex->pend[i];
                ex->pend[i] = ex->pend[--ex->n_pend];
                deliver_task(ex, p.task, p.status, p.out);
                free(p.out);
                ex->ord_next++;
                found = 1;
                break;
            }
    }
}

static void collect_ordered(ex_experiment *ex, size_t task, int status, const void *out)
{
    const task_header *h = out;
    const unsigned char *done = (const unsigned char *)(h + 1);
    for (size_t r = 0; r < h->n; r++)
        ex->reps_finished += done[r];
    if (ex->h.progress)
        ex->h.progress(ex->h.progress_user, ex->reps_finished, ex->progress_total);
    skip_delivered(ex);
    if (task == ex->ord_next) {
        deliver_task(ex, task, status, out);
        ex->ord_next++;
        drain(ex);
        return;
    }
    if (ex->n_pend == ex->cap_pend) {
        size_t cap = ex->cap_pend ? 2 * ex->cap_pend : 8;
        struct pending *np = realloc(ex->pend, cap * sizeof *np);
        if (!np) {
            note_error(ex, SIM_ENOMEM);
            return;
        }
        ex->pend = np;
        ex->cap_pend = cap;
    }
    unsigned char *copy = malloc(task_size(ex));
    if (!copy) {
        note_error(ex, SIM_ENOMEM);
        return;
    }
    memcpy(copy, out, task_size(ex));
    ex->pend[ex->n_pend++] = (struct pending){task, status, copy};
}

/* Stopped: what arrived ahead of a task that never will goes out too, the
 * missing tasks as holes (nothing done), so every replication run is kept. */
static int flush_ordered(ex_experiment *ex)
{
    if (!ex->ordered || !ex->n_pend)
        return SIM_OK;
    size_t last = 0;
    for (size_t i = 0; i < ex->n_pend; i++)
        last = ex->pend[i].task > last ? ex->pend[i].task : last;
    unsigned char *hole = calloc(1, task_size(ex));
    if (!hole)
        return SIM_ENOMEM;
    while (ex->n_pend && ex->ord_next <= last) {
        drain(ex);
        if (!ex->n_pend || ex->ord_next > last)
            break;
        const window *w = &ex->w;
        size_t c = ex->ord_next % w->chunks_per_slot, first = c * w->chunk;
        ((task_header *)hole)->n = (uint32_t)(w->n - first < w->chunk ? w->n - first : w->chunk);
        deliver_task(ex, ex->ord_next, SIM_EINTR, hole);
        ex->ord_next++;
    }
    free(hole);
    return ex->first_error;
}

/* Rank 0: a task's result has arrived. */
static void collect(void *user, size_t task, int status, const void *out)
{
    ex_experiment *ex = user;
    if (status != SIM_OK && status != SIM_EINTR && !ex->first_error)
        ex->first_error = status;
    if (ex->ordered) {
        collect_ordered(ex, task, status, out);
        return;
    }
    const window *w = &ex->w;
    size_t slot = task / w->chunks_per_slot, c = task % w->chunks_per_slot;
    const task_header *h = out;
    const unsigned char *done = (const unsigned char *)(h + 1);
    const unsigned char *res = done + done_bytes(w);
    size_t rs = ex->cfg.record_size;
    if (!ex->res[slot]) {
        ex->res[slot] = calloc(w->n, rs);
        if (!ex->res[slot]) {
            ex->first_error = SIM_ENOMEM;
            return;
        }
    }
    if (h->direct) {
        done = ex->done[slot];
    } else {
        memcpy(ex->done[slot] + c * w->chunk, done, h->n);
        memcpy(ex->res[slot] + c * w->chunk * rs, res, h->n * rs);
    }
    for (size_t r = 0; r < h->n; r++)
        ex->reps_finished += done[r];
    if (ex->h.progress)
        ex->h.progress(ex->h.progress_user, ex->reps_finished, ex->progress_total);
    if (ex->per_point && --ex->chunks_left[slot] == 0 && status == SIM_OK) {
        int rc = finish_point(ex, slot, 1);
        if (rc != SIM_OK && !ex->first_error)
            ex->first_error = rc;
    }
}

/* Points go to chunk_done piece by piece (ex_hooks): one process. */
static int streams(const ex_experiment *ex)
{
    return ex->h.chunk_done && sim_farm_size() == 1 && ex->cfg.n_reps;
}

/* Replications a streamed piece holds: EX_STREAM_CHUNK rounded up to a
 * multiple of the thread count, or the configured chunk. */
static size_t stream_chunk(const ex_experiment *ex)
{
    size_t threads = (size_t)sim_runner_threads(ex->cfg.threads);
    size_t chunk = ex->cfg.chunk ? ex->cfg.chunk : (EX_STREAM_CHUNK + threads - 1) / threads * threads;
    return chunk > ex->cfg.n_reps ? ex->cfg.n_reps : chunk;
}

/* Resume, streaming: each reusable point's checkpoint is checked whole,
 * then read and delivered a chunk at a time. */
static int stream_resume(ex_experiment *ex, size_t *reused)
{
    size_t n = ex->cfg.n_reps, chunk = stream_chunk(ex);
    unsigned char *buf = malloc(chunk * ex->cfg.record_size + 1);
    if (!buf)
        return SIM_ENOMEM;
    int rc = SIM_OK;
    for (size_t i = 0; i < ex->cfg.n_points && rc == SIM_OK; i++) {
        ex_ckpt_reader r;
        rc = ex_ckpt_open(&ex->ckpt, i, &r);
        if (rc == SIM_EPARSE || rc == SIM_EIO) {
            ex->bad_point = i;               /* damaged: refused, never merged */
            break;
        }
        if (rc != SIM_OK) {
            rc = SIM_OK;
            continue;
        }
        memset(ex->done[i], 1, n);
        for (size_t first = 0; rc == SIM_OK && first < n; first += chunk) {
            size_t k = n - first < chunk ? n - first : chunk;
            if ((rc = ex_ckpt_get(&r, first, k, buf)) != SIM_OK) {
                ex->bad_point = i;
                break;
            }
            ex->streamed[i] = 1;
            rc = ex->h.chunk_done(ex->h.user, i, first, k, buf, ex->done[i] + first);
        }
        ex_ckpt_close(&r);
        if (rc != SIM_OK)
            break;
        for (size_t c = 0; c < ex->w.chunks_per_slot; c++)
            ex->skip[i * ex->w.chunks_per_slot + c] = 1;
        ex->chunks_left[i] = 0;
        ex->streamed[i] = 0;
        ex->reps_finished += n;
        if (ex->h.point_done && (rc = ex->h.point_done(ex->h.user, i, NULL, ex->done[i])) != SIM_OK)
            break;
        (*reused)++;
    }
    free(buf);
    return rc;
}

int ex_resume(ex_experiment *ex, size_t *reused)
{
    *reused = 0;
    if (!ex->have_ckpt)
        return SIM_OK;
    if (ex->h.chunk_done && ex->cfg.n_reps)   /* one process, or MPI's rank 0 */
        return stream_resume(ex, reused);
    size_t reps = ex->cfg.n_reps;
    for (size_t i = 0; i < ex->cfg.n_points; i++) {
        if (!(ex->res[i] = calloc(reps, ex->cfg.record_size)))
            return SIM_ENOMEM;
        int rc = ex_ckpt_read(&ex->ckpt, i, ex->done[i], ex->res[i]);
        if (rc == SIM_EPARSE || rc == SIM_EIO) {
            ex->bad_point = i;               /* damaged: refused, never merged */
            return rc;
        }
        if (rc == SIM_OK) {
            for (size_t c = 0; c < ex->w.chunks_per_slot; c++)
                ex->skip[i * ex->w.chunks_per_slot + c] = 1;
            ex->chunks_left[i] = 0;
            ex->reps_finished += reps;
            if ((rc = finish_point(ex, i, 0)) != SIM_OK)
                return rc;
            (*reused)++;
        } else {
            free(ex->res[i]);
            ex->res[i] = NULL;
            memset(ex->done[i], 0, reps);
        }
    }
    return SIM_OK;
}

size_t ex_resume_bad_point(const ex_experiment *ex) { return ex->bad_point; }

/* A streamed point's blocks, as sim_runner_stream hands them over. */
typedef struct {
    ex_experiment *ex;
    size_t point, reps_before;           /* reps_finished when the point began */
    ex_ckpt_stream ck;
    int ck_on;
} stream_sink;

static int deliver_block(void *user, size_t first, size_t k, const void *records,
                         const unsigned char *done)
{
    stream_sink *ss = user;
    ex_experiment *ex = ss->ex;
    size_t ndone = 0;
    for (size_t r = 0; r < k; r++)
        ndone += done[r];
    ex->reps_finished += ndone;          /* progress: stream_progress */
    ex->streamed[ss->point] = 1;
    int rc = ex->h.chunk_done(ex->h.user, ss->point, first, k, records, done);
    /* a block with holes (interrupted) is not checkpointed: a resume runs it again */
    if (ss->ck_on && rc == SIM_OK && ndone == k && ex_ckpt_stream_add(&ss->ck, records, k) != SIM_OK) {
        ckpt_lost(ex);
        ex_ckpt_stream_end(&ss->ck, 0);
        ss->ck_on = 0;
    }
    return rc;
}

/* The runner's count, serialised by it (a block's delivery runs beside it
 * and does not report). */
static void stream_progress(void *user, size_t done, size_t total)
{
    stream_sink *ss = user;
    (void)total;
    ss->ex->h.progress(ss->ex->h.progress_user, ss->reps_before + done, ss->ex->progress_total);
}

static int stream_point(ex_experiment *ex, size_t point, unsigned char *ring, size_t chunk)
{
    unsigned char *done = ex->done[point];
    sim_rep_fn fn = NULL;
    const void *ctx = NULL;
    int rc = ex->h.open_point(ex->h.user, point, &fn, &ctx);
    /* the checkpoint grows with the point; a lost one only costs a resume
     * its reuse: report, go on */
    stream_sink ss = {.ex = ex, .point = point, .ck = {.fd = -1}};
    ss.ck_on = ex->have_ckpt && rc == SIM_OK;
    if (ss.ck_on && ex_ckpt_stream_begin(&ex->ckpt, point, &ss.ck) != SIM_OK) {
        ckpt_lost(ex);
        ss.ck_on = 0;
    }
    if (rc == SIM_OK && ex->cfg.stop && *ex->cfg.stop)
        rc = SIM_EINTR;
    if (rc == SIM_OK) {
        sim_runner_cfg rc_cfg = {.first_rep = 0, .n_reps = ex->cfg.n_reps,
                                 .result_size = ex->cfg.record_size, .threads = ex->cfg.threads,
                                 .stop = ex->cfg.stop};
        if (ex->h.progress) {
            rc_cfg.progress = stream_progress;
            rc_cfg.progress_user = &ss;
        }
        ss.reps_before = ex->reps_finished;
        rc = sim_runner_stream(&rc_cfg, fn, ctx, ring, chunk, deliver_block, &ss, done, NULL);
    }
    if (ss.ck_on) {
        int keep = rc == SIM_OK;
        if (ex_ckpt_stream_end(&ss.ck, keep) != SIM_OK && keep)
            ckpt_lost(ex);
    }
    if (rc == SIM_OK) {
        ex->chunks_left[point] = 0;
        ex->streamed[point] = 0;
        rc = ex->h.point_done ? ex->h.point_done(ex->h.user, point, NULL, done) : SIM_OK;
    }
    return rc;
}

static int stream_run(ex_experiment *ex)
{
    size_t chunk = stream_chunk(ex);
    unsigned char *ring = malloc(2 * chunk * ex->cfg.record_size + 1);
    if (!ring)
        return SIM_ENOMEM;
    int rc = SIM_OK;
    for (size_t i = 0; i < ex->cfg.n_points && rc == SIM_OK; i++)
        if (!ex->skip[i * ex->w.chunks_per_slot])
            rc = stream_point(ex, i, ring, chunk);
    free(ring);
    return rc;
}

int ex_run(ex_experiment *ex)
{
    set_window(ex, 0, ex->cfg.n_points, 0, ex->cfg.n_reps);
    ex->per_point = 1;
    ex->progress_total = ex->cfg.n_points * ex->cfg.n_reps;
    if (streams(ex))
        return stream_run(ex);
    /* Every rank must skip the same tasks: rank 0 decided. */
    sim_farm_bcast_bytes(ex->skip, n_tasks(&ex->w));
    ex->ordered = sim_farm_rank() == 0 && ex->h.chunk_done != NULL;
    ex->ord_next = 0;
    ex->ord_started = 0;
    int rc = sim_farm_run(n_tasks(&ex->w), task_size(ex), ex->skip, run_task, collect, ex,
                          ex->cfg.stop);
    if (sim_farm_rank() != 0)
        return rc;
    return ex->first_error ? ex->first_error : rc;
}

int ex_flush_partial(ex_experiment *ex)
{
    int frc = flush_ordered(ex);
    if (frc != SIM_OK)
        return frc;
    for (size_t i = 0; i < ex->cfg.n_points; i++) {
        /* streamed: its chunks so far were delivered; else its records are
         * held (finished points were delivered and freed) */
        int rc = SIM_OK;
        if (ex->streamed[i]) {
            rc = close_streamed(ex, i);
        } else if (ex->res[i]) {
            size_t any = 0;
            for (size_t r = 0; r < ex->cfg.n_reps; r++)
                any += ex->done[i][r];
            rc = any ? finish_point(ex, i, 0) : SIM_OK;
        }
        if (rc != SIM_OK)
            return rc;
    }
    return SIM_OK;
}

/* ------------------------------------------------------------ ex_evaluate -- */

typedef struct {
    ex_experiment *ex;
    unsigned char *records, *done;
} eval_ctx;

static void eval_done(void *user, size_t task, int status, const void *out)
{
    eval_ctx *e = user;
    ex_experiment *ex = e->ex;
    const window *w = &ex->w;
    const task_header *h = out;
    const unsigned char *done = (const unsigned char *)(h + 1);
    size_t c = task % w->chunks_per_slot, rs = ex->cfg.record_size;
    if (status != SIM_OK && status != SIM_EINTR && !ex->first_error)
        ex->first_error = status;
    if (h->direct) {
        done = e->done;
    } else {
        memcpy(e->done + c * w->chunk, done, h->n);
        memcpy(e->records + c * w->chunk * rs, done + done_bytes(w), h->n * rs);
    }
    for (size_t r = 0; r < h->n; r++)
        ex->reps_finished += done[r];
    if (ex->h.progress)
        ex->h.progress(ex->h.progress_user, ex->reps_finished, ex->progress_total);
}

static int eval_task(void *user, size_t task, void *out)
{
    return run_task(((eval_ctx *)user)->ex, task, out);
}

int ex_evaluate(ex_experiment *ex, size_t point, uint64_t first, size_t n, void *records,
                unsigned char *done)
{
    if (n == 0)
        return SIM_OK;
    window saved = ex->w;
    set_window(ex, point, 1, first, n);
    ex->per_point = 0;
    ex->first_error = 0;
    ex->reps_finished = 0;
    ex->progress_total = n;
    if (sim_farm_rank() == 0)
        memset(done, 0, n);
    eval_ctx e = {ex, records, done};
    ex->eval_records = records;
    ex->eval_done = done;
    int rc = sim_farm_run(n_tasks(&ex->w), task_size(ex), NULL, eval_task, eval_done, &e,
                          ex->cfg.stop);
    ex->eval_records = ex->eval_done = NULL;
    int first_error = ex->first_error;
    ex->w = saved;
    if (sim_farm_rank() != 0)
        return rc;
    return first_error ? first_error : rc;
}
