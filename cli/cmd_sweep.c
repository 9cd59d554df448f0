#include "cli.h"

/* Placeholder until the command lands. */
int cmd_sweep(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("'sweep' is not implemented yet");
    return CLI_EXIT_FAIL;
}
