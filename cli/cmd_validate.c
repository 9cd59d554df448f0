#include "cli.h"
#include "mq_validate.h"
#include "sim_status.h"

#include <getopt.h>
#include <math.h>
#include <string.h>

static void help(FILE *f)
{
    fprintf(f,
            "usage: refugesim validate [--reps N] [--seed S] [--threads T]\n"
            "Runs the built-in analytic cases (Erlang B with exponential, lognormal and\n"
            "constant stays, Erlang C, Erlang A with abandonment) and prints the simulated\n"
            "value with its 95%% confidence interval next to theory.  A case passes when\n"
            "theory lies inside the 99.9%% interval (so eight cases rarely fail by chance);\n"
            "exit status 1 if any case fails.\n"
            "  --reps N     replications per case (2..100000, default 40)\n"
            "  --seed S     master seed (default 20260101)\n"
            "  --threads T  OpenMP threads (default: OMP_NUM_THREADS, else all cores)\n");
}

int cmd_validate(int argc, char **argv)
{
    static const struct option opts[] = {
        {"reps", required_argument, 0, 'r'}, {"seed", required_argument, 0, 's'},
        {"threads", required_argument, 0, 't'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    long reps = 40, threads = 0;
    uint64_t seed = 20260101;
    int c;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "r:s:t:h", opts, "validate")) != -1) {
        switch (c) {
        case 'r': if (cli_parse_long("--reps", optarg, 2, 100000, &reps)) return CLI_EXIT_USAGE; break;
        case 's': if (cli_parse_u64("--seed", optarg, &seed)) return CLI_EXIT_USAGE; break;
        case 't': if (cli_parse_long("--threads", optarg, 1, 4096, &threads)) return CLI_EXIT_USAGE; break;
        case 'h': help(stdout); return CLI_EXIT_OK;
        default: help(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_error("validate: unexpected argument '%s'", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    cli_install_signals();
    printf("%-42s %-9s %10s %21s %10s %7s %5s\n", "case", "theory", "simulated", "95% CI",
           "expected", "in 95%", "pass");
    int failures = 0;
    for (size_t i = 0; i < mq_case_count(); i++) {
        const mq_case *k = mq_case_at(i);
        sim_summary s;
        int rc = mq_case_run(k, seed, (size_t)reps, (int)threads, &cli_stop, &s);
        if (rc == SIM_EINTR) {
            cli_error("validate: interrupted in case '%s': the cases before it are above", k->name);
            return CLI_EXIT_FAIL;
        }
        if (rc != SIM_OK) {
            cli_error("validate: case '%s': %s", k->name, sim_strerror(rc));
            return CLI_EXIT_FAIL;
        }
        int in95 = mq_case_covers(&s, k->theory, 0.95);
        int pass = mq_case_covers(&s, k->theory, 0.999);
        failures += !pass;
        char ci[64];
        snprintf(ci, sizeof ci, "[%.5f, %.5f]", s.mean - s.ci95, s.mean + s.ci95);
        printf("%-42s %-9s %10.5f %21s %10.5f %7s %5s\n", k->name, k->theory_name, s.mean, ci,
               k->theory, in95 ? "yes" : "no", pass ? "ok" : "FAIL");
    }
    printf("%zu cases, %d failed (%ld replications each, seed %llu)\n", mq_case_count(),
           failures, reps, (unsigned long long)seed);
    return failures ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
