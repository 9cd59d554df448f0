/* One point of scenarios/mmcc.yaml with `sets` applied, run for reps
 * replications through a study: the M/M/c/c system the warm-up and
 * steady-state tests look at.  cfg keeps the scenario's path (a static
 * of the including file) and must outlive the study. */
#ifndef TEST_MMCC_POINT_H
#define TEST_MMCC_POINT_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim_status.h"
#include "study.h"

static inline study *tm_open_mmcc_point(const char *const *sets, size_t n_sets, size_t reps,
                                        study_cfg *cfg, study_error *err)
{
    static char path[512];
    const char *root = getenv("RS_ROOT");
    cr_assert_not_null(root, "RS_ROOT not set (run through make test)");
    snprintf(path, sizeof path, "%s/scenarios/mmcc.yaml", root);
    memset(cfg, 0, sizeof *cfg);
    cfg->points.scenario_path = path;
    cfg->points.sets = sets;
    cfg->points.n_sets = n_sets;
    cfg->no_points = 1;
    study *s;
    size_t p;
    cr_assert_eq(study_open(cfg, &s, err), SIM_OK, "%s", err->message);
    cr_assert_eq(study_add_point(s, NULL, NULL, &p, err), SIM_OK, "%s", err->message);
    cr_assert_eq(study_extend(s, p, reps, err), SIM_OK, "%s", err->message);
    return s;
}

/* Point i's records copied out of the study (a test's whole array; the
 * study keeps them a block at a time): *n of them and their done flags,
 * both malloc'd (free them). */
typedef struct {
    rf_result *res;
    unsigned char *done;
} tm_copy;

static inline int tm_copy_block(void *user, size_t first, size_t n, const rf_result *res,
                                size_t stride, const unsigned char *done)
{
    tm_copy *c = user;
    for (size_t r = 0; r < n; r++) {
        memcpy(&c->res[first + r], (const unsigned char *)res + r * stride, sizeof *res);
        c->done[first + r] = done[r];
    }
    return SIM_OK;
}

static inline rf_result *tm_records(const study *s, size_t i, size_t *n, unsigned char **done)
{
    *n = study_have(s, i);
    tm_copy c = {malloc((*n + 1) * sizeof *c.res), malloc(*n + 1)};
    cr_assert(c.res && c.done);
    cr_assert_eq(study_each_block(s, i, tm_copy_block, &c), SIM_OK);
    *done = c.done;
    return c.res;
}

#endif
