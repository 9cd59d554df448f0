/* Internals of rf_scenario shared by its source files; not API.
 *
 * rf_scenario_tree.c: a YAML node tree (libyaml parses it) whose every key
 * and value remembers where it came from, with merge, --set and emit.
 * rf_scenario_schema.c: the libcyaml schema and a walker that checks a tree
 * against it, reporting every problem rather than libcyaml's first.
 * rf_scenario.c: the pipeline, conversion to rf_params, semantic checks. */
#ifndef RF_SCENARIO_IMPL_H
#define RF_SCENARIO_IMPL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cyaml/cyaml.h>
#include "rf_scenario.h"

/* ---- diagnostics ---- */

void rf_diags_addv(rf_diags *d, const char *file, int line, int col, const char *key,
                   const char *fmt, va_list ap);
void rf_diags_add(rf_diags *d, const char *file, int line, int col, const char *key,
                  const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int rf_diags_total(const rf_diags *d);

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
};

st_node *st_new(st_arena *a, st_kind kind, st_origin at);
st_node *st_scalar(st_arena *a, const char *text, st_origin at);
st_pair *st_map_find(const st_node *map, const char *key);
st_node *st_map_get(const st_node *map, const char *key);
int st_map_put(st_arena *a, st_node *map, const char *key, st_origin at, st_node *val);
void st_map_remove(st_node *map, const char *key);
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

/* ---- schema: the structs libcyaml loads the resolved text into ---- */

typedef struct {
    int dist;                   /* sim_dist_kind */
    double mean, sd, min, max;
    double *values;
    unsigned values_count;
    double *weights;
    unsigned weights_count;
} sc_dist;

/* Unit attributes, shared by a service and its blocks. */
typedef struct {
    bool wheelchair;
    int largest_family;
    char *male_child_age_limit; /* a whole number of years or "none" */
    int nrpf;                   /* rf_nrpf_policy */
    bool takes_male, takes_pets, night_security, high_support, self_contained;
    int specialism;             /* rf_specialism */
    char *area;
} sc_attrs;

typedef struct {
    char *name;
    int units;
    sc_attrs at;
} sc_block;

typedef struct {
    char *name;
    int units;
    sc_attrs at;
    double nrpf_case_accept;
    int nrpf_decision;          /* rf_nrpf_decision */
    sc_dist stay;
    double p_early_exit;
    sc_dist move_on_delay, turnaround, outage_interval, outage_duration;
    sc_block *blocks;
    unsigned blocks_count;
} sc_service;

typedef struct {
    double per_year, growth;
    double *seasonality;
    unsigned seasonality_count;
    int start_month;
    char *trace;
} sc_referrals;

typedef struct {
    char *name;
    double weight;
    int adults, children;
    char *oldest_boy_age;       /* whole years or "none" */
    bool wheelchair, nrpf, male, pet, bme, young, needs_specialist, high_support, high_risk,
        needs_security, outside_area;
    char *area;                 /* a name in areas, or "any" */
} sc_profile;

typedef struct {
    sc_dist adults, children, child_age;
    double p_child_male, p_wheelchair, p_nrpf, p_male, p_pet, p_bme, p_young,
        p_needs_specialist, p_high_support, p_high_risk, p_needs_security, p_outside_area,
        p_wants_area;
    double *area_weights;
    unsigned area_weights_count;
    sc_profile *profiles;
    unsigned profiles_count;
} sc_mix;

typedef struct {
    char *name;
    double prob;
} sc_screen;

typedef struct {
    double p_wait;
    sc_dist patience;
    int priority;               /* rf_priority */
    int max_waiting;
} sc_waiting;

typedef struct {
    sc_dist delay;
    double timely_days;
} sc_move_on;

typedef struct {
    sc_dist turnaround, outage_interval, outage_duration;
} sc_downtime;

typedef struct {
    char *service;
    int count;
    double days_stayed;
} sc_occupant;

typedef struct {
    sc_occupant *occupants;
    unsigned occupants_count;
    double *waiting_days;
    unsigned waiting_days_count;
} sc_initial;

typedef struct {
    char *name;
    char *description;
    double horizon, warmup;
    uint32_t replications;
    uint64_t seed;
    sc_referrals referrals;
    sc_mix households;
    sc_screen *screening;
    unsigned screening_count;
    sc_waiting waiting;
    int matching;               /* rf_match_policy */
    char **areas;
    unsigned areas_count;
    sc_service *services;
    unsigned services_count;
    sc_move_on move_on;
    sc_downtime downtime;
    sc_initial initial;
} sc_scenario;

extern const cyaml_schema_value_t rf_sc_top_schema;

/* Check a merged tree against the schema; returns the number of problems. */
int rf_sc_check_tree(const st_node *root, rf_diags *d);

#endif
