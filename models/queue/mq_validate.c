#include "mq_validate.h"
#include "sim_runner.h"
#include "sim_status.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>

#define N_CASES 8
static mq_case cases[N_CASES];
static int ready;

static mq_params loss(int c, double load, sim_dist service)
{
    /* Unit service mean, so the arrival rate is the offered load.  The run
     * length gives ~20000 arrivals per replication at these loads. */
    return (mq_params){.servers = c, .arrival_rate = load, .service = service,
                       .patience = sim_dist_none(), .queue_cap = 0,
                       .warmup = 20, .horizon = 20000.0 / load};
}

static void init_cases(void)
{
    sim_dist expo = sim_dist_exp(1);
    sim_dist logn = sim_dist_lognormal(1, 2);     /* CV 2: far from exponential */
    sim_dist det = sim_dist_const(1);

    cases[0] = (mq_case){"M/M/5/5 load 3", "Erlang B", MQ_M_BLOCK, loss(5, 3, expo),
                         mq_erlang_b(5, 3)};
    cases[1] = (mq_case){"M/M/10/10 load 10", "Erlang B", MQ_M_BLOCK, loss(10, 10, expo),
                         mq_erlang_b(10, 10)};
    cases[2] = (mq_case){"M/G/70/70 load 60 lognormal CV 2", "Erlang B", MQ_M_BLOCK,
                         loss(70, 60, logn), mq_erlang_b(70, 60)};
    cases[3] = (mq_case){"M/D/6/6 load 2 constant stay", "Erlang B", MQ_M_BLOCK,
                         loss(6, 2, det), mq_erlang_b(6, 2)};

    mq_params mmc = loss(2, 1.5, expo);
    mmc.queue_cap = -1;
    mmc.warmup = 200;
    cases[4] = (mq_case){"M/M/2 load 1.5 P(wait)", "Erlang C", MQ_M_WAIT, mmc,
                         mq_erlang_c(2, 1.5)};
    /* Wq = C(c,a) / (c mu - lambda) */
    cases[5] = (mq_case){"M/M/2 load 1.5 mean wait", "Erlang C", MQ_M_MEAN_WAIT, mmc,
                         mq_erlang_c(2, 1.5) / (2 - 1.5)};

    mq_params ea = loss(10, 10, expo);
    ea.queue_cap = -1;
    ea.patience = sim_dist_exp(2);                /* abandonment rate 0.5 */
    ea.warmup = 50;
    double pw, pab, pbl, L;
    mq_birth_death(10, 2000, 10, 1, 0.5, &pw, &pab, &pbl, &L);
    cases[6] = (mq_case){"M/M/10+M lambda 10 theta 0.5 P(wait)", "Erlang A", MQ_M_WAIT, ea, pw};
    cases[7] = (mq_case){"M/M/10+M lambda 10 theta 0.5 P(abandon)", "Erlang A", MQ_M_ABANDON,
                         ea, pab};
    ready = 1;
}

size_t mq_case_count(void)
{
    if (!ready)
        init_cases();
    return N_CASES;
}

const mq_case *mq_case_at(size_t i)
{
    if (!ready)
        init_cases();
    return i < N_CASES ? &cases[i] : NULL;
}

double mq_case_value(const mq_case *c, const mq_result *r)
{
    switch (c->measure) {
    case MQ_M_BLOCK: return r->p_block;
    case MQ_M_WAIT: return r->p_wait;
    case MQ_M_ABANDON: return r->p_abandon;
    case MQ_M_MEAN_WAIT: return r->mean_wait;
    case MQ_M_LITTLE: return r->mean_in_system - r->throughput * r->mean_sojourn;
    }
    return NAN;
}

int mq_case_run(const mq_case *c, uint64_t seed, size_t reps, int threads,
                volatile sig_atomic_t *stop, sim_summary *out)
{
    mq_params p = c->params;
    p.seed = seed;
    mq_result *res = calloc(reps, sizeof *res);
    double *x = malloc(reps * sizeof *x), *work = malloc(reps * sizeof *work);
    int rc = SIM_ENOMEM;
    if (res && x && work) {
        sim_runner_cfg cfg = {.n_reps = reps, .result_size = sizeof *res, .threads = threads,
                              .stop = stop};
        rc = sim_runner_run(&cfg, mq_run_rep, &p, res, NULL, NULL);
        if (rc == SIM_OK) {
            for (size_t i = 0; i < reps; i++)
                x[i] = mq_case_value(c, &res[i]);
            sim_summarize(x, reps, work, out);
        }
    }
    free(res);
    free(x);
    free(work);
    return rc;
}

int mq_case_covers(const sim_summary *s, double theory, double level)
{
    if (s->n < 2)
        return 0;
    double q = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(s->n - 1));
    return fabs(s->mean - theory) <= q * s->sd / sqrt((double)s->n);
}
