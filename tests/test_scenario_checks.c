/* Scenario mistakes that were accepted or reported beside the point (an
 * outside review): populations that leave referrals.per_year nowhere to go,
 * a name given twice in a list of named things, and a horizon out of range
 * followed by errors about keys it alone made wrong.  Each is driven through
 * the program: `check` and `run` refuse alike, before any work (no results
 * file), status 2, with exactly the lines expected. */
#include "test_shell.h"

#include <sys/stat.h>

TestSuite(scenario_checks, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 60);

static void put(const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", ts_dir, name);
    FILE *f = fopen(p, "w");
    cr_assert_not_null(f, "%s", p);
    fputs(text, f);
    fclose(f);
}

/* `check` and `run` of file (with the options opts) both end with status
 * 2, print exactly `says` and leave no results file. */
static void refused(const char *file, const char *opts, const char *says)
{
    cr_expect_eq(ts_sh("cd '%s' && '%s' check %s %s", ts_dir, ts_prog(), opts, file), 2,
                 "check %s: %s", file, ts_out);
    cr_expect_str_eq(ts_out, says, "check %s said:\n%s", file, ts_out);
    cr_expect_eq(ts_sh("cd '%s' && '%s' run %s %s --reps 2 --threads 1 -o out.h5", ts_dir,
                       ts_prog(), opts, file), 2, "run %s: %s", file, ts_out);
    cr_expect_str_eq(ts_out, says, "run %s said:\n%s", file, ts_out);
    char p[512];
    struct stat sb;
    snprintf(p, sizeof p, "%s/out.h5", ts_dir);
    cr_expect_neq(stat(p, &sb), 0, "run %s wrote a results file", file);
}

static void accepted(const char *file, const char *opts)
{
    cr_expect_eq(ts_sh("cd '%s' && '%s' check %s %s > /dev/null", ts_dir, ts_prog(), opts, file),
                 0, "check %s: %s", file, ts_out);
}

#define NET_HEAD                                                                         \
    "name: n\nhorizon: 365\nreplications: 3\nreferrals: {per_year: 200}\nareas: [a, b]\n" \
    "services:\n"                                                                        \
    "  - {name: sa, units: 3, area: a, largest_family: 5, stay: {dist: exponential, mean: 20}}\n" \
    "  - {name: sb, units: 3, area: b, largest_family: 5, stay: {dist: exponential, mean: 20}}\n" \
    "network:\n  areas:\n"

/* What the refusal says at place, naming network.areas[area]. */
static const char *no_population(const char *place, int area)
{
    static char says[512];
    snprintf(says, sizeof says,
             "refugesim: %s: error: network.areas[%d].population: referrals.per_year (200 a year) "
             "is shared by population and no area has any (accepted: a population above 0 in one "
             "area or more, population on no area for equal shares, or per_year on this area)\n",
             place, area);
    return says;
}

/* The review's network: every area's population 0, so every share of
 * referrals.per_year was 0/0 and the run said 0 referrals a year. */
Test(scenario_checks, populations_adding_up_to_nothing_are_refused)
{
    put("pop0.yaml", NET_HEAD
        "    - {name: a, population: 0, x_km: 0, y_km: 0}\n"
        "    - {name: b, population: 0, x_km: 10, y_km: 0}\n");
    refused("pop0.yaml", "", no_population("pop0.yaml:11:29", 0));
    /* the same through --set */
    put("pop.yaml", NET_HEAD
        "    - {name: a, population: 1000, x_km: 0, y_km: 0}\n"
        "    - {name: b, population: 2000, x_km: 10, y_km: 0}\n");
    accepted("pop.yaml", "");
    refused("pop.yaml", "--set 'network.areas.*.population=0'", no_population("--set", 0));
    /* area a draws its own referrals; b, with no people, would share 0/0:
     * said at b, the area that takes a share */
    put("own.yaml", NET_HEAD
        "    - {name: a, population: 0, per_year: 50, x_km: 0, y_km: 0}\n"
        "    - {name: b, population: 0, x_km: 10, y_km: 0}\n");
    refused("own.yaml", "", no_population("own.yaml:12:29", 1));
    /* nothing to share, or every area its own rate, or no population at
     * all (equal shares): nothing is lost */
    accepted("pop0.yaml", "--set referrals.per_year=0");
    accepted("own.yaml", "--set 'network.areas[1].per_year=20'");
    put("equal.yaml", NET_HEAD
        "    - {name: a, x_km: 0, y_km: 0}\n"
        "    - {name: b, x_km: 10, y_km: 0}\n");
    accepted("equal.yaml", "");
    cr_expect_eq(ts_sh("cd '%s' && '%s' run equal.yaml --reps 2 --threads 1", ts_dir, ts_prog()), 0,
                 "%s", ts_out);
    cr_expect(strstr(ts_out, "Referrals per year "), "%s", ts_out);
    cr_expect(!strstr(ts_out, "Referrals per year                     0.00"), "%s", ts_out);
    /* the other relative weights that share referrals out were refused
     * already when all 0: the wanted areas' and an area's months */
    cr_expect_eq(ts_sh("cd '%s' && '%s' check pop.yaml --set 'households.area_weights=[0, 0]'",
                       ts_dir, ts_prog()), 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "households.area_weights: at least one weight must be more than 0"),
              "%s", ts_out);
    cr_expect_eq(ts_sh("cd '%s' && '%s' check pop.yaml --set "
                       "'network.areas[0].seasonality=[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]'",
                       ts_dir, ts_prog()), 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "network.areas[0].seasonality: at least one month must have a factor "
                             "above 0"), "%s", ts_out);
}

/* Screening reasons are columns of the report (screened_NAME): two of one
 * name gave two columns of that name. */
Test(scenario_checks, a_screening_reason_named_twice_is_refused)
{
    put("scr.yaml", "name: x\nreferrals: {per_year: 50}\n"
                    "screening: [{name: a, prob: 0.5}, {name: a, prob: 0.1}]\n"
                    "services:\n"
                    "  - {name: s, units: 3, largest_family: 5, stay: {dist: exponential, mean: 20}}\n");
    refused("scr.yaml", "",
            "refugesim: scr.yaml:3:42: error: screening[1].name: 'a' is already the name of "
            "screening[0] (accepted: a name no other reason has)\n");
    /* renaming one by --set meets the same check */
    put("two.yaml", "name: x\nreferrals: {per_year: 50}\n"
                    "screening: [{name: a, prob: 0.5}, {name: b, prob: 0.1}]\n"
                    "services:\n"
                    "  - {name: s, units: 3, largest_family: 5, stay: {dist: exponential, mean: 20}}\n");
    accepted("two.yaml", "");
    refused("two.yaml", "--set 'screening[1].name=a'",
            "refugesim: --set: error: screening[1].name: 'a' is already the name of screening[0] "
            "(accepted: a name no other reason has)\n");
}

/* Under extends, lists of named entries merge by name: a name given twice
 * in the file on top was merged into one entry, silently dropping the
 * other.  Every list of named things: services, blocks, profiles,
 * screening reasons, network areas (and the plain list areas). */
Test(scenario_checks, a_name_given_twice_over_extends_is_refused_at_the_second)
{
    put("base.yaml",
        "name: base\nreferrals: {per_year: 50}\nareas: [n, s]\n"
        "households:\n  profiles: [{name: p, weight: 1}]\n"
        "screening: [{name: r, prob: 0.1}]\n"
        "services:\n"
        "  - {name: A, units: 3, area: n, largest_family: 5, stay: {dist: exponential, mean: 20},"
        " blocks: [{name: k, units: 1}]}\n"
        "network:\n  areas: [{name: n, x_km: 0, y_km: 0}, {name: s, x_km: 5, y_km: 0}]\n");
    put("top.yaml",
        "extends: base.yaml\n"
        "households:\n  profiles: [{name: q, weight: 1}, {name: q, weight: 2}]\n"
        "screening: [{name: r, prob: 0.2}, {name: r, prob: 0.3}]\n"
        "services:\n"
        "  - {name: B, units: 2, largest_family: 5, stay: {dist: exponential, mean: 20}}\n"
        "  - {name: B, units: 1, largest_family: 5, stay: {dist: exponential, mean: 20}}\n"
        "  - {name: A, blocks: [{name: m, units: 1}, {name: m, units: 1}]}\n"
        "network:\n  areas: [{name: s, x_km: 6, y_km: 0}, {name: s, x_km: 7, y_km: 0}]\n");
    accepted("base.yaml", "");
    refused("top.yaml", "",
            "refugesim: top.yaml:3:43: error: households.profiles[2].name: 'q' is already the "
            "name of profiles[1] (accepted: a name no other profile has)\n"
            "refugesim: top.yaml:4:42: error: screening[1].name: 'r' is already the name of "
            "screening[0] (accepted: a name no other reason has)\n"
            "refugesim: top.yaml:7:12: error: services[2].name: 'B' is already the name of "
            "services[1] (accepted: a name no other service has)\n"
            "refugesim: top.yaml:8:52: error: services[0].blocks[2].name: 'm' is already the "
            "name of blocks[1] (accepted: a name no other block of the service has)\n"
            "refugesim: top.yaml:10:47: error: network.areas[2].name: 's' is described twice "
            "(accepted: one entry per name in areas)\n");
    /* a name the file gives once still merges into the one below */
    put("once.yaml", "extends: base.yaml\nservices:\n  - {name: A, units: 7}\n");
    cr_expect_eq(ts_sh("cd '%s' && '%s' check once.yaml", ts_dir, ts_prog()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "- name: A\n  units: 7\n") && !strstr(ts_out, "units: 3"), "%s",
              ts_out);
    /* in a file on its own, as before */
    put("dup.yaml", "name: x\nreferrals: {per_year: 50}\nareas: [n, n]\n"
                    "services:\n"
                    "  - {name: s, units: 3, area: n, largest_family: 5, stay: {dist: exponential, mean: 20}}\n");
    refused("dup.yaml", "",
            "refugesim: dup.yaml:3:12: error: areas[1]: 'n' is listed twice (accepted: each area "
            "once)\n");
}

/* horizon 0 made the default `opens: 0` "outside the horizon", reported
 * at a key the file does not have; only the horizon is wrong. */
Test(scenario_checks, a_horizon_out_of_range_is_the_only_error)
{
    put("s.yaml", "name: x\nreferrals: {per_year: 50}\n"
                  "services:\n"
                  "  - {name: s, units: 3, largest_family: 5, stay: {dist: exponential, mean: 20}}\n"
                  "  - {name: t, units: 3, largest_family: 5, opens: 100, closes: 200,"
                  " stay: {dist: exponential, mean: 20}}\n");
    accepted("s.yaml", "");
    refused("s.yaml", "--set horizon=0",
            "refugesim: --set: error: horizon: 0 days is out of range (accepted: more than 0, at "
            "most 365000)\n");
    refused("s.yaml", "--set horizon=1e9",
            "refugesim: --set: error: horizon: 1e+09 days is out of range (accepted: more than 0, "
            "at most 365000)\n");
    put("h0.yaml", "name: x\nhorizon: 0\nreferrals: {per_year: 50}\n"
                   "services:\n"
                   "  - {name: s, units: 3, largest_family: 5, stay: {dist: exponential, mean: 20}}\n");
    refused("h0.yaml", "",
            "refugesim: h0.yaml:2:10: error: horizon: 0 days is out of range (accepted: more than "
            "0, at most 365000)\n");
    /* a valid horizon still bounds opens and closes */
    refused("s.yaml", "--set horizon=150",
            "refugesim: s.yaml:5:64: error: services[1].closes: day 200 must be after opens (day "
            "100) and within the horizon (150 days)\n");
    /* and a service's opens that its blocks inherit is one mistake, said
     * once under the service, not again under every block */
    put("blk.yaml", "name: x\nreferrals: {per_year: 50}\n"
                    "services:\n"
                    "  - {name: s, units: 3, largest_family: 5, opens: 400,"
                    " stay: {dist: exponential, mean: 20}, blocks: [{name: k, units: 1}, {name: l, units: 2}]}\n");
    refused("blk.yaml", "",
            "refugesim: blk.yaml:4:51: error: services[0].opens: day 400 is outside the horizon "
            "(accepted: 0 to below horizon, 365 days, counted from the end of warm-up)\n");
    /* a block's own opens is its own mistake */
    refused("blk.yaml", "--set 'services[0].opens=0' --set 'services[0].blocks[1].opens=400'",
            "refugesim: --set: error: services[0].blocks[1].opens: day 400 is outside the horizon "
            "(accepted: 0 to below horizon, 365 days, counted from the end of warm-up)\n");
}

/* network.distances: a pair given twice had the last one win unsaid, and
 * an area's distance to itself replaced its 0 km; both are refused at the
 * entry.  Both ways of a pair (a distance that differs by direction) stay
 * accepted. */
Test(scenario_checks, a_distance_given_twice_or_to_itself_is_refused)
{
#define DIST_AREAS "    - {name: a}\n    - {name: b}\n  distances:\n"
    put("twice.yaml", NET_HEAD DIST_AREAS
        "    - {from: a, to: b, km: 5}\n    - {from: a, to: b, km: 50}\n");
    refused("twice.yaml", "",
            "refugesim: twice.yaml:15:7: error: network.distances[1]: the distance from 'a' to 'b' "
            "is given twice (first at network.distances[0]; accepted: each pair once a way)\n");
    put("self.yaml", NET_HEAD DIST_AREAS "    - {from: a, to: b, km: 5}\n    - {from: a, to: a, km: 5}\n");
    refused("self.yaml", "",
            "refugesim: self.yaml:15:7: error: network.distances[1]: from and to are both 'a': an "
            "area is 0 km from itself (accepted: two different areas)\n");
    put("ways.yaml", NET_HEAD DIST_AREAS
        "    - {from: a, to: b, km: 5}\n    - {from: b, to: a, km: 50}\n");
    accepted("ways.yaml", "");
#undef DIST_AREAS
}
