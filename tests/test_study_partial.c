/* compare -o and optimise -o interrupted write what was evaluated, marked
 * incomplete, as capacity -o does (test_capacity_partial.c; issue 17). */
#include "test_shell.h"

#include "an_h5.h"
#include "an_summary.h"
#include "sim_status.h"

TestSuite(study_partial, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 300);

static an_h5_file *open_in_dir(const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", ts_dir, name);
    an_h5_file *f = NULL;
    cr_assert_eq(an_h5_open(path, &f), SIM_OK, "%s: %s", name, ts_out);
    return f;
}

#define COMPARE "compare '%s/scenarios/leicestershire-county.yaml' --vs spaces=25 --vs spaces=30 " \
                "--set horizon=3650 --threads 1 -o c.h5"

Test(study_partial, compare_interrupted_writes_the_scenarios_evaluated)
{
    /* SIGINT once the baseline's 6000 replications are done and the first
     * alternative's have begun: the progress line (on a terminal, from
     * script) counts them, and points run one after another */
    int rc = ts_sh("cd '%s' && { REFUGESIM_PROGRESS_DELAY=0 script -qfc \"sh -c 'echo \\$\\$ > pid; "
                   "exec %s " COMPARE " --reps 6000 > out.txt'; echo rc=\\$? > rc.txt\" log.txt "
                   "> /dev/null & i=0; "
                   "while [ $i -lt 3000 ]; do n=$(tr '\\r' '\\n' < log.txt 2>/dev/null | "
                   "grep -o '[0-9]*/18000' | tail -n 1 | cut -d/ -f1); "
                   "[ \"${n:-0}\" -ge 6500 ] && [ -s pid ] && break; sleep 0.05; i=$((i+1)); done; "
                   "kill -INT $(cat pid); wait; cat rc.txt out.txt; tr '\\r' '\\n' < log.txt; }",
                   ts_dir, ts_prog(), ts_root());
    cr_assert_eq(rc, 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "rc=1\n"), "%s", ts_out);
    cr_expect(strstr(ts_out, "results written to c.h5 (incomplete: interrupted; "), "%s", ts_out);
    cr_expect(strstr(ts_out, "refugesim: error: interrupted: "), "%s", ts_out);
    an_h5_file *f = open_in_dir("c.h5");
    const an_h5_info *info = an_h5_get_info(f);
    cr_expect_eq(info->complete, 0);
    cr_assert_eq(info->n_points, 3);
    const an_h5_point_row *b = an_h5_point_at(f, 0), *last = an_h5_point_at(f, 2);
    cr_expect_eq(b->n_reps, 6000);
    cr_expect_eq(b->reps_done, 6000, "the baseline: %zu replications", b->reps_done);
    cr_expect_eq(last->reps_done, 0, "the last alternative ran: %zu", last->reps_done);
    an_point_summary ps;
    cr_assert_eq(an_h5_read_point_summary(f, 0, &ps), SIM_OK);
    cr_expect_eq(ps.n_reps, 6000);
    an_point_summary_free(&ps);
    an_h5_close(f);
}

Test(study_partial, compare_precision_interrupted_writes_the_batches_that_finished)
{
    /* a target no batch meets: interrupted after a few seconds, every
     * scenario has its finished batches of 10 */
    int rc = ts_sh("cd '%s' && { '%s' " COMPARE " --precision refused_no_space=0.00001 "
                   "--max-reps 1000000 > out.txt 2>&1 & p=$!; sleep 3; kill -INT $p; wait $p; "
                   "echo \"rc=$?\"; cat out.txt; }", ts_dir, ts_prog(), ts_root());
    cr_assert_eq(rc, 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "rc=1\n"), "%s", ts_out);
    cr_expect(strstr(ts_out, "results written to c.h5 (incomplete: interrupted; 3 of the 3 "),
              "%s", ts_out);
    an_h5_file *f = open_in_dir("c.h5");
    cr_expect_eq(an_h5_get_info(f)->complete, 0);
    cr_assert_eq(an_h5_get_info(f)->n_points, 3);
    for (size_t i = 0; i < 3; i++) {
        const an_h5_point_row *r = an_h5_point_at(f, i);
        cr_expect(r->reps_done >= 10 && r->reps_done % 10 == 0 && r->reps_done == r->n_reps,
                  "point %zu: %zu of %zu", i, r->reps_done, r->n_reps);
    }
    an_h5_close(f);
}

Test(study_partial, optimise_interrupted_writes_the_steps_decided)
{
    /* SIGINT once three steps are decided (their lines on stderr) */
    char args[1024];
    snprintf(args, sizeof args, "optimise '%s/scenarios/example-county-candidates.yaml' "
             "--budget 600000 --add 'standard,dispersed flat,large family' "
             "--target refused_of_eligible --reps 1000 --threads 1 -o o.h5", ts_root());
    cr_assert_eq(ts_interrupt_when("  step ", 3, args), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "rc=1\n"), "%s", ts_out);
    cr_expect(!strstr(ts_out, "final mix: "), "the search finished: %s", ts_out);
    size_t steps = 0;
    for (const char *p = ts_out; (p = strstr(p, "  step ")); p++)
        steps++;
    char words[160];
    snprintf(words, sizeof words, "results written to o.h5 (incomplete: interrupted; the %zu "
             "steps of the path decided so far)", steps);
    cr_expect(strstr(ts_out, words), "want '%s' in %s", words, ts_out);
    an_h5_file *f = open_in_dir("o.h5");
    const an_h5_info *info = an_h5_get_info(f);
    cr_expect_eq(info->complete, 0);
    cr_expect(info->kind && !strcmp(info->kind, "optimise"));
    cr_expect(info->note && strstr(info->note, "interrupted"));
    size_t with_reps = 0;
    for (size_t i = 0; i < info->n_points; i++) {
        /* the steps with all they had; the candidates forgotten, unwritten */
        const an_h5_point_row *r = an_h5_point_at(f, i);
        with_reps += r->reps_done > 0;
        cr_expect(r->reps_done == 0 || (r->reps_done == r->n_reps && r->n_reps >= 1000),
                  "point %zu: %zu of %zu replications", i, r->reps_done, r->n_reps);
    }
    cr_expect_eq(with_reps, steps, "%zu mixes written for %zu steps: %s", with_reps, steps, ts_out);
    an_h5_close(f);
}

/* A SIGINT while capacity, compare or optimise still load (a trace of 3
 * million referrals takes seconds) stops them in order, exit 1, as run:
 * their handlers are in place before the setup. */
Test(study_partial, sigint_during_setup_stops_in_order)
{
    cr_assert_eq(ts_sh("cd '%s' && seq 0 2999999 | awk 'BEGIN { print \"day\" } "
                       "{ print int($1 / 3000) }' > big.csv && printf 'extends: %s/scenarios/"
                       "leicestershire-county.yaml\\nreferrals: {trace: big.csv}\\nhorizon: 1000\\n' "
                       "> big.yaml", ts_dir, ts_root()), 0, "%s", ts_out);
    static const char *const cmds[] = {
        "compare big.yaml --vs spaces=30",
        "capacity big.yaml --target 'refused_no_space<=0.5'",
        "optimise '%s/scenarios/example-county-candidates.yaml' --budget 60000 --add standard "
        "--target refused_of_eligible --set referrals.trace=big.csv --set horizon=1000",
    };
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        char args[1024];
        snprintf(args, sizeof args, cmds[i], ts_root());
        /* a shell's background job starts with SIGINT ignored: only the
         * program's own handler sees it */
        cr_assert_eq(ts_sh("cd '%s' && { '%s' %s --reps 2 > out.txt 2>&1 & p=$!; sleep 0.7; "
                           "kill -INT $p; wait $p; echo \"rc=$?\"; cat out.txt; }", ts_dir,
                           ts_prog(), args), 0, "%s", ts_out);
        cr_expect(strstr(ts_out, "rc=1\n") && strstr(ts_out, "refugesim: error: interrupted: "),
                  "%s: %s", args, ts_out);
    }
}
