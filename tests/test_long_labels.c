/* A point's label (an alternative's changes or file name, a sweep point's
 * varied values, an optimise mix) is kept whole up to AN_LABEL_MAX - 1
 * bytes: printed, stored in the results file (label columns AN_LABEL_MAX
 * wide), read back and reported.  Labels used to be cut at 63 bytes (the
 * width of every string column), so two different alternatives printed
 * and were stored under one name.  A longer label is refused before any
 * work, never cut; two different scenarios never share a label; a file
 * written with 64-byte label columns still reads; tables of long labels
 * stay readable. */
#include "test_shell.h"

#include <hdf5.h>
#include "an_h5.h"
#include "an_summary.h"
#include "rf_params.h"
#include "rf_result.h"
#include "sim_status.h"
#include "study.h"
#include "test_h5_fixture.h"

static void setup(void) { ts_make_dir(); }
static void teardown(void) { ts_remove_dir(); }

static const char *county(void)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/scenarios/leicestershire-county.yaml", ts_root());
    return p;
}

/* The repro: two alternatives alike in their first 63 bytes. */
#define ALT_A "move_on.delay.mean=15,referrals.per_year=171,referrals.growth=0,spaces=30"
#define ALT_B "move_on.delay.mean=15,referrals.per_year=171,referrals.growth=0,spaces=60"

/* Every row's label of table `name` for point p is want. */
static void expect_table_labels(an_h5_file *f, const char *name, size_t p, const char *want)
{
    an_table *t;
    cr_assert_eq(an_h5_read_table(f, name, &t), SIM_OK, "%s", name);
    int cp = an_table_col(t, "point"), cl = an_table_col(t, "label");
    cr_assert(cp >= 0 && cl >= 0, "%s: point and label columns", name);
    size_t rows = 0;
    for (size_t r = 0; r < t->n_rows; r++)
        if (t->num[r * t->n_cols + (size_t)cp] == (double)p) {
            cr_expect_str_eq(t->str[r * t->n_cols + (size_t)cl], want, "%s, point %zu", name, p);
            rows++;
        }
    cr_expect_gt(rows, 0, "%s has rows of point %zu", name, p);
    an_table_free(t);
}

Test(long_labels, two_alternatives_alike_in_63_bytes_stay_apart, .init = setup, .fini = teardown,
     .timeout = 120)
{
    cr_assert_eq(ts_sh("cd '%s' && '%s' compare '%s' --vs '" ALT_A "' --vs '" ALT_B "' --reps 10 "
                       "--threads 2 -o dup2.h5", ts_dir, ts_prog(), county()), 0, "%s", ts_out);
    /* printed: each block headed by its whole label, and each table's
     * heading, wrapped, ends with what tells them apart */
    cr_expect(strstr(ts_out, ALT_A " against the baseline"), "%s", ts_out);
    cr_expect(strstr(ts_out, ALT_B " against the baseline"), "%s", ts_out);
    cr_expect(strstr(ts_out, "referrals.growth=0,spaces=30            difference"), "%s", ts_out);
    cr_expect(strstr(ts_out, "referrals.growth=0,spaces=60            difference"), "%s", ts_out);
    /* stored: every label column of the file, read back */
    char path[512];
    snprintf(path, sizeof path, "%s/dup2.h5", ts_dir);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(path, &f), SIM_OK);
    cr_assert_eq(an_h5_get_info(f)->n_points, 3);
    cr_expect_str_eq(an_h5_point_at(f, 0)->label, "baseline");
    cr_expect_str_eq(an_h5_point_at(f, 1)->label, ALT_A);
    cr_expect_str_eq(an_h5_point_at(f, 2)->label, ALT_B);
    expect_table_labels(f, "/summary", 1, ALT_A);
    expect_table_labels(f, "/summary", 2, ALT_B);
    expect_table_labels(f, "/comparison", 1, ALT_A);
    expect_table_labels(f, "/comparison", 2, ALT_B);
    an_point_summary ps;
    cr_assert_eq(an_h5_read_point_summary(f, 2, &ps), SIM_OK);
    cr_expect_str_eq(ps.label, ALT_B);
    an_point_summary_free(&ps);
    an_h5_close(f);
    /* the label columns are AN_LABEL_MAX wide (h5py reads the same) */
    if (ts_have_python("h5py"))
        cr_expect_eq(ts_sh("/usr/bin/python3 -c \"import h5py; f = h5py.File('%s'); "
                           "assert all(f[t].dtype['label'].itemsize == %d for t in "
                           "('point_table', 'summary', 'comparison')); "
                           "assert [l.decode() for l in f['point_table']['label']] == "
                           "['baseline', '" ALT_A "', '" ALT_B "']\"", path, AN_LABEL_MAX),
                     0, "%s", ts_out);
    /* reported: the tables, the page */
    cr_assert_eq(ts_sh("cd '%s' && '%s' report dup2.h5", ts_dir, ts_prog()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "Services, " ALT_A "\n"), "%s", ts_out);
    cr_expect(strstr(ts_out, "Services, " ALT_B "\n"), "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && '%s' report dup2.h5 --html page.html > /dev/null && "
                       "grep -c -F '" ALT_A "' page.html && grep -c -F '" ALT_B "' page.html",
                       ts_dir, ts_prog()), 0, "%s", ts_out);
}

/* A --vs of n bytes: move_on.delay.mean=15.000...0,spaces=30. */
static void vs_of(char *buf, size_t n)
{
    const char *head = "move_on.delay.mean=15.", *tail = ",spaces=30";
    size_t zeros = n - strlen(head) - strlen(tail);
    snprintf(buf, n + 1, "%s%0*d%s", head, (int)zeros, 0, tail);
    cr_assert_eq(strlen(buf), n);
}

Test(long_labels, a_label_of_the_limit_is_kept_and_one_byte_more_refused, .init = setup,
     .fini = teardown, .timeout = 120)
{
    char at[AN_LABEL_MAX + 8], over[AN_LABEL_MAX + 8];
    vs_of(at, AN_LABEL_MAX - 1);
    vs_of(over, AN_LABEL_MAX);
    cr_assert_eq(ts_sh("cd '%s' && '%s' compare '%s' --vs '%s' --reps 2 --threads 1 -o at.h5",
                       ts_dir, ts_prog(), county(), at), 0, "%s", ts_out);
    char path[512];
    snprintf(path, sizeof path, "%s/at.h5", ts_dir);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(path, &f), SIM_OK);
    cr_expect_str_eq(an_h5_point_at(f, 1)->label, at);
    expect_table_labels(f, "/comparison", 1, at);
    an_h5_close(f);
    /* one byte more: refused before any work, naming the alternative and
     * the limit, with the usage status */
    cr_expect_eq(ts_sh("cd '%s' && '%s' compare '%s' --vs '%s' --reps 2 --threads 1 -o over.h5",
                       ts_dir, ts_prog(), county(), over), 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "--vs 'move_on.delay.mean=15.000"), "%s", ts_out);
    cr_expect(strstr(ts_out, "(alternative 1)"), "%s", ts_out);
    cr_expect(strstr(ts_out, "is 256 bytes, more than the 255 a label can have"), "%s", ts_out);
    cr_expect(!strstr(ts_out, "against the baseline"), "nothing ran:\n%s", ts_out);
    cr_expect_neq(ts_sh("test -e '%s/over.h5'", ts_dir), 0, "no results file");
    /* a sweep point's label, made from its values, the same */
    char z[160];
    snprintf(z, sizeof z, "%0150d", 0);
    cr_expect_eq(ts_sh("cd '%s' && '%s' sweep '%s' --vary 'move_on.delay.mean=16,15.%s' "
                       "--vary 'referrals.per_year=150.%s' --reps 2 -o sweep.h5", ts_dir, ts_prog(),
                       county(), z, z), 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "sweep point 1's label, what varies at it ('mean=15.000"), "%s",
              ts_out);
    cr_expect(strstr(ts_out, "more than the 255 a label can have"), "%s", ts_out);
    cr_expect_neq(ts_sh("test -e '%s/sweep.h5'", ts_dir), 0, "no results file");
}

/* Two alternative files of one name in different folders, and one named
 * like the baseline's label: each labelled by its path as given, not both
 * "plan" (or a second "baseline"). */
Test(long_labels, alternatives_of_one_file_name_are_told_apart, .init = setup, .fini = teardown,
     .timeout = 120)
{
    cr_assert_eq(ts_sh("cd '%s' && mkdir a b && "
                       "printf 'extends: %s\\nreferrals: {per_year: 150}\\n' > a/plan.yaml && "
                       "printf 'extends: %s\\nreferrals: {per_year: 200}\\n' > b/plan.yaml && "
                       "printf 'extends: %s\\nreferrals: {per_year: 100}\\n' > baseline.yaml && "
                       "'%s' compare '%s' a/plan.yaml b/plan.yaml baseline.yaml --vs spaces=30 "
                       "--reps 2 --threads 1 -o files.h5", ts_dir, county(), county(), county(),
                       ts_prog(), county()), 0, "%s", ts_out);
    cr_expect(!strncmp(ts_out, "a/plan.yaml against the baseline", 32), "%s", ts_out);
    cr_expect(strstr(ts_out, "\nb/plan.yaml against the baseline"), "%s", ts_out);
    cr_expect(strstr(ts_out, "\nbaseline.yaml against the baseline"), "%s", ts_out);
    cr_expect(strstr(ts_out, "\nspaces=30 against the baseline"), "%s", ts_out);
    char path[512];
    snprintf(path, sizeof path, "%s/files.h5", ts_dir);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(path, &f), SIM_OK);
    static const char *const want[] = {"baseline", "a/plan.yaml", "b/plan.yaml", "baseline.yaml",
                                       "spaces=30"};
    cr_assert_eq(an_h5_get_info(f)->n_points, 5);
    for (size_t i = 0; i < 5; i++)
        cr_expect_str_eq(an_h5_point_at(f, i)->label, want[i], "point %zu", i);
    an_h5_close(f);
    /* a file name no other point has keeps its short label */
    cr_assert_eq(ts_sh("cd '%s' && '%s' compare '%s' a/plan.yaml --reps 2 --threads 1", ts_dir,
                       ts_prog(), county()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "plan against the baseline"), "%s", ts_out);
}

/* Whatever builds the points, two different scenarios under one label are
 * refused before anything runs (the same scenario twice may share it). */
Test(long_labels, two_different_points_never_share_a_label)
{
    static const char *const kv30[] = {"spaces=30"}, *const kv40[] = {"spaces=40"};
    rf_points_alt alts[3] = {{.label = "baseline"},
                             {.kv = kv30, .n_kv = 1, .label = "more"},
                             {.kv = kv40, .n_kv = 1, .label = "more"}};
    study_cfg cfg = {.points = {.scenario_path = county(), .reps = 2}, .alts = alts, .n_alts = 3,
                     .keep_summaries = 1, .threads = 1};
    study_error *err = malloc(sizeof *err);
    cr_assert_not_null(err);
    study *s = NULL;
    cr_expect_eq(study_open(&cfg, &s, err), SIM_EINVAL);
    cr_expect(err->input, "an input error (status 2)");
    cr_expect(strstr(err->message, "alternative 1 and alternative 2 are both labelled 'more' but "
                                   "are different scenarios"), "%s", err->message);
    cr_expect_null(s);
    alts[2].kv = kv30;          /* the same scenario twice: one label is right */
    cr_expect_eq(study_open(&cfg, &s, err), SIM_OK, "%s", err->message);
    study_free(s);
    free(err);
}

/* ------------------------------------------- files before the change -- */

typedef struct {
    hid_t to;
    int ok;
} attr_copy;

static herr_t copy_attr(hid_t loc, const char *name, const H5A_info_t *info, void *user)
{
    (void)info;
    attr_copy *c = user;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT), t = H5Aget_type(a), s = H5Aget_space(a);
    size_t n = (size_t)H5Sget_simple_extent_npoints(s) * H5Tget_size(t);
    void *buf = calloc(1, n + 16);
    hid_t b = H5Acreate2(c->to, name, t, s, H5P_DEFAULT, H5P_DEFAULT);
    c->ok &= buf && b >= 0 && H5Aread(a, t, buf) >= 0 && H5Awrite(b, t, buf) >= 0;
    if (H5Tdetect_class(t, H5T_VLEN) > 0 || H5Tis_variable_str(t) > 0)
        H5Dvlen_reclaim(t, s, H5P_DEFAULT, buf);
    free(buf);
    H5Aclose(b);
    H5Sclose(s);
    H5Tclose(t);
    H5Aclose(a);
    return 0;
}

/* Table `name` of the file at path rewritten as a program before labels
 * had their own limit wrote it: its label column `width` bytes wide (and,
 * when label is not NULL, row 1's label that), every attribute kept. */
static void rewrite_label_column(const char *path, const char *name, size_t width,
                                 const char *label)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), ft = H5Dget_type(d), sp = H5Dget_space(d);
    cr_assert(d >= 0 && ft >= 0 && sp >= 0);
    int nm = H5Tget_nmembers(ft);
    hid_t nt = H5Tcreate(H5T_COMPOUND, H5Tget_size(ft) + width);
    size_t off = 0, label_off = 0;
    for (int c = 0; c < nm; c++) {
        char *n = H5Tget_member_name(ft, (unsigned)c);
        hid_t mt = H5Tget_member_type(ft, (unsigned)c);
        if (!strcmp(n, "label")) {
            cr_assert_geq(H5Tset_size(mt, width), 0);
            label_off = off;
        }
        cr_assert_geq(H5Tinsert(nt, n, off, mt), 0);
        off += H5Tget_size(mt);
        H5Tclose(mt);
        H5free_memory(n);
    }
    cr_assert_geq(H5Tset_size(nt, off), 0);
    size_t rows = (size_t)H5Sget_simple_extent_npoints(sp);
    unsigned char *buf = calloc(rows + 1, off);
    cr_assert_geq(H5Dread(d, nt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
    if (label && rows > 1) {
        memset(buf + off + label_off, 0, width);
        memcpy(buf + off + label_off, label, strlen(label));
    }
    hsize_t dims[1] = {rows};
    hid_t fixed = H5Screate_simple(1, dims, NULL);   /* contiguous: the old rows, as they are */
    hid_t nd = H5Dcreate2(f, "rewritten", nt, fixed, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(nd, 0);
    cr_assert_geq(H5Dwrite(nd, nt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
    H5Sclose(fixed);
    attr_copy ac = {nd, 1};
    cr_assert_geq(H5Aiterate2(d, H5_INDEX_NAME, H5_ITER_INC, NULL, copy_attr, &ac), 0);
    cr_assert(ac.ok, "%s: attributes copied", name);
    free(buf);
    H5Dclose(nd);
    H5Tclose(nt);
    H5Sclose(sp);
    H5Tclose(ft);
    H5Dclose(d);
    cr_assert_geq(H5Ldelete(f, name, H5P_DEFAULT), 0);
    cr_assert_geq(H5Lmove(f, "rewritten", f, name, H5P_DEFAULT, H5P_DEFAULT), 0);
    cr_assert_geq(H5Fclose(f), 0);
}

static size_t label_width(const char *path, const char *name)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT), d = H5Dopen2(f, name, H5P_DEFAULT);
    hid_t t = H5Dget_type(d), m = H5Tget_member_type(t, (unsigned)H5Tget_member_index(t, "label"));
    size_t w = H5Tget_size(m);
    H5Tclose(m);
    H5Tclose(t);
    H5Dclose(d);
    H5Fclose(f);
    return w;
}

/* 63 bytes: the longest label a 64-byte column holds. */
#define ALT_63 "move_on.delay.mean=15,referrals.per_year=171,referrals.growth=0"

Test(long_labels, a_file_of_64_byte_label_columns_still_reads, .init = setup, .fini = teardown,
     .timeout = 120)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    cr_assert_eq(strlen(ALT_63), AN_NAME_MAX - 1);
    cr_assert_eq(ts_sh("cd '%s' && '%s' compare '%s' --vs '" ALT_63 "' --reps 2 --threads 1 "
                       "-o old.h5 > /dev/null", ts_dir, ts_prog(), county()), 0, "%s", ts_out);
    char path[512];
    snprintf(path, sizeof path, "%s/old.h5", ts_dir);
    static const char *const tables[] = {"/point_table", "/summary", "/comparison"};
    for (size_t k = 0; k < 3; k++) {
        rewrite_label_column(path, tables[k], AN_NAME_MAX, NULL);
        cr_assert_eq(label_width(path, tables[k]), AN_NAME_MAX, "%s", tables[k]);
    }
    an_h5_file *f;
    cr_assert_eq(an_h5_open(path, &f), SIM_OK);
    cr_expect_str_eq(an_h5_point_at(f, 1)->label, ALT_63);
    expect_table_labels(f, "/summary", 1, ALT_63);
    expect_table_labels(f, "/comparison", 1, ALT_63);
    an_point_summary ps;
    cr_assert_eq(an_h5_read_point_summary(f, 1, &ps), SIM_OK);
    cr_expect_str_eq(ps.label, ALT_63);
    an_point_summary_free(&ps);
    an_h5_close(f);
    cr_assert_eq(ts_sh("cd '%s' && '%s' report old.h5", ts_dir, ts_prog()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "Services, " ALT_63 "\n"), "%s", ts_out);
    /* rerun repeats it: the same labels and numbers in today's wider
     * columns are the same results */
    cr_assert_eq(ts_sh("cd '%s' && '%s' rerun old.h5 -o again.h5", ts_dir, ts_prog()), 0, "%s",
                 ts_out);
    cr_expect(strstr(ts_out, "identical to the stored results"), "%s", ts_out);
    snprintf(path, sizeof path, "%s/again.h5", ts_dir);
    cr_expect_eq(label_width(path, "/point_table"), AN_LABEL_MAX);
    /* a label the old file cut is a difference, not hidden by the widths */
    snprintf(path, sizeof path, "%s/old.h5", ts_dir);
    rewrite_label_column(path, "/comparison", AN_NAME_MAX, "move_on.delay.mean=15");
    cr_expect_eq(ts_sh("cd '%s' && '%s' rerun old.h5 -o again2.h5", ts_dir, ts_prog()), 1, "%s",
                 ts_out);
    cr_expect(strstr(ts_out, "DIFFERENT from the stored results: /comparison (its values differ, "
                             "from row 1)"), "%s", ts_out);
    /* a label column holding more than any label this program keeps is
     * not one of its files: refused, not cut */
    char big[AN_LABEL_MAX + 40];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rewrite_label_column(path, "/point_table", 2 * AN_LABEL_MAX, big);
    cr_expect_eq(an_h5_open(path, &f), SIM_EPARSE);
}

/* ------------------------------------------------------------ optimise -- */

Test(long_labels, optimise_stores_every_step_labelled_whole, .init = setup, .fini = teardown,
     .timeout = 120)
{
    cr_assert_eq(ts_sh("cd '%s' && '%s' optimise '%s/scenarios/example-county-candidates.yaml' "
                       "--budget 100000 --add 'standard,accessible unit,large family,male or pets,"
                       "dispersed flat' --target refused_of_eligible --reps 4 --max-reps 4 "
                       "--threads 1 -o mix.h5 > /dev/null", ts_dir, ts_prog(), ts_root()), 0, "%s",
                 ts_out);
    char path[512];
    snprintf(path, sizeof path, "%s/mix.h5", ts_dir);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(path, &f), SIM_OK);
    size_t n = an_h5_get_info(f)->n_points;
    cr_assert_geq(n, 2);
    for (size_t i = 0; i < n; i++) {
        const char *l = an_h5_point_at(f, i)->label;
        /* cut at 63 bytes they ended "..., mal" */
        cr_expect(strstr(l, ", male or pets=") && strstr(l, ", dispersed flat=")
                  && strlen(l) > 6 && !strcmp(l + strlen(l) - 7, "spaces)"), "step %zu: '%s'",
                  i, l);
    }
    an_h5_close(f);
}

Test(long_labels, optimise_refuses_steps_it_could_not_label_whole, .init = setup,
     .fini = teardown, .timeout = 120)
{
    /* the candidates' blocks renamed long: five of them do not fit a label */
    cr_assert_eq(ts_sh("cd '%s' && sed -e 's|^extends: |extends: %s/scenarios/|' "
                       "-e 's/name: \\([a-z ]*\\), units/name: \\1 of the new refuge in the north of "
                       "the county, units/' '%s/scenarios/example-county-candidates.yaml' > long.yaml"
                       " && grep -c 'of the new refuge' long.yaml", ts_dir, ts_root(), ts_root()), 0,
                 "%s", ts_out);
    const char *add = "--add 'standard of the new refuge in the north of the county,accessible "
                      "unit of the new refuge in the north of the county,large family of the new "
                      "refuge in the north of the county,male or pets of the new refuge in the "
                      "north of the county,dispersed flat of the new refuge in the north of the "
                      "county'";
    cr_expect_eq(ts_sh("cd '%s' && '%s' optimise long.yaml --budget 100000 %s --target "
                       "refused_of_eligible --reps 4 --max-reps 4 --threads 1 -o long.h5", ts_dir,
                       ts_prog(), add), 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "error: --add: the results file stores every step of the path "
                             "labelled by the units of each candidate"), "%s", ts_out);
    cr_expect(strstr(ts_out, "more than the 255 a label can have"), "%s", ts_out);
    cr_expect(!strstr(ts_out, "step 0"), "refused before anything ran:\n%s", ts_out);
    cr_expect_neq(ts_sh("test -e '%s/long.h5'", ts_dir), 0, "no results file");
    /* without a results file no label is stored: the search runs */
    cr_expect_eq(ts_sh("cd '%s' && '%s' optimise long.yaml --budget 100000 %s --target "
                       "refused_of_eligible --reps 4 --max-reps 4 --threads 1", ts_dir, ts_prog(),
                       add), 0, "%s", ts_out);
}

/* ------------------------------------------------------- printed tables -- */

static size_t widest_line(const char *s)
{
    size_t w = 0, cur = 0;
    for (; *s; s++) {
        if (*s == '\n') {
            w = cur > w ? cur : w;
            cur = 0;
        } else {
            cur += ((unsigned char)*s & 0xC0) != 0x80;
        }
    }
    return cur > w ? cur : w;
}

/* Three points side by side and seven one a row, each of a label of about
 * 200 bytes that differs from the others only at its end: each label's
 * parts are all shown, on lines of at most 40 columns, so the tables stay
 * as narrow as labels of 40 characters make them. */
Test(long_labels, printed_tables_wrap_long_labels_whole)
{
    rf_params p;
    rf_result r[3];
    fx_params(0, &p);
    for (int i = 0; i < 3; i++)
        fx_result(0, i, &r[i]);
    an_point_summary ps[7];
    char label[7][AN_LABEL_MAX];
    for (int i = 0; i < 7; i++) {
        snprintf(label[i], sizeof label[i],
                 "Brookes House=12, mean=15.25, per_year=171, growth=0.05, share_with_pets=0.25, "
                 "share_male=0.1, mean_stay=120, first_fit=best, max_wait_days=28, "
                 "support_needs=0.33, point=%d", i + 1);
        cr_assert_eq(an_point_summary_from_results(&ps[i], label[i], &p, r, NULL, 3), SIM_OK);
        cr_assert_str_eq(ps[i].label, label[i]);
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    an_print_summary(m, ps, 3, 0);
    fclose(m);
    /* Measure column (37), then three columns of at most 40 */
    cr_expect_leq(widest_line(buf), 37 + 3 * 42, "%s", buf);
    /* every part of every label, the last ones (what tells them apart) on
     * the headings' last line, above the rule */
    static const char *const parts[] = {
        "Brookes House=12, mean=15.25,", "per_year=171, growth=0.05,",
        "share_with_pets=0.25, share_male=0.1,", "mean_stay=120, first_fit=best,",
        "max_wait_days=28, support_needs=0.33,"};
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        size_t n = 0;
        for (const char *q = buf; (q = strstr(q, parts[k])); q++)
            n++;
        cr_expect_eq(n, 3, "'%s' once a point:\n%s", parts[k], buf);
    }
    const char *last = strstr(buf, "\nMeasure ");
    cr_assert_not_null(last, "%s", buf);
    const char *p1 = strstr(last, "point=1"), *p2 = strstr(last, "point=2"),
               *p3 = strstr(last, "point=3"), *rule = strstr(last, "\n-");
    cr_expect(p1 && p2 && p3 && rule && p1 < p2 && p2 < p3 && p3 < rule, "%s", buf);
    free(buf);
    m = open_memstream(&buf, &len);
    an_print_summary_rows(m, ps, 7);
    fclose(m);
    cr_expect_leq(widest_line(buf), 200, "%s", buf);
    /* each label on lines of its own, indented after the first (which has
     * the numbers) */
    for (int i = 0; i < 7; i++) {
        char whole[400];
        snprintf(whole, sizeof whole, "\n  per_year=171, growth=0.05,\n  share_with_pets=0.25, "
                 "share_male=0.1,\n  mean_stay=120, first_fit=best,\n  max_wait_days=28, "
                 "support_needs=0.33,\n  point=%d\n", i + 1);
        cr_expect(strstr(buf, whole), "point %d's label whole:\n%s", i + 1, buf);
    }
    cr_expect(strstr(buf, "\nBrookes House=12, mean=15.25,                 73.5% ± 0.7"), "%s",
              buf);
    free(buf);
    for (int i = 0; i < 7; i++)
        an_point_summary_free(&ps[i]);
}

/* run --vary prints the points side by side: two labels of 70 bytes that
 * differ in their last digit are both shown whole. */
Test(long_labels, run_vary_shows_long_labels_apart, .init = setup, .fini = teardown,
     .timeout = 120)
{
    char a[80], b[80];
    snprintf(a, sizeof a, "15.%060d1", 0);
    snprintf(b, sizeof b, "15.%060d2", 0);
    cr_assert_eq(ts_sh("'%s' run '%s' --vary 'move_on.delay.mean=%s,%s' --reps 2 --threads 1",
                       ts_prog(), county(), a, b), 0, "%s", ts_out);
    cr_expect_leq(widest_line(ts_out), 200, "%s", ts_out);
    /* wrapped at 40 columns: "mean=15.000...", "...0001" below */
    cr_expect(strstr(ts_out, "mean=15.00000000000000000000000000000000"), "%s", ts_out);
    cr_expect(strstr(ts_out, "00000000000000000000001  "), "%s", ts_out);
    cr_expect(strstr(ts_out, "00000000000000000000002\n"), "%s", ts_out);
}
