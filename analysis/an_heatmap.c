#include "an_heatmap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sim_text.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Distinct values among n doubles (sorted copy in work). */
static size_t distinct(double *work, size_t n)
{
    qsort(work, n, sizeof *work, cmp_double);
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || work[i] != work[i - 1])
            d++;
    return d;
}

int an_heatmap_fits(const double *values, size_t n, size_t n_keys, size_t *kx, size_t *ky)
{
    if (n < AN_HEATMAP_MIN_LEVELS * AN_HEATMAP_MIN_LEVELS || n_keys < 2)
        return 0;
    double *w = malloc(n * sizeof *w);
    if (!w)
        return 0;
    size_t varying = 0, keys[2] = {0, 0}, levels[2] = {0, 0};
    for (size_t k = 0; k < n_keys; k++) {
        for (size_t i = 0; i < n; i++)
            w[i] = values[i * n_keys + k];
        size_t d = distinct(w, n);
        if (d > 1) {
            if (varying < 2) {
                keys[varying] = k;
                levels[varying] = d;
            }
            varying++;
        }
    }
    int fits = varying == 2 && levels[0] >= AN_HEATMAP_MIN_LEVELS && levels[1] >= AN_HEATMAP_MIN_LEVELS;
    /* no combination twice: the pairs, as x * (levels of y) + rank of y, all distinct */
    for (size_t i = 0; fits && i < n; i++)
        for (size_t j = i + 1; fits && j < n; j++)
            if (values[i * n_keys + keys[0]] == values[j * n_keys + keys[0]]
                && values[i * n_keys + keys[1]] == values[j * n_keys + keys[1]])
                fits = 0;
    free(w);
    if (fits) {
        int swap = levels[1] > levels[0];
        *kx = keys[swap];
        *ky = keys[!swap];
    }
    return fits;
}

void an_heatmap_value(char *buf, size_t size, double v, int percent)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (percent)
        snprintf(buf, size, "%.1f%%", 100 * v);
    else if (fabs(v) >= 100)
        snprintf(buf, size, "%.0f", v);
    else if (fabs(v) >= 10)
        snprintf(buf, size, "%.1f", v);
    else
        snprintf(buf, size, "%.2f", v);
}

/* Light to dark blue (ColorBrewer's sequential Blues, whose lightness falls
 * steadily, so it reads in greyscale too). */
static void colour(char *buf, size_t size, double t)
{
    static const double lo[3] = {247, 251, 255}, hi[3] = {8, 48, 107};
    if (isnan(t)) {
        snprintf(buf, size, "#ffffff");
        return;
    }
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    int c[3];
    for (int k = 0; k < 3; k++)
        c[k] = (int)lround(lo[k] + t * (hi[k] - lo[k]));
    snprintf(buf, size, "#%02x%02x%02x", c[0], c[1], c[2]);
}

static void text(FILE *o, const char *s)
{
    sim_text_put(o, SIM_TEXT_HTML, s);
}

#define CELL_W 66
#define CELL_H 36
#define LEFT 150
#define TOP 12
#define BOTTOM 58
#define LEGEND 120

void an_heatmap_svg(FILE *o, const an_heatmap *hm)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < hm->nx * hm->ny; i++)
        if (!isnan(hm->mean[i])) {
            lo = fmin(lo, hm->mean[i]);
            hi = fmax(hi, hm->mean[i]);
        }
    int w = LEFT + (int)hm->nx * CELL_W + LEGEND, ht = TOP + (int)hm->ny * CELL_H + BOTTOM;
    fprintf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-labelledby=\"%s-cap\" "
               "viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Liberation Sans, Arial, sans-serif\" "
               "font-size=\"12\">\n", hm->id, w, ht);
    char v[48], e[48], fill[16];
    for (size_t yi = 0; yi < hm->ny; yi++) {
        /* the highest y level at the top */
        int y0 = TOP + (int)(hm->ny - 1 - yi) * CELL_H;
        for (size_t xi = 0; xi < hm->nx; xi++) {
            double m = hm->mean[yi * hm->nx + xi], c = hm->ci95 ? hm->ci95[yi * hm->nx + xi] : NAN;
            double t = isnan(m) ? NAN : hi > lo ? (m - lo) / (hi - lo) : 0.5;
            int x0 = LEFT + (int)xi * CELL_W;
            colour(fill, sizeof fill, t);
            fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#ffffff\"/>",
                    x0, y0, CELL_W, CELL_H, fill);
            const char *ink = !isnan(t) && t > 0.5 ? "#ffffff" : "#111111";
            an_heatmap_value(v, sizeof v, m, hm->percent);
            fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" font-weight=\"bold\">",
                    x0 + CELL_W / 2, y0 + (isnan(c) ? CELL_H / 2 + 4 : 15), ink);
            text(o, v);
            fputs("</text>", o);
            if (!isnan(m) && !isnan(c)) {
                an_heatmap_value(e, sizeof e, c, hm->percent);
                if (hm->percent) /* "±0.5", the half-width in percentage points */
                    e[strlen(e) - 1] = '\0';
                fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\" font-size=\"10\">±",
                        x0 + CELL_W / 2, y0 + 29, ink);
                text(o, e);
                fputs("</text>", o);
            }
            fputc('\n', o);
        }
        fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LEFT - 6, y0 + CELL_H / 2 + 4);
        text(o, hm->y_text[yi]);
        fputs("</text>\n", o);
    }
    int base = TOP + (int)hm->ny * CELL_H;
    for (size_t xi = 0; xi < hm->nx; xi++) {
        fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", LEFT + (int)xi * CELL_W + CELL_W / 2,
                base + 16);
        text(o, hm->x_text[xi]);
        fputs("</text>\n", o);
    }
    fprintf(o, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\">",
            LEFT + (int)hm->nx * CELL_W / 2, base + 40);
    text(o, hm->x_title);
    fprintf(o, "</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"13\" "
               "transform=\"rotate(-90 %d %d)\">", 16, TOP + (int)hm->ny * CELL_H / 2, 16,
            TOP + (int)hm->ny * CELL_H / 2);
    text(o, hm->y_title);
    fputs("</text>\n", o);
    /* the colour scale: five steps from the lowest to the highest estimate */
    int lx = LEFT + (int)hm->nx * CELL_W + 22, step = (int)hm->ny * CELL_H / 5;
    step = step < 14 ? 14 : step;
    fprintf(o, "<g class=\"legend\"><text x=\"%d\" y=\"%d\" font-size=\"11\">Scale</text>\n", lx, TOP + 8);
    for (int k = 0; k < 5; k++) {
        double t = (4 - k) / 4.0, val = lo + t * (hi - lo);
        colour(fill, sizeof fill, isfinite(lo) ? t : NAN);
        int y0 = TOP + 14 + k * step;
        fprintf(o, "<rect x=\"%d\" y=\"%d\" width=\"18\" height=\"%d\" fill=\"%s\" stroke=\"#999999\"/>"
                   "<text x=\"%d\" y=\"%d\" font-size=\"11\">", lx, y0, step, fill, lx + 24,
                y0 + step / 2 + 4);
        an_heatmap_value(v, sizeof v, isfinite(lo) ? val : NAN, hm->percent);
        text(o, v);
        fputs("</text>\n", o);
    }
    fputs("</g>\n</svg>", o);
}
