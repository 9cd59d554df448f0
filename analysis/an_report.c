#include "an_report.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sim_status.h"
#include "sim_text.h"
#include <yaml.h>

void an_report_free_points(an_point_summary *pts, size_t n_pts)
{
    if (!pts)
        return;
    for (size_t i = 0; i < n_pts; i++)
        an_point_summary_free(&pts[i]);
    free(pts);
}

int an_report_load(an_h5_file *f, an_point_summary **pts, size_t *n_pts)
{
    size_t n = an_h5_get_info(f)->n_points;
    *pts = NULL;
    *n_pts = 0;
    an_point_summary *p = calloc(n + 1, sizeof *p);
    if (!p)
        return SIM_ENOMEM;
    int complete = an_h5_get_info(f)->complete;
    for (size_t i = 0; i < n; i++) {
        int st = an_h5_read_point_summary(f, i, &p[i]);
        /* an interrupted run's points that never started: shown as not run
         * (n_reps 0), so that what was evaluated can still be read */
        if (st == SIM_ENOTFOUND && !complete) {
            memset(&p[i], 0, sizeof p[i]);
            const char *lab = an_h5_point_at(f, i)->label;
            if (lab[0])
                snprintf(p[i].label, sizeof p[i].label, "%s", lab);
            else
                snprintf(p[i].label, sizeof p[i].label, "point %zu of %zu", i + 1, n);
            continue;
        }
        if (st) {
            an_report_free_points(p, i);
            return st;
        }
    }
    *pts = p;
    *n_pts = n;
    return SIM_OK;
}

void an_report_print(FILE *out, const an_h5_info *info, const an_point_summary *pts, size_t n_pts)
{
    /* every string here comes from the file: shown, never obeyed */
    char v[64], g[64], c[64];
    fprintf(out, "refugesim %s (%s), created %s, seed %llu%s\n",
            sim_text_str(SIM_TEXT_TERM, info->refugesim_version, v, sizeof v),
            sim_text_str(SIM_TEXT_TERM, info->git_commit, g, sizeof g),
            sim_text_str(SIM_TEXT_TERM, info->created_utc, c, sizeof c),
            (unsigned long long)info->seed, info->complete ? "" : " - INCOMPLETE (interrupted run)");
    fputs("command: ", out);
    sim_text_put(out, SIM_TEXT_TERM, info->command_line);
    fputs("\n\n", out);
    /* an interrupted run: the tables hold the points that have replications
     * (shallow copies, not freed here), a line names the others */
    an_point_summary *run = malloc((n_pts + 1) * sizeof *run);
    size_t n_run = 0;
    for (size_t i = 0; run && i < n_pts; i++)
        if (pts[i].n_reps)
            run[n_run++] = pts[i];
    if (run && n_run < n_pts) {
        fputs("Not run (the run was interrupted before them):", out);
        for (size_t i = 0, k = 0; i < n_pts; i++)
            if (!pts[i].n_reps) {
                char lab[AN_LABEL_SHOWN];
                fprintf(out, "%s %s", k++ ? "," : "",
                        sim_text_str(SIM_TEXT_TERM, pts[i].label, lab, sizeof lab));
            }
        fputs("\n\n", out);
        pts = run;
        n_pts = n_run;
    }
    if (n_pts > AN_REPORT_COLUMNS) {
        fputs("Overall (one row a point)\n", out);
        an_print_summary_rows(out, pts, n_pts);
    } else {
        fprintf(out, "Overall%s\n", n_pts > 1 ? " (points side by side)" : "");
        an_print_summary(out, pts, n_pts, 0);
    }
    fputc('\n', out);
    an_print_services(out, pts, n_pts);
    fputc('\n', out);
    an_print_groups(out, pts, n_pts);
    for (size_t i = 0; i < n_pts; i++)
        if (pts[i].n_areas > 0) {
            fputc('\n', out);
            an_print_areas(out, pts, n_pts);
            break;
        }
    free(run);
}

/* ----------------------------------------------------- words for keys -- */

/* Scenario keys a sweep commonly varies, in words (a heading, an axis)
 * and as a phrase about one value (a column heading, a legend: %s is the
 * value; share: the value is a share, shown in percent); a key is matched
 * after its service index ("services[2].") is taken off. */
static const struct {
    const char *key, *words, *phrase;
    int share;
} key_words[] = {
    {"referrals.per_year", "Referrals per year", "%s referrals a year", 0},
    {"referrals.growth", "Growth of referrals (a year)", "referral growth %s a year", 1},
    {"horizon", "Horizon (days)", "horizon %s days", 0},
    {"warmup", "Warm-up (days)", "warm-up %s days", 0},
    {"move_on.delay.mean", "Mean move-on delay (days)", "mean move-on delay %s days", 0},
    {"move_on.timely_days", "Timely move-on within (days)", "timely move-on within %s days", 0},
    {"waiting.p_wait", "Share of those refused who would wait", "%s of those refused would wait", 1},
    {"waiting.patience.mean", "Mean patience on the waiting list (days)",
     "mean patience %s days", 0},
    {"waiting.max_waiting", "Longest waiting list allowed (households)",
     "waiting list at most %s households", 0},
    {"downtime.turnaround.mean", "Mean turnaround between households (days)",
     "mean turnaround %s days", 0},
    {"downtime.outage_interval.mean", "Mean time between outages (days)",
     "mean %s days between outages", 0},
    {"downtime.outage_duration.mean", "Mean outage (days)", "mean outage %s days", 0},
    {"households.p_nrpf", "Share with no recourse to public funds",
     "%s with no recourse to public funds", 1},
    {"households.p_wheelchair", "Share needing wheelchair access", "%s needing wheelchair access", 1},
    {"households.p_male", "Share of male victims", "%s male victims", 1},
    {"households.p_pet", "Share with a pet", "%s with a pet", 1},
    {"households.p_high_risk", "Share at high risk", "%s at high risk", 1},
    {"stay.mean", "Mean stay", "mean stay %s days", 0},
    {"p_early_exit", "Share leaving early", "%s leaving early", 1},
    {"nrpf_case_accept", "Share of NRPF households accepted", "%s of NRPF households accepted", 1},
};

static const char *service_name(const an_point_summary *ps, long i, char *tmp, size_t n)
{
    if (ps && i >= 0 && i < ps->n_services)
        return ps->service_names[i];
    snprintf(tmp, n, "service %ld", i + 1);
    return tmp;
}

/* A key taken apart: a pseudo-key (spaces, extra[NAME]), a service's or
 * block's units, or a known key (kw >= 0) of a service (svc) or of the
 * whole scenario. */
typedef struct {
    enum { KEY_SPACES, KEY_EXTRA, KEY_UNITS, KEY_KNOWN, KEY_OTHER } kind;
    const char *svc;          /* NULL: not a service's */
    long block;               /* KEY_UNITS: the block (0-based), -1: the service's */
    int kw;                   /* KEY_KNOWN: index into key_words */
    int extra_len;            /* KEY_EXTRA: NAME's length, at key + 6 */
    char tmp[32];
} key_parts;

static void key_split(key_parts *k, const char *key, const an_point_summary *ps)
{
    memset(k, 0, sizeof *k);
    k->block = -1;
    k->kw = -1;
    size_t n = strlen(key);
    if (!strcmp(key, "spaces")) {
        k->kind = KEY_SPACES;
        return;
    }
    if (!strncmp(key, "extra[", 6) && n > 7 && key[n - 1] == ']') {
        k->kind = KEY_EXTRA;
        k->extra_len = (int)(n - 7);
        return;
    }
    const char *rest = key;
    char *end;
    if (!strncmp(key, "services[", 9)) {
        long si = strtol(key + 9, &end, 10);
        if (end[0] == ']' && end[1] == '.') {
            rest = end + 2;
            k->svc = service_name(ps, si, k->tmp, sizeof k->tmp);
            if (!strncmp(rest, "blocks[", 7)) {
                k->block = strtol(rest + 7, &end, 10);
                rest = end[0] == ']' && end[1] == '.' ? end + 2 : rest;
            }
        }
    }
    if (k->svc && !strcmp(rest, "units")) {
        k->kind = KEY_UNITS;
        return;
    }
    k->kind = KEY_OTHER;
    for (size_t w = 0; w < sizeof key_words / sizeof *key_words; w++)
        if (!strcmp(rest, key_words[w].key)) {
            k->kind = KEY_KNOWN;
            k->kw = (int)w;
        }
}

void an_report_key_label(char *buf, size_t size, const char *key, const an_point_summary *ps)
{
    key_parts k;
    key_split(&k, key, ps);
    switch (k.kind) {
    case KEY_SPACES:
        snprintf(buf, size, "Refuge spaces (all services)");
        break;
    case KEY_EXTRA:
        snprintf(buf, size, "Units added to %.*s", k.extra_len, key + 6);
        break;
    case KEY_UNITS:
        if (k.block >= 0)
            snprintf(buf, size, "Units in block %ld of %s", k.block + 1, k.svc);
        else
            snprintf(buf, size, "Units of %s", k.svc);
        break;
    case KEY_KNOWN:
        if (k.svc)
            snprintf(buf, size, "%s, %s%s", key_words[k.kw].words, k.svc,
                     !strcmp(key_words[k.kw].key, "stay.mean") ? " (days)" : "");
        else
            snprintf(buf, size, "%s", key_words[k.kw].words);
        break;
    default:
        snprintf(buf, size, "%s (scenario key)", key);
    }
}

/* scale * v in the fewest digits (at least %g's 6) that read back as v, so
 * that two points' different values never show alike (%g made 150.0000001
 * and 150.0000002 both "150"). */
static void value_digits(char *buf, size_t size, double v, double scale)
{
    for (int prec = 6; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, scale * v);
        if (strtod(buf, NULL) / scale == v)
            return;
    }
}

void an_report_key_value(char *buf, size_t size, const char *key, double v, const an_point_summary *ps)
{
    key_parts k;
    key_split(&k, key, ps);
    char num[40];
    value_digits(num, sizeof num, v, 1);
    switch (k.kind) {
    case KEY_SPACES:
        snprintf(buf, size, "%s spaces", num);
        break;
    case KEY_EXTRA:
        snprintf(buf, size, "%s units added to %.*s", num, k.extra_len, key + 6);
        break;
    case KEY_UNITS:
        if (k.block >= 0)
            snprintf(buf, size, "%s units in block %ld of %s", num, k.block + 1, k.svc);
        else
            snprintf(buf, size, "%s units of %s", num, k.svc);
        break;
    case KEY_KNOWN: {
        if (key_words[k.kw].share) {
            value_digits(num, sizeof num - 1, v, 100);
            strcat(num, "%");
        }
        char phrase[160];
        snprintf(phrase, sizeof phrase, key_words[k.kw].phrase, num);
        if (k.svc)
            snprintf(buf, size, "%s at %s", phrase, k.svc);
        else
            snprintf(buf, size, "%s", phrase);
        break;
    }
    default:
        snprintf(buf, size, "%s %s", key, num);
    }
}

void an_report_point_heading(char *buf, size_t size, an_h5_file *f, size_t i, const an_point_summary *ps)
{
    const an_h5_info *in = an_h5_get_info(f);
    if (in->kind && !strcmp(in->kind, "optimise")) { /* the points are the path's steps */
        snprintf(buf, size, "Step %zu", i);
        return;
    }
    const char *label = ps ? ps->label : an_h5_point_at(f, i)->label;
    if (!in->n_vary || i >= in->n_points || !strchr(label, '=')) {
        snprintf(buf, size, "%s", label);
        return;
    }
    const double *v = an_h5_point_at(f, i)->vary_values;
    size_t len = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < in->n_vary; k++) {
        char one[AN_REPORT_HEADING_MAX];
        an_report_key_value(one, sizeof one, in->vary_keys[k], v[k], ps);
        int w = snprintf(buf + len, size - len, "%s%s", k ? ", " : "", one);
        if (w < 0 || len + (size_t)w >= size) {
            /* the words would be cut: the label itself, which is whole */
            snprintf(buf, size, "%s", label);
            return;
        }
        len += (size_t)w;
    }
    buf[0] = (char)toupper((unsigned char)buf[0]);
}

/* Read with libyaml, as the scenario was: a name quoted, escaped (\", \e),
 * plain or a block scalar is the text the scenario meant.  Only the
 * top-level mapping is looked at, and reading stops at its `name` (the
 * first key of a resolved scenario) or at nesting no scenario has. */
void an_scenario_name(const char *yaml, char *buf, size_t size)
{
    enum { MAX_DEPTH = 64 };
    if (size == 0)
        return;
    buf[0] = '\0';
    if (!yaml)
        return;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return;
    yaml_parser_set_input_string(&p, (const unsigned char *)yaml, strlen(yaml));
    /* depth 1 is the top mapping, where nodes alternate key, value */
    int depth = 0, is_key = 1, name_next = 0, done = 0;
    while (!done) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e))
            break;
        int node = e.type == YAML_SCALAR_EVENT || e.type == YAML_ALIAS_EVENT
                   || e.type == YAML_MAPPING_START_EVENT || e.type == YAML_SEQUENCE_START_EVENT;
        if (depth == 1 && node) {
            if (is_key) {
                name_next = e.type == YAML_SCALAR_EVENT
                            && !strcmp((const char *)e.data.scalar.value, "name");
            } else if (name_next) {
                if (e.type == YAML_SCALAR_EVENT) {   /* cut at a character, never inside one */
                    size_t n = e.data.scalar.length < size - 1 ? e.data.scalar.length : size - 1;
                    while (n < e.data.scalar.length && n > 0
                           && (e.data.scalar.value[n] & 0xC0) == 0x80)
                        n--;
                    memcpy(buf, e.data.scalar.value, n);
                    buf[n] = '\0';
                }
                done = 1;   /* a name that is not text is no name */
            }
            is_key = !is_key;
        }
        switch (e.type) {
        case YAML_MAPPING_START_EVENT:
        case YAML_SEQUENCE_START_EVENT:
            if (depth == 0 && e.type == YAML_SEQUENCE_START_EVENT)
                done = 1;   /* not a mapping: no name */
            if (++depth > MAX_DEPTH)
                done = 1;
            break;
        case YAML_MAPPING_END_EVENT:
        case YAML_SEQUENCE_END_EVENT:
            if (--depth == 0)
                done = 1;
            break;
        case YAML_DOCUMENT_END_EVENT:
        case YAML_STREAM_END_EVENT: done = 1; break;
        default: break;
        }
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
}

void an_report_scenario_name(an_h5_file *f, char *buf, size_t size)
{
    if (size)
        buf[0] = '\0';
    char *text;
    if (an_h5_read_scenario(f, &text))
        return;
    an_scenario_name(text, buf, size);
    free(text);
}

/* ------------------------------------------------------------- CSV -- */

static void csv_string(FILE *o, const char *s)
{
    sim_text_put(o, SIM_TEXT_CSV, s);
}

static void csv_number(FILE *o, double v, int is_int)
{
    if (isnan(v))
        return;
    /* Whole numbers (counts, months, most monthly levels) are most cells:
     * written digit by digit they skip printf's float formatting (a quarter
     * of `report --csv`'s time), with the same text as %.15g. */
    if (fabs(v) < 1e15 && v == (double)(long long)v && !(v == 0 && signbit(v))) {
        char b[24], *e = b + sizeof b, *q = e;
        unsigned long long u = (unsigned long long)(v < 0 ? -v : v);
        do
            *--q = (char)('0' + u % 10);
        while (u /= 10);
        if (v < 0)
            *--q = '-';
        fwrite(q, 1, (size_t)(e - q), o);
        return;
    }
    if (is_int)
        fprintf(o, "%.0f", v);
    else
        fprintf(o, "%.15g", v); /* Excel's precision; the HDF5 file keeps every bit */
}

typedef struct {
    FILE *o;
    int header_done;
} csv_out;

FILE *an_report_fopen(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (!p)
        return NULL;
    snprintf(p, n, "%s/%s", dir, name);
    FILE *o = fopen(p, "w");
    free(p);
    return o;
}

static void csv_prefix_header(FILE *o, const an_h5_info *info)
{
    fputs("point", o);
    for (size_t k = 0; k < info->n_vary; k++) {
        fputc(',', o);
        csv_string(o, info->vary_keys[k]);
    }
}

static void csv_prefix(FILE *o, const an_h5_info *info, const an_h5_point_row *row)
{
    fprintf(o, "%zu", row->index);
    for (size_t k = 0; k < info->n_vary; k++) {
        fputc(',', o);
        csv_number(o, row->vary_values[k], 0);
    }
}

/* Append one table; prefix = 0 writes it as it is (points.csv). */
static void csv_table(csv_out *c, const an_table *t, const an_h5_info *info,
                      const an_h5_point_row *row)
{
    if (!c->header_done) {
        if (row)
            csv_prefix_header(c->o, info);
        for (size_t j = 0; j < t->n_cols; j++) {
            if (row || j)
                fputc(',', c->o);
            /* the name as given (a scenario key, a screening reason), as
             * format 1 files named their columns */
            csv_string(c->o, t->descs && t->descs[j][0] ? t->descs[j] : t->names[j]);
        }
        fputc('\n', c->o);
        c->header_done = 1;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        if (row)
            csv_prefix(c->o, info, row);
        for (size_t j = 0; j < t->n_cols; j++) {
            if (row || j)
                fputc(',', c->o);
            if (t->is_str[j])
                csv_string(c->o, t->str[r * t->n_cols + j]);
            else
                csv_number(c->o, t->num[r * t->n_cols + j], t->is_int[j]);
        }
        fputc('\n', c->o);
    }
}

int an_report_fclose(FILE *o, int st)
{
    if (!o)
        return st;
    int bad = ferror(o);
    if (fclose(o) != 0 || bad)
        return st ? st : SIM_EIO;
    return st;
}

static int csv_point_tables(an_h5_file *f, const char *dir, const char *table)
{
    const an_h5_info *info = an_h5_get_info(f);
    char name[64];
    snprintf(name, sizeof name, "%s.csv", table);
    csv_out c = {an_report_fopen(dir, name), 0};
    if (!c.o)
        return errno == ENOENT ? SIM_ENOTFOUND : SIM_EIO;
    int st = SIM_OK;
    for (size_t i = 0; i < info->n_points && !st; i++) {
        const an_h5_point_row *row = an_h5_point_at(f, i);
        if (!row->n_reps)
            continue; /* point never written (interrupted sweep) */
        char path[96];
        snprintf(path, sizeof path, "/points/%zu/%s", i, table);
        an_table *t;
        st = an_h5_read_table(f, path, &t);
        if (!st)
            csv_table(&c, t, info, row);
        else if (st == SIM_ENOTFOUND && !strcmp(table, "ratio_parts"))
            st = SIM_OK; /* absent from files written before the pooled estimator */
        an_table_free(t);
    }
    return an_report_fclose(c.o, st);
}

static int csv_monthly(an_h5_file *f, const char *dir)
{
    /* the series a file has (the last four are absent from older files) */
    static const char *const series[] = {"occupied", "waiting", "referrals", "placed", "refused",
                                         "abandoned"};
    enum { NS = sizeof series / sizeof series[0] };
    const an_h5_info *info = an_h5_get_info(f);
    FILE *o = an_report_fopen(dir, "monthly.csv");
    if (!o)
        return errno == ENOENT ? SIM_ENOTFOUND : SIM_EIO;
    csv_prefix_header(o, info);
    fputs(",rep,month", o);
    for (size_t k = 0; k < NS; k++)
        fprintf(o, ",%s", series[k]);
    fputc('\n', o);
    int st = SIM_OK;
    for (size_t i = 0; i < info->n_points && !st; i++) {
        const an_h5_point_row *row = an_h5_point_at(f, i);
        if (!row->n_reps)
            continue;
        double *v[NS] = {NULL};
        size_t nr = 0, nm = 0;
        for (size_t k = 0; k < NS && !st; k++) {
            size_t r2, m2;
            int e = an_h5_read_monthly(f, i, series[k], &v[k], &r2, &m2);
            if (e == SIM_ENOTFOUND && k >= 2) {
                v[k] = NULL;
                continue;
            }
            st = e;
            if (!st && k == 0) {
                nr = r2;
                nm = m2;
            } else if (!st && (r2 != nr || m2 != nm)) {
                st = SIM_EPARSE;
            }
        }
        for (size_t r = 0; r < nr && !st; r++)
            for (size_t m = 0; m < nm; m++) {
                if (isnan(v[0][r * nm + m]) && isnan(v[1][r * nm + m]))
                    continue;
                csv_prefix(o, info, row);
                fprintf(o, ",%zu,%zu", r, m + 1);
                for (size_t k = 0; k < NS; k++) {
                    fputc(',', o);
                    if (v[k])
                        csv_number(o, v[k][r * nm + m], 0);
                }
                fputc('\n', o);
            }
        for (size_t k = 0; k < NS; k++)
            free(v[k]);
    }
    return an_report_fclose(o, st);
}

int an_report_csv(an_h5_file *f, const char *dir)
{
    FILE *o = an_report_fopen(dir, "points.csv");
    if (!o)
        return errno == ENOENT ? SIM_ENOTFOUND : SIM_EIO;
    an_table *t;
    int st = an_h5_read_table(f, "/point_table", &t);
    if (!st) {
        csv_out c = {o, 0};
        csv_table(&c, t, an_h5_get_info(f), NULL);
        an_table_free(t);
    }
    st = an_report_fclose(o, st);
    static const char *const tables[] = {"summary",  "replications", "ratio_parts",
                                         "outcomes", "services",     "groups"};
    for (size_t k = 0; k < sizeof tables / sizeof tables[0] && !st; k++)
        st = csv_point_tables(f, dir, tables[k]);
    if (!st)
        st = csv_monthly(f, dir);
    /* a network's tables, when its first point has them */
    an_table *probe = NULL;
    if (!st && an_h5_get_info(f)->n_points > 0
        && an_h5_read_table(f, "/points/0/areas", &probe) == SIM_OK) {
        static const char *const net[] = {"areas", "flows", "area_summary", "flow_summary"};
        for (size_t k = 0; k < sizeof net / sizeof net[0] && !st; k++)
            st = csv_point_tables(f, dir, net[k]);
    }
    an_table_free(probe);
    return st;
}

/* ------------------------------------------------------- wide CSV -- */

static void wide_cell(FILE *o, double v)
{
    fputc(',', o);
    if (!isnan(v))
        fprintf(o, "%.6g", v);
}

/* The estimate, low and high of s (scaled), or three empty cells. */
static void wide_cells(FILE *o, const sim_summary *s, double scale)
{
    double ci = isnan(s->ci95) ? NAN : s->ci95;
    wide_cell(o, scale * s->mean);
    wide_cell(o, scale * (s->mean - ci));
    wide_cell(o, scale * (s->mean + ci));
}

/* The unit of a service or group measure, from its heading. */
static const char *wide_unit(const char *heading, int percent)
{
    return percent ? "%" : strstr(heading, "Wait") ? "days" : strstr(heading, "/yr") ? "a year" : "";
}

static void wide_head(FILE *o, const char *first, an_h5_file *f, const an_point_summary *pts, size_t n)
{
    fputs(first, o);
    static const char *const parts[3] = {"estimate", "95% low", "95% high"};
    for (size_t p = 0; p < n; p++)
        for (int k = 0; k < 3; k++) {
            char b[AN_REPORT_HEADING_MAX + 16], heading[AN_REPORT_HEADING_MAX];
            if (f)
                an_report_point_heading(heading, sizeof heading, f, p, &pts[p]);
            snprintf(b, sizeof b, "%s %s", f ? heading : pts[p].label, parts[k]);
            fputc(',', o);
            sim_text_put(o, SIM_TEXT_CSV, b);
        }
    fputc('\n', o);
}

static int wide_measures(an_h5_file *f, const char *dir, const an_point_summary *pts, size_t n)
{
    FILE *o = an_report_fopen(dir, "measures_wide.csv");
    if (!o)
        return errno == ENOENT ? SIM_ENOTFOUND : SIM_EIO;
    wide_head(o, "Measure,Unit", f, pts, n);
    /* referrals a year first, as the printed table has it */
    fputs("Referrals per year,referrals a year", o);
    for (size_t p = 0; p < n; p++) {
        const an_metric_summary *r = an_point_summary_find(&pts[p], "referrals");
        sim_summary s = r ? r->s : (sim_summary){.mean = NAN, .ci95 = NAN};
        wide_cells(o, &s, pts[p].horizon_days > 0 ? 365.0 / pts[p].horizon_days : NAN);
    }
    fputc('\n', o);
    for (size_t m = 0; n && m < pts[0].n_metrics; m++) {
        const char *name = pts[0].metrics[m].name;
        sim_text_put(o, SIM_TEXT_CSV, rf_metric_label(name));
        fputc(',', o);
        sim_text_put(o, SIM_TEXT_CSV, rf_metric_unit_label(name));
        int pc = !strcmp(rf_metric_unit_label(name), "%");
        for (size_t p = 0; p < n; p++) {
            const an_metric_summary *ms = an_point_summary_find(&pts[p], name);
            sim_summary s = ms ? ms->s : (sim_summary){.mean = NAN, .ci95 = NAN};
            wide_cells(o, &s, pc ? 100.0 : 1.0);
        }
        fputc('\n', o);
    }
    return an_report_fclose(o, SIM_OK);
}

static int wide_services(an_h5_file *f, const char *dir, const an_point_summary *pts, size_t n)
{
    FILE *o = an_report_fopen(dir, "services_wide.csv");
    if (!o)
        return errno == ENOENT ? SIM_ENOTFOUND : SIM_EIO;
    wide_head(o, "Service,Measure,Unit", f, pts, n);
    int ns = 0;
    for (size_t p = 0; p < n; p++)
        if (pts[p].n_services > ns)
            ns = pts[p].n_services;
    for (int s = 0; s < ns; s++)
        for (int m = 0; m < AN_SVC_N; m++) {
            const char *name = "";
            for (size_t p = 0; p < n && !name[0]; p++)
                if (s < pts[p].n_services)
                    name = pts[p].service_names[s];
            int pc;
            const char *head = an_service_measure_heading((an_service_measure)m, &pc);
            sim_text_put(o, SIM_TEXT_CSV, name);
            fputc(',', o);
            sim_text_put(o, SIM_TEXT_CSV, head);
            fputc(',', o);
            fputs(wide_unit(head, pc), o);
            for (size_t p = 0; p < n; p++) {
                sim_summary sm = {.mean = NAN, .ci95 = NAN};
                if (s < pts[p].n_services && pts[p].n_reps)
                    an_service_summary(&pts[p], s, (an_service_measure)m, &sm);
                wide_cells(o, &sm, pc ? 100.0 : 1.0);
            }
            fputc('\n', o);
        }
    return an_report_fclose(o, SIM_OK);
}

static int wide_groups(an_h5_file *f, const char *dir, const an_point_summary *pts, size_t n)
{
    FILE *o = an_report_fopen(dir, "groups_wide.csv");
    if (!o)
        return errno == ENOENT ? SIM_ENOTFOUND : SIM_EIO;
    wide_head(o, "Household group,Measure,Unit", f, pts, n);
    for (int g = 0; g < RF_G_N; g++)
        for (int m = 0; m < AN_GRP_N; m++) {
            int pc;
            const char *head = an_group_measure_heading((an_group_measure)m, &pc);
            sim_text_put(o, SIM_TEXT_CSV, rf_group_label((rf_group)g));
            fputc(',', o);
            sim_text_put(o, SIM_TEXT_CSV, head);
            fputc(',', o);
            fputs(wide_unit(head, pc), o);
            for (size_t p = 0; p < n; p++) {
                sim_summary sm = {.mean = NAN, .ci95 = NAN};
                if (pts[p].n_reps)
                    an_group_summary(&pts[p], g, (an_group_measure)m, &sm);
                wide_cells(o, &sm, pc ? 100.0 : 1.0);
            }
            fputc('\n', o);
        }
    return an_report_fclose(o, SIM_OK);
}

int an_report_csv_wide(an_h5_file *f, const char *dir, const an_point_summary *pts, size_t n_pts)
{
    int st = wide_measures(f, dir, pts, n_pts);
    if (!st)
        st = wide_services(f, dir, pts, n_pts);
    if (!st)
        st = wide_groups(f, dir, pts, n_pts);
    return st;
}
