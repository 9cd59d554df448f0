/* an_output: where a results file goes, checked before any work is done, so
 * a long run never ends in "cannot write".  Writing itself (publishing
 * points, the atomic commit) is an_h5's writer.  Status codes only. */
#ifndef AN_OUTPUT_H
#define AN_OUTPUT_H

/* SIM_EEXIST when path exists and force is 0; SIM_ENOTFOUND when its
 * directory does not exist; else SIM_OK. */
int an_output_check(const char *path, int force);

/* May a resumed run replace path?  Only when there is something to resume:
 * the checkpoint directory exists, or the file is an interrupted run's (or
 * is absent).  1 or 0. */
int an_output_resumable(const char *path, const char *ckpt_dir);

/* Remove the temporary siblings ("<path>.tmp.<pid>") that writers killed
 * before their commit left behind. */
void an_output_remove_stale(const char *path);

#endif
