/* sim_calendar: the future event list and the simulation clock.
 *
 * A 4-ary min-heap of plain event records ordered by (time, sequence): equal
 * times come out in the order they were scheduled (FIFO).  Storage grows by
 * doubling, so there is no allocation per event.  Cancellation is lazy: an
 * event carries a caller-chosen tag (for instance a generation counter of the
 * entity it concerns) and the caller ignores a popped event whose tag is stale.
 *
 * Ownership: sim_cal_create returns a calendar freed with sim_cal_destroy
 * (NULL is accepted).  A calendar belongs to one thread. */
#ifndef SIM_CALENDAR_H
#define SIM_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct {
    double t;        /* when */
    uint64_t seq;    /* scheduling order, breaks ties FIFO */
    uint32_t kind;   /* model-defined event type */
    uint32_t id;     /* model-defined entity index */
    uint32_t tag;    /* model-defined, e.g. generation for lazy cancellation */
} sim_event;

typedef struct sim_calendar sim_calendar;

sim_calendar *sim_cal_create(size_t initial_capacity);
void sim_cal_destroy(sim_calendar *cal);

/* Forget every pending event and reset the clock to t0. */
void sim_cal_reset(sim_calendar *cal, double t0);

/* Schedule at absolute time t >= now.  SIM_EINVAL for a time in the past or
 * not finite, SIM_ENOMEM if the heap cannot grow. */
int sim_cal_schedule(sim_calendar *cal, double t, uint32_t kind, uint32_t id, uint32_t tag);

/* Remove the earliest event into *ev and advance the clock to its time.
 * Returns false when the calendar is empty. */
bool sim_cal_pop(sim_calendar *cal, sim_event *ev);

double sim_cal_now(const sim_calendar *cal);
size_t sim_cal_size(const sim_calendar *cal);
/* Time of the earliest pending event, +inf when empty. */
double sim_cal_peek_time(const sim_calendar *cal);
/* Events popped since create/reset (the benchmark's event count). */
uint64_t sim_cal_popped(const sim_calendar *cal);

#endif
