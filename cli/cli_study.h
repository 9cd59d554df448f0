/* cli_study: what run, sweep, capacity and rerun share on the command line:
 * progress and signals as study hooks, a study's problems in the GNU form,
 * the tables of its points. */
#ifndef CLI_STUDY_H
#define CLI_STUDY_H

#include "cli.h"
#include "study.h"
#include "study_floor.h"
#include "study_precision.h"

#include <getopt.h>

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
/* --precision's bounds: refuse --max-reps without targets or below
 * --reps (printing why, -1), else with targets set them and point
 * cfg->precision at c (text: the targets as given). */
int cli_precision_bounds(study_precision_cfg *c, long min_reps, long max_reps, study_cfg *cfg,
                         const char *text);
void cli_print_precision(const study *s, const study_precision_cfg *c);

/* Warnings after a run's table: a point with no steady state (its waiting
 * list or refusals keep growing), or one whose warm-up MSER-5 finds too
 * short (an_steady.h). */
void cli_warn_steady(const study *s);
/* The same for one point (label: the point in words, "21 spaces", or
 * NULL), with the warm-up's warning when warmup_too; nothing when neither
 * applies. */
void cli_warn_steady_of(const char *label, const an_steady *st, int warmup_too);

/* The options of the searches over a study (capacity, optimise): their
 * getopt_long entries, for the end of an option table ... */
#define CLI_SEARCH_OPTIONS                                                              \
    {"reps", required_argument, 0, 'r'}, {"max-reps", required_argument, 0, 'R'},      \
    {"seed", required_argument, 0, 's'}, {"threads", required_argument, 0, 't'},       \
    {"set", required_argument, 0, 'S'},  {"output", required_argument, 0, 'o'},        \
    {"force", no_argument, 0, 'f'},      {"help", no_argument, 0, 'h'},                \
    {"precision", required_argument, 0, 'p'}, {0, 0, 0, 0}
/* ... and what they set.  The study_precision_cfg must be zeroed first. */
typedef struct {
    long reps, max_reps;       /* 0: not given */
    const char *out_path;
    int force;
    study_precision_cfg *precision;
    char precision_text[2048];
} cli_search_opts;
/* Option c (one of the above but -h) with its argument into o, base (--seed,
 * --threads) and sets (--set, room for every argument).  0: taken; -1: a
 * bad value (the error printed) or not one of these (help(stderr)). */
int cli_search_option(int c, const char *arg, cli_search_opts *o, study_cfg *base,
                      const char **sets, void (*help)(FILE *));
/* After parsing: -o checked before any work (-1 and the error printed when
 * it cannot be written), then --precision's bounds from --reps and
 * --max-reps (*precision set when there are targets), the scenario file
 * and the --set list into base, and the hooks (ui, label as for
 * cli_study_hooks). */
int cli_search_finish(cli_search_opts *o, study_cfg *base, const study_precision_cfg **precision,
                      const char *scenario, const char **sets, cli_study_ui *ui,
                      const char *label);

/* The households no unit fits (study_floor), as lines a person reads:
 * "  6.4% of referrals need a unit taking households with no recourse to
 * public funds: add a block with nrpf: yes", largest share first. */
void cli_print_floor_needs(const study_floor *f);

/* "refugesim: error: OPT: unknown metric 'NAME' (accepted: every metric)" */
void cli_unknown_metric(const char *opt, const char *name);

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
