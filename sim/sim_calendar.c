#include "sim_calendar.h"
#include "sim_status.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

sim_calendar *sim_cal_create(size_t initial_capacity)
{
    sim_calendar *cal = calloc(1, sizeof *cal);
    if (!cal)
        return NULL;
    cal->cap = initial_capacity ? initial_capacity : 64;
    cal->heap = malloc((cal->cap + SIM_CAL_SENTINELS_) * sizeof *cal->heap);
    if (!cal->heap) {
        free(cal);
        return NULL;
    }
    sim_cal_reset(cal, 0);
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
    cal->held = 0;
    for (int i = 0; i < SIM_CAL_SENTINELS_; i++)
        cal->heap[i] = sim_cal_sentinel_;
    cal->next_seq = 0;
    cal->now = t0;
}

/* Kept out of line so the common path calls nothing and needs no saved
 * registers. */
__attribute__((noinline, cold)) int sim_cal_grow_insert_(sim_calendar *cal, double t, uint32_t kind,
                                                         uint32_t id, uint32_t tag)
{
    size_t ncap = cal->cap * 2;
    sim_cal_node_ *h = realloc(cal->heap, (ncap + SIM_CAL_SENTINELS_) * sizeof *h);
    if (!h)
        return SIM_ENOMEM;
    cal->heap = h;
    cal->cap = ncap;
    return sim_cal_schedule(cal, t, kind, id, tag);
}

/* The held root was not replaced: the last node takes its place. */
void sim_cal_drop_root_(sim_calendar *cal)
{
    cal->held = 0;
    size_t n = --cal->n;
    sim_cal_node_ last = cal->heap[n];
    cal->heap[n] = sim_cal_sentinel_;
    if (n > 0)
        sim_cal_sift_down_(cal->heap, n, last);
}

double sim_cal_now(const sim_calendar *cal) { return cal->now; }
size_t sim_cal_size(const sim_calendar *cal) { return cal->n - (size_t)cal->held; }
/* Nothing leaves the calendar but by a pop. */
uint64_t sim_cal_popped(const sim_calendar *cal) { return cal->next_seq - sim_cal_size(cal); }

double sim_cal_peek_time(const sim_calendar *cal)
{
    if (!cal->held)
        return cal->n ? sim_cal_key_time_(cal->heap[0].tkey) : INFINITY;
    /* the held root is gone: the earliest of its children */
    sim_cal_key_ best = ~(sim_cal_key_)0;
    for (size_t j = 1; j <= 2 && j < cal->n; j++) {
        sim_cal_key_ k = sim_cal_key_of_(&cal->heap[j]);
        best = k < best ? k : best;
    }
    return cal->n > 1 ? sim_cal_key_time_((uint64_t)(best >> 64)) : INFINITY;
}
