/* CSV reader for referral traces.  Cells are plain (no quoting); blank lines
 * and lines starting with '#' are skipped; integer columns also accept
 * yes/no/true/false for the 0/1 flags. */
#include "rf_trace.h"
#include "sim_file.h"
#include "sim_status.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    const char *name;
    size_t offset;
    bool is_double;
} column;

#define COL_I(f) {#f, offsetof(rf_trace_row, f), false}
#define COL_D(f) {#f, offsetof(rf_trace_row, f), true}
static const column columns[] = {
    COL_D(day), COL_I(adults), COL_I(children), COL_I(oldest_boy_age), COL_I(wheelchair),
    COL_I(nrpf), COL_I(male), COL_I(pet), COL_I(bme), COL_I(young), COL_I(needs_specialist),
    COL_I(high_support), COL_I(high_risk), COL_I(needs_security), COL_I(outside_area),
    COL_I(area), COL_I(screened_out), COL_I(will_wait), COL_D(patience), COL_D(stay),
    COL_D(move_on_delay),
};
enum { N_COLUMNS = sizeof columns / sizeof columns[0], MAX_CELLS = 64 };

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = 0;
    return s;
}

/* Split a line in place at commas; returns the number of cells. */
static int split(char *line, char **cells)
{
    int n = 0;
    for (char *c = line;; ) {
        char *comma = strchr(c, ',');
        if (comma)
            *comma = 0;
        if (n < MAX_CELLS)
            cells[n] = trim(c);
        n++;
        if (!comma)
            return n;
        c = comma + 1;
    }
}

static void row_defaults(rf_trace_row *r)
{
    for (size_t i = 0; i < N_COLUMNS; i++) {
        char *f = (char *)r + columns[i].offset;
        if (columns[i].is_double)
            *(double *)f = -1;
        else
            *(int *)f = -1;
    }
}

static bool parse_cell(const column *c, const char *s, rf_trace_row *r)
{
    char *f = (char *)r + c->offset;
    if (!*s)
        return true;                 /* empty: draw it */
    char *end;
    errno = 0;
    if (c->is_double) {
        double v = strtod(s, &end);
        if (*end || errno || !isfinite(v) || (v < 0 && v != -1))
            return false;
        *(double *)f = v;
        return true;
    }
    if (!strcasecmp(s, "yes") || !strcasecmp(s, "true")) {
        *(int *)f = 1;
        return true;
    }
    if (!strcasecmp(s, "no") || !strcasecmp(s, "false")) {
        *(int *)f = 0;
        return true;
    }
    long v = strtol(s, &end, 10);
    if (*end || errno || v < -1 || v > 1000000)
        return false;
    *(int *)f = (int)v;
    return true;
}

static int fail(int status, int *err_line, int line, char *err, size_t err_size, const char *fmt,
                const char *a)
{
    *err_line = line;
    snprintf(err, err_size, fmt, a);
    return status;
}

int rf_trace_load(const char *path, rf_trace *out, int *err_line, char *err, size_t err_size)
{
    out->n = 0;
    out->rows = NULL;
    *err_line = 0;
    if (err_size)
        err[0] = 0;
    int why = 0;
    FILE *fp = sim_file_open(path, RF_TRACE_MAX_BYTES, &why);
    if (!fp)
        return fail(SIM_EIO, err_line, 0, err, err_size, "%s",
                    why == SIM_FILE_TOO_BIG ? "larger than the 256 MiB a trace may have"
                                            : sim_file_strerror(why));

    int map[MAX_CELLS];            /* cell index -> column index */
    int n_header = 0, cap = 0, line_no = 0, rc = SIM_OK;
    bool have_day = false;
    char *line = NULL, *cells[MAX_CELLS];
    size_t line_cap = 0;
    size_t total = 0;
    ssize_t got;
    while ((got = getline(&line, &line_cap, fp)) >= 0) {
        line_no++;
        if ((total += (size_t)got) > RF_TRACE_MAX_BYTES) { /* it grew since the open */
            rc = fail(SIM_EIO, err_line, 0, err, err_size, "%s",
                      "larger than the 256 MiB a trace may have");
            break;
        }
        char *t = trim(line);
        if (!*t || *t == '#')
            continue;
        int n = split(t, cells);
        if (n > MAX_CELLS) {
            rc = fail(SIM_EPARSE, err_line, line_no, err, err_size, "%s", "too many columns");
            break;
        }
        if (!n_header) {
            for (int i = 0; i < n; i++) {
                map[i] = -1;
                for (int j = 0; j < (int)N_COLUMNS; j++)
                    if (!strcmp(cells[i], columns[j].name))
                        map[i] = j;
                if (map[i] < 0) {
                    /* the cell's number, never its text: a trace path may
                     * name any file, whose first line is nobody's business */
                    char nth[24];
                    snprintf(nth, sizeof nth, "%d", i + 1);
                    rc = fail(SIM_EPARSE, err_line, line_no, err, err_size,
                              "header cell %s is not a column name (expected day, adults, children, "
                              "oldest_boy_age, wheelchair, nrpf, male, pet, bme, young, "
                              "needs_specialist, high_support, high_risk, needs_security, "
                              "outside_area, area, screened_out, will_wait, patience, stay, "
                              "move_on_delay)", nth);
                    break;
                }
                have_day |= map[i] == 0;
            }
            if (rc)
                break;
            if (!have_day) {
                rc = fail(SIM_EPARSE, err_line, line_no, err, err_size, "%s",
                          "the header has no 'day' column");
                break;
            }
            n_header = n;
            continue;
        }
        if (n != n_header) {
            rc = fail(SIM_EPARSE, err_line, line_no, err, err_size, "%s",
                      "the row does not have as many cells as the header");
            break;
        }
        if (out->n == cap) {
            int ncap = cap ? 2 * cap : 64;
            rf_trace_row *nr = realloc(out->rows, (size_t)ncap * sizeof *nr);
            if (!nr) {
                rc = SIM_ENOMEM;
                break;
            }
            out->rows = nr;
            cap = ncap;
        }
        rf_trace_row *r = &out->rows[out->n];
        row_defaults(r);
        for (int i = 0; i < n && !rc; i++)
            if (!parse_cell(&columns[map[i]], cells[i], r))
                rc = fail(SIM_EPARSE, err_line, line_no, err, err_size,
                          "column '%s': expected a number >= 0, -1 or an empty cell (flags: 0/1)",
                          columns[map[i]].name);
        if (rc)
            break;
        if (!(r->day >= 0)) {
            rc = fail(SIM_EPARSE, err_line, line_no, err, err_size, "%s",
                      "column 'day': expected a number of days >= 0");
            break;
        }
        if (out->n > 0 && r->day < out->rows[out->n - 1].day) {
            rc = fail(SIM_EPARSE, err_line, line_no, err, err_size, "%s",
                      "column 'day': rows must be in day order");
            break;
        }
        out->n++;
    }
    if (!rc && ferror(fp))
        rc = fail(SIM_EIO, err_line, 0, err, err_size, "cannot read '%s'", path);
    if (!rc && !n_header)
        rc = fail(SIM_EPARSE, err_line, 0, err, err_size, "%s", "empty trace: no header line");
    free(line);
    fclose(fp);
    if (rc)
        rf_trace_free(out);
    return rc;
}

void rf_trace_free(rf_trace *t)
{
    if (!t)
        return;
    free(t->rows);
    t->rows = NULL;
    t->n = 0;
}
