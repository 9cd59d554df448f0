/* libFuzzer harness: the --vary KEY=SPEC parser. */
#include <string.h>

#include "fuzz/fuzz_text.h"
#include "rf_sweep.h"

int FUZZ_ENTRY(const uint8_t *data, size_t size);

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    /* Several --vary options separated by newlines. */
    char *text = fuzz_text(data, size, 4096);
    if (!text)
        return 0;
    rf_sweep *s = rf_sweep_create();
    char err[256];
    for (char *line = strtok(text, "\n"); line && s; line = strtok(NULL, "\n"))
        rf_sweep_add(s, line, err, sizeof err);
    if (s) {
        size_t n = rf_sweep_n_points(s);
        /* touch the first and last point of every key */
        for (size_t k = 0; k < rf_sweep_n_keys(s) && n > 0; k++) {
            (void)rf_sweep_value(s, 0, k);
            (void)rf_sweep_number(s, n - 1, k);
        }
    }
    rf_sweep_free(s);
    free(text);
    return 0;
}
