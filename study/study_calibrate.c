#include "study_calibrate.h"
#include "rf_points.h"
#include "rf_result.h"
#include "rf_scenario.h"
#include "sim_farm.h"
#include "sim_status.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_roots.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CACHE 512

typedef struct {
    double x[STUDY_CAL_MAX];
    sim_summary y[STUDY_CAL_MAX];
} eval_rec;

typedef struct {
    const study_calibrate_cfg *cfg;
    study_cfg scfg;
    study *st;
    long reps;
    int max_evals;
    eval_rec cache[MAX_CACHE];
    int n_cache, evals;
    int rc;                    /* the first failure inside a GSL callback */
    study_error *err;
    double scale[STUDY_CAL_MAX]; /* multimin: s_k */
} cal;

static int input_error(study_error *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int input_error(study_error *err, int status, const char *fmt, ...)
{
    study_error_clear(err);
    err->status = status;
    err->input = 1;
    err->all_ranks = 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

/* Evaluate the targets' metrics at x (cached: Brent and the simplex revisit
 * points).  Every rank alike. */
static int evaluate(cal *c, const double *x, sim_summary *y)
{
    const study_calibrate_cfg *cfg = c->cfg;
    size_t nf = cfg->n_fits, nt = cfg->n_targets;
    for (int i = 0; i < c->n_cache; i++)
        if (!memcmp(c->cache[i].x, x, nf * sizeof *x)) {
            memcpy(y, c->cache[i].y, nt * sizeof *y);
            return SIM_OK;
        }
    if (c->evals >= c->max_evals)
        return study_error_set(c->err, SIM_ERANGE, 1,
                               "no fit within %d evaluations (raise --max-evals, or narrow the "
                               "ranges)", c->max_evals);
    char buf[STUDY_CAL_MAX][40];
    const char *v[STUDY_CAL_MAX];
    for (size_t i = 0; i < nf; i++) {
        snprintf(buf[i], sizeof buf[i], "%.12g", x[i]);
        v[i] = buf[i];
    }
    size_t p;
    int rc = study_add_point(c->st, v, x, &p, c->err);
    if (rc == SIM_OK)
        rc = study_extend(c->st, p, (size_t)c->reps, c->err);
    if (rc != SIM_OK)
        return rc;
    if (sim_farm_rank() == 0) {
        an_point_summary ps;
        if ((rc = study_point_summary(c->st, p, &ps)) == SIM_OK) {
            for (size_t k = 0; k < nt; k++)
                y[k] = ps.metrics[cfg->targets[k].metric].s;
            an_point_summary_free(&ps);
        }
    }
    if ((rc = sim_farm_bcast_int(rc)) != SIM_OK)
        return study_error_set(c->err, rc, 0, "out of memory");
    sim_farm_bcast_bytes(y, nt * sizeof *y);
    study_forget(c->st, p);
    c->evals++;
    if (c->n_cache < MAX_CACHE) {
        memcpy(c->cache[c->n_cache].x, x, nf * sizeof *x);
        memcpy(c->cache[c->n_cache].y, y, nt * sizeof *y);
        c->n_cache++;
    }
    if (sim_farm_rank() == 0 && cfg->on_eval)
        cfg->on_eval(cfg->user, x, y);
    return SIM_OK;
}

/* ------------------------------------------------------------ checks -- */

/* The key must be a number of the scenario: text is accepted in place of
 * a number only by a text key, and both ends of the range must load. */
static int check_key(const study_calibrate_cfg *cfg, const study_cal_fit *f, study_error *err)
{
    const rf_points_cfg *pc = &cfg->base.points;
    if (!strcmp(f->key, "spaces") || !strncmp(f->key, "extra[", 6))
        return input_error(err, SIM_EINVAL,
                           "--fit %s: a whole number of units, not a continuous value (use "
                           "'refugesim capacity' for the number of spaces)", f->key);
    if (!(f->lo < f->hi))
        return input_error(err, SIM_EINVAL, "--fit %s=%g:%g: LOW must be below HIGH", f->key,
                           f->lo, f->hi);
    const char **sets = calloc(pc->n_sets + 1, sizeof *sets);
    char probe[256];
    if (!sets)
        return input_error(err, SIM_ENOMEM, "out of memory");
    if (pc->n_sets)   /* pc->sets may be NULL when there are none */
        memcpy(sets, pc->sets, pc->n_sets * sizeof *sets);
    int rc = SIM_OK;
    rf_scenario *sc = NULL;
    snprintf(probe, sizeof probe, "%s=refugesim-not-a-number", f->key);
    sets[pc->n_sets] = probe;
    if (rf_scenario_load_file(pc->scenario_path, sets, pc->n_sets + 1, &sc, NULL) == SIM_OK) {
        rc = input_error(err, SIM_EINVAL, "--fit %s: not a number (the key takes text)", f->key);
        goto out;
    }
    double ends[2] = {f->lo, f->hi};
    for (int e = 0; e < 2 && rc == SIM_OK; e++) {
        snprintf(probe, sizeof probe, "%s=%.12g", f->key, ends[e]);
        study_error_clear(err);
        rc = rf_scenario_load_file(pc->scenario_path, sets, pc->n_sets + 1, &sc, &err->diags);
        rf_scenario_free(sc);
        sc = NULL;
        if (rc != SIM_OK) {
            err->status = rc;
            err->input = rc != SIM_ENOMEM;
            err->all_ranks = 1;
            snprintf(err->message, sizeof err->message, "--fit %s=%g:%g: the scenario does not "
                     "load with %s", f->key, f->lo, f->hi, probe);
        }
    }
    if (rc != SIM_OK)
        goto out;
    /* The search tries values between the ends: a key taking whole numbers
     * (a count) loads at whole ends and would fail only after evaluations. */
    double x = (f->lo + f->hi) / 2;
    if (x == floor(x))
        x = x + 0.5 < f->hi ? x + 0.5 : (x + f->hi) / 2;
    snprintf(probe, sizeof probe, "%s=%.12g", f->key, x);
    study_error_clear(err);
    rc = rf_scenario_load_file(pc->scenario_path, sets, pc->n_sets + 1, &sc, &err->diags);
    if (rc == SIM_ENOMEM) {
        rc = input_error(err, SIM_ENOMEM, "out of memory");
    } else if (rc != SIM_OK) {
        char why[sizeof err->diags.items[0].message];
        size_t n = strlen(f->key);
        int units = n >= 5 && !strcmp(f->key + n - 5, "units");
        snprintf(why, sizeof why, "%s", err->diags.n ? err->diags.items[0].message : "refused");
        rc = input_error(err, SIM_EINVAL,
                         "--fit %s=%g:%g: a value between the ends is refused (%s: %s): --fit "
                         "takes a key with a continuous value; %s%s%s", f->key, f->lo, f->hi,
                         probe, why, units ? "for a number of units use 'refugesim capacity' "
                         "(the fewest spaces that meet a target) or 'refugesim optimise' (the "
                         "best units for a budget)" : "try whole numbers with 'refugesim sweep "
                         "--vary ", units ? "" : f->key, units ? "" : "=A,B,...'");
    }
out:
    rf_scenario_free(sc);
    free(sets);
    return rc;
}

/* ------------------------------------------------------------ one unknown -- */

static double root_fn(double x, void *params)
{
    cal *c = params;
    sim_summary y[STUDY_CAL_MAX];
    if (c->rc != SIM_OK)
        return NAN;
    if ((c->rc = evaluate(c, &x, y)) != SIM_OK)
        return NAN;
    return y[0].mean - c->cfg->targets[0].value;
}

static int fit_one(cal *c, study_calibrate_result *out)
{
    const study_cal_fit *f = &c->cfg->fits[0];
    const study_cal_target *t = &c->cfg->targets[0];
    const char *name = rf_metric_at((size_t)t->metric)->name;
    sim_summary ylo, yhi;
    int rc = evaluate(c, &f->lo, &ylo);
    if (rc == SIM_OK)
        rc = evaluate(c, &f->hi, &yhi);
    if (rc != SIM_OK)
        return rc;
    double flo = ylo.mean - t->value, fhi = yhi.mean - t->value;
    if (isnan(flo) || isnan(fhi))
        return input_error(c->err, SIM_ERANGE, "%s is undefined at an end of the range of %s "
                           "(%g at %g, %g at %g)", name, f->key, ylo.mean, f->lo, yhi.mean, f->hi);
    if ((flo > 0) == (fhi > 0) && flo != 0 && fhi != 0) {
        int lo_near = fabs(flo) <= fabs(fhi);
        return input_error(c->err, SIM_ERANGE,
                           "no value of %s in [%g, %g] reaches %s = %g: it goes from %.4g ± %.2g "
                           "at %g to %.4g ± %.2g at %g; the %s end (%g) comes nearest, %.4g "
                           "(widen the range)", f->key, f->lo, f->hi, name, t->value, ylo.mean,
                           ylo.ci95, f->lo, yhi.mean, yhi.ci95, f->hi, lo_near ? "low" : "high",
                           lo_near ? f->lo : f->hi, lo_near ? ylo.mean : yhi.mean);
    }
    double x = flo == 0 ? f->lo : f->hi;
    if (flo != 0 && fhi != 0) {
        gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
        if (!s)
            return study_error_set(c->err, SIM_ENOMEM, 0, "out of memory");
        gsl_function F = {.function = root_fn, .params = c};
        c->rc = SIM_OK;
        int status = gsl_root_fsolver_set(s, &F, f->lo, f->hi);
        double xtol = 1e-3 * (f->hi - f->lo);   /* well inside any uncertainty the noise allows */
        for (int it = 0; status == GSL_SUCCESS && c->rc == SIM_OK && it < 100; it++) {
            status = gsl_root_fsolver_iterate(s);
            x = gsl_root_fsolver_root(s);
            double a = gsl_root_fsolver_x_lower(s), b = gsl_root_fsolver_x_upper(s);
            if (status == GSL_SUCCESS && gsl_root_test_interval(a, b, xtol, 0) == GSL_SUCCESS)
                break;
        }
        gsl_root_fsolver_free(s);
        if (c->rc != SIM_OK)
            return c->rc;
    }
    out->x[0] = x;
    return SIM_OK;
}

/* ------------------------------------------------------------ several -- */

static void to_x(const study_calibrate_cfg *cfg, const gsl_vector *u, double *x)
{
    for (size_t i = 0; i < cfg->n_fits; i++) {
        const study_cal_fit *f = &cfg->fits[i];
        x[i] = f->lo + (f->hi - f->lo) * (1 + sin(gsl_vector_get(u, i))) / 2;
    }
}

static double distance(const gsl_vector *u, void *params)
{
    cal *c = params;
    double x[STUDY_CAL_MAX];
    sim_summary y[STUDY_CAL_MAX];
    if (c->rc != SIM_OK)
        return NAN;
    to_x(c->cfg, u, x);
    if ((c->rc = evaluate(c, x, y)) != SIM_OK)
        return NAN;
    double s = 0;
    for (size_t k = 0; k < c->cfg->n_targets; k++) {
        double d = (y[k].mean - c->cfg->targets[k].value) / c->scale[k];
        s += isnan(d) ? 1e12 : d * d;
    }
    return s;
}

static int fit_several(cal *c, study_calibrate_result *out)
{
    const study_calibrate_cfg *cfg = c->cfg;
    size_t nf = cfg->n_fits;
    double x0[STUDY_CAL_MAX];
    sim_summary y0[STUDY_CAL_MAX];
    for (size_t i = 0; i < nf; i++)
        x0[i] = (cfg->fits[i].lo + cfg->fits[i].hi) / 2;
    int rc = evaluate(c, x0, y0);
    if (rc != SIM_OK)
        return rc;
    for (size_t k = 0; k < cfg->n_targets; k++) {
        double s = cfg->targets[k].tol > 0 ? cfg->targets[k].tol : y0[k].ci95;
        c->scale[k] = s > 0 && isfinite(s) ? s : 1e-9 + 1e-6 * fabs(cfg->targets[k].value);
    }
    gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, nf);
    gsl_vector *u = gsl_vector_calloc(nf), *step = gsl_vector_alloc(nf);
    if (!m || !u || !step) {
        gsl_multimin_fminimizer_free(m);
        gsl_vector_free(u);
        gsl_vector_free(step);
        return study_error_set(c->err, SIM_ENOMEM, 0, "out of memory");
    }
    gsl_vector_set_all(step, 0.6);
    gsl_multimin_function F = {.f = distance, .n = nf, .params = c};
    c->rc = SIM_OK;
    int status = gsl_multimin_fminimizer_set(m, &F, u, step);
    while (status == GSL_SUCCESS && c->rc == SIM_OK) {
        if ((status = gsl_multimin_fminimizer_iterate(m)) != GSL_SUCCESS)
            break;
        if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), 1e-4) == GSL_SUCCESS)
            break;
    }
    rc = c->rc;
    if (rc == SIM_OK)
        to_x(cfg, gsl_multimin_fminimizer_x(m), out->x);
    gsl_multimin_fminimizer_free(m);
    gsl_vector_free(u);
    gsl_vector_free(step);
    return rc;
}

/* ------------------------------------------------------------ uncertainty -- */

/* Slopes by central differences (one-sided at a range's end), then
 * u_i = sqrt([(J' W J)^-1]_ii). */
static int uncertainty(cal *c, study_calibrate_result *out)
{
    const study_calibrate_cfg *cfg = c->cfg;
    size_t nf = cfg->n_fits, nt = cfg->n_targets;
    int rc = evaluate(c, out->x, out->achieved);
    if (rc != SIM_OK)
        return rc;
    double J[STUDY_CAL_MAX][STUDY_CAL_MAX], h[STUDY_CAL_MAX];
    for (size_t i = 0; i < nf; i++) {
        const study_cal_fit *f = &cfg->fits[i];
        double d = 0.02 * (f->hi - f->lo), a[STUDY_CAL_MAX], b[STUDY_CAL_MAX];
        memcpy(a, out->x, nf * sizeof *a);
        memcpy(b, out->x, nf * sizeof *b);
        a[i] = fmax(f->lo, out->x[i] - d);
        b[i] = fmin(f->hi, out->x[i] + d);
        sim_summary ya[STUDY_CAL_MAX], yb[STUDY_CAL_MAX];
        if ((rc = evaluate(c, a, ya)) != SIM_OK || (rc = evaluate(c, b, yb)) != SIM_OK)
            return rc;
        for (size_t k = 0; k < nt; k++)
            J[k][i] = (yb[k].mean - ya[k].mean) / (b[i] - a[i]);
    }
    out->met = 1;
    for (size_t k = 0; k < nt; k++) {
        double ci = isfinite(out->achieved[k].ci95) ? out->achieved[k].ci95 : 0;
        h[k] = sqrt(cfg->targets[k].tol * cfg->targets[k].tol + ci * ci);
        if (!(fabs(out->achieved[k].mean - cfg->targets[k].value) <= h[k] + 1e-12))
            out->met = 0;
    }
    if (nf == 1)
        out->slope[0] = J[0][0];
    gsl_matrix *A = gsl_matrix_calloc(nf, nf);
    if (!A)
        return study_error_set(c->err, SIM_ENOMEM, 0, "out of memory");
    for (size_t i = 0; i < nf; i++)
        for (size_t j = 0; j < nf; j++) {
            double s = 0;
            for (size_t k = 0; k < nt; k++)
                s += J[k][i] * J[k][j] / (h[k] > 0 ? h[k] * h[k] : 1e-300);
            gsl_matrix_set(A, i, j, s);
        }
    if (gsl_linalg_cholesky_decomp1(A) == GSL_SUCCESS && gsl_linalg_cholesky_invert(A) == GSL_SUCCESS)
        for (size_t i = 0; i < nf; i++)
            out->u[i] = sqrt(gsl_matrix_get(A, i, i));
    else
        for (size_t i = 0; i < nf; i++)
            out->u[i] = NAN;
    gsl_matrix_free(A);
    return SIM_OK;
}

/* ------------------------------------------------------------ driver -- */

int study_calibrate(const study_calibrate_cfg *cfg, study_calibrate_result *out, study_error *err)
{
    memset(out, 0, sizeof *out);
    study_error_clear(err);
    if (cfg->n_fits == 0 || cfg->n_targets == 0)
        return input_error(err, SIM_EINVAL, "calibrate: give at least one --fit KEY=LOW:HIGH and "
                           "one --target METRIC=VALUE");
    if (cfg->n_fits > cfg->n_targets)
        return input_error(err, SIM_EINVAL,
                           "%zu unknowns but %zu target%s: the values are not determined (give "
                           "at least as many --target as --fit, or fix some values with --set)",
                           cfg->n_fits, cfg->n_targets, cfg->n_targets == 1 ? "" : "s");
    if (cfg->n_fits > STUDY_CAL_MAX || cfg->n_targets > STUDY_CAL_MAX)
        return input_error(err, SIM_EINVAL, "at most %d unknowns and %d targets", STUDY_CAL_MAX,
                           STUDY_CAL_MAX);
    /* The fitted scenario written out must be the one calibrated: a unit
     * count changed by a pseudo-key is not a key of that file. */
    for (size_t k = 0; k < cfg->base.points.n_sets; k++)
        if (rf_points_is_pseudo_set(cfg->base.points.sets[k]))
            return input_error(err, SIM_EINVAL,
                               "--set %s: calibrate takes scenario keys only (set the units "
                               "with services[NAME].blocks[NAME].units)",
                               cfg->base.points.sets[k]);
    for (size_t k = 0; k < cfg->n_targets; k++)
        for (size_t j = 0; j < k; j++)
            if (cfg->targets[k].metric == cfg->targets[j].metric)
                return input_error(err, SIM_EINVAL, "--target %s is given twice",
                                   rf_metric_at((size_t)cfg->targets[k].metric)->name);
    for (size_t i = 0; i < cfg->n_fits; i++) {
        for (size_t j = 0; j < i; j++)
            if (!strcmp(cfg->fits[i].key, cfg->fits[j].key))
                return input_error(err, SIM_EINVAL, "--fit %s is given twice", cfg->fits[i].key);
        int rc = check_key(cfg, &cfg->fits[i], err);
        if (rc != SIM_OK)
            return rc;
    }
    cal *c = calloc(1, sizeof *c);
    if (!c)
        return input_error(err, SIM_ENOMEM, "out of memory");
    c->cfg = cfg;
    c->err = err;
    c->max_evals = cfg->max_evals > 0 ? cfg->max_evals : 200;
    const char *keys[STUDY_CAL_MAX];
    for (size_t i = 0; i < cfg->n_fits; i++)
        keys[i] = cfg->fits[i].key;
    c->scfg = cfg->base;
    c->scfg.points.n_vary = cfg->n_fits;
    c->scfg.points.vary_keys = keys;
    c->scfg.points.reps = cfg->reps;
    c->scfg.grid = NULL;
    c->scfg.no_points = 1;
    c->scfg.out_path = NULL;
    c->scfg.precision = NULL;
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    c->reps = cfg->reps;
    if (c->reps <= 0) {
        rf_scenario *sc = NULL;
        const rf_points_cfg *pc = &cfg->base.points;
        if (rf_scenario_load_file(pc->scenario_path, pc->sets, pc->n_sets, &sc, NULL) == SIM_OK)
            c->reps = (long)rf_scenario_params(sc)->reps;
        rf_scenario_free(sc);
    }
    int rc = c->reps > 0 ? study_open(&c->scfg, &c->st, err)
                         : input_error(err, SIM_EINVAL, "calibrate: the scenario does not load");
    if (rc == SIM_OK) {
        out->reps = c->reps;
        rc = cfg->n_fits == 1 && cfg->n_targets == 1 ? fit_one(c, out) : fit_several(c, out);
        if (rc == SIM_OK)
            rc = uncertainty(c, out);
    }
    gsl_set_error_handler(old);
    out->evals = c->evals;
    study_free(c->st);
    free(c);
    return rc;
}
