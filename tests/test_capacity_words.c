/* capacity's lines say "1 space", not "1 spaces", and keep their colons
 * in one column (issue 17). */
#include "test_shell.h"

TestSuite(capacity_words, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 120);

#define CAP "'%s' capacity '%s/scenarios/leicestershire-county.yaml' --reps 10 --set horizon=365 "

Test(capacity_words, one_space_is_singular)
{
    cr_assert_eq(ts_sh(CAP "--target 'refused_no_space<=0.99' --min 1 --max 2", ts_prog(),
                       ts_root()), 0, "%s", ts_out);
    const char *one = strstr(ts_out, "       1 space: "), *two = strstr(ts_out, "      2 spaces: ");
    cr_expect(one && two, "%s", ts_out);
    cr_expect(strstr(ts_out, "answer: 1 space meets refused_no_space <= 0.99"), "%s", ts_out);
    cr_expect(!strstr(ts_out, "1 spaces"), "%s", ts_out);
    cr_expect_eq(ts_sh(CAP "--target 'refused_no_space<=0.01' --min 1 --max 1", ts_prog(),
                       ts_root()), 1, "%s", ts_out);
    cr_expect(strstr(ts_out, "no capacity up to 1 space meets refused_no_space <= 0.01"), "%s",
              ts_out);
    cr_expect(!strstr(ts_out, "1 spaces"), "%s", ts_out);
}
