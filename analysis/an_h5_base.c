#include "an_h5_base.h"
#include "sim_status.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK_BYTES (64 * 1024)     /* chunk (and compress) 1-D data above this */
#define DEFLATE_LEVEL 4

char *an_h5i_strdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s ? s : "", n);
    return d;
}

hid_t an_h5i_str_type(size_t size)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0)
        return t;
    herr_t e = size ? H5Tset_size(t, size) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0
                    : H5Tset_size(t, H5T_VARIABLE) < 0;
    if (e || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return H5I_INVALID_HID;
    }
    return t;
}

/* ------------------------------------------------------------ attributes -- */

/* Create (replacing) and write one attribute. */
static int attr_write(hid_t obj, const char *name, hid_t type, hid_t space, const void *buf)
{
    if (H5Aexists(obj, name) > 0 && H5Adelete(obj, name) < 0)
        return SIM_EHDF5;
    hid_t a = H5Acreate2(obj, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    int st = a >= 0 && H5Awrite(a, type, buf) >= 0 ? SIM_OK : SIM_EHDF5;
    if (a >= 0)
        H5Aclose(a);
    return st;
}

int an_h5i_attr_strs(hid_t obj, const char *name, const char *const *strs, size_t n)
{
    int st = SIM_EHDF5;
    hsize_t dim = n;
    hid_t t = an_h5i_str_type(0);
    hid_t s = n ? H5Screate_simple(1, &dim, NULL) : H5Screate(H5S_SCALAR);
    if (t >= 0 && s >= 0)
        st = attr_write(obj, name, t, s, strs);
    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    return st;
}

int an_h5i_attr_str(hid_t obj, const char *name, const char *val)
{
    const char *v = val ? val : "";
    return an_h5i_attr_strs(obj, name, &v, 0);
}

int an_h5i_attr_num(hid_t obj, const char *name, hid_t type, const void *val)
{
    hid_t s = H5Screate(H5S_SCALAR);
    if (s < 0)
        return SIM_EHDF5;
    int st = attr_write(obj, name, type, s, val);
    H5Sclose(s);
    return st;
}

int an_h5i_attr_int(hid_t obj, const char *name, int v)
{
    return an_h5i_attr_num(obj, name, H5T_NATIVE_INT, &v);
}

int an_h5i_attr_u64(hid_t obj, const char *name, uint64_t v)
{
    return an_h5i_attr_num(obj, name, H5T_NATIVE_UINT64, &v);
}

int an_h5i_describe(hid_t obj, const char *units, const char *description)
{
    int st = an_h5i_attr_str(obj, "units", units);
    return st ? st : an_h5i_attr_str(obj, "description", description);
}

/* ------------------------------------------------------------ datasets -- */

hid_t an_h5i_dcpl(int rank, const hsize_t *dims, size_t elem_size, int force_chunk)
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

int an_h5i_dataset(hid_t loc, const char *name, hid_t ftype, hid_t mtype, hid_t space,
                   hid_t dcpl, const void *data, size_t n_elems, const char *units,
                   const char *description, hid_t *keep)
{
    hid_t d = H5Dcreate2(loc, name, ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (d < 0)
        return SIM_EHDF5;
    int st = SIM_EHDF5;
    if (!n_elems || H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0)
        st = an_h5i_describe(d, units, description);
    if (!st && keep)
        *keep = d;
    else
        H5Dclose(d);
    return st;
}

int an_h5i_write_array(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                       const void *data, const char *units, const char *description,
                       hid_t *keep)
{
    int st = SIM_EHDF5;
    hid_t s = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = an_h5i_dcpl(rank, dims, H5Tget_size(type), rank == 2);
    hsize_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    if (s >= 0 && dcpl >= 0)
        st = an_h5i_dataset(loc, name, type, type, s, dcpl, data, (size_t)n, units, description,
                            keep);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (s >= 0)
        H5Sclose(s);
    return st;
}

int an_h5i_create_array(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                        const void *fill, const char *units, const char *description, hid_t *out)
{
    int st = SIM_EHDF5;
    *out = H5I_INVALID_HID;
    hid_t s = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = an_h5i_dcpl(rank, dims, H5Tget_size(type), rank == 2);
    if (s >= 0 && dcpl >= 0 && H5Pset_fill_value(dcpl, type, fill) >= 0)
        st = an_h5i_dataset(loc, name, type, type, s, dcpl, NULL, 0, units, description, out);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (s >= 0)
        H5Sclose(s);
    return st;
}

int an_h5i_write_rows(hid_t d, hid_t type, hsize_t row, hsize_t n, const void *data)
{
    if (!n)
        return SIM_OK;
    hid_t fs = H5Dget_space(d);
    int rank = fs >= 0 ? H5Sget_simple_extent_ndims(fs) : -1;
    hsize_t dims[2] = {0, 0}, start[2] = {row, 0}, count[2] = {n, 0};
    hid_t ms = H5I_INVALID_HID;
    int st = SIM_EHDF5;
    if (rank >= 1 && rank <= 2 && H5Sget_simple_extent_dims(fs, dims, NULL) >= 0) {
        count[1] = dims[1];
        if (rank == 2 && !count[1]) {      /* rows of no columns: nothing to write */
            H5Sclose(fs);
            return SIM_OK;
        }
        ms = H5Screate_simple(rank, count, NULL);
        if (ms >= 0 && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0
            && H5Dwrite(d, type, ms, fs, H5P_DEFAULT, data) >= 0)
            st = SIM_OK;
    }
    if (ms >= 0)
        H5Sclose(ms);
    if (fs >= 0)
        H5Sclose(fs);
    return st;
}

int an_h5i_write_text(hid_t loc, const char *name, const char *text, const char *description)
{
    int st = SIM_EHDF5;
    hid_t t = an_h5i_str_type(0), s = H5Screate(H5S_SCALAR);
    const char *v = text ? text : "";
    if (t >= 0 && s >= 0)
        st = an_h5i_dataset(loc, name, t, t, s, H5P_DEFAULT, &v, 1, "text/yaml", description,
                            NULL);
    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    return st;
}

/* ------------------------------------------------------------ reading -- */

int an_h5i_exists(hid_t file, const char *path)
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

/* Attributes and datasets differ only in the calls that get the type and
 * read. */
static herr_t read_any(hid_t id, int is_attr, hid_t mt, void *buf)
{
    return is_attr ? H5Aread(id, mt, buf) : H5Dread(id, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
}

int an_h5i_read_str(hid_t id, int is_attr, char **out)
{
    *out = NULL;
    int st = SIM_EHDF5;
    hid_t ft = is_attr ? H5Aget_type(id) : H5Dget_type(id);
    hid_t mt = H5I_INVALID_HID;
    if (ft < 0 || H5Tget_class(ft) != H5T_STRING)
        goto out;
    if (H5Tis_variable_str(ft) > 0) {
        char *v = NULL;
        mt = an_h5i_str_type(0);
        if (mt >= 0 && read_any(id, is_attr, mt, &v) >= 0) {
            *out = an_h5i_strdup(v);
            H5free_memory(v);
            st = *out ? SIM_OK : SIM_ENOMEM;
        }
    } else {
        size_t n = H5Tget_size(ft);
        char *v = calloc(n + 2, 1);
        mt = an_h5i_str_type(n + 1);
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

/* Open attribute `name` of obj: SIM_ENOTFOUND when there is none. */
static int attr_open(hid_t obj, const char *name, hid_t *a)
{
    *a = H5I_INVALID_HID;
    if (H5Aexists(obj, name) <= 0)
        return SIM_ENOTFOUND;
    *a = H5Aopen(obj, name, H5P_DEFAULT);
    return *a >= 0 ? SIM_OK : SIM_EHDF5;
}

int an_h5i_read_attr_str(hid_t obj, const char *name, char **out)
{
    *out = NULL;
    hid_t a;
    int st = attr_open(obj, name, &a);
    if (st == SIM_OK) {
        st = an_h5i_read_str(a, 1, out);
        H5Aclose(a);
    }
    return st;
}

int an_h5i_read_attr_num(hid_t obj, const char *name, hid_t type, void *out)
{
    hid_t a;
    int st = attr_open(obj, name, &a);
    if (st == SIM_OK) {
        st = H5Aread(a, type, out) >= 0 ? SIM_OK : SIM_EHDF5;
        H5Aclose(a);
    }
    return st;
}

int an_h5i_read_attr_strs(hid_t obj, const char *name, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    hid_t a;
    int st = attr_open(obj, name, &a);
    if (st != SIM_OK)
        return st == SIM_ENOTFOUND ? SIM_OK : st;
    st = SIM_EHDF5;
    hid_t s = H5Aget_space(a);
    hid_t t = an_h5i_str_type(0);
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
        if (!((*out)[i] = an_h5i_strdup(v[i])))
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
    H5Aclose(a);
    return st;
}
