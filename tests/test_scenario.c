/* Scenario files: every shipped scenario loads with the figures of its
 * sources, the resolved text round-trips, overrides and extends work, and
 * every broken file is refused with the right place, key and message. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rf_params.h"
#include "rf_scenario.h"
#include "sim_status.h"

static char *root_path(const char *rel)
{
    const char *root = getenv("RS_ROOT");
    static char buf[4][1024];
    static int k;
    char *b = buf[k++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", root ? root : ".", rel);
    return b;
}

static rf_scenario *load_ok(const char *rel, const char *const *sets, size_t n)
{
    rf_diags d;
    rf_scenario *s = NULL;
    int rc = rf_scenario_load_file(root_path(rel), sets, n, &s, &d);
    if (rc != SIM_OK)
        for (int i = 0; i < d.n; i++) {
            char line[1024];
            rf_diag_format(&d.items[i], line, sizeof line);
            cr_log_error("%s", line);
        }
    cr_assert_eq(rc, SIM_OK, "%s does not load: %s", rel, sim_strerror(rc));
    cr_assert_not_null(s);
    return s;
}

static int service_units(const rf_service *s)
{
    int n = 0;
    for (int b = 0; b < s->n_blocks; b++)
        n += s->blocks[b].count;
    return n;
}

/* ---- field-by-field comparison (padding bytes are not compared) ---- */

static void dist_eq(const sim_dist *a, const sim_dist *b, const char *what)
{
    cr_expect_eq(a->kind, b->kind, "%s.kind", what);
    cr_expect(a->mean == b->mean && a->sd == b->sd && a->min == b->min && a->max == b->max
                  && a->p1 == b->p1 && a->p2 == b->p2 && a->n == b->n,
              "%s parameters differ", what);
    for (int i = 0; i < a->n; i++)
        cr_expect(a->values[i] == b->values[i] && a->weights[i] == b->weights[i]
                      && a->cum[i] == b->cum[i], "%s.values[%d]", what, i);
}

static void block_eq(const rf_unit_block *a, const rf_unit_block *b)
{
    cr_expect(a->count == b->count && a->wheelchair == b->wheelchair
              && a->largest_family == b->largest_family
              && a->male_child_age_limit == b->male_child_age_limit && a->nrpf == b->nrpf
              && a->takes_male == b->takes_male && a->takes_pets == b->takes_pets
              && a->night_security == b->night_security && a->high_support == b->high_support
              && a->self_contained == b->self_contained && a->specialism == b->specialism
              && a->area == b->area, "unit blocks differ");
}

static void params_eq(const rf_params *a, const rf_params *b)
{
    cr_expect_str_eq(a->name, b->name);
    cr_expect(a->horizon == b->horizon && a->warmup == b->warmup && a->reps == b->reps
              && a->seed == b->seed, "run settings differ");
    cr_expect(a->per_year == b->per_year && a->growth == b->growth
                  && a->start_month == b->start_month, "referrals differ");
    for (int m = 0; m < 12; m++)
        cr_expect(a->seasonality[m] == b->seasonality[m], "seasonality[%d]", m);
    cr_expect_eq(a->trace == NULL, b->trace == NULL);
    const rf_household_mix *x = &a->mix, *y = &b->mix;
    dist_eq(&x->adults, &y->adults, "adults");
    dist_eq(&x->children, &y->children, "children");
    dist_eq(&x->child_age, &y->child_age, "child_age");
    cr_expect(x->p_child_male == y->p_child_male && x->p_wheelchair == y->p_wheelchair
              && x->p_nrpf == y->p_nrpf && x->p_male == y->p_male && x->p_pet == y->p_pet
              && x->p_bme == y->p_bme && x->p_young == y->p_young
              && x->p_needs_specialist == y->p_needs_specialist
              && x->p_high_support == y->p_high_support && x->p_high_risk == y->p_high_risk
              && x->p_needs_security == y->p_needs_security
              && x->p_outside_area == y->p_outside_area && x->p_wants_area == y->p_wants_area,
              "household mix differs");
    for (int i = 0; i < RF_MAX_AREAS; i++)
        cr_expect(x->area_weights[i] == y->area_weights[i], "area_weights[%d]", i);
    cr_expect_eq(a->n_screen, b->n_screen);
    for (int i = 0; i < a->n_screen; i++) {
        cr_expect_str_eq(a->screen[i].name, b->screen[i].name);
        cr_expect(a->screen[i].prob == b->screen[i].prob);
    }
    cr_expect(a->p_wait == b->p_wait && a->priority == b->priority
              && a->max_waiting == b->max_waiting && a->matching == b->matching,
              "waiting / matching differ");
    dist_eq(&a->patience, &b->patience, "patience");
    cr_expect_eq(a->n_areas, b->n_areas);
    for (int i = 0; i < a->n_areas; i++)
        cr_expect_str_eq(a->area_names[i], b->area_names[i]);
    cr_expect_eq(a->n_services, b->n_services);
    for (int i = 0; i < a->n_services; i++) {
        const rf_service *s = &a->services[i], *t = &b->services[i];
        cr_expect_str_eq(s->name, t->name);
        cr_expect_eq(s->n_blocks, t->n_blocks);
        for (int k = 0; k < s->n_blocks; k++)
            block_eq(&s->blocks[k], &t->blocks[k]);
        dist_eq(&s->stay, &t->stay, "stay");
        for (int k = 0; k < RF_SD_N; k++)
            dist_eq(rf_service_dist(a, i, (rf_service_dist_kind)k),
                    rf_service_dist(b, i, (rf_service_dist_kind)k), "a service's own distribution");
        cr_expect(s->p_early_exit == t->p_early_exit
                  && s->nrpf_case_accept == t->nrpf_case_accept
                  && s->nrpf_decision == t->nrpf_decision, "service %d differs", i);
    }
    dist_eq(&a->move_on_delay, &b->move_on_delay, "move_on_delay");
    cr_expect(a->timely_days == b->timely_days);
    dist_eq(&a->turnaround, &b->turnaround, "turnaround");
    dist_eq(&a->outage_interval, &b->outage_interval, "outage_interval");
    dist_eq(&a->outage_duration, &b->outage_duration, "outage_duration");
    cr_expect_eq(a->n_initial_occupants, b->n_initial_occupants);
    for (int i = 0; i < a->n_initial_occupants; i++)
        cr_expect(a->initial_occupants[i].service == b->initial_occupants[i].service
                  && a->initial_occupants[i].days_stayed == b->initial_occupants[i].days_stayed);
    cr_expect_eq(a->n_initial_waiting, b->n_initial_waiting);
    for (int i = 0; i < a->n_initial_waiting; i++)
        cr_expect(a->initial_waiting_days[i] == b->initial_waiting_days[i]);
}

/* ---- shipped scenarios ---- */

static const char *const shipped[] = {
    "scenarios/leicester-city-2021.yaml", "scenarios/leicestershire-county.yaml",
    "scenarios/leicestershire-county-70.yaml", "scenarios/mmcc.yaml",
    "scenarios/example-county-faster-move-on.yaml",
    "scenarios/example-county-20-more-from-year-2.yaml",
    "scenarios/example-county-candidates.yaml"};

Test(scenario, city_units_and_figures)
{
    rf_scenario *s = load_ok("scenarios/leicester-city-2021.yaml", NULL, 0);
    const rf_params *p = rf_scenario_params(s);
    /* table 5.3 of the city strategy */
    static const struct { const char *name; int units, wheelchair, family, boy_limit; } t[] = {
        {"Brookes House", 19, 5, 4, 14},   {"Leicester Refuge", 11, 0, 4, 12},
        {"Juno House", 8, 0, 2, 12},       {"Dispersed", 3, 0, 5, RF_NO_LIMIT},
        {"Refuge (Panahghar)", 15, 7, 5, 14}, {"Respite Rooms", 5, 1, 3, 16},
        {"Second Stage", 6, 0, 3, 14},     {"Action Homeless", 7, 1, 4, 11},
        {"Zinthiya Trust", 20, 4, 3, 9}};
    cr_assert_eq(p->n_services, 9);
    for (int i = 0; i < 9; i++) {
        const rf_service *sv = &p->services[i];
        cr_expect_str_eq(sv->name, t[i].name);
        cr_expect_eq(service_units(sv), t[i].units, "%s units", t[i].name);
        int wc = 0;
        for (int b = 0; b < sv->n_blocks; b++)
            wc += sv->blocks[b].wheelchair ? sv->blocks[b].count : 0;
        cr_expect_eq(wc, t[i].wheelchair, "%s wheelchair units", t[i].name);
        cr_expect_eq(sv->blocks[0].largest_family, t[i].family, "%s largest family", t[i].name);
        cr_expect_eq(sv->blocks[0].male_child_age_limit, t[i].boy_limit, "%s boy limit",
                     t[i].name);
    }
    cr_expect_eq(rf_params_total_units(p), 94);
    cr_expect_eq(p->per_year, 789);
    cr_expect_float_eq(p->mix.p_nrpf, 0.27, 1e-12);
    cr_expect_float_eq(p->mix.p_male, 0.022, 1e-12);
    /* Dispersed: 1 unit without pets (the remainder) and 2 with */
    const rf_service *disp = &p->services[3];
    cr_expect_eq(disp->n_blocks, 2);
    cr_expect(disp->blocks[0].count == 1 && !disp->blocks[0].takes_pets);
    cr_expect(disp->blocks[1].count == 2 && disp->blocks[1].takes_pets);
    cr_expect(disp->blocks[1].takes_male && disp->blocks[1].nrpf == RF_NRPF_CASE_BY_CASE,
              "blocks inherit the service's attributes");
    /* Panahghar: 8 shared (limit 14) and 7 self-contained (limit 16) */
    const rf_service *pan = &p->services[4];
    cr_expect(pan->blocks[0].count == 8 && pan->blocks[0].male_child_age_limit == 14);
    cr_expect(pan->blocks[1].count == 7 && pan->blocks[1].male_child_age_limit == 16
              && pan->blocks[1].specialism == RF_SPEC_BME);
    cr_expect_eq(p->services[2].blocks[0].specialism, RF_SPEC_YOUNG_WOMEN);
    cr_expect_eq(p->n_screen, 4);
    cr_expect_float_eq(p->move_on_delay.mean, 35, 1e-12);
    rf_scenario_free(s);
}

Test(scenario, county_21_and_70)
{
    rf_scenario *a = load_ok("scenarios/leicestershire-county.yaml", NULL, 0);
    rf_scenario *b = load_ok("scenarios/leicestershire-county-70.yaml", NULL, 0);
    const rf_params *p = rf_scenario_params(a), *q = rf_scenario_params(b);
    cr_expect_eq(rf_params_total_units(p), 21);
    cr_expect_eq(rf_params_total_units(q), 70);
    cr_expect_str_eq(q->name, "leicestershire-county-70");
    /* everything but the units is inherited */
    cr_expect_eq(q->per_year, p->per_year);
    cr_expect_eq(q->n_services, 1);
    cr_expect_eq(q->services[0].stay.mean, p->services[0].stay.mean);
    cr_expect_eq(q->services[0].blocks[0].largest_family, p->services[0].blocks[0].largest_family);
    cr_expect_eq(q->services[0].blocks[1].count, 7);
    cr_expect(q->services[0].blocks[1].wheelchair, "block attributes inherited from the base file");
    cr_expect_eq(q->mix.p_nrpf, p->mix.p_nrpf);
    rf_scenario_free(a);
    rf_scenario_free(b);
}

Test(scenario, mmcc_is_a_plain_loss_system)
{
    rf_scenario *s = load_ok("scenarios/mmcc.yaml", NULL, 0);
    const rf_params *p = rf_scenario_params(s);
    cr_expect_eq(p->n_services, 1);
    cr_expect_eq(rf_params_total_units(p), 5);
    cr_expect_eq(p->services[0].stay.kind, SIM_DIST_EXP);
    /* offered load 3 Erlangs: Erlang B(5, 3) = 0.110054 in the analytic tests */
    cr_expect_float_eq(p->per_year / 365 * p->services[0].stay.mean, 3.0, 1e-12);
    cr_expect(p->n_screen == 0 && p->p_wait == 0 && p->move_on_delay.kind == SIM_DIST_NONE
                  && p->turnaround.kind == SIM_DIST_NONE
                  && p->outage_interval.kind == SIM_DIST_NONE && p->services[0].p_early_exit == 0,
              "nothing but arrivals and stays is switched on");
    rf_scenario_free(s);
}

/* The built-in defaults written into the resolved text must be rf_params_init's. */
Test(scenario, defaults_match_rf_params_init)
{
    rf_diags d;
    rf_scenario *s = NULL;
    int rc = rf_scenario_load_text("name: unnamed\nreferrals: {per_year: 0}\nservices:\n"
                                   "  - {name: x, units: 1, largest_family: 10, stay: {dist: constant, mean: 1}}\n",
                                   "defaults", NULL, 0, &s, &d);
    cr_assert_eq(rc, SIM_OK);
    rf_params ref;
    rf_params_init(&ref);
    rf_params_prepare(&ref);
    rf_params got = *rf_scenario_params(s);
    got.n_services = 0;
    params_eq(&got, &ref);
    rf_scenario_free(s);
}

Test(scenario, resolved_text_round_trips)
{
    for (size_t i = 0; i < sizeof shipped / sizeof shipped[0]; i++) {
        const char *sets[] = {"referrals.per_year=432.5", "services[0].units=40"};
        rf_scenario *s = load_ok(shipped[i], sets, 2);
        rf_scenario *t = NULL;
        rf_diags d;
        int rc = rf_scenario_load_text(rf_scenario_text(s), "resolved", NULL, 0, &t, &d);
        cr_assert_eq(rc, SIM_OK, "%s: the resolved text does not load again", shipped[i]);
        params_eq(rf_scenario_params(s), rf_scenario_params(t));
        cr_expect_str_eq(rf_scenario_text(t) + strcspn(rf_scenario_text(t), "\n"),
                         rf_scenario_text(s) + strcspn(rf_scenario_text(s), "\n"),
                         "resolving is idempotent");
        rf_scenario_free(s);
        rf_scenario_free(t);
    }
}

Test(scenario, set_overrides)
{
    const char *sets[] = {"referrals.per_year=900", "services[1].units=12",
                          "services[Juno House].stay.mean=200",
                          "waiting.patience={dist: constant, mean: 5}",
                          "services[3].takes_pets=true"};
    rf_scenario *s = load_ok("scenarios/leicester-city-2021.yaml", sets, 5);
    const rf_params *p = rf_scenario_params(s);
    cr_expect_eq(p->per_year, 900);
    cr_expect_eq(service_units(&p->services[1]), 12);
    cr_expect_eq(p->services[2].stay.mean, 200);
    cr_expect_eq(p->services[2].stay.sd, 60, "a partial override keeps the other keys");
    cr_expect(p->patience.kind == SIM_DIST_CONST && p->patience.mean == 5);
    cr_expect(p->services[3].blocks[0].takes_pets && p->services[3].blocks[1].takes_pets,
              "a service attribute set on the command line reaches its blocks");
    rf_scenario_free(s);

    const char *all[] = {"services.*.units=10"};
    s = load_ok("scenarios/leicester-city-2021.yaml", all, 1);
    p = rf_scenario_params(s);
    for (int i = 0; i < p->n_services; i++)
        cr_expect_eq(service_units(&p->services[i]), 10, "%s", p->services[i].name);
    cr_expect_eq(rf_params_total_units(p), 90);
    rf_scenario_free(s);
}

static const rf_diag *find_diag(const rf_diags *d, const char *key)
{
    for (int i = 0; i < d->n; i++)
        if (!strcmp(d->items[i].key, key))
            return &d->items[i];
    return NULL;
}

Test(scenario, bad_sets_name_the_set)
{
    const char *sets[] = {"referrals.per_yer=900", "services[12].units=3", "horizon",
                          "services.units=3", "waiting.patience.mean=30"};
    for (int i = 0; i < 5; i++) {
        rf_diags d;
        rf_scenario *s = NULL;
        int rc = rf_scenario_load_file(root_path("scenarios/mmcc.yaml"), &sets[i], 1, &s, &d);
        cr_expect_neq(rc, SIM_OK, "--set %s accepted", sets[i]);
        cr_expect_null(s);
        cr_assert_geq(d.n, 1);
        cr_expect_str_eq(d.items[0].file, "--set", "--set %s: %s", sets[i], d.items[0].file);
        cr_expect_eq(d.items[0].line, 0);
    }
    rf_diags d;
    rf_scenario *s = NULL;
    rf_scenario_load_file(root_path("scenarios/leicester-city-2021.yaml"), &sets[0], 1, &s, &d);
    cr_expect_not_null(find_diag(&d, "referrals.per_yer"));
    cr_expect(strstr(d.items[0].message, "unknown key") != NULL);
    /* the patience is {dist: none}: a mean does not belong there */
    rf_scenario_load_file(root_path("scenarios/mmcc.yaml"), &sets[4], 1, &s, &d);
    const rf_diag *x = find_diag(&d, "waiting.patience.mean");
    cr_assert_not_null(x);
    cr_expect(strstr(x->message, "not used by dist") != NULL, "%s", x->message);
}

/* ---- broken files ---- */

static const struct {
    const char *file;
    int line;
    const char *key, *fragment;
} bad[] = {
    /* file, line, key, a fragment of the message */
    {"unknown_top_key.yaml", 9, "horizn", "unknown key (accepted: name, description, horizon"},
    {"unknown_nested_key.yaml", 3, "referrals.per_yer", "unknown key (accepted: per_year, growth, seasonality, start_month, trace)"},
    {"unknown_service_key.yaml", 9, "services[0].colour", "unknown key"},
    {"rate_not_number.yaml", 3, "referrals.per_year", "expected a number, got 'lots'"},
    {"units_word.yaml", 6, "services[0].units", "expected a whole number, got 'twelve'"},
    {"units_fraction.yaml", 6, "services[0].units", "expected a whole number, got '12.5'"},
    {"units_octal_looking.yaml", 6, "services[0].units", "expected a whole number, got '010'"},
    {"bool_maybe.yaml", 9, "services[0].wheelchair", "expected true or false, got 'maybe'"},
    {"nrpf_enum.yaml", 9, "services[0].nrpf", "unknown value 'sometimes' (accepted: no, case_by_case, yes)"},
    {"dist_kind.yaml", 8, "services[0].stay.dist", "unknown value 'normal' (accepted: none, constant, exponential"},
    {"missing_name.yaml", 1, "name", "missing required key 'name'"},
    {"missing_per_year.yaml", 3, "referrals.per_year", "missing required key 'per_year' (or give 'trace')"},
    {"missing_services.yaml", 1, "services", "missing required key 'services'"},
    {"missing_stay.yaml", 5, "services[0].stay", "missing required key 'stay'"},
    {"missing_largest_family.yaml", 5, "services[0].largest_family", "missing required key 'largest_family'"},
    {"negative_rate.yaml", 3, "referrals.per_year", "must not be negative, got -5"},
    {"probability_above_one.yaml", 10, "households.p_nrpf", "1.2 is not a probability (accepted: 0 to 1)"},
    {"screening_sum.yaml", 10, "screening", "at most 1"},
    {"negative_units.yaml", 6, "services[0].units", "must not be negative, got -3"},
    {"blocks_exceed_units.yaml", 6, "services[0].units", "its blocks add up to 7"},
    {"family_zero.yaml", 7, "services[0].largest_family", "out of range (accepted: 1 to 30)"},
    {"bme_unit_no_bme.yaml", 9, "services[0].specialism", "fit no household: a BME-specialist unit"},
    {"family_below_smallest.yaml", 7, "services[0].largest_family", "smallest household has 4 persons"},
    {"unknown_area.yaml", 9, "services[0].area", "unknown area 'north' (accepted: area)"},
    {"dist_extra_key.yaml", 8, "services[0].stay.sd", "not used by dist exponential (accepted: dist, mean)"},
    {"dist_missing_sd.yaml", 8, "services[0].stay.sd", "missing required key 'sd' for dist lognormal"},
    {"dist_negative_sd.yaml", 8, "services[0].stay", "invalid gamma distribution"},
    {"horizon_zero.yaml", 9, "horizon", "0 days is out of range"},
    {"warmup_huge.yaml", 9, "warmup", "out of range (accepted: 0 to 365000)"},
    {"replications_zero.yaml", 9, "replications", "0 is out of range (accepted: 1 to 1000000)"},
    {"seasonality_eleven.yaml", 4, "referrals.seasonality", "expected exactly 12 entries, got 11"},
    {"seasonality_zero.yaml", 4, "referrals.seasonality", "at least one month"},
    {"seasonality_negative.yaml", 4, "referrals.seasonality[2]", "must not be negative"},
    {"tab_indent.yaml", 3, "", "tab character"},
    {"yaml_syntax.yaml", 9, "", "YAML syntax"},
    {"duplicate_key.yaml", 4, "per_year", "duplicate key (first given at line 3)"},
    {"occupant_unknown_service.yaml", 11, "initial.occupants[0].service", "no service is named 'nope'"},
    {"too_many_occupants.yaml", 11, "initial.occupants[0].count", "more occupants than 'a' has units"},
    {"extends_missing.yaml", 1, "extends", "cannot read"},
    {"extends_child_error.yaml", 4, "referrals.growth", "out of range (accepted: more than -1"},
    {"empirical_weights.yaml", 8, "services[0].stay.weights", "2 weights for 3 values"},
    {"age_limit_word.yaml", 9, "services[0].male_child_age_limit", "'teenage' is not an age limit (accepted: none"},
    {"outage_without_duration.yaml", 10, "downtime.outage_interval", "outages need a duration"},
    {"area_weights_count.yaml", 11, "households.area_weights", "1 weights for 2 areas"},
    {"duplicate_service.yaml", 9, "services[1].name", "already the name of services[0]"},
    {"mapping_expected.yaml", 2, "referrals", "expected a mapping"},
    {"seed_negative.yaml", 9, "seed", "expected a whole number from 0 to 18446744073709551615"},
    {"young_women_no_young.yaml", 9, "services[0].specialism", "young-women unit fits no household"},
    {"priority_enum.yaml", 10, "waiting.priority", "accepted: fifo, high_risk"},
    {"matching_enum.yaml", 9, "matching", "accepted: first_fit, best_fit"},
    {"list_expected.yaml", 9, "areas", "expected a list, got a single value"},
    {"zero_stay.yaml", 8, "services[0].stay", "more than 0 days on average"},
    {"nrpf_everyone_no.yaml", 5, "services[0].nrpf", "every household has NRPF"},
    {"name_too_long.yaml", 5, "services[0].name", "longer than 63 bytes (a character outside ASCII takes 2 to 4)"},
    {"service_outage_without_duration.yaml", 9, "services[0].outage_interval",
     "outages need a duration: set services[0].outage_duration"},
    {"profile_boy_no_children.yaml", 6, "households.profiles[0].oldest_boy_age",
     "a boy aged 14 in a profile with no children"},
    {"profile_unknown_area.yaml", 9, "households.profiles[0].area",
     "unknown area 'countryside' (accepted: any, or a name in areas)"},
    {"profile_specialist_no_group.yaml", 7, "households.profiles[1].needs_specialist",
     "must say bme: true or young: true"},
    {"profile_weights_zero.yaml", 6, "households.profiles", "at least one weight must be more than 0"},
    {"profile_everyone_nrpf.yaml", 13, "services[0].nrpf", "every household has NRPF"},
    {"start_month_13.yaml", 4, "referrals.start_month", "13 is not a month (accepted: 1 = January"},
    {"service_turnaround_extra_key.yaml", 8, "services[0].turnaround.sd",
     "not used by dist constant (accepted: dist, mean)"},
    {"network_unknown_area.yaml", 13, "network.areas[1].name",
     "unknown area 'sooth' (accepted: a name in areas)"},
    {"network_p_leave.yaml", 11, "network.p_leave", "1.5 is not a probability"},
    {"network_no_distance.yaml", 12, "network.areas", "of one kind"},
    {"network_decline_order.yaml", 19, "network.decline.table[1].km", "distances must increase"},
    {"network_waiting_enum.yaml", 11, "network.waiting_list", "accepted: national, area"},
};

Test(scenario, broken_files_are_refused_with_place_and_key)
{
    cr_assert_geq(sizeof bad / sizeof bad[0], 30);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char rel[256];
        snprintf(rel, sizeof rel, "tests/bad_scenarios/%s", bad[i].file);
        rf_diags d;
        rf_scenario *s = (rf_scenario *)&d;   /* must be reset to NULL */
        int rc = rf_scenario_load_file(root_path(rel), NULL, 0, &s, &d);
        cr_expect_neq(rc, SIM_OK, "%s was accepted", bad[i].file);
        cr_expect_null(s);
        bool found = false;
        for (int k = 0; k < d.n && !found; k++)
            found = d.items[k].line == bad[i].line && !strcmp(d.items[k].key, bad[i].key)
                    && strstr(d.items[k].message, bad[i].fragment)
                    && (strstr(d.items[k].file, bad[i].file) || !strcmp(bad[i].key, "extends"));
        if (!found)
            for (int k = 0; k < d.n; k++) {
                char line[1024];
                rf_diag_format(&d.items[k], line, sizeof line);
                cr_log_error("%s", line);
            }
        cr_expect(found, "%s: no diagnostic at line %d for '%s' saying '%s'", bad[i].file,
                  bad[i].line, bad[i].key, bad[i].fragment);
    }
}

Test(scenario, several_errors_are_reported_at_once)
{
    static const struct { const char *file; int min; } multi[] = {
        {"tests/bad_scenarios/multi_schema.yaml", 4}, {"tests/bad_scenarios/multi_semantic.yaml", 5}};
    for (int i = 0; i < 2; i++) {
        rf_diags d;
        rf_scenario *s = NULL;
        int rc = rf_scenario_load_file(root_path(multi[i].file), NULL, 0, &s, &d);
        cr_expect_neq(rc, SIM_OK);
        cr_expect_geq(d.n, multi[i].min, "%s: %d diagnostics", multi[i].file, d.n);
        for (int k = 1; k < d.n; k++)
            cr_expect_leq(d.items[k - 1].line, d.items[k].line, "diagnostics in line order");
    }
    rf_diags d;
    rf_scenario *s = NULL;
    rf_scenario_load_file(root_path("tests/bad_scenarios/multi_schema.yaml"), NULL, 0, &s, &d);
    cr_expect_not_null(find_diag(&d, "horizn"));
    cr_expect_not_null(find_diag(&d, "referrals.per_year"));
    cr_expect_not_null(find_diag(&d, "services[0].units"));
    cr_expect_not_null(find_diag(&d, "services[0].largest_family"));
}

Test(scenario, trace_errors_name_the_key)
{
    rf_diags d;
    rf_scenario *s = NULL;
    int rc = rf_scenario_load_text("name: t\nreferrals: {trace: no-such-trace.csv}\nservices:\n"
                                   "  - {name: x, units: 1, largest_family: 2, stay: {dist: exponential, mean: 9}}\n",
                                   "t.yaml", NULL, 0, &s, &d);
    cr_expect_neq(rc, SIM_OK);
    cr_expect_null(s);
    cr_expect_not_null(find_diag(&d, "referrals.trace"));
}

Test(scenario, diag_format)
{
    rf_diag d = {.file = "x.yaml", .line = 8, .column = 11, .key = "services[2].units",
                 .message = "expected a whole number, got 'twelve'"};
    char buf[512];
    rf_diag_format(&d, buf, sizeof buf);
    cr_expect_str_eq(buf, "x.yaml:8:11: error: services[2].units: expected a whole number, got 'twelve'");
    d.line = 0;
    snprintf(d.file, sizeof d.file, "--set");
    rf_diag_format(&d, buf, sizeof buf);
    cr_expect_str_eq(buf, "--set: error: services[2].units: expected a whole number, got 'twelve'");
    rf_scenario_free(NULL);
}

/* A service's own move-on, turnaround and outages; the others inherit the
 * scenario's, written out in the resolved text. */
Test(scenario, distributions_per_service)
{
    static const char yaml[] =
        "name: two\nreferrals: {per_year: 10}\n"
        "services:\n"
        "  - {name: shared, units: 2, largest_family: 4, stay: {dist: exponential, mean: 30},\n"
        "     turnaround: {dist: constant, mean: 10},\n"
        "     outage_interval: {dist: exponential, mean: 200}, outage_duration: {dist: constant, mean: 7}}\n"
        "  - {name: flat, units: 1, largest_family: 4, stay: {dist: exponential, mean: 30}}\n"
        "move_on: {delay: {dist: exponential, mean: 30}}\n"
        "downtime: {turnaround: {dist: constant, mean: 2}}\n";
    rf_diags d;
    rf_scenario *s = NULL;
    int rc = rf_scenario_load_text(yaml, "two.yaml", NULL, 0, &s, &d);
    cr_assert_eq(rc, SIM_OK, "%s", d.n ? d.items[0].message : "");
    const rf_params *p = rf_scenario_params(s);
    cr_expect_eq(rf_service_dist(p, 0, RF_SD_TURNAROUND)->mean, 10);
    cr_expect_eq(rf_service_dist(p, 1, RF_SD_TURNAROUND)->mean, 2);
    cr_expect_eq(rf_service_dist(p, 0, RF_SD_MOVE_ON)->mean, 30);
    cr_expect_eq(rf_service_dist(p, 0, RF_SD_OUTAGE_INTERVAL)->kind, SIM_DIST_EXP);
    cr_expect_eq(rf_service_dist(p, 1, RF_SD_OUTAGE_INTERVAL)->kind, SIM_DIST_NONE);
    cr_expect_eq(p->services[0].own, 1u << RF_SD_TURNAROUND | 1u << RF_SD_OUTAGE_INTERVAL
                                         | 1u << RF_SD_OUTAGE_DURATION);
    cr_expect_eq(p->services[1].own, 0u, "inherited, not its own");
    const char *text = rf_scenario_text(s);
    cr_expect(strstr(text, "  turnaround: {dist: constant, mean: 2}") != NULL,
              "the flat's inherited turnaround is written out:\n%s", text);
    /* a --set on the scenario-wide key reaches the services that inherit it */
    const char *sets[] = {"downtime.turnaround={dist: constant, mean: 4}"};
    rf_scenario *t = NULL;
    cr_assert_eq(rf_scenario_load_text(yaml, "two.yaml", sets, 1, &t, &d), SIM_OK);
    cr_expect_eq(rf_service_dist(rf_scenario_params(t), 1, RF_SD_TURNAROUND)->mean, 4);
    cr_expect_eq(rf_service_dist(rf_scenario_params(t), 0, RF_SD_TURNAROUND)->mean, 10);
    rf_scenario_free(t);
    /* a service distribution without dist: changes those keys of the
     * scenario-wide one, for that service alone */
    const char *part[] = {"services[flat].turnaround.mean=5"};
    cr_assert_eq(rf_scenario_load_text(yaml, "two.yaml", part, 1, &t, &d), SIM_OK,
                 "%s", d.n ? d.items[0].message : "");
    const rf_params *q = rf_scenario_params(t);
    cr_expect(rf_service_dist(q, 1, RF_SD_TURNAROUND)->kind == SIM_DIST_CONST
                  && rf_service_dist(q, 1, RF_SD_TURNAROUND)->mean == 5,
              "the flat's own turnaround: constant 5");
    cr_expect_eq(q->services[1].own, 1u << RF_SD_TURNAROUND);
    cr_expect_eq(q->turnaround.mean, 2, "the scenario's is untouched");
    rf_scenario_free(t);
    rf_scenario_free(s);
}

/* The README's worked example is a real file, shown verbatim. */
Test(scenario, readme_example_is_the_shipped_file)
{
    rf_scenario *s = load_ok("scenarios/example-county-faster-move-on.yaml", NULL, 0);
    const rf_params *p = rf_scenario_params(s);
    cr_expect_eq(rf_params_total_units(p), 21);
    cr_expect_eq(p->move_on_delay.mean, 15);
    cr_expect_eq(p->services[0].n_blocks, 4);   /* remainder, accessible, male and pets, pets */
    cr_expect(p->services[0].blocks[3].takes_pets && p->services[0].blocks[3].count == 2);
    cr_expect_eq(p->services[0].blocks[0].count, 16);
    rf_scenario_free(s);
    FILE *f = fopen(root_path("scenarios/README.md"), "r");
    FILE *g = fopen(root_path("scenarios/example-county-faster-move-on.yaml"), "r");
    cr_assert(f && g);
    static char readme[200000], example[8192];
    readme[fread(readme, 1, sizeof readme - 1, f)] = '\0';
    example[fread(example, 1, sizeof example - 1, g)] = '\0';
    fclose(f);
    fclose(g);
    cr_expect(strstr(readme, example) != NULL, "README.md shows the example file verbatim");
}

/* ---- the command ---- */

static int run(const char *args, char *out, size_t out_size, char *err, size_t err_size)
{
    const char *prog = getenv("RS_PROGRAM");
    cr_assert_not_null(prog, "RS_PROGRAM is not set");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' check %s >/tmp/rs_check_out.%d 2>/tmp/rs_check_err.%d",
             getenv("RS_ROOT") ? getenv("RS_ROOT") : ".", prog, args, (int)getpid(), (int)getpid());
    int st = system(cmd);
    char path[64];
    snprintf(path, sizeof path, "/tmp/rs_check_out.%d", (int)getpid());
    FILE *f = fopen(path, "r");
    out[f ? fread(out, 1, out_size - 1, f) : 0] = '\0';
    if (f)
        fclose(f);
    remove(path);
    snprintf(path, sizeof path, "/tmp/rs_check_err.%d", (int)getpid());
    f = fopen(path, "r");
    err[f ? fread(err, 1, err_size - 1, f) : 0] = '\0';
    if (f)
        fclose(f);
    remove(path);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(scenario, check_command)
{
    static char out[65536], err[8192];
    int rc = run("tests/bad_scenarios/units_word.yaml", out, sizeof out, err, sizeof err);
    cr_expect_eq(rc, 2);
    cr_expect_str_eq(err, "refugesim: tests/bad_scenarios/units_word.yaml:6:12: error: "
                          "services[0].units: expected a whole number, got 'twelve'\n");
    cr_expect_str_eq(out, "");

    rc = run("tests/bad_scenarios/multi_semantic.yaml", out, sizeof out, err, sizeof err);
    cr_expect_eq(rc, 2);
    int lines = 0;
    for (const char *p = err; (p = strstr(p, "refugesim: tests/bad_scenarios/multi_semantic.yaml:")); p++)
        lines++;
    cr_expect_geq(lines, 5, "one line per problem:\n%s", err);

    rc = run("--set referrals.per_year=900 scenarios/leicestershire-county-70.yaml", out,
             sizeof out, err, sizeof err);
    cr_expect_eq(rc, 0, "%s", err);
    cr_expect_str_eq(err, "");
    cr_expect(strstr(out, "name: leicestershire-county-70\n") && strstr(out, "per_year: 900\n")
                  && strstr(out, "units: 70\n") && !strstr(out, "\nextends:"),
              "resolved YAML on stdout:\n%s", out);
    rf_scenario *s = NULL;
    cr_expect_eq(rf_scenario_load_text(out, "stdout", NULL, 0, &s, NULL), SIM_OK);
    rf_scenario_free(s);

    rc = run("--set referrals.per_yer=900 scenarios/mmcc.yaml", out, sizeof out, err, sizeof err);
    cr_expect_eq(rc, 2);
    cr_expect(strstr(err, "refugesim: --set: error: referrals.per_yer: unknown key") == err, "%s", err);

    rc = run("", out, sizeof out, err, sizeof err);
    cr_expect_eq(rc, 2, "no file is a usage error");
}
