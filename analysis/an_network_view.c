#include "an_network_view.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sim_status.h"

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
