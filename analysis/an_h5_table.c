#include "an_h5_table.h"
#include "an_h5_base.h"
#include "sim_status.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5_hl.h>

#define CHUNK_BYTES (64 * 1024)     /* rows per chunk; deflate tables above this */

/* ------------------------------------------------------------ building -- */

static size_t col_size(an_col_type t)
{
    return t == AN_COL_STR ? AN_NAME_MAX : t == AN_COL_TEXT ? AN_DESC_MAX
           : t == AN_COL_LABEL ? AN_LABEL_MAX : 8;
}

void an_tbl_free(an_tbl *t)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        free(t->cols[c].name);
        free(t->cols[c].units);
        free(t->cols[c].desc);
    }
    free(t->cols);
    free(t->buf);
    free(t->sink_name);
    memset(t, 0, sizeof *t);
}

/* Room for one more of n elements of `size` in *arr (capacity *cap). */
static int grow(an_tbl *t, void **arr, size_t *cap, size_t n, size_t size)
{
    if (t->err)
        return 0;
    if (n < *cap)
        return 1;
    size_t ncap = *cap ? 2 * *cap : 16;
    void *p = realloc(*arr, ncap * size);
    if (!p) {
        t->err = SIM_ENOMEM;
        return 0;
    }
    *arr = p;
    *cap = ncap;
    return 1;
}

/* PyTables warns about names it cannot offer as attributes: Python's keywords. */
static int python_keyword(const char *s)
{
    static const char *const kw[] = {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class",
        "continue", "def", "del", "elif", "else", "except", "finally", "for", "from", "global",
        "if", "import", "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise",
        "return", "try", "while", "with", "yield"};
    for (size_t i = 0; i < sizeof kw / sizeof kw[0]; i++)
        if (!strcmp(s, kw[i]))
            return 1;
    return 0;
}

void an_tbl_safe_name(const char *name, char *out, size_t size)
{
    if (size < 2) {
        if (size)
            out[0] = '\0';
        return;
    }
    size_t n = 0;
    int gap = 0;                 /* characters replaced since the last one kept */
    for (const char *p = name ? name : ""; *p && n + 2 < size; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x80 && (isalnum(c) || c == '_')) {
            if (!n && isdigit(c))
                out[n++] = '_';
            else if (gap && n && out[n - 1] != '_')
                out[n++] = '_';
            out[n++] = (char)c;
            gap = 0;
        } else {
            gap = 1;         /* a run of others becomes one '_', none at either end */
        }
    }
    out[n] = '\0';
    if (!n)
        snprintf(out, size, "column");
    else if (python_keyword(out) && n + 2 <= size)
        out[n] = '_', out[n + 1] = '\0';
}

void an_tbl_column(an_tbl *t, const char *name, an_col_type type, const char *units)
{
    void *cols = t->cols;
    size_t cap = t->cap_cols;
    if (!grow(t, &cols, &cap, t->n_cols, sizeof *t->cols))
        return;
    t->cols = cols;
    t->cap_cols = cap;
    char safe[AN_NAME_MAX * 2 + 16];
    an_tbl_safe_name(name, safe, AN_NAME_MAX * 2);
    size_t base = strlen(safe);
    for (unsigned k = 2; ; k++) {   /* unique: "a", then "a_2", "a_3", ... */
        size_t c = 0;
        while (c < t->n_cols && strcmp(t->cols[c].name, safe))
            c++;
        if (c == t->n_cols)
            break;
        snprintf(safe + base, sizeof safe - base, "_%u", k);
    }
    an_tbl_col *c = &t->cols[t->n_cols];
    c->name = an_h5i_strdup(safe);
    c->units = an_h5i_strdup(units);
    c->desc = an_h5i_strdup(strcmp(safe, name ? name : "") ? name : "");
    c->type = type;
    c->off = t->row_size;
    t->n_cols++;
    if (!c->name || !c->units || !c->desc)
        t->err = SIM_ENOMEM;
    t->row_size += col_size(type);
}

void an_tbl_columnf(an_tbl *t, an_col_type type, const char *units, const char *fmt, const char *arg)
{
    char name[AN_NAME_MAX * 2];
    snprintf(name, sizeof name, fmt, arg);
    an_tbl_column(t, name, type, units);
}

void an_tbl_row(an_tbl *t)
{
    if (t->sink_name && t->n_rows >= AN_TBL_PIECE_ROWS)
        an_tbl_append(t->sink, t->sink_name, t);
    size_t cap = t->cap_rows;
    void *buf = t->buf;
    if (!grow(t, &buf, &cap, t->n_rows, t->row_size))
        return;
    t->buf = buf;
    t->cap_rows = cap;
    memset(t->buf + t->n_rows * t->row_size, 0, t->row_size);
    t->n_rows++;
    t->col = 0;
}

/* The next cell of the current row, which must be of `type`. */
static void *next_cell(an_tbl *t, an_col_type type)
{
    if (t->err)
        return NULL;
    if (t->col >= t->n_cols || t->cols[t->col].type != type) {
        t->err = SIM_EINTERNAL;
        return NULL;
    }
    return t->buf + (t->n_rows - 1) * t->row_size + t->cols[t->col++].off;
}

#define CELL(fn, ctype, coltype)                      \
    void fn(an_tbl *t, ctype v)                       \
    {                                                 \
        void *p = next_cell(t, coltype);              \
        if (p)                                        \
            memcpy(p, &v, sizeof v);                  \
    }
CELL(an_tbl_u64, uint64_t, AN_COL_U64)
CELL(an_tbl_i64, int64_t, AN_COL_I64)
CELL(an_tbl_f64, double, AN_COL_F64)
#undef CELL

void an_tbl_str(an_tbl *t, const char *s)
{
    an_col_type ty = t->col < t->n_cols ? t->cols[t->col].type : AN_COL_STR;
    if (ty != AN_COL_TEXT && ty != AN_COL_LABEL)
        ty = AN_COL_STR;
    char *p = next_cell(t, ty);
    if (!p)
        return;
    int w = snprintf(p, col_size(ty), "%s", s ? s : "");
    if (ty == AN_COL_LABEL && w >= (int)col_size(ty) && !t->err)
        t->err = SIM_ERANGE;
}

/* ------------------------------------------------------------ writing -- */

static hid_t column_type(an_col_type type)
{
    return type == AN_COL_U64   ? H5Tcopy(H5T_NATIVE_UINT64)
           : type == AN_COL_I64 ? H5Tcopy(H5T_NATIVE_INT64)
           : type == AN_COL_F64 ? H5Tcopy(H5T_NATIVE_DOUBLE)
                                : an_h5i_str_type(col_size(type));
}

/* The columns' units and descriptions, one string per column. */
static int column_attrs(hid_t d, const an_tbl *t)
{
    const char **v = malloc((t->n_cols + 1) * sizeof *v);
    if (!v)
        return SIM_ENOMEM;
    for (size_t c = 0; c < t->n_cols; c++)
        v[c] = t->cols[c].units;
    int st = an_h5i_attr_strs(d, "column_units", v, t->n_cols);
    for (size_t c = 0; c < t->n_cols; c++)
        v[c] = t->cols[c].desc;
    if (!st)
        st = an_h5i_attr_strs(d, "column_descriptions", v, t->n_cols);
    free(v);
    return st;
}

/* The table `name` of loc from t's columns, sized (chunk, compression) for
 * expect_rows rows, holding t's rows when with_rows. */
static int make_table(hid_t loc, const char *name, const an_tbl *t, const char *description,
                      size_t expect_rows, int with_rows)
{
    int st = t->err;
    const char **names = NULL;
    size_t *offs = NULL;
    hid_t *types = NULL, d = H5I_INVALID_HID;
    if (st)
        return st;
    st = SIM_ENOMEM;
    names = calloc(t->n_cols + 1, sizeof *names);
    offs = calloc(t->n_cols + 1, sizeof *offs);
    types = malloc((t->n_cols + 1) * sizeof *types);
    if (!names || !offs || !types)
        goto out;
    st = SIM_EHDF5;
    for (size_t c = 0; c < t->n_cols; c++)
        types[c] = H5I_INVALID_HID;
    for (size_t c = 0; c < t->n_cols; c++) {
        names[c] = t->cols[c].name;
        offs[c] = t->cols[c].off;
        if ((types[c] = column_type(t->cols[c].type)) < 0)
            goto out;
    }
    size_t bytes = expect_rows * t->row_size;
    hsize_t chunk = t->row_size ? CHUNK_BYTES / t->row_size : 1;
    if (chunk > expect_rows)
        chunk = expect_rows;
    if (chunk < 1)
        chunk = 1;
    if (!t->n_cols ||
        H5TBmake_table(description, loc, name, t->n_cols, with_rows ? t->n_rows : 0, t->row_size,
                       names, offs, types, chunk, NULL, bytes >= CHUNK_BYTES,
                       with_rows && t->n_rows ? t->buf : NULL) < 0)
        goto out;
    d = H5Dopen2(loc, name, H5P_DEFAULT);
    if (d < 0)
        goto out;
    st = an_h5i_describe(d, "per column: see column_units", description);
    if (!st)
        st = column_attrs(d, t);
out:
    if (d >= 0)
        H5Dclose(d);
    for (size_t c = 0; types && c < t->n_cols; c++)
        if (types[c] >= 0)
            H5Tclose(types[c]);
    free(types);
    free(offs);
    free(names);
    return st;
}

int an_tbl_write(hid_t loc, const char *name, an_tbl *t, const char *description)
{
    int st = make_table(loc, name, t, description, t->n_rows, 1);
    an_tbl_free(t);
    return st;
}

int an_tbl_create(hid_t loc, const char *name, an_tbl *t, const char *description,
                  size_t expect_rows)
{
    int st = make_table(loc, name, t, description, expect_rows, 0);
    t->n_rows = 0;
    free(t->sink_name);
    t->sink = loc;
    if (!(t->sink_name = an_h5i_strdup(name)) && !st)
        st = SIM_ENOMEM;
    if (st && !t->err)
        t->err = st;
    return st;
}

int an_tbl_finish(an_tbl *t)
{
    int st = t->sink_name ? an_tbl_append(t->sink, t->sink_name, t) : SIM_EINVAL;
    if (!st)
        st = t->err;
    an_tbl_free(t);
    return st;
}

int an_tbl_append(hid_t loc, const char *name, an_tbl *t)
{
    if (t->err || !t->n_rows) {
        t->n_rows = 0;
        return t->err;
    }
    size_t *offs = malloc((t->n_cols + 1) * sizeof *offs),
           *sizes = malloc((t->n_cols + 1) * sizeof *sizes);
    int st = offs && sizes ? SIM_EHDF5 : SIM_ENOMEM;
    for (size_t c = 0; offs && sizes && c < t->n_cols; c++) {
        offs[c] = t->cols[c].off;
        sizes[c] = col_size(t->cols[c].type);
    }
    if (offs && sizes
        && H5TBappend_records(loc, name, t->n_rows, t->row_size, offs, sizes, t->buf) >= 0)
        st = SIM_OK;
    free(offs);
    free(sizes);
    t->n_rows = 0;
    if (st)
        t->err = st;
    return st;
}

/* ------------------------------------------------------------ reading -- */

void an_table_free(an_table *t)
{
    if (!t)
        return;
    for (size_t c = 0; c < t->n_cols; c++) {
        H5free_memory(t->names ? t->names[c] : NULL);
        free(t->descs ? t->descs[c] : NULL);
    }
    if (t->str)
        for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
            free(t->str[i]);
    free(t->names);
    free(t->descs);
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

int an_table_col_named(const an_table *t, const char *name)
{
    int c = an_table_col(t, name);
    for (size_t k = 0; c < 0 && k < t->n_cols; k++)
        if (t->descs && t->descs[k] && !strcmp(t->descs[k], name))
            c = (int)k;
    return c;
}

/* The column_descriptions attribute of d into t->descs ("" for every column
 * when it is absent or does not fit the table). */
static int read_descs(hid_t d, an_table *t)
{
    char **v = NULL;
    size_t n = 0;
    int st = an_h5i_read_attr_strs(d, "column_descriptions", &v, &n);
    if (st != SIM_OK && st != SIM_ENOMEM)
        st = SIM_OK;         /* not ours: as if absent */
    if (st == SIM_OK && v && n != t->n_cols) {
        for (size_t k = 0; k < n; k++)
            free(v[k]);
        free(v);
        v = NULL;
    }
    if (st != SIM_OK)
        return st;
    if (!v) {
        if (!(v = calloc(t->n_cols + 1, sizeof *v)))
            return SIM_ENOMEM;
        for (size_t k = 0; k < t->n_cols; k++)
            if (!(v[k] = an_h5i_strdup("")))
                st = SIM_ENOMEM;
    }
    t->descs = v;
    return st;
}

/* Per column of the file type ft: name, kind, and where it goes in the
 * memory row (strings kept at their size + 1, numbers as doubles, each
 * 8-aligned); *row receives the row size. */
static int read_layout(hid_t ft, an_table *t, size_t *offs, size_t *sizes, size_t *row)
{
    *row = 0;
    for (unsigned c = 0; c < t->n_cols; c++) {
        t->names[c] = H5Tget_member_name(ft, c);
        H5T_class_t cls = H5Tget_member_class(ft, c);
        if (!t->names[c] || cls < 0)
            return SIM_EHDF5;
        if (cls == H5T_STRING) {
            hid_t mtc = H5Tget_member_type(ft, c);
            int var = mtc >= 0 ? H5Tis_variable_str(mtc) : -1;
            sizes[c] = mtc >= 0 ? H5Tget_size(mtc) + 1 : 0;
            if (mtc >= 0)
                H5Tclose(mtc);
            if (var != 0)
                return SIM_EPARSE; /* this reader handles fixed-length strings only */
            t->is_str[c] = 1;
        } else if (cls == H5T_INTEGER || cls == H5T_FLOAT) {
            t->is_int[c] = cls == H5T_INTEGER;
            sizes[c] = sizeof(double);
        } else {
            return SIM_EPARSE;
        }
        offs[c] = *row;
        *row += (sizes[c] + 7) / 8 * 8;
    }
    return SIM_OK;
}

int an_tbl_read(hid_t file, const char *path, an_table **out)
{
    *out = NULL;
    if (!an_h5i_exists(file, path))
        return SIM_ENOTFOUND;
    int st = SIM_EHDF5;
    hid_t d = H5Dopen2(file, path, H5P_DEFAULT);
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
    size_t row;
    if ((st = read_layout(ft, t, offs, sizes, &row)) != SIM_OK || (st = read_descs(d, t)) != SIM_OK)
        goto out;
    st = SIM_EHDF5;
    mt = H5Tcreate(H5T_COMPOUND, row ? row : 8);
    if (mt < 0)
        goto out;
    for (unsigned c = 0; c < t->n_cols; c++) {
        hid_t ct = t->is_str[c] ? an_h5i_str_type(sizes[c]) : H5Tcopy(H5T_NATIVE_DOUBLE);
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
    /* HDF5 callocs a 1 MB conversion buffer and a background buffer for
     * every read by default: for small tables that zeroing was most of the
     * time of `report --csv`.  Size them to the table instead. */
    if (t->n_rows) {
        size_t fsz = H5Tget_size(ft), need = t->n_rows * (fsz > row ? fsz : row);
        hid_t xfer = H5Pcreate(H5P_DATASET_XFER);
        herr_t e = xfer < 0 || H5Pset_buffer(xfer, need, NULL, NULL) < 0
                       ? -1 : H5Dread(d, mt, H5S_ALL, H5S_ALL, xfer, buf);
        if (xfer >= 0)
            H5Pclose(xfer);
        if (e < 0)
            goto out;
    }
    st = SIM_OK;
    for (size_t r = 0; r < t->n_rows && !st; r++)
        for (size_t c = 0; c < t->n_cols; c++) {
            const unsigned char *p = buf + r * row + offs[c];
            if (t->is_str[c]) {
                t->num[r * t->n_cols + c] = NAN;
                if (!(t->str[r * t->n_cols + c] = an_h5i_strdup((const char *)p)))
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
