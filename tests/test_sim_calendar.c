/* The calendar orders events by time, breaks ties FIFO, and rejects the past. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "sim_calendar.h"
#include "sim_rng.h"
#include "sim_status.h"

Test(calendar, million_random_events_come_out_sorted)
{
    enum { N = 1000000 };
    sim_calendar *cal = sim_cal_create(16);     /* forces many doublings */
    cr_assert_not_null(cal);
    sim_stream s;
    sim_stream_init(&s, 7, 0, 0);
    for (uint32_t i = 0; i < N; i++) {
        /* coarse times so that many ties occur */
        double t = floor(sim_stream_u01(&s) * 1000.0);
        cr_assert_eq(sim_cal_schedule(cal, t, 0, i, 0), SIM_OK);
    }
    cr_assert_eq(sim_cal_size(cal), N);
    sim_event ev, prev = {.t = -1};
    size_t n = 0;
    while (sim_cal_pop(cal, &ev)) {
        cr_assert(ev.t >= prev.t, "event %zu at %g after %g", n, ev.t, prev.t);
        if (ev.t == prev.t)
            cr_assert(ev.id > prev.id, "tie at %g not FIFO: id %u after %u", ev.t, ev.id, prev.id);
        cr_assert_eq(sim_cal_now(cal), ev.t);
        prev = ev;
        n++;
    }
    cr_assert_eq(n, N);
    cr_assert_eq(sim_cal_popped(cal), N);
    sim_cal_destroy(cal);
}

Test(calendar, interleaved_schedule_and_pop_keeps_order)
{
    sim_calendar *cal = sim_cal_create(4);
    sim_stream s;
    sim_stream_init(&s, 3, 1, 2);
    double last = 0;
    cr_assert_eq(sim_cal_schedule(cal, 0, 0, 0, 0), SIM_OK);
    for (int i = 0; i < 200000; i++) {
        sim_event ev;
        cr_assert(sim_cal_pop(cal, &ev));
        cr_assert_geq(ev.t, last);
        last = ev.t;
        int k = 1 + (int)(sim_stream_u01(&s) * 2);     /* keeps ~constant size */
        for (int j = 0; j < k && sim_cal_size(cal) < 1000; j++)
            cr_assert_eq(sim_cal_schedule(cal, ev.t + sim_stream_u01(&s), 0, 0, 0), SIM_OK);
        if (sim_cal_size(cal) == 0)
            cr_assert_eq(sim_cal_schedule(cal, ev.t + 1, 0, 0, 0), SIM_OK);
    }
    sim_cal_destroy(cal);
}

Test(calendar, refuses_the_past_and_non_finite_times)
{
    sim_calendar *cal = sim_cal_create(0);
    sim_cal_reset(cal, 10);
    cr_assert_eq(sim_cal_schedule(cal, 9.5, 0, 0, 0), SIM_EINVAL);
    cr_assert_eq(sim_cal_schedule(cal, NAN, 0, 0, 0), SIM_EINVAL);
    cr_assert_eq(sim_cal_schedule(cal, INFINITY, 0, 0, 0), SIM_EINVAL);
    cr_assert_eq(sim_cal_schedule(cal, 10, 1, 2, 3), SIM_OK);
    cr_assert_eq(sim_cal_peek_time(cal), 10);
    sim_event ev;
    cr_assert(sim_cal_pop(cal, &ev));
    cr_assert(ev.kind == 1 && ev.id == 2 && ev.tag == 3);
    cr_assert_not(sim_cal_pop(cal, &ev));
    cr_assert(isinf(sim_cal_peek_time(cal)));
    sim_cal_destroy(cal);
    sim_cal_destroy(NULL);
}

/* A popped event stays in the root until the next call (a schedule takes
 * its place); what the calendar reports must not show it. */
Test(calendar, popped_root_held_until_replaced_or_dropped)
{
    sim_calendar *cal = sim_cal_create(2);
    cr_assert_eq(sim_cal_schedule(cal, 5, 0, 1, 0), SIM_OK);
    cr_assert_eq(sim_cal_schedule(cal, 3, 0, 2, 0), SIM_OK);
    cr_assert_eq(sim_cal_schedule(cal, 4, 0, 3, 0), SIM_OK);
    sim_event ev;
    cr_assert(sim_cal_pop(cal, &ev));
    cr_assert_eq(ev.id, 2);
    cr_assert_eq(sim_cal_size(cal), 2);
    cr_assert_eq(sim_cal_popped(cal), 1);
    cr_assert_eq(sim_cal_peek_time(cal), 4);
    cr_assert_eq(sim_cal_now(cal), 3);
    /* replaced by a later event: it sinks below the others */
    cr_assert_eq(sim_cal_schedule(cal, 10, 0, 4, 0), SIM_OK);
    cr_assert_eq(sim_cal_size(cal), 3);
    cr_assert_eq(sim_cal_peek_time(cal), 4);
    /* not replaced: the next pop drops it first; ties stay FIFO */
    cr_assert(sim_cal_pop(cal, &ev) && ev.id == 3);
    cr_assert_eq(sim_cal_schedule(cal, 5, 0, 5, 0), SIM_OK);
    cr_assert(sim_cal_pop(cal, &ev) && ev.id == 1);
    cr_assert(sim_cal_pop(cal, &ev) && ev.id == 5);
    cr_assert(sim_cal_pop(cal, &ev) && ev.id == 4);
    cr_assert_not(sim_cal_pop(cal, &ev));
    cr_assert_eq(sim_cal_size(cal), 0);
    cr_assert_eq(sim_cal_popped(cal), 5);
    cr_assert(isinf(sim_cal_peek_time(cal)));
    /* growth from a full heap, with a held root */
    sim_cal_reset(cal, 0);
    for (uint32_t i = 0; i < 100; i++)
        cr_assert_eq(sim_cal_schedule(cal, 100 - i, 0, i, 0), SIM_OK);
    double last = 0;
    for (int i = 0; i < 100; i++) {
        cr_assert(sim_cal_pop(cal, &ev));
        cr_assert_geq(ev.t, last);
        last = ev.t;
    }
    cr_assert_eq(sim_cal_popped(cal), 100);
    sim_cal_destroy(cal);
}
