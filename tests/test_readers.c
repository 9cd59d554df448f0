/* Planners read results files in Python and R: README's reader examples
 * (h5py, PyTables, R's rhdf5), run as written on a fresh sweep, give data
 * frames with the columns and values `refugesim report --csv` writes.
 * The R test skips without rhdf5 (`make deps-r`), unless RS_REQUIRE_R is set
 * (`make test-r`, which CI runs). */
#include "test_shell.h"

static void sweep_and_csv(void)
{
    ts_make_dir();
    /* the city has a waiting list: monthly levels that are not all zero; a
     * key with a dot is a column name made safe */
    cr_assert_eq(ts_sh("cd '%s' && %s sweep '%s/scenarios/leicester-city-2021.yaml' "
                       "--vary spaces=80,94 --vary referrals.per_year=700,789 --reps 4 "
                       "--set horizon=730 -o sweep.h5 > /dev/null && "
                       "%s report sweep.h5 --csv csv > /dev/null", ts_dir, ts_prog(), ts_root(),
                       ts_prog()), 0, "%s", ts_out);
}

static void check(const char *mode)
{
    cr_assert_eq(ts_sh("/usr/bin/python3 '%s/tests/py/check_readers.py' %s '%s/README.md' '%s'",
                       ts_root(), mode, ts_root(), ts_dir), 0, "%s", ts_out);
    cr_assert(strstr(ts_out, "ok\n"), "%s", ts_out);
}

Test(readers, h5py_example_gives_the_report_csv_data_frames, .init = sweep_and_csv,
     .fini = ts_remove_dir)
{
    if (!ts_have_python("h5py,numpy,pandas"))
        cr_skip_test("h5py or pandas is missing: make deps installs python3-h5py and python3-pandas");
    check("python");
}

Test(readers, pytables_example_gives_the_report_csv_data_frames, .init = sweep_and_csv,
     .fini = ts_remove_dir)
{
    if (!ts_have_python("h5py,pandas,tables"))
        cr_skip_test("PyTables or pandas is missing: make deps installs python3-tables and python3-pandas");
    check("pytables");
}

/* Every table in the HDF5 Table layout (H5TB: CLASS=TABLE, TITLE,
 * FIELD_n_NAME), so PyTables reads each without a warning. */
Test(readers, every_table_is_in_the_hdf5_table_layout, .init = sweep_and_csv,
     .fini = ts_remove_dir)
{
    if (!ts_have_python("h5py,numpy,tables"))
        cr_skip_test("PyTables is missing: make deps installs python3-tables");
    cr_assert_eq(ts_sh("cd '%s' && /usr/bin/python3 '%s/tests/py/check_readers.py' table-layout .",
                       ts_dir, ts_root()), 0, "%s", ts_out);
}

Test(readers, rhdf5_example_gives_the_report_csv_data_frames, .init = sweep_and_csv,
     .fini = ts_remove_dir, .timeout = 120)
{
    if (system("Rscript -e 'suppressMessages(library(rhdf5))' >/dev/null 2>&1") != 0) {
        if (getenv("RS_REQUIRE_R") && *getenv("RS_REQUIRE_R"))
            cr_assert_fail("RS_REQUIRE_R is set but Rscript cannot load rhdf5 (make deps-r)");
        cr_skip_test("R's rhdf5 is missing: make deps-r (or make test-r) installs r-bioc-rhdf5");
    }
    cr_assert_eq(ts_sh("Rscript '%s/tests/r/check_readers.R' '%s/README.md' '%s'", ts_root(),
                       ts_root(), ts_dir), 0, "%s", ts_out);
    cr_assert(strstr(ts_out, "ok\n"), "%s", ts_out);
}
