/* capacity -o interrupted writes the capacities evaluated so far, marked
 * incomplete, as an interrupted sweep does (issue 17, item 11). */
#include "test_shell.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "an_h5.h"
#include "sim_status.h"

TestSuite(capacity_partial, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 200);

Test(capacity_partial, interrupted_search_writes_what_it_evaluated)
{
    /* SIGINT once two capacities are decided (their lines on stderr) */
    char args[1024];
    snprintf(args, sizeof args, "capacity '%s/scenarios/leicestershire-county.yaml' "
             "--target 'refused_no_space<=0.05' --reps 40 --threads 1 -o cap.h5", ts_root());
    cr_assert_eq(ts_interrupt_when(" spaces: ", 2, args), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "rc=1\n"), "%s", ts_out);
    /* the count is the search's: the capacities decided before, 40 each */
    const char *count = strstr(ts_out, "interrupted: ");
    cr_assert(count, "%s", ts_out);
    cr_expect_geq(atol(count + strlen("interrupted: ")), 80, "%s", ts_out);
    cr_expect(strstr(ts_out, "results written to cap.h5 (incomplete: interrupted; the "), "%s",
              ts_out);
    char path[400];
    snprintf(path, sizeof path, "%s/cap.h5", ts_dir);
    an_h5_file *f = NULL;
    cr_assert_eq(an_h5_open(path, &f), SIM_OK, "%s", ts_out);
    const an_h5_info *info = an_h5_get_info(f);
    cr_expect_eq(info->complete, 0);
    cr_expect(info->n_vary == 1 && !strcmp(info->vary_keys[0], "spaces"));
    size_t with_reps = 0;
    for (size_t i = 0; i < info->n_points; i++) {
        const an_h5_point_row *r = an_h5_point_at(f, i);
        if (r->reps_done > 0) {
            with_reps++;
            cr_expect_eq(r->reps_done, r->n_reps);
            cr_expect_geq(r->n_reps, 40);
            cr_expect_eq((double)r->total_units, r->vary_values[0]);
        }
    }
    cr_expect_geq(with_reps, 2, "%zu capacities written: %s", with_reps, ts_out);
    an_h5_close(f);
    /* rerun refuses it, as any interrupted run */
    cr_expect_eq(ts_sh("cd '%s' && '%s' rerun cap.h5 -o again.h5", ts_dir, ts_prog()), 2, "%s",
                 ts_out);
}
