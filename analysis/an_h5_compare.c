/* an_h5_compare: every dataset of two results files, bit for bit (see
 * an_h5.h, an_h5_compare_data). */
#include "an_h5.h"
#include "an_h5_base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include "sim_status.h"

/* Rows read at once: memory stays bounded whatever the replications. */
#define SLAB_BYTES ((size_t)4 << 20)

typedef struct {
    hid_t a, b;                   /* the stored file, the new one */
    int other_way;                /* visiting b for datasets a lacks */
    an_h5_difference *first;
    size_t compared;
    int status;                   /* SIM_OK, or the failure that stopped the visit */
} walk;

static int differ(walk *w, const char *name, const char *why, size_t row)
{
    snprintf(w->first->dataset, sizeof w->first->dataset, "/%s", name);
    snprintf(w->first->why, sizeof w->first->why, "%s", why);
    w->first->row = row;
    w->first->found = 1;
    return 1;                     /* stops H5Lvisit */
}

/* Scalar text (the scenarios): as strings, whatever their storage. */
static int compare_text(walk *w, const char *name, hid_t da, hid_t db)
{
    char *sa = NULL, *sb = NULL;
    int st = an_h5i_read_str(da, 0, &sa), rc = 0;
    if (st == SIM_OK)
        st = an_h5i_read_str(db, 0, &sb);
    if (st != SIM_OK)
        w->status = st, rc = -1;
    else if (strcmp(sa, sb))
        rc = differ(w, name, "its text differs", 0);
    free(sa);
    free(sb);
    return rc;
}

/* Both datasets as stored (file type as memory type: no conversion),
 * SLAB_BYTES of rows at a time. */
static int compare_values(walk *w, const char *name, hid_t da, hid_t db, hid_t type, hid_t space)
{
    int rank = H5Sget_simple_extent_ndims(space);
    hsize_t dims[H5S_MAX_RANK] = {0};
    if (rank < 0 || H5Sget_simple_extent_dims(space, dims, NULL) < 0)
        return w->status = SIM_EHDF5, -1;
    size_t elem = H5Tget_size(type), row_elems = 1;
    for (int k = 1; k < rank; k++)
        row_elems *= (size_t)dims[k];
    size_t rows = rank ? (size_t)dims[0] : 1, row_bytes = elem * row_elems;
    if (!row_bytes || !rows)
        return 0;
    size_t per = SLAB_BYTES / row_bytes ? SLAB_BYTES / row_bytes : 1;
    if (per > rows)
        per = rows;
    unsigned char *ba = calloc(per, row_bytes), *bb = calloc(per, row_bytes);
    int rc = 0;
    if (!ba || !bb) {
        w->status = SIM_ENOMEM;
        rc = -1;
    }
    for (size_t r0 = 0; rc == 0 && r0 < rows; r0 += per) {
        hsize_t n = rows - r0 < per ? rows - r0 : per;
        hsize_t start[H5S_MAX_RANK] = {r0}, count[H5S_MAX_RANK] = {n};
        for (int k = 1; k < rank; k++)
            count[k] = dims[k];
        hid_t fs = rank ? H5Scopy(space) : H5S_ALL, ms = rank ? H5Screate_simple(rank, count, NULL)
                                                             : H5S_ALL;
        int ok = (!rank || (fs >= 0 && ms >= 0
                            && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0))
                 && H5Dread(da, type, ms, fs, H5P_DEFAULT, ba) >= 0
                 && H5Dread(db, type, ms, fs, H5P_DEFAULT, bb) >= 0;
        if (rank) {
            if (ms >= 0)
                H5Sclose(ms);
            if (fs >= 0)
                H5Sclose(fs);
        }
        if (!ok) {
            w->status = SIM_EHDF5;
            rc = -1;
            break;
        }
        for (size_t r = 0; r < n; r++)
            if (memcmp(ba + r * row_bytes, bb + r * row_bytes, row_bytes)) {
                rc = differ(w, name, "its values differ", r0 + r);
                break;
            }
    }
    free(ba);
    free(bb);
    return rc;
}

/* Whether compound types a and b differ only in the widths of fixed-length
 * string members (a file written before labels had their own limit keeps
 * them AN_NAME_MAX wide, today's AN_LABEL_MAX): then a memory type holding
 * every member at the wider of the two, to read both as, so that their
 * values are compared, not their storage; else H5I_INVALID_HID. */
static hid_t common_type(hid_t a, hid_t b)
{
    if (H5Tget_class(a) != H5T_COMPOUND || H5Tget_class(b) != H5T_COMPOUND)
        return H5I_INVALID_HID;
    int n = H5Tget_nmembers(a);
    if (n <= 0 || n != H5Tget_nmembers(b))
        return H5I_INVALID_HID;
    hid_t *mt = calloc((size_t)n, sizeof *mt);
    size_t size = 0;
    int ok = mt != NULL;
    for (int c = 0; ok && c < n; c++) {
        char *na = H5Tget_member_name(a, (unsigned)c), *nb = H5Tget_member_name(b, (unsigned)c);
        hid_t ta = H5Tget_member_type(a, (unsigned)c), tb = H5Tget_member_type(b, (unsigned)c);
        ok = na && nb && ta >= 0 && tb >= 0 && !strcmp(na, nb);
        if (ok && H5Tequal(ta, tb) > 0) {
            mt[c] = H5Tcopy(ta);
        } else if (ok && H5Tget_class(ta) == H5T_STRING && H5Tget_class(tb) == H5T_STRING
                   && H5Tis_variable_str(ta) == 0 && H5Tis_variable_str(tb) == 0) {
            size_t sa = H5Tget_size(ta), sb = H5Tget_size(tb);
            mt[c] = H5Tcopy(sa >= sb ? ta : tb);
        } else {
            ok = 0;
        }
        ok = ok && mt[c] >= 0;
        size += ok ? H5Tget_size(mt[c]) : 0;
        H5free_memory(na);
        H5free_memory(nb);
        if (ta >= 0)
            H5Tclose(ta);
        if (tb >= 0)
            H5Tclose(tb);
    }
    hid_t t = ok ? H5Tcreate(H5T_COMPOUND, size) : H5I_INVALID_HID;
    size_t off = 0;
    for (int c = 0; t >= 0 && c < n; c++) {
        char *nm = H5Tget_member_name(a, (unsigned)c);
        if (!nm || H5Tinsert(t, nm, off, mt[c]) < 0) {
            H5Tclose(t);
            t = H5I_INVALID_HID;
        }
        H5free_memory(nm);
        off += H5Tget_size(mt[c]);
    }
    for (int c = 0; mt && c < n; c++)
        if (mt[c] > 0)
            H5Tclose(mt[c]);
    free(mt);
    return t;
}

static int compare_dataset(walk *w, const char *name, hid_t da, hid_t db)
{
    hid_t ta = H5Dget_type(da), tb = H5Dget_type(db);
    hid_t sa = H5Dget_space(da), sb = H5Dget_space(db);
    int rc;
    hsize_t na[H5S_MAX_RANK] = {0}, nb[H5S_MAX_RANK] = {0};
    int ra = sa >= 0 ? H5Sget_simple_extent_dims(sa, na, NULL) : -1;
    int rb = sb >= 0 ? H5Sget_simple_extent_dims(sb, nb, NULL) : -1;
    if (ta < 0 || tb < 0 || ra < 0 || rb < 0) {
        w->status = SIM_EHDF5;
        rc = -1;
    } else if (H5Tequal(ta, tb) <= 0) {
        hid_t common = common_type(ta, tb);
        if (common < 0)
            rc = differ(w, name, "its type differs", 0);
        else if (ra != rb || memcmp(na, nb, sizeof na))
            rc = differ(w, name, "its shape differs", 0);
        else
            rc = compare_values(w, name, da, db, common, sa);
        if (common >= 0)
            H5Tclose(common);
    } else if (ra != rb || memcmp(na, nb, sizeof na)) {
        rc = differ(w, name, "its shape differs", 0);
    } else if (H5Tis_variable_str(ta) > 0 && ra == 0) {
        rc = compare_text(w, name, da, db);
    } else if (H5Tdetect_class(ta, H5T_VLEN) > 0 || H5Tis_variable_str(ta) > 0) {
        rc = differ(w, name, "it holds variable-length data, not compared", 0);
    } else {
        rc = compare_values(w, name, da, db, ta, sa);
    }
    if (rc == 0)
        w->compared++;
    if (ta >= 0)
        H5Tclose(ta);
    if (tb >= 0)
        H5Tclose(tb);
    if (sa >= 0)
        H5Sclose(sa);
    if (sb >= 0)
        H5Sclose(sb);
    return rc;
}

static herr_t visit(hid_t loc, const char *name, const H5L_info_t *info, void *p)
{
    (void)loc;
    (void)info;
    walk *w = p;
    hid_t from = w->other_way ? w->b : w->a, to = w->other_way ? w->a : w->b;
    H5O_info_t oi;
    if (H5Oget_info_by_name(from, name, &oi, H5P_DEFAULT) < 0)
        return w->status = SIM_EHDF5, -1;
    if (oi.type != H5O_TYPE_DATASET)
        return 0;
    if (H5Lexists(to, name, H5P_DEFAULT) <= 0
        || H5Oget_info_by_name(to, name, &oi, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_DATASET)
        return differ(w, name, w->other_way ? "it is not in the stored file"
                                            : "it is missing from the new file", 0);
    if (w->other_way)
        return 0;                 /* compared on the first way */
    hid_t da = H5Dopen2(w->a, name, H5P_DEFAULT), db = H5Dopen2(w->b, name, H5P_DEFAULT);
    int rc = da >= 0 && db >= 0 ? compare_dataset(w, name, da, db) : (w->status = SIM_EHDF5, -1);
    if (db >= 0)
        H5Dclose(db);
    if (da >= 0)
        H5Dclose(da);
    return rc;
}

int an_h5_compare_data(an_h5_file *stored, an_h5_file *now, an_h5_difference *first,
                       size_t *n_compared)
{
    memset(first, 0, sizeof *first);
    walk w = {.a = an_h5i_reader_file(stored), .b = an_h5i_reader_file(now), .first = first};
    for (w.other_way = 0; w.other_way < 2 && !first->found; w.other_way++) {
        herr_t e = H5Lvisit(w.other_way ? w.b : w.a, H5_INDEX_NAME, H5_ITER_INC, visit, &w);
        if (w.status != SIM_OK)
            return w.status;
        if (e < 0)
            return SIM_EHDF5;
    }
    if (n_compared)
        *n_compared = w.compared;
    return SIM_OK;
}
