/* capacity: the smallest number of spaces that meets a target with 95%
 * confidence (the search is study_capacity's). */
#include "cli.h"
#include "cli_study.h"
#include "rf_result.h"
#include "sim_farm.h"
#include "sim_status.h"
#include "study_precision.h"
#include "study_capacity.h"

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
            "  --precision METRIC=H  each capacity's first replications in batches of 10\n"
            "                    until the 95%% half-width of METRIC is at most H (absolute,\n"
            "                    or relative: 5%%; repeatable), up to --max-reps (default 2000)\n"
            "  -o OUT.h5         write the curve walked (every capacity tried) as a sweep\n"
            "  --force, --seed S, --threads T, --set KEY=VALUE  as for run\n");
}

static int parse_target(const char *s, study_target *t)
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
        cli_unknown_metric("--target", name);
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

static const char *plural(long n) { return n == 1 ? "" : "s"; }

static const char *verdict_word(int v)
{
    return v == STUDY_MEETS ? "meets" : v == STUDY_FAILS ? "fails" : "too close to call";
}

static const char *metric_name(const study_capacity_cfg *c)
{
    return rf_metric_at((size_t)c->target.metric)->name;
}

static void on_begin(void *user, int base_units)
{
    const study_capacity_cfg *c = user;
    (void)base_units;
    fprintf(stderr, "capacity: %s %s %g with 95%% confidence, %s\n", metric_name(c),
            c->target.ge ? ">=" : "<=", c->target.x,
            c->by ? "adding units to one service" : "scaling every service");
}

static void on_trial(void *user, const study_trial *t)
{
    const study_capacity_cfg *c = user;
    char label[48];
    snprintf(label, sizeof label, "%d space%s", t->units, plural(t->units));
    fprintf(stderr, "  %12s: %s = %.4g ± %.2g (%ld reps): %s\n", label, metric_name(c),
            t->s.mean, t->s.n > 1 ? t->s.ci95 : 0.0, t->reps, verdict_word(t->verdict));
    cli_warn_steady_of(label, &t->steady, 1);
}

/* Not even --max meets the target: say when the households no unit fits
 * are why (their share did not fall with more units, and alone it keeps
 * the metric on the wrong side of the target), and what they need. */
static void print_floor(const study_capacity_cfg *c, const study_capacity_result *r)
{
    if (!r->floor_checked || !study_floor_holds(&r->floor, &r->floor_change) || !r->floor_bounded)
        return;
    const study_target *t = &c->target;
    if (t->ge ? !(r->floor_bound < t->x) : !(r->floor_bound > t->x))
        return;
    printf("no suitable unit: %.1f%% of referrals (95%% CI %.1f%% to %.1f%%) are households that "
           "no unit of the scenario fits, no fewer at %ld space%s than at its %d, so %s cannot %s "
           "%.1f%%: no amount of these units meets the target\n",
           100 * r->floor.share, 100 * (r->floor.share - r->floor.ci95),
           100 * (r->floor.share + r->floor.ci95), c->hi, plural(c->hi), r->base_units, metric_name(c),
           t->ge ? "rise above" : "fall below", 100 * r->floor_bound);
    cli_print_floor_needs(&r->floor);
}

int cmd_capacity(int argc, char **argv)
{
    static const struct option opts[] = {
        {"target", required_argument, 0, 'T'}, {"by", required_argument, 0, 'b'},
        {"min", required_argument, 0, 'm'},    {"max", required_argument, 0, 'M'},
        CLI_SEARCH_OPTIONS};
    study_capacity_cfg cc = {.lo = 1, .hi = 2000};
    study_cfg *base = &cc.base;
    const char *target_s = NULL;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    int c, rc = CLI_EXIT_USAGE;
    study_capacity_result res = {0};
    study_precision_cfg prec = {0};
    cli_search_opts so = {.precision = &prec};
    study_error *err = NULL;
    if (!sets)
        return CLI_EXIT_FAIL;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:h", opts, "capacity")) != -1) {
        switch (c) {
        case 'T':
            if (target_s) {   /* the last one would win unsaid */
                cli_error("--target: given twice ('%s' and '%s'): capacity meets one target",
                          target_s, optarg);
                goto done;
            }
            target_s = optarg;
            break;
        case 'b': cc.by = strcmp(optarg, "all") ? optarg : NULL; break;
        case 'm': if (cli_parse_long("--min", optarg, 0, 1000000, &cc.lo)) goto done; break;
        case 'M': if (cli_parse_long("--max", optarg, 1, 1000000, &cc.hi)) goto done; break;
        case 'h': help(stdout); rc = CLI_EXIT_OK; goto done;
        default: if (cli_search_option(c, optarg, &so, base, sets, help)) goto done;
        }
    }
    cc.reps = so.reps;
    cc.max_reps = so.max_reps;
    if (optind + 1 != argc || !target_s) {
        cli_error("capacity: expected a scenario FILE and --target 'METRIC<=X'");
        goto done;
    }
    if (parse_target(target_s, &cc.target))
        goto done;
    cli_study_ui ui;
    if (cli_search_finish(&so, base, &cc.precision, argv[optind], sets, &ui, "capacity"))
        goto done;
    if (cc.lo > cc.hi) {
        cli_error("--min %ld is above --max %ld", cc.lo, cc.hi);
        goto done;
    }
    cc.on_begin = on_begin;
    cc.on_trial = on_trial;
    cc.user = &cc;
    if (!(err = malloc(sizeof *err))) {
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    if (so.out_path) {
        cc.partial_out = so.out_path;
        cc.partial_force = so.force;
        cc.partial_note = "interrupted: the capacities evaluated before the search was stopped, "
                          "each with the replications it had";
    }
    if (study_capacity_search(&cc, &res, err) != SIM_OK) {
        rc = cli_study_error(err);
        if (err->status == SIM_EINTR && so.out_path && sim_farm_rank() == 0) {
            cli_say_partial(so.out_path, res.partial_status, res.partial_message,
                            res.partial_written, "the %zu capacit%s evaluated so far",
                            res.partial_written, res.partial_written == 1 ? "y" : "ies");
        }
        goto done;
    }
    char answer[256];
    if (!res.met) {
        snprintf(answer, sizeof answer, "no capacity up to %ld space%s meets %s %s %g", cc.hi, plural(cc.hi),
                 metric_name(&cc), cc.target.ge ? ">=" : "<=", cc.target.x);
        printf("%s\n", answer);
        print_floor(&cc, &res);
        rc = CLI_EXIT_FAIL;
    } else {
        printf("%8s %8s %24s %s\n", "spaces", "reps", metric_name(&cc), "verdict");
        for (size_t i = 0; i < res.n_trials; i++) {
            const study_trial *t = &res.trials[i];
            char cell[64];
            an_format_cell(cell, sizeof cell, &t->s,
                           !strcmp(rf_metric_at((size_t)cc.target.metric)->units, "share"));
            printf("%8d %8ld %24s %s%s%s%s\n", t->units, t->reps, cell, verdict_word(t->verdict),
                   t->stopped ? " (precision: " : "",
                   t->stopped ? study_precision_reason(t->stopped) : "", t->stopped ? ")" : "");
        }
        snprintf(answer, sizeof answer,
                 "answer: %ld space%s meet%s %s %s %g with 95%% confidence (now %d)", res.answer,
                 plural(res.answer), res.answer == 1 ? "s" : "",
                 metric_name(&cc), cc.target.ge ? ">=" : "<=", cc.target.x, res.base_units);
        printf("%s\n", answer);
        rc = CLI_EXIT_OK;
    }
    if (so.out_path) {
        /* The curve walked, every capacity at the largest replication count. */
        study_cfg sc;
        rf_sweep *g;
        if (study_capacity_curve(&cc, &res, &sc, &g) != SIM_OK) {
            rc = CLI_EXIT_FAIL;
            goto done;
        }
        sc.out_path = so.out_path;
        sc.force = so.force;
        sc.note = answer;
        cli_print_opts quiet = {0};
        /* not met: the file still holds what was tried and says so */
        int wrote = cli_run_study(&sc, &quiet, NULL);
        if (wrote != CLI_EXIT_OK)
            rc = wrote;
        rf_sweep_free(g);
    }
done:
    study_capacity_result_free(&res);
    free(err);
    free(sets);
    return rc;
}
