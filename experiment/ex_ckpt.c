#include "ex_ckpt.h"
#include "sim_file.h"
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

int ex_write_file_atomic(const char *path, const void *data, size_t n, int force)
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
    int rc = SIM_OK;
    if (!ok)
        rc = SIM_EIO;
    else if (force)
        rc = rename(tmp, path) == 0 ? SIM_OK : SIM_EIO;
    else if (link(tmp, path) != 0)     /* no replacing a file that came meanwhile */
        rc = errno == EEXIST ? SIM_EEXIST
             : access(path, F_OK) == 0 ? SIM_EEXIST   /* no hard links here: check, rename */
             : rename(tmp, path) == 0 ? SIM_OK : SIM_EIO;
    int e = errno;
    if (access(tmp, F_OK) == 0 && !(rc == SIM_OK && force))
        unlink(tmp);           /* still our locked file: after link(), or a failure */
    ex_temp_release(fd);
    errno = e;
    return rc;
}

/* A checkpoint file, replacing the old one. */
static int write_atomic(const char *path, const void *data, size_t n)
{
    return ex_write_file_atomic(path, data, n, 1);
}

void ex_ckpt_point_path(const ex_ckpt *c, size_t point, char *buf, size_t size)
{
    point_path(c, point, buf, size);
}

int ex_ckpt_write_n(const ex_ckpt *c, size_t point, size_t n, const unsigned char *done,
                    const void *records)
{
    char path[4200];
    point_path(c, point, path, sizeof path);
    /* header, done flags, records, then the digest of all of them */
    size_t body = sizeof(header) + n + c->record_size * n;
    unsigned char *buf = malloc(body + sizeof(uint64_t));
    if (!buf) {
        errno = ENOMEM;
        return SIM_EIO;
    }
    header h = {MAGIC, point, n, c->record_size, c->key};
    memcpy(buf, &h, sizeof h);
    memcpy(buf + sizeof h, done, n);
    memcpy(buf + sizeof h + n, records, c->record_size * n);
    uint64_t sum = ex_digest(EX_DIGEST_INIT, buf, body);
    memcpy(buf + body, &sum, sizeof sum);
    int rc = write_atomic(path, buf, body + sizeof sum);
    free(buf);
    return rc;
}

int ex_ckpt_write(const ex_ckpt *c, size_t point, const unsigned char *done, const void *records)
{
    return ex_ckpt_write_n(c, point, c->n_reps, done, records);
}

static int write_all(int fd, const void *data, size_t n)
{
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, (const char *)data + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return SIM_EIO;
        off += (size_t)w;
    }
    return SIM_OK;
}

/* Begin the file ex_ckpt_write_n makes of n replications: done holds their
 * n flags, or is NULL for every flag 1 (ex_ckpt_stream_begin's whole
 * point).  The flags precede the records, so they are written now. */
static int stream_begin(const ex_ckpt *c, size_t point, size_t n, const unsigned char *done,
                        ex_ckpt_stream *s)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
    s->n = n;
    s->record_size = c->record_size;
    point_path(c, point, s->path, sizeof s->path);
    if (ex_temp_create(s->path, s->tmp, sizeof s->tmp, &s->fd) != SIM_OK) {
        s->fd = -1;
        return SIM_EIO;
    }
    header h = {MAGIC, point, n, c->record_size, c->key};
    unsigned char ones[4096];
    if (!done)
        memset(ones, 1, sizeof ones);
    s->sum = ex_digest(EX_DIGEST_INIT, &h, sizeof h);
    int rc = write_all(s->fd, &h, sizeof h);
    for (size_t off = 0; rc == SIM_OK && off < n;) {
        size_t k = n - off < sizeof ones ? n - off : sizeof ones;
        const unsigned char *flags = done ? done + off : ones;
        s->sum = ex_digest(s->sum, flags, k);
        rc = write_all(s->fd, flags, k);
        off += k;
    }
    if (rc != SIM_OK)
        ex_ckpt_stream_end(s, 0);
    return rc;
}

int ex_ckpt_stream_begin(const ex_ckpt *c, size_t point, ex_ckpt_stream *s)
{
    /* the file ex_ckpt_write makes of a whole point: every flag 1 (only a
     * point whose every replication is done is kept) */
    return stream_begin(c, point, c->n_reps, NULL, s);
}

int ex_ckpt_stream_begin_n(const ex_ckpt *c, size_t point, size_t n, const unsigned char *done,
                           ex_ckpt_stream *s)
{
    return stream_begin(c, point, n, done, s);
}

int ex_ckpt_stream_add(ex_ckpt_stream *s, const void *records, size_t n)
{
    if (s->fd < 0)
        return SIM_EIO;
    if (n > s->n - s->added) {
        errno = EINVAL;
        return SIM_EIO;
    }
    s->sum = ex_digest(s->sum, records, n * s->record_size);
    s->added += n;
    return write_all(s->fd, records, n * s->record_size);
}

int ex_ckpt_stream_end(ex_ckpt_stream *s, int keep)
{
    if (s->fd < 0)
        return keep ? SIM_EIO : SIM_OK;
    int rc = SIM_OK;
    if (keep) {
        rc = s->added == s->n ? write_all(s->fd, &s->sum, sizeof s->sum) : SIM_EIO;
        if (rc == SIM_OK && (fsync(s->fd) != 0 || rename(s->tmp, s->path) != 0))
            rc = SIM_EIO;
    }
    int e = errno;
    if (!keep || rc != SIM_OK)
        unlink(s->tmp);
    ex_temp_release(s->fd);
    s->fd = -1;
    errno = e;
    return rc;
}

/* Open point's file for ex_ckpt_get after checking it whole.  With n NULL
 * it must hold the directory's n_reps replications (ex_ckpt_open); else
 * any n > 0 (ex_ckpt_open_n), given through *n with a new copy of the
 * flags in *done.  Statuses as ex_ckpt_read / ex_ckpt_read_n. */
static int open_point(const ex_ckpt *c, size_t point, ex_ckpt_reader *r, size_t *n,
                      unsigned char **done)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    if (done)
        *done = NULL;
    char path[4200];
    point_path(c, point, path, sizeof path);
    if (access(path, F_OK) != 0)
        return SIM_ENOTFOUND;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return SIM_EIO;
    }
    size_t len = (size_t)st.st_size, rs = c->record_size;
    header h;
    uint64_t sum = 0, want = EX_DIGEST_INIT;
    int rc = SIM_OK;
    unsigned char buf[65536], *flags = NULL;
    /* the digest over the whole file, block by block, before any record is
     * used: a damaged file is refused, never merged */
    if (len < sizeof h)
        rc = SIM_EINVAL;                     /* another format: not reused */
    else if (pread(fd, &h, sizeof h, 0) != (ssize_t)sizeof h)
        rc = SIM_EIO;
    else if (memcmp(h.magic, MAGIC, sizeof MAGIC))
        rc = SIM_EINVAL;
    else if (len < sizeof h + sizeof sum)
        rc = SIM_EPARSE;
    for (size_t off = 0; rc == SIM_OK && off < len - sizeof sum;) {
        size_t k = len - sizeof sum - off < sizeof buf ? len - sizeof sum - off : sizeof buf;
        ssize_t got = pread(fd, buf, k, (off_t)off);
        if (got <= 0) {
            rc = SIM_EIO;
            break;
        }
        want = ex_digest(want, buf, (size_t)got);
        off += (size_t)got;
    }
    if (rc == SIM_OK && (pread(fd, &sum, sizeof sum, (off_t)(len - sizeof sum)) != (ssize_t)sizeof sum))
        rc = SIM_EIO;
    if (rc == SIM_OK && sum != want)
        rc = SIM_EPARSE;                     /* damaged */
    /* another run's (the bound keeps the length's product from overflowing) */
    if (rc == SIM_OK && (h.point != point || h.record_size != rs || h.key != c->key
                         || (n ? h.n_reps == 0 : h.n_reps != c->n_reps)
                         || h.n_reps > (len - sizeof h - sizeof sum) / (1 + rs)
                         || len != sizeof h + h.n_reps * (1 + rs) + sizeof sum))
        rc = SIM_EINVAL;
    if (rc == SIM_OK && done && !(flags = malloc(h.n_reps))) {
        rc = SIM_EIO;
        errno = ENOMEM;
    }
    for (size_t off = 0; rc == SIM_OK && off < h.n_reps;) {
        size_t k = h.n_reps - off < sizeof buf ? h.n_reps - off : sizeof buf;
        if (pread(fd, buf, k, (off_t)(sizeof h + off)) != (ssize_t)k)
            rc = SIM_EIO;
        for (size_t i = 0; rc == SIM_OK && i < k; i++)
            if (!buf[i])
                rc = SIM_EINVAL;             /* only whole points are reused */
        if (rc == SIM_OK && flags)
            memcpy(flags + off, buf, k);
        off += k;
    }
    if (rc != SIM_OK) {
        int e = errno;
        free(flags);
        close(fd);
        errno = e;
        return rc;
    }
    r->fd = fd;
    r->n = h.n_reps;
    r->record_size = rs;
    r->records_at = sizeof h + h.n_reps;
    if (n)
        *n = h.n_reps;
    if (done)
        *done = flags;
    return SIM_OK;
}

int ex_ckpt_open(const ex_ckpt *c, size_t point, ex_ckpt_reader *r)
{
    return open_point(c, point, r, NULL, NULL);
}

int ex_ckpt_open_n(const ex_ckpt *c, size_t point, ex_ckpt_reader *r, size_t *n,
                   unsigned char **done)
{
    return open_point(c, point, r, n, done);
}

int ex_ckpt_get(const ex_ckpt_reader *r, size_t first, size_t n, void *records)
{
    if (r->fd < 0 || first > r->n || n > r->n - first)
        return SIM_EINVAL;
    size_t off = r->records_at + first * r->record_size;
    return sim_file_pread_all(r->fd, records, n * r->record_size, (off_t)off) ? SIM_EIO : SIM_OK;
}

void ex_ckpt_close(ex_ckpt_reader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
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

/* A checkpoint file's n bytes: SIM_EINVAL in another format, SIM_EPARSE
 * damaged (its digest does not match), else SIM_OK and its header. */
static int check_file(const unsigned char *buf, size_t n, header *h)
{
    uint64_t sum;
    if (n < sizeof *h || memcmp(buf, MAGIC, sizeof MAGIC))
        return SIM_EINVAL;                   /* another format: not reused */
    if (n < sizeof *h + sizeof sum)
        return SIM_EPARSE;
    memcpy(&sum, buf + n - sizeof sum, sizeof sum);
    if (sum != ex_digest(EX_DIGEST_INIT, buf, n - sizeof sum))
        return SIM_EPARSE;                   /* damaged */
    memcpy(h, buf, sizeof *h);
    return SIM_OK;
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
    int rc = check_file(buf, n, &h);
    if (rc == SIM_OK) {
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

int ex_ckpt_read_n(const ex_ckpt *c, size_t point, size_t *n, unsigned char **done,
                   void **records)
{
    char path[4200];
    point_path(c, point, path, sizeof path);
    size_t len = 0;
    *done = NULL;
    *records = NULL;
    if (access(path, F_OK) != 0)
        return SIM_ENOTFOUND;
    unsigned char *buf = read_all(path, (size_t)1 << 40, &len);
    if (!buf)
        return SIM_EIO;
    header h;
    uint64_t sum;
    int rc = check_file(buf, len, &h);
    if (rc == SIM_OK) {
        size_t rs = c->record_size;
        if (h.point != point || h.record_size != rs || h.key != c->key || h.n_reps == 0
            || h.n_reps > (len - sizeof h - sizeof sum) / (1 + rs)
            || len != sizeof h + h.n_reps * (1 + rs) + sizeof sum) {
            rc = SIM_EINVAL;
        } else if (!(*done = malloc(h.n_reps)) || !(*records = malloc(h.n_reps * rs))) {
            rc = SIM_EIO;
            errno = ENOMEM;
        } else {
            *n = h.n_reps;
            memcpy(*done, buf + sizeof h, h.n_reps);
            memcpy(*records, buf + sizeof h + h.n_reps, h.n_reps * rs);
            for (size_t r = 0; r < h.n_reps; r++)
                if (!(*done)[r])
                    rc = SIM_EINVAL;
        }
    }
    if (rc != SIM_OK) {
        free(*done);
        free(*records);
        *done = NULL;
        *records = NULL;
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
