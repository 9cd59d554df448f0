#include "rf_match.h"

#define RF_LARGE_FAMILY 4   /* rf_group large_family: more than this many persons */
#define RF_OLDER_BOY    12  /* rf_group older_boy: a male child this old or older */

void rf_household_finish(rf_household *h)
{
    h->persons = h->adults + h->children;
    h->req = (h->wheelchair ? RF_CAP_WHEELCHAIR : 0u) | (h->male ? RF_CAP_MALE : 0u)
             | (h->pet ? RF_CAP_PET : 0u) | (h->needs_security ? RF_CAP_SECURITY : 0u)
             | (h->high_support ? RF_CAP_HIGH_SUPPORT : 0u)
             | (h->needs_specialist ? RF_CAP_SPECIALIST : 0u);
    uint32_t g = 0;
    g |= (uint32_t)h->wheelchair << RF_G_WHEELCHAIR;
    g |= (uint32_t)(h->persons > RF_LARGE_FAMILY) << RF_G_LARGE_FAMILY;
    g |= (uint32_t)(h->oldest_boy >= RF_OLDER_BOY) << RF_G_OLDER_BOY;
    g |= (uint32_t)h->nrpf << RF_G_NRPF;
    g |= (uint32_t)h->male << RF_G_MALE;
    g |= (uint32_t)h->pet << RF_G_PET;
    g |= (uint32_t)h->needs_specialist << RF_G_SPECIALIST;
    g |= (uint32_t)h->young << RF_G_YOUNG;
    g |= (uint32_t)h->high_support << RF_G_HIGH_SUPPORT;
    g |= (uint32_t)h->bme << RF_G_BME;
    g |= (uint32_t)h->high_risk << RF_G_HIGH_RISK;
    h->groups = g;
}

void rf_unit_type_init(rf_unit_type *t, const rf_params *p, int s, int b)
{
    const rf_unit_block *d = &p->services[s].blocks[b];
    t->service = s;
    t->block = b;
    t->def = d;
    t->nrpf_case_accept = p->services[s].nrpf_case_accept;
    t->cap = (d->wheelchair ? RF_CAP_WHEELCHAIR : 0u) | (d->takes_male ? RF_CAP_MALE : 0u)
             | (d->takes_pets ? RF_CAP_PET : 0u) | (d->night_security ? RF_CAP_SECURITY : 0u)
             | (d->high_support ? RF_CAP_HIGH_SUPPORT : 0u)
             | (d->specialism != RF_SPEC_NONE ? RF_CAP_SPECIALIST : 0u);
    int n = 0;
    for (uint32_t m = t->cap & ~(uint32_t)RF_CAP_SPECIALIST; m; m &= m - 1)
        n++;
    t->capability = n + (d->nrpf == RF_NRPF_YES);
}

/* Does the household belong to the group a specialist unit serves? */
static bool in_specialism(const rf_household *h, rf_specialism s)
{
    return (s == RF_SPEC_BME && h->bme) || (s == RF_SPEC_YOUNG_WOMEN && h->young);
}

uint32_t rf_match_fail(const rf_household *h, const rf_unit_type *t)
{
    const rf_unit_block *d = t->def;
    uint32_t f = 0;
    if (h->persons > d->largest_family)
        f |= 1u << RF_BLK_FAMILY_SIZE;
    if (h->oldest_boy > d->male_child_age_limit)
        f |= 1u << RF_BLK_BOY_AGE;
    if (h->wheelchair && !d->wheelchair)
        f |= 1u << RF_BLK_WHEELCHAIR;
    if (h->nrpf && !(d->nrpf == RF_NRPF_YES
                     || (d->nrpf == RF_NRPF_CASE_BY_CASE && (h->nrpf_ok >> t->service & 1))))
        f |= 1u << RF_BLK_NRPF;
    if (h->male && !d->takes_male)
        f |= 1u << RF_BLK_MALE;
    if (h->pet && !d->takes_pets)
        f |= 1u << RF_BLK_PET;
    if (h->needs_security && !d->night_security)
        f |= 1u << RF_BLK_SECURITY;
    if (h->high_support && !d->high_support)
        f |= 1u << RF_BLK_HIGH_SUPPORT;
    /* A specialist unit takes only its group; a household needing a
     * specialist service takes only a specialist unit of one of its groups. */
    if ((d->specialism != RF_SPEC_NONE && !in_specialism(h, d->specialism))
        || (h->needs_specialist && d->specialism == RF_SPEC_NONE))
        f |= 1u << RF_BLK_SPECIALISM;
    if (h->area >= 0 && h->area != d->area)
        f |= 1u << RF_BLK_AREA;
    return f;
}

rf_block_reason rf_match_blocking(const rf_household *h, const rf_unit_type *types, int n)
{
    uint32_t single = 0;
    for (int i = 0; i < n; i++) {
        uint32_t f = rf_match_fail(h, &types[i]);
        if (f && !(f & (f - 1)))
            single |= f;
    }
    if (!single || (single & (single - 1)))
        return RF_BLK_MULTIPLE;
    int b = 0;
    while (!(single & (1u << b)))
        b++;
    return (rf_block_reason)b;
}

static bool less_capable(const rf_unit_type *a, const rf_unit_type *b)
{
    if (a->capability != b->capability)
        return a->capability < b->capability;
    if (a->def->largest_family != b->def->largest_family)
        return a->def->largest_family < b->def->largest_family;
    return a->def->male_child_age_limit < b->def->male_child_age_limit;
}

void rf_match_best_fit_order(const rf_unit_type *types, int n, int *order)
{
    /* Stable insertion sort: n is at most RF_MAX_SERVICES x RF_MAX_BLOCKS. */
    for (int i = 0; i < n; i++) {
        int j = i;
        while (j > 0 && less_capable(&types[i], &types[order[j - 1]])) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = i;
    }
}
