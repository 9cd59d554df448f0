/* A point's stored scenario is the whole of it: after spaces / extra[...]
 * its unit counts are written out, so the text alone gives the point's
 * results, rerun repeats a compare or sweep of such points exactly, and
 * the unit mix is in the file as a table. */
#include "test_shell.h"

#define COUNTY "'%s/scenarios/leicestershire-county.yaml'"

static void expect_rerun_identical(const char *file)
{
    cr_assert_eq(ts_sh("cd '%s' && %s rerun %s -o again.h5 --force", ts_dir, ts_prog(), file), 0,
                 "%s", ts_out);
    cr_expect(strstr(ts_out, "identical to the stored results"), "%s", ts_out);
}

Test(point_scenario, rerun_of_a_compare_with_spaces_and_extra_is_identical, .init = ts_make_dir,
     .fini = ts_remove_dir)
{
    cr_assert_eq(ts_sh("cd '%s' && %s compare " COUNTY " --vs spaces=40 --vs "
                       "'extra[county refuges]=5' --reps 3 -o c.h5", ts_dir, ts_prog(), ts_root()),
                 0, "%s", ts_out);
    expect_rerun_identical("c.h5");
}

Test(point_scenario, rerun_of_sweeps_over_pseudo_keys_is_identical, .init = ts_make_dir,
     .fini = ts_remove_dir)
{
    static const char *const vary[] = {"sweep " COUNTY " --vary 'extra[county refuges]=0,5'",
                                       "sweep " COUNTY " --vary spaces=14,40 --vary "
                                       "'extra[county refuges]=0,3'",
                                       "run " COUNTY " --set spaces=30"};
    for (size_t i = 0; i < sizeof vary / sizeof vary[0]; i++) {
        char args[512];
        snprintf(args, sizeof args, vary[i], ts_root());
        cr_assert_eq(ts_sh("cd '%s' && %s %s --reps 3 -o s.h5 --force", ts_dir, ts_prog(), args),
                     0, "%s", ts_out);
        expect_rerun_identical("s.h5");
    }
}

/* The stored text run on its own gives the point's results, bit for bit,
 * and the unit table adds up to the point's units. */
Test(point_scenario, the_stored_text_alone_gives_the_point, .init = ts_make_dir,
     .fini = ts_remove_dir)
{
    if (!ts_have_python("h5py"))
        cr_skip_test("python3 h5py is missing");
    cr_assert_eq(ts_sh("cd '%s' && %s sweep " COUNTY " --vary 'extra[county refuges]=0,5' "
                       "--vary spaces=30 --reps 3 -o s.h5", ts_dir, ts_prog(), ts_root()),
                 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && /usr/bin/python3 -c \"\n"
                       "import h5py\n"
                       "f = h5py.File('s.h5')\n"
                       "open('p1.yaml', 'w').write(f['points/1/scenario'][()].decode())\n"
                       "u = f['points/1/units'][()]\n"
                       "print(sum(int(r['units']) for r in u), f['point_table']['total_units'][1])\n"
                       "print(sorted(r['block'].decode() for r in u))\n"
                       "print(repr(f['points/1/metrics/placed'][()].tolist()))\n"
                       "\"", ts_dir), 0, "%s", ts_out);
    cr_expect(!strncmp(ts_out, "35 35\n['', 'accessible', 'male and pets']\n", 42), "%s", ts_out);
    char stored[4096];
    snprintf(stored, sizeof stored, "%s", strchr(strchr(ts_out, '\n') + 1, '\n') + 1);
    cr_assert_eq(ts_sh("cd '%s' && %s run p1.yaml --reps 3 -o p1.h5 >/dev/null && /usr/bin/python3 "
                       "-c \"import h5py; print(repr(h5py.File('p1.h5')['points/0/metrics/placed']"
                       "[()].tolist()))\"", ts_dir, ts_prog()), 0, "%s", ts_out);
    cr_expect_str_eq(ts_out, stored);
}

/* A file written before unit counts were written out: its texts are the
 * scenario before spaces / extra, which rerun still applies (the new file
 * has datasets the old one lacks, so the values are compared here). */
Test(point_scenario, rerun_of_a_file_without_counts_applies_the_pseudo_keys, .init = ts_make_dir,
     .fini = ts_remove_dir)
{
    if (!ts_have_python("h5py"))
        cr_skip_test("python3 h5py is missing");
    cr_assert_eq(ts_sh("cd '%s' && %s sweep " COUNTY " --vary 'extra[county refuges]=0,5' "
                       "--reps 3 -o s.h5 && %s check " COUNTY " > base.yaml", ts_dir, ts_prog(),
                       ts_root(), ts_prog(), ts_root()), 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && /usr/bin/python3 -c \"\n"
                       "import h5py\n"
                       "f = h5py.File('s.h5', 'r+')\n"
                       "base = open('base.yaml').read()\n"
                       "for i in range(2):\n"
                       "    del f['points/%%d/scenario' %% i]\n"
                       "del f['scenario']\n"
                       "f['scenario'] = base\n"
                       "\"", ts_dir), 0, "%s", ts_out);
    ts_sh("cd '%s' && %s rerun s.h5 -o again.h5", ts_dir, ts_prog());
    cr_assert_eq(ts_sh("cd '%s' && /usr/bin/python3 -c \"\n"
                       "import h5py\n"
                       "a, b = h5py.File('s.h5'), h5py.File('again.h5')\n"
                       "for i in range(2):\n"
                       "    for m in ('placed', 'refused_no_space', 'occupancy'):\n"
                       "        x, y = a['points/%%d/metrics/%%s' %% (i, m)][()], b['points/%%d/metrics/%%s' %% (i, m)][()]\n"
                       "        assert x.tobytes() == y.tobytes(), (i, m, x, y)\n"
                       "print(b['point_table']['total_units'][1])\n"
                       "\"", ts_dir), 0, "%s", ts_out);
    cr_expect_str_eq(ts_out, "26\n");
}
