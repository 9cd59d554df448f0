/* warmup: how long a scenario's warm-up should be, by MSER-5 on its monthly
 * series from an empty (or the scenario's starting) state. */
#include "cli.h"
#include "cli_study.h"
#include "an_plot_warmup.h"
#include "rf_scenario.h"
#include "sim_farm.h"
#include "sim_status.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: refugesim warmup FILE [--reps N] [--seed S] [--threads T] [--set KEY=VALUE]...\n"
            "                        [--plot DIR [--force]]\n"
            "Estimate the warm-up by MSER-5 (White 1997): run the scenario from day 0\n"
            "(warmup 0, for its warm-up plus horizon), average the monthly occupancy and\n"
            "waiting list over the replications, cut each into batch means of 5 months\n"
            "and find the truncation that minimises the standard error of what is left.\n"
            "Prints the truncation point, the series, and whether the scenario's warmup\n"
            "is long enough; warns when the waiting list or refusals keep growing.\n"
            "  --plot DIR   also draw both series with the cut (gnuplot; PNG and SVG in DIR,\n"
            "               created if missing)\n"
            "  --force      write into a --plot directory that holds files already\n");
}

static void print_cut(const char *what, const char *units, const an_cut *c)
{
    const sim_mser *m = &c->mser;
    printf("  %-13s cut %3zu months (%4.0f days)", what, m->truncate,
           (double)m->truncate * AN_MONTH_DAYS);
    if (m->batches < 4)
        printf(": too short a series (fewer than 4 batches of 5 months)\n");
    else if (m->truncate == 0)
        printf("\n");
    else if (!c->significant)
        printf(": noise, those months differ from the rest by %.3g %s, not significantly\n",
               c->early, units);
    else
        printf(": those months differ from the rest by %.3g %s%s\n", c->early, units,
               m->ok ? "" : ", and it is still falling at half the series");
}

int cmd_warmup(int argc, char **argv)
{
    static const struct option opts[] = {
        {"reps", required_argument, 0, 'r'},   {"seed", required_argument, 0, 's'},
        {"threads", required_argument, 0, 't'}, {"set", required_argument, 0, 'S'},
        {"plot", required_argument, 0, 'p'},    {"force", no_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    study_cfg cfg = {.keep_summaries = 1};
    const char **sets = calloc((size_t)argc + 3, sizeof *sets);
    char warm_set[64], horizon_set[64], seed_set[64], reps_set[64];
    int c, rc = CLI_EXIT_USAGE, force = 0;
    const char *plot_dir = NULL;
    long v;
    rf_scenario *sc = NULL;
    study *s = NULL;
    an_steady whole = {0}, after = {0};
    study_error *err = malloc(sizeof *err);
    if (!sets || !err) {
        cli_error("out of memory");
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    size_t n_sets = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts, "warmup")) != -1) {
        switch (c) {
        case 'r':
            if (cli_parse_long("--reps", optarg, 2, 1000000, &v))
                goto done;
            snprintf(reps_set, sizeof reps_set, "replications=%ld", v);
            sets[n_sets++] = reps_set;
            break;
        case 's':
            if (cli_seed_override(optarg, seed_set, sizeof seed_set))
                goto done;
            sets[n_sets++] = seed_set;
            break;
        case 't': if (cli_parse_long("--threads", optarg, 1, 4096, &v)) goto done; cfg.threads = (int)v; break;
        case 'S':
            if (cli_check_set(optarg))
                goto done;
            sets[n_sets++] = optarg;
            break;
        case 'p': plot_dir = optarg; break;
        case 'f': force = 1; break;
        case 'h': help(stdout); rc = CLI_EXIT_OK; goto done;
        default: help(stderr); goto done;
        }
    }
    if (optind + 1 != argc) {
        cli_error("warmup: expected one scenario FILE");
        goto done;
    }
    const char *path = argv[optind];
    /* as report --plots: said before the replications, not after, and never
     * over the scenario */
    cli_inputs in = {.v = &path, .n = 1};
    if (plot_dir && cli_check_plot_dir("--plot", plot_dir, force, &in))
        goto done;
    rf_diags diags;
    if (rf_scenario_load_file(path, sets, n_sets, &sc, &diags) != SIM_OK) {
        cli_print_diags(&diags);
        goto done;
    }
    const rf_params *p = rf_scenario_params(sc);
    double warmup = p->warmup, total = p->warmup + p->horizon;
    size_t reps = p->reps;
    /* From day 0, over the warm-up and the horizon. */
    snprintf(warm_set, sizeof warm_set, "warmup=0");
    snprintf(horizon_set, sizeof horizon_set, "horizon=%.17g", total);
    sets[n_sets++] = warm_set;
    sets[n_sets++] = horizon_set;
    cfg.points.scenario_path = path;
    cfg.points.sets = sets;
    cfg.points.n_sets = n_sets;
    cfg.no_points = 1;
    cli_study_ui ui;
    cli_study_hooks(&cfg, &ui, "warmup");
    size_t pt;
    if (study_open(&cfg, &s, err) != SIM_OK || study_add_point(s, NULL, NULL, &pt, err) != SIM_OK ||
        study_extend(s, pt, reps, err) != SIM_OK) {
        rc = err->status == SIM_EINTR ? (cli_error("interrupted"), CLI_EXIT_FAIL)
                                      : cli_study_error(err);
        goto done;
    }
    if (sim_farm_rank() != 0) {
        rc = CLI_EXIT_OK;
        goto done;
    }
    size_t nr = study_have(s, pt);
    size_t w_months = (size_t)floor(warmup / AN_MONTH_DAYS + 1e-9);
    int src;
    if ((src = study_point_steady(s, pt, 0, 1, &whole)) != SIM_OK ||
        (src = study_point_steady(s, pt, w_months, 1, &after)) != SIM_OK) {
        cli_error("%s", src == SIM_EIO ? "cannot read the replications' records back"
                        : src == SIM_ENOMEM ? "out of memory"
                        : "the replications do not all have the same months");
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    const an_steady *a = &whole;
    if (a->n_months == 0) {
        cli_error("%s: no whole month simulated (warm-up plus horizon %.0f days)", path, total);
        rc = CLI_EXIT_USAGE;
        goto done;
    }
    printf("warm-up by MSER-5 (White 1997): monthly means over %zu replications from day 0,\n"
           "%zu months (the warm-up of %.0f days and the horizon of %.0f, run with warmup 0)\n",
           nr, a->n_months, warmup, p->horizon);
    print_cut("occupancy", "units", &a->cut_occupied);
    print_cut("waiting list", "households", &a->cut_waiting);
    double need = (double)a->truncate_months * AN_MONTH_DAYS;
    if (!a->settled)
        printf("no steady state found within %zu months: lengthen the horizon to see one, or the "
               "units cannot serve the demand\n", a->n_months);
    else if (a->truncate_months == 0)
        printf("suggested warm-up: none needed (no cut MSER-5 makes differs from the rest); the "
               "scenario's warmup is %.0f days\n", warmup);
    else if (warmup + 1e-9 >= need)
        printf("suggested warm-up: %.0f days (%zu months); the scenario's warmup of %.0f days is "
               "long enough\n", ceil(need), a->truncate_months, warmup);
    else if (after.n_months && !after.transient_left)
        printf("suggested warm-up: %.0f days (%zu months); the scenario's warmup of %.0f days is "
               "shorter, but the months after it show no transient (MSER-5 on them makes no cut "
               "that differs from the rest): long enough\n", ceil(need), a->truncate_months,
               warmup);
    else
        printf("suggested warm-up: %.0f days (%zu months); the scenario's warmup of %.0f days is "
               "too short (set warmup: %.0f)\n", ceil(need), a->truncate_months, warmup, ceil(need));
    printf("%5s %12s %12s\n", "month", "occupied", "waiting");
    for (size_t m = 0; m < a->n_months; m++)
        printf("%5zu %12.3f %12.3f%s\n", m + 1, a->occupied[m], a->waiting[m],
               a->truncate_months && m + 1 == a->truncate_months ? "   <- cut" : "");
    fflush(stdout);
    cli_warn_steady_of(NULL, a, 0);   /* run's words; the warm-up's verdict is above */
    rc = CLI_EXIT_OK;
    if (plot_dir) {
        fflush(stdout);
        char *gp = an_plot_find_gnuplot();
        int ps;
        if (!gp) {
            cli_error("gnuplot not found: install it with 'apt-get install gnuplot-nox'");
            rc = CLI_EXIT_FAIL;
        } else if (cli_make_output_dir("--plot", plot_dir)) {
            rc = CLI_EXIT_FAIL;
        } else if ((ps = an_plot_warmup(a, warmup / AN_MONTH_DAYS, plot_dir,
                                        AN_PLOT_PNG | AN_PLOT_SVG, gp)) != SIM_OK) {
            cli_error("--plot: %s (gnuplot's messages are in %s/warmup.log)", sim_strerror(ps),
                      plot_dir);
            rc = CLI_EXIT_FAIL;
        } else {
            printf("plots written to %s (warmup_occupancy, warmup_waiting)\n", cli_shown(plot_dir));
        }
        free(gp);
    }
done:
    an_steady_free(&whole);
    an_steady_free(&after);
    study_free(s);
    rf_scenario_free(sc);
    free(err);
    free(sets);
    return rc;
}
