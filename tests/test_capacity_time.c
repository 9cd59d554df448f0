/* Capacity over time (a block's opens / closes): units that open later
 * change nothing before they open, bit for bit, with every mechanism on
 * (their own streams, no household's draws); a unit that closes while
 * occupied closes when its household leaves (nobody is evicted); units in
 * service over time in the record and the results file; `check` refuses
 * days outside the horizon or out of order. */
#include "test_shell.h"

#include <hdf5.h>
#include <math.h>
#include "rf_scenario.h"
#include "test_model_util.h"

typedef struct {
    uint64_t referral;
    double t;
    int outcome, reason, service, block, unit;
} logged;

typedef struct {
    logged *v;
    size_t n, cap;
} outcome_log;

static void log_outcome(void *user, const rf_outcome_info *e)
{
    outcome_log *l = user;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4096;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        cr_assert_not_null(l->v);
    }
    logged x;
    memset(&x, 0, sizeof x);          /* padding too: compared with memcmp */
    x.referral = e->referral;
    x.t = e->t;
    x.outcome = (int)e->outcome;
    x.reason = e->reason;
    x.service = e->service;
    x.block = e->block;
    x.unit = e->unit;
    l->v[l->n++] = x;
}

Test(capacity_time, units_opening_later_change_nothing_before)
{
    const double X = 400;                 /* days after warm-up */
    rf_params p, q;
    tm_city(&p);
    p.p_wait = 0.5;                       /* a waiting list, so freed units matter */
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    q = p;
    int s = rf_params_add_service(&q, "opens later", 12, p.services[0].stay);
    cr_assert_geq(s, 0);
    q.services[s].blocks[0].opens = X;
    cr_assert_eq(rf_params_prepare(&q), SIM_OK);
    size_t later_differ = 0, compared = 0;
    for (uint64_t rep = 0; rep < 12; rep++) {
        outcome_log la = {0}, lb = {0};
        rf_model_hooks ha = {log_outcome, &la}, hb = {log_outcome, &lb};
        rf_result ra, rb;
        cr_assert_eq(rf_model_run_ex(&p, rep, &ra, &ha), SIM_OK);
        cr_assert_eq(rf_model_run_ex(&q, rep, &rb, &hb), SIM_OK);
        double t_open = p.warmup + X;
        size_t i = 0;
        for (; i < la.n && i < lb.n && la.v[i].t < t_open && lb.v[i].t < t_open; i++)
            cr_assert_eq(memcmp(&la.v[i], &lb.v[i], sizeof la.v[i]), 0,
                         "rep %lu: outcome %zu before the opening differs", (unsigned long)rep, i);
        cr_assert(i < la.n && la.v[i].t >= t_open && lb.v[i].t >= t_open,
                  "rep %lu: the same outcomes before the opening", (unsigned long)rep);
        compared += i;
        for (size_t j = i; j < la.n && j < lb.n; j++)
            later_differ += memcmp(&la.v[j], &lb.v[j], sizeof la.v[j]) != 0;
        /* the months wholly before the opening, bit for bit */
        for (int k = 0; (k + 1) * 365.0 / 12 <= X; k++) {
            cr_expect_eq(memcmp(&ra.monthly_occupied[k], &rb.monthly_occupied[k], sizeof(double)), 0);
            cr_expect_eq(memcmp(&ra.monthly_waiting[k], &rb.monthly_waiting[k], sizeof(double)), 0);
            cr_expect_eq(ra.monthly_referrals[k], rb.monthly_referrals[k]);
            cr_expect_eq(ra.monthly_placed[k], rb.monthly_placed[k]);
            cr_expect_eq(ra.monthly_refused[k], rb.monthly_refused[k]);
            cr_expect_eq(ra.monthly_abandoned[k], rb.monthly_abandoned[k]);
            cr_expect_eq(ra.monthly_units[k], rb.monthly_units[k], "month %d", k);
        }
        /* then the new units are in service, and take households */
        int last = ra.n_months - 1;
        cr_expect_eq(rb.monthly_units[last], ra.monthly_units[last] + 12);
        cr_expect_gt(rb.services[s].placements, 0);
        cr_expect(fabs(rb.services[s].unit_days - 12 * (p.horizon - X)) < 1e-6);
        free(la.v);
        free(lb.v);
    }
    cr_expect_gt(compared, 12 * 500u);
    cr_expect_gt(later_differ, 0u, "the new units change what happens after they open");
}

typedef struct {
    int service;
    double close_t;
    size_t late;                          /* placements into the closed service after closing */
} placed_log;

static void check_placement(void *user, const rf_outcome_info *e)
{
    placed_log *l = user;
    if (e->service == l->service && e->t >= l->close_t)
        l->late++;
}

Test(capacity_time, a_unit_closing_while_occupied_closes_when_its_household_leaves)
{
    rf_params p;
    sim_dist stay = {.kind = SIM_DIST_CONST, .mean = 100};
    tm_loss_system(&p, 5, 20, stay, 1);   /* heavily loaded: the units are full when they close */
    p.warmup = 0;
    int s = rf_params_add_service(&p, "stays", 5, stay);
    p.services[0].blocks[0].closes = 200;
    cr_assert_eq(rf_params_prepare(&p), SIM_OK);
    for (uint64_t rep = 0; rep < 20; rep++) {
        placed_log l = {.service = 0, .close_t = 200};
        rf_model_hooks h = {check_placement, &l};
        rf_result r;
        cr_assert_eq(rf_model_run_ex(&p, rep, &r, &h), SIM_OK);
        cr_expect_eq(l.late, 0u, "nobody is placed in a closed unit");
        const rf_service_result *c = &r.services[0];
        /* every household placed there stayed its whole 100 days */
        cr_expect_eq(c->departures, c->placements);
        cr_expect(fabs(c->occupied_days - 100.0 * (double)c->placements) < 1e-6,
                  "occupied %g, placements %lu", c->occupied_days, (unsigned long)c->placements);
        /* each unit in service until its last household left, within (200, 300] */
        cr_expect_gt(c->unit_days, 5 * 200.0 + 1);
        cr_expect_leq(c->unit_days, 5 * 300.0 + 1e-9);
        cr_expect(fabs(r.services[s].unit_days - 5 * 365.0) < 1e-9);
        cr_expect(fabs(r.unit_days - c->unit_days - 5 * 365.0) < 1e-6);
        cr_expect(fabs(r.monthly_units[0] - 10) < 1e-9);
        cr_expect(fabs(r.monthly_units[11] - 5) < 1e-9, "after day 300 only the other service");
        cr_expect(fabs(r.occupancy - r.occupied_days / r.unit_days) < 1e-12);
    }
}

static int check_text(const char *extra, const char *key)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "name: t\nhorizon: 730\nwarmup: 0\nreferrals: {per_year: 10}\n"
             "households: {adults: {dist: constant, mean: 1}, children: {dist: constant, mean: 0}}\n"
             "services:\n  - name: a\n    units: 3\n    largest_family: 5\n"
             "    stay: {dist: exponential, mean: 30}\n%s",
             extra);
    rf_scenario *sc = NULL;
    rf_diags d;
    int rc = rf_scenario_load_text(yaml, "t.yaml", NULL, 0, &sc, &d);
    int found = 0;
    for (int i = 0; i < d.n && rc != SIM_OK; i++)
        found |= strstr(d.items[i].key, key) != NULL;
    rf_scenario_free(sc);
    return rc == SIM_OK ? 0 : found ? 1 : -1;
}

Test(capacity_time, check_refuses_days_outside_the_horizon_or_out_of_order)
{
    cr_expect_eq(check_text("    opens: 365\n    closes: 700\n", "opens"), 0);
    cr_expect_eq(check_text("    closes: none\n", "closes"), 0);
    cr_expect_eq(check_text("    opens: -1\n", "services[0].opens"), 1);
    cr_expect_eq(check_text("    opens: 730\n", "services[0].opens"), 1);
    cr_expect_eq(check_text("    opens: 400\n    closes: 300\n", "services[0].closes"), 1);
    cr_expect_eq(check_text("    closes: 731\n", "services[0].closes"), 1);
    cr_expect_eq(check_text("    closes: soon\n", "services[0].closes"), 1);
    cr_expect_eq(check_text("    blocks:\n      - {name: b, units: 1, opens: 800}\n",
                            "blocks[0].opens"), 1);
}

Test(capacity_time, units_in_service_in_the_results_file)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    ts_make_dir();
    char scen[512], out[512];
    snprintf(scen, sizeof scen, "%s/phased.yaml", ts_dir);
    snprintf(out, sizeof out, "%s/phased.h5", ts_dir);
    FILE *f = fopen(scen, "w");
    cr_assert_not_null(f);
    fprintf(f, "extends: %s/scenarios/leicestershire-county.yaml\nservices:\n"
               "  - name: county refuges\n"
               "  - {name: new refuge, units: 20, largest_family: 5, opens: 365, closes: 900,\n"
               "     stay: {dist: lognormal, mean: 75, sd: 60}}\n", ts_root());
    fclose(f);
    cr_assert_eq(ts_sh("'%s' run '%s' --reps 4 --by-year -o '%s'", ts_prog(), scen, out), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "Units in service") != NULL, "%s", ts_out);
    hid_t h = H5Fopen(out, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(h, 0);
    double y[4][3], m[4][36];
    hid_t d = H5Dopen2(h, "/points/0/yearly/units_in_service", H5P_DEFAULT);
    cr_assert_geq(d, 0);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, y), 0);
    H5Dclose(d);
    d = H5Dopen2(h, "/points/0/monthly/units", H5P_DEFAULT);
    cr_assert_geq(d, 0);
    cr_assert_geq(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, m), 0);
    H5Dclose(d);
    H5Fclose(h);
    for (int r = 0; r < 4; r++) {
        cr_expect(fabs(y[r][0] - 21) < 1e-9, "year 1: %g", y[r][0]);
        cr_expect(fabs(y[r][1] - 41) < 1e-9, "year 2: %g", y[r][1]);
        /* year 3: the 20 close from day 900 as their households leave */
        cr_expect(y[r][2] > 21 + 20 * (900 - 730) / 365.0 - 1e-9 && y[r][2] < 41, "year 3: %g", y[r][2]);
        cr_expect(fabs(m[r][0] - 21) < 1e-9, "%g", m[r][0]);
        cr_expect(fabs(m[r][13] - 41) < 1e-9, "%g", m[r][13]);
        cr_expect(m[r][35] >= 21 && m[r][35] < 41, "closing as households leave: %g", m[r][35]);
    }
    ts_remove_dir();
}

/* A point's name tells the spaces over time, not the total of units that
 * are never all in service at once: one change by its day, several as a
 * range, an opening and a closing that cancel out as one count. */
static void spaces_named(const char *services, const char *want)
{
    ts_make_dir();
    char scen[512];
    snprintf(scen, sizeof scen, "%s/s.yaml", ts_dir);
    FILE *f = fopen(scen, "w");
    cr_assert_not_null(f);
    fprintf(f, "extends: %s/scenarios/leicestershire-county.yaml\nservices:\n"
               "  - name: county refuges\n%s", ts_root(), services);
    fclose(f);
    cr_assert_eq(ts_sh("'%s' run '%s' --reps 2 --threads 1 | head -n 1", ts_prog(), scen), 0, "%s",
                 ts_out);
    cr_expect(strstr(ts_out, want), "%s: %s", want, ts_out);
    ts_remove_dir();
}

#define NEW(name, more) "  - {name: " name ", units: 20, largest_family: 5, " more \
                        "stay: {dist: lognormal, mean: 75, sd: 60}}\n"

Test(capacity_time, a_point_is_named_by_its_spaces_over_time)
{
    spaces_named(NEW("a", "opens: 365,"), "21 spaces, 41 from day 365\n");
    spaces_named(NEW("a", "closes: 400,"), "41 spaces, 21 from day 400\n");
    spaces_named(NEW("a", "opens: 365,") NEW("b", "closes: 700,"), "41 to 61 spaces\n");
    spaces_named(NEW("a", "closes: 365,") NEW("b", "opens: 365,"), "41 spaces\n");
    spaces_named(NEW("a", ""), "41 spaces\n");
}

/* The shipped example of 20 units opening in year 2 is not warned about a
 * warm-up too short: the step is the units opening (an_steady). */
Test(capacity_time, units_opening_are_not_a_short_warm_up)
{
    cr_assert_eq(ts_sh("{ '%s' run '%s/scenarios/example-county-20-more-from-year-2.yaml' --reps 20 "
                       "--threads 2 2>&1 >/dev/null; }", ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_expect(!strstr(ts_out, "warm-up"), "%s", ts_out);
}
