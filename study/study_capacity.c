#include "study_capacity.h"
#include "rf_result.h"
#include "sim_farm.h"
#include "sim_status.h"
#include "study_precision.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int study_judge(const study_target *t, const sim_summary *s)
{
    if (isnan(s->mean) || (s->n > 1 && isnan(s->ci95)))
        return STUDY_FAILS;
    double half = s->n > 1 ? s->ci95 : 0;
    double lo = s->mean - half, hi = s->mean + half;
    if (t->ge)
        return lo >= t->x ? STUDY_MEETS : hi < t->x ? STUDY_FAILS : STUDY_UNSURE;
    return hi <= t->x ? STUDY_MEETS : lo > t->x ? STUDY_FAILS : STUDY_UNSURE;
}

__attribute__((format(printf, 3, 4)))
static int input_error(study_error *err, int status, const char *fmt, ...)
{
    err->diags.n = err->diags.dropped = 0;
    err->status = status;
    err->input = 1;
    err->all_ranks = 1;
    err->own_rank = 0;
    err->point = -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

typedef struct {
    const study_capacity_cfg *cfg;
    study_cfg scfg;
    study *st;
    int base_units;
    long reps, max_reps;
    study_trial *trials;
    size_t n_trials, cap;
} search;

/* The pseudo-key value that gives `units` total spaces. */
static void key_value(const search *s, int units, char *buf, size_t size)
{
    snprintf(buf, size, "%d", s->cfg->by ? units - s->base_units : units);
}

/* Decide one capacity, adding replications while the interval straddles the
 * target.  Common random numbers make the added replications extend, not
 * replace, the first ones. */
static int decide(search *s, int units, int *meets, size_t *keep, study_error *err)
{
    char value[32];
    key_value(s, units, value, sizeof value);
    const char *values[1] = {value};
    double number = atof(value);
    size_t p;
    int rc = study_add_point(s->st, values, &number, &p, err);
    if (rc != SIM_OK)
        return rc;
    long reps = s->reps;
    study_trial t;
    memset(&t, 0, sizeof t);
    int stopped = STUDY_STOP_NONE;
    if (s->cfg->precision) {
        study_precision_result pr;
        if ((rc = study_precision_point(s->st, p, s->cfg->precision, &pr, err)) != SIM_OK)
            return rc;
        reps = (long)pr.reps;
        stopped = pr.stopped;
    }
    for (;;) {
        if ((rc = study_extend(s->st, p, (size_t)reps, err)) != SIM_OK)
            return rc;
        /* Under MPI rank 0 alone has the summary; it tells the others, so
         * all take the same next step of the search. */
        if (sim_farm_rank() == 0) {
            an_point_summary ps;
            if ((rc = study_point_summary(s->st, p, &ps)) == SIM_OK) {
                t.units = units;
                t.reps = reps;
                t.s = ps.metrics[s->cfg->target.metric].s;
                t.verdict = study_judge(&s->cfg->target, &t.s);
                t.stopped = stopped;
                an_point_summary_free(&ps);
                rc = study_point_steady(s->st, p, 0, 0, &t.steady);
            }
        }
        if ((rc = sim_farm_bcast_int(rc)) != SIM_OK)
            return rc;
        sim_farm_bcast_bytes(&t, sizeof t);
        if (t.verdict != STUDY_UNSURE || reps >= s->max_reps)
            break;
        reps = reps * 2 > s->max_reps ? s->max_reps : reps * 2;
    }
    if (keep)
        *keep = p;
    else if (!s->cfg->partial_out)
        study_forget(s->st, p);   /* else kept for an interrupted search's file */
    if (s->n_trials == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        study_trial *nt = realloc(s->trials, ncap * sizeof *nt);
        if (!nt)
            return SIM_ENOMEM;
        s->trials = nt;
        s->cap = ncap;
    }
    s->trials[s->n_trials++] = t;
    if (sim_farm_rank() == 0 && s->cfg->on_trial)
        s->cfg->on_trial(s->cfg->user, &t);
    /* Too close even at max reps: conservatively not met. */
    *meets = t.verdict == STUDY_MEETS;
    return SIM_OK;
}

/* Decide one capacity and narrow (bad, good] by its verdict. */
static int narrow(search *s, long units, long *good, long *bad, study_error *err)
{
    int ok;
    int rc = decide(s, (int)units, &ok, NULL, err);
    if (rc == SIM_OK)
        *(ok ? good : bad) = units;
    return rc;
}

static int cmp_trial(const void *a, const void *b)
{
    const study_trial *x = a, *y = b;
    return (x->units > y->units) - (x->units < y->units);
}

/* Not even hi (point p_hi, kept) meets the target: is it the households no
 * unit fits?  Their floor at hi, and its paired change from the scenario's
 * own capacity on the same replications; rank 0 decides, every rank learns. */
static int check_floor(search *s, size_t p_hi, study_capacity_result *out, study_error *err)
{
    char value[32];
    key_value(s, s->base_units, value, sizeof value);
    const char *values[1] = {value};
    double number = atof(value);
    size_t p_base;
    int rc = study_add_point(s->st, values, &number, &p_base, err);
    if (rc == SIM_OK)
        rc = study_extend(s->st, p_base, (size_t)s->reps, err);
    if (rc != SIM_OK)
        return rc;
    if (sim_farm_rank() == 0) {
        study_floor_report f;
        rc = study_floor_points(s->st, p_base, p_hi, s->cfg->target.metric, &f);
        out->floor = f.floor;
        out->floor_change = f.change;
        out->floor_bounded = f.bounded;
        out->floor_bound = f.bound;
    }
    if ((rc = sim_farm_bcast_int(rc)) != SIM_OK) {
        study_forget(s->st, p_base);
        return sim_farm_rank() == 0 ? study_error_set(err, rc, 0, "reading the replications' records back failed: %s", sim_strerror(rc)) : rc;
    }
    sim_farm_bcast_bytes(&out->floor, sizeof out->floor);
    sim_farm_bcast_bytes(&out->floor_change, sizeof out->floor_change);
    out->floor_bounded = sim_farm_bcast_int(out->floor_bounded);
    sim_farm_bcast_bytes(&out->floor_bound, sizeof out->floor_bound);
    out->floor_checked = 1;
    study_forget(s->st, p_base);
    return SIM_OK;
}

/* The pseudo-key of the search: "spaces" or "extra[SERVICE]". */
static void search_key(const study_capacity_cfg *cfg, char *buf, size_t size)
{
    if (cfg->by)
        snprintf(buf, size, "extra[%s]", cfg->by);
    else
        snprintf(buf, size, "spaces");
}

/* The scenario's own total, through the checks every point gets; with --by
 * this also checks that the service exists. */
static int base_units(const study_capacity_cfg *cfg, int *units, study_error *err)
{
    rf_sweep *g = rf_sweep_create();
    char spec[200], perr[256];
    if (!g)
        return input_error(err, SIM_ENOMEM, "out of memory");
    if (cfg->by) {
        snprintf(spec, sizeof spec, "extra[%s]=0", cfg->by);
        if (rf_sweep_add(g, spec, perr, sizeof perr) != SIM_OK) {
            rf_sweep_free(g);
            return input_error(err, SIM_EPARSE, "--by: '%s': %s", cfg->by, perr);
        }
    }
    study_cfg probe = cfg->base;
    probe.points.reps = 2;
    probe.grid = g;
    probe.out_path = NULL;
    probe.keep_summaries = 0;
    study *st = NULL;
    int rc = study_open(&probe, &st, err);
    if (rc == SIM_OK)
        *units = study_total_units(st, 0);
    study_free(st);
    rf_sweep_free(g);
    return rc;
}

int study_capacity_search(const study_capacity_cfg *cfg, study_capacity_result *out,
                          study_error *err)
{
    memset(out, 0, sizeof *out);
    search s = {.cfg = cfg};
    int rc = base_units(cfg, &s.base_units, err);
    if (rc != SIM_OK)
        return rc;
    out->base_units = s.base_units;
    s.reps = cfg->reps ? cfg->reps : 100;
    s.max_reps = cfg->max_reps ? cfg->max_reps
                 : cfg->precision ? STUDY_PRECISION_MAX_REPS : s.reps * 8;
    if (s.max_reps < s.reps)
        s.max_reps = s.reps;
    long lo = cfg->lo, hi = cfg->hi;
    /* With --by, capacities count total spaces: the scenario's plus those added. */
    if (cfg->by && lo < s.base_units)
        lo = s.base_units;
    if (lo > hi)
        return input_error(err, SIM_ERANGE, "--max %ld is below the scenario's %d spaces", hi,
                           s.base_units);
    if (sim_farm_rank() == 0 && cfg->on_begin)
        cfg->on_begin(cfg->user, s.base_units);

    char key[160];
    search_key(cfg, key, sizeof key);
    const char *keys[1] = {key};
    s.scfg = cfg->base;
    s.scfg.points.n_vary = 1;
    s.scfg.points.vary_keys = keys;
    s.scfg.grid = NULL;
    s.scfg.no_points = 1;
    s.scfg.out_path = NULL;
    if ((rc = study_open(&s.scfg, &s.st, err)) != SIM_OK)
        return rc;
    int ok;
    size_t p_hi;
    /* Bracket: hi must meet the target. */
    if ((rc = decide(&s, (int)hi, &ok, &p_hi, err)) != SIM_OK)
        goto done;
    if (!ok)
        rc = check_floor(&s, p_hi, out, err);
    if (!cfg->partial_out)
        study_forget(s.st, p_hi);  /* else kept for an interrupted search's file */
    if (rc != SIM_OK || !ok)
        goto done;
    long good = hi, bad = lo - 1;
    if ((rc = narrow(&s, lo, &good, &bad, err)) != SIM_OK)
        goto done;
    /* Bisection over a curve monotone in expectation: more spaces refuse
     * fewer on average, though not in every replication (README.md, "More
     * units, fewer refusals"). */
    while (good - bad > 1)
        if ((rc = narrow(&s, bad + (good - bad) / 2, &good, &bad, err)) != SIM_OK)
            goto done;
    out->met = 1;
    out->answer = good;
done:
    if (rc == SIM_EINTR && cfg->partial_out) {
        study_error *werr = malloc(sizeof *werr);
        out->partial_status = werr ? study_write_partial(s.st, cfg->partial_out, cfg->partial_force,
                                                         cfg->partial_note, &out->partial_written,
                                                         werr)
                                   : SIM_ENOMEM;
        if (out->partial_status != SIM_OK)
            snprintf(out->partial_message, sizeof out->partial_message, "%s",
                     werr ? werr->message : "out of memory");
        free(werr);
    }
    study_free(s.st);
    if (s.n_trials)                 /* none when stopped before the first */
        qsort(s.trials, s.n_trials, sizeof *s.trials, cmp_trial);
    out->trials = s.trials;
    out->n_trials = s.n_trials;
    return rc;
}

void study_capacity_result_free(study_capacity_result *r)
{
    if (!r)
        return;
    free(r->trials);
    memset(r, 0, sizeof *r);
}

int study_capacity_curve(const study_capacity_cfg *cfg, const study_capacity_result *r,
                         study_cfg *out, rf_sweep **grid)
{
    *grid = NULL;
    long reps = cfg->reps ? cfg->reps : 100;
    size_t len = 64;
    for (size_t i = 0; i < r->n_trials; i++) {
        if (r->trials[i].reps > reps)
            reps = r->trials[i].reps;
        len += 16;
    }
    rf_sweep *g = rf_sweep_create();
    char *spec = malloc(len + 160), perr[256], key[160];
    if (!g || !spec) {
        rf_sweep_free(g);
        free(spec);
        return SIM_ENOMEM;
    }
    search_key(cfg, key, sizeof key);
    int n = snprintf(spec, len + 160, "%s=", key);
    for (size_t i = 0; i < r->n_trials; i++)
        n += snprintf(spec + n, len + 160 - (size_t)n, "%s%d", i ? "," : "",
                      cfg->by ? r->trials[i].units - r->base_units : r->trials[i].units);
    rf_sweep_add(g, spec, perr, sizeof perr);
    free(spec);
    *out = cfg->base;
    out->grid = g;
    out->points.reps = reps;
    out->no_points = 0;
    out->precision = cfg->precision;
    *grid = g;
    return SIM_OK;
}
