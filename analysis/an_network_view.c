#include "an_network_view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sim_status.h"
#include "sim_text.h"

#define DAYS_PER_YEAR 365.0

typedef struct {
    int origin, destination;
    double mean;
} flow_key;

/* Largest first; equal means in the order of the layout (origin, then
 * destination), so the list is the same whatever qsort does. */
static int by_mean(const void *a, const void *b)
{
    const flow_key *x = a, *y = b;
    if (x->mean != y->mean)
        return x->mean < y->mean ? 1 : -1;
    if (x->origin != y->origin)
        return x->origin < y->origin ? -1 : 1;
    return (x->destination > y->destination) - (x->destination < y->destination);
}

int an_top_flows_of(const an_point_summary *ps, size_t max, an_top_flows *out)
{
    memset(out, 0, sizeof *out);
    const rf_flow_layout *l = &ps->flow_layout;
    if (!ps->n_areas || !ps->n_reps || !l->n_cells || ps->horizon_days <= 0)
        return SIM_OK;
    flow_key *k = malloc(l->n_cells * sizeof *k);
    if (!k)
        return SIM_ENOMEM;
    double f = DAYS_PER_YEAR / ps->horizon_days / (double)ps->n_reps;
    size_t n = 0;
    double total = 0;
    for (int o = 0; o < ps->n_areas; o++)
        for (size_t c = l->row[o]; c < l->row[o + 1]; c++) {
            uint64_t sum = 0;
            for (size_t r = 0; r < ps->n_reps; r++)
                sum += ps->flows[r * l->n_cells + c];
            if (sum) {
                k[n++] = (flow_key){o, l->dest[c], (double)sum * f};
                total += (double)sum * f;
            }
        }
    qsort(k, n, sizeof *k, by_mean);
    size_t m = n < max ? n : max;
    out->rows = malloc((m ? m : 1) * sizeof *out->rows);
    if (!out->rows) {
        free(k);
        return SIM_ENOMEM;
    }
    double shown = 0;
    for (size_t i = 0; i < m; i++) {
        out->rows[i].origin = k[i].origin;
        out->rows[i].destination = k[i].destination;
        an_flow_summary(ps, k[i].origin, k[i].destination, &out->rows[i].s);
        shown += k[i].mean;
    }
    out->n_rows = m;
    out->n_flows = n;
    out->left_per_year = m < n ? total - shown : 0;
    free(k);
    return SIM_OK;
}

void an_top_flows_free(an_top_flows *t)
{
    if (t) {
        free(t->rows);
        memset(t, 0, sizeof *t);
    }
}

void an_area_households(const an_point_summary *ps, int a, an_area_measure m, sim_summary *out)
{
    memset(out, 0, sizeof *out);
    out->mean = out->ci95 = NAN;
    switch (m) {
    case AN_AREA_PLACED: case AN_AREA_REFUSED: case AN_AREA_NO_SUITABLE: case AN_AREA_DECLINED:
    case AN_AREA_NOT_ACCOMMODATED: case AN_AREA_PLACED_AWAY: case AN_AREA_FROM_ELSEWHERE: break;
    default: return;
    }
    size_t n = ps->n_reps;
    if (!n || ps->horizon_days <= 0)
        return;
    double *x = malloc(2 * n * sizeof *x);
    if (!x)
        return;
    double f = DAYS_PER_YEAR / ps->horizon_days;
    for (size_t r = 0; r < n; r++) {
        double num, den;
        an_area_parts(ps, r, a, m, &num, &den);
        x[r] = num * f;
        x[n + r] = 1;
    }
    sim_ratio e;
    sim_ratio_estimate(x, x + n, n, &e);   /* a mean over replications: den 1 */
    out->n = e.n;
    out->mean = e.ratio;
    out->ci95 = e.ci95;
    free(x);
}

typedef struct {
    int area;
    double referrals;
} area_key;

static int by_referrals(const void *a, const void *b)
{
    const area_key *x = a, *y = b;
    if (x->referrals != y->referrals)
        return x->referrals < y->referrals ? 1 : -1;
    return (x->area > y->area) - (x->area < y->area);
}

static int by_area(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

size_t an_areas_shown(const an_point_summary *ps, size_t max, int *idx)
{
    size_t na = ps->n_areas > 0 ? (size_t)ps->n_areas : 0;
    if (na <= max) {
        for (size_t a = 0; a < na; a++)
            idx[a] = (int)a;
        return na;
    }
    area_key *k = malloc(na * sizeof *k);
    if (!k) { /* the first max, rather than none */
        for (size_t a = 0; a < max; a++)
            idx[a] = (int)a;
        return max;
    }
    for (size_t a = 0; a < na; a++) {
        uint64_t sum = 0;
        for (size_t r = 0; r < ps->n_reps; r++)
            sum += ps->areas[r * na + a].referrals;
        k[a] = (area_key){(int)a, (double)sum};
    }
    qsort(k, na, sizeof *k, by_referrals);
    for (size_t i = 0; i < max; i++)
        idx[i] = k[i].area;
    free(k);
    qsort(idx, max, sizeof *idx, by_area);
    return max;
}

void an_print_areas_left_out(FILE *f, size_t shown, size_t n)
{
    if (shown < n)
        fprintf(f, "the %zu areas with the most referrals of the %zu, in the scenario's order; the "
                   "other %zu are left out here: the results file has every area (area_summary; "
                   "refugesim report --csv DIR writes area_summary.csv)\n",
                shown, n, n - shown);
}

void an_print_top_flows(FILE *f, const an_point_summary *ps)
{
    an_top_flows t;
    if (an_top_flows_of(ps, AN_FLOW_TOP, &t) != SIM_OK)
        return;
    char (*cell)[3][AN_NAME_MAX * 2] = calloc(t.n_rows + 1, sizeof *cell);
    if (!cell) {
        an_top_flows_free(&t);
        return;
    }
    size_t w[3] = {4, 2, 17};   /* "From", "To", "Placements a year" */
    for (size_t i = 0; i < t.n_rows; i++) {
        sim_text_str(SIM_TEXT_TERM, ps->area_names[t.rows[i].origin], cell[i][0], sizeof cell[i][0]);
        sim_text_str(SIM_TEXT_TERM, ps->area_names[t.rows[i].destination], cell[i][1],
                     sizeof cell[i][1]);
        an_format_cell(cell[i][2], sizeof cell[i][2], &t.rows[i].s, 0);
        for (int c = 0; c < 3; c++)
            w[c] = strlen(cell[i][c]) > w[c] ? strlen(cell[i][c]) : w[c];
    }
    char label[AN_LABEL_SHOWN];
    fprintf(f, "\nThe largest flows of placements a year between the %d areas, %s: residents of "
               "the first area placed in the second\n",
            ps->n_areas, sim_text_str(SIM_TEXT_TERM, ps->label, label, sizeof label));
    fprintf(f, "%-*s  %-*s  %*s\n", (int)w[0], "From", (int)w[1], "To", (int)w[2],
            "Placements a year");
    for (size_t k = 0; k < w[0] + w[1] + w[2] + 4; k++)
        fputc('-', f);
    fputc('\n', f);
    for (size_t i = 0; i < t.n_rows; i++)
        fprintf(f, "%-*s  %-*s  %*s\n", (int)w[0], cell[i][0], (int)w[1], cell[i][1], (int)w[2],
                cell[i][2]);
    if (t.n_rows < t.n_flows)
        fprintf(f, "the %zu largest of the %zu flows with any placement; the other %zu (%.1f "
                   "placements a year together) are left out here: the results file has every "
                   "flow (flow_summary; refugesim report --csv DIR writes flow_summary.csv)\n",
                t.n_rows, t.n_flows, t.n_flows - t.n_rows, t.left_per_year);
    else
        fprintf(f, "every one of the %zu flows with any placement, largest first\n", t.n_flows);
    free(cell);
    an_top_flows_free(&t);
}
