/* study_floor: the "no suitable unit" floor, households that no unit of a
 * scenario fits (rf_match), which more of the same units never reach.
 *
 * From a point's replications: the pooled share of all referrals left with
 * no suitable unit (the metric no_suitable_unit) and the shares by what
 * blocks them (rf_block_reason: the one attribute whose removal would let
 * some unit fit, or several); and the paired change of that share between
 * two points on common random numbers.  capacity and optimise use it to
 * say why a target cannot be met by more units, and what kind of block
 * would help. */
#ifndef STUDY_FLOOR_H
#define STUDY_FLOOR_H

#include <stddef.h>
#include "rf_result.h"
#include "sim_stats.h"
#include "study.h"

typedef struct {
    size_t reps;               /* replications it rests on */
    double share, ci95;        /* no suitable unit, of all referrals (delta-method interval) */
    double by[RF_BLK_N];       /* of all referrals, by blocking attribute */
} study_floor;

/* The floor over the replications r with done[r] (done NULL: all). */
void study_floor_of(const rf_result *res, const unsigned char *done, size_t n, study_floor *out);

/* The paired change b - a of the no-suitable share over the first n
 * replications both completed (replication r of each from the same
 * streams). */
void study_floor_change(const rf_result *a, const unsigned char *done_a, const rf_result *b,
                        const unsigned char *done_b, size_t n, sim_ratio_diff *out);

/* The best a target metric can be while the floor stays: for a share
 * that counts the households no unit fits as not accommodated (refused,
 * refused_of_eligible, no_suitable_unit) their pooled share in the metric's
 * own terms, the least it can fall to; for a share of households placed
 * (placed, placed_immediately, placed_within_7d, placed_within_28d) one
 * less that share and the screened out, the most it can rise to.  Returns
 * 0 for other metrics (the floor bounds them in no simple way). */
int study_floor_bound(const rf_result *res, const unsigned char *done, size_t n, int metric,
                      double *bound);

/* The three above over a study's points, their records read a block at
 * a time: the floor at point hi, its paired change from point base over
 * the replications both have, and the bound on metric (bounded 0: none).
 * Rank 0.  SIM_ENOMEM, or SIM_EIO when the records cannot be read. */
typedef struct {
    study_floor floor;
    sim_ratio_diff change;     /* hi minus base */
    int bounded;
    double bound;
} study_floor_report;
int study_floor_points(const study *s, size_t base, size_t hi, int metric, study_floor_report *out);

/* 1 when households are left that no unit fits and adding units did not
 * lower their share with 95% confidence (change: more units minus fewer). */
int study_floor_holds(const study_floor *f, const sim_ratio_diff *change);

#endif
