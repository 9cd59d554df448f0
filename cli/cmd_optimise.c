/* optimise: the best mix of extra units for a budget (the search is
 * study_optimise's): the path, step by step, and the final mix. */
#include "cli.h"
#include "cli_study.h"
#include "rf_result.h"
#include "sim_farm.h"
#include "sim_status.h"
#include "sim_text.h"
#include "study_optimise.h"
#include "study_precision.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: refugesim optimise FILE --budget B --add BLOCK[,BLOCK...] --target METRIC\n"
            "                          [options]\n"
            "Which units to add within a budget to most reduce METRIC (or increase it, with\n"
            "--maximise): greedy marginal analysis on common random numbers (at each step\n"
            "the unit with the largest improvement per unit of money, replications doubled\n"
            "where the best two are too close to call), then a one-swap local search.\n"
            "  --budget B        a year's cost.per_unit_year of the units added, B > 0\n"
            "                    (placement costs are not counted against it)\n"
            "  --add NAMES       the candidates, separated by commas (repeatable): a block\n"
            "                    name, SERVICE/BLOCK, or a service name (its own units); each\n"
            "                    needs cost.per_unit_year (its own or its service's)\n"
            "  --target METRIC   any output metric (refused_of_eligible, refused_no_space,\n"
            "                    wait_mean, ...): reduced, or increased with --maximise\n"
            "  --reps N          replications per mix at first (default 100)\n"
            "  --max-reps N      more replications where the choice is close (default 8x)\n"
            "  --precision METRIC=H  each mix's first replications in batches of 10 until\n"
            "                    the 95%% half-width of METRIC is at most H (repeatable),\n"
            "                    up to --max-reps (default 2000)\n"
            "  -o OUT.h5         write the path (every step a point) as a sweep file\n"
            "  --force, --seed S, --threads T, --set KEY=VALUE  as for run\n"
            "Exit status 2 also when the budget buys no unit of any candidate.\n");
}

typedef struct {
    const study_optimise_cfg *cfg;
    const study_optimise_result *res;   /* the candidates, once checked */
    int percent;                        /* the target is a share */
} view;

static const char *metric_name(const study_optimise_cfg *c)
{
    return rf_metric_at((size_t)c->metric)->name;
}

/* "+ accessible (county refuges)", "accessible -> dispersed", "the scenario" */
static void change_text(const view *v, const study_opt_step *st, char *buf, size_t size)
{
    char a[200], b[200];
    if (st->kind == STUDY_OPT_START) {
        snprintf(buf, size, "the scenario as it is");
        return;
    }
    sim_text_str(SIM_TEXT_TERM, v->res->cand[st->added].label, a, sizeof a);
    if (st->kind == STUDY_OPT_ADD) {
        snprintf(buf, size, "+ %s", a);
        return;
    }
    sim_text_str(SIM_TEXT_TERM, v->res->cand[st->removed].label, b, sizeof b);
    snprintf(buf, size, "- %s, + %s", b, a);
}

static void gain_text(const view *v, const study_opt_step *st, char *buf, size_t size)
{
    if (st->kind == STUDY_OPT_START) {
        snprintf(buf, size, "-");
        return;
    }
    const char *close = st->close_call ? ", too close to call" : "";
    if (v->percent)
        snprintf(buf, size, "%+.2f points (%.2f to %.2f)%s", 100 * st->gain,
                 100 * (st->gain - st->gain_ci95), 100 * (st->gain + st->gain_ci95), close);
    else
        snprintf(buf, size, "%+.3g (%.3g to %.3g)%s", st->gain, st->gain - st->gain_ci95,
                 st->gain + st->gain_ci95, close);
}

static void mix_text(const view *v, const study_opt_step *st, char *buf, size_t size);

static void on_step(void *user, const study_opt_step *st)
{
    const view *v = user;
    char change[480], gain[160];
    change_text(v, st, change, sizeof change);
    gain_text(v, st, gain, sizeof gain);
    fprintf(stderr, "  step %zu: %s: %s = %.4g ± %.2g (%ld reps), %.10g a year%s%s\n",
            v->res->n_steps - 1, change, metric_name(v->cfg), st->s.mean,
            st->s.n > 1 ? st->s.ci95 : 0.0, st->reps, st->cost,
            st->kind == STUDY_OPT_START ? "" : ", gain ", st->kind == STUDY_OPT_START ? "" : gain);
    char mix[480], label[520];
    if (st->kind == STUDY_OPT_START)
        snprintf(mix, sizeof mix, "the scenario as it is");
    else
        mix_text(v, st, mix, sizeof mix);
    snprintf(label, sizeof label, "step %zu (%s)", v->res->n_steps - 1, mix);
    cli_warn_steady_of(label, &st->steady, 1);
}

static void print_path(const view *v)
{
    const study_optimise_result *r = v->res;
    char heading[128];
    snprintf(heading, sizeof heading, "%s", metric_name(v->cfg));
    printf("%4s  %-40s %5s %12s %18s %6s  %s\n", "step", "change", "units", "cost a year", heading,
           "reps", "gain on the step before (95% CI)");
    for (size_t i = 0; i < r->n_steps; i++) {
        const study_opt_step *st = &r->steps[i];
        char change[480], gain[160], cell[64];
        change_text(v, st, change, sizeof change);
        gain_text(v, st, gain, sizeof gain);
        an_format_cell(cell, sizeof cell, &st->s, v->percent);
        printf("%4zu  %-40s %5d %12.10g %18s %6ld  %s\n", i, change, st->units, st->cost, cell,
               st->reps, gain);
    }
}

/* An estimate of the target as a person reads it (a share in %). */
static void value_text(const view *v, double x, char *buf, size_t size)
{
    if (v->percent)
        snprintf(buf, size, "%.1f%%", 100 * x);
    else
        snprintf(buf, size, "%.4g", x);
}

/* "3 x accessible (county refuges), 1 x county refuges" into buf. */
static void mix_text(const view *v, const study_opt_step *st, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < v->res->n_cand && n < size; k++) {
        if (!st->mix[k])
            continue;
        char lab[200];
        sim_text_str(SIM_TEXT_TERM, v->res->cand[k].label, lab, sizeof lab);
        n += (size_t)snprintf(buf + n, size - n, "%s%d x %s", n ? ", " : "", st->mix[k], lab);
    }
    if (!buf[0])
        snprintf(buf, size, "nothing added");
}

/* The households no unit fits at the final mix: how many, whether the
 * units added reached any of them, and what they need. */
static void print_floor(const view *v)
{
    const study_optimise_result *r = v->res;
    if (!(r->floor.share > 0))
        return;
    char bound[160] = "";
    if (r->floor_bounded)
        snprintf(bound, sizeof bound, ", and %s cannot %s %.1f%% while they stay",
                 metric_name(v->cfg), v->cfg->maximise ? "rise above" : "fall below",
                 100 * r->floor_bound);
    if (study_floor_holds(&r->floor, &r->floor_change))
        printf("no suitable unit: %.1f%% of referrals (95%% CI %.1f%% to %.1f%%) are households "
               "that no unit fits, no fewer with the units added: no amount of these candidates "
               "helps them%s\n", 100 * r->floor.share, 100 * (r->floor.share - r->floor.ci95),
               100 * (r->floor.share + r->floor.ci95), bound);
    else
        printf("no suitable unit: %.1f%% of referrals (95%% CI %.1f%% to %.1f%%) are still "
               "households that no unit fits (%+.1f points with the units added)%s\n",
               100 * r->floor.share, 100 * (r->floor.share - r->floor.ci95),
               100 * (r->floor.share + r->floor.ci95), 100 * r->floor_change.diff, bound);
    cli_print_floor_needs(&r->floor);
}

/* Split an --add value at its commas into cands; the copy cut up is
 * *store (the caller frees it). */
static int add_candidates(const char *arg, char **store, const char **cands, size_t *n)
{
    char *copy = *store = strdup(arg);
    if (!copy)
        return -1;
    for (char *tok = copy, *end; tok; tok = end) {
        end = strchr(tok, ',');
        if (end)
            *end++ = '\0';
        if (!tok[0]) {
            cli_error("--add '%s': an empty name (accepted: BLOCK[,BLOCK...])", arg);
            return -1;
        }
        if (*n == STUDY_OPT_MAX_CANDIDATES) {
            cli_error("--add: at most %d candidates", STUDY_OPT_MAX_CANDIDATES);
            return -1;
        }
        cands[(*n)++] = tok;
    }
    return 0;
}

int cmd_optimise(int argc, char **argv)
{
    static const struct option opts[] = {
        {"budget", required_argument, 0, 'B'}, {"add", required_argument, 0, 'A'},
        {"target", required_argument, 0, 'T'}, {"maximise", no_argument, 0, 'X'},
        CLI_SEARCH_OPTIONS};
    study_optimise_cfg oc = {.metric = -1};
    study_cfg *base = &oc.base;
    const char *target_s = NULL, *budget_s = NULL;
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    const char *cands[STUDY_OPT_MAX_CANDIDATES];
    char **store = calloc((size_t)argc + 1, sizeof *store);
    size_t n_cands = 0, n_store = 0;
    int c, rc = CLI_EXIT_USAGE;
    study_optimise_result res = {0};
    study_precision_cfg prec = {0};
    cli_search_opts so = {.precision = &prec};
    study_error *err = NULL;
    if (!sets || !store) {
        free(sets);
        free(store);
        return CLI_EXIT_FAIL;
    }
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:h", opts, "optimise")) != -1) {
        switch (c) {
        case 'B':
            if (budget_s) {   /* the last one would win unsaid */
                cli_error("--budget: given twice ('%s' and '%s')", budget_s, optarg);
                goto done;
            }
            budget_s = optarg;
            break;
        case 'A': if (add_candidates(optarg, &store[n_store++], cands, &n_cands)) goto done; break;
        case 'T':
            if (target_s) {
                cli_error("--target: given twice ('%s' and '%s'): optimise improves one metric",
                          target_s, optarg);
                goto done;
            }
            target_s = optarg;
            break;
        case 'X': oc.maximise = 1; break;
        case 'h': help(stdout); rc = CLI_EXIT_OK; goto done;
        default: if (cli_search_option(c, optarg, &so, base, sets, help)) goto done;
        }
    }
    oc.reps = so.reps;
    oc.max_reps = so.max_reps;
    if (optind + 1 != argc || !budget_s || !n_cands || !target_s) {
        cli_error("optimise: expected a scenario FILE, --budget B, --add BLOCK[,BLOCK...] and "
                  "--target METRIC");
        goto done;
    }
    if (cli_parse_double("--budget", budget_s, -INFINITY, INFINITY, &oc.budget))
        goto done;
    if ((oc.metric = rf_metric_find(target_s)) < 0) {
        cli_unknown_metric("--target", target_s);
        goto done;
    }
    cli_study_ui ui;
    if (cli_search_finish(&so, base, &oc.precision, argv[optind], sets, &ui, "optimise"))
        goto done;
    oc.candidates = cands;
    oc.n_candidates = n_cands;
    view vw = {.cfg = &oc, .res = &res,
               .percent = !strcmp(rf_metric_at((size_t)oc.metric)->units, "share")};
    oc.on_step = on_step;
    oc.user = &vw;
    if (!(err = malloc(sizeof *err))) {
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    /* the candidates and the budget checked before anything runs */
    if (study_optimise_check(&oc, &res, err) != SIM_OK) {
        rc = cli_study_error(err);
        goto done;
    }
    if (sim_farm_rank() == 0) {
        fprintf(stderr, "optimise: %s %s within %.10g a year of cost.per_unit_year, candidates:",
                oc.maximise ? "increase" : "reduce", metric_name(&oc), oc.budget);
        for (size_t k = 0; k < res.n_cand; k++) {
            char lab[200];
            fprintf(stderr, "%s %s at %.10g", k ? "," : "",
                    sim_text_str(SIM_TEXT_TERM, res.cand[k].label, lab, sizeof lab), res.cand[k].price);
        }
        fprintf(stderr, "\n");
    }
    study_optimise_result_free(&res);
    /* the root attributes of the results file, interrupted or not */
    char budget[64], names[1200] = "", target[160];
    size_t nn = 0;
    for (size_t k = 0; k < n_cands && nn < sizeof names; k++)
        nn += (size_t)snprintf(names + nn, sizeof names - nn, "%s%s", k ? "," : "", cands[k]);
    snprintf(budget, sizeof budget, "%.17g", oc.budget);
    snprintf(target, sizeof target, "%s %s", oc.maximise ? "increase" : "reduce",
             metric_name(&oc));
    const char *attrs[] = {"kind", "optimise", "budget", budget, "candidates", names,
                           "target", target};
    if (so.out_path) {
        oc.base.attrs = attrs;
        oc.base.n_attrs = 4;
        oc.partial_out = so.out_path;
        oc.partial_force = so.force;
        oc.partial_note = "interrupted: the steps of the path decided before the search was "
                          "stopped, each mix with the replications it had";
    }
    if (study_optimise(&oc, &res, err) != SIM_OK) {
        rc = cli_study_error(err);
        if (err->status == SIM_EINTR && so.out_path && sim_farm_rank() == 0) {
            cli_say_partial(so.out_path, res.partial_status, res.partial_message,
                            res.partial_written, "the %zu step%s of the path decided so far",
                            res.partial_written, res.partial_written == 1 ? "" : "s");
        }
        goto done;
    }
    rc = CLI_EXIT_OK;
    if (sim_farm_rank() != 0)
        goto write;
    print_path(&vw);
    const study_opt_step *last = &res.steps[res.n_steps - 1];
    char mix[1200], answer[1600], now[64], then[64];
    mix_text(&vw, last, mix, sizeof mix);
    value_text(&vw, last->s.mean, now, sizeof now);
    value_text(&vw, res.steps[0].s.mean, then, sizeof then);
    snprintf(answer, sizeof answer, "final mix: %s: %d unit%s, %.10g a year of the budget %.10g; "
             "%s %s (from %s)", mix, last->units, last->units == 1 ? "" : "s", last->cost, oc.budget, metric_name(&oc), now,
             then);
    printf("%s\n", answer);
    if (res.stopped == STUDY_OPT_STOP_BUDGET)
        printf("stopped: the %.10g left buys no further unit, and no swap improves %s with 95%% "
               "confidence\n", oc.budget - last->cost, metric_name(&oc));
    else
        printf("stopped: no affordable unit, and no swap, improves %s with 95%% confidence\n",
               metric_name(&oc));
    print_floor(&vw);
write:
    if (so.out_path) {
        study_cfg sc;
        study_opt_path *keep;
        if (study_optimise_path(&oc, &res, &sc, &keep) != SIM_OK) {
            rc = CLI_EXIT_FAIL;
            goto done;
        }
        sc.attrs = attrs;
        sc.n_attrs = 4;
        sc.out_path = so.out_path;
        sc.force = so.force;
        sc.note = sim_farm_rank() == 0 ? answer : NULL;
        cli_print_opts quiet = {0};
        rc = cli_run_study(&sc, &quiet, NULL);
        study_optimise_path_free(keep);
    }
done:
    study_optimise_result_free(&res);
    free(err);
    for (size_t i = 0; i < n_store; i++)
        free(store[i]);
    free(store);
    free(sets);
    return rc;
}
