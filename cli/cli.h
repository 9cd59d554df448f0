/* cli: the command line.  The only layer that prints to the user or picks an
 * exit status: 0 ok, 1 runtime failure, 2 usage or input error.
 * Messages follow the GNU form `refugesim: [FILE:LINE:COL: ]error: ...`. */
#ifndef CLI_H
#define CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { CLI_EXIT_OK = 0, CLI_EXIT_FAIL = 1, CLI_EXIT_USAGE = 2 };

/* Each subcommand: argv[0] is the subcommand name. */
typedef int (*cli_cmd_fn)(int argc, char **argv);

int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_mmcc(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_capacity(int argc, char **argv);
int cmd_optimise(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_rerun(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_warmup(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);

/* The full command line, joined with spaces (for provenance). */
extern const char *cli_command_line;

/* Set by SIGINT/SIGTERM once cli_install_signals has run: start nothing
 * new.  A second SIGINT, or CLI_TERM_GRACE seconds after a SIGTERM
 * ($REFUGESIM_TERM_GRACE overrides), also sets sim_runner_abort: the
 * replications in progress stop mid-way.  A third SIGINT kills.  Installed
 * before any setup, so an early SIGINT still ends in an orderly way. */
#define CLI_TERM_GRACE 10
extern volatile sig_atomic_t cli_stop;
void cli_install_signals(void);
unsigned cli_term_grace(void);
/* REFUGESIM_TERM_GRACE and REFUGESIM_PROGRESS_DELAY, when set to something,
 * are numbers of seconds: -1 (said on stderr) when one is not. */
int cli_check_environment(void);
/* text (a path the user gave) escaped for the terminal, in one of a few
 * static buffers taken in turn: for a printf of up to four at once. */
const char *cli_shown(const char *text);
/* getopt_long for command `cmd`, whose own errors are ours: an unknown
 * option, or one without its value, is said on one line in the usual form
 * (escaped for the terminal: the text is the user's), and '?' returned. */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts,
               const char *cmd);

void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "refugesim: KIND: TEXT" (KIND NULL or "": "refugesim: TEXT") on one line,
 * control characters in TEXT shown as \xNN (sim_text's SIM_TEXT_TERM). */
void cli_line(const char *kind, const char *text);
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An interrupted search's results file (capacity, compare, optimise -o):
 * its writing failure (status, message), or on stdout "results written to
 * PATH (incomplete: interrupted; WHAT...)" when anything was written. */
void cli_say_partial(const char *path, int status, const char *message, size_t written,
                     const char *what, ...) __attribute__((format(printf, 5, 6)));

/* Parse an option value; on failure print
 * "refugesim: error: --opt: expected ..., got 'x'" and return -1. */
int cli_parse_long(const char *opt, const char *s, long lo, long hi, long *out);
int cli_parse_u64(const char *opt, const char *s, uint64_t *out);
/* --seed S as the scenario override "seed=S" into buf; --set KEY=VALUE
 * checked for its '='.  Print the error and return -1 when wrong. */
int cli_seed_override(const char *s, char *buf, size_t size);
int cli_check_set(const char *s);
int cli_parse_double(const char *opt, const char *s, double lo, double hi, double *out);

/* --reps N (at least min) as the scenario override "replications=N" into
 * buf, so a stored scenario says what ran.  Print the error and return -1
 * when wrong. */
int cli_reps_set(const char *arg, long min, char *buf, size_t size);

/* The files a command reads, which none of its outputs may be, even with
 * --force (an_output_check_inputs: also under another name, a hard link or
 * a symbolic link to a directory).  Zeroed first; cli_inputs_free. */
typedef struct {
    const char **v;            /* copies made by cli_inputs_add* */
    size_t n;
} cli_inputs;
/* One file (copied).  -1, the error printed, when out of memory. */
int cli_inputs_add(cli_inputs *in, const char *path);
/* A scenario file, each file it extends and its trace (loaded with sets,
 * pseudo-keys such as spaces= left out); the file alone when it does not
 * load, which the study says when it loads it. */
int cli_inputs_add_scenario(cli_inputs *in, const char *path, const char *const *sets,
                            size_t n_sets);
void cli_inputs_free(cli_inputs *in);

/* Before any work: refuse an output that is one of in (NULL: none), even
 * with force; an existing output file unless force, an output in a missing
 * directory, anything that is not a regular file (an_output_check), and a
 * name that does not say HDF5 (as cli_check_output_name); prints the error
 * and returns -1. */
int cli_check_output(const char *path, int force, const cli_inputs *in);
/* The same for a file that is not a results file (report --html,
 * calibrate's fitted scenario; opt, when not NULL, names the option in
 * the message): no name check. */
int cli_check_output_file(const char *opt, const char *path, int force, const cli_inputs *in);
/* Before any work: a directory that files are written into (report --csv,
 * --plots; opt names the option in the message), named *EXT for one of
 * the n_exts exts: one of in there under such a name is refused even with
 * force (one elsewhere in it is fine), one that holds files already is
 * refused unless force (an_output_check_dir); prints the error and returns
 * -1. */
int cli_check_output_dir(const char *opt, const char *dir, int force, const char *const *exts,
                         size_t n_exts, const cli_inputs *in);
/* The name alone, for run, sweep and rerun, whose study checks the rest
 * when it opens (and the output against every file the scenario reads):
 * results files end in .h5 or .hdf5 unless force (a file called out.csv
 * holding HDF5 would mislead); one of in is refused first, since --force
 * would not make it right. */
int cli_check_output_name(const char *path, int force, const cli_inputs *in);
/* cli_check_output_dir for a directory of plots (report --plots, warmup
 * --plot), by the endings of the files gnuplot's scripts write there. */
int cli_check_plot_dir(const char *opt, const char *dir, int force, const cli_inputs *in);
/* After the work, for the files of a directory cli_check_output_dir
 * passed: create it when missing; prints the error and returns -1 when it
 * cannot be or is not a directory. */
int cli_make_output_dir(const char *opt, const char *dir);

/* The directories searched for a shipped scenario, in order:
 *   $RS_SCENARIO_DIR (when set), <exe dir>/../share/refugesim/scenarios,
 *   <exe dir>/scenarios, ./scenarios, the directory compiled in.
 * Fills at most max entries; returns how many. */
#define CLI_PATH_MAX 4096
#define CLI_SCENARIO_DIRS 5
size_t cli_scenario_dirs(char dirs[][CLI_PATH_MAX], size_t max);
/* The first of those holding the file name (an absolute path in a static
 * buffer), or NULL. */
const char *cli_scenario_path(const char *name);

/* Progress line on stderr (replications done, rate, ETA).  Prints only when
 * stderr is a terminal and the run has lasted about a second. */
typedef struct cli_progress cli_progress;
cli_progress *cli_progress_start(const char *label);
void cli_progress_update(void *progress, size_t done, size_t total); /* sim_progress_fn */
void cli_progress_end(cli_progress *p);

#endif
