/* ex_ckpt: checkpoints of an experiment's finished points, so that a long
 * sweep that was interrupted or killed resumes without redoing them.
 *
 * One small file per finished point, "<dir>/point-<i>.bin": a header (magic,
 * point, replications, record size, key), the done flags, the records, and
 * a digest (ex_digest) of all of them, so that a damaged file is told from
 * another run's.  "<dir>/inputs" holds the caller's description of the
 * inputs (text), so that a resume with other inputs can say what changed.  The
 * key is a digest of everything the records depend on (ex_digest over the
 * inputs, then ex_digest_finish), so a checkpoint is reused only by the same
 * inputs, build and record layout.  Records are opaque bytes: this module
 * knows no model and no results file format.
 *
 * Every file is written to "<name>.tmp.<pid>", fsynced and renamed: a kill
 * leaves the old state or the whole new file, never half of one.  Each
 * temporary file is created by ex_temp_create, whose writer holds an
 * exclusive flock on it for its whole life; ex_remove_stale_temps removes
 * only temporaries whose lock it can take, so a live writer's file is never
 * removed, whatever PID namespace or node of a shared file system it runs
 * on (a lock goes with its process: a killed writer's is free at once).
 * Functions return a sim_status and never print. */
#ifndef EX_CKPT_H
#define EX_CKPT_H

#include <stddef.h>
#include <stdint.h>

/* 64-bit FNV-1a: start from EX_DIGEST_INIT, fold in bytes. */
#define EX_DIGEST_INIT 1469598103934665603ull
uint64_t ex_digest(uint64_t h, const void *data, size_t n);
/* Fold in the build (version and commit) and the record size. */
uint64_t ex_digest_finish(uint64_t h, size_t record_size);

typedef struct {
    char dir[4096];
    uint64_t key;
    size_t n_reps;             /* replications of every point */
    size_t record_size;
} ex_ckpt;

/* Fill *c; SIM_ERANGE when dir does not fit. */
int ex_ckpt_init(ex_ckpt *c, const char *dir, uint64_t key, size_t n_reps, size_t record_size);

/* 0 when dir does not exist, 1 when it is a directory, -1 when something
 * else sits there. */
int ex_ckpt_dir_state(const char *dir);

/* Remove stale temporaries in the directory, then create it if missing.
 * SIM_EIO (errno says why) when it cannot be created. */
int ex_ckpt_make_dir(const ex_ckpt *c);

/* Point `point`: n_reps done flags and n_reps records.  SIM_EIO on failure
 * (errno as the failing call left it). */
int ex_ckpt_write(const ex_ckpt *c, size_t point, const unsigned char *done, const void *records);

/* SIM_OK only when the file exists, matches (point, replications, record
 * size, key) and every replication is done; SIM_ENOTFOUND when there is no
 * file; SIM_EPARSE when it is damaged (its digest does not match); SIM_EIO
 * when it cannot be read; SIM_EINVAL when it is not reusable otherwise
 * (another format, another run's, unfinished).  done and records may be
 * overwritten even when the result is not SIM_OK. */
int ex_ckpt_read(const ex_ckpt *c, size_t point, unsigned char *done, void *records);

/* The same for a point whose replications vary (replications to a
 * precision): n of them, written in the header and checked on reading
 * instead of the directory's n_reps.  read_n gives *n and new arrays
 * *done and *records (the caller frees them) on SIM_OK only; statuses as
 * ex_ckpt_read. */
int ex_ckpt_write_n(const ex_ckpt *c, size_t point, size_t n, const unsigned char *done,
                    const void *records);
int ex_ckpt_read_n(const ex_ckpt *c, size_t point, size_t *n, unsigned char **done,
                   void **records);

/* A whole point's file written as its records come, so that they need not
 * all be held: begin (every done flag 1), add records in replication order,
 * in pieces of any size, end with keep 1 once all n_reps were added
 * (digest, fsync, rename: the file ex_ckpt_write makes) or keep 0 to drop
 * it (neither the file nor its temporary stays).  SIM_EIO with errno on
 * failure (EINVAL when more records are added than the point has); after
 * a failure the stream only takes end.
 *
 * begin_n is the same for a point of n replications (replications to a
 * precision): the file ex_ckpt_write_n(c, point, n, done, records) makes,
 * byte for byte, once its n records were added.  done holds the n flags;
 * they come before the records in the file, so they are written at begin
 * and the caller keeps ownership (it may free them after begin).
 * ex_ckpt_stream_begin is begin_n with n = c->n_reps and every flag 1. */
typedef struct {
    int fd;
    char path[4200], tmp[4300];
    uint64_t sum;
    size_t n, added, record_size;
} ex_ckpt_stream;
int ex_ckpt_stream_begin(const ex_ckpt *c, size_t point, ex_ckpt_stream *s);
int ex_ckpt_stream_begin_n(const ex_ckpt *c, size_t point, size_t n, const unsigned char *done,
                           ex_ckpt_stream *s);
int ex_ckpt_stream_add(ex_ckpt_stream *s, const void *records, size_t n);
int ex_ckpt_stream_end(ex_ckpt_stream *s, int keep);

/* A point's file read piece by piece: open checks it whole (statuses as
 * ex_ckpt_read: SIM_OK only for a matching file of a whole point) without
 * holding it; get reads records [first, first + n); close.
 *
 * open_n is the same for ex_ckpt_write_n's file of a point whose
 * replications vary, so that its records need not all be held (as
 * ex_ckpt_read_n holds them): the digest is checked over the whole file,
 * block by block, before SIM_OK; statuses as ex_ckpt_read_n (SIM_EINVAL
 * also for n == 0; SIM_EIO with errno ENOMEM when out of memory).  On
 * SIM_OK it gives *n and a new array *done of the n flags (the caller
 * frees it) and get reads records [0, n); on failure *done is NULL and
 * nothing is open (close is harmless). */
typedef struct {
    int fd;
    size_t n, record_size, records_at;
} ex_ckpt_reader;
int ex_ckpt_open(const ex_ckpt *c, size_t point, ex_ckpt_reader *r);
int ex_ckpt_open_n(const ex_ckpt *c, size_t point, ex_ckpt_reader *r, size_t *n,
                   unsigned char **done);
int ex_ckpt_get(const ex_ckpt_reader *r, size_t first, size_t n, void *records);
void ex_ckpt_close(ex_ckpt_reader *r);

/* The path of point's file. */
void ex_ckpt_point_path(const ex_ckpt *c, size_t point, char *buf, size_t size);

/* Write (atomically) / read "<dir>/inputs"; read gives a new string or NULL
 * when there is none. */
int ex_ckpt_write_inputs(const ex_ckpt *c, const char *text);
char *ex_ckpt_read_inputs(const ex_ckpt *c);

/* ex_ckpt_remove when no point 0 .. n_points-1 has a file. */
void ex_ckpt_prune(const ex_ckpt *c, size_t n_points);

/* Remove the files of points 0 .. n_points-1, stale temporaries and the
 * directory (when empty). */
void ex_ckpt_remove(const ex_ckpt *c, size_t n_points);

/* Create the temporary sibling of path, "<path>.tmp.<pid>" (or
 * "<path>.tmp.<pid>.<n>" while a live writer elsewhere, in another PID
 * namespace or on another node, holds that name), exclusively, and hold an
 * exclusive flock on it through *lock_fd (opened read-write: the caller
 * may write through it) until ex_temp_release.  The name goes to tmp (size
 * bytes).  SIM_EIO with errno when it cannot be created; SIM_ERANGE when
 * the name does not fit. */
int ex_temp_create(const char *path, char *tmp, size_t size, int *lock_fd);
/* Release the lock (close lock_fd; -1 is fine) once the temporary file has
 * been renamed into place or removed. */
void ex_temp_release(int lock_fd);

/* Write n bytes to path atomically: through its locked temporary sibling
 * (ex_temp_create), fsynced, then put in place: renamed over an existing
 * regular file with force, else linked (SIM_EEXIST, nothing replaced,
 * when path exists).  SIM_EIO with errno on failure; the temporary file
 * never stays. */
int ex_write_file_atomic(const char *path, const void *data, size_t n, int force);

/* Remove "<prefix>.tmp.*" files in dir whose writer's lock is free: its
 * writer ended without cleaning up (a SIGKILL gives no chance to); a file
 * whose lock is held is left alone.  prefix "" matches any name. */
void ex_remove_stale_temps(const char *dir, const char *prefix);

/* The same for the temporary siblings of a file: "<path>.tmp.<pid>". */
void ex_remove_stale_siblings(const char *path);

#endif
