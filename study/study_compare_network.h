/* study_compare_network: compare of a network, area by area: each
 * alternative's paired differences by the area of residence
 * (an_compare_areas) in the results file's /comparison_areas. */
#ifndef STUDY_COMPARE_NETWORK_H
#define STUDY_COMPARE_NETWORK_H

#include "study.h"

/* Rank 0, after study_run and before study_commit: /comparison_areas for
 * every alternative (point >= 1) against point 0, when the points are a
 * network; nothing otherwise or without a results file. */
int study_compare_put_areas(study *s, study_error *err);

#endif
