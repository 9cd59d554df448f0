/* calibrate: the scenario values that reproduce observed figures. */
#include "cli.h"
#include "cli_study.h"
#include "ex_ckpt.h"
#include "rf_result.h"
#include "rf_scenario.h"
#include "sim_farm.h"
#include "sim_file.h"
#include "sim_status.h"
#include "study_calibrate.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: refugesim calibrate FILE --fit KEY=LOW:HIGH... --target 'METRIC=VALUE[±TOL]'...\n"
            "                           [-o fitted.yaml] [options]\n"
            "Find the values of scenario keys that reproduce observed figures, every\n"
            "evaluation on the same replications (common random numbers).  One unknown\n"
            "and one target: Brent's method between LOW and HIGH; several: the Nelder-Mead\n"
            "simplex on the sum of squared standardised distances.  Prints each fitted\n"
            "value with its uncertainty (the targets' intervals through the local slopes)\n"
            "and the figures achieved with 95%% intervals.\n"
            "  --fit KEY=LOW:HIGH  a scenario key taking any number in the range (not a\n"
            "                    whole number such as units: see capacity) (repeatable)\n"
            "  --target METRIC=VALUE[±TOL]  a metric of the results file and the figure it\n"
            "                    should reach (shares as 0.57 or 57%%); TOL (or +-TOL): how\n"
            "                    far the figure itself is uncertain (repeatable)\n"
            "  -o FILE.yaml      write the scenario with the fitted values\n"
            "  --force           overwrite it\n"
            "  --reps N          replications an evaluation (default: the scenario's)\n"
            "  --max-evals N     evaluations at most (default 200)\n"
            "  --seed S, --threads T, --set KEY=VALUE  as for run\n");
}

/* A number, or a percentage "57%" (0.57). */
static int parse_value(const char *s, const char *end, double *out)
{
    char buf[64];
    size_t n = (size_t)(end - s);
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *e;
    errno = 0;
    double v = strtod(buf, &e);
    int pct = *e == '%';
    if (pct)
        e++;
    if (e == buf || *e || errno || !isfinite(v))
        return -1;
    *out = pct ? v / 100 : v;
    return 0;
}

static int parse_fit(const char *s, study_cal_fit *f)
{
    const char *eq = strrchr(s, '='), *colon = eq ? strchr(eq, ':') : NULL;
    if (!eq || !colon || eq == s || (size_t)(eq - s) >= sizeof f->key ||
        parse_value(eq + 1, colon, &f->lo) || parse_value(colon + 1, colon + 1 + strlen(colon + 1), &f->hi)) {
        cli_error("--fit: expected KEY=LOW:HIGH (a numeric scenario key and its range, e.g. "
                  "referrals.per_year=100:300), got '%s'", s);
        return -1;
    }
    memcpy(f->key, s, (size_t)(eq - s));
    f->key[eq - s] = '\0';
    return 0;
}

static int parse_cal_target(const char *s, study_cal_target *t)
{
    const char *eq = strchr(s, '=');
    char name[128];
    if (!eq || eq == s || (size_t)(eq - s) >= sizeof name) {
        cli_error("--target: expected METRIC=VALUE or METRIC=VALUE±TOL, got '%s'", s);
        return -1;
    }
    memcpy(name, s, (size_t)(eq - s));
    name[eq - s] = '\0';
    if ((t->metric = rf_metric_find(name)) < 0) {
        fprintf(stderr, "refugesim: error: --target: unknown metric '%s' (accepted:", name);
        for (size_t i = 0; i < rf_metric_count(); i++)
            fprintf(stderr, " %s", rf_metric_at(i)->name);
        fprintf(stderr, ")\n");
        return -1;
    }
    const char *pm = strstr(eq, "±"), *end = eq + strlen(eq);
    size_t pm_len = 2;
    if (!pm) {
        pm = strstr(eq, "+-");
        pm_len = 2;
    }
    t->tol = 0;
    if (parse_value(eq + 1, pm ? pm : end, &t->value) ||
        (pm && (parse_value(pm + pm_len, end, &t->tol) || t->tol < 0))) {
        cli_error("--target %s: expected a number after '=' and, after '±' or '+-', a tolerance "
                  "of 0 or more, got '%s'", name, eq + 1);
        return -1;
    }
    return 0;
}

static void on_eval(void *user, const double *x, const sim_summary *y)
{
    const study_calibrate_cfg *c = user;
    fprintf(stderr, " ");
    for (size_t i = 0; i < c->n_fits; i++)
        fprintf(stderr, " %s=%.6g", c->fits[i].key, x[i]);
    fprintf(stderr, ":");
    for (size_t k = 0; k < c->n_targets; k++)
        fprintf(stderr, "%s %s = %.5g ± %.2g", k ? "," : "",
                rf_metric_at((size_t)c->targets[k].metric)->name, y[k].mean, y[k].ci95);
    fprintf(stderr, "\n");
}

/* Grow-as-you-go text. */
typedef struct {
    char *s;
    size_t n, cap;
    int bad;
} text_buf;

__attribute__((format(printf, 2, 3))) static void put(text_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (k < 0 || b->bad)
        return;
    if (b->n + (size_t)k + 1 > b->cap) {
        size_t cap = (b->cap ? 2 * b->cap : 4096) + (size_t)k;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->bad = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* One value to write into the file as written: where it is, what goes there. */
typedef struct {
    const char *key;
    char value[200];
    size_t at, len;            /* the old value's bytes in the text */
    int fitted;                /* 1: a --fit value, 0: a --set value */
} edit;

static int by_place(const void *a, const void *b)
{
    const edit *x = a, *y = b;
    return (x->at > y->at) - (x->at < y->at);
}

/* Byte offset of (line, col), both 1-based, in text. */
static size_t offset_of(const char *text, int line, int col)
{
    size_t o = 0;
    for (int l = 1; l < line && text[o]; o++)
        if (text[o] == '\n')
            l++;
    return o + (size_t)(col - 1);
}

/* Find every edit's old value in the file as written; 0 when all are
 * plain values there that can be replaced in place, else why not. */
static const char *locate_all(const char *text, edit *e, size_t n)
{
    static char why[600];
    for (size_t i = 0; i < n; i++) {
        int line, col;
        if (rf_scenario_locate(text, e[i].key, &line, &col) != SIM_OK) {
            snprintf(why, sizeof why, "%s is not written in the file itself", e[i].key);
            return why;
        }
        e[i].at = offset_of(text, line, col);
        const char *v = text + e[i].at;
        if (*v == '"' || *v == '\'' || strpbrk(e[i].value, "\n\r#{}[],&*!|>'\"")) {
            snprintf(why, sizeof why, "%s is not a plain value", e[i].key);
            return why;
        }
        e[i].len = strcspn(v, " \t,}]#\r\n");
    }
    qsort(e, n, sizeof *e, by_place);
    for (size_t i = 1; i < n; i++)
        if (e[i].at < e[i - 1].at + e[i - 1].len) {
            snprintf(why, sizeof why, "%s and %s overlap", e[i - 1].key, e[i].key);
            return why;
        }
    return NULL;
}

/* The header: how the values were fitted, and by which command. */
static void header(text_buf *b, const study_calibrate_cfg *cc, const study_calibrate_result *r)
{
    put(b, "# Fitted by refugesim calibrate (%ld replications an evaluation, %d evaluations):\n",
        r->reps, r->evals);
    for (size_t i = 0; i < cc->n_fits; i++)
        put(b, "#   %s = %.6g (± %.2g)\n", cc->fits[i].key, r->x[i], r->u[i]);
    for (size_t k = 0; k < cc->n_targets; k++)
        put(b, "#   gives %s = %.5g ± %.2g (target %g%s%.3g)\n",
            rf_metric_at((size_t)cc->targets[k].metric)->name, r->achieved[k].mean,
            r->achieved[k].ci95, cc->targets[k].value, cc->targets[k].tol > 0 ? " ± " : "",
            cc->targets[k].tol > 0 ? cc->targets[k].tol : 0.0);
    put(b, "# command: ");
    for (const char *p = cli_command_line; *p; p++)      /* one comment line, whatever it holds */
        put(b, "%c", *p == '\n' || *p == '\r' ? ' ' : *p);
    put(b, "\n");
}

/* The file as written with the fitted (and --set) values in place, each
 * fitted line marked, its comments kept; or, when a value is not written
 * in the file itself (it comes from a file it extends, or a default), the
 * resolved scenario, saying why.  Checked by loading it. */
static int fitted_text(const study_calibrate_cfg *cc, const study_calibrate_result *r,
                       text_buf *b)
{
    const rf_points_cfg *pc = &cc->base.points;
    size_t n = pc->n_sets + cc->n_fits, len;
    int e_read;
    edit *e = calloc(n + 1, sizeof *e);
    char *orig = sim_file_read(pc->scenario_path, RF_SCENARIO_MAX_BYTES, &len, &e_read);
    const char **sets = calloc(n + 1, sizeof *sets);
    rf_scenario *sc = NULL;
    rf_diags diags;
    int rc = -1;
    if (!e || !sets || !orig) {
        cli_error("%s: cannot read it again: %s", pc->scenario_path,
                  orig ? "out of memory" : strerror(e_read));
        goto out;
    }
    for (size_t i = 0; i < pc->n_sets; i++) {          /* --set KEY=VALUE, then the fits */
        const char *eq = strchr(pc->sets[i], '=');
        size_t kl = eq ? (size_t)(eq - pc->sets[i]) : 0;
        char *key = strndup(pc->sets[i], kl);
        e[i].key = key;
        snprintf(e[i].value, sizeof e[i].value, "%s", eq ? eq + 1 : "");
    }
    for (size_t i = 0; i < cc->n_fits; i++) {
        edit *x = &e[pc->n_sets + i];
        x->key = cc->fits[i].key;
        x->fitted = 1;
        snprintf(x->value, sizeof x->value, "%.6g", r->x[i]);
    }
    for (size_t i = 0; i < n; i++) {
        sets[i] = NULL;
        if (!e[i].key) {
            cli_error("out of memory");
            goto out;
        }
    }
    header(b, cc, r);
    const char *why = locate_all(orig, e, n);
    if (why) {
        /* the resolved scenario, --set and the fitted values applied */
        for (size_t i = 0; i < n; i++) {
            char *kv = malloc(strlen(e[i].key) + strlen(e[i].value) + 2);
            if (!kv) {
                cli_error("out of memory");
                goto out;
            }
            sprintf(kv, "%s=%s", e[i].key, e[i].value);
            sets[i] = kv;
        }
        if (rf_scenario_load_file(pc->scenario_path, sets, n, &sc, &diags) != SIM_OK) {
            cli_print_diags(&diags);
            goto out;
        }
        put(b, "# written resolved (its comments are in %s): %s\n", pc->scenario_path, why);
        put(b, "%s", rf_scenario_text(sc));
    } else {
        size_t from = 0;
        for (size_t i = 0; i < n; i++) {
            put(b, "%.*s%s", (int)(e[i].at - from), orig + from, e[i].value);
            from = e[i].at + e[i].len;
            /* the line's end: mark a fitted value where the line has no comment yet */
            size_t eol = from + strcspn(orig + from, "\r\n");
            if (e[i].fitted && !memchr(orig + from, '#', eol - from)
                && (i + 1 == n || e[i + 1].at > eol)) {
                put(b, "%.*s  # fitted by refugesim calibrate (see the first lines)",
                    (int)(eol - from), orig + from);
                from = eol;
            }
        }
        put(b, "%s", orig + from);
        /* what the new file says must load, relative paths as the original's */
        if (!b->bad
            && rf_scenario_load_text(b->s, pc->scenario_path, NULL, 0, &sc, &diags) != SIM_OK) {
            cli_print_diags(&diags);
            goto out;
        }
    }
    rc = b->bad ? -1 : 0;
    if (b->bad)
        cli_error("out of memory");
out:
    for (size_t i = 0; e && i < pc->n_sets; i++)
        free((char *)e[i].key);
    for (size_t i = 0; sets && i < n; i++)
        free((char *)sets[i]);
    rf_scenario_free(sc);
    free(sets);
    free(orig);
    free(e);
    return rc;
}

/* Write the fitted scenario atomically (ex_write_file_atomic), refusing an
 * existing file without force. */
static int write_fitted(const char *path, const study_calibrate_cfg *cc,
                        const study_calibrate_result *r, int force)
{
    text_buf b = {0};
    int rc = fitted_text(cc, r, &b);
    if (rc == 0) {
        int st = ex_write_file_atomic(path, b.s, b.n, force);
        if (st == SIM_EEXIST)
            cli_error("%s exists: use --force to overwrite it", path);
        else if (st != SIM_OK)
            cli_error("%s: writing the fitted scenario failed: %s", path, strerror(errno));
        rc = st == SIM_OK ? 0 : -1;
    }
    free(b.s);
    return rc;
}

int cmd_calibrate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"fit", required_argument, 0, 'F'},     {"target", required_argument, 0, 'T'},
        {"reps", required_argument, 0, 'r'},    {"seed", required_argument, 0, 's'},
        {"threads", required_argument, 0, 't'}, {"set", required_argument, 0, 'S'},
        {"output", required_argument, 0, 'o'},  {"force", no_argument, 0, 'f'},
        {"max-evals", required_argument, 0, 'E'}, {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    study_calibrate_cfg *cc = calloc(1, sizeof *cc);
    study_calibrate_result res;
    study_error *err = malloc(sizeof *err);
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    char seed_set[64];
    const char *out_path = NULL;
    int c, rc = CLI_EXIT_USAGE, force = 0;
    long v;
    if (!cc || !err || !sets) {
        cli_error("out of memory");
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    study_cfg *base = &cc->base;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:h", opts, "calibrate")) != -1) {
        switch (c) {
        case 'F':
            if (cc->n_fits == STUDY_CAL_MAX) {
                cli_error("--fit: at most %d unknowns", STUDY_CAL_MAX);
                goto done;
            }
            if (parse_fit(optarg, &cc->fits[cc->n_fits]))
                goto done;
            cc->n_fits++;
            break;
        case 'T':
            if (cc->n_targets == STUDY_CAL_MAX) {
                cli_error("--target: at most %d targets", STUDY_CAL_MAX);
                goto done;
            }
            if (parse_cal_target(optarg, &cc->targets[cc->n_targets]))
                goto done;
            cc->n_targets++;
            break;
        case 'r': if (cli_parse_long("--reps", optarg, 2, 1000000, &cc->reps)) goto done; break;
        case 'E': if (cli_parse_long("--max-evals", optarg, 3, 100000, &v)) goto done; cc->max_evals = (int)v; break;
        case 's':
            if (cli_seed_override(optarg, seed_set, sizeof seed_set))
                goto done;
            sets[base->points.n_sets++] = seed_set;
            break;
        case 't': if (cli_parse_long("--threads", optarg, 1, 4096, &v)) goto done; base->threads = (int)v; break;
        case 'S':
            if (cli_check_set(optarg))
                goto done;
            sets[base->points.n_sets++] = optarg;
            break;
        case 'o': out_path = optarg; break;
        case 'f': force = 1; break;
        case 'h': help(stdout); rc = CLI_EXIT_OK; goto done;
        default: help(stderr); goto done;
        }
    }
    if (optind + 1 != argc) {
        cli_error("calibrate: expected one scenario FILE");
        goto done;
    }
    if (cc->n_fits == 0 || cc->n_targets == 0) {
        cli_error("calibrate: give at least one --fit KEY=LOW:HIGH and one --target METRIC=VALUE");
        goto done;
    }
    if (out_path) {
        /* before any work, as every writer: a missing directory, a device,
         * a place no file can be created, an existing file without --force,
         * the scenario it fits */
        cli_inputs in = {0};
        int bad = cli_inputs_add_scenario(&in, argv[optind], sets, base->points.n_sets)
                  || cli_check_output_file(NULL, out_path, force, &in);
        cli_inputs_free(&in);
        if (bad)
            goto done;
    }
    base->points.scenario_path = argv[optind];
    base->points.sets = sets;
    cli_study_ui ui;
    cli_study_hooks(base, &ui, "calibrate");
    cc->on_eval = on_eval;
    cc->user = cc;
    if (study_calibrate(cc, &res, err) != SIM_OK) {
        rc = cli_study_error(err);
        goto done;
    }
    if (sim_farm_rank() != 0) {
        rc = CLI_EXIT_OK;
        goto done;
    }
    printf("calibrate: %s, on common random numbers (%ld replications an evaluation)\n",
           cc->n_fits == 1 && cc->n_targets == 1 ? "Brent's method" : "Nelder-Mead simplex",
           res.reps);
    for (size_t i = 0; i < cc->n_fits; i++) {
        printf("  fitted  %s = %.6g ± %.2g", cc->fits[i].key, res.x[i], res.u[i]);
        if (cc->n_fits == 1 && cc->n_targets == 1)
            printf(" (the target's half-width %.2g / the local slope %.3g)",
                   sqrt(pow(cc->targets[0].tol, 2) + pow(res.achieved[0].ci95, 2)), res.slope[0]);
        printf("\n");
    }
    for (size_t k = 0; k < cc->n_targets; k++) {
        const study_cal_target *t = &cc->targets[k];
        printf("  gives   %s = %.5g ± %.2g (target %g", rf_metric_at((size_t)t->metric)->name,
               res.achieved[k].mean, res.achieved[k].ci95, t->value);
        if (t->tol > 0)
            printf(" ± %g", t->tol);
        printf(")\n");
    }
    printf("%d evaluations; uncertainties are 95%%-scale: the targets' tolerances and the "
           "estimates' 95%% half-widths through the local slopes\n", res.evals);
    if (!res.met)
        cli_warn("not every target is reached within its interval: the closest fit is shown");
    rc = CLI_EXIT_OK;
    if (out_path) {
        if (write_fitted(out_path, cc, &res, force))
            rc = CLI_EXIT_FAIL;
        else
            printf("fitted scenario written to %s\n", cli_shown(out_path));
    }
done:
    free(cc);
    free(err);
    free(sets);
    return rc;
}
