/* rf_points: the refuge model's side of the experiment layer, the points an
 * experiment runs and the params of each.
 *
 * A point is a scenario (a file plus --set strings, or a resolved text kept
 * in a results file) and one value for each of the experiment's varied
 * keys.  The value of a scenario key becomes one more --set; pseudo-keys
 * change the params after loading:
 *   spaces=N          scale every unit block so the scenario has N units,
 *                     keeping the mix of unit kinds (rf_capacity_set_total)
 *   extra[NAME]=K     add K units to the first block of service NAME
 * A pseudo-key given as a --set (cfg.sets) means the same as the one value
 * varied; a --vary of the same key overrides it.
 * Overrides of the replications and the seed apply to every point.  With
 * texts (rerun), scenario keys are already in each text: only pseudo-keys
 * are applied again.
 *
 * Loading is done lazily and cached: one point is current at a time, and
 * every rank loads the points it runs itself.  Replication r of every point
 * uses the same random streams (common random numbers) since the streams
 * depend on (seed, r) only.
 *
 * Ownership: rf_points_create copies the keys and sets; texts and the
 * scenario path are borrowed for the life of the object.  Params, texts and
 * labels returned belong to the object and change with the current point. */
#ifndef RF_POINTS_H
#define RF_POINTS_H

#include <stddef.h>
#include <stdint.h>
#include "rf_params.h"
#include "rf_scenario.h"
#include "rf_sweep.h"

typedef struct {
    const char *scenario_path;        /* load each point from this file ... */
    const char *const *texts;         /* ... or point i from texts[i] (rerun) */
    const char *const *sets;          /* --set for points loaded from the file */
    size_t n_sets;
    size_t n_vary;
    const char *const *vary_keys;     /* n_vary keys (scenario keys or pseudo-keys) */
    long reps;                        /* > 0 overrides the scenario's replications */
    int seed_set;
    uint64_t seed;                    /* with seed_set, overrides the scenario's seed */
    const char *const *labels;        /* with texts: point i's label as stored (NULL, "": made) */
} rf_points_cfg;

/* One alternative of a comparison (refugesim compare): a scenario file of
 * its own (NULL: cfg's) with cfg's --set, then KEY=VALUE changes (scenario
 * keys as --set, pseudo-keys as in --vary), and the label it is shown by
 * (NULL: the usual one).  Everything is copied. */
typedef struct {
    const char *path;
    const char *const *kv;
    size_t n_kv;
    const char *label;
} rf_points_alt;

typedef struct rf_points rf_points;

/* SIM_ENOMEM or SIM_OK.  rf_points_free(NULL) is fine. */
int rf_points_create(const rf_points_cfg *cfg, rf_points **out);
void rf_points_free(rf_points *p);

/* Add a point: values[k] is the text of key k (NULL: numbers[k] written
 * with %.17g), numbers[k] its number in the point table (NULL: 0).  A bad
 * pseudo-key value gives SIM_EPARSE and a message in err; SIM_ENOMEM. */
int rf_points_add(rf_points *p, const char *const *values, const double *numbers, char *err,
                  size_t err_size);
/* Add an alternative as a point (its varied values, if any, are 0).  A
 * KEY=VALUE without '=' or with a bad pseudo-key value gives SIM_EPARSE and
 * a message in err; SIM_ENOMEM. */
int rf_points_add_alt(rf_points *p, const rf_points_alt *alt, char *err, size_t err_size);
/* Add every point of a grid in its order; the keys must be the grid's. */
int rf_points_add_grid(rf_points *p, const rf_sweep *grid, char *err, size_t err_size);

/* Whether a KEY=VALUE names a pseudo-key (spaces, extra[NAME]), which the
 * scenario loader does not take: callers that load a scenario with cfg.sets
 * themselves leave these out. */
int rf_points_is_pseudo_set(const char *kv);

size_t rf_points_count(const rf_points *p);
size_t rf_points_n_vary(const rf_points *p);
const char *const *rf_points_vary_keys(const rf_points *p);
/* Point i's n_vary numbers. */
const double *rf_points_values(const rf_points *p, size_t i);
/* Whether point i is loaded from texts (rerun) rather than the file. */
int rf_points_from_texts(const rf_points *p);

/* Make point i current: load its scenario, apply the overrides and the
 * pseudo-keys.  On failure diags say why (a pseudo-key that cannot apply
 * is one diagnostic with no file).  Returns a sim_status. */
int rf_points_load(rf_points *p, size_t i, rf_diags *diags);
/* The current point's params. */
const rf_params *rf_points_params(const rf_points *p);
/* The current point's scenario as loaded (the files it read:
 * rf_scenario_file), NULL before a point is. */
const rf_scenario *rf_points_scenario(const rf_points *p);
/* The current point's scenario as it is stored: its resolved scenario, with
 * the unit counts that spaces / extra[...] gave written out (every
 * service's units and every named block's) after a first line
 * RF_POINTS_COUNTS_LINE, so that the text alone gives the point's units;
 * from texts, the text as it is (a text without that line, from a file
 * written before counts were written out, still gets its pseudo-keys
 * applied to the params). */
#define RF_POINTS_COUNTS_LINE "# unit counts written out (spaces / extra[...] applied)\n"
const char *rf_points_text(const rf_points *p);
/* Fold what the current point's results depend on into a digest step:
 * h = fold(h, bytes, n) for seed, replications, resolved scenario, trace
 * rows and pseudo-keys. */
uint64_t rf_points_digest(const rf_points *p, uint64_t h,
                          uint64_t (*fold)(uint64_t h, const void *data, size_t n));

/* The current point's column heading, saying what varies at it: "<units>
 * spaces" when nothing is varied or only `spaces`; a key ending in "units"
 * by the block or service it names, in words ("accessible=3", "Juno
 * House=5", a block given by its index still by its name), extra[NAME] as
 * "NAME +K", other keys as "last=value" (last path component, the value as
 * given: first_fit, not its number; a value given only as a number in
 * the fewest digits that read back as it), joined by ", "; " (<units>
 * spaces)" after them when only unit counts vary.  A --set of a unit count
 * that is not varied shows the same way.  An alternative's own label, or
 * with texts the stored one, is used as it is.
 * Returns the label's length, as snprintf does: the label is in buf whole
 * only when that is less than size (buf may be NULL with size 0), so that
 * a caller with a limit refuses a longer label rather than cutting it. */
size_t rf_points_label(const rf_points *p, char *buf, size_t size);

/* The results writer's heading for a point given without a label (no
 * scenario at hand): "<units> spaces" when nothing is varied or only unit
 * counts, else "key=value, ..." (values as rf_points_label writes
 * numbers).  Returns its length as rf_points_label does; buf is always
 * NUL-terminated. */
size_t rf_point_label(char *buf, size_t size, int total_units, size_t n_vary,
                      const char *const *vary_keys, const double *vary_values);

#endif
