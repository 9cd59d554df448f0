#include "cli.h"

/* Placeholder until the command lands. */
int cmd_rerun(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    cli_error("'rerun' is not implemented yet");
    return CLI_EXIT_FAIL;
}
