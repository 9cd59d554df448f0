/* compare: a baseline and alternatives on common random numbers, every
 * measure's paired difference with its 95% interval (study_compare). */
#include "cli.h"
#include "an_compare_areas.h"
#include "cli_study.h"
#include "sim_farm.h"
#include "sim_status.h"
#include "study_compare.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: refugesim compare BASE.yaml [ALT.yaml...] [--vs 'KEY=VALUE[,KEY=VALUE]']...\n"
            "                         [--reps N] [-o OUT.h5] [options]\n"
            "Run the baseline and each alternative on the same random numbers and print\n"
            "every key measure with its paired difference from the baseline and the 95%%\n"
            "interval of the per-replication differences (shares: the paired difference of\n"
            "pooled ratios), and the difference in households a year.\n"
            "  ALT.yaml          an alternative scenario file; it must have the baseline's\n"
            "                    seed, horizon and warmup\n"
            "  --vs CHANGES      an alternative: the baseline with these changes, each a\n"
            "                    scenario key (as --set) or spaces=N or extra[SERVICE]=K\n"
            "                    (as --vary), separated by commas (repeatable); spaces=+N\n"
            "                    and spaces=-N are the baseline's spaces plus or minus N;\n"
            "                    seed, horizon and warmup must stay the baseline's\n"
            "  -o OUT.h5         the results file: each alternative a point (the baseline\n"
            "                    point 0) and the table /comparison\n"
            "  --by-year         also the differences year by year of the horizon\n"
            "  --precision METRIC=H  add replications to every scenario together, in batches\n"
            "                    of 10, until each alternative's paired difference from the\n"
            "                    baseline has a 95%% half-width of at most H (or H%% of the\n"
            "                    difference), held over a look-ahead; repeatable; --reps is\n"
            "                    then the fewest\n"
            "  --max-reps N      with --precision, the most replications (default 2000)\n"
            "  --force, --reps N, --seed S, --threads T, --set KEY=VALUE  as for run\n"
            "                    (--set applies to the baseline and every alternative)\n");
}

int cmd_compare(int argc, char **argv)
{
    static const struct option opts[] = {
        {"vs", required_argument, 0, 'V'},     {"output", required_argument, 0, 'o'},
        {"force", no_argument, 0, 'f'},        {"reps", required_argument, 0, 'r'},
        {"seed", required_argument, 0, 's'},   {"threads", required_argument, 0, 't'},
        {"set", required_argument, 0, 'S'},    {"help", no_argument, 0, 'h'},
        {"by-year", no_argument, 0, 'Y'},      {"precision", required_argument, 0, 'p'},
        {"max-reps", required_argument, 0, 'M'},
        {0, 0, 0, 0}};
    study_compare_cfg cc = {0};
    study_cfg *base = &cc.base;
    const char **sets = calloc((size_t)argc + 3, sizeof *sets);
    const char **vs = calloc((size_t)argc + 1, sizeof *vs);
    char seed_set[64], reps_set[64];
    int rc = CLI_EXIT_USAGE, c;
    long v, min_reps = 0, max_reps = 0;
    study_precision_cfg prec = {0};
    char prec_text[2048] = "";
    study_compare_result res = {0};
    study_error *err = malloc(sizeof *err);
    if (!sets || !vs || !err) {
        cli_error("out of memory");
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:h", opts, "compare")) != -1) {
        switch (c) {
        case 'V': vs[cc.n_vs++] = optarg; break;
        case 'o': base->out_path = optarg; break;
        case 'f': base->force = 1; break;
        /* scenario overrides like --set, so each stored scenario says what ran */
        case 'r':
            if (cli_reps_set(optarg, 2, reps_set, sizeof reps_set))
                goto done;
            sets[base->points.n_sets++] = reps_set;
            min_reps = strtol(optarg, NULL, 10);
            break;
        case 'p':
            if (cli_add_precision(&prec, optarg, prec_text, sizeof prec_text))
                goto done;
            break;
        case 'M': if (cli_parse_long("--max-reps", optarg, 2, 10000000, &max_reps)) goto done; break;
        case 's':                             /* every file gets this seed */
            if (cli_seed_override(optarg, seed_set, sizeof seed_set))
                goto done;
            sets[base->points.n_sets++] = seed_set;
            break;
        case 't': if (cli_parse_long("--threads", optarg, 1, 4096, &v)) goto done; base->threads = (int)v; break;
        case 'S':
            if (cli_check_set(optarg))
                goto done;
            sets[base->points.n_sets++] = optarg;
            break;
        case 'Y': base->by_year = 1; break;
        case 'h': help(stdout); rc = CLI_EXIT_OK; goto done;
        default: help(stderr); goto done;
        }
    }
    if (optind >= argc) {
        cli_error("compare: expected a baseline scenario FILE");
        goto done;
    }
    if (optind + 1 == argc && cc.n_vs == 0) {
        cli_error("compare: nothing to compare the baseline with: give ALT.yaml files or "
                  "--vs 'KEY=VALUE'");
        goto done;
    }
    if (cli_precision_bounds(&prec, min_reps, max_reps, base, prec_text))
        goto done;
    if (base->out_path) {
        cli_inputs in = {0};
        int bad = 0;
        for (int i = optind; !bad && i < argc; i++)
            bad = cli_inputs_add_scenario(&in, argv[i], sets, base->points.n_sets);
        bad = bad || cli_check_output(base->out_path, base->force, &in);
        cli_inputs_free(&in);
        if (bad)
            goto done;
    }
    base->points.scenario_path = argv[optind];
    base->points.sets = sets;
    cc.files = (const char *const *)argv + optind + 1;
    cc.n_files = (size_t)(argc - optind - 1);
    cc.vs = vs;
    cli_study_ui ui;
    cli_study_hooks(base, &ui, "compare");
    if (study_compare(&cc, &res, err) != SIM_OK) {
        rc = cli_study_error(err);
        if (err->status == SIM_EINTR && base->out_path && sim_farm_rank() == 0) {
            cli_say_partial(base->out_path, res.partial_status, res.partial_message,
                            res.partial_written, "%zu of the %zu scenarios evaluated so far, %zu "
                            "with every replication", res.partial_written,
                            1 + cc.n_files + cc.n_vs, res.partial_complete);
        }
        goto done;
    }
    rc = CLI_EXIT_OK;
    if (sim_farm_rank() != 0)
        goto done;
    const an_point_summary *b = study_summary(res.s, 0);
    for (size_t i = 1; i < study_n_points(res.s); i++) {
        size_t n;
        const an_comparison *rows = study_compare_rows(&res, i, &n);
        printf("%s%s against the baseline (%s)\n", i > 1 ? "\n" : "",
               cli_shown(study_summary(res.s, i)->label), cli_shown(base->points.scenario_path));
        an_print_comparison(stdout, b, study_summary(res.s, i), rows, n);
        an_area_comparison *areas;
        size_t na;
        if (an_compare_areas(b, study_summary(res.s, i), &areas, &na) == SIM_OK) {
            an_print_area_comparison(stdout, b, study_summary(res.s, i), areas, na);
            free(areas);
        }
        if (base->by_year)
            an_print_comparison_years(stdout, b, study_summary(res.s, i));
    }
    cli_warn_steady(res.s);
    if (base->precision)
        cli_print_precision(res.s, base->precision);
    if (base->out_path)
        printf("results written to %s\n", cli_shown(base->out_path));
done:
    study_compare_result_free(&res);
    free(err);
    free(vs);
    free(sets);
    return rc;
}
