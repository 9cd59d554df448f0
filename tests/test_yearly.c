/* Results by year in the results file: /points/<i>/yearly/<metric>
 * [replications x years] adds up to the whole horizon's figures, and
 * /points/<i>/yearly_summary pools each year as the summary pools the
 * horizon.  (The model's yearly counts are checked against the totals and
 * the monthly series in test_model_rules.c.) */
#include "test_shell.h"

#include <hdf5.h>
#include <math.h>
#include "an_h5.h"
#include "sim_status.h"

static double *read_2d(hid_t f, const char *path, hsize_t dims[2])
{
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    cr_assert_geq(d, 0, "%s", path);
    hid_t sp = H5Dget_space(d);
    cr_assert_eq(H5Sget_simple_extent_ndims(sp), 2);
    H5Sget_simple_extent_dims(sp, dims, NULL);
    double *v = malloc((dims[0] * dims[1] + 1) * sizeof *v);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    H5Sclose(sp);
    H5Dclose(d);
    return v;
}

static double *read_1d(hid_t f, const char *path, size_t n)
{
    double *v = malloc((n + 1) * sizeof *v);
    hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
    cr_assert_geq(d, 0, "%s", path);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v), 0);
    H5Dclose(d);
    return v;
}

Test(yearly, years_in_the_file_add_up_to_the_whole)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    ts_make_dir();
    /* 1000 days: two years and a part-year; a waiting list so waits count */
    cr_assert_eq(ts_sh("'%s' run '%s/scenarios/leicestershire-county.yaml' --reps 6 --set horizon=1000 "
                       "--set waiting.p_wait=0.5 --by-year -o '%s/y.h5'", ts_prog(), ts_root(), ts_dir), 0,
                 "%s", ts_out);
    cr_expect(strstr(ts_out, "By year, 21 spaces") && strstr(ts_out, "Year 3"), "%s", ts_out);
    char path[512];
    snprintf(path, sizeof path, "%s/y.h5", ts_dir);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hsize_t dims[2];
    double *yref = read_2d(f, "/points/0/yearly/referrals", dims);
    cr_assert_eq(dims[0], 6u);
    cr_assert_eq(dims[1], 3u);
    double *ref = read_1d(f, "/points/0/metrics/referrals", 6);
    const char *shares[] = {"placed", "refused_no_space", "no_suitable_unit", "screened_out",
                            "abandoned", "waiting_at_end"};
    double share_sum[6] = {0};
    for (size_t k = 0; k < 6; k++) {
        char p[128];
        snprintf(p, sizeof p, "/points/0/yearly/%s", shares[k]);
        double *ys = read_2d(f, p, dims);
        snprintf(p, sizeof p, "/points/0/metrics/%s", shares[k]);
        double *tot = read_1d(f, p, 6);
        for (size_t r = 0; r < 6; r++) {
            double count = 0;
            for (size_t y = 0; y < 3; y++)
                count += ys[r * 3 + y] * yref[r * 3 + y];   /* a year's share of its referrals */
            cr_expect(fabs(count - tot[r] * ref[r]) < 1e-9 * ref[r], "%s rep %zu: %g vs %g",
                      shares[k], r, count, tot[r] * ref[r]);
            share_sum[r] += count;
        }
        free(ys);
        free(tot);
    }
    for (size_t r = 0; r < 6; r++) {
        double s = 0;
        for (size_t y = 0; y < 3; y++)
            s += yref[r * 3 + y];
        cr_expect_eq(s, ref[r], "rep %zu: years' referrals %g, whole %g", r, s, ref[r]);
        cr_expect(fabs(share_sum[r] - ref[r]) < 1e-9 * ref[r], "every outcome once");
    }
    free(yref);
    free(ref);
    H5Fclose(f);
    /* the yearly summary: one row per year and metric kept by year, pooled */
    an_h5_file *h;
    cr_assert_eq(an_h5_open(path, &h), SIM_OK);
    an_table *t;
    cr_assert_eq(an_h5_read_table(h, "/points/0/yearly_summary", &t), SIM_OK);
    int cy = an_table_col(t, "year"), cm = an_table_col(t, "metric"), cd = an_table_col(t, "days");
    cr_assert(cy >= 0 && cm >= 0 && cd >= 0);
    double days = 0;
    for (size_t r = 0; r < t->n_rows; r++)
        if (!strcmp(t->str[r * t->n_cols + (size_t)cm], "referrals"))
            days += t->num[r * t->n_cols + (size_t)cd];
    cr_expect_eq(days, 1000.0);
    cr_expect_eq(t->num[(t->n_rows - 1) * t->n_cols + (size_t)cy], 3.0);
    an_table_free(t);
    an_h5_close(h);
    ts_remove_dir();
}
