/* study_spool: one point's replication records as a driver gathers them
 * (capacity, compare, optimise, calibrate, --precision), kept so that the
 * point can be extended, judged and written to a results file after the
 * search has decided, without memory growing with its replications.
 *
 * Records go to memory while the study's budget lasts, the rest to an
 * unlinked temporary file in $TMPDIR (else /tmp), which the system
 * removes however the program ends.  Only the done flags, a byte a
 * replication, stay in memory whatever the count. */
#ifndef STUDY_SPOOL_H
#define STUDY_SPOOL_H

#include <stddef.h>

/* Records of a study held in memory before they go to a file: 8 MB, or
 * the environment's REFUGESIM_RECORD_MEMORY, a number of bytes optionally
 * followed by K, M or G (powers of 1024).  SIM_EINVAL when it is set to
 * anything else but nothing (*out is then the default): a budget the user mistyped is
 * refused, not silently replaced. */
int study_spool_budget(size_t *out);

/* Where the records past the budget go: $TMPDIR, else /tmp. */
const char *study_spool_dir(void);

typedef struct study_spool study_spool;

/* A spool of records of rec_size bytes drawing on *budget, the memory the
 * study has left for records (shared by its spools; NULL: no bound). */
int study_spool_new(study_spool **out, size_t rec_size, size_t *budget);
/* Frees it and its memory back to the budget; NULL is fine. */
void study_spool_free(study_spool *sp);

/* Append n records (rec_size bytes apart) and their done flags.  SIM_EIO
 * with errno when the file cannot be written (nothing is appended),
 * SIM_ENOMEM. */
int study_spool_append(study_spool *sp, const void *records, const unsigned char *done, size_t n);
size_t study_spool_count(const study_spool *sp);
/* Every record's done flag, count of them (owned by the spool). */
const unsigned char *study_spool_done(const study_spool *sp);
/* Records [first, first + n): a pointer to them, into the spool's memory
 * or into buf (n * rec_size bytes) read from its file; valid until the
 * next call.  NULL with errno when they cannot be read. */
const void *study_spool_get(study_spool *sp, size_t first, size_t n, void *buf);
#endif
