#include "an_h5.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <hdf5.h>
#include "sim_status.h"

#ifndef RS_VERSION
#define RS_VERSION "unknown"
#endif
#ifndef RS_GIT_COMMIT
#define RS_GIT_COMMIT "unknown"
#endif

#define RNG_NAME "philox4x64-10"
#define CHUNK_BYTES (64 * 1024)     /* chunk (and compress) 1-D data above this */
#define DEFLATE_LEVEL 4

/* ================================================================ helpers */

static char *dup_str(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s ? s : "", n);
    return d;
}

static hid_t vlen_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

static hid_t fixed_str_type(size_t size)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    if (H5Tset_size(t, size) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0 ||
        H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* Attribute with `n` strings (n == 0: scalar holding strs[0]); replaces an
 * existing one, so `complete` can be rewritten at commit. */
static int attr_strs(hid_t obj, const char *name, const char *const *strs, size_t n)
{
    int st = SIM_EHDF5;
    hsize_t dim = n;
    hid_t t = vlen_str_type();
    hid_t s = n ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_SCALAR);
    hid_t a = H5I_INVALID_HID;
    if (t < 0 || s < 0)
        goto out;
    if (H5Aexists(obj, name) > 0 && H5Adelete(obj, name) < 0)
        goto out;
    a = H5Acreate2(obj, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0 && H5Awrite(a, t, strs) >= 0)
        st = SIM_OK;
out:
    if (a >= 0)
        H5Aclose(a);
    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    return st;
}

static int attr_str(hid_t obj, const char *name, const char *val)
{
    const char *v = val ? val : "";
    return attr_strs(obj, name, &v, 0);
}

static int attr_num(hid_t obj, const char *name, hid_t type, const void *val)
{
    int st = SIM_EHDF5;
    hid_t s = H5Screate(H5S_SCALAR), a = H5I_INVALID_HID;
    if (s < 0)
        return st;
    if (H5Aexists(obj, name) > 0 && H5Adelete(obj, name) < 0)
        goto out;
    a = H5Acreate2(obj, name, type, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0 && H5Awrite(a, type, val) >= 0)
        st = SIM_OK;
out:
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(s);
    return st;
}

static int attr_int(hid_t obj, const char *name, int v)
{
    return attr_num(obj, name, H5T_NATIVE_INT, &v);
}

static int attr_u64(hid_t obj, const char *name, uint64_t v)
{
    return attr_num(obj, name, H5T_NATIVE_UINT64, &v);
}

static int describe(hid_t obj, const char *units, const char *description)
{
    int st = attr_str(obj, "units", units);
    return st ? st : attr_str(obj, "description", description);
}

/* Chunked + shuffled + deflated storage for large data; contiguous for small. */
static hid_t make_dcpl(int rank, const hsize_t *dims, size_t elem_size, int force_chunk)
{
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (dcpl < 0)
        return dcpl;
    hsize_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    if (n == 0 || (!force_chunk && n * elem_size < CHUNK_BYTES))
        return dcpl;
    hsize_t chunk[2];
    if (rank == 1) {
        hsize_t per = CHUNK_BYTES / elem_size;
        chunk[0] = dims[0] < per ? dims[0] : (per ? per : 1);
    } else {
        hsize_t row = dims[1] * elem_size;
        hsize_t rows = row ? CHUNK_BYTES / row : 1;
        chunk[0] = rows < 1 ? 1 : rows > dims[0] ? dims[0] : rows;
        chunk[1] = dims[1];
    }
    if (H5Pset_chunk(dcpl, rank, chunk) < 0)
        goto fail;
    if (H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0 &&
        (H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, DEFLATE_LEVEL) < 0))
        goto fail;
    return dcpl;
fail:
    H5Pclose(dcpl);
    return H5I_INVALID_HID;
}

/* A numeric dataset of `rank` <= 2 dims with units and description. */
static int write_array(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                       const void *data, const char *units, const char *description, hid_t *keep)
{
    int st = SIM_EHDF5;
    hid_t s = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = make_dcpl(rank, dims, H5Tget_size(type), rank == 2);
    hid_t d = H5I_INVALID_HID;
    if (s < 0 || dcpl < 0)
        goto out;
    d = H5Dcreate2(loc, name, type, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d < 0)
        goto out;
    hsize_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    if (n && H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
        goto out;
    st = describe(d, units, description);
    if (!st && keep) {
        *keep = d;
        d = H5I_INVALID_HID;
    }
out:
    if (d >= 0)
        H5Dclose(d);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (s >= 0)
        H5Sclose(s);
    return st;
}

static int write_text(hid_t loc, const char *name, const char *text, const char *description)
{
    int st = SIM_EHDF5;
    hid_t t = vlen_str_type(), s = H5Screate(H5S_SCALAR), d = H5I_INVALID_HID;
    const char *v = text ? text : "";
    if (t < 0 || s < 0)
        goto out;
    d = H5Dcreate2(loc, name, t, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d >= 0 && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &v) >= 0)
        st = describe(d, "text/yaml", description);
out:
    if (d >= 0)
        H5Dclose(d);
    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    return st;
}

/* ======================================================= table builder */

typedef enum { COL_U64, COL_I64, COL_F64, COL_STR, COL_TEXT } col_type;

typedef struct {
    char *name, *units;
    col_type type;
    size_t off;
} tcol;

typedef struct {
    tcol *cols;
    size_t n_cols, cap_cols, row_size;
    unsigned char *buf;
    size_t n_rows, cap_rows, col;
    int err;                     /* sticky: first failure */
} tbl;

static size_t col_size(col_type t)
{
    return t == COL_STR ? AN_NAME_MAX : t == COL_TEXT ? AN_DESC_MAX : 8;
}

static void tbl_free(tbl *t)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        free(t->cols[c].name);
        free(t->cols[c].units);
    }
    free(t->cols);
    free(t->buf);
    memset(t, 0, sizeof *t);
}

static void tbl_col(tbl *t, const char *name, col_type type, const char *units)
{
    if (t->err)
        return;
    if (t->n_cols == t->cap_cols) {
        size_t cap = t->cap_cols ? 2 * t->cap_cols : 16;
        tcol *c = realloc(t->cols, cap * sizeof *c);
        if (!c) {
            t->err = SIM_ENOMEM;
            return;
        }
        t->cols = c;
        t->cap_cols = cap;
    }
    tcol *c = &t->cols[t->n_cols];
    c->name = dup_str(name);
    c->units = dup_str(units);
    c->type = type;
    c->off = t->row_size;
    t->n_cols++;
    if (!c->name || !c->units)
        t->err = SIM_ENOMEM;
    t->row_size += col_size(type);
}

static void tbl_colf(tbl *t, col_type type, const char *units, const char *fmt, const char *arg)
{
    char name[AN_NAME_MAX * 2];
    snprintf(name, sizeof name, fmt, arg);
    tbl_col(t, name, type, units);
}

static void tbl_row(tbl *t)
{
    if (t->err)
        return;
    if (t->n_rows == t->cap_rows) {
        size_t cap = t->cap_rows ? 2 * t->cap_rows : 16;
        unsigned char *b = realloc(t->buf, cap * t->row_size);
        if (!b) {
            t->err = SIM_ENOMEM;
            return;
        }
        t->buf = b;
        t->cap_rows = cap;
    }
    memset(t->buf + t->n_rows * t->row_size, 0, t->row_size);
    t->n_rows++;
    t->col = 0;
}

static void *tbl_next(tbl *t, col_type type)
{
    if (t->err)
        return NULL;
    if (t->col >= t->n_cols || t->cols[t->col].type != type) {
        t->err = SIM_EINTERNAL;
        return NULL;
    }
    return t->buf + (t->n_rows - 1) * t->row_size + t->cols[t->col++].off;
}

static void tbl_u64(tbl *t, uint64_t v)
{
    void *p = tbl_next(t, COL_U64);
    if (p)
        memcpy(p, &v, sizeof v);
}

static void tbl_i64(tbl *t, int64_t v)
{
    void *p = tbl_next(t, COL_I64);
    if (p)
        memcpy(p, &v, sizeof v);
}

static void tbl_f64(tbl *t, double v)
{
    void *p = tbl_next(t, COL_F64);
    if (p)
        memcpy(p, &v, sizeof v);
}

static void tbl_str(tbl *t, const char *s)
{
    col_type ty = t->col < t->n_cols ? t->cols[t->col].type : COL_STR;
    char *p = tbl_next(t, ty == COL_TEXT ? COL_TEXT : COL_STR);
    if (p)
        snprintf(p, col_size(ty), "%s", s ? s : "");
}

static int tbl_write(hid_t loc, const char *name, tbl *t, const char *description)
{
    int st = t->err;
    hid_t mt = H5I_INVALID_HID, ft = H5I_INVALID_HID, s = H5I_INVALID_HID;
    hid_t dcpl = H5I_INVALID_HID, d = H5I_INVALID_HID;
    const char **units = NULL;
    if (st)
        goto out;
    st = SIM_EHDF5;
    mt = H5Tcreate(H5T_COMPOUND, t->row_size);
    if (mt < 0)
        goto out;
    for (size_t c = 0; c < t->n_cols; c++) {
        const tcol *col = &t->cols[c];
        hid_t ct = col->type == COL_U64   ? H5Tcopy(H5T_NATIVE_UINT64)
                   : col->type == COL_I64 ? H5Tcopy(H5T_NATIVE_INT64)
                   : col->type == COL_F64 ? H5Tcopy(H5T_NATIVE_DOUBLE)
                                          : fixed_str_type(col_size(col->type));
        herr_t e = ct < 0 ? -1 : H5Tinsert(mt, col->name, col->off, ct);
        if (ct >= 0)
            H5Tclose(ct);
        if (e < 0)
            goto out;
    }
    ft = H5Tcopy(mt);
    if (ft < 0 || H5Tpack(ft) < 0)
        goto out;
    hsize_t dim = t->n_rows;
    s = H5Screate_simple(1, &dim, NULL);
    dcpl = make_dcpl(1, &dim, t->row_size, 0);
    if (s < 0 || dcpl < 0)
        goto out;
    d = H5Dcreate2(loc, name, ft, s, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d < 0)
        goto out;
    if (t->n_rows && H5Dwrite(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, t->buf) < 0)
        goto out;
    st = describe(d, "per column: see column_units", description);
    if (st)
        goto out;
    units = malloc((t->n_cols + 1) * sizeof *units);
    if (!units) {
        st = SIM_ENOMEM;
        goto out;
    }
    for (size_t c = 0; c < t->n_cols; c++)
        units[c] = t->cols[c].units;
    st = attr_strs(d, "column_units", units, t->n_cols);
out:
    free(units);
    if (d >= 0)
        H5Dclose(d);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (s >= 0)
        H5Sclose(s);
    if (ft >= 0)
        H5Tclose(ft);
    if (mt >= 0)
        H5Tclose(mt);
    tbl_free(t);
    return st;
}

/* ============================================================== writer */

typedef struct {
    int written;
    char label[AN_NAME_MAX];
    uint64_t n_reps, reps_done;
    int64_t total_units;
    double horizon, warmup;
} point_row;

struct an_h5_writer {
    char *path, *tmp;
    int force;
    hid_t file, points;
    char *scenario_text;
    size_t n_points, n_vary;
    char **vary_keys;
    point_row *rows;
    double *vary;                /* n_points x n_vary */
};

static int dir_status(const char *path)
{
    char *copy = dup_str(path);
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

static void writer_free(an_h5_writer *w)
{
    if (!w)
        return;
    if (w->points >= 0)
        H5Gclose(w->points);
    if (w->file >= 0)
        H5Fclose(w->file);
    for (size_t k = 0; k < w->n_vary; k++)
        free(w->vary_keys ? w->vary_keys[k] : NULL);
    free(w->vary_keys);
    free(w->rows);
    free(w->vary);
    free(w->scenario_text);
    free(w->path);
    free(w->tmp);
    free(w);
}

void an_h5_discard(an_h5_writer *w)
{
    if (!w)
        return;
    if (w->points >= 0)
        H5Gclose(w->points);
    if (w->file >= 0)
        H5Fclose(w->file);
    w->points = w->file = H5I_INVALID_HID;
    if (w->tmp)
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
    int st = attr_str(root, "format", AN_H5_FORMAT);
    if (!st) st = attr_int(root, "format_version", AN_H5_FORMAT_VERSION);
    if (!st) st = attr_str(root, "refugesim_version", RS_VERSION);
    if (!st) st = attr_str(root, "git_commit", RS_GIT_COMMIT);
    if (!st) st = attr_str(root, "created_utc", when);
    if (!st) st = attr_str(root, "command_line", info->command_line);
    if (!st) st = attr_str(root, "rng", RNG_NAME);
    if (!st) st = attr_u64(root, "seed", info->seed);
    if (!st) st = attr_int(root, "threads", info->threads);
    if (!st) st = attr_int(root, "ranks", info->ranks);
    if (!st) st = attr_int(root, "complete", 0);
    if (!st) st = attr_u64(root, "n_points", info->n_points);
    if (!st && info->n_vary)
        st = attr_strs(root, "vary_keys", info->vary_keys, info->n_vary);
    if (!st && info->note)
        st = attr_str(root, "note", info->note);
    if (!st)
        st = write_text(root, "scenario", info->scenario_text,
                        "resolved scenario (YAML) of the run; `refugesim rerun` repeats it");
    return st;
}

int an_h5_create(const char *path, const an_run_info *info, int force, an_h5_writer **out)
{
    *out = NULL;
    if (!path || !*path || !info)
        return SIM_EINVAL;
    int st = dir_status(path);
    if (st)
        return st;
    if (!force && access(path, F_OK) == 0)
        return SIM_EEXIST;

    an_h5_writer *w = calloc(1, sizeof *w);
    if (!w)
        return SIM_ENOMEM;
    w->file = w->points = H5I_INVALID_HID;
    w->force = force;
    w->n_points = info->n_points;
    w->n_vary = info->n_vary;
    size_t tlen = strlen(path) + 32;
    w->path = dup_str(path);
    w->tmp = malloc(tlen);
    w->scenario_text = dup_str(info->scenario_text);
    w->rows = calloc(info->n_points + 1, sizeof *w->rows);
    w->vary = calloc(info->n_points * info->n_vary + 1, sizeof *w->vary);
    w->vary_keys = calloc(info->n_vary + 1, sizeof *w->vary_keys);
    if (!w->path || !w->tmp || !w->scenario_text || !w->rows || !w->vary || !w->vary_keys) {
        writer_free(w);
        return SIM_ENOMEM;
    }
    for (size_t k = 0; k < info->n_vary; k++)
        if (!(w->vary_keys[k] = dup_str(info->vary_keys[k]))) {
            writer_free(w);
            return SIM_ENOMEM;
        }
    for (size_t i = 0; i < info->n_points * info->n_vary; i++)
        w->vary[i] = NAN;
    snprintf(w->tmp, tlen, "%s.tmp.%ld", path, (long)getpid());

    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), gcpl = H5Pcreate(H5P_GROUP_CREATE);
    if (fapl < 0 || gcpl < 0 || H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0 ||
        H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG) < 0 ||
        /* h5py lists point groups in creation order (0, 1, 2, ..., 10), not by name */
        H5Pset_link_creation_order(gcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0) {
        st = SIM_EHDF5;
        goto fail;
    }
    unlink(w->tmp); /* a stale temp file of a dead process with our pid */
    w->file = H5Fcreate(w->tmp, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
    if (w->file < 0) {
        st = access(w->tmp, F_OK) == 0 ? SIM_EHDF5 : SIM_EIO;
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

static int write_metrics(hid_t pg, const an_point *pt, const double *vals, size_t nm)
{
    size_t n = pt->n_reps;
    hid_t mg = H5Gcreate2(pg, "metrics", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    double *col = malloc((n + 1) * sizeof *col);
    int st = mg < 0 ? SIM_EHDF5 : col ? SIM_OK : SIM_ENOMEM;
    hsize_t dim = n;
    for (size_t m = 0; m < nm && !st; m++) {
        const rf_metric_info *mi = rf_metric_at(m);
        for (size_t r = 0; r < n; r++)
            col[r] = vals[r * nm + m];
        st = write_array(mg, mi->name, H5T_NATIVE_DOUBLE, 1, &dim, col, mi->units,
                         mi->description, NULL);
    }
    free(col);
    if (mg >= 0)
        H5Gclose(mg);
    return st;
}

#define IS_DONE(pt, r) (!(pt)->done || (pt)->done[r])

static int write_replications(hid_t pg, const an_point *pt, const double *vals, size_t nm)
{
    tbl t = {0};
    tbl_col(&t, "rep", COL_U64, "replication");
    for (size_t m = 0; m < nm; m++)
        tbl_col(&t, rf_metric_at(m)->name, COL_F64, rf_metric_at(m)->units);
    for (size_t r = 0; r < pt->n_reps; r++) {
        if (!IS_DONE(pt, r))
            continue;
        tbl_row(&t);
        tbl_u64(&t, r);
        for (size_t m = 0; m < nm; m++)
            tbl_f64(&t, vals[r * nm + m]);
    }
    return tbl_write(pg, "replications", &t,
                     "one row per completed replication: every output metric (pandas-friendly)");
}

static int write_outcomes(hid_t pg, const an_point *pt)
{
    int n_screen = pt->params ? pt->params->n_screen : 0;
    if (n_screen < 0 || n_screen > RF_MAX_SCREEN)
        n_screen = 0;
    tbl t = {0};
    tbl_col(&t, "rep", COL_U64, "replication");
    tbl_col(&t, "referrals", COL_U64, "referrals");
    for (int o = 0; o < RF_OUT_N; o++)
        tbl_col(&t, rf_outcome_name((rf_outcome)o), COL_U64, "referrals");
    for (int k = 0; k < n_screen; k++)
        tbl_colf(&t, COL_U64, "referrals", "screened_%s", pt->params->screen[k].name);
    for (int b = 0; b < RF_BLK_N; b++)
        tbl_colf(&t, COL_U64, "referrals", "no_suitable_%s", rf_block_name((rf_block_reason)b));
    static const char *const counts[] = {"placed_within_7d", "placed_within_28d", "departures",
                                         "early_exits", "move_ons", "timely_move_ons"};
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++)
        tbl_col(&t, counts[c], COL_U64, c < 2 ? "referrals" : "households");
    tbl_col(&t, "moveon_days", COL_F64, "bed-days");
    for (size_t r = 0; r < pt->n_reps; r++) {
        if (!IS_DONE(pt, r))
            continue;
        const rf_result *x = &pt->results[r];
        tbl_row(&t);
        tbl_u64(&t, r);
        tbl_u64(&t, x->referrals);
        for (int o = 0; o < RF_OUT_N; o++)
            tbl_u64(&t, x->outcomes[o]);
        for (int k = 0; k < n_screen; k++)
            tbl_u64(&t, x->screened[k]);
        for (int b = 0; b < RF_BLK_N; b++)
            tbl_u64(&t, x->no_suitable[b]);
        tbl_u64(&t, x->placed_within_7d);
        tbl_u64(&t, x->placed_within_28d);
        tbl_u64(&t, x->departures);
        tbl_u64(&t, x->early_exits);
        tbl_u64(&t, x->move_ons);
        tbl_u64(&t, x->timely_move_ons);
        tbl_f64(&t, x->moveon_days);
    }
    return tbl_write(pg, "outcomes", &t,
                     "one row per completed replication: referral outcome counts, screening "
                     "reasons and the attribute that left a household with no suitable unit");
}

static int write_summary(hid_t pg, const an_point_summary *ps)
{
    tbl t = {0};
    tbl_col(&t, "metric", COL_STR, "");
    tbl_col(&t, "units", COL_STR, "");
    tbl_col(&t, "description", COL_TEXT, "");
    tbl_col(&t, "n", COL_U64, "replications");
    static const char *const stat_names[] = {"mean", "sd", "ci95", "p10", "p50", "p90", "min", "max"};
    for (size_t c = 0; c < 8; c++)
        tbl_col(&t, stat_names[c], COL_F64, "units of the metric");
    /* Added in format version 1 after the columns above (readers find
     * columns by name). */
    tbl_col(&t, "estimator", COL_STR, "");
    tbl_col(&t, "se", COL_F64, "units of the metric");
    tbl_col(&t, "rep_mean", COL_F64, "units of the metric");
    tbl_col(&t, "total_numerator", COL_F64, "see ratio_parts");
    tbl_col(&t, "total_denominator", COL_F64, "see ratio_parts");
    tbl_col(&t, "numerator", COL_TEXT, "");
    tbl_col(&t, "denominator", COL_TEXT, "");
    for (size_t m = 0; m < ps->n_metrics; m++) {
        const an_metric_summary *ms = &ps->metrics[m];
        int k = rf_metric_find(ms->name);
        const rf_metric_info *mi = k >= 0 ? rf_metric_at((size_t)k) : NULL;
        tbl_row(&t);
        tbl_str(&t, ms->name);
        tbl_str(&t, ms->units);
        tbl_str(&t, ms->description);
        tbl_u64(&t, ms->s.n);
        const double v[8] = {ms->s.mean, ms->s.sd, ms->s.ci95, ms->s.p10,
                             ms->s.p50,  ms->s.p90, ms->s.min, ms->s.max};
        for (size_t c = 0; c < 8; c++)
            tbl_f64(&t, v[c]);
        tbl_str(&t, ms->pooled ? "ratio_of_sums" : "mean");
        tbl_f64(&t, ms->se);
        tbl_f64(&t, ms->rep_mean);
        tbl_f64(&t, ms->total_num);
        tbl_f64(&t, ms->total_den);
        tbl_str(&t, mi ? mi->numerator : "");
        tbl_str(&t, mi && mi->denominator ? mi->denominator : "");
    }
    return tbl_write(pg, "summary", &t,
                     "per metric over completed replications: mean is the estimate (the ratio "
                     "of the summed numerators and denominators for estimator ratio_of_sums, "
                     "else the mean of the replications), se and ci95 its standard error and "
                     "95% half-width (delta method, Student t); sd, p10, p50, p90, min, max and "
                     "rep_mean describe the per-replication values");
}

/* Each metric's numerator and denominator per replication: what the summary
 * pools, and what a paired comparison of two points needs. */
static int write_ratio_parts(hid_t pg, const an_point *pt, const an_point_summary *ps)
{
    tbl t = {0};
    tbl_col(&t, "rep", COL_U64, "replication");
    size_t nm = ps->n_metrics;
    for (size_t m = 0; m < nm; m++) {
        int k = rf_metric_find(ps->metrics[m].name);
        if (!ps->metrics[m].pooled || k < 0)
            continue;
        const rf_metric_info *mi = rf_metric_at((size_t)k);
        tbl_colf(&t, COL_F64, mi->numerator_units, "%s_num", mi->name);
        tbl_colf(&t, COL_F64, mi->denominator_units, "%s_den", mi->name);
    }
    size_t d = 0;
    for (size_t r = 0; r < pt->n_reps; r++) {
        if (!IS_DONE(pt, r))
            continue;
        tbl_row(&t);
        tbl_u64(&t, r);
        for (size_t m = 0; m < nm; m++)
            if (ps->metrics[m].pooled && rf_metric_find(ps->metrics[m].name) >= 0) {
                tbl_f64(&t, ps->num[d * nm + m]);
                tbl_f64(&t, ps->den[d * nm + m]);
            }
        d++;
    }
    return tbl_write(pg, "ratio_parts", &t,
                     "one row per completed replication: the numerator and denominator of "
                     "every ratio metric, whose sums over replications give the summary's "
                     "estimate (<metric>_num / <metric>_den per replication is the metric's "
                     "per-replication value)");
}

static int write_services(hid_t pg, const an_point *pt, const an_point_summary *ps)
{
    tbl t = {0};
    tbl_col(&t, "service", COL_I64, "index");
    tbl_col(&t, "name", COL_STR, "");
    tbl_col(&t, "rep", COL_U64, "replication");
    tbl_col(&t, "units", COL_I64, "units");
    static const char *const counts[] = {"placements", "departures", "early_exits", "move_ons",
                                         "timely_move_ons"};
    for (size_t c = 0; c < 5; c++)
        tbl_col(&t, counts[c], COL_U64, "households");
    tbl_col(&t, "occupied_days", COL_F64, "unit-days");
    tbl_col(&t, "blocked_days", COL_F64, "unit-days");
    tbl_col(&t, "down_days", COL_F64, "unit-days");
    for (int s = 0; s < ps->n_services; s++)
        for (size_t r = 0; r < pt->n_reps; r++) {
            if (!IS_DONE(pt, r))
                continue;
            const rf_service_result *x = &pt->results[r].services[s];
            tbl_row(&t);
            tbl_i64(&t, s);
            tbl_str(&t, ps->service_names[s]);
            tbl_u64(&t, r);
            tbl_i64(&t, x->units);
            tbl_u64(&t, x->placements);
            tbl_u64(&t, x->departures);
            tbl_u64(&t, x->early_exits);
            tbl_u64(&t, x->move_ons);
            tbl_u64(&t, x->timely_move_ons);
            tbl_f64(&t, x->occupied_days);
            tbl_f64(&t, x->blocked_days);
            tbl_f64(&t, x->down_days);
        }
    return tbl_write(pg, "services", &t,
                     "one row per service and completed replication (after warm-up)");
}

static int write_groups(hid_t pg, const an_point *pt)
{
    tbl t = {0};
    tbl_col(&t, "group", COL_STR, "");
    tbl_col(&t, "rep", COL_U64, "replication");
    tbl_col(&t, "referrals", COL_U64, "referrals");
    for (int o = 0; o < RF_OUT_N; o++)
        tbl_col(&t, rf_outcome_name((rf_outcome)o), COL_U64, "referrals");
    tbl_col(&t, "placed_within_7d", COL_U64, "referrals");
    tbl_col(&t, "placed_within_28d", COL_U64, "referrals");
    tbl_col(&t, "wait_sum", COL_F64, "days");
    tbl_col(&t, "waited", COL_U64, "households");
    tbl_col(&t, "waited_sum", COL_F64, "days");
    for (int g = 0; g < RF_G_N; g++)
        for (size_t r = 0; r < pt->n_reps; r++) {
            if (!IS_DONE(pt, r))
                continue;
            const rf_group_result *x = &pt->results[r].groups[g];
            tbl_row(&t);
            tbl_str(&t, rf_group_name((rf_group)g));
            tbl_u64(&t, r);
            tbl_u64(&t, x->referrals);
            for (int o = 0; o < RF_OUT_N; o++)
                tbl_u64(&t, x->outcomes[o]);
            tbl_u64(&t, x->placed_within_7d);
            tbl_u64(&t, x->placed_within_28d);
            tbl_f64(&t, x->wait_sum);
            tbl_u64(&t, x->waited);
            tbl_f64(&t, x->waited_sum);
        }
    return tbl_write(pg, "groups", &t,
                     "one row per household group and completed replication; a household can "
                     "be in several groups; wait_sum = days waited by placed households; waited "
                     "= households that joined the waiting list (placed after a wait, gave up, "
                     "still waiting at the end), waited_sum = their days on the list");
}

/* The monthly series: name, units, description, value of month m. */
static double mon_occupied(const rf_result *x, size_t m) { return x->monthly_occupied[m]; }
static double mon_waiting(const rf_result *x, size_t m) { return x->monthly_waiting[m]; }
static double mon_referrals(const rf_result *x, size_t m) { return x->monthly_referrals[m]; }
static double mon_placed(const rf_result *x, size_t m) { return x->monthly_placed[m]; }
static double mon_refused(const rf_result *x, size_t m) { return x->monthly_refused[m]; }
static double mon_abandoned(const rf_result *x, size_t m) { return x->monthly_abandoned[m]; }

static const struct {
    const char *name, *units, *description;
    double (*value)(const rf_result *, size_t);
} monthly_series[] = {
    {"occupied", "units", "mean number of units with a household in, per month after warm-up",
     mon_occupied},
    {"waiting", "households", "mean waiting list length, per month after warm-up", mon_waiting},
    {"referrals", "referrals", "referrals arriving in the month (after warm-up)", mon_referrals},
    {"placed", "referrals",
     "referrals placed in the month, at once or after a wait (the month of the placement)",
     mon_placed},
    {"refused", "referrals",
     "referrals refused on arrival in the month: no space (and did not wait) or no suitable unit",
     mon_refused},
    {"abandoned", "referrals", "waiting households that gave up in the month", mon_abandoned},
};

static int write_monthly(hid_t pg, const an_point *pt)
{
    size_t n = pt->n_reps, nmon = 0;
    for (size_t r = 0; r < n; r++)
        if (IS_DONE(pt, r) && pt->results[r].n_months > 0 && (size_t)pt->results[r].n_months > nmon)
            nmon = (size_t)pt->results[r].n_months;
    if (nmon > RF_MONTHS_MAX)
        nmon = RF_MONTHS_MAX;
    hid_t mg = H5Gcreate2(pg, "monthly", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    double *a = malloc((n * nmon + 1) * sizeof *a);
    int st = mg < 0 ? SIM_EHDF5 : a ? SIM_OK : SIM_ENOMEM;
    int first = pt->params ? pt->params->start_month : 1;
    for (size_t k = 0; k < sizeof monthly_series / sizeof monthly_series[0] && !st; k++) {
        for (size_t r = 0; r < n; r++)
            for (size_t m = 0; m < nmon; m++) {
                const rf_result *x = &pt->results[r];
                int ok = IS_DONE(pt, r) && m < (size_t)x->n_months;
                a[r * nmon + m] = ok ? monthly_series[k].value(x, m) : NAN;
            }
        hsize_t dims[2] = {n, nmon};
        hid_t d = H5I_INVALID_HID;
        char desc[AN_DESC_MAX];
        snprintf(desc, sizeof desc, "%s (NaN: replication not done)", monthly_series[k].description);
        st = write_array(mg, monthly_series[k].name, H5T_NATIVE_DOUBLE, 2, dims, a,
                         monthly_series[k].units, desc, &d);
        if (!st) st = attr_str(d, "axes", "replication,month");
        if (!st) st = attr_num(d, "month_days", H5T_NATIVE_DOUBLE, &(double){365.0 / 12.0});
        if (!st) st = attr_int(d, "first_month", first);
        if (d >= 0)
            H5Dclose(d);
    }
    free(a);
    if (mg >= 0)
        H5Gclose(mg);
    return st;
}

int an_h5_put_point(an_h5_writer *w, size_t index, const an_point *pt)
{
    if (!w || !pt || index >= w->n_points || w->rows[index].written || (pt->n_reps && !pt->results))
        return SIM_EINVAL;
    size_t n = pt->n_reps, nm = rf_metric_count();
    char name[32];
    snprintf(name, sizeof name, "%zu", index);
    an_point_summary ps;
    int st = an_point_summary_from_results(&ps, pt->label, pt->params, pt->results, pt->done, n);
    if (st)
        return st;
    point_row *row = &w->rows[index];
    int total = pt->params ? rf_params_total_units(pt->params) : 0;
    if (pt->label)
        snprintf(row->label, sizeof row->label, "%s", pt->label);
    else
        an_point_label(row->label, sizeof row->label, total, w->n_vary,
                       (const char *const *)w->vary_keys, pt->vary_values);
    snprintf(ps.label, sizeof ps.label, "%s", row->label);

    double *vals = malloc((n * nm + 1) * sizeof *vals);
    unsigned char *done = malloc(n + 1);
    hid_t pg = H5Gcreate2(w->points, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (!vals || !done) {
        st = SIM_ENOMEM;
        goto out;
    }
    if (pg < 0) {
        st = SIM_EHDF5;
        goto out;
    }
    for (size_t r = 0; r < n; r++) {
        done[r] = IS_DONE(pt, r) ? 1 : 0;
        if (done[r])
            rf_result_metrics(&pt->results[r], &vals[r * nm]);
        else
            for (size_t m = 0; m < nm; m++)
                vals[r * nm + m] = NAN;
    }
    hsize_t dim = n;
    st = write_array(pg, "done", H5T_NATIVE_UCHAR, 1, &dim, done, "flag",
                     "1 where the replication completed (index = replication)", NULL);
    if (!st) st = write_metrics(pg, pt, vals, nm);
    if (!st) st = write_replications(pg, pt, vals, nm);
    if (!st) st = write_outcomes(pg, pt);
    if (!st) st = write_summary(pg, &ps);
    if (!st) st = write_ratio_parts(pg, pt, &ps);
    if (!st) st = write_services(pg, pt, &ps);
    if (!st) st = write_groups(pg, pt);
    if (!st) st = write_monthly(pg, pt);
    if (!st && pt->scenario_text && strcmp(pt->scenario_text, w->scenario_text))
        st = write_text(pg, "scenario", pt->scenario_text, "resolved scenario of this point");
    if (!st) {
        row->written = 1;
        row->n_reps = n;
        row->reps_done = ps.n_reps;
        row->total_units = total;
        row->horizon = pt->params ? pt->params->horizon : NAN;
        row->warmup = pt->params ? pt->params->warmup : NAN;
        for (size_t k = 0; k < w->n_vary; k++)
            w->vary[index * w->n_vary + k] = pt->vary_values ? pt->vary_values[k] : NAN;
    }
out:
    if (pg >= 0)
        H5Gclose(pg);
    free(vals);
    free(done);
    an_point_summary_free(&ps);
    return st;
}

static int write_point_table(an_h5_writer *w)
{
    tbl t = {0};
    tbl_col(&t, "index", COL_U64, "point");
    tbl_col(&t, "label", COL_STR, "");
    tbl_col(&t, "n_reps", COL_U64, "replications");
    tbl_col(&t, "reps_done", COL_U64, "replications");
    tbl_col(&t, "total_units", COL_I64, "units");
    tbl_col(&t, "horizon_days", COL_F64, "days");
    tbl_col(&t, "warmup_days", COL_F64, "days");
    for (size_t k = 0; k < w->n_vary; k++)
        tbl_col(&t, w->vary_keys[k], COL_F64, "scenario value");
    for (size_t i = 0; i < w->n_points; i++) {
        const point_row *r = &w->rows[i];
        tbl_row(&t);
        tbl_u64(&t, i);
        tbl_str(&t, r->label);
        tbl_u64(&t, r->n_reps);
        tbl_u64(&t, r->reps_done);
        tbl_i64(&t, r->total_units);
        tbl_f64(&t, r->written ? r->horizon : NAN);
        tbl_f64(&t, r->written ? r->warmup : NAN);
        for (size_t k = 0; k < w->n_vary; k++)
            tbl_f64(&t, w->vary[i * w->n_vary + k]);
    }
    return tbl_write(w->file, "point_table", &t,
                     "one row per scenario point (group /points/<index>); a point is complete "
                     "when reps_done == n_reps > 0; one column per varied scenario key");
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
    int all = complete;
    for (size_t i = 0; i < w->n_points; i++)
        all &= w->rows[i].written && w->rows[i].reps_done == w->rows[i].n_reps &&
               w->rows[i].n_reps > 0;
    int st = write_point_table(w);
    if (!st)
        st = attr_int(w->file, "complete", all ? 1 : 0);
    if (!st && H5Fflush(w->file, H5F_SCOPE_GLOBAL) < 0)
        st = SIM_EHDF5;
    herr_t e1 = H5Gclose(w->points);
    herr_t e2 = H5Fclose(w->file);
    w->points = w->file = H5I_INVALID_HID;
    if (!st && (e1 < 0 || e2 < 0))
        st = SIM_EHDF5;
    if (!st && fsync_path(w->tmp, O_RDONLY) != 0)
        st = SIM_EIO;
    if (!st)
        st = publish(w->tmp, w->path, w->force);
    if (!st) {
        char *dir = dup_str(w->path);
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

/* ============================================================== reader */

struct an_h5_file {
    hid_t file;
    an_h5_info info;
    char *strs[5];
    char **vary_keys;
    an_h5_point_row *rows;
    double *vary;
};

/* Does every component of an absolute path exist? */
static int path_exists(hid_t file, const char *path)
{
    char buf[512];
    size_t len = strlen(path);
    if (len >= sizeof buf)
        return 0;
    memcpy(buf, path, len + 1);
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (H5Lexists(file, buf, H5P_DEFAULT) <= 0)
                return 0;
            buf[i] = c;
        }
    }
    return 1;
}

/* The string (variable or fixed length) held by an open attribute or a
 * scalar dataset, as a malloc'd string.  Attributes and datasets differ only
 * in the calls that get the type and read. */
static herr_t read_any(hid_t id, int is_attr, hid_t mt, void *buf)
{
    return is_attr ? H5Aread(id, mt, buf) : H5Dread(id, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
}

static int read_string(hid_t id, int is_attr, char **out)
{
    *out = NULL;
    int st = SIM_EHDF5;
    hid_t ft = is_attr ? H5Aget_type(id) : H5Dget_type(id);
    hid_t mt = H5I_INVALID_HID;
    if (ft < 0 || H5Tget_class(ft) != H5T_STRING)
        goto out;
    if (H5Tis_variable_str(ft) > 0) {
        char *v = NULL;
        mt = vlen_str_type();
        if (mt >= 0 && read_any(id, is_attr, mt, &v) >= 0) {
            *out = dup_str(v);
            H5free_memory(v);
            st = *out ? SIM_OK : SIM_ENOMEM;
        }
    } else {
        size_t n = H5Tget_size(ft);
        char *v = calloc(n + 2, 1);
        mt = fixed_str_type(n + 1);
        if (v && mt >= 0 && read_any(id, is_attr, mt, v) >= 0) {
            *out = v;
            v = NULL;
            st = SIM_OK;
        }
        free(v);
    }
out:
    if (mt >= 0)
        H5Tclose(mt);
    if (ft >= 0)
        H5Tclose(ft);
    return st;
}

static int read_attr_str(hid_t obj, const char *name, char **out)
{
    *out = NULL;
    if (H5Aexists(obj, name) <= 0)
        return SIM_ENOTFOUND;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    if (a < 0)
        return SIM_EHDF5;
    int st = read_string(a, 1, out);
    H5Aclose(a);
    return st;
}

static int read_attr_num(hid_t obj, const char *name, hid_t type, void *out)
{
    if (H5Aexists(obj, name) <= 0)
        return SIM_ENOTFOUND;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    int st = a >= 0 && H5Aread(a, type, out) >= 0 ? SIM_OK : SIM_EHDF5;
    if (a >= 0)
        H5Aclose(a);
    return st;
}

/* vary_keys: an array of variable-length strings. */
static int read_attr_strs(hid_t obj, const char *name, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (H5Aexists(obj, name) <= 0)
        return SIM_OK;
    int st = SIM_EHDF5;
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t s = a >= 0 ? H5Aget_space(a) : H5I_INVALID_HID;
    hid_t t = vlen_str_type();
    char **v = NULL;
    hssize_t cnt = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
    if (cnt < 0 || t < 0)
        goto out;
    v = calloc((size_t)cnt + 1, sizeof *v);
    *out = calloc((size_t)cnt + 1, sizeof **out);
    if (!v || !*out) {
        st = SIM_ENOMEM;
        goto out;
    }
    if (H5Aread(a, t, v) < 0)
        goto out;
    st = SIM_OK;
    for (hssize_t i = 0; i < cnt; i++) {
        if (!((*out)[i] = dup_str(v[i])))
            st = SIM_ENOMEM;
        H5free_memory(v[i]);
    }
    *n = (size_t)cnt;
out:
    free(v);
    if (st && *out) {
        for (size_t i = 0; i < (size_t)(cnt > 0 ? cnt : 0); i++)
            free((*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
    }
    if (t >= 0)
        H5Tclose(t);
    if (s >= 0)
        H5Sclose(s);
    if (a >= 0)
        H5Aclose(a);
    return st;
}

void an_table_free(an_table *t)
{
    if (!t)
        return;
    for (size_t c = 0; c < t->n_cols; c++)
        H5free_memory(t->names ? t->names[c] : NULL);
    if (t->str)
        for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
            free(t->str[i]);
    free(t->names);
    free(t->is_int);
    free(t->is_str);
    free(t->num);
    free(t->str);
    free(t);
}

int an_table_col(const an_table *t, const char *name)
{
    for (size_t c = 0; c < t->n_cols; c++)
        if (!strcmp(t->names[c], name))
            return (int)c;
    return -1;
}

int an_h5_read_table(an_h5_file *f, const char *dset, an_table **out)
{
    *out = NULL;
    if (!path_exists(f->file, dset))
        return SIM_ENOTFOUND;
    int st = SIM_EHDF5;
    hid_t d = H5Dopen2(f->file, dset, H5P_DEFAULT);
    hid_t ft = d >= 0 ? H5Dget_type(d) : H5I_INVALID_HID;
    hid_t sp = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
    hid_t mt = H5I_INVALID_HID;
    size_t *offs = NULL, *sizes = NULL;
    unsigned char *buf = NULL;
    an_table *t = calloc(1, sizeof *t);
    if (!t) {
        st = SIM_ENOMEM;
        goto out;
    }
    if (ft < 0 || sp < 0 || H5Tget_class(ft) != H5T_COMPOUND) {
        st = ft < 0 || sp < 0 ? SIM_EHDF5 : SIM_EPARSE;
        goto out;
    }
    int nc = H5Tget_nmembers(ft);
    hssize_t nr = H5Sget_simple_extent_npoints(sp);
    if (nc <= 0 || nr < 0)
        goto out;
    t->n_cols = (size_t)nc;
    t->n_rows = (size_t)nr;
    t->names = calloc(t->n_cols, sizeof *t->names);
    t->is_int = calloc(t->n_cols, 1);
    t->is_str = calloc(t->n_cols, 1);
    offs = calloc(t->n_cols, sizeof *offs);
    sizes = calloc(t->n_cols, sizeof *sizes);
    if (!t->names || !t->is_int || !t->is_str || !offs || !sizes) {
        st = SIM_ENOMEM;
        goto out;
    }
    size_t row = 0;
    for (unsigned c = 0; c < t->n_cols; c++) {
        t->names[c] = H5Tget_member_name(ft, c);
        H5T_class_t cls = H5Tget_member_class(ft, c);
        if (!t->names[c] || cls < 0)
            goto out;
        if (cls == H5T_STRING) {
            hid_t mtc = H5Tget_member_type(ft, c);
            int var = mtc >= 0 ? H5Tis_variable_str(mtc) : -1;
            sizes[c] = mtc >= 0 ? H5Tget_size(mtc) + 1 : 0;
            if (mtc >= 0)
                H5Tclose(mtc);
            if (var != 0) {
                st = SIM_EPARSE; /* this reader handles fixed-length strings only */
                goto out;
            }
            t->is_str[c] = 1;
        } else if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
            t->is_int[c] = cls == H5T_INTEGER;
            sizes[c] = sizeof(double);
        } else {
            st = SIM_EPARSE;
            goto out;
        }
        offs[c] = row;
        row += (sizes[c] + 7) / 8 * 8;
    }
    mt = H5Tcreate(H5T_COMPOUND, row ? row : 8);
    if (mt < 0)
        goto out;
    for (unsigned c = 0; c < t->n_cols; c++) {
        hid_t ct = t->is_str[c] ? fixed_str_type(sizes[c]) : H5Tcopy(H5T_NATIVE_DOUBLE);
        herr_t e = ct < 0 ? -1 : H5Tinsert(mt, t->names[c], offs[c], ct);
        if (ct >= 0)
            H5Tclose(ct);
        if (e < 0)
            goto out;
    }
    buf = calloc(t->n_rows * row + 1, 1);
    t->num = calloc(t->n_rows * t->n_cols + 1, sizeof *t->num);
    t->str = calloc(t->n_rows * t->n_cols + 1, sizeof *t->str);
    if (!buf || !t->num || !t->str) {
        st = SIM_ENOMEM;
        goto out;
    }
    if (t->n_rows && H5Dread(d, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0)
        goto out;
    st = SIM_OK;
    for (size_t r = 0; r < t->n_rows && !st; r++)
        for (size_t c = 0; c < t->n_cols; c++) {
            const unsigned char *p = buf + r * row + offs[c];
            if (t->is_str[c]) {
                t->num[r * t->n_cols + c] = NAN;
                if (!(t->str[r * t->n_cols + c] = dup_str((const char *)p)))
                    st = SIM_ENOMEM;
            } else {
                memcpy(&t->num[r * t->n_cols + c], p, sizeof(double));
            }
        }
out:
    free(buf);
    free(offs);
    free(sizes);
    if (mt >= 0)
        H5Tclose(mt);
    if (sp >= 0)
        H5Sclose(sp);
    if (ft >= 0)
        H5Tclose(ft);
    if (d >= 0)
        H5Dclose(d);
    if (st)
        an_table_free(t);
    else
        *out = t;
    return st;
}

static double tcell(const an_table *t, size_t r, int c)
{
    return c < 0 ? NAN : t->num[r * t->n_cols + (size_t)c];
}

static const char *tstr(const an_table *t, size_t r, int c)
{
    const char *s = c < 0 ? NULL : t->str[r * t->n_cols + (size_t)c];
    return s ? s : "";
}

void an_h5_close(an_h5_file *f)
{
    if (!f)
        return;
    if (f->file >= 0)
        H5Fclose(f->file);
    for (size_t i = 0; i < 5; i++)
        free(f->strs[i]);
    for (size_t k = 0; k < f->info.n_vary; k++)
        free(f->vary_keys[k]);
    free(f->vary_keys);
    free(f->rows);
    free(f->vary);
    free(f);
}

static int read_point_table(an_h5_file *f)
{
    an_table *t;
    int st = an_h5_read_table(f, "/point_table", &t);
    if (st)
        return st == SIM_ENOTFOUND ? SIM_EPARSE : st;
    size_t n = t->n_rows, nv = f->info.n_vary;
    f->rows = calloc(n + 1, sizeof *f->rows);
    f->vary = calloc(n * nv + 1, sizeof *f->vary);
    if (!f->rows || !f->vary) {
        an_table_free(t);
        return SIM_ENOMEM;
    }
    int ci = an_table_col(t, "index"), cl = an_table_col(t, "label"), cn = an_table_col(t, "n_reps"),
        cd = an_table_col(t, "reps_done"), cu = an_table_col(t, "total_units"),
        ch = an_table_col(t, "horizon_days"), cw = an_table_col(t, "warmup_days");
    for (size_t i = 0; i < n; i++) {
        an_h5_point_row *r = &f->rows[i];
        r->index = ci >= 0 ? (size_t)tcell(t, i, ci) : i;
        snprintf(r->label, sizeof r->label, "%s", tstr(t, i, cl));
        r->n_reps = (size_t)tcell(t, i, cn);
        r->reps_done = (size_t)tcell(t, i, cd);
        r->total_units = (int)tcell(t, i, cu);
        r->horizon_days = tcell(t, i, ch);
        r->warmup_days = tcell(t, i, cw);
        for (size_t k = 0; k < nv; k++)
            f->vary[i * nv + k] = tcell(t, i, an_table_col(t, f->vary_keys[k]));
        r->vary_values = &f->vary[i * nv];
    }
    f->info.n_points = n;
    an_table_free(t);
    return SIM_OK;
}

int an_h5_open(const char *path, an_h5_file **out)
{
    *out = NULL;
    if (access(path, F_OK) != 0)
        return SIM_ENOTFOUND;
    if (H5Fis_hdf5(path) <= 0)
        return SIM_EPARSE;
    an_h5_file *f = calloc(1, sizeof *f);
    if (!f)
        return SIM_ENOMEM;
    f->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f->file < 0) {
        free(f);
        return SIM_EHDF5;
    }
    char *format = NULL;
    int st = read_attr_str(f->file, "format", &format);
    if (st || strcmp(format, AN_H5_FORMAT)) {
        free(format);
        an_h5_close(f);
        return SIM_EPARSE;
    }
    free(format);
    an_h5_info *in = &f->info;
    static const char *const names[5] = {"refugesim_version", "git_commit", "created_utc",
                                         "command_line", "rng"};
    for (size_t i = 0; i < 5 && !st; i++) {
        st = read_attr_str(f->file, names[i], &f->strs[i]);
        if (st == SIM_ENOTFOUND)
            st = (f->strs[i] = dup_str("")) ? SIM_OK : SIM_ENOMEM;
    }
    in->refugesim_version = f->strs[0];
    in->git_commit = f->strs[1];
    in->created_utc = f->strs[2];
    in->command_line = f->strs[3];
    in->rng = f->strs[4];
    if (!st) st = read_attr_num(f->file, "format_version", H5T_NATIVE_INT, &in->format_version);
    if (!st) read_attr_num(f->file, "seed", H5T_NATIVE_UINT64, &in->seed);
    if (!st) read_attr_num(f->file, "threads", H5T_NATIVE_INT, &in->threads);
    if (!st) read_attr_num(f->file, "ranks", H5T_NATIVE_INT, &in->ranks);
    if (!st) read_attr_num(f->file, "complete", H5T_NATIVE_INT, &in->complete);
    if (!st) st = read_attr_strs(f->file, "vary_keys", &f->vary_keys, &in->n_vary);
    in->vary_keys = (const char *const *)f->vary_keys;
    if (!st && in->format_version > AN_H5_FORMAT_VERSION)
        st = SIM_EPARSE;
    if (!st)
        st = read_point_table(f);
    if (st) {
        an_h5_close(f);
        return st == SIM_ENOTFOUND ? SIM_EPARSE : st;
    }
    *out = f;
    return SIM_OK;
}

const an_h5_info *an_h5_get_info(const an_h5_file *f)
{
    return &f->info;
}

const an_h5_point_row *an_h5_point_at(const an_h5_file *f, size_t i)
{
    return i < f->info.n_points ? &f->rows[i] : NULL;
}

static int read_text(an_h5_file *f, const char *path, char **text)
{
    *text = NULL;
    if (!path_exists(f->file, path))
        return SIM_ENOTFOUND;
    hid_t d = H5Dopen2(f->file, path, H5P_DEFAULT);
    if (d < 0)
        return SIM_EHDF5;
    int st = read_string(d, 0, text);
    H5Dclose(d);
    return st;
}

int an_h5_read_scenario(an_h5_file *f, char **text)
{
    return read_text(f, "/scenario", text);
}

static void point_path(char *buf, size_t size, size_t i, const char *rest)
{
    snprintf(buf, size, "/points/%zu/%s", i, rest);
}

int an_h5_read_point_scenario(an_h5_file *f, size_t i, char **text)
{
    char p[96];
    point_path(p, sizeof p, i, "scenario");
    int st = read_text(f, p, text);
    return st == SIM_ENOTFOUND ? an_h5_read_scenario(f, text) : st;
}

int an_h5_read_scenario_text(const char *path, char **text)
{
    *text = NULL;
    an_h5_file *f;
    int st = an_h5_open(path, &f);
    if (st)
        return st;
    st = an_h5_read_scenario(f, text);
    an_h5_close(f);
    return st;
}

/* Read a whole numeric dataset of exactly `n` elements. */
static int read_exact(an_h5_file *f, const char *path, hid_t type, size_t n, void *out)
{
    if (!path_exists(f->file, path))
        return SIM_ENOTFOUND;
    hid_t d = H5Dopen2(f->file, path, H5P_DEFAULT);
    hid_t s = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
    int st = SIM_EHDF5;
    if (s >= 0) {
        hssize_t m = H5Sget_simple_extent_npoints(s);
        if (m >= 0 && (size_t)m != n)
            st = SIM_EPARSE;
        else if (m >= 0 && (n == 0 || H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out) >= 0))
            st = SIM_OK;
    }
    if (s >= 0)
        H5Sclose(s);
    if (d >= 0)
        H5Dclose(d);
    return st;
}

int an_h5_read_done(an_h5_file *f, size_t i, unsigned char *done)
{
    if (i >= f->info.n_points)
        return SIM_EINVAL;
    char p[96];
    point_path(p, sizeof p, i, "done");
    return read_exact(f, p, H5T_NATIVE_UCHAR, f->rows[i].n_reps, done);
}

int an_h5_read_metric(an_h5_file *f, size_t i, const char *name, double *out)
{
    if (i >= f->info.n_points || strchr(name, '/'))
        return SIM_EINVAL;
    char p[160];
    snprintf(p, sizeof p, "/points/%zu/metrics/%s", i, name);
    return read_exact(f, p, H5T_NATIVE_DOUBLE, f->rows[i].n_reps, out);
}

int an_h5_read_monthly(an_h5_file *f, size_t i, const char *which, double **data,
                       size_t *n_reps, size_t *n_months)
{
    *data = NULL;
    *n_reps = *n_months = 0;
    if (i >= f->info.n_points || strchr(which, '/'))
        return SIM_EINVAL;
    char p[128];
    snprintf(p, sizeof p, "/points/%zu/monthly/%s", i, which);
    if (!path_exists(f->file, p))
        return SIM_ENOTFOUND;
    hid_t d = H5Dopen2(f->file, p, H5P_DEFAULT);
    hid_t s = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
    hsize_t dims[2];
    int st = SIM_EHDF5;
    if (s >= 0 && H5Sget_simple_extent_ndims(s) == 2 && H5Sget_simple_extent_dims(s, dims, NULL) == 2) {
        double *v = malloc((size_t)(dims[0] * dims[1]) * sizeof *v + 1);
        if (!v)
            st = SIM_ENOMEM;
        else if (dims[0] * dims[1] == 0 ||
                 H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0) {
            *data = v;
            *n_reps = (size_t)dims[0];
            *n_months = (size_t)dims[1];
            st = SIM_OK;
        } else {
            free(v);
        }
    }
    if (s >= 0)
        H5Sclose(s);
    if (d >= 0)
        H5Dclose(d);
    return st;
}

static int fill_metrics(an_h5_file *f, size_t i, an_point_summary *ps)
{
    char p[96];
    point_path(p, sizeof p, i, "summary");
    an_table *t;
    int st = an_h5_read_table(f, p, &t);
    if (st)
        return st;
    ps->metrics = calloc(t->n_rows + 1, sizeof *ps->metrics);
    if (!ps->metrics) {
        an_table_free(t);
        return SIM_ENOMEM;
    }
    ps->n_metrics = t->n_rows;
    int cm = an_table_col(t, "metric"), cu = an_table_col(t, "units"),
        cd = an_table_col(t, "description"), cn = an_table_col(t, "n");
    static const char *const stat_names[] = {"mean", "sd", "ci95", "p10", "p50", "p90", "min", "max"};
    int cs[8];
    for (size_t k = 0; k < 8; k++)
        cs[k] = an_table_col(t, stat_names[k]);
    /* absent from files written before the pooled estimator */
    int cest = an_table_col(t, "estimator"), cse = an_table_col(t, "se"),
        crm = an_table_col(t, "rep_mean"), ctn = an_table_col(t, "total_numerator"),
        ctd = an_table_col(t, "total_denominator");
    for (size_t r = 0; r < t->n_rows; r++) {
        an_metric_summary *m = &ps->metrics[r];
        snprintf(m->name, sizeof m->name, "%s", tstr(t, r, cm));
        snprintf(m->units, sizeof m->units, "%s", tstr(t, r, cu));
        snprintf(m->description, sizeof m->description, "%s", tstr(t, r, cd));
        m->s.n = cn >= 0 ? (size_t)tcell(t, r, cn) : 0;
        m->s.mean = tcell(t, r, cs[0]);
        m->s.sd = tcell(t, r, cs[1]);
        m->s.ci95 = tcell(t, r, cs[2]);
        m->s.p10 = tcell(t, r, cs[3]);
        m->s.p50 = tcell(t, r, cs[4]);
        m->s.p90 = tcell(t, r, cs[5]);
        m->s.min = tcell(t, r, cs[6]);
        m->s.max = tcell(t, r, cs[7]);
        m->pooled = cest >= 0 && !strcmp(tstr(t, r, cest), "ratio_of_sums");
        m->se = cse >= 0 ? tcell(t, r, cse) : NAN;
        m->rep_mean = crm >= 0 ? tcell(t, r, crm) : m->s.mean;
        m->total_num = ctn >= 0 ? tcell(t, r, ctn) : NAN;
        m->total_den = ctd >= 0 ? tcell(t, r, ctd) : NAN;
    }
    an_table_free(t);
    return SIM_OK;
}

/* Position of each replication among the done ones (SIZE_MAX: not done). */
static int rep_positions(an_h5_file *f, size_t i, size_t **pos, size_t *n_done)
{
    size_t n = f->rows[i].n_reps;
    unsigned char *done = malloc(n + 1);
    *pos = malloc((n + 1) * sizeof **pos);
    int st = done && *pos ? an_h5_read_done(f, i, done) : SIM_ENOMEM;
    *n_done = 0;
    for (size_t r = 0; r < n && !st; r++)
        (*pos)[r] = done[r] ? (*n_done)++ : SIZE_MAX;
    free(done);
    if (st) {
        free(*pos);
        *pos = NULL;
    }
    return st;
}

static int rep_slot(const an_table *t, size_t row, int crep, const size_t *pos, size_t n_reps)
{
    double r = tcell(t, row, crep);
    if (!(r >= 0) || r >= (double)n_reps || pos[(size_t)r] == SIZE_MAX)
        return -1;
    return (int)pos[(size_t)r];
}

static int fill_services(an_h5_file *f, size_t i, an_point_summary *ps, const size_t *pos)
{
    char p[96];
    point_path(p, sizeof p, i, "services");
    an_table *t;
    int st = an_h5_read_table(f, p, &t);
    if (st)
        return st;
    int cs = an_table_col(t, "service"), cname = an_table_col(t, "name"), crep = an_table_col(t, "rep");
    int ns = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        double s = tcell(t, r, cs);
        if (s >= 0 && s < RF_MAX_SERVICES && (int)s + 1 > ns)
            ns = (int)s + 1;
    }
    ps->n_services = ns;
    ps->services = calloc(ps->n_reps * (size_t)ns + 1, sizeof *ps->services);
    if (!ps->services) {
        an_table_free(t);
        return SIM_ENOMEM;
    }
    int c[8];
    static const char *const cols[8] = {"units", "placements", "departures", "early_exits",
                                        "move_ons", "timely_move_ons", "occupied_days", "blocked_days"};
    for (size_t k = 0; k < 8; k++)
        c[k] = an_table_col(t, cols[k]);
    int cdown = an_table_col(t, "down_days");
    for (size_t r = 0; r < t->n_rows; r++) {
        double sv = tcell(t, r, cs);
        int slot = rep_slot(t, r, crep, pos, f->rows[i].n_reps);
        if (!(sv >= 0 && sv < ns) || slot < 0 || (size_t)slot >= ps->n_reps)
            continue;
        int s = (int)sv;
        snprintf(ps->service_names[s], RF_NAME_MAX, "%s", tstr(t, r, cname));
        rf_service_result *x = &ps->services[(size_t)slot * (size_t)ns + (size_t)s];
        x->units = (int)tcell(t, r, c[0]);
        x->placements = (uint64_t)tcell(t, r, c[1]);
        x->departures = (uint64_t)tcell(t, r, c[2]);
        x->early_exits = (uint64_t)tcell(t, r, c[3]);
        x->move_ons = (uint64_t)tcell(t, r, c[4]);
        x->timely_move_ons = (uint64_t)tcell(t, r, c[5]);
        x->occupied_days = tcell(t, r, c[6]);
        x->blocked_days = tcell(t, r, c[7]);
        x->down_days = tcell(t, r, cdown);
    }
    an_table_free(t);
    return SIM_OK;
}

static uint64_t count_cell(const an_table *t, size_t r, int c)
{
    double v = tcell(t, r, c);
    return v >= 0 ? (uint64_t)v : 0;
}

static int fill_groups(an_h5_file *f, size_t i, an_point_summary *ps, const size_t *pos)
{
    char p[96];
    point_path(p, sizeof p, i, "groups");
    an_table *t;
    int st = an_h5_read_table(f, p, &t);
    if (st)
        return st;
    ps->groups = calloc(ps->n_reps * RF_G_N + 1, sizeof *ps->groups);
    if (!ps->groups) {
        an_table_free(t);
        return SIM_ENOMEM;
    }
    int cg = an_table_col(t, "group"), crep = an_table_col(t, "rep"),
        cref = an_table_col(t, "referrals"), c7 = an_table_col(t, "placed_within_7d"),
        c28 = an_table_col(t, "placed_within_28d"), cw = an_table_col(t, "wait_sum"),
        cwn = an_table_col(t, "waited"), cws = an_table_col(t, "waited_sum");
    int co[RF_OUT_N];
    for (int o = 0; o < RF_OUT_N; o++)
        co[o] = an_table_col(t, rf_outcome_name((rf_outcome)o));
    for (size_t r = 0; r < t->n_rows; r++) {
        int slot = rep_slot(t, r, crep, pos, f->rows[i].n_reps);
        int g = 0;
        while (g < RF_G_N && strcmp(rf_group_name((rf_group)g), tstr(t, r, cg)))
            g++;
        if (slot < 0 || (size_t)slot >= ps->n_reps || g == RF_G_N)
            continue;
        rf_group_result *x = &ps->groups[(size_t)slot * RF_G_N + (size_t)g];
        x->referrals = count_cell(t, r, cref);
        for (int o = 0; o < RF_OUT_N; o++)
            x->outcomes[o] = count_cell(t, r, co[o]);
        x->placed_within_7d = count_cell(t, r, c7);
        x->placed_within_28d = count_cell(t, r, c28);
        x->wait_sum = cw >= 0 ? tcell(t, r, cw) : 0;
        x->waited = cwn >= 0 ? count_cell(t, r, cwn) : 0;   /* absent from older files */
        x->waited_sum = cws >= 0 ? tcell(t, r, cws) : 0;
    }
    an_table_free(t);
    return SIM_OK;
}

/* The per-replication numerators and denominators (ratio_parts), where the
 * file has them; metrics that are means get their value and 1. */
static int fill_parts(an_h5_file *f, size_t i, an_point_summary *ps, const size_t *pos)
{
    char p[96];
    point_path(p, sizeof p, i, "ratio_parts");
    if (!path_exists(f->file, p))
        return SIM_OK;
    an_table *t;
    int st = an_h5_read_table(f, p, &t);
    if (st)
        return st;
    size_t nm = ps->n_metrics, n = ps->n_reps;
    ps->num = malloc((n * nm + 1) * sizeof *ps->num);
    ps->den = malloc((n * nm + 1) * sizeof *ps->den);
    ps->reps = calloc(n + 1, sizeof *ps->reps);
    if (!ps->num || !ps->den || !ps->reps) {
        an_table_free(t);
        return SIM_ENOMEM;
    }
    for (size_t k = 0; k < n * nm; k++)
        ps->num[k] = ps->den[k] = NAN;
    int crep = an_table_col(t, "rep");
    for (size_t m = 0; m < nm; m++) {
        char name[AN_NAME_MAX + 8];
        snprintf(name, sizeof name, "%s_num", ps->metrics[m].name);
        int cn = an_table_col(t, name);
        snprintf(name, sizeof name, "%s_den", ps->metrics[m].name);
        int cd = an_table_col(t, name);
        for (size_t r = 0; r < t->n_rows; r++) {
            int slot = rep_slot(t, r, crep, pos, f->rows[i].n_reps);
            if (slot < 0 || (size_t)slot >= n)
                continue;
            ps->reps[slot] = (uint64_t)tcell(t, r, crep);
            if (cn >= 0 && cd >= 0) {
                ps->num[(size_t)slot * nm + m] = tcell(t, r, cn);
                ps->den[(size_t)slot * nm + m] = tcell(t, r, cd);
            }
        }
    }
    an_table_free(t);
    /* means over replications: their values, from /metrics */
    double *col = malloc((f->rows[i].n_reps + 1) * sizeof *col);
    if (!col)
        return SIM_ENOMEM;
    for (size_t m = 0; m < nm && !st; m++) {
        if (ps->metrics[m].pooled)
            continue;
        if (an_h5_read_metric(f, i, ps->metrics[m].name, col) != SIM_OK)
            continue;
        for (size_t r = 0; r < f->rows[i].n_reps; r++)
            if (pos[r] != SIZE_MAX && pos[r] < n) {
                ps->num[pos[r] * nm + m] = col[r];
                ps->den[pos[r] * nm + m] = 1;
            }
    }
    free(col);
    return st;
}

int an_h5_read_point_summary(an_h5_file *f, size_t i, an_point_summary *out)
{
    memset(out, 0, sizeof *out);
    if (i >= f->info.n_points)
        return SIM_EINVAL;
    const an_h5_point_row *row = &f->rows[i];
    snprintf(out->label, sizeof out->label, "%s", row->label);
    out->horizon_days = row->horizon_days;
    size_t *pos = NULL;
    int st = rep_positions(f, i, &pos, &out->n_reps);
    if (!st) st = fill_metrics(f, i, out);
    if (!st) st = fill_services(f, i, out, pos);
    if (!st) st = fill_groups(f, i, out, pos);
    if (!st) st = fill_parts(f, i, out, pos);
    free(pos);
    if (st)
        an_point_summary_free(out);
    return st;
}
