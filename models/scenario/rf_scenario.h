/* rf_scenario: scenario files (YAML) -> rf_params, with diagnostics.
 *
 * A scenario file is YAML mapped onto a libcyaml schema (scenarios/README.md
 * documents every key).  Loading is a pipeline, each step able to report
 * several problems at once:
 *
 *   1. each source file is pre-scanned for tabs and parsed by libyaml into a
 *      node tree that remembers file:line:column of every key and value;
 *   2. `extends:` chains are merged: built-in defaults, then the base file,
 *      then the file that extends it (mappings merge key by key, a mapping
 *      with `dist:` replaces the one below it, lists of named entries merge
 *      by `name`, other lists are replaced), then every --set in order;
 *   3. per-service defaults are filled in and blocks inherit the attributes
 *      of their service;
 *   4. the merged tree is checked against the libcyaml schema (unknown keys,
 *      types, required keys, list lengths), then emitted as the resolved text
 *      and loaded by libcyaml into the schema structs;
 *   5. the structs become an rf_params and semantic checks run (ranges,
 *      distributions, names, units that fit no household), each naming the
 *      key path and the file:line:column the value came from.
 *
 * Nothing is printed: problems land in an rf_diags for the CLI to print.
 * Functions are reentrant (no static state); one rf_scenario per caller.
 *
 * Ownership: rf_scenario_load_* allocate *out, which the caller releases
 * with rf_scenario_free.  The rf_params, text and path returned by the
 * accessors belong to the rf_scenario and live until it is freed; params'
 * `trace` points into it too, so copies of the params must not outlive it. */
#ifndef RF_SCENARIO_H
#define RF_SCENARIO_H

/* Bounded input: a scenario file (and each file it extends) is a regular
 * file of at most 16 MiB; YAML aliases may expand a document to at most
 * 100000 nodes or twice its own, whichever is more (the scenario tree's
 * ST_MAX_EXPANDED); one YAML document per file and per --set. */
#define RF_SCENARIO_MAX_BYTES (16u << 20)

#include <stddef.h>
#include "rf_params.h"

/* One problem.  line/column are 1-based; 0 when the problem is not tied to
 * a place in a file (a --set has file "--set" and line 0). */
typedef struct {
    char file[256];
    int line, column;
    char key[128];      /* key path, e.g. services[2].blocks[0].largest_family; may be "" */
    char message[320];  /* "what is wrong (accepted: ...)" */
} rf_diag;

/* Up to 64 problems; further ones are counted in `dropped`. */
typedef struct {
    int n;
    int dropped;
    rf_diag items[64];
} rf_diags;

typedef struct rf_scenario rf_scenario;

/* Load a scenario file, applying `sets` ("key.path=value", n_sets of them,
 * may be NULL when n_sets is 0) after `extends:` is resolved.  Paths take
 * dotted keys, [index] for list entries, [name] for the entry with that
 * name, and * for every entry: `referrals.per_year=900`,
 * `services[0].units=12`, `services.*.units=10`,
 * `services[Juno House].stay.mean=200`, `waiting.patience.mean=30`.
 * A value is read as YAML, so `{dist: exponential, mean: 30}` works.
 *
 * Returns SIM_OK and sets *out; or SIM_EIO (a file cannot be read),
 * SIM_EPARSE (malformed YAML, unknown keys, wrong types), SIM_ERANGE
 * (values out of range), SIM_ENOMEM, with *out NULL and `diags` filled.
 * `diags` is cleared first; it may be NULL when the caller only wants the
 * status. */
int rf_scenario_load_file(const char *path, const char *const *sets, size_t n_sets,
                          rf_scenario **out, rf_diags *diags);

/* The same from text in memory.  `display_name` names the text in
 * diagnostics; relative `extends:` and `referrals.trace` paths are taken
 * relative to its directory (the current directory when it has none). */
int rf_scenario_load_text(const char *yaml, const char *display_name,
                          const char *const *sets, size_t n_sets,
                          rf_scenario **out, rf_diags *diags);

const rf_params *rf_scenario_params(const rf_scenario *s);
/* The same, for the scenario's owner to adjust (rf_points: --reps, --seed,
 * spaces=); the text stays what was loaded. */
rf_params *rf_scenario_params_edit(rf_scenario *s);

/* The resolved scenario as self-contained YAML: extends and --set applied,
 * every default written out, the trace path made absolute (or relative to
 * the current directory when the file does not exist).  rf_scenario_load_text of it gives identical params. */
const char *rf_scenario_text(const rf_scenario *s);

/* The name of block `block` of service `service` in the params (its
 * `blocks` entry's name); "" for the block of the units the named blocks
 * leave (the service's own attributes, placed first); NULL when there is
 * no such block. */
const char *rf_scenario_block_name(const rf_scenario *s, int service, int block);

/* The path (or display name) the scenario was loaded from. */
const char *rf_scenario_path(const rf_scenario *s);

/* The files it was read from, for the output checks (an output must be
 * none of them): the scenario file (when loaded from one), each file it
 * extends, then the trace, as their paths were given or resolved.  NULL
 * past the end. */
size_t rf_scenario_n_files(const rf_scenario *s);
const char *rf_scenario_file(const rf_scenario *s, size_t i);

void rf_scenario_free(rf_scenario *s);   /* NULL ok */

/* Where the value of `key` (a dotted path as --set takes it) is written in
 * text, one scenario file as written (what it extends is not followed):
 * the 1-based line and column of the value's first character.  SIM_OK
 * when the value is a scalar written there; SIM_ENOTFOUND when the file
 * does not write it (it comes from a file it extends, or a default) or it
 * is not a scalar; SIM_EPARSE when text is not YAML. */
int rf_scenario_locate(const char *text, const char *key, int *line, int *col);

/* The loader's work in this thread so far: key comparisons and YAML events
 * read.  It grows linearly with the text (a mapping's keys are found
 * through a hash index, nesting is refused beyond 64 levels before libyaml
 * builds the document); tests count it instead of timing the load. */
size_t rf_scenario_work(void);

/* "FILE:LINE:COL: error: KEY: message", leaving out LINE:COL when line is
 * 0 and "KEY: " when key is empty.  Always NUL-terminates when size > 0. */
void rf_diag_format(const rf_diag *d, char *buf, size_t size);

#endif
