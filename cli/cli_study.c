#include "cli_study.h"
#include "an_report.h"
#include "rf_result.h"
#include "sim_farm.h"
#include "sim_status.h"
#include "sim_text.h"
#include "study_precision.h"

#include <stdlib.h>
#include <string.h>

static void on_start(void *user)
{
    cli_study_ui *ui = user;
    cli_install_signals();
    if (sim_farm_rank() == 0)
        ui->progress = cli_progress_start(ui->label);
}

static void on_end(void *user)
{
    cli_study_ui *ui = user;
    cli_progress_end(ui->progress);
    ui->progress = NULL;
}

static void progress(void *user, size_t done, size_t total)
{
    cli_study_ui *ui = user;
    if (ui->progress)
        cli_progress_update(ui->progress, done, total);
}

static void warn(void *user, const char *message)
{
    (void)user;
    cli_warn("%s", message);
}

void cli_study_hooks(study_cfg *cfg, cli_study_ui *ui, const char *label)
{
    cli_install_signals();   /* before the setup (loading, checks): a SIGINT there stops too */
    ui->label = label;
    ui->progress = NULL;
    cfg->on_start = on_start;
    cfg->on_end = on_end;
    cfg->progress = progress;
    cfg->warn = warn;
    cfg->user = ui;
    cfg->stop = &cli_stop;
    cfg->command_line = cli_command_line;
}

void cli_print_diags(const rf_diags *diags)
{
    char buf[1024];
    for (int i = 0; i < diags->n; i++) {
        rf_diag_format(&diags->items[i], buf, sizeof buf);
        cli_line(NULL, buf);
    }
    if (diags->dropped)
        fprintf(stderr, "refugesim: ... and %d more errors\n", diags->dropped);
}

int cli_study_error(const study_error *e)
{
    int rank = sim_farm_rank();
    if (e->status == SIM_ETIMEDOUT) {
        /* main says which rank fell silent, then ends the job */
    } else if (rank != 0 && e->own_rank && e->message[0]) {
        char kind[48];
        snprintf(kind, sizeof kind, "rank %d: error", rank);
        cli_line(kind, e->message);
    } else if (rank == 0 || e->all_ranks) {
        if (e->diags.n || e->diags.dropped) {
            if (e->point >= 0)
                fprintf(stderr, "refugesim: in sweep point %ld:\n", e->point);
            cli_print_diags(&e->diags);
        }
        if (e->message[0])
            cli_error("%s", e->message);
    }
    return e->input ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
}

int cli_add_precision(study_precision_cfg *c, const char *spec, char *text, size_t size)
{
    char why[2048];
    if (c->n_targets == STUDY_PRECISION_MAX_TARGETS) {
        cli_error("--precision: at most %d targets", STUDY_PRECISION_MAX_TARGETS);
        return -1;
    }
    if (study_precision_parse(spec, &c->targets[c->n_targets], why, sizeof why) != SIM_OK) {
        cli_error("--precision: %s", why);
        return -1;
    }
    c->n_targets++;
    size_t n = strlen(text);
    snprintf(text + n, size - n, "%s%s", n ? " " : "", spec);
    return 0;
}

int cli_precision_bounds(study_precision_cfg *c, long min_reps, long max_reps, study_cfg *cfg,
                         const char *text)
{
    if (max_reps && !c->n_targets) {
        cli_error("--max-reps bounds --precision: give --precision METRIC=H too");
        return -1;
    }
    if (!c->n_targets)
        return 0;
    if (max_reps && min_reps > max_reps) {
        cli_error("--reps %ld is more than --max-reps %ld", min_reps, max_reps);
        return -1;
    }
    c->min_reps = (size_t)min_reps;
    c->max_reps = (size_t)max_reps;
    cfg->precision = c;
    cfg->precision_text = text;
    return 0;
}

void cli_print_precision(const study *s, const study_precision_cfg *c)
{
    printf("replications to a precision (Hoad, Robinson and Davies 2010): batches of %zu, at most "
           "%zu, stopping once every target has held over a look-ahead\n  95%% half-width:",
           c->batch ? c->batch : STUDY_PRECISION_BATCH,
           c->max_reps ? c->max_reps : STUDY_PRECISION_MAX_REPS);
    for (size_t k = 0; k < c->n_targets; k++) {
        const study_precision_target *t = &c->targets[k];
        printf("%s %s <= %g%s", k ? "," : "", rf_metric_at((size_t)t->metric)->name,
               t->relative ? 100 * t->h : t->h, t->relative ? "% of the estimate" : "");
    }
    printf("\n");
    for (size_t i = 0; i < study_n_points(s); i++) {
        const study_precision_result *r = study_precision(s, i);
        const an_point_summary *ps = study_summary(s, i);
        if (!r)
            continue;
        char lab[AN_LABEL_SHOWN];
        printf("  %s: %zu replications, %s",
               ps ? sim_text_str(SIM_TEXT_TERM, ps->label, lab, sizeof lab) : "point", r->reps,
               study_precision_reason(r->stopped));
        if (r->first_met)
            printf(" (held from %zu on)", r->first_met);
        printf("\n");
    }
}

void cli_warn_steady_of(const char *label, const an_steady *st, int warmup_too)
{
    if (st->overloaded) {
        const sim_trend *t = st->growing_waiting ? &st->trend_waiting : &st->trend_refused;
        cli_warn("%s%sno steady state: demand exceeds what the units can serve; averages depend "
                 "on the horizon (the %s grows by %.3g a month, 99.9%% interval %.3g to %.3g)",
                 label ? label : "", label ? ": " : "",
                 st->growing_waiting ? "waiting list" : "number refused a month", t->slope,
                 t->lo, t->hi);
    } else if (warmup_too && st->transient_left) {
        cli_warn("%s%sthe warm-up is shorter than MSER-5 suggests: the first %zu months after "
                 "it differ from the rest (occupancy by %.3g units, waiting list by %.3g "
                 "households); 'refugesim warmup FILE' estimates the warm-up",
                 label ? label : "", label ? ": " : "", st->truncate_months,
                 st->cut_occupied.significant ? st->cut_occupied.early : 0.0,
                 st->cut_waiting.significant ? st->cut_waiting.early : 0.0);
    }
}

void cli_warn_steady(const study *s)
{
    fflush(stdout);           /* after the table, when both go to one terminal or file */
    for (size_t i = 0; i < study_n_points(s); i++) {
        const an_steady *st = study_steady(s, i);
        const an_point_summary *ps = study_summary(s, i);
        if (st && ps)
            cli_warn_steady_of(study_n_points(s) > 1 ? ps->label : NULL, st, 1);
    }
}

static void print_points(const study *s, const cli_print_opts *o)
{
    size_t np = study_n_points(s);
    an_point_summary *shown = calloc(np ? np : 1, sizeof *shown);
    if (!shown)
        return;
    size_t n = 0;
    for (size_t i = 0; i < np; i++)
        if (study_summary(s, i))
            shown[n++] = *study_summary(s, i);
    if (n > AN_REPORT_COLUMNS) {
        an_print_summary_rows(stdout, shown, n);
        free(shown);
        return;
    }
    an_print_summary(stdout, shown, n, o->level > 1);
    if (o->services)
        an_print_services(stdout, shown, n);
    if (o->groups)
        an_print_groups(stdout, shown, n);
    if (o->by_year)
        an_print_years(stdout, shown, n);
    an_print_areas(stdout, shown, n);
    free(shown);
}

int cli_run_study(const study_cfg *cfg, const cli_print_opts *print, study **keep)
{
    cli_install_signals(); /* before the setup: a SIGINT now is an orderly stop too */
    study_error *err = malloc(sizeof *err);
    study *s = NULL;
    if (!err) {
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    int exit_code = CLI_EXIT_FAIL;
    int rc = study_open(cfg, &s, err);
    if (rc != SIM_OK) {
        exit_code = cli_study_error(err);
        goto out;
    }
    if (study_resumed(s))
        fprintf(stderr, "refugesim: resuming: %zu of %zu points already done\n", study_resumed(s),
                study_n_points(s));
    rc = study_run(s, err);
    if (sim_farm_rank() != 0) {
        exit_code = rc == SIM_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
        goto out;
    }
    if (rc != SIM_OK && rc != SIM_EINTR) {
        exit_code = cli_study_error(err);
        goto out;
    }
    int complete = rc == SIM_OK;
    if (print->level && cfg->keep_summaries && study_n_points(s) > 0)
        print_points(s, print);
    if (print->level && cfg->keep_summaries)
        cli_warn_steady(s);
    if (print->level && cfg->precision && complete)
        cli_print_precision(s, cfg->precision);
    if (cfg->out_path) {
        if (study_commit(s, complete, err) != SIM_OK) {
            exit_code = cli_study_error(err);
            goto out;
        }
        if (!print->scratch_output)
            printf("results written to %s%s\n", cli_shown(cfg->out_path),
                   complete ? "" : " (incomplete: interrupted)");
    }
    if (!complete) {
        cli_error("interrupted: %zu replications finished%s", study_reps_finished(s),
                  study_has_checkpoints(s) ? "; run the same sweep with --resume to finish" : "");
        exit_code = CLI_EXIT_FAIL;
    } else {
        exit_code = CLI_EXIT_OK;
    }
    if (keep && complete) {
        *keep = s;
        s = NULL;
    }
out:
    study_free(s);
    free(err);
    return exit_code;
}

int cli_search_option(int c, const char *arg, cli_search_opts *o, study_cfg *base,
                      const char **sets, void (*help)(FILE *))
{
    long v;
    switch (c) {
    case 'r': return cli_parse_long("--reps", arg, 2, 1000000, &o->reps);
    case 'R': return cli_parse_long("--max-reps", arg, 2, 10000000, &o->max_reps);
    case 's':
        if (cli_parse_u64("--seed", arg, &base->points.seed))
            return -1;
        base->points.seed_set = 1;
        return 0;
    case 't':
        if (cli_parse_long("--threads", arg, 1, 4096, &v))
            return -1;
        base->threads = (int)v;
        return 0;
    case 'S': sets[base->points.n_sets++] = arg; return 0;
    case 'o': o->out_path = arg; return 0;
    case 'f': o->force = 1; return 0;
    case 'p': return cli_add_precision(o->precision, arg, o->precision_text, sizeof o->precision_text);
    default: help(stderr); return -1;
    }
}

int cli_search_finish(cli_search_opts *o, study_cfg *base, const study_precision_cfg **precision,
                      const char *scenario, const char **sets, cli_study_ui *ui,
                      const char *label)
{
    /* the search would raise --max-reps to --reps unsaid */
    if (o->reps && o->max_reps && o->reps > o->max_reps) {
        cli_error("--reps %ld is more than --max-reps %ld", o->reps, o->max_reps);
        return -1;
    }
    if (o->out_path) {
        cli_inputs in = {0};
        int bad = cli_inputs_add_scenario(&in, scenario, sets, base->points.n_sets)
                  || cli_check_output(o->out_path, o->force, &in);
        cli_inputs_free(&in);
        if (bad)
            return -1;                /* said before the search, not after */
    }
    *precision = NULL;
    if (o->precision->n_targets) {
        o->precision->min_reps = (size_t)o->reps;
        o->precision->max_reps = (size_t)o->max_reps;
        *precision = o->precision;
        base->precision_text = o->precision_text;
    }
    base->points.scenario_path = scenario;
    base->points.sets = sets;
    cli_study_hooks(base, ui, label);
    return 0;
}

void cli_unknown_metric(const char *opt, const char *name)
{
    char lab[256];
    fprintf(stderr, "refugesim: error: %s: unknown metric '%s' (accepted:", opt,
            sim_text_str(SIM_TEXT_TERM, name, lab, sizeof lab));
    for (size_t i = 0; i < rf_metric_count(); i++)
        fprintf(stderr, " %s", rf_metric_at(i)->name);
    fprintf(stderr, ")\n");
}

void cli_print_floor_needs(const study_floor *f)
{
    /* what each blocking attribute asks of a unit, and the block key that gives it */
    static const struct {
        int reason;
        const char *need, *key;
    } words[] = {
        {RF_BLK_FAMILY_SIZE, "a unit for a larger family", "a larger largest_family"},
        {RF_BLK_BOY_AGE, "a unit taking older boys", "a higher male_child_age_limit"},
        {RF_BLK_WHEELCHAIR, "a wheelchair-accessible unit", "wheelchair: true"},
        {RF_BLK_NRPF, "a unit taking households with no recourse to public funds",
         "nrpf: yes"},
        {RF_BLK_MALE, "a unit taking male victims", "takes_male: true"},
        {RF_BLK_PET, "a unit taking pets", "takes_pets: true"},
        {RF_BLK_SECURITY, "a unit with night security", "night_security: true"},
        {RF_BLK_HIGH_SUPPORT, "a unit meeting high support needs", "high_support: true"},
        {RF_BLK_SPECIALISM, "a specialist unit (or one not specialist)",
         "specialism: bme or young_women (or none)"},
        {RF_BLK_AREA, "a unit in their own area", "the area they need"},
        {RF_BLK_MULTIPLE, "a unit meeting several of their needs at once",
         "every one of those attributes"},
    };
    enum { N = sizeof words / sizeof *words };
    int done[N] = {0};
    for (int shown = 0; shown < N; shown++) {
        int best = -1;
        for (int i = 0; i < N; i++)
            if (!done[i] && f->by[words[i].reason] > 0
                && (best < 0 || f->by[words[i].reason] > f->by[words[best].reason]))
                best = i;
        if (best < 0)
            break;
        done[best] = 1;
        double pc = 100 * f->by[words[best].reason];
        char share[32];
        if (pc < 0.05)
            snprintf(share, sizeof share, "under 0.1%%");
        else
            snprintf(share, sizeof share, "%.1f%%", pc);
        printf("  %s of referrals need %s: add a block with %s\n", share, words[best].need,
               words[best].key);
    }
}
