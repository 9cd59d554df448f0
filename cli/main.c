/* refugesim: parallel discrete-event simulation of refuge capacity. */
#include "cli.h"
#include "sim_farm.h"

#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <hdf5.h>

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *summary;
} commands[] = {
    {"run", cmd_run, "run a scenario and print the summary (default: the county at 21 and 70 spaces)"},
    {"check", cmd_check, "validate a scenario file and print it resolved"},
    {"validate", cmd_validate, "compare the engine with queueing theory (Erlang B, C, A)"},
    {"mmcc", cmd_mmcc, "one M/G/c/c loss system against Erlang B"},
    {"sweep", cmd_sweep, "run a grid of scenario points into one results file"},
    {"capacity", cmd_capacity, "smallest number of spaces meeting a target"},
    {"report", cmd_report, "tables, CSV and plots from a results file"},
    {"rerun", cmd_rerun, "repeat the run stored in a results file"},
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
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);

    if (sim_farm_init(&argc, &argv) != 0) {
        cli_error("cannot start MPI");
        return CLI_EXIT_FAIL;
    }
    atexit(sim_farm_finalize);
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
            int rc = commands[i].fn(argc - 1, argv + 1);
            free(cmdline);
            return rc;
        }
    cli_error("unknown command '%s' (accepted: run, check, validate, mmcc, sweep, capacity, "
              "report, rerun)", name);
    free(cmdline);
    return CLI_EXIT_USAGE;
}
