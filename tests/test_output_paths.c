/* Output paths: what is not a regular file is never replaced, even with
 * --force; a bad path is refused before any work with its real cause and
 * exit 2 (issue 17, items 2 and 10). */
#include "test_shell.h"

#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

TestSuite(output_paths, .init = ts_make_dir, .fini = ts_remove_dir, .timeout = 120);

/* Every command that writes a results file, with OUT for its -o. */
static const char *const writers[] = {
    "run %s/scenarios/leicestershire-county.yaml --reps 2 -o '%s' --force",
    "sweep %s/scenarios/leicestershire-county.yaml --reps 2 --vary spaces=21,30 -o '%s' --force",
    "capacity %s/scenarios/leicestershire-county.yaml --target 'refused_no_space<=0.5' --max 30 -o '%s' --force",
    "compare %s/scenarios/leicestershire-county.yaml --vs spaces=30 --reps 2 -o '%s' --force",
    "optimise %s/scenarios/example-county-candidates.yaml --budget 60000 --add standard "
    "--target refused_of_eligible --reps 4 -o '%s' --force",
};

static int run_writer(size_t i, const char *out)
{
    char args[2048];
    snprintf(args, sizeof args, writers[i], ts_root(), out);
    return ts_sh("cd '%s' && '%s' %s", ts_dir, ts_prog(), args);
}

static int one_line(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && s[n - 1] == '\n' && !memchr(s, '\n', n - 1);
}

Test(output_paths, never_replaces_what_is_not_a_regular_file)
{
    char fifo[400], dir[400], sock[400], link[400];
    snprintf(fifo, sizeof fifo, "%s/fifo.h5", ts_dir);
    snprintf(dir, sizeof dir, "%s/dir.h5", ts_dir);
    snprintf(sock, sizeof sock, "%s/s.h5", ts_dir);
    snprintf(link, sizeof link, "%s/link.h5", ts_dir);
    cr_assert_eq(mkfifo(fifo, 0644), 0);
    cr_assert_eq(mkdir(dir, 0755), 0);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    cr_assert_lt(strlen(sock), sizeof sa.sun_path);
    memcpy(sa.sun_path, sock, strlen(sock) + 1);
    cr_assert_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    cr_assert_eq(symlink("/dev/null", link), 0);
    static const struct {
        const char *path, *says;
        mode_t type;
    } cases[] = {
        {"/dev/null", "/dev/null is a device, not a regular file", S_IFCHR},
        {NULL, "fifo.h5 is a FIFO (named pipe)", S_IFIFO},
        {NULL, "dir.h5 is a directory", S_IFDIR},
        {NULL, "s.h5 is a socket", S_IFSOCK},
        {NULL, "link.h5 is a symbolic link", S_IFLNK},
    };
    const char *paths[] = {"/dev/null", fifo, dir, sock, link};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (size_t w = 0; w < sizeof writers / sizeof writers[0]; w++) {
            cr_expect_eq(run_writer(w, paths[c]), 2, "%s -> %s: %s", writers[w], paths[c], ts_out);
            cr_expect(strstr(ts_out, cases[c].says) && strstr(ts_out, "even with --force"),
                      "%s", ts_out);
            cr_expect(one_line(ts_out), "%s", ts_out);
            struct stat sb;
            cr_assert_eq(lstat(paths[c], &sb), 0);
            cr_expect_eq(sb.st_mode & S_IFMT, cases[c].type, "%s was replaced", paths[c]);
        }
    close(fd);
    /* nothing else was left beside them: no temporary file, no checkpoints */
    cr_expect_eq(ts_sh("ls -A '%s' | grep -v -x -e fifo.h5 -e dir.h5 -e s.h5 -e link.h5", ts_dir), 1,
                 "%s", ts_out);
    /* merge and rerun too */
    char part[400];
    snprintf(part, sizeof part, "%s/p.h5", ts_dir);
    cr_assert_eq(ts_sh("'%s' run %s/scenarios/leicestershire-county.yaml --reps 2 -o '%s'", ts_prog(),
                       ts_root(), part), 0, "%s", ts_out);
    cr_expect_eq(ts_sh("'%s' merge '%s' -o /dev/null --force", ts_prog(), part), 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "/dev/null is a device"), "%s", ts_out);
    cr_expect_eq(ts_sh("'%s' rerun '%s' -o '%s' --force", ts_prog(), part, fifo), 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "is a FIFO"), "%s", ts_out);
}

Test(output_paths, bad_paths_before_any_work_with_the_real_cause)
{
    char p[600];
    /* a dangling link: refused at the start (it used to fail after the run) */
    snprintf(p, sizeof p, "%s/dangling.h5", ts_dir);
    cr_assert_eq(symlink("/nonexistent/x.h5", p), 0);
    cr_expect_eq(run_writer(0, p), 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "dangling.h5 is a symbolic link to nothing"), "%s", ts_out);
    /* a missing directory, a file as directory */
    snprintf(p, sizeof p, "%s/no/x.h5", ts_dir);
    cr_expect_eq(run_writer(1, p), 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "no/x.h5: the directory does not exist: No such file or directory"), "%s",
              ts_out);
    cr_expect(ts_sh("test -e '%s/no.ckpt' || test -e '%s/no'", ts_dir, ts_dir) != 0);
    /* -o '' is a usage error, with or without --force */
    cr_expect_eq(ts_sh("'%s' run %s/scenarios/leicestershire-county.yaml -o ''", ts_prog(), ts_root()), 2);
    cr_expect(strstr(ts_out, "-o '': expected a file name") && one_line(ts_out), "%s", ts_out);
    cr_expect_eq(run_writer(2, ""), 2, "%s", ts_out);
    cr_expect(strstr(ts_out, "-o '': expected a file name"), "%s", ts_out);

    /* a read-only file system: as root, a read-only tmpfs; otherwise a
     * directory without write permission */
    char ro[400];
    snprintf(ro, sizeof ro, "%s/ro", ts_dir);
    cr_assert_eq(mkdir(ro, 0755), 0);
    int mounted = geteuid() == 0 && mount("tmpfs", ro, "tmpfs", MS_RDONLY, "size=1m") == 0;
    if (!mounted)
        chmod(ro, 0555);
    snprintf(p, sizeof p, "%s/x.h5", ro);
    if (mounted || geteuid() != 0) {
        for (size_t w = 0; w < sizeof writers / sizeof writers[0]; w++) {
            cr_expect_eq(run_writer(w, p), 2, "%s", ts_out);
            cr_expect(strstr(ts_out, mounted ? "x.h5: cannot create a file there: Read-only file system"
                                             : "x.h5: cannot create a file there: Permission denied"),
                      "%s", ts_out);
            cr_expect(one_line(ts_out), "%s", ts_out);
        }
    } else {
        cr_log_warn("root without mount(2): the read-only case is not tried");
    }
    if (mounted)
        cr_expect_eq(umount(ro), 0);
    chmod(ro, 0755);
}
