/* an_summary: per-point summaries across replications and the text tables a
 * run or a report prints.
 *
 * An an_point_summary is built either from the replication records of a run
 * (an_point_summary_from_results) or from a results file
 * (an_h5_read_point_summary in an_h5.h), so the CLI's `run` and `report`
 * print through the same code.  Printers take a FILE* and never fail. */
#ifndef AN_SUMMARY_H
#define AN_SUMMARY_H

#include <stddef.h>
#include <stdio.h>
#include "rf_params.h"
#include "rf_result.h"
#include "sim_stats.h"

#define AN_NAME_MAX 64   /* names, units (also the width of the HDF5 string columns) */
#define AN_DESC_MAX 256  /* descriptions */
/* A point's label (the name of an alternative, a sweep point, a mix: its
 * column heading), NUL included, and the width of the results file's label
 * columns.  Labels are never cut: a point whose label would not fit is
 * refused before anything runs (two points cut to one name were
 * indistinguishable).  Files written before labels had their own limit
 * have label columns of AN_NAME_MAX bytes; the reader takes each column's
 * width from the file. */
#define AN_LABEL_MAX 256
/* Room for a label written through sim_text in any language (at most 6
 * bytes for one: HTML's &quot;; a control character's \xNN is 4), so that
 * escaping never cuts one either. */
#define AN_LABEL_SHOWN (6 * AN_LABEL_MAX + 4)

/* One metric over a point's completed replications.  s.mean and s.ci95 are
 * the estimate and its 95% half-width: for a ratio metric (pooled = 1) the
 * ratio of the summed numerators and denominators with its delta-method
 * interval, else the mean of the replications with its Student t interval.
 * s.sd, s.p10 ... s.max describe the per-replication values (the ratios of
 * each replication for a ratio metric) and rep_mean is their mean, the
 * estimator refugesim used before the pooled one.  s.n counts the
 * replications in the estimate. */
typedef struct {
    char name[AN_NAME_MAX];
    char units[AN_NAME_MAX];        /* "share" values print as percentages */
    char description[AN_DESC_MAX];
    sim_summary s;
    int pooled;                     /* 1: ratio of sums, 0: mean over replications */
    double se;                      /* standard error of s.mean */
    double rep_mean;                /* mean of the per-replication values */
    double total_num, total_den;    /* pooled: the sums; else the sum of values and n */
} an_metric_summary;

/* Every metric year by year (rf_result_year_metric_parts), replication by
 * replication, for the yearly tables and paired differences. */
typedef struct {
    size_t n_reps, n_years, n_metrics;
    /* owned, n_reps x n_years x n_metrics, row-major; NULL when only the
     * estimates are kept (AN_YEARS_ESTIMATES): paired differences need them */
    double *num, *den;
    double *days;                   /* owned, n_years: each year's length */
    sim_ratio_acc *acc;             /* owned, RF_YEARS_MAX x n_metrics: each year's estimate */
} an_years;

/* What a summary keeps of the years (an_summary_build_begin). */
enum { AN_YEARS_NONE = 0, AN_YEARS_ESTIMATES = 1, AN_YEARS_PAIRED = 2 };
/* With an AN_YEARS_* in an_summary_build_begin's flags: keep each
 * replication's metric numerators and denominators, which paired
 * comparisons need (0.5 KB a replication). */
#define AN_BUILD_PARTS 4

typedef struct {
    char label[AN_LABEL_MAX];       /* column heading, e.g. "21 spaces" */
    double horizon_days;
    size_t n_reps;                  /* replications with data (done) */
    size_t n_metrics;
    an_metric_summary *metrics;     /* owned, n_metrics */
    int n_services;
    char service_names[RF_MAX_SERVICES][RF_NAME_MAX];
    /* Each service's and household group's measures pooled over the
     * replications as they come (an_point_summary_pool), so that no
     * replication's service or group records are kept: owned, n_services x
     * AN_SVC_POOLS (the measures, then the cost a year) and RF_G_N x
     * AN_GRP_N; NULL before the first replication. */
    size_t n_pooled;
    sim_ratio_acc *svc_pool, *grp_pool;
    int service_units[RF_MAX_SERVICES];   /* the first replication's */
    int any_cost;                   /* a service cost something in some replication */
    /* Per-replication numerators and denominators of every metric (owned,
     * n_reps x n_metrics, row-major by replication) and the replication
     * numbers, for paired comparisons; num and den NULL when read from a
     * file that lacks them or built without them (AN_BUILD_PARTS). */
    double *num, *den;
    uint64_t *reps;
    sim_ratio_acc *metric_pool;     /* owned, n_metrics: each metric's parts pooled */
    an_years *years;                /* owned; NULL unless an_point_summary_add_years */
    /* A network's areas (rf_area.h; n_areas 0 without one): per replication
     * the areas' records (owned, n_reps x n_areas) and the placements of
     * the flow layout's cells (owned, n_reps x flow_layout.n_cells: only
     * the pairs a household could be placed in; an_flow_at reads any). */
    int n_areas;
    char (*area_names)[RF_NAME_MAX];   /* owned, n_areas */
    rf_area_result *areas;
    rf_flow_layout flow_layout;        /* owned */
    uint32_t *flows;
} an_point_summary;

/* Summaries of rf_metric_count() metrics plus the per-service and per-group
 * measures over the replications r with done[r] != 0 (done NULL = all).
 * label NULL = "<total units> spaces".  On failure *out holds nothing to free. */
int an_point_summary_from_results(an_point_summary *out, const char *label, const rf_params *p,
                                  const rf_result *res, const unsigned char *done, size_t n_reps);
/* Add a network's areas and flows to a summary built from the same
 * records: net holds n_reps network records (rf_result.h's rf_net_record
 * of p's layout) stride bytes apart.  Nothing to add without a network
 * (or net NULL).  SIM_ENOMEM, SIM_EINVAL. */
int an_point_summary_add_network(an_point_summary *ps, const rf_params *p, const void *net,
                                 size_t stride, const unsigned char *done, size_t n_reps);
/* The same summary (from_results, add_network and, with years, add_years)
 * built chunk by chunk, so that a point's records need not be held: begin
 * with room for cap replications (net_stride: a network record's bytes,
 * 0 without one; flags: AN_YEARS_*, the years' estimates alone needing no
 * memory a replication, and AN_BUILD_PARTS), add records in replication
 * order (n of them, res_stride bytes apart, their network records at net,
 * net_stride apart; done NULL = all), end gives *out (the builder is
 * freed).  The numbers are the same bits as from the whole point's
 * records.  Memory a replication: each metric's value (the percentiles),
 * its number, and what the flags ask for and a network's areas and flows;
 * the rest is pooled. */
typedef struct an_summary_builder an_summary_builder;
int an_summary_build_begin(an_summary_builder **out, const char *label, const rf_params *p,
                           size_t cap, size_t net_stride, int flags);
int an_summary_build_add(an_summary_builder *b, const rf_result *res, const void *net,
                         size_t res_stride, const unsigned char *done, size_t n);
int an_summary_build_end(an_summary_builder *b, an_point_summary *out);
void an_summary_build_free(an_summary_builder *b);   /* NULL is fine */
/* Placements in replication slot r (of those kept) from origin into
 * destination; 0 for a pair without a cell. */
uint32_t an_flow_at(const an_point_summary *ps, size_t r, int origin, int destination);
/* Add the yearly figures of the same replications (those with done[r]
 * != 0) to a summary built from them, each replication's kept
 * (AN_YEARS_PAIRED). */
int an_point_summary_add_years(an_point_summary *ps, const rf_result *res,
                               const unsigned char *done, size_t n_reps);
/* Frees the yearly figures (ps->years becomes NULL). */
void an_point_summary_drop_years(an_point_summary *ps);
/* Metric `name` in year y (0-based) pooled over the replications as the
 * whole-horizon estimate is; SIM_ENOTFOUND without yearly figures, the
 * metric or the year. */
int an_year_estimate(const an_point_summary *ps, size_t y, const char *name, sim_ratio *out);
/* Its paired difference a - b in year y (as an_point_summary_paired_diff). */
int an_year_paired_diff(const an_point_summary *a, const an_point_summary *b, size_t y,
                        const char *name, sim_ratio_diff *out);
/* Key measures year by year, one table per point (rows measures, columns
 * years); a comparison's paired differences year by year. */
void an_print_years(FILE *f, const an_point_summary *pts, size_t n_pts);
void an_print_comparison_years(FILE *f, const an_point_summary *base, const an_point_summary *alt);
/* Frees what the summary owns and zeroes it; NULL and zeroed summaries are fine. */
void an_point_summary_free(an_point_summary *ps);
/* The metric called name, NULL if absent. */
const an_metric_summary *an_point_summary_find(const an_point_summary *ps, const char *name);

/* The paired difference a - b of metric `name` between two points run on the
 * same replications (common random numbers): the difference of their pooled
 * estimates with the delta-method interval of sim_ratio_paired_diff, over
 * the replications both completed.  SIM_ENOTFOUND when either point lacks
 * the metric or its per-replication parts. */
int an_point_summary_paired_diff(const an_point_summary *a, const an_point_summary *b,
                                 const char *name, sim_ratio_diff *out);

/* One measure of an alternative against the baseline, both run on the same
 * replications (common random numbers). */
typedef struct {
    size_t point;                   /* the alternative's point (the baseline's is 0) */
    char label[AN_LABEL_MAX];       /* the alternative's */
    char metric[AN_NAME_MAX], units[AN_NAME_MAX];
    double baseline, alternative;   /* the two estimates (pooled for a ratio metric) */
    sim_ratio_diff d;               /* alternative - baseline, paired: d.ci95 the 95% half-width */
    double unpaired_ci95;           /* the half-width had they been run on independent numbers,
                                       t(0.975, n - 1) sqrt(se_a^2 + se_b^2) */
    int households;                 /* the numerator counts households: per_year holds */
    sim_ratio_diff per_year;        /* those households a year, alternative - baseline (the paired
                                       mean of the per-replication differences) */
} an_comparison;

/* The /comparison row of the extra cost per extra household accommodated
 * (only when either point has costs): d.diff the ratio of the summed
 * per-replication differences in cost and in households placed, d.ci95 its
 * delta-method 95% half-width; baseline and alternative NaN. */
#define AN_EXTRA_COST_METRIC "extra_cost_per_extra_accommodated"

/* Every metric of base that alt has too (and, with costs, the row above): *rows (malloc'd, free it) holds
 * *n_rows comparisons labelled with alt's label and `point`.  SIM_ENOTFOUND
 * when either lacks per-replication parts; SIM_ENOMEM. */
int an_compare_points(const an_point_summary *base, const an_point_summary *alt, size_t point,
                      an_comparison **rows, size_t *n_rows);
/* One measure of an alternative against the baseline in one year of the
 * horizon (the results file's /comparison_yearly). */
typedef struct {
    size_t point, year;             /* year counts from 1 */
    char label[AN_LABEL_MAX], metric[AN_NAME_MAX];
    double baseline, alternative;   /* the year's pooled estimates */
    sim_ratio_diff d;               /* alternative - baseline in the year, paired */
    double households;              /* the difference in households that year (NAN unless the
                                       metric's numerator counts households) */
} an_comparison_year;

/* The rows of alt against base year by year: *rows (malloc'd) holds
 * *n_rows.  SIM_ENOTFOUND when either lacks its yearly figures. */
int an_compare_years(const an_point_summary *base, const an_point_summary *alt, size_t point,
                     an_comparison_year **rows, size_t *n_rows);
/* The comparison as a person reads it: the key measures of both with their
 * paired difference and its 95% interval, then households a year ("+23.1
 * households accommodated a year (95% CI 21.4 to 24.8)"). */
void an_print_comparison(FILE *f, const an_point_summary *base, const an_point_summary *alt,
                         const an_comparison *rows, size_t n_rows);

/* Derived per-replication measures of one service or household group,
 * pooled over the point's replications (NaN values skipped). */
typedef enum {
    AN_SVC_PLACEMENTS_PER_YEAR,
    AN_SVC_OCCUPANCY,       /* occupied_days / (units x horizon) */
    AN_SVC_BLOCKED,         /* blocked_days / (units x horizon) */
    AN_SVC_DOWNTIME,        /* down_days / (units x horizon) */
    AN_SVC_TIMELY_MOVE_ON,  /* timely_move_ons / move_ons */
    AN_SVC_N
} an_service_measure;

typedef enum {
    AN_GRP_REFERRALS_PER_YEAR,
    AN_GRP_PLACED,          /* shares of the group's referrals */
    AN_GRP_REFUSED,         /* refused_no_space */
    AN_GRP_NO_SUITABLE,
    AN_GRP_ABANDONED,
    AN_GRP_NOT_ACCOMMODATED,/* no space + no suitable unit + abandoned, of the group's referrals
                               not screened out: the headline's refused_of_eligible */
    AN_GRP_WITHIN_28D,
    AN_GRP_WAIT_MEAN,       /* wait_sum / placed, days: the wait of those placed */
    AN_GRP_WAIT_ALL,        /* waited_sum / waited, days: the wait of all who joined the list */
    AN_GRP_N
} an_group_measure;

/* A network's areas: measures of an area's residents (shares of their
 * referrals unless said), of its units, and the same nationally (area -1). */
typedef enum {
    AN_AREA_REFERRALS_PER_YEAR,  /* of its residents */
    AN_AREA_PLACED,
    AN_AREA_REFUSED,             /* refused_no_space */
    AN_AREA_NO_SUITABLE,
    AN_AREA_DECLINED,            /* declined_offer */
    AN_AREA_NOT_ACCOMMODATED,    /* not placed: no space + no suitable unit + abandoned + declined */
    AN_AREA_PLACED_AWAY,         /* of its residents placed: placed in another area */
    AN_AREA_UNITS,               /* units in service, on average over the horizon */
    AN_AREA_PLACEMENTS_IN,       /* placements into its units a year */
    AN_AREA_FROM_ELSEWHERE,      /* of the placements into its units: residents of other areas */
    AN_AREA_OCCUPANCY,           /* its occupied unit-days / its unit-days in service */
    AN_AREA_N
} an_area_measure;

#define AN_SVC_POOLS (AN_SVC_N + 1)   /* a service's measures, then its cost a year */

/* Pool one more replication's services (ps->n_services records) and
 * groups (RF_G_N) into ps: what the summary does with each record, for
 * summaries read from a file (in replication order: the same bits).
 * SIM_ENOMEM. */
int an_point_summary_pool(an_point_summary *ps, const rf_service_result *svc,
                          const rf_group_result *grp);

void an_area_summary(const an_point_summary *ps, int area, an_area_measure m, sim_summary *out);
/* Area a's measure in replication slot r as a numerator and a denominator
 * (a = -1: every area; denominator 1 for counts a year). */
void an_area_parts(const an_point_summary *ps, size_t r, int a, an_area_measure m, double *num,
                   double *den);
/* Placements a year of residents of origin into units of destination. */
void an_flow_summary(const an_point_summary *ps, int origin, int destination, sim_summary *out);

/* The printed tables' column headings of a service or group measure;
 * *percent (may be NULL) is 1 for shares. */
const char *an_service_measure_heading(an_service_measure m, int *percent);
const char *an_group_measure_heading(an_group_measure m, int *percent);

/* A service's or group's measure: s.n, s.mean (the pooled ratio) and
 * s.ci95; the spread of the per-replication values (sd, p10 ... max) is
 * not kept, NaN. */
void an_service_summary(const an_point_summary *ps, int service, an_service_measure m,
                        sim_summary *out);
void an_group_summary(const an_point_summary *ps, int group, an_group_measure m,
                      sim_summary *out);

/* Tables, points side by side (one column per point), cells "mean ± ci95"
 * (shares in percent); "1 replication: no confidence interval" when a
 * point has fewer than 2.  all_metrics = 0 prints the key metrics only. */
void an_print_summary(FILE *f, const an_point_summary *pts, size_t n_pts, int all_metrics);
/* Many points: one row a point, columns the headline measures (not
 * accommodated, placed) and the key measures that differ between points;
 * those the same at every point are listed once below the table. */
void an_print_summary_rows(FILE *f, const an_point_summary *pts, size_t n_pts);
/* One table per point: rows services / household groups. */
void an_print_services(FILE *f, const an_point_summary *pts, size_t n_pts);
void an_print_groups(FILE *f, const an_point_summary *pts, size_t n_pts);
/* A network's points: a table of areas (their residents, their units, and
 * all areas) and the table of flows (placements a year, origin by row,
 * destination by column; of AN_FLOW_MATRIX_MAX areas at most, beyond which
 * the largest flows, an_network_view.h's rule); nothing for points
 * without a network. */
void an_print_areas(FILE *f, const an_point_summary *pts, size_t n_pts);

/* A metric's heading for a person: its label (rf_metric_label) and, for
 * measures in days or households, the unit: "Mean wait of those placed
 * (days)"; shares get " (%)" only when with_percent (an axis, a CSV
 * heading; a table's cells show the % themselves). */
void an_metric_heading(char *buf, size_t size, const char *name, int with_percent);

/* "12.3 ± 0.4" (or "45.6% ± 1.2" when percent) into buf; "12.3" when the CI
 * is NaN; "-" when the mean is NaN. */
void an_format_cell(char *buf, size_t size, const sim_summary *s, int percent);

/* Decimals (0 up to `most`) that print an interval's ends lo < hi apart,
 * so that one of width never reads "140 to 140"; 0 when it has none. */
int an_range_decimals(double lo, double hi, int most);

#endif
