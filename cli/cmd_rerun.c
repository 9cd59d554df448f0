/* rerun: repeat the run stored in a results file, from the file alone. */
#include "cli.h"
#include "cli_study.h"
#include "sim_farm.h"
#include "sim_status.h"
#include "study_rerun.h"

#include <getopt.h>
#include <stdlib.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: refugesim rerun RESULTS.h5 [-o OUT.h5] [--force] [--threads T]\n"
            "Repeat every point of a results file from the scenarios stored in it (same\n"
            "seed and replications), print the summary, and say whether every metric is\n"
            "identical to the stored one.  Exit 1 if anything differs.\n");
}

int cmd_rerun(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"force", no_argument, 0, 'f'},
        {"threads", required_argument, 0, 't'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    study_cfg cfg = {.keep_summaries = 1};
    cli_print_opts print = {.level = 1};
    int c;
    long v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'o': cfg.out_path = optarg; break;
        case 'f': cfg.force = 1; break;
        case 't': if (cli_parse_long("--threads", optarg, 1, 4096, &v)) return CLI_EXIT_USAGE; cfg.threads = (int)v; break;
        case 'h': help(stdout); return CLI_EXIT_OK;
        default: help(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        cli_error("rerun: expected one results file");
        return CLI_EXIT_USAGE;
    }
    if (cfg.out_path && cli_check_output_name(cfg.out_path, cfg.force))
        return CLI_EXIT_USAGE;
    const char *in = argv[optind];
    study_stored stored;
    study_error *err = malloc(sizeof *err);
    if (!err)
        return CLI_EXIT_FAIL;
    int exit_code;
    if (study_rerun_load(in, &stored, err) != SIM_OK) {
        exit_code = cli_study_error(err);
        goto out;
    }
    /* Each point's stored scenario carries its own seed. */
    study_rerun_config(&stored, &cfg);
    cli_study_ui ui;
    cli_study_hooks(&cfg, &ui, "rerun");
    study *s = NULL;
    exit_code = cli_run_study(&cfg, &print, &s);
    if (exit_code == CLI_EXIT_OK && sim_farm_rank() == 0) {
        study_difference first;
        int d = study_rerun_compare(&stored, s, &first);
        if (first.found)
            fprintf(stderr, "refugesim: point %zu: %s: %.17g now, %.17g stored\n", first.point,
                    first.metric, first.now, first.stored);
        if (d < 0)
            cli_warn("%s: could not read the stored summary to compare", in);
        else if (d)
            exit_code = CLI_EXIT_FAIL;
        printf("%s\n", d == 0 ? "identical to the stored results"
                       : d > 0 ? "DIFFERENT from the stored results" : "not compared");
    }
    study_free(s);
out:
    study_rerun_free(&stored);
    free(err);
    return exit_code;
}
