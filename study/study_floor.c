#include "study_floor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void study_floor_of(const rf_result *res, const unsigned char *done, size_t n, study_floor *out)
{
    memset(out, 0, sizeof *out);
    double *num = malloc((2 * n + 1) * sizeof *num), *den = num ? num + n : NULL;
    double refs = 0, by[RF_BLK_N] = {0};
    size_t m = 0;
    for (size_t r = 0; r < n; r++) {
        if (done && !done[r])
            continue;
        if (num) {
            num[m] = (double)res[r].outcomes[RF_OUT_NO_SUITABLE];
            den[m] = (double)res[r].referrals;
        }
        refs += (double)res[r].referrals;
        for (int b = 0; b < RF_BLK_N; b++)
            by[b] += (double)res[r].no_suitable[b];
        m++;
    }
    out->reps = m;
    out->share = out->ci95 = NAN;
    if (num) {
        sim_ratio q;
        sim_ratio_estimate(num, den, m, &q);
        out->share = q.ratio;
        out->ci95 = q.ci95;
    }
    for (int b = 0; b < RF_BLK_N; b++)
        out->by[b] = refs > 0 ? by[b] / refs : NAN;
    free(num);
}

void study_floor_change(const rf_result *a, const unsigned char *done_a, const rf_result *b,
                        const unsigned char *done_b, size_t n, sim_ratio_diff *out)
{
    double *w = malloc((4 * n + 1) * sizeof *w);
    memset(out, 0, sizeof *out);
    out->diff = out->ci95 = NAN;
    if (!w)
        return;
    size_t m = 0;
    for (size_t r = 0; r < n; r++) {
        if ((done_a && !done_a[r]) || (done_b && !done_b[r]))
            continue;
        w[m] = (double)b[r].outcomes[RF_OUT_NO_SUITABLE];
        w[n + m] = (double)b[r].referrals;
        w[2 * n + m] = (double)a[r].outcomes[RF_OUT_NO_SUITABLE];
        w[3 * n + m] = (double)a[r].referrals;
        m++;
    }
    sim_ratio_paired_diff(w, w + n, w + 2 * n, w + 3 * n, m, out);
    free(w);
}

int study_floor_holds(const study_floor *f, const sim_ratio_diff *change)
{
    if (!(f->share > 0))
        return 0;
    /* exactly no change (the same households, common random numbers) has
     * a zero-width interval */
    double half = isnan(change->ci95) ? 0 : change->ci95;
    return !(change->diff + half < 0);
}

int study_floor_bound(const rf_result *res, const unsigned char *done, size_t n, int metric,
                      double *bound)
{
    static const char *const lower[] = {"refused", "refused_of_eligible", "no_suitable_unit"};
    static const char *const upper[] = {"placed", "placed_immediately", "placed_within_7d",
                                        "placed_within_28d"};
    int kind = 0;
    for (size_t i = 0; i < sizeof lower / sizeof *lower; i++)
        if (metric == rf_metric_find(lower[i]))
            kind = -1;
    for (size_t i = 0; i < sizeof upper / sizeof *upper; i++)
        if (metric == rf_metric_find(upper[i]))
            kind = 1;
    *bound = NAN;
    if (!kind || metric < 0)
        return 0;
    size_t nm = rf_metric_count();
    double *num = malloc(2 * nm * sizeof *num), sy = 0, sx = 0;
    if (!num)
        return 0;
    for (size_t r = 0; r < n; r++) {
        if (done && !done[r])
            continue;
        rf_result_metric_parts(&res[r], num, num + nm);
        double den = num[nm + (size_t)metric];
        if (isnan(den))
            continue;
        double none = (double)res[r].outcomes[RF_OUT_NO_SUITABLE];
        /* with referrals as the denominator the rest could all be placed */
        sy += kind < 0 ? none
                       : den - none - (double)res[r].outcomes[RF_OUT_SCREENED_OUT];
        sx += den;
    }
    free(num);
    *bound = sx > 0 ? sy / sx : NAN;
    return 1;
}
