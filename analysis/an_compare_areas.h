/* an_compare_areas: what a change does area by area in a network, an
 * alternative against the baseline on common random numbers: for each area
 * (and all areas) the paired differences of its residents placed (share of
 * their referrals, and households a year), of the placements into its units
 * a year and of those of residents of other areas, each with its 95%
 * interval (sim_ratio_paired_diff over the replications both completed).
 * "How much do the county's residents gain, and how much of the new spaces
 * goes to other areas' residents?" is the county's row. */
#ifndef AN_COMPARE_AREAS_H
#define AN_COMPARE_AREAS_H

#include <stddef.h>
#include <stdio.h>
#include "an_summary.h"

typedef enum {
    AN_ACMP_PLACED,            /* its residents placed: share of their referrals */
    AN_ACMP_PLACED_PER_YEAR,   /* its residents placed, households a year */
    AN_ACMP_IN_PER_YEAR,       /* placements into its units a year */
    AN_ACMP_FROM_ELSEWHERE_PER_YEAR, /* of them residents of other areas, a year */
    AN_ACMP_N
} an_area_cmp_measure;

/* The measure's name (the results file's `measure`) and its units. */
const char *an_area_cmp_name(an_area_cmp_measure m);
const char *an_area_cmp_units(an_area_cmp_measure m);

typedef struct {
    int area;                  /* -1: all areas */
    sim_ratio_diff d[AN_ACMP_N];   /* alternative - baseline, paired; d.a, d.b the estimates */
} an_area_comparison;

/* Rows for "all areas" then each area of a network point (both points the
 * same areas, by name): *rows (malloc'd, free it) holds *n of them.
 * SIM_ENOTFOUND when either point has no areas, or they differ, or their
 * replications are not numbered (read from an old file); SIM_ENOMEM. */
int an_compare_areas(const an_point_summary *base, const an_point_summary *alt,
                     an_area_comparison **rows, size_t *n);

/* One alternative's rows, for the results file's /comparison_areas. */
typedef struct {
    size_t point;              /* the alternative's point */
    const char *label;         /* its label */
    const an_point_summary *base;  /* the baseline (area names) */
    const an_area_comparison *rows;
    size_t n;
} an_area_cmp_set;

/* The printed block: one row per area (all areas last), the four
 * differences with their 95% intervals. */
void an_print_area_comparison(FILE *f, const an_point_summary *base, const an_point_summary *alt,
                              const an_area_comparison *rows, size_t n);

#endif
