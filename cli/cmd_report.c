#include "cli.h"

/* Placeholder until the command lands. */
int cmd_report(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("'report' is not implemented yet");
    return CLI_EXIT_FAIL;
}
