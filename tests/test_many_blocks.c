/* A service's units in up to RF_MAX_BLOCKS blocks, each block in its own
 * area, so that every area of a network of hundreds can have units: the
 * blocks past the eighth get unit streams of their own without moving the
 * first eight's (the keys scenarios had when a service had at most 8
 * blocks: their outages stay the same bits), every block's units are used
 * and counted in their area, and one block too many is refused by check. */
#include <criterion/criterion.h>
#include <stdio.h>
#include "rf_model.h"
#include "test_shell.h"

/* The unit stream keys: the old ones for blocks 0-7, all distinct, and
 * clear of the next service's range of units (2^16 a block). */
Test(many_blocks, unit_stream_keys_keep_the_first_eight_and_never_collide)
{
    static unsigned char seen[RF_MAX_SERVICES * RF_MAX_BLOCKS];
    for (int s = 0; s < RF_MAX_SERVICES; s++)
        for (int b = 0; b < RF_MAX_BLOCKS; b++) {
            uint64_t k = rf_unit_stream_block(s, b);
            if (b < 8)
                cr_assert_eq(k, (uint64_t)s * 8 + (uint64_t)b, "service %d block %d", s, b);
            cr_assert_lt(k, sizeof seen, "service %d block %d", s, b);
            cr_assert_eq(seen[k], 0, "service %d block %d shares a key", s, b);
            seen[k] = 1;
        }
}

/* n areas 10 km apart on a line, one service with a block of 2 units in each
 * (n blocks; the service's own units all carved out), placements within
 * 15 km, half the referrals must leave. */
static void write_line(const char *path, int n)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fprintf(f, "name: line of %d areas\nhorizon: 730\nwarmup: 60\nreplications: 4\nseed: 11\n"
               "referrals: {per_year: %d}\nareas: [", n, 8 * n);
    for (int a = 0; a < n; a++)
        fprintf(f, "%sa%d", a ? ", " : "", a);
    fprintf(f, "]\nnetwork:\n  p_leave: 0.5\n  max_km: 15\n  areas:\n");
    for (int a = 0; a < n; a++)
        fprintf(f, "    - {name: a%d, x_km: %d, y_km: 0}\n", a, 10 * a);
    fprintf(f, "services:\n  - name: refuge\n    units: %d\n    largest_family: 8\n"
               "    stay: {dist: exponential, mean: 40}\n    blocks:\n", 2 * n);
    for (int a = 0; a < n; a++)
        fprintf(f, "      - {name: b%d, units: 2, area: a%d}\n", a, a);
    fclose(f);
}

Test(many_blocks, units_in_every_block_of_a_service_are_placed_in_their_area, .timeout = 300)
{
    ts_make_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/line.yaml", ts_dir);
    write_line(path, RF_MAX_BLOCKS);
    cr_assert_eq(ts_sh("cd '%s' && '%s' check line.yaml && '%s' run line.yaml -o l.h5 > run.txt && "
                       "'%s' report l.h5 --csv csv > /dev/null", ts_dir, ts_prog(), ts_prog(),
                       ts_prog()), 0, "%s", ts_out);
    /* every area has its 2 units, and placements into them, in every replication */
    cr_assert_eq(ts_sh("cd '%s' && awk -F, 'NR > 1 && ($15 != 2 || $13 == 0) {bad++} NR > 1 {n++} "
                       "END {print n, bad + 0}' csv/areas.csv", ts_dir), 0, "%s", ts_out);
    char want[64];
    snprintf(want, sizeof want, "%d 0\n", 4 * RF_MAX_BLOCKS);
    cr_assert_str_eq(ts_out, want, "rows, rows without units or placements: %s", ts_out);
    /* and every referral ends in one outcome, nationally */
    cr_assert_eq(ts_sh("cd '%s' && awk -F, 'NR > 1 && $4 != $5 + $6 + $7 + $8 + $9 + $10 + $11 + $12 "
                       "{bad++} END {print bad + 0}' csv/areas.csv", ts_dir), 0, "%s", ts_out);
    cr_assert_str_eq(ts_out, "0\n", "areas whose referrals do not add up: %s", ts_out);
    ts_remove_dir();
}

Test(many_blocks, one_block_too_many_is_refused_by_check, .timeout = 60)
{
    ts_make_dir();
    char path[512];
    snprintf(path, sizeof path, "%s/line.yaml", ts_dir);
    write_line(path, RF_MAX_BLOCKS + 1);
    cr_assert_eq(ts_sh("cd '%s' && '%s' check line.yaml", ts_dir, ts_prog()), 2, "%s", ts_out);
    char want[128];
    snprintf(want, sizeof want, "at most %d", RF_MAX_BLOCKS);
    cr_assert(strstr(ts_out, "services[0].blocks") && strstr(ts_out, want), "%s", ts_out);
    ts_remove_dir();
}
