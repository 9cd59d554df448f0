#include "ex_ckpt.h"
#include "sim_status.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Write n bytes to path through "<path>.tmp.<pid>", fsynced and renamed. */
static int write_atomic(const char *path, const void *data, size_t n)
{
    char tmp[4300];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return SIM_EIO;
    int ok = fwrite(data, 1, n, f) == n;
    ok = (fflush(f) == 0) && ok && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return SIM_EIO;
    }
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
        char *end;
        long pid = strtol(t + 5, &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;                       /* its writer may still be running */
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
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
