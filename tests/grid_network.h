/* A generated network of side x side areas on a plane, for the tests and
 * the benchmark of hundreds of areas: area (i, j) is "a<i>_<j>" at
 * (10 i, 10 j) km; placements within 25 km; units (3 a block) in the areas
 * with i + j even, eight areas to a service (its remainder block and seven
 * blocks of 3), stays exponential of mean 60 days; half the referrals must
 * leave their area; one waiting list per area. */
#ifndef GRID_NETWORK_H
#define GRID_NETWORK_H

#include <stdio.h>

#define GRID_STEP_KM 10.0
#define GRID_MAX_KM 25.0

/* The scenario's YAML text in buf (size bytes); returns its length (size
 * or more: it did not fit). */
static size_t grid_network_yaml(char *buf, size_t size, int side, int reps, double per_year,
                                double horizon)
{
    size_t k = 0;
    int n = side * side;
#define PUT(...) (k += (size_t)snprintf(buf + (k < size ? k : size), k < size ? size - k : 0, __VA_ARGS__))
    PUT("name: grid of %d areas\nhorizon: %g\nwarmup: 120\nreplications: %d\nseed: 7\n"
        "referrals: {per_year: %g}\nareas: [", n, horizon, reps, per_year);
    for (int a = 0; a < n; a++)
        PUT("%sa%d_%d", a ? ", " : "", a / side, a % side);
    PUT("]\nservices:\n");
    int in_service = 0, service = 0;
    for (int a = 0; a < n; a++) {
        if ((a / side + a % side) % 2)
            continue;
        if (in_service == 0)
            PUT("  - name: s%d\n    units: 24\n    area: a%d_%d\n    largest_family: 6\n"
                "    stay: {dist: exponential, mean: 60}\n    blocks:\n", service++, a / side, a % side);
        else
            PUT("      - {name: b%d, units: 3, area: a%d_%d}\n", in_service, a / side, a % side);
        in_service = (in_service + 1) % 8;
    }
    PUT("network:\n  p_leave: 0.5\n  max_km: %g\n  waiting_list: area\n  areas:\n", GRID_MAX_KM);
    for (int a = 0; a < n; a++)
        PUT("    - {name: a%d_%d, x_km: %g, y_km: %g}\n", a / side, a % side,
            GRID_STEP_KM * (a / side), GRID_STEP_KM * (a % side));
#undef PUT
    return k;
}

#endif
