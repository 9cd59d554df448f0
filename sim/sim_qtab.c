#include "sim_qtab.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NB (SIM_QTAB_BINADES + 1)        /* binade j = 0 .. SIM_QTAB_BINADES */
#define NC (SIM_QTAB_DEGREE + 1)
#define NCHECK (NC + SIM_QTAB_DEGREE)     /* nodes, and the middle of each pair */
#define EXACT 0xff
#define MANT 0x000fffffffffffffull
#define ONE_BITS 0x3ff0000000000000ull

/* Q on one piece: the polynomial c[0] + c[1] t + ... + c[7] t^7 by Horner's
 * rule, at t with the bits below its quantum cleared (qmask). */
typedef struct {
    double c[NC];
    uint64_t qmask;
} piece;

struct sim_qtab {
    sim_qtab_fn fn[2];                   /* lower, upper */
    double par[2];
    unsigned char shift[2][NB];          /* log2 pieces in binade j, EXACT: no table */
    unsigned short first[2][NB];         /* its first piece */
    int n, exact_binades;
    double max_error;
    piece p[];
};

static inline double horner(const piece *p, double t)
{
    double r = p->c[NC - 1];
#pragma GCC unroll 8
    for (int j = NC - 2; j >= 0; j--)
        r = p->c[j] + t * r;
    return r;
}

/* t in [0, 1) of the piece from the 52 - m bits of the mantissa below the
 * piece index, cut to the piece's quantum: exact, and monotone in w. */
static inline double piece_t(uint64_t mant, unsigned m, uint64_t qmask)
{
    uint64_t tb = ((mant << m) & qmask) | ONE_BITS;
    double t;
    memcpy(&t, &tb, sizeof t);
    return t - 1.0;
}

double sim_qtab_eval(const sim_qtab *q, double u)
{
    int side = u >= 0.5;
    double w = side ? 1.0 - u : u;       /* exact for u >= 1/2 */
    uint64_t b;
    memcpy(&b, &w, sizeof b);
    unsigned j = 1022u - (unsigned)(b >> 52);     /* w in [2^-(j+1), 2^-j) */
    if (j < NB) {
        unsigned m = q->shift[side][j];
        if (m != EXACT) {
            uint64_t mant = b & MANT;
            const piece *p = &q->p[q->first[side][j] + (mant >> (52 - m))];
            return horner(p, piece_t(mant, m, p->qmask));
        }
    }
    return q->fn[side](q->par, w, 0);
}

double sim_qtab_exact(const sim_qtab *q, double u)
{
    return u >= 0.5 ? q->fn[1](q->par, 1.0 - u, 0) : q->fn[0](q->par, u, 0);
}

void sim_qtab_free(sim_qtab *q) { free(q); }

/* ---- building ------------------------------------------------------------ */

typedef struct {
    piece *p;
    int n, cap;
} pieces;

/* Building goes down w, piece by piece (the top piece of a binade first,
 * then binade j + 1 below it), so that every piece has a fitted neighbour
 * just above it: its polynomial, extended below its end, starts the exact
 * quantile's iteration (the gamma's Halley steps) within about 1e-9 of the
 * answer, and the polynomial being fitted starts it at the middle points.
 * Starts change the last bit of an iterative answer at most, never the
 * tolerance. */
typedef struct {
    sim_qtab *q;                         /* the header: functions, binades */
    pieces all;
    double node[NC];                     /* Chebyshev-Lobatto points on [0, 1] */
    double tol;
    int last_side;
    double last_y;                       /* the last exact value: a start for the next */
    int end_side;
    double end_w, end_y;                 /* a piece's t = 0 is the next piece's t = 1 */
    int near_ok;
    piece near;                          /* the piece fitted last, above: w = near_a + near_h t */
    double near_a, near_h;
} builder;

static double exact_at(builder *bd, int side, double w, double hint)
{
    if (side == bd->end_side && w == bd->end_w)
        return bd->end_y;
    if (!(hint > 0 && hint < INFINITY))
        hint = side == bd->last_side && isfinite(bd->last_y) ? bd->last_y : 0;
    bd->last_side = side;
    return bd->last_y = bd->q->fn[side](bd->q->par, w, hint);
}

static int reserve(pieces *a, int n)
{
    if (n <= a->cap)
        return 0;
    int ncap = a->cap ? a->cap : 64;
    while (ncap < n)
        ncap *= 2;
    piece *np = realloc(a->p, (size_t)ncap * sizeof *np);
    if (!np)
        return -1;
    a->p = np;
    a->cap = ncap;
    return 0;
}

static int push(pieces *a, const piece *pc)
{
    if (reserve(a, a->n + 1))
        return -1;
    a->p[a->n++] = *pc;
    return 0;
}

/* Monotone in floating point, not only in exact arithmetic.  Horner's rule
 * in doubles is within E = gamma_14 * sum |c_k| of the polynomial (t <= 1;
 * Higham, Accuracy and Stability of Numerical Algorithms, 5.1), so two
 * evaluations are in order whenever the polynomial itself rises by 2E
 * between them.  The piece's t is therefore cut to a quantum D (a power of
 * 2) with min |p'| * D >= 2E: between any two quanta the polynomial moves
 * by at least 2E in the direction of the quantile, inside a quantum the
 * value is one.  D is tiny (a change of about 1e-14 of the value), so the
 * cut costs no accuracy.  Returns the quantum's mask, or 0 when p' is not
 * bounded away from 0 in the right direction. */
static uint64_t quantum_mask(const piece *pc, int dir, int m)
{
    double sum = 0, d2 = 0;
    for (int k = 0; k < NC; k++) {
        sum += fabs(pc->c[k]);
        d2 += (double)(k * (k - 1)) * fabs(pc->c[k]);
    }
    const double gamma = 2 * SIM_QTAB_DEGREE * 0x1p-53 / (1 - 2 * SIM_QTAB_DEGREE * 0x1p-53);
    /* 2% over the bound: the sums above round too */
    double twoE = 2 * gamma * sum * 1.02;
    enum { GRID = 64 };
    /* p' = sum k c_k t^(k-1): its coefficients once (the same doubles as
     * k * c[k] at every grid point), a plain minimum (no d is NaN: the
     * coefficients are finite) */
    double dc[NC];
    for (int k = 1; k < NC; k++)
        dc[k] = k * pc->c[k];
    double slope = INFINITY;
    for (int g = 0; g <= GRID; g++) {
        double t = (double)g / GRID, d = 0;
        for (int k = NC - 1; k >= 1; k--)
            d = d * t + dc[k];
        d *= dir;
        if (d < slope)
            slope = d;
    }
    /* p' between grid points, less a margin for the rounding of d */
    slope = slope * (1 - 1e-12) - d2 / (2 * GRID);
    if (!(slope > 0))
        return 0;
    int e = 0;                           /* D = 2^-e, as coarse as 2E allows */
    double D = 1;
    while (e < 52 - m && slope * D * 0.5 >= twoE) {
        e++;
        D *= 0.5;
    }
    if (slope * D < twoE)
        return 0;
    return MANT & ~((1ull << (52 - e)) - 1);
}

/* Interpolate the exact quantile of one side on the piece w = a + h t,
 * t in [0, 1], at Chebyshev-Lobatto points.  Returns the largest relative
 * error at the check points (the nodes, where it is rounding, and the
 * middle of each pair of nodes, near where the interpolation error of
 * Chebyshev-Lobatto points peaks), or -1 if the piece cannot be tabulated
 * (a value not finite or too small or large for relative precision, or a
 * quantile too flat to resolve). */
static double fit_piece(builder *bd, int side, double a, double h, int m, piece *out)
{
    double tt[NCHECK], yy[NCHECK];
    /* the nodes from t = 1 down (the piece above began there), then the
     * middle of each pair, started from this piece's polynomial */
    for (int i = NC - 1; i >= 0; i--) {
        double w = a + h * bd->node[i];
        tt[i] = (w - a) / h;             /* exact: same binade, h a power of 2 */
        double hint = 0, tn = (w - bd->near_a) / bd->near_h;
        if (bd->near_ok && tn >= -1)     /* at most a piece below the neighbour */
            hint = horner(&bd->near, tn);
        yy[i] = exact_at(bd, side, w, hint);
        if (!(isfinite(yy[i]) && yy[i] > 0x1p-960 && yy[i] < 0x1p960))
            return -1;
        if (i == 0) {
            bd->end_side = side;
            bd->end_w = w;
            bd->end_y = yy[i];
        }
    }
    /* Newton divided differences at the nodes, then monomial coefficients. */
    long double dd[NC], mono[NC];
    for (int i = 0; i < NC; i++)
        dd[i] = yy[i];
    for (int k = 1; k < NC; k++)
        for (int i = NC - 1; i >= k; i--)
            dd[i] = (dd[i] - dd[i - 1]) / ((long double)tt[i] - tt[i - k]);
    mono[0] = dd[NC - 1];
    for (int i = 1; i < NC; i++)
        mono[i] = 0;
    for (int k = NC - 2, deg = 0; k >= 0; k--, deg++) {
        /* mono = mono * (t - tt[k]) + dd[k] */
        for (int i = deg + 1; i >= 1; i--)
            mono[i] = mono[i - 1] - tt[k] * mono[i];
        mono[0] = dd[k] - tt[k] * mono[0];
    }
    for (int i = 0; i < NC; i++)
        out->c[i] = (double)mono[i];
    for (int i = NC; i < NCHECK; i++) {
        double w = a + h * (0.5 * (bd->node[i - NC] + bd->node[i - NC + 1]));
        tt[i] = (w - a) / h;
        yy[i] = exact_at(bd, side, w, horner(out, tt[i]));
        if (!(isfinite(yy[i]) && yy[i] > 0x1p-960 && yy[i] < 0x1p960))
            return -1;
    }
    out->qmask = quantum_mask(out, side ? -1 : 1, m);
    if (!out->qmask)
        return -1;
    double err = 0;
    for (int i = 0; i < NCHECK; i++) {
        uint64_t tbits = (uint64_t)(tt[i] * 0x1p52);     /* t * 2^52, exact */
        double t = tt[i] >= 1 ? tt[i] : piece_t(tbits >> m, m, out->qmask);
        err = fmax(err, fabs(horner(out, t) - yy[i]) / yy[i]);
    }
    return err;
}

/* Tabulate binade j of a side with 2^m pieces; -1 when some piece misses
 * the tolerance (or cannot be tabulated), else the largest error. */
static double fit_binade(builder *bd, int side, int j, int m)
{
    double a0 = ldexp(1.0, -(j + 1)), h = ldexp(a0, -m);
    int start = bd->all.n, n = 1 << m;
    if (reserve(&bd->all, start + n))   /* room for the binade, filled from the top */
        return -1;
    builder saved = *bd;                 /* a failed try leaves the neighbour as it was */
    double worst = 0;
    for (int i = n - 1; i >= 0; i--) {
        piece *pc = &bd->all.p[start + i];
        double err = fit_piece(bd, side, a0 + i * h, h, m, pc);
        if (err < 0 || err > bd->tol) {
            saved.all = bd->all;
            *bd = saved;
            return -1;
        }
        worst = fmax(worst, err);
        bd->near = *pc;
        bd->near_ok = 1;
        bd->near_a = a0 + i * h;
        bd->near_h = h;
    }
    bd->all.n = start + n;
    bd->q->first[side][j] = (unsigned short)start;
    bd->q->shift[side][j] = (unsigned char)m;
    return worst;
}

/* ---- monotone across pieces ------------------------------------------------
 * Every piece and every exact region, in increasing u.  Where the smallest
 * value of one is below the largest of the one before, the constant of a
 * table piece is nudged (by ulps: both interpolate the same exact value at
 * their common end).  The constant moves every value of its piece alike
 * (rounding is monotone), so what held inside the piece still holds. */
typedef struct {
    int side, piece;                     /* piece -1: exact region w in [wlo, whi) */
    double tlast, wlo, whi;              /* tlast: the piece's largest t */
} item;

static double item_end(const sim_qtab *q, const item *it, int top)
{
    if (it->piece >= 0)                  /* side 0: u grows with t; side 1: falls */
        return horner(&q->p[it->piece], top != it->side ? it->tlast : 0.0);
    if (it->side)
        return q->fn[1](q->par, top ? it->wlo : nextafter(it->whi, 0), 0);
    return q->fn[0](q->par, top ? nextafter(it->whi, 0) : it->wlo, 0);
}

static item piece_item(const sim_qtab *q, int side, int idx, int m)
{
    return (item){side, idx, piece_t(MANT >> m, m, q->p[idx].qmask), 0, 0};
}

static int list_items(const sim_qtab *q, item *out)
{
    int n = 0;
    double tail = ldexp(1.0, -(SIM_QTAB_BINADES + 1));
    out[n++] = (item){0, -1, 0, 0, tail};
    for (int j = SIM_QTAB_BINADES; j >= 1; j--) {
        double a0 = ldexp(1.0, -(j + 1));
        int m = q->shift[0][j];
        if (m == EXACT)
            out[n++] = (item){0, -1, 0, a0, 2 * a0};
        else
            for (int i = 0; i < 1 << m; i++)
                out[n++] = piece_item(q, 0, q->first[0][j] + i, m);
    }
    out[n++] = (item){1, q->first[1][0], 0, 0, 0};      /* u = 1/2 */
    for (int j = 1; j <= SIM_QTAB_BINADES; j++) {
        double a0 = ldexp(1.0, -(j + 1));
        int m = q->shift[1][j];
        if (m == EXACT)
            out[n++] = (item){1, -1, 0, a0, 2 * a0};
        else
            for (int i = (1 << m) - 1; i >= 0; i--)
                out[n++] = piece_item(q, 1, q->first[1][j] + i, m);
    }
    out[n++] = (item){1, -1, 0, 0x1p-1074, tail};
    return n;
}

static void join_pieces(sim_qtab *q)
{
    item *it = malloc((size_t)(q->n + 2 * NB + 4) * sizeof *it);
    if (!it)
        return;
    int n = list_items(q, it);
    for (int pass = 0; pass < 64; pass++) {
        int changed = 0;
        for (int i = 1; i < n; i++) {
            double hi = item_end(q, &it[i - 1], 1), lo = item_end(q, &it[i], 0);
            if (!(lo < hi))
                continue;
            changed = 1;
            if (it[i].piece >= 0) {
                piece *pc = &q->p[it[i].piece];
                for (int k = 0; k < 400 && item_end(q, &it[i], 0) < hi; k++)
                    pc->c[0] = nextafter(pc->c[0], INFINITY);
            } else if (it[i - 1].piece >= 0) {
                piece *pc = &q->p[it[i - 1].piece];
                for (int k = 0; k < 400 && item_end(q, &it[i - 1], 1) > lo; k++)
                    pc->c[0] = nextafter(pc->c[0], -INFINITY);
            }
        }
        if (!changed)
            break;
    }
    free(it);
}

sim_qtab *sim_qtab_build(sim_qtab_fn lower, sim_qtab_fn upper, const double par[2], double tol)
{
    builder bd = {.tol = tol, .last_side = -1, .end_side = -1};
    sim_qtab *q = bd.q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->fn[0] = lower;
    q->fn[1] = upper;
    q->par[0] = par[0];
    q->par[1] = par[1];
    for (int i = 0; i < NC; i++)
        bd.node[i] = 0.5 - 0.5 * cos(M_PI * i / SIM_QTAB_DEGREE);
    bd.node[0] = 0;
    bd.node[NC - 1] = 1;
    memset(q->shift, EXACT, sizeof q->shift);

    /* u = 1/2 exactly is w = 1/2 on the upper side: binade 0, one constant. */
    piece mid = {.c = {upper(par, 0.5, 0)}, .qmask = MANT};
    if (push(&bd.all, &mid))
        goto fail;
    q->first[1][0] = 0;
    q->shift[1][0] = 0;

    for (int side = 0; side < 2; side++) {
        bd.near_ok = 0;
        int m = 0;
        double prev = 0;
        for (int j = 1; j <= SIM_QTAB_BINADES; j++) {
            double err = -1;
            /* neighbouring binades need about as many pieces; half as many
             * multiply the error by about 2^8 (degree 7), so try one fewer
             * only when the last binade had that much to spare */
            int mm = m > 0 && prev < tol / 300 ? m - 1 : m;
            for (; mm <= SIM_QTAB_MAX_SHIFT && err < 0; mm++) {
                err = fit_binade(&bd, side, j, mm);
                if (err >= 0)
                    m = mm;
            }
            if (err < 0) {
                q->exact_binades++;
                m = 0;
                prev = 0;
            } else {
                q->max_error = fmax(q->max_error, err);
                prev = err;
            }
        }
    }
    sim_qtab *t = malloc(sizeof *t + (size_t)bd.all.n * sizeof(piece));
    if (!t)
        goto fail;
    *t = *q;
    t->n = bd.all.n;
    memcpy(t->p, bd.all.p, (size_t)bd.all.n * sizeof(piece));
    free(bd.all.p);
    free(q);
    join_pieces(t);
    return t;
fail:
    free(bd.all.p);
    free(q);
    return NULL;
}

void sim_qtab_get_info(const sim_qtab *q, sim_qtab_info *info)
{
    info->bytes = sizeof *q + (size_t)q->n * sizeof(piece);
    info->pieces = q->n;
    info->exact_binades = q->exact_binades;
    info->max_error = q->max_error;
}

size_t sim_qtab_boundaries(const sim_qtab *q, double *u, size_t n)
{
    size_t k = 0;
#define PUT(x) do { if (k < n) u[k] = (x); k++; } while (0)
    for (int j = SIM_QTAB_BINADES; j >= 1; j--) {
        double a0 = ldexp(1.0, -(j + 1));
        int m = q->shift[0][j] == EXACT ? 0 : q->shift[0][j];
        for (int i = 0; i < 1 << m; i++)
            PUT(a0 + i * ldexp(a0, -m));
    }
    PUT(0.5);
    for (int j = 1; j <= SIM_QTAB_BINADES; j++) {
        double a0 = ldexp(1.0, -(j + 1));
        int m = q->shift[1][j] == EXACT ? 0 : q->shift[1][j];
        for (int i = (1 << m) - 1; i >= 0; i--)
            PUT(1.0 - (a0 + i * ldexp(a0, -m)));
    }
    PUT(1.0 - ldexp(1.0, -(SIM_QTAB_BINADES + 1)));
#undef PUT
    return k;
}
