#include "study_compare_network.h"
#include "an_compare_areas.h"
#include "sim_status.h"

#include <stdlib.h>

int study_compare_put_areas(study *s, study_error *err)
{
    study_error_clear(err);
    const an_point_summary *base = study_summary(s, 0);
    size_t np = study_n_points(s);
    if (!base || base->n_areas <= 0 || np < 2)
        return SIM_OK;
    an_area_cmp_set *sets = calloc(np, sizeof *sets);
    if (!sets)
        return study_error_set(err, SIM_ENOMEM, 0, "out of memory");
    size_t n = 0;
    int rc = SIM_OK;
    for (size_t i = 1; i < np && rc == SIM_OK; i++) {
        const an_point_summary *alt = study_summary(s, i);
        an_area_comparison *rows;
        size_t nr;
        rc = alt ? an_compare_areas(base, alt, &rows, &nr) : SIM_ENOTFOUND;
        if (rc == SIM_ENOTFOUND) {        /* other areas: nothing to pair */
            rc = SIM_OK;
            continue;
        }
        if (rc == SIM_OK)
            sets[n++] = (an_area_cmp_set){i, alt->label, base, rows, nr};
    }
    if (rc == SIM_OK)
        rc = study_put_area_comparison(s, sets, n, err);
    else
        study_error_set(err, rc, 0, "out of memory");
    for (size_t k = 0; k < n; k++)
        free((void *)sets[k].rows);
    free(sets);
    return rc;
}
