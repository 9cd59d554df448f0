/* capacity: the smallest number of spaces that meets a target with 95%
 * confidence, searched over capacity with common random numbers. */
#include "cli.h"
#include "cli_batch.h"
#include "rf_result.h"
#include "sim_farm.h"
#include "sim_status.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: refugesim capacity FILE --target 'METRIC<=X' [options]\n"
            "Find the smallest number of spaces that meets the target with 95%% confidence:\n"
            "the whole 95%% confidence interval of the metric's estimate must satisfy it\n"
            "(a share is pooled: the ratio of its sums over replications, delta method).\n"
            "METRIC is any output metric (refused_no_space, placed_within_7d, wait_mean,\n"
            "abandoned, ...), the operator <= or >=, X a number (shares as 0.05, not 5%%).\n"
            "  --by all|SERVICE  scale every service in proportion (default), or add units\n"
            "                    to the first unit block of the named service\n"
            "  --min N, --max N  the range searched (default 1 .. 2000 total spaces)\n"
            "  --reps N          replications per capacity at first (default 100)\n"
            "  --max-reps N      more replications where the answer is close (default 8x)\n"
            "  -o OUT.h5         write the curve walked (every capacity tried) as a sweep\n"
            "  --force, --seed S, --threads T, --set KEY=VALUE  as for run\n");
}

typedef struct {
    int metric;
    int ge;              /* 1: metric >= x, 0: metric <= x */
    double x;
} target;

static int parse_target(const char *s, target *t)
{
    const char *op = strstr(s, "<=");
    t->ge = 0;
    if (!op) {
        op = strstr(s, ">=");
        t->ge = 1;
    }
    if (!op || op == s) {
        cli_error("--target: expected METRIC<=X or METRIC>=X, got '%s'", s);
        return -1;
    }
    char name[128];
    size_t len = (size_t)(op - s);
    if (len >= sizeof name) {
        cli_error("--target: metric name too long");
        return -1;
    }
    memcpy(name, s, len);
    name[len] = '\0';
    t->metric = rf_metric_find(name);
    if (t->metric < 0) {
        fprintf(stderr, "refugesim: error: --target: unknown metric '%s' (accepted:", name);
        for (size_t i = 0; i < rf_metric_count(); i++)
            fprintf(stderr, " %s", rf_metric_at(i)->name);
        fprintf(stderr, ")\n");
        return -1;
    }
    char *end;
    t->x = strtod(op + 2, &end);
    if (end == op + 2 || *end || !isfinite(t->x)) {
        cli_error("--target: expected a number after '%.2s', got '%s'", op, op + 2);
        return -1;
    }
    return 0;
}

enum { MEETS, FAILS, UNSURE };

typedef struct {
    int units;
    long reps;
    sim_summary s;
    int verdict;
} trial;

static int judge(const target *t, const sim_summary *s)
{
    if (isnan(s->mean) || (s->n > 1 && isnan(s->ci95)))
        return FAILS;
    double half = s->n > 1 ? s->ci95 : 0;
    double lo = s->mean - half, hi = s->mean + half;
    if (t->ge)
        return lo >= t->x ? MEETS : hi < t->x ? FAILS : UNSURE;
    return hi <= t->x ? MEETS : lo > t->x ? FAILS : UNSURE;
}

typedef struct {
    cli_batch_cfg base;
    const char *by;      /* NULL: all */
    int base_units;      /* the scenario's total units */
    target t;
    long reps, max_reps;
    trial *trials;
    size_t n_trials, cap;
} search;

/* Run one capacity at `reps` replications. */
static int evaluate(search *s, int units, long reps, trial *out)
{
    char key[160], spec[256];
    rf_sweep *g = rf_sweep_create();
    if (!g)
        return CLI_EXIT_FAIL;
    if (s->by)
        snprintf(key, sizeof key, "extra[%s]", s->by);
    else
        snprintf(key, sizeof key, "spaces");
    snprintf(spec, sizeof spec, "%s=%d", key, s->by ? units - s->base_units : units);
    char err[256];
    rf_sweep_add(g, spec, err, sizeof err);
    cli_batch_cfg cfg = s->base;
    cfg.grid = g;
    cfg.reps = reps;
    cfg.print = 0;
    cfg.out_path = NULL;
    cli_batch_out o = {0};
    /* Under MPI every rank runs the batch; rank 0 alone has its summary and
     * tells the others, so all take the same next step of the search. */
    int rc = sim_farm_bcast_int(cli_batch_run(&cfg, &o));
    rf_sweep_free(g);
    if (rc == CLI_EXIT_OK && sim_farm_rank() == 0) {
        out->units = units;
        out->reps = reps;
        out->s = o.points[0].metrics[s->t.metric].s;
        out->verdict = judge(&s->t, &out->s);
    }
    cli_batch_out_free(&o);
    if (rc == CLI_EXIT_OK)
        sim_farm_bcast_bytes(out, sizeof *out);
    return rc;
}

/* Decide one capacity, adding replications while the interval straddles the
 * target.  Common random numbers make the added replications extend, not
 * replace, the first ones. */
static int decide(search *s, int units, int *verdict)
{
    long reps = s->reps;
    trial t;
    for (;;) {
        int rc = evaluate(s, units, reps, &t);
        if (rc != CLI_EXIT_OK)
            return rc;
        if (t.verdict != UNSURE || reps >= s->max_reps)
            break;
        reps = reps * 2 > s->max_reps ? s->max_reps : reps * 2;
    }
    if (s->n_trials == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 16;
        trial *nt = realloc(s->trials, ncap * sizeof *nt);
        if (!nt)
            return CLI_EXIT_FAIL;
        s->trials = nt;
        s->cap = ncap;
    }
    s->trials[s->n_trials++] = t;
    if (sim_farm_rank() == 0)
        fprintf(stderr, "  %5d spaces: %s = %.4g ± %.2g (%ld reps): %s\n", units,
            rf_metric_at((size_t)s->t.metric)->name, t.s.mean, t.s.n > 1 ? t.s.ci95 : 0.0, reps,
            t.verdict == MEETS ? "meets" : t.verdict == FAILS ? "fails" : "too close to call");
    /* Too close even at max reps: conservatively not met. */
    *verdict = t.verdict == MEETS;
    return CLI_EXIT_OK;
}

static int cmp_trial(const void *a, const void *b)
{
    const trial *x = a, *y = b;
    return (x->units > y->units) - (x->units < y->units);
}

int cmd_capacity(int argc, char **argv)
{
    static const struct option opts[] = {
        {"target", required_argument, 0, 'T'}, {"by", required_argument, 0, 'b'},
        {"min", required_argument, 0, 'm'},    {"max", required_argument, 0, 'M'},
        {"reps", required_argument, 0, 'r'},   {"max-reps", required_argument, 0, 'R'},
        {"seed", required_argument, 0, 's'},   {"threads", required_argument, 0, 't'},
        {"set", required_argument, 0, 'S'},    {"output", required_argument, 0, 'o'},
        {"force", no_argument, 0, 'f'},        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    search s = {.base = {.progress_label = "capacity"}};
    const char *target_s = NULL;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    long lo = 1, hi = 2000, v;
    int c, rc = CLI_EXIT_USAGE;
    const char *out_path = NULL;
    if (!sets)
        return CLI_EXIT_FAIL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'T': target_s = optarg; break;
        case 'b': s.by = strcmp(optarg, "all") ? optarg : NULL; break;
        case 'm': if (cli_parse_long("--min", optarg, 0, 1000000, &lo)) goto done; break;
        case 'M': if (cli_parse_long("--max", optarg, 1, 1000000, &hi)) goto done; break;
        case 'r': if (cli_parse_long("--reps", optarg, 2, 1000000, &s.reps)) goto done; break;
        case 'R': if (cli_parse_long("--max-reps", optarg, 2, 10000000, &s.max_reps)) goto done; break;
        case 's': if (cli_parse_u64("--seed", optarg, &s.base.seed)) goto done; s.base.seed_set = 1; break;
        case 't': if (cli_parse_long("--threads", optarg, 1, 4096, &v)) goto done; s.base.threads = (int)v; break;
        case 'S': sets[s.base.n_sets++] = optarg; break;
        case 'o': out_path = optarg; break;
        case 'f': s.base.force = 1; break;
        case 'h': help(stdout); rc = CLI_EXIT_OK; goto done;
        default: help(stderr); goto done;
        }
    }
    if (optind + 1 != argc || !target_s) {
        cli_error("capacity: expected a scenario FILE and --target 'METRIC<=X'");
        goto done;
    }
    if (parse_target(target_s, &s.t))
        goto done;
    if (out_path && cli_check_output(out_path, s.base.force) != 0)
        goto done;                           /* said before the search, not after */
    if (lo > hi) {
        cli_error("--min %ld is above --max %ld", lo, hi);
        goto done;
    }
    s.base.scenario_path = argv[optind];
    s.base.sets = sets;

    /* Units to start from; with --by this also checks the service exists. */
    cli_batch_cfg probe = s.base;
    probe.reps = 2;
    rf_sweep *pg = rf_sweep_create();
    char pspec[200], perr[256];
    if (s.by) {
        snprintf(pspec, sizeof pspec, "extra[%s]=0", s.by);
        if (!pg || rf_sweep_add(pg, pspec, perr, sizeof perr) != SIM_OK) {
            cli_error("--by: '%s': %s", s.by, pg ? perr : "out of memory");
            rf_sweep_free(pg);
            goto done;
        }
        probe.grid = pg;
    }
    cli_batch_out o = {0};
    rc = sim_farm_bcast_int(cli_batch_run(&probe, &o));
    rf_sweep_free(pg);
    if (rc != CLI_EXIT_OK)
        goto done;
    int base_total = sim_farm_bcast_int(sim_farm_rank() == 0 ? o.total_units[0] : 0);
    cli_batch_out_free(&o);
    s.base_units = base_total;
    if (s.reps == 0)
        s.reps = 100;
    if (s.max_reps == 0)
        s.max_reps = s.reps * 8;
    if (s.max_reps < s.reps)
        s.max_reps = s.reps;
    /* With --by, capacities count total spaces: the scenario's plus those added. */
    if (s.by && lo < base_total)
        lo = base_total;
    if (lo > hi) {
        cli_error("--max %ld is below the scenario's %d spaces", hi, base_total);
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    if (sim_farm_rank() == 0)
        fprintf(stderr, "capacity: %s %s %g with 95%% confidence, %s\n",
            rf_metric_at((size_t)s.t.metric)->name, s.t.ge ? ">=" : "<=", s.t.x,
            s.by ? "adding units to one service" : "scaling every service");

    int ok;
    /* Bracket: hi must meet the target. */
    if ((rc = decide(&s, (int)hi, &ok)) != CLI_EXIT_OK)
        goto done;
    if (!ok) {
        printf("no capacity up to %ld spaces meets %s %s %g\n", hi,
               rf_metric_at((size_t)s.t.metric)->name, s.t.ge ? ">=" : "<=", s.t.x);
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    long good = hi, bad = lo - 1;
    if ((rc = decide(&s, (int)lo, &ok)) != CLI_EXIT_OK)
        goto done;
    if (ok)
        good = lo;
    else
        bad = lo;
    /* Bisection over a curve monotone in expectation: more spaces refuse
     * fewer on average, though not in every replication (README.md, "More
     * units, fewer refusals"). */
    while (good - bad > 1) {
        long mid = bad + (good - bad) / 2;
        if ((rc = decide(&s, (int)mid, &ok)) != CLI_EXIT_OK)
            goto done;
        if (ok)
            good = mid;
        else
            bad = mid;
    }
    qsort(s.trials, s.n_trials, sizeof *s.trials, cmp_trial);
    printf("%8s %8s %24s %s\n", "spaces", "reps", rf_metric_at((size_t)s.t.metric)->name, "verdict");
    for (size_t i = 0; i < s.n_trials; i++) {
        const trial *t = &s.trials[i];
        char cell[64];
        an_format_cell(cell, sizeof cell, &t->s, !strcmp(rf_metric_at((size_t)s.t.metric)->units, "share"));
        printf("%8d %8ld %24s %s\n", t->units, t->reps, cell,
               t->verdict == MEETS ? "meets" : t->verdict == FAILS ? "fails" : "too close to call");
    }
    char answer[256];
    snprintf(answer, sizeof answer, "answer: %ld spaces meet %s %s %g with 95%% confidence (now %d)",
             good, rf_metric_at((size_t)s.t.metric)->name, s.t.ge ? ">=" : "<=", s.t.x, base_total);
    printf("%s\n", answer);
    rc = CLI_EXIT_OK;
    if (out_path) {
        /* The curve walked, every capacity at the largest replication count. */
        rf_sweep *g = rf_sweep_create();
        long reps = s.reps;
        size_t len = 64;
        for (size_t i = 0; i < s.n_trials; i++) {
            if (s.trials[i].reps > reps)
                reps = s.trials[i].reps;
            len += 16;
        }
        char *spec = malloc(len + 160), err[256];
        if (!g || !spec) {
            rf_sweep_free(g);
            free(spec);
            rc = CLI_EXIT_FAIL;
            goto done;
        }
        int n = s.by ? snprintf(spec, len + 160, "extra[%s]=", s.by) : snprintf(spec, len + 160, "spaces=");
        for (size_t i = 0; i < s.n_trials; i++)
            n += snprintf(spec + n, len + 160 - (size_t)n, "%s%d", i ? "," : "",
                          s.by ? s.trials[i].units - s.base_units : s.trials[i].units);
        rf_sweep_add(g, spec, err, sizeof err);
        cli_batch_cfg cfg = s.base;
        cfg.grid = g;
        cfg.reps = reps;
        cfg.out_path = out_path;
        cfg.print = 0;
        cfg.note = answer;
        rc = cli_batch_run(&cfg, NULL);
        rf_sweep_free(g);
        free(spec);
    }
done:
    free(s.trials);
    free(sets);
    return rc;
}
