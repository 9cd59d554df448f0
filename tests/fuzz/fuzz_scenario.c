/* libFuzzer harness: the scenario loader on arbitrary YAML text. */
#include <string.h>

#include "fuzz/fuzz_text.h"
#include "rf_model.h"
#include "rf_scenario.h"

int FUZZ_ENTRY(const uint8_t *data, size_t size);

int FUZZ_ENTRY(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size, 65536);
    if (!text)
        return 0;
    rf_scenario *s = NULL;
    rf_diags d;
    /* extends: and trace: paths resolve against a directory that does not exist */
    if (rf_scenario_load_text(text, "/nonexistent/fuzz.yaml", NULL, 0, &s, &d) == 0) {
        /* what the loader accepts the model runs: `check` refuses whatever
         * `run` would */
        if (rf_model_check(rf_scenario_params(s), NULL, 0) != 0)
            abort();
        /* a loaded scenario must load again from its resolved text */
        rf_scenario *again = NULL;
        if (rf_scenario_load_text(rf_scenario_text(s), "/nonexistent/fuzz.yaml", NULL, 0, &again,
                                  &d) != 0)
            abort();
        rf_scenario_free(again);
    }
    rf_scenario_free(s);
    free(text);
    return 0;
}
