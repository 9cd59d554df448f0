/* run, sweep: a scenario's points as one study. */
#include "cli.h"
#include "cli_study.h"
#include "rf_points.h"
#include "rf_sweep.h"
#include "sim_status.h"
#include "study_precision.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_SCENARIO "leicestershire-county.yaml"

static void help_run(FILE *f)
{
    fprintf(f,
            "usage: refugesim run [FILE] [options]\n"
            "Run a scenario and print the summary table with 95%% confidence intervals.\n"
            "Without FILE: the county scenario at 21 and at 70 spaces side by side.\n"
            "  -o, --output FILE.h5  write the results file (atomically)\n"
            "      --force           overwrite an existing results file (or use a name\n"
            "                        not ending in .h5 / .hdf5)\n"
            "      --reps N          replications (1..1000000; default: the scenario's);\n"
            "                        with --precision the fewest a point gets\n"
            "      --precision METRIC=H  add replications in batches of 10 until the 95%%\n"
            "                        half-width of METRIC is at most H (absolute, or\n"
            "                        relative: 5%%); repeatable, every target must hold\n"
            "      --max-reps N      with --precision, the most replications a point gets\n"
            "                        (default 2000)\n"
            "      --seed S          master seed (default: the scenario's)\n"
            "      --threads T       OpenMP threads (default: OMP_NUM_THREADS, else all cores)\n"
            "      --set KEY=VALUE   override a scenario key, or spaces=N or\n"
            "                        extra[SERVICE]=K as in --vary (repeatable)\n"
            "      --vary KEY=SPEC   also run these points (as sweep does)\n"
            "      --services        also print the per-service table\n"
            "      --groups          also print the per-household-group table\n"
            "      --all-metrics     print every metric, not only the key ones\n"
            "      --by-year         also print the key measures year by year of the horizon\n");
}

static void help_sweep(FILE *f)
{
    fprintf(f,
            "usage: refugesim sweep FILE --vary KEY=SPEC [--vary ...] -o OUT.h5 [options]\n"
            "Run the full grid of scenario points into one results file.  SPEC is a\n"
            "range from:to:step (e.g. 21:70:7) or a list a,b,c.  KEY is any scenario key\n"
            "(referrals.per_year, waiting.patience.mean, services[0].units, ...) or\n"
            "  spaces          total units, every unit block scaled in proportion\n"
            "  extra[SERVICE]  units added to the first block of that service\n"
            "Replication r of every point sees the same households (common random numbers).\n"
            "  -o, --output FILE.h5  the results file (required)\n"
            "      --resume          reuse the finished points of an interrupted sweep\n"
            "      --force           overwrite an existing results file (or use a name\n"
            "                        not ending in .h5 / .hdf5)\n"
            "      --reps N, --seed S, --threads T, --set KEY=VALUE  as for run\n"
            "      --precision METRIC=H, --max-reps N  as for run, point by point (each\n"
            "                        point checkpointed with the replications it took)\n"
            "      --chunk N         replications per task (default: 50 under MPI, a whole\n"
            "                        point in one process)\n"
            "      --points FROM:TO  only the grid's points FROM to TO (0-based, in grid\n"
            "                        order, the first --vary slowest; TO included) into\n"
            "                        OUT.h5, a part that 'refugesim merge' joins to others\n"
            "Under MPI (make MPI=1; mpirun -n K ./refugesim-mpi sweep ...) points and\n"
            "chunks of replications are spread over the ranks; the file is the same.\n");
}

/* A --set of a pseudo-key (spaces, extra[NAME]) becomes a one-value --vary,
 * so the results file records it and rerun applies it again; a --vary of
 * the same key overrides it.  Returns nonzero after printing the error. */
static int fold_pseudo_sets(const char **sets, size_t *n_sets, rf_sweep *grid)
{
    size_t n = 0;
    for (size_t k = 0; k < *n_sets; k++) {
        const char *kv = sets[k], *eq = strchr(kv, '=');
        if (!eq || !rf_points_is_pseudo_set(kv)) {
            sets[n++] = kv;
            continue;
        }
        if (strpbrk(eq + 1, ",:")) {
            cli_error("--set %s: one value (use --vary for several)", kv);
            return 1;
        }
        int varied = 0;
        for (size_t j = 0; j < rf_sweep_n_keys(grid); j++)
            varied |= strlen(rf_sweep_key(grid, j)) == (size_t)(eq - kv)
                      && !strncmp(rf_sweep_key(grid, j), kv, (size_t)(eq - kv));
        char err[512];
        if (!varied && rf_sweep_add(grid, kv, err, sizeof err) != SIM_OK) {
            cli_error("--set: %s", err);
            return 1;
        }
    }
    *n_sets = n;
    return 0;
}

/* --points FROM:TO, two point numbers; the grid's size is checked later. */
static int parse_points(const char *arg, study_cfg *cfg)
{
    const char *colon = strchr(arg, ':');
    char from[32];
    long a, b;
    if (colon && (size_t)(colon - arg) < sizeof from) {
        memcpy(from, arg, (size_t)(colon - arg));
        from[colon - arg] = '\0';
        if (cli_parse_long("--points FROM", from, 0, RF_SWEEP_MAX_POINTS - 1, &a) ||
            cli_parse_long("--points TO", colon + 1, 0, RF_SWEEP_MAX_POINTS - 1, &b))
            return -1;
        if (a > b) {
            cli_error("--points %ld:%ld: FROM must not be after TO", a, b);
            return -1;
        }
        cfg->part = 1;
        cfg->first_point = (size_t)a;
        cfg->last_point = (size_t)b;
        return 0;
    }
    cli_error("--points: expected FROM:TO (0-based point numbers of the grid, TO included, "
              "e.g. 0:9), got '%s'", arg);
    return -1;
}

static int run_or_sweep(int argc, char **argv, int sweep)
{
    static const struct option opts[] = {
        {"output", required_argument, 0, 'o'}, {"force", no_argument, 0, 'f'},
        {"reps", required_argument, 0, 'r'},   {"seed", required_argument, 0, 's'},
        {"threads", required_argument, 0, 't'}, {"set", required_argument, 0, 'S'},
        {"vary", required_argument, 0, 'V'},   {"resume", no_argument, 0, 'R'},
        {"chunk", required_argument, 0, 'c'},  {"services", no_argument, 0, 'v'},
        {"groups", no_argument, 0, 'g'},       {"all-metrics", no_argument, 0, 'a'},
        {"points", required_argument, 0, 'P'}, {"help", no_argument, 0, 'h'},
        {"by-year", no_argument, 0, 'Y'},
        {"precision", required_argument, 0, 'p'}, {"max-reps", required_argument, 0, 'M'},
        {0, 0, 0, 0}};
    study_cfg cfg = {.keep_summaries = 1};
    study_precision_cfg prec = {0};
    char prec_text[2048] = "";
    long min_reps = 0, max_reps = 0;
    cli_print_opts print = {.level = 1};
    const char **sets = calloc((size_t)argc + 3, sizeof *sets);
    char seed_set[64], reps_set[64];
    rf_sweep *grid = rf_sweep_create();
    int rc = CLI_EXIT_USAGE, c, n_vary = 0;
    long v;
    if (!sets || !grid) {
        cli_error("out of memory");
        rc = CLI_EXIT_FAIL;
        goto done;
    }
    optind = 1;
    while ((c = cli_getopt(argc, argv, "o:h", opts, sweep ? "sweep" : "run")) != -1) {
        switch (c) {
        case 'o': cfg.out_path = optarg; break;
        case 'f': cfg.force = 1; break;
        /* --reps and --seed are scenario overrides like --set, so the
         * stored scenario text says what ran and rerun repeats it. */
        case 'r':
            if (cli_parse_long("--reps", optarg, 1, 1000000, &v))
                goto done;
            snprintf(reps_set, sizeof reps_set, "replications=%ld", v);
            min_reps = v;
            sets[cfg.points.n_sets++] = reps_set;
            break;
        case 's':
            if (cli_seed_override(optarg, seed_set, sizeof seed_set))
                goto done;
            sets[cfg.points.n_sets++] = seed_set;
            break;
        case 't': if (cli_parse_long("--threads", optarg, 1, 4096, &v)) goto done; cfg.threads = (int)v; break;
        case 'S':
            if (cli_check_set(optarg))
                goto done;
            sets[cfg.points.n_sets++] = optarg;
            break;
        case 'V': {
            char err[512];
            if (rf_sweep_add(grid, optarg, err, sizeof err) != SIM_OK) {
                cli_error("--vary: %s", err);
                goto done;
            }
            n_vary++;
            break;
        }
        case 'R': cfg.resume = 1; break;
        case 'p':
            if (cli_add_precision(&prec, optarg, prec_text, sizeof prec_text))
                goto done;
            break;
        case 'M': if (cli_parse_long("--max-reps", optarg, 2, 10000000, &max_reps)) goto done; break;
        case 'P':
            if (!sweep) {
                cli_error("run: --points is for sweeps (refugesim sweep ... --points FROM:TO)");
                goto done;
            }
            if (parse_points(optarg, &cfg))
                goto done;
            break;
        case 'c': if (cli_parse_long("--chunk", optarg, 1, 100000, &v)) goto done; cfg.chunk = (size_t)v; break;
        case 'v': print.services = 1; break;
        case 'g': print.groups = 1; break;
        case 'a': print.level = 2; break;
        case 'Y': print.by_year = cfg.by_year = 1; break;
        case 'h': (sweep ? help_sweep : help_run)(stdout); rc = CLI_EXIT_OK; goto done;
        default: (sweep ? help_sweep : help_run)(stderr); goto done;
        }
    }
    if (optind + 1 < argc) {
        cli_error("%s: one scenario file at most, got '%s' and '%s'", argv[0], argv[optind],
                  argv[optind + 1]);
        goto done;
    }
    if (optind < argc) {
        cfg.points.scenario_path = argv[optind];
    } else if (sweep) {
        cli_error("sweep: a scenario FILE is required");
        goto done;
    } else {
        if (!(cfg.points.scenario_path = cli_scenario_path(DEFAULT_SCENARIO))) {
            char dirs[CLI_SCENARIO_DIRS][CLI_PATH_MAX];
            size_t nd = cli_scenario_dirs(dirs, CLI_SCENARIO_DIRS);
            cli_error("run: the shipped scenario %s is in none of the scenario directories "
                      "(set RS_SCENARIO_DIR, or give a FILE):", DEFAULT_SCENARIO);
            for (size_t i = 0; i < nd; i++)
                fprintf(stderr, "  %s\n", dirs[i]);
            goto done;
        }
        int spaces_set = 0;
        for (size_t k = 0; k < cfg.points.n_sets; k++)
            spaces_set |= !strncmp(sets[k], "spaces=", 7);
        if (n_vary == 0 && !spaces_set) {
            char err[256];
            rf_sweep_add(grid, "spaces=21,70", err, sizeof err);
        }
    }
    if (sweep && n_vary == 0) {
        cli_error("sweep: at least one --vary KEY=SPEC is required (e.g. --vary spaces=21:70:7)");
        goto done;
    }
    if (sweep && !cfg.out_path) {
        cli_error("sweep: -o OUT.h5 is required");
        goto done;
    }
    /* the scenario's own file now; what it reads where the study loads it */
    cli_inputs own = {.v = &cfg.points.scenario_path, .n = 1};
    if (cfg.out_path && cli_check_output_name(cfg.out_path, cfg.force, &own))
        goto done;
    if (cfg.resume && !sweep) {
        cli_error("run: --resume is for sweeps (refugesim sweep ... --resume)");
        goto done;
    }
    if (cli_precision_bounds(&prec, min_reps, max_reps, &cfg, prec_text))
        goto done;
    cfg.checkpoint = sweep;
    if (cfg.resume && !cfg.out_path) {
        cli_error("--resume needs -o OUT.h5 (the file being finished)");
        goto done;
    }
    if (fold_pseudo_sets(sets, &cfg.points.n_sets, grid))
        goto done;
    cfg.points.sets = sets;
    cfg.grid = grid;
    cli_study_ui ui;
    cli_study_hooks(&cfg, &ui, sweep ? "sweep" : "run");
    rc = cli_run_study(&cfg, &print, NULL);
done:
    free(sets);
    rf_sweep_free(grid);
    return rc;
}

int cmd_run(int argc, char **argv) { return run_or_sweep(argc, argv, 0); }
int cmd_sweep(int argc, char **argv) { return run_or_sweep(argc, argv, 1); }
