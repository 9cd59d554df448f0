#include "an_compare_areas.h"
#include "an_network_view.h"
#include "sim_status.h"
#include "sim_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name, *units, *heading;
    an_area_measure from;      /* the area measure counted */
    int per_year;              /* its numerator a year, over replications */
} cmp[AN_ACMP_N] = {
    {"placed", "share", "Residents placed (points)", AN_AREA_PLACED, 0},
    {"placed_per_year", "households/year", "Residents placed/yr", AN_AREA_PLACED, 1},
    {"placements_in_per_year", "households/year", "Placements in/yr", AN_AREA_PLACEMENTS_IN, 0},
    {"from_elsewhere_per_year", "households/year", "Of them from elsewhere/yr",
     AN_AREA_FROM_ELSEWHERE, 1},
};

const char *an_area_cmp_name(an_area_cmp_measure m) { return m < AN_ACMP_N ? cmp[m].name : "?"; }
const char *an_area_cmp_units(an_area_cmp_measure m) { return m < AN_ACMP_N ? cmp[m].units : ""; }

/* Measure m of area a in replication slot r of ps. */
static void parts(const an_point_summary *ps, size_t r, int a, an_area_cmp_measure m, double *num,
                  double *den)
{
    an_area_parts(ps, r, a, cmp[m].from, num, den);
    if (cmp[m].per_year) {
        *num *= ps->horizon_days > 0 ? 365.0 / ps->horizon_days : NAN;
        *den = 1;
    }
}

static int same_areas(const an_point_summary *a, const an_point_summary *b)
{
    if (a->n_areas <= 0 || a->n_areas != b->n_areas || !a->reps || !b->reps)
        return 0;
    for (int k = 0; k < a->n_areas; k++)
        if (strcmp(a->area_names[k], b->area_names[k]))
            return 0;
    return 1;
}

int an_compare_areas(const an_point_summary *base, const an_point_summary *alt,
                     an_area_comparison **rows, size_t *n)
{
    *rows = NULL;
    *n = 0;
    if (!same_areas(base, alt))
        return SIM_ENOTFOUND;
    size_t nr = base->n_reps < alt->n_reps ? base->n_reps : alt->n_reps;
    /* the replications both have, in order: slot pairs */
    size_t *ia = malloc((nr + 1) * sizeof *ia), *ib = malloc((nr + 1) * sizeof *ib), k = 0;
    double *w = malloc((4 * nr + 1) * sizeof *w);
    size_t na = (size_t)base->n_areas + 1;
    an_area_comparison *out = calloc(na, sizeof *out);
    if (!ia || !ib || !w || !out) {
        free(ia);
        free(ib);
        free(w);
        free(out);
        return SIM_ENOMEM;
    }
    for (size_t i = 0, j = 0; i < base->n_reps && j < alt->n_reps;) {
        if (base->reps[i] < alt->reps[j]) {
            i++;
        } else if (base->reps[i] > alt->reps[j]) {
            j++;
        } else {
            ia[k] = i++;
            ib[k++] = j++;
        }
    }
    for (size_t row = 0; row < na; row++) {
        int a = (int)row - 1;
        out[row].area = a;
        for (int m = 0; m < AN_ACMP_N; m++) {
            for (size_t q = 0; q < k; q++) {
                parts(alt, ib[q], a, (an_area_cmp_measure)m, &w[q], &w[nr + q]);
                parts(base, ia[q], a, (an_area_cmp_measure)m, &w[2 * nr + q], &w[3 * nr + q]);
            }
            sim_ratio_paired_diff(w, w + nr, w + 2 * nr, w + 3 * nr, k, &out[row].d[m]);
        }
    }
    free(ia);
    free(ib);
    free(w);
    *rows = out;
    *n = na;
    return SIM_OK;
}

/* A difference for a person: "+5.0 points (4.1 to 5.9)", "+17.6 (15.2 to 20.0)". */
static void diff_cell(char *buf, size_t size, const sim_ratio_diff *d, int percent)
{
    if (isnan(d->diff)) {
        snprintf(buf, size, "-");
        return;
    }
    double k = percent ? 100 : 1, v = k * d->diff;
    int dec = percent || fabs(v) < 100 ? 1 : 0;
    if (fabs(v) < 0.5 * pow(10, -dec))
        v = 0;                        /* "+0.0", not "-0.0" */
    if (isnan(d->ci95))
        snprintf(buf, size, "%+.*f", dec, v);
    else
        snprintf(buf, size, "%+.*f (%.*f to %.*f)", dec, v, dec, k * (d->diff - d->ci95), dec,
                 k * (d->diff + d->ci95));
}

enum { CELL = 64 };

void an_print_area_comparison(FILE *f, const an_point_summary *base, const an_point_summary *alt,
                              const an_area_comparison *rows, size_t n)
{
    if (!rows || !n)
        return;
    /* hundreds of areas: the baseline's busiest AN_AREA_ROWS, as on the page */
    size_t na = base->n_areas > 0 ? (size_t)base->n_areas : 0;
    int *idx = malloc((na < AN_AREA_ROWS ? na : AN_AREA_ROWS) * sizeof *idx + 1);
    unsigned char *keep = calloc(na + 1, 1);
    size_t nc = 1 + AN_ACMP_N, nl = n + 1;
    char (*cell)[CELL] = calloc(nl * nc, CELL);
    if (!cell || !idx || !keep) {
        free(cell);
        free(idx);
        free(keep);
        return;
    }
    size_t ns = an_areas_shown(base, AN_AREA_ROWS, idx);
    for (size_t i = 0; i < ns; i++)
        keep[idx[i]] = 1;
    snprintf(cell[0], CELL, "Area");
    for (int m = 0; m < AN_ACMP_N; m++)
        snprintf(cell[1 + m], CELL, "%s", cmp[m].heading);
    nl = 1;
    for (size_t i = 0; i < n; i++) {
        const an_area_comparison *r = &rows[(i + 1) % n];     /* all areas last */
        if (r->area >= 0 && ((size_t)r->area >= na || !keep[r->area]))
            continue;
        size_t l = nl++;
        char *c = cell[l * nc];
        if (r->area < 0)
            snprintf(c, CELL, "all areas");
        else
            sim_text_str(SIM_TEXT_TERM, base->area_names[r->area], c, CELL);
        for (int m = 0; m < AN_ACMP_N; m++)
            diff_cell(cell[l * nc + 1 + (size_t)m], CELL, &r->d[m], m == AN_ACMP_PLACED);
    }
    size_t width[1 + AN_ACMP_N] = {0};
    for (size_t l = 0; l < nl; l++)
        for (size_t c = 0; c < nc; c++) {
            size_t w = strlen(cell[l * nc + c]);
            width[c] = w > width[c] ? w : width[c];
        }
    char la[AN_LABEL_SHOWN], lb[AN_LABEL_SHOWN];
    fprintf(f, "\nAreas, %s against %s: paired differences by the area of residence "
               "(alternative minus baseline, 95%% interval)\n",
            sim_text_str(SIM_TEXT_TERM, alt->label, la, sizeof la),
            sim_text_str(SIM_TEXT_TERM, base->label, lb, sizeof lb));
    for (size_t l = 0; l < nl; l++) {
        for (size_t c = 0; c < nc; c++)
            fprintf(f, c ? "  %*s" : "%-*s", (int)width[c], cell[l * nc + c]);
        fputc('\n', f);
    }
    free(cell);
    free(idx);
    free(keep);
    an_print_areas_left_out(f, ns, na);
    fprintf(f, "residents placed in percentage points of their referrals; placements in: into "
               "the area's units, whoever's residents; of them from elsewhere: residents of "
               "other areas\n");
}
