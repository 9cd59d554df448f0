/* rerun: repeat the run stored in a results file, from the file alone. */
#include "cli.h"
#include "cli_study.h"
#include "sim_farm.h"
#include "sim_status.h"
#include "sim_text.h"
#include "study_rerun.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: refugesim rerun RESULTS.h5 [-o OUT.h5] [--force] [--threads T]\n"
            "Repeat every point of a results file from the scenarios stored in it (same\n"
            "seed and replications), print the summary, and say whether every dataset of\n"
            "the new results (per-replication records included) is identical to the\n"
            "stored one.  Without -o the new results go to a scratch file in $TMPDIR\n"
            "(or /tmp), removed afterwards.  Exit 1 if anything differs.\n");
}

/* Without -o: a scratch directory for the file to compare (rank 0). */
static int scratch(char *dir, size_t dsize, char *path, size_t psize)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, dsize, "%s/refugesim-rerun-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        cli_error("%s: cannot create a scratch directory for the comparison: %s (give -o)", dir,
                  strerror(errno));
        return -1;
    }
    snprintf(path, psize, "%s/rerun.h5", dir);
    return 0;
}

/* Compare the new file with the stored one and say so; the exit status. */
static int compare(study_stored *stored, const study *s, const char *in, const char *out)
{
    study_difference first;
    an_h5_difference diff;
    size_t n = 0;
    int d = study_rerun_compare_file(stored, out, &diff, &n);
    if (d != 0 && study_rerun_compare(stored, s, &first) > 0 && first.found)
        fprintf(stderr, "refugesim: point %zu: %s: %.17g now, %.17g stored\n", first.point,
                first.metric, first.now, first.stored);
    if (d < 0) {
        cli_error("%s: could not read the stored or the new results to compare", in);
        printf("not compared\n");
        return CLI_EXIT_FAIL;
    }
    if (d > 0) {
        char row[64] = "";
        if (!strcmp(diff.why, "its values differ"))
            snprintf(row, sizeof row, ", from row %zu", diff.row);
        char name[600];
        printf("DIFFERENT from the stored results: %s (%s%s)\n",
               sim_text_str(SIM_TEXT_TERM, diff.dataset, name, sizeof name), diff.why, row);
        return CLI_EXIT_FAIL;
    }
    printf("identical to the stored results\n");
    return CLI_EXIT_OK;
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
    while ((c = cli_getopt(argc, argv, "o:h", opts, "rerun")) != -1) {
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
    const char *in = argv[optind];
    cli_inputs own = {.v = &in, .n = 1};
    if (cfg.out_path && cli_check_output_name(cfg.out_path, cfg.force, &own))
        return CLI_EXIT_USAGE;
    cfg.inputs = &in;          /* checked again where the study opens the output */
    cfg.n_inputs = 1;
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
    char dir[4096] = "", path[4200];
    if (!cfg.out_path && sim_farm_rank() == 0) {
        if (scratch(dir, sizeof dir, path, sizeof path)) {
            exit_code = CLI_EXIT_FAIL;
            goto out;
        }
        cfg.out_path = path;
        print.scratch_output = 1;
    }
    cli_study_ui ui;
    cli_study_hooks(&cfg, &ui, "rerun");
    study *s = NULL;
    exit_code = cli_run_study(&cfg, &print, &s);
    if (exit_code == CLI_EXIT_OK && sim_farm_rank() == 0)
        exit_code = compare(&stored, s, in, cfg.out_path);
    study_free(s);
    if (dir[0]) {
        unlink(path);
        rmdir(dir);
    }
out:
    study_rerun_free(&stored);
    free(err);
    return exit_code;
}
