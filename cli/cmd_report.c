/* refugesim report FILE.h5 [--csv DIR] [--plots DIR] [--format png,svg] [--all]
 * Tables, CSV and plots from a results file alone. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include "an_h5.h"
#include "an_html.h"
#include "an_plot.h"
#include "an_report.h"
#include "sim_status.h"

static void report_usage(FILE *f)
{
    fprintf(f,
            "usage: refugesim report FILE.h5 [--html report.html [--force]] [--csv DIR]\n"
            "                        [--plots DIR [--format png,svg]] [--all]\n"
            "\n"
            "Print the summary tables of a results file (overall, per service, per household\n"
            "group) and optionally export them.\n"
            "  --html FILE     write the report a commissioner can print: one self-contained\n"
            "                  HTML page (inline plots and styles, nothing fetched)\n"
            "  --force         replace an existing --html file, write into a --csv or\n"
            "                  --plots directory that holds files already\n"
            "  --csv DIR       write points, summary, replications, outcomes, services, groups\n"
            "                  and monthly tables as CSV files into DIR (created if missing)\n"
            "  --plots DIR     draw the plots with gnuplot into DIR (created if missing)\n"
            "  --format LIST   --plots formats, comma-separated: png, svg (default png,svg)\n"
            "  --all           print every metric, not only the key ones\n"
            "  -h, --help      this help\n");
}

static int parse_formats(const char *s, int *out)
{
    int f = 0;
    const char *p = s;
    while (*p) {
        size_t n = strcspn(p, ",");
        if (n == 3 && !strncmp(p, "png", 3))
            f |= AN_PLOT_PNG;
        else if (n == 3 && !strncmp(p, "svg", 3))
            f |= AN_PLOT_SVG;
        else {
            cli_error("--format: expected a comma-separated list of png, svg, got '%s'", s);
            return -1;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    if (!f) {
        cli_error("--format: expected a comma-separated list of png, svg, got '%s'", s);
        return -1;
    }
    *out = f;
    return 0;
}

int cmd_report(int argc, char **argv)
{
    static const struct option opts[] = {
        {"csv", required_argument, NULL, 'c'}, {"plots", required_argument, NULL, 'p'},
        {"format", required_argument, NULL, 'f'}, {"all", no_argument, NULL, 'a'},
        {"html", required_argument, NULL, 'H'}, {"force", no_argument, NULL, 'F'},
        {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *csv_dir = NULL, *plot_dir = NULL, *html = NULL;
    int formats = AN_PLOT_PNG | AN_PLOT_SVG, all = 0, force = 0, c, format_given = 0;
    optind = 1;
    while ((c = cli_getopt(argc, argv, "h", opts, "report")) != -1) {
        switch (c) {
        case 'c': csv_dir = optarg; break;
        case 'p': plot_dir = optarg; break;
        case 'f':
            if (parse_formats(optarg, &formats))
                return CLI_EXIT_USAGE;
            format_given = 1;
            break;
        case 'a': all = 1; break;
        case 'H': html = optarg; break;
        case 'F': force = 1; break;
        case 'h': report_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;   /* cli_getopt said why */
        }
    }
    if (optind != argc - 1) {
        cli_error(optind >= argc ? "report: expected a results file (FILE.h5)"
                                 : "report: expected one results file, got more arguments");
        report_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *path = argv[optind];
    if (format_given && !plot_dir) {   /* --html draws its SVG whatever --format says */
        cli_error("--format: applies to --plots only: give --plots DIR too");
        return CLI_EXIT_USAGE;
    }
    /* checked before any work, as every output is; each directory by the
     * endings of the names its writer gives */
    static const char *const csv_exts[] = {".csv"};
    cli_inputs in = {.v = &path, .n = 1};
    if ((html && cli_check_output_file("--html", html, force, &in))
        || (csv_dir && cli_check_output_dir("--csv", csv_dir, force, csv_exts, 1, &in))
        || (plot_dir && cli_check_plot_dir("--plots", plot_dir, force, &in)))
        return CLI_EXIT_USAGE;
    an_h5_file *f;
    int st = an_h5_open(path, &f);
    if (st) {
        cli_error("%s: %s", path,
                  st == SIM_EPARSE ? "not a refugesim results file" : sim_strerror(st));
        /* a file that is not there or not ours is the input's fault, as for
         * rerun and merge; a file that cannot be read is the system's */
        return st == SIM_ENOTFOUND || st == SIM_EPARSE ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    }
    an_point_summary *pts = NULL;
    size_t n = 0;
    st = an_report_load(f, &pts, &n);
    if (st) {
        cli_error("%s: cannot read the summaries: %s", path, sim_strerror(st));
        an_h5_close(f);
        return CLI_EXIT_FAIL;
    }
    an_report_print(stdout, an_h5_get_info(f), pts, n);
    if (all) {
        printf("\nAll metrics\n");
        an_print_summary(stdout, pts, n < AN_REPORT_COLUMNS ? n : AN_REPORT_COLUMNS, 1);
    }
    int rc = CLI_EXIT_OK;
    if (html) {
        an_html_opts ho = {.source_name = path};
        if ((st = an_html_write(html, force, f, pts, n, &ho))) {
            cli_error("--html: writing %s failed: %s", html, sim_strerror(st));
            rc = CLI_EXIT_FAIL;
        } else {
            printf("\nreport written to %s\n", cli_shown(html));
        }
    }
    if (csv_dir) {
        if (cli_make_output_dir("--csv", csv_dir))
            rc = CLI_EXIT_FAIL;
        else if ((st = an_report_csv(f, csv_dir)) || (st = an_report_csv_wide(f, csv_dir, pts, n))) {
            cli_error("--csv: writing CSV files into '%s' failed: %s", csv_dir, sim_strerror(st));
            rc = CLI_EXIT_FAIL;
        }
    }
    if (plot_dir && rc == CLI_EXIT_OK) {
        char *gp = an_plot_find_gnuplot();
        if (!gp) {
            cli_error("gnuplot not found: install it with 'apt-get install gnuplot-nox'");
            rc = CLI_EXIT_FAIL;
        } else if (cli_make_output_dir("--plots", plot_dir)) {
            rc = CLI_EXIT_FAIL;
        } else {
            an_plot_opts po = {.formats = formats, .gnuplot = gp};
            an_plot_list pl;
            if ((st = an_plot_all(f, pts, n, plot_dir, &po, &pl))) {
                cli_error("--plots: %s (gnuplot's messages are in %s/plots.log)", sim_strerror(st),
                          plot_dir);
                rc = CLI_EXIT_FAIL;
            } else {
                for (size_t i = 0; i < pl.n; i++)
                    if (!pl.e[i].drawn)
                        printf("\nplot %s: %s", pl.e[i].name, pl.e[i].caption);
                putchar('\n');
            }
        }
        free(gp);
    }
    fflush(stdout);
    an_report_free_points(pts, n);
    an_h5_close(f);
    return rc;
}
