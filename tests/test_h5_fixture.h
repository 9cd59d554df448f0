/* Shared by test_h5.c and test_report.c: fabricated replication records with
 * known values (no model run), written to a results file in a scratch
 * directory.  Two points: "21 spaces" (3 replications) and "70 spaces"
 * (4 replications), two services each, 12 months. */
#ifndef TEST_H5_FIXTURE_H
#define TEST_H5_FIXTURE_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "an_h5.h"
#include "rf_params.h"
#include "rf_result.h"
#include "sim_status.h"

#define FX_POINTS 2
#define FX_MONTHS 12
static const size_t fx_reps[FX_POINTS] = {3, 4};
static const int fx_units[FX_POINTS][2] = {{12, 9}, {49, 21}};
static const char *const fx_keys[1] = {"services[0].units"};
static const double fx_vary[FX_POINTS][1] = {{12}, {49}};
static const char fx_scenario[] = "name: county\nhorizon: 365\nservices:\n  - name: Brookes House\n    units: 12\n";

typedef struct {
    char dir[256];
    char path[300];
    rf_params params[FX_POINTS];
    rf_result *res[FX_POINTS];
} fixture;

static void fx_result(int p, int r, rf_result *x)
{
    memset(x, 0, sizeof *x);
    x->rep = (uint64_t)r;
    x->events = 1000 + (uint64_t)r;
    uint64_t R = 600 + 10 * (uint64_t)r + 50 * (uint64_t)p;
    x->referrals = R;
    x->outcomes[RF_OUT_SCREENED_OUT] = 60;
    x->outcomes[RF_OUT_NO_SUITABLE] = 20 + (uint64_t)r;
    x->outcomes[RF_OUT_PLACED_IMMEDIATELY] = 100 + 50 * (uint64_t)p + (uint64_t)r;
    x->outcomes[RF_OUT_PLACED_AFTER_WAIT] = 40 + 10 * (uint64_t)p;
    x->outcomes[RF_OUT_ABANDONED] = 10;
    x->outcomes[RF_OUT_WAITING_AT_END] = 5;
    uint64_t other = 0;
    for (int o = 0; o < RF_OUT_N; o++)
        other += x->outcomes[o];
    x->outcomes[RF_OUT_REFUSED_NO_SPACE] = R - other;
    x->no_suitable[RF_BLK_WHEELCHAIR] = 5;
    x->no_suitable[RF_BLK_FAMILY_SIZE] = 15 + (uint64_t)r;
    x->placed_within_7d = 110;
    x->placed_within_28d = 130 + (uint64_t)r;
    x->departures = 120;
    x->move_ons = 100;
    x->timely_move_ons = 55 + (uint64_t)r;
    x->wait_mean = 3.0 + 0.5 * r - p;
    x->wait_p50 = 2.0;
    x->wait_p90 = 10.0 + r;
    x->waiting_mean = 12.5 + r - 5 * p;
    x->waiting_max = 26;
    x->occupancy = 0.9 - 0.01 * r;
    x->blocked_share = 0.05 + 0.01 * r;
    x->downtime_share = 0.19;
    x->moveon_days = 400 + r;
    x->waited = 30 + (uint64_t)r;
    x->waited_sum = 8.0 * (double)x->waited;
    x->wait_all_p90 = 20 + r;
    /* the parts the shares are made of, consistent with the shares above */
    x->wait_sum = x->wait_mean * (double)(x->outcomes[RF_OUT_PLACED_IMMEDIATELY]
                                          + x->outcomes[RF_OUT_PLACED_AFTER_WAIT]);
    x->unit_days = 365.0 * (fx_units[p][0] + fx_units[p][1]);
    x->occupied_days = x->occupancy * x->unit_days;
    x->down_days = x->downtime_share * x->unit_days;
    x->blocked_share = x->moveon_days / x->unit_days;
    x->n_services = 2;
    for (int s = 0; s < 2; s++) {
        rf_service_result *sv = &x->services[s];
        sv->units = fx_units[p][s];
        sv->placements = 30 + 10 * (uint64_t)s + (uint64_t)r;
        sv->departures = 28 + (uint64_t)r;
        sv->early_exits = 3;
        sv->move_ons = 25;
        sv->timely_move_ons = 12 + (uint64_t)s + (uint64_t)r;
        sv->occupied_days = 0.8 * 365 * sv->units + r;
        sv->blocked_days = 20.5 + s;
        sv->down_days = 0.19 * 365 * sv->units;
    }
    for (int g = 0; g < RF_G_N; g++) {
        rf_group_result *gr = &x->groups[g];
        gr->referrals = 50 + (uint64_t)g + (uint64_t)r;
        gr->outcomes[RF_OUT_PLACED_IMMEDIATELY] = 10 + (uint64_t)g;
        gr->outcomes[RF_OUT_REFUSED_NO_SPACE] = 40 + (uint64_t)r;
        gr->placed_within_7d = 8;
        gr->placed_within_28d = 10 + (uint64_t)g;
        gr->wait_sum = 5.0 * g;
        gr->waited = 3 + (uint64_t)r;
        gr->waited_sum = 12.5 * (double)(3 + r);
    }
    x->n_months = FX_MONTHS;
    for (int m = 0; m < FX_MONTHS; m++) {
        x->monthly_occupied[m] = 18 + 40 * p + 0.1 * m + r;
        x->monthly_waiting[m] = 10 + m + r;
        x->monthly_units[m] = fx_units[p][0] + fx_units[p][1];
    }
}

static void fx_params(int p, rf_params *pp)
{
    rf_params_init(pp);
    pp->horizon = 365;
    pp->warmup = 180;
    rf_params_add_service(pp, "Brookes House", fx_units[p][0], sim_dist_exp(120));
    rf_params_add_service(pp, "Juno House", fx_units[p][1], sim_dist_exp(90));
}

static void fx_tmpdir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/rs_an_test_XXXXXX");
    cr_assert_not_null(mkdtemp(dir), "mkdtemp");
}

/* done: NULL = all replications done. */
__attribute__((unused)) static void fx_setup(fixture *fx, const unsigned char *const *done, int complete)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    memset(fx, 0, sizeof *fx);
    fx_tmpdir(fx->dir, sizeof fx->dir);
    snprintf(fx->path, sizeof fx->path, "%s/results.h5", fx->dir);
    an_point pts[FX_POINTS];
    for (int p = 0; p < FX_POINTS; p++) {
        fx_params(p, &fx->params[p]);
        fx->res[p] = calloc(fx_reps[p], sizeof(rf_result));
        cr_assert_not_null(fx->res[p]);
        for (size_t r = 0; r < fx_reps[p]; r++)
            fx_result(p, (int)r, &fx->res[p][r]);
        pts[p] = (an_point){.params = &fx->params[p], .vary_values = fx_vary[p],
                            .n_reps = fx_reps[p], .results = fx->res[p],
                            .done = done ? done[p] : NULL};
    }
    an_run run = {.info = {.scenario_text = fx_scenario, .command_line = "refugesim sweep test.yaml",
                           .seed = 42, .threads = 2, .ranks = 1, .n_vary = 1, .vary_keys = fx_keys,
                           .n_points = FX_POINTS},
                  .complete = complete, .points = pts};
    int st = an_h5_write(fx->path, &run, 0);
    cr_assert_eq(st, SIM_OK, "an_h5_write: %s", sim_strerror(st));
}

/* Number of directory entries other than . and .. */
__attribute__((unused)) static int fx_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

__attribute__((unused)) static void fx_teardown(fixture *fx)
{
    for (int p = 0; p < FX_POINTS; p++)
        free(fx->res[p]);
    char cmd[400];
    if (getenv("RS_KEEP_TMP")) { /* keep the scratch directory for inspection */
        fprintf(stderr, "kept %s\n", fx->dir);
        return;
    }
    if (fx->dir[0] && !strncmp(fx->dir, "/tmp/rs_an_test_", 16)) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
        if (system(cmd) != 0) { /* best effort */ }
    }
}

#endif
