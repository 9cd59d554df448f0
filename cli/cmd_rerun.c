/* rerun: repeat the run stored in a results file, from the file alone. */
#include "an_h5.h"
#include "cli.h"
#include "cli_batch.h"
#include "rf_result.h"
#include "sim_farm.h"
#include "sim_status.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: refugesim rerun RESULTS.h5 [-o OUT.h5] [--force] [--threads T]\n"
            "Repeat every point of a results file from the scenarios stored in it (same\n"
            "seed and replications), print the summary, and say whether every metric is\n"
            "identical to the stored one.  Exit 1 if anything differs.\n");
}

/* Metric means and sds of the new run against the stored file, exactly. */
static int compare(an_h5_file *f, const cli_batch_out *o)
{
    int differs = 0;
    for (size_t i = 0; i < o->n_points; i++) {
        an_point_summary stored;
        if (an_h5_read_point_summary(f, i, &stored) != SIM_OK)
            return -1;
        for (size_t m = 0; m < o->points[i].n_metrics; m++) {
            const an_metric_summary *now = &o->points[i].metrics[m];
            const an_metric_summary *old = an_point_summary_find(&stored, now->name);
            if (!old)
                continue;
            int same = (now->s.mean == old->s.mean || (isnan(now->s.mean) && isnan(old->s.mean)))
                    && (now->s.sd == old->s.sd || (isnan(now->s.sd) && isnan(old->s.sd)));
            if (!same) {
                if (!differs)
                    fprintf(stderr, "refugesim: point %zu: %s: %.17g now, %.17g stored\n", i,
                            now->name, now->s.mean, old->s.mean);
                differs = 1;
            }
        }
        an_point_summary_free(&stored);
    }
    return differs;
}

int cmd_rerun(int argc, char **argv)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"force", no_argument, 0, 'f'},
        {"threads", required_argument, 0, 't'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    cli_batch_cfg cfg = {.print = 1, .progress_label = "rerun"};
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
    an_h5_file *f = NULL;
    int rc = an_h5_open(in, &f);
    if (rc != SIM_OK) {
        cli_error("%s: %s", in, rc == SIM_EPARSE ? "not a refugesim results file"
                                : rc == SIM_ENOTFOUND ? "no such file" : sim_strerror(rc));
        return CLI_EXIT_USAGE;
    }
    const an_h5_info *info = an_h5_get_info(f);
    size_t np = info->n_points, nv = info->n_vary;
    char **texts = calloc(np ? np : 1, sizeof *texts);
    double *values = calloc(np * nv + 1, sizeof *values);
    int exit_code = CLI_EXIT_FAIL;
    if (!texts || !values)
        goto out;
    for (size_t i = 0; i < np; i++) {
        const an_h5_point_row *row = an_h5_point_at(f, i);
        if (an_h5_read_point_scenario(f, i, &texts[i]) != SIM_OK || !row) {
            cli_error("%s: point %zu has no stored scenario", in, i);
            goto out;
        }
        for (size_t k = 0; k < nv; k++)
            values[i * nv + k] = row->vary_values[k];
        if (i == 0)
            cfg.reps = (long)row->n_reps;
    }
    cfg.point_texts = (const char *const *)texts;
    cfg.n_text_points = np;
    cfg.text_vary_keys = info->vary_keys;
    cfg.text_vary_values = values;
    cfg.n_text_vary = nv;
    /* Each point's stored scenario carries its own seed. */
    cli_batch_out o = {0};
    exit_code = cli_batch_run(&cfg, &o);
    if (exit_code == CLI_EXIT_OK && sim_farm_rank() == 0) {
        int d = compare(f, &o);
        if (d < 0)
            cli_warn("%s: could not read the stored summary to compare", in);
        else if (d)
            exit_code = CLI_EXIT_FAIL;
        printf("%s\n", d == 0 ? "identical to the stored results"
                       : d > 0 ? "DIFFERENT from the stored results" : "not compared");
    }
    cli_batch_out_free(&o);
out:
    for (size_t i = 0; texts && i < np; i++)
        free(texts[i]);
    free(texts);
    free(values);
    an_h5_close(f);
    return exit_code;
}
