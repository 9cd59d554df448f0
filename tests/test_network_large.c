/* A network of hundreds of areas: 400 on a 20 x 20 grid 10 km apart (plane
 * coordinates), placements within 25 km, units in every other area (25
 * services of 8 blocks).  The scenario format takes it; every origin's
 * search list holds exactly its acceptable areas, nearest first; every
 * referral has one outcome in its area and nationally, and the flows add
 * up to them; records are the same bits on 1 and 2 threads, and through
 * `run` the results file is the same on 1 and 2 threads; a record's size
 * is the documented bound (rf_result.h): sizeof(rf_result) + 400 x
 * sizeof(rf_area_result) + 4 x (acceptable pairs), under 70,000 bytes. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "an_h5.h"
#include "an_network_view.h"
#include "rf_model.h"
#include "rf_network.h"
#include "rf_scenario.h"
#include "sim_runner.h"
#include "sim_status.h"
#include "grid_network.h"
#include "test_shell.h"

enum { SIDE = 20, N = SIDE * SIDE, REPS = 4 };
#define STEP_KM GRID_STEP_KM
#define MAX_KM GRID_MAX_KM

static char yaml[1 << 17];

static const char *grid_yaml(void)
{
    size_t k = grid_network_yaml(yaml, sizeof yaml, SIDE, REPS, 3000, 365);
    cr_assert_lt(k, sizeof yaml - 1, "the scenario fits");
    return yaml;
}

static rf_scenario *load_grid(void)
{
    rf_diags d;
    rf_scenario *s = NULL;
    int rc = rf_scenario_load_text(grid_yaml(), "grid.yaml", NULL, 0, &s, &d);
    for (int i = 0; rc && i < d.n; i++) {
        char line[1024];
        rf_diag_format(&d.items[i], line, sizeof line);
        cr_log_error("%s", line);
    }
    cr_assert_eq(rc, SIM_OK, "the 400-area scenario loads");
    return s;
}

static int a_has_units(int a) { return (a / SIDE + a % SIDE) % 2 == 0; }

static double km(int a, int b)
{
    return hypot(STEP_KM * (a / SIDE - b / SIDE), STEP_KM * (a % SIDE - b % SIDE));
}

Test(network_large, search_lists_are_the_acceptable_areas_nearest_first)
{
    rf_scenario *s = load_grid();
    const rf_params *p = rf_scenario_params(s);
    cr_assert_eq(p->n_areas, N);
    rf_net *net;
    cr_assert_eq(rf_net_create(p, NULL, 0, NULL, &net), SIM_OK);
    for (int o = 0; o < N; o++)
        for (int leave = 0; leave < 2; leave++) {
            int k;
            const uint16_t *v = rf_net_search(net, o, leave, &k);
            int expect = 0;
            for (int b = 0; b < N; b++)
                expect += (b != o || !leave) && km(o, b) <= MAX_KM;
            cr_assert_eq(k, expect, "origin %d leave %d: only the acceptable areas", o, leave);
            if (!leave)
                cr_assert_eq(v[0], o, "its own area first");
            for (int i = !leave; i + 1 < k; i++) {
                double x = rf_net_km(net, o, v[i]), y = rf_net_km(net, o, v[i + 1]);
                cr_assert(x < y || (x == y && v[i] < v[i + 1]), "origin %d: nearest first, ties "
                          "in scenario order", o);
            }
            for (int i = 0; i < k; i++)
                cr_assert(rf_net_accepts(net, o, leave, v[i]));
        }
    rf_net_free(net);
    rf_scenario_free(s);
}

static uint64_t acceptable_pairs(void)
{
    uint64_t n = 0;
    for (int o = 0; o < N; o++)
        for (int b = 0; b < N; b++)
            n += km(o, b) <= MAX_KM;
    return n;
}

Test(network_large, a_record_is_the_areas_and_the_acceptable_pairs)
{
    rf_scenario *s = load_grid();
    size_t bytes = rf_net_record_bytes(rf_scenario_params(s));
    size_t bound = N * sizeof(rf_area_result) + 4 * acceptable_pairs();
    cr_assert_geq(bytes, bound);
    cr_assert_leq(bytes, bound + 7);
    cr_assert_lt(sizeof(rf_result) + bytes, 70000, "%zu bytes a record", sizeof(rf_result) + bytes);
    cr_log_info("400 areas: %zu bytes a record (%zu of them the network's)",
                sizeof(rf_result) + bytes, bytes);
    rf_scenario_free(s);
}

/* REPS replications of p on threads; shared: the point's network tables
 * built once (rf_model_record_ctx_open), else by every replication. */
static unsigned char *run_threads(const rf_params *p, int threads, size_t *rec, int shared)
{
    *rec = sizeof(rf_result) + rf_net_record_bytes(p);
    unsigned char *r = calloc(REPS, *rec);
    cr_assert_not_null(r);
    rf_model_record_ctx ctx = {p, *rec, NULL};
    if (shared) {
        cr_assert_eq(rf_model_record_ctx_open(&ctx, p, *rec), SIM_OK);
        cr_assert_not_null(ctx.net);
    }
    sim_runner_cfg cfg = {.n_reps = REPS, .result_size = *rec, .threads = threads};
    uint64_t failed;
    cr_assert_eq(sim_runner_run(&cfg, rf_model_run_record, &ctx, r, NULL, &failed), SIM_OK);
    rf_model_record_ctx_close(&ctx);
    return r;
}

/* The same bits on 1 and 2 threads, and with the network's tables built
 * once for the point (shared, read-only, by both threads) or by every
 * replication. */
Test(network_large, conservation_and_the_same_bits_on_one_and_two_threads, .timeout = 120)
{
    rf_scenario *s = load_grid();
    const rf_params *p = rf_scenario_params(s);
    size_t rec;
    unsigned char *one = run_threads(p, 1, &rec, 0), *two = run_threads(p, 2, &rec, 1);
    cr_assert(memcmp(one, two, REPS * rec) == 0, "the same bits on 1 and 2 threads, tables shared");
    unsigned char *own = run_threads(p, 2, &rec, 0);
    cr_assert(memcmp(one, own, REPS * rec) == 0, "the same bits with every replication's own tables");
    free(own);
    rf_flow_layout l;
    cr_assert_eq(rf_net_flow_layout(p, &l), SIM_OK);
    uint64_t *into = calloc(N, sizeof *into), *from_else = calloc(N, sizeof *from_else);
    for (int r = 0; r < REPS; r++) {
        const rf_result *x = (const rf_result *)(one + (size_t)r * rec);
        const void *net = one + (size_t)r * rec + sizeof(rf_result);
        const rf_area_result *ar = rf_net_record_areas_c(net);
        const uint32_t *fl = rf_net_record_flows_c(net, &l);
        cr_assert_eq(x->n_areas, N);
        memset(into, 0, N * sizeof *into);
        memset(from_else, 0, N * sizeof *from_else);
        uint64_t refs = 0, outcomes[RF_OUT_N] = {0}, flows = 0, away = 0;
        int units = 0;
        for (int o = 0; o < N; o++) {
            uint64_t sum = 0, row = 0;
            for (int k = 0; k < RF_OUT_N; k++) {
                sum += ar[o].outcomes[k];
                outcomes[k] += ar[o].outcomes[k];
            }
            cr_assert_eq(sum, ar[o].referrals, "area %d: one outcome each", o);
            refs += ar[o].referrals;
            units += ar[o].units;
            for (size_t c = l.row[o]; c < l.row[o + 1]; c++) {
                cr_assert_leq(km(o, l.dest[c]), MAX_KM, "cells only where placements may go");
                row += fl[c];
                into[l.dest[c]] += fl[c];
                from_else[l.dest[c]] += l.dest[c] != o ? fl[c] : 0;
                away += l.dest[c] != o ? fl[c] : 0;
            }
            cr_assert_eq(row, (uint64_t)ar[o].outcomes[RF_OUT_PLACED_IMMEDIATELY]
                                  + ar[o].outcomes[RF_OUT_PLACED_AFTER_WAIT], "area %d's placed", o);
            flows += row;
        }
        for (int d = 0; d < N; d++) {
            cr_assert_eq(into[d], ar[d].placed_in, "placements into area %d", d);
            cr_assert_eq(from_else[d], ar[d].placed_in_from_elsewhere, "area %d from elsewhere", d);
            cr_assert_eq(ar[d].units, (a_has_units(d) ? 3 : 0), "area %d's units", d);
        }
        cr_assert_eq(units, 600);
        cr_assert_eq(refs, x->referrals, "every referral has an origin");
        for (int k = 0; k < RF_OUT_N; k++)
            cr_assert_eq(outcomes[k], x->outcomes[k], "outcome %d nationally", k);
        cr_assert_eq(flows, x->outcomes[RF_OUT_PLACED_IMMEDIATELY] + x->outcomes[RF_OUT_PLACED_AFTER_WAIT]);
        cr_assert_gt(away, 0);
        cr_assert_gt(x->referrals, 2000);
    }
    free(into);
    free(from_else);
    rf_flow_layout_free(&l);
    free(one);
    free(two);
    rf_scenario_free(s);
}

/* The grid's scenario as ts_dir/grid.yaml, its path into path. */
static void write_grid(char *path, size_t size)
{
    snprintf(path, size, "%s/grid.yaml", ts_dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(grid_yaml(), f);
    fclose(f);
}

/* Through the program: the study's records of a network (rf_result and
 * the network's record apart) give the same results file on 1 and 2
 * threads; the flows table lists the acceptable pairs only. */
Test(network_large, run_writes_the_same_file_on_one_and_two_threads, .timeout = 300)
{
    ts_make_dir();
    char path[512];
    write_grid(path, sizeof path);
    for (int t = 1; t <= 2; t++) {
        cr_assert_eq(ts_sh("cd '%s' && '%s' run '%s' --reps 2 --threads %d -o '%s/t%d.h5' > /dev/null "
                           "&& '%s' report '%s/t%d.h5' --csv '%s/csv%d' > /dev/null", ts_root(),
                           ts_prog(), path, t, ts_dir, t, ts_prog(), ts_dir, t, ts_dir, t),
                     0, "%s", ts_out);
    }
    const char *tables[] = {"areas", "flows", "area_summary", "flow_summary", "replications"};
    for (size_t k = 0; k < sizeof tables / sizeof tables[0]; k++)
        cr_assert_eq(ts_sh("cmp '%s/csv1/%s.csv' '%s/csv2/%s.csv'", ts_dir, tables[k], ts_dir,
                           tables[k]), 0, "%s: %s", tables[k], ts_out);
    cr_assert_eq(ts_sh("test $(($(wc -l < '%s/csv1/flows.csv') - 1)) -eq %llu", ts_dir,
                       (unsigned long long)(2 * acceptable_pairs())), 0, "flows rows: %s", ts_out);
    ts_remove_dir();
}

/* A sweep of England's network over MPI ranks (the records of 9 areas and
 * their flows travel between ranks as bytes) is the same bits as one
 * process: 3 ranks on small chunks against 1 process on 2 threads. */
Test(network_large, england_sweep_over_mpi_gives_the_single_process_bits, .timeout = 300)
{
    const char *mpi = getenv("RS_MPI_PROGRAM");
    if (!mpi || !*mpi || access(mpi, X_OK) != 0)
        cr_skip_test("no MPI build (make MPI=1) to test");
    if (!ts_have_python("h5py"))
        cr_skip_test("h5py is missing (make deps)");
    ts_make_dir();
#define ENGLAND "'%s/scenarios/england.yaml' --vary 'services[0].units=204,304' --reps 12 " \
                "--set horizon=730 --set warmup=180"
    cr_assert_eq(ts_sh("'%s' sweep " ENGLAND " --threads 2 -o '%s/one.h5'", ts_prog(), ts_root(),
                       ts_dir), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
                       "OMPI_MCA_btl=self,vader mpirun -n 3 --oversubscribe '%s' sweep " ENGLAND
                       " --threads 1 --chunk 2 -o '%s/three.h5'", mpi, ts_root(), ts_dir), 0,
                 "%s", ts_out);
#undef ENGLAND
    cr_assert_eq(ts_sh("/usr/bin/python3 '%s/tests/py/same_results.py' '%s/one.h5' '%s/three.h5'",
                       ts_root(), ts_dir, ts_dir), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("/usr/bin/python3 -c \"import h5py; f = h5py.File('%s/three.h5'); "
                       "print(f.attrs['ranks'], len(f['points/1/flows']))\"", ts_dir), 0, "%s", ts_out);
    cr_assert_str_eq(ts_out, "3 924\n", "3 ranks; 12 replications x 77 pairs within 400 km: %s", ts_out);
    ts_remove_dir();
}

/* rerun of a compare file of a network repeats its points and its tables,
 * /comparison_areas included: identical. */
Test(network_large, rerun_of_a_network_compare_is_identical, .timeout = 300)
{
    if (!ts_have_python("h5py"))
        cr_skip_test("h5py is missing (make deps)");
    ts_make_dir();
    cr_assert_eq(ts_sh("cd '%s' && '%s' compare '%s/scenarios/east-midlands.yaml' --vs "
                       "'services[3].units=70' --reps 3 --set horizon=365 -o c.h5 > /dev/null && "
                       "'%s' rerun c.h5", ts_dir, ts_prog(), ts_root(), ts_prog()), 0, "%s", ts_out);
    cr_assert(strstr(ts_out, "identical to the stored results"), "%s", ts_out);
    cr_assert_eq(ts_sh("/usr/bin/python3 -c \"import h5py; f = h5py.File('%s/c.h5'); "
                       "print(len(f['comparison_areas']))\"", ts_dir), 0, "%s", ts_out);
    cr_assert_str_eq(ts_out, "44\n", "11 rows (all areas and 10) x 4 measures: %s", ts_out);
    ts_remove_dir();
}

/* More than AN_FLOW_MATRIX_MAX areas: `run` prints the 30 largest flows,
 * largest first (ties in the order of the layout), the ones the results
 * file's flow_summary ranks first, and says how many flows with any
 * placement it leaves out and how many placements a year they hold. */
Test(network_large, run_prints_the_largest_flows_and_what_is_left_out, .timeout = 300)
{
    ts_make_dir();
    char path[512];
    write_grid(path, sizeof path);
    cr_assert_eq(ts_sh("cd '%s' && '%s' run grid.yaml --reps 2 -o g.h5 > run.txt && '%s' report g.h5 "
                       "--csv csv > /dev/null", ts_dir, ts_prog(), ts_prog()), 0, "%s", ts_out);
    /* the printed rows' (from, to) against flow_summary's largest 30 */
    cr_assert_eq(ts_sh("cd '%s' && sed -n '/^The largest flows of placements a year between the 400 "
                       "areas/,/^the 30 largest/p' run.txt | sed '1,3d;$d' | awk '{print $1, $2}' > "
                       "printed && wc -l < printed && awk -F, 'NR > 1 && $4 > 0 {print $2, $3, $4}' "
                       "csv/flow_summary.csv | sort -s -k3,3gr | head -n 30 | awk '{print $1, $2}' > "
                       "ranked && cmp printed ranked", ts_dir), 0, "%s", ts_out);
    cr_expect_eq(atoi(ts_out), AN_FLOW_TOP, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && awk -F, 'NR > 1 && $4 > 0 {print $4}' csv/flow_summary.csv | "
                       "sort -gr | awk 'NR > 30 {s += $1} END {printf \"the other %%d (%%.1f\\n\", NR - 30, "
                       "s}'", ts_dir), 0, "%s", ts_out);
    char want[128], text[1 << 12];
    int other = 0;
    double left = 0, printed_left = 0;
    cr_assert_eq(sscanf(ts_out, "the other %d (%lf", &other, &left), 2, "%s", ts_out);
    snprintf(want, sizeof want, "%.100s", ts_out);
    cr_assert_eq(ts_sh("grep '^the 30 largest of the ' '%s/run.txt'", ts_dir), 0, "%s", ts_out);
    snprintf(text, sizeof text, "%.4000s", ts_out);
    int flows = 0, other_p = 0;
    cr_assert_eq(sscanf(text, "the 30 largest of the %d flows with any placement; the other %d (%lf",
                        &flows, &other_p, &printed_left), 3, "%s", text);
    cr_expect_eq(other_p, other);
    cr_expect_eq(flows, other + AN_FLOW_TOP);
    cr_expect(fabs(printed_left - left) <= 0.1, "%s against %s", text, want);
    cr_expect(!strstr(text, "From \\ to"), "no matrix");
    ts_remove_dir();
}

/* More than AN_AREA_ROWS areas: `run` lists the AN_AREA_ROWS areas with
 * the most referrals (ties: the scenario's order), in the scenario's
 * order, then "all areas", and says how many it leaves out; the page
 * (an_html_network) follows the same rule. */
Test(network_large, run_lists_the_busiest_areas_and_says_how_many_are_left_out, .timeout = 300)
{
    ts_make_dir();
    char path[512];
    write_grid(path, sizeof path);
    cr_assert_eq(ts_sh("cd '%s' && '%s' run grid.yaml --reps 2 -o g.h5 > run.txt && '%s' report g.h5 "
                       "--csv csv > /dev/null", ts_dir, ts_prog(), ts_prog()), 0, "%s", ts_out);
    /* the printed areas: the rows between the table's rule and "all areas" */
    cr_assert_eq(ts_sh("cd '%s' && sed -n '/^Areas, /,/^all areas/p' run.txt | sed '1,3d;$d' | "
                       "awk '{print $1}' > printed && wc -l < printed", ts_dir), 0, "%s", ts_out);
    cr_expect_eq(atoi(ts_out), AN_AREA_ROWS, "%s", ts_out);
    /* the busiest 30 by referrals over both replications, ties by scenario order (the
     * areas table lists areas in the scenario's order within a replication) */
    cr_assert_eq(ts_sh("cd '%s' && awk -F, 'NR > 1 && $3 == 0 {o[$2] = NR} NR > 1 {s[$2] += $4} "
                       "END {for (a in s) print s[a], o[a], a}' csv/areas.csv | sort -k1,1gr -k2,2n | "
                       "head -n 30 | sort -k2,2n | awk '{print $3}' > busiest && cmp printed busiest",
                       ts_dir), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("grep -c '^the 30 areas with the most referrals of the 400, in the scenario.s "
                       "order; the other 370 are left out here' '%s/run.txt'", ts_dir), 0, "%s", ts_out);
    ts_remove_dir();
}

/* compare of hundreds of areas: the paired differences by area list the
 * baseline's AN_AREA_ROWS busiest areas and "all areas", and say so. */
Test(network_large, compare_lists_the_busiest_areas, .timeout = 300)
{
    ts_make_dir();
    char path[512];
    write_grid(path, sizeof path);
    cr_assert_eq(ts_sh("cd '%s' && '%s' compare grid.yaml --vs 'services[0].units=30' --reps 2 > "
                       "c.txt && '%s' run grid.yaml --reps 2 > run.txt", ts_dir, ts_prog(), ts_prog()),
                 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && sed -n '/^Areas, services/,/^all areas/p' c.txt | sed '1,2d;$d' | "
                       "awk '{print $1}' > compared && sed -n '/^Areas, /,/^all areas/p' run.txt | "
                       "sed '1,3d;$d' | awk '{print $1}' > printed && wc -l < compared && "
                       "cmp compared printed", ts_dir), 0, "%s", ts_out);
    cr_expect_eq(atoi(ts_out), AN_AREA_ROWS, "%s", ts_out);
    cr_assert_eq(ts_sh("grep -c 'the other 370 are left out here' '%s/c.txt'", ts_dir), 0, "%s", ts_out);
    ts_remove_dir();
}
