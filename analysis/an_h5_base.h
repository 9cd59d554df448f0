/* an_h5_base: the HDF5 building blocks under the results file's writer,
 * reader and table layer; not API (internal prefix an_h5i_).
 *
 *   strings      UTF-8 string types, fixed or variable length
 *   attributes   written (replacing an existing one: `complete` is rewritten
 *                at commit) and read, strings and numbers
 *   datasets     numeric arrays and text, each with `units` and
 *                `description`; storage chunked, shuffled and deflated
 *                above 64 KiB, contiguous below
 *
 * Status codes as in an_h5.h; nothing prints. */
#ifndef AN_H5_BASE_H
#define AN_H5_BASE_H

#include <stddef.h>
#include <stdint.h>
#include <hdf5.h>

/* malloc'd copy; NULL is read as "". */
char *an_h5i_strdup(const char *s);

/* A UTF-8 string type: fixed length `size` (NUL-terminated) or, with size
 * 0, variable length.  Close it with H5Tclose. */
hid_t an_h5i_str_type(size_t size);

/* Attributes, replacing one of the same name.  n == 0 in attr_strs: a
 * scalar holding strs[0]. */
int an_h5i_attr_strs(hid_t obj, const char *name, const char *const *strs, size_t n);
int an_h5i_attr_str(hid_t obj, const char *name, const char *val);
int an_h5i_attr_num(hid_t obj, const char *name, hid_t type, const void *val);
int an_h5i_attr_int(hid_t obj, const char *name, int v);
int an_h5i_attr_u64(hid_t obj, const char *name, uint64_t v);
/* `units` and `description`. */
int an_h5i_describe(hid_t obj, const char *units, const char *description);

/* Creation properties: chunked + shuffled + deflated when the data is
 * large (or force_chunk), contiguous otherwise. */
hid_t an_h5i_dcpl(int rank, const hsize_t *dims, size_t elem_size, int force_chunk);

/* A dataset of file type ftype over space, written from data in mtype
 * (nothing written when n_elems is 0), described; kept open in *keep when
 * keep is not NULL. */
int an_h5i_dataset(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hid_t space,
                   hid_t dcpl, const void *data, size_t n_elems, const char *units,
                   const char *description, hid_t *keep);
/* A numeric dataset of rank <= 2 (rank 2 always chunked). */
int an_h5i_write_array(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                       const void *data, const char *units, const char *description,
                       hid_t *keep);
/* The same dataset created empty, every element `fill` (of type) until
 * written, left open in *out for an_h5i_write_rows. */
int an_h5i_create_array(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                        const void *fill, const char *units, const char *description, hid_t *out);
/* Rows [row, row + n) along dimension 0 (each the whole of dimension 1 for
 * rank 2) of dataset d from data. */
int an_h5i_write_rows(hid_t d, hid_t type, hsize_t row, hsize_t n, const void *data);
/* A scalar variable-length text dataset, units "text/yaml". */
int an_h5i_write_text(hid_t loc, const char *name, const char *text, const char *description);

/* Does every component of an absolute path exist? */
int an_h5i_exists(hid_t file, const char *path);
/* The string held by an open attribute or scalar dataset, malloc'd. */
int an_h5i_read_str(hid_t id, int is_attr, char **out);
/* Attributes by name: SIM_ENOTFOUND when absent. */
int an_h5i_read_attr_str(hid_t obj, const char *name, char **out);
int an_h5i_read_attr_num(hid_t obj, const char *name, hid_t type, void *out);
/* An array of variable-length strings; absent: SIM_OK with *n = 0. */
int an_h5i_read_attr_strs(hid_t obj, const char *name, char ***out, size_t *n);

/* HDF5's error printing off, its errors' errno kept for an_h5_strerror
 * (an_h5.c); the first file opened or created calls it, which also starts
 * the library (main does not: a run with no file never starts HDF5). */
void an_h5i_quiet(void);

/* Between the reader and the writer (an_h5_copy_point): the HDF5 file of a
 * results file open for reading (an_h5_read.c). */
struct an_h5_file;
hid_t an_h5i_reader_file(const struct an_h5_file *f);

#endif
