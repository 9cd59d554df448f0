/* The stale-temp cleaner removes a temporary file only when its writer's
 * lock is free (issue 17, item 9): never a live writer's, whatever its
 * process id says (another PID namespace, another node of a shared file
 * system), and always a dead writer's, even when its pid now names a live
 * process here. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ex_ckpt.h"
#include "sim_status.h"

static char dir[64];
static char out[128];            /* the results file the temporaries belong to */

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/rs_stale_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/x.h5", dir);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* A writer in another process holding the lock on `name` (created as the
 * writer would, or through ex_temp_create when name is NULL: *made gets
 * the name); returns its pid once the lock is held. */
static pid_t writer(const char *name, char *made, size_t size)
{
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        close(p[0]);
        char tmp[256];
        int fd = -1;
        if (name) {
            fd = open(name, O_RDWR | O_CREAT | O_EXCL, 0666);
            if (fd < 0 || flock(fd, LOCK_EX) != 0)
                _exit(1);
            snprintf(tmp, sizeof tmp, "%s", name);
        } else if (ex_temp_create(out, tmp, sizeof tmp, &fd) != SIM_OK) {
            _exit(1);
        }
        if (write(p[1], tmp, strlen(tmp) + 1) < 0)
            _exit(1);
        pause();                   /* writing, until killed */
        _exit(0);
    }
    close(p[1]);
    char buf[256] = "";
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    close(p[0]);
    cr_assert_gt(n, 0, "the writer did not start");
    if (made)
        snprintf(made, size, "%s", buf);
    return pid;
}

static void kill_writer(pid_t pid)
{
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
}

Test(stale_temps, a_live_writers_file_is_kept_whatever_its_pid, .init = setup, .fini = teardown)
{
    /* a pid that runs nowhere here: a writer in another PID namespace or on
     * another node, which kill(pid, 0) would call dead */
    char foreign[200], reused[200];
    snprintf(foreign, sizeof foreign, "%s.tmp.%d", out, 999999999);
    pid_t w = writer(foreign, NULL, 0);
    ex_remove_stale_siblings(out);
    cr_expect(exists(foreign), "a live writer's temporary file was removed");
    ex_remove_stale_temps(dir, "");
    cr_expect(exists(foreign), "a live writer's temporary file was removed (directory sweep)");
    /* its writer dies (SIGKILL: no cleanup): the lock goes with it */
    kill_writer(w);
    ex_remove_stale_siblings(out);
    cr_expect(!exists(foreign), "a dead writer's temporary file was kept");

    /* a dead writer's file under the pid of a process alive here (pid reuse,
     * or our own parent's): removed all the same, since nobody holds it */
    snprintf(reused, sizeof reused, "%s.tmp.%ld", out, (long)getppid());
    int fd = open(reused, O_RDWR | O_CREAT | O_EXCL, 0666);
    cr_assert_geq(fd, 0);
    close(fd);
    ex_remove_stale_siblings(out);
    cr_expect(!exists(reused), "a dead writer's file was kept because its pid runs here");
}

Test(stale_temps, writers_with_one_name_each_get_their_own, .init = setup, .fini = teardown)
{
    /* A live writer elsewhere holds the name ours would take (same pid in
     * another namespace): ours gets another name and leaves it alone. */
    char mine[256], theirs[256];
    snprintf(theirs, sizeof theirs, "%s.tmp.%ld", out, (long)getpid());
    pid_t w = writer(theirs, NULL, 0);
    int fd;
    cr_assert_eq(ex_temp_create(out, mine, sizeof mine, &fd), SIM_OK);
    cr_expect_str_neq(mine, theirs);
    cr_expect(exists(theirs) && exists(mine));
    /* while both live, no cleaner removes either */
    ex_remove_stale_siblings(out);
    cr_expect(exists(theirs) && exists(mine));
    kill_writer(w);
    ex_remove_stale_siblings(out);
    cr_expect(!exists(theirs), "the dead writer's file was kept");
    cr_expect(exists(mine), "our own live file was removed");
    unlink(mine);
    ex_temp_release(fd);

    /* A writer through ex_temp_create in a child: kept while it lives,
     * removed after its SIGKILL. */
    char made[256];
    w = writer(NULL, made, sizeof made);
    ex_remove_stale_siblings(out);
    cr_expect(exists(made), "%s removed while its writer lives", made);
    kill_writer(w);
    ex_remove_stale_siblings(out);
    cr_expect(!exists(made), "%s kept after its writer died", made);
}
