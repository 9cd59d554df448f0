/* study_optimise: the best mix of extra units for a budget (refugesim
 * optimise), greedy marginal analysis under common random numbers, then a
 * one-swap local search, a short driver over study_add_point /
 * study_extend.
 *
 * Candidates are unit types the scenario already has: a named block of a
 * service, or a service's own units (those its blocks leave).  Each has a
 * price, its cost.per_unit_year (the block's, else its service's): the
 * budget is a year's running cost of the units added, so a mix fits when
 * the sum of its units' per_unit_year is at most the budget.  Placement
 * costs depend on what happens and are not counted against it (the
 * results show them in cost_per_year).  Units are added through scenario
 * keys (services[S].units, services[S].blocks[B].units), so every mix is
 * an ordinary scenario and a results file of the path reruns as a sweep.
 *
 * Greedy: at each step every affordable candidate is the current mix plus
 * one unit of it; its gain is the paired difference of the target (current
 * minus candidate when reducing it) on the same replications.  The best is
 * the largest gain per unit of money.  A gain whose 95% interval reaches 0
 * gets its replications doubled (up to max_reps; still unsure there, the
 * candidate is set aside for the step); when the paired difference of the
 * two best gains per money has an interval containing 0, both get their
 * replications doubled, and at max_reps the higher estimate is taken (the
 * step is marked too close to call).  It stops when no affordable
 * candidate improves the target with 95% confidence.  Then the swap
 * search: every mix with one added unit of A replaced by one of B that
 * fits the budget; the one that improves most (95% interval above 0, with
 * the same doubling) is kept, greedy runs again on what money is left, and
 * so on until no swap improves.
 *
 * Decisions are taken on rank 0 from replications whose results are the
 * same bits for any thread or rank count, and broadcast: the path is the
 * same whatever the parallelism.  Nothing is printed. */
#ifndef STUDY_OPTIMISE_H
#define STUDY_OPTIMISE_H

#include <stddef.h>
#include "sim_stats.h"
#include "study.h"
#include "study_floor.h"

#define STUDY_OPT_MAX_CANDIDATES 16

typedef struct study_opt_step study_opt_step;     /* below */

typedef struct {
    study_cfg base;            /* scenario, --set, seed, threads, hooks (no output) */
    const char *const *candidates;  /* block names, service names or "SERVICE/BLOCK" */
    size_t n_candidates;
    int metric;                /* the target, an rf_metric index */
    int maximise;              /* 1: increase the target (placed), 0: reduce it */
    double budget;             /* a year's per_unit_year of the units added, > 0 */
    long reps, max_reps;       /* 0: 100 and 8 x reps */
    /* NULL, or each mix's first replications chosen to this precision
     * (study_precision.h; its max_reps bounds them), before any doubling. */
    const study_precision_cfg *precision;
    /* Rank 0, may be NULL: a step of the path is decided. */
    void (*on_step)(void *user, const study_opt_step *step);
    void *user;
    /* NULL, or where an interrupted search writes the steps decided so
     * far, each mix with the replications it had (study_write_partial:
     * complete = 0, note partial_note, base.attrs as root attributes);
     * the other points of the search appear in it unwritten.  Given, the
     * steps go to a results file, so a search whose steps' labels could
     * not all be stored whole is refused before anything runs. */
    const char *partial_out;
    int partial_force;
    const char *partial_note;
} study_optimise_cfg;

typedef struct {
    char label[2 * 64 + 4];    /* the name it was given by (--add) */
    int service, block;        /* params indices; block -1: the service's own units,
                                  not yet a block of their own */
    int base_units;            /* the block's units in the scenario */
    double price;              /* cost.per_unit_year */
} study_opt_candidate;

enum { STUDY_OPT_START, STUDY_OPT_ADD, STUDY_OPT_SWAP };
enum { STUDY_OPT_STOP_NO_GAIN, STUDY_OPT_STOP_BUDGET };

struct study_opt_step {
    int kind;                  /* STUDY_OPT_START (the scenario as it is), _ADD, _SWAP */
    int added, removed;        /* candidate indices, -1 for none */
    int mix[STUDY_OPT_MAX_CANDIDATES];   /* units added so far, per candidate */
    int units;                 /* added in all */
    double cost;               /* sum of the mix's per_unit_year */
    long reps;                 /* replications of the mix's estimate */
    sim_summary s;             /* the target at this mix */
    double gain, gain_ci95;    /* the improvement on the step before, paired (> 0 better) */
    int close_call;            /* the best two per money were too close to call at max_reps */
    an_steady steady;          /* rank 0: warm-up and overload of the mix's replications'
                                  monthly series (an_steady_verdict: no series) */
};

typedef struct {
    study_opt_candidate cand[STUDY_OPT_MAX_CANDIDATES];
    size_t n_cand;
    study_opt_step *steps;     /* steps[0]: the scenario; the last: the answer; owned */
    size_t n_steps;
    int stopped;               /* STUDY_OPT_STOP_NO_GAIN or _BUDGET (nothing more fits) */
    long max_reps_used;        /* the most replications any step's mix had */
    /* The households no unit fits at the final mix (study_floor), the
     * paired change of their share from the scenario as it is (final minus
     * start, on the final mix's replications), and the best the target can
     * be while they stay (floor_bounded 0: no simple bound). */
    study_floor floor;
    sim_ratio_diff floor_change;
    int floor_bounded;
    double floor_bound;
    size_t partial_written;    /* interrupted with partial_out: steps written there */
    int partial_status;        /* ... and how writing them went (a sim_status) */
    char partial_message[1200]; /* ... its failure in words */
} study_optimise_result;

/* Check the request (candidates exist and have a price, the budget buys at
 * least one unit, no --set spaces / extra[...], which would undo the
 * units added) and fill out->cand; input errors name the option, the key
 * and the accepted values, before anything runs.  Every rank. */
int study_optimise_check(const study_optimise_cfg *cfg, study_optimise_result *out,
                         study_error *err);

/* Check, then run the search (every rank).  SIM_OK, or err says why
 * (SIM_EINTR when interrupted: cfg->partial_out, if given, holds the
 * steps decided). */
int study_optimise(const study_optimise_cfg *cfg, study_optimise_result *out, study_error *err);
void study_optimise_result_free(study_optimise_result *r);   /* a zeroed one is fine */

/* The path as points to run and write like a sweep: every step's mix, at
 * r->max_reps_used replications, varied keys services[S].units and
 * services[S].blocks[B].units.  *out is cfg->base with those points; what
 * it points to lives in *keep (free it with study_optimise_path_free after
 * the study).  The caller adds the output path and note. */
typedef struct study_opt_path study_opt_path;
int study_optimise_path(const study_optimise_cfg *cfg, const study_optimise_result *r,
                        study_cfg *out, study_opt_path **keep);
void study_optimise_path_free(study_opt_path *p);   /* NULL is fine */

#endif
