#include "cli.h"

/* Placeholder until the command lands. */
int cmd_run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("'run' is not implemented yet");
    return CLI_EXIT_FAIL;
}
