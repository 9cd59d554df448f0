/* an_h5_point: one point's group /points/<i> of the results file, written
 * piece by piece (an_h5.h's an_h5_point_begin / _add / _end); not API.
 *
 * What is per replication and not kept by the point's summary (done,
 * metrics/<name>, replications, outcomes, monthly/<series>) is written
 * as each piece of replications arrives, so those records need not be
 * held; what the summary keeps per replication anyway (ratio parts,
 * services, groups, years, a network's areas and flows) and every
 * estimate are written at the end from the summary. */
#ifndef AN_H5_POINT_H
#define AN_H5_POINT_H

#include <hdf5.h>
#include "an_h5.h"

typedef struct an_h5p an_h5p;

/* Create group `name` of points for a point of pt->n_reps replications
 * (pt->results is not read).  *out until an_h5p_end or an_h5p_free. */
int an_h5p_begin(hid_t points, const char *name, const an_point *pt, an_h5p **out);
/* Replications [first, first + n) (< pt->n_reps): n records res_stride
 * bytes apart, done their flags (NULL: all done).  In replication order
 * (first: the replications added so far; the tables' rows are in that
 * order), SIM_EINVAL otherwise; replications never added read as not
 * done. */
int an_h5p_add(an_h5p *p, size_t first, size_t n, const rf_result *res, size_t res_stride,
               const unsigned char *done);
/* The rest from ps, the summary of the replications added (with its
 * network's areas and its years: an_point_summary_add_years, or a builder
 * begun with years), pt the point given to begin; scenario_text: pt's or,
 * when NULL, this.  Frees p. */
int an_h5p_end(an_h5p *p, const an_point *pt, const an_point_summary *ps,
               const char *scenario_text);
void an_h5p_free(an_h5p *p);   /* NULL is fine; what was written stays */

#endif
