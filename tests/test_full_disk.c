/* A full disk: one clear message, the temporary file removed, the previous
 * file kept, exit 1, never a crash (issue 17, item 3).  On a small tmpfs,
 * so only as root where mount(2) works; skipped otherwise. */
#include "test_shell.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

TestSuite(full_disk, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 180);

static int count(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

Test(full_disk, every_writer_fails_cleanly)
{
    char mnt[400], part[400], cmd[2048];
    snprintf(mnt, sizeof mnt, "%s/small", ts_dir);
    cr_assert_eq(mkdir(mnt, 0755), 0);
    if (geteuid() != 0 || mount("tmpfs", mnt, "tmpfs", 0, "size=160k") != 0)
        cr_skip_test("needs root and mount(2) for a small tmpfs: the full-disk case is not tried");
    snprintf(part, sizeof part, "%s/part.h5", ts_dir);
    int made = ts_sh("'%s' sweep %s/scenarios/leicestershire-county.yaml --reps 20 --vary spaces=21:70:7 "
                     "--points 0:7 -o '%s'", ts_prog(), ts_root(), part);
    const char *const writers[] = {
        "run %s/scenarios/leicestershire-county.yaml --reps 20",
        "sweep %s/scenarios/leicestershire-county.yaml --reps 20 --vary spaces=21:70:7",
        "capacity %s/scenarios/leicestershire-county.yaml --target 'refused_no_space<=0.3' --max 40",
        "merge %s",
        "rerun %s",
    };
    for (size_t w = 0; w < sizeof writers / sizeof writers[0] && made == 0; w++) {
        /* the previous results, and a filler that leaves a few kilobytes */
        cr_assert_eq(ts_sh("printf previous > '%s/x.h5' && (head -c 150k /dev/zero > '%s/fill' || true)",
                           mnt, mnt), 0, "%s", ts_out);
        char args[1000];
        snprintf(args, sizeof args, writers[w], w < 3 ? ts_root() : part);
        snprintf(cmd, sizeof cmd, "{ '%s' %s -o '%s/x.h5' --force >/dev/null; }", ts_prog(), args, mnt);
        int rc = ts_sh("%s", cmd);
        cr_expect_eq(rc, 1, "%s: exit %d: %s", cmd, rc, ts_out);
        cr_expect(strstr(ts_out, "x.h5: writing the results file failed: No space left on device")
                  || strstr(ts_out, "x.h5: cannot create the results file: No space left on device")
                  /* a sweep's checkpoints (and their record of the inputs) come first */
                  || strstr(ts_out, "x.h5.ckpt: cannot create the checkpoint directory: No space left on device"),
                  "%s: %s", cmd, ts_out);
        cr_expect_eq(count(ts_out, "error:"), 1, "%s: one message: %s", cmd, ts_out);
        cr_expect(!strstr(ts_out, "egmentation") && !strstr(ts_out, "HDF5-DIAG"), "%s", ts_out);
        /* the previous file kept, nothing else left behind */
        cr_expect_eq(ts_sh("cat '%s/x.h5'", mnt), 0);
        cr_expect_str_eq(ts_out, "previous", "%s", writers[w]);
        cr_expect_eq(ts_sh("ls -A '%s'", mnt), 0);
        cr_expect_str_eq(ts_out, "fill\nx.h5\n", "%s left: %s", writers[w], ts_out);
        ts_sh("rm -f '%s/fill'", mnt);
    }
    cr_expect_eq(umount(mnt), 0);
    cr_assert_eq(made, 0, "%s", ts_out);
}
