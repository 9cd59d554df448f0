/* sim_rng: counter-based random streams (Philox4x64-10 from Random123).
 *
 * A stream is keyed by (seed, replication, stream id) and nothing else, so a
 * replication's numbers never depend on thread count, rank count or the order
 * replications are scheduled in, and replication r of two scenarios sees the
 * same numbers on every stream (common random numbers).  Streams are wrapped
 * as a gsl_rng so every GSL distribution works on them.
 *
 * Ownership: sim_rng_alloc returns a generator the caller frees with
 * gsl_rng_free.  sim_stream embeds the state and needs no allocation: use
 * sim_stream_init then &stream->rng wherever GSL wants a gsl_rng *.  A stream
 * belongs to one thread.  The environment (GSL_RNG_SEED...) is never read. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* Philox state; opaque in spirit, public so streams can live inside structs. */
typedef struct {
    uint64_t ctr[4];
    uint64_t key[2];
    uint64_t out[4];     /* the block of counter ctr - 1, computed ahead */
    unsigned idx;        /* next unused word of out[], 0..3: out[] always holds a block */
    uint64_t rk[10][2];  /* the key of each of the ten rounds (Philox bumps it by a
                          * constant per round), computed once per stream */
} sim_rng_state;

typedef struct {
    gsl_rng rng;         /* rng.state points at st */
    sim_rng_state st;
} sim_stream;

extern const gsl_rng_type *sim_rng_philox;

/* Replications and stream ids must each stay below 2^32. */
void sim_stream_init(sim_stream *s, uint64_t seed, uint64_t rep, uint64_t stream_id);

/* Same as a heap object; NULL on allocation failure. */
gsl_rng *sim_rng_alloc(uint64_t seed, uint64_t rep, uint64_t stream_id);

/* Next 64 random bits / a uniform in [0,1) with 53 random bits. */
uint64_t sim_stream_u64(sim_stream *s);
double sim_stream_u01(sim_stream *s);

/* Random access: the four uniforms of block `block` of the stream, i.e. the
 * values draws 4*block .. 4*block+3 of sim_stream_u01 give from a freshly
 * initialised stream.  A counter-based generator computes any block alone,
 * so a model can skip the draws an entity never reads and stay aligned.
 * Reads only the stream's key; does not move the sequential position. */
void sim_stream_block_u01(const sim_stream *s, uint64_t block, double u[4]);

#endif
