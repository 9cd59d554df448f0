#include "rf_network.h"
#include "sim_status.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Everything is sized by the areas there are, so that hundreds of areas
 * cost what they use: a search list holds only the acceptable areas. */
struct rf_net {
    int n_areas;
    float *km;                 /* [o * n_areas + d] */
    /* row o * 2 + leave: the areas in search order are
     * search[sfirst[row] .. sfirst[row + 1]) */
    uint16_t *search;
    size_t *sfirst;
    uint64_t *accepts;         /* row-major bit sets, words per row */
    size_t words;
    int *area_types;           /* every type once, grouped by area, matching order inside */
    int *first;                /* n_areas + 1 */
    rf_flow_layout layout;     /* the cells of a replication's flows */
    /* With every area's rate constant in time (no growth): cum[m * n + a]
     * the running sum of the areas' rates in month m, in the order and
     * arithmetic of rf_net_rate and rf_net_origin, so that a binary search
     * finds the same origin (NULL otherwise); last[m] the last area with a
     * rate above 0. */
    double *cum;
    int last[12];
    /* rf_net_share: every table above but area_types and first is the
     * shared network's (read-only, not freed here). */
    bool borrowed;
};

/* SIM_EINVAL, with the reason in why. */
static int refuse(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(char *why, size_t size, const char *fmt, ...)
{
    if (why && size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, size, fmt, ap);
        va_end(ap);
    }
    return SIM_EINVAL;
}
#define REFUSE(...) return refuse(why, size, __VA_ARGS__)

static bool prob(double v) { return v >= 0 && v <= 1; }

int rf_net_check(const rf_params *p, char *why, size_t size)
{
    const rf_network *n = &p->net;
    if (!n->on)
        return SIM_OK;
    if (p->trace)
        REFUSE("a network cannot replay a referral trace (the trace has no origins)");
    for (int a = 0; a < p->n_areas; a++) {
        const rf_area *x = &n->areas[a];
        if (!(isfinite(x->per_year) && x->per_year >= 0))
            REFUSE("network.areas[%d].per_year must be 0 or more", a);
        if (!(x->growth > -1 && isfinite(x->growth)))
            REFUSE("network.areas[%d].growth must be above -1", a);
        if (!prob(x->p_leave) || !prob(x->p_leave_high_risk))
            REFUSE("network.areas[%d]: p_leave is outside [0, 1]", a);
        if (!(x->population >= 0))
            REFUSE("network.areas[%d].population must be 0 or more", a);
        if (x->n_neighbours < 0 || x->n_neighbours > RF_MAX_NEIGHBOURS)
            REFUSE("network.areas[%d].neighbours: at most %d", a, RF_MAX_NEIGHBOURS);
        for (int k = 0; k < x->n_neighbours; k++)
            if (x->neighbours[k] >= p->n_areas)
                REFUSE("network.areas[%d].neighbours names an unknown area", a);
        if (x->has_coords && !(isfinite(x->x) && isfinite(x->y)))
            REFUSE("network.areas[%d]: its coordinates must be numbers", a);
        for (int m = 0; m < 12 && x->own_seasonality; m++)
            if (!(isfinite(x->seasonality[m]) && x->seasonality[m] >= 0))
                REFUSE("network.areas[%d].seasonality[%d] must be 0 or more", a, m);
        for (int k = 0; k < RF_AM_N; k++)
            if ((x->own_mix >> k & 1) && !prob(x->p_mix[k]))
                REFUSE("network.areas[%d].households: a probability is outside [0, 1]", a);
        for (int k = 0; k < RF_AD_N; k++)
            if (x->own_dist[k] > n->n_dists)
                REFUSE("network.areas[%d].households: an unknown distribution", a);
    }
    if (n->n_dists < 0 || n->n_dists > RF_MAX_AREA_DISTS)
        REFUSE("network.areas: at most %d households distributions of their own, all areas "
               "together", RF_MAX_AREA_DISTS);
    if (n->n_distances < 0 || n->n_distances > RF_MAX_DISTANCES)
        REFUSE("network.distances: at most %d pairs (more areas need coordinates)",
               RF_MAX_DISTANCES);
    for (int k = 0; k < n->n_distances; k++) {
        const rf_net_distance *d = &n->distances[k];
        if (d->from >= p->n_areas || d->to >= p->n_areas)
            REFUSE("network.distances[%d] names an unknown area", k);
        if (!(d->km >= 0))
            REFUSE("network: the distance from area %d to area %d must be 0 or more", d->from,
                   d->to);
    }
    if (!(n->max_km >= 0))
        REFUSE("network.max_km must be 0 or more");
    switch (n->decline) {
    case RF_DECLINE_NONE: break;
    case RF_DECLINE_TABLE:
        if (n->n_decline < 1 || n->n_decline > RF_MAX_DECLINE)
            REFUSE("network.decline.table: 1 to %d points", RF_MAX_DECLINE);
        for (int i = 0; i < n->n_decline; i++) {
            if (!prob(n->decline_p[i]) || !(n->decline_km[i] >= 0))
                REFUSE("network.decline.table[%d]: km must be 0 or more and p in [0, 1]", i);
            if (i > 0 && !(n->decline_km[i] > n->decline_km[i - 1]))
                REFUSE("network.decline.table[%d]: km must increase", i);
        }
        break;
    case RF_DECLINE_LOGISTIC:
        if (!prob(n->decline_max) || !(n->decline_scale_km > 0) || !isfinite(n->decline_mid_km))
            REFUSE("network.decline.logistic: max in [0, 1], scale_km above 0");
        break;
    default: REFUSE("network.decline: unknown kind");
    }
    return SIM_OK;
}
#undef REFUSE

#define EARTH_KM 6371.0088   /* mean Earth radius (IUGG) */

static double haversine_km(double lat1, double lon1, double lat2, double lon2)
{
    double r = M_PI / 180, dl = (lat2 - lat1) * r, dn = (lon2 - lon1) * r;
    double h = sin(dl / 2) * sin(dl / 2) + cos(lat1 * r) * cos(lat2 * r) * sin(dn / 2) * sin(dn / 2);
    return 2 * EARTH_KM * asin(fmin(1, sqrt(h)));
}

void rf_net_km_table(const rf_params *p, float *km)
{
    const rf_network *n = &p->net;
    size_t na = (size_t)p->n_areas;
    for (size_t a = 0; a < na; a++)
        for (size_t b = 0; b < na; b++)
            km[a * na + b] = a == b ? 0.0f : NAN;
    for (int k = 0; k < n->n_distances; k++)
        km[n->distances[k].from * na + n->distances[k].to] = n->distances[k].km;
    /* one way given: the same the other way (a given pair is never overwritten,
     * nor the 0 from an area to itself) */
    for (int k = 0; k < n->n_distances; k++) {
        const rf_net_distance *d = &n->distances[k];
        bool back_given = false;
        for (int j = 0; j < n->n_distances && !back_given; j++)
            back_given = n->distances[j].from == d->to && n->distances[j].to == d->from;
        if (!back_given)
            km[d->to * na + d->from] = km[d->from * na + d->to];
    }
    for (size_t a = 0; a < na; a++)
        for (size_t b = 0; b < na; b++) {
            const rf_area *x = &n->areas[a], *y = &n->areas[b];
            if (!isnan(km[a * na + b]) || !x->has_coords || !y->has_coords)
                continue;
            if (n->coords == RF_NET_COORDS_PLANE)
                km[a * na + b] = (float)hypot(x->x - y->x, x->y - y->y);
            else if (n->coords == RF_NET_COORDS_GLOBE)
                km[a * na + b] = (float)haversine_km(x->x, x->y, y->x, y->y);
        }
}

int rf_net_add_distance(rf_params *p, int from, int to, double km)
{
    rf_network *n = &p->net;
    if (n->n_distances >= RF_MAX_DISTANCES || from < 0 || to < 0 || from >= p->n_areas
        || to >= p->n_areas)
        return SIM_EINVAL;
    n->distances[n->n_distances++] = (rf_net_distance){(uint16_t)from, (uint16_t)to, (float)km};
    return SIM_OK;
}

/* The same arithmetic as the single-area model's rate, so that one area
 * gives the same bits. */
static double area_rate(const rf_params *p, const rf_area *a, double x, int month)
{
    double r = a->per_year / 365;
    if (a->growth != 0)
        r *= pow(1 + a->growth, x / 365);
    return r * (a->own_seasonality ? a->seasonality : p->seasonality)[month];
}

double rf_net_rate(const rf_params *p, double x, int month)
{
    double r = 0;
    for (int a = 0; a < p->n_areas; a++)
        r += area_rate(p, &p->net.areas[a], x, month);
    return r;
}

double rf_net_area_max_rate(const rf_params *p, int a)
{
    const rf_area *x = &p->net.areas[a];
    const double *s = x->own_seasonality ? x->seasonality : p->seasonality;
    double smax = 0;
    for (int m = 0; m < 12; m++)
        smax = fmax(smax, s[m]);
    double g = x->growth != 0 ? fmax(pow(1 + x->growth, -p->warmup / 365),
                                     pow(1 + x->growth, p->horizon / 365)) : 1;
    return x->per_year / 365 * g * smax;
}

double rf_net_max_rate(const rf_params *p)
{
    double r = 0;
    for (int a = 0; a < p->n_areas; a++)
        r += rf_net_area_max_rate(p, a);
    return r;
}

bool rf_net_area_has_mix(const rf_params *p, int a)
{
    const rf_area *x = &p->net.areas[a];
    bool own = x->own_mix != 0;
    for (int k = 0; k < RF_AD_N; k++)
        own = own || x->own_dist[k];
    return own;
}

void rf_net_area_mix(const rf_params *p, int a, rf_household_mix *out)
{
    *out = p->mix;
    const rf_area *x = &p->net.areas[a];
#define RF_AM_SET(id, key, field) if (x->own_mix >> id & 1) out->field = x->p_mix[id];
    RF_AREA_MIX_LIST(RF_AM_SET)
#undef RF_AM_SET
#define RF_AD_SET(id, key, field) if (x->own_dist[id]) out->field = p->net.dists[x->own_dist[id] - 1];
    RF_AREA_DIST_LIST(RF_AD_SET)
#undef RF_AD_SET
}

int rf_net_origin(const rf_params *p, double x, int month, double u)
{
    int n = p->n_areas, last = 0;
    if (n == 1)
        return 0;
    double total = rf_net_rate(p, x, month), c = 0, target = u * total;
    for (int a = 0; a < n; a++) {
        double r = area_rate(p, &p->net.areas[a], x, month);
        if (!(r > 0))
            continue;
        c += r;
        last = a;
        if (target < c)
            return a;
    }
    return last;                  /* rounding at the top */
}

bool rf_net_leaves(const rf_params *p, int origin, bool high_risk, double u)
{
    const rf_area *a = &p->net.areas[origin];
    double q = high_risk ? a->p_leave_high_risk : a->p_leave;
    return q > 0 && u < q;
}

double rf_net_p_decline(const rf_params *p, double km)
{
    const rf_network *n = &p->net;
    switch (n->decline) {
    case RF_DECLINE_TABLE: {
        int k = n->n_decline;
        if (km <= n->decline_km[0])
            return n->decline_p[0];
        for (int i = 1; i < k; i++)
            if (km <= n->decline_km[i]) {
                double w = (km - n->decline_km[i - 1]) / (n->decline_km[i] - n->decline_km[i - 1]);
                return n->decline_p[i - 1] + w * (n->decline_p[i] - n->decline_p[i - 1]);
            }
        return n->decline_p[k - 1];
    }
    case RF_DECLINE_LOGISTIC:
        return n->decline_max / (1 + exp(-(km - n->decline_mid_km) / n->decline_scale_km));
    default: return 0;
    }
}

/* Nearest first; equal distances in scenario order: sorted on
 * (distance, index), so the order is total. */
typedef struct {
    float km;
    uint16_t area;
} by_km;

static int nearer(const void *a, const void *b)
{
    const by_km *x = a, *y = b;
    return x->km < y->km ? -1 : x->km > y->km ? 1 : (x->area > y->area) - (x->area < y->area);
}

/* mark[b]: b is one of the origin's listed neighbours (when it lists any). */
static bool acceptable(const rf_network *n, const float *km, const unsigned char *mark, int o,
                       int b)
{
    return n->areas[o].has_neighbours ? mark[b] != 0 : km[b] <= n->max_km;
}

static int net_alloc(rf_net *n, int na, int n_types)
{
    size_t nn = (size_t)na * (size_t)na;
    n->words = ((size_t)na + 63) / 64;
    n->km = malloc(nn * sizeof *n->km);
    n->search = malloc((2 * nn + 1) * sizeof *n->search);
    n->sfirst = calloc(2 * (size_t)na + 1, sizeof *n->sfirst);
    n->accepts = calloc(2 * (size_t)na * n->words, sizeof *n->accepts);
    n->area_types = malloc((size_t)(n_types > 0 ? n_types : 1) * sizeof *n->area_types);
    n->first = calloc((size_t)na + 1, sizeof *n->first);
    return n->km && n->search && n->sfirst && n->accepts && n->area_types && n->first
               ? SIM_OK : SIM_ENOMEM;
}

/* Each area's unit types, in matching order. */
static void area_types_of(rf_net *n, const rf_unit_type *types, int n_types, const int *order)
{
    int t = 0, na = n->n_areas;
    for (int a = 0; a < na; a++) {
        n->first[a] = t;
        for (int i = 0; i < n_types; i++)
            if (types[order[i]].def->area == a)
                n->area_types[t++] = order[i];
    }
    n->first[na] = t;
}

int rf_net_share(const rf_net *shared, const rf_unit_type *types, int n_types, const int *order,
                 rf_net **out)
{
    *out = NULL;
    rf_net *n = malloc(sizeof *n);
    if (!n)
        return SIM_ENOMEM;
    *n = *shared;
    n->borrowed = true;
    n->area_types = malloc((size_t)(n_types > 0 ? n_types : 1) * sizeof *n->area_types);
    n->first = calloc((size_t)n->n_areas + 1, sizeof *n->first);
    if (!n->area_types || !n->first) {
        rf_net_free(n);
        return SIM_ENOMEM;
    }
    area_types_of(n, types, n_types, order);
    *out = n;
    return SIM_OK;
}

int rf_net_create(const rf_params *p, const rf_unit_type *types, int n_types, const int *order,
                  rf_net **out)
{
    *out = NULL;
    rf_net *n = calloc(1, sizeof *n);
    if (!n)
        return SIM_ENOMEM;
    const rf_network *net = &p->net;
    int na = p->n_areas;
    n->n_areas = na;
    by_km *all = malloc(((size_t)na + 1) * sizeof *all);
    unsigned char *mark = calloc((size_t)na + 1, 1);
    if (!all || !mark || net_alloc(n, na, n_types)) {
        free(all);
        free(mark);
        rf_net_free(n);
        return SIM_ENOMEM;
    }
    rf_net_km_table(p, n->km);
    for (size_t i = 0; i < (size_t)na * (size_t)na; i++)
        if (isnan(n->km[i])) {           /* rf_scenario names the pair */
            free(all);
            free(mark);
            rf_net_free(n);
            return SIM_EINVAL;
        }
    size_t c = 0;
    for (int o = 0; o < na; o++) {
        const float *km = &n->km[(size_t)o * (size_t)na];
        const rf_area *x = &net->areas[o];
        for (int i = 0; i < x->n_neighbours; i++)
            mark[x->neighbours[i]] = 1;
        int k = 0;
        for (int b = 0; b < na; b++)
            if (b != o ? acceptable(net, km, mark, o, b) : !net->own_first)
                all[k++] = (by_km){km[b], (uint16_t)b};
        qsort(all, (size_t)k, sizeof *all, nearer);
        for (int leave = 0; leave < 2; leave++) {
            size_t row = 2 * (size_t)o + (size_t)leave;
            n->sfirst[row] = c;
            if (!leave && net->own_first)
                n->search[c++] = (uint16_t)o;
            for (int i = 0; i < k; i++)
                if (all[i].area != o || !leave)
                    n->search[c++] = all[i].area;
            for (size_t i = n->sfirst[row]; i < c; i++)
                n->accepts[row * n->words + n->search[i] / 64] |= UINT64_C(1) << (n->search[i] % 64);
        }
        for (int i = 0; i < x->n_neighbours; i++)
            mark[x->neighbours[i]] = 0;
    }
    n->sfirst[2 * (size_t)na] = c;
    free(all);
    free(mark);
    /* flows: the pairs of the rows that may stay, which hold the others' */
    unsigned char *cells = calloc((size_t)na * (size_t)na + 1, 1);
    int rc = cells ? SIM_OK : SIM_ENOMEM;
    for (int o = 0; o < na && cells; o++) {
        int k;
        const uint16_t *v = rf_net_search(n, o, false, &k);
        for (int i = 0; i < k; i++)
            cells[(size_t)o * (size_t)na + v[i]] = 1;
    }
    if (cells)
        rc = rf_flow_layout_from_marks(na, cells, &n->layout);
    free(cells);
    if (rc) {
        rf_net_free(n);
        return rc;
    }
    area_types_of(n, types, n_types, order);
    bool constant = true;
    for (int a = 0; a < na; a++)
        constant = constant && net->areas[a].growth == 0;
    if (constant && na > 1 && (n->cum = malloc(12 * (size_t)na * sizeof *n->cum))) {
        for (int m = 0; m < 12; m++) {
            double run = 0;
            n->last[m] = 0;
            for (int a = 0; a < na; a++) {
                double r = area_rate(p, &net->areas[a], 0, m);
                run += r;
                n->cum[(size_t)m * (size_t)na + (size_t)a] = run;
                if (r > 0)
                    n->last[m] = a;
            }
        }
    }
    *out = n;
    return SIM_OK;
}

int rf_net_origin_of(const rf_net *n, const rf_params *p, double x, int month, double u)
{
    if (!n->cum)
        return rf_net_origin(p, x, month, u);
    int na = n->n_areas;
    const double *cum = &n->cum[(size_t)month * (size_t)na];
    double target = u * cum[na - 1];
    int lo = 0, hi = na;         /* the first a with target < cum[a] */
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (target < cum[mid])
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo < na ? lo : n->last[month];
}

void rf_net_free(rf_net *n)
{
    if (!n)
        return;
    free(n->area_types);
    free(n->first);
    if (!n->borrowed) {
        free(n->km);
        free(n->search);
        free(n->sfirst);
        free(n->accepts);
        free(n->cum);
        rf_flow_layout_free(&n->layout);
    }
    free(n);
}

const uint16_t *rf_net_search(const rf_net *n, int origin, bool leave, int *count)
{
    size_t row = 2 * (size_t)origin + (leave ? 1 : 0);
    *count = (int)(n->sfirst[row + 1] - n->sfirst[row]);
    return &n->search[n->sfirst[row]];
}

bool rf_net_accepts(const rf_net *n, int origin, bool leave, int area)
{
    size_t row = 2 * (size_t)origin + (leave ? 1 : 0);
    return n->accepts[row * n->words + (size_t)area / 64] >> (area % 64) & 1;
}

float rf_net_km(const rf_net *n, int origin, int area)
{
    return n->km[(size_t)origin * (size_t)n->n_areas + (size_t)area];
}

const int *rf_net_types(const rf_net *n, int area, int *count)
{
    *count = n->first[area + 1] - n->first[area];
    return &n->area_types[n->first[area]];
}

const rf_flow_layout *rf_net_layout(const rf_net *n) { return &n->layout; }

int rf_net_flow_layout(const rf_params *p, rf_flow_layout *out)
{
    memset(out, 0, sizeof *out);
    if (!p->net.on)
        return SIM_OK;
    rf_net *n;
    int rc = rf_net_create(p, NULL, 0, NULL, &n);
    if (rc)
        return rc;
    *out = n->layout;                 /* taken over */
    memset(&n->layout, 0, sizeof n->layout);
    rf_net_free(n);
    return SIM_OK;
}

size_t rf_net_record_bytes(const rf_params *p)
{
    rf_flow_layout l;
    if (rf_net_flow_layout(p, &l))
        return 0;
    size_t b = rf_net_record_size(&l);
    rf_flow_layout_free(&l);
    return b;
}
