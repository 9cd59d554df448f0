/* Bounded input (issue 17, item 4, and the second-document and trace-echo
 * items of 11): only regular files, size limits, alias expansion bounded,
 * one YAML document, a trace error that names a line, not its content. */
#include "test_shell.h"

#include <sys/stat.h>
#include <unistd.h>
#include "rf_scenario.h"
#include "sim_status.h"

TestSuite(input_bounds, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 60);

static int has_diag(const rf_diags *d, const char *text)
{
    char line[1024];
    for (int i = 0; i < d->n; i++) {
        rf_diag_format(&d->items[i], line, sizeof line);
        if (strstr(line, text))
            return 1;
    }
    return 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    static char b[1 << 16];
    size_t n = fread(b, 1, sizeof b - 1, f);
    b[n] = '\0';
    fclose(f);
    return b;
}

Test(input_bounds, alias_bomb_is_refused_quickly)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/tests/fuzz/regressions/fuzz_scenario/alias-bomb.yaml", ts_root());
    const char *yaml = slurp(p);
    cr_assert_lt(strlen(yaml), 600);
    rf_scenario *s = NULL;
    rf_diags d;
    cr_expect_eq(rf_scenario_load_text(yaml, "bomb.yaml", NULL, 0, &s, &d), SIM_EPARSE);
    cr_expect(has_diag(&d, "aliases expand the document to more than 100000 nodes"), "%d diags", d.n);
    rf_scenario_free(s);
    /* the same through --set (flow style, one line) */
    snprintf(p, sizeof p, "%s/tests/fuzz/regressions/fuzz_set/alias-bomb", ts_root());
    char set[2048];
    snprintf(set, sizeof set, "%s", slurp(p));
    set[strcspn(set, "\n")] = '\0';
    const char *sets[] = {set};
    cr_expect_neq(rf_scenario_load_text("name: x\nreferrals: {per_year: 10}\n", "x.yaml", sets, 1, &s, &d),
                  SIM_OK);
    rf_scenario_free(s);
    /* aliases in moderation still work */
    const char *ok = "name: x\nreferrals: {per_year: 10}\nservices:\n"
                     "  - {name: A, units: 2, largest_family: 4, stay: &st {dist: exponential, mean: 30}}\n"
                     "  - {name: B, units: 1, largest_family: 4, stay: *st}\n";
    cr_expect_eq(rf_scenario_load_text(ok, "ok.yaml", NULL, 0, &s, &d), SIM_OK, "%d diags", d.n);
    rf_scenario_free(s);
}

Test(input_bounds, one_yaml_document)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/tests/fuzz/regressions/fuzz_scenario/second-document.yaml", ts_root());
    rf_scenario *s = NULL;
    rf_diags d;
    cr_expect_eq(rf_scenario_load_file(p, NULL, 0, &s, &d), SIM_EPARSE);
    cr_expect(has_diag(&d, "second-document.yaml:3:1: error: a second YAML document"), "%d", d.n);
    rf_scenario_free(s);
    /* a --set value cannot smuggle one in either */
    const char *sets[] = {"horizon=365\n---\nhorizon: 1"};
    cr_expect_neq(rf_scenario_load_text("name: x\nreferrals: {per_year: 10}\n", "x.yaml", sets, 1, &s, &d),
                  SIM_OK);
    rf_scenario_free(s);
}

/* The program on devices, FIFOs and oversized files: a message, exit 2,
 * no hang (the suite's timeout would catch one). */
Test(input_bounds, only_regular_files_of_bounded_size)
{
    char fifo[400], big[400], ext[400], tr[400], secret[400];
    snprintf(fifo, sizeof fifo, "%s/fifo.yaml", ts_dir);
    cr_assert_eq(mkfifo(fifo, 0644), 0);
    snprintf(big, sizeof big, "%s/big.yaml", ts_dir);
    cr_assert_eq(ts_sh("truncate -s 17M '%s'", big), 0);
    const char *const scen[] = {"/dev/zero", "/dev/urandom", fifo, ts_dir, big};
    const char *const says[] = {"not a regular file", "not a regular file", "not a regular file",
                                "not a regular file", "larger than the 16 MiB a scenario may have"};
    for (size_t i = 0; i < 5; i++) {
        cr_expect_eq(ts_sh("'%s' check '%s'", ts_prog(), scen[i]), 2, "%s: %s", scen[i], ts_out);
        cr_expect(strstr(ts_out, says[i]), "%s: %s", scen[i], ts_out);
        cr_expect_eq(ts_sh("'%s' run '%s' --reps 2", ts_prog(), scen[i]), 2, "%s: %s", scen[i], ts_out);
    }
    /* extends: and trace: the same */
    const char *const targets[] = {"/dev/zero", "/dev/urandom", fifo};
    for (size_t i = 0; i < 3; i++) {
        snprintf(ext, sizeof ext, "%s/ext.yaml", ts_dir);
        FILE *f = fopen(ext, "w");
        fprintf(f, "extends: %s\nname: x\n", targets[i]);
        fclose(f);
        cr_expect_eq(ts_sh("'%s' check '%s'", ts_prog(), ext), 2, "%s", ts_out);
        cr_expect(strstr(ts_out, "ext.yaml:1:10: error: extends: cannot read")
                  && strstr(ts_out, "not a regular file"), "%s", ts_out);
        snprintf(tr, sizeof tr, "%s/tr.yaml", ts_dir);
        f = fopen(tr, "w");
        fprintf(f, "name: x\nreferrals: {trace: %s}\nhorizon: 30\nwarmup: 0\nservices: [{name: A, units: 2, largest_family: 4, stay: {dist: exponential, mean: 30}}]\n", targets[i]);
        fclose(f);
        cr_expect_eq(ts_sh("'%s' check '%s'", ts_prog(), tr), 2, "%s", ts_out);
        cr_expect(strstr(ts_out, "referrals.trace: cannot load") && strstr(ts_out, "not a regular file"),
                  "%s", ts_out);
    }
    /* a trace that is some other file: its line number, never its text */
    snprintf(secret, sizeof secret, "%s/secret.txt", ts_dir);
    FILE *f = fopen(secret, "w");
    fputs("root:hunter2:0:0\n", f);
    fclose(f);
    f = fopen(tr, "w");
    fprintf(f, "name: x\nreferrals: {trace: %s}\nhorizon: 30\nwarmup: 0\nservices: [{name: A, units: 2, largest_family: 4, stay: {dist: exponential, mean: 30}}]\n", secret);
    fclose(f);
    cr_expect_eq(ts_sh("'%s' check '%s'", ts_prog(), tr), 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "secret.txt:1:1: error: referrals.trace: header cell 1 is not a column name"),
              "%s", ts_out);
    cr_expect(!strstr(ts_out, "hunter2"), "%s", ts_out);
}
