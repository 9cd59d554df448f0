/* cli_study: what run, sweep, capacity and rerun share on the command line:
 * progress and signals as study hooks, a study's problems in the GNU form,
 * the tables of its points. */
#ifndef CLI_STUDY_H
#define CLI_STUDY_H

#include "cli.h"
#include "study.h"

/* The hooks a study calls back: signals and a progress line labelled
 * `label`, warnings.  ui must outlive the study. */
typedef struct {
    const char *label;
    cli_progress *progress;
} cli_study_ui;
void cli_study_hooks(study_cfg *cfg, cli_study_ui *ui, const char *label);

/* Print every diagnostic of a failed scenario load in the GNU form. */
void cli_print_diags(const rf_diags *diags);

/* Print a study's failure (rank 0 only, unless every rank found it) and
 * return the exit status it calls for. */
int cli_study_error(const study_error *e);

/* --precision: add one 'METRIC=H' (printing the error and returning -1
 * when it is not one), and keep the option texts for the results file
 * (text, size bytes).  The study_precision_cfg must be zeroed first. */
int cli_add_precision(study_precision_cfg *c, const char *spec, char *text, size_t size);
/* The lines saying how many replications each point took and why. */
void cli_print_precision(const study *s, const study_precision_cfg *c);

/* Warnings after a run's table: a point with no steady state (its waiting
 * list or refusals keep growing), or one whose warm-up MSER-5 finds too
 * short (an_steady.h). */
void cli_warn_steady(const study *s);
/* The overload warning alone. */
void cli_warn_steady_overload(const study *s);

typedef struct {
    int level;                 /* 0 nothing, 1 key metrics, 2 every metric */
    int services, groups;      /* also the per-service / per-group tables */
    int by_year;               /* also the key measures year by year (needs cfg->by_year) */
    int scratch_output;        /* cfg->out_path is the caller's scratch file: not announced */
} cli_print_opts;

/* The whole of run, sweep and rerun: open the study, run it, print its
 * tables, commit the results file, say what happened.  With keep non-NULL
 * and success, the study is handed back (the caller frees it).  Returns an
 * exit status. */
int cli_run_study(const study_cfg *cfg, const cli_print_opts *print, study **keep);

#endif
