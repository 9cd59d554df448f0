#include "an_h5_table.h"
#include "an_h5_base.h"
#include "sim_status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ building -- */

static size_t col_size(an_col_type t)
{
    return t == AN_COL_STR ? AN_NAME_MAX : t == AN_COL_TEXT ? AN_DESC_MAX : 8;
}

void an_tbl_free(an_tbl *t)
{
    for (size_t c = 0; c < t->n_cols; c++) {
        free(t->cols[c].name);
        free(t->cols[c].units);
    }
    free(t->cols);
    free(t->buf);
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

void an_tbl_column(an_tbl *t, const char *name, an_col_type type, const char *units)
{
    void *cols = t->cols;
    size_t cap = t->cap_cols;
    if (!grow(t, &cols, &cap, t->n_cols, sizeof *t->cols))
        return;
    t->cols = cols;
    t->cap_cols = cap;
    an_tbl_col *c = &t->cols[t->n_cols];
    c->name = an_h5i_strdup(name);
    c->units = an_h5i_strdup(units);
    c->type = type;
    c->off = t->row_size;
    t->n_cols++;
    if (!c->name || !c->units)
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
    char *p = next_cell(t, ty == AN_COL_TEXT ? AN_COL_TEXT : AN_COL_STR);
    if (p)
        snprintf(p, col_size(ty), "%s", s ? s : "");
}

/* ------------------------------------------------------------ writing -- */

/* The compound type of the row buffer, native members at their offsets. */
static hid_t memory_type(const an_tbl *t)
{
    hid_t mt = H5Tcreate(H5T_COMPOUND, t->row_size);
    if (mt < 0)
        return mt;
    for (size_t c = 0; c < t->n_cols; c++) {
        const an_tbl_col *col = &t->cols[c];
        hid_t ct = col->type == AN_COL_U64   ? H5Tcopy(H5T_NATIVE_UINT64)
                   : col->type == AN_COL_I64 ? H5Tcopy(H5T_NATIVE_INT64)
                   : col->type == AN_COL_F64 ? H5Tcopy(H5T_NATIVE_DOUBLE)
                                             : an_h5i_str_type(col_size(col->type));
        herr_t e = ct < 0 ? -1 : H5Tinsert(mt, col->name, col->off, ct);
        if (ct >= 0)
            H5Tclose(ct);
        if (e < 0) {
            H5Tclose(mt);
            return H5I_INVALID_HID;
        }
    }
    return mt;
}

int an_tbl_write(hid_t loc, const char *name, an_tbl *t, const char *description)
{
    int st = t->err;
    hid_t mt = H5I_INVALID_HID, ft = H5I_INVALID_HID, s = H5I_INVALID_HID;
    hid_t dcpl = H5I_INVALID_HID, d = H5I_INVALID_HID;
    const char **units = NULL;
    if (st)
        goto out;
    st = SIM_EHDF5;
    mt = memory_type(t);
    if (mt < 0)
        goto out;
    ft = H5Tcopy(mt);
    if (ft < 0 || H5Tpack(ft) < 0)
        goto out;
    hsize_t dim = t->n_rows;
    s = H5Screate_simple(1, &dim, NULL);
    dcpl = an_h5i_dcpl(1, &dim, t->row_size, 0);
    if (s < 0 || dcpl < 0)
        goto out;
    st = an_h5i_dataset(loc, name, ft, mt, s, dcpl, t->buf, t->n_rows,
                        "per column: see column_units", description, &d);
    if (st)
        goto out;
    units = malloc((t->n_cols + 1) * sizeof *units);
    if (!units) {
        st = SIM_ENOMEM;
        goto out;
    }
    for (size_t c = 0; c < t->n_cols; c++)
        units[c] = t->cols[c].units;
    st = an_h5i_attr_strs(d, "column_units", units, t->n_cols);
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
    an_tbl_free(t);
    return st;
}

/* ------------------------------------------------------------ reading -- */

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
    if ((st = read_layout(ft, t, offs, sizes, &row)) != SIM_OK)
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
