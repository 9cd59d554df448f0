/* What compare and check accept: an alternative file's own replications are
 * never silently replaced by the baseline's, a --vs that would not pair is
 * refused as a file is, and check takes every --set that run takes
 * (spaces, extra[...]). */
#include "test_shell.h"

#define COUNTY "'%s/scenarios/leicestershire-county.yaml'"

Test(compare_inputs, an_alternative_with_other_replications_is_refused_naming_the_key,
     .init = ts_make_dir, .fini = ts_remove_dir)
{
    cr_assert_eq(ts_sh("cd '%s' && printf 'extends: %s/scenarios/leicestershire-county.yaml\\n"
                       "replications: 20\\nreferrals:\\n  per_year: 150\\n' > alt.yaml",
                       ts_dir, ts_root()), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && %s compare " COUNTY " alt.yaml", ts_dir, ts_prog(), ts_root()),
                 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "alt.yaml: replications is 20 but the baseline") &&
              strstr(ts_out, "has 100") && strstr(ts_out, "--reps N"), "%s", ts_out);
    /* --reps sets the count for every scenario: accepted */
    cr_assert_eq(ts_sh("cd '%s' && %s compare " COUNTY " alt.yaml --reps 3", ts_dir, ts_prog(),
                       ts_root()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "differences paired over 3 replications"), "%s", ts_out);
}

Test(compare_inputs, a_vs_that_breaks_the_pairing_is_refused_before_any_work,
     .init = ts_make_dir, .fini = ts_remove_dir)
{
    static const struct {
        const char *vs, *said;
    } bad[] = {
        {"seed=5", "--vs 'seed=5': seed is 5 but the baseline"},
        {"horizon=500", "--vs 'horizon=500': horizon is 500 but the baseline"},
        {"warmup=0", "--vs 'warmup=0': warmup is 0 but the baseline"},
        {"spaces=+3,warmup=0", "--vs 'spaces=+3,warmup=0': warmup is 0 but the baseline"},
        {"replications=5", "--vs 'replications=5': replications is 5 but the baseline"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        cr_assert_eq(ts_sh("cd '%s' && %s compare " COUNTY " --vs '%s' --reps 3 --threads 1 "
                           "-o out.h5", ts_dir, ts_prog(), ts_root(), bad[i].vs), 2, "%s: %s",
                     bad[i].vs, ts_out);
        cr_expect(strstr(ts_out, bad[i].said), "%s", ts_out);
        cr_expect(strstr(ts_out, i < 4 ? "must share seed, horizon and warmup"
                                       : "need one count for every scenario"), "%s", ts_out);
        cr_expect(!strstr(ts_out, "differences paired"), "%s", ts_out);
        cr_expect_eq(ts_sh("cd '%s' && ls", ts_dir), 0);
        cr_expect_str_eq(ts_out, "", "nothing written for %s", bad[i].vs);
    }
    /* the same seed as the baseline's pairs, as --seed for every scenario does */
    cr_assert_eq(ts_sh("%s compare " COUNTY " --vs seed=2022 --reps 2 --threads 1", ts_prog(),
                       ts_root()), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("%s compare " COUNTY " --seed 5 --vs seed=5 --reps 2 --threads 1",
                       ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "differences paired over 2 replications"), "%s", ts_out);
}

Test(compare_inputs, check_takes_the_pseudo_keys_run_takes, .init = ts_make_dir,
     .fini = ts_remove_dir)
{
    cr_assert_eq(ts_sh("cd '%s' && %s check " COUNTY " --set spaces=40 > s.yaml && %s check "
                       COUNTY " --set 'extra[county refuges]=5' > e.yaml && head -n 1 s.yaml && "
                       "grep -c '^  units: 40$' s.yaml && grep -c '^  units: 26$' e.yaml",
                       ts_dir, ts_prog(), ts_root(), ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_expect_str_eq(ts_out, "# unit counts written out (spaces / extra[...] applied)\n1\n1\n");
    /* what check prints runs as run --set does, bit for bit */
    cr_assert_eq(ts_sh("cd '%s' && %s run s.yaml --reps 2 -o a.h5 >/dev/null && %s run " COUNTY
                       " --set spaces=40 --reps 2 -o b.h5 > /dev/null && %s report a.h5 | tail -n "
                       "+3 > a.txt && %s report b.h5 | tail -n +3 > b.txt && cmp a.txt b.txt",
                       ts_dir, ts_prog(), ts_prog(), ts_root(), ts_prog(), ts_prog()), 0, "%s",
                 ts_out);
    /* and it refuses what run refuses */
    cr_assert_eq(ts_sh("%s check " COUNTY " --set spaces=-1", ts_prog(), ts_root()), 2, "%s",
                 ts_out);
    cr_expect(strstr(ts_out, "spaces: expected a whole number"), "%s", ts_out);
    cr_assert_eq(ts_sh("%s check " COUNTY " --set 'extra[nowhere]=2'", ts_prog(), ts_root()), 2,
                 "%s", ts_out);
    cr_expect(strstr(ts_out, "extra[nowhere]: no service of that name (accepted: 'county "
                             "refuges', or an index 0 to 0)"), "%s", ts_out);
    /* a service by its index, as --set takes services[0]: the same run, named alike */
    cr_assert_eq(ts_sh("cd '%s' && %s run " COUNTY " --set 'extra[0]=5' --reps 3 --threads 1 > i.txt "
                       "&& %s run " COUNTY " --set 'extra[county refuges]=5' --reps 3 --threads 1 "
                       "> n.txt && cmp i.txt n.txt && head -n 1 i.txt", ts_dir, ts_prog(),
                       ts_root(), ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "county refuges +5 (26 spaces)"), "%s", ts_out);
}
