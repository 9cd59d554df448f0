/* compare --vs spaces=+N / spaces=-N are relative to the baseline's
 * spaces, refused below 1 space; a leading + anywhere else, where it
 * would set rather than add, is refused with a message (issue 17). */
#include "test_shell.h"

#include "an_h5.h"
#include "sim_status.h"

TestSuite(compare_relative, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 120);

#define COUNTY "'%s/scenarios/leicestershire-county.yaml'"

/* the total units of the file's points */
static void units_of(const char *name, int *units, size_t n)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s", ts_dir, name);
    an_h5_file *f = NULL;
    cr_assert_eq(an_h5_open(path, &f), SIM_OK, "%s", ts_out);
    cr_assert_eq(an_h5_get_info(f)->n_points, n);
    for (size_t i = 0; i < n; i++)
        units[i] = an_h5_point_at(f, i)->total_units;
    an_h5_close(f);
}

Test(compare_relative, plus_and_minus_add_to_the_baseline)
{
    cr_assert_eq(ts_sh("cd '%s' && '%s' compare " COUNTY " --vs spaces=+3 --vs spaces=-3 "
                       "--vs spaces=30 --set horizon=365 --reps 4 -o r.h5", ts_dir, ts_prog(),
                       ts_root()), 0, "%s", ts_out);
    cr_expect(strstr(ts_out, "spaces=+3 against the baseline"), "%s", ts_out);
    int u[4];
    units_of("r.h5", u, 4);
    cr_expect(u[0] == 21 && u[1] == 24 && u[2] == 18 && u[3] == 30, "%d %d %d %d", u[0], u[1],
              u[2], u[3]);
    /* relative to the baseline as --set makes it */
    cr_assert_eq(ts_sh("cd '%s' && '%s' compare " COUNTY " --set spaces=40 --vs spaces=+3 "
                       "--set horizon=365 --reps 4 -o s.h5", ts_dir, ts_prog(), ts_root()), 0,
                 "%s", ts_out);
    units_of("s.h5", u, 2);
    cr_expect(u[0] == 40 && u[1] == 43, "%d %d", u[0], u[1]);
}

Test(compare_relative, surprises_are_refused)
{
    static const struct {
        const char *cmd, *words;
    } cases[] = {
        {"compare " COUNTY " --vs spaces=-21",
         "error: --vs 'spaces=-21': the baseline has 21 spaces, so spaces=-21 leaves 0: an "
         "alternative needs at least 1 space"},
        {"compare " COUNTY " --vs spaces=+x",
         "error: --vs 'spaces=+x': spaces=+x: expected spaces=N, spaces=+N or spaces=-N"},
        {"compare " COUNTY " --vs 'referrals.per_year=+20'",
         "error: --vs 'referrals.per_year=+20': a leading + would set referrals.per_year to 20, "
         "not add 20 to the baseline's"},
        {"compare " COUNTY " --set spaces=+3 --vs spaces=30",
         "error: spaces=+3: a leading + would set 3 spaces, not add them"},
        {"run " COUNTY " --set spaces=+3",
         "error: --set: spaces=+3: a leading + would set 3, not add it"},
        {"sweep " COUNTY " --vary spaces=+3,+5 -o x.h5",
         "error: --vary: spaces=+3: a leading + would set 3, not add it"},
        {"sweep " COUNTY " --vary 'referrals.per_year=+20:+40:10' -o x.h5",
         "error: --vary: referrals.per_year: range '+20:+40:10': a leading + would set"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char cmd[1024];
        snprintf(cmd, sizeof cmd, cases[i].cmd, ts_root());
        int rc = ts_sh("cd '%s' && '%s' %s --reps 4", ts_dir, ts_prog(), cmd);
        cr_expect_eq(rc, 2, "%s: exit %d: %s", cmd, rc, ts_out);
        cr_expect(strstr(ts_out, cases[i].words), "%s: want '%s' in: %s", cmd, cases[i].words,
                  ts_out);
        cr_expect(!strchr(ts_out, '\n') || strchr(ts_out, '\n') == ts_out + strlen(ts_out) - 1,
                  "one line: %s", ts_out);
    }
    /* extra[S]=K adds already: a + there is what it says */
    cr_expect_eq(ts_sh("cd '%s' && '%s' compare " COUNTY " --vs 'extra[county refuges]=+2' "
                       "--set horizon=365 --reps 4", ts_dir, ts_prog(), ts_root()), 0, "%s", ts_out);
}
