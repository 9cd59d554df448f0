#include "rf_sweep.h"
#include "sim_status.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key;
    size_t n;
    char **text;
    double *num;
} axis;

struct rf_sweep {
    size_t n_keys;
    axis axes[RF_SWEEP_MAX_KEYS];
};

rf_sweep *rf_sweep_create(void) { return calloc(1, sizeof(rf_sweep)); }

static void axis_free(axis *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->text[i]);
    free(a->text);
    free(a->num);
    free(a->key);
    memset(a, 0, sizeof *a);
}

void rf_sweep_free(rf_sweep *s)
{
    if (!s)
        return;
    for (size_t k = 0; k < s->n_keys; k++)
        axis_free(&s->axes[k]);
    free(s);
}

static int parse_num(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int push(axis *a, const char *text, double num)
{
    if (a->n >= RF_SWEEP_MAX_POINTS)
        return SIM_ERANGE;
    if ((a->n & (a->n - 1)) == 0) {      /* grow at powers of two */
        size_t cap = a->n ? a->n * 2 : 1;
        char **t = realloc(a->text, cap * sizeof *t);
        if (!t)
            return SIM_ENOMEM;
        a->text = t;
        double *n = realloc(a->num, cap * sizeof *n);
        if (!n)
            return SIM_ENOMEM;
        a->num = n;
    }
    if (!(a->text[a->n] = strdup(text)))
        return SIM_ENOMEM;
    a->num[a->n++] = num;
    return SIM_OK;
}

static int parse_range(axis *a, const char *spec, char *err, size_t err_size)
{
    char buf[3][64];
    const char *p = spec;
    for (int i = 0; i < 3; i++) {
        const char *c = i < 2 ? strchr(p, ':') : p + strlen(p);
        if (!c || (size_t)(c - p) >= sizeof buf[i]) {
            snprintf(err, err_size, "%s: a range is from:to:step (e.g. 21:70:7)", a->key);
            return SIM_EPARSE;
        }
        memcpy(buf[i], p, (size_t)(c - p));
        buf[i][c - p] = '\0';
        p = c + 1;
    }
    double from, to, step;
    if ((buf[0][0] == '+' || buf[1][0] == '+') && strncmp(a->key, "extra[", 6)) {
        snprintf(err, err_size, "%s: range '%s': a leading + would set the values, not add them "
                 "to the scenario's: give the values themselves", a->key, spec);
        return SIM_EPARSE;
    }
    if (parse_num(buf[0], &from) || parse_num(buf[1], &to) || parse_num(buf[2], &step)) {
        snprintf(err, err_size, "%s: range '%s': from, to and step must be numbers", a->key, spec);
        return SIM_EPARSE;
    }
    if (!(step > 0) || to < from) {
        snprintf(err, err_size, "%s: range '%s': needs step > 0 and to >= from", a->key, spec);
        return SIM_EPARSE;
    }
    double count = floor((to - from) / step + 1e-9) + 1;
    if (count > RF_SWEEP_MAX_POINTS) {
        snprintf(err, err_size, "%s: range '%s' has %.0f values (at most %d)", a->key, spec,
                 count, RF_SWEEP_MAX_POINTS);
        return SIM_ERANGE;
    }
    for (size_t i = 0; i < (size_t)count; i++) {
        double v = from + (double)i * step;
        char t[64];
        snprintf(t, sizeof t, "%.12g", v);
        int rc = push(a, t, v);
        if (rc)
            return rc;
    }
    return SIM_OK;
}

static int parse_list(axis *a, const char *spec, char *err, size_t err_size)
{
    const char *p = spec;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        char t[256];
        if (len == 0 || len >= sizeof t) {
            snprintf(err, err_size, "%s: list '%s' has an empty or over-long item "
                     "(accepted: a,b,c)", a->key, spec);
            return SIM_EPARSE;
        }
        memcpy(t, p, len);
        t[len] = '\0';
        if (t[0] == '+' && strncmp(a->key, "extra[", 6)) {   /* extra[S]=K adds already */
            snprintf(err, err_size, "%s=%s: a leading + would set %s, not add it to the "
                     "scenario's value: give the value itself", a->key, t, t + 1);
            return SIM_EPARSE;
        }
        double v;
        int rc = push(a, t, parse_num(t, &v) ? (double)a->n : v);
        if (rc)
            return rc;
        if (!c)
            return SIM_OK;
        p = c + 1;
    }
}

int rf_sweep_add(rf_sweep *s, const char *arg, char *err, size_t err_size)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg || !eq[1]) {
        snprintf(err, err_size, "'%s': expected KEY=SPEC with SPEC from:to:step or a,b,c", arg);
        return SIM_EPARSE;
    }
    /* Inside [...] a key may name a service or block as --set does, spaces
     * included ("services[Juno House].units", "extra[county refuges]"). */
    int depth = 0;
    for (const char *c = arg; c < eq; c++) {
        int ok = isalnum((unsigned char)*c) || strchr("_.*", *c)
                 || (*c == '[' && !depth) || (*c == ']' && depth)
                 || (depth && isprint((unsigned char)*c));
        depth = *c == '[' ? 1 : *c == ']' ? 0 : depth;
        if (!ok) {
            snprintf(err, err_size,
                     "'%.*s': a key is letters, digits, '_', '.', '*' or [INDEX or NAME]",
                     (int)(eq - arg), arg);
            return SIM_EPARSE;
        }
    }
    if (s->n_keys >= RF_SWEEP_MAX_KEYS) {
        snprintf(err, err_size, "at most %d --vary keys", RF_SWEEP_MAX_KEYS);
        return SIM_ERANGE;
    }
    axis *a = &s->axes[s->n_keys];
    memset(a, 0, sizeof *a);
    if (!(a->key = strndup(arg, (size_t)(eq - arg))))
        return SIM_ENOMEM;
    for (size_t k = 0; k < s->n_keys; k++)
        if (strcmp(s->axes[k].key, a->key) == 0) {
            snprintf(err, err_size, "%s: varied twice", a->key);
            axis_free(a);
            return SIM_EPARSE;
        }
    const char *spec = eq + 1;
    int rc = strchr(spec, ':') ? parse_range(a, spec, err, err_size)
                               : parse_list(a, spec, err, err_size);
    double total = (double)a->n;
    for (size_t k = 0; k < s->n_keys && rc == SIM_OK; k++)
        total *= (double)s->axes[k].n;
    if (rc == SIM_OK && total > RF_SWEEP_MAX_POINTS) {
        snprintf(err, err_size, "the grid would have %.0f points (at most %d)", total,
                 RF_SWEEP_MAX_POINTS);
        rc = SIM_ERANGE;
    }
    if (rc != SIM_OK) {
        axis_free(a);
        return rc;
    }
    s->n_keys++;
    return SIM_OK;
}

size_t rf_sweep_n_keys(const rf_sweep *s) { return s->n_keys; }

size_t rf_sweep_n_points(const rf_sweep *s)
{
    size_t n = 1;
    for (size_t k = 0; k < s->n_keys; k++)
        n *= s->axes[k].n;
    return n;
}

const char *rf_sweep_key(const rf_sweep *s, size_t k) { return k < s->n_keys ? s->axes[k].key : NULL; }

/* Position of key k's value at point i: the last key varies fastest. */
static size_t coord(const rf_sweep *s, size_t point, size_t k)
{
    for (size_t j = s->n_keys; j-- > k + 1;)
        point /= s->axes[j].n;
    return point % s->axes[k].n;
}

const char *rf_sweep_value(const rf_sweep *s, size_t point, size_t k)
{
    return s->axes[k].text[coord(s, point, k)];
}

double rf_sweep_number(const rf_sweep *s, size_t point, size_t k)
{
    return s->axes[k].num[coord(s, point, k)];
}
