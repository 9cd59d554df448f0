#include "an_plot.h"

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

/* Labels and keys come from the results file: a newline in one would end
 * the string and make the rest a gnuplot command. */
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

/* Which points the monthly and group plots show. */
static size_t pick_points(size_t n, size_t *idx)
{
    if (n <= 4) {
        for (size_t i = 0; i < n; i++)
            idx[i] = i;
        return n;
    }
    idx[0] = 0;
    idx[1] = n / 2;
    idx[2] = n - 1;
    return 3;
}

typedef struct {
    double x;
    size_t i;
} xpoint;

static int cmp_x(const void *a, const void *b)
{
    double u = ((const xpoint *)a)->x, v = ((const xpoint *)b)->x;
    return (u > v) - (u < v);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* x axis of the capacity curve: the one varied key, unless it is a unit
 * count (then total spaces, which is what commissioners buy). */
static int capacity_data(an_h5_file *f, const an_point_summary *pts, size_t n, const char *dir,
                         const char **xkey)
{
    const an_h5_info *info = an_h5_get_info(f);
    int use_key = info->n_vary == 1 && !ends_with(info->vary_keys[0], "units");
    *xkey = use_key ? info->vary_keys[0] : NULL;
    xpoint *xs = malloc((n + 1) * sizeof *xs);
    FILE *o = an_report_fopen(dir, "capacity.dat");
    if (!xs || !o) {
        free(xs);
        if (o)
            fclose(o);
        return xs ? SIM_EIO : SIM_ENOMEM;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        const an_h5_point_row *row = an_h5_point_at(f, i);
        if (!pts[i].n_reps)
            continue;
        xs[m].x = use_key ? row->vary_values[0] : row->total_units;
        xs[m++].i = i;
    }
    qsort(xs, m, sizeof *xs, cmp_x);
    fputs("# x\trefused_pct\tlo\thi\twait_days\tlo\thi\n", o);
    for (size_t k = 0; k < m; k++) {
        const an_point_summary *ps = &pts[xs[k].i];
        const an_metric_summary *r = an_point_summary_find(ps, "refused_no_space");
        const an_metric_summary *w = an_point_summary_find(ps, "wait_mean");
        put_num(o, xs[k].x);
        const an_metric_summary *ms[2] = {r, w};
        for (int j = 0; j < 2; j++) {
            double scale = j == 0 ? 100.0 : 1.0;
            double mean = ms[j] ? scale * ms[j]->s.mean : NAN;
            double ci = ms[j] && !isnan(ms[j]->s.ci95) ? scale * ms[j]->s.ci95 : 0.0;
            fputc('\t', o);
            put_num(o, mean);
            fputc('\t', o);
            put_num(o, mean - ci);
            fputc('\t', o);
            put_num(o, mean + ci);
        }
        fputc('\n', o);
    }
    free(xs);
    return an_report_fclose(o, SIM_OK);
}

/* One block per shown point: month, mean, p10, p90 (over replications). */
static int monthly_data(an_h5_file *f, const size_t *idx, size_t k, const char *which,
                        const char *dir, const char *file, int percent)
{
    FILE *o = an_report_fopen(dir, file);
    if (!o)
        return SIM_EIO;
    int st = SIM_OK;
    for (size_t j = 0; j < k && !st; j++) {
        const an_h5_point_row *row = an_h5_point_at(f, idx[j]);
        double *a = NULL;
        size_t nr = 0, nm = 0;
        if (row->n_reps)
            st = an_h5_read_monthly(f, idx[j], which, &a, &nr, &nm);
        double *col = malloc((2 * nr + 1) * sizeof *col);
        if (!st && !col)
            st = SIM_ENOMEM;
        double scale = percent && row->total_units > 0 ? 100.0 / row->total_units : 1.0;
        fprintf(o, "# point %zu\n", idx[j]);
        for (size_t m = 0; m < nm && !st; m++) {
            for (size_t r = 0; r < nr; r++)
                col[r] = scale * a[r * nm + m];
            sim_summary s;
            sim_summarize(col, nr, col + nr, &s);
            fprintf(o, "%zu\t", m + 1);
            put_num(o, s.mean);
            fputc('\t', o);
            put_num(o, s.p10);
            fputc('\t', o);
            put_num(o, s.p90);
            fputc('\n', o);
        }
        if (!nm) /* gnuplot needs a point in every block */
            fputs("1\tNaN\tNaN\tNaN\n", o);
        fputs("\n\n", o);
        free(col);
        free(a);
    }
    return an_report_fclose(o, st);
}

static int groups_data(const an_point_summary *pts, const size_t *idx, size_t k, const char *dir)
{
    FILE *o = an_report_fopen(dir, "groups.dat");
    if (!o)
        return SIM_EIO;
    fputs("# group", o);
    for (size_t j = 0; j < k; j++)
        fprintf(o, "\tpct_%zu\tci_%zu", idx[j], idx[j]);
    fputc('\n', o);
    for (int g = 0; g < RF_G_N; g++) {
        fputs(rf_group_name((rf_group)g), o);
        for (size_t j = 0; j < k; j++) {
            sim_summary s;
            an_group_summary(&pts[idx[j]], g, AN_GRP_NOT_ACCOMMODATED, &s);
            fputc('\t', o);
            put_num(o, 100.0 * s.mean);
            fputc('\t', o);
            put_num(o, isnan(s.ci95) ? 0.0 : 100.0 * s.ci95);
        }
        fputc('\n', o);
    }
    return an_report_fclose(o, SIM_OK);
}

static const char *const colors[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd"};

typedef struct {
    an_h5_file *f;
    const an_point_summary *pts;
    const size_t *idx;
    size_t k;
    const char *xkey;
} plot_ctx;

typedef void (*plot_body)(FILE *o, const plot_ctx *c, int which);

static void body_capacity(FILE *o, const plot_ctx *c, int which)
{
    fputs("set xlabel ", o);
    gp_str(o, c->xkey ? c->xkey : "Refuge spaces (units)");
    fputc('\n', o);
    if (which == 0) {
        fputs("set title 'Referrals refused for lack of space, by capacity'\n"
              "set ylabel 'Refused: no space (% of referrals)'\nset yrange [0:*]\n"
              "plot 'capacity.dat' using 1:3:4 with filledcurves fc rgb '#9ecae1' "
              "fs solid 0.5 title '95% confidence band', \\\n"
              "     '' using 1:2 with linespoints lw 2 pt 7 lc rgb '#08519c' title 'estimate (pooled over replications)'\n",
              o);
    } else {
        fputs("set title 'Mean wait of placed households, by capacity'\n"
              "set ylabel 'Mean wait (days)'\nset yrange [0:*]\n"
              "plot 'capacity.dat' using 1:6:7 with filledcurves fc rgb '#fdae6b' "
              "fs solid 0.5 title '95% confidence band', \\\n"
              "     '' using 1:5 with linespoints lw 2 pt 7 lc rgb '#a63603' title 'estimate (pooled over replications)'\n",
              o);
    }
}

static void body_monthly(FILE *o, const plot_ctx *c, int which)
{
    const char *file = which == 0 ? "monthly_waiting.dat" : "monthly_occupancy.dat";
    if (which == 0)
        fputs("set title 'Waiting list by month (line: mean; band: 10th-90th percentile of replications)'\n"
              "set ylabel 'Households waiting'\nset yrange [0:*]\n", o);
    else
        fputs("set title 'Occupancy by month (line: mean; band: 10th-90th percentile of replications)'\n"
              "set ylabel 'Units with a household in (% of units)'\nset yrange [0:*]\n", o);
    fputs("set xlabel 'Month after warm-up'\nplot ", o);
    for (size_t j = 0; j < c->k; j++)
        fprintf(o, "'%s' index %zu using 1:3:4 with filledcurves fc rgb '%s' fs transparent solid 0.2 "
                   "notitle, \\\n     ", file, j, colors[j]);
    for (size_t j = 0; j < c->k; j++) {
        fprintf(o, "'%s' index %zu using 1:2 with lines lw 2 lc rgb '%s' title ", file, j, colors[j]);
        gp_str(o, c->pts[c->idx[j]].label);
        fputs(j + 1 < c->k ? ", \\\n     " : "\n", o);
    }
}

static void body_groups(FILE *o, const plot_ctx *c, int which)
{
    (void)which;
    fputs("set title 'Not accommodated (no space, no suitable unit, gave up), by household group'\n"
          "set ylabel '% of the group''s referrals not screened out'\nset xlabel ''\nset yrange [0:*]\n"
          "set style data histograms\nset style histogram errorbars gap 2 lw 1\n"
          "set style fill solid 0.7 border -1\nset boxwidth 0.9\nset xtics rotate by -30\n"
          "plot ", o);
    for (size_t j = 0; j < c->k; j++) {
        fprintf(o, "'groups.dat' using %zu:%zu%s lc rgb '%s' title ", 2 + 2 * j, 3 + 2 * j,
                j == 0 ? ":xtic(1)" : "", colors[j]);
        gp_str(o, c->pts[c->idx[j]].label);
        fputs(j + 1 < c->k ? ", \\\n     " : "\n", o);
    }
}

static void emit(FILE *o, const char *name, plot_body body, const plot_ctx *c, int which, int formats)
{
    static const struct { int flag; const char *ext, *term; } fmts[] = {
        {AN_PLOT_PNG, "png", "png_term"}, {AN_PLOT_SVG, "svg", "svg_term"}};
    for (size_t i = 0; i < 2; i++) {
        if (!(formats & fmts[i].flag))
            continue;
        fprintf(o, "reset\nset terminal @%s\nset output '%s.%s'\n"
                   "set datafile separator '\\t'\nset datafile missing 'NaN'\n"
                   "set grid\nset key top right\n", fmts[i].term, name, fmts[i].ext);
        body(o, c, which);
        fputs("set output\n\n", o);
    }
}

static int write_script(const char *dir, const plot_ctx *c, int capacity, int formats)
{
    FILE *o = an_report_fopen(dir, "plots.gp");
    if (!o)
        return SIM_EIO;
    fputs("# Written by refugesim report; run `gnuplot plots.gp` in this directory.\n"
          "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
          "    png_term = \"pngcairo noenhanced size 1000,650 font 'Sans,11'\"\n"
          "} else {\n    png_term = 'png noenhanced size 1000,650'\n}\n"
          "svg_term = \"svg noenhanced size 1000,650 dynamic font 'Sans,11'\"\n\n", o);
    if (capacity) {
        emit(o, "capacity_refused", body_capacity, c, 0, formats);
        emit(o, "capacity_wait", body_capacity, c, 1, formats);
    }
    emit(o, "monthly_waiting", body_monthly, c, 0, formats);
    emit(o, "monthly_occupancy", body_monthly, c, 1, formats);
    emit(o, "groups_not_accommodated", body_groups, c, 0, formats);
    return an_report_fclose(o, SIM_OK);
}

/* gnuplot plots.gp in dir, its output into dir/plots.log. */
static int run_gnuplot(const char *gnuplot, const char *dir)
{
    pid_t pid = fork();
    if (pid < 0)
        return SIM_EIO;
    if (pid == 0) {
        if (chdir(dir) != 0)
            _exit(127);
        int fd = open("plots.log", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execl(gnuplot, "gnuplot", "plots.gp", (char *)NULL);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return SIM_EIO;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? SIM_OK : SIM_EIO;
}

int an_plot_all(an_h5_file *f, const an_point_summary *pts, size_t n_pts, const char *dir,
                int formats, const char *gnuplot)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return SIM_ENOTFOUND;
    char *found = gnuplot ? NULL : an_plot_find_gnuplot();
    const char *prog = gnuplot ? gnuplot : found;
    if (!prog || access(prog, X_OK) != 0) {
        free(found);
        return SIM_ENOTFOUND;
    }
    size_t idx[4];
    plot_ctx c = {f, pts, idx, pick_points(n_pts, idx), NULL};
    size_t with_data = 0;
    for (size_t i = 0; i < n_pts; i++)
        with_data += pts[i].n_reps > 0;
    int capacity = with_data >= 2;
    int st = capacity ? capacity_data(f, pts, n_pts, dir, &c.xkey) : SIM_OK;
    if (!st) st = monthly_data(f, idx, c.k, "waiting", dir, "monthly_waiting.dat", 0);
    if (!st) st = monthly_data(f, idx, c.k, "occupied", dir, "monthly_occupancy.dat", 1);
    if (!st) st = groups_data(pts, idx, c.k, dir);
    if (!st) st = write_script(dir, &c, capacity, formats);
    if (!st) st = run_gnuplot(prog, dir);
    free(found);
    return st;
}
