/* Checkpoints of variable-n points (replications to a precision) streamed:
 * ex_ckpt_stream_begin_n + add makes ex_ckpt_write_n's file byte for byte,
 * whatever the pieces, and ex_ckpt_open_n + get reads it piece by piece
 * under ex_ckpt_read_n's rules, so that no caller holds every record. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "ex_ckpt.h"
#include "sim_status.h"

static char dir[64];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/rs_ckpt_n_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(ckpt_n, .init = setup, .fini = teardown);

static uint64_t key_of(const char *inputs, size_t record_size)
{
    return ex_digest_finish(ex_digest(EX_DIGEST_INIT, inputs, strlen(inputs)), record_size);
}

static ex_ckpt ckpt(size_t n_reps, size_t record_size)
{
    ex_ckpt c;
    cr_assert_eq(ex_ckpt_init(&c, dir, key_of("inputs", record_size), n_reps, record_size),
                 SIM_OK);
    return c;
}

/* n records of rs bytes, different from record to record and point to point. */
static unsigned char *records_of(size_t n, size_t rs, unsigned seed)
{
    unsigned char *r = malloc(n * rs + 1);
    cr_assert_not_null(r);
    uint32_t x = 2463534242u ^ seed;
    for (size_t i = 0; i < n * rs; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        r[i] = (unsigned char)x;
    }
    return r;
}

static unsigned char *ones(size_t n)
{
    unsigned char *d = malloc(n ? n : 1);
    cr_assert_not_null(d);
    memset(d, 1, n);
    return d;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    cr_assert_geq(size, 0);
    rewind(f);
    unsigned char *buf = malloc((size_t)size + 1);
    cr_assert_not_null(buf);
    *len = fread(buf, 1, (size_t)size, f);
    cr_assert_eq(*len, (size_t)size);
    fclose(f);
    return buf;
}

static void spit(const char *path, const unsigned char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fwrite(buf, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static unsigned char *point_file(const ex_ckpt *c, size_t point, size_t *len)
{
    char path[4200];
    ex_ckpt_point_path(c, point, path, sizeof path);
    return slurp(path, len);
}

/* Names in the directory besides . and .. */
static int entries(void)
{
    DIR *d = opendir(dir);
    cr_assert_not_null(d);
    int k = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            k++;
    closedir(d);
    return k;
}

/* Stream n records in pieces of `piece`; done is a copy freed right after
 * begin (begin takes the flags then). */
static void stream_n(const ex_ckpt *c, size_t point, size_t n, const unsigned char *done,
                     const unsigned char *recs, size_t piece)
{
    unsigned char *flags = malloc(n ? n : 1);
    cr_assert_not_null(flags);
    memcpy(flags, done, n);
    ex_ckpt_stream s;
    cr_assert_eq(ex_ckpt_stream_begin_n(c, point, n, flags, &s), SIM_OK);
    memset(flags, 0x5a, n);
    free(flags);
    for (size_t at = 0; at < n; at += piece) {
        size_t k = n - at < piece ? n - at : piece;
        cr_assert_eq(ex_ckpt_stream_add(&s, recs + at * c->record_size, k), SIM_OK);
    }
    cr_assert_eq(ex_ckpt_stream_end(&s, 1), SIM_OK);
}

Test(ckpt_n, streamed_file_is_write_n_file_byte_for_byte)
{
    static const struct { size_t n, rs; } cases[] = {{1, 24}, {13, 24}, {300, 10000}};
    for (size_t t = 0; t < sizeof cases / sizeof *cases; t++) {
        size_t n = cases[t].n, rs = cases[t].rs;
        ex_ckpt c = ckpt(5, rs);          /* n_reps is the fixed points': not n */
        unsigned char *recs = records_of(n, rs, (unsigned)t);
        unsigned char *done = ones(n);
        if (n > 2)
            done[n / 2] = 0;              /* write_n writes the flags it is given */
        cr_assert_eq(ex_ckpt_write_n(&c, 3, n, done, recs), SIM_OK);
        size_t want_len, got_len;
        unsigned char *want = point_file(&c, 3, &want_len);
        size_t pieces[] = {1, 7, n};
        for (size_t p = 0; p < 3; p++) {
            char path[4200];
            ex_ckpt_point_path(&c, 3, path, sizeof path);
            cr_assert_eq(unlink(path), 0);
            stream_n(&c, 3, n, done, recs, pieces[p]);
            unsigned char *got = point_file(&c, 3, &got_len);
            cr_assert_eq(got_len, want_len, "n %zu piece %zu", n, pieces[p]);
            cr_assert_eq(memcmp(got, want, want_len), 0, "n %zu piece %zu", n, pieces[p]);
            cr_assert_eq(entries(), 1, "a temporary stayed");
            free(got);
        }
        free(want);
        free(done);
        free(recs);
    }
}

Test(ckpt_n, fixed_stream_is_still_ex_ckpt_write_file)
{
    /* 5000 flags: more than one block of ones */
    static const struct { size_t n, rs; } cases[] = {{13, 24}, {5000, 8}};
    for (size_t t = 0; t < 2; t++) {
        size_t n = cases[t].n, rs = cases[t].rs;
        ex_ckpt c = ckpt(n, rs);
        unsigned char *recs = records_of(n, rs, 7u + (unsigned)t);
        unsigned char *done = ones(n);
        cr_assert_eq(ex_ckpt_write(&c, 1, done, recs), SIM_OK);
        size_t want_len, got_len;
        unsigned char *want = point_file(&c, 1, &want_len);
        size_t pieces[] = {1, 7, n};
        for (size_t p = 0; p < 3; p++) {
            ex_ckpt_stream s;
            cr_assert_eq(ex_ckpt_stream_begin(&c, 1, &s), SIM_OK);
            for (size_t at = 0; at < n; at += pieces[p]) {
                size_t k = n - at < pieces[p] ? n - at : pieces[p];
                cr_assert_eq(ex_ckpt_stream_add(&s, recs + at * rs, k), SIM_OK);
            }
            cr_assert_eq(ex_ckpt_stream_end(&s, 1), SIM_OK);
            /* the file ex_ckpt_write made of point 1, replaced by the same */
            unsigned char *got = point_file(&c, 1, &got_len);
            cr_assert_eq(got_len, want_len);
            cr_assert_eq(memcmp(got, want, got_len), 0, "n %zu piece %zu", n, pieces[p]);
            free(got);
        }
        /* and ex_ckpt_open / read take it as before */
        ex_ckpt_reader r;
        cr_assert_eq(ex_ckpt_open(&c, 1, &r), SIM_OK);
        unsigned char *back = malloc(n * rs);
        cr_assert_eq(ex_ckpt_get(&r, 0, n, back), SIM_OK);
        cr_assert_eq(memcmp(back, recs, n * rs), 0);
        ex_ckpt_close(&r);
        unsigned char *d2 = malloc(n);
        cr_assert_eq(ex_ckpt_read(&c, 1, d2, back), SIM_OK);
        cr_assert_eq(memcmp(back, recs, n * rs), 0);
        free(d2);
        free(back);
        free(want);
        free(done);
        free(recs);
    }
}

/* open_n's n, flags and records, read with get in pieces of `piece`. */
static void expect_open_n(const ex_ckpt *c, size_t point, size_t n, const unsigned char *recs,
                          size_t piece)
{
    ex_ckpt_reader r;
    size_t got_n = 0;
    unsigned char *done = NULL;
    cr_assert_eq(ex_ckpt_open_n(c, point, &r, &got_n, &done), SIM_OK);
    cr_assert_eq(got_n, n);
    cr_assert_not_null(done);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(done[i], 1, "flag %zu", i);
    free(done);
    size_t rs = c->record_size;
    unsigned char *buf = malloc(piece * rs);
    cr_assert_not_null(buf);
    for (size_t at = 0; at < n; at += piece) {
        size_t k = n - at < piece ? n - at : piece;
        cr_assert_eq(ex_ckpt_get(&r, at, k, buf), SIM_OK);
        cr_assert_eq(memcmp(buf, recs + at * rs, k * rs), 0, "records %zu..", at);
    }
    cr_assert_eq(ex_ckpt_get(&r, n, 1, buf), SIM_EINVAL, "a record past the point's");
    ex_ckpt_close(&r);
    free(buf);
}

Test(ckpt_n, open_n_reads_write_n_file_and_read_n_reads_streamed_file)
{
    static const struct { size_t n, rs; } cases[] = {{1, 24}, {13, 24}, {300, 10000}};
    for (size_t t = 0; t < 3; t++) {
        size_t n = cases[t].n, rs = cases[t].rs;
        ex_ckpt c = ckpt(5, rs);
        unsigned char *recs = records_of(n, rs, 100u + (unsigned)t);
        unsigned char *done = ones(n);
        cr_assert_eq(ex_ckpt_write_n(&c, 0, n, done, recs), SIM_OK);
        expect_open_n(&c, 0, n, recs, 1);
        expect_open_n(&c, 0, n, recs, 7);
        expect_open_n(&c, 0, n, recs, n);

        stream_n(&c, 1, n, done, recs, 7);
        size_t got_n = 0;
        unsigned char *got_done = NULL;
        void *got = NULL;
        cr_assert_eq(ex_ckpt_read_n(&c, 1, &got_n, &got_done, &got), SIM_OK);
        cr_assert_eq(got_n, n);
        cr_assert_eq(memcmp(got_done, done, n), 0);
        cr_assert_eq(memcmp(got, recs, n * rs), 0);
        free(got_done);
        free(got);
        expect_open_n(&c, 1, n, recs, 7);
        free(done);
        free(recs);
    }
}

/* open_n and read_n on point's file both give status want; a failed open_n
 * leaves *done NULL and nothing open. */
static void expect_refused(const ex_ckpt *c, size_t point, int want, const char *what)
{
    ex_ckpt_reader r;
    size_t n = 12345;
    unsigned char *done = (unsigned char *)"x";
    int rc = ex_ckpt_open_n(c, point, &r, &n, &done);
    cr_assert_eq(rc, want, "%s: open_n gave %d, not %d", what, rc, want);
    cr_assert_null(done, "%s", what);
    cr_assert_eq(r.fd, -1, "%s: left open", what);
    unsigned char buf[64];
    cr_assert_eq(ex_ckpt_get(&r, 0, 1, buf), SIM_EINVAL, "%s", what);
    ex_ckpt_close(&r);
    void *recs = NULL;
    rc = ex_ckpt_read_n(c, point, &n, &done, &recs);
    cr_assert_eq(rc, want, "%s: read_n gave %d, not %d", what, rc, want);
}

Test(ckpt_n, any_flipped_byte_is_damage)
{
    size_t n = 13, rs = 24;
    ex_ckpt c = ckpt(5, rs);
    unsigned char *recs = records_of(n, rs, 9);
    unsigned char *done = ones(n);
    cr_assert_eq(ex_ckpt_write_n(&c, 0, n, done, recs), SIM_OK);
    char path[4200];
    ex_ckpt_point_path(&c, 0, path, sizeof path);
    size_t len;
    unsigned char *file = slurp(path, &len);
    size_t header = len - sizeof(uint64_t) - n * (1 + rs);
    cr_assert_gt(header, 16u);
    char what[64];
    for (size_t i = 0; i < len; i++) {
        file[i] ^= 0x10;
        spit(path, file, len);
        /* the magic's 16 bytes: another format, as ex_ckpt_read_n says;
         * the rest of the header, the flags, the records, the digest:
         * damaged */
        snprintf(what, sizeof what, "byte %zu of %zu (header %zu)", i, len, header);
        expect_refused(&c, 0, i < 16 ? SIM_EINVAL : SIM_EPARSE, what);
        file[i] ^= 0x10;
    }
    spit(path, file, len);
    expect_open_n(&c, 0, n, recs, 5);
    free(file);
    free(done);
    free(recs);
}

Test(ckpt_n, another_runs_or_unfinished_file_is_refused)
{
    size_t n = 13, rs = 24;
    ex_ckpt c = ckpt(5, rs);
    unsigned char *recs = records_of(n, rs, 11);
    unsigned char *done = ones(n);
    cr_assert_eq(ex_ckpt_write_n(&c, 0, n, done, recs), SIM_OK);

    expect_refused(&c, 4, SIM_ENOTFOUND, "no file");

    ex_ckpt other = c;
    other.key = c.key + 1;
    expect_refused(&other, 0, SIM_EINVAL, "another key");

    /* another record size (and its key): the same bytes are not its records */
    ex_ckpt wide = ckpt(5, rs + 1);
    wide.key = c.key;
    expect_refused(&wide, 0, SIM_EINVAL, "another record size");

    /* point 0's file under point 1's name */
    char p0[4200], p1[4200];
    ex_ckpt_point_path(&c, 0, p0, sizeof p0);
    ex_ckpt_point_path(&c, 1, p1, sizeof p1);
    size_t len;
    unsigned char *file = slurp(p0, &len);
    spit(p1, file, len);
    expect_refused(&c, 1, SIM_EINVAL, "another point");
    free(file);

    /* a replication not done */
    done[6] = 0;
    cr_assert_eq(ex_ckpt_write_n(&c, 2, n, done, recs), SIM_OK);
    expect_refused(&c, 2, SIM_EINVAL, "a done flag 0");
    done[6] = 1;
    stream_n(&c, 2, n, done, recs, 4);
    expect_open_n(&c, 2, n, recs, 4);

    /* no replication */
    cr_assert_eq(ex_ckpt_write_n(&c, 3, 0, done, recs), SIM_OK);
    expect_refused(&c, 3, SIM_EINVAL, "n == 0");

    /* another format */
    spit(p1, (const unsigned char *)"not a checkpoint", 16);
    expect_refused(&c, 1, SIM_EINVAL, "another format");

    /* the fixed-n reader refuses a file of another n */
    ex_ckpt_reader r;
    cr_assert_eq(ex_ckpt_open(&c, 0, &r), SIM_EINVAL);
    cr_assert_eq(r.fd, -1);
    ex_ckpt fixed = ckpt(n, rs);
    cr_assert_eq(ex_ckpt_open(&fixed, 0, &r), SIM_OK);
    ex_ckpt_close(&r);
    free(done);
    free(recs);
}

Test(ckpt_n, dropped_or_overfull_stream_leaves_nothing)
{
    size_t n = 5, rs = 24;
    ex_ckpt c = ckpt(5, rs);
    unsigned char *recs = records_of(n + 1, rs, 13);
    unsigned char *done = ones(n);
    ex_ckpt_stream s;

    cr_assert_eq(ex_ckpt_stream_begin_n(&c, 0, n, done, &s), SIM_OK);
    cr_assert_eq(entries(), 1, "the temporary is there while writing");
    cr_assert_eq(ex_ckpt_stream_add(&s, recs, 3), SIM_OK);
    cr_assert_eq(ex_ckpt_stream_end(&s, 0), SIM_OK);
    cr_assert_eq(entries(), 0, "a dropped stream left a file");

    /* every record, then dropped all the same */
    cr_assert_eq(ex_ckpt_stream_begin_n(&c, 0, n, done, &s), SIM_OK);
    cr_assert_eq(ex_ckpt_stream_add(&s, recs, n), SIM_OK);
    cr_assert_eq(ex_ckpt_stream_end(&s, 0), SIM_OK);
    cr_assert_eq(entries(), 0, "a dropped whole stream left a file");

    /* more than n records */
    cr_assert_eq(ex_ckpt_stream_begin_n(&c, 0, n, done, &s), SIM_OK);
    errno = 0;
    cr_assert_eq(ex_ckpt_stream_add(&s, recs, n + 1), SIM_EIO);
    cr_assert_eq(errno, EINVAL);
    cr_assert_eq(ex_ckpt_stream_add(&s, recs, 3), SIM_OK);
    cr_assert_eq(ex_ckpt_stream_add(&s, recs, 3), SIM_EIO, "records 4..6 of 5");
    cr_assert_eq(ex_ckpt_stream_end(&s, 1), SIM_EIO, "kept with 3 of 5 records");
    cr_assert_eq(entries(), 0, "a failed stream left a file");
    expect_refused(&c, 0, SIM_ENOTFOUND, "after a failed stream");
    free(done);
    free(recs);
}
