#include "study_rerun.h"
#include "sim_status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The --precision targets ("METRIC=H METRIC=H ...") and bounds. */
static int load_precision(const an_h5_info *info, study_stored *out, const char *path,
                          study_error *err)
{
    study_precision_cfg *c = &out->precision;
    char spec[256], why[2048];
    const char *p = info->precision;
    while (*p) {
        size_t n = strcspn(p, " ");
        if (n > 0) {
            if (n >= sizeof spec || c->n_targets == STUDY_PRECISION_MAX_TARGETS)
                goto bad;
            memcpy(spec, p, n);
            spec[n] = '\0';
            if (study_precision_parse(spec, &c->targets[c->n_targets], why, sizeof why) != SIM_OK)
                goto bad;
            c->n_targets++;
        }
        p += n + (p[n] == ' ');
    }
    if (c->n_targets == 0)
        goto bad;
    c->batch = (size_t)info->precision_reps[0];
    c->min_reps = (size_t)info->precision_reps[1];
    c->max_reps = (size_t)info->precision_reps[2];
    out->has_precision = 1;
    return SIM_OK;
bad:
    err->status = SIM_EPARSE;
    snprintf(err->message, sizeof err->message, "%s: the precision attribute '%.200s' is not "
             "a list of METRIC=H targets", path, info->precision);
    return err->status;
}

int study_rerun_load(const char *path, study_stored *out, study_error *err)
{
    memset(out, 0, sizeof *out);
    study_error_clear(err);
    err->all_ranks = 1;        /* every rank reads the file alike */
    int rc = an_h5_open(path, &out->file);
    if (rc != SIM_OK) {
        err->status = rc;
        err->input = 1;
        snprintf(err->message, sizeof err->message, "%s: %s", path,
                 rc == SIM_EPARSE ? "not a refugesim results file"
                 : rc == SIM_ENOTFOUND ? "no such file" : sim_strerror(rc));
        return rc;
    }
    const an_h5_info *info = an_h5_get_info(out->file);
    size_t np = info->n_points, nv = info->n_vary;
    /* An interrupted run's file holds no scenario and no varied values for
     * the points it never wrote: recomputing them would take the run's
     * scenario, and the new file would claim to be complete. */
    int finished = info->complete;
    for (size_t i = 0; i < np; i++) {
        const an_h5_point_row *row = an_h5_point_at(out->file, i);
        if (!row || !row->n_reps || row->reps_done != row->n_reps)
            finished = 0;
    }
    if (!finished) {
        err->status = SIM_EINVAL;
        err->input = 1;
        snprintf(err->message, sizeof err->message,
                 "%s: the run was interrupted (complete = 0, points or replications missing): "
                 "rerun repeats a finished run only; finish it first (`refugesim sweep ... "
                 "--resume`)", path);
        return err->status;
    }
    out->n_points = np;
    out->n_vary = nv;
    out->vary_keys = info->vary_keys;
    out->texts = calloc(np ? np : 1, sizeof *out->texts);
    out->values = calloc(np * nv + 1, sizeof *out->values);
    out->labels = calloc(np + 1, sizeof *out->labels);
    if (!out->texts || !out->values || !out->labels)
        return err->status = SIM_ENOMEM;
    for (size_t i = 0; i < np; i++) {
        const an_h5_point_row *row = an_h5_point_at(out->file, i);
        if (an_h5_read_point_scenario(out->file, i, &out->texts[i]) != SIM_OK || !row) {
            err->status = SIM_EPARSE;
            snprintf(err->message, sizeof err->message, "%s: point %zu has no stored scenario",
                     path, i);
            return err->status;
        }
        out->labels[i] = row->label;
        for (size_t k = 0; k < nv; k++)
            out->values[i * nv + k] = row->vary_values[k];
        if (i == 0)
            out->reps = (long)row->n_reps;
    }
    out->has_comparison = an_h5_has(out->file, "comparison");
    out->has_comparison_yearly = an_h5_has(out->file, "comparison_yearly");
    if (an_h5_read_scenario_source(out->file, &out->source) != SIM_OK)
        out->source = NULL;
    return info->precision ? load_precision(info, out, path, err) : SIM_OK;
}

void study_rerun_free(study_stored *st)
{
    for (size_t i = 0; st->texts && i < st->n_points; i++)
        free(st->texts[i]);
    free(st->texts);
    free(st->values);
    free(st->labels);
    free(st->source);
    an_h5_close(st->file);
    memset(st, 0, sizeof *st);
}

void study_rerun_config(const study_stored *st, study_cfg *cfg)
{
    cfg->points.texts = (const char *const *)st->texts;
    cfg->points.n_vary = st->n_vary;
    cfg->points.vary_keys = st->vary_keys;
    cfg->points.reps = st->reps;
    cfg->points.labels = st->labels;
    cfg->text_values = st->values;
    cfg->n_text_points = st->n_points;
    cfg->grid = NULL;
    if (st->has_precision) {
        cfg->precision = &st->precision;
        cfg->precision_text = an_h5_get_info(st->file)->precision;
    }
    cfg->scenario_source = st->source;
    cfg->compare_points = st->has_comparison;
    if (st->has_comparison_yearly)
        cfg->by_year = 1;
    /* a compare file's targets were on the paired differences */
    cfg->precision_paired = st->has_precision && st->has_comparison;
}

static int same(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

int study_rerun_compare(study_stored *st, const study *s, study_difference *first)
{
    memset(first, 0, sizeof *first);
    int differs = 0;
    for (size_t i = 0; i < study_n_points(s); i++) {
        const an_point_summary *now = study_summary(s, i);
        an_point_summary stored;
        if (an_h5_read_point_summary(st->file, i, &stored) != SIM_OK)
            return -1;
        for (size_t m = 0; now && m < now->n_metrics; m++) {
            const an_metric_summary *a = &now->metrics[m];
            const an_metric_summary *b = an_point_summary_find(&stored, a->name);
            if (!b)
                continue;
            if (!same(a->s.mean, b->s.mean) || !same(a->s.sd, b->s.sd)) {
                if (!differs) {
                    first->found = 1;
                    first->point = i;
                    snprintf(first->metric, sizeof first->metric, "%s", a->name);
                    first->now = a->s.mean;
                    first->stored = b->s.mean;
                }
                differs = 1;
            }
        }
        an_point_summary_free(&stored);
    }
    return differs;
}

int study_rerun_compare_file(study_stored *st, const char *path, an_h5_difference *first,
                             size_t *n_compared)
{
    memset(first, 0, sizeof *first);
    an_h5_file *now = NULL;
    if (an_h5_open(path, &now) != SIM_OK)
        return -1;
    int rc = an_h5_compare_data(st->file, now, first, n_compared);
    an_h5_close(now);
    return rc != SIM_OK ? -1 : first->found;
}
