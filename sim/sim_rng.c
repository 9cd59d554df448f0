#include "sim_rng.h"

#include <string.h>
#include <Random123/philox.h>

/* philox4x64(c, k) with the round keys precomputed: Random123's own round
 * function, ten times, as philox4x64_R(10, ...) applies it, minus the
 * ten key bumps per block (a fifth of the instructions of a block).
 * test_sim_rng.c checks it against philox4x64. */
_Static_assert(philox4x64_rounds == 10, "Philox4x64-10");

static void round_keys(sim_rng_state *st)
{
    philox4x64_key_t k = {{st->key[0], st->key[1]}};
    for (int r = 0; r < 10; r++) {
        st->rk[r][0] = k.v[0];
        st->rk[r][1] = k.v[1];
        k = _philox4x64bumpkey(k);
    }
}

static inline philox4x64_ctr_t philox_block(const sim_rng_state *st, philox4x64_ctr_t c)
{
#pragma GCC unroll 10
    for (int r = 0; r < 10; r++)
        c = _philox4x64round(c, (philox4x64_key_t){{st->rk[r][0], st->rk[r][1]}});
    return c;
}

static inline void refill(sim_rng_state *st)
{
    philox4x64_ctr_t c = {{st->ctr[0], st->ctr[1], st->ctr[2], st->ctr[3]}};
    philox4x64_ctr_t r = philox_block(st, c);
    memcpy(st->out, r.v, sizeof st->out);
    /* 2^64 blocks per stream before the high words move: never reached. */
    if (++st->ctr[0] == 0)
        ++st->ctr[1];
    st->idx = 0;
}

/* The block is computed one draw early: when the last word of a block is
 * handed out, the next block is started at once.  The caller's work on that
 * word does not wait for the ten dependent multiply rounds, which then run
 * in the shadow of the simulation instead of on its critical path (in an
 * M/M/1 queue this halved the cost of a draw).  The sequence of words is
 * unchanged: block 0, 1, 2, ... in order. */
static inline uint64_t next64(sim_rng_state *st)
{
    uint64_t x = st->out[st->idx];
    if (++st->idx >= 4)
        refill(st);
    return x;
}

static void philox_set(void *vstate, unsigned long seed)
{
    /* Only reached through gsl_rng_set; real streams use sim_stream_init. */
    sim_rng_state *st = vstate;
    memset(st, 0, sizeof *st);
    st->key[0] = seed;
    round_keys(st);
    refill(st);
}

static unsigned long philox_get(void *vstate)
{
    return (unsigned long)(next64(vstate) >> 32);
}

static double philox_get_double(void *vstate)
{
    return (double)(next64(vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type philox_type = {
    "philox4x64-10", 0xffffffffUL, 0, sizeof(sim_rng_state),
    philox_set, philox_get, philox_get_double,
};
const gsl_rng_type *sim_rng_philox = &philox_type;

static void key_state(sim_rng_state *st, uint64_t seed, uint64_t rep, uint64_t stream_id)
{
    memset(st, 0, sizeof *st);
    st->key[0] = seed;
    st->key[1] = (rep << 32) | (stream_id & 0xffffffffu);
    round_keys(st);
    refill(st);
}

void sim_stream_init(sim_stream *s, uint64_t seed, uint64_t rep, uint64_t stream_id)
{
    key_state(&s->st, seed, rep, stream_id);
    s->rng.type = &philox_type;
    s->rng.state = &s->st;
}

gsl_rng *sim_rng_alloc(uint64_t seed, uint64_t rep, uint64_t stream_id)
{
    gsl_rng *r = gsl_rng_alloc(sim_rng_philox);
    if (r)
        key_state(r->state, seed, rep, stream_id);
    return r;
}

uint64_t sim_stream_u64(sim_stream *s) { return next64(&s->st); }

double sim_stream_u01(sim_stream *s) { return (double)(next64(&s->st) >> 11) * 0x1.0p-53; }

void sim_stream_block_u01(const sim_stream *s, uint64_t block, double u[4])
{
    philox4x64_ctr_t r = philox_block(&s->st, (philox4x64_ctr_t){{block, 0, 0, 0}});
    for (int w = 0; w < 4; w++)
        u[w] = (double)(r.v[w] >> 11) * 0x1.0p-53;
}
