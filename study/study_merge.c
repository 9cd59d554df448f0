#include "study_merge.h"
#include "an_h5.h"
#include "sim_status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *path;
    an_h5_file *f;
    const an_h5_info *in;
    char *scenario;
} part;

#define fail study_error_set

/* A string from a results file, fit for a terminal: control characters
 * become '?', and it is cut to size. */
static const char *clean(char *buf, size_t size, const char *s)
{
    size_t n = 0;
    for (; s && *s && n + 1 < size; s++)
        buf[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s;
    buf[n] = '\0';
    return buf;
}

static void keys_text(char *buf, size_t size, const an_h5_info *in)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < in->n_vary && n + 1 < size; k++) {
        char c[128];
        int w = snprintf(buf + n, size - n, "%s%s", k ? ", " : "", clean(c, sizeof c, in->vary_keys[k]));
        n += w > 0 ? (size_t)w : 0;
    }
    if (!in->n_vary)
        snprintf(buf, size, "nothing");
}

/* The first line (1-based) where two texts differ. */
static size_t first_line_differing(const char *a, const char *b)
{
    size_t line = 1;
    for (; *a && *a == *b; a++, b++)
        line += *a == '\n';
    return line;
}

static int open_part(part *p, study_error *err)
{
    int rc = an_h5_open(p->path, &p->f);
    if (rc != SIM_OK)
        return fail(err, rc, rc != SIM_ENOMEM, "%s: %s", p->path,
                    rc == SIM_EPARSE ? "not a refugesim results file"
                    : rc == SIM_ENOTFOUND ? "no such file" : sim_strerror(rc));
    p->in = an_h5_get_info(p->f);
    const an_h5_info *in = p->in;
    if (!in->is_part)
        return fail(err, SIM_EINVAL, 1,
                    "%s: not a part of a sweep (parts are written by 'refugesim sweep ... "
                    "--points FROM:TO' and carry part_first, part_last, grid_points and "
                    "sweep_digest attributes)", p->path);
    const an_part *q = &in->part;
    if (q->first > q->last || q->last >= q->grid_points || in->n_points != q->last - q->first + 1)
        return fail(err, SIM_EPARSE, 1, "%s: its part attributes (points %llu to %llu of %llu) do "
                    "not match its %zu points", p->path, (unsigned long long)q->first,
                    (unsigned long long)q->last, (unsigned long long)q->grid_points, in->n_points);
    size_t done = 0;
    for (size_t i = 0; i < in->n_points; i++) {
        const an_h5_point_row *r = an_h5_point_at(p->f, i);
        done += r->n_reps > 0 && r->reps_done == r->n_reps;
    }
    if (!in->complete || done != in->n_points)
        return fail(err, SIM_EINVAL, 1,
                    "%s is incomplete (interrupted: %zu of its %zu points finished): finish it "
                    "with the same sweep command and --resume", p->path, done, in->n_points);
    rc = an_h5_read_scenario(p->f, &p->scenario);
    if (rc != SIM_OK)
        return fail(err, rc, rc != SIM_ENOMEM, "%s: cannot read its scenario: %s", p->path,
                    sim_strerror(rc));
    return SIM_OK;
}

/* Does b belong to the same sweep as a? */
static int same_sweep(const part *a, const part *b, study_error *err)
{
    const an_h5_info *x = a->in, *y = b->in;
    char s1[160], s2[160], s3[160], s4[160];
    if (x->format_version != y->format_version)
        return fail(err, SIM_EINVAL, 1, "%s is in format_version %d, %s in %d: the parts of a "
                    "sweep come from one build", a->path, x->format_version, b->path,
                    y->format_version);
    if (strcmp(x->refugesim_version, y->refugesim_version) || strcmp(x->git_commit, y->git_commit))
        return fail(err, SIM_EINVAL, 1, "%s was written by refugesim %s (%s), %s by %s (%s): the "
                    "parts of a sweep come from one build", a->path,
                    clean(s1, sizeof s1, x->refugesim_version), clean(s2, sizeof s2, x->git_commit),
                    b->path, clean(s3, sizeof s3, y->refugesim_version),
                    clean(s4, sizeof s4, y->git_commit));
    if (x->part.grid_points != y->part.grid_points)
        return fail(err, SIM_EINVAL, 1, "%s is a part of a grid of %llu points, %s of one of %llu: "
                    "not the same sweep", a->path, (unsigned long long)x->part.grid_points,
                    b->path, (unsigned long long)y->part.grid_points);
    int keys = x->n_vary == y->n_vary;
    for (size_t k = 0; keys && k < x->n_vary; k++)
        keys = !strcmp(x->vary_keys[k], y->vary_keys[k]);
    if (!keys) {
        keys_text(s1, sizeof s1, x);
        keys_text(s2, sizeof s2, y);
        return fail(err, SIM_EINVAL, 1, "%s varies %s, %s varies %s: not the same sweep", a->path,
                    s1, b->path, s2);
    }
    if (x->seed != y->seed)
        return fail(err, SIM_EINVAL, 1, "%s has seed %llu, %s seed %llu: not the same sweep",
                    a->path, (unsigned long long)x->seed, b->path, (unsigned long long)y->seed);
    size_t ra = an_h5_point_at(a->f, 0)->n_reps;
    for (size_t i = 0; i < y->n_points; i++) {
        size_t rb = an_h5_point_at(b->f, i)->n_reps;
        if (rb != ra)
            return fail(err, SIM_EINVAL, 1, "%s has %zu replications per point, %s %zu (its "
                        "point %zu): not the same sweep", a->path, ra, b->path, rb, i);
    }
    if (strcmp(a->scenario, b->scenario))
        return fail(err, SIM_EINVAL, 1, "%s and %s were run from different scenarios (their "
                    "resolved scenarios differ from line %zu): not the same sweep", a->path,
                    b->path, first_line_differing(a->scenario, b->scenario));
    if (x->part.digest != y->part.digest)
        return fail(err, SIM_EINVAL, 1, "%s and %s were run from different inputs (sweep_digest "
                    "%016llx and %016llx): the same scenario text, keys, seed and replications, "
                    "but other values of the varied keys, another trace file or another build",
                    a->path, b->path, (unsigned long long)x->part.digest,
                    (unsigned long long)y->part.digest);
    return SIM_OK;
}

static const part *sort_base;

static int by_first(const void *pa, const void *pb)
{
    const an_part *a = &sort_base[*(const size_t *)pa].in->part;
    const an_part *b = &sort_base[*(const size_t *)pb].in->part;
    return a->first < b->first ? -1 : a->first > b->first ? 1 : 0;
}

/* Every point of the grid in exactly one part; order[] receives the parts
 * sorted by their first point. */
static int covers_once(const part *ps, size_t n, size_t *order, study_error *err)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    sort_base = ps;
    qsort(order, n, sizeof *order, by_first);
    uint64_t grid = ps[0].in->part.grid_points, next = 0;
    char gaps[600] = "";
    size_t len = 0, n_gaps = 0;
    for (size_t k = 0; k <= n; k++) {
        const an_part *q = k < n ? &ps[order[k]].in->part : NULL;
        uint64_t first = q ? q->first : grid;
        if (q && k > 0 && first < next) {
            const part *prev = &ps[order[k - 1]];
            uint64_t last = q->last < next - 1 ? q->last : next - 1;
            return fail(err, SIM_EINVAL, 1, "points %llu to %llu are in both %s and %s: each "
                        "point must be in one part only", (unsigned long long)first,
                        (unsigned long long)last, prev->path, ps[order[k]].path);
        }
        if (first > next) {
            if (n_gaps++ < 4 && len < sizeof gaps) {
                int w = snprintf(gaps + len, sizeof gaps - len, "%s%llu to %llu", len ? ", " : "",
                                 (unsigned long long)next, (unsigned long long)first - 1);
                len += w > 0 ? (size_t)w : 0;
            }
        }
        if (q)
            next = q->last + 1;
    }
    if (n_gaps)
        return fail(err, SIM_EINVAL, 1, "points %s%s of the grid's %llu are in no part given",
                    gaps, n_gaps > 4 ? ", ..." : "", (unsigned long long)grid);
    return SIM_OK;
}

int study_merge(const study_merge_cfg *cfg, study_merged *done, study_error *err)
{
    study_error_clear(err);
    done->n_points = 0;
    if (!cfg->n_parts)
        return fail(err, SIM_EINVAL, 1, "merge: no parts given");
    part *ps = calloc(cfg->n_parts, sizeof *ps);
    size_t *order = calloc(cfg->n_parts, sizeof *order);
    an_h5_writer *w = NULL;
    int rc = ps && order ? SIM_OK : fail(err, SIM_ENOMEM, 0, "out of memory");
    for (size_t i = 0; i < cfg->n_parts && rc == SIM_OK; i++) {
        ps[i].path = cfg->parts[i];
        rc = open_part(&ps[i], err);
        if (rc == SIM_OK && i)
            rc = same_sweep(&ps[0], &ps[i], err);
    }
    if (rc == SIM_OK)
        rc = covers_once(ps, cfg->n_parts, order, err);
    if (rc != SIM_OK)
        goto out;

    const an_h5_info *in = ps[0].in;
    char *source = NULL; /* the parts' scenario file as written, when they hold it */
    if (an_h5_read_scenario_source(ps[0].f, &source) != SIM_OK)
        source = NULL;
    an_run_info info = {.scenario_text = ps[0].scenario, .command_line = cfg->command_line,
                        .scenario_source = source,
                        .seed = in->seed, .threads = in->threads, .ranks = in->ranks,
                        .n_vary = in->n_vary, .vary_keys = in->vary_keys,
                        .n_points = (size_t)in->part.grid_points};
    rc = an_h5_create(cfg->out_path, &info, cfg->force, &w);
    free(source);
    if (rc == SIM_EEXIST)
        fail(err, rc, 1, "%s exists: use --force to overwrite it", cfg->out_path);
    else if (rc == SIM_ENOTFOUND)
        fail(err, rc, 1, "%s: the directory does not exist", cfg->out_path);
    else if (rc != SIM_OK)
        fail(err, rc, 0, "%s: cannot create the results file: %s", cfg->out_path, an_h5_strerror(rc));
    for (size_t k = 0; k < cfg->n_parts && rc == SIM_OK; k++) {
        const part *p = &ps[order[k]];
        for (size_t j = 0; j < p->in->n_points && rc == SIM_OK; j++)
            if ((rc = an_h5_copy_point(w, (size_t)p->in->part.first + j, p->f, j)) == SIM_EIO)
                fail(err, rc, 0, "%s: writing the results file failed: %s", cfg->out_path,
                     an_h5_strerror(rc)); /* no room for the copy */
            else if (rc != SIM_OK)
                fail(err, rc, 0, "%s: copying its point %zu failed: %s", p->path, j,
                     an_h5_strerror(rc));
    }
    if (rc == SIM_OK) {
        an_h5_writer *ww = w;
        w = NULL;
        if ((rc = an_h5_commit(ww, 1)) != SIM_OK)
            fail(err, rc, 0, "%s: writing the results file failed: %s", cfg->out_path,
                 an_h5_strerror(rc));
        else
            done->n_points = info.n_points;
    }
out:
    an_h5_discard(w);
    for (size_t i = 0; ps && i < cfg->n_parts; i++) {
        free(ps[i].scenario);
        an_h5_close(ps[i].f);
    }
    free(ps);
    free(order);
    return rc;
}
