/* an_output: where a results file goes, checked before any work is done, so
 * a long run never ends in "cannot write".  Writing itself (publishing
 * points, the atomic commit) is an_h5's writer.  Status codes only. */
#ifndef AN_OUTPUT_H
#define AN_OUTPUT_H

#include <stddef.h>

/* What stands in the way of writing a results file at a path.  Only a
 * regular file is ever replaced (with force): the temporary file is renamed
 * over the path, which would turn /dev/null or a FIFO into a regular file. */
typedef enum {
    AN_OUT_OK,
    AN_OUT_EMPTY,        /* "" */
    AN_OUT_EXISTS,       /* a regular file, and force is 0 */
    AN_OUT_DIRECTORY,
    AN_OUT_DEVICE,       /* character or block device */
    AN_OUT_FIFO,
    AN_OUT_SOCKET,
    AN_OUT_SYMLINK,      /* a symbolic link (renaming over it would replace the link) */
    AN_OUT_DANGLING,     /* a symbolic link to nothing */
    AN_OUT_NO_DIR,       /* the directory is missing or not a directory; errno in *sys_errno */
    AN_OUT_UNWRITABLE,   /* a file cannot be created there; errno (EACCES, EROFS, ...) in *sys_errno */
    AN_OUT_NOT_EMPTY,    /* an output directory that holds files already, and force is 0 */
    AN_OUT_NOT_A_DIR,    /* an output directory's name is taken by something else */
    AN_OUT_INPUT         /* the same file as one of the command's own inputs */
} an_output_problem;

/* Checks path before any work: lstat (never following a link) and a trial
 * creation of the temporary sibling "<path>.tmp.<pid>" (removed at once),
 * so the error names the real cause.  sys_errno may be NULL. */
an_output_problem an_output_check(const char *path, int force, int *sys_errno);

/* A directory that files are written into (report --csv, --plots): absent
 * (it will be created; its parent must exist), or a directory that is
 * empty, or any directory with force (files of the same names are
 * replaced).  AN_OUT_NOT_EMPTY, AN_OUT_NOT_A_DIR, AN_OUT_NO_DIR,
 * AN_OUT_UNWRITABLE (with the errno of a failed look) otherwise. */
an_output_problem an_output_check_dir(const char *dir, int force, int *sys_errno);

/* An output is never one of the command's own inputs (its scenario and
 * what that reads, a results file it reports on or reruns, a part it
 * merges), even with force: replacing it would lose what the output is
 * made from.  AN_OUT_INPUT and *which (may be NULL) the index when path is
 * the same file as inputs[which] (device and inode: also under another
 * name, through a hard link or a symbolic link to a directory); AN_OUT_OK
 * when it is none of them, or does not exist yet.  NULL inputs are
 * skipped.  Callers check this before an_output_check, whose EXISTS
 * would suggest --force. */
an_output_problem an_output_check_inputs(const char *path, const char *const *inputs,
                                         size_t n_inputs, size_t *which);

/* The same for a directory files are written into (report --csv, --plots),
 * whose writer names them *EXT for one of the n_exts exts (".csv"): an
 * input elsewhere in the directory is fine, one such file there that is an
 * input is AN_OUT_INPUT, with its path in file (file_size bytes). */
an_output_problem an_output_check_dir_inputs(const char *dir, const char *const *exts,
                                             size_t n_exts, const char *const *inputs,
                                             size_t n_inputs, size_t *which, char *file,
                                             size_t file_size);

/* "OUT is the same file as the input IN: refusing to replace it, even with
 * --force" into buf, for AN_OUT_INPUT. */
void an_output_describe_input(char *buf, size_t size, const char *path, const char *input);

/* A few words for the problem ("is a directory", "is a device", ...), and
 * the status code: SIM_EEXIST, SIM_ENOTFOUND (no directory), SIM_EIO (cannot
 * create), SIM_EINVAL (the others). */
const char *an_output_problem_text(an_output_problem p);
int an_output_problem_status(an_output_problem p);

/* "PATH is a directory", "PATH: cannot create a file there: Read-only file
 * system", ... into buf (the words of an_output_problem_text, the errno's
 * text, and for AN_OUT_EXISTS the --force hint). */
void an_output_describe(char *buf, size_t size, const char *path, an_output_problem p,
                        int sys_errno);

/* May a resumed run replace path?  Only when there is something to resume:
 * the checkpoint directory exists, or the file is an interrupted run's (or
 * is absent).  1 or 0. */
int an_output_resumable(const char *path, const char *ckpt_dir);

/* Remove the temporary siblings ("<path>.tmp.<pid>") that writers killed
 * before their commit left behind. */
void an_output_remove_stale(const char *path);

#endif
