/* mq_validate: the built-in analytic cases `refugesim validate` runs and the
 * tests assert: each case is a queue, a measured quantity, and its theory. */
#ifndef MQ_VALIDATE_H
#define MQ_VALIDATE_H

#include <signal.h>
#include <stddef.h>
#include "mq_queue.h"
#include "sim_stats.h"

typedef enum {
    MQ_M_BLOCK, MQ_M_WAIT, MQ_M_ABANDON, MQ_M_MEAN_WAIT, MQ_M_LITTLE
} mq_measure;

typedef struct {
    const char *name;
    const char *theory_name;
    mq_measure measure;
    mq_params params;       /* seed is set by the caller */
    double theory;
} mq_case;

/* The built-in cases (theory computed at first call). */
size_t mq_case_count(void);
const mq_case *mq_case_at(size_t i);

/* The measured value of one replication's result. */
double mq_case_value(const mq_case *c, const mq_result *r);

/* Run `reps` replications of case c with `seed` on `threads` threads and
 * summarise the per-replication values.  stop (may be NULL): non-zero
 * starts no more replications (sim_runner).  Returns a sim_status,
 * SIM_EINTR when stopped. */
int mq_case_run(const mq_case *c, uint64_t seed, size_t reps, int threads,
                volatile sig_atomic_t *stop, sim_summary *out);

/* True when theory lies within the two-sided `level` (e.g. 0.95) Student-t
 * confidence interval of the summary. */
int mq_case_covers(const sim_summary *s, double theory, double level);

#endif
