/* capacity -o: the file holds every capacity the search tried, each run
 * again at the largest replication count the search used, as README says. */
#include "test_shell.h"

#include "an_h5.h"
#include "sim_status.h"

Test(capacity_file, every_capacity_at_the_searchs_largest_replications, .init = ts_make_dir,
     .fini = ts_remove_dir, .timeout = 120)
{
    cr_assert_eq(ts_sh("cd '%s' && '%s' capacity '%s/scenarios/leicestershire-county.yaml' "
                       "--target 'refused_of_eligible<=0.2' --reps 10 --max-reps 40 --min 40 "
                       "--max 50 --threads 2 -o c.h5", ts_dir, ts_prog(), ts_root()), 0, "%s", ts_out);
    /* the printed lines: spaces, reps, estimate, verdict */
    long most = 0, tried = 0;
    for (const char *l = ts_out; (l = strchr(l, '\n')); l++) {
        long sp, reps;
        if (sscanf(l + 1, "%ld %ld", &sp, &reps) == 2 && sp >= 40 && sp <= 50) {
            tried++;
            if (reps > most)
                most = reps;
        }
    }
    cr_assert(tried >= 2 && most > 10, "%s", ts_out);
    char path[600];
    snprintf(path, sizeof path, "%s/c.h5", ts_dir);
    an_h5_file *f;
    cr_assert_eq(an_h5_open(path, &f), SIM_OK);
    const an_h5_info *info = an_h5_get_info(f);
    cr_expect_eq((long)info->n_points, tried);
    for (size_t i = 0; i < info->n_points; i++)
        cr_expect_eq((long)an_h5_point_at(f, i)->n_reps, most, "point %zu", i);
    an_h5_close(f);
}
