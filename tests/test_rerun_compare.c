/* rerun compares every dataset of the new results with the stored ones,
 * per-replication records included, not only the summaries (issue 17,
 * item 7): a file with one per-replication value altered and its
 * summaries kept is DIFFERENT, naming the dataset. */
#include "test_shell.h"

#include <hdf5.h>

/* Add delta to element (row, col) of a float64 dataset of rank 1 or 2. */
static void alter(const char *path, const char *dset, hsize_t row, hsize_t col, double delta)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t d = H5Dopen2(f, dset, H5P_DEFAULT);
    cr_assert_geq(d, 0, "%s", dset);
    hid_t fs = H5Dget_space(d);
    int rank = H5Sget_simple_extent_ndims(fs);
    hsize_t start[2] = {row, col}, count[2] = {1, 1};
    cr_assert_geq(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL), 0);
    hid_t ms = H5Screate_simple(rank, count, NULL);
    double v;
    cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &v), 0);
    v += delta;
    cr_assert_geq(H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, &v), 0);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Dclose(d);
    H5Fclose(f);
}

Test(rerun_compare, one_replication_value_altered, .timeout = 120)
{
    ts_make_dir();
    cr_assert_eq(ts_sh("cd '%s' && '%s' sweep '%s/scenarios/mmcc.yaml' --vary referrals.per_year=500,700 "
                       "--reps 4 -o a.h5", ts_dir, ts_prog(), ts_root()), 0, "%s", ts_out);
    /* untouched: identical, with -o and without (a scratch file, removed) */
    cr_assert_eq(ts_sh("cd '%s' && TMPDIR='%s' '%s' rerun a.h5 -o b.h5", ts_dir, ts_dir, ts_prog()),
                 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "identical to the stored results"), "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && TMPDIR='%s' '%s' rerun a.h5", ts_dir, ts_dir, ts_prog()), 0,
                 "%s", ts_out);
    cr_expect(strstr(ts_out, "identical to the stored results"), "%s", ts_out);
    cr_expect_eq(ts_sh("! ls '%s' | grep -q refugesim-rerun", ts_dir), 0, "scratch left: %s", ts_out);
    /* A monthly series (no summary is made of it) and a metric's
     * per-replication value (its summary kept as stored). */
    static const struct { const char *dset; hsize_t row, col; } cases[] = {
        {"/points/1/monthly/waiting", 2, 7}, {"/points/0/metrics/occupancy", 3, 0}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cr_assert_eq(ts_sh("cd '%s' && cp a.h5 c.h5", ts_dir), 0);
        char path[400];
        snprintf(path, sizeof path, "%s/c.h5", ts_dir);
        alter(path, cases[i].dset, cases[i].row, cases[i].col, 1e-9);
        for (int with_o = 0; with_o < 2; with_o++) {
            int rc = ts_sh("cd '%s' && TMPDIR='%s' '%s' rerun c.h5 %s", ts_dir, ts_dir, ts_prog(),
                           with_o ? "-o d.h5 --force" : "");
            cr_expect_eq(rc, 1, "%s: exit %d: %s", cases[i].dset, rc, ts_out);
            char want[300];
            snprintf(want, sizeof want, "DIFFERENT from the stored results: %s (its values differ, "
                     "from row %llu)", cases[i].dset, (unsigned long long)cases[i].row);
            cr_expect(strstr(ts_out, want), "%s: wanted '%s' in: %s", cases[i].dset, want, ts_out);
            cr_expect(!strstr(ts_out, "identical"), "%s", ts_out);
        }
    }
    cr_expect_eq(ts_sh("! ls '%s' | grep -q refugesim-rerun", ts_dir), 0, "scratch left: %s", ts_out);
    ts_remove_dir();
}
