#include "sim_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_regular(const char *path, size_t max_bytes, int *err)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        *err = errno;
        return -1;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        *err = errno;
    } else if (!S_ISREG(sb.st_mode)) {
        *err = SIM_FILE_NOT_REGULAR;
    } else if ((unsigned long long)sb.st_size > (unsigned long long)max_bytes) {
        *err = SIM_FILE_TOO_BIG;
    } else {
        int fl = fcntl(fd, F_GETFL);
        if (fl >= 0 && fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0) {
            *err = 0;
            return fd;
        }
        *err = errno;
    }
    close(fd);
    return -1;
}

char *sim_file_read(const char *path, size_t max_bytes, size_t *len, int *err)
{
    int fd = open_regular(path, max_bytes, err);
    if (fd < 0)
        return NULL;
    size_t cap = 8192, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            if (cap > max_bytes + 1) {
                *err = SIM_FILE_TOO_BIG; /* it grew since the check */
                break;
            }
            char *p = realloc(buf, cap * 2);
            if (!p)
                break;
            buf = p;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n - 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            *err = errno;
            break;
        }
        if (r == 0) {
            close(fd);
            if (n > max_bytes) {
                free(buf);
                *err = SIM_FILE_TOO_BIG;
                return NULL;
            }
            buf[n] = '\0';
            *len = n;
            return buf;
        }
        n += (size_t)r;
    }
    if (!*err)
        *err = ENOMEM;
    free(buf);
    close(fd);
    return NULL;
}

FILE *sim_file_open(const char *path, size_t max_bytes, int *err)
{
    int fd = open_regular(path, max_bytes, err);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "r");
    if (!f) {
        *err = errno;
        close(fd);
    }
    return f;
}

const char *sim_file_strerror(int err)
{
    if (err == SIM_FILE_NOT_REGULAR)
        return "not a regular file (a device, FIFO, socket or directory)";
    if (err == SIM_FILE_TOO_BIG)
        return "too large";
    return strerror(err);
}

/* pread or pwrite until all n bytes have gone. */
static int transfer_all(int fd, char *buf, size_t n, off_t at, int write)
{
    for (size_t done = 0; done < n;) {
        ssize_t k = write ? pwrite(fd, buf + done, n - done, at + (off_t)done)
                          : pread(fd, buf + done, n - done, at + (off_t)done);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            if (k == 0)
                errno = EIO;
            return -1;
        }
        done += (size_t)k;
    }
    return 0;
}

int sim_file_pread_all(int fd, void *buf, size_t n, off_t at)
{
    return transfer_all(fd, buf, n, at, 0);
}

int sim_file_pwrite_all(int fd, const void *buf, size_t n, off_t at)
{
    return transfer_all(fd, (char *)buf, n, at, 1);   /* not written to */
}
