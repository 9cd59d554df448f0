#include "study_precision.h"
#include "rf_result.h"
#include "sim_farm.h"
#include "sim_status.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int study_precision_parse(const char *spec, study_precision_target *t, char *why, size_t size)
{
    const char *eq = strchr(spec, '=');
    char name[128];
    if (!eq || eq == spec || (size_t)(eq - spec) >= sizeof name) {
        snprintf(why, size, "expected METRIC=H (a 95%% half-width, e.g. refused_no_space=0.01, "
                 "or relative, e.g. wait_mean=5%%), got '%s'", spec);
        return SIM_EPARSE;
    }
    memcpy(name, spec, (size_t)(eq - spec));
    name[eq - spec] = '\0';
    int m = rf_metric_find(name);
    if (m < 0) {
        size_t n = (size_t)snprintf(why, size, "unknown metric '%s' (accepted:", name);
        for (size_t i = 0; i < rf_metric_count() && n < size; i++)
            n += (size_t)snprintf(why + n, size - n, " %s", rf_metric_at(i)->name);
        if (n < size)
            snprintf(why + n, size - n, ")");
        return SIM_EPARSE;
    }
    char *end;
    errno = 0;
    double h = strtod(eq + 1, &end);
    int relative = *end == '%';
    if (relative)
        end++;
    if (end == eq + 1 || *end || errno || !isfinite(h) || h <= 0) {
        snprintf(why, size, "%s: expected a positive half-width, or a percentage such as 5%%, "
                 "got '%s'", name, eq + 1);
        return SIM_EPARSE;
    }
    t->metric = m;
    t->h = relative ? h / 100 : h;
    t->relative = relative;
    return SIM_OK;
}

int study_precision_holds(const study_precision_cfg *c, const an_point_summary *ps)
{
    for (size_t k = 0; k < c->n_targets; k++) {
        const study_precision_target *t = &c->targets[k];
        const sim_summary *s = &ps->metrics[t->metric].s;
        if (s->n < 2 || !isfinite(s->mean) || !isfinite(s->ci95))
            return 0;
        double want = t->relative ? t->h * fabs(s->mean) : t->h;
        if (!(s->ci95 <= want))
            return 0;
    }
    return 1;
}

int study_precision_holds_paired(const study_precision_cfg *c, const an_point_summary *base,
                                 const an_point_summary *alt)
{
    for (size_t k = 0; k < c->n_targets; k++) {
        const study_precision_target *t = &c->targets[k];
        sim_ratio_diff d;
        if (an_point_summary_paired_diff(alt, base, rf_metric_at((size_t)t->metric)->name, &d)
                != SIM_OK
            || d.n < 2 || !isfinite(d.diff) || !isfinite(d.ci95))
            return 0;
        double want = t->relative ? t->h * fabs(d.diff) : t->h;
        if (!(d.ci95 <= want))
            return 0;
    }
    return 1;
}

static size_t batch_of(const study_precision_cfg *c)
{
    return c->batch ? c->batch : STUDY_PRECISION_BATCH;
}

size_t study_precision_look_ahead(const study_precision_cfg *c, size_t n)
{
    size_t b = batch_of(c), f = n <= 100 ? 5 : n * 5 / 100;
    return (f + b - 1) / b * b;
}

const char *study_precision_reason(int stopped)
{
    return stopped == STUDY_STOP_MET ? "target met" : stopped == STUDY_STOP_MAX ? "maximum reached"
                                                                                : "not run";
}

/* Rank 0 decides, every rank learns it. */
static int check(study *s, size_t i, const study_precision_cfg *c, int *holds)
{
    int rc = SIM_OK, h = 0;
    if (sim_farm_rank() == 0) {
        an_point_summary ps;
        if ((rc = study_point_summary(s, i, &ps)) == SIM_OK) {
            h = study_precision_holds(c, &ps);
            an_point_summary_free(&ps);
        }
    }
    if ((rc = sim_farm_bcast_int(rc)) != SIM_OK)
        return rc;
    *holds = sim_farm_bcast_int(h);
    return SIM_OK;
}

/* Rank 0 decides on every alternative's paired difference, every rank
 * learns it. */
static int check_paired(study *s, const study_precision_cfg *c, int *holds)
{
    int rc = SIM_OK, h = 1;
    if (sim_farm_rank() == 0) {
        size_t np = study_n_points(s);
        an_point_summary *ps = calloc(np ? np : 1, sizeof *ps);
        size_t got = 0;
        if (!ps)
            rc = SIM_ENOMEM;
        for (; rc == SIM_OK && got < np; got++)
            if ((rc = study_point_summary(s, got, &ps[got])) != SIM_OK)
                break;
        for (size_t i = 1; rc == SIM_OK && i < np && h; i++)
            h = study_precision_holds_paired(c, &ps[0], &ps[i]);
        for (size_t i = 0; ps && i < got; i++)
            an_point_summary_free(&ps[i]);
        free(ps);
    }
    if ((rc = sim_farm_bcast_int(rc)) != SIM_OK)
        return rc;
    *holds = sim_farm_bcast_int(h);
    return SIM_OK;
}

/* Why judging the replications so far failed. */
static const char *check_failed(int rc)
{
    return rc == SIM_EIO ? "cannot read the replications' records back from their temporary file"
                         : sim_strerror(rc);
}

/* Extend to n replications and say whether the targets hold. */
typedef int (*step_fn)(study *s, size_t i, const study_precision_cfg *c, size_t n, int *holds,
                       study_error *err);

static int step_point(study *s, size_t i, const study_precision_cfg *c, size_t n, int *holds,
                      study_error *err)
{
    int rc = study_extend(s, i, n, err);
    if (rc == SIM_OK && (rc = check(s, i, c, holds)) != SIM_OK)
        return study_error_set(err, rc, 0, "%s", check_failed(rc));
    return rc;
}

static int step_paired(study *s, size_t i, const study_precision_cfg *c, size_t n, int *holds,
                       study_error *err)
{
    int rc = SIM_OK;
    for (size_t k = 0; k < study_n_points(s) && rc == SIM_OK; k++)
        rc = study_extend(s, k, n, err);
    if (rc == SIM_OK && (rc = check_paired(s, c, holds)) != SIM_OK)
        return study_error_set(err, rc, 0, "%s", check_failed(rc));
    return rc;
}

/* The batches: the minimum, then one batch at a time until the targets
 * have held over the look-ahead, or max_reps. */
static int batches(study *s, size_t i, const study_precision_cfg *c, step_fn step,
                   study_precision_result *out, study_error *err)
{
    size_t b = batch_of(c);
    size_t max = c->max_reps ? c->max_reps : STUDY_PRECISION_MAX_REPS;
    size_t n = c->min_reps > b ? c->min_reps : b;
    if (n > max)
        n = max;
    memset(out, 0, sizeof *out);
    size_t met_at = 0;         /* 0: the targets do not hold now */
    for (;;) {
        int holds, rc = step(s, i, c, n, &holds, err);
        if (rc != SIM_OK)
            return rc;
        out->reps = n;
        if (!holds)
            met_at = 0;
        else if (!met_at)
            met_at = n;
        if (met_at && n - met_at >= study_precision_look_ahead(c, met_at)) {
            out->first_met = met_at;
            out->stopped = STUDY_STOP_MET;
            return SIM_OK;
        }
        if (n >= max) {
            out->first_met = met_at;
            out->stopped = STUDY_STOP_MAX;
            return SIM_OK;
        }
        n = n + b > max ? max : n + b;
    }
}

int study_precision_point(study *s, size_t i, const study_precision_cfg *c,
                          study_precision_result *out, study_error *err)
{
    return batches(s, i, c, step_point, out, err);
}

int study_precision_paired(study *s, const study_precision_cfg *c,
                           study_precision_result *out, study_error *err)
{
    return batches(s, 0, c, step_paired, out, err);
}
