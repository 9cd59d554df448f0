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

typedef struct {
    int level;                 /* 0 nothing, 1 key metrics, 2 every metric */
    int services, groups;      /* also the per-service / per-group tables */
    int by_year;               /* also the key measures year by year (needs cfg->by_year) */
} cli_print_opts;

/* The whole of run, sweep and rerun: open the study, run it, print its
 * tables, commit the results file, say what happened.  With keep non-NULL
 * and success, the study is handed back (the caller frees it).  Returns an
 * exit status. */
int cli_run_study(const study_cfg *cfg, const cli_print_opts *print, study **keep);

#endif
