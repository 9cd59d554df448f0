/* study_rerun: repeat the run stored in a results file from the file alone
 * (every point's stored scenario carries its seed and replications), and
 * say whether the new file's data are identical to the stored ones: every
 * dataset, per-replication records included (an_h5_compare_data). */
#ifndef STUDY_RERUN_H
#define STUDY_RERUN_H

#include <stddef.h>
#include "an_h5.h"
#include "study.h"
#include "study_precision.h"

typedef struct {
    an_h5_file *file;
    char **texts;              /* n_points stored scenarios */
    double *values;            /* n_points x n_vary varied values */
    size_t n_points, n_vary;
    const char *const *vary_keys;
    long reps;                 /* point 0's replications */
    int has_comparison;        /* the file holds /comparison (refugesim compare) */
    int has_comparison_yearly; /* ... and /comparison_yearly (compare --by-year) */
    int has_precision;         /* the run chose its replications by --precision: */
    study_precision_cfg precision; /* its targets and bounds, run again the same way */
    char *source;              /* /scenario_source, NULL when the file has none */
    const char **labels;       /* n_points labels as stored (owned by file) */
} study_stored;

/* Open path and read its points.  On failure err says why. */
int study_rerun_load(const char *path, study_stored *out, study_error *err);
void study_rerun_free(study_stored *st);   /* a zeroed one is fine */

/* Point the study at the stored points (texts, varied keys and values,
 * replications); the rest of cfg is the caller's. */
void study_rerun_config(const study_stored *st, study_cfg *cfg);

/* The first metric whose mean or sd is not the same bits. */
typedef struct {
    int found;
    size_t point;
    char metric[AN_NAME_MAX];
    double now, stored;
} study_difference;

/* Rank 0, after the study ran with keep_summaries: 0 identical, 1 different
 * (first says where first), -1 when a stored summary cannot be read. */
int study_rerun_compare(study_stored *st, const study *s, study_difference *first);

/* Rank 0, after the study's file at path was committed: every dataset of
 * it against the stored file's.  0 identical (*n_compared datasets), 1
 * different (first names the dataset), -1 when a file cannot be read. */
int study_rerun_compare_file(study_stored *st, const char *path, an_h5_difference *first,
                             size_t *n_compared);

#endif
