/* sim_file: input files read without trusting them.
 *
 * A path given as a scenario, `extends:` or `trace:` may name /dev/zero, a
 * FIFO that never delivers or a file of any size.  These readers accept only
 * regular files (opened non-blocking, so a FIFO cannot hang the open), no
 * larger than a limit the caller states, and stop reading at the limit even
 * if the file grows meanwhile. */
#ifndef SIM_FILE_H
#define SIM_FILE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Besides errno values, *err may be: */
enum { SIM_FILE_NOT_REGULAR = -1, SIM_FILE_TOO_BIG = -2 };

/* The whole file, NUL-terminated, malloc'd (caller frees); NULL with *err
 * set (errno, or one of the above) on failure. */
char *sim_file_read(const char *path, size_t max_bytes, size_t *len, int *err);

/* The file open for reading (caller fcloses), NULL with *err set.  The
 * size is checked at open; readers that stream should still count. */
FILE *sim_file_open(const char *path, size_t max_bytes, int *err);

/* Words for *err: strerror for errno values, else "not a regular file
 * (a device, FIFO, socket or directory)" / "too large". */
const char *sim_file_strerror(int err);

/* All n bytes at offset `at` of an open file, retrying short and
 * interrupted transfers: 0, or -1 with errno (EIO at an end of file that
 * comes too soon, or a write that takes nothing). */
int sim_file_pread_all(int fd, void *buf, size_t n, off_t at);
int sim_file_pwrite_all(int fd, const void *buf, size_t n, off_t at);

#endif
