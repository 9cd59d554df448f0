#include "an_output.h"
#include "an_h5.h"
#include "ex_ckpt.h"
#include "sim_status.h"

#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

an_output_problem an_output_check(const char *path, int force, int *sys_errno)
{
    int dummy;
    int *e = sys_errno ? sys_errno : &dummy;
    *e = 0;
    if (!path || !*path)
        return AN_OUT_EMPTY;
    struct stat st;
    if (lstat(path, &st) == 0) {
        if (S_ISLNK(st.st_mode))
            return stat(path, &st) != 0 ? AN_OUT_DANGLING : AN_OUT_SYMLINK;
        if (S_ISDIR(st.st_mode))
            return AN_OUT_DIRECTORY;
        if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
            return AN_OUT_DEVICE;
        if (S_ISFIFO(st.st_mode))
            return AN_OUT_FIFO;
        if (S_ISSOCK(st.st_mode))
            return AN_OUT_SOCKET;
        if (!force)
            return AN_OUT_EXISTS;
    } else if (errno != ENOENT) {
        *e = errno;
        return errno == ENOTDIR ? AN_OUT_NO_DIR : AN_OUT_UNWRITABLE;
    }
    size_t n = strlen(path);
    char *dir = malloc(n + 2), *tmp = malloc(n + 32);
    if (!dir || !tmp) {
        free(dir);
        free(tmp);
        *e = ENOMEM;
        return AN_OUT_UNWRITABLE;
    }
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    an_output_problem p = AN_OUT_OK;
    if (slash) {
        slash[slash == dir] = '\0';
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            *e = stat(dir, &st) != 0 ? errno : ENOTDIR;
            p = AN_OUT_NO_DIR;
        }
    }
    if (p == AN_OUT_OK) {
        /* the writer's own temporary name: a trial creation says EACCES,
         * EROFS or EDQUOT now rather than after the run */
        int fd;
        if (ex_temp_create(path, tmp, n + 32, &fd) == SIM_OK) {
            unlink(tmp);           /* under its lock: no other writer's file */
            ex_temp_release(fd);
        } else {
            *e = errno;
            p = AN_OUT_UNWRITABLE;
        }
    }
    free(dir);
    free(tmp);
    return p;
}

/* Whether st is the file of one of inputs (followed through links). */
static int input_index(const struct stat *st, const char *const *inputs, size_t n, size_t *which)
{
    struct stat in;
    for (size_t i = 0; i < n; i++)
        if (inputs[i] && stat(inputs[i], &in) == 0 && in.st_dev == st->st_dev
            && in.st_ino == st->st_ino) {
            if (which)
                *which = i;
            return 1;
        }
    return 0;
}

an_output_problem an_output_check_inputs(const char *path, const char *const *inputs,
                                         size_t n_inputs, size_t *which)
{
    struct stat st;
    if (!path || stat(path, &st) != 0)
        return AN_OUT_OK;
    return input_index(&st, inputs, n_inputs, which) ? AN_OUT_INPUT : AN_OUT_OK;
}

static int has_ext(const char *name, const char *const *exts, size_t n_exts)
{
    size_t n = strlen(name);
    for (size_t k = 0; k < n_exts; k++) {
        size_t e = strlen(exts[k]);
        if (n > e && !strcmp(name + n - e, exts[k]))
            return 1;
    }
    return 0;
}

an_output_problem an_output_check_dir_inputs(const char *dir, const char *const *exts,
                                             size_t n_exts, const char *const *inputs,
                                             size_t n_inputs, size_t *which, char *file,
                                             size_t file_size)
{
    DIR *d = dir ? opendir(dir) : NULL;
    if (!d)
        return AN_OUT_OK;         /* absent: created empty; other faults are an_output_check_dir's */
    an_output_problem p = AN_OUT_OK;
    struct dirent *ent;
    while (p == AN_OUT_OK && (ent = readdir(d))) {
        if (!has_ext(ent->d_name, exts, n_exts))
            continue;
        /* stat, not lstat: the writer's fopen follows a link there */
        struct stat st;
        snprintf(file, file_size, "%s/%s", dir, ent->d_name);
        if (stat(file, &st) == 0 && input_index(&st, inputs, n_inputs, which))
            p = AN_OUT_INPUT;
    }
    closedir(d);
    return p;
}

an_output_problem an_output_check_dir(const char *dir, int force, int *sys_errno)
{
    int dummy;
    int *e = sys_errno ? sys_errno : &dummy;
    *e = 0;
    if (!dir || !*dir)
        return AN_OUT_EMPTY;
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno != ENOENT) {
            *e = errno;
            return errno == ENOTDIR ? AN_OUT_NO_DIR : AN_OUT_UNWRITABLE;
        }
        /* absent: its parent must be there to create it in */
        char *copy = strdup(dir);
        if (!copy) {
            *e = ENOMEM;
            return AN_OUT_UNWRITABLE;
        }
        int ok = stat(dirname(copy), &st) == 0 && S_ISDIR(st.st_mode);
        free(copy);
        return ok ? AN_OUT_OK : AN_OUT_NO_DIR;
    }
    if (!S_ISDIR(st.st_mode))
        return AN_OUT_NOT_A_DIR;
    if (force)
        return AN_OUT_OK;
    DIR *d = opendir(dir);
    if (!d) {
        *e = errno;
        return AN_OUT_UNWRITABLE;
    }
    struct dirent *ent;
    int empty = 1;
    while (empty && (ent = readdir(d)))
        empty = !strcmp(ent->d_name, ".") || !strcmp(ent->d_name, "..");
    closedir(d);
    return empty ? AN_OUT_OK : AN_OUT_NOT_EMPTY;
}

const char *an_output_problem_text(an_output_problem p)
{
    switch (p) {
    case AN_OUT_OK: return "can be written";
    case AN_OUT_EMPTY: return "an empty file name";
    case AN_OUT_EXISTS: return "exists";
    case AN_OUT_DIRECTORY: return "is a directory";
    case AN_OUT_DEVICE: return "is a device, not a regular file";
    case AN_OUT_FIFO: return "is a FIFO (named pipe), not a regular file";
    case AN_OUT_SOCKET: return "is a socket, not a regular file";
    case AN_OUT_SYMLINK: return "is a symbolic link (name the file it points to)";
    case AN_OUT_DANGLING: return "is a symbolic link to nothing";
    case AN_OUT_NO_DIR: return "the directory does not exist";
    case AN_OUT_UNWRITABLE: return "cannot create a file there";
    case AN_OUT_NOT_EMPTY: return "holds files already";
    case AN_OUT_NOT_A_DIR: return "exists and is not a directory";
    case AN_OUT_INPUT: return "is one of the command's inputs";
    }
    return "cannot be written";
}

void an_output_describe(char *buf, size_t size, const char *path, an_output_problem p,
                        int sys_errno)
{
    if (p == AN_OUT_EXISTS)
        snprintf(buf, size, "%s exists: use --force to overwrite it", path);
    else if (p == AN_OUT_NOT_EMPTY)
        snprintf(buf, size, "%s holds files already: use --force to write into it (files of "
                 "the same names are replaced)", path);
    else if (p == AN_OUT_NOT_A_DIR)
        snprintf(buf, size, "%s exists and is not a directory", path);
    else if (p == AN_OUT_EMPTY)
        snprintf(buf, size, "-o '': expected a file name");
    else if (sys_errno)
        snprintf(buf, size, "%s: %s: %s", path, an_output_problem_text(p), strerror(sys_errno));
    else if (p == AN_OUT_NO_DIR)
        snprintf(buf, size, "%s: %s", path, an_output_problem_text(p));
    else
        snprintf(buf, size, "%s %s: refusing to replace it, even with --force", path,
                 an_output_problem_text(p));
}

void an_output_describe_input(char *buf, size_t size, const char *path, const char *input)
{
    snprintf(buf, size, "%s is the same file as the input %s: refusing to replace it, even with "
             "--force", path, input);
}

int an_output_problem_status(an_output_problem p)
{
    switch (p) {
    case AN_OUT_OK: return SIM_OK;
    case AN_OUT_EXISTS:
    case AN_OUT_NOT_EMPTY: return SIM_EEXIST;
    case AN_OUT_NO_DIR: return SIM_ENOTFOUND;
    case AN_OUT_UNWRITABLE: return SIM_EIO;
    default: return SIM_EINVAL;
    }
}

int an_output_resumable(const char *path, const char *ckpt_dir)
{
    struct stat st;
    if (stat(path, &st) != 0 || ex_ckpt_dir_state(ckpt_dir) == 1)
        return 1;
    an_h5_file *f = NULL;
    int ok = an_h5_open(path, &f) == SIM_OK && !an_h5_get_info(f)->complete;
    an_h5_close(f);
    return ok;
}

void an_output_remove_stale(const char *path)
{
    ex_remove_stale_siblings(path);
}
