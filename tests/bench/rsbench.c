/* rsbench: engine and model speed, run by `make bench`.
 *
 * Speed is measured here and nowhere else (never in a timed unit test).  Each
 * case runs a fixed workload a few times and keeps the best wall time, which
 * is the least disturbed by whatever else shares the machine.  One line per
 * case: name, best wall time, rate, target, verdict.
 *
 * Events are calendar pops (sim_cal_popped): every scheduled event that the
 * model handled, arrivals and departures alike.  An M/M/1 customer costs two.
 *
 *   rsbench [--only SUBSTRING] [--reps N]
 * The hidden `--memory-child YEARS` runs one memory workload in a fresh
 * process; the parent reads its peak resident set from wait4(). */
#include "county_params.h"
#include "mq_queue.h"
#include "rf_model.h"
#include "rf_params.h"
#include "rf_result.h"
#include "sim_dist.h"
#include "sim_runner.h"
#include "sim_status.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef RS_BENCH_CFLAGS
#define RS_BENCH_CFLAGS "unknown"
#endif


static const char *only;       /* run only cases whose name contains this */
static int n_best = 5;         /* repetitions per case; the best one counts */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int wanted(const char *name)
{
    return !only || strstr(name, only) != NULL;
}

static void report(const char *name, double wall, const char *rate, const char *target, int ok)
{
    printf("%-34s %9.4f s  %-36s %-22s %s\n", name, wall, rate, target,
           ok ? "meets target" : "below target");
    fflush(stdout);
}

static void report_skip(const char *name, const char *why)
{
    printf("%-34s %11s  %s\n", name, "-", why);
    fflush(stdout);
}

static void print_machine(void)
{
    char model[256] = "unknown", line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "model name", 10)) {
                const char *c = strchr(line, ':');
                if (c) {
                    snprintf(model, sizeof model, "%s", c + 2);
                    model[strcspn(model, "\n")] = 0;
                }
                break;
            }
        fclose(f);
    }
    printf("cpu:      %s\n", model);
    printf("cores:    %ld online, %d usable by OpenMP\n", sysconf(_SC_NPROCESSORS_ONLN),
           sim_runner_threads(0));
    double load[3];
    if (getloadavg(load, 3) == 3)
        printf("load:     %.2f %.2f %.2f (1/5/15 min; other jobs slow the cases down)\n",
               load[0], load[1], load[2]);
    printf("compiler: gcc %s\n", __VERSION__);
    printf("flags:    %s\n", RS_BENCH_CFLAGS);
    printf("best of:  %d runs per case (at most 3 for M/M/c/c and county, 1 for the sweep)\n\n", n_best);
    printf("%-34s %11s  %-36s %-22s %s\n", "case", "wall", "rate", "target", "verdict");
}

/* ---- M/M/1 and M/M/c/c on models/mq_queue ------------------------------- */

static mq_params queue_params(int servers, double arrival_rate, long queue_cap, uint64_t customers)
{
    mq_params p = {.servers = servers, .arrival_rate = arrival_rate, .queue_cap = queue_cap,
                   .service = sim_dist_exp(1), .patience = sim_dist_none(),
                   .warmup = 0, .horizon = 1e300, .max_customers = customers, .seed = 1};
    return p;
}

/* Best wall time of n_best single-threaded replications (rep 0, 1, ...). */
static int time_queue(const mq_params *p, double *best, mq_result *res)
{
    *best = 1e300;
    for (int i = 0; i < n_best; i++) {
        double t0 = now_s();
        int rc = mq_run(p, (uint64_t)i, res);
        double t = now_s() - t0;
        if (rc != SIM_OK)
            return rc;
        if (t < *best)
            *best = t;
    }
    return SIM_OK;
}

static void bench_mm1(void)
{
    const char *name = "M/M/1 rho 0.9, 1e6 customers";
    if (!wanted(name))
        return;
    mq_params p = queue_params(1, 0.9, -1, 1000000);
    double t;
    mq_result r;
    if (time_queue(&p, &t, &r)) {
        report_skip(name, "mq_run failed");
        return;
    }
    double cps = (double)r.arrivals / t;
    char rate[96];
    snprintf(rate, sizeof rate, "%.1f M customers/s, %.1f M ev/s", cps / 1e6, (double)r.events / t / 1e6);
    report(name, t, rate, ">= 20 M customers/s", cps >= 20e6);
}

static void bench_mmcc(void)
{
    const char *name = "M/M/70/70 load 60, 1e7 arrivals";
    if (!wanted(name))
        return;
    mq_params p = queue_params(70, 60, 0, 10000000);
    double t;
    mq_result r;
    int saved = n_best;
    n_best = n_best > 3 ? 3 : n_best;      /* ~0.5 s each: three are plenty */
    int rc = time_queue(&p, &t, &r);
    n_best = saved;
    if (rc) {
        report_skip(name, "mq_run failed");
        return;
    }
    double eps = (double)r.events / t;
    char rate[96];
    snprintf(rate, sizeof rate, "%.1f M ev/s (%.2f ev/arrival)", eps / 1e6,
             (double)r.events / (double)r.arrivals);
    report(name, t, rate, ">= 20 M ev/s", eps >= 20e6);
}

/* ---- parallel replications ------------------------------------------------
 * Wall time of n replications through sim_runner with 1 and with 2 threads,
 * best of n_best each.  The two thread counts alternate so both see the same
 * machine: on a shared 2-core box a neighbour's job would otherwise land on
 * one of them only.  The county case uses the same helper on the refuge model. */
static int time_runner(sim_rep_fn fn, const void *ctx, size_t n, size_t result_size,
                       double *best1, double *best2, void *results)
{
    sim_runner_cfg cfg = {.first_rep = 0, .n_reps = n, .result_size = result_size};
    *best1 = *best2 = 1e300;
    for (int i = 0; i < n_best; i++)
        for (int threads = 1; threads <= 2; threads++) {
            cfg.threads = threads;
            double t0 = now_s();
            int rc = sim_runner_run(&cfg, fn, ctx, results, NULL, NULL);
            double t = now_s() - t0;
            if (rc != SIM_OK)
                return rc;
            double *best = threads == 1 ? best1 : best2;
            if (t < *best)
                *best = t;
        }
    return SIM_OK;
}

/* Runner overhead and scaling on a workload the size of the county case
 * (1000 short replications), so the speed-up target can be checked before
 * the refuge model exists. */
static void bench_runner_scaling(void)
{
    const char *name = "runner: 1000 reps x 5000 arrivals";
    if (!wanted(name))
        return;
    mq_params p = queue_params(70, 60, 0, 5000);
    size_t n = 1000;
    mq_result *res = malloc(n * sizeof *res);
    double t1, t2;
    if (!res || time_runner(mq_run_rep, &p, n, sizeof *res, &t1, &t2, res)) {
        free(res);
        report_skip(name, "failed");
        return;
    }
    uint64_t events = 0;
    for (size_t i = 0; i < n; i++)
        events += res[i].events;
    free(res);
    char rate[96];
    double speedup = t1 / t2;
    snprintf(rate, sizeof rate, "1 thr %.3f s, speed-up %.2fx, %.0f M ev/s", t1, speedup,
             (double)events / t2 / 1e6);
    int two = sim_runner_threads(0) >= 2;
    report(name, t2, rate, two ? ">= 1.9x on 2 cores" : "(needs 2 cores)", two && speedup >= 1.9);
}

/* ---- the refuge model: county question and sweep -------------------------
 * The county scenario (the shipped county scenario, every mechanism on) at 21 and at 70
 * spaces, 1000 replications of 5 years after its 1-year warm-up, through
 * sim_runner with 1 and with 2 threads.  Events are the model's calendar pops
 * (rf_result.events, warm-up included). */
static void county_case(int spaces)
{
    char name[64];
    snprintf(name, sizeof name, "county %d spaces, 1000x5y", spaces);
    if (!wanted(name))
        return;
    rf_params p;
    int rc = bench_county_params(&p, spaces);
    if (rc) {
        report_skip(name, "county params failed");
        return;
    }
    size_t n = 1000;
    rf_result *res = malloc(n * sizeof *res);
    double t1, t2;
    int saved = n_best;
    n_best = n_best > 3 ? 3 : n_best;      /* ~3 s a round: three are plenty */
    rc = res ? time_runner(rf_model_run_rep, &p, n, sizeof *res, &t1, &t2, res) : SIM_ENOMEM;
    n_best = saved;
    if (rc) {
        free(res);
        report_skip(name, "rf_model_run failed");
        return;
    }
    uint64_t events = 0, referrals = 0, refused = 0, placed = 0;
    for (size_t i = 0; i < n; i++) {
        events += res[i].events;
        referrals += res[i].referrals;
        refused += res[i].outcomes[RF_OUT_REFUSED_NO_SPACE] + res[i].outcomes[RF_OUT_ABANDONED]
                   + res[i].outcomes[RF_OUT_NO_SUITABLE];
        placed += res[i].outcomes[RF_OUT_PLACED_IMMEDIATELY]
                  + res[i].outcomes[RF_OUT_PLACED_AFTER_WAIT];
    }
    free(res);
    char rate[96];
    double speedup = t1 / t2;
    snprintf(rate, sizeof rate, "1 thr %.3f s, x%.2f, %.1f M ev/s", t1, speedup,
             (double)events / t2 / 1e6);
    int two = sim_runner_threads(0) >= 2;
    report(name, t2, rate, two ? "< 1 s on 2, >= 1.9x" : "(needs 2 cores)",
           two && t2 < 1 && speedup >= 1.9);
    printf("%34s %.0f events/rep, %.0f referrals/rep: %.1f%% placed, %.1f%% not "
           "accommodated (refused, abandoned, no unit fits)\n", "",
           (double)events / (double)n, (double)referrals / (double)n,
           100.0 * (double)placed / (double)referrals, 100.0 * (double)refused / (double)referrals);
}

static void bench_county(void)
{
    county_case(21);
    county_case(70);
}

/* A sweep over spaces 21..120 (100 points) of the county scenario, 100
 * replications of 5 years each, every point through sim_runner on all cores
 * as `refugesim sweep` runs them.  One pass only: it is ten county cases'
 * worth of replications, most of them larger than 21 spaces. */
static void bench_sweep(void)
{
    const char *name = "sweep 100 points x 100 reps x 5y";
    if (!wanted(name))
        return;
    enum { POINTS = 100, REPS = 100 };
    rf_params *pts = malloc(POINTS * sizeof *pts);
    rf_result *res = malloc(REPS * sizeof *res);
    if (!pts || !res) {
        free(pts);
        free(res);
        report_skip(name, "out of memory");
        return;
    }
    int rc = SIM_OK;
    for (int i = 0; i < POINTS && !rc; i++)
        rc = bench_county_params(&pts[i], 21 + i);
    sim_runner_cfg cfg = {.first_rep = 0, .n_reps = REPS, .result_size = sizeof *res, .threads = 0};
    uint64_t events = 0;
    double t0 = now_s();
    for (int i = 0; i < POINTS && !rc; i++) {
        rc = sim_runner_run(&cfg, rf_model_run_rep, &pts[i], res, NULL, NULL);
        for (int j = 0; j < REPS; j++)
            events += res[j].events;
    }
    double best = now_s() - t0;
    free(pts);
    free(res);
    if (rc) {
        report_skip(name, "rf_model_run failed");
        return;
    }
    char rate[96];
    snprintf(rate, sizeof rate, "%.1f points/s, %.1f M ev/s (%d thr)", POINTS / best,
             (double)events / best / 1e6, sim_runner_threads(0));
    report(name, best, rate, "points per second", 1);
}

/* ---- memory ---------------------------------------------------------------
 * Peak resident memory must not grow with the horizon when no trace is
 * asked for.  Each horizon runs in a fresh exec of this program so no earlier
 * allocation inflates its peak.  Workload: the county scenario at 70 spaces,
 * every mechanism on, one replication. */
static int memory_child(double years)
{
    rf_params p;
    if (bench_county_params(&p, 70) != SIM_OK)
        return 1;
    p.horizon = years * 365.0;
    rf_result r;
    return rf_model_run(&p, 0, &r) == SIM_OK ? 0 : 1;
}

static long child_maxrss_kb(double years)
{
    char arg[32];
    snprintf(arg, sizeof arg, "%g", years);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execl("/proc/self/exe", "rsbench", "--memory-child", arg, (char *)NULL);
        _exit(127);
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0)
        if (errno != EINTR)
            return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return -1;
    return ru.ru_maxrss;      /* kilobytes on Linux */
}

static void bench_memory(void)
{
    const char *name = "memory: peak RSS 5/50/500 years";
    if (!wanted(name))
        return;
    static const double years[] = {5, 50, 500};
    long kb[3];
    double t0 = now_s();
    for (int i = 0; i < 3; i++)
        if ((kb[i] = child_maxrss_kb(years[i])) < 0) {
            report_skip(name, "child run failed");
            return;
        }
    double t = now_s() - t0;
    long lo = kb[0], hi = kb[0];
    for (int i = 1; i < 3; i++) {
        lo = kb[i] < lo ? kb[i] : lo;
        hi = kb[i] > hi ? kb[i] : hi;
    }
    char rate[96];
    snprintf(rate, sizeof rate, "%ld / %ld / %ld KiB", kb[0], kb[1], kb[2]);
    /* Flat: within 1 MiB, which is page and allocator noise at this size. */
    report(name, t, rate, "flat (spread < 1 MiB)", hi - lo < 1024);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: rsbench [--only SUBSTRING] [--reps N]\n"
               "Runs the refugesim benchmarks; each case reports its best of N runs (default 5).\n");
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--memory-child") && i + 1 < argc)
            return memory_child(atof(argv[i + 1]));
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--reps") && i + 1 < argc) {
            n_best = atoi(argv[++i]);
            if (n_best < 1 || n_best > 100) {
                usage(stderr);
                return 2;
            }
        } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    print_machine();
    /* First, while this process is small: a child's ru_maxrss counts the
     * parent's pages it was forked with (Linux keeps the high-water mark
     * across exec), so after the sweep it would read ~3 MiB high. */
    bench_memory();
    bench_mm1();
    bench_mmcc();
    bench_runner_scaling();
    bench_county();
    bench_sweep();
    return 0;
}
