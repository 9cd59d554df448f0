/* Every function the cli headers declare is called somewhere (a declared
 * but unused helper is a warning meant for somewhere that does not get
 * it), and warmup warns of overload in run's words, from the one helper
 * (issue 17). */
#include "test_shell.h"

TestSuite(cli_functions, .timeout = 120);

Test(cli_functions, every_declared_cli_function_is_used)
{
    /* used: named in the cli sources more often than in its definition alone */
    cr_assert_eq(ts_sh("cd '%s' && for n in $(grep -ho '\\bcli_[a-z0-9_]*(' cli/*.h | sort -u | "
                       "tr -d '('); do c=$(cat cli/*.c | grep -ow \"$n\" | wc -l); "
                       "[ \"$c\" -lt 2 ] && echo \"unused: $n\"; done; true", ts_root()), 0, "%s",
                 ts_out);
    cr_expect_eq(ts_out[0], '\0', "%s", ts_out);
}

Test(cli_functions, warmup_warns_of_overload_as_run_does)
{
    /* warmup runs warmup 0 for warm-up plus horizon: run on those is the same series */
    const char *over = "--set waiting.p_wait=1 --set referrals.per_year=1500 --reps 20";
    cr_assert_eq(ts_sh("'%s' warmup '%s/scenarios/mmcc.yaml' %s --set horizon=1095 2>&1 >/dev/null | cat",
                       ts_prog(), ts_root(), over), 0, "%s", ts_out);
    static char warm[sizeof ts_out];
    memcpy(warm, ts_out, sizeof warm);
    cr_assert(strstr(warm, "refugesim: warning: no steady state: demand exceeds what the units "
                           "can serve; averages depend on the horizon (the waiting list grows by "),
              "%s", warm);
    cr_expect_eq(strchr(warm, '\n'), warm + strlen(warm) - 1, "one line: %s", warm);
    cr_assert_eq(ts_sh("'%s' run '%s/scenarios/mmcc.yaml' %s --set horizon=1460 --set warmup=0 "
                       "2>&1 >/dev/null | grep 'no steady state'", ts_prog(), ts_root(), over), 0,
                 "%s", ts_out);
    cr_expect_str_eq(ts_out, warm);
}
