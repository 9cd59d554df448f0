/* an_h5_table: the results file's compound tables (1-D datasets of records,
 * one row per replication, metric, service x replication, ...), built in
 * memory column by column and row by row, written in one call (or appended piece by piece), and read
 * back with every column converted (an_table, see an_h5.h); not API.
 *
 * Everything about HDF5 compound types lives in this file alone.  A table
 * is a row buffer plus, per column, a name, a type, an offset and units,
 * written with HDF5's high-level table API (H5TBmake_table), so every
 * table is in the HDF5 Table layout that PyTables, pandas (through
 * PyTables), h5py, R's rhdf5 and HDFView read: attributes CLASS="TABLE",
 * VERSION, TITLE (the description) and FIELD_<n>_NAME; chunked (about
 * 64 KiB of rows a chunk), deflated above 64 KiB; plus our own `units`,
 * `description`, `column_units` and `column_descriptions` (format 2).
 *
 * Column names are safe for every reader: letters, digits and '_', not
 * starting with a digit and no Python keyword (PyTables warns otherwise),
 * unique in the table.  A name given with anything else (a scenario key
 * "referrals.per_year", a screening reason with spaces) is made safe and
 * the name as given becomes the column's description.  Strings inside
 * tables are fixed-length (rhdf5 reads variable-length strings inside
 * compounds as NA).
 *
 * The reader converts any compound dataset of numbers and fixed-length
 * strings, so it reads format 1 files (plain compound datasets, names as
 * given) as well.
 *
 * Building errors are sticky: the first failure is kept and returned by
 * an_tbl_write, so callers fill a table without checking every cell. */
#ifndef AN_H5_TABLE_H
#define AN_H5_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <hdf5.h>
#include "an_h5.h"

typedef enum {
    AN_COL_U64,
    AN_COL_I64,
    AN_COL_F64,
    AN_COL_STR,                /* AN_NAME_MAX bytes, UTF-8, NUL-terminated */
    AN_COL_TEXT,               /* AN_DESC_MAX bytes */
    AN_COL_LABEL               /* AN_LABEL_MAX bytes: a point's label, never cut */
} an_col_type;

typedef struct {
    char *name, *units, *desc;   /* desc: the name as given when it was made safe, else "" */
    an_col_type type;
    size_t off;
} an_tbl_col;

/* Start from {0}; an_tbl_write, an_tbl_finish or an_tbl_free releases it. */
typedef struct {
    an_tbl_col *cols;
    size_t n_cols, cap_cols, row_size;
    unsigned char *buf;
    size_t n_rows, cap_rows, col;
    int err;                   /* sticky: first failure */
    hid_t sink;                /* an_tbl_create's: where full pieces go (name set) */
    char *sink_name;
} an_tbl;

void an_tbl_free(an_tbl *t);
/* Columns: all before the first row. */
void an_tbl_column(an_tbl *t, const char *name, an_col_type type, const char *units);
/* Column named by fmt with one string argument, e.g. "screened_%s". */
void an_tbl_columnf(an_tbl *t, an_col_type type, const char *units, const char *fmt, const char *arg);
/* name made safe as column names are (see above, without the uniqueness),
 * into out (size bytes, truncated, NUL-terminated). */
void an_tbl_safe_name(const char *name, char *out, size_t size);
/* A new row (zeroed); then one cell per column, in column order. */
void an_tbl_row(an_tbl *t);
void an_tbl_u64(an_tbl *t, uint64_t v);
void an_tbl_i64(an_tbl *t, int64_t v);
void an_tbl_f64(an_tbl *t, double v);
/* AN_COL_STR or AN_COL_TEXT, truncated; AN_COL_LABEL whole, or the table
 * fails with SIM_ERANGE (the study refuses such labels before any work:
 * this is the last guard that none is cut). */
void an_tbl_str(an_tbl *t, const char *s);

/* Write the table as dataset `name` of loc; frees t. */
int an_tbl_write(hid_t loc, const char *name, an_tbl *t, const char *description);
/* A table written piece by piece, so that its rows need not all be held:
 * create makes it, empty, from t's columns (sized for expect_rows rows, as
 * an_tbl_write sizes a table of that many); then rows are added to t and
 * appended (append empties t's rows, keeping its columns) as often as
 * needed; an_tbl_free at the end.  Failures are sticky in t as well. */
int an_tbl_create(hid_t loc, const char *name, an_tbl *t, const char *description,
                  size_t expect_rows);
int an_tbl_append(hid_t loc, const char *name, an_tbl *t);
/* After an_tbl_create, rows go to the file a piece (AN_TBL_PIECE_ROWS) at
 * a time by themselves: a long table is never held whole.  finish appends
 * the rest and frees t. */
#define AN_TBL_PIECE_ROWS 4096
int an_tbl_finish(an_tbl *t);

/* Read any compound table at path (integers and floats as doubles, fixed
 * strings kept, column descriptions when the file has them); SIM_ENOTFOUND
 * when absent, SIM_EPARSE when not a table of such columns. */
int an_tbl_read(hid_t file, const char *path, an_table **out);

#endif
