/* Shared scenario builders and replication helpers of the refuge model tests. */
#ifndef TEST_MODEL_UTIL_H
#define TEST_MODEL_UTIL_H

#include <math.h>
#include <string.h>
#include "rf_model.h"
#include "sim_stats.h"
#include "sim_status.h"

/* One service of c plain units taking everybody, Poisson referrals giving
 * offered load `load` (erlangs) with the given stay; everything else off. */
static inline void tm_loss_system(rf_params *p, int c, double load, sim_dist stay, double years)
{
    rf_params_init(p);
    rf_params_add_service(p, "plain", c, stay);
    p->per_year = load / sim_dist_mean(&stay) * 365;
    p->warmup = 20 * sim_dist_mean(&stay);
    p->horizon = years * 365;
    p->seed = 20240611;
}

/* Mean and standard error over replications of f(result). */
typedef double (*tm_stat_fn)(const rf_result *r, void *user);

typedef struct {
    double mean, se, sd;
    size_t n;
} tm_est;

static inline tm_est tm_replicate(const rf_params *p, size_t reps, tm_stat_fn f, void *user)
{
    sim_welford w;
    sim_welford_reset(&w);
    rf_result r;
    for (size_t i = 0; i < reps; i++) {
        if (rf_model_run(p, i, &r) != SIM_OK)
            return (tm_est){NAN, NAN, NAN, 0};
        sim_welford_add(&w, f(&r, user));
    }
    double sd = sim_welford_sd(&w);
    return (tm_est){w.mean, sd / sqrt((double)reps), sd, reps};
}

static inline double tm_share(const rf_result *r, rf_outcome o)
{
    return r->referrals ? (double)r->outcomes[o] / (double)r->referrals : NAN;
}

/* Leicester City's commissioned units (domain.md, table 5.3) in two areas,
 * with every mechanism switched on. */
static inline void tm_city(rf_params *p)
{
    rf_params_init(p);
    snprintf(p->name, sizeof p->name, "%s", "city");
    p->n_areas = 2;
    snprintf(p->area_names[0], RF_NAME_MAX, "%s", "north");
    snprintf(p->area_names[1], RF_NAME_MAX, "%s", "south");
    p->per_year = 789;
    p->growth = 0.05;
    const double season[12] = {1.1, 1.0, 0.9, 0.9, 1.0, 1.0, 1.1, 1.0, 0.9, 1.0, 1.0, 1.1};
    memcpy(p->seasonality, season, sizeof season);
    p->warmup = 365;
    p->horizon = 3 * 365;
    p->seed = 77;

    rf_household_mix *x = &p->mix;
    x->adults = (sim_dist){.kind = SIM_DIST_EMPIRICAL, .n = 2, .values = {1, 2}, .weights = {0.9, 0.1}};
    x->children = (sim_dist){.kind = SIM_DIST_EMPIRICAL, .n = 5, .values = {0, 1, 2, 3, 4},
                             .weights = {0.35, 0.25, 0.2, 0.12, 0.08}};
    x->child_age = (sim_dist){.kind = SIM_DIST_UNIFORM, .min = 0, .max = 17.99};
    x->p_child_male = 0.5;
    x->p_wheelchair = 0.06;
    x->p_nrpf = 0.27;
    x->p_male = 0.022;
    x->p_pet = 0.08;
    x->p_bme = 0.3;
    x->p_young = 0.15;
    x->p_needs_specialist = 0.3;
    x->p_high_support = 0.2;
    x->p_high_risk = 0.4;
    x->p_needs_security = 0.1;
    x->p_outside_area = 0.2;
    x->p_wants_area = 0.17;
    x->area_weights[0] = 0.6;
    x->area_weights[1] = 0.4;

    p->n_screen = 2;
    snprintf(p->screen[0].name, RF_NAME_MAX, "%s", "support_needs_unsuitable");
    p->screen[0].prob = 0.12;
    snprintf(p->screen[1].name, RF_NAME_MAX, "%s", "no_current_abuse");
    p->screen[1].prob = 0.08;

    p->p_wait = 0.6;
    p->patience = sim_dist_exp(30);
    p->priority = RF_PRIORITY_HIGH_RISK;
    p->max_waiting = 26;
    p->matching = RF_MATCH_BEST_FIT;
    p->move_on_delay = (sim_dist){.kind = SIM_DIST_GAMMA, .mean = 40, .sd = 40};
    p->timely_days = 28;
    p->turnaround = (sim_dist){.kind = SIM_DIST_UNIFORM, .min = 3, .max = 14};
    p->outage_interval = sim_dist_exp(365);
    p->outage_duration = sim_dist_exp(20);

    /* name, wheelchair units, others, largest family, boy limit, nrpf, male, pets, security, spec, area */
    struct { const char *name; int wc, other, fam, boy; rf_nrpf_policy nrpf; int male, pets, sec;
             rf_specialism spec; int area; } t[] = {
        {"Brookes House", 5, 14, 4, 15, RF_NRPF_YES, 0, 0, 1, RF_SPEC_NONE, 0},
        {"Leicester Refuge", 0, 11, 4, 12, RF_NRPF_CASE_BY_CASE, 0, 0, 0, RF_SPEC_NONE, 0},
        {"Juno House", 0, 8, 2, 12, RF_NRPF_CASE_BY_CASE, 0, 0, 1, RF_SPEC_YOUNG_WOMEN, 1},
        {"Dispersed", 0, 3, 5, RF_NO_LIMIT, RF_NRPF_CASE_BY_CASE, 1, 2, 0, RF_SPEC_NONE, 1},
        {"Panahghar", 7, 8, 5, 16, RF_NRPF_YES, 0, 0, 0, RF_SPEC_BME, 0},
        {"Respite Rooms", 1, 4, 3, 16, RF_NRPF_YES, 0, 5, 1, RF_SPEC_BME, 1},
        {"Second Stage", 0, 6, 3, 14, RF_NRPF_YES, 0, 6, 1, RF_SPEC_BME, 1},
        {"Action Homeless", 1, 6, 4, 11, RF_NRPF_YES, 0, 0, 0, RF_SPEC_NONE, 0},
        {"Zinthiya Trust", 4, 16, 3, 9, RF_NRPF_YES, 0, 0, 0, RF_SPEC_NONE, 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        int s = rf_params_add_service(p, t[i].name, 0,
                                      (sim_dist){.kind = SIM_DIST_LOGNORMAL, .mean = 120, .sd = 90});
        rf_service *sv = &p->services[s];
        sv->p_early_exit = 0.15;
        sv->nrpf_case_accept = 0.5;
        rf_unit_block base = {
            .count = 0, .wheelchair = false, .largest_family = t[i].fam,
            .male_child_age_limit = t[i].boy, .nrpf = t[i].nrpf, .takes_male = t[i].male,
            .takes_pets = false, .night_security = t[i].sec, .high_support = i % 2 == 0,
            .self_contained = i == 3, .specialism = t[i].spec, .area = t[i].area,
        };
        /* block 0: wheelchair units, block 1: pet units, block 2: the rest */
        int pets = t[i].pets < t[i].other ? t[i].pets : t[i].other;
        sv->n_blocks = 3;
        sv->blocks[0] = base;
        sv->blocks[0].count = t[i].wc;
        sv->blocks[0].wheelchair = true;
        sv->blocks[1] = base;
        sv->blocks[1].count = pets;
        sv->blocks[1].takes_pets = true;
        sv->blocks[2] = base;
        sv->blocks[2].count = t[i].other - pets;
    }
    p->n_initial_occupants = 27;   /* 3 in each service: Dispersed has 3 units */
    for (int i = 0; i < p->n_initial_occupants; i++)
        p->initial_occupants[i] = (rf_initial_occupant){.service = i % 9, .days_stayed = 7.0 * i};
    p->n_initial_waiting = 13;
    for (int i = 0; i < p->n_initial_waiting; i++)
        p->initial_waiting_days[i] = 3.0 * i;
}

#endif
