/* rf_scenario_tree: a YAML node tree (libyaml parses it) whose every key
 * and value remembers where it came from, with merge, --set, lookup and
 * emit; not API.  Calls only the diagnostics (rf_scenario_diag.h). */
#ifndef RF_SCENARIO_TREE_H
#define RF_SCENARIO_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include "rf_scenario_diag.h"

/* ---- arena: every tree node and string of one load lives in one ---- */

typedef struct st_arena st_arena;
st_arena *st_arena_new(void);
void st_arena_free(st_arena *a);
void *st_alloc(st_arena *a, size_t size);   /* zeroed; NULL when out of memory */
char *st_strdup(st_arena *a, const char *s);

/* ---- node tree ---- */

#define ST_DEFAULT_FILE "(default)"

typedef struct {
    const char *file;   /* ST_DEFAULT_FILE for built-in defaults, "--set" for overrides */
    int line, col;      /* 1-based; 0 when not from a file */
} st_origin;

typedef enum { ST_SCALAR, ST_SEQ, ST_MAP } st_kind;

typedef struct st_node st_node;
typedef struct {
    const char *key;
    st_origin at;       /* where the key was written */
    st_node *val;
} st_pair;

struct st_node {
    st_kind kind;
    st_origin at;
    const char *text;   /* scalar */
    bool quoted;        /* scalar written in quotes: emitted quoted again */
    int n, cap;
    st_node **items;    /* sequence */
    st_pair *pairs;     /* mapping, in file order */
    int *slots;         /* mapping of ST_INDEX_MIN keys or more: a hash index, each slot
                           a pair's index + 1 (0 empty), so finding a key is O(1), not
                           O(keys): 30000 keys load in linear work */
    int n_slots;        /* a power of two, above twice n; 0 when not indexed */
};
#define ST_INDEX_MIN 16

/* Work the loader did in this thread so far: key comparisons and YAML
 * events read (for tests that the work is linear in the input). */
size_t st_work(void);

st_node *st_new(st_arena *a, st_kind kind, st_origin at);
st_node *st_scalar(st_arena *a, const char *text, st_origin at);
st_pair *st_map_find(const st_node *map, const char *key);
st_node *st_map_get(const st_node *map, const char *key);
int st_map_put(st_arena *a, st_node *map, const char *key, st_origin at, st_node *val);
void st_map_remove(st_node *map, const char *key);
/* After pairs were reordered in place (n unchanged): rebuild the index. */
void st_map_reindex(st_node *map);
int st_seq_push(st_arena *a, st_node *seq, st_node *item);

/* Parse one YAML document (an empty text is an empty mapping).  Tabs are
 * reported with their line first; syntax errors with libyaml's position.
 * Returns SIM_OK or SIM_EPARSE / SIM_ENOMEM. */
int st_parse(st_arena *a, const char *text, size_t len, const char *file, st_node **out,
             rf_diags *d);

/* Merge `over` onto `*base` (see rf_scenario.h for the rules). */
int st_merge(st_arena *a, st_node **base, st_node *over);

/* Apply one "path=value" override.  Problems are reported with file
 * "--set"; returns SIM_OK or SIM_EPARSE. */
int st_apply_set(st_arena *a, st_node **root, const char *set, rf_diags *d);

/* Add to the mapping `entry` the keys of `defaults` it lacks.  The nodes
 * are shared, not copied. */
int st_fill_defaults(st_arena *a, st_node *entry, const st_node *defaults);

/* The node at a key path like "services[2].blocks[0].units"; NULL when
 * absent.  `near` (may be NULL) receives the origin of the deepest node
 * found on the way that was not a built-in default, for reporting about
 * missing keys and defaults; `key_at` (may be NULL)
 * the origin of the key itself when the last step is a mapping key. */
const st_node *st_lookup(const st_node *root, const char *path, st_origin *near,
                         st_origin *key_at);

/* Emit as YAML (block style; distributions and lists of numbers in flow
 * style).  *text is malloc'ed. */
int st_emit(const st_node *root, const char *header_comment, char **text, size_t *len);

#endif
