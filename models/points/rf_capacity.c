#include "rf_capacity.h"
#include "sim_status.h"

#include <math.h>
#include <string.h>

int rf_capacity_set_total(rf_params *p, int total)
{
    int now = rf_params_total_units(p);
    if (total < 0 || now <= 0)
        return SIM_EINVAL;
    double rem[RF_MAX_SERVICES * RF_MAX_BLOCKS];
    int assigned = 0, k = 0;
    for (int s = 0; s < p->n_services; s++)
        for (int b = 0; b < p->services[s].n_blocks; b++, k++) {
            double share = (double)p->services[s].blocks[b].count * total / now;
            int whole = (int)floor(share);
            rem[k] = share - whole;
            p->services[s].blocks[b].count = whole;
            assigned += whole;
        }
    /* Hand the remaining units to the largest remainders, earliest first. */
    while (assigned < total) {
        int best = -1, i = 0, bs = 0, bb = 0;
        for (int s = 0; s < p->n_services; s++)
            for (int b = 0; b < p->services[s].n_blocks; b++, i++)
                if (best < 0 || rem[i] > rem[best]) {
                    best = i;
                    bs = s;
                    bb = b;
                }
        p->services[bs].blocks[bb].count++;
        rem[best] = -1;
        assigned++;
    }
    return SIM_OK;
}

int rf_capacity_add(rf_params *p, int service, int block, int k)
{
    if (service < 0 || service >= p->n_services || block < 0
        || block >= p->services[service].n_blocks)
        return SIM_EINVAL;
    rf_unit_block *b = &p->services[service].blocks[block];
    if (b->count + k < 0)
        return SIM_ERANGE;
    b->count += k;
    return SIM_OK;
}

int rf_capacity_find_service(const rf_params *p, const char *name)
{
    for (int s = 0; s < p->n_services; s++)
        if (strcmp(p->services[s].name, name) == 0)
            return s;
    return -1;
}
