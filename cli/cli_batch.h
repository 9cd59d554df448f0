/* cli_batch: run the points of a scenario (one point for `run`, a grid for
 * `sweep`, stored points for `rerun`) over MPI ranks and OpenMP threads,
 * checkpointing each finished point so an interrupted sweep can resume, and
 * write one results file.
 *
 * A point is a scenario (a file plus --set strings, or resolved text) and
 * optional pseudo-keys applied to its parameters after loading:
 *   spaces=N          scale every unit block so the scenario has N units
 *   extra[NAME]=K     add K units to the first block of service NAME
 * Replication r of every point uses the same random streams (common random
 * numbers): the seed is the scenario's, or --seed for all points.
 *
 * Work is cut into tasks of `chunk` replications of one point; a task's
 * result depends only on (point, replications), so results are the same bits
 * whatever the rank count, thread count or chunk order. */
#ifndef CLI_BATCH_H
#define CLI_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "an_summary.h"
#include "rf_scenario.h"
#include "rf_sweep.h"

typedef struct {
    const char *scenario_path;          /* file to load ... */
    const char *const *point_texts;     /* ... or one resolved text per point (rerun) */
    const char *const *sets;            /* --set, applied to every point loaded from a file */
    size_t n_sets;
    const rf_sweep *grid;               /* NULL or no keys: one point (unless point_texts) */
    size_t n_text_points;               /* with point_texts */
    const char *const *text_vary_keys;  /* with point_texts: keys and values (n_points x n) */
    const double *text_vary_values;
    const char *const *text_vary_strings;
    size_t n_text_vary;
    long reps;                          /* > 0 overrides the scenario */
    int seed_set;
    uint64_t seed;
    int threads;
    size_t chunk;                       /* replications per task, 0 = default */
    const char *out_path;               /* NULL: no results file */
    int force;
    int checkpoint;                     /* keep <out>.ckpt/ for --resume (sweeps) */
    int resume;                         /* reuse its finished points */
    int print;                          /* 0 none, 1 key metrics, 2 all metrics */
    int print_services, print_groups;
    const char *progress_label;
    const char *note;                   /* stored as the results file's `note` attribute */
} cli_batch_cfg;

/* Kept when asked (capacity search): every point's summary. */
typedef struct {
    size_t n_points;
    an_point_summary *points;           /* n_points, owned */
    int *total_units;                   /* n_points, owned */
    int complete;
} cli_batch_out;

/* Load and check every point, run them, print, write.  Prints its own
 * errors and returns an exit status (0, 1 runtime / interrupted, 2 input).
 * out may be NULL; otherwise the caller frees it with cli_batch_out_free. */
int cli_batch_run(const cli_batch_cfg *cfg, cli_batch_out *out);
void cli_batch_out_free(cli_batch_out *out);

/* Print every diagnostic of a failed scenario load in the GNU form. */
void cli_print_diags(const rf_diags *diags);

#endif
