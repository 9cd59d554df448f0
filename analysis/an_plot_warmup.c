#include "an_plot_warmup.h"
#include "an_report.h"
#include "sim_status.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void num(FILE *o, double v)
{
    if (isfinite(v))
        fprintf(o, "%.10g", v);
    else
        fputs("NaN", o);
}

static void one_plot(FILE *o, const an_steady *a, double warmup_months, int which, int formats)
{
    static const struct { int flag; const char *ext, *term; } fmts[] = {
        {AN_PLOT_PNG, "png", "png_term"}, {AN_PLOT_SVG, "svg", "svg_term"}};
    const an_cut *cut = which == 0 ? &a->cut_occupied : &a->cut_waiting;
    for (size_t i = 0; i < 2; i++) {
        if (!(formats & fmts[i].flag))
            continue;
        fprintf(o, "reset\nset terminal @%s size 1000,650\nset output 'warmup_%s.%s'\n"
                   "set datafile separator '\\t'\nset datafile missing 'NaN'\nset grid\n"
                   "set key top right\n", fmts[i].term, which == 0 ? "occupancy" : "waiting",
                fmts[i].ext);
        fprintf(o, "set title '%s by month from day 0, mean over %zu replications'\n"
                   "set ylabel '%s'\nset xlabel 'Month from day 0'\nset yrange [0:*]\n",
                which == 0 ? "Occupancy" : "Waiting list", a->n_reps,
                which == 0 ? "Units with a household in" : "Households waiting");
        double x = (double)cut->mser.truncate + 0.5;
        if (cut->mser.truncate > 0)
            fprintf(o, "set arrow from %g, graph 0 to %g, graph 1 nohead lw 2 lc rgb '#D55E00'\n"
                       "set label 'MSER-5 cut%s' at %g, graph 0.95 offset 0.5,0 tc rgb '#D55E00'\n",
                    x, x, cut->significant ? "" : " (noise)", x);
        if (warmup_months > 0)
            fprintf(o, "set arrow from %g, graph 0 to %g, graph 1 nohead lw 1 dt 2 lc rgb '#555555'\n"
                       "set label \"scenario's warm-up\" at %g, graph 0.88 offset 0.5,0 "
                       "tc rgb '#555555'\n", warmup_months + 0.5, warmup_months + 0.5,
                    warmup_months + 0.5);
        fprintf(o, "plot 'warmup.dat' using 1:%d with linespoints lw 2 pt 7 ps 0.6 "
                   "lc rgb '#0072B2' title 'monthly mean'\nset output\n\n", which == 0 ? 2 : 3);
    }
}

int an_plot_warmup(const an_steady *a, double warmup_months, const char *dir, int formats,
                   const char *gnuplot)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return SIM_ENOTFOUND;
    char *found = gnuplot ? NULL : an_plot_find_gnuplot();
    const char *prog = gnuplot ? gnuplot : found;
    int st = prog && access(prog, X_OK) == 0 ? SIM_OK : SIM_ENOTFOUND;
    FILE *o = st ? NULL : an_report_fopen(dir, "warmup.dat");
    if (!st && !o)
        st = SIM_EIO;
    if (!st) {
        fputs("# month\toccupied\twaiting\n", o);
        for (size_t m = 0; m < a->n_months; m++) {
            fprintf(o, "%zu\t", m + 1);
            num(o, a->occupied[m]);
            fputc('\t', o);
            num(o, a->waiting[m]);
            fputc('\n', o);
        }
        st = an_report_fclose(o, SIM_OK);
    }
    if (!st && !(o = an_report_fopen(dir, "warmup.gp")))
        st = SIM_EIO;
    if (!st) {
        fputs("# Written by refugesim warmup; run `gnuplot warmup.gp` in this directory.\n"
              "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
              "    png_term = \"pngcairo noenhanced font 'Sans,11'\"\n"
              "} else {\n    png_term = 'png noenhanced'\n}\n"
              "svg_term = \"svg noenhanced dynamic font 'Sans,11'\"\n\n", o);
        one_plot(o, a, warmup_months, 0, formats);
        one_plot(o, a, warmup_months, 1, formats);
        st = an_report_fclose(o, SIM_OK);
    }
    if (!st)
        st = an_plot_run(prog, dir, "warmup");
    free(found);
    return st;
}
