#include "study_compare.h"
#include "study_compare_network.h"
#include "rf_points.h"
#include "rf_scenario.h"
#include "sim_farm.h"
#include "sim_status.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The alternatives' points and the strings they borrow. */
typedef struct {
    rf_points_alt *alts;
    char **items;             /* every --vs split at its top-level commas */
    char **labels;
    size_t n_alts, n_items;
} alt_list;

static void alts_free(alt_list *a)
{
    for (size_t i = 0; i < a->n_items; i++)
        free(a->items[i]);
    for (size_t i = 0; i < a->n_alts; i++)
        free(a->labels[i]);
    free(a->items);
    free(a->labels);
    free(a->alts);
    memset(a, 0, sizeof *a);
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* The file name without its directory and a .yaml / .yml suffix. */
static char *file_label(const char *path)
{
    const char *b = strrchr(path, '/');
    b = b ? b + 1 : path;
    size_t n = strlen(b);
    if (n > 5 && !strcmp(b + n - 5, ".yaml"))
        n -= 5;
    else if (n > 4 && !strcmp(b + n - 4, ".yml"))
        n -= 4;
    return dup_n(b, n);
}

/* A file alternative is labelled by its file name, unless another point
 * has that label (a/plan.yaml and b/plan.yaml, plan.yaml and plan.yml, a
 * baseline.yaml, a spaces=30.yaml beside --vs spaces=30): then by its path
 * as given, so that two different scenarios never print, nor are stored,
 * under one name. */
static int distinct_file_labels(const study_compare_cfg *c, alt_list *a, study_error *err)
{
    unsigned char *clash = calloc(c->n_files + 1, 1);
    if (!clash)
        return study_error_set(err, SIM_ENOMEM, 0, "out of memory");
    for (size_t i = 0; i < c->n_files; i++)     /* every clash first, on the file names */
        for (size_t j = 0; j < a->n_alts && !clash[i]; j++)
            clash[i] = j != 1 + i && !strcmp(a->labels[j], a->labels[1 + i]);
    for (size_t i = 0; i < c->n_files; i++) {
        size_t me = 1 + i;
        if (!clash[i])
            continue;
        char *path = dup_n(c->files[i], strlen(c->files[i]));
        if (!path) {
            free(clash);
            return study_error_set(err, SIM_ENOMEM, 0, "out of memory");
        }
        free(a->labels[me]);
        a->labels[me] = path;
        a->alts[me].label = path;
    }
    free(clash);
    return SIM_OK;
}

/* Split "K=V,K=V" at commas outside brackets (a value may be a YAML list
 * [1, 2] or a key services[A, B]). */
static int split_vs(alt_list *a, const char *vs, size_t *first, size_t *n)
{
    *first = a->n_items;
    const char *start = vs;
    int depth = 0;
    for (const char *p = vs;; p++) {
        if (*p == '[' || *p == '{')
            depth++;
        else if ((*p == ']' || *p == '}') && depth > 0)
            depth--;
        if (*p == '\0' || (*p == ',' && depth == 0)) {
            if (p > start && !(a->items[a->n_items++] = dup_n(start, (size_t)(p - start))))
                return SIM_ENOMEM;
            if (!*p)
                break;
            start = p + 1;
        }
    }
    *n = a->n_items - *first;
    return SIM_OK;
}

/* The baseline's total spaces, as its point loads (--set spaces=N and
 * extra[...] applied): what --vs spaces=+N adds to. */
static int baseline_spaces(const study_compare_cfg *c, long *units, study_error *err)
{
    study_cfg probe = c->base;
    probe.points.reps = 2;
    probe.grid = NULL;
    probe.alts = NULL;
    probe.n_alts = 0;
    probe.out_path = NULL;
    probe.keep_summaries = 0;
    probe.precision = NULL;
    study *st = NULL;
    int rc = study_open(&probe, &st, err);
    if (rc == SIM_OK)
        *units = study_total_units(st, 0);
    study_free(st);
    return rc;
}

/* One --vs item as the points take it: spaces=+N / spaces=-N become the
 * baseline's spaces plus N (*base: -1 until needed); a leading + on any
 * other key would set, not add, and is refused (extra[S]=K adds already). */
static int relative_item(const study_compare_cfg *c, const char *vs, char **item, long *base,
                         study_error *err)
{
    const char *eq = strchr(*item, '=');
    if (!eq)
        return SIM_OK;
    const char *v = eq + 1;
    size_t klen = (size_t)(eq - *item);
    int spaces = klen == 6 && !strncmp(*item, "spaces", 6);
    if (!spaces && v[0] == '+' && !rf_points_is_pseudo_set(*item))
        return study_error_set(err, SIM_EPARSE, 1,
                               "--vs '%s': a leading + would set %.*s to %s, not add %s to the "
                               "baseline's (only spaces=+N and spaces=-N are relative): give the "
                               "value itself", vs, (int)klen, *item, v + 1, v + 1);
    if (!spaces || (v[0] != '+' && v[0] != '-'))
        return SIM_OK;
    char *end;
    errno = 0;
    long n = strtol(v + 1, &end, 10);
    if (errno || *end || end == v + 1 || n > 1000000)
        return study_error_set(err, SIM_EPARSE, 1,
                               "--vs '%s': spaces=%s: expected spaces=N, spaces=+N or spaces=-N "
                               "with N a whole number of units", vs, v);
    int rc;
    if (*base < 0 && (rc = baseline_spaces(c, base, err)) != SIM_OK)
        return rc;
    long total = v[0] == '+' ? *base + n : *base - n;
    if (total < 1)
        return study_error_set(err, SIM_ERANGE, 1,
                               "--vs '%s': the baseline has %ld spaces, so spaces=%s leaves %ld: "
                               "an alternative needs at least 1 space", vs, *base, v, total);
    char buf[32];
    snprintf(buf, sizeof buf, "spaces=%ld", total);
    char *d = dup_n(buf, strlen(buf));
    if (!d)
        return study_error_set(err, SIM_ENOMEM, 0, "out of memory");
    free(*item);
    *item = d;
    return SIM_OK;
}

static int build_alts(const study_compare_cfg *c, alt_list *a, study_error *err)
{
    long base = -1;
    size_t n = 1 + c->n_files + c->n_vs, n_items = 0;
    for (size_t i = 0; i < c->n_vs; i++)
        n_items += strlen(c->vs[i]) + 1;   /* at most one item per character */
    a->alts = calloc(n, sizeof *a->alts);
    a->labels = calloc(n, sizeof *a->labels);
    a->items = calloc(n_items + 1, sizeof *a->items);
    if (!a->alts || !a->labels || !a->items)
        return study_error_set(err, SIM_ENOMEM, 0, "out of memory");
    a->n_alts = n;
    if (!(a->labels[0] = dup_n("baseline", 8)))
        return study_error_set(err, SIM_ENOMEM, 0, "out of memory");
    a->alts[0].label = a->labels[0];
    for (size_t i = 0; i < c->n_files; i++) {
        rf_points_alt *x = &a->alts[1 + i];
        x->path = c->files[i];
        if (!(a->labels[1 + i] = file_label(c->files[i])))
            return study_error_set(err, SIM_ENOMEM, 0, "out of memory");
        x->label = a->labels[1 + i];
    }
    for (size_t i = 0; i < c->n_vs; i++) {
        rf_points_alt *x = &a->alts[1 + c->n_files + i];
        size_t first, k;
        if (split_vs(a, c->vs[i], &first, &k) != SIM_OK
            || !(a->labels[1 + c->n_files + i] = dup_n(c->vs[i], strlen(c->vs[i]))))
            return study_error_set(err, SIM_ENOMEM, 0, "out of memory");
        if (k == 0)
            return study_error_set(err, SIM_EPARSE, 1, "--vs '%s': expected KEY=VALUE[,KEY=VALUE...]",
                                   c->vs[i]);
        for (size_t j = first; j < first + k; j++) {
            int rc = relative_item(c, c->vs[i], &a->items[j], &base, err);
            if (rc != SIM_OK)
                return rc;
        }
        x->kv = (const char *const *)a->items + first;
        x->n_kv = k;
        x->label = a->labels[1 + c->n_files + i];
    }
    return distinct_file_labels(c, a, err);
}

/* Load a file with --set and then extra (an alternative's --vs changes),
 * diagnostics into err on failure; pseudo-keys (spaces, extra[NAME])
 * change units only and are left to the points. */
static int load(const study_cfg *b, const char *path, const char *const *extra, size_t n_extra,
                rf_scenario **sc, study_error *err)
{
    const char **sets = calloc(b->points.n_sets + n_extra + 1, sizeof *sets);
    size_t n = 0;
    if (!sets) {
        err->status = SIM_ENOMEM;
        err->all_ranks = 1;
        return SIM_ENOMEM;
    }
    for (size_t k = 0; k < b->points.n_sets; k++)
        if (!rf_points_is_pseudo_set(b->points.sets[k]))
            sets[n++] = b->points.sets[k];
    for (size_t k = 0; k < n_extra; k++)
        if (!rf_points_is_pseudo_set(extra[k]))
            sets[n++] = extra[k];
    int rc = rf_scenario_load_file(path, sets, n, sc, &err->diags);
    free(sets);
    if (rc != SIM_OK) {
        err->status = rc;
        err->input = rc != SIM_ENOMEM;
        err->all_ranks = 1;
    }
    return rc;
}

/* The key in which an alternative's params p differ from the baseline's
 * p0 so that they cannot be paired (NULL: none), its values in *va, *vb. */
static const char *unpaired_key(const study_cfg *b, const rf_params *p0, const rf_params *p,
                                double *va, double *vb)
{
    const char *key = NULL;
    if (!b->points.seed_set && p->seed != p0->seed)
        key = "seed", *va = (double)p->seed, *vb = (double)p0->seed;
    else if (p->horizon != p0->horizon)
        key = "horizon", *va = p->horizon, *vb = p0->horizon;
    else if (p->warmup != p0->warmup)
        key = "warmup", *va = p->warmup, *vb = p0->warmup;
    else if (b->points.reps <= 0 && !b->precision && p->reps != p0->reps)
        key = "replications", *va = p->reps, *vb = p0->reps;
    return key;
}

/* Common random numbers need the same seed, horizon and warm-up: refuse an
 * alternative, a file or a --vs, that differs, naming the key; and one
 * replication count: without --reps (*reps) one whose replications differ
 * is refused too (the study runs every point with the baseline's). */
static int check_alts(const study_compare_cfg *c, const alt_list *a, long *reps,
                      study_error *err)
{
    const study_cfg *b = &c->base;
    rf_scenario *base = NULL, *alt = NULL;
    int rc = load(b, b->points.scenario_path, NULL, 0, &base, err);
    if (rc != SIM_OK)
        return rc;
    const rf_params *p0 = rf_scenario_params(base);
    *reps = b->points.reps > 0 ? b->points.reps : (long)p0->reps;
    for (size_t i = 1; i < a->n_alts && rc == SIM_OK; i++) {
        const rf_points_alt *x = &a->alts[i];
        const char *path = x->path ? x->path : b->points.scenario_path;
        char name[4200];
        if (x->path)
            snprintf(name, sizeof name, "%s", x->path);
        else
            snprintf(name, sizeof name, "--vs '%s'", x->label);
        if ((rc = load(b, path, x->kv, x->n_kv, &alt, err)) != SIM_OK)
            break;
        double va = 0, vb = 0;
        const char *key = unpaired_key(b, p0, rf_scenario_params(alt), &va, &vb);
        if (key && !strcmp(key, "replications")) {
            /* its own count is not silently replaced by the baseline's */
            err->all_ranks = 1;
            rc = study_error_set(err, SIM_EINVAL, 1,
                                 "%s: replications is %.17g but the baseline %s has %.17g: paired "
                                 "differences need one count for every scenario; %s", name, va,
                                 b->points.scenario_path, vb, x->path
                                 ? "give --reps N for all of them, or change replications in one"
                                 : "--reps N sets it for all of them");
        } else if (key && x->path) {
            err->all_ranks = 1;
            rc = study_error_set(err, SIM_EINVAL, 1,
                                 "%s: %s is %.17g but the baseline %s has %.17g: compared "
                                 "scenarios must share seed, horizon and warmup (common random "
                                 "numbers); change %s in one of them",
                                 name, key, va, b->points.scenario_path, vb, key);
        } else if (key) {
            /* --set and --seed change it for every scenario, which pairs */
            err->all_ranks = 1;
            rc = study_error_set(err, SIM_EINVAL, 1,
                                 "%s: %s is %.17g but the baseline %s has %.17g: compared "
                                 "scenarios must share seed, horizon and warmup (common random "
                                 "numbers); to change %s for every scenario give %s",
                                 name, key, va, b->points.scenario_path, vb, key,
                                 !strcmp(key, "seed") ? "--seed S" : !strcmp(key, "horizon")
                                 ? "--set horizon=DAYS" : "--set warmup=DAYS");
        }
        rf_scenario_free(alt);
        alt = NULL;
    }
    rf_scenario_free(base);
    return rc;
}

typedef struct {
    size_t points, complete, reps;   /* scenarios with replications, with all, replications */
} evaluated;

/* What an interrupted study_run left: without --precision in the
 * summaries of the points published (study_run flushes the one in
 * progress with its finished replications), with it in the records of the
 * paired batches that finished, published nowhere. */
static evaluated count_evaluated(const study_compare_result *out)
{
    evaluated e = {0};
    study *s = out->s;
    for (size_t i = 0; i < study_n_points(s); i++) {
        size_t k = 0;
        const an_point_summary *ps = study_summary(s, i);
        if (out->cfg->precision)
            k = study_have(s, i);
        else if (ps)
            k = ps->n_reps;
        e.points += k > 0;
        e.complete += k > 0 && (out->cfg->precision || k >= study_reps(s));
        e.reps += k;
    }
    return e;
}

/* Rank 0, study_run interrupted with an output path: keep what was
 * evaluated, marked incomplete (complete = 0, as an interrupted capacity
 * search or sweep).  Without --precision it is in the study's writer
 * already: commit it.  With --precision the study's writer is committed
 * (an empty file; that releases it) and replaced by study_write_partial
 * with every scenario's finished batches.  Nothing is left when no
 * replication finished (study_free discards the writer). */
static void write_interrupted(study_compare_result *out, const evaluated *e)
{
    study_error *werr = malloc(sizeof *werr);
    if (!werr) {
        out->partial_status = SIM_ENOMEM;
        snprintf(out->partial_message, sizeof out->partial_message, "out of memory");
        return;
    }
    int rc = SIM_OK;
    size_t written = e->points;
    if (e->points)
        rc = study_commit(out->s, 0, werr);
    if (rc == SIM_OK && e->points && out->cfg->precision)
        rc = study_write_partial(out->s, out->cfg->out_path, 1, NULL, &written, werr);
    out->partial_status = rc;
    if (rc != SIM_OK) {
        snprintf(out->partial_message, sizeof out->partial_message, "%s", werr->message);
    } else {
        out->partial_written = written;
        out->partial_complete = e->complete;
    }
    free(werr);
}

int study_compare(const study_compare_cfg *cfg, study_compare_result *out, study_error *err)
{
    memset(out, 0, sizeof *out);
    study_error_clear(err);
    if (cfg->n_files + cfg->n_vs == 0)
        return study_error_set(err, SIM_EINVAL, 1,
                               "nothing to compare: give alternative files or --vs changes");
    alt_list a = {0};
    study_cfg sc = cfg->base;
    long reps = 0;
    int rc = build_alts(cfg, &a, err);
    if (rc == SIM_OK)
        rc = check_alts(cfg, &a, &reps, err);
    if (rc != SIM_OK)
        goto done;
    sc.grid = NULL;
    sc.no_points = 0;
    sc.alts = a.alts;
    sc.n_alts = a.n_alts;
    sc.points.reps = reps;
    sc.points.n_vary = 0;
    sc.points.vary_keys = NULL;
    sc.checkpoint = sc.resume = 0;
    sc.keep_summaries = 1;
    sc.precision_paired = sc.precision != NULL;
    /* the study keeps a pointer to its cfg: give it one that lives as long */
    study_cfg *keep = malloc(sizeof *keep);
    if (!keep) {
        rc = study_error_set(err, SIM_ENOMEM, 0, "out of memory");
        goto done;
    }
    *keep = sc;
    out->cfg = keep;
    if ((rc = study_open(keep, &out->s, err)) != SIM_OK)
        goto done;
    /* the points hold copies of the alternatives' strings: a can go */
    if ((rc = study_run(out->s, err)) != SIM_OK) {
        if (rc == SIM_EINTR && sim_farm_rank() == 0) {
            evaluated e = count_evaluated(out);
            study_error_set(err, rc, 0, "interrupted: %zu replications finished", e.reps);
            if (keep->out_path)
                write_interrupted(out, &e);
        }
        goto done;
    }
    if (sim_farm_rank() == 0) {
        rc = study_comparison_rows(out->s, &out->rows, &out->n_rows, err);
        if (rc == SIM_OK)
            rc = study_put_comparison(out->s, out->rows, out->n_rows, err);
        if (rc == SIM_OK)
            rc = study_put_comparison_yearly(out->s, err);
        if (rc == SIM_OK)
            rc = study_compare_put_areas(out->s, err);
        if (rc == SIM_OK)
            rc = study_commit(out->s, 1, err);
    }
done:
    alts_free(&a);
    if (rc != SIM_OK) {
        study_compare_result kept = *out;    /* what an interruption wrote outlives the study */
        study_compare_result_free(out);
        out->partial_written = kept.partial_written;
        out->partial_complete = kept.partial_complete;
        out->partial_status = kept.partial_status;
        memcpy(out->partial_message, kept.partial_message, sizeof out->partial_message);
    }
    return rc;
}

void study_compare_result_free(study_compare_result *r)
{
    study_free(r->s);
    free(r->rows);
    free(r->cfg);
    memset(r, 0, sizeof *r);
}

const an_comparison *study_compare_rows(const study_compare_result *r, size_t i, size_t *n)
{
    size_t first = 0;
    while (first < r->n_rows && r->rows[first].point != i)
        first++;
    size_t last = first;
    while (last < r->n_rows && r->rows[last].point == i)
        last++;
    *n = last - first;
    return *n ? r->rows + first : NULL;
}
