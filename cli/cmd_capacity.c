#include "cli.h"

/* Placeholder until the command lands. */
int cmd_capacity(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("'capacity' is not implemented yet");
    return CLI_EXIT_FAIL;
}
