#define _GNU_SOURCE
#include "study_spool.h"
#include "sim_file.h"
#include "sim_status.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_BUDGET ((size_t)8 << 20)

struct study_spool {
    size_t rec_size;
    size_t *budget;
    unsigned char *mem;        /* records [0, mem_n), room for mem_cap */
    size_t mem_n, mem_cap;
    int fd;                    /* records [mem_n, mem_n + file_n), -1 before the first */
    size_t file_n;
    unsigned char *done;       /* count flags, room for done_cap */
    size_t done_cap;
};

int study_spool_budget(size_t *out)
{
    *out = DEFAULT_BUDGET;
    const char *e = getenv("REFUGESIM_RECORD_MEMORY");
    if (!e || !*e)                       /* set to nothing: as if unset */
        return SIM_OK;
    if (*e < '0' || *e > '9')            /* strtoull would take "-1" and " 1" */
        return SIM_EINVAL;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(e, &end, 10);
    int shift = !*end ? 0 : !strcmp(end, "K") ? 10 : !strcmp(end, "M") ? 20
              : !strcmp(end, "G") ? 30 : -1;
    if (errno || shift < 0 || v > (SIZE_MAX >> shift))
        return SIM_EINVAL;
    *out = (size_t)v << shift;
    return SIM_OK;
}

int study_spool_new(study_spool **out, size_t rec_size, size_t *budget)
{
    study_spool *sp = calloc(1, sizeof *sp);
    if (!sp)
        return SIM_ENOMEM;
    sp->rec_size = rec_size ? rec_size : 1;
    sp->budget = budget;
    sp->fd = -1;
    *out = sp;
    return SIM_OK;
}

void study_spool_free(study_spool *sp)
{
    if (!sp)
        return;
    if (sp->budget)
        *sp->budget += sp->mem_cap * sp->rec_size;
    if (sp->fd >= 0)
        close(sp->fd);
    free(sp->mem);
    free(sp->done);
    free(sp);
}

size_t study_spool_count(const study_spool *sp) { return sp->mem_n + sp->file_n; }
const unsigned char *study_spool_done(const study_spool *sp) { return sp->done; }

/* Room in memory for up to want more records, as far as the budget goes;
 * how many there is room for. */
static size_t mem_room(study_spool *sp, size_t want)
{
    if (sp->fd >= 0)
        return 0;                  /* the file has begun: the order is memory then file */
    size_t free_n = sp->mem_cap - sp->mem_n;
    if (free_n >= want)
        return want;
    size_t cap = sp->mem_cap ? 2 * sp->mem_cap : 64;
    if (cap < sp->mem_n + want)
        cap = sp->mem_n + want;
    if (sp->budget) {
        size_t left = *sp->budget / sp->rec_size;
        if (cap - sp->mem_cap > left)
            cap = sp->mem_cap + left;
    }
    if (cap > sp->mem_cap) {
        unsigned char *m = realloc(sp->mem, cap * sp->rec_size);
        if (!m)
            return free_n;         /* no memory: the file takes the rest */
        if (sp->budget)
            *sp->budget -= (cap - sp->mem_cap) * sp->rec_size;
        sp->mem = m;
        sp->mem_cap = cap;
    }
    free_n = sp->mem_cap - sp->mem_n;
    return free_n < want ? free_n : want;
}

const char *study_spool_dir(void)
{
    const char *dir = getenv("TMPDIR");
    return dir && *dir ? dir : "/tmp";
}

/* An unlinked file in study_spool_dir: nothing is left behind, however the
 * program ends. */
static int open_file(void)
{
    const char *dir = study_spool_dir();
    int fd = -1;
#ifdef O_TMPFILE
    if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
        return fd;
#endif
    char path[4200];
    if (snprintf(path, sizeof path, "%s/refugesim-records-XXXXXX", dir) >= (int)sizeof path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0)
        unlink(path);
    return fd;
}

int study_spool_append(study_spool *sp, const void *records, const unsigned char *done, size_t n)
{
    size_t count = study_spool_count(sp);
    if (count + n > sp->done_cap) {
        size_t cap = sp->done_cap ? 2 * sp->done_cap : 64;
        while (cap < count + n)
            cap *= 2;
        unsigned char *d = realloc(sp->done, cap);
        if (!d)
            return SIM_ENOMEM;
        sp->done = d;
        sp->done_cap = cap;
    }
    const unsigned char *src = records;
    size_t k = mem_room(sp, n);
    if (k < n) {
        if (sp->fd < 0 && (sp->fd = open_file()) < 0)
            return SIM_EIO;
        if (sim_file_pwrite_all(sp->fd, src + k * sp->rec_size, (n - k) * sp->rec_size,
                                (off_t)(sp->file_n * sp->rec_size)))
            return SIM_EIO;
        sp->file_n += n - k;
    }
    if (k)
        memcpy(sp->mem + sp->mem_n * sp->rec_size, src, k * sp->rec_size);
    sp->mem_n += k;
    if (n)
        memcpy(sp->done + count, done, n);
    return SIM_OK;
}

const void *study_spool_get(study_spool *sp, size_t first, size_t n, void *buf)
{
    if (first > study_spool_count(sp) || n > study_spool_count(sp) - first) {
        errno = EINVAL;
        return NULL;
    }
    size_t rs = sp->rec_size;
    if (first + n <= sp->mem_n)
        return sp->mem + first * rs;
    unsigned char *out = buf;
    size_t in_mem = first < sp->mem_n ? sp->mem_n - first : 0;
    if (in_mem)
        memcpy(out, sp->mem + first * rs, in_mem * rs);
    off_t at = (off_t)((first + in_mem - sp->mem_n) * rs);
    return sim_file_pread_all(sp->fd, out + in_mem * rs, (n - in_mem) * rs, at) ? NULL : out;
}
