/* an_h5: the results file (HDF5), writer and reader.
 *
 * Layout (format "refugesim-results", format_version 2; analysis/README.md
 * has the full tree and what changed from version 1, which is still read):
 *   /                 attributes: provenance, seed, threads, ranks, complete
 *   /scenario         resolved scenario text (variable-length UTF-8 string)
 *   [/scenario_source] the scenario file(s) as written, comments kept
 *   /point_table      one row per point: index, label, n_reps, reps_done,
 *                     total_units, horizon_days, warmup_days, one column per
 *                     varied key
 *   /summary          one row per point and metric: point, label, varied
 *                     values, metric, units, mean, lo, hi, half_width, n
 *   /points/<i>/      one group per point, i = 0, 1, ... (plain decimal)
 *       done, metrics/<name>, replications, outcomes, summary, services,
 *       groups, monthly/occupied, monthly/waiting, [scenario]
 * Every dataset has `units` and `description` attributes; tables (HDF5
 * Table layout) also have `column_units` and `column_descriptions` (one
 * string per column).
 *
 * Writing is atomic: everything goes to "<path>.tmp.<pid>" in the same
 * directory, which is flushed, fsynced and renamed into place by
 * an_h5_commit; on failure or an_h5_discard the temporary file is removed.
 * All calls must come from one thread (HDF5 is not thread-safe here), outside
 * OpenMP regions.  Functions return a sim_status and never print:
 *   SIM_EEXIST    path exists and force is 0
 *   SIM_ENOTFOUND the directory (writer) or the file (reader) is missing
 *   SIM_EIO       cannot create / sync / rename
 *   SIM_EPARSE    the file is HDF5 but not a refugesim results file
 *   SIM_EHDF5     any other HDF5 failure
 * The caller should have switched HDF5's automatic error printing off
 * (H5Eset_auto2(H5E_DEFAULT, NULL, NULL)); main.c does, and the writer
 * replaces it with a silent handler that keeps the errno (an_h5_sys_errno).
 * A program should call H5dont_atexit() before any other HDF5 call: after a
 * close that failed (a full disk) HDF5's exit-time cleanup crashes. */
#ifndef AN_H5_H
#define AN_H5_H

#include <stddef.h>
#include <stdint.h>
#include "an_compare_areas.h"
#include "an_summary.h"
#include "rf_params.h"
#include "rf_result.h"

#define AN_H5_FORMAT "refugesim-results"
#define AN_H5_FORMAT_VERSION 2

/* ------------------------------------------------------------ writing -- */

/* One scenario point.  Everything is borrowed for the duration of the call. */
typedef struct {
    const rf_params *params;      /* horizon, warm-up, units, service names */
    const double *vary_values;    /* n_vary values (an_run_info.n_vary), NULL when 0 */
    size_t n_reps;                /* replications planned */
    const rf_result *results;     /* n_reps records, index = replication */
    const void *net;              /* a network's: n_reps rf_net_records (rf_result.h), net_stride
                                     bytes apart; NULL: no area tables */
    size_t net_stride;
    const unsigned char *done;    /* n_reps flags, NULL = all done */
    const char *scenario_text;    /* this point's resolved scenario; NULL = the run's */
    const char *label;            /* column heading; NULL = rf_point_label() */
    /* --precision: why the point's replications stopped ("target met",
     * "maximum reached"), the point group's attribute `stopped`, and the
     * replications at which every target held for good (0: never),
     * attribute `reps_first_met`; NULL: a fixed number of replications. */
    const char *stopped;
    size_t first_met;
} an_point;

/* Replication r of pt completed (done NULL: every one did). */
static inline int an_point_rep_done(const an_point *pt, size_t r)
{
    return !pt->done || pt->done[r];
}

/* A part of a sweep's grid (sweep --points): the file's points 0, 1, ...
 * are the grid's points first, first + 1, ..., last, and every part of one
 * sweep has the same digest (`refugesim merge` joins them). */
typedef struct {
    uint64_t first, last, grid_points;
    uint64_t digest;              /* the sweep's inputs: grid, scenario, seed, replications, build */
} an_part;

typedef struct {
    const char *scenario_text;    /* resolved scenario (YAML), stored verbatim */
    const char *command_line;
    uint64_t seed;
    int threads, ranks;
    size_t n_vary;
    const char *const *vary_keys; /* n_vary scenario keys, e.g. "services[0].units" */
    size_t n_points;
    const char *note;             /* NULL, or a root attribute `note` (e.g. a capacity answer) */
    const char *const *attrs;     /* n_attrs (name, value) pairs: more root string attributes
                                     (optimise: kind, budget, candidates, target) */
    size_t n_attrs;
    const char *precision;        /* NULL, or the root attribute `precision`: the --precision
                                     targets, each point's replications chosen to meet them */
    uint64_t precision_reps[3];   /* with precision: batch, minimum and maximum replications,
                                     root attributes precision_batch, precision_min_reps,
                                     precision_max_reps (for rerun) */
    const char *scenario_source;  /* NULL, or /scenario_source: the scenario file as written,
                                     comments and source marks kept, then each file it
                                     extends after a line "# file: NAME" (the report's
                                     assumptions take their marks from it) */
    const an_part *part;          /* NULL, or the part of a grid this file holds: root
                                     attributes part_first, part_last, grid_points,
                                     sweep_digest */
} an_run_info;

typedef struct an_h5_writer an_h5_writer;
typedef struct an_h5_file an_h5_file;   /* a results file open for reading (below) */

/* Start a results file: checks path (SIM_EEXIST unless force; SIM_ENOTFOUND
 * when the directory is missing), creates the temporary file and writes the
 * root attributes and /scenario. */
int an_h5_create(const char *path, const an_run_info *info, int force, an_h5_writer **out);
/* Write point `index` (< n_points); each index at most once.  Points may
 * come in any order, so a sweep can write them as they finish and free the
 * records. */
int an_h5_put_point(an_h5_writer *w, size_t index, const an_point *pt);
/* The same point written piece by piece, so that its records need not all
 * be held (a point of a million replications): begin (pt->results is not
 * read), add replications [first, first + n) as they come (n records
 * res_stride bytes apart, done their flags, NULL: all done; in
 * replication order, SIM_EINVAL otherwise), then end with ps, the summary of the replications
 * added built with their network's areas and their years
 * (an_summary_build_begin with years, or an_point_summary_add_years), and
 * the same pt.  One point at a time; what end needs from pt (params,
 * label, scenario_text, vary_values, stopped) must be as at begin.  A
 * point begun and not ended is left out of the file.  ps stays the
 * caller's. */
int an_h5_point_begin(an_h5_writer *w, size_t index, const an_point *pt);
int an_h5_point_add(an_h5_writer *w, size_t first, size_t n, const rf_result *res,
                    size_t res_stride, const unsigned char *done);
int an_h5_point_end(an_h5_writer *w, const an_point *pt, const an_point_summary *ps);
/* Point src_index of another results file (open for reading), copied as
 * it is stored, as point `index` (< n_points; each index at most once);
 * its /point_table row and /summary rows come with it.  The files must
 * have the same varied keys (SIM_EINVAL) and scenario text, so that a
 * point's own scenario is stored exactly when it differs from the run's:
 * `refugesim merge` checks both.  SIM_EIO (an_h5_sys_errno ENOSPC) when
 * the disk lacks room for twice the point's share of the source file and
 * 1 MiB: HDF5 1.10's object copy crashes when the disk fills meanwhile. */
int an_h5_copy_point(an_h5_writer *w, size_t index, an_h5_file *src, size_t src_index);
/* Write the table /comparison (refugesim compare): one row per alternative
 * and metric (columns in analysis/README.md).  At most once, before
 * an_h5_commit. */
int an_h5_put_comparison(an_h5_writer *w, const an_comparison *rows, size_t n_rows);
/* Write the table /comparison_yearly (compare --by-year): one row per
 * alternative, year and metric (an_compare_years). */
int an_h5_put_comparison_yearly(an_h5_writer *w, const an_comparison_year *rows, size_t n_rows);
/* Write the table /comparison_areas (compare of a network): one row per
 * alternative, area ("all areas" first) and measure (an_compare_areas.h). */
int an_h5_put_area_comparison(an_h5_writer *w, const an_area_cmp_set *sets, size_t n_sets);
/* Write /point_table, /summary and the `complete` attribute (complete && every point
 * written with every replication done), close, fsync, rename into place.
 * Always frees w; on failure the temporary file is removed. */
int an_h5_commit(an_h5_writer *w, int complete);
/* Abandon: remove the temporary file, free w.  NULL is fine. */
void an_h5_discard(an_h5_writer *w);
/* The system error (errno: ENOSPC, EDQUOT, EROFS, EIO, ...) behind the
 * writer's last failure since an_h5_create, 0 when none is known; failures
 * with one are SIM_EIO, not SIM_EHDF5. */
int an_h5_sys_errno(void);
/* The words for a writer's failure st: strerror of an_h5_sys_errno() when
 * one is known ("No space left on device"), else sim_strerror(st). */
const char *an_h5_strerror(int st);

/* Everything at once: create, put every point, commit. */
typedef struct {
    an_run_info info;
    int complete;                 /* 0 when interrupted */
    const an_point *points;       /* info.n_points */
} an_run;
int an_h5_write(const char *path, const an_run *run, int force);

/* ------------------------------------------------------------ reading -- */

typedef struct {
    int format_version;
    const char *refugesim_version, *git_commit, *created_utc, *command_line, *rng;
    uint64_t seed;
    int threads, ranks, complete;
    size_t n_points;
    size_t n_vary;
    const char *const *vary_keys;
    int is_part;                  /* the file is a part of a sweep (sweep --points) */
    an_part part;                 /* with is_part */
    const char *precision;        /* NULL, or the --precision targets ("METRIC=H ...") */
    uint64_t precision_reps[3];   /* with precision: batch, minimum, maximum replications */
    const char *note;             /* NULL, or the root attribute `note` (capacity's answer,
                                     optimise's final mix) */
    const char *kind;             /* NULL, or the root attribute `kind` ("optimise": the
                                     points are the steps of its path) */
    const char *target;           /* NULL, or optimise's `target` ("reduce METRIC") */
} an_h5_info;

typedef struct {
    size_t index;
    const char *label;            /* whole, shorter than AN_LABEL_MAX; owned by the file handle */
    size_t n_reps, reps_done;     /* reps_done == n_reps > 0: the point is complete */
    int total_units;
    double horizon_days, warmup_days;
    const double *vary_values;    /* n_vary values, owned by the file handle */
    char stopped[32];             /* --precision: why its replications stopped (the point
                                     group's `stopped`: "target met", "maximum reached");
                                     "" for a fixed number of replications */
    size_t first_met;             /* with stopped: the replications from which every target
                                     held (`reps_first_met`; 0: never) */
} an_h5_point_row;

/* Open read-only; checks the format attribute. */
int an_h5_open(const char *path, an_h5_file **out);
void an_h5_close(an_h5_file *f);  /* NULL is fine */
/* Root attributes and varied keys; owned by f. */
const an_h5_info *an_h5_get_info(const an_h5_file *f);
/* Row i of /point_table (i < n_points); owned by f. */
const an_h5_point_row *an_h5_point_at(const an_h5_file *f, size_t i);

/* The run's resolved scenario text (malloc'd, caller frees). */
int an_h5_read_scenario(an_h5_file *f, char **text);
/* Point i's own scenario text if stored, else the run's. */
int an_h5_read_point_scenario(an_h5_file *f, size_t i, char **text);
/* /scenario_source (see an_run_info); SIM_ENOTFOUND when the file has none
 * (written before it was stored, or from a stored scenario alone). */
int an_h5_read_scenario_source(an_h5_file *f, char **text);
/* Convenience for `rerun`: open, read /scenario, close. */
int an_h5_read_scenario_text(const char *path, char **text);

/* done[] receives n_reps flags of point i (for sweep --resume). */
int an_h5_read_done(an_h5_file *f, size_t i, unsigned char *done);
/* out[] receives n_reps values of metric `name` (NaN where not done);
 * SIM_ENOTFOUND if the point has no such metric. */
int an_h5_read_metric(an_h5_file *f, size_t i, const char *name, double *out);
/* which = "occupied" or "waiting": *data (malloc'd, caller frees) holds
 * n_reps x n_months values, row-major. */
int an_h5_read_monthly(an_h5_file *f, size_t i, const char *which, double **data,
                       size_t *n_reps, size_t *n_months);
/* Summary, services and groups of point i (free with an_point_summary_free). */
int an_h5_read_point_summary(an_h5_file *f, size_t i, an_point_summary *out);

/* Every dataset of two results files, the same bits (tables row by row,
 * arrays by their first index, a slab of rows in memory at a time):
 * `rerun` compares the stored file with the one it wrote.  Attributes
 * (provenance, times, threads) are not compared.  first->found is 0 when
 * every dataset of either file is in the other with the same type, shape
 * and bits (*n_compared of them, may be NULL); else it names the first
 * that is not and why.  SIM_EHDF5 / SIM_ENOMEM when a file cannot be read. */
typedef struct {
    int found;
    char dataset[512];            /* its path, e.g. "/points/1/monthly/waiting" */
    char why[64];                 /* "its values differ", "it is not in the stored file", ... */
    size_t row;                   /* with values: the first row (first index) that differs */
} an_h5_difference;
int an_h5_compare_data(an_h5_file *stored, an_h5_file *now, an_h5_difference *first,
                       size_t *n_compared);

/* Any compound table, columns converted: integers and floats to double,
 * strings kept.  For CSV export and tools. */
typedef struct {
    size_t n_rows, n_cols;
    char **names;                 /* n_cols */
    char **descs;                 /* n_cols: the column_descriptions attribute ("" each
                                     when absent, as in format 1): a column's wording
                                     when its name was made safe, e.g. the scenario key */
    char *is_int, *is_str;        /* n_cols flags */
    double *num;                  /* n_rows x n_cols (NaN in string columns) */
    char **str;                   /* n_rows x n_cols (NULL in numeric columns) */
} an_table;
/* dset: path inside the file, e.g. "/points/0/groups". */
/* Whether the file holds the dataset or table at the root path name
 * (e.g. "comparison"), without reading it. */
int an_h5_has(an_h5_file *f, const char *name);
int an_h5_read_table(an_h5_file *f, const char *dset, an_table **out);
void an_table_free(an_table *t);  /* NULL is fine */
/* Column index by name, -1 if absent. */
int an_table_col(const an_table *t, const char *name);
/* Column index by name, else by description (a name as given before it
 * was made safe: a scenario key), -1 if neither. */
int an_table_col_named(const an_table *t, const char *name);

#endif
