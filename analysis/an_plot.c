#include "an_plot.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "an_report.h"
#include "sim_status.h"
#include "sim_text.h"

char *an_plot_find_gnuplot(void)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        return NULL;
    size_t len = strlen(path);
    char *buf = malloc(len + 16);
    if (!buf)
        return NULL;
    for (const char *p = path; ; ) {
        const char *e = strchr(p, ':');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0)
            snprintf(buf, len + 16, "./gnuplot");
        else
            snprintf(buf, len + 16, "%.*s/gnuplot", (int)n, p);
        if (access(buf, X_OK) == 0)
            return buf;
        if (!e)
            break;
        p = e + 1;
    }
    free(buf);
    return NULL;
}

/* The one place a string from the results file enters gnuplot: a
 * single-quoted string through sim_text ('' stands for a quote; gnuplot
 * expands neither macros nor backquotes inside single quotes; a newline
 * would end the command, so control characters are made visible). */
static void gp_str(FILE *o, const char *s)
{
    sim_text_put(o, SIM_TEXT_GNUPLOT, s);
}

static void put_num(FILE *o, double v)
{
    if (isnan(v))
        fputs("NaN", o);
    else
        fprintf(o, "%.10g", v);
}

/* ------------------------------------------------------ the grid -- */

enum { DIM_NONE = -3, DIM_ORDER = -2, DIM_TOTAL = -1 };

typedef struct {
    int key;                /* varied key index, or DIM_* */
    size_t n;               /* levels */
    double *v;              /* sorted distinct levels (DIM_ORDER: 0, 1, ...) */
} dim;

typedef struct {
    an_h5_file *f;
    const an_point_summary *pts;
    size_t *pt, m;          /* points with data, in file order */
    dim x, s, p;            /* x axis, one line per level, one panel per level */
    int n_varying;
    size_t idx[4], k;       /* points of the monthly and group plots */
    char scenario[AN_NAME_MAX];
    size_t min_reps;
    int no_caption;
} plot_ctx;

static int cmp_double(const void *a, const void *b)
{
    double u = *(const double *)a, v = *(const double *)b;
    return (u > v) - (u < v);
}

static double dim_value(const plot_ctx *c, const dim *d, size_t j)
{
    const an_h5_point_row *row = an_h5_point_at(c->f, c->pt[j]);
    switch (d->key) {
    case DIM_NONE: return 0;
    case DIM_ORDER: return (double)j;
    case DIM_TOTAL: return row->total_units;
    default: return row->vary_values[d->key];
    }
}

/* Distinct values of dimension d over the points with data. */
static int dim_fill(plot_ctx *c, dim *d, int key)
{
    d->key = key;
    d->v = malloc((c->m + 1) * sizeof *d->v);
    if (!d->v)
        return SIM_ENOMEM;
    d->n = 0;
    if (key == DIM_NONE) {
        d->v[d->n++] = 0;
        return SIM_OK;
    }
    for (size_t j = 0; j < c->m; j++)
        d->v[d->n++] = dim_value(c, d, j);
    qsort(d->v, d->n, sizeof *d->v, cmp_double);
    size_t u = 0;
    for (size_t i = 0; i < d->n; i++)
        if (!u || d->v[i] != d->v[u - 1])
            d->v[u++] = d->v[i];
    d->n = u;
    return SIM_OK;
}

/* x = the varied key with the most levels, lines = the next, panels = the
 * third; without a varied key, total spaces when they differ, else the
 * points side by side. */
static int grid_setup(plot_ctx *c)
{
    const an_h5_info *info = an_h5_get_info(c->f);
    size_t nk = info->n_vary;
    dim *tmp = calloc(nk + 1, sizeof *tmp);
    if (!tmp)
        return SIM_ENOMEM;
    int st = SIM_OK, order[3] = {DIM_NONE, DIM_NONE, DIM_NONE};
    size_t levels[3] = {0, 0, 0};
    c->n_varying = 0;
    /* optimise's points are the steps of its path, not a grid of its keys:
     * they go by their total spaces (or in order), one line */
    if (info->kind && !strcmp(info->kind, "optimise"))
        nk = 0;
    for (size_t k = 0; k < nk && !st; k++) {
        st = dim_fill(c, &tmp[k], (int)k);
        if (st || tmp[k].n < 2)
            continue;
        c->n_varying++;
        for (int r = 0; r < 3; r++)
            if (tmp[k].n > levels[r]) {
                for (int q = 2; q > r; q--) {
                    order[q] = order[q - 1];
                    levels[q] = levels[q - 1];
                }
                order[r] = (int)k;
                levels[r] = tmp[k].n;
                break;
            }
    }
    for (size_t k = 0; k < nk; k++)
        free(tmp[k].v);
    free(tmp);
    if (!st && c->n_varying == 0) {
        st = dim_fill(c, &c->x, DIM_TOTAL);
        if (!st && c->x.n < c->m) {
            free(c->x.v);
            st = dim_fill(c, &c->x, DIM_ORDER);
        }
    } else if (!st) {
        st = dim_fill(c, &c->x, order[0]);
    }
    if (!st)
        st = dim_fill(c, &c->s, c->n_varying >= 2 ? order[1] : DIM_NONE);
    if (!st)
        st = dim_fill(c, &c->p, c->n_varying >= 3 ? order[2] : DIM_NONE);
    return st;
}

static void dim_words(const plot_ctx *c, const dim *d, char *buf, size_t size)
{
    if (d->key >= 0)
        an_report_key_label(buf, size, an_h5_get_info(c->f)->vary_keys[d->key], &c->pts[c->pt[0]]);
    else if (d->key == DIM_TOTAL)
        snprintf(buf, size, "Refuge spaces (all services)");
    else
        snprintf(buf, size, "%s", "");
}

/* Is the gap between neighbouring x levels a and b narrow enough for a line? */
static int joined(const dim *x, double a, double b)
{
    if (x->key == DIM_ORDER || x->n < 2)
        return 0;
    double range = x->v[x->n - 1] - x->v[0];
    return b - a <= AN_PLOT_JOIN_FRACTION * range * (1 + 1e-9);
}

/* ------------------------------------------------------ data files -- */

static const char *const curve_metric[2] = {"refused_of_eligible", "wait_mean"};

/* One block per (panel, line): x, then mean, low, high of each curve
 * metric (shares in percent); a single blank line where a gap is too wide
 * for a line (gnuplot breaks lines there). */
static int capacity_data(const plot_ctx *c, const char *dir)
{
    FILE *o = an_report_fopen(dir, "capacity.dat");
    size_t *order = malloc((c->m + 1) * sizeof *order);
    if (!o || !order) {
        free(order);
        return an_report_fclose(o, SIM_EIO);
    }
    fputs("# x\tnot_accommodated_pct\tlo\thi\twait_days\tlo\thi\n", o);
    for (size_t pl = 0; pl < c->p.n; pl++)
        for (size_t sl = 0; sl < c->s.n; sl++) {
            fprintf(o, "# block %zu\n", pl * c->s.n + sl);
            size_t q = 0;
            for (size_t xl = 0; xl < c->x.n; xl++)
                for (size_t j = 0; j < c->m; j++)
                    if (dim_value(c, &c->p, j) == c->p.v[pl] && dim_value(c, &c->s, j) == c->s.v[sl]
                        && dim_value(c, &c->x, j) == c->x.v[xl])
                        order[q++] = j;
            double prev = NAN;
            for (size_t t = 0; t < q; t++) {
                double x = dim_value(c, &c->x, order[t]);
                if (t && !joined(&c->x, prev, x))
                    fputc('\n', o);
                prev = x;
                put_num(o, x);
                for (int k = 0; k < 2; k++) {
                    const an_metric_summary *ms =
                        an_point_summary_find(&c->pts[c->pt[order[t]]], curve_metric[k]);
                    double scale = k == 0 ? 100.0 : 1.0;
                    double mean = ms ? scale * ms->s.mean : NAN;
                    double ci = ms && !isnan(ms->s.ci95) ? scale * ms->s.ci95 : 0.0;
                    fputc('\t', o);
                    put_num(o, mean);
                    fputc('\t', o);
                    put_num(o, mean - ci);
                    fputc('\t', o);
                    put_num(o, mean + ci);
                }
                fputc('\n', o);
            }
            if (!q) /* gnuplot needs a row in every block */
                fputs("NaN\tNaN\tNaN\tNaN\tNaN\tNaN\tNaN\n", o);
            fputs("\n\n", o);
        }
    free(order);
    return an_report_fclose(o, SIM_OK);
}

/* One block per shown point: month, mean, p10, p90 (over replications).
 * *any_positive: some mean above 0. */
static int monthly_data(const plot_ctx *c, const char *which, const char *dir, const char *file,
                        int percent, int *any_positive)
{
    FILE *o = an_report_fopen(dir, file);
    if (!o)
        return SIM_EIO;
    int st = SIM_OK;
    *any_positive = 0;
    for (size_t j = 0; j < c->k && !st; j++) {
        const an_h5_point_row *row = an_h5_point_at(c->f, c->idx[j]);
        double *a = NULL, *units = NULL;
        size_t nr = 0, nm = 0, ur = 0, um = 0;
        if (row->n_reps)
            st = an_h5_read_monthly(c->f, c->idx[j], which, &a, &nr, &nm);
        /* a share of the units in service that month: with units opening
         * or closing over the horizon, the total is not what was there */
        if (!st && percent && row->n_reps) {
            int ust = an_h5_read_monthly(c->f, c->idx[j], "units", &units, &ur, &um);
            if (ust == SIM_OK && (ur != nr || um != nm))
                ust = SIM_EPARSE;
            if (ust != SIM_OK && ust != SIM_ENOTFOUND)
                st = ust;
        }
        double *col = malloc((2 * nr + 1) * sizeof *col);
        if (!st && !col)
            st = SIM_ENOMEM;
        double scale = percent && row->total_units > 0 ? 100.0 / row->total_units : 1.0;
        fprintf(o, "# point %zu\n", c->idx[j]);
        size_t rows = 0;
        for (size_t m = 0; m < nm && !st; m++) {
            for (size_t r = 0; r < nr; r++) {
                double u = units ? units[r * nm + m] : 0;
                col[r] = !units ? scale * a[r * nm + m] : u > 0 ? 100.0 * a[r * nm + m] / u : NAN;
            }
            sim_summary s;
            sim_summarize(col, nr, col + nr, &s);
            if (isnan(s.mean))
                continue;
            *any_positive |= s.mean > 0;
            fprintf(o, "%zu\t", m + 1);
            put_num(o, s.mean);
            fputc('\t', o);
            put_num(o, s.p10);
            fputc('\t', o);
            put_num(o, s.p90);
            fputc('\n', o);
            rows++;
        }
        if (!rows) /* gnuplot needs a point in every block */
            fputs("1\tNaN\tNaN\tNaN\n", o);
        fputs("\n\n", o);
        free(col);
        free(a);
        free(units);
    }
    return an_report_fclose(o, st);
}

/* Groups with referrals at some shown point, in words. */
static int groups_data(const plot_ctx *c, const char *dir, size_t *n_groups, char *absent,
                       size_t absent_size)
{
    FILE *o = an_report_fopen(dir, "groups.dat");
    if (!o)
        return SIM_EIO;
    fputs("# group", o);
    for (size_t j = 0; j < c->k; j++)
        fprintf(o, "\tpct_%zu\tci_%zu", c->idx[j], c->idx[j]);
    fputc('\n', o);
    *n_groups = 0;
    absent[0] = '\0';
    for (int g = 0; g < RF_G_N; g++) {
        int any = 0;
        for (size_t j = 0; j < c->k; j++) {
            sim_summary s;
            an_group_summary(&c->pts[c->idx[j]], g, AN_GRP_NOT_ACCOMMODATED, &s);
            any |= !isnan(s.mean);
        }
        if (!any) {
            size_t len = strlen(absent);
            snprintf(absent + len, absent_size - len, "%s%s", len ? ", " : "",
                     rf_group_label((rf_group)g));
            continue;
        }
        (*n_groups)++;
        fputs(rf_group_label((rf_group)g), o);
        for (size_t j = 0; j < c->k; j++) {
            sim_summary s;
            an_group_summary(&c->pts[c->idx[j]], g, AN_GRP_NOT_ACCOMMODATED, &s);
            fputc('\t', o);
            put_num(o, 100.0 * s.mean);
            fputc('\t', o);
            put_num(o, isnan(s.ci95) ? 0.0 : 100.0 * s.ci95);
        }
        fputc('\n', o);
    }
    return an_report_fclose(o, SIM_OK);
}

/* ------------------------------------------------------ the script -- */

/* Okabe and Ito's colour-blind safe palette. */
static const char *const colors[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                     "#E69F00", "#56B4E9", "#000000", "#999999"};
#define N_COLORS (sizeof colors / sizeof colors[0])

typedef void (*plot_body)(FILE *o, const plot_ctx *c, int which);

/* The caption under the plot, wrapped at spaces into lines of at most
 * 140 bytes: each line quoted on its own, joined by "\n". */
static void caption_label(FILE *o, const plot_ctx *c, const char *text)
{
    if (c->no_caption)
        return;
    fputs("set label 99 ", o);
    char line[160];
    int lines = 0;
    while (*text) {
        size_t n = strlen(text);
        if (n > 140) {
            n = 140;
            while (n > 40 && text[n] != ' ')
                n--;
            while (n > 1 && ((unsigned char)text[n] & 0xC0) == 0x80) /* never inside a character */
                n--;
        }
        snprintf(line, sizeof line, "%.*s", (int)n, text);
        if (lines++)
            fputs(".\"\\n\".", o);
        gp_str(o, line);
        text += n;
        while (*text == ' ')
            text++;
    }
    fprintf(o, " at screen 0.01, screen %.3f left font ',9'\nset bmargin %d\n", 0.02 + 0.022 * (lines - 1),
            5 + lines);
}

/* A line's or panel's level in words: "150 referrals a year". */
static void level_text(char *buf, size_t size, const plot_ctx *c, const dim *d, double v)
{
    if (d->key >= 0)
        an_report_key_value(buf, size, an_h5_get_info(c->f)->vary_keys[d->key], v, &c->pts[c->pt[0]]);
    else if (d->key == DIM_TOTAL)
        snprintf(buf, size, "%g spaces", v);
    else
        snprintf(buf, size, "%g", v);
    buf[0] = (char)toupper((unsigned char)buf[0]);
}

/* Point i's name in a legend or a tick: its column heading in words. */
static void point_text(FILE *o, const plot_ctx *c, size_t i)
{
    char words[AN_REPORT_HEADING_MAX];
    an_report_point_heading(words, sizeof words, c->f, i, &c->pts[i]);
    gp_str(o, words);
}

static void body_capacity(FILE *o, const plot_ctx *c, int which)
{
    char words[200];
    dim_words(c, &c->x, words, sizeof words);
    fputs("set xlabel ", o);
    gp_str(o, words);
    fputs("\nset ylabel ", o);
    an_metric_heading(words, sizeof words, curve_metric[which], 1);
    gp_str(o, words);
    /* one y range for every panel, so that panels compare at a glance */
    double top = 0;
    for (size_t j = 0; j < c->m; j++) {
        const an_metric_summary *ms = an_point_summary_find(&c->pts[c->pt[j]], curve_metric[which]);
        double hi = ms ? (which == 0 ? 100.0 : 1.0) * (ms->s.mean + (isnan(ms->s.ci95) ? 0 : ms->s.ci95)) : NAN;
        if (hi > top)
            top = hi;
    }
    fprintf(o, "\nset yrange [0:%.6g]\nset offsets graph 0.04, graph 0.04, 0, 0\n",
            top > 0 ? top * 1.12 : 1.0);
    if (c->x.key == DIM_ORDER) {
        fputs("set xtics (", o);
        for (size_t j = 0; j < c->m; j++) {
            point_text(o, c, c->pt[j]);
            fprintf(o, " %zu%s", j, j + 1 < c->m ? ", " : ")\n");
        }
    } else if (c->x.n <= 12) { /* ticks at the simulated values */
        fputs("set xtics (", o);
        for (size_t l = 0; l < c->x.n; l++) {
            put_num(o, c->x.v[l]);
            fputs(l + 1 < c->x.n ? ", " : ")\n", o);
        }
    }
    if (c->p.n > 1)
        fputs("unset title\n", o);
    for (size_t pl = 0; pl < c->p.n; pl++) {
        if (c->p.n > 1) {
            level_text(words, sizeof words, c, &c->p, c->p.v[pl]);
            fputs("set title ", o);
            gp_str(o, words);
            fputc('\n', o);
        }
        fputs("plot ", o);
        int col = 2 + 3 * which;
        for (size_t sl = 0; sl < c->s.n; sl++) {
            size_t b = pl * c->s.n + sl;
            const char *color = colors[sl % N_COLORS];
            fprintf(o, "'capacity.dat' index %zu using 1:%d:%d:%d with yerrorbars lw 1.5 pt %zu ps 1.2 "
                       "lc rgb '%s' title ", b, col, col + 1, col + 2, 7 + 2 * (sl / N_COLORS), color);
            if (c->s.n > 1)
                level_text(words, sizeof words, c, &c->s, c->s.v[sl]);
            else
                snprintf(words, sizeof words, "estimate with 95%% confidence interval");
            gp_str(o, words);
            fprintf(o, ", \\\n     'capacity.dat' index %zu using 1:%d with lines lw 2 lc rgb '%s' notitle%s",
                    b, col, color, sl + 1 < c->s.n ? ", \\\n     " : "\n");
        }
        if (pl == 0)
            fputs("unset label 99\n", o);
    }
}

static void body_monthly(FILE *o, const plot_ctx *c, int which)
{
    const char *file = which == 0 ? "monthly_waiting.dat" : "monthly_occupancy.dat";
    if (which == 0)
        fputs("set ylabel 'Households waiting'\nset yrange [0:*]\n", o);
    else
        fputs("set ylabel 'Units with a household in (% of units in service)'\nset yrange [0:*]\n", o);
    fputs("set xlabel 'Month after warm-up'\nplot ", o);
    for (size_t j = 0; j < c->k; j++)
        fprintf(o, "'%s' index %zu using 1:3:4 with filledcurves fc rgb '%s' fs transparent solid 0.2 "
                   "notitle, \\\n     ", file, j, colors[j]);
    for (size_t j = 0; j < c->k; j++) {
        fprintf(o, "'%s' index %zu using 1:2 with lines lw 2 lc rgb '%s' title ", file, j, colors[j]);
        point_text(o, c, c->idx[j]);
        fputs(j + 1 < c->k ? ", \\\n     " : "\n", o);
    }
}

static void body_groups(FILE *o, const plot_ctx *c, int which)
{
    (void)which;
    fputs("set ylabel '% of the group''s refuge referrals'\nset xlabel ''\nset yrange [0:*]\n"
          "set style data histograms\nset style histogram errorbars gap 2 lw 1\n"
          "set style fill solid 0.7 border -1\nset boxwidth 0.9\nset xtics rotate by -30\n"
          "set bmargin 9\nplot ", o);
    for (size_t j = 0; j < c->k; j++) {
        fprintf(o, "'groups.dat' using %zu:%zu%s lc rgb '%s' title ", 2 + 2 * j, 3 + 2 * j,
                j == 0 ? ":xtic(1)" : "", colors[j]);
        point_text(o, c, c->idx[j]);
        fputs(j + 1 < c->k ? ", \\\n     " : "\n", o);
    }
}

static void emit(FILE *o, const an_plot_entry *e, plot_body body, const plot_ctx *c, int which,
                 int formats, int height)
{
    static const struct { int flag; const char *ext, *term; } fmts[] = {
        {AN_PLOT_PNG, "png", "png_term"}, {AN_PLOT_SVG, "svg", "svg_term"}};
    for (size_t i = 0; i < 2; i++) {
        if (!(formats & fmts[i].flag))
            continue;
        fprintf(o, "reset\nset terminal @%s size 1000,%d\nset output '%s.%s'\n"
                   "set datafile separator '\\t'\nset datafile missing 'NaN'\n"
                   "set grid\nset key top right\n", fmts[i].term, height, e->name, fmts[i].ext);
        if (body == body_capacity && c->p.n > 1) {
            fprintf(o, "set multiplot layout %zu,%d title ", (c->p.n + 1) / 2, c->p.n > 1 ? 2 : 1);
            gp_str(o, e->title);
            fputc('\n', o);
        } else {
            fputs("set title ", o);
            gp_str(o, e->title);
            fputc('\n', o);
        }
        caption_label(o, c, e->caption);
        body(o, c, which);
        if (body == body_capacity && c->p.n > 1)
            fputs("unset multiplot\n", o);
        fputs("set output\n\n", o);
    }
}

int an_plot_run(const char *gnuplot, const char *dir, const char *script)
{
    pid_t pid = fork();
    if (pid < 0)
        return SIM_EIO;
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(127);
        char gp[64], log[64];
        snprintf(gp, sizeof gp, "%s.gp", script);
        snprintf(log, sizeof log, "%s.log", script);
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execl(gnuplot, "gnuplot", gp, (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return SIM_EIO;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? SIM_OK : SIM_EIO;
}

/* ------------------------------------------------------ the plots -- */

static an_plot_entry *entry(an_plot_list *l, const char *name, const char *title)
{
    an_plot_entry *e = &l->e[l->n++];
    memset(e, 0, sizeof *e);
    snprintf(e->name, sizeof e->name, "%s", name);
    snprintf(e->title, sizeof e->title, "%s", title);
    return e;
}

static void drawn(an_plot_entry *e, const plot_ctx *c, const char *how)
{
    e->drawn = 1;
    char who[AN_NAME_MAX + 16];
    if (c->scenario[0])
        snprintf(who, sizeof who, "Scenario %s", c->scenario);
    else
        snprintf(who, sizeof who, "Unnamed scenario");
    snprintf(e->caption, sizeof e->caption, "%s, %zu replications a point%s, seed %llu. %s", who,
             c->min_reps, c->m > 1 ? " (fewest of any point)" : "",
             (unsigned long long)an_h5_get_info(c->f)->seed, how);
}

static void left_out(an_plot_entry *e, const char *why)
{
    e->drawn = 0;
    snprintf(e->caption, sizeof e->caption, "%s", why);
}

static int any_wait(const plot_ctx *c)
{
    for (size_t j = 0; j < c->m; j++) {
        const an_metric_summary *w = an_point_summary_find(&c->pts[c->pt[j]], "wait_mean");
        if (w && w->s.mean > 0)
            return 1;
    }
    return 0;
}

int an_plot_all(an_h5_file *f, const an_point_summary *pts, size_t n_pts, const char *dir,
                const an_plot_opts *opts, an_plot_list *list)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return SIM_ENOTFOUND;
    char *found = opts->gnuplot ? NULL : an_plot_find_gnuplot();
    const char *prog = opts->gnuplot ? opts->gnuplot : found;
    if (!prog || access(prog, X_OK) != 0) {
        free(found);
        return SIM_ENOTFOUND;
    }
    an_plot_list own;
    an_plot_list *l = list ? list : &own;
    l->n = 0;
    plot_ctx c = {.f = f, .pts = pts, .no_caption = opts->no_caption, .min_reps = (size_t)-1};
    c.pt = malloc((n_pts + 1) * sizeof *c.pt);
    if (!c.pt) {
        free(found);
        return SIM_ENOMEM;
    }
    for (size_t i = 0; i < n_pts; i++)
        if (pts[i].n_reps) {
            c.pt[c.m++] = i;
            if (pts[i].n_reps < c.min_reps)
                c.min_reps = pts[i].n_reps;
        }
    if (!c.m)
        c.min_reps = 0;
    an_report_scenario_name(f, c.scenario, sizeof c.scenario);
    int st = c.m ? grid_setup(&c) : SIM_OK;
    size_t k = 0; /* the monthly and group plots' points: all up to 4, else first, middle, last */
    for (size_t j = 0; j < c.m && k < 4; j++)
        c.idx[k++] = c.pt[j];
    if (c.m > 4) {
        c.idx[0] = c.pt[0];
        c.idx[1] = c.pt[c.m / 2];
        c.idx[2] = c.pt[c.m - 1];
        k = 3;
    }
    c.k = k;

    char how[400];
    an_plot_entry *cap_r = entry(l, "capacity_refused", "Not accommodated, of refuge referrals");
    an_plot_entry *cap_w = entry(l, "capacity_wait", "Mean wait of those placed");
    an_plot_entry *mw = entry(l, "monthly_waiting", "Waiting list by month");
    an_plot_entry *mo = entry(l, "monthly_occupancy", "Occupancy by month");
    an_plot_entry *gr = entry(l, "groups_not_accommodated",
                              "Not accommodated (no space, no suitable unit, gave up), by household group");
    int curves = 0;
    if (c.m < 2) {
        static const char one[] = "Left out: one point only; a curve needs two or more.";
        left_out(cap_r, one);
        left_out(cap_w, one);
    } else if (c.n_varying > 3) {
        snprintf(how, sizeof how, "Left out: the sweep varies %d keys; plots show at most three "
                 "(the tables and CSV files hold every point).", c.n_varying);
        left_out(cap_r, how);
        left_out(cap_w, how);
    } else if (!st) {
        curves = 1;
        snprintf(how, sizeof how, "Points: pooled estimates with 95%% confidence intervals%s%s.",
                 c.x.key == DIM_ORDER ? "" : "; lines join neighbours at most a quarter of the "
                                               "range apart, never across a wider gap",
                 c.p.n > 1 ? "; one panel per level of the third key" : "");
        drawn(cap_r, &c, how);
        if (any_wait(&c))
            drawn(cap_w, &c, how);
        else
            left_out(cap_w, "Left out: nobody waited at any point (every household placed was "
                            "placed on arrival), so every wait is 0.");
    }
    int waiting = 0, occupied = 0;
    size_t n_groups = 0;
    char absent[600];
    if (!st && c.k)
        st = monthly_data(&c, "waiting", dir, "monthly_waiting.dat", 0, &waiting);
    if (!st && c.k)
        st = monthly_data(&c, "occupied", dir, "monthly_occupancy.dat", 1, &occupied);
    if (!st && c.k)
        st = groups_data(&c, dir, &n_groups, absent, sizeof absent);
    const char *bands = "Line: mean over replications; band: 10th to 90th percentile of replications.";
    if (!c.k) {
        static const char none[] = "Left out: no point has finished replications.";
        left_out(mw, none);
        left_out(mo, none);
        left_out(gr, none);
    } else {
        if (waiting)
            drawn(mw, &c, bands);
        else
            left_out(mw, "Left out: nobody was on the waiting list in any month (nobody waits "
                         "in this scenario, or a space was always free).");
        drawn(mo, &c, bands);
        if (n_groups) {
            snprintf(how, sizeof how, "Bars: shares among the group's referrals not screened out, "
                     "with 95%% confidence intervals%s%.200s%s", absent[0] ? "; no referrals from: " : "",
                     absent, absent[0] ? "." : ".");
            drawn(gr, &c, how);
        } else {
            left_out(gr, "Left out: no household group had referrals.");
        }
    }
    if (!st && curves)
        st = capacity_data(&c, dir);
    FILE *o = st ? NULL : an_report_fopen(dir, "plots.gp");
    if (!st && !o)
        st = SIM_EIO;
    if (o) {
        int pt = opts->font_points > 0 ? opts->font_points : 11;
        fprintf(o, "# Written by refugesim report; run `gnuplot plots.gp` in this directory.\n"
                   "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
                   "    png_term = \"pngcairo noenhanced font 'Sans,%d'\"\n"
                   "} else {\n    png_term = 'png noenhanced'\n}\n"
                   "svg_term = \"svg noenhanced dynamic font 'Sans,%d'\"\n\n", pt, pt);
        int height = 650 + (c.p.n > 2 ? (int)((c.p.n + 1) / 2 - 1) * 400 : 0);
        if (cap_r->drawn)
            emit(o, cap_r, body_capacity, &c, 0, opts->formats, height);
        if (cap_w->drawn)
            emit(o, cap_w, body_capacity, &c, 1, opts->formats, height);
        if (mw->drawn)
            emit(o, mw, body_monthly, &c, 0, opts->formats, 650);
        if (mo->drawn)
            emit(o, mo, body_monthly, &c, 1, opts->formats, 650);
        if (gr->drawn)
            emit(o, gr, body_groups, &c, 0, opts->formats, 650);
        st = an_report_fclose(o, SIM_OK);
    }
    int any = 0;
    for (size_t i = 0; i < l->n; i++)
        any |= l->e[i].drawn;
    if (!st && any)
        st = an_plot_run(prog, dir, "plots");
    free(c.x.v);
    free(c.s.v);
    free(c.p.v);
    free(c.pt);
    free(found);
    return st;
}

