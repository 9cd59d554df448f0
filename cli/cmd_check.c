#include "cli.h"

/* Placeholder until the command lands. */
int cmd_check(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("'check' is not implemented yet");
    return CLI_EXIT_FAIL;
}
