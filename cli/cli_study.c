#include "cli_study.h"
#include "rf_result.h"
#include "sim_farm.h"
#include "sim_status.h"
#include "sim_text.h"

#include <stdlib.h>
#include <string.h>

#define PRINT_MAX_POINTS 6    /* side-by-side tables up to this many points */

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
    if (sim_farm_rank() == 0 || e->all_ranks) {
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

static void print_compact(const study *s)
{
    int i_ref = rf_metric_find("refused_no_space"), i_wait = rf_metric_find("wait_mean");
    printf("%-40s %20s %20s\n", "point", "refused (no space)", "mean wait (days)");
    for (size_t i = 0; i < study_n_points(s); i++) {
        const an_point_summary *ps = study_summary(s, i);
        if (!ps)
            continue;
        char c1[64] = "-", c2[64] = "-";
        if (i_ref >= 0)
            an_format_cell(c1, sizeof c1, &ps->metrics[i_ref].s, 1);
        if (i_wait >= 0)
            an_format_cell(c2, sizeof c2, &ps->metrics[i_wait].s, 0);
        char lab[sizeof ps->label];
        printf("%-40s %20s %20s\n", sim_text_str(SIM_TEXT_TERM, ps->label, lab, sizeof lab), c1, c2);
    }
}

static void print_points(const study *s, const cli_print_opts *o)
{
    size_t np = study_n_points(s);
    if (np > PRINT_MAX_POINTS) {
        print_compact(s);
        return;
    }
    an_point_summary *shown = calloc(np ? np : 1, sizeof *shown);
    if (!shown)
        return;
    size_t n = 0;
    for (size_t i = 0; i < np; i++)
        if (study_summary(s, i))
            shown[n++] = *study_summary(s, i);
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
    if (cfg->out_path) {
        if (study_commit(s, complete, err) != SIM_OK) {
            exit_code = cli_study_error(err);
            goto out;
        }
        printf("results written to %s%s\n", cfg->out_path,
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
