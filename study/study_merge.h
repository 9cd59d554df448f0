/* study_merge: join the parts of one sweep (`sweep --points FROM:TO`, one
 * results file each, e.g. the tasks of a Slurm job array) into the results
 * file a single `sweep` of the whole grid would have written: the same
 * points, tables, /point_table and /summary, bit for bit (only the
 * creation time, the command line, the thread and rank counts may differ).
 *
 * The parts may come in any order.  Before anything is written they must
 * be parts (part_first, part_last, grid_points, sweep_digest attributes) of
 * the same sweep (same build, grid, varied keys, scenario text, seed,
 * replications and sweep digest), each complete, and together hold every
 * point of the grid exactly once; otherwise err says which files and what
 * (err.input = 1).  Nothing prints. */
#ifndef STUDY_MERGE_H
#define STUDY_MERGE_H

#include <stddef.h>
#include "study.h"

typedef struct {
    const char *const *parts;  /* n_parts paths */
    size_t n_parts;
    const char *out_path;
    int force;                 /* replace an existing out_path */
    const char *command_line;  /* stored in the merged file */
} study_merge_cfg;

typedef struct {
    size_t n_points;           /* the grid's, now in out_path */
} study_merged;

/* SIM_OK and *done filled, or a failure that err words. */
int study_merge(const study_merge_cfg *cfg, study_merged *done, study_error *err);

#endif
