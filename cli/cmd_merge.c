/* merge: join the parts of one sweep (sweep --points) into one results file. */
#include "cli.h"
#include "cli_study.h"
#include "sim_status.h"
#include "study_merge.h"

#include <getopt.h>
#include <stdlib.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: refugesim merge PART.h5... -o ALL.h5 [--force]\n"
            "Join the parts of one sweep, each written by 'refugesim sweep ... --points\n"
            "FROM:TO', in any order, into the file one sweep of the whole grid writes\n"
            "(the same bits).  The parts must come from the same sweep (build, grid,\n"
            "scenario, seed, replications), be complete, and hold every point once.\n"
            "  -o, --output FILE.h5  the merged results file (required)\n"
            "      --force           overwrite an existing file (or use a name not ending\n"
            "                        in .h5 / .hdf5)\n");
}

int cmd_merge(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"force", no_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    study_merge_cfg cfg = {.command_line = cli_command_line};
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:h", opts, "merge")) != -1) {
        switch (c) {
        case 'o': cfg.out_path = optarg; break;
        case 'f': cfg.force = 1; break;
        case 'h': help(stdout); return CLI_EXIT_OK;
        default: help(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_error("merge: expected the parts to join (PART.h5 ...)");
        return CLI_EXIT_USAGE;
    }
    if (!cfg.out_path) {
        cli_error("merge: -o ALL.h5 is required");
        return CLI_EXIT_USAGE;
    }
    cli_inputs in = {0};
    int bad = 0;
    for (int i = optind; !bad && i < argc; i++)
        bad = cli_inputs_add(&in, argv[i]);
    bad = bad || cli_check_output(cfg.out_path, cfg.force, &in);
    cli_inputs_free(&in);
    if (bad)
        return CLI_EXIT_USAGE;
    cfg.parts = (const char *const *)&argv[optind];
    cfg.n_parts = (size_t)(argc - optind);
    study_error *err = malloc(sizeof *err);
    if (!err) {
        cli_error("out of memory");
        return CLI_EXIT_FAIL;
    }
    study_merged done;
    int exit_code = CLI_EXIT_OK;
    if (study_merge(&cfg, &done, err) != SIM_OK)
        exit_code = cli_study_error(err);
    else
        printf("results written to %s (%zu points from %zu part%s)\n", cli_shown(cfg.out_path),
               done.n_points, cfg.n_parts, cfg.n_parts == 1 ? "" : "s");
    free(err);
    return exit_code;
}
