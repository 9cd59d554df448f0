/* Sweep grids from --vary specs, and capacity scaling that keeps the unit mix. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "rf_capacity.h"
#include "rf_params.h"
#include "rf_sweep.h"
#include "sim_status.h"

Test(sweep_grid, range_and_list_make_a_cartesian_grid_last_key_fastest)
{
    rf_sweep *s = rf_sweep_create();
    char err[256];
    cr_assert_eq(rf_sweep_add(s, "spaces=21:70:7", err, sizeof err), SIM_OK, "%s", err);
    cr_assert_eq(rf_sweep_add(s, "matching=first_fit,best_fit", err, sizeof err), SIM_OK, "%s", err);
    cr_assert_eq(rf_sweep_n_keys(s), 2u);
    cr_assert_eq(rf_sweep_n_points(s), 16u);          /* 8 capacities x 2 policies */
    cr_assert_str_eq(rf_sweep_key(s, 0), "spaces");
    cr_assert_str_eq(rf_sweep_value(s, 0, 0), "21");
    cr_assert_str_eq(rf_sweep_value(s, 0, 1), "first_fit");
    cr_assert_str_eq(rf_sweep_value(s, 1, 1), "best_fit");
    cr_assert_str_eq(rf_sweep_value(s, 15, 0), "70");
    cr_assert_eq(rf_sweep_number(s, 3, 0), 28);
    cr_assert_eq(rf_sweep_number(s, 3, 1), 1);        /* words number by position */
    rf_sweep_free(s);
}

Test(sweep_grid, fractional_ranges_and_numeric_lists)
{
    rf_sweep *s = rf_sweep_create();
    char err[256];
    cr_assert_eq(rf_sweep_add(s, "waiting.p_wait=0:1:0.25", err, sizeof err), SIM_OK);
    cr_assert_eq(rf_sweep_n_points(s), 5u);
    cr_assert_str_eq(rf_sweep_value(s, 4, 0), "1");
    cr_assert_str_eq(rf_sweep_value(s, 1, 0), "0.25");
    cr_assert_eq(rf_sweep_add(s, "referrals.per_year=600,789,900", err, sizeof err), SIM_OK);
    cr_assert_eq(rf_sweep_number(s, 2, 1), 900);
    rf_sweep_free(s);
    s = rf_sweep_create();
    cr_assert_eq(rf_sweep_n_points(s), 1u, "no --vary is one point");
    rf_sweep_free(s);
}

Test(sweep_grid, bad_specs_are_refused_with_the_reason)
{
    struct { const char *arg; const char *fragment; } bad[] = {
        {"spaces", "expected KEY=SPEC"},
        {"=1,2", "expected KEY=SPEC"},
        {"spaces=", "expected KEY=SPEC"},
        {"spaces=70:21:7", "to >= from"},
        {"spaces=21:70:0", "step > 0"},
        {"spaces=21:70", "from:to:step"},
        {"spaces=a:b:c", "must be numbers"},
        {"spaces=1,,2", "empty"},
        {"sp ace=1,2", "a key is"},
        {"spaces=0:1e12:1", "at most"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rf_sweep *s = rf_sweep_create();
        char err[256] = "";
        cr_assert_neq(rf_sweep_add(s, bad[i].arg, err, sizeof err), SIM_OK, "%s", bad[i].arg);
        cr_assert(strstr(err, bad[i].fragment), "'%s' gave '%s'", bad[i].arg, err);
        cr_assert_eq(rf_sweep_n_keys(s), 0u);
        rf_sweep_free(s);
    }
    rf_sweep *s = rf_sweep_create();
    char err[256];
    cr_assert_eq(rf_sweep_add(s, "a=1,2", err, sizeof err), SIM_OK);
    cr_assert_neq(rf_sweep_add(s, "a=3,4", err, sizeof err), SIM_OK);
    cr_assert(strstr(err, "varied twice"));
    rf_sweep_free(s);
}

Test(capacity, scaling_keeps_the_mix_and_hits_the_total)
{
    rf_params p;
    rf_params_init(&p);
    rf_params_add_service(&p, "A", 19, sim_dist_exp(100));
    rf_params_add_service(&p, "B", 2, sim_dist_exp(100));
    p.services[0].n_blocks = 2;
    p.services[0].blocks[1] = p.services[0].blocks[0];
    p.services[0].blocks[0].count = 5;                /* 5 accessible + 14 others */
    p.services[0].blocks[1].count = 14;
    p.services[0].blocks[1].wheelchair = false;
    for (int total = 0; total <= 200; total++) {
        rf_params q = p;
        cr_assert_eq(rf_capacity_set_total(&q, total), SIM_OK);
        cr_assert_eq(rf_params_total_units(&q), total);
        /* every block within one unit of its exact share */
        double w = (double)total / 21;
        cr_assert_lt(fabs(q.services[0].blocks[0].count - 5 * w), 1.0);
        cr_assert_lt(fabs(q.services[0].blocks[1].count - 14 * w), 1.0);
        cr_assert_lt(fabs(q.services[1].blocks[0].count - 2 * w), 1.0);
    }
    rf_params q = p;
    rf_capacity_set_total(&q, 70);
    cr_assert_eq(q.services[0].blocks[0].count + q.services[0].blocks[1].count
                 + q.services[1].blocks[0].count, 70);
    cr_assert_eq(rf_capacity_find_service(&p, "B"), 1);
    cr_assert_eq(rf_capacity_find_service(&p, "C"), -1);
    cr_assert_eq(rf_capacity_add(&q, 1, 0, 3), SIM_OK);
    cr_assert_eq(rf_params_total_units(&q), 73);
    cr_assert_eq(rf_capacity_add(&q, 1, 0, -100), SIM_ERANGE);
    cr_assert_eq(rf_capacity_add(&q, 5, 0, 1), SIM_EINVAL);
    rf_params empty;
    rf_params_init(&empty);
    cr_assert_eq(rf_capacity_set_total(&empty, 10), SIM_EINVAL);
}
