#include "cli.h"
#include "an_output.h"
#include "rf_points.h"
#include "rf_scenario.h"
#include "sim_runner.h"
#include "sim_status.h"
#include "sim_text.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

const char *cli_command_line = "";
volatile sig_atomic_t cli_stop = 0;

/* The first SIGINT or SIGTERM lets the replications in progress finish
 * (nothing started is lost); a second SIGINT, or the SIGTERM's grace
 * period (SIGALRM), stops them mid-way, so a replication that would take
 * hours still ends; a third SIGINT ends the process at once. */
static volatile sig_atomic_t n_interrupts;

static void on_signal(int sig)
{
    cli_stop = 1;
    if (sig == SIGALRM) {
        sim_runner_abort = 1;
    } else if (sig == SIGTERM) {
        alarm(cli_term_grace());
    } else if (++n_interrupts == 2) {
        sim_runner_abort = 1;
    } else if (n_interrupts >= 3) {
        signal(SIGINT, SIG_DFL);
        raise(SIGINT);
    }
}

/* A whole number of seconds, at least lo; -1 when the text is anything else. */
static long env_seconds(const char *text, long lo)
{
    if (!text || *text < '0' || *text > '9')
        return -1;
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    return errno || *end || v < lo || v > 86400L * 365 ? -1 : v;
}

/* A number of seconds, >= 0; -1 for anything else. */
static double env_delay(const char *text)
{
    if (!text || *text < '0' || *text > '9')
        return -1;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    return errno || *end || !(v >= 0 && v <= 86400.0 * 365) ? -1 : v;
}

int cli_check_environment(void)
{
    const char *g = getenv("REFUGESIM_TERM_GRACE");
    if (g && *g && env_seconds(g, 1) < 0) {
        cli_error("REFUGESIM_TERM_GRACE: expected a whole number of seconds, at least 1, got '%s'", g);
        return -1;
    }
    const char *d = getenv("REFUGESIM_PROGRESS_DELAY");
    if (d && *d && env_delay(d) < 0) {
        cli_error("REFUGESIM_PROGRESS_DELAY: expected a number of seconds, 0 or more, got '%s'", d);
        return -1;
    }
    return 0;
}

unsigned cli_term_grace(void)
{
    static unsigned grace; /* read once, before any signal: getenv is not async-signal-safe */
    static int read;
    if (!read) {
        long g = env_seconds(getenv("REFUGESIM_TERM_GRACE"), 1);
        grace = g > 0 ? (unsigned)g : CLI_TERM_GRACE;
        read = 1;
    }
    return grace;
}

void cli_install_signals(void)
{
    static int installed;
    if (installed)
        return;
    installed = 1;
    cli_term_grace();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
}

/* Messages quote paths, keys and values from files and the command line:
 * one line each, with control characters shown rather than obeyed. */
static void message(const char *kind, const char *fmt, va_list ap)
{
    char buf[4096];
    vsnprintf(buf, sizeof buf, fmt, ap);
    cli_line(kind, buf);
}

void cli_line(const char *kind, const char *text)
{
    fputs("refugesim: ", stderr);
    if (kind && *kind) {
        fputs(kind, stderr);
        fputs(": ", stderr);
    }
    sim_text_put(stderr, SIM_TEXT_TERM, text);
    fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    message("error", fmt, ap);
    va_end(ap);
}

void cli_say_partial(const char *path, int status, const char *message, size_t written,
                     const char *what, ...)
{
    if (status != SIM_OK) {
        cli_error("%s", message);
        return;
    }
    if (!written)
        return;
    va_list ap;
    va_start(ap, what);
    printf("results written to %s (incomplete: interrupted; ", cli_shown(path));
    vprintf(what, ap);
    printf(")\n");
    va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    message("warning", fmt, ap);
    va_end(ap);
}

int cli_parse_long(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        cli_error("%s: expected a whole number from %ld to %ld, got '%s'", opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_u64(const char *opt, const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (*s == '-' || *s == '\0') {
        cli_error("%s: expected a whole number from 0 to 18446744073709551615, got '%s'", opt, s);
        return -1;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) {
        cli_error("%s: expected a whole number from 0 to 18446744073709551615, got '%s'", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi) {
        cli_error("%s: expected a number from %g to %g, got '%s'", opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

struct cli_progress {
    const char *label;
    struct timespec start, last;
    double delay;        /* seconds before the first line */
    int tty, shown;
};

static double secs(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) + 1e-9 * (double)(b->tv_nsec - a->tv_nsec);
}

cli_progress *cli_progress_start(const char *label)
{
    cli_progress *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->label = label;
    p->tty = isatty(STDERR_FILENO);
    /* Display only (never results): tests shorten the wait with this. */
    double d = env_delay(getenv("REFUGESIM_PROGRESS_DELAY"));
    p->delay = d >= 0 ? d : 1.0;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    p->last = p->start;
    return p;
}

void cli_progress_update(void *vp, size_t done, size_t total)
{
    cli_progress *p = vp;
    if (!p || !p->tty)
        return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double el = secs(&p->start, &now);
    if (el < p->delay || (secs(&p->last, &now) < 0.2 && done < total))
        return;
    p->last = now;
    double rate = done / el;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    fprintf(stderr, "\r%s: %zu/%zu replications, %.1f/s, ETA %.0fs   ", p->label, done, total,
            rate, eta);
    p->shown = 1;
}

void cli_progress_end(cli_progress *p)
{
    if (!p)
        return;
    if (p->shown)
        fputs("\r\033[K", stderr);
    free(p);
}

int cli_inputs_add(cli_inputs *in, const char *path)
{
    const char **v = realloc(in->v, (in->n + 1) * sizeof *v);
    if (v)
        in->v = v;
    if (!v || !(v[in->n] = strdup(path))) {
        cli_error("out of memory");
        return -1;
    }
    in->n++;
    return 0;
}

int cli_inputs_add_scenario(cli_inputs *in, const char *path, const char *const *sets,
                            size_t n_sets)
{
    const char **own = calloc(n_sets + 1, sizeof *own);
    size_t n = 0;
    for (size_t i = 0; own && i < n_sets; i++)
        if (!rf_points_is_pseudo_set(sets[i]))
            own[n++] = sets[i];
    rf_scenario *sc = NULL;
    int rc = 0;
    if (own && rf_scenario_load_file(path, own, n, &sc, NULL) == SIM_OK)
        for (size_t i = 0; rc == 0 && i < rf_scenario_n_files(sc); i++)
            rc = cli_inputs_add(in, rf_scenario_file(sc, i));
    else
        rc = cli_inputs_add(in, path);
    rf_scenario_free(sc);
    free(own);
    return rc;
}

void cli_inputs_free(cli_inputs *in)
{
    for (size_t i = 0; i < in->n; i++)
        free((char *)in->v[i]);
    free(in->v);
    in->v = NULL;
    in->n = 0;
}

/* 0 when p is AN_OUT_OK, else print it ("OPT: " first when opt) and -1. */
static int output_problem(const char *opt, const char *path, an_output_problem p, int e)
{
    if (p == AN_OUT_OK)
        return 0;
    char msg[CLI_PATH_MAX + 200];
    an_output_describe(msg, sizeof msg, path, p, e);
    cli_error("%s%s%s", opt ? opt : "", opt ? ": " : "", msg);
    return -1;
}

/* 0 when path is none of in, else print which it is and -1. */
static int not_input(const char *opt, const char *path, const cli_inputs *in)
{
    size_t which;
    if (!in || an_output_check_inputs(path, in->v, in->n, &which) == AN_OUT_OK)
        return 0;
    char msg[2 * CLI_PATH_MAX + 200];
    an_output_describe_input(msg, sizeof msg, path, in->v[which]);
    cli_error("%s%s%s", opt ? opt : "", opt ? ": " : "", msg);
    return -1;
}

int cli_check_output_name(const char *path, int force, const cli_inputs *in)
{
    size_t n = strlen(path);
    if (n == 0) {
        cli_error("-o '': expected a file name");
        return -1;
    }
    if (not_input(NULL, path, in))
        return -1;             /* before the name: --force would not make it right */
    if (force || (n > 3 && !strcasecmp(path + n - 3, ".h5")) ||
        (n > 5 && !strcasecmp(path + n - 5, ".hdf5")))
        return 0;
    cli_error("-o %s: results files are HDF5, named *.h5 or *.hdf5 (for CSV files use "
              "'refugesim report FILE.h5 --csv DIR'; --force writes HDF5 under this name)", path);
    return -1;
}

int cli_check_output_file(const char *opt, const char *path, int force, const cli_inputs *in)
{
    if (not_input(opt, path, in))
        return -1;
    int e;
    an_output_problem p = an_output_check(path, force, &e);
    return output_problem(opt, path, p, e);
}

int cli_check_output(const char *path, int force, const cli_inputs *in)
{
    if (cli_check_output_name(path, force, in))
        return -1;
    return cli_check_output_file(NULL, path, force, NULL);
}

int cli_check_output_dir(const char *opt, const char *dir, int force, const char *const *exts,
                         size_t n_exts, const cli_inputs *in)
{
    size_t which;
    char file[CLI_PATH_MAX + 256];
    if (in && an_output_check_dir_inputs(dir, exts, n_exts, in->v, in->n, &which, file,
                                         sizeof file) != AN_OUT_OK) {
        char msg[3 * CLI_PATH_MAX + 200];
        an_output_describe_input(msg, sizeof msg, file, in->v[which]);
        cli_error("%s: %s", opt, msg);
        return -1;
    }
    int e;
    an_output_problem p = an_output_check_dir(dir, force, &e);
    return output_problem(opt, dir, p, e);
}

int cli_check_plot_dir(const char *opt, const char *dir, int force, const cli_inputs *in)
{
    static const char *const exts[] = {".png", ".svg", ".dat", ".gp", ".log"};
    return cli_check_output_dir(opt, dir, force, exts, sizeof exts / sizeof *exts, in);
}

int cli_make_output_dir(const char *opt, const char *dir)
{
    if (mkdir(dir, 0777) == 0 || errno == EEXIST) {
        struct stat sb;
        if (stat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
            return 0;
        cli_error("%s: '%s' exists and is not a directory", opt, dir);
        return -1;
    }
    cli_error("%s: cannot create directory '%s': %s", opt, dir, strerror(errno));
    return -1;
}

int cli_reps_set(const char *arg, long min, char *buf, size_t size)
{
    long v;
    if (cli_parse_long("--reps", arg, min, 1000000, &v))
        return -1;
    snprintf(buf, size, "replications=%ld", v);
    return 0;
}

int cli_seed_override(const char *s, char *buf, size_t size)
{
    uint64_t seed;
    if (cli_parse_u64("--seed", s, &seed))
        return -1;
    snprintf(buf, size, "seed=%llu", (unsigned long long)seed);
    return 0;
}

int cli_check_set(const char *s)
{
    if (strchr(s, '='))
        return 0;
    cli_error("--set: expected KEY=VALUE, got '%s'", s);
    return -1;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *cmd)
{
    char opts[64];
    snprintf(opts, sizeof opts, ":%s", shortopts);   /* ':' for a missing value */
    opterr = 0;
    int prev = optind, c = getopt_long(argc, argv, opts, longopts, NULL);
    if (c != '?' && c != ':')
        return c;
    /* the word at fault: the argument getopt was reading */
    const char *word = optind > prev && optind - 1 < argc ? argv[optind - 1]
                       : prev < argc ? argv[prev] : "";
    char shown[8];
    if (word[0] == '-' && word[1] && word[1] != '-' && optopt > ' ' && optopt < 127) {
        snprintf(shown, sizeof shown, "-%c", optopt);      /* a short one, maybe in a cluster */
        word = shown;
    }
    if (c == ':')
        cli_error("%s: needs a value (see 'refugesim %s --help')", word, cmd);
    else
        cli_error("%s: unknown option (see 'refugesim %s --help')", word, cmd);
    return '?';
}

const char *cli_shown(const char *text)
{
    static char buf[4][4 * CLI_PATH_MAX + 16];
    static int next;
    char *b = buf[next];
    next = (next + 1) % 4;
    return sim_text_str(SIM_TEXT_TERM, text ? text : "", b, sizeof buf[0]);
}
