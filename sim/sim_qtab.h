/* sim_qtab: a quantile function at table speed, monotone by construction.
 *
 * Built once from an exact quantile (two functions: lower(w) = Q(w) and
 * upper(w) = Q(1 - w) for w in (0, 1/2], so both tails keep full relative
 * precision), a table answers Q(u) for any u in [0, 1) with a few dozen
 * instructions and no transcendental function:
 *
 *   - w = min(u, 1 - u) (exact for u >= 1/2) is cut into binades
 *     [2^-(j+1), 2^-j), j = 1 .. SIM_QTAB_BINADES, and each binade into 2^m
 *     equal pieces (m chosen per binade when the table is built, at most
 *     2^SIM_QTAB_MAX_SHIFT).  The piece and the position t in it come
 *     straight from the bits of w: no search, no division.
 *   - On each piece Q is a degree-7 polynomial interpolating the exact
 *     quantile at Chebyshev-Lobatto points, evaluated by Horner's rule.
 *   - Monotone in floating point, not only in exact arithmetic: Horner's
 *     rule is within a known bound E of the polynomial, so two evaluations
 *     are in order wherever the polynomial rises by 2E between them.  Each
 *     piece cuts t to a quantum (a power of 2) over which its polynomial
 *     provably rises by 2E (the derivative is bounded below when the table
 *     is built), so values are non-decreasing inside a piece; neighbouring
 *     pieces are checked, and their constants nudged by ulps, so that the
 *     whole function is non-decreasing in u for every pair of doubles.  The
 *     quantum is a change of about 1e-14 of the value.
 *   - The binades reach w = 2^-53: every u a 53-bit uniform takes but 0 is
 *     in the table.  Below that (u < 2^-53, which only a caller's own u can
 *     be), and in a binade whose pieces cannot all meet the tolerance (a
 *     quantile below 1e-289 or too flat to resolve), the exact functions
 *     answer.
 *
 * The relative error against the exact quantile is checked at the nodes
 * and between every pair of them (15 points a piece) when the table is
 * built (tolerance `tol`); tests/test_sim_dist.c checks it on dense grids
 * against GSL.
 *
 * Ownership: sim_qtab_build returns a table freed with sim_qtab_free (NULL
 * is accepted).  A built table is immutable: any number of threads may
 * evaluate it at once. */
#ifndef SIM_QTAB_H
#define SIM_QTAB_H

#include <stddef.h>

#define SIM_QTAB_BINADES   52    /* per tail: w down to 2^-53, every 53-bit uniform */
#define SIM_QTAB_MAX_SHIFT 6     /* at most 64 pieces per binade */
#define SIM_QTAB_DEGREE    7

/* An exact quantile of one tail, w in [0, 1/2]; par is the table's copy of
 * the parameters given to sim_qtab_build.  hint > 0 is the quantile of a
 * nearby w (building asks in order along w), a start for an iterative
 * inversion; 0 when there is none. */
typedef double (*sim_qtab_fn)(const double *par, double w, double hint);

typedef struct sim_qtab sim_qtab;

/* NULL when out of memory.  par[0..1] are copied into the table. */
sim_qtab *sim_qtab_build(sim_qtab_fn lower, sim_qtab_fn upper, const double par[2], double tol);
void sim_qtab_free(sim_qtab *q);

/* Q(u) for u in [0, 1). */
double sim_qtab_eval(const sim_qtab *q, double u);

/* Q(u) from the exact functions (what the table approximates). */
double sim_qtab_exact(const sim_qtab *q, double u);

/* Introspection for tests and the benchmark. */
typedef struct {
    size_t bytes;            /* memory held by the table */
    int pieces;              /* polynomials */
    int exact_binades;       /* binades (of 2 * SIM_QTAB_BINADES) left to the exact functions */
    double max_error;        /* largest relative error seen at the check points */
} sim_qtab_info;
void sim_qtab_get_info(const sim_qtab *q, sim_qtab_info *info);

/* Every piece boundary of the table in u, in increasing order, for tests:
 * writes at most n values and returns how many there are. */
size_t sim_qtab_boundaries(const sim_qtab *q, double *u, size_t n);

#endif
