/* Parts of a sweep (sweep --points) and their merge: the merged file is the
 * same bits as one sweep of the whole grid (tests/py/same_results.py and
 * h5diff), whatever the order of the parts, and merge refuses, naming the
 * problem, parts that are not of one sweep, not complete, or do not hold
 * every point exactly once. */
#include "test_h5_fixture.h"
#include "test_shell.h"

#include <sys/stat.h>
#include "study_merge.h"

/* ---------------------------------------------- fabricated parts (API) -- */

#define GRID 5
#define REPS 3

static const char *const m_keys[1] = {"services[0].units"};
static const char m_scenario[] = "name: merge test\nreplications: 3\n";
static rf_params m_params[2];
static rf_result m_res[GRID][REPS];
static double m_vary[GRID][1];
static char m_dir[64];

static void m_setup(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    fx_tmpdir(m_dir, sizeof m_dir);
    for (int p = 0; p < 2; p++)
        fx_params(p, &m_params[p]);
    for (int p = 0; p < GRID; p++) {
        m_vary[p][0] = 10 + p;
        for (int r = 0; r < REPS; r++) {
            fx_result(p % 2, r, &m_res[p][r]);
            m_res[p][r].referrals += (uint64_t)p;  /* every point its own numbers */
        }
    }
}

static void m_teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", m_dir);
    cr_expect_eq(system(cmd), 0);
}

static const char *m_path(const char *name)
{
    static char p[8][128];
    static int k;
    k = (k + 1) % 8;
    snprintf(p[k], sizeof p[k], "%s/%s", m_dir, name);
    return p[k];
}

typedef struct {
    uint64_t seed, digest, grid;
    const char *scenario;
    const char *const *keys;
    size_t n_reps;
    int complete;
} m_opts;

static m_opts m_default(void)
{
    return (m_opts){.seed = 7, .digest = 0x1234, .grid = GRID, .scenario = m_scenario,
                    .keys = m_keys, .n_reps = REPS, .complete = 1};
}

/* Grid points first..last as a part (part = 0: the whole grid, a sweep). */
static void m_write(const char *name, size_t first, size_t last, int part, const m_opts *o)
{
    an_part pa = {.first = first, .last = last, .grid_points = o->grid, .digest = o->digest};
    an_run_info info = {.scenario_text = o->scenario, .command_line = "test", .seed = o->seed,
                        .threads = 1, .ranks = 1, .n_vary = 1, .vary_keys = o->keys,
                        .n_points = last - first + 1, .part = part ? &pa : NULL};
    an_h5_writer *w;
    cr_assert_eq(an_h5_create(m_path(name), &info, 1, &w), SIM_OK);
    for (size_t j = 0; j <= last - first; j++) {
        size_t p = first + j;
        an_point pt = {.params = &m_params[p % 2], .vary_values = m_vary[p], .n_reps = o->n_reps,
                       .results = m_res[p], .scenario_text = p == 3 ? "name: point 3\n" : NULL};
        cr_assert_eq(an_h5_put_point(w, j, &pt), SIM_OK);
    }
    cr_assert_eq(an_h5_commit(w, o->complete), SIM_OK);
}

static void m_part(const char *name, size_t first, size_t last)
{
    m_opts o = m_default();
    m_write(name, first, last, 1, &o);
}

/* Merge the named parts into out.h5: the status, and err. */
static int m_merge(study_error *err, int n, ...)
{
    const char *parts[8];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++)
        parts[i] = m_path(va_arg(ap, const char *));
    va_end(ap);
    study_merge_cfg cfg = {.parts = parts, .n_parts = (size_t)n, .out_path = m_path("out.h5"),
                           .force = 1, .command_line = "refugesim merge"};
    study_merged done;
    return study_merge(&cfg, &done, err);
}

static int m_same(const char *a, const char *b)
{
    return ts_sh("/usr/bin/python3 '%s/tests/py/same_results.py' '%s' '%s'", ts_root(), a, b);
}

/* h5diff over everything but the root's attributes (the creation time and
 * command line differ by design; same_results.py compares the others). */
static int m_h5diff(const char *a, const char *b)
{
    return ts_sh("for o in /scenario /point_table /summary /points; do h5diff '%s' '%s' $o $o "
                 "|| exit 1; done", a, b);
}

static void need_tools(void)
{
    if (!ts_have_python("h5py"))
        cr_skip_test("h5py is missing (make deps)");
    if (system("command -v h5diff > /dev/null") != 0)
        cr_skip_test("h5diff is missing (make deps installs hdf5-tools)");
}

Test(merge, parts_in_any_order_give_the_single_file, .init = m_setup, .fini = m_teardown)
{
    need_tools();
    m_opts o = m_default();
    m_write("all.h5", 0, GRID - 1, 0, &o);
    m_part("a.h5", 0, 0);
    m_part("b.h5", 1, 3);
    m_part("c.h5", 4, 4);
    study_error err;
    cr_assert_eq(m_merge(&err, 3, "c.h5", "a.h5", "b.h5"), SIM_OK, "%s", err.message);
    cr_expect_eq(m_same(m_path("all.h5"), m_path("out.h5")), 0, "%s", ts_out);
    cr_expect_eq(m_h5diff(m_path("all.h5"), m_path("out.h5")), 0, "%s", ts_out);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(m_path("out.h5"), &f), SIM_OK);
    cr_expect_eq(an_h5_get_info(f)->is_part, 0, "the merged file is no part");
    cr_expect_eq(an_h5_get_info(f)->n_points, GRID);
    cr_expect_eq(an_h5_get_info(f)->complete, 1);
    cr_expect_str_eq(an_h5_get_info(f)->command_line, "refugesim merge");
    an_h5_close(f);
    /* one part holding the whole grid is a copy of it */
    m_part("whole.h5", 0, GRID - 1);
    cr_assert_eq(m_merge(&err, 1, "whole.h5"), SIM_OK, "%s", err.message);
    cr_expect_eq(m_same(m_path("all.h5"), m_path("out.h5")), 0, "%s", ts_out);
}

/* Merge fails with an input error whose message holds every `want`, and
 * writes nothing. */
static void m_refused(study_error *err, const char *want1, const char *want2)
{
    cr_expect_eq(err->input, 1, "%s", err->message);
    cr_expect(strstr(err->message, want1), "'%s' not in: %s", want1, err->message);
    cr_expect(!want2 || strstr(err->message, want2), "'%s' not in: %s", want2, err->message);
    struct stat st;
    cr_expect_neq(stat(m_path("out.h5"), &st), 0, "a refused merge wrote %s", m_path("out.h5"));
}

#define REFUSED(w1, w2, ...)                                                   \
    do {                                                                       \
        study_error e;                                                         \
        cr_expect_neq(m_merge(&e, __VA_ARGS__), SIM_OK, "merged: " #__VA_ARGS__); \
        m_refused(&e, w1, w2);                                                 \
    } while (0)

Test(merge, every_point_exactly_once, .init = m_setup, .fini = m_teardown)
{
    m_part("a.h5", 0, 1);
    m_part("b.h5", 1, 3);
    m_part("c.h5", 2, 4);
    m_part("d.h5", 4, 4);
    m_part("e.h5", 3, 3);
    REFUSED("points 1 to 1 are in both", "a.h5", 3, "b.h5", "a.h5", "d.h5");
    REFUSED("points 2 to 3 are in both", "c.h5", 2, "c.h5", "b.h5");
    REFUSED("points 2 to 2 ", "in no part given", 3, "a.h5", "e.h5", "d.h5");
    REFUSED("points 0 to 0, 4 to 4 of the grid's 5 are in no part given", NULL, 1, "b.h5");
    REFUSED("points 0 to 1 are in both", NULL, 2, "a.h5", "a.h5");
}

Test(merge, parts_of_one_sweep_only, .init = m_setup, .fini = m_teardown)
{
    m_part("a.h5", 0, 1);
    m_part("b.h5", 2, 4);
    m_opts o = m_default();
    o.seed = 8;
    m_write("seed.h5", 2, 4, 1, &o);
    REFUSED("a.h5 has seed 7", "seed.h5 seed 8", 2, "a.h5", "seed.h5");
    o = m_default();
    o.grid = 6;
    m_write("grid.h5", 2, 4, 1, &o);
    REFUSED("grid of 5 points", "grid.h5 of one of 6", 2, "a.h5", "grid.h5");
    o = m_default();
    static const char *const other[1] = {"referrals.per_year"};
    o.keys = other;
    m_write("keys.h5", 2, 4, 1, &o);
    REFUSED("a.h5 varies services[0].units", "keys.h5 varies referrals.per_year", 2, "a.h5",
            "keys.h5");
    o = m_default();
    o.n_reps = 2;
    m_write("reps.h5", 2, 4, 1, &o);
    REFUSED("a.h5 has 3 replications per point", "reps.h5 2", 2, "a.h5", "reps.h5");
    o = m_default();
    o.scenario = "name: merge test\nreplications: 3\nhorizon: 10\n";
    m_write("text.h5", 2, 4, 1, &o);
    REFUSED("different scenarios", "from line 3", 2, "a.h5", "text.h5");
    o = m_default();
    o.digest = 0x99;
    m_write("digest.h5", 2, 4, 1, &o);
    REFUSED("different inputs", "sweep_digest 0000000000001234 and 0000000000000099", 2, "a.h5",
            "digest.h5");
    o = m_default();
    m_write("sweep.h5", 0, 1, 0, &o);
    REFUSED("sweep.h5: not a part of a sweep", "--points", 2, "sweep.h5", "b.h5");
    o.complete = 0;
    m_write("cut.h5", 2, 4, 1, &o);
    REFUSED("cut.h5 is incomplete", "--resume", 2, "a.h5", "cut.h5");
    REFUSED("nothing.h5: no such file", NULL, 2, "a.h5", "nothing.h5");
    /* another build: its git_commit */
    hid_t f = H5Fopen(m_path("b.h5"), H5F_ACC_RDWR, H5P_DEFAULT);
    cr_assert_geq(f, 0);
    hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR);
    cr_assert_geq(H5Tset_size(t, H5T_VARIABLE), 0);
    const char *commit = "0123456789ab\033[2J";   /* a terminal escape: printed as '?' */
    cr_assert_geq(H5Adelete(f, "git_commit"), 0);
    hid_t a = H5Acreate2(f, "git_commit", t, sp, H5P_DEFAULT, H5P_DEFAULT);
    cr_assert_geq(H5Awrite(a, t, &commit), 0);
    H5Aclose(a);
    H5Sclose(sp);
    H5Tclose(t);
    H5Fclose(f);
    REFUSED("b.h5 by 0.1.0 (0123456789ab?[2J): the parts of a sweep come from one build", NULL, 2,
            "a.h5", "b.h5");
}

/* ------------------------------------------------ the program, end to end -- */

#define COUNTY "'%s/scenarios/leicestershire-county.yaml'"
/* 12 points (6 x 2), the per-year values giving each point its own scenario */
#define GRID_ARGS "--vary spaces=10:60:10 --vary referrals.per_year=150,200 --reps 6 --set horizon=200"

Test(merge, sweep_points_then_merge_is_one_sweep, .init = ts_make_dir, .fini = ts_remove_dir,
     .timeout = 300)
{
    need_tools();
    cr_assert_eq(ts_sh("cd '%s' && %s sweep " COUNTY " " GRID_ARGS " -o all.h5 > /dev/null && "
                       "%s sweep " COUNTY " " GRID_ARGS " --points 5:11 -o p2.h5 --threads 1 && "
                       "%s sweep " COUNTY " " GRID_ARGS " --points 0:4 -o p1.h5 > /dev/null && "
                       "%s merge p2.h5 p1.h5 -o merged.h5", ts_dir, ts_prog(), ts_root(),
                       ts_prog(), ts_root(), ts_prog(), ts_root(), ts_prog()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "results written to p2.h5\n"), "%s", ts_out);
    cr_expect(strstr(ts_out, "results written to merged.h5 (12 points from 2 parts)\n"), "%s",
              ts_out);
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/all.h5", ts_dir);
    snprintf(b, sizeof b, "%s/merged.h5", ts_dir);
    cr_expect_eq(m_same(a, b), 0, "%s", ts_out);
    cr_expect_eq(m_h5diff(a, b), 0, "%s", ts_out);
    /* a part is a results file of its own: its points 0.. are the grid's 5.. */
    cr_assert_eq(ts_sh("cd '%s' && /usr/bin/python3 -c \"import h5py; f=h5py.File('p2.h5'); "
                       "a=f.attrs; print(a['part_first'], a['part_last'], a['grid_points'], "
                       "a['n_points'], f['point_table']['label'][0].decode())\" && %s report p2.h5 "
                       "| head -n 4 | tail -n 1", ts_dir, ts_prog()), 0, "%s", ts_out);
    cr_expect(!strcmp(ts_out, "5 11 12 7 spaces=30, per_year=200\nOverall (one row a point)\n"),
              "%s", ts_out);
}

Test(merge, bad_ranges_and_parts_exit_2_naming_the_problem, .init = ts_make_dir,
     .fini = ts_remove_dir, .timeout = 300)
{
    static const struct {
        const char *args, *want;
    } bad[] = {
        {"--points 5:12", "--points 5:12: the grid has 12 points, numbered 0 to 11"},
        {"--points 12:12", "the grid has 12 points"},
        {"--points 4:3", "--points 4:3: FROM must not be after TO"},
        {"--points 3", "--points: expected FROM:TO"},
        {"--points -1:3", "--points FROM: expected a whole number"},
        {"--points a:3", "--points FROM: expected a whole number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_expect_eq(ts_sh("cd '%s' && %s sweep " COUNTY " " GRID_ARGS " %s -o x.h5", ts_dir,
                           ts_prog(), ts_root(), bad[i].args), 2, "%s: %s", bad[i].args, ts_out);
        cr_expect(strstr(ts_out, bad[i].want), "%s: %s", bad[i].args, ts_out);
    }
    cr_expect_eq(ts_sh("cd '%s' && ls", ts_dir), 0);
    cr_expect_str_eq(ts_out, "", "a refused sweep wrote something");
    cr_expect_eq(ts_sh("%s run --points 0:1", ts_prog()), 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "--points is for sweeps"), "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && %s sweep " COUNTY " " GRID_ARGS " --points 0:5 -o p1.h5 && "
                       "%s sweep " COUNTY " " GRID_ARGS " --points 5:11 -o p2.h5 && %s sweep "
                       COUNTY " " GRID_ARGS " -o all.h5", ts_dir, ts_prog(), ts_root(), ts_prog(),
                       ts_root(), ts_prog(), ts_root()), 0, "%s", ts_out);
    static const struct {
        const char *args, *want;
    } refused[] = {
        {"p1.h5 p2.h5 -o m.h5", "points 5 to 5 are in both p1.h5 and p2.h5"},
        {"p2.h5 -o m.h5", "points 0 to 4 of the grid's 12 are in no part given"},
        {"all.h5 -o m.h5", "all.h5: not a part of a sweep"},
        {"p1.h5 -o p2.h5", "p2.h5 exists: use --force"},
        {"p1.h5 -o m.txt", "results files are HDF5"},
        {"p1.h5 -o no/m.h5", "no/m.h5: the directory does not exist"},
        {"p1.h5", "-o ALL.h5 is required"},
        {"-o m.h5", "expected the parts"},
        {"missing.h5 -o m.h5", "missing.h5: no such file"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        cr_expect_eq(ts_sh("cd '%s' && %s merge %s", ts_dir, ts_prog(), refused[i].args), 2,
                     "%s: %s", refused[i].args, ts_out);
        cr_expect(strstr(ts_out, refused[i].want), "%s: %s", refused[i].args, ts_out);
    }
    cr_expect_eq(ts_sh("test -e '%s/m.h5'", ts_dir), 1, "a refused merge wrote m.h5");
}

/* A part's sweep stopped by SIGTERM resumes (--resume) to the part an
 * uninterrupted run writes, and merges to the single sweep's file. */
Test(merge, a_stopped_part_resumes_and_merges, .init = ts_make_dir, .fini = ts_remove_dir,
     .timeout = 300)
{
    need_tools();
#define LONG "--vary spaces=10:200:10 --reps 40 --set horizon=365"
    cr_assert_eq(ts_sh("cd '%s' && %s sweep " COUNTY " " LONG " -o all.h5 > /dev/null && "
                       "%s sweep " COUNTY " " LONG " --points 0:2 -o p1.h5 > /dev/null",
                       ts_dir, ts_prog(), ts_root(), ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && { %s sweep " COUNTY " " LONG " --points 3:19 --threads 1 "
                       "-o p2.h5 > p2.log 2>&1 & pid=$!; n=0; while [ $(ls p2.h5.ckpt 2>/dev/null "
                       "| grep -c bin) -lt 2 ] && [ $n -lt 30000 ]; do sleep 0.002; n=$((n+1)); "
                       "done; kill -TERM $pid; wait $pid; echo \"status $?\"; }", ts_dir,
                       ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_assert_str_eq(ts_out, "status 1\n", "the part's sweep finished before the SIGTERM, or "
                     "did not stop: make it longer");
    cr_assert_eq(ts_sh("cd '%s' && %s merge p1.h5 p2.h5 -o m.h5", ts_dir, ts_prog()), 2, "%s",
                 ts_out);
    cr_expect(strstr(ts_out, "p2.h5 is incomplete (interrupted: "), "%s", ts_out);
    cr_assert_eq(ts_sh("{ cd '%s' && %s sweep " COUNTY " " LONG " --points 3:19 --resume -o p2.h5 "
                       "&& %s merge p2.h5 p1.h5 -o m.h5; }", ts_dir, ts_prog(), ts_root(),
                       ts_prog()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "resuming: "), "%s", ts_out);
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/all.h5", ts_dir);
    snprintf(b, sizeof b, "%s/m.h5", ts_dir);
    cr_expect_eq(m_same(a, b), 0, "%s", ts_out);
    cr_expect_eq(m_h5diff(a, b), 0, "%s", ts_out);
}
