/* --resume after a change is an error, not a fresh start: a killed sweep's
 * checkpoints are refused when the scenario, --set, --vary, --reps, --seed
 * or --points changed (the message names what changed, exit 2, the checkpoints are
 * kept); a damaged checkpoint is refused naming the file, never merged; and
 * the unchanged resume still gives the bits of an uninterrupted sweep. */
#include "test_shell.h"

/* 20 capacities x 40 replications of one year, one thread: long enough to
 * be killed after a few points. */
#define OPTIONS "--vary spaces=10:200:10 --reps 40 --set horizon=365"
#define SWEEP "sweep '%s/s.yaml' " OPTIONS " --threads 1"

/* A sweep killed (SIGKILL) after 3 points, its checkpoints copied to
 * saved.ckpt; the copied scenario is s.yaml. */
static void killed_sweep(void)
{
    cr_assert_eq(ts_sh("cp '%s/scenarios/leicestershire-county.yaml' '%s/s.yaml'", ts_root(), ts_dir),
                 0, "%s", ts_out);
    cr_assert_eq(ts_sh("cd '%s' && (exec %s " SWEEP " -o res.h5 > /dev/null 2>&1) & pid=$!; n=0; "
                       "while [ $(ls '%s/res.h5.ckpt' 2>/dev/null | grep -c 'bin$') -lt 3 ] "
                       "&& kill -0 $pid 2>/dev/null && [ $n -lt 30000 ]; do sleep 0.01; "
                       "n=$((n+1)); done; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null; st=$?; "
                       "cp -r '%s/res.h5.ckpt' '%s/saved.ckpt'; exit $st",
                       ts_dir, ts_prog(), ts_dir, ts_dir, ts_dir, ts_dir), 137,
                 "the sweep finished before it could be killed: %s", ts_out);
    cr_assert_eq(ts_sh("ls '%s/saved.ckpt' | grep -c 'bin$'", ts_dir), 0);
    cr_assert_geq(atoi(ts_out), 3, "%s", ts_out);
}

/* Resume with another scenario file or other options (NULL: the sweep's):
 * exit 2 naming `what`, and the checkpoints are left as they were. */
static void refused(const char *scenario, const char *options, const char *what)
{
    char ck[320], saved[320];
    snprintf(ck, sizeof ck, "%s/res.h5.ckpt", ts_dir);
    snprintf(saved, sizeof saved, "%s/saved.ckpt", ts_dir);
    cr_assert_eq(ts_sh("cd '%s' && %s sweep '%s' %s --threads 1 --resume -o res.h5", ts_dir, ts_prog(),
                       scenario, options ? options : OPTIONS), 2, "%s: %s", what, ts_out);
    cr_assert(strstr(ts_out, "refugesim: error: --resume: the checkpoints in "), "%s", ts_out);
    cr_assert(strstr(ts_out, "are of another run: "), "%s", ts_out);
    cr_assert(strstr(ts_out, what), "expected \"%s\" in: %s", what, ts_out);
    cr_assert(strstr(ts_out, "; run without --resume to start over"), "%s", ts_out);
    cr_assert_eq(strchr(ts_out, '\n'), ts_out + strlen(ts_out) - 1, "one line: %s", ts_out);
    cr_assert_eq(ts_sh("diff -r '%s' '%s'", ck, saved), 0, "the checkpoints changed: %s", ts_out);
}

Test(resume, a_change_is_refused_naming_it, .init = ts_make_dir, .fini = ts_remove_dir,
     .timeout = 300)
{
    killed_sweep();
    char s[300], t[300];
    snprintf(s, sizeof s, "%s/s.yaml", ts_dir);
    snprintf(t, sizeof t, "%s/t.yaml", ts_dir);
    refused(s, OPTIONS " --reps 41", "--reps changed (40, now 41)"); /* the last --reps counts */
    refused(s, OPTIONS " --seed 7", "--seed changed (2022, now 7)");
    refused(s, "--vary spaces=10:210:10 --reps 40 --set horizon=365",
            "--vary changed (spaces=10,20,30,40,50,60,70,80,90,100,110,120,130,140,150,160,170,180,"
            "190,200, now spaces=10,20,30,40,50,60,70,80,90,100,110,120,130,140,150,160,170,180,"
            "190,200,210)");
    refused(s, OPTIONS " --points 0:5", "--points changed (all, now 0:5)");
    refused(s, OPTIONS " --set warmup=300", "--set changed (horizon=365, now horizon=365 warmup=300)");
    cr_assert_eq(ts_sh("sed 's/^  per_year: 171 /  per_year: 172 /' '%s' > '%s' && ! cmp -s '%s' '%s'",
                       s, t, s, t), 0, "%s", ts_out);
    refused(t, NULL, "the scenario changed");
}

Test(resume, unchanged_gives_the_same_bits_and_a_damaged_checkpoint_is_refused,
     .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 300)
{
    killed_sweep();
    /* one byte flipped in the middle of a checkpoint */
    cr_assert_eq(ts_sh("cd '%s/res.h5.ckpt' && f=$(ls | grep 'bin$' | head -1) && "
                       "/usr/bin/python3 -c \"import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); "
                       "b[len(b)//2]^=1; open(p,'wb').write(b)\" $f && echo $f", ts_dir), 0,
                 "%s", ts_out);
    char bad[64];
    snprintf(bad, sizeof bad, "%.*s", (int)strcspn(ts_out, "\n"), ts_out);
    cr_assert_eq(ts_sh("cd '%s' && %s " SWEEP " --resume -o res.h5", ts_dir, ts_prog(), ts_dir), 2,
                 "%s", ts_out);
    cr_assert(strstr(ts_out, "refugesim: error: --resume: "), "%s", ts_out);
    cr_assert(strstr(ts_out, bad), "the damaged file is not named: %s", ts_out);
    cr_assert(strstr(ts_out, "is damaged"), "%s", ts_out);
    /* the intact checkpoints resume to the uninterrupted sweep's bits */
    cr_assert_eq(ts_sh("(cd '%s' && rm -rf res.h5.ckpt && cp -r saved.ckpt res.h5.ckpt && "
                       "%s " SWEEP " --resume -o res.h5 && %s " SWEEP " -o ref.h5)",
                       ts_dir, ts_prog(), ts_dir, ts_prog(), ts_dir), 0, "%s", ts_out);
    cr_assert(strstr(ts_out, "resuming: "), "%s", ts_out);
    cr_assert_eq(ts_sh("/usr/bin/python3 '%s/tests/py/same_results.py' '%s/res.h5' '%s/ref.h5'",
                       ts_root(), ts_dir, ts_dir), 0, "resumed file differs: %s", ts_out);
}
