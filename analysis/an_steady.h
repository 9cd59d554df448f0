/* an_steady: warm-up and overload of a point, from its replications'
 * monthly series (rf_result: monthly_occupied, monthly_waiting,
 * monthly_refused), with the generic tests of sim_steady.
 *
 *   warm-up: MSER-5 (White 1997) on the monthly occupancy and waiting
 *   list, each averaged over the replications; the truncation point is the
 *   later of the two cuts whose months differ significantly from the rest
 *   (an_cut).  Run on the series after a scenario's warm-up, such a cut
 *   says the warm-up was too short, unless it reaches a month where the
 *   units in service change (monthly_units): units opening or closing
 *   move the series by design, and are not a transient.
 *   overload: the waiting list, or the refusals a month, keep growing over
 *   the horizon (after MSER-5's cut, or over the second half of the series
 *   when MSER-5 finds it unsettled): the mean slope over replications is above 0 with 99.9%
 *   confidence and the rise it makes over the series is material (at
 *   least one household, and a quarter of the series' mean).  Then the
 *   averages depend on the horizon: there is no steady state. */
#ifndef AN_STEADY_H
#define AN_STEADY_H

#include <stddef.h>
#include "rf_result.h"
#include "sim_steady.h"

#define AN_MONTH_DAYS (365.0 / 12)

/* MSER-5 on one monthly series, and whether the months it cuts differ from
 * the rest: the difference of their means in each replication, averaged,
 * with a 99.9% interval.  On a series already in steady state MSER-5 still
 * cuts somewhere (where the rest happens to vary least); such a cut is
 * noise, and is not counted. */
typedef struct {
    sim_mser mser;
    double early;              /* mean of the cut months minus mean of the rest */
    int significant;           /* 1: early differs from 0 with 99.9% confidence */
} an_cut;

typedef struct {
    size_t n_reps, n_months;   /* replications used; months every one of them has */
    double *occupied, *waiting; /* owned: n_months monthly means over the replications */
    an_cut cut_occupied, cut_waiting;
    size_t truncate_months;    /* the later significant cut (0: none) */
    int settled;               /* 0: a significant cut is still falling at half the series */
    int transient_left;        /* truncate_months > 0: on a series after a warm-up, the
                                  warm-up was too short; not when the cut reaches a change
                                  of the units in service */
    size_t units_change_month; /* the first month (from 0) whose units in service differ
                                  from the first month's (0: they never change) */
    int cut_hidden_by_change;  /* a cut reached that change: not judged */
    sim_trend trend_waiting, trend_refused;  /* per month, 99.9% intervals */
    int growing_waiting, growing_refused;
    int overloaded;            /* either grows */
} an_steady;

/* Over the replications with done[r] (done NULL: all).  SIM_ENOMEM; SIM_OK
 * otherwise, with n_months 0 when there is no month to look at. */
int an_steady_from_results(an_steady *out, const rf_result *res, const unsigned char *done,
                           size_t n_reps);
/* The same on months first_month.. of each series (the months after a
 * warm-up, of a run from day 0). */
int an_steady_window(an_steady *out, const rf_result *res, const unsigned char *done,
                     size_t n_reps, size_t first_month);
/* an_steady_from_results without the series (occupied and waiting NULL,
 * n_months kept): the verdicts alone, a plain value to copy, keep or send
 * to other ranks (the searches' points: capacity, optimise). */
int an_steady_verdict(an_steady *out, const rf_result *res, const unsigned char *done,
                      size_t n_reps);
/* an_steady_from_results chunk by chunk, so that the records need not be
 * held: room for cap replications, records in replication order (n of
 * them res_stride bytes apart), end gives *out (the builder is freed).
 * The same bits.  No replication's series is kept: each adds its part of
 * the statistics of every cut the tests can ask for (MSER-5's 5 d months,
 * half the series), so memory is a few hundred doubles whatever cap is.
 * A point's replications share their months: one with fewer months than
 * the first is SIM_EINVAL. */
typedef struct an_steady_builder an_steady_builder;
int an_steady_build_begin(an_steady_builder **out, size_t cap);
/* The same as an_steady_window: on months first_month.. of each series. */
int an_steady_build_begin_window(an_steady_builder **out, size_t cap, size_t first_month);
int an_steady_build_add(an_steady_builder *b, const rf_result *res, size_t res_stride,
                        const unsigned char *done, size_t n);
int an_steady_build_end(an_steady_builder *b, an_steady *out);
void an_steady_build_free(an_steady_builder *b);   /* NULL is fine */
void an_steady_free(an_steady *s);   /* zeroed or NULL is fine */

#endif
