/* study_spool: a driver's records, in memory while the study's budget
 * lasts and in an unlinked temporary file after, read back as they went
 * in whatever the blocks, with nothing left on disk and the budget given
 * back; a place that cannot take the file is an error that appends
 * nothing. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "sim_status.h"
#include "study_spool.h"
#include "test_shell.h"

#define REC 40

static void fill(unsigned char *rec, size_t r)
{
    for (size_t k = 0; k < REC; k++)
        rec[k] = (unsigned char)(r * 31 + k * 7 + 1);
}

static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

/* n records appended in pieces of `piece`, with memory for mem of them:
 * every range read back is what went in, in whatever block. */
static void round_trip(size_t n, size_t piece, size_t mem)
{
    size_t budget = mem * REC;
    study_spool *sp;
    cr_assert_eq(study_spool_new(&sp, REC, &budget), SIM_OK);
    unsigned char *recs = malloc(n * REC + 1), *done = malloc(n + 1);
    for (size_t r = 0; r < n; r++) {
        fill(recs + r * REC, r);
        done[r] = r % 3 != 1;
    }
    for (size_t r = 0; r < n; r += piece)
        cr_assert_eq(study_spool_append(sp, recs + r * REC, done + r, n - r < piece ? n - r : piece),
                     SIM_OK);
    cr_assert_eq(study_spool_count(sp), n);
    cr_assert_eq(memcmp(study_spool_done(sp), done, n), 0);
    cr_assert_leq(budget, mem * REC, "the budget is drawn on");
    /* the file is unlinked: the scratch directory stays empty */
    cr_assert_eq(entries(ts_dir), 0);
    unsigned char *buf = malloc(n * REC + 1);
    size_t blocks[] = {1, 5, 64, n};
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++)
        for (size_t first = 0; first < n; first += blocks[b]) {
            size_t k = n - first < blocks[b] ? n - first : blocks[b];
            const unsigned char *got = study_spool_get(sp, first, k, buf);
            cr_assert_not_null(got, "records %zu..%zu", first, first + k);
            cr_assert_eq(memcmp(got, recs + first * REC, k * REC), 0, "records %zu..%zu (block %zu)",
                         first, first + k, blocks[b]);
        }
    errno = 0;
    cr_assert_null(study_spool_get(sp, n, 1, buf));
    cr_assert_eq(errno, EINVAL);
    study_spool_free(sp);
    cr_assert_eq(budget, mem * REC, "the budget comes back whole");
    free(buf);
    free(recs);
    free(done);
}

static void in_scratch(void)
{
    ts_make_dir();
    setenv("TMPDIR", ts_dir, 1);
}

TestSuite(spool, .init = in_scratch, .fini = ts_remove_dir);

Test(spool, records_in_memory_read_back_as_they_went_in) { round_trip(300, 7, 1000); }
Test(spool, records_in_a_file_read_back_as_they_went_in) { round_trip(300, 7, 0); }
Test(spool, records_across_memory_and_file_read_back_as_they_went_in)
{
    round_trip(1000, 1, 100);
    round_trip(1000, 64, 333);
    round_trip(1000, 1000, 999);
}

Test(spool, spools_share_the_budget)
{
    size_t budget = 100 * REC;
    study_spool *a, *b;
    cr_assert_eq(study_spool_new(&a, REC, &budget), SIM_OK);
    cr_assert_eq(study_spool_new(&b, REC, &budget), SIM_OK);
    unsigned char recs[80 * REC], done[80];
    for (size_t r = 0; r < 80; r++)
        fill(recs + r * REC, r);
    memset(done, 1, sizeof done);
    cr_assert_eq(study_spool_append(a, recs, done, 80), SIM_OK);
    cr_assert_eq(study_spool_append(b, recs, done, 80), SIM_OK);
    cr_assert_eq(budget, 0, "the second spool took what was left");
    unsigned char buf[80 * REC];
    cr_assert_eq(memcmp(study_spool_get(b, 0, 80, buf), recs, sizeof recs), 0);
    study_spool_free(a);
    study_spool_free(b);
    cr_assert_eq(budget, 100 * REC);
}

Test(spool, a_place_that_cannot_take_the_file_appends_nothing)
{
    char missing[300];
    snprintf(missing, sizeof missing, "%s/no-such-dir", ts_dir);
    setenv("TMPDIR", missing, 1);
    size_t budget = 10 * REC;
    study_spool *sp;
    cr_assert_eq(study_spool_new(&sp, REC, &budget), SIM_OK);
    unsigned char recs[20 * REC], done[20];
    memset(recs, 7, sizeof recs);
    memset(done, 1, sizeof done);
    cr_assert_eq(study_spool_append(sp, recs, done, 5), SIM_OK);   /* in memory */
    errno = 0;
    cr_assert_eq(study_spool_append(sp, recs, done, 20), SIM_EIO);
    cr_assert_eq(errno, ENOENT);
    cr_assert_eq(study_spool_count(sp), 5);
    study_spool_free(sp);
    cr_assert_eq(budget, 10 * REC);
}

Test(spool, the_budget_comes_from_the_environment)
{
    size_t b = 1;
    unsetenv("REFUGESIM_RECORD_MEMORY");
    cr_assert_eq(study_spool_budget(&b), SIM_OK);
    cr_assert_eq(b, (size_t)8 << 20);
    const struct { const char *text; size_t bytes; } good[] = {
        {"0", 0}, {"123456", 123456}, {"12M", (size_t)12 << 20}, {"2G", (size_t)2 << 30},
        {"64K", 64 << 10}};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        setenv("REFUGESIM_RECORD_MEMORY", good[i].text, 1);
        cr_assert_eq(study_spool_budget(&b), SIM_OK, "%s", good[i].text);
        cr_assert_eq(b, good[i].bytes, "%s", good[i].text);
    }
    /* a mistyped budget is refused (and the default given), never guessed */
    setenv("REFUGESIM_RECORD_MEMORY", "", 1);            /* set to nothing: unset */
    cr_assert_eq(study_spool_budget(&b), SIM_OK);
    cr_assert_eq(b, (size_t)8 << 20);
    const char *bad[] = {"12MB", "M", "-1", " 1", "+1", "1.5M", "lots", "12m",
                         "99999999999999999999", "17179869184G"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        setenv("REFUGESIM_RECORD_MEMORY", bad[i], 1);
        b = 1;
        cr_assert_eq(study_spool_budget(&b), SIM_EINVAL, "%s", bad[i]);
        cr_assert_eq(b, (size_t)8 << 20, "%s", bad[i]);
    }
    unsetenv("REFUGESIM_RECORD_MEMORY");
}

/* The drivers read back from the file what they would from memory: with
 * no memory for records (REFUGESIM_RECORD_MEMORY=0) every search prints
 * what it prints with the default, the same bits: a capacity search that
 * checks the floor of the households no unit fits, a paired comparison to
 * a precision, an optimisation, a calibration, a warm-up and a run to a
 * precision with its results file (the file's tables as report --csv
 * writes them). */
Test(spool, searches_print_the_same_with_their_records_in_a_file, .timeout = 300)
{
    const char *prog = ts_prog(), *root = ts_root();
    const char *cmds[] = {
        "capacity scenarios/leicestershire-county.yaml --target 'no_suitable_unit<=0.0001' "
        "--reps 30 --max 60 --threads 2",
        "compare scenarios/leicestershire-county.yaml --vs 'extra[county refuges]=20' "
        "--precision refused_no_space=0.01 --threads 2",
        "optimise scenarios/example-county-candidates.yaml --budget 300000 --add "
        "'standard,dispersed flat' --target refused_of_eligible --reps 20 --max-reps 80 --threads 2",
        "calibrate scenarios/leicestershire-county.yaml --fit referrals.per_year=100:300 "
        "--target refused_of_eligible=0.57 --reps 30 --threads 2",
        "warmup scenarios/leicestershire-county.yaml --reps 30 --threads 2",
        "run scenarios/leicestershire-county.yaml --precision refused_no_space=0.01 --threads 2 "
        "-o @.h5 "
        "--force && '%s' report @.h5 --csv @.csv --force > /dev/null && cat @.csv/*.csv"};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        char one[1200], cmd[1400];
        /* @ is the output's name, one for each way */
        for (int w = 0; w < 2; w++) {
            const char *src = cmds[i];
            size_t k = 0;
            for (; *src && k + 300 < sizeof one; src++)
                k += *src == '@' ? (size_t)snprintf(one + k, sizeof one - k, "%s/out", ts_dir)
                                 : (one[k] = *src, 1);
            one[k] = '\0';
            snprintf(cmd, sizeof cmd, one, prog);
            /* the status too: a capacity that no count meets is status 1 */
            char txt[400];
            snprintf(txt, sizeof txt, "%s/%s.txt", ts_dir, w ? "file" : "memory");
            cr_assert_eq(ts_sh("cd '%s' && { %s '%s' %s; echo \"status $?\"; } > '%s' 2>&1", root,
                               w ? "REFUGESIM_RECORD_MEMORY=0" : "", prog, cmd, txt), 0, "%s: %s",
                         cmd, ts_out);
        }
        cr_assert_eq(ts_sh("cmp '%s/memory.txt' '%s/file.txt' && grep -q 'status [01]$' '%s/file.txt' "
                           "&& test $(wc -l < '%s/file.txt') -gt 3", ts_dir, ts_dir, ts_dir, ts_dir),
                     0, "%s: %s", cmds[i], ts_out);
    }
}

/* A place that cannot take the records ends the search with one line that
 * names it, status 1. */
Test(spool, a_search_without_room_for_its_records_says_where)
{
    const char *prog = ts_prog(), *root = ts_root();
    int rc = ts_sh("cd '%s' && { TMPDIR='%s/missing' REFUGESIM_RECORD_MEMORY=0 '%s' capacity "
                   "scenarios/leicestershire-county.yaml --target 'refused_no_space<=0.6' "
                   "--min 20 --max 22 --reps 20 --threads 2 2>&1 > /dev/null; }", root, ts_dir,
                   prog);
    cr_assert_eq(rc, 1, "%s", ts_out);
    char want[600];
    snprintf(want, sizeof want, "refugesim: error: cannot keep the replications' records in a "
             "temporary file in %s/missing: No such file or directory (set TMPDIR to a place "
             "with room)\n", ts_dir);
    /* its last line, after the search's heading */
    size_t lo = strlen(ts_out), lw = strlen(want);
    cr_assert(lo >= lw && !strcmp(ts_out + lo - lw, want) && (lo == lw || ts_out[lo - lw - 1] == '\n'),
              "%s", ts_out);
}

/* A mistyped budget stops the command before it loads or runs anything:
 * one line naming the variable, the accepted forms and what it got, the
 * usage status. */
Test(spool, a_mistyped_budget_is_refused_before_running)
{
    const char *prog = ts_prog(), *root = ts_root();
    const char *cmds[] = {"capacity scenarios/leicestershire-county.yaml "
                          "--target 'refused_no_space<=0.6' --min 20 --max 22 --reps 20",
                          "run scenarios/leicestershire-county.yaml --reps 5"};
    for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++) {
        int rc = ts_sh("cd '%s' && { REFUGESIM_RECORD_MEMORY=8MB '%s' %s --threads 1 2>&1 >/dev/null; }",
                       root, prog, cmds[i]);
        cr_assert_eq(rc, 2, "%s: %s", cmds[i], ts_out);
        cr_assert_str_eq(ts_out, "refugesim: error: REFUGESIM_RECORD_MEMORY: expected a number of "
                         "bytes, optionally followed by K, M or G (powers of 1024), got '8MB'\n",
                         "%s", cmds[i]);
    }
}
