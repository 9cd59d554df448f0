/* optimise (study_optimise): the best mix of extra units for a budget.
 * Two blocks of identical units, one at half the price of the other: the
 * cheap one is chosen first and the answer never exceeds the budget (also
 * when the budget buys one unit only, or none, which is refused before
 * anything runs); the path is the same bits on 1 and 2 threads; bad
 * requests (unknown block, a block with no cost, a budget <= 0, --set
 * spaces, an unknown metric) are refused naming the option and what is
 * accepted, by the command with exit status 2 before anything runs; a
 * swap improves on greedy's cheap choice; two identical candidates are
 * too close to call, at max_reps.  The command end to end: --precision
 * chooses each step's replications (the path table and the results file
 * say them, a target met stops before --max-reps, the same bits on 1 and
 * 2 threads), and a results file of the path reruns identical and reports
 * as HTML with the best mix for the budget; two MPI ranks print the path
 * of one process. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rf_result.h"
#include "sim_status.h"
#include "study_optimise.h"
#include "test_shell.h"

static char dir[64], path[128];

/* The scenario NAME.yaml in a new scratch directory (dir, path). */
static void write_yaml(const char *name, const char *text)
{
    snprintf(dir, sizeof dir, "/tmp/rs_opt_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/%s.yaml", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

/* A service of 3 plain units (no cost) and two blocks of identical units,
 * `cheap` at 10000 a year and `dear` at 20000, under heavy demand; a
 * third block `free` has no cost. */
static void write_scenario(void)
{
    write_yaml("two-prices",
               "name: two-prices\nhorizon: 365\nwarmup: 60\nreplications: 40\nseed: 11\n"
          "referrals: {per_year: 160}\n"
          "households: {adults: {dist: constant, mean: 1}, children: {dist: constant, mean: 0}}\n"
          "services:\n"
          "  - name: refuge\n    units: 6\n    largest_family: 5\n"
          "    stay: {dist: exponential, mean: 30}\n"
          "    blocks:\n"
          "      - {name: cheap, units: 1, cost: {per_unit_year: 10000}}\n"
          "      - {name: dear, units: 1, cost: {per_unit_year: 20000, per_placement: 300}}\n"
          "      - {name: free, units: 1}\n");
}

static void remove_scenario(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static study_optimise_cfg config(const char *const *cands, size_t n, double budget, int threads)
{
    study_optimise_cfg c;
    memset(&c, 0, sizeof c);
    c.base.points.scenario_path = path;
    c.base.threads = threads;
    c.candidates = cands;
    c.n_candidates = n;
    c.metric = rf_metric_find("refused_of_eligible");
    c.budget = budget;
    c.reps = 40;
    return c;
}

static void run(const study_optimise_cfg *c, study_optimise_result *r)
{
    study_error err;
    int rc = study_optimise(c, r, &err);
    cr_assert_eq(rc, SIM_OK, "%s", err.message);
}

static void expect_within_budget(const study_optimise_result *r, double budget)
{
    for (size_t i = 0; i < r->n_steps; i++) {
        double cost = 0;
        for (size_t k = 0; k < r->n_cand; k++)
            cost += r->steps[i].mix[k] * r->cand[k].price;
        cr_expect(cost <= budget, "step %zu costs %g, over the budget %g", i, cost, budget);
        cr_expect(fabs(cost - r->steps[i].cost) < 1e-9);
    }
}

Test(optimise, cheaper_identical_units_first_and_within_budget, .init = write_scenario,
     .fini = remove_scenario)
{
    const char *cands[] = {"dear", "cheap"};
    study_optimise_cfg c = config(cands, 2, 45000, 2);
    study_optimise_result r;
    run(&c, &r);
    cr_assert_geq(r.n_steps, 2, "it adds at least one unit");
    cr_expect_eq(r.steps[0].kind, STUDY_OPT_START);
    cr_expect_eq(r.steps[0].units, 0);
    /* identical units, half the price: the same gain for half the money */
    cr_expect_eq(r.steps[1].kind, STUDY_OPT_ADD);
    cr_expect_eq(r.steps[1].added, 1, "the first unit added is the cheap one, got %d",
                 r.steps[1].added);
    cr_expect(r.steps[1].gain - r.steps[1].gain_ci95 > 0, "an improvement with 95%% confidence");
    /* more units refuse fewer: the target falls along the path */
    cr_expect_lt(r.steps[r.n_steps - 1].s.mean, r.steps[0].s.mean);
    expect_within_budget(&r, 45000);
    /* at most 4 cheap units fit 45000; the dear one is never worth it here */
    const study_opt_step *last = &r.steps[r.n_steps - 1];
    cr_expect_leq(last->mix[1], 4);
    cr_expect_eq(last->mix[0], 0, "a dear unit gives the same for twice the money");
    study_optimise_result_free(&r);
}

Test(optimise, a_budget_for_one_unit_buys_the_one_that_fits, .init = write_scenario,
     .fini = remove_scenario)
{
    /* 15000 buys one cheap unit and no dear one */
    const char *cands[] = {"dear", "cheap"};
    study_optimise_cfg c = config(cands, 2, 15000, 2);
    study_optimise_result r;
    run(&c, &r);
    expect_within_budget(&r, 15000);
    cr_expect_eq(r.n_steps, 2);
    cr_expect_eq(r.steps[r.n_steps - 1].mix[1], 1);
    cr_expect_eq(r.stopped, STUDY_OPT_STOP_BUDGET);
    study_optimise_result_free(&r);
}

Test(optimise, same_bits_on_one_and_two_threads, .init = write_scenario, .fini = remove_scenario)
{
    const char *cands[] = {"cheap", "refuge/dear"};
    study_optimise_result r[2];
    for (int t = 0; t < 2; t++) {
        study_optimise_cfg c = config(cands, 2, 50000, t + 1);
        run(&c, &r[t]);
    }
    cr_assert_eq(r[0].n_steps, r[1].n_steps);
    for (size_t i = 0; i < r[0].n_steps; i++) {
        const study_opt_step *a = &r[0].steps[i], *b = &r[1].steps[i];
        cr_expect_eq(memcmp(a->mix, b->mix, sizeof a->mix), 0, "step %zu", i);
        cr_expect_eq(memcmp(&a->s.mean, &b->s.mean, sizeof a->s.mean), 0, "step %zu", i);
        cr_expect_eq(memcmp(&a->s.ci95, &b->s.ci95, sizeof a->s.ci95), 0, "step %zu", i);
        cr_expect_eq(memcmp(&a->gain, &b->gain, sizeof a->gain), 0, "step %zu", i);
        cr_expect_eq(a->reps, b->reps);
    }
    study_optimise_result_free(&r[0]);
    study_optimise_result_free(&r[1]);
}

/* A refusal before anything runs: status, an input error, the words. */
static void expect_refused(const char *const *cands, size_t n, double budget, const char *set,
                           const char *words1, const char *words2)
{
    study_optimise_cfg c = config(cands, n, budget, 1);
    const char *sets[1] = {set};
    if (set) {
        c.base.points.sets = sets;
        c.base.points.n_sets = 1;
    }
    study_optimise_result r;
    study_error err;
    int rc = study_optimise_check(&c, &r, &err);
    cr_expect_neq(rc, SIM_OK, "refused: %s", words1);
    cr_expect_eq(err.input, 1, "an input error");
    cr_expect(strstr(err.message, words1), "'%s' in: %s", words1, err.message);
    cr_expect(strstr(err.message, words2), "'%s' in: %s", words2, err.message);
    study_optimise_result_free(&r);
}

Test(optimise, bad_requests_refused_before_running, .init = write_scenario,
     .fini = remove_scenario)
{
    const char *unknown[] = {"cheap", "nonsense"};
    expect_refused(unknown, 2, 50000, NULL, "--add 'nonsense': no block or service",
                   "accepted: 'refuge', 'cheap' (a block of refuge), 'dear'");
    const char *nocost[] = {"free"};
    expect_refused(nocost, 1, 50000, NULL, "--add 'free': has no cost.per_unit_year",
                   "accepted: a block or service with cost");
    const char *plain[] = {"refuge"};
    expect_refused(plain, 1, 50000, NULL, "--add 'refuge': has no cost.per_unit_year", "N > 0");
    const char *ok[] = {"cheap", "dear"};
    expect_refused(ok, 2, 0, NULL, "--budget 0: must be more than 0", "per_unit_year");
    expect_refused(ok, 2, -5, NULL, "--budget -5", "more than 0");
    expect_refused(ok, 2, 9999, NULL, "--budget 9999 buys no unit",
                   "cheapest candidate, cheap, costs 10000");
    expect_refused(ok, 2, 50000, "spaces=20", "--set spaces=20: optimise adds units itself",
                   "accepted:");
    const char *twice[] = {"cheap", "refuge/cheap"};
    expect_refused(twice, 2, 50000, NULL, "--add: 'refuge/cheap' is named twice", "twice");
    study_optimise_cfg c = config(ok, 2, 50000, 1);
    c.metric = -1;
    study_optimise_result r;
    study_error err;
    cr_expect_neq(study_optimise_check(&c, &r, &err), SIM_OK);
    cr_expect(strstr(err.message, "--target"), "%s", err.message);
}

Test(optimise, the_path_reruns_as_points_of_a_study, .init = write_scenario,
     .fini = remove_scenario)
{
    const char *cands[] = {"cheap", "dear"};
    study_optimise_cfg c = config(cands, 2, 30000, 2);
    study_optimise_result r;
    study_error err;
    run(&c, &r);
    study_cfg sc;
    study_opt_path *keep;
    cr_assert_eq(study_optimise_path(&c, &r, &sc, &keep), SIM_OK);
    cr_expect_eq(sc.n_list_points, r.n_steps);
    cr_expect_eq(sc.points.n_vary, 3, "services[refuge].units and the two blocks' units");
    cr_expect_str_eq(sc.points.vary_keys[0], "services[refuge].units");
    cr_expect_str_eq(sc.points.vary_keys[1], "services[refuge].blocks[cheap].units");
    cr_expect_str_eq(sc.points.vary_keys[2], "services[refuge].blocks[dear].units");
    sc.keep_summaries = 1;
    study *st;
    cr_assert_eq(study_open(&sc, &st, &err), SIM_OK, "%s", err.message);
    cr_assert_eq(study_run(st, &err), SIM_OK, "%s", err.message);
    for (size_t i = 0; i < r.n_steps; i++) {
        int units = 6;
        for (size_t k = 0; k < r.n_cand; k++)
            units += r.steps[i].mix[k];
        cr_expect_eq(study_total_units(st, i), units, "step %zu: %d units", i, units);
        /* at the same replications the estimate is the search's */
        const an_point_summary *ps = study_summary(st, i);
        cr_assert_not_null(ps);
        if (r.steps[i].reps == r.max_reps_used)
            cr_expect_eq(ps->metrics[c.metric].s.mean, r.steps[i].s.mean, "step %zu", i);
    }
    study_free(st);
    study_optimise_path_free(keep);
    study_optimise_result_free(&r);
}

/* The command: every refusal exit status 2, one line naming the option and
 * what is accepted, and no results file. */
Test(optimise, the_command_refuses_bad_requests_with_exit_2, .init = ts_make_dir,
     .fini = ts_remove_dir)
{
    static const struct {
        const char *args, *words;
    } cases[] = {
        {"--budget 400000 --add 'standard,nonsense' --target refused_of_eligible",
         "error: --add 'nonsense': no block or service of that name (accepted: 'county refuges', "
         "'accessible' (a block of county refuges)"},
        {"--budget 400000 --add accessible --target refused_of_eligible",
         "error: --add 'accessible': has no cost.per_unit_year"},
        {"--budget 400000 --add standard --target nonsense",
         "error: --target: unknown metric 'nonsense' (accepted: referrals"},
        {"--budget 0 --add standard --target refused_of_eligible",
         "error: --budget 0: must be more than 0"},
        {"--budget -1 --add standard --target refused_of_eligible",
         "error: --budget -1: must be more than 0"},
        {"--budget 50000 --add standard --target refused_of_eligible",
         "error: --budget 50000 buys no unit: the cheapest candidate, standard, costs 56300 a "
         "year (accepted: a budget of at least 56300)"},
        {"--budget 400000 --add standard --target refused_of_eligible --set spaces=30",
         "error: --set spaces=30: optimise adds units itself"},
        {"--budget 400000 --target refused_of_eligible", "expected a scenario FILE, --budget B"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int rc = ts_sh("cd '%s' && %s optimise '%s/scenarios/example-county-candidates.yaml' %s "
                       "-o out.h5", ts_dir, ts_prog(), ts_root(), cases[i].args);
        cr_expect_eq(rc, 2, "%s: exit %d: %s", cases[i].args, rc, ts_out);
        cr_expect(strstr(ts_out, cases[i].words), "%s: want '%s' in: %s", cases[i].args,
                  cases[i].words, ts_out);
        cr_expect(!strstr(ts_out, "step 0"), "refused before running: %s", ts_out);
        cr_expect_neq(ts_sh("test -e '%s/out.h5'", ts_dir), 0, "no results file");
    }
}

/* Singles and families of three: a cheap block for singles only at 10000
 * and a dear one for everybody at 19000 (two identical ones, dear and
 * twin), no unit of either yet. */
static void write_swap_scenario(void)
{
    write_yaml("swap",
               "name: swap\nhorizon: 365\nwarmup: 60\nreplications: 40\nseed: 11\n"
          "referrals: {per_year: 160}\n"
          "households: {adults: {dist: constant, mean: 1},\n"
          "             children: {dist: empirical, values: [0, 2], weights: [0.4, 0.6]}}\n"
          "services:\n"
          "  - name: refuge\n    units: 6\n    largest_family: 5\n"
          "    stay: {dist: exponential, mean: 30}\n"
          "    blocks:\n"
          "      - {name: cheap, units: 0, largest_family: 1, cost: {per_unit_year: 10000}}\n"
          "      - {name: dear, units: 0, cost: {per_unit_year: 19000}}\n"
          "      - {name: twin, units: 0, cost: {per_unit_year: 19000}}\n");
}

/* Greedy takes the cheap unit for singles (the most gain per money), which
 * leaves 9000, too little for anything; the swap to the dear unit, which
 * takes every household, then refuses fewer: the answer is the dear one. */
Test(optimise, a_swap_improves_on_the_greedy_choice, .init = write_swap_scenario,
     .fini = remove_scenario)
{
    const char *cands[] = {"cheap", "dear"};
    study_optimise_cfg c = config(cands, 2, 19000, 2);
    c.max_reps = 320;
    study_optimise_result r;
    run(&c, &r);
    cr_assert_eq(r.n_steps, 3, "start, greedy's cheap unit, the swap");
    cr_expect_eq(r.steps[1].kind, STUDY_OPT_ADD);
    cr_expect_eq(r.steps[1].added, 0, "greedy takes the cheap unit first");
    cr_expect_eq(r.steps[2].kind, STUDY_OPT_SWAP);
    cr_expect_eq(r.steps[2].removed, 0);
    cr_expect_eq(r.steps[2].added, 1);
    cr_expect(r.steps[2].gain - r.steps[2].gain_ci95 > 0, "the swap improves with 95%% confidence");
    const study_opt_step *last = &r.steps[r.n_steps - 1];
    cr_expect_eq(last->mix[0], 0);
    cr_expect_eq(last->mix[1], 1, "the final mix is the dear unit");
    cr_expect_lt(last->s.mean, r.steps[1].s.mean);
    expect_within_budget(&r, 19000);
    study_optimise_result_free(&r);
}

/* Two identical candidates at the same price: never told apart, so the
 * step doubles to max_reps and says it is too close to call. */
Test(optimise, identical_candidates_are_too_close_to_call, .init = write_swap_scenario,
     .fini = remove_scenario)
{
    const char *cands[] = {"dear", "twin"};
    study_optimise_cfg c = config(cands, 2, 19000, 2);
    c.max_reps = 160;
    study_optimise_result r;
    run(&c, &r);
    cr_assert_eq(r.n_steps, 2, "one unit fits");
    cr_expect_eq(r.steps[1].kind, STUDY_OPT_ADD);
    cr_expect_eq(r.steps[1].close_call, 1, "too close to call");
    cr_expect_eq(r.steps[1].reps, 160, "doubled to max_reps, got %ld", r.steps[1].reps);
    cr_expect_eq(r.max_reps_used, 160);
    cr_expect_eq(r.steps[1].mix[0] + r.steps[1].mix[1], 1);
    expect_within_budget(&r, 19000);
    study_optimise_result_free(&r);
}

#define OPT "optimise two-prices.yaml --budget 30000 --add cheap,dear --target refused_of_eligible"

/* The rows of the path table (lines starting with a step number), kept. */
static void path_rows(char *buf, size_t size)
{
    buf[0] = 0;
    size_t used = 0;
    for (char *line = ts_out; line && *line;) {
        char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
        int step;
        char c;
        if (sscanf(line, "%d%c", &step, &c) == 2 && c == ' ' && line[0] == ' ' &&
            used + len < size) {
            memcpy(buf + used, line, len);
            used += len;
            buf[used] = 0;
        }
        line = nl ? nl + 1 : NULL;
    }
}

/* The reps column of each row of the path table, the 6th field from the
 * right-hand side of the cost: parsed as the number before the gain. */
static int row_reps(const char *rows, long *reps, int max)
{
    int n = 0;
    for (const char *line = rows; *line && n < max;) {
        const char *nl = strchr(line, '\n');
        /* fields: step, change (words), units, cost, cell (mean ± ci), reps, gain */
        char tmp[600];
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        cr_assert_lt(len, sizeof tmp);
        memcpy(tmp, line, len);
        tmp[len] = 0;
        /* the reps column ends at offset 4+2+40+1+5+1+12+1+18+1+6 */
        const size_t end = 4 + 2 + 40 + 1 + 5 + 1 + 12 + 1 + 18 + 1 + 6;
        cr_assert_geq(len, end, "row: %s", tmp);
        tmp[end] = 0;
        reps[n++] = strtol(tmp + end - 6, NULL, 10);
        line = nl ? nl + 1 : line + len;
    }
    return n;
}

Test(optimise, precision_chooses_each_steps_replications, .init = write_scenario,
     .fini = remove_scenario, .timeout = 300)
{
    char rows[2][8192];
    for (int t = 0; t < 2; t++) {
        cr_assert_eq(ts_sh("cd '%s' && %s " OPT " --precision refused_of_eligible=0.04 "
                           "--max-reps 400 --threads %d -o t%d.h5",
                           dir, ts_prog(), t + 1, t + 1), 0, "%s", ts_out);
        path_rows(rows[t], sizeof rows[t]);
    }
    cr_expect_str_eq(rows[0], rows[1], "the same path on 1 and 2 threads");
    long reps[64];
    int n = row_reps(rows[0], reps, 64);
    cr_assert_geq(n, 2, "a path of at least one step: %s", rows[0]);
    long most = 0;
    for (int i = 0; i < n; i++) {
        cr_expect(reps[i] >= 10 && reps[i] <= 400, "step %d: %ld reps", i, reps[i]);
        most = reps[i] > most ? reps[i] : most;
    }
    /* half-width 0.04 of a share near one half is met well before 400 */
    cr_expect_lt(reps[0], 400, "the target met stops before --max-reps: %s", rows[0]);
    cr_expect_eq(reps[0] % 10, 0, "replications in batches of 10: %ld", reps[0]);
    /* a tighter precision takes more replications at the same mix */
    cr_assert_eq(ts_sh("cd '%s' && %s " OPT " --precision refused_of_eligible=0.015 "
                       "--max-reps 400 --threads 2", dir, ts_prog()), 0, "%s", ts_out);
    char tight[8192];
    long treps[64];
    path_rows(tight, sizeof tight);
    cr_assert_geq(row_reps(tight, treps, 64), 1, "%s", tight);
    cr_expect_gt(treps[0], reps[0], "half-width 0.015: %ld reps, 0.04: %ld", treps[0], reps[0]);
    /* the results file holds every step at the most replications any had */
    cr_assert_eq(ts_sh("/usr/bin/python3 -c \"import h5py; f=h5py.File('%s/t1.h5');"
                       "t=f['point_table'][()]; print(sorted(set(int(r['n_reps']) for r in t)),"
                       " len(t))\"", dir), 0, "%s", ts_out);
    char want[64];
    snprintf(want, sizeof want, "[%ld] %d", most, n);
    cr_expect(strstr(ts_out, want), "want '%s' in: %s", want, ts_out);
    /* and its table is the same bits on 1 and 2 threads */
    cr_assert_eq(ts_sh("/usr/bin/python3 -c \"import h5py; a=h5py.File('%s/t1.h5')['point_table'][()];"
                       "b=h5py.File('%s/t2.h5')['point_table'][()]; assert a.tobytes()==b.tobytes();"
                       " print('same')\"", dir, dir), 0, "%s", ts_out);
}

Test(optimise, the_results_file_reruns_and_reports, .init = write_scenario,
     .fini = remove_scenario, .timeout = 300)
{
    cr_assert_eq(ts_sh("cd '%s' && %s " OPT " --reps 20 --max-reps 80 -o o.h5", dir,
                       ts_prog()), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && %s rerun o.h5 --threads 2", dir, ts_prog()), 0, "%s",
                 ts_out);
    cr_expect(strstr(ts_out, "identical to the stored results"), "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && %s report o.h5 --html r.html && cat r.html", dir,
                       ts_prog()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "The best mix for the budget"), "the answer in the report");
}

/* Two MPI ranks print the path of one process (make test builds the MPI
 * program when mpicc exists and passes it as RS_MPI_PROGRAM). */
Test(optimise, two_mpi_ranks_print_the_single_process_path, .init = write_scenario,
     .fini = remove_scenario, .timeout = 300)
{
    const char *mpi = getenv("RS_MPI_PROGRAM");
    if (!mpi || !*mpi || access(mpi, X_OK) != 0)
        cr_skip_test("no MPI build (make MPI=1) to test");
    char rows[2][8192];
    cr_assert_eq(ts_sh("cd '%s' && %s " OPT " --reps 20 --max-reps 80 --threads 1", dir,
                       ts_prog()), 0, "%s", ts_out);
    path_rows(rows[0], sizeof rows[0]);
    cr_assert_eq(ts_sh("cd '%s' && OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
                       "OMPI_MCA_btl=self,vader mpirun -n 2 --oversubscribe %s " OPT
                       " --reps 20 --max-reps 80 --threads 1", dir, mpi), 0, "%s", ts_out);
    path_rows(rows[1], sizeof rows[1]);
    cr_assert_neq(rows[0][0], 0, "a path table");
    cr_expect_str_eq(rows[1], rows[0], "the same path on two ranks as on one process");
}

/* The command's answer for a mix of one unit says "1 unit". */
Test(optimise, the_answer_of_one_unit_says_unit, .init = write_swap_scenario,
     .fini = remove_scenario)
{
    cr_assert_eq(ts_sh("cd '%s' && %s optimise swap.yaml --budget 19000 --add cheap,dear "
                       "--target refused_of_eligible --reps 40 --max-reps 320", dir, ts_prog()),
                 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "final mix: 1 x dear: 1 unit, 19000 a year of the budget 19000"),
              "%s", ts_out);
}
