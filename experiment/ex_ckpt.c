#include "ex_ckpt.h"
#include "sim_status.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC "refugesim-ckpt2"
#define INPUTS "inputs"

typedef struct {
    char magic[16];
    uint64_t point, n_reps, record_size, key;
} header;

uint64_t ex_digest(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

uint64_t ex_digest_finish(uint64_t h, size_t record_size)
{
    uint64_t rs = record_size;
    h = ex_digest(h, RS_VERSION RS_GIT_COMMIT, strlen(RS_VERSION RS_GIT_COMMIT));
    return ex_digest(h, &rs, sizeof rs);
}

int ex_ckpt_init(ex_ckpt *c, const char *dir, uint64_t key, size_t n_reps, size_t record_size)
{
    memset(c, 0, sizeof *c);
    if ((size_t)snprintf(c->dir, sizeof c->dir, "%s", dir) >= sizeof c->dir)
        return SIM_ERANGE;
    c->key = key;
    c->n_reps = n_reps;
    c->record_size = record_size;
    return SIM_OK;
}

int ex_ckpt_dir_state(const char *dir)
{
    struct stat st;
    if (stat(dir, &st) != 0)
        return 0;
    return S_ISDIR(st.st_mode) ? 1 : -1;
}

static void point_path(const ex_ckpt *c, size_t point, char *buf, size_t size)
{
    snprintf(buf, size, "%s/point-%zu.bin", c->dir, point);
}

/* Does path still name the file open as fd? */
static int names(const char *path, int fd)
{
    struct stat a, b;
    return lstat(path, &a) == 0 && fstat(fd, &b) == 0 && a.st_dev == b.st_dev
           && a.st_ino == b.st_ino;
}

/* Remove path if its writer's lock is free (it holds the lock for as long
 * as it writes).  The name is removed while holding the lock, after
 * checking that it still names the file locked: a writer that locks a file
 * checks the same (ex_temp_create), so the two never both go on with one
 * file.  1 when removed. */
static int remove_if_stale(const char *path)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct stat st;
    int removed = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0
        && names(path, fd))
        removed = unlink(path) == 0;
    close(fd);                     /* releases the lock */
    return removed;
}

int ex_temp_create(const char *path, char *tmp, size_t size, int *lock_fd)
{
    *lock_fd = -1;
    for (int n = 0, tries = 0; n < 1000 && tries < 2000; tries++) {
        int len = n ? snprintf(tmp, size, "%s.tmp.%ld.%d", path, (long)getpid(), n)
                    : snprintf(tmp, size, "%s.tmp.%ld", path, (long)getpid());
        if (len < 0 || (size_t)len >= size)
            return SIM_ERANGE;
        int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (fd < 0) {
            if (errno != EEXIST)
                return SIM_EIO;
            if (!remove_if_stale(tmp))
                n++;               /* a live writer's (same pid elsewhere): another name */
            continue;
        }
        /* A cleaner may have opened the new file and hold its lock for a
         * moment: wait for it, then go on only if the name is still ours. */
        if (flock(fd, LOCK_EX) == 0 && names(tmp, fd)) {
            *lock_fd = fd;
            return SIM_OK;
        }
        close(fd);
    }
    errno = EEXIST;
    return SIM_EIO;
}

void ex_temp_release(int lock_fd)
{
    if (lock_fd >= 0)
        close(lock_fd);
}

/* Write n bytes to path through its locked temporary sibling, fsynced and
 * renamed. */
static int write_atomic(const char *path, const void *data, size_t n)
{
    char tmp[4300];
    int fd;
    if (ex_temp_create(path, tmp, sizeof tmp, &fd) != SIM_OK)
        return SIM_EIO;
    int ok = 1;
    for (size_t off = 0; ok && off < n;) {
        ssize_t w = write(fd, (const char *)data + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        ok = w > 0;
        off += ok ? (size_t)w : 0;
    }
    ok = ok && fsync(fd) == 0;
    if (!ok || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        ex_temp_release(fd);
        errno = e;
        return SIM_EIO;
    }
    ex_temp_release(fd);
    return SIM_OK;
}

void ex_ckpt_point_path(const ex_ckpt *c, size_t point, char *buf, size_t size)
{
    point_path(c, point, buf, size);
}

int ex_ckpt_write(const ex_ckpt *c, size_t point, const unsigned char *done, const void *records)
{
    char path[4200];
    point_path(c, point, path, sizeof path);
    /* header, done flags, records, then the digest of all of them */
    size_t body = sizeof(header) + c->n_reps + c->record_size * c->n_reps;
    unsigned char *buf = malloc(body + sizeof(uint64_t));
    if (!buf) {
        errno = ENOMEM;
        return SIM_EIO;
    }
    header h = {MAGIC, point, c->n_reps, c->record_size, c->key};
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, done, c->n_reps);
    memcpy(buf + sizeof h + c->n_reps, records, c->record_size * c->n_reps);
    uint64_t sum = ex_digest(EX_DIGEST_INIT, buf, body);
    memcpy(buf + body, &sum, sizeof sum);
    int rc = write_atomic(path, buf, body + sizeof sum);
    free(buf);
    return rc;
}

/* The whole of a regular file (at most max bytes) in a new buffer. */
static unsigned char *read_all(const char *path, size_t max, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct stat st;
    unsigned char *buf = NULL;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size <= max
        && (buf = malloc((size_t)st.st_size + 1))) {
        *n = fread(buf, 1, (size_t)st.st_size, f);
        buf[*n] = 0;
    }
    fclose(f);
    return buf;
}

int ex_ckpt_read(const ex_ckpt *c, size_t point, unsigned char *done, void *records)
{
    char path[4200];
    point_path(c, point, path, sizeof path);
    size_t body = sizeof(header) + c->n_reps + c->record_size * c->n_reps, n = 0;
    if (access(path, F_OK) != 0)
        return SIM_ENOTFOUND;
    /* larger than this run's points: not this run's (or damaged: the digest says) */
    unsigned char *buf = read_all(path, body + sizeof(uint64_t) > (1u << 20) ? body + sizeof(uint64_t)
                                                                            : (1u << 20), &n);
    if (!buf)
        return SIM_EIO;
    header h;
    uint64_t sum;
    int rc = SIM_OK;
    if (n < sizeof h || memcmp(buf, MAGIC, sizeof MAGIC)) {
        rc = SIM_EINVAL;                     /* another format: not reused */
    } else if (n < sizeof h + sizeof sum
               || (memcpy(&sum, buf + n - sizeof sum, sizeof sum),
                   sum != ex_digest(EX_DIGEST_INIT, buf, n - sizeof sum))) {
        rc = SIM_EPARSE;                     /* damaged */
    } else {
        memcpy(&h, buf, sizeof h);
        if (h.point != point || h.n_reps != c->n_reps || h.record_size != c->record_size
            || h.key != c->key || n != body + sizeof sum) {
            rc = SIM_EINVAL;                 /* another run's */
        } else {
            memcpy(done, buf + sizeof h, c->n_reps);
            memcpy(records, buf + sizeof h + c->n_reps, c->record_size * c->n_reps);
            for (size_t r = 0; r < c->n_reps; r++)
                if (!done[r])
                    rc = SIM_EINVAL;         /* only whole points are reused */
        }
    }
    free(buf);
    return rc;
}

int ex_ckpt_write_inputs(const ex_ckpt *c, const char *text)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/" INPUTS, c->dir);
    return write_atomic(path, text, strlen(text));
}

char *ex_ckpt_read_inputs(const ex_ckpt *c)
{
    char path[4200];
    size_t n;
    snprintf(path, sizeof path, "%s/" INPUTS, c->dir);
    return (char *)read_all(path, 1u << 20, &n);
}

void ex_ckpt_prune(const ex_ckpt *c, size_t n_points)
{
    for (size_t i = 0; i < n_points; i++) {
        char path[4200];
        point_path(c, i, path, sizeof path);
        if (access(path, F_OK) == 0)
            return;
    }
    ex_ckpt_remove(c, n_points);
}

void ex_remove_stale_temps(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t plen = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *t = strstr(e->d_name, ".tmp.");
        if (!t || strncmp(e->d_name, prefix, plen) != 0 || (plen && t != e->d_name + plen))
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        remove_if_stale(path);
    }
    closedir(d);
}

void ex_remove_stale_siblings(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : path;
    if (slash)
        *slash = '\0';
    ex_remove_stale_temps(slash ? (dir[0] ? dir : "/") : ".", base);
}

int ex_ckpt_make_dir(const ex_ckpt *c)
{
    ex_remove_stale_temps(c->dir, "");
    if (mkdir(c->dir, 0777) != 0 && errno != EEXIST)
        return SIM_EIO;
    return SIM_OK;
}

void ex_ckpt_remove(const ex_ckpt *c, size_t n_points)
{
    char path[4200];
    for (size_t i = 0; i < n_points; i++) {
        point_path(c, i, path, sizeof path);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/" INPUTS, c->dir);
    unlink(path);
    ex_remove_stale_temps(c->dir, "");
    rmdir(c->dir);
}
