/* refugesim check: validate a scenario without running it. */
#include "cli.h"
#include "cli_study.h"
#include "rf_model.h"
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
            "                    services[0].units=12, services.*.units=10 (repeatable)\n"
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
    while ((c = getopt_long(argc, argv, "s:h", opts, NULL)) != -1) {
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
    rf_diags diags;
    rf_scenario *s = NULL;
    int rc = rf_scenario_load_file(argv[optind], sets, n_sets, &s, &diags);
    free(sets);
    if (rc != SIM_OK) {
        cli_print_diags(&diags);
        if (diags.n == 0)
            cli_error("%s: %s", argv[optind], sim_strerror(rc));
        return rc == SIM_ENOMEM ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
    }
    /* The loader refuses everything the model would (the fuzz harness checks
     * it); asking the model too keeps `check` from ever accepting what `run`
     * refuses. */
    char why[512];
    if (rf_model_check(rf_scenario_params(s), why, sizeof why) != SIM_OK) {
        cli_error("%s: the model cannot run this scenario: %s", argv[optind], why);
        rf_scenario_free(s);
        return CLI_EXIT_USAGE;
    }
    fputs(rf_scenario_text(s), stdout);
    rf_scenario_free(s);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAIL;
}
