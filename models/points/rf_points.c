#include "rf_points.h"
#include "rf_capacity.h"
#include "sim_status.h"

#include <errno.h>
#include <stdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char **sets;              /* scenario --set strings for this point */
    size_t n_sets;
    int spaces;               /* -1: keep */
    char extra_service[RF_NAME_MAX];
    int extra;                /* units to add to extra_service */
    double *vary_values;      /* for the points table */
    char **vary_texts;        /* each value as given (NULL: its number), for the label */
    char *path;               /* NULL: the cfg's scenario file */
    char *label;              /* NULL: rf_point_label's */
} point_spec;

struct rf_points {
    rf_points_cfg cfg;
    char **keys, **sets;      /* owned copies; cfg points at them */
    point_spec *pts;
    size_t n, cap;
    /* the current point */
    long cached;
    rf_scenario *sc;
    rf_params *params;        /* sc's, adjusted in place (--reps, --seed, spaces=):
                                 a copy would touch all of its 700 KB */
    char *resolved;           /* the current point's text with unit counts written out,
                                 when spaces / extra changed them; else NULL */
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static void free_strs(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static char **dup_strs(const char *const *v, size_t n)
{
    char **d = calloc(n + 1, sizeof *d);
    for (size_t i = 0; d && i < n; i++)
        if (!(d[i] = dup_str(v[i]))) {
            free_strs(d, i);
            return NULL;
        }
    return d;
}

int rf_points_create(const rf_points_cfg *cfg, rf_points **out)
{
    *out = NULL;
    rf_points *p = calloc(1, sizeof *p);
    if (!p)
        return SIM_ENOMEM;
    p->cfg = *cfg;
    p->cached = -1;
    p->keys = dup_strs(cfg->vary_keys, cfg->n_vary);
    p->sets = dup_strs(cfg->sets, cfg->n_sets);
    if (!p->keys || !p->sets) {
        rf_points_free(p);
        return SIM_ENOMEM;
    }
    p->cfg.vary_keys = (const char *const *)p->keys;
    p->cfg.sets = (const char *const *)p->sets;
    *out = p;
    return SIM_OK;
}

void rf_points_free(rf_points *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++) {
        free_strs(p->pts[i].sets, p->pts[i].n_sets);
        free(p->pts[i].vary_values);
        free_strs(p->pts[i].vary_texts, p->cfg.n_vary);
        free(p->pts[i].path);
        free(p->pts[i].label);
    }
    free(p->pts);
    free_strs(p->keys, p->cfg.n_vary);
    free_strs(p->sets, p->cfg.n_sets);
    rf_scenario_free(p->sc);
    free(p->resolved);
    free(p);
}

size_t rf_points_count(const rf_points *p) { return p->n; }
size_t rf_points_n_vary(const rf_points *p) { return p->cfg.n_vary; }
const char *const *rf_points_vary_keys(const rf_points *p) { return p->cfg.vary_keys; }
const double *rf_points_values(const rf_points *p, size_t i) { return p->pts[i].vary_values; }
int rf_points_from_texts(const rf_points *p) { return p->cfg.texts != NULL; }

static int is_pseudo(const char *key) { return !strcmp(key, "spaces") || !strncmp(key, "extra[", 6); }

/* Apply a pseudo-key to a point spec; SIM_EPARSE with a message on a bad value. */
static int apply_pseudo(point_spec *ps, const char *key, const char *value, char *err, size_t size)
{
    char *end;
    if (!strcmp(key, "spaces") && value[0] == '+') {
        snprintf(err, size, "spaces=%s: a leading + would set %s spaces, not add them: give the "
                 "number of spaces (only compare --vs spaces=+N is relative, to the baseline)",
                 value, value + 1);
        return SIM_EPARSE;
    }
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || *end || end == value || v < 0 || v > 1000000) {
        snprintf(err, size, "%s: expected a whole number of units from 0 to 1000000, got '%s'", key,
                 value);
        return SIM_EPARSE;
    }
    if (!strcmp(key, "spaces")) {
        ps->spaces = (int)v;
        return SIM_OK;
    }
    const char *close = strchr(key, ']');
    size_t len = close ? (size_t)(close - key - 6) : 0;
    if (!close || close[1] || len == 0 || len >= RF_NAME_MAX) {
        snprintf(err, size, "%s: expected extra[SERVICE NAME]=UNITS", key);
        return SIM_EPARSE;
    }
    memcpy(ps->extra_service, key + 6, len);
    ps->extra_service[len] = '\0';
    ps->extra = (int)v;
    return SIM_OK;
}

int rf_points_is_pseudo_set(const char *kv)
{
    const char *eq = strchr(kv, '=');
    size_t n = eq ? (size_t)(eq - kv) : strlen(kv);
    return (n == 6 && !strncmp(kv, "spaces", 6)) || !strncmp(kv, "extra[", 6);
}

/* A --set of a pseudo-key: applied as --vary applies it. */
static int apply_pseudo_set(point_spec *ps, const char *kv, char *err, size_t size)
{
    const char *eq = strchr(kv, '=');
    char key[256];
    if (!eq) {
        snprintf(err, size, "'%s': expected KEY=VALUE", kv);
        return SIM_EPARSE;
    }
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv), kv);
    return apply_pseudo(ps, key, eq + 1, err, size);
}

/* A new point in *out with the cfg's --set (pseudo-keys applied) and room
 * for n_more sets; SIM_ENOMEM, or SIM_EPARSE with a message in err. */
static int new_spec(rf_points *p, size_t n_more, point_spec **out, char *err, size_t err_size)
{
    const rf_points_cfg *c = &p->cfg;
    *out = NULL;
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 8;
        point_spec *np = realloc(p->pts, cap * sizeof *np);
        if (!np)
            return SIM_ENOMEM;
        p->pts = np;
        p->cap = cap;
    }
    point_spec *ps = &p->pts[p->n++];
    memset(ps, 0, sizeof *ps);
    ps->spaces = -1;
    ps->sets = calloc(c->n_sets + n_more + 1, sizeof *ps->sets);
    ps->vary_values = calloc(c->n_vary + 1, sizeof *ps->vary_values);
    ps->vary_texts = calloc(c->n_vary + 1, sizeof *ps->vary_texts);
    if (!ps->sets || !ps->vary_values || !ps->vary_texts)
        return SIM_ENOMEM;
    if (!c->texts)
        for (size_t k = 0; k < c->n_sets; k++) {
            if (rf_points_is_pseudo_set(c->sets[k])) {
                int rc = apply_pseudo_set(ps, c->sets[k], err, err_size);
                if (rc != SIM_OK)
                    return rc;
            } else if (!(ps->sets[ps->n_sets++] = dup_str(c->sets[k]))) {
                return SIM_ENOMEM;
            }
        }
    *out = ps;
    return SIM_OK;
}

/* key=val as one more --set of ps. */
static int add_set(point_spec *ps, const char *key, size_t key_len, const char *val)
{
    size_t len = key_len + strlen(val) + 2;
    char *set = malloc(len);
    if (!set)
        return SIM_ENOMEM;
    snprintf(set, len, "%.*s=%s", (int)key_len, key, val);
    ps->sets[ps->n_sets++] = set;
    return SIM_OK;
}

int rf_points_add(rf_points *p, const char *const *values, const double *numbers, char *err,
                  size_t err_size)
{
    const rf_points_cfg *c = &p->cfg;
    point_spec *ps;
    int rc0 = new_spec(p, c->n_vary, &ps, err, err_size);
    if (rc0 != SIM_OK)
        return rc0;
    for (size_t k = 0; k < c->n_vary; k++) {
        const char *key = c->vary_keys[k];
        char num[64];
        const char *val = values ? values[k] : NULL;
        ps->vary_values[k] = numbers ? numbers[k] : 0;
        if (!val) {
            snprintf(num, sizeof num, "%.17g", ps->vary_values[k]);
            val = num;
        } else if (!(ps->vary_texts[k] = dup_str(val))) {
            return SIM_ENOMEM;
        }
        if (is_pseudo(key)) {
            int rc = apply_pseudo(ps, key, val, err, err_size);
            if (rc != SIM_OK)
                return rc;
        } else if (!c->texts && add_set(ps, key, strlen(key), val) != SIM_OK) {
            return SIM_ENOMEM;
        }
    }
    return SIM_OK;
}

int rf_points_add_alt(rf_points *p, const rf_points_alt *alt, char *err, size_t err_size)
{
    point_spec *ps;
    int rc0 = new_spec(p, alt->n_kv, &ps, err, err_size);
    if (rc0 != SIM_OK)
        return rc0;
    if ((alt->path && !(ps->path = dup_str(alt->path)))
        || (alt->label && !(ps->label = dup_str(alt->label))))
        return SIM_ENOMEM;
    for (size_t k = 0; k < alt->n_kv; k++) {
        const char *kv = alt->kv[k], *eq = strchr(kv, '=');
        if (!eq || eq == kv) {
            snprintf(err, err_size, "'%s': expected KEY=VALUE", kv);
            return SIM_EPARSE;
        }
        char key[256];
        size_t len = (size_t)(eq - kv);
        snprintf(key, sizeof key, "%.*s", (int)len, kv);
        if (is_pseudo(key)) {
            int rc = apply_pseudo(ps, key, eq + 1, err, err_size);
            if (rc != SIM_OK)
                return rc;
        } else if (add_set(ps, kv, len, eq + 1) != SIM_OK) {
            return SIM_ENOMEM;
        }
    }
    return SIM_OK;
}

int rf_points_add_grid(rf_points *p, const rf_sweep *grid, char *err, size_t err_size)
{
    size_t nk = p->cfg.n_vary, np = grid ? rf_sweep_n_points(grid) : 1;
    const char **values = calloc(nk + 1, sizeof *values);
    double *numbers = calloc(nk + 1, sizeof *numbers);
    int rc = values && numbers ? SIM_OK : SIM_ENOMEM;
    for (size_t i = 0; i < np && rc == SIM_OK; i++) {
        for (size_t k = 0; k < nk; k++) {
            values[k] = rf_sweep_value(grid, i, k);
            numbers[k] = rf_sweep_number(grid, i, k);
        }
        rc = rf_points_add(p, values, numbers, err, err_size);
    }
    free(values);
    free(numbers);
    return rc;
}

static void append(char *buf, size_t size, size_t *len, const char *part, size_t part_len);

/* A service by its name, else by its index (as --set takes services[0]);
 * -1 when neither. */
static int service_named(const rf_params *q, const char *name)
{
    int s = rf_capacity_find_service(q, name);
    if (s >= 0 || !*name || strspn(name, "0123456789") != strlen(name) || strlen(name) > 6)
        return s;
    int k = atoi(name);
    return k < q->n_services ? k : -1;
}

/* A pseudo-key that cannot apply: one diagnostic with no file. */
__attribute__((format(printf, 2, 3))) static int pseudo_failed(rf_diags *diags, const char *fmt,
                                                               ...)
{
    rf_diag *d = &diags->items[0];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->message, sizeof d->message, fmt, ap);
    va_end(ap);
    d->file[0] = d->key[0] = '\0';
    d->line = 0;
    diags->n = 1;
    return SIM_EINVAL;
}

/* The scenario of point i loaded from its source with its sets and then
 * `more` (n_more) sets. */
static int load_source(const rf_points *p, size_t i, const char *const *more, size_t n_more,
                       rf_scenario **out, rf_diags *diags)
{
    const rf_points_cfg *c = &p->cfg;
    const point_spec *ps = &p->pts[i];
    size_t n = ps->n_sets + n_more;
    const char **sets = calloc(n + 1, sizeof *sets);
    if (!sets)
        return SIM_ENOMEM;
    for (size_t k = 0; k < ps->n_sets; k++)
        sets[k] = ps->sets[k];
    for (size_t k = 0; k < n_more; k++)
        sets[ps->n_sets + k] = more[k];
    int rc = c->texts ? rf_scenario_load_text(c->texts[i], "results file scenario", sets, n, out,
                                              diags)
                      : rf_scenario_load_file(ps->path ? ps->path : c->scenario_path, sets, n,
                                              out, diags);
    free(sets);
    return rc;
}

static int service_units(const rf_service *sv)
{
    int n = 0;
    for (int b = 0; b < sv->n_blocks; b++)
        n += sv->blocks[b].count;
    return n;
}

/* After spaces / extra changed the unit counts of the current point: its
 * scenario loaded again with one --set a count (a service's total and
 * each of its named blocks; the service's own units are what the blocks
 * leave), so that the stored text alone gives these units. */
static int resolve_counts(rf_points *p, size_t i, rf_diags *diags)
{
    const rf_params *q = p->params;
    size_t n = 0, cap = (size_t)q->n_services * (1 + RF_MAX_BLOCKS);
    char **sets = calloc(cap + 1, sizeof *sets);
    int rc = sets ? SIM_OK : SIM_ENOMEM;
    for (int s = 0; rc == SIM_OK && s < q->n_services; s++) {
        const rf_service *sv = &q->services[s];
        int named = 0;
        char kv[96];
        snprintf(kv, sizeof kv, "services[%d].units=%d", s, service_units(sv));
        if (!(sets[n++] = dup_str(kv)))
            rc = SIM_ENOMEM;
        for (int b = 0; rc == SIM_OK && b < sv->n_blocks; b++) {
            if (!sv->blocks[b].name[0])
                continue;
            snprintf(kv, sizeof kv, "services[%d].blocks[%d].units=%d", s, named++,
                     sv->blocks[b].count);
            if (!(sets[n++] = dup_str(kv)))
                rc = SIM_ENOMEM;
        }
    }
    rf_scenario *sc = NULL;
    if (rc == SIM_OK)
        rc = load_source(p, i, (const char *const *)sets, n, &sc, diags);
    if (rc == SIM_OK) {
        const char *t = rf_scenario_text(sc);
        size_t len = strlen(RF_POINTS_COUNTS_LINE) + strlen(t) + 1;
        if ((p->resolved = malloc(len)))
            snprintf(p->resolved, len, "%s%s", RF_POINTS_COUNTS_LINE, t);
        else
            rc = SIM_ENOMEM;
    }
    rf_scenario_free(sc);
    free_strs(sets, n);
    return rc;
}

int rf_points_load(rf_points *p, size_t i, rf_diags *diags)
{
    if (p->cached == (long)i)
        return SIM_OK;
    rf_scenario_free(p->sc);
    p->sc = NULL;
    p->params = NULL;
    free(p->resolved);
    p->resolved = NULL;
    p->cached = -1;
    const rf_points_cfg *c = &p->cfg;
    point_spec *ps = &p->pts[i];
    int rc = load_source(p, i, NULL, 0, &p->sc, diags);
    if (rc != SIM_OK)
        return rc;
    rf_params *q = p->params = rf_scenario_params_edit(p->sc);
    if (c->reps > 0)
        q->reps = (uint32_t)c->reps;
    if (c->seed_set)
        q->seed = c->seed;
    /* a text written with its unit counts already holds the pseudo-keys */
    int counted = c->texts && !strncmp(c->texts[i], RF_POINTS_COUNTS_LINE,
                                       strlen(RF_POINTS_COUNTS_LINE));
    int pseudo = !counted && (ps->spaces >= 0 || ps->extra_service[0]);
    if (pseudo && ps->spaces >= 0 && rf_capacity_set_total(q, ps->spaces) != SIM_OK)
        return pseudo_failed(diags, "spaces=%d: the scenario has no units to scale", ps->spaces);
    if (pseudo && ps->extra_service[0]) {
        int s = service_named(q, ps->extra_service);
        if (s < 0) {
            /* what it takes: the services' names, or their indices */
            char names[400] = "", one[80];
            size_t len = 0;
            for (int k = 0; k < q->n_services; k++) {
                int w = snprintf(one, sizeof one, "'%s'", q->services[k].name);
                append(names, sizeof names, &len, one, w > 0 ? (size_t)w : 0);
            }
            return pseudo_failed(diags, "extra[%s]: no service of that name (accepted: %s, or an "
                                 "index 0 to %d)", ps->extra_service, names, q->n_services - 1);
        }
        if (rf_capacity_add(q, s, 0, ps->extra) != SIM_OK)
            return pseudo_failed(diags, "extra[%s]: the service has no units of its own to add to",
                                 ps->extra_service);
    }
    /* from texts the stored text is kept as it is: rerun writes what it read */
    if (pseudo && !c->texts && (rc = resolve_counts(p, i, diags)) != SIM_OK)
        return rc;
    p->cached = (long)i;
    return SIM_OK;
}

const rf_params *rf_points_params(const rf_points *p)
{
    static const rf_params none;         /* before a point loads */
    return p->params ? p->params : &none;
}

const rf_scenario *rf_points_scenario(const rf_points *p)
{
    return p->cached >= 0 ? p->sc : NULL;
}

const char *rf_points_text(const rf_points *p)
{
    if (p->resolved)
        return p->resolved;
    return p->cfg.texts ? p->cfg.texts[p->cached] : rf_scenario_text(p->sc);
}

uint64_t rf_points_digest(const rf_points *p, uint64_t h,
                          uint64_t (*fold)(uint64_t h, const void *data, size_t n))
{
    const rf_params *q = p->params;
    const point_spec *ps = &p->pts[p->cached];
    h = fold(h, &q->seed, sizeof q->seed);
    h = fold(h, &q->reps, sizeof q->reps);
    const char *t = rf_scenario_text(p->sc);
    h = fold(h, t, strlen(t));
    _Static_assert(sizeof(rf_trace_row) == 4 * sizeof(double) + 18 * sizeof(int),
                   "rf_trace_row has padding: hash it field by field");
    if (q->trace && q->trace->n > 0)
        h = fold(h, q->trace->rows, (size_t)q->trace->n * sizeof *q->trace->rows);
    h = fold(h, &ps->spaces, sizeof(int));
    h = fold(h, &ps->extra, sizeof(int));
    return fold(h, ps->extra_service, strlen(ps->extra_service));
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int is_index(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return n > 0;
}

/* What a key ending in "units" names, in words: the block by its name,
 * else the service (by its name, or the one at that index) and the
 * block's number: "accessible", "Juno House", "county refuges block 2". */
static void units_words(const char *key, const rf_params *prm, char *buf, size_t size)
{
    const char *s = !strncmp(key, "services[", 9) ? key + 9 : NULL, *e = s ? strchr(s, ']') : NULL;
    if (!e) {
        const char *dot = strrchr(key, '.');
        snprintf(buf, size, "%.*s", dot ? (int)(dot - key) : (int)strlen(key), key);
        return;
    }
    char svc[RF_NAME_MAX + 16];
    size_t n = (size_t)(e - s);
    long si = is_index(s, n) ? strtol(s, NULL, 10) : -1;
    const rf_service *sv = NULL;
    if (si < 0) {
        snprintf(svc, sizeof svc, "%.*s", (int)n, s);
        for (int i = 0; prm && i < prm->n_services; i++)
            if (strlen(prm->services[i].name) == n && !strncmp(prm->services[i].name, s, n))
                sv = &prm->services[i];
    } else if (prm && si < prm->n_services) {
        sv = &prm->services[si];
        snprintf(svc, sizeof svc, "%s", sv->name);
    } else {
        snprintf(svc, sizeof svc, "service %ld", si + 1);
    }
    const char *b = !strncmp(e, "].blocks[", 9) ? e + 9 : NULL, *be = b ? strchr(b, ']') : NULL;
    if (!be) {
        snprintf(buf, size, "%s", svc);
        return;
    }
    if (!is_index(b, (size_t)(be - b))) {
        snprintf(buf, size, "%.*s", (int)(be - b), b);
        return;
    }
    /* the scenario's blocks[i] is the i-th named block (the service's own
     * units, unnamed, come first when there are any) */
    long bi = strtol(b, NULL, 10), seen = 0;
    for (int i = 0; sv && i < sv->n_blocks; i++)
        if (sv->blocks[i].name[0] && seen++ == bi) {
            snprintf(buf, size, "%s", sv->blocks[i].name);
            return;
        }
    snprintf(buf, size, "%s block %ld", svc, bi + 1);
}

static int is_units_key(const char *key)
{
    return ends_with(key, "units") || !strcmp(key, "spaces") || !strncmp(key, "extra[", 6);
}

/* One key's part of a label: "accessible=3", "county refuges +5",
 * "per_year=200" (the last path component of other keys).  Returns the
 * length the part needs (snprintf's), written or not. */
static size_t label_part(const char *key, size_t key_len, const char *value, const rf_params *prm,
                         char *buf, size_t size)
{
    char k[256], words[300];
    if (key_len >= sizeof k)   /* no key of the schema is this long: too long to label */
        return key_len + strlen(value);
    snprintf(k, sizeof k, "%.*s", (int)key_len, key);
    size_t n = strlen(k);
    int w;
    if (!strncmp(k, "extra[", 6) && n > 7 && k[n - 1] == ']') {
        k[n - 1] = '\0';                 /* the service by its name, given by index or not */
        int sv = prm ? service_named(prm, k + 6) : -1;
        w = snprintf(buf, size, "%s +%s", sv >= 0 ? prm->services[sv].name : k + 6, value);
    } else if (ends_with(k, "units") && strcmp(k, "units")) {
        units_words(k, prm, words, sizeof words);
        w = snprintf(buf, size, "%s=%s", words, value);
    } else {
        const char *last = strrchr(k, '.');
        w = snprintf(buf, size, "%s=%s", last ? last + 1 : k, value);
    }
    return w > 0 ? (size_t)w : 0;
}

/* Append part (part_len bytes, of which what fits is in part) after a
 * ", ".  *len counts every byte the label needs, written or not, so that
 * a label that would not fit is seen whole (and refused), never cut. */
static void append(char *buf, size_t size, size_t *len, const char *part, size_t part_len)
{
    const char *sep = *len ? ", " : "";
    if (*len + 1 < size)
        snprintf(buf + *len, size - *len, "%s%s", sep, part);
    *len += strlen(sep) + part_len;
}

/* A number as a label shows it: the shortest %g that reads back as v, so
 * that two different values never show alike (%g's 6 digits made
 * 150.0000001 and 150.0000002 both "150"). */
static void shortest_number(char *buf, size_t size, double v)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

/* The label of a point: the --set of unit counts (not also varied) and the
 * varied keys, each in words, and the total when only units change.
 * Returns its length, written whole only when it is less than size. */
static size_t point_label(char *buf, size_t size, const rf_params *prm, size_t n_sets,
                          const char *const *sets, size_t n_vary, const char *const *vary_keys,
                          const char *const *texts, const double *values)
{
    int units_only = 1;
    for (size_t k = 0; k < n_vary; k++)
        units_only &= is_units_key(vary_keys[k]);
    size_t len = 0;
    char part[600];
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; i < n_sets; i++) {
        const char *eq = strchr(sets[i], '=');
        size_t kl = eq ? (size_t)(eq - sets[i]) : 0;
        int varied = 0;
        for (size_t k = 0; k < n_vary; k++)
            varied |= strlen(vary_keys[k]) == kl && !strncmp(vary_keys[k], sets[i], kl);
        if (!eq || varied || kl < 5 || strncmp(eq - 5, "units", 5) || kl == 5)
            continue;
        size_t n = label_part(sets[i], kl, eq + 1, prm, part, sizeof part);
        append(buf, size, &len, part, n);
    }
    for (size_t k = 0; k < n_vary; k++) {
        if (units_only && !strcmp(vary_keys[k], "spaces"))
            continue;
        char num[32];
        const char *v = texts && texts[k] ? texts[k] : num;
        shortest_number(num, sizeof num, values[k]);
        size_t n = label_part(vary_keys[k], strlen(vary_keys[k]), v, prm, part, sizeof part);
        append(buf, size, &len, part, n);
    }
    if (!units_only)
        return len;
    /* units that open or close during the horizon: the spaces over time,
     * not the total of every block, which are never all in service at once */
    int total = prm ? rf_params_total_units(prm) : 0, start = total, lo = total, hi = total;
    double day = -1;
    if (prm)
        rf_params_units_over(prm, &start, &lo, &hi, &day);
    char spaces[96];
    if (lo == hi)
        snprintf(spaces, sizeof spaces, "%d space%s", lo, lo == 1 ? "" : "s");
    else if (day > 0)
        snprintf(spaces, sizeof spaces, "%d space%s, %d from day %g", start, start == 1 ? "" : "s",
                 start == lo ? hi : lo, day);
    else
        snprintf(spaces, sizeof spaces, "%d to %d spaces", lo, hi);
    char tail[120];
    int w = len ? snprintf(tail, sizeof tail, " (%s)", spaces)
                : snprintf(tail, sizeof tail, "%s", spaces);
    if (len + 1 < size)
        snprintf(buf + len, size - len, "%s", tail);
    return len + (size_t)w;
}

size_t rf_point_label(char *buf, size_t size, int total_units, size_t n_vary,
                      const char *const *vary_keys, const double *vary_values)
{
    int units_only = 1;
    for (size_t k = 0; k < n_vary; k++)
        units_only &= is_units_key(vary_keys[k]);
    if (units_only) {
        int w = snprintf(buf, size, "%d space%s", total_units, total_units == 1 ? "" : "s");
        return w > 0 ? (size_t)w : 0;
    }
    size_t len = 0;
    if (size)
        buf[0] = '\0';
    for (size_t k = 0; k < n_vary; k++) {
        const char *key = strrchr(vary_keys[k], '.');
        key = key ? key + 1 : vary_keys[k];
        char num[32], part[300];
        shortest_number(num, sizeof num, vary_values[k]);
        int w = snprintf(part, sizeof part, "%s=%s", key, num);
        append(buf, size, &len, part, w > 0 ? (size_t)w : 0);
    }
    return len;
}

size_t rf_points_label(const rf_points *p, char *buf, size_t size)
{
    const point_spec *ps = &p->pts[p->cached];
    const char *stored = p->cfg.labels ? p->cfg.labels[p->cached] : NULL;
    if (ps->label || (stored && *stored)) {
        const char *l = ps->label ? ps->label : stored;
        if (size)
            snprintf(buf, size, "%s", l);
        return strlen(l);
    }
    /* from texts, a --set is already in the text and only the varied keys show */
    return point_label(buf, size, rf_points_params(p), p->cfg.texts ? 0 : ps->n_sets,
                       (const char *const *)ps->sets, p->cfg.n_vary, p->cfg.vary_keys,
                       (const char *const *)ps->vary_texts, ps->vary_values);
}
