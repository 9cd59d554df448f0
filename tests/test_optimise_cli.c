/* The optimise command end to end: --precision chooses each step's
 * replications (the path table and the results file say them, a target
 * that is met stops before --max-reps, the same bits on 1 and 2 threads),
 * and a results file of the path reruns identical and reports as HTML with
 * the best mix for the budget. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_shell.h"

/* Two blocks of identical units at two prices under heavy demand. */
static void write_scenario(void)
{
    ts_make_dir();
    char p[320];
    snprintf(p, sizeof p, "%s/two-prices.yaml", ts_dir);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs("name: two-prices\nhorizon: 365\nwarmup: 60\nreplications: 40\nseed: 11\n"
          "referrals: {per_year: 160}\n"
          "households: {adults: {dist: constant, mean: 1}, children: {dist: constant, mean: 0}}\n"
          "services:\n"
          "  - name: refuge\n    units: 6\n    largest_family: 5\n"
          "    stay: {dist: exponential, mean: 30}\n"
          "    blocks:\n"
          "      - {name: cheap, units: 1, cost: {per_unit_year: 10000}}\n"
          "      - {name: dear, units: 1, cost: {per_unit_year: 20000}}\n", f);
    fclose(f);
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

Test(optimise_cli, precision_chooses_each_steps_replications, .init = write_scenario,
     .fini = ts_remove_dir, .timeout = 300)
{
    char rows[2][8192];
    for (int t = 0; t < 2; t++) {
        cr_assert_eq(ts_sh("cd '%s' && %s " OPT " --precision refused_of_eligible=0.04 "
                           "--max-reps 400 --threads %d -o t%d.h5",
                           ts_dir, ts_prog(), t + 1, t + 1), 0, "%s", ts_out);
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
    /* the results file holds every step at the most replications any had */
    cr_assert_eq(ts_sh("/usr/bin/python3 -c \"import h5py; f=h5py.File('%s/t1.h5');"
                       "t=f['point_table'][()]; print(sorted(set(int(r['n_reps']) for r in t)),"
                       " len(t))\"", ts_dir), 0, "%s", ts_out);
    char want[64];
    snprintf(want, sizeof want, "[%ld] %d", most, n);
    cr_expect(strstr(ts_out, want), "want '%s' in: %s", want, ts_out);
    /* and its table is the same bits on 1 and 2 threads */
    cr_assert_eq(ts_sh("/usr/bin/python3 -c \"import h5py; a=h5py.File('%s/t1.h5')['point_table'][()];"
                       "b=h5py.File('%s/t2.h5')['point_table'][()]; assert a.tobytes()==b.tobytes();"
                       " print('same')\"", ts_dir, ts_dir), 0, "%s", ts_out);
}

Test(optimise_cli, the_results_file_reruns_and_reports, .init = write_scenario,
     .fini = ts_remove_dir, .timeout = 300)
{
    cr_assert_eq(ts_sh("cd '%s' && %s " OPT " --reps 20 --max-reps 80 -o o.h5", ts_dir,
                       ts_prog()), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && %s rerun o.h5 --threads 2", ts_dir, ts_prog()), 0, "%s",
                 ts_out);
    cr_expect(strstr(ts_out, "identical to the stored results"), "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && %s report o.h5 --html r.html && cat r.html", ts_dir,
                       ts_prog()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "The best mix for the budget"), "the answer in the report");
}
