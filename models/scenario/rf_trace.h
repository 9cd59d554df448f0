/* rf_trace: referral traces (CSV) replayed instead of Poisson arrivals, so a
 * service can run its own history.
 *
 * Format: a header line naming the columns, then one referral per line.  The
 * `day` column is required (days from the start of the run, after warm-up);
 * every other column of rf_trace_row is optional, and an empty cell or -1
 * means "draw it from the household mix".  Rows must be in day order.
 *
 * Ownership: rf_trace_load fills *out with rows the caller releases with
 * rf_trace_free. */
#ifndef RF_TRACE_H
#define RF_TRACE_H

#include <stddef.h>
#include "rf_params.h"

/* A trace is a regular file of at most 256 MiB (about 10 million referrals). */
#define RF_TRACE_MAX_BYTES (256u << 20)

/* SIM_EIO if the file cannot be read (not a regular file, too large), SIM_EPARSE for malformed content; then
 * *err_line (1-based, 0 if not line-specific) and err (a message naming the
 * column and the accepted values) say why. */
int rf_trace_load(const char *path, rf_trace *out, int *err_line, char *err, size_t err_size);
void rf_trace_free(rf_trace *t);

#endif
