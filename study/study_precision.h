/* study_precision: replications to a precision, the replication algorithm
 * of Hoad, Robinson and Davies (2010), "Automated selection of the number
 * of replications for a discrete-event simulation", run in fixed-size
 * batches over study_extend.
 *
 * A point gets a minimum number of replications first, then one batch at a
 * time; after each batch every target's 95% half-width is checked (the
 * half-width printed in the tables: delta-method for shares, Student t for
 * means).  When every target holds at n replications, the algorithm looks
 * ahead: it stops only once every target has held after each further
 * batch up to n + f(n), f(n) = 5 replications for n <= 100 and 5% of n
 * above (Hoad et al.'s kLimit = 5), rounded up to whole batches; a target
 * lost on the way starts the look-ahead again.  max_reps bounds it.  All
 * the replications run are kept in the estimate.
 *
 * Decisions are taken on rank 0 from the summaries of replications
 * [0, n), which are the same bits for any thread or rank count, and
 * broadcast, so every rank takes the same steps and the number of
 * replications is the same whatever the parallelism. */
#ifndef STUDY_PRECISION_H
#define STUDY_PRECISION_H

#include <stddef.h>
#include "an_summary.h"
#include "study.h"

#define STUDY_PRECISION_MAX_TARGETS 16
#define STUDY_PRECISION_BATCH 10        /* replications a batch (and the minimum) */
#define STUDY_PRECISION_MAX_REPS 2000   /* default bound */

typedef struct {
    int metric;                /* index of an rf_metric */
    double h;                  /* the 95% half-width wanted: absolute, or a fraction of |mean| */
    int relative;              /* 1: h is relative ("5%" is 0.05) */
} study_precision_target;

struct study_precision_cfg {
    study_precision_target targets[STUDY_PRECISION_MAX_TARGETS];
    size_t n_targets;
    size_t batch;              /* 0: STUDY_PRECISION_BATCH */
    size_t min_reps;           /* 0: one batch */
    size_t max_reps;           /* 0: STUDY_PRECISION_MAX_REPS */
};

enum { STUDY_STOP_NONE, STUDY_STOP_MET, STUDY_STOP_MAX };

struct study_precision_result {
    size_t reps;               /* replications run and in the estimate */
    size_t first_met;          /* replications at which every target held for good; 0: never */
    int stopped;               /* STUDY_STOP_MET or STUDY_STOP_MAX */
};

/* Parse one --precision value 'METRIC=H' (H a number, or a percentage
 * "5%") into t.  SIM_OK, or SIM_EPARSE with why (the accepted form, or
 * the unknown metric). */
int study_precision_parse(const char *spec, study_precision_target *t, char *why, size_t size);

/* 1 when every target holds on summary ps (a metric with no estimate or
 * fewer than 2 replications does not). */
int study_precision_holds(const study_precision_cfg *c, const an_point_summary *ps);

/* The look-ahead after n replications, in replications: Hoad et al.'s
 * f(kLimit = 5, n) rounded up to whole batches. */
size_t study_precision_look_ahead(const study_precision_cfg *c, size_t n);

/* Every rank: give point i of s replications until the targets hold (or
 * max_reps).  The replications stay in s (study_point_summary). */
int study_precision_point(study *s, size_t i, const study_precision_cfg *c,
                          study_precision_result *out, study_error *err);

/* Every rank: compare (common random numbers): give every point of s the
 * same replications, batch by batch, until every target holds on every
 * point i >= 1's paired difference from point 0 (its 95% half-width; a
 * relative target is a fraction of the difference's |estimate|), after the
 * minimum and the look-ahead, or max_reps.  *out is the one result every
 * point shares. */
int study_precision_paired(study *s, const study_precision_cfg *c,
                           study_precision_result *out, study_error *err);

/* 1 when every target holds on the paired difference alt - base. */
int study_precision_holds_paired(const study_precision_cfg *c, const an_point_summary *base,
                                 const an_point_summary *alt);

/* "target met" / "maximum reached", for tables and the results file. */
const char *study_precision_reason(int stopped);

#endif
