#include "sim_calendar.h"
#include "sim_status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 4-ary heap: shallower than binary, and the four children of a node share
 * a cache line or two, which makes sift-down cheaper on large calendars.
 *
 * Nodes do not store the double time but an order-preserving image of its
 * bits, so (time, sequence) is one unsigned 128-bit key: the comparison is
 * two instructions without branches, and the choice of the smallest child
 * compiles to conditional moves instead of hard-to-predict jumps. */
#define ARITY 4

typedef unsigned __int128 key128;

typedef struct {
    uint64_t tkey;   /* ordered image of t */
    uint64_t seq;
    uint32_t kind, id, tag, pad;
} node;

struct sim_calendar {
    node *heap;
    size_t n, cap;
    uint64_t next_seq;
    uint64_t popped;
    double now;
};

/* IEEE-754 doubles ordered as unsigned integers: set the sign bit of
 * non-negatives, flip every bit of negatives.  -0 is folded into +0 first
 * so that equal times tie-break by sequence alone. */
static inline uint64_t time_key(double t)
{
    uint64_t b;
    t += 0.0;
    memcpy(&b, &t, sizeof b);
    return (b >> 63) ? ~b : b | 0x8000000000000000u;
}

static inline double key_time(uint64_t k)
{
    uint64_t b = (k >> 63) ? k & 0x7fffffffffffffffu : ~k;
    double t;
    memcpy(&t, &b, sizeof t);
    return t;
}

static inline key128 key(const node *x)
{
    return (key128)x->tkey << 64 | x->seq;
}

sim_calendar *sim_cal_create(size_t initial_capacity)
{
    sim_calendar *cal = calloc(1, sizeof *cal);
    if (!cal)
        return NULL;
    cal->cap = initial_capacity ? initial_capacity : 64;
    cal->heap = malloc(cal->cap * sizeof *cal->heap);
    if (!cal->heap) {
        free(cal);
        return NULL;
    }
    return cal;
}

void sim_cal_destroy(sim_calendar *cal)
{
    if (!cal)
        return;
    free(cal->heap);
    free(cal);
}

void sim_cal_reset(sim_calendar *cal, double t0)
{
    cal->n = 0;
    cal->next_seq = 0;
    cal->popped = 0;
    cal->now = t0;
}

static inline __attribute__((always_inline)) void insert(sim_calendar *cal, double t, uint32_t kind,
                                                         uint32_t id, uint32_t tag)
{
    node ev = {time_key(t), cal->next_seq++, kind, id, tag, 0};
    key128 k = key(&ev);
    node *h = cal->heap;
    size_t i = cal->n++;
    while (i > 0) {
        size_t p = (i - 1) / ARITY;
        if (k >= key(&h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = ev;
}

/* Kept out of line so the common path calls nothing and needs no saved
 * registers. */
static __attribute__((noinline, cold)) int grow_and_insert(sim_calendar *cal, double t, uint32_t kind,
                                                           uint32_t id, uint32_t tag)
{
    size_t ncap = cal->cap * 2;
    node *h = realloc(cal->heap, ncap * sizeof *h);
    if (!h)
        return SIM_ENOMEM;
    cal->heap = h;
    cal->cap = ncap;
    insert(cal, t, kind, id, tag);
    return SIM_OK;
}

__attribute__((hot))
int sim_cal_schedule(sim_calendar *cal, double t, uint32_t kind, uint32_t id, uint32_t tag)
{
    if (__builtin_expect(!(t >= cal->now) || isinf(t), 0))
        return SIM_EINVAL;
    if (__builtin_expect(cal->n == cal->cap, 0))
        return grow_and_insert(cal, t, kind, id, tag);
    insert(cal, t, kind, id, tag);
    return SIM_OK;
}

__attribute__((hot))
bool sim_cal_pop(sim_calendar *cal, sim_event *ev)
{
    if (__builtin_expect(cal->n == 0, 0))
        return false;
    node *h = cal->heap;
    double t = key_time(h[0].tkey);
    *ev = (sim_event){t, h[0].seq, h[0].kind, h[0].id, h[0].tag};
    cal->now = t;
    cal->popped++;
    size_t n = --cal->n;
    node last = h[n];
    key128 klast = key(&last);
    size_t i = 0;
    for (;;) {
        size_t c = i * ARITY + 1;
        if (c >= n)
            break;
        size_t best = c;
        key128 kb = key(&h[c]);
        if (__builtin_expect(c + ARITY <= n, 1)) {
            /* all four children exist: a fixed, branch-free tournament */
            key128 k1 = key(&h[c + 1]), k2 = key(&h[c + 2]), k3 = key(&h[c + 3]);
            size_t b01 = k1 < kb ? c + 1 : c;
            key128 m01 = k1 < kb ? k1 : kb;
            size_t b23 = k3 < k2 ? c + 3 : c + 2;
            key128 m23 = k3 < k2 ? k3 : k2;
            best = m23 < m01 ? b23 : b01;
            kb = m23 < m01 ? m23 : m01;
        } else {
            for (size_t j = c + 1; j < n; j++) {
                key128 kj = key(&h[j]);
                if (kj < kb) {
                    kb = kj;
                    best = j;
                }
            }
        }
        if (kb >= klast)
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = last;
    return true;
}

double sim_cal_now(const sim_calendar *cal) { return cal->now; }
size_t sim_cal_size(const sim_calendar *cal) { return cal->n; }
double sim_cal_peek_time(const sim_calendar *cal) { return cal->n ? key_time(cal->heap[0].tkey) : INFINITY; }
uint64_t sim_cal_popped(const sim_calendar *cal) { return cal->popped; }
