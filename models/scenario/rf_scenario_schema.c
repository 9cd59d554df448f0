/* The libcyaml schema of a scenario, and a walker that checks a node tree
 * against that same schema.
 *
 * libcyaml stops at the first problem, and version 1.3 reads `010` as octal,
 * `1,5` as 1 and any word but false/no/disable/0 as true.  The walker is
 * stricter and reports every problem with its place; only a tree it accepts
 * is handed to libcyaml, so the two cannot disagree about a value. */
#include "rf_scenario_schema.h"
#include "rf_params.h"
#include "sim_dist.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OPT CYAML_FLAG_OPTIONAL
#define PTR CYAML_FLAG_POINTER
#define NAME_LEN (RF_NAME_MAX - 1)

/* ---- enumerations ---- */

static const cyaml_strval_t dist_strings[] = {
#define DIST_STR(name, text) {text, name},
    SIM_DIST_KIND_LIST(DIST_STR)
#undef DIST_STR
};
static const cyaml_strval_t nrpf_strings[] = {
    {"no", RF_NRPF_NO}, {"case_by_case", RF_NRPF_CASE_BY_CASE}, {"yes", RF_NRPF_YES}};
static const cyaml_strval_t decision_strings[] = {
    {"independent", RF_NRPF_DECIDE_INDEPENDENT}, {"shared", RF_NRPF_DECIDE_SHARED}};
static const cyaml_strval_t spec_strings[] = {
    {"none", RF_SPEC_NONE}, {"bme", RF_SPEC_BME}, {"young_women", RF_SPEC_YOUNG_WOMEN}};
static const cyaml_strval_t match_strings[] = {
    {"first_fit", RF_MATCH_FIRST_FIT}, {"best_fit", RF_MATCH_BEST_FIT}};
static const cyaml_strval_t priority_strings[] = {
    {"fifo", RF_PRIORITY_FIFO}, {"high_risk", RF_PRIORITY_HIGH_RISK}};

/* ---- leaf values ---- */

static const cyaml_schema_value_t float_entry = {CYAML_VALUE_FLOAT(CYAML_FLAG_DEFAULT, double)};
static const cyaml_schema_value_t name_entry = {
    CYAML_VALUE_STRING(PTR, char, 1, NAME_LEN)};

/* ---- distributions ---- */

static const cyaml_schema_field_t dist_fields[] = {
    CYAML_FIELD_ENUM("dist", CYAML_FLAG_DEFAULT, sc_dist, dist, dist_strings,
                     CYAML_ARRAY_LEN(dist_strings)),
    CYAML_FIELD_FLOAT("mean", OPT, sc_dist, mean),
    CYAML_FIELD_FLOAT("sd", OPT, sc_dist, sd),
    CYAML_FIELD_FLOAT("min", OPT, sc_dist, min),
    CYAML_FIELD_FLOAT("max", OPT, sc_dist, max),
    CYAML_FIELD_SEQUENCE("values", PTR | OPT, sc_dist, values, &float_entry, 1, SIM_DIST_EMP_MAX),
    CYAML_FIELD_SEQUENCE("weights", PTR | OPT, sc_dist, weights, &float_entry, 1,
                         SIM_DIST_EMP_MAX),
    CYAML_FIELD_END};

#define DIST_FIELD(key, flags, type, member) \
    CYAML_FIELD_MAPPING(key, flags, type, member, dist_fields)

/* ---- services and blocks ---- */

typedef struct {
    double per_unit_year, per_placement;
} sc_cost;

static const cyaml_schema_field_t cost_fields[] = {
    CYAML_FIELD_FLOAT("per_unit_year", OPT, sc_cost, per_unit_year),
    CYAML_FIELD_FLOAT("per_placement", OPT, sc_cost, per_placement),
    CYAML_FIELD_END};

#define ATTR_FIELDS(T)                                                                  \
    CYAML_FIELD_BOOL("wheelchair", OPT, T, at.wheelchair),                              \
    CYAML_FIELD_STRING_PTR("male_child_age_limit", OPT, T, at.male_child_age_limit, 1, 16), \
    CYAML_FIELD_ENUM("nrpf", OPT, T, at.nrpf, nrpf_strings, CYAML_ARRAY_LEN(nrpf_strings)), \
    CYAML_FIELD_BOOL("takes_male", OPT, T, at.takes_male),                              \
    CYAML_FIELD_BOOL("takes_pets", OPT, T, at.takes_pets),                              \
    CYAML_FIELD_BOOL("night_security", OPT, T, at.night_security),                      \
    CYAML_FIELD_BOOL("high_support", OPT, T, at.high_support),                          \
    CYAML_FIELD_BOOL("self_contained", OPT, T, at.self_contained),                      \
    CYAML_FIELD_ENUM("specialism", OPT, T, at.specialism, spec_strings,                 \
                     CYAML_ARRAY_LEN(spec_strings)),                                    \
    CYAML_FIELD_STRING_PTR("area", OPT, T, at.area, 1, NAME_LEN),                      \
    CYAML_FIELD_FLOAT("opens", OPT, T, at.opens),                                       \
    CYAML_FIELD_STRING_PTR("closes", OPT, T, at.closes, 1, 32),                         \
    CYAML_FIELD_MAPPING("cost", OPT, T, at.cost, cost_fields)

static const cyaml_schema_field_t block_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_DEFAULT, sc_block, name, 1, NAME_LEN),
    CYAML_FIELD_INT("units", CYAML_FLAG_DEFAULT, sc_block, units),
    CYAML_FIELD_INT("largest_family", OPT, sc_block, at.largest_family),
    ATTR_FIELDS(sc_block),
    CYAML_FIELD_END};
static const cyaml_schema_value_t block_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, sc_block, block_fields)};

static const cyaml_schema_field_t service_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_DEFAULT, sc_service, name, 1, NAME_LEN),
    CYAML_FIELD_INT("units", CYAML_FLAG_DEFAULT, sc_service, units),
    CYAML_FIELD_INT("largest_family", CYAML_FLAG_DEFAULT, sc_service, at.largest_family),
    ATTR_FIELDS(sc_service),
    CYAML_FIELD_FLOAT("nrpf_case_accept", OPT, sc_service, nrpf_case_accept),
    CYAML_FIELD_ENUM("nrpf_decision", OPT, sc_service, nrpf_decision, decision_strings,
                     CYAML_ARRAY_LEN(decision_strings)),
    DIST_FIELD("stay", CYAML_FLAG_DEFAULT, sc_service, stay),
    CYAML_FIELD_FLOAT("p_early_exit", OPT, sc_service, p_early_exit),
    DIST_FIELD("move_on_delay", OPT, sc_service, move_on_delay),
    DIST_FIELD("turnaround", OPT, sc_service, turnaround),
    DIST_FIELD("outage_interval", OPT, sc_service, outage_interval),
    DIST_FIELD("outage_duration", OPT, sc_service, outage_duration),
    CYAML_FIELD_SEQUENCE("blocks", PTR | OPT, sc_service, blocks, &block_entry, 0, RF_MAX_BLOCKS),
    CYAML_FIELD_END};
static const cyaml_schema_value_t service_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, sc_service, service_fields)};

/* ---- sections ---- */

static const cyaml_schema_field_t referral_fields[] = {
    CYAML_FIELD_FLOAT("per_year", OPT, sc_referrals, per_year),
    CYAML_FIELD_FLOAT("growth", OPT, sc_referrals, growth),
    CYAML_FIELD_SEQUENCE("seasonality", PTR | OPT, sc_referrals, seasonality, &float_entry, 12, 12),
    CYAML_FIELD_INT("start_month", OPT, sc_referrals, start_month),
    CYAML_FIELD_STRING_PTR("trace", OPT, sc_referrals, trace, 1, 4000),
    CYAML_FIELD_END};

static const cyaml_schema_field_t profile_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_DEFAULT, sc_profile, name, 1, NAME_LEN),
    CYAML_FIELD_FLOAT("weight", CYAML_FLAG_DEFAULT, sc_profile, weight),
    CYAML_FIELD_INT("adults", OPT, sc_profile, adults),
    CYAML_FIELD_INT("children", OPT, sc_profile, children),
    CYAML_FIELD_STRING_PTR("oldest_boy_age", OPT, sc_profile, oldest_boy_age, 1, 16),
    CYAML_FIELD_BOOL("wheelchair", OPT, sc_profile, wheelchair),
    CYAML_FIELD_BOOL("nrpf", OPT, sc_profile, nrpf),
    CYAML_FIELD_BOOL("male", OPT, sc_profile, male),
    CYAML_FIELD_BOOL("pet", OPT, sc_profile, pet),
    CYAML_FIELD_BOOL("bme", OPT, sc_profile, bme),
    CYAML_FIELD_BOOL("young", OPT, sc_profile, young),
    CYAML_FIELD_BOOL("needs_specialist", OPT, sc_profile, needs_specialist),
    CYAML_FIELD_BOOL("high_support", OPT, sc_profile, high_support),
    CYAML_FIELD_BOOL("high_risk", OPT, sc_profile, high_risk),
    CYAML_FIELD_BOOL("needs_security", OPT, sc_profile, needs_security),
    CYAML_FIELD_BOOL("outside_area", OPT, sc_profile, outside_area),
    CYAML_FIELD_STRING_PTR("area", OPT, sc_profile, area, 1, NAME_LEN),
    CYAML_FIELD_END};
static const cyaml_schema_value_t profile_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, sc_profile, profile_fields)};

static const cyaml_schema_field_t mix_fields[] = {
    DIST_FIELD("adults", OPT, sc_mix, adults),
    DIST_FIELD("children", OPT, sc_mix, children),
    DIST_FIELD("child_age", OPT, sc_mix, child_age),
    CYAML_FIELD_FLOAT("p_child_male", OPT, sc_mix, p_child_male),
    CYAML_FIELD_FLOAT("p_wheelchair", OPT, sc_mix, p_wheelchair),
    CYAML_FIELD_FLOAT("p_nrpf", OPT, sc_mix, p_nrpf),
    CYAML_FIELD_FLOAT("p_male", OPT, sc_mix, p_male),
    CYAML_FIELD_FLOAT("p_pet", OPT, sc_mix, p_pet),
    CYAML_FIELD_FLOAT("p_bme", OPT, sc_mix, p_bme),
    CYAML_FIELD_FLOAT("p_young", OPT, sc_mix, p_young),
    CYAML_FIELD_FLOAT("p_needs_specialist", OPT, sc_mix, p_needs_specialist),
    CYAML_FIELD_FLOAT("p_high_support", OPT, sc_mix, p_high_support),
    CYAML_FIELD_FLOAT("p_high_risk", OPT, sc_mix, p_high_risk),
    CYAML_FIELD_FLOAT("p_needs_security", OPT, sc_mix, p_needs_security),
    CYAML_FIELD_FLOAT("p_outside_area", OPT, sc_mix, p_outside_area),
    CYAML_FIELD_FLOAT("p_wants_area", OPT, sc_mix, p_wants_area),
    CYAML_FIELD_SEQUENCE("area_weights", PTR | OPT, sc_mix, area_weights, &float_entry, 0,
                         RF_MAX_AREAS),
    CYAML_FIELD_SEQUENCE("profiles", PTR | OPT, sc_mix, profiles, &profile_entry, 0,
                         RF_MAX_PROFILES),
    CYAML_FIELD_END};

static const cyaml_schema_field_t screen_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_DEFAULT, sc_screen, name, 1, NAME_LEN),
    CYAML_FIELD_FLOAT("prob", CYAML_FLAG_DEFAULT, sc_screen, prob),
    CYAML_FIELD_END};
static const cyaml_schema_value_t screen_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, sc_screen, screen_fields)};

static const cyaml_schema_field_t waiting_fields[] = {
    CYAML_FIELD_FLOAT("p_wait", OPT, sc_waiting, p_wait),
    DIST_FIELD("patience", OPT, sc_waiting, patience),
    CYAML_FIELD_ENUM("priority", OPT, sc_waiting, priority, priority_strings,
                     CYAML_ARRAY_LEN(priority_strings)),
    CYAML_FIELD_INT("max_waiting", OPT, sc_waiting, max_waiting),
    CYAML_FIELD_END};

static const cyaml_schema_field_t move_on_fields[] = {
    DIST_FIELD("delay", OPT, sc_move_on, delay),
    CYAML_FIELD_FLOAT("timely_days", OPT, sc_move_on, timely_days),
    CYAML_FIELD_END};

static const cyaml_schema_field_t downtime_fields[] = {
    DIST_FIELD("turnaround", OPT, sc_downtime, turnaround),
    DIST_FIELD("outage_interval", OPT, sc_downtime, outage_interval),
    DIST_FIELD("outage_duration", OPT, sc_downtime, outage_duration),
    CYAML_FIELD_END};

static const cyaml_schema_field_t occupant_fields[] = {
    CYAML_FIELD_STRING_PTR("service", CYAML_FLAG_DEFAULT, sc_occupant, service, 1, NAME_LEN),
    CYAML_FIELD_INT("count", OPT, sc_occupant, count),
    CYAML_FIELD_FLOAT("days_stayed", OPT, sc_occupant, days_stayed),
    CYAML_FIELD_END};
static const cyaml_schema_value_t occupant_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, sc_occupant, occupant_fields)};

static const cyaml_schema_field_t initial_fields[] = {
    CYAML_FIELD_SEQUENCE("occupants", PTR | OPT, sc_initial, occupants, &occupant_entry, 0,
                         RF_MAX_INITIAL),
    CYAML_FIELD_SEQUENCE("waiting_days", PTR | OPT, sc_initial, waiting_days, &float_entry, 0,
                         RF_MAX_INITIAL),
    CYAML_FIELD_END};

static const cyaml_strval_t net_wait_strings[] = {
    {"national", RF_NET_WAIT_NATIONAL}, {"area", RF_NET_WAIT_AREA}};

static const cyaml_schema_field_t area_mix_fields[] = {
#define AREA_MIX_FIELD(id, key, field) CYAML_FIELD_FLOAT(key, OPT, sc_area_mix, p[id]),
    RF_AREA_MIX_LIST(AREA_MIX_FIELD)
#undef AREA_MIX_FIELD
#define AREA_DIST_FIELD(id, key, field) DIST_FIELD(key, OPT, sc_area_mix, d[id]),
    RF_AREA_DIST_LIST(AREA_DIST_FIELD)
#undef AREA_DIST_FIELD
    CYAML_FIELD_END};

static const cyaml_schema_field_t area_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_DEFAULT, sc_area, name, 1, NAME_LEN),
    CYAML_FIELD_FLOAT("population", OPT, sc_area, population),
    CYAML_FIELD_FLOAT("per_year", OPT, sc_area, per_year),
    CYAML_FIELD_FLOAT("growth", OPT, sc_area, growth),
    CYAML_FIELD_FLOAT("p_leave", OPT, sc_area, p_leave),
    CYAML_FIELD_FLOAT("p_leave_high_risk", OPT, sc_area, p_leave_high_risk),
    CYAML_FIELD_FLOAT("x_km", OPT, sc_area, x_km),
    CYAML_FIELD_FLOAT("y_km", OPT, sc_area, y_km),
    CYAML_FIELD_FLOAT("lat", OPT, sc_area, lat),
    CYAML_FIELD_FLOAT("lon", OPT, sc_area, lon),
    CYAML_FIELD_SEQUENCE("neighbours", PTR | OPT, sc_area, neighbours, &name_entry, 0,
                         RF_MAX_NEIGHBOURS),
    CYAML_FIELD_SEQUENCE("seasonality", PTR | OPT, sc_area, seasonality, &float_entry, 12, 12),
    CYAML_FIELD_MAPPING("households", OPT, sc_area, households, area_mix_fields),
    CYAML_FIELD_END};
static const cyaml_schema_value_t area_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, sc_area, area_fields)};

static const cyaml_schema_field_t distance_fields[] = {
    CYAML_FIELD_STRING_PTR("from", CYAML_FLAG_DEFAULT, sc_distance, from, 1, NAME_LEN),
    CYAML_FIELD_STRING_PTR("to", CYAML_FLAG_DEFAULT, sc_distance, to, 1, NAME_LEN),
    CYAML_FIELD_FLOAT("km", CYAML_FLAG_DEFAULT, sc_distance, km),
    CYAML_FIELD_END};
static const cyaml_schema_value_t distance_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, sc_distance, distance_fields)};

static const cyaml_schema_field_t decline_point_fields[] = {
    CYAML_FIELD_FLOAT("km", CYAML_FLAG_DEFAULT, sc_decline_point, km),
    CYAML_FIELD_FLOAT("p", CYAML_FLAG_DEFAULT, sc_decline_point, p),
    CYAML_FIELD_END};
static const cyaml_schema_value_t decline_point_entry = {
    CYAML_VALUE_MAPPING(CYAML_FLAG_DEFAULT, sc_decline_point, decline_point_fields)};

static const cyaml_schema_field_t logistic_fields[] = {
    CYAML_FIELD_FLOAT("midpoint_km", CYAML_FLAG_DEFAULT, sc_logistic, midpoint_km),
    CYAML_FIELD_FLOAT("scale_km", CYAML_FLAG_DEFAULT, sc_logistic, scale_km),
    CYAML_FIELD_FLOAT("max", CYAML_FLAG_DEFAULT, sc_logistic, max),
    CYAML_FIELD_END};

static const cyaml_schema_field_t decline_fields[] = {
    CYAML_FIELD_SEQUENCE("table", PTR | OPT, sc_decline, table, &decline_point_entry, 1,
                         RF_MAX_DECLINE),
    CYAML_FIELD_MAPPING("logistic", OPT, sc_decline, logistic, logistic_fields),
    CYAML_FIELD_END};

static const cyaml_schema_field_t network_fields[] = {
    CYAML_FIELD_SEQUENCE("areas", PTR, sc_network, areas, &area_entry, 1, RF_MAX_AREAS),
    CYAML_FIELD_SEQUENCE("distances", PTR | OPT, sc_network, distances, &distance_entry, 0,
                         RF_MAX_DISTANCES),
    CYAML_FIELD_FLOAT("p_leave", OPT, sc_network, p_leave),
    CYAML_FIELD_FLOAT("p_leave_high_risk", OPT, sc_network, p_leave_high_risk),
    CYAML_FIELD_FLOAT("max_km", OPT, sc_network, max_km),
    CYAML_FIELD_BOOL("own_area_first", OPT, sc_network, own_area_first),
    CYAML_FIELD_ENUM("waiting_list", OPT, sc_network, waiting_list, net_wait_strings,
                     CYAML_ARRAY_LEN(net_wait_strings)),
    CYAML_FIELD_MAPPING("decline", OPT, sc_network, decline, decline_fields),
    CYAML_FIELD_END};

static const cyaml_schema_field_t top_fields[] = {
    CYAML_FIELD_STRING_PTR("name", CYAML_FLAG_DEFAULT, sc_scenario, name, 1, NAME_LEN),
    CYAML_FIELD_STRING_PTR("description", OPT, sc_scenario, description, 0, 4000),
    CYAML_FIELD_FLOAT("horizon", OPT, sc_scenario, horizon),
    CYAML_FIELD_FLOAT("warmup", OPT, sc_scenario, warmup),
    CYAML_FIELD_UINT("replications", OPT, sc_scenario, replications),
    CYAML_FIELD_UINT("seed", OPT, sc_scenario, seed),
    CYAML_FIELD_MAPPING("referrals", CYAML_FLAG_DEFAULT, sc_scenario, referrals, referral_fields),
    CYAML_FIELD_MAPPING("households", OPT, sc_scenario, households, mix_fields),
    CYAML_FIELD_SEQUENCE("screening", PTR | OPT, sc_scenario, screening, &screen_entry, 0,
                         RF_MAX_SCREEN),
    CYAML_FIELD_MAPPING("waiting", OPT, sc_scenario, waiting, waiting_fields),
    CYAML_FIELD_ENUM("matching", OPT, sc_scenario, matching, match_strings,
                     CYAML_ARRAY_LEN(match_strings)),
    CYAML_FIELD_SEQUENCE("areas", PTR | OPT, sc_scenario, areas, &name_entry, 1, RF_MAX_AREAS),
    CYAML_FIELD_SEQUENCE("services", PTR, sc_scenario, services, &service_entry, 1,
                         RF_MAX_SERVICES),
    CYAML_FIELD_MAPPING("move_on", OPT, sc_scenario, move_on, move_on_fields),
    CYAML_FIELD_MAPPING("downtime", OPT, sc_scenario, downtime, downtime_fields),
    CYAML_FIELD_MAPPING("initial", OPT, sc_scenario, initial, initial_fields),
    CYAML_FIELD_MAPPING("network", OPT, sc_scenario, network, network_fields),
    CYAML_FIELD_END};

const cyaml_schema_value_t rf_sc_top_schema = {
    CYAML_VALUE_MAPPING(PTR, sc_scenario, top_fields)};

/* ---- the walker ---- */

typedef struct {
    rf_diags *d;
    int errors;
} walk_ctx;

static void err_at(walk_ctx *c, st_origin at, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void err_at(walk_ctx *c, st_origin at, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rf_diags_addv(c->d, at.file, at.line, at.col, path, fmt, ap);
    va_end(ap);
    c->errors++;
}

static const char *kind_word(const st_node *n)
{
    switch (n->kind) {
    case ST_SCALAR: return "a single value";
    case ST_SEQ: return "a list";
    default: return "a mapping";
    }
}

/* Values are quoted in messages; long ones are cut. */
static const char *shown(const st_node *n, char *buf, size_t size)
{
    snprintf(buf, size, "%s", n->text);
    if (strlen(n->text) >= size && size > 4)
        memcpy(buf + size - 4, "...", 4);
    return buf;
}

/* Whole numbers in plain decimal: libcyaml would read 010 as octal. */
static bool parse_whole(const char *s, long long *out)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!*p || (p[0] == '0' && p[1]))
        return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9')
            return false;
    errno = 0;
    *out = strtoll(s, NULL, 10);
    return errno == 0;
}

static bool parse_real(const char *s, double *out)
{
    char *end;
    errno = 0;
    if (!*s)
        return false;
    double v = strtod(s, &end);
    if (*end || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

static void join_enum(const cyaml_schema_value_t *sv, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (uint32_t i = 0; i < sv->enumeration.count && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                                 sv->enumeration.strings[i].str);
}

static void join_keys(const cyaml_schema_field_t *f, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; f[i].key && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", f[i].key);
}

static void walk(walk_ctx *c, const cyaml_schema_value_t *sv, const st_node *n, const char *path);

static void walk_scalar(walk_ctx *c, const cyaml_schema_value_t *sv, const st_node *n,
                        const char *path)
{
    char val[48], acc[240];
    if (n->kind != ST_SCALAR) {
        err_at(c, n->at, path, "expected a single value, got %s", kind_word(n));
        return;
    }
    long long w;
    double x;
    switch (sv->type) {
    case CYAML_INT:
        if (!parse_whole(n->text, &w) || w < INT32_MIN || w > INT32_MAX)
            err_at(c, n->at, path, "expected a whole number, got '%s'", shown(n, val, sizeof val));
        break;
    case CYAML_UINT: {
        unsigned long long max = sv->data_size >= 8 ? UINT64_MAX : UINT32_MAX;
        bool ok = parse_whole(n->text, &w) && n->text[0] != '-';
        if (!ok && n->text[0] >= '1' && n->text[0] <= '9') {   /* beyond long long */
            char *end;
            errno = 0;
            unsigned long long u = strtoull(n->text, &end, 10);
            ok = !*end && !errno && u <= max;
        } else if (ok && (unsigned long long)w > max) {
            ok = false;
        }
        if (!ok)
            err_at(c, n->at, path, "expected a whole number from 0 to %llu, got '%s'", max,
                   shown(n, val, sizeof val));
        break;
    }
    case CYAML_FLOAT:
        if (!parse_real(n->text, &x))
            err_at(c, n->at, path, "expected a number, got '%s'", shown(n, val, sizeof val));
        break;
    case CYAML_BOOL:
        if (strcmp(n->text, "true") && strcmp(n->text, "false") && strcmp(n->text, "yes")
            && strcmp(n->text, "no"))
            err_at(c, n->at, path, "expected true or false, got '%s' (accepted: true, false)",
                   shown(n, val, sizeof val));
        break;
    case CYAML_ENUM: {
        bool found = false;
        for (uint32_t i = 0; i < sv->enumeration.count; i++)
            found = found || strcmp(sv->enumeration.strings[i].str, n->text) == 0;
        if (!found) {
            join_enum(sv, acc, sizeof acc);
            err_at(c, n->at, path, "unknown value '%s' (accepted: %s)", shown(n, val, sizeof val),
                   acc);
        }
        break;
    }
    case CYAML_STRING: {
        size_t len = strlen(n->text);
        if (len < sv->string.min)
            err_at(c, n->at, path, "must not be empty");
        else if (len > sv->string.max)
            err_at(c, n->at, path, "longer than %u bytes (a character outside ASCII takes 2 to 4)",
                   (unsigned)sv->string.max);
        break;
    }
    default:
        break;
    }
}

static void walk_mapping(walk_ctx *c, const cyaml_schema_value_t *sv, const st_node *n,
                         const char *path)
{
    char sub[256], acc[300];
    if (n->kind != ST_MAP) {
        err_at(c, n->at, path, "expected a mapping (key: value lines), got %s", kind_word(n));
        return;
    }
    const cyaml_schema_field_t *fields = sv->mapping.fields;
    for (int i = 0; i < n->n; i++) {
        const st_pair *p = &n->pairs[i];
        snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", p->key);
        int f = 0;
        while (fields[f].key && strcmp(fields[f].key, p->key) != 0)
            f++;
        if (!fields[f].key) {
            join_keys(fields, acc, sizeof acc);
            err_at(c, p->at, sub, "unknown key (accepted: %s)", acc);
            continue;
        }
        walk(c, &fields[f].value, p->val, sub);
    }
    for (int f = 0; fields[f].key; f++)
        if (!(fields[f].value.flags & CYAML_FLAG_OPTIONAL) && !st_map_find(n, fields[f].key)) {
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", fields[f].key);
            err_at(c, n->at, sub, "missing required key '%s'", fields[f].key);
        }
}

static void walk(walk_ctx *c, const cyaml_schema_value_t *sv, const st_node *n, const char *path)
{
    char sub[256];
    switch (sv->type) {
    case CYAML_MAPPING:
        walk_mapping(c, sv, n, path);
        break;
    case CYAML_SEQUENCE:
    case CYAML_SEQUENCE_FIXED:
        if (n->kind != ST_SEQ) {
            err_at(c, n->at, path, "expected a list, got %s", kind_word(n));
            break;
        }
        if (sv->sequence.min == sv->sequence.max && (uint32_t)n->n != sv->sequence.min)
            err_at(c, n->at, path, "expected exactly %u entries, got %d",
                   (unsigned)sv->sequence.min, n->n);
        else if ((uint32_t)n->n < sv->sequence.min)
            err_at(c, n->at, path, "expected at least %u entr%s, got %d",
                   (unsigned)sv->sequence.min, sv->sequence.min == 1 ? "y" : "ies", n->n);
        else if ((uint32_t)n->n > sv->sequence.max)
            err_at(c, n->at, path, "expected at most %u entries, got %d",
                   (unsigned)sv->sequence.max, n->n);
        for (int i = 0; i < n->n; i++) {
            snprintf(sub, sizeof sub, "%s[%d]", path, i);
            walk(c, sv->sequence.entry, n->items[i], sub);
        }
        break;
    case CYAML_IGNORE:
        break;
    default:
        walk_scalar(c, sv, n, path);
        break;
    }
}

int rf_sc_check_tree(const st_node *root, rf_diags *d)
{
    walk_ctx c = {d, 0};
    walk(&c, &rf_sc_top_schema, root, "");
    return c.errors;
}
