/* mq_queue: the textbook queue that proves the engine against theory.
 *
 * c identical servers, Poisson arrivals, any service distribution, a waiting
 * room of `queue_cap` places (0 = loss system M/G/c/c, negative = unlimited)
 * and optional patience (NONE = infinite: Erlang C; exponential: Erlang A).
 * Random streams: 0 arrivals, 1 service times, 2 patience. */
#ifndef MQ_QUEUE_H
#define MQ_QUEUE_H

#include <stdint.h>
#include "sim_dist.h"

typedef struct {
    int servers;
    double arrival_rate;      /* per unit time */
    sim_dist service;         /* prepared */
    sim_dist patience;        /* prepared; SIM_DIST_NONE = never abandons */
    long queue_cap;           /* 0 loss, < 0 unlimited */
    double warmup, horizon;   /* statistics cover [warmup, warmup + horizon] */
    uint64_t max_customers;   /* stop after this many arrivals (0 = no limit); for benchmarks */
    uint64_t seed;
} mq_params;

typedef struct {
    uint64_t arrivals;        /* after warm-up */
    uint64_t blocked;         /* found servers and waiting room full */
    uint64_t waited;          /* found all servers busy and joined the queue */
    uint64_t abandoned;
    uint64_t served;          /* started service */
    double wait_sum;          /* waits of those who started service */
    double sojourn_sum;       /* wait + service of those who started service */
    double mean_in_system;    /* time average L */
    double mean_in_queue;
    double observed_time;
    uint64_t events;          /* calendar events, whole run */
    /* per-replication estimates */
    double p_block, p_wait, p_abandon, mean_wait, mean_sojourn, throughput;
} mq_result;

/* One replication.  Returns a sim_status. */
int mq_run(const mq_params *p, uint64_t rep, mq_result *out);

/* sim_rep_fn adapter: ctx is an mq_params. */
int mq_run_rep(const void *ctx, uint64_t rep, void *result);

/* Theory. */
double mq_erlang_b(int c, double offered_load);
double mq_erlang_c(int c, double offered_load);   /* P(wait), needs load < c */
/* M/M/c+M with K places in all (K >= c; large K ~ unlimited), arrival rate
 * lambda, service rate mu, abandonment rate theta: P(wait) (arrival finds all
 * servers busy and joins), P(abandon), P(block) from the stationary
 * birth-death distribution and PASTA. */
void mq_birth_death(int c, long K, double lambda, double mu, double theta,
                    double *p_wait, double *p_abandon, double *p_block, double *mean_in_system);

#endif
