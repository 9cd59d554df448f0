#include "mq_queue.h"
#include "sim_calendar.h"
#include "sim_rng.h"
#include "sim_runner.h"
#include "sim_status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { EV_ARRIVAL, EV_DEPARTURE, EV_RENEGE, EV_WARMUP_END, EV_END };
enum { ST_ARRIVALS, ST_SERVICE, ST_PATIENCE };

/* Waiting customers in arrival order; customer k sits at slot k & mask while
 * waiting.  Reneging marks the slot; the head skips marked slots. */
typedef struct {
    double arrived;
    unsigned char gone;
    unsigned char counted;    /* arrived after warm-up */
} waiter;

typedef struct {
    waiter *w;
    uint64_t head, tail, mask;  /* customers head..tail-1 are in the ring */
    long live;                  /* waiting and not reneged */
} ring;

static int ring_push(ring *r, double arrived, int counted, uint64_t *k)
{
    if (r->tail - r->head == r->mask + 1) {
        uint64_t ncap = (r->mask + 1) * 2;
        waiter *nw = malloc(ncap * sizeof *nw);
        if (!nw)
            return SIM_ENOMEM;
        for (uint64_t i = r->head; i < r->tail; i++)
            nw[i & (ncap - 1)] = r->w[i & r->mask];
        free(r->w);
        r->w = nw;
        r->mask = ncap - 1;
    }
    *k = r->tail;
    r->w[r->tail & r->mask] = (waiter){arrived, 0, (unsigned char)counted};
    r->tail++;
    r->live++;
    return SIM_OK;
}

/* Time-weighted areas of the number in system and of busy servers, kept as
 * integrals: over [t0, T], the area under a level L is
 *     L(T) T - L(t0) t0 - sum of d_i t_i
 * over its changes d_i at times t_i, so a change by one costs one addition
 * (acc -= d t) instead of advancing an area to the present.  The number in
 * queue is the one minus the other; busy servers change only when a server
 * goes idle or starts on an empty queue, not on every departure. */
typedef struct {
    double t0, acc_sys, acc_busy;
    long sys, busy;
} levels;

static inline void level_sys(levels *l, double now, long d)
{
    l->sys += d;
    l->acc_sys -= (double)d * now;
}

static inline void level_busy(levels *l, double now, long d)
{
    l->busy += d;
    l->acc_busy -= (double)d * now;
}

static void levels_restart(levels *l, double now)
{
    l->t0 = now;
    l->acc_sys = -(double)l->sys * now;
    l->acc_busy = -(double)l->busy * now;
}

static double level_mean(const levels *l, double acc, long level, double end)
{
    double span = end - l->t0;
    return span > 0 ? ((double)level * end + acc) / span : (double)level;
}

/* The run's state.  Streams and the waiting ring live apart (mq_run's
 * locals) and are reached through pointers: functions that are not inlined
 * (the ziggurat's slow path, ring growth) get their addresses, never this
 * struct's, so the compiler can keep its fields in registers through the
 * event loop. */
typedef struct {
    const mq_params *p;
    sim_calendar *cal;
    sim_stream *arr, *svc, *pat;
    ring *q;
    levels lv;
    int stats_on;
    int exp_service;          /* service is exponential: inline inversion */
    int may_renege;           /* patience is finite: waiters can be gone */
    double svc_mean, arr_mean;
    mq_result cnt;            /* the counters, copied out at the end */
} mq_state;

/* Exponential variates by the ziggurat method (Marsaglia & Tsang 2000, 256
 * layers): one 64-bit draw and a multiply in 98.9% of cases, against a log
 * for inversion, which was a third of the time of an M/M/1 customer.  The
 * low 8 bits pick the layer and the top 53 the position, so they are
 * independent.  Exact in distribution; unlike sim_dist it is not a quantile
 * of one uniform, which this validation queue never needs.
 * zx[] holds the layer edges, decreasing from zx[0] (base layer incl. tail)
 * through zx[1] = R to zx[256] = 0; zf[i] = exp(-zx[i]). */
#define ZIG_R 7.69711747013104972
#define ZIG_V 3.949659822581572e-3
static double zx[257], zf[257];
static double zxs[256];          /* zx[i] * 2^-53: a 53-bit integer times it is u * zx[i], exactly */

__attribute__((constructor)) static void zig_init(void)
{
    zx[0] = ZIG_V * exp(ZIG_R);
    zx[1] = ZIG_R;
    for (int i = 2; i < 256; i++)
        zx[i] = -log(ZIG_V / zx[i - 1] + exp(-zx[i - 1]));
    zx[256] = 0;
    for (int i = 0; i <= 256; i++)
        zf[i] = exp(-zx[i]);
    for (int i = 0; i < 256; i++)
        zxs[i] = zx[i] * 0x1.0p-53;
}

static __attribute__((noinline)) double zig_slow(sim_stream *s, unsigned i, double x)
{
    for (;;) {
        if (i == 0)                                    /* tail beyond R: memoryless */
            return ZIG_R - log(1.0 - sim_stream_u01(s));
        if (zf[i] + (zf[i + 1] - zf[i]) * sim_stream_u01(s) < exp(-x))
            return x;
        uint64_t b = sim_stream_u64(s);
        i = (unsigned)(b & 0xff);
        x = (double)(b >> 11) * 0x1.0p-53 * zx[i];
        if (x < zx[i + 1])
            return x;
    }
}

static inline double exp_draw(sim_stream *s, double mean)
{
    uint64_t b = sim_stream_u64(s);
    unsigned i = (unsigned)(b & 0xff);
    double x = (double)(b >> 11) * zxs[i];
    if (__builtin_expect(x < zx[i + 1], 1))
        return mean * x;
    return mean * zig_slow(s, i, x);
}

/* A server starts on a customer: one that was idle, or one that has just
 * finished with another (busy servers unchanged). */
static inline __attribute__((always_inline)) int start_service(mq_state *s, double now,
                                                                double arrived, int counted)
{
    double st = s->exp_service ? exp_draw(s->svc, s->svc_mean)
                               : sim_dist_quantile(&s->p->service, sim_stream_u01(s->svc));
    if (counted) {
        s->cnt.served++;
        s->cnt.wait_sum += now - arrived;
        s->cnt.sojourn_sum += now - arrived + st;
    }
    return sim_cal_schedule(s->cal, now + st, EV_DEPARTURE, 0, 0);
}

static inline int on_arrival(mq_state *s, double now)
{
    const mq_params *p = s->p;
    int rc = sim_cal_schedule(s->cal, now + exp_draw(s->arr, s->arr_mean), EV_ARRIVAL, 0, 0);
    if (rc)
        return rc;
    int counted = s->stats_on;
    if (counted)
        s->cnt.arrivals++;
    if (s->lv.busy < p->servers) {
        level_sys(&s->lv, now, 1);
        level_busy(&s->lv, now, 1);
        return start_service(s, now, now, counted);
    }
    if (p->queue_cap >= 0 && s->q->live >= p->queue_cap) {
        if (counted)
            s->cnt.blocked++;
        return SIM_OK;
    }
    uint64_t k;
    if ((rc = ring_push(s->q, now, counted, &k)))
        return rc;
    if (counted)
        s->cnt.waited++;
    level_sys(&s->lv, now, 1);
    if (s->may_renege) {
        double pt = sim_dist_quantile(&p->patience, sim_stream_u01(s->pat));
        rc = sim_cal_schedule(s->cal, now + pt, EV_RENEGE, (uint32_t)k, (uint32_t)(k >> 32));
    }
    return rc;
}

static inline int on_departure(mq_state *s, double now)
{
    level_sys(&s->lv, now, -1);
    ring *q = s->q;
    while (s->may_renege && q->head < q->tail && q->w[q->head & q->mask].gone)
        q->head++;
    if (q->head == q->tail) {
        level_busy(&s->lv, now, -1);
        return SIM_OK;
    }
    waiter w = q->w[q->head & q->mask];
    q->head++;
    q->live--;
    return start_service(s, now, w.arrived, w.counted);
}

static inline void on_renege(mq_state *s, double now, uint64_t k)
{
    ring *q = s->q;
    if (k < q->head || k >= q->tail)
        return;                       /* already served */
    waiter *w = &q->w[k & q->mask];
    if (w->gone)
        return;
    w->gone = 1;
    q->live--;
    level_sys(&s->lv, now, -1);
    if (w->counted)
        s->cnt.abandoned++;
}

int mq_run(const mq_params *p, uint64_t rep, mq_result *out)
{
    if (p->servers < 1 || !(p->arrival_rate > 0) || !(p->horizon > 0) || p->warmup < 0)
        return SIM_EINVAL;
    memset(out, 0, sizeof *out);
    sim_stream arr, svc, pat;
    ring q = {.mask = 255};
    mq_state s = {.p = p, .arr = &arr, .svc = &svc, .pat = &pat, .q = &q};
    s.cal = sim_cal_create(256);
    q.w = malloc((q.mask + 1) * sizeof *q.w);
    if (!s.cal || !q.w) {
        sim_cal_destroy(s.cal);
        free(q.w);
        return SIM_ENOMEM;
    }
    sim_stream_init(&arr, p->seed, rep, ST_ARRIVALS);
    sim_stream_init(&svc, p->seed, rep, ST_SERVICE);
    sim_stream_init(&pat, p->seed, rep, ST_PATIENCE);
    s.exp_service = p->service.kind == SIM_DIST_EXP;
    s.may_renege = p->patience.kind != SIM_DIST_NONE;
    s.svc_mean = p->service.mean;
    s.arr_mean = 1.0 / p->arrival_rate;
    sim_cal_reset(s.cal, 0);
    s.stats_on = p->warmup <= 0;
    double end = p->warmup + p->horizon;
    int rc = sim_cal_schedule(s.cal, exp_draw(&arr, s.arr_mean), EV_ARRIVAL, 0, 0);
    if (!rc && p->warmup > 0)
        rc = sim_cal_schedule(s.cal, p->warmup, EV_WARMUP_END, 0, 0);
    if (!rc)
        rc = sim_cal_schedule(s.cal, end, EV_END, 0, 0);

    /* Arrivals left before the max_customers stop; UINT64_MAX = no limit. */
    uint64_t left = p->max_customers ? p->max_customers : UINT64_MAX;
    sim_event ev;
    /* A second SIGINT, or a SIGTERM's grace over, stops a run mid-way: looked
     * at every 4096 arrivals (every other event is a departure or renege of
     * an arrival, so at most about 12,000 events apart), by a countdown,
     * where a test on every event cost 6 of an M/M/1 customer's ~350
     * instructions. */
    unsigned polls = 4096;
    while (!rc && sim_cal_pop(s.cal, &ev)) {
        if (ev.kind == EV_DEPARTURE) {
            rc = on_departure(&s, ev.t);
        } else if (ev.kind == EV_ARRIVAL) {
            if (--polls == 0) {
                polls = 4096;
                if (sim_runner_abort) {
                    rc = SIM_EINTR;
                    break;
                }
            }
            rc = on_arrival(&s, ev.t);
            if (s.stats_on && --left == 0) {
                end = ev.t;
                break;
            }
        } else if (ev.kind == EV_RENEGE) {
            on_renege(&s, ev.t, (uint64_t)ev.id | ((uint64_t)ev.tag << 32));
        } else if (ev.kind == EV_WARMUP_END) {
            s.stats_on = 1;
            levels_restart(&s.lv, ev.t);
        } else {
            break;                    /* EV_END */
        }
    }
    *out = s.cnt;
    out->events = sim_cal_popped(s.cal);
    out->observed_time = end - (p->warmup > 0 ? p->warmup : 0);
    out->mean_in_system = level_mean(&s.lv, s.lv.acc_sys, s.lv.sys, end);
    out->mean_in_queue = out->mean_in_system - level_mean(&s.lv, s.lv.acc_busy, s.lv.busy, end);
    double a = (double)out->arrivals;
    out->p_block = a > 0 ? out->blocked / a : NAN;
    out->p_wait = a > 0 ? out->waited / a : NAN;
    out->p_abandon = a > 0 ? out->abandoned / a : NAN;
    out->mean_wait = out->served ? out->wait_sum / out->served : NAN;
    out->mean_sojourn = out->served ? out->sojourn_sum / out->served : NAN;
    out->throughput = out->observed_time > 0 ? (out->arrivals - out->blocked) / out->observed_time : NAN;
    sim_cal_destroy(s.cal);
    free(q.w);
    return rc;
}

int mq_run_rep(const void *ctx, uint64_t rep, void *result)
{
    return mq_run(ctx, rep, result);
}

double mq_erlang_b(int c, double a)
{
    double b = 1;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

double mq_erlang_c(int c, double a)
{
    double b = mq_erlang_b(c, a);
    return c * b / (c - a * (1 - b));
}

void mq_birth_death(int c, long K, double lambda, double mu, double theta,
                    double *p_wait, double *p_abandon, double *p_block, double *mean_in_system)
{
    /* Unnormalised pi_k by the product formula, rescaled as it goes so long
     * chains neither overflow nor underflow. */
    double *pi = malloc((size_t)(K + 1) * sizeof *pi);
    if (!pi) {
        *p_wait = *p_abandon = *p_block = *mean_in_system = NAN;
        return;
    }
    pi[0] = 1;
    double total = 1;
    for (long k = 1; k <= K; k++) {
        double death = (k < c ? k : c) * mu + (k > c ? (double)(k - c) : 0.0) * theta;
        pi[k] = pi[k - 1] * lambda / death;
        total += pi[k];
        if (total > 1e250) {
            for (long j = 0; j <= k; j++)
                pi[j] /= total;
            total = 1;
        }
    }
    double w = 0, ab = 0, L = 0;
    for (long k = 0; k <= K; k++) {
        double q = pi[k] / total;
        if (k >= c && k < K)
            w += q;
        if (k > c)
            ab += (double)(k - c) * theta * q;
        L += (double)k * q;
    }
    *p_wait = w;
    *p_block = pi[K] / total;
    *p_abandon = ab / lambda;
    *mean_in_system = L;
    free(pi);
}
