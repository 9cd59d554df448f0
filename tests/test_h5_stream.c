/* A point written piece by piece (issue 17 item 12): the results file's
 * point group is the same, dataset for dataset, whether its replications
 * come at once (an_h5_put_point) or a piece at a time (an_h5_point_begin /
 * _add / _end, pieces of any size, with the summary built chunk by chunk);
 * a point begun and never ended leaves nothing half written; and a
 * checkpoint written as its records come is the file ex_ckpt_write makes,
 * read back a piece at a time, refused when damaged. */
#include <criterion/criterion.h>
#include <errno.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "an_h5.h"
#include "an_summary.h"
#include "ex_ckpt.h"
#include "rf_model.h"
#include "rf_scenario.h"
#include "sim_status.h"
#include "test_shell.h"


#define N 23

static rf_scenario *scen;
static rf_result *res;
static unsigned char done[N];

/* Replications 0 .. N-1 of the county over two years (so a yearly table
 * of two rows), replications 5 and 17 not done. */
static void make_records(void)
{
    ts_make_dir();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/leicestershire-county.yaml", ts_root());
    const char *sets[] = {"horizon=730", "warmup=0"};
    cr_assert_eq(rf_scenario_load_file(path, sets, 2, &scen, NULL), SIM_OK);
    res = calloc(N, sizeof *res);
    cr_assert_not_null(res);
    for (size_t r = 0; r < N; r++) {
        cr_assert_eq(rf_model_run(rf_scenario_params(scen), r, &res[r]), SIM_OK);
        done[r] = r != 5 && r != 17;
    }
}

static void free_records(void)
{
    free(res);
    rf_scenario_free(scen);
    ts_remove_dir();
}

static an_h5_writer *start(const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", ts_dir, name);
    an_run_info info = {.scenario_text = "name: county\n", .command_line = "refugesim test",
                        .seed = 1, .threads = 1, .ranks = 1, .n_points = 2};
    an_h5_writer *w = NULL;
    cr_assert_eq(an_h5_create(path, &info, 0, &w), SIM_OK);
    return w;
}

static an_point header(void)
{
    return (an_point){.params = rf_scenario_params(scen), .n_reps = N, .label = "21 spaces",
                      .scenario_text = "name: county\nunits: 21\n"};
}

Test(h5_stream, pieces_give_the_same_point, .init = make_records,
     .fini = free_records)
{
    an_h5_writer *w = start("whole.h5");
    an_point pt = header();
    pt.results = res;
    pt.done = done;
    cr_assert_eq(an_h5_put_point(w, 0, &pt), SIM_OK);
    cr_assert_eq(an_h5_commit(w, 0), SIM_OK);

    /* the summary and the file's pieces cut differently */
    an_summary_builder *b = NULL;
    cr_assert_eq(an_summary_build_begin(&b, "21 spaces", rf_scenario_params(scen), N, 0, 1), SIM_OK);
    cr_assert_eq(an_summary_build_add(b, res, NULL, sizeof *res, done, 10), SIM_OK);
    cr_assert_eq(an_summary_build_add(b, res + 10, NULL, sizeof *res, done + 10, N - 10), SIM_OK);
    an_point_summary ps;
    cr_assert_eq(an_summary_build_end(b, &ps), SIM_OK);
    cr_assert_not_null(ps.years);
    cr_assert_eq(ps.years->n_years, 2);
    w = start("pieces.h5");
    an_point hd = header();
    cr_assert_eq(an_h5_point_begin(w, 0, &hd), SIM_OK);
    cr_assert_eq(an_h5_point_begin(w, 1, &hd), SIM_EINVAL, "one point at a time");
    cr_assert_eq(an_h5_point_add(w, 4, 6, res + 4, sizeof *res, done + 4), SIM_EINVAL,
                 "out of replication order");
    const size_t cuts[][2] = {{0, 4}, {4, 1}, {5, 15}};
    for (size_t k = 0; k < 3; k++)
        cr_assert_eq(an_h5_point_add(w, cuts[k][0], cuts[k][1], res + cuts[k][0], sizeof *res,
                                     done + cuts[k][0]), SIM_OK);
    cr_assert_eq(an_h5_point_add(w, 20, 4, res + 20, sizeof *res, NULL), SIM_EINVAL,
                 "past the point's replications");
    cr_assert_eq(an_h5_point_add(w, 20, 3, res + 20, sizeof *res, done + 20), SIM_OK);
    cr_assert_eq(an_h5_point_end(w, &hd, &ps), SIM_OK);
    cr_assert_eq(an_h5_commit(w, 0), SIM_OK);
    an_point_summary_free(&ps);

    /* every dataset and attribute of the point, and the file's tables */
    const char *objs[] = {"/points/0", "/point_table", "/summary"};
    for (size_t k = 0; k < 3; k++)
        cr_assert_eq(ts_sh("h5diff '%s/whole.h5' '%s/pieces.h5' %s %s", ts_dir, ts_dir, objs[k],
                           objs[k]), 0, "%s differs:\n%s", objs[k], ts_out);
    char path[512];
    snprintf(path, sizeof path, "%s/pieces.h5", ts_dir);
    an_h5_file *f = NULL;
    cr_assert_eq(an_h5_open(path, &f), SIM_OK);
    cr_expect_eq(an_h5_point_at(f, 0)->reps_done, N - 2);
    cr_expect_eq(an_h5_point_at(f, 0)->n_reps, N);
    an_h5_close(f);
    /* and h5diff can tell: the same point with a replication more differs */
    w = start("more.h5");
    done[5] = 1;
    cr_assert_eq(an_h5_put_point(w, 0, &pt), SIM_OK);
    cr_assert_eq(an_h5_commit(w, 0), SIM_OK);
    cr_assert_neq(ts_sh("h5diff '%s/more.h5' '%s/pieces.h5' /points/0 /points/0", ts_dir, ts_dir),
                  0, "%s", ts_out);
}

Test(h5_stream, a_point_begun_and_not_ended_is_left_out, .init = make_records,
     .fini = free_records)
{
    an_h5_writer *w = start("half.h5");
    an_point hd = header();
    cr_assert_eq(an_h5_point_begin(w, 1, &hd), SIM_OK);
    cr_assert_eq(an_h5_point_add(w, 0, 8, res, sizeof *res, done), SIM_OK);
    cr_assert_eq(an_h5_commit(w, 0), SIM_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/half.h5", ts_dir);
    an_h5_file *f = NULL;
    cr_assert_eq(an_h5_open(path, &f), SIM_OK);
    cr_expect_eq(an_h5_get_info(f)->complete, 0);
    an_h5_close(f);
    cr_assert_neq(ts_sh("h5ls '%s/half.h5/points/1'", ts_dir), 0, "a half point stayed: %s", ts_out);
}

/* Checkpoints: n_reps records of 40 bytes. */
#define CK_REPS 1000
#define CK_SIZE 40

static void ck_records(unsigned char *recs)
{
    for (size_t i = 0; i < CK_REPS * CK_SIZE; i++)
        recs[i] = (unsigned char)(i * 2654435761u >> 13);
}

static int file_bytes(const char *path, unsigned char **buf, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    struct stat st;
    fstat(fileno(f), &st);
    *n = (size_t)st.st_size;
    *buf = malloc(*n + 1);
    size_t got = fread(*buf, 1, *n, f);
    fclose(f);
    return got == *n ? 0 : -1;
}

Test(h5_stream, a_checkpoint_written_as_records_come_is_the_whole_points_file,
     .init = ts_make_dir, .fini = ts_remove_dir)
{
    static unsigned char recs[CK_REPS * CK_SIZE], back[CK_REPS * CK_SIZE], ones[CK_REPS];
    ck_records(recs);
    memset(ones, 1, sizeof ones);
    char a[512], b[512], path[4200];
    snprintf(a, sizeof a, "%s/a", ts_dir);
    snprintf(b, sizeof b, "%s/b", ts_dir);
    ex_ckpt ca, cb;
    cr_assert_eq(ex_ckpt_init(&ca, a, 77, CK_REPS, CK_SIZE), SIM_OK);
    cr_assert_eq(ex_ckpt_init(&cb, b, 77, CK_REPS, CK_SIZE), SIM_OK);
    cr_assert_eq(ex_ckpt_make_dir(&ca), SIM_OK);
    cr_assert_eq(ex_ckpt_make_dir(&cb), SIM_OK);
    cr_assert_eq(ex_ckpt_write(&ca, 3, ones, recs), SIM_OK);
    ex_ckpt_stream s;
    cr_assert_eq(ex_ckpt_stream_begin(&cb, 3, &s), SIM_OK);
    for (size_t first = 0; first < CK_REPS; first += 256) {
        size_t k = CK_REPS - first < 256 ? CK_REPS - first : 256;
        cr_assert_eq(ex_ckpt_stream_add(&s, recs + first * CK_SIZE, k), SIM_OK);
    }
    cr_assert_eq(ex_ckpt_stream_end(&s, 1), SIM_OK);
    unsigned char *x, *y;
    size_t nx, ny;
    ex_ckpt_point_path(&ca, 3, path, sizeof path);
    cr_assert_eq(file_bytes(path, &x, &nx), 0);
    ex_ckpt_point_path(&cb, 3, path, sizeof path);
    cr_assert_eq(file_bytes(path, &y, &ny), 0);
    cr_assert(nx == ny && !memcmp(x, y, nx), "the streamed checkpoint differs");
    free(x);
    /* read back a piece at a time */
    ex_ckpt_reader r;
    cr_assert_eq(ex_ckpt_open(&cb, 3, &r), SIM_OK);
    cr_assert_eq(ex_ckpt_get(&r, 0, 600, back), SIM_OK);
    cr_assert_eq(ex_ckpt_get(&r, 600, 400, back + 600 * CK_SIZE), SIM_OK);
    cr_assert_eq(ex_ckpt_get(&r, 900, 200, back), SIM_EINVAL);
    ex_ckpt_close(&r);
    cr_assert(!memcmp(back, recs, sizeof recs));
    /* another run's key, no file, a damaged byte */
    ex_ckpt other;
    cr_assert_eq(ex_ckpt_init(&other, b, 78, CK_REPS, CK_SIZE), SIM_OK);
    cr_assert_eq(ex_ckpt_open(&other, 3, &r), SIM_EINVAL);
    cr_assert_eq(ex_ckpt_open(&cb, 4, &r), SIM_ENOTFOUND);
    y[ny / 2] ^= 1;
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(y, 1, ny, f), ny);
    fclose(f);
    free(y);
    cr_assert_eq(ex_ckpt_open(&cb, 3, &r), SIM_EPARSE, "a damaged checkpoint must be refused");
    /* a stream dropped (the point did not complete) leaves nothing */
    cr_assert_eq(ex_ckpt_stream_begin(&cb, 5, &s), SIM_OK);
    cr_assert_eq(ex_ckpt_stream_add(&s, recs, 100), SIM_OK);
    cr_assert_eq(ex_ckpt_stream_end(&s, 0), SIM_OK);
    cr_assert_eq(ex_ckpt_open(&cb, 5, &r), SIM_ENOTFOUND);
    cr_assert_eq(ts_sh("! ls -a '%s' | grep tmp", b), 0, "a temporary file stayed: %s", ts_out);
    /* nor does one ended early with keep */
    cr_assert_eq(ex_ckpt_stream_begin(&cb, 6, &s), SIM_OK);
    cr_assert_eq(ex_ckpt_stream_add(&s, recs, 100), SIM_OK);
    cr_assert_eq(ex_ckpt_stream_end(&s, 1), SIM_EIO, "not every replication was added");
    cr_assert_eq(ex_ckpt_open(&cb, 6, &r), SIM_ENOTFOUND);
}
