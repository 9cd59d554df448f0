/* refugesim check: validate a scenario without running it. */
#include "cli.h"
#include "cli_study.h"
#include "rf_model.h"
#include "rf_points.h"
#include "rf_scenario.h"
#include "sim_status.h"

#include <getopt.h>
#include <stdlib.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: refugesim check [--set KEY=VALUE]... FILE\n"
            "Validate a scenario file (extends and overrides applied) without running it,\n"
            "then print the resolved scenario as YAML on standard output.\n"
            "  --set KEY=VALUE   override one key, e.g. referrals.per_year=900,\n"
            "                    services[0].units=12, services.*.units=10, spaces=40,\n"
            "                    'extra[county refuges]=5' (repeatable; as for run)\n"
            "Every problem is reported as FILE:LINE:COL: error: KEY: message; exit status 2.\n");
}

int cmd_check(int argc, char **argv)
{
    static const struct option opts[] = {
        {"set", required_argument, 0, 's'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char **sets = calloc((size_t)argc + 1, sizeof *sets);
    size_t n_sets = 0;
    int c;
    if (!sets) {
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    optind = 1;
    while ((c = cli_getopt(argc, argv, "s:h", opts, "check")) != -1) {
        switch (c) {
        case 's': sets[n_sets++] = optarg; break;
        case 'h': help(stdout); free(sets); return CLI_EXIT_OK;
        default: help(stderr); free(sets); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        cli_error("expected one scenario FILE, got %d", argc - optind);
        help(stderr);
        free(sets);
        return CLI_EXIT_USAGE;
    }
    /* through the points, as run loads its point: a --set of spaces or
     * extra[NAME] means what it means there, and the text printed has the
     * unit counts it gives written out */
    rf_points_cfg pc = {.scenario_path = argv[optind], .sets = (const char *const *)sets,
                        .n_sets = n_sets};
    rf_points *pts = NULL;
    rf_diags diags;
    char msg[512];
    int rc = rf_points_create(&pc, &pts);
    if (rc == SIM_OK && (rc = rf_points_add(pts, NULL, NULL, msg, sizeof msg)) != SIM_OK) {
        if (rc != SIM_ENOMEM)
            cli_error("--set %s", msg);
        rf_points_free(pts);
        free(sets);
        return rc == SIM_ENOMEM ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
    }
    if (rc == SIM_OK && (rc = rf_points_load(pts, 0, &diags)) != SIM_OK) {
        cli_print_diags(&diags);
        if (diags.n == 0)
            cli_error("%s: %s", argv[optind], sim_strerror(rc));
    }
    free(sets);
    if (rc != SIM_OK) {
        rf_points_free(pts);
        return rc == SIM_ENOMEM ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
    }
    /* The loader refuses everything the model would (the fuzz harness checks
     * it); asking the model too keeps `check` from ever accepting what `run`
     * refuses. */
    char why[512];
    if (rf_model_check(rf_points_params(pts), why, sizeof why) != SIM_OK) {
        cli_error("%s: the model cannot run this scenario: %s", argv[optind], why);
        rf_points_free(pts);
        return CLI_EXIT_USAGE;
    }
    fputs(rf_points_text(pts), stdout);
    rf_points_free(pts);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
