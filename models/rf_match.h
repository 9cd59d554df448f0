/* rf_match: which units a household fits, and in which order to try them.
 *
 * The fit rules are the ones spelled out at the top of rf_params.h.  Units are
 * grouped into unit types, one per non-empty service block; a type carries a
 * capability mask and a household a requirement mask, so the common part of a
 * fit test is one AND; family size, male child age, area, specialism and the
 * case-by-case NRPF draw are compared one by one.
 *
 * Everything here is plain data owned by the caller; nothing allocates. */
#ifndef RF_MATCH_H
#define RF_MATCH_H

#include <stdbool.h>
#include <stdint.h>
#include "rf_params.h"
#include "rf_result.h"

/* A referred household, as drawn at referral (or read from a trace). */
typedef struct {
    int adults, children, persons;
    int oldest_boy;            /* age in completed years of the oldest male child; -1 none */
    bool wheelchair, nrpf, male, pet, bme, young, needs_specialist,
         high_support, high_risk, needs_security, outside_area;
    int area;                  /* wanted area; -1 = any */
    double nrpf_u;             /* the shared case-by-case draw (RF_NRPF_DECIDE_SHARED); 0 until read */
    uint32_t nrpf_ok;          /* bit s: service s's case-by-case decision accepts it */
    uint32_t req;              /* requirement mask (RF_CAP_*), from rf_household_finish */
    uint32_t groups;           /* bit g set: in rf_group g */
} rf_household;

/* Capability / requirement bits shared by households and unit types. */
enum {
    RF_CAP_WHEELCHAIR   = 1u << 0,
    RF_CAP_MALE         = 1u << 1,
    RF_CAP_PET          = 1u << 2,
    RF_CAP_SECURITY     = 1u << 3,
    RF_CAP_HIGH_SUPPORT = 1u << 4,
    RF_CAP_SPECIALIST   = 1u << 5  /* household: needs one; unit: is one */
};

/* A unit type: one non-empty block of one service. */
typedef struct {
    int service, block;        /* indices into rf_params */
    const rf_unit_block *def;  /* borrowed from the rf_params */
    double nrpf_case_accept;   /* of the service */
    uint32_t cap;              /* RF_CAP_* the units offer */
    int capability;            /* best-fit rank: number of capabilities (NRPF yes counts) */
} rf_unit_type;

/* Derive req and groups from the attributes. */
void rf_household_finish(rf_household *h);

/* Fill a unit type from block `b` of service `s`. */
void rf_unit_type_init(rf_unit_type *t, const rf_params *p, int s, int b);

/* Bit set of rf_block_reason (1u << RF_BLK_*) the household fails at this
 * unit type; 0 means it fits. */
uint32_t rf_match_fail(const rf_household *h, const rf_unit_type *t);

static inline bool rf_match_fits(const rf_household *h, const rf_unit_type *t)
{
    const rf_unit_block *d = t->def;
    if ((h->req & ~t->cap) || h->persons > d->largest_family
        || h->oldest_boy > d->male_child_age_limit)
        return false;
    return rf_match_fail(h, t) == 0;
}

/* The blocking attribute of a household that fits none of the n types:
 * the single attribute that alone keeps it out of some type, else
 * RF_BLK_MULTIPLE (also when no type exists at all). */
rf_block_reason rf_match_blocking(const rf_household *h, const rf_unit_type *types, int n);

/* Best-fit order: fills order[0..n-1] with type indices, least capable first
 * (fewest capabilities, then smallest largest_family, then lowest male child
 * age limit), ties in scenario order. */
void rf_match_best_fit_order(const rf_unit_type *types, int n, int *order);

#endif
