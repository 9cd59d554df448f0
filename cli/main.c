/* refugesim: parallel discrete-event simulation of refuge capacity. */
#include "cli.h"
#include "sim_farm.h"
#include "sim_status.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>
#include <hdf5.h>

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
    int uses_ranks;          /* spreads work over MPI ranks */
} commands[] = {
    {"run", cmd_run, "run a scenario and print the summary (default: the county at 21 and 70 spaces)", 1},
    {"check", cmd_check, "validate a scenario file and print it resolved", 0},
    {"validate", cmd_validate, "compare the engine with queueing theory (Erlang B, C, A)", 0},
    {"mmcc", cmd_mmcc, "one M/G/c/c loss system against Erlang B", 0},
    {"sweep", cmd_sweep, "run a grid of scenario points into one results file", 1},
    {"compare", cmd_compare, "alternatives against a baseline: paired differences with 95% intervals", 1},
    {"capacity", cmd_capacity, "smallest number of spaces meeting a target", 1},
    {"optimise", cmd_optimise, "the best mix of extra units for a budget (greedy, then swaps)", 1},
    {"report", cmd_report, "tables, CSV and plots from a results file", 0},
    {"rerun", cmd_rerun, "repeat the run stored in a results file", 1},
    {"calibrate", cmd_calibrate, "fit scenario values to observed figures (Brent, Nelder-Mead)", 1},
    {"warmup", cmd_warmup, "estimate the warm-up by MSER-5 and check the scenario's", 1},
    {"merge", cmd_merge, "join the parts of a sweep (sweep --points) into one results file", 0},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: refugesim COMMAND [OPTIONS] [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'refugesim COMMAND --help' describes one command.\n"
               "Exit status: 0 ok, 1 runtime failure, 2 usage or input error.\n");
}

/* Standard output is the reader's: `refugesim report f.h5 --csv d | head`
 * closing the pipe early must not kill the program before its files are
 * written, so SIGPIPE is ignored (main) and a write to a closed pipe just
 * fails.  Any other failure to write standard output (a full disk) is an
 * error.  Files the program writes check their own errors. */
static int finish_stdout(int rc)
{
    if (fflush(stdout) == 0 && !ferror(stdout))
        return rc;
    int e = errno;
    struct pollfd p = {.fd = STDOUT_FILENO, .events = POLLOUT};
    if (e == EPIPE || (poll(&p, 1, 0) == 1 && (p.revents & POLLERR)))
        return rc;                       /* the reader stopped reading */
    cli_error("writing to standard output failed: %s", strerror(e));
    return rc == CLI_EXIT_OK ? CLI_EXIT_FAIL : rc;
}

static char *join_args(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = malloc(len);
    if (!s)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

int main(int argc, char **argv)
{
    /* Library failures become status codes; the CLI words them. */
    gsl_set_error_handler_off();
    /* before any other HDF5 call: HDF5's exit-time cleanup crashes after a
     * close that failed on a full disk; every file is closed explicitly.
     * It does not start the library: a run with no file never pays the
     * 2 ms of HDF5's start-up (an_h5_open and an_h5_create silence its
     * error printing when they start it). */
    H5dont_atexit();
    signal(SIGPIPE, SIG_IGN);

    int farm = sim_farm_init(&argc, &argv);
    if (farm == SIM_EINVAL) {
        cli_error("REFUGESIM_MPI_TIMEOUT: expected a number of seconds, 0 to wait forever, "
                  "got '%s'", getenv("REFUGESIM_MPI_TIMEOUT"));
        return CLI_EXIT_USAGE;
    }
    if (farm != 0) {
        cli_error("cannot start MPI");
        return CLI_EXIT_FAIL;
    }
    atexit(sim_farm_finalize);
    if (cli_check_environment())
        return CLI_EXIT_USAGE;
    char *cmdline = join_args(argc, argv);
    cli_command_line = cmdline ? cmdline : "";

    if (argc < 2) {
        usage(stderr);
        free(cmdline);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
        usage(stdout);
        free(cmdline);
        return CLI_EXIT_OK;
    }
    if (!strcmp(name, "--version") || !strcmp(name, "version")) {
        printf("refugesim %s (%s)\n", RS_VERSION, RS_GIT_COMMIT);
        free(cmdline);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(name, commands[i].name)) {
            if (sim_farm_rank() != 0) {
                /* Under MPI only commands that farm out simulations use the
                 * other ranks; rank 0 alone prints. */
                if (!commands[i].uses_ranks) {
                    free(cmdline);
                    return CLI_EXIT_OK;
                }
                if (!freopen("/dev/null", "w", stdout))
                    return CLI_EXIT_FAIL;
            }
            int rc = commands[i].fn(argc - 1, argv + 1);
            free(cmdline);
            int silent;
            if (sim_farm_timed_out(&silent)) {
                /* MPI's finalize would wait for the silent rank forever */
                char who[32] = "another rank";
                if (silent >= 0)
                    snprintf(who, sizeof who, "rank %d", silent);
                fprintf(stderr, "refugesim: rank %d: error: no word from %s for %g s (stopped or "
                        "lost?): ending the whole job (REFUGESIM_MPI_TIMEOUT sets the limit)\n",
                        sim_farm_rank(), who, sim_farm_timeout());
                fflush(NULL);
                sim_farm_abort(CLI_EXIT_FAIL);
            }
            return finish_stdout(rc);
        }
    char names[512];
    size_t n = 0;
    for (size_t i = 0; i < N_COMMANDS && n < sizeof names; i++)
        n += (size_t)snprintf(names + n, sizeof names - n, "%s%s", i ? ", " : "", commands[i].name);
    cli_error("unknown command '%s' (accepted: %s)", name, names);
    free(cmdline);
    return CLI_EXIT_USAGE;
}
