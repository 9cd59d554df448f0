/* libFuzzer harness: --set KEY=VALUE overrides on a real scenario. */
#include <string.h>

#include "fuzz/fuzz_text.h"
#include "rf_scenario.h"

int FUZZ_ENTRY(const uint8_t *data, size_t size);

static const char base[] =
    "name: fuzz\n"
    "referrals: {per_year: 100}\n"
    "waiting: {p_wait: 0.5, patience: {dist: exponential, mean: 30}}\n"
    "services:\n"
    "  - name: A\n"
    "    units: 5\n"
    "    largest_family: 4\n"
    "    stay: {dist: lognormal, mean: 100, sd: 50}\n"
    "    blocks: [{name: access, units: 1, wheelchair: true}]\n"
    "  - name: B\n"
    "    units: 3\n"
    "    largest_family: 3\n"
    "    stay: {dist: exponential, mean: 60}\n";

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size, 4096);
    if (!text)
        return 0;
    /* one --set per line */
    const char *sets[16];
    size_t n = 0;
    for (char *line = strtok(text, "\n"); line && n < 16; line = strtok(NULL, "\n"))
        sets[n++] = line;
    rf_scenario *s = NULL;
    rf_diags d;
    rf_scenario_load_text(base, "fuzz.yaml", sets, n, &s, &d);
    rf_scenario_free(s);
    free(text);
    return 0;
}
