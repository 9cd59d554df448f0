/* an_heatmap: a sweep over two keys as an SVG heatmap, for the HTML page.
 *
 * One cell per (x level, y level), its colour on a sequential scale from
 * the lowest to the highest estimate (light to dark blue, which stays in
 * order in greyscale), and the estimate with its 95% half-width written in
 * the cell, so that the figure cannot mislead in print or in greyscale; a
 * colour scale beside it.  A missing point is an empty cell marked "-".
 *
 * The rule (an_heatmap_fits): exactly two keys take more than one value,
 * each at least AN_HEATMAP_MIN_LEVELS of them (a grid of 4 x 4 or more),
 * and no combination is simulated twice; smaller grids keep one line per
 * level of the second key (an_plot.h).
 *
 * Every string is written through sim_text's HTML escaping. */
#ifndef AN_HEATMAP_H
#define AN_HEATMAP_H

#include <stddef.h>
#include <stdio.h>

#define AN_HEATMAP_MIN_LEVELS 4

typedef struct {
    size_t nx, ny;
    const double *x, *y;        /* the levels, ascending: nx and ny */
    const double *mean, *ci95;  /* ny x nx, row-major by y level; NaN: not simulated */
    const char *x_title, *y_title;  /* the axes in words and units */
    const char *const *x_text, *const *y_text; /* each level in words (ticks) */
    int percent;                /* shares: shown in percent */
    const char *id;             /* unique prefix for the SVG's ids */
} an_heatmap;

/* 1 when the points' values of n_keys varied keys (values[i * n_keys + k],
 * n points) call for a heatmap by the rule above; then *kx and *ky are the
 * keys across (more levels; the first on a tie) and down. */
int an_heatmap_fits(const double *values, size_t n, size_t n_keys, size_t *kx, size_t *ky);

/* A value as the page writes it: "13.1%" (percent), "124", "12.3",
 * "2.45"; "-" for NaN. */
void an_heatmap_value(char *buf, size_t size, double v, int percent);

/* The <svg> element (no caption). */
void an_heatmap_svg(FILE *o, const an_heatmap *hm);

#endif
