/* an_h5: the results file's writer, with its atomic publish (the reader is
 * an_h5_read.c, tables an_h5_table.c, attributes and datasets
 * an_h5_base.c). */
#include "an_h5.h"
#include "an_h5_base.h"
#include "an_h5_network.h"
#include "an_h5_point.h"
#include "an_h5_table.h"
#include "ex_ckpt.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <hdf5.h>
#include "rf_points.h"
#include "sim_status.h"

#ifndef RS_VERSION
#define RS_VERSION "unknown"
#endif
#ifndef RS_GIT_COMMIT
#define RS_GIT_COMMIT "unknown"
#endif

#define RNG_NAME "philox4x64-10"

typedef struct {
    int written;
    char *label;                  /* owned, whole (at most AN_LABEL_MAX - 1 bytes); NULL: "" */
    uint64_t n_reps, reps_done;
    int64_t total_units;
    double horizon, warmup;
} point_row;

/* /summary: the whole file's tidy table, one row per point and metric.
 * After the point's columns (point, label, varied values) and the metric's
 * (metric, units), one column per entry here, each a function of the
 * metric's summary over the point's replications: a new summary column is
 * one more entry. */
static double tidy_mean(const an_metric_summary *m) { return m->s.mean; }
static double tidy_lo(const an_metric_summary *m) { return m->s.mean - m->s.ci95; }
static double tidy_hi(const an_metric_summary *m) { return m->s.mean + m->s.ci95; }
static double tidy_half(const an_metric_summary *m) { return m->s.ci95; }
static double tidy_n(const an_metric_summary *m) { return (double)m->s.n; }
static const struct {
    const char *name, *units;
    an_col_type type;             /* AN_COL_F64, or AN_COL_U64 for counts */
    double (*value)(const an_metric_summary *m);
} tidy_cols[] = {
    {"mean", "units of the metric", AN_COL_F64, tidy_mean},
    {"lo", "units of the metric", AN_COL_F64, tidy_lo},
    {"hi", "units of the metric", AN_COL_F64, tidy_hi},
    {"half_width", "units of the metric", AN_COL_F64, tidy_half},
    {"n", "replications", AN_COL_U64, tidy_n},
};
#define N_TIDY (sizeof tidy_cols / sizeof tidy_cols[0])

typedef struct {
    size_t metric;                /* into the writer's metric names */
    double v[N_TIDY];
} tidy_row;

typedef struct {
    char name[AN_NAME_MAX], units[AN_NAME_MAX];
} metric_name;

struct an_h5_writer {
    char *path, *tmp;
    int lock_fd;                  /* held on tmp for its whole life (ex_temp_create) */
    int force;
    hid_t file, points;
    char *scenario_text;
    size_t n_points, n_vary;
    char **vary_keys;
    point_row *rows;
    double *vary;                /* n_points x n_vary */
    tidy_row **tidy;             /* per point: its /summary rows (NULL until written) */
    size_t *n_tidy;
    metric_name *metrics;        /* every metric name seen, in order of appearance */
    size_t n_metrics, cap_metrics;
    an_h5p *open;                /* the point being written piece by piece, NULL if none */
    size_t open_index;
};

/* ------------------------------------------------------------ the file -- */

static int dir_status(const char *path)
{
    char *copy = an_h5i_strdup(path);
    if (!copy)
        return SIM_ENOMEM;
    struct stat sb;
    int st = SIM_OK;
    if (stat(dirname(copy), &sb) != 0)
        st = errno == ENOENT || errno == ENOTDIR ? SIM_ENOTFOUND : SIM_EIO;
    else if (!S_ISDIR(sb.st_mode))
        st = SIM_ENOTFOUND;
    free(copy);
    return st;
}

/* The errno behind the writer's last failure.  HDF5 puts it only into its
 * error stack's text ("..., errno = 28, error message = 'No space left on
 * device'"), and the next API call clears the stack, so a silent automatic
 * error handler reads it at the moment of failure. */
static int last_sys_errno;

static herr_t find_errno(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    const char *p = e->desc ? strstr(e->desc, "errno = ") : NULL;
    if (p && atoi(p + 8) > 0) {
        *(int *)data = atoi(p + 8);
        return 1;
    }
    return 0;
}

static herr_t note_errno(hid_t stack, void *data)
{
    (void)data;
    int e = 0;
    H5Ewalk2(stack, H5E_WALK_DOWNWARD, find_errno, &e);
    if (e)
        last_sys_errno = e;
    return 0;
}

void an_h5i_quiet(void)
{
    H5Eset_auto2(H5E_DEFAULT, note_errno, NULL);
}

int an_h5_sys_errno(void)
{
    return last_sys_errno;
}

const char *an_h5_strerror(int st)
{
    return last_sys_errno ? strerror(last_sys_errno) : sim_strerror(st);
}

/* Only a regular file is ever replaced: renaming over /dev/null, a FIFO
 * or a symbolic link would put a regular file in its place. */
static int regular_or_absent(const char *path)
{
    struct stat sb;
    return lstat(path, &sb) != 0 ? errno == ENOENT : S_ISREG(sb.st_mode);
}

/* Close the file (if open) and free w; the temporary file stays. */
static void writer_free(an_h5_writer *w)
{
    an_h5p_free(w->open);
    if (w->points >= 0)
        H5Gclose(w->points);
    if (w->file >= 0)
        H5Fclose(w->file);
    for (size_t k = 0; k < w->n_vary; k++)
        free(w->vary_keys ? w->vary_keys[k] : NULL);
    free(w->vary_keys);
    for (size_t i = 0; w->tidy && i < w->n_points; i++)
        free(w->tidy[i]);
    free(w->tidy);
    free(w->n_tidy);
    free(w->metrics);
    for (size_t i = 0; w->rows && i < w->n_points; i++)
        free(w->rows[i].label);
    free(w->rows);
    free(w->vary);
    free(w->scenario_text);
    free(w->path);
    free(w->tmp);
    ex_temp_release(w->lock_fd);
    free(w);
}

void an_h5_discard(an_h5_writer *w)
{
    if (!w)
        return;
    an_h5p_free(w->open);
    w->open = NULL;
    if (w->points >= 0)
        H5Gclose(w->points);
    if (w->file >= 0)
        H5Fclose(w->file);
    w->points = w->file = H5I_INVALID_HID;
    if (w->tmp && w->tmp[0])
        unlink(w->tmp);
    writer_free(w);
}

static void utc_now(char *buf, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int write_root(an_h5_writer *w, const an_run_info *info)
{
    char when[32];
    utc_now(when, sizeof when);
    hid_t root = w->file;
    int st = an_h5i_attr_str(root, "format", AN_H5_FORMAT);
    if (!st) st = an_h5i_attr_int(root, "format_version", AN_H5_FORMAT_VERSION);
    if (!st) st = an_h5i_attr_str(root, "refugesim_version", RS_VERSION);
    if (!st) st = an_h5i_attr_str(root, "git_commit", RS_GIT_COMMIT);
    if (!st) st = an_h5i_attr_str(root, "created_utc", when);
    if (!st) st = an_h5i_attr_str(root, "command_line", info->command_line);
    if (!st) st = an_h5i_attr_str(root, "rng", RNG_NAME);
    if (!st) st = an_h5i_attr_u64(root, "seed", info->seed);
    if (!st) st = an_h5i_attr_int(root, "threads", info->threads);
    if (!st) st = an_h5i_attr_int(root, "ranks", info->ranks);
    if (!st) st = an_h5i_attr_int(root, "complete", 0);
    if (!st) st = an_h5i_attr_u64(root, "n_points", info->n_points);
    if (!st && info->n_vary)
        st = an_h5i_attr_strs(root, "vary_keys", info->vary_keys, info->n_vary);
    if (!st && info->note)
        st = an_h5i_attr_str(root, "note", info->note);
    for (size_t i = 0; !st && i < info->n_attrs; i++)
        st = an_h5i_attr_str(root, info->attrs[2 * i], info->attrs[2 * i + 1]);
    if (!st && info->precision)
        st = an_h5i_attr_str(root, "precision", info->precision);
    if (!st && info->precision) st = an_h5i_attr_u64(root, "precision_batch", info->precision_reps[0]);
    if (!st && info->precision) st = an_h5i_attr_u64(root, "precision_min_reps", info->precision_reps[1]);
    if (!st && info->precision) st = an_h5i_attr_u64(root, "precision_max_reps", info->precision_reps[2]);
    if (!st && info->part) {
        char digest[24];
        snprintf(digest, sizeof digest, "%016llx", (unsigned long long)info->part->digest);
        st = an_h5i_attr_u64(root, "part_first", info->part->first);
        if (!st) st = an_h5i_attr_u64(root, "part_last", info->part->last);
        if (!st) st = an_h5i_attr_u64(root, "grid_points", info->part->grid_points);
        if (!st) st = an_h5i_attr_str(root, "sweep_digest", digest);
    }
    if (!st)
        st = an_h5i_write_text(root, "scenario", info->scenario_text,
                               "resolved scenario (YAML) of the run; `refugesim rerun` repeats it");
    if (!st && info->scenario_source)
        st = an_h5i_write_text(root, "scenario_source", info->scenario_source,
                               "the scenario file as written (comments and source marks kept), "
                               "then each file it extends after a line '# file: NAME'");
    return st;
}

int an_h5_create(const char *path, const an_run_info *info, int force, an_h5_writer **out)
{
    *out = NULL;
    if (!path || !*path || !info)
        return SIM_EINVAL;
    last_sys_errno = 0;
    an_h5i_quiet();
    int st = dir_status(path);
    if (st)
        return st;
    if (!regular_or_absent(path))
        return SIM_EINVAL;
    if (!force && access(path, F_OK) == 0)
        return SIM_EEXIST;

    an_h5_writer *w = calloc(1, sizeof *w);
    if (!w)
        return SIM_ENOMEM;
    w->file = w->points = H5I_INVALID_HID;
    w->lock_fd = -1;
    w->force = force;
    w->n_points = info->n_points;
    w->n_vary = info->n_vary;
    size_t tlen = strlen(path) + 32;
    w->path = an_h5i_strdup(path);
    w->tmp = malloc(tlen);
    w->scenario_text = an_h5i_strdup(info->scenario_text);
    w->rows = calloc(info->n_points + 1, sizeof *w->rows);
    w->vary = calloc(info->n_points * info->n_vary + 1, sizeof *w->vary);
    w->vary_keys = calloc(info->n_vary + 1, sizeof *w->vary_keys);
    w->tidy = calloc(info->n_points + 1, sizeof *w->tidy);
    w->n_tidy = calloc(info->n_points + 1, sizeof *w->n_tidy);
    if (!w->path || !w->tmp || !w->scenario_text || !w->rows || !w->vary || !w->vary_keys ||
        !w->tidy || !w->n_tidy) {
        writer_free(w);
        return SIM_ENOMEM;
    }
    for (size_t k = 0; k < info->n_vary; k++)
        if (!(w->vary_keys[k] = an_h5i_strdup(info->vary_keys[k]))) {
            writer_free(w);
            return SIM_ENOMEM;
        }
    for (size_t i = 0; i < info->n_points * info->n_vary; i++)
        w->vary[i] = NAN;

    /* The lock (ours, not HDF5's, which would conflict with it) says to a
     * stale-temp cleaner anywhere that this file is being written. */
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (fapl < 0 || gcpl < 0 || H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0 ||
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0 || H5Pset_file_locking(fapl, 0, 1) < 0 ||
        /* h5py lists point groups in creation order (0, 1, 2, ..., 10), not by name */
        H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0) {
        st = SIM_EHDF5;
        goto fail;
    }
    if (ex_temp_create(path, w->tmp, tlen, &w->lock_fd) != SIM_OK) {
        last_sys_errno = errno;
        w->tmp[0] = '\0';
        st = SIM_EIO;
        goto fail;
    }
    w->file = H5Fcreate(w->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    if (w->file < 0) {
        st = SIM_EHDF5;
        goto fail;
    }
    w->points = H5Gcreate2(w->file, "points", H5P_DEFAULT, gcpl, H5P_DEFAULT);
    if (w->points < 0) {
        st = SIM_EHDF5;
        goto fail;
    }
    st = write_root(w, info);
    if (st)
        goto fail;
    H5Pclose(fapl);
    H5Pclose(gcpl);
    *out = w;
    return SIM_OK;
fail:
    if (fapl >= 0)
        H5Pclose(fapl);
    if (gcpl >= 0)
        H5Pclose(gcpl);
    an_h5_discard(w);
    return st;
}

/* ------------------------------------------------------------ a point -- */

/* The metric's number among the names seen, added when new. */
static int metric_number(an_h5_writer *w, const an_metric_summary *m, size_t *k)
{
    for (*k = 0; *k < w->n_metrics; ++*k)
        if (!strcmp(w->metrics[*k].name, m->name) && !strcmp(w->metrics[*k].units, m->units))
            return SIM_OK;
    if (w->n_metrics == w->cap_metrics) {
        size_t cap = w->cap_metrics ? 2 * w->cap_metrics : 64;
        metric_name *p = realloc(w->metrics, cap * sizeof *p);
        if (!p)
            return SIM_ENOMEM;
        w->metrics = p;
        w->cap_metrics = cap;
    }
    snprintf(w->metrics[*k].name, AN_NAME_MAX, "%s", m->name);
    snprintf(w->metrics[*k].units, AN_NAME_MAX, "%s", m->units);
    w->n_metrics++;
    return SIM_OK;
}

/* Keep point index's /summary rows, written at commit in point order. */
static int keep_tidy(an_h5_writer *w, size_t index, const an_point_summary *ps)
{
    tidy_row *rows = malloc((ps->n_metrics + 1) * sizeof *rows);
    if (!rows)
        return SIM_ENOMEM;
    for (size_t m = 0; m < ps->n_metrics; m++) {
        const an_metric_summary *ms = &ps->metrics[m];
        if (metric_number(w, ms, &rows[m].metric) != SIM_OK) {
            free(rows);
            return SIM_ENOMEM;
        }
        for (size_t c = 0; c < N_TIDY; c++)
            rows[m].v[c] = tidy_cols[c].value(ms);
    }
    free(w->tidy[index]);
    w->tidy[index] = rows;
    w->n_tidy[index] = ps->n_metrics;
    return SIM_OK;
}

/* Point pt's label as the file stores it, into made when pt has none:
 * NULL when it would not fit a label column (SIM_ERANGE: a label is
 * stored whole or not at all). */
static const char *point_label(const an_h5_writer *w, const an_point *pt, char made[AN_LABEL_MAX])
{
    if (pt->label)
        return strlen(pt->label) < AN_LABEL_MAX ? pt->label : NULL;
    size_t n = rf_point_label(made, AN_LABEL_MAX, pt->params ? rf_params_total_units(pt->params) : 0,
                              w->n_vary, (const char *const *)w->vary_keys, pt->vary_values);
    return n < AN_LABEL_MAX ? made : NULL;
}

int an_h5_point_begin(an_h5_writer *w, size_t index, const an_point *pt)
{
    if (!w || !pt || index >= w->n_points || w->rows[index].written || w->open)
        return SIM_EINVAL;
    char made[AN_LABEL_MAX];
    if (!point_label(w, pt, made))
        return SIM_ERANGE;
    char name[32];
    snprintf(name, sizeof name, "%zu", index);
    int st = an_h5p_begin(w->points, name, pt, &w->open);
    if (st)
        return st == SIM_EHDF5 && last_sys_errno ? SIM_EIO : st;
    w->open_index = index;
    return SIM_OK;
}

int an_h5_point_add(an_h5_writer *w, size_t first, size_t n, const rf_result *res,
                    size_t res_stride, const unsigned char *done)
{
    if (!w || !w->open)
        return SIM_EINVAL;
    int st = an_h5p_add(w->open, first, n, res, res_stride, done);
    return st == SIM_EHDF5 && last_sys_errno ? SIM_EIO : st;
}

int an_h5_point_end(an_h5_writer *w, const an_point *pt, const an_point_summary *ps)
{
    if (!w || !w->open || !pt || !ps)
        return SIM_EINVAL;
    size_t index = w->open_index;
    an_h5p *p = w->open;
    w->open = NULL;
    point_row *row = &w->rows[index];
    char made[AN_LABEL_MAX];
    const char *label = point_label(w, pt, made);
    free(row->label);
    row->label = label ? an_h5i_strdup(label) : NULL;
    int st = !label ? SIM_ERANGE : !row->label ? SIM_ENOMEM : SIM_OK;
    if (st) {
        an_h5p_free(p);
        return st;
    }
    st = an_h5p_end(p, pt, ps, w->scenario_text);
    if (!st)
        st = keep_tidy(w, index, ps);
    if (!st) {
        row->written = 1;
        row->n_reps = pt->n_reps;
        row->reps_done = ps->n_reps;
        row->total_units = pt->params ? rf_params_total_units(pt->params) : 0;
        row->horizon = pt->params ? pt->params->horizon : NAN;
        row->warmup = pt->params ? pt->params->warmup : NAN;
        for (size_t k = 0; k < w->n_vary; k++)
            w->vary[index * w->n_vary + k] = pt->vary_values ? pt->vary_values[k] : NAN;
    }
    return st == SIM_EHDF5 && last_sys_errno ? SIM_EIO : st;
}

int an_h5_put_point(an_h5_writer *w, size_t index, const an_point *pt)
{
    if (!w || !pt || index >= w->n_points || w->rows[index].written || w->open
        || (pt->n_reps && !pt->results))
        return SIM_EINVAL;
    size_t n = pt->n_reps;
    an_point_summary ps;
    int st = an_point_summary_from_results(&ps, pt->label, pt->params, pt->results, pt->done, n);
    if (st)
        return st;
    if (!(st = an_point_summary_add_network(&ps, pt->params, pt->net, pt->net_stride, pt->done, n)))
        st = an_point_summary_add_years(&ps, pt->results, pt->done, n);
    if (!st) st = an_h5_point_begin(w, index, pt);
    if (!st) st = an_h5_point_add(w, 0, n, pt->results, sizeof *pt->results, pt->done);
    if (!st) st = an_h5_point_end(w, pt, &ps);
    an_h5p_free(w->open);      /* after a failed add */
    w->open = NULL;
    an_point_summary_free(&ps);
    return st;
}

/* Attributes are copied by hand: H5Ocopy of HDF5 before 1.14.4 crashes on
 * variable-length attributes kept in dense storage, which every table's
 * are (more than 8 of them; HDF5 issues 2414 and 3214). */
static herr_t copy_attr(hid_t src, const char *name, const H5A_info_t *info, void *dst_p)
{
    (void)info;
    hid_t dst = *(hid_t *)dst_p;
    hid_t a = H5Aopen(src, name, H5P_DEFAULT);
    hid_t t = a >= 0 ? H5Aget_type(a) : H5I_INVALID_HID;
    hid_t sp = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
    hssize_t n = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    size_t size = t >= 0 ? H5Tget_size(t) : 0;
    void *buf = n >= 0 && size ? calloc((size_t)n + 1, size) : NULL;
    herr_t rc = -1;
    /* read and written in the file's type: vlen strings become pointers */
    if (buf && H5Aread(a, t, buf) >= 0) {
        hid_t b = H5Acreate2(dst, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
        if (b >= 0) {
            rc = H5Awrite(b, t, buf);
            H5Aclose(b);
        }
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, buf);
    }
    free(buf);
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (a >= 0)
        H5Aclose(a);
    return rc < 0 ? -1 : 0;
}

static int copy_attrs(hid_t src, hid_t dst)
{
    return H5Aiterate2(src, H5_INDEX_NAME, H5_ITER_INC, NULL, copy_attr, &dst) < 0 ? SIM_EHDF5
                                                                                  : SIM_OK;
}

typedef struct {
    hid_t src, dst;            /* the copied groups */
} tree_pair;

static herr_t copy_object_attrs(hid_t obj, const char *name, const H5O_info_t *info, void *p)
{
    (void)obj;
    (void)info;
    const tree_pair *tp = p;
    hid_t s = H5Oopen(tp->src, name, H5P_DEFAULT);
    hid_t d = H5Oopen(tp->dst, name, H5P_DEFAULT);
    int st = s >= 0 && d >= 0 ? copy_attrs(s, d) : SIM_EHDF5;
    if (d >= 0)
        H5Oclose(d);
    if (s >= 0)
        H5Oclose(s);
    return st ? -1 : 0;
}

/* Group src_name of file src, everything in it, as dst_name in dst_loc. */
static int copy_tree(hid_t src, const char *src_name, hid_t dst_loc, const char *dst_name)
{
    hid_t ocpy = H5Pcreate(H5P_OBJECT_COPY);
    if (ocpy < 0 || H5Pset_copy_object(ocpy, H5O_COPY_WITHOUT_ATTR_FLAG) < 0 ||
        H5Ocopy(src, src_name, dst_loc, dst_name, ocpy, H5P_DEFAULT) < 0) {
        if (ocpy >= 0)
            H5Pclose(ocpy);
        return SIM_EHDF5;
    }
    H5Pclose(ocpy);
    tree_pair tp = {H5Oopen(src, src_name, H5P_DEFAULT), H5Oopen(dst_loc, dst_name, H5P_DEFAULT)};
    int st = tp.src >= 0 && tp.dst >= 0 &&
             H5Ovisit(tp.src, H5_INDEX_NAME, H5_ITER_INC, copy_object_attrs, &tp) >= 0
                 ? SIM_OK : SIM_EHDF5;
    if (tp.dst >= 0)
        H5Oclose(tp.dst);
    if (tp.src >= 0)
        H5Oclose(tp.src);
    return st;
}

/* H5Ocopy of HDF5 1.10 crashes when the disk fills in the middle of a copy
 * (where every other writer call fails cleanly), so a copy starts only with
 * room for twice the source's share per point, and 1 MiB. */
static int room_for_copy(const an_h5_writer *w, hid_t src, size_t n_points)
{
    hsize_t size = 0;
    if (H5Fget_filesize(src, &size) < 0)
        return SIM_EHDF5;
    char *dir = an_h5i_strdup(w->tmp);
    struct statvfs vs;
    int ok = !dir || statvfs(dirname(dir), &vs) != 0
             || (double)vs.f_bavail * (double)vs.f_frsize
                    >= 2.0 * (double)size / (double)(n_points ? n_points : 1) + 1048576.0;
    free(dir);
    if (ok)
        return SIM_OK;
    last_sys_errno = ENOSPC;
    return SIM_EIO;
}

int an_h5_copy_point(an_h5_writer *w, size_t index, an_h5_file *src, size_t src_index)
{
    const an_h5_info *in = an_h5_get_info(src);
    const an_h5_point_row *from = an_h5_point_at(src, src_index);
    if (!w || index >= w->n_points || w->rows[index].written || !from || in->n_vary != w->n_vary)
        return SIM_EINVAL;
    for (size_t k = 0; k < w->n_vary; k++)
        if (strcmp(in->vary_keys[k], w->vary_keys[k]))
            return SIM_EINVAL;
    an_point_summary ps;
    int st = an_h5_read_point_summary(src, src_index, &ps);
    if (st)
        return st;
    char sname[32], dname[32];
    snprintf(sname, sizeof sname, "/points/%zu", src_index);
    snprintf(dname, sizeof dname, "%zu", index);
    st = room_for_copy(w, an_h5i_reader_file(src), in->n_points);
    if (!st)
        st = copy_tree(an_h5i_reader_file(src), sname, w->points, dname);
    if (!st)
        st = keep_tidy(w, index, &ps);
    if (!st) {
        point_row *row = &w->rows[index];
        free(row->label);
        if (!(row->label = an_h5i_strdup(from->label)))
            st = SIM_ENOMEM;
        row->written = !st;
        row->n_reps = from->n_reps;
        row->reps_done = from->reps_done;
        row->total_units = from->total_units;
        row->horizon = from->horizon_days;
        row->warmup = from->warmup_days;
        for (size_t k = 0; k < w->n_vary; k++)
            w->vary[index * w->n_vary + k] = from->vary_values[k];
    }
    an_point_summary_free(&ps);
    return st;
}

/* ------------------------------------------------------- comparison -- */

int an_h5_put_comparison(an_h5_writer *w, const an_comparison *rows, size_t n_rows)
{
    an_tbl t = {0};
    an_tbl_column(&t, "point", AN_COL_U64, "point");
    an_tbl_column(&t, "label", AN_COL_LABEL, "");
    an_tbl_column(&t, "metric", AN_COL_STR, "");
    an_tbl_column(&t, "units", AN_COL_STR, "");
    an_tbl_column(&t, "baseline", AN_COL_F64, "metric units");
    an_tbl_column(&t, "alternative", AN_COL_F64, "metric units");
    an_tbl_column(&t, "difference", AN_COL_F64, "metric units");
    an_tbl_column(&t, "lo", AN_COL_F64, "metric units");
    an_tbl_column(&t, "hi", AN_COL_F64, "metric units");
    an_tbl_column(&t, "half_width", AN_COL_F64, "metric units");
    an_tbl_column(&t, "unpaired_half_width", AN_COL_F64, "metric units");
    an_tbl_column(&t, "n", AN_COL_U64, "replications");
    an_tbl_column(&t, "households_per_year", AN_COL_F64, "households a year");
    an_tbl_column(&t, "households_per_year_lo", AN_COL_F64, "households a year");
    an_tbl_column(&t, "households_per_year_hi", AN_COL_F64, "households a year");
    for (size_t i = 0; i < n_rows; i++) {
        const an_comparison *c = &rows[i];
        an_tbl_row(&t);
        an_tbl_u64(&t, c->point);
        an_tbl_str(&t, c->label);
        an_tbl_str(&t, c->metric);
        an_tbl_str(&t, c->units);
        an_tbl_f64(&t, c->baseline);
        an_tbl_f64(&t, c->alternative);
        an_tbl_f64(&t, c->d.diff);
        an_tbl_f64(&t, c->d.diff - c->d.ci95);
        an_tbl_f64(&t, c->d.diff + c->d.ci95);
        an_tbl_f64(&t, c->d.ci95);
        an_tbl_f64(&t, c->unpaired_ci95);
        an_tbl_u64(&t, c->d.n);
        an_tbl_f64(&t, c->households ? c->per_year.diff : NAN);
        an_tbl_f64(&t, c->households ? c->per_year.diff - c->per_year.ci95 : NAN);
        an_tbl_f64(&t, c->households ? c->per_year.diff + c->per_year.ci95 : NAN);
    }
    return an_tbl_write(w->file, "comparison", &t,
                        "one row per alternative and metric: the alternative (point) minus the "
                        "baseline (point 0) paired over the same replications (common random "
                        "numbers), 95% confidence interval lo..hi of the per-replication "
                        "differences (shares: the paired difference of pooled ratios, delta "
                        "method), the half-width were the runs independent, and for shares of "
                        "referrals the difference in those households a year");
}

int an_h5_put_comparison_yearly(an_h5_writer *w, const an_comparison_year *rows, size_t n_rows)
{
    an_tbl t = {0};
    an_tbl_column(&t, "point", AN_COL_U64, "point");
    an_tbl_column(&t, "label", AN_COL_LABEL, "");
    an_tbl_column(&t, "year", AN_COL_U64, "year of the horizon, from 1");
    an_tbl_column(&t, "metric", AN_COL_STR, "");
    an_tbl_column(&t, "baseline", AN_COL_F64, "metric units");
    an_tbl_column(&t, "alternative", AN_COL_F64, "metric units");
    an_tbl_column(&t, "difference", AN_COL_F64, "metric units");
    an_tbl_column(&t, "half_width", AN_COL_F64, "metric units");
    an_tbl_column(&t, "households", AN_COL_F64, "households in the year");
    for (size_t i = 0; i < n_rows; i++) {
        const an_comparison_year *c = &rows[i];
        an_tbl_row(&t);
        an_tbl_u64(&t, c->point);
        an_tbl_str(&t, c->label);
        an_tbl_u64(&t, c->year);
        an_tbl_str(&t, c->metric);
        an_tbl_f64(&t, c->baseline);
        an_tbl_f64(&t, c->alternative);
        an_tbl_f64(&t, c->d.diff);
        an_tbl_f64(&t, c->d.ci95);
        an_tbl_f64(&t, c->households);
    }
    return an_tbl_write(w->file, "comparison_yearly", &t,
                        "one row per alternative, year of the horizon and metric: the "
                        "alternative (point) minus the baseline (point 0) in that year, paired "
                        "over the same replications, the 95% half-width of the difference, and "
                        "for shares of referrals the difference in those households that year");
}

int an_h5_put_area_comparison(an_h5_writer *w, const an_area_cmp_set *sets, size_t n_sets)
{
    return an_h5i_write_area_comparison(w->file, sets, n_sets);
}

/* ------------------------------------------------------------ commit -- */

static int write_point_table(an_h5_writer *w)
{
    an_tbl t = {0};
    an_tbl_column(&t, "index", AN_COL_U64, "point");
    an_tbl_column(&t, "label", AN_COL_LABEL, "");
    an_tbl_column(&t, "n_reps", AN_COL_U64, "replications");
    an_tbl_column(&t, "reps_done", AN_COL_U64, "replications");
    an_tbl_column(&t, "total_units", AN_COL_I64, "units");
    an_tbl_column(&t, "horizon_days", AN_COL_F64, "days");
    an_tbl_column(&t, "warmup_days", AN_COL_F64, "days");
    for (size_t k = 0; k < w->n_vary; k++)
        an_tbl_column(&t, w->vary_keys[k], AN_COL_F64, "scenario value");
    for (size_t i = 0; i < w->n_points; i++) {
        const point_row *r = &w->rows[i];
        an_tbl_row(&t);
        an_tbl_u64(&t, i);
        an_tbl_str(&t, r->label);
        an_tbl_u64(&t, r->n_reps);
        an_tbl_u64(&t, r->reps_done);
        an_tbl_i64(&t, r->total_units);
        an_tbl_f64(&t, r->written ? r->horizon : NAN);
        an_tbl_f64(&t, r->written ? r->warmup : NAN);
        for (size_t k = 0; k < w->n_vary; k++)
            an_tbl_f64(&t, w->vary[i * w->n_vary + k]);
    }
    return an_tbl_write(w->file, "point_table", &t,
                        "one row per scenario point (group /points/<index>); a point is complete "
                        "when reps_done == n_reps > 0; one column per varied scenario key");
}

static int write_tidy_summary(an_h5_writer *w)
{
    an_tbl t = {0};
    an_tbl_column(&t, "point", AN_COL_U64, "point");
    an_tbl_column(&t, "label", AN_COL_LABEL, "");
    for (size_t k = 0; k < w->n_vary; k++)
        an_tbl_column(&t, w->vary_keys[k], AN_COL_F64, "scenario value");
    an_tbl_column(&t, "metric", AN_COL_STR, "");
    an_tbl_column(&t, "units", AN_COL_STR, "");
    for (size_t c = 0; c < N_TIDY; c++)
        an_tbl_column(&t, tidy_cols[c].name, tidy_cols[c].type, tidy_cols[c].units);
    /* a piece of rows at a time (AN_TBL_PIECE_ROWS): a row is a label wide,
     * and a sweep's points x metrics rows are never all held */
    size_t n_rows = 0;
    for (size_t i = 0; i < w->n_points; i++)
        n_rows += w->rows[i].written ? w->n_tidy[i] : 0;
    an_tbl_create(w->file, "summary", &t,
                  "one row per point and metric (the whole file, tidy): the point's varied "
                  "values, the metric's mean over the point's completed replications, its "
                  "95% confidence interval lo..hi (mean -/+ half_width, Student t) and n "
                  "replications", n_rows);
    for (size_t i = 0; i < w->n_points; i++)
        for (size_t m = 0; w->rows[i].written && m < w->n_tidy[i]; m++) {
            const tidy_row *r = &w->tidy[i][m];
            an_tbl_row(&t);
            an_tbl_u64(&t, i);
            an_tbl_str(&t, w->rows[i].label);
            for (size_t k = 0; k < w->n_vary; k++)
                an_tbl_f64(&t, w->vary[i * w->n_vary + k]);
            an_tbl_str(&t, w->metrics[r->metric].name);
            an_tbl_str(&t, w->metrics[r->metric].units);
            for (size_t c = 0; c < N_TIDY; c++) {
                if (tidy_cols[c].type == AN_COL_U64)
                    an_tbl_u64(&t, r->v[c] >= 0 ? (uint64_t)r->v[c] : 0);
                else
                    an_tbl_f64(&t, r->v[c]);
            }
        }
    return an_tbl_finish(&t);
}

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Put tmp at path: rename over it with force, else refuse to replace a file
 * that appeared meanwhile (link() fails with EEXIST atomically). */
static int publish(const char *tmp, const char *path, int force)
{
    if (!regular_or_absent(path)) /* checked at the start; something came meanwhile */
        return SIM_EINVAL;
    if (force)
        return rename(tmp, path) == 0 ? SIM_OK : SIM_EIO;
    if (link(tmp, path) == 0) {
        unlink(tmp);
        return SIM_OK;
    }
    if (errno == EEXIST)
        return SIM_EEXIST;
    /* file systems without hard links: check, then rename */
    if (access(path, F_OK) == 0)
        return SIM_EEXIST;
    return rename(tmp, path) == 0 ? SIM_OK : SIM_EIO;
}

int an_h5_commit(an_h5_writer *w, int complete)
{
    if (!w)
        return SIM_EINVAL;
    if (w->open) {             /* a point begun and never ended: no half of it stays */
        an_h5p_free(w->open);
        w->open = NULL;
        char name[32];
        snprintf(name, sizeof name, "%zu", w->open_index);
        H5Ldelete(w->points, name, H5P_DEFAULT);
    }
    int all = complete;
    for (size_t i = 0; i < w->n_points; i++)
        all &= w->rows[i].written && w->rows[i].reps_done == w->rows[i].n_reps &&
               w->rows[i].n_reps > 0;
    int st = write_point_table(w);
    if (!st)
        st = write_tidy_summary(w);
    if (!st)
        st = an_h5i_attr_int(w->file, "complete", all ? 1 : 0);
    if (!st && H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        st = SIM_EHDF5;
    herr_t e1 = H5Gclose(w->points);
    herr_t e2 = H5Fclose(w->file);
    w->points = w->file = H5I_INVALID_HID;
    if (!st && (e1 < 0 || e2 < 0))
        st = SIM_EHDF5;
    if (!st && fsync_path(w->tmp, O_RDONLY) != 0) {
        last_sys_errno = errno;
        st = SIM_EIO;
    }
    if (!st && (st = publish(w->tmp, w->path, w->force)) == SIM_EIO)
        last_sys_errno = errno;
    if (st == SIM_EHDF5 && last_sys_errno)
        st = SIM_EIO; /* the disk, not the library */
    if (!st) {
        char *dir = an_h5i_strdup(w->path);
        if (dir)
            fsync_path(dirname(dir), O_RDONLY | O_DIRECTORY); /* best effort */
        free(dir);
    }
    if (st)
        unlink(w->tmp);
    writer_free(w);
    return st;
}

int an_h5_write(const char *path, const an_run *run, int force)
{
    an_h5_writer *w;
    int st = an_h5_create(path, &run->info, force, &w);
    if (st)
        return st;
    for (size_t i = 0; i < run->info.n_points; i++)
        if ((st = an_h5_put_point(w, i, &run->points[i]))) {
            an_h5_discard(w);
            return st;
        }
    return an_h5_commit(w, run->complete);
}
