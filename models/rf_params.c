#include "rf_params.h"
#include "sim_status.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void rf_params_init(rf_params *p)
{
    memset(p, 0, sizeof *p);
    rf_params_defaults(p);
}

void rf_params_defaults(rf_params *p)
{
    snprintf(p->name, sizeof p->name, "%s", "unnamed");
    p->horizon = 365;
    p->reps = 100;
    p->seed = 1;
    for (int m = 0; m < 12; m++)
        p->seasonality[m] = 1;
    p->start_month = 1;
    p->mix.adults = sim_dist_const(1);
    p->mix.children = sim_dist_none();
    p->mix.child_age = sim_dist_none();
    p->mix.p_child_male = 0.5;
    p->mix.area_weights[0] = 1;
    p->patience = sim_dist_none();
    p->priority = RF_PRIORITY_FIFO;
    p->matching = RF_MATCH_FIRST_FIT;
    p->n_areas = 1;
    snprintf(p->area_names[0], RF_NAME_MAX, "%s", "area");
    p->move_on_delay = sim_dist_none();
    p->timely_days = 0;
    p->turnaround = sim_dist_none();
    p->outage_interval = sim_dist_none();
    p->outage_duration = sim_dist_none();
}

int rf_params_add_service(rf_params *p, const char *name, int units, sim_dist stay)
{
    if (p->n_services >= RF_MAX_SERVICES)
        return -1;
    int i = p->n_services++;
    rf_service *s = &p->services[i];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->stay = stay;
    s->nrpf_case_accept = 1;
    s->n_blocks = 1;
    s->blocks[0] = (rf_unit_block){
        .count = units, .wheelchair = true, .largest_family = 10,
        .male_child_age_limit = RF_NO_LIMIT, .nrpf = RF_NRPF_YES, .takes_male = true,
        .takes_pets = true, .night_security = true, .high_support = true,
        .self_contained = true, .specialism = RF_SPEC_NONE, .area = 0,
    };
    return i;
}

rf_profile rf_profile_default(void)
{
    rf_profile f = {.weight = 1};
    int *fields[] = {&f.adults, &f.children, &f.oldest_boy_age, &f.wheelchair, &f.nrpf, &f.male,
                     &f.pet, &f.bme, &f.young, &f.needs_specialist, &f.high_support, &f.high_risk,
                     &f.needs_security, &f.outside_area, &f.area};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        *fields[i] = RF_PROFILE_DRAW;
    return f;
}

const sim_dist *rf_service_dist(const rf_params *p, int s, rf_service_dist_kind k)
{
    const rf_service *sv = &p->services[s];
    if (sv->own >> k & 1)
        return &sv->dist[k];
    switch (k) {
    case RF_SD_MOVE_ON: return &p->move_on_delay;
    case RF_SD_TURNAROUND: return &p->turnaround;
    case RF_SD_OUTAGE_INTERVAL: return &p->outage_interval;
    default: return &p->outage_duration;
    }
}

int rf_params_total_units(const rf_params *p)
{
    int total = 0;
    for (int i = 0; i < p->n_services; i++)
        for (int b = 0; b < p->services[i].n_blocks; b++)
            total += p->services[i].blocks[b].count;
    return total;
}

static int units_on(const rf_params *p, double t)
{
    int n = 0;
    for (int i = 0; i < p->n_services; i++)
        for (int b = 0; b < p->services[i].n_blocks; b++) {
            const rf_unit_block *k = &p->services[i].blocks[b];
            if (k->opens <= t && (k->closes <= 0 || t < k->closes))
                n += k->count;
        }
    return n;
}

void rf_params_units_over(const rf_params *p, int *start, int *lo, int *hi, double *change_day)
{
    *start = *lo = *hi = units_on(p, 0);
    double first = -1;
    int several = 0;
    /* the count can only change on a day a block opens or closes */
    for (int i = 0; i < p->n_services; i++)
        for (int b = 0; b < p->services[i].n_blocks; b++)
            for (int e = 0; e < 2; e++) {
                const rf_unit_block *k = &p->services[i].blocks[b];
                double d = e ? k->closes : k->opens;
                if (!(d > 0 && d < p->horizon))
                    continue;
                int n = units_on(p, d);
                if (n < *lo)
                    *lo = n;
                if (n > *hi)
                    *hi = n;
                if (n == units_on(p, nextafter(d, 0)))
                    continue;            /* one opens as another closes */
                if (first < 0)
                    first = d;
                else if (d != first)
                    several = 1;
            }
    *change_day = several ? -1 : first;
}

int rf_params_prepare(rf_params *p)
{
    sim_dist *all[] = {&p->mix.adults, &p->mix.children, &p->mix.child_age, &p->patience,
                       &p->move_on_delay, &p->turnaround, &p->outage_interval,
                       &p->outage_duration};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (sim_dist_prepare(all[i]) != SIM_OK)
            return SIM_ERANGE;
    for (int i = 0; i < p->net.n_dists && i < RF_MAX_AREA_DISTS; i++)
        if (sim_dist_prepare(&p->net.dists[i]) != SIM_OK)
            return SIM_ERANGE;
    for (int i = 0; i < p->n_services; i++) {
        if (sim_dist_prepare(&p->services[i].stay) != SIM_OK)
            return SIM_ERANGE;
        for (int k = 0; k < RF_SD_N; k++)
            if ((p->services[i].own >> k & 1) && sim_dist_prepare(&p->services[i].dist[k]) != SIM_OK)
                return SIM_ERANGE;
    }
    return SIM_OK;
}
