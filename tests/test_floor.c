/* The "no suitable unit" floor (study_floor): households that no unit fits
 * are counted by what blocks them, their share does not fall as more of
 * the same units are added (common random numbers: the same households),
 * and capacity and optimise say so, naming the attribute and the block key
 * that would help, instead of failing without a reason. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rf_model.h"
#include "rf_scenario.h"
#include "sim_status.h"
#include "study_floor.h"
#include "test_shell.h"

/* 30% of households have a pet and no unit takes pets: a floor of 30% of
 * referrals (nobody is screened out). */
static const char scenario[] =
    "name: pets-floor\nhorizon: 365\nwarmup: 30\nreplications: 20\nseed: 3\n"
    "referrals: {per_year: 120}\n"
    "households: {adults: {dist: constant, mean: 1}, children: {dist: constant, mean: 0},"
    " p_pet: 0.3}\n"
    "services:\n  - name: refuge\n    units: 4\n    largest_family: 5\n"
    "    stay: {dist: exponential, mean: 20}\n"
    "    cost: {per_unit_year: 30000}\n"
    "    blocks:\n      - {name: plain, units: 1}\n";

static void write_scenario(void)
{
    ts_make_dir();
    char path[300];
    snprintf(path, sizeof path, "%s/pets.yaml", ts_dir);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(scenario, f);
    fclose(f);
}

Test(floor, counted_by_what_blocks_them_and_bounds_the_metric)
{
    rf_scenario *sc = NULL;
    rf_diags d;
    cr_assert_eq(rf_scenario_load_text(scenario, "pets.yaml", NULL, 0, &sc, &d), SIM_OK);
    const rf_params *p = rf_scenario_params(sc);
    enum { N = 20 };
    static rf_result r[N];
    double none = 0, refs = 0, pets = 0;
    for (size_t i = 0; i < N; i++) {
        cr_assert_eq(rf_model_run(p, i, &r[i]), SIM_OK);
        none += (double)r[i].outcomes[RF_OUT_NO_SUITABLE];
        pets += (double)r[i].no_suitable[RF_BLK_PET];
        refs += (double)r[i].referrals;
    }
    study_floor f;
    study_floor_of(r, NULL, N, &f);
    cr_expect_eq(f.reps, N);
    cr_expect(fabs(f.share - none / refs) < 1e-12, "%g vs %g", f.share, none / refs);
    cr_expect(fabs(f.by[RF_BLK_PET] - pets / refs) < 1e-12);
    cr_expect_eq(pets, none, "every household no unit fits is blocked by its pet");
    /* 30% of households have pets: the interval of a binomial share */
    cr_expect(fabs(f.share - 0.3) < 3.3 * sqrt(0.3 * 0.7 / refs), "share %g", f.share);
    /* the floor bounds refused from below and placed from above */
    double b;
    cr_expect_eq(study_floor_bound(r, NULL, N, rf_metric_find("refused"), &b), 1);
    cr_expect(fabs(b - none / refs) < 1e-12);
    cr_expect_eq(study_floor_bound(r, NULL, N, rf_metric_find("placed"), &b), 1);
    cr_expect(fabs(b - (1 - none / refs)) < 1e-12, "nobody screened out: %g", b);
    cr_expect_eq(study_floor_bound(r, NULL, N, rf_metric_find("wait_mean"), &b), 0);
    /* the same households at twice the units: the change is exactly 0 */
    rf_params q = *p;
    q.services[0].blocks[0].count *= 2;
    static rf_result r2[N];
    for (size_t i = 0; i < N; i++)
        cr_assert_eq(rf_model_run(&q, i, &r2[i]), SIM_OK);
    sim_ratio_diff ch;
    study_floor_change(r, NULL, r2, NULL, N, &ch);
    cr_expect_eq(ch.diff, 0.0);
    cr_expect_eq(ch.ci95, 0.0);
    cr_expect(study_floor_holds(&f, &ch));
    ch.diff = -0.05;
    ch.ci95 = 0.01;
    cr_expect(!study_floor_holds(&f, &ch), "a share that fell is no floor");
    rf_scenario_free(sc);
}

Test(floor, capacity_names_what_no_unit_provides, .init = write_scenario, .fini = ts_remove_dir)
{
    int rc = ts_sh("%s capacity '%s/pets.yaml' --target 'refused<=0.2' --reps 20 --max 60",
                   ts_prog(), ts_dir);
    cr_expect_eq(rc, 1, "exit %d: %s", rc, ts_out);
    cr_expect(strstr(ts_out, "no capacity up to 60 spaces meets refused <= 0.2"), "%s", ts_out);
    cr_expect(strstr(ts_out, "are households that no unit of the scenario fits, no fewer at 60 "
                             "spaces than at its 4, so refused cannot fall below"), "%s", ts_out);
    cr_expect(strstr(ts_out, "no amount of these units meets the target"), "%s", ts_out);
    cr_expect(strstr(ts_out, "of referrals need a unit taking pets: add a block with "
                             "takes_pets: true"), "%s", ts_out);
    /* a target the floor does not bound gets no such explanation */
    rc = ts_sh("%s capacity '%s/pets.yaml' --target 'occupancy>=0.99' --reps 20 --max 60",
               ts_prog(), ts_dir);
    cr_expect_eq(rc, 1, "%s", ts_out);
    cr_expect(!strstr(ts_out, "no suitable unit"), "%s", ts_out);
    /* nor one the floor leaves within reach */
    rc = ts_sh("%s capacity '%s/pets.yaml' --target 'refused<=0.5' --reps 20 --max 60",
               ts_prog(), ts_dir);
    cr_expect_eq(rc, 0, "%s", ts_out);
    cr_expect(!strstr(ts_out, "no suitable unit"), "%s", ts_out);
}

Test(floor, optimise_says_the_candidates_do_not_help, .init = write_scenario,
     .fini = ts_remove_dir)
{
    int rc = ts_sh("%s optimise '%s/pets.yaml' --budget 120000 --add plain --target refused "
                   "--reps 20", ts_prog(), ts_dir);
    cr_expect_eq(rc, 0, "exit %d: %s", rc, ts_out);
    cr_expect(strstr(ts_out, "are households that no unit fits, no fewer with the units added: "
                             "no amount of these candidates helps them, and refused cannot fall "
                             "below"), "%s", ts_out);
    cr_expect(strstr(ts_out, "of referrals need a unit taking pets: add a block with "
                             "takes_pets: true"), "%s", ts_out);
}

Test(floor, the_county_needs_units_taking_nrpf_households)
{
    /* the county: 7% of referrals are households none of its units fits,
     * most of them with no recourse to public funds (its units decide case
     * by case), so no number of such units brings refusals to 5% */
    int rc = ts_sh("%s capacity '%s/scenarios/leicestershire-county.yaml' "
                   "--target 'refused_of_eligible<=0.05' --reps 20 --max 300", ts_prog(), ts_root());
    cr_expect_eq(rc, 1, "%s", ts_out);
    cr_expect(strstr(ts_out, "no amount of these units meets the target"), "%s", ts_out);
    const char *nrpf = strstr(ts_out, "of referrals need a unit taking households with no "
                                      "recourse to public funds: add a block with nrpf: yes");
    cr_assert(nrpf, "%s", ts_out);
    /* the largest share comes first */
    cr_expect(!strstr(ts_out, "  0.") || strstr(ts_out, "  0.") > nrpf, "%s", ts_out);
}
