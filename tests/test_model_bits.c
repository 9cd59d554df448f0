/* The refuge model's results, bit for bit, pinned: a hash of every byte of
 * each replication's rf_result for shipped scenarios (the county as shipped
 * and with waiting, outages and five years by year; the city; phased
 * capacity; a network; a trace).  The hashes were taken before the
 * instruction-count work of issue 18's second part (reading a household's
 * stay uniforms only when it is placed, the by-year accounts without libm
 * calls, the model zeroed only up to its histograms): those changes must not
 * move a bit, and this test fails if one does.  A change meant to alter
 * results updates the hashes, saying why in its commit.
 *
 * The hashes are of the platform they were taken on: x86-64, glibc 2.36
 * (whose log and exp pick FMA code on CPUs that have it), GSL 2.7.  libm
 * may round a last bit differently elsewhere, so there the test is skipped
 * rather than failed; so it is under valgrind, whose emulated fused
 * multiply-add moves last bits (main's own binary gives other downtime
 * shares under valgrind than natively). */
#include <criterion/criterion.h>
#include <gnu/libc-version.h>
#include <gsl/gsl_version.h>
#include <stdint.h>
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rf_model.h"
#include "rf_scenario.h"
#include "sim_status.h"

static const char *const county_sets[] = {
    "horizon=1825",
    "waiting.p_wait=0.5",
    "waiting.patience={dist: exponential, mean: 30}",
    "downtime.outage_interval={dist: exponential, mean: 170}",
    "downtime.outage_duration={dist: exponential, mean: 14}",
};

/* FNV-1a over the records of replications 0 .. reps-1, each record zeroed by
 * the model first (run_model), padding included. */
static uint64_t results_hash(const char *file, const char *const *sets, size_t n_sets, int reps)
{
    const char *root = getenv("RS_ROOT");
    char path[4096];
    snprintf(path, sizeof path, "%s/scenarios/%s", root ? root : ".", file);
    rf_scenario *s = NULL;
    cr_assert_eq(rf_scenario_load_file(path, sets, n_sets, &s, NULL), SIM_OK, "%s", path);
    rf_result *r = malloc(sizeof *r);
    cr_assert_not_null(r);
    uint64_t h = 1469598103934665603ull;
    for (int rep = 0; rep < reps; rep++) {
        memset(r, 0xa5, sizeof *r);           /* the model must zero it itself */
        cr_assert_eq(rf_model_run(rf_scenario_params(s), (uint64_t)rep, r), SIM_OK);
        const unsigned char *b = (const unsigned char *)r;
        for (size_t i = 0; i < sizeof *r; i++)
            h = (h ^ b[i]) * 1099511628211ull;
    }
    free(r);
    rf_scenario_free(s);
    return h;
}

static int hashed_platform(void)
{
#if defined(__x86_64__)
    return !strcmp(gnu_get_libc_version(), "2.36") && !strncmp(gsl_version, "2.7", 3)
           && __builtin_cpu_supports("fma") && !RUNNING_ON_VALGRIND;
#else
    return 0;
#endif
}

#define PINNED(name, file, sets, n_sets, reps, hash)                                      \
    Test(model_bits, name)                                                                \
    {                                                                                     \
        if (!hashed_platform())                                                           \
            cr_skip_test("hashes taken natively on x86-64, glibc 2.36, GSL 2.7, FMA");    \
        uint64_t h = results_hash(file, sets, n_sets, reps);                              \
        cr_expect_eq(h, (uint64_t)hash, "%s: hash 0x%016llx", file, (unsigned long long)h); \
    }

PINNED(county_as_shipped, "leicestershire-county.yaml", NULL, 0, 20, 0x92d96b69624c7184ull)
PINNED(county_waiting_outages_five_years, "leicestershire-county.yaml", county_sets,
       sizeof county_sets / sizeof county_sets[0], 20, 0x07dd8fed3222c859ull)
PINNED(city, "leicester-city-2021.yaml", NULL, 0, 20, 0x64c74a5cef45e81eull)
PINNED(phased_capacity, "example-county-20-more-from-year-2.yaml", NULL, 0, 20, 0x25d927883743e64cull)
PINNED(network, "east-midlands.yaml", NULL, 0, 4, 0x36e5a819ab2431c8ull)
PINNED(trace, "example-trace.yaml", NULL, 0, 3, 0x91c916d7b3c26611ull)
