/* rf_scenario_diag: collecting, ordering and formatting diagnostics.  The
 * bottom of the scenario loader: it calls nothing else of it. */
#include "rf_scenario_diag.h"

#include <stdio.h>
#include <string.h>

void rf_diags_addv(rf_diags *d, const char *file, int line, int col, const char *key,
                   const char *fmt, va_list ap)
{
    if (!d)
        return;
    if (d->n >= (int)(sizeof d->items / sizeof d->items[0])) {
        d->dropped++;
        return;
    }
    rf_diag *x = &d->items[d->n++];
    snprintf(x->file, sizeof x->file, "%s", file ? file : "");
    x->line = line;
    x->column = col;
    snprintf(x->key, sizeof x->key, "%s", key ? key : "");
    vsnprintf(x->message, sizeof x->message, fmt, ap);
}

void rf_diags_add(rf_diags *d, const char *file, int line, int col, const char *key,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rf_diags_addv(d, file, line, col, key, fmt, ap);
    va_end(ap);
}

int rf_diags_total(const rf_diags *d)
{
    return d ? d->n + d->dropped : 0;
}

void rf_diag_format(const rf_diag *d, char *buf, size_t size)
{
    if (!size)
        return;
    char where[300];
    if (!d->file[0]) /* never "refugesim: : error:" */
        where[0] = '\0';
    else if (d->line > 0)
        snprintf(where, sizeof where, "%s:%d:%d: ", d->file, d->line, d->column);
    else
        snprintf(where, sizeof where, "%s: ", d->file);
    snprintf(buf, size, "%serror: %s%s%s", where, d->key, d->key[0] ? ": " : "", d->message);
}

/* Readers expect problems in file order: group by file (in the order files
 * first appear), then by line and column.  Stable, and n is at most 64. */
void rf_diags_sort(rf_diags *d)
{
    int rank[64];
    for (int i = 0; i < d->n; i++) {
        rank[i] = i;
        for (int j = 0; j < i; j++)
            if (!strcmp(d->items[j].file, d->items[i].file)) {
                rank[i] = rank[j];
                break;
            }
    }
    for (int i = 1; i < d->n; i++) {
        rf_diag x = d->items[i];
        int r = rank[i], j = i - 1;
        while (j >= 0 && (rank[j] > r || (rank[j] == r && (d->items[j].line > x.line
                                                          || (d->items[j].line == x.line
                                                              && d->items[j].column > x.column))))) {
            d->items[j + 1] = d->items[j];
            rank[j + 1] = rank[j];
            j--;
        }
        d->items[j + 1] = x;
        rank[j + 1] = r;
    }
}
