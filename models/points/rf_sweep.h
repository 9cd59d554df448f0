/* rf_sweep: the grid of a parameter sweep, from `--vary KEY=SPEC` options.
 *
 * SPEC is a range `from:to:step` (inclusive of `to` when it lies on the
 * grid; step > 0) or a comma list `a,b,c` (numbers or words).  The grid is
 * the full cartesian product, the first --vary varying slowest.  The key is
 * not interpreted here: the caller applies "KEY=value" as a scenario --set
 * (or handles pseudo-keys such as `spaces`).
 *
 * Ownership: rf_sweep_create returns an object freed with rf_sweep_free
 * (NULL accepted); returned strings live as long as the sweep. */
#ifndef RF_SWEEP_H
#define RF_SWEEP_H

#include <stddef.h>

#define RF_SWEEP_MAX_KEYS 8
#define RF_SWEEP_MAX_POINTS 1000000

typedef struct rf_sweep rf_sweep;

rf_sweep *rf_sweep_create(void);
void rf_sweep_free(rf_sweep *s);

/* Parse one `KEY=SPEC`.  On error returns SIM_EPARSE (or SIM_ERANGE for a
 * grid that would be too large) and writes a message naming what is wrong
 * and what is accepted into err. */
int rf_sweep_add(rf_sweep *s, const char *arg, char *err, size_t err_size);

size_t rf_sweep_n_keys(const rf_sweep *s);
size_t rf_sweep_n_points(const rf_sweep *s);       /* 1 when there are no keys */
const char *rf_sweep_key(const rf_sweep *s, size_t k);
/* Value of key k at point i, as text, and as a number (its position in the
 * list for words). */
const char *rf_sweep_value(const rf_sweep *s, size_t point, size_t k);
double rf_sweep_number(const rf_sweep *s, size_t point, size_t k);

#endif
