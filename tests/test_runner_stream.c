/* sim_runner_stream: blocks in replication order, each once, never two at
 * once, while the simulation goes on; stops, failures and a failing sink. */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim_runner.h"
#include "sim_status.h"

typedef struct {
    uint64_t rep, value;
} rec;

typedef struct {
    long fail_rep;                       /* -1: none */
    long stop_after;                     /* -1: never; else stop once this many ran */
    long slow_rep;                       /* -1: none; else this one outlasts a block */
    volatile sig_atomic_t stop;
    atomic_long ran;
} toy;

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

static void nap(long us)
{
    struct timespec t = {0, us * 1000};
    nanosleep(&t, NULL);
}

static int toy_rep(const void *ctx, uint64_t r, void *out)
{
    toy *t = (toy *)ctx;
    /* uneven lengths, so replications finish out of order */
    nap((long)(mix(r) % 200));
    if ((long)r == t->slow_rep)
        nap(30000);
    if ((long)r == t->fail_rep)
        return SIM_EINVAL;
    rec *o = out;
    o->rep = r;
    o->value = mix(r + 12345);
    long ran = atomic_fetch_add(&t->ran, 1) + 1;
    if (t->stop_after >= 0 && ran >= t->stop_after)
        t->stop = 1;
    return SIM_OK;
}

typedef struct {
    size_t n, block, next_first, blocks;
    long sink_fail_block;                /* -1: none */
    atomic_int inside;
    int overlapped, out_of_order, bad_rec, bad_len;
    size_t reps_done;
    uint64_t sum;
    unsigned char *seen_done;
} sink_state;

static int sink(void *user, size_t first, size_t k, const void *records,
                const unsigned char *done)
{
    sink_state *s = user;
    if (atomic_fetch_add(&s->inside, 1) != 0)
        s->overlapped = 1;
    if (first != s->next_first || first % s->block)
        s->out_of_order = 1;
    size_t want = s->n - first < s->block ? s->n - first : s->block;
    if (k != want)
        s->bad_len = 1;
    const rec *r = records;
    for (size_t i = 0; i < k; i++) {
        s->seen_done[first + i] = done[i];
        if (!done[i])
            continue;
        if (r[i].rep != first + i || r[i].value != mix(first + i + 12345))
            s->bad_rec = 1;
        s->reps_done++;
        s->sum += r[i].value * (first + i + 1);   /* order-sensitive */
    }
    s->next_first = first + k;
    int rc = (long)s->blocks == s->sink_fail_block ? SIM_EIO : SIM_OK;
    s->blocks++;
    nap(300);                            /* a delivery that takes a while */
    atomic_fetch_sub(&s->inside, 1);
    return rc;
}

typedef struct {
    int rc;
    uint64_t failed;
    sink_state s;
    unsigned char *done;
} outcome;

static outcome run(size_t n, size_t block, int threads, toy *t, long sink_fail_block)
{
    outcome o = {.failed = UINT64_MAX};
    o.s.n = n;
    o.s.block = block;
    o.s.sink_fail_block = sink_fail_block;
    o.s.seen_done = calloc(n, 1);
    o.done = calloc(n, 1);
    void *ring = malloc(2 * block * sizeof(rec));
    cr_assert(o.s.seen_done && o.done && ring);
    sim_runner_cfg cfg = {.first_rep = 0, .n_reps = n, .result_size = sizeof(rec),
                          .threads = threads, .stop = &t->stop};
    o.rc = sim_runner_stream(&cfg, toy_rep, t, ring, block, sink, &o.s, o.done, &o.failed);
    free(ring);
    return o;
}

static void done_with(outcome *o)
{
    free(o->s.seen_done);
    free(o->done);
}

static toy plain(void)
{
    toy t = {.fail_rep = -1, .stop_after = -1, .slow_rep = -1};
    atomic_init(&t.ran, 0);
    return t;
}

Test(runner_stream, every_block_once_in_order_whatever_the_threads)
{
    const size_t n = 301;
    uint64_t want = 0;
    for (size_t i = 0; i < n; i++)
        want += mix(i + 12345) * (i + 1);
    size_t blocks[] = {1, 3, 64, 301, 500};
    int threads[] = {1, 2, 4};
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++)
        for (size_t h = 0; h < 3; h++) {
            toy t = plain();
            outcome o = run(n, blocks[b], threads[h], &t, -1);
            cr_assert_eq(o.rc, SIM_OK, "block %zu, %d threads", blocks[b], threads[h]);
            cr_assert(!o.s.overlapped, "two deliveries at once");
            cr_assert(!o.s.out_of_order && !o.s.bad_len && !o.s.bad_rec);
            cr_assert_eq(o.s.next_first, n);
            cr_assert_eq(o.s.reps_done, n);
            cr_assert_eq(o.s.sum, want, "the records, in order, are the same bits");
            cr_assert_eq(o.s.blocks, (n + blocks[b] - 1) / blocks[b]);
            for (size_t i = 0; i < n; i++)
                cr_assert(o.done[i] && o.s.seen_done[i]);
            done_with(&o);
        }
}

/* One replication outlasting a whole block: the others wait for its half
 * of the ring (sleeping) instead of overwriting it. */
Test(runner_stream, a_slow_replication_holds_the_ring_not_the_records)
{
    toy t = plain();
    t.slow_rep = 5;
    outcome o = run(200, 4, 4, &t, -1);
    cr_assert_eq(o.rc, SIM_OK);
    cr_assert(!o.s.overlapped && !o.s.out_of_order && !o.s.bad_rec);
    cr_assert_eq(o.s.reps_done, 200);
    done_with(&o);
}

/* Stopped: the blocks begun are delivered, holes marked; none after. */
Test(runner_stream, a_stop_delivers_the_blocks_begun_with_their_holes)
{
    for (int threads = 1; threads <= 4; threads *= 2) {
        toy t = plain();
        t.stop_after = 70;
        outcome o = run(1000, 16, threads, &t, -1);
        cr_assert_eq(o.rc, SIM_EINTR);
        cr_assert(!o.s.overlapped && !o.s.out_of_order && !o.s.bad_rec);
        size_t ran = (size_t)atomic_load(&t.ran);
        cr_assert_eq(o.s.reps_done, ran, "every replication that ran was delivered");
        cr_assert(ran >= 70 && ran < 70 + 2 * 16);
        cr_assert_eq(o.s.next_first % 16, 0);
        cr_assert(o.s.next_first >= ran && o.s.next_first < ran + 16,
                  "the last block delivered is the last begun");
        for (size_t i = 0; i < 1000; i++)
            cr_assert_eq(o.done[i], o.s.seen_done[i]);
        done_with(&o);
    }
}

Test(runner_stream, a_failing_replication_is_reported_and_ends_the_batch)
{
    for (int threads = 1; threads <= 4; threads *= 2) {
        toy t = plain();
        t.fail_rep = 37;
        outcome o = run(400, 8, threads, &t, -1);
        cr_assert_eq(o.rc, SIM_EINVAL);
        cr_assert_eq(o.failed, 37);
        cr_assert(o.s.next_first <= 32, "nothing from the failing block on");
        cr_assert((size_t)atomic_load(&t.ran) < 400);
        done_with(&o);
    }
}

Test(runner_stream, a_failing_sink_stops_the_batch_with_its_status)
{
    for (int threads = 1; threads <= 4; threads *= 2) {
        toy t = plain();
        outcome o = run(400, 8, threads, &t, 2);
        cr_assert_eq(o.rc, SIM_EIO);
        cr_assert_eq(o.s.blocks, 3, "blocks 0, 1 and the failing 2; none after");
        cr_assert((size_t)atomic_load(&t.ran) < 400);
        done_with(&o);
    }
}

Test(runner_stream, stopped_before_it_starts_delivers_nothing)
{
    toy t = plain();
    t.stop = 1;
    outcome o = run(50, 8, 2, &t, -1);
    cr_assert_eq(o.rc, SIM_EINTR);
    cr_assert_eq(o.s.blocks, 0);
    cr_assert_eq(atomic_load(&t.ran), 0);
    done_with(&o);
}
