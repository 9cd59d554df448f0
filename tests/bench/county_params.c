#include "county_params.h"
#include "rf_capacity.h"
#include "sim_status.h"

#include <stdio.h>

static sim_dist empirical(int n, const double *values, const double *weights)
{
    sim_dist d = {.kind = SIM_DIST_EMPIRICAL, .n = n};
    for (int i = 0; i < n; i++) {
        d.values[i] = values[i];
        d.weights[i] = weights[i];
    }
    return d;
}

static rf_unit_block block(int count, bool wheelchair, int family, int boy_limit, bool male,
                           bool pets, bool security)
{
    return (rf_unit_block){
        .count = count, .wheelchair = wheelchair, .largest_family = family,
        .male_child_age_limit = boy_limit, .nrpf = RF_NRPF_CASE_BY_CASE, .takes_male = male,
        .takes_pets = pets, .night_security = security, .high_support = false,
        .self_contained = male, .specialism = RF_SPEC_NONE, .area = 0,
    };
}

int bench_county_params(rf_params *p, int spaces)
{
    rf_params_init(p);
    snprintf(p->name, sizeof p->name, "%s", "leicestershire-county");
    snprintf(p->area_names[0], RF_NAME_MAX, "%s", "county");
    p->warmup = 365;
    p->horizon = 5 * 365;
    p->reps = 1000;
    p->seed = 2022;
    p->per_year = 600;

    rf_household_mix *x = &p->mix;
    x->adults = empirical(2, (const double[]){1, 2}, (const double[]){0.95, 0.05});
    x->children = empirical(5, (const double[]){0, 1, 2, 3, 4},
                            (const double[]){0.35, 0.25, 0.2, 0.12, 0.08});
    x->child_age = empirical(4, (const double[]){2, 8, 12, 15},
                             (const double[]){0.45, 0.25, 0.15, 0.15});
    x->p_child_male = 0.51;
    x->p_wheelchair = 0.05;
    x->p_nrpf = 0.13;
    x->p_male = 0.022;
    x->p_pet = 0.10;
    x->p_bme = 0.10;
    x->p_young = 0.15;
    x->p_high_risk = 0.41;

    /* about a quarter of referrals are not for a space */
    p->n_screen = 2;
    snprintf(p->screen[0].name, RF_NAME_MAX, "%s", "support needs unsuitable");
    p->screen[0].prob = 0.15;
    snprintf(p->screen[1].name, RF_NAME_MAX, "%s", "no current domestic abuse");
    p->screen[1].prob = 0.10;

    p->p_wait = 0.5;
    p->patience = sim_dist_exp(30);
    p->priority = RF_PRIORITY_HIGH_RISK;
    p->matching = RF_MATCH_BEST_FIT;

    /* move-on: about 55% within 14 days, the rest 30-180 days */
    p->move_on_delay = empirical(10, (const double[]){0, 3, 7, 10, 14, 30, 60, 90, 120, 180},
                                 (const double[]){0.15, 0.10, 0.10, 0.10, 0.10,
                                                  0.12, 0.12, 0.09, 0.06, 0.06});
    p->timely_days = 28;
    p->turnaround = (sim_dist){.kind = SIM_DIST_GAMMA, .mean = 10, .sd = 5};
    p->outage_interval = sim_dist_exp(365);
    p->outage_duration = sim_dist_exp(14);

    const sim_dist stay = sim_dist_lognormal(120, 90);
    struct { const char *name; rf_unit_block b[2]; } sv[] = {
        {"county refuge north", {block(2, true, 4, 12, false, false, true),
                                 block(5, false, 4, 12, false, false, true)}},
        {"county refuge south", {block(1, true, 5, 16, false, false, false),
                                 block(6, false, 5, 14, false, false, false)}},
        {"dispersed", {block(3, false, 5, RF_NO_LIMIT, true, true, false),
                       block(4, false, 3, RF_NO_LIMIT, true, false, false)}},
    };
    for (size_t i = 0; i < sizeof sv / sizeof sv[0]; i++) {
        int s = rf_params_add_service(p, sv[i].name, 0, stay);
        p->services[s].n_blocks = 2;
        p->services[s].blocks[0] = sv[i].b[0];
        p->services[s].blocks[1] = sv[i].b[1];
        p->services[s].p_early_exit = 0.10;
        p->services[s].nrpf_case_accept = 0.5;
    }
    int rc = spaces == rf_params_total_units(p) ? SIM_OK : rf_capacity_set_total(p, spaces);
    return rc ? rc : rf_params_prepare(p);
}
