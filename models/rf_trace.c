#include "rf_trace.h"
#include "sim_status.h"

#include <stdio.h>
#include <stdlib.h>

/* Placeholder until the trace reader lands. */
int rf_trace_load(const char *path, rf_trace *out, int *err_line, char *err, size_t err_size)
{
    (void)path;
    out->n = 0;
    out->rows = NULL;
    *err_line = 0;
    snprintf(err, err_size, "trace replay is not implemented yet");
    return SIM_EINVAL;
}

void rf_trace_free(rf_trace *t)
{
    if (!t)
        return;
    free(t->rows);
    t->rows = NULL;
    t->n = 0;
}
