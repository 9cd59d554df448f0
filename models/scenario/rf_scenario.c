/* rf_scenario: the loading pipeline (see rf_scenario.h), the conversion of
 * the libcyaml structs into rf_params, and the semantic checks. */
#include "rf_scenario.h"
#include "rf_model.h"
#include "rf_network.h"
#include "rf_scenario_diag.h"
#include "rf_scenario_schema.h"
#include "rf_scenario_tree.h"
#include "rf_trace.h"
#include "sim_status.h"
#include "sim_file.h"
#include "sim_text.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXTENDS   8
#define MAX_DAYS      (1000 * 365.0)   /* horizon / warm-up beyond this is a typo */
#define MAX_REPS      1000000u
#define MAX_FAMILY    30
#define MAX_CHILD_AGE 25

struct rf_scenario {
    rf_params params;
    /* each params block's name: "" for the remainder a service's blocks
     * leave, which has the service's own attributes (rf_scenario_block_name) */
    char block_names[RF_MAX_SERVICES][RF_MAX_BLOCKS][RF_NAME_MAX];
    rf_trace trace;
    char *text;
    char *path;
    char *files[MAX_EXTENDS + 2];   /* read: the file, what it extends, the trace */
    size_t n_files;
};

/* ---- built-in defaults, the bottom layer of every scenario ---- */

/* Written out in the resolved text, so a reader sees every value used.
 * They repeat rf_params_init (a test checks that they agree). */
static const char default_yaml[] =
    "horizon: 365\n"
    "warmup: 0\n"
    "replications: 100\n"
    "seed: 1\n"
    "referrals:\n"
    "  growth: 0\n"
    "  seasonality: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n"
    "  start_month: 1\n"
    "households:\n"
    "  adults: {dist: constant, mean: 1}\n"
    "  children: {dist: none}\n"
    "  child_age: {dist: none}\n"
    "  p_child_male: 0.5\n"
    "  p_wheelchair: 0\n"
    "  p_nrpf: 0\n"
    "  p_male: 0\n"
    "  p_pet: 0\n"
    "  p_bme: 0\n"
    "  p_young: 0\n"
    "  p_needs_specialist: 0\n"
    "  p_high_support: 0\n"
    "  p_high_risk: 0\n"
    "  p_needs_security: 0\n"
    "  p_outside_area: 0\n"
    "  p_wants_area: 0\n"
    "  profiles: []\n"
    "screening: []\n"
    "waiting:\n"
    "  p_wait: 0\n"
    "  patience: {dist: none}\n"
    "  priority: fifo\n"
    "  max_waiting: 0\n"
    "matching: first_fit\n"
    "areas: [area]\n"
    "move_on:\n"
    "  delay: {dist: none}\n"
    "  timely_days: 0\n"
    "downtime:\n"
    "  turnaround: {dist: none}\n"
    "  outage_interval: {dist: none}\n"
    "  outage_duration: {dist: none}\n"
    "initial:\n"
    "  occupants: []\n"
    "  waiting_days: []\n";

static const char service_default_yaml[] =
    "wheelchair: false\n"
    "male_child_age_limit: none\n"
    "nrpf: no\n"
    "nrpf_case_accept: 0.5\n"
    "nrpf_decision: independent\n"
    "takes_male: false\n"
    "takes_pets: false\n"
    "night_security: false\n"
    "high_support: false\n"
    "self_contained: false\n"
    "specialism: none\n"
    "p_early_exit: 0\n"
    "blocks: []\n";

static const char occupant_default_yaml[] = "count: 1\ndays_stayed: 0\n";

/* The distributions a service inherits from the scenario-wide sections
 * unless it sets its own: service key, scenario key, rf_service_dist_kind. */
static const struct {
    const char *key, *section, *global;
    rf_service_dist_kind kind;
} service_dists[] = {
    {"move_on_delay", "move_on", "delay", RF_SD_MOVE_ON},
    {"turnaround", "downtime", "turnaround", RF_SD_TURNAROUND},
    {"outage_interval", "downtime", "outage_interval", RF_SD_OUTAGE_INTERVAL},
    {"outage_duration", "downtime", "outage_duration", RF_SD_OUTAGE_DURATION},
};

/* The unit attributes a block inherits from its service. */
static const char *const block_inherits[] = {
    "largest_family", "wheelchair", "male_child_age_limit", "nrpf", "takes_male", "takes_pets",
    "night_security", "high_support", "self_contained", "specialism", "area", "opens", "closes",
    "cost"};

/* ---- loading the layers ---- */

typedef struct {
    st_arena *a;
    rf_diags *d;
    const char *chain[MAX_EXTENDS + 1];   /* files being loaded, to catch cycles */
    int depth;
    rf_scenario *s;
} load_ctx;

static int add_file(rf_scenario *s, const char *path)
{
    if (s->n_files == sizeof s->files / sizeof s->files[0])
        return SIM_OK;
    if (!(s->files[s->n_files] = strdup(path)))
        return SIM_ENOMEM;
    s->n_files++;
    return SIM_OK;
}

/* `rel` taken relative to the directory of `file`; absolute paths and files
 * without a directory leave `rel` as it is. */
static char *relative_to(st_arena *a, const char *file, const char *rel)
{
    const char *slash = strrchr(file, '/');
    if (rel[0] == '/' || !slash)
        return st_strdup(a, rel);
    size_t dir = (size_t)(slash - file) + 1;
    char *p = st_alloc(a, dir + strlen(rel) + 1);
    if (p) {
        memcpy(p, file, dir);
        strcpy(p + dir, rel);
    }
    return p;
}

static int load_layers(load_ctx *c, const char *text, size_t len, const char *file,
                       st_node **out);

static int load_file_layers(load_ctx *c, const char *path, st_origin from, st_node **out)
{
    size_t len = 0;
    int err = 0;
    char *text = sim_file_read(path, RF_SCENARIO_MAX_BYTES, &len, &err);
    if (!text) {
        if (err == ENOMEM)
            return SIM_ENOMEM;
        const char *why = err == SIM_FILE_TOO_BIG ? "larger than the 16 MiB a scenario may have"
                                                  : sim_file_strerror(err);
        if (from.file)
            rf_diags_add(c->d, from.file, from.line, from.col, "extends", "cannot read '%s': %s",
                         path, why);
        else
            rf_diags_add(c->d, path, 0, 0, "", "cannot read the file: %s", why);
        return SIM_EIO;
    }
    int rc = add_file(c->s, path);
    if (rc == SIM_OK)
        rc = load_layers(c, text, len, path, out);
    free(text);
    return rc;
}

/* One file and, through `extends:`, the files below it, merged. */
static int load_layers(load_ctx *c, const char *text, size_t len, const char *file,
                       st_node **out)
{
    st_node *tree;
    int rc = st_parse(c->a, text, len, file, &tree, c->d);
    if (rc != SIM_OK)
        return rc;
    st_pair *ext = st_map_find(tree, "extends");
    if (!ext) {
        *out = tree;
        return SIM_OK;
    }
    st_origin at = ext->val->at;
    if (ext->val->kind != ST_SCALAR || !ext->val->text[0]) {
        rf_diags_add(c->d, file, at.line, at.col, "extends",
                     "expected the name of a scenario file");
        return SIM_EPARSE;
    }
    char *base_path = relative_to(c->a, file, ext->val->text);
    if (!base_path)
        return SIM_ENOMEM;
    for (int i = 0; i < c->depth; i++)
        if (strcmp(c->chain[i], base_path) == 0) {
            rf_diags_add(c->d, file, at.line, at.col, "extends",
                         "'%s' extends itself through this file", base_path);
            return SIM_EPARSE;
        }
    if (c->depth >= MAX_EXTENDS) {
        rf_diags_add(c->d, file, at.line, at.col, "extends",
                     "more than %d files extend each other", MAX_EXTENDS);
        return SIM_EPARSE;
    }
    c->chain[c->depth++] = base_path;
    st_node *base;
    rc = load_file_layers(c, base_path, at, &base);
    c->depth--;
    if (rc != SIM_OK)
        return rc;
    st_map_remove(tree, "extends");
    if (st_merge(c->a, &base, tree) != SIM_OK)
        return SIM_ENOMEM;
    *out = base;
    return SIM_OK;
}

/* Per-entry defaults and block inheritance, after every override so that
 * a --set on a service attribute reaches the blocks that do not set it. */
static int fill_defaults(st_arena *a, st_node *root, rf_diags *d)
{
    st_node *sdef, *odef;
    if (st_parse(a, service_default_yaml, strlen(service_default_yaml), ST_DEFAULT_FILE, &sdef, d)
            != SIM_OK
        || st_parse(a, occupant_default_yaml, strlen(occupant_default_yaml), ST_DEFAULT_FILE, &odef,
                    d) != SIM_OK)
        return SIM_EINTERNAL;
    const st_node *areas = st_map_get(root, "areas");
    if (areas && areas->kind == ST_SEQ && areas->n > 0 && areas->items[0]->kind == ST_SCALAR) {
        st_node *first = st_scalar(a, areas->items[0]->text, (st_origin){ST_DEFAULT_FILE, 0, 0});
        if (!first || st_map_put(a, sdef, "area", first->at, first) != SIM_OK)
            return SIM_ENOMEM;
    }
    st_node *services = st_map_get(root, "services");
    for (int i = 0; services && services->kind == ST_SEQ && i < services->n; i++) {
        st_node *s = services->items[i];
        if (s->kind != ST_MAP)
            continue;
        if (st_fill_defaults(a, s, sdef) != SIM_OK)
            return SIM_ENOMEM;
        for (size_t k = 0; k < sizeof service_dists / sizeof service_dists[0]; k++) {
            const st_node *sec = st_map_get(root, service_dists[k].section);
            st_pair *g = sec && sec->kind == ST_MAP ? st_map_find(sec, service_dists[k].global) : NULL;
            st_pair *own = st_map_find(s, service_dists[k].key);
            if (!g)
                continue;
            if (!own) {
                if (st_map_put(a, s, service_dists[k].key, g->at, g->val) != SIM_OK)
                    return SIM_ENOMEM;
            } else if (own->val->kind == ST_MAP && !st_map_get(own->val, "dist")
                       && g->val->kind == ST_MAP) {
                /* a distribution without `dist:` changes only the keys it
                 * gives, of the scenario-wide one (as under extends) */
                st_node *dist = st_new(a, ST_MAP, own->val->at);
                if (!dist)
                    return SIM_ENOMEM;
                const st_node *gv = g->val, *ov = own->val;
                for (int j = 0; j < gv->n; j++)
                    if (st_map_put(a, dist, gv->pairs[j].key, gv->pairs[j].at, gv->pairs[j].val)
                        != SIM_OK)
                        return SIM_ENOMEM;
                for (int j = 0; j < ov->n; j++) {
                    st_pair *q = st_map_find(dist, ov->pairs[j].key);
                    if (q) {
                        q->at = ov->pairs[j].at;
                        q->val = ov->pairs[j].val;
                    } else if (st_map_put(a, dist, ov->pairs[j].key, ov->pairs[j].at,
                                          ov->pairs[j].val) != SIM_OK) {
                        return SIM_ENOMEM;
                    }
                }
                own->val = dist;
            }
        }
        st_node *blocks = st_map_get(s, "blocks");
        for (int b = 0; blocks && blocks->kind == ST_SEQ && b < blocks->n; b++) {
            st_node *blk = blocks->items[b];
            if (blk->kind != ST_MAP)
                continue;
            for (size_t k = 0; k < sizeof block_inherits / sizeof block_inherits[0]; k++) {
                st_pair *p = st_map_find(s, block_inherits[k]);
                if (p && !st_map_find(blk, block_inherits[k])
                    && st_map_put(a, blk, p->key, p->at, p->val) != SIM_OK)
                    return SIM_ENOMEM;
            }
        }
    }
    st_node *initial = st_map_get(root, "initial");
    st_node *occ = initial ? st_map_get(initial, "occupants") : NULL;
    for (int i = 0; occ && occ->kind == ST_SEQ && i < occ->n; i++)
        if (st_fill_defaults(a, occ->items[i], odef) != SIM_OK)
            return SIM_ENOMEM;
    return SIM_OK;
}

/* The trace path is rewritten so that the resolved text stands alone. */
static int resolve_trace_path(st_arena *a, st_node *root)
{
    st_node *ref = st_map_get(root, "referrals");
    st_node *tr = ref ? st_map_get(ref, "trace") : NULL;
    if (!tr || tr->kind != ST_SCALAR || !tr->text[0] || tr->at.line == 0)
        return SIM_OK;
    const char *p = relative_to(a, tr->at.file, tr->text);
    if (!p)
        return SIM_ENOMEM;
    /* Absolute when the file exists, so the text can be loaded from anywhere;
     * a missing file is reported later under the path the user wrote. */
    char *abs = realpath(p, NULL);
    if (abs) {
        p = st_strdup(a, abs);
        free(abs);
        if (!p)
            return SIM_ENOMEM;
    }
    tr->text = p;
    return SIM_OK;
}

/* Emit keys in schema order, whatever order the layers left them in. */
static void order_like_schema(st_node *n, const cyaml_schema_value_t *sv)
{
    if (sv->type == CYAML_SEQUENCE && n->kind == ST_SEQ) {
        for (int i = 0; i < n->n; i++)
            order_like_schema(n->items[i], sv->sequence.entry);
        return;
    }
    if (sv->type != CYAML_MAPPING || n->kind != ST_MAP)
        return;
    const cyaml_schema_field_t *f = sv->mapping.fields;
    int placed = 0;
    for (int k = 0; f[k].key; k++)
        for (int i = placed; i < n->n; i++)
            if (!strcmp(n->pairs[i].key, f[k].key)) {
                st_pair tmp = n->pairs[i];
                memmove(&n->pairs[placed + 1], &n->pairs[placed],
                        (size_t)(i - placed) * sizeof tmp);
                n->pairs[placed++] = tmp;
                order_like_schema(tmp.val, &f[k].value);
                break;
            }
    st_map_reindex(n);
}

/* ---- libcyaml's log, routed into the diagnostics ---- */

typedef struct {
    char message[320];
    int line, col;
} cy_log;

static void cy_log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
    cy_log *l = ctx;
    char buf[320];
    if (level < CYAML_LOG_ERROR)
        return;
    vsnprintf(buf, sizeof buf, fmt, args);
    buf[strcspn(buf, "\n")] = '\0';
    const char *lc = strstr(buf, "(line: ");
    if (lc && l->line == 0)
        sscanf(lc, "(line: %d, column: %d)", &l->line, &l->col);
    if (!l->message[0] && !strstr(buf, "Backtrace") && !lc)
        snprintf(l->message, sizeof l->message, "%s", buf);
}

/* ---- conversion and semantic checks ---- */

typedef struct {
    const st_node *root;
    rf_diags *d;
    int errors;
    rf_params *p;
    const sc_scenario *sc;
    char (*block_names)[RF_MAX_BLOCKS][RF_NAME_MAX]; /* rf_scenario's, or NULL */
    /* while a block's unit attributes are checked, its service's path: an
     * attribute the block inherits is the service's own value, already
     * reported under the service (one mistake, one error) */
    const char *inherit_from;
} sem_ctx;

static void sem(sem_ctx *c, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report at the value's place, or at the nearest enclosing one if absent. */
static void sem(sem_ctx *c, const char *path, const char *fmt, ...)
{
    st_origin near = {0};
    const st_node *n = st_lookup(c->root, path, &near, NULL);
    st_origin at = n && strcmp(n->at.file, ST_DEFAULT_FILE) != 0 ? n->at : near;
    const char *blk = c->inherit_from ? strstr(path, ".blocks[") : NULL;
    const char *key = blk ? strstr(blk, "].") : NULL;
    if (n && key) {
        char own[200];
        snprintf(own, sizeof own, "%s.%s", c->inherit_from, key + 2);
        if (st_lookup(c->root, own, NULL, NULL) == n) {
            c->errors++;
            return;
        }
    }
    va_list ap;
    va_start(ap, fmt);
    rf_diags_addv(c->d, at.file, at.line, at.col, path, fmt, ap);
    va_end(ap);
    c->errors++;
}

static bool has_key(sem_ctx *c, const char *path)
{
    return st_lookup(c->root, path, NULL, NULL) != NULL;
}

static void check_prob(sem_ctx *c, const char *path, double v)
{
    if (!(v >= 0 && v <= 1))
        sem(c, path, "%g is not a probability (accepted: 0 to 1)", v);
}

static void check_nonneg(sem_ctx *c, const char *path, double v, const char *unit)
{
    if (!(v >= 0))
        sem(c, path, "must not be negative, got %g (accepted: 0 or more %s)", v, unit);
}

static const char *const dist_keys[SIM_DIST_N_KINDS] = {
    [SIM_DIST_NONE] = "dist",
    [SIM_DIST_CONST] = "dist, mean",
    [SIM_DIST_EXP] = "dist, mean",
    [SIM_DIST_LOGNORMAL] = "dist, mean, sd",
    [SIM_DIST_GAMMA] = "dist, mean, sd",
    [SIM_DIST_WEIBULL] = "dist, mean, sd",
    [SIM_DIST_UNIFORM] = "dist, min, max",
    [SIM_DIST_EMPIRICAL] = "dist, values, weights",
};

static const char *const dist_rule[SIM_DIST_N_KINDS] = {
    [SIM_DIST_NONE] = "",
    [SIM_DIST_CONST] = "mean must be 0 or more",
    [SIM_DIST_EXP] = "mean must be 0 or more",
    [SIM_DIST_LOGNORMAL] = "mean and sd must be more than 0",
    [SIM_DIST_GAMMA] = "mean and sd must be more than 0",
    [SIM_DIST_WEIBULL] = "mean and sd must be more than 0, sd at most 20 times the mean",
    [SIM_DIST_UNIFORM] = "min must be 0 or more and not above max",
    [SIM_DIST_EMPIRICAL] = "values and weights must be 0 or more, with a positive weight",
};

/* Which keys a kind uses is checked against the tree, so that `sd` given
 * to an exponential is an error rather than silently ignored. */
static bool conv_dist(sem_ctx *c, const char *path, const sc_dist *in, sim_dist *out)
{
    char sub[200];
    const st_node *n = st_lookup(c->root, path, NULL, NULL);
    int k = in->dist;
    if (k < 0 || k >= SIM_DIST_N_KINDS)
        k = SIM_DIST_NONE;
    const char *accepted = dist_keys[k];
    bool ok = true;
    for (int i = 0; n && n->kind == ST_MAP && i < n->n; i++) {
        const char *key = n->pairs[i].key;
        size_t kl = strlen(key);
        const char *hit = strstr(accepted, key);
        bool used = hit && (hit == accepted || hit[-1] == ' ') && (hit[kl] == ',' || !hit[kl]);
        if (!used) {
            snprintf(sub, sizeof sub, "%s.%s", path, key);
            sem(c, sub, "not used by dist %s (accepted: %s)", sim_dist_kind_name(k), accepted);
            ok = false;
        }
    }
    static const char *const need[] = {"mean", "sd", "min", "max", "values"};
    for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
        const char *hit = strstr(accepted, need[i]);
        snprintf(sub, sizeof sub, "%s.%s", path, need[i]);
        if (hit && !has_key(c, sub)) {
            sem(c, sub, "missing required key '%s' for dist %s", need[i], sim_dist_kind_name(k));
            ok = false;
        }
    }
    if (in->weights_count && in->weights_count != in->values_count) {
        snprintf(sub, sizeof sub, "%s.weights", path);
        sem(c, sub, "%u weights for %u values (accepted: one weight per value)",
            in->weights_count, in->values_count);
        ok = false;
    }
    if (!ok)
        return false;
    memset(out, 0, sizeof *out);
    out->kind = (sim_dist_kind)k;
    out->mean = in->mean;
    out->sd = in->sd;
    out->min = in->min;
    out->max = in->max;
    if (k == SIM_DIST_EMPIRICAL) {
        out->n = (int)in->values_count;
        for (unsigned i = 0; i < in->values_count; i++) {
            out->values[i] = in->values[i];
            out->weights[i] = in->weights_count ? in->weights[i] : 1;
        }
    }
    if (sim_dist_prepare(out) != SIM_OK) {
        int positive = isfinite(in->mean) && in->mean > 0 && isfinite(in->sd) && in->sd > 0;
        if (positive && (k == SIM_DIST_LOGNORMAL || k == SIM_DIST_GAMMA || k == SIM_DIST_WEIBULL))
            sem(c, path, "%s distribution with mean %g and sd %g cannot be drawn (sd / mean = "
                "%g is too %s)", sim_dist_kind_name(k), in->mean, in->sd, in->sd / in->mean,
                in->sd > in->mean ? "large" : "small");
        else
            sem(c, path, "invalid %s distribution: %s", sim_dist_kind_name(k), dist_rule[k]);
        return false;
    }
    return true;
}

/* Smallest value a distribution can give (rounded as the model rounds
 * counts), for deciding which units fit nobody. */
static double dist_min(const sim_dist *d)
{
    switch (d->kind) {
    case SIM_DIST_CONST: return d->mean;
    case SIM_DIST_UNIFORM: return d->min;
    case SIM_DIST_EMPIRICAL: {
        double m = INFINITY;
        for (int i = 0; i < d->n; i++)
            if (d->weights[i] > 0 && d->values[i] < m)
                m = d->values[i];
        return m;
    }
    default: return 0;
    }
}

static int find_area(const rf_params *p, const char *name)
{
    for (int i = 0; i < p->n_areas; i++)
        if (!strcmp(p->area_names[i], name))
            return i;
    return -1;
}

/* opens / closes: days from the start of the horizon, within it, in order. */
static bool conv_open_close(sem_ctx *c, const char *path, const sc_attrs *a, rf_unit_block *b)
{
    char sub[200];
    double h = c->p->horizon;
    bool ok = true;
    b->opens = a->opens;
    b->closes = 0;
    b->cost_unit_year = a->cost.per_unit_year;
    b->cost_placement = a->cost.per_placement;
    const double costs[2] = {a->cost.per_unit_year, a->cost.per_placement};
    static const char *const cost_keys[2] = {"cost.per_unit_year", "cost.per_placement"};
    for (int k = 0; k < 2; k++)
        if (!(costs[k] >= 0 && isfinite(costs[k]))) {
            snprintf(sub, sizeof sub, "%s.%s", path, cost_keys[k]);
            sem(c, sub, "%g is not a cost (accepted: 0 or more, any currency)", costs[k]);
            ok = false;
        }
    /* a horizon out of range is reported under horizon: measuring the
     * units' days against it would only add errors about keys that may
     * not even be in the file (opens 0 is the default) */
    bool horizon_ok = h > 0 && h <= MAX_DAYS;
    if (!(a->opens >= 0) || (horizon_ok && !(a->opens < h))) {
        snprintf(sub, sizeof sub, "%s.opens", path);
        sem(c, sub, "day %g is outside the horizon (accepted: 0 to below horizon, %g days, "
            "counted from the end of warm-up)", a->opens, h);
        ok = false;
    }
    if (a->closes && strcmp(a->closes, "none")) {
        char *end;
        double v = strtod(a->closes, &end);
        snprintf(sub, sizeof sub, "%s.closes", path);
        if (*end || end == a->closes || !isfinite(v)) {
            sem(c, sub, "'%s' is not a day (accepted: none, or days from the start of the "
                "horizon)", a->closes);
            ok = false;
        } else if (!(v > a->opens) || (horizon_ok && v > h)) {
            sem(c, sub, "day %g must be after opens (day %g) and within the horizon (%g days)",
                v, a->opens, h);
            ok = false;
        } else {
            b->closes = v;
        }
    }
    return ok;
}

static bool conv_attrs(sem_ctx *c, const char *path, const sc_attrs *a, int units,
                       rf_unit_block *b)
{
    char sub[200];
    bool ok = true;
    b->count = units;
    b->wheelchair = a->wheelchair;
    b->largest_family = a->largest_family;
    b->nrpf = (rf_nrpf_policy)a->nrpf;
    b->takes_male = a->takes_male;
    b->takes_pets = a->takes_pets;
    b->night_security = a->night_security;
    b->high_support = a->high_support;
    b->self_contained = a->self_contained;
    b->specialism = (rf_specialism)a->specialism;
    if (units < 0) {
        snprintf(sub, sizeof sub, "%s.units", path);
        sem(c, sub, "must not be negative, got %d (accepted: 0 or more units)", units);
        ok = false;
    }
    if (a->largest_family < 1 || a->largest_family > MAX_FAMILY) {
        snprintf(sub, sizeof sub, "%s.largest_family", path);
        sem(c, sub, "%d persons is out of range (accepted: 1 to %d)", a->largest_family,
            MAX_FAMILY);
        ok = false;
    }
    const char *lim = a->male_child_age_limit ? a->male_child_age_limit : "none";
    char *end;
    long v = strtol(lim, &end, 10);
    if (!strcmp(lim, "none")) {
        b->male_child_age_limit = RF_NO_LIMIT;
    } else if (*end || end == lim || v < 0 || v > MAX_CHILD_AGE) {
        snprintf(sub, sizeof sub, "%s.male_child_age_limit", path);
        sem(c, sub, "'%s' is not an age limit (accepted: none, or whole years 0 to %d)", lim,
            MAX_CHILD_AGE);
        ok = false;
    } else {
        b->male_child_age_limit = (int)v;
    }
    int area = a->area ? find_area(c->p, a->area) : 0;
    if (area < 0) {
        enum { SHOWN = 12 };           /* of hundreds of areas, the first few */
        char acc[SHOWN * (RF_NAME_MAX + 2) + 64];
        size_t used = 0;
        acc[0] = '\0';
        for (int i = 0; i < c->p->n_areas && i < SHOWN; i++)
            used += (size_t)snprintf(acc + used, sizeof acc - used, "%s%s", i ? ", " : "",
                                     c->p->area_names[i]);
        if (c->p->n_areas > SHOWN)
            snprintf(acc + used, sizeof acc - used, ", ... (%d areas in all)", c->p->n_areas);
        snprintf(sub, sizeof sub, "%s.area", path);
        sem(c, sub, "unknown area '%s' (accepted: %s)", a->area, acc);
        ok = false;
        area = 0;
    }
    b->area = area;
    return conv_open_close(c, path, a, b) && ok;
}

/* The smallest and largest probability of a household attribute over the
 * kinds of household: the mix's without profiles; with profiles each
 * profile's (1 or 0 where it says, the mix's where it leaves it out). */
static void flag_range(const rf_params *p, double mix_p, size_t field, double *lo, double *hi)
{
    *lo = *hi = mix_p;
    if (p->n_profiles <= 0)
        return;
    *lo = INFINITY;
    *hi = -INFINITY;
    for (int i = 0; i < p->n_profiles; i++) {
        const rf_profile *f = &p->profiles[i];
        if (!(f->weight > 0))
            continue;
        int v = *(const int *)((const char *)f + field);
        double q = v == RF_PROFILE_DRAW ? mix_p : v;
        *lo = fmin(*lo, q);
        *hi = fmax(*hi, q);
    }
    if (*lo > *hi)   /* no profile has a weight: reported under profiles */
        *lo = *hi = mix_p;
}

#define FLAG(name) offsetof(rf_profile, name)

/* The smallest household the mix (or a profile) can produce. */
static double smallest_household(const rf_params *p)
{
    const rf_household_mix *m = &p->mix;
    double adults = fmax(1, round(dist_min(&m->adults)));
    double kids = fmin(RF_MAX_CHILDREN, round(dist_min(&m->children)));
    if (p->n_profiles <= 0)
        return adults + kids;
    double least = INFINITY;
    for (int i = 0; i < p->n_profiles; i++) {
        const rf_profile *f = &p->profiles[i];
        if (f->weight > 0)
            least = fmin(least, (f->adults != RF_PROFILE_DRAW ? f->adults : adults)
                                    + (f->children != RF_PROFILE_DRAW ? f->children : kids));
    }
    return isfinite(least) ? least : adults + kids;
}

/* "Fits no household": a unit fits somebody unless one attribute alone
 * rules every kind of household out (the mix draws attributes
 * independently; with profiles, every profile must rule it out).  Only
 * certain cases are refused: a unit this misses simply stays empty. */
static bool areas_set_households(sem_ctx *c)
{
    char sub[64];
    for (int i = 0; i < RF_MAX_AREAS; i++) {
        snprintf(sub, sizeof sub, "network.areas[%d]", i);
        if (!has_key(c, sub))
            return false;
        snprintf(sub, sizeof sub, "network.areas[%d].households", i);
        if (has_key(c, sub))
            return true;
    }
    return false;
}

static void check_fits_somebody(sem_ctx *c, const char *path, const rf_unit_block *b)
{
    const rf_params *p = c->p;
    const rf_household_mix *m = &p->mix;
    char sub[200];
    /* an area's own mix may bring the households the scenario's lacks:
     * then nothing is refused here (such a unit simply stays empty) */
    if (b->count == 0 || areas_set_households(c))
        return;
    double least = smallest_household(p);
    if (b->largest_family < least) {
        snprintf(sub, sizeof sub, "%s.largest_family", path);
        sem(c, sub, "these units fit no household: the smallest household has %g persons", least);
        return;
    }
    double bme[2], young[2], male[2], spec[2], wc[2], pet[2], sec[2], hs[2], nrpf[2];
    flag_range(p, m->p_bme, FLAG(bme), &bme[0], &bme[1]);
    flag_range(p, m->p_young, FLAG(young), &young[0], &young[1]);
    flag_range(p, m->p_male, FLAG(male), &male[0], &male[1]);
    flag_range(p, m->p_needs_specialist, FLAG(needs_specialist), &spec[0], &spec[1]);
    flag_range(p, m->p_wheelchair, FLAG(wheelchair), &wc[0], &wc[1]);
    flag_range(p, m->p_pet, FLAG(pet), &pet[0], &pet[1]);
    flag_range(p, m->p_needs_security, FLAG(needs_security), &sec[0], &sec[1]);
    flag_range(p, m->p_high_support, FLAG(high_support), &hs[0], &hs[1]);
    flag_range(p, m->p_nrpf, FLAG(nrpf), &nrpf[0], &nrpf[1]);
    bool independent = p->n_profiles <= 0;
    double kids = fmin(RF_MAX_CHILDREN, round(dist_min(&m->children)));
    struct {
        bool excluded;
        const char *key, *why;
    } rules[] = {
        {b->specialism == RF_SPEC_BME && bme[1] <= 0, "specialism",
         "a BME-specialist unit fits no household when households.p_bme is 0"},
        {b->specialism == RF_SPEC_YOUNG_WOMEN && (young[1] <= 0 || male[0] >= 1),
         "specialism",
         "a young-women unit fits no household when households.p_young is 0 or p_male is 1"},
        {b->specialism == RF_SPEC_NONE && spec[0] >= 1 && (bme[0] >= 1 || young[0] >= 1),
         "specialism", "every household needs a specialist unit"},
        {!b->wheelchair && wc[0] >= 1, "wheelchair",
         "every household needs a wheelchair-accessible unit"},
        {!b->takes_male && male[0] >= 1, "takes_male", "every household is a male victim"},
        {!b->takes_pets && pet[0] >= 1, "takes_pets", "every household has a pet"},
        {!b->night_security && sec[0] >= 1, "night_security",
         "every household needs night security"},
        {!b->high_support && hs[0] >= 1, "high_support",
         "every household has high support needs"},
        {b->nrpf == RF_NRPF_NO && nrpf[0] >= 1, "nrpf", "every household has NRPF"},
        {independent && m->p_wants_area >= 1 && !(m->area_weights[b->area] > 0), "area",
         "every household wants a particular area and none wants this one"},
        {independent && b->male_child_age_limit < RF_NO_LIMIT && kids >= 1
             && m->p_child_male >= 1 && dist_min(&m->child_age) > b->male_child_age_limit,
         "male_child_age_limit", "every household has a boy older than the limit"},
    };
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if (rules[i].excluded) {
            snprintf(sub, sizeof sub, "%s.%s", path, rules[i].key);
            sem(c, sub, "these units fit no household: %s", rules[i].why);
            return;
        }
}

/* A service's own move-on, turnaround and outage distributions.  One it
 * inherits (the scenario-wide node itself, shared into the service when the
 * defaults were filled) is left to the scenario-wide key, which reports its
 * own problems. */
static void conv_service_dists(sem_ctx *c, const char *path, const sc_service *in, rf_service *out)
{
    const sc_dist *dists[RF_SD_N] = {&in->move_on_delay, &in->turnaround, &in->outage_interval,
                                     &in->outage_duration};
    char sub[200], gpath[64];
    bool ok[RF_SD_N] = {false};
    for (size_t k = 0; k < sizeof service_dists / sizeof service_dists[0]; k++) {
        rf_service_dist_kind kind = service_dists[k].kind;
        snprintf(sub, sizeof sub, "%s.%s", path, service_dists[k].key);
        snprintf(gpath, sizeof gpath, "%s.%s", service_dists[k].section, service_dists[k].global);
        const st_node *n = st_lookup(c->root, sub, NULL, NULL);
        if (!n || n == st_lookup(c->root, gpath, NULL, NULL))
            continue;
        ok[kind] = conv_dist(c, sub, dists[kind], &out->dist[kind]);
        out->own |= 1u << kind;
    }
    const sim_dist *iv = rf_service_dist(c->p, (int)(out - c->p->services), RF_SD_OUTAGE_INTERVAL);
    const sim_dist *du = rf_service_dist(c->p, (int)(out - c->p->services), RF_SD_OUTAGE_DURATION);
    bool own_outages = out->own & (1u << RF_SD_OUTAGE_INTERVAL | 1u << RF_SD_OUTAGE_DURATION);
    if (!own_outages || iv->kind == SIM_DIST_NONE)
        return;
    snprintf(sub, sizeof sub, "%s.outage_interval", path);
    if (ok[RF_SD_OUTAGE_INTERVAL] && !(sim_dist_mean(iv) > 0))
        sem(c, sub, "the time between outages must be more than 0 days on average (or dist: "
                    "none for no outages)");
    if (du->kind == SIM_DIST_NONE)
        sem(c, sub, "outages need a duration: set %s.outage_duration (accepted: any dist but "
                    "none)", path);
}

static void conv_service(sem_ctx *c, int i, const sc_service *in, rf_service *out)
{
    char path[64], sub[200];
    snprintf(path, sizeof path, "services[%d]", i);
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", in->name);
    for (int j = 0; j < i; j++)
        if (!strcmp(c->p->services[j].name, in->name)) {
            snprintf(sub, sizeof sub, "%s.name", path);
            sem(c, sub, "'%s' is already the name of services[%d] (accepted: a name no other "
                        "service has)", in->name, j);
        }
    snprintf(sub, sizeof sub, "%s.stay", path);
    if (conv_dist(c, sub, &in->stay, &out->stay) && !(sim_dist_mean(&out->stay) > 0))
        sem(c, sub, "a stay must last more than 0 days on average");
    snprintf(sub, sizeof sub, "%s.p_early_exit", path);
    check_prob(c, sub, in->p_early_exit);
    out->p_early_exit = in->p_early_exit;
    snprintf(sub, sizeof sub, "%s.nrpf_case_accept", path);
    check_prob(c, sub, in->nrpf_case_accept);
    out->nrpf_case_accept = in->nrpf_case_accept;
    out->nrpf_decision = (rf_nrpf_decision)in->nrpf_decision;
    conv_service_dists(c, path, in, out);

    /* `units` is the total; blocks carve named subsets out of it and what
     * is left is a block with the service's own attributes, listed first. */
    rf_unit_block whole = {.name = ""};
    conv_attrs(c, path, &in->at, in->units, &whole);
    long carved = 0;
    for (unsigned b = 0; b < in->blocks_count; b++)
        carved += in->blocks[b].units;
    int rest = in->units - (int)carved;
    if (in->units >= 0 && rest < 0) {
        snprintf(sub, sizeof sub, "%s.units", path);
        sem(c, sub, "%d units, but its blocks add up to %ld (blocks are carved out of units)",
            in->units, carved);
    }
    int nb = (rest > 0 || in->blocks_count == 0) + (int)in->blocks_count;
    if (nb > RF_MAX_BLOCKS) {
        snprintf(sub, sizeof sub, "%s.blocks", path);
        sem(c, sub, "%d blocks with the remainder; at most %d (accepted: fewer blocks, or "
                    "blocks that use up every unit)", nb, RF_MAX_BLOCKS);
        return;
    }
    if (rest > 0 || in->blocks_count == 0) {
        whole.count = rest > 0 ? rest : in->units;
        out->blocks[out->n_blocks++] = whole;
        if (whole.count > 0 && whole.largest_family >= 1)
            check_fits_somebody(c, path, &whole);
    }
    for (unsigned b = 0; b < in->blocks_count; b++) {
        char bpath[96];
        snprintf(bpath, sizeof bpath, "%s.blocks[%u]", path, b);
        if (c->block_names)
            snprintf(c->block_names[i][out->n_blocks], RF_NAME_MAX, "%s", in->blocks[b].name);
        rf_unit_block *blk = &out->blocks[out->n_blocks++];
        snprintf(blk->name, sizeof blk->name, "%s", in->blocks[b].name ? in->blocks[b].name : "");
        c->inherit_from = path;
        bool attrs_ok = conv_attrs(c, bpath, &in->blocks[b].at, in->blocks[b].units, blk);
        c->inherit_from = NULL;
        if (attrs_ok)
            check_fits_somebody(c, bpath, blk);
        for (unsigned j = 0; j < b; j++)
            if (!strcmp(in->blocks[j].name, in->blocks[b].name)) {
                snprintf(sub, sizeof sub, "%s.name", bpath);
                sem(c, sub, "'%s' is already the name of blocks[%u] (accepted: a name no other "
                            "block of the service has)", in->blocks[b].name, j);
            }
    }
}

/* households.profiles: what each profile says, checked; what it leaves out
 * stays RF_PROFILE_DRAW.  Presence is read from the tree (libcyaml leaves an
 * absent key 0, which is also "false"). */
static void conv_profiles(sem_ctx *c, const sc_mix *in)
{
    rf_params *p = c->p;
    char base[64], sub[128];
    double total = 0;
    p->n_profiles = (int)in->profiles_count;
    for (unsigned i = 0; i < in->profiles_count; i++) {
        const sc_profile *f = &in->profiles[i];
        rf_profile *o = &p->profiles[i];
        *o = rf_profile_default();
        snprintf(base, sizeof base, "households.profiles[%u]", i);
#define GIVEN(key) (snprintf(sub, sizeof sub, "%s.%s", base, key), has_key(c, sub))
        snprintf(o->name, sizeof o->name, "%s", f->name);
        for (unsigned j = 0; j < i; j++)
            if (!strcmp(in->profiles[j].name, f->name) && GIVEN("name"))
                sem(c, sub, "'%s' is already the name of profiles[%u] (accepted: a name no other "
                            "profile has)", f->name, j);
        if (GIVEN("weight"))
            check_nonneg(c, sub, f->weight, "(relative weight)");
        o->weight = f->weight;
        total += f->weight > 0 ? f->weight : 0;
        if (GIVEN("adults")) {
            if (f->adults < 1 || f->adults > MAX_FAMILY)
                sem(c, sub, "%d adults is out of range (accepted: 1 to %d)", f->adults, MAX_FAMILY);
            o->adults = f->adults;
        }
        if (GIVEN("children")) {
            if (f->children < 0 || f->children > RF_MAX_CHILDREN)
                sem(c, sub, "%d children is out of range (accepted: 0 to %d)", f->children,
                    RF_MAX_CHILDREN);
            o->children = f->children;
        }
        if (GIVEN("oldest_boy_age")) {
            char *end;
            long v = strtol(f->oldest_boy_age, &end, 10);
            if (!strcmp(f->oldest_boy_age, "none"))
                o->oldest_boy_age = RF_PROFILE_NONE;
            else if (*end || end == f->oldest_boy_age || v < 0 || v > MAX_CHILD_AGE)
                sem(c, sub, "'%s' is not an age (accepted: none, or whole years 0 to %d)",
                    f->oldest_boy_age, MAX_CHILD_AGE);
            else if (o->children == 0)
                sem(c, sub, "a boy aged %ld in a profile with no children (accepted: none)", v);
            else
                o->oldest_boy_age = (int)v;
        }
        const struct { const char *key; bool v; int *dst; } flags[] = {
            {"wheelchair", f->wheelchair, &o->wheelchair}, {"nrpf", f->nrpf, &o->nrpf},
            {"male", f->male, &o->male}, {"pet", f->pet, &o->pet}, {"bme", f->bme, &o->bme},
            {"young", f->young, &o->young},
            {"needs_specialist", f->needs_specialist, &o->needs_specialist},
            {"high_support", f->high_support, &o->high_support},
            {"high_risk", f->high_risk, &o->high_risk},
            {"needs_security", f->needs_security, &o->needs_security},
            {"outside_area", f->outside_area, &o->outside_area},
        };
        for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
            if (GIVEN(flags[k].key))
                *flags[k].dst = flags[k].v;
        if (o->needs_specialist == 1 && o->bme != 1 && o->young != 1 && GIVEN("needs_specialist"))
            sem(c, sub, "a profile that needs a specialist unit must say bme: true or young: "
                        "true (specialist units serve those groups)");
        if (GIVEN("area")) {
            int a = find_area(p, f->area);
            if (!strcmp(f->area, "any"))
                o->area = RF_PROFILE_NONE;
            else if (a < 0)
                sem(c, sub, "unknown area '%s' (accepted: any, or a name in areas)", f->area);
            else
                o->area = a;
        }
#undef GIVEN
    }
    if (in->profiles_count && !(total > 0))
        sem(c, "households.profiles", "at least one weight must be more than 0");
}

static void conv_mix(sem_ctx *c, const sc_mix *in, rf_household_mix *m)
{
    conv_dist(c, "households.adults", &in->adults, &m->adults);
    conv_dist(c, "households.children", &in->children, &m->children);
    conv_dist(c, "households.child_age", &in->child_age, &m->child_age);
    struct {
        const char *key;
        double v;
        double *dst;
    } probs[] = {
        {"households.p_child_male", in->p_child_male, &m->p_child_male},
        {"households.p_wheelchair", in->p_wheelchair, &m->p_wheelchair},
        {"households.p_nrpf", in->p_nrpf, &m->p_nrpf},
        {"households.p_male", in->p_male, &m->p_male},
        {"households.p_pet", in->p_pet, &m->p_pet},
        {"households.p_bme", in->p_bme, &m->p_bme},
        {"households.p_young", in->p_young, &m->p_young},
        {"households.p_needs_specialist", in->p_needs_specialist, &m->p_needs_specialist},
        {"households.p_high_support", in->p_high_support, &m->p_high_support},
        {"households.p_high_risk", in->p_high_risk, &m->p_high_risk},
        {"households.p_needs_security", in->p_needs_security, &m->p_needs_security},
        {"households.p_outside_area", in->p_outside_area, &m->p_outside_area},
        {"households.p_wants_area", in->p_wants_area, &m->p_wants_area},
    };
    for (size_t i = 0; i < sizeof probs / sizeof probs[0]; i++) {
        check_prob(c, probs[i].key, probs[i].v);
        *probs[i].dst = probs[i].v;
    }
    conv_profiles(c, in);
    int na = c->p->n_areas;
    memset(m->area_weights, 0, sizeof m->area_weights);
    if (in->area_weights_count == 0) {
        for (int i = 0; i < na; i++)
            m->area_weights[i] = 1;
        return;
    }
    if ((int)in->area_weights_count != na) {
        sem(c, "households.area_weights", "%u weights for %d areas (accepted: one per area)",
            in->area_weights_count, na);
        return;
    }
    double total = 0;
    for (int i = 0; i < na; i++) {
        char sub[64];
        snprintf(sub, sizeof sub, "households.area_weights[%d]", i);
        check_nonneg(c, sub, in->area_weights[i], "(relative weight)");
        m->area_weights[i] = in->area_weights[i];
        total += in->area_weights[i] > 0 ? in->area_weights[i] : 0;
    }
    if (!(total > 0))
        sem(c, "households.area_weights", "at least one weight must be more than 0");
}

static void conv_referrals(sem_ctx *c, const sc_referrals *in)
{
    rf_params *p = c->p;
    check_nonneg(c, "referrals.per_year", in->per_year, "referrals a year");
    p->per_year = in->per_year;
    if (!(in->growth > -1 && in->growth <= 10))
        sem(c, "referrals.growth", "%g is out of range (accepted: more than -1, at most 10; "
                                   "0.05 is 5%% a year)", in->growth);
    p->growth = in->growth;
    double total = 0;
    bool ok = true;
    for (unsigned m = 0; m < in->seasonality_count && m < 12; m++) {
        char sub[64];
        snprintf(sub, sizeof sub, "referrals.seasonality[%u]", m);
        if (!(in->seasonality[m] >= 0)) {
            check_nonneg(c, sub, in->seasonality[m], "(relative factor)");
            ok = false;
        }
        total += in->seasonality[m];
    }
    if (ok && !(total > 0)) {
        sem(c, "referrals.seasonality", "at least one month must have a factor above 0");
        ok = false;
    }
    if (in->start_month < 1 || in->start_month > 12)
        sem(c, "referrals.start_month", "%d is not a month (accepted: 1 = January to 12 = "
                                        "December)", in->start_month);
    p->start_month = in->start_month;
    /* Factors are relative: scaled to mean 1 so per_year stays the yearly mean. */
    for (int m = 0; m < 12; m++)
        p->seasonality[m] = ok && in->seasonality_count == 12 ? in->seasonality[m] * 12 / total : 1;
}

static void conv_initial(sem_ctx *c, const sc_initial *in)
{
    rf_params *p = c->p;
    int per_service[RF_MAX_SERVICES] = {0};
    char sub[80];
    for (unsigned i = 0; i < in->occupants_count; i++) {
        const sc_occupant *o = &in->occupants[i];
        int s = 0;
        while (s < p->n_services && strcmp(p->services[s].name, o->service) != 0)
            s++;
        if (s == p->n_services) {
            snprintf(sub, sizeof sub, "initial.occupants[%u].service", i);
            sem(c, sub, "no service is named '%s'", o->service);
            continue;
        }
        snprintf(sub, sizeof sub, "initial.occupants[%u].count", i);
        if (o->count < 1) {
            sem(c, sub, "must be at least 1, got %d", o->count);
            continue;
        }
        if (p->n_initial_occupants + o->count > RF_MAX_INITIAL) {
            sem(c, sub, "more than %d starting occupants in all", RF_MAX_INITIAL);
            return;
        }
        snprintf(sub, sizeof sub, "initial.occupants[%u].days_stayed", i);
        check_nonneg(c, sub, o->days_stayed, "days");
        per_service[s] += o->count;
        int units = 0;
        for (int b = 0; b < p->services[s].n_blocks; b++)
            units += p->services[s].blocks[b].count;
        if (per_service[s] > units) {
            snprintf(sub, sizeof sub, "initial.occupants[%u].count", i);
            sem(c, sub, "more occupants than '%s' has units", o->service);
        }
        for (int k = 0; k < o->count; k++)
            p->initial_occupants[p->n_initial_occupants++] =
                (rf_initial_occupant){.service = s, .days_stayed = o->days_stayed};
    }
    for (unsigned i = 0; i < in->waiting_days_count; i++) {
        snprintf(sub, sizeof sub, "initial.waiting_days[%u]", i);
        check_nonneg(c, sub, in->waiting_days[i], "days");
        p->initial_waiting_days[p->n_initial_waiting++] = in->waiting_days[i];
    }
}

/* ---- the network (rf_area.h) ---- */

/* Each area's referrals: its per_year, else the scenario's referrals.per_year
 * times its share of the population of all areas (equal shares when no
 * area gives one). */
static void conv_net_referrals(sem_ctx *c, const sc_network *in, const bool *own_rate)
{
    rf_params *p = c->p;
    double total_pop = 0;
    int with_pop = 0, bad_pop = 0;
    for (unsigned i = 0; i < in->areas_count; i++) {
        char sub[80];
        snprintf(sub, sizeof sub, "network.areas[%u].population", i);
        if (has_key(c, sub)) {
            check_nonneg(c, sub, in->areas[i].population, "people");
            bad_pop += !(in->areas[i].population >= 0);
            total_pop += in->areas[i].population;
            with_pop++;
        }
    }
    /* Populations that add up to 0 give every share 0/0: the scenario's
     * referrals would go nowhere (the run said 0 a year).  Refused at the
     * first area that takes a share, unless a negative population, already
     * reported, is why. */
    if (with_pop > 0 && !bad_pop && !(total_pop > 0) && p->per_year > 0)
        for (unsigned i = 0; i < in->areas_count; i++) {
            int a = find_area(p, in->areas[i].name);
            char sub[80];
            snprintf(sub, sizeof sub, "network.areas[%u].population", i);
            if (a < 0 || own_rate[a] || !has_key(c, sub))
                continue;
            sem(c, sub, "referrals.per_year (%g a year) is shared by population and no area has "
                        "any (accepted: a population above 0 in one area or more, population on "
                        "no area for equal shares, or per_year on this area)", p->per_year);
            return;
        }
    for (unsigned i = 0; i < in->areas_count; i++) {
        int a = find_area(p, in->areas[i].name);
        if (a < 0 || own_rate[a])
            continue;
        char sub[80];
        snprintf(sub, sizeof sub, "network.areas[%u].population", i);
        double share;
        if (with_pop == 0) {
            share = 1.0 / p->n_areas;
        } else if (!has_key(c, sub)) {
            snprintf(sub, sizeof sub, "network.areas[%u]", i);
            sem(c, sub, "needs per_year or population (other areas give a population, so "
                        "referrals.per_year is shared by population)");
            continue;
        } else {
            share = total_pop > 0 ? p->net.areas[a].population / total_pop : 0;
        }
        p->net.areas[a].per_year = p->per_year * share;
    }
}

/* Distances: network.distances first (symmetric unless both ways are
 * given), else from coordinates, plane (x_km, y_km) or latitude/longitude;
 * rf_net_km_table applies the rule, here every pair must have one. */
static void conv_net_distances(sem_ctx *c, const sc_network *in, const int *index)
{
    rf_params *p = c->p;
    int n = p->n_areas;
    char sub[96];
    /* the entry that gave each ordered pair, + 1: a pair given twice would
     * have the last one win unsaid */
    unsigned *given = in->distances_count ? calloc((size_t)n * (size_t)n + 1, sizeof *given) : NULL;
    if (in->distances_count && !given) {
        sem(c, "network", "out of memory for the distances");
        return;
    }
    for (unsigned k = 0; k < in->distances_count; k++) {
        const sc_distance *d = &in->distances[k];
        int a = find_area(p, d->from), b = find_area(p, d->to);
        snprintf(sub, sizeof sub, "network.distances[%u]", k);
        if (a < 0 || b < 0) {
            sem(c, sub, "unknown area '%s' (accepted: a name in areas)", a < 0 ? d->from : d->to);
            continue;
        }
        if (a == b) {
            sem(c, sub, "from and to are both '%s': an area is 0 km from itself (accepted: two "
                        "different areas)", d->from);
            continue;
        }
        unsigned *g = &given[(size_t)a * (size_t)n + (size_t)b];
        if (*g) {
            sem(c, sub, "the distance from '%s' to '%s' is given twice (first at "
                        "network.distances[%u]; accepted: each pair once a way)", d->from, d->to,
                *g - 1);
            continue;
        }
        *g = k + 1;
        snprintf(sub, sizeof sub, "network.distances[%u].km", k);
        check_nonneg(c, sub, d->km, "km");
        rf_net_add_distance(p, a, b, d->km);
    }
    free(given);
    int n_plane = 0, n_globe = 0;
    for (int a = 0; a < n; a++) {
        if (index[a] < 0)
            continue;
        const char *keys[] = {"x_km", "y_km", "lat", "lon"};
        bool g[4];
        for (int k = 0; k < 4; k++) {
            snprintf(sub, sizeof sub, "network.areas[%d].%s", index[a], keys[k]);
            g[k] = has_key(c, sub);
        }
        snprintf(sub, sizeof sub, "network.areas[%d]", index[a]);
        if (g[0] != g[1] || g[2] != g[3])
            sem(c, sub, "give both x_km and y_km, or both lat and lon");
        else if (g[0] && g[2])
            sem(c, sub, "give x_km and y_km or lat and lon, not both");
        bool plane = g[0] && g[1] && !g[2], globe = g[2] && g[3] && !g[0];
        const sc_area *x = &in->areas[index[a]];
        if (globe && !(x->lat >= -90 && x->lat <= 90 && x->lon >= -180 && x->lon <= 180))
            sem(c, sub, "lat must be -90 to 90 and lon -180 to 180 degrees");
        rf_area *r = &p->net.areas[a];
        r->has_coords = plane || globe;
        r->x = plane ? x->x_km : x->lat;
        r->y = plane ? x->y_km : x->lon;
        n_plane += plane;
        n_globe += globe;
    }
    if (n_plane && n_globe)
        sem(c, "network.areas", "every area's coordinates must be of one kind (x_km, y_km or "
                                "lat, lon)");
    p->net.coords = n_plane ? RF_NET_COORDS_PLANE : n_globe ? RF_NET_COORDS_GLOBE
                                                           : RF_NET_COORDS_NONE;
    float *km = malloc((size_t)n * (size_t)n * sizeof *km);
    if (!km) {
        sem(c, "network", "out of memory for the distances");
        return;
    }
    rf_net_km_table(p, km);
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            if (!isnan(km[(size_t)a * (size_t)n + (size_t)b]) || index[a] < 0 || index[b] < 0)
                continue;
            snprintf(sub, sizeof sub, "network.areas[%d]", index[a]);
            sem(c, sub, "no distance from '%s' to '%s' (accepted: coordinates on both, or "
                        "an entry in network.distances)", in->areas[index[a]].name,
                in->areas[index[b]].name);
            free(km);
            return;
        }
    free(km);
}

static void conv_network(sem_ctx *c, const sc_network *in)
{
    rf_params *p = c->p;
    rf_network *net = &p->net;
    char sub[96];
    net->on = true;
    if (p->trace || c->sc->referrals.trace)
        sem(c, "network", "a network cannot replay a referral trace (the trace has no origins)");
    bool has_default_hr = has_key(c, "network.p_leave_high_risk");
    check_prob(c, "network.p_leave", in->p_leave);
    if (has_default_hr)
        check_prob(c, "network.p_leave_high_risk", in->p_leave_high_risk);
    net->max_km = has_key(c, "network.max_km") ? in->max_km : INFINITY;
    check_nonneg(c, "network.max_km", net->max_km, "km");
    net->own_first = has_key(c, "network.own_area_first") ? in->own_area_first : true;
    net->waiting = (rf_net_waiting)in->waiting_list;

    int index[RF_MAX_AREAS];
    bool own_rate[RF_MAX_AREAS] = {false};
    for (int a = 0; a < RF_MAX_AREAS; a++)
        index[a] = -1;
    for (unsigned i = 0; i < in->areas_count; i++) {
        const sc_area *x = &in->areas[i];
        int a = find_area(p, x->name);
        snprintf(sub, sizeof sub, "network.areas[%u].name", i);
        if (a < 0) {
            sem(c, sub, "unknown area '%s' (accepted: a name in areas)", x->name);
            continue;
        }
        if (index[a] >= 0) {
            sem(c, sub, "'%s' is described twice (accepted: one entry per name in areas)", x->name);
            continue;
        }
        index[a] = (int)i;
        rf_area *r = &net->areas[a];
        r->population = x->population;
#define NET_KEY(key) (snprintf(sub, sizeof sub, "network.areas[%u]." key, i), has_key(c, sub))
        if (NET_KEY("per_year")) {
            check_nonneg(c, sub, x->per_year, "referrals a year");
            r->per_year = x->per_year;
            own_rate[a] = true;
        }
        r->growth = p->growth;
        if (NET_KEY("growth")) {
            if (!(x->growth > -1 && x->growth <= 10))
                sem(c, sub, "%g is out of range (accepted: more than -1, at most 10)", x->growth);
            r->growth = x->growth;
        }
        r->p_leave = in->p_leave;
        if (NET_KEY("p_leave")) {
            check_prob(c, sub, x->p_leave);
            r->p_leave = x->p_leave;
        }
        r->p_leave_high_risk = has_default_hr ? in->p_leave_high_risk : r->p_leave;
        if (NET_KEY("p_leave_high_risk")) {
            check_prob(c, sub, x->p_leave_high_risk);
            r->p_leave_high_risk = x->p_leave_high_risk;
        }
        r->has_neighbours = NET_KEY("neighbours");
        if (NET_KEY("seasonality")) {
            double total = 0;
            for (unsigned m = 0; m < x->seasonality_count && m < 12; m++) {
                snprintf(sub, sizeof sub, "network.areas[%u].seasonality[%u]", i, m);
                check_nonneg(c, sub, x->seasonality[m], "(relative factor)");
                total += x->seasonality[m] > 0 ? x->seasonality[m] : 0;
            }
            snprintf(sub, sizeof sub, "network.areas[%u].seasonality", i);
            if (!(total > 0))
                sem(c, sub, "at least one month must have a factor above 0");
            r->own_seasonality = true;
            for (int m = 0; m < 12; m++)   /* relative: scaled to mean 1, as referrals.seasonality */
                r->seasonality[m] = total > 0 && x->seasonality_count == 12
                                        ? x->seasonality[m] * 12 / total : 1;
        }
        static const char *const mix_keys[RF_AM_N + RF_AD_N] = {
#define RF_AM_KEY(id, key, field) key,
            RF_AREA_MIX_LIST(RF_AM_KEY) RF_AREA_DIST_LIST(RF_AM_KEY)
#undef RF_AM_KEY
        };
        for (int k = 0; k < RF_AM_N + RF_AD_N; k++) {   /* probabilities, then distributions */
            snprintf(sub, sizeof sub, "network.areas[%u].households.%s", i, mix_keys[k]);
            if (!has_key(c, sub))
                continue;
            if (k < RF_AM_N) {
                check_prob(c, sub, x->households.p[k]);
                r->own_mix |= 1u << k;
                r->p_mix[k] = x->households.p[k];
            } else if (net->n_dists >= RF_MAX_AREA_DISTS) {
                sem(c, sub, "more than %d household distributions of areas' own (accepted: at "
                            "most %d, all areas together)", RF_MAX_AREA_DISTS, RF_MAX_AREA_DISTS);
            } else if (conv_dist(c, sub, &x->households.d[k - RF_AM_N], &net->dists[net->n_dists])) {
                r->own_dist[k - RF_AM_N] = (uint8_t)++net->n_dists;
            }
        }
#undef NET_KEY
        for (unsigned k = 0; k < x->neighbours_count; k++) {
            int b = find_area(p, x->neighbours[k]);
            snprintf(sub, sizeof sub, "network.areas[%u].neighbours[%u]", i, k);
            if (b < 0)
                sem(c, sub, "unknown area '%s' (accepted: a name in areas)", x->neighbours[k]);
            else if (r->n_neighbours < RF_MAX_NEIGHBOURS)
                r->neighbours[r->n_neighbours++] = (uint16_t)b;
        }
    }
    for (int a = 0; a < p->n_areas; a++)
        if (index[a] < 0)
            sem(c, "network.areas", "area '%s' of areas is not described (accepted: one entry "
                                    "per name in areas)", p->area_names[a]);
    conv_net_referrals(c, in, own_rate);
    conv_net_distances(c, in, index);

    const sc_decline *dc = &in->decline;
    bool table = has_key(c, "network.decline.table"), logistic = has_key(c, "network.decline.logistic");
    if (table && logistic)
        sem(c, "network.decline", "give a table or a logistic curve, not both");
    if (table) {
        net->decline = RF_DECLINE_TABLE;
        net->n_decline = (int)dc->table_count;
        for (unsigned i = 0; i < dc->table_count; i++) {
            snprintf(sub, sizeof sub, "network.decline.table[%u].p", i);
            check_prob(c, sub, dc->table[i].p);
            snprintf(sub, sizeof sub, "network.decline.table[%u].km", i);
            check_nonneg(c, sub, dc->table[i].km, "km");
            if (i > 0 && !(dc->table[i].km > dc->table[i - 1].km))
                sem(c, sub, "%g km: distances must increase down the table", dc->table[i].km);
            net->decline_km[i] = dc->table[i].km;
            net->decline_p[i] = dc->table[i].p;
        }
    } else if (logistic) {
        net->decline = RF_DECLINE_LOGISTIC;
        net->decline_mid_km = dc->logistic.midpoint_km;
        net->decline_scale_km = dc->logistic.scale_km;
        net->decline_max = dc->logistic.max;
        check_prob(c, "network.decline.logistic.max", dc->logistic.max);
        if (!(dc->logistic.scale_km > 0))
            sem(c, "network.decline.logistic.scale_km", "%g: must be more than 0 km",
                dc->logistic.scale_km);
    }
}

static int convert(sem_ctx *c)
{
    const sc_scenario *sc = c->sc;
    rf_params *p = c->p;
    rf_params_defaults(p);              /* p is calloc's: already zero */
    snprintf(p->name, sizeof p->name, "%s", sc->name);

    if (!(sc->horizon > 0 && sc->horizon <= MAX_DAYS))
        sem(c, "horizon", "%g days is out of range (accepted: more than 0, at most %g)",
            sc->horizon, MAX_DAYS);
    if (!(sc->warmup >= 0 && sc->warmup <= MAX_DAYS))
        sem(c, "warmup", "%g days is out of range (accepted: 0 to %g)", sc->warmup, MAX_DAYS);
    if (sc->replications < 1 || sc->replications > MAX_REPS)
        sem(c, "replications", "%u is out of range (accepted: 1 to %u)", sc->replications,
            MAX_REPS);
    p->horizon = sc->horizon;
    p->warmup = sc->warmup;
    p->reps = sc->replications;
    p->seed = sc->seed;

    p->n_areas = (int)sc->areas_count;
    for (unsigned i = 0; i < sc->areas_count; i++) {
        snprintf(p->area_names[i], RF_NAME_MAX, "%s", sc->areas[i]);
        for (unsigned j = 0; j < i; j++)
            if (!strcmp(sc->areas[i], sc->areas[j])) {
                char sub[32];
                snprintf(sub, sizeof sub, "areas[%u]", i);
                sem(c, sub, "'%s' is listed twice (accepted: each area once)", sc->areas[i]);
            }
    }

    conv_referrals(c, &sc->referrals);
    conv_mix(c, &sc->households, &p->mix);

    double screened = 0;
    p->n_screen = (int)sc->screening_count;
    for (unsigned i = 0; i < sc->screening_count; i++) {
        char sub[64];
        snprintf(sub, sizeof sub, "screening[%u].prob", i);
        check_prob(c, sub, sc->screening[i].prob);
        screened += sc->screening[i].prob;
        snprintf(p->screen[i].name, RF_NAME_MAX, "%s", sc->screening[i].name);
        p->screen[i].prob = sc->screening[i].prob;
        /* each reason is reported (and a CSV column) by its name */
        for (unsigned j = 0; j < i; j++)
            if (!strcmp(sc->screening[j].name, sc->screening[i].name)) {
                snprintf(sub, sizeof sub, "screening[%u].name", i);
                sem(c, sub, "'%s' is already the name of screening[%u] (accepted: a name no "
                            "other reason has)", sc->screening[i].name, j);
                break;
            }
    }
    if (screened > 1 + 1e-12)
        sem(c, "screening", "the reasons screen out %g of referrals in all (accepted: at most 1)",
            screened);

    check_prob(c, "waiting.p_wait", sc->waiting.p_wait);
    p->p_wait = sc->waiting.p_wait;
    conv_dist(c, "waiting.patience", &sc->waiting.patience, &p->patience);
    p->priority = (rf_priority)sc->waiting.priority;
    if (sc->waiting.max_waiting < 0)
        sem(c, "waiting.max_waiting", "must not be negative, got %d (accepted: 0 = no cap, "
                                      "or a number of households)", sc->waiting.max_waiting);
    p->max_waiting = sc->waiting.max_waiting;
    p->matching = (rf_match_policy)sc->matching;

    conv_dist(c, "move_on.delay", &sc->move_on.delay, &p->move_on_delay);
    check_nonneg(c, "move_on.timely_days", sc->move_on.timely_days, "days");
    p->timely_days = sc->move_on.timely_days;
    conv_dist(c, "downtime.turnaround", &sc->downtime.turnaround, &p->turnaround);
    bool iv = conv_dist(c, "downtime.outage_interval", &sc->downtime.outage_interval,
                        &p->outage_interval);
    conv_dist(c, "downtime.outage_duration", &sc->downtime.outage_duration, &p->outage_duration);
    if (iv && p->outage_interval.kind != SIM_DIST_NONE) {
        if (!(sim_dist_mean(&p->outage_interval) > 0))
            sem(c, "downtime.outage_interval", "the time between outages must be more than 0 "
                                               "days on average (or dist: none for no outages)");
        if (p->outage_duration.kind == SIM_DIST_NONE)
            sem(c, "downtime.outage_interval", "outages need a duration: set "
                                               "downtime.outage_duration (accepted: any dist "
                                               "but none)");
    }
    /* services after the scenario-wide distributions they may inherit */
    p->n_services = (int)sc->services_count;
    for (unsigned i = 0; i < sc->services_count; i++)
        conv_service(c, (int)i, &sc->services[i], &p->services[i]);

    conv_initial(c, &sc->initial);
    if (has_key(c, "network"))
        conv_network(c, &sc->network);
    return c->errors ? SIM_ERANGE : SIM_OK;
}

/* ---- the pipeline ---- */

/* rf_model_check's words start with the key ("services[0]: ...",
 * "referrals.per_year must ..."): put them where the tree says that key
 * came from. */
static void model_refusal(const st_node *tree, const char *file, const char *why, rf_diags *d)
{
    char key[128];
    size_t n = strspn(why, "abcdefghijklmnopqrstuvwxyz_.[]0123456789");
    if (n >= sizeof key)
        n = 0;
    memcpy(key, why, n);
    key[n] = '\0';
    st_origin near = {0};
    const st_node *at = n ? st_lookup(tree, key, &near, NULL) : NULL;
    st_origin o = at ? at->at : near;
    if (!at && !near.file)
        key[0] = '\0';
    const char *msg = why + strlen(key);
    msg += strspn(msg, ": ");
    if (!key[0])
        msg = why;
    rf_diags_add(d, o.file ? o.file : file, o.line, o.col, key, "%s", msg);
}

static int load_all(const char *text, size_t len, const char *name, bool from_file,
                    const char *const *sets, size_t n_sets, rf_scenario **out, rf_diags *diags)
{
    rf_diags scratch;
    rf_diags *d = diags ? diags : &scratch;
    memset(d, 0, sizeof *d);
    *out = NULL;
    st_arena *a = st_arena_new();
    rf_scenario *s = calloc(1, sizeof *s);
    sc_scenario *sc = NULL;
    const char *file = a ? st_strdup(a, name) : NULL;
    int rc = SIM_ENOMEM;
    cy_log log = {{0}, 0, 0};
    cyaml_config_t cfg = {.log_fn = cy_log_fn, .log_ctx = &log, .mem_fn = cyaml_mem,
                          .log_level = CYAML_LOG_ERROR, .flags = CYAML_CFG_DEFAULT};
    if (!a || !s || !file || !(s->path = strdup(name)))
        goto done;

    load_ctx lc = {a, d, {file}, 1, s};
    st_node *defaults, *tree;
    rc = st_parse(a, default_yaml, strlen(default_yaml), ST_DEFAULT_FILE, &defaults, d);
    if (rc != SIM_OK)
        goto done;
    rc = from_file ? load_file_layers(&lc, file, (st_origin){0}, &tree)
                   : load_layers(&lc, text, len, file, &tree);
    if (rc != SIM_OK)
        goto done;
    if ((rc = st_merge(a, &defaults, tree)) != SIM_OK)
        goto done;
    defaults->at = tree->at;   /* missing top-level keys are the file's fault */
    tree = defaults;
    int bad_sets = 0;
    for (size_t i = 0; i < n_sets; i++) {
        int r = st_apply_set(a, &tree, sets[i], d);
        if (r == SIM_ENOMEM) {
            rc = r;
            goto done;
        }
        bad_sets += r != SIM_OK;
    }
    if ((rc = fill_defaults(a, tree, d)) != SIM_OK || (rc = resolve_trace_path(a, tree)) != SIM_OK)
        goto done;
    int missing = 0;
    const st_node *ref = st_map_get(tree, "referrals");
    if (ref && ref->kind == ST_MAP && !st_map_get(ref, "per_year") && !st_map_get(ref, "trace")) {
        st_origin at = strcmp(ref->at.file, ST_DEFAULT_FILE) ? ref->at : tree->at;
        rf_diags_add(d, at.file, at.line, at.col, "referrals.per_year",
                     "missing required key 'per_year' (or give 'trace')");
        missing = 1;
    }
    if (rf_sc_check_tree(tree, d) + missing || bad_sets) {
        rc = SIM_EPARSE;
        goto done;
    }
    order_like_schema(tree, &rf_sc_top_schema);
    /* a comment line: a newline in the file name would start YAML content */
    char header[512], shown[400];
    snprintf(header, sizeof header,
             "# Resolved from %s: extends and --set applied, defaults written out.\n",
             sim_text_str(SIM_TEXT_TERM, name, shown, sizeof shown));
    size_t tlen;
    if ((rc = st_emit(tree, header, &s->text, &tlen)) != SIM_OK)
        goto done;
    cyaml_err_t err = cyaml_load_data((const uint8_t *)s->text, tlen, &cfg, &rf_sc_top_schema,
                                      (cyaml_data_t **)&sc, NULL);
    if (err != CYAML_OK) {
        rf_diags_add(d, file, 0, 0, "", "%s (libcyaml, resolved text line %d)",
                     log.message[0] ? log.message : cyaml_strerror(err), log.line);
        rc = err == CYAML_ERR_OOM ? SIM_ENOMEM : SIM_EPARSE;
        goto done;
    }
    sem_ctx c = {tree, d, 0, &s->params, sc, s->block_names, NULL};
    if ((rc = convert(&c)) != SIM_OK)
        goto done;
    if (sc->referrals.trace) {
        int line = 0;
        char msg[256];
        int tr = rf_trace_load(sc->referrals.trace, &s->trace, &line, msg, sizeof msg);
        if (tr != SIM_OK) {
            st_origin at = {0};
            const st_node *n = st_lookup(tree, "referrals.trace", NULL, NULL);
            if (n)
                at = n->at;
            if (line > 0)
                rf_diags_add(d, sc->referrals.trace, line, 1, "referrals.trace", "%s", msg);
            else
                rf_diags_add(d, at.file ? at.file : file, at.line, at.col, "referrals.trace",
                             "cannot load '%s': %s", sc->referrals.trace, msg);
            rc = tr == SIM_ENOMEM ? SIM_ENOMEM : tr == SIM_EIO ? SIM_EIO : SIM_EPARSE;
            goto done;
        }
        s->params.trace = &s->trace;
        if ((rc = add_file(s, sc->referrals.trace)) != SIM_OK)
            goto done;
    }
    /* the model's own refusals (sums, the work a replication needs), found
     * here with their place, so that `check` accepts nothing `run` refuses */
    char why[512];
    if (rf_model_check(&s->params, why, sizeof why) != SIM_OK) {
        model_refusal(tree, file, why, d);
        rc = SIM_EPARSE;
        goto done;
    }
    rc = SIM_OK;
done:
    if (sc)
        cyaml_free(&cfg, &rf_sc_top_schema, sc, 0);
    st_arena_free(a);
    if (rc == SIM_OK) {
        *out = s;
    } else {
        if (rc == SIM_ENOMEM && d->n == 0)
            rf_diags_add(d, name, 0, 0, "", "out of memory");
        rf_diags_sort(d);
        rf_scenario_free(s);
    }
    return rc;
}

int rf_scenario_load_file(const char *path, const char *const *sets, size_t n_sets,
                          rf_scenario **out, rf_diags *diags)
{
    return load_all(NULL, 0, path, true, sets, n_sets, out, diags);
}

int rf_scenario_load_text(const char *yaml, const char *display_name,
                          const char *const *sets, size_t n_sets, rf_scenario **out,
                          rf_diags *diags)
{
    return load_all(yaml, strlen(yaml), display_name ? display_name : "(text)", false, sets,
                    n_sets, out, diags);
}

const rf_params *rf_scenario_params(const rf_scenario *s)
{
    return &s->params;
}

rf_params *rf_scenario_params_edit(rf_scenario *s)
{
    return &s->params;
}

const char *rf_scenario_text(const rf_scenario *s)
{
    return s->text;
}

const char *rf_scenario_block_name(const rf_scenario *s, int service, int block)
{
    if (service < 0 || service >= s->params.n_services || block < 0
        || block >= s->params.services[service].n_blocks)
        return NULL;
    return s->block_names[service][block];
}

const char *rf_scenario_path(const rf_scenario *s)
{
    return s->path;
}

size_t rf_scenario_n_files(const rf_scenario *s)
{
    return s->n_files;
}

const char *rf_scenario_file(const rf_scenario *s, size_t i)
{
    return i < s->n_files ? s->files[i] : NULL;
}

size_t rf_scenario_work(void) { return st_work(); }

int rf_scenario_locate(const char *text, const char *key, int *line, int *col)
{
    st_arena *a = st_arena_new();
    if (!a)
        return SIM_ENOMEM;
    rf_diags d = {0};
    st_node *root = NULL;
    int rc = st_parse(a, text, strlen(text), "(text)", &root, &d);
    if (rc == SIM_OK) {
        const st_node *v = root ? st_lookup(root, key, NULL, NULL) : NULL;
        if (v && v->kind == ST_SCALAR && v->at.line > 0) {
            *line = v->at.line;
            *col = v->at.col;
        } else {
            rc = SIM_ENOTFOUND;
        }
    }
    st_arena_free(a);
    return rc;
}

void rf_scenario_free(rf_scenario *s)
{
    if (!s)
        return;
    rf_trace_free(&s->trace);
    for (size_t i = 0; i < s->n_files; i++)
        free(s->files[i]);
    free(s->text);
    free(s->path);
    free(s);
}
