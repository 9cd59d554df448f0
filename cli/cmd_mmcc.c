#include "cli.h"
#include "mq_queue.h"
#include "sim_runner.h"
#include "sim_stats.h"
#include "sim_status.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: refugesim mmcc --servers C --load A [options]\n"
            "One M/G/c/c loss system (c units, Poisson referrals, no waiting): blocking\n"
            "probability with its 95%% confidence interval next to Erlang B.\n"
            "  --servers C     units (1..100000)\n"
            "  --load A        offered load in Erlangs = arrival rate x mean stay (> 0)\n"
            "  --service KIND  exp | lognormal | constant (default exp)\n"
            "  --cv X          coefficient of variation of a lognormal stay (default 1;\n"
            "                  with exp or constant refused)\n"
            "  --reps N        replications (2..1000000, default 100)\n"
            "  --arrivals N    arrivals per replication, roughly (default 20000)\n"
            "  --seed S        master seed (default 1)\n"
            "  --threads T     OpenMP threads (default: OMP_NUM_THREADS, else all cores)\n");
}

int cmd_mmcc(int argc, char **argv)
{
    static const struct option opts[] = {
        {"servers", required_argument, 0, 'c'}, {"load", required_argument, 0, 'a'},
        {"service", required_argument, 0, 'S'}, {"cv", required_argument, 0, 'v'},
        {"reps", required_argument, 0, 'r'},    {"arrivals", required_argument, 0, 'n'},
        {"seed", required_argument, 0, 's'},    {"threads", required_argument, 0, 't'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    long servers = -1, reps = 100, threads = 0, arrivals = 20000;
    double load = -1, cv = 1;
    uint64_t seed = 1;
    const char *service = "exp";
    int c, cv_given = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "c:a:S:v:r:n:s:t:h", opts, "mmcc")) != -1) {
        switch (c) {
        case 'c': if (cli_parse_long("--servers", optarg, 1, 100000, &servers)) return CLI_EXIT_USAGE; break;
        case 'a': if (cli_parse_double("--load", optarg, 1e-9, 1e7, &load)) return CLI_EXIT_USAGE; break;
        case 'S':
            if (strcmp(optarg, "exp") && strcmp(optarg, "lognormal") && strcmp(optarg, "constant")) {
                cli_error("--service: expected exp, lognormal or constant, got '%s'", optarg);
                return CLI_EXIT_USAGE;
            }
            service = optarg;
            break;
        case 'v':
            if (cli_parse_double("--cv", optarg, 1e-3, 100, &cv))
                return CLI_EXIT_USAGE;
            cv_given = 1;
            break;
        case 'r': if (cli_parse_long("--reps", optarg, 2, 1000000, &reps)) return CLI_EXIT_USAGE; break;
        case 'n': if (cli_parse_long("--arrivals", optarg, 100, 1000000000L, &arrivals)) return CLI_EXIT_USAGE; break;
        case 's': if (cli_parse_u64("--seed", optarg, &seed)) return CLI_EXIT_USAGE; break;
        case 't': if (cli_parse_long("--threads", optarg, 1, 4096, &threads)) return CLI_EXIT_USAGE; break;
        case 'h': help(stdout); return CLI_EXIT_OK;
        default: help(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (servers < 0 || load < 0) {
        cli_error("mmcc: --servers and --load are required (e.g. --servers 70 --load 60)");
        return CLI_EXIT_USAGE;
    }
    int lognormal = !strcmp(service, "lognormal");
    if (cv_given && !lognormal) {   /* an exponential or constant stay has a CV of its own */
        cli_error("--cv: applies to a lognormal stay only, and the stay is %s (accepted: "
                  "--service lognormal --cv X)", service);
        return CLI_EXIT_USAGE;
    }
    mq_params p = {.servers = (int)servers, .arrival_rate = load, .queue_cap = 0,
                   .patience = sim_dist_none(), .seed = seed};
    p.service = !strcmp(service, "exp") ? sim_dist_exp(1)
              : !strcmp(service, "constant") ? sim_dist_const(1)
              : sim_dist_lognormal(1, cv);
    p.warmup = 20;
    p.horizon = (double)arrivals / load;

    mq_result *res = calloc((size_t)reps, sizeof *res);
    double *x = malloc((size_t)reps * sizeof *x), *w = malloc((size_t)reps * sizeof *w);
    if (!res || !x || !w) {
        free(res), free(x), free(w);
        cli_error("mmcc: out of memory for %ld replications", reps);
        return CLI_EXIT_FAIL;
    }
    cli_install_signals();
    cli_progress *prog = cli_progress_start("mmcc");
    sim_runner_cfg cfg = {.n_reps = (size_t)reps, .result_size = sizeof *res,
                          .threads = (int)threads, .progress = cli_progress_update,
                          .progress_user = prog, .stop = &cli_stop};
    int rc = sim_runner_run(&cfg, mq_run_rep, &p, res, NULL, NULL);
    cli_progress_end(prog);
    if (rc != SIM_OK) {
        cli_error("mmcc: %s", sim_strerror(rc));
        free(res), free(x), free(w);
        return CLI_EXIT_FAIL;
    }
    for (long i = 0; i < reps; i++)
        x[i] = res[i].p_block;
    sim_summary s;
    sim_summarize(x, (size_t)reps, w, &s);
    double b = mq_erlang_b((int)servers, load);
    char cv_text[48] = "";
    if (lognormal)
        snprintf(cv_text, sizeof cv_text, cv_given ? " (CV %g)" : " (CV %g, the default)", cv);
    printf("M/G/c/c: %ld units, offered load %g Erlangs, %s stay%s\n", servers, load, service,
           cv_text);
    printf("  blocking (simulated)  %.5f  95%% CI [%.5f, %.5f]  (%ld replications)\n", s.mean,
           s.mean - s.ci95, s.mean + s.ci95, reps);
    printf("  blocking (Erlang B)   %.5f  %s\n", b,
           fabs(s.mean - b) <= s.ci95 ? "inside the CI" : "outside the CI");
    free(res), free(x), free(w);
    return CLI_EXIT_OK;
}
