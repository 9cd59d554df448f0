/* study_compare: a baseline and alternatives on common random numbers
 * (refugesim compare), every measure's paired difference from the baseline
 * with its 95% interval, a short driver over the study.
 *
 * Point 0 is the baseline (the scenario file with --set); then one point
 * per alternative file (with the same --set) and one per --vs change of the
 * baseline, in that order.  Replication r of every point draws from the
 * streams of (seed, r), so differences are paired replication by
 * replication and the noise they share cancels.  That needs the same seed,
 * horizon and warm-up everywhere: an alternative file that differs in one
 * is refused, naming the key; so is one whose replications differ from the
 * baseline's unless --reps sets them for every scenario.
 *
 * With base.precision (study_precision.h) the targets are on every
 * alternative's paired difference from the baseline: all points are
 * extended together, batch by batch, so they keep one replication count
 * (study_precision_paired), and the files' own replications do not count. */
#ifndef STUDY_COMPARE_H
#define STUDY_COMPARE_H

#include <stddef.h>
#include "an_summary.h"
#include "study.h"

typedef struct {
    study_cfg base;            /* points.scenario_path: the baseline; --set, --reps, --seed,
                                  threads, output, hooks, precision (grid, alts: unused) */
    const char *const *files;  /* alternative scenario files */
    size_t n_files;
    const char *const *vs;     /* alternatives as changes: "KEY=VALUE[,KEY=VALUE...]" */
    size_t n_vs;
} study_compare_cfg;

typedef struct {
    study *s;                  /* the points run (summaries kept on rank 0); owned */
    an_comparison *rows;       /* rank 0: every alternative's metrics, point by point; owned */
    size_t n_rows;
    study_cfg *cfg;            /* the study's own cfg; owned */
    /* Interrupted (SIM_EINTR) with an output path, rank 0: the scenarios
     * written to it (complete = 0, no /comparison table), those of them
     * with every replication, how writing went (a sim_status) and its
     * failure in words.  Nothing is written when no replication finished. */
    size_t partial_written, partial_complete;
    int partial_status;
    char partial_message[1200];
} study_compare_result;

/* Run the comparison and (rank 0, with an output path) write the results
 * file with its /comparison table.  SIM_OK, or err says why.  Interrupted
 * (SIM_EINTR), the file holds what was evaluated, marked incomplete: each
 * scenario with the replications that finished (with --precision, those
 * of the batches that finished); out->partial_* say what. */
int study_compare(const study_compare_cfg *cfg, study_compare_result *out, study_error *err);
void study_compare_result_free(study_compare_result *r);  /* a zeroed one is fine */

/* The rows of point i (>= 1) within r: *n of them from the returned one. */
const an_comparison *study_compare_rows(const study_compare_result *r, size_t i, size_t *n);

#endif
