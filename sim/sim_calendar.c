#include "sim_calendar.h"
#include "sim_status.h"

#include <math.h>
#include <stdlib.h>

/* 4-ary heap: shallower than binary, and the four children of a node share
 * a cache line or two, which makes sift-down cheaper on large calendars. */
#define ARITY 4

struct sim_calendar {
    sim_event *heap;
    size_t n, cap;
    uint64_t next_seq;
    uint64_t popped;
    double now;
};

static inline int before(const sim_event *a, const sim_event *b)
{
    return a->t < b->t || (a->t == b->t && a->seq < b->seq);
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

int sim_cal_schedule(sim_calendar *cal, double t, uint32_t kind, uint32_t id, uint32_t tag)
{
    if (!(t >= cal->now) || isinf(t))
        return SIM_EINVAL;
    if (cal->n == cal->cap) {
        size_t ncap = cal->cap * 2;
        sim_event *h = realloc(cal->heap, ncap * sizeof *h);
        if (!h)
            return SIM_ENOMEM;
        cal->heap = h;
        cal->cap = ncap;
    }
    sim_event ev = {t, cal->next_seq++, kind, id, tag};
    sim_event *h = cal->heap;
    size_t i = cal->n++;
    while (i > 0) {
        size_t p = (i - 1) / ARITY;
        if (!before(&ev, &h[p]))
            break;
        h[i] = h[p];
        i = p;
    }
    h[i] = ev;
    return SIM_OK;
}

bool sim_cal_pop(sim_calendar *cal, sim_event *ev)
{
    if (cal->n == 0)
        return false;
    sim_event *h = cal->heap;
    *ev = h[0];
    cal->now = ev->t;
    cal->popped++;
    size_t n = --cal->n;
    if (n == 0)
        return true;
    sim_event last = h[n];
    size_t i = 0;
    for (;;) {
        size_t c = i * ARITY + 1;
        if (c >= n)
            break;
        size_t best = c;
        size_t end = c + ARITY < n ? c + ARITY : n;
        for (size_t k = c + 1; k < end; k++)
            if (before(&h[k], &h[best]))
                best = k;
        if (!before(&h[best], &last))
            break;
        h[i] = h[best];
        i = best;
    }
    h[i] = last;
    return true;
}

double sim_cal_now(const sim_calendar *cal) { return cal->now; }
size_t sim_cal_size(const sim_calendar *cal) { return cal->n; }
double sim_cal_peek_time(const sim_calendar *cal) { return cal->n ? cal->heap[0].t : INFINITY; }
uint64_t sim_cal_popped(const sim_calendar *cal) { return cal->popped; }
