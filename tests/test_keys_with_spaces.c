/* Keys that name a service or block with spaces in it (every shipped
 * scenario has such names) work in --vary, capacity --by and compare --vs as
 * they do in --set; and the pseudo-keys (spaces, extra[NAME]) mean the same
 * given to --set as to --vary.  "The same" is checked bit for bit: every
 * metric of every replication in the results files is equal. */
#include "test_shell.h"

#include <hdf5.h>
#include "an_h5.h"
#include "rf_result.h"
#include "rf_sweep.h"
#include "sim_status.h"

#define REPS 6

static void setup(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    ts_make_dir();
}

static void teardown(void) { ts_remove_dir(); }

/* Run the county scenario with OPTIONS into DIR/NAME.h5. */
static void run_to(const char *name, const char *options)
{
    cr_assert_eq(ts_sh("'%s' run '%s/scenarios/leicestershire-county.yaml' --reps %d --threads 2 "
                       "%s -o '%s/%s.h5' --force",
                       ts_prog(), ts_root(), REPS, options, ts_dir, name),
                 0, "%s: %s", options, ts_out);
}

/* Every metric of every replication of point ia of a and ib of b is the same bits. */
static void expect_same_records(const char *a, size_t ia, const char *b, size_t ib)
{
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s/%s.h5", ts_dir, a);
    snprintf(pb, sizeof pb, "%s/%s.h5", ts_dir, b);
    an_h5_file *fa, *fb;
    cr_assert_eq(an_h5_open(pa, &fa), SIM_OK);
    cr_assert_eq(an_h5_open(pb, &fb), SIM_OK);
    cr_assert_eq(an_h5_point_at(fa, ia)->n_reps, (size_t)REPS);
    cr_assert_eq(an_h5_point_at(fb, ib)->n_reps, (size_t)REPS);
    cr_expect_eq(an_h5_point_at(fa, ia)->total_units, an_h5_point_at(fb, ib)->total_units);
    size_t differ = 0;
    for (size_t m = 0; m < rf_metric_count(); m++) {
        const char *name = rf_metric_at(m)->name;
        double va[REPS], vb[REPS];
        int ra = an_h5_read_metric(fa, ia, name, va), rb = an_h5_read_metric(fb, ib, name, vb);
        cr_assert_eq(ra, rb, "%s", name);
        if (ra == SIM_OK && memcmp(va, vb, sizeof va) != 0) {
            cr_log_error("%s differs between %s[%zu] and %s[%zu]", name, a, ia, b, ib);
            differ++;
        }
    }
    cr_expect_eq(differ, 0u);
    an_h5_close(fa);
    an_h5_close(fb);
}

Test(keys_with_spaces, vary_parser_takes_names_with_spaces_in_brackets)
{
    rf_sweep *s = rf_sweep_create();
    char err[256];
    cr_assert_eq(rf_sweep_add(s, "extra[county refuges]=0,3", err, sizeof err), SIM_OK, "%s", err);
    cr_assert_eq(rf_sweep_add(s, "services[Juno House].blocks[male and pets].units=1:2:1", err,
                              sizeof err),
                 SIM_OK, "%s", err);
    cr_assert_str_eq(rf_sweep_key(s, 0), "extra[county refuges]");
    cr_assert_str_eq(rf_sweep_key(s, 1), "services[Juno House].blocks[male and pets].units");
    cr_assert_eq(rf_sweep_n_points(s), 4u);
    /* Outside brackets a space is still not part of a key. */
    cr_assert_eq(rf_sweep_add(s, "sp ace=1", err, sizeof err), SIM_EPARSE);
    cr_assert_eq(rf_sweep_add(s, "a]b=1", err, sizeof err), SIM_EPARSE);
    rf_sweep_free(s);
}

Test(keys_with_spaces, vary_of_a_spaced_block_gives_the_bits_of_set, .init = setup,
     .fini = teardown)
{
    run_to("vary", "--vary 'services[county refuges].blocks[accessible].units=1,4'");
    run_to("set1", "--set 'services[county refuges].blocks[accessible].units=1'");
    run_to("set4", "--set 'services[county refuges].blocks[accessible].units=4'");
    expect_same_records("vary", 0, "set1", 0);
    expect_same_records("vary", 1, "set4", 0);
}

Test(keys_with_spaces, extra_of_a_spaced_service_in_vary_and_set_are_the_same, .init = setup,
     .fini = teardown)
{
    run_to("vary", "--vary 'extra[county refuges]=0,3'");
    run_to("set3", "--set 'extra[county refuges]=3'");
    cr_expect_eq(ts_sh("'%s' rerun '%s/set3.h5' -o '%s/re.h5'", ts_prog(), ts_dir, ts_dir), 0,
                 "%s", ts_out);
    run_to("plain", "");
    expect_same_records("vary", 0, "plain", 0);
    expect_same_records("vary", 1, "set3", 0);
    char p[512];
    snprintf(p, sizeof p, "%s/set3.h5", ts_dir);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(p, &f), SIM_OK);
    cr_expect_eq(an_h5_point_at(f, 0)->total_units, 24, "21 units and 3 more");
    an_h5_close(f);
}

Test(keys_with_spaces, set_spaces_gives_exactly_vary_spaces, .init = setup, .fini = teardown)
{
    run_to("vary", "--vary spaces=40");
    run_to("set", "--set spaces=40");
    expect_same_records("vary", 0, "set", 0);
    char p[512];
    snprintf(p, sizeof p, "%s/set.h5", ts_dir);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(p, &f), SIM_OK);
    cr_expect_eq(an_h5_point_at(f, 0)->total_units, 40);
    an_h5_close(f);
    /* The file records it: rerun repeats the same bits. */
    cr_expect_eq(ts_sh("'%s' rerun '%s/set.h5' -o '%s/re.h5'", ts_prog(), ts_dir, ts_dir), 0, "%s",
                 ts_out);
    cr_expect(strstr(ts_out, "identical to the stored results") != NULL, "%s", ts_out);
    /* One value only: several are what --vary is for. */
    cr_expect_eq(ts_sh("'%s' run '%s/scenarios/leicestershire-county.yaml' --reps 2 --set spaces=3,4",
                       ts_prog(), ts_root()),
                 2);
    cr_expect(strstr(ts_out, "use --vary for several") != NULL, "%s", ts_out);
    /* Without a FILE, --set spaces replaces the default 21 and 70 spaces. */
    cr_expect_eq(ts_sh("cd '%s' && '%s' run --reps 2 --set spaces=40", ts_root(), ts_prog()), 0,
                 "%s", ts_out);
    cr_expect(strstr(ts_out, "40 spaces") && !strstr(ts_out, "70 spaces"), "%s", ts_out);
    /* A --vary of the same key overrides the --set, point by point. */
    run_to("both", "--set spaces=30 --vary spaces=40");
    expect_same_records("both", 0, "set", 0);
    /* A bad value is refused as --vary refuses it. */
    cr_expect_neq(ts_sh("'%s' run '%s/scenarios/leicestershire-county.yaml' --reps 2 --set spaces=-1",
                        ts_prog(), ts_root()),
                  0);
    cr_expect(strstr(ts_out, "spaces: expected a whole number") != NULL, "%s", ts_out);
    /* calibrate writes a fitted scenario, which has no such key: refused by name. */
    cr_expect_eq(ts_sh("'%s' calibrate '%s/scenarios/leicestershire-county.yaml' --set spaces=40 "
                       "--fit referrals.per_year=100:300 --target placed=0.5 --reps 2",
                       ts_prog(), ts_root()),
                 2);
    cr_expect(strstr(ts_out, "--set spaces=40: calibrate takes scenario keys only") != NULL, "%s",
              ts_out);
}

Test(keys_with_spaces, capacity_by_a_spaced_service_name, .init = setup, .fini = teardown)
{
    cr_assert_eq(ts_sh("'%s' capacity '%s/scenarios/leicestershire-county.yaml' --by 'county "
                       "refuges' --target 'refused_no_space<=0.3' --reps %d --threads 2",
                       ts_prog(), ts_root(), REPS),
                 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "adding units to one service") != NULL, "%s", ts_out);
    cr_expect(strstr(ts_out, "answer: ") != NULL, "%s", ts_out);
    /* A name the scenario does not have is refused with the name. */
    cr_expect_neq(ts_sh("'%s' capacity '%s/scenarios/leicestershire-county.yaml' --by 'no such "
                        "service' --target 'refused_no_space<=0.3' --reps 2",
                        ts_prog(), ts_root()),
                  0);
    cr_expect(strstr(ts_out, "no such service") != NULL, "%s", ts_out);
}

Test(keys_with_spaces, compare_vs_and_set_take_spaced_names_and_pseudo_keys, .init = setup,
     .fini = teardown)
{
    cr_assert_eq(ts_sh("'%s' compare '%s/scenarios/leicestershire-county.yaml' --set spaces=25 "
                       "--vs 'extra[county refuges]=3' --reps %d --threads 2 -o '%s/cmp.h5'",
                       ts_prog(), ts_root(), REPS, ts_dir),
                 0, "%s", ts_out);
    run_to("set25", "--set spaces=25");
    run_to("set28", "--set spaces=25 --set 'extra[county refuges]=3'");
    expect_same_records("cmp", 0, "set25", 0);
    expect_same_records("cmp", 1, "set28", 0);
}
