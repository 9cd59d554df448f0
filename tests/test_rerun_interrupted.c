/* rerun of an interrupted run is refused, never recomputed with the run's
 * scenario and written as complete (issue 17, item 7). */
#include "test_h5_fixture.h"

#include <sys/stat.h>
#include <sys/wait.h>

Test(rerun_interrupted, refused_with_exit_2, .timeout = 60)
{
    const char *prog = getenv("RS_PROGRAM");
    cr_assert_not_null(prog, "RS_PROGRAM must name the built refugesim");
    static const unsigned char half[4] = {1, 1, 0, 0};
    const unsigned char *const done[FX_POINTS] = {NULL, half};
    for (int complete = 0; complete < 2; complete++) {
        fixture fx;
        fx_setup(&fx, complete ? done : NULL, complete);
        char cmd[1200], out[400];
        snprintf(out, sizeof out, "%s/again.h5", fx.dir);
        snprintf(cmd, sizeof cmd, "'%s' rerun '%s' -o '%s' > '%s/log' 2>&1", prog, fx.path, out, fx.dir);
        int rc = system(cmd);
        cr_expect(WIFEXITED(rc) && WEXITSTATUS(rc) == 2, "complete=%d: exit %d", complete, WEXITSTATUS(rc));
        snprintf(cmd, sizeof cmd, "grep -q 'the run was interrupted' '%s/log'", fx.dir);
        cr_expect_eq(system(cmd), 0, "complete=%d: no message", complete);
        struct stat sb;
        cr_expect_neq(stat(out, &sb), 0, "a file was written");
        fx_teardown(&fx);
    }
}
