#include "cli_batch.h"
#include "an_h5.h"
#include "cli.h"
#include "rf_capacity.h"
#include "rf_model.h"
#include "sim_farm.h"
#include "sim_runner.h"
#include "sim_status.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_CHUNK 50     /* replications per task under MPI */
#define PRINT_MAX_POINTS 6    /* side-by-side tables up to this many points */

/* ------------------------------------------------------------ points -- */

typedef struct {
    char **sets;              /* scenario --set strings for this point */
    size_t n_sets;
    int spaces;               /* -1: keep */
    char extra_service[RF_NAME_MAX];
    int extra;                /* units to add to extra_service */
    double *vary_values;      /* for the points table */
} point_spec;

typedef struct {
    const cli_batch_cfg *cfg;
    size_t n_points, n_vary;
    const char **vary_keys;
    point_spec *pts;
    size_t reps, chunk, chunks_per_point;
    /* per-rank cache of the last point loaded */
    long cached;
    rf_scenario *cached_sc;
    rf_params cached_params;
    /* rank 0 collection */
    rf_result **res;          /* per point, while in progress */
    unsigned char **done;
    size_t *chunks_left;
    int *total_units;
    an_h5_writer *writer;
    an_point_summary *sums;   /* kept when printing / asked */
    int keep_sums;
    int first_error;
    size_t reps_finished;
    cli_progress *progress;
    char ckpt_dir[4096];
    uint64_t key;             /* what checkpoints must match */
    int ckpt_warned;
} batch;

static void diag_print(const rf_diag *d)
{
    char buf[1024];
    rf_diag_format(d, buf, sizeof buf);
    fprintf(stderr, "refugesim: %s\n", buf);
}

void cli_print_diags(const rf_diags *diags)
{
    for (int i = 0; i < diags->n; i++)
        diag_print(&diags->items[i]);
    if (diags->dropped)
        fprintf(stderr, "refugesim: ... and %d more errors\n", diags->dropped);
}

const char *cli_scenario_path(const char *name)
{
    static char buf[4096];
    const char *dirs[] = {getenv("RS_SCENARIO_DIR"), "scenarios", RS_SCENARIO_DIR};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i])
            continue;
        snprintf(buf, sizeof buf, "%s/%s", dirs[i], name);
        if (access(buf, R_OK) == 0)
            return buf;
    }
    snprintf(buf, sizeof buf, "scenarios/%s", name);
    return buf;
}

static int is_pseudo(const char *key) { return !strcmp(key, "spaces") || !strncmp(key, "extra[", 6); }

/* Apply a pseudo-key to a point spec; -1 with a message on a bad value. */
static int apply_pseudo(point_spec *ps, const char *key, const char *value)
{
    char *end;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno || *end || end == value || v < 0 || v > 1000000) {
        cli_error("%s: expected a whole number of units from 0 to 1000000, got '%s'", key, value);
        return -1;
    }
    if (!strcmp(key, "spaces")) {
        ps->spaces = (int)v;
        return 0;
    }
    const char *close = strchr(key, ']');
    size_t len = close ? (size_t)(close - key - 6) : 0;
    if (!close || close[1] || len == 0 || len >= RF_NAME_MAX) {
        cli_error("%s: expected extra[SERVICE NAME]=UNITS", key);
        return -1;
    }
    memcpy(ps->extra_service, key + 6, len);
    ps->extra_service[len] = '\0';
    ps->extra = (int)v;
    return 0;
}

static void batch_free(batch *b)
{
    for (size_t i = 0; i < b->n_points; i++) {
        if (b->pts) {
            for (size_t k = 0; k < b->pts[i].n_sets; k++)
                free(b->pts[i].sets[k]);
            free(b->pts[i].sets);
            free(b->pts[i].vary_values);
        }
        if (b->res)
            free(b->res[i]);
        if (b->done)
            free(b->done[i]);
        if (b->sums)
            an_point_summary_free(&b->sums[i]);
    }
    free(b->pts);
    free(b->res);
    free(b->done);
    free(b->chunks_left);
    free(b->total_units);
    free(b->sums);
    free(b->vary_keys);
    rf_scenario_free(b->cached_sc);
    an_h5_discard(b->writer);
}

static int build_points(batch *b)
{
    const cli_batch_cfg *c = b->cfg;
    if (c->point_texts) {
        b->n_points = c->n_text_points;
        b->n_vary = c->n_text_vary;
    } else {
        b->n_points = c->grid ? rf_sweep_n_points(c->grid) : 1;
        b->n_vary = c->grid ? rf_sweep_n_keys(c->grid) : 0;
    }
    b->pts = calloc(b->n_points, sizeof *b->pts);
    b->vary_keys = calloc(b->n_vary + 1, sizeof *b->vary_keys);
    if (!b->pts || !b->vary_keys)
        return -1;
    for (size_t k = 0; k < b->n_vary; k++)
        b->vary_keys[k] = c->point_texts ? c->text_vary_keys[k] : rf_sweep_key(c->grid, k);
    for (size_t i = 0; i < b->n_points; i++) {
        point_spec *ps = &b->pts[i];
        ps->spaces = -1;
        ps->sets = calloc(c->n_sets + b->n_vary + 1, sizeof *ps->sets);
        ps->vary_values = calloc(b->n_vary + 1, sizeof *ps->vary_values);
        if (!ps->sets || !ps->vary_values)
            return -1;
        if (!c->point_texts)
            for (size_t k = 0; k < c->n_sets; k++)
                if (!(ps->sets[ps->n_sets++] = strdup(c->sets[k])))
                    return -1;
        for (size_t k = 0; k < b->n_vary; k++) {
            const char *key = b->vary_keys[k];
            char num[64];
            const char *val;
            if (c->point_texts) {
                ps->vary_values[k] = c->text_vary_values[i * b->n_vary + k];
                val = c->text_vary_strings ? c->text_vary_strings[i * b->n_vary + k] : NULL;
                if (!val) {
                    snprintf(num, sizeof num, "%.17g", ps->vary_values[k]);
                    val = num;
                }
            } else {
                ps->vary_values[k] = rf_sweep_number(c->grid, i, k);
                val = rf_sweep_value(c->grid, i, k);
            }
            if (is_pseudo(key)) {
                if (apply_pseudo(ps, key, val))
                    return 2;
            } else if (!c->point_texts) {
                size_t len = strlen(key) + strlen(val) + 2;
                char *set = malloc(len);
                if (!set)
                    return -1;
                snprintf(set, len, "%s=%s", key, val);
                ps->sets[ps->n_sets++] = set;
            }
        }
    }
    return 0;
}

/* Load point i's scenario into the cache (every rank does this itself). */
static int load_point(batch *b, size_t i, rf_diags *diags)
{
    if (b->cached == (long)i)
        return SIM_OK;
    rf_scenario_free(b->cached_sc);
    b->cached_sc = NULL;
    b->cached = -1;
    const cli_batch_cfg *c = b->cfg;
    point_spec *ps = &b->pts[i];
    int rc = c->point_texts
                 ? rf_scenario_load_text(c->point_texts[i], "results file scenario",
                                         (const char *const *)ps->sets, ps->n_sets, &b->cached_sc,
                                         diags)
                 : rf_scenario_load_file(c->scenario_path, (const char *const *)ps->sets,
                                         ps->n_sets, &b->cached_sc, diags);
    if (rc != SIM_OK)
        return rc;
    rf_params *p = &b->cached_params;
    *p = *rf_scenario_params(b->cached_sc);
    if (c->reps > 0)
        p->reps = (uint32_t)c->reps;
    if (c->seed_set)
        p->seed = c->seed;
    if (ps->spaces >= 0 && rf_capacity_set_total(p, ps->spaces) != SIM_OK) {
        snprintf(diags->items[0].message, sizeof diags->items[0].message,
                 "spaces=%d: the scenario has no units to scale", ps->spaces);
        diags->items[0].file[0] = diags->items[0].key[0] = '\0';
        diags->items[0].line = 0;
        diags->n = 1;
        return SIM_EINVAL;
    }
    if (ps->extra_service[0]) {
        int s = rf_capacity_find_service(p, ps->extra_service);
        if (s < 0 || rf_capacity_add(p, s, 0, ps->extra) != SIM_OK) {
            snprintf(diags->items[0].message, sizeof diags->items[0].message,
                     "extra[%s]: no service of that name", ps->extra_service);
            diags->items[0].file[0] = diags->items[0].key[0] = '\0';
            diags->items[0].line = 0;
            diags->n = 1;
            return SIM_EINVAL;
        }
    }
    b->cached = (long)i;
    return SIM_OK;
}

/* ------------------------------------------------------------ checkpoints -- */

typedef struct {
    char magic[16];
    uint64_t point, n_reps, record_size, key;
} ckpt_header;

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

/* What a checkpoint must agree on to be reused: the points' scenarios, the
 * replications, the seed and the record layout. */
/* The checkpoint key folds in each point as it is loaded and checked (the
 * point just loaded is the cached one), then the build and record layout. */
static uint64_t key_add_point(uint64_t h, const batch *b, size_t i)
{
    const rf_params *p = &b->cached_params;
    h = fnv1a(h, &p->seed, sizeof p->seed);
    h = fnv1a(h, &p->reps, sizeof p->reps);
    const char *t = rf_scenario_text(b->cached_sc);
    h = fnv1a(h, t, strlen(t));
    _Static_assert(sizeof(rf_trace_row) == 4 * sizeof(double) + 18 * sizeof(int),
                   "rf_trace_row has padding: hash it field by field");
    if (p->trace && p->trace->n > 0)
        h = fnv1a(h, p->trace->rows, (size_t)p->trace->n * sizeof *p->trace->rows);
    h = fnv1a(h, &b->pts[i].spaces, sizeof(int));
    h = fnv1a(h, &b->pts[i].extra, sizeof(int));
    return fnv1a(h, b->pts[i].extra_service, strlen(b->pts[i].extra_service));
}

static uint64_t key_finish(uint64_t h)
{
    uint64_t rs = sizeof(rf_result);
    h = fnv1a(h, RS_VERSION RS_GIT_COMMIT, strlen(RS_VERSION RS_GIT_COMMIT));
    return fnv1a(h, &rs, sizeof rs);
}

static void ckpt_path(const batch *b, size_t point, char *buf, size_t size)
{
    snprintf(buf, size, "%s/point-%zu.bin", b->ckpt_dir, point);
}

/* Written to a temporary name and renamed: a kill leaves either the old
 * state or the whole new file, never half of one. */
static int ckpt_write(const batch *b, size_t point, uint64_t key)
{
    char path[4200], tmp[4300];
    ckpt_path(b, point, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return SIM_EIO;
    ckpt_header h = {"refugesim-ckpt1", point, b->reps, sizeof(rf_result), key};
    int ok = fwrite(&h, sizeof h, 1, f) == 1
          && fwrite(b->done[point], 1, b->reps, f) == b->reps
          && fwrite(b->res[point], sizeof(rf_result), b->reps, f) == b->reps;
    ok = (fflush(f) == 0) && ok && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return SIM_EIO;
    }
    return SIM_OK;
}

static int ckpt_read(batch *b, size_t point, uint64_t key)
{
    char path[4200];
    ckpt_path(b, point, path, sizeof path);
    FILE *f = fopen(path, "rb");
    if (!f)
        return SIM_ENOTFOUND;
    ckpt_header h;
    int ok = fread(&h, sizeof h, 1, f) == 1 && !memcmp(h.magic, "refugesim-ckpt1", 16)
          && h.point == point && h.n_reps == b->reps && h.record_size == sizeof(rf_result)
          && h.key == key
          && fread(b->done[point], 1, b->reps, f) == b->reps
          && fread(b->res[point], sizeof(rf_result), b->reps, f) == b->reps;
    fclose(f);
    if (!ok)
        return SIM_EPARSE;
    for (size_t r = 0; r < b->reps; r++)
        if (!b->done[point][r])
            return SIM_EPARSE;       /* only whole points are reused */
    return SIM_OK;
}

/* Remove "<prefix>.tmp.<pid>" files in dir left by processes that no longer
 * run (a SIGKILL gives no chance to clean up); prefix "" matches any name. */
static void remove_stale_temps(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    size_t plen = strlen(prefix);
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *t = strstr(e->d_name, ".tmp.");
        if (!t || strncmp(e->d_name, prefix, plen) != 0 || (plen && t != e->d_name + plen))
            continue;
        char *end;
        long pid = strtol(t + 5, &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid())
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;                       /* its writer may still be running */
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

static void remove_stale_output_temps(const char *out_path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", out_path);
    char *slash = strrchr(dir, '/');
    const char *base = slash ? slash + 1 : out_path;
    if (slash)
        *slash = '\0';
    remove_stale_temps(slash ? (dir[0] ? dir : "/") : ".", base);
}

static void ckpt_remove(const batch *b)
{
    for (size_t i = 0; i < b->n_points; i++) {
        char path[4200];
        ckpt_path(b, i, path, sizeof path);
        unlink(path);
    }
    remove_stale_temps(b->ckpt_dir, "");
    rmdir(b->ckpt_dir);
}

/* ------------------------------------------------------------ running -- */

typedef struct {
    int32_t status;
    uint32_t n;
    uint32_t direct;          /* the records went straight into the point's */
    uint32_t pad;             /* keeps what follows 16-byte aligned */
} task_header;

/* A task's result: header, done flags padded so the records that follow are
 * aligned, records. */
static size_t done_bytes(const batch *b) { return (b->chunk + 15) / 16 * 16; }

static size_t task_size(const batch *b)
{
    return sizeof(task_header) + done_bytes(b) + b->chunk * sizeof(rf_result);
}

/* The runner counts inside one task; the user wants the whole run. */
static void batch_progress(void *user, size_t done, size_t total)
{
    batch *b = user;
    (void)total;
    cli_progress_update(b->progress, b->reps_finished + done, b->n_points * b->reps);
}

static int run_task(void *user, size_t task, void *out)
{
    batch *b = user;
    size_t point = task / b->chunks_per_point, c = task % b->chunks_per_point;
    size_t first = c * b->chunk, n = b->reps - first < b->chunk ? b->reps - first : b->chunk;
    task_header *h = out;
    unsigned char *done = (unsigned char *)(h + 1);
    rf_result *res = (rf_result *)(done + done_bytes(b));
    memset(done, 0, b->chunk);
    h->n = (uint32_t)n;
    /* One process, a whole point a task: the replications go straight into
     * the point's records, not through this buffer (a copy of megabytes,
     * page-faulted after the threads are done). */
    h->direct = sim_farm_size() == 1 && n == b->reps
                && (b->res[point] || (b->res[point] = malloc(n * sizeof(rf_result))));
    if (h->direct) {
        res = b->res[point];
        done = b->done[point];
        memset(done, 0, n);
    }
    rf_diags d;
    int rc = load_point(b, point, &d);
    if (rc == SIM_OK) {
        sim_runner_cfg rc_cfg = {.first_rep = first, .n_reps = n, .result_size = sizeof(rf_result),
                                 .threads = b->cfg->threads, .stop = &cli_stop};
        if (sim_farm_rank() == 0 && b->progress) {
            rc_cfg.progress = batch_progress;
            rc_cfg.progress_user = b;
        }
        rc = sim_runner_run(&rc_cfg, rf_model_run_rep, &b->cached_params, res, done, NULL);
    }
    h->status = rc;
    return rc;
}

/* The text a point's results are stored with: what rerun was given, so a
 * rerun's file carries the very text of the original; else the resolved
 * scenario.  Point `point` must be the cached one. */
static const char *point_text(const batch *b, size_t point)
{
    return b->cfg->point_texts ? b->cfg->point_texts[point] : rf_scenario_text(b->cached_sc);
}

static int finish_point(batch *b, size_t point, uint64_t key, int write_ckpt)
{
    rf_diags d;
    int rc = load_point(b, point, &d);
    if (rc != SIM_OK)
        return rc;
    const rf_params *p = &b->cached_params;
    b->total_units[point] = rf_params_total_units(p);
    char label[AN_NAME_MAX];
    an_point_label(label, sizeof label, b->total_units[point], b->n_vary, b->vary_keys,
                   b->pts[point].vary_values);
    if (b->writer) {
        an_point pt = {.params = p, .vary_values = b->pts[point].vary_values, .n_reps = b->reps,
                       .results = b->res[point], .done = b->done[point],
                       .scenario_text = point_text(b, point), .label = label};
        if ((rc = an_h5_put_point(b->writer, point, &pt)) != SIM_OK)
            return rc;
    }
    if (b->keep_sums
        && (rc = an_point_summary_from_results(&b->sums[point], label, p, b->res[point],
                                               b->done[point], b->reps)) != SIM_OK)
        return rc;
    if (write_ckpt && b->ckpt_dir[0]) {
        size_t ndone = 0;
        for (size_t r = 0; r < b->reps; r++)
            ndone += b->done[point][r];
        /* A lost checkpoint only costs a resume its reuse: warn, go on. */
        if (ndone == b->reps && ckpt_write(b, point, key) != SIM_OK && !b->ckpt_warned) {
            cli_warn("%s: cannot write checkpoints (%s): an interrupted sweep will not resume",
                     b->ckpt_dir, strerror(errno));
            b->ckpt_warned = 1;
        }
    }
    free(b->res[point]);
    b->res[point] = NULL;
    return SIM_OK;
}

static void task_done(void *user, size_t task, int status, const void *out)
{
    batch *b = user;
    size_t point = task / b->chunks_per_point, c = task % b->chunks_per_point;
    const task_header *h = out;
    const unsigned char *done = (const unsigned char *)(h + 1);
    const rf_result *res = (const rf_result *)(done + done_bytes(b));
    if (status != SIM_OK && status != SIM_EINTR && !b->first_error)
        b->first_error = status;
    if (!b->res[point]) {
        b->res[point] = calloc(b->reps, sizeof(rf_result));
        if (!b->res[point]) {
            b->first_error = SIM_ENOMEM;
            return;
        }
    }
    if (h->direct) {
        done = b->done[point];
    } else {
        memcpy(b->done[point] + c * b->chunk, done, h->n);
        memcpy(b->res[point] + c * b->chunk, res, h->n * sizeof(rf_result));
    }
    for (size_t r = 0; r < h->n; r++)
        b->reps_finished += done[r];
    if (b->progress)
        cli_progress_update(b->progress, b->reps_finished, b->n_points * b->reps);
    if (--b->chunks_left[point] == 0 && status == SIM_OK) {
        int rc = finish_point(b, point, b->key, 1);
        if (rc != SIM_OK && !b->first_error)
            b->first_error = rc;
    }
}

static void print_compact(const batch *b)
{
    int i_ref = rf_metric_find("refused_no_space"), i_wait = rf_metric_find("wait_mean");
    printf("%-40s %20s %20s\n", "point", "refused (no space)", "mean wait (days)");
    for (size_t i = 0; i < b->n_points; i++) {
        const an_point_summary *ps = &b->sums[i];
        if (!ps->metrics)
            continue;
        char c1[64] = "-", c2[64] = "-";
        if (i_ref >= 0)
            an_format_cell(c1, sizeof c1, &ps->metrics[i_ref].s, 1);
        if (i_wait >= 0)
            an_format_cell(c2, sizeof c2, &ps->metrics[i_wait].s, 0);
        printf("%-40s %20s %20s\n", ps->label, c1, c2);
    }
}

/* Resuming may replace an existing file only when there is something to
 * resume: checkpoints for it, or the file is an interrupted run's. */
static int resumable(const char *path, const char *ckpt_dir)
{
    struct stat st;
    if (stat(path, &st) != 0 || (stat(ckpt_dir, &st) == 0 && S_ISDIR(st.st_mode)))
        return 1;
    an_h5_file *f = NULL;
    int ok = an_h5_open(path, &f) == SIM_OK && !an_h5_get_info(f)->complete;
    an_h5_close(f);
    return ok;
}

/* Rank 0: start the results file, and for sweeps the checkpoints (reusing
 * finished points with --resume: their tasks are marked in skip).  Prints
 * its own errors; on failure *exit_code says how to exit. */
static int prepare_output(batch *b, unsigned char *skip, const uint64_t *key, int *exit_code)
{
    const cli_batch_cfg *cfg = b->cfg;
    int rc;
    *exit_code = CLI_EXIT_FAIL;
    remove_stale_output_temps(cfg->out_path);
    char ckdir[4096];
    snprintf(ckdir, sizeof ckdir, "%s.ckpt", cfg->out_path);
    if (cfg->resume && !cfg->force && !resumable(cfg->out_path, ckdir)) {
        cli_error("%s is a complete results file and has no checkpoints: nothing to resume "
                  "(use --force to overwrite it)", cfg->out_path);
        *exit_code = CLI_EXIT_USAGE;
        return SIM_EEXIST;
    }
    if (cfg->checkpoint) {
        struct stat st;
        if (stat(ckdir, &st) == 0 && !S_ISDIR(st.st_mode)) {
            cli_error("%s exists and is not a checkpoint directory: move it away", ckdir);
            *exit_code = CLI_EXIT_USAGE;
            return SIM_EEXIST;
        }
    }
    /* The run's seed and scenario are point 0's. */
    if ((rc = load_point(b, 0, &(rf_diags){0})) != SIM_OK)
        return rc;
    an_run_info info = {.scenario_text = point_text(b, 0), .command_line = cli_command_line,
                        .seed = b->cached_params.seed,
                        .threads = sim_runner_threads(cfg->threads), .ranks = sim_farm_size(),
                        .n_vary = b->n_vary, .vary_keys = b->vary_keys,
                        .n_points = b->n_points, .note = cfg->note};
    rc = an_h5_create(cfg->out_path, &info, cfg->force || cfg->resume, &b->writer);
    if (rc != SIM_OK) {
        if (rc == SIM_EEXIST)
            cli_error("%s exists: use --force to overwrite it%s", cfg->out_path,
                      cfg->checkpoint ? " or --resume to finish an interrupted sweep" : "");
        else if (rc == SIM_ENOTFOUND)
            cli_error("%s: the directory does not exist", cfg->out_path);
        else
            cli_error("%s: cannot create the results file: %s", cfg->out_path, sim_strerror(rc));
        *exit_code = rc == SIM_EEXIST || rc == SIM_ENOTFOUND ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
        return rc;
    }
    if (!cfg->checkpoint)
        return SIM_OK;
    /* Checkpoints sit beside the output, one small file per finished point. */
    snprintf(b->ckpt_dir, sizeof b->ckpt_dir, "%s", ckdir);
    if (cfg->resume) {
        size_t reused = 0;
        for (size_t i = 0; i < b->n_points; i++) {
            if (!(b->res[i] = calloc(b->reps, sizeof(rf_result)))) {
                cli_error("out of memory");
                return SIM_ENOMEM;
            }
            if (ckpt_read(b, i, *key) == SIM_OK) {
                for (size_t c = 0; c < b->chunks_per_point; c++)
                    skip[i * b->chunks_per_point + c] = 1;
                b->chunks_left[i] = 0;
                b->reps_finished += b->reps;
                if ((rc = finish_point(b, i, *key, 0)) != SIM_OK) {
                    cli_error("%s: %s", cfg->out_path, sim_strerror(rc));
                    return rc;
                }
                reused++;
            } else {
                free(b->res[i]);
                b->res[i] = NULL;
                memset(b->done[i], 0, b->reps);
            }
        }
        if (reused)
            fprintf(stderr, "refugesim: resuming: %zu of %zu points already done\n", reused,
                    b->n_points);
    } else {
        ckpt_remove(b);
    }
    remove_stale_temps(b->ckpt_dir, "");
    if (mkdir(b->ckpt_dir, 0777) != 0 && errno != EEXIST) {
        cli_error("%s: cannot create the checkpoint directory: %s", b->ckpt_dir, strerror(errno));
        return SIM_EIO;
    }
    return SIM_OK;
}

int cli_batch_run(const cli_batch_cfg *cfg, cli_batch_out *out)
{
    batch b = {.cfg = cfg, .cached = -1};
    int exit_code = CLI_EXIT_FAIL, rc;
    int root = sim_farm_rank() == 0;
    int bp = build_points(&b);
    if (bp) {
        if (bp < 0)
            cli_error("out of memory");
        batch_free(&b);
        return bp > 0 ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    }
    /* Load and check every point before anything runs (and key checkpoints
     * to what they load). */
    uint64_t key = 1469598103934665603ull;
    b.total_units = calloc(b.n_points, sizeof *b.total_units);
    if (!b.total_units) {
        batch_free(&b);
        return CLI_EXIT_FAIL;
    }
    for (size_t i = 0; i < b.n_points; i++) {
        rf_diags d;
        memset(&d, 0, sizeof d);
        if ((rc = load_point(&b, i, &d)) != SIM_OK) {
            if (root) {
                if (b.n_points > 1)
                    fprintf(stderr, "refugesim: in sweep point %zu:\n", i);
                cli_print_diags(&d);
            }
            batch_free(&b);
            return rc == SIM_ENOMEM ? CLI_EXIT_FAIL : CLI_EXIT_USAGE;
        }
        char why[512];
        if (rf_model_check(&b.cached_params, why, sizeof why) != SIM_OK) {
            if (root)
                cli_error("%s%s: the model cannot run this scenario: %s",
                          cfg->point_texts ? "results file scenario" : cfg->scenario_path,
                          b.n_points > 1 ? " (a sweep point)" : "", why);
            batch_free(&b);
            return CLI_EXIT_USAGE;
        }
        b.total_units[i] = rf_params_total_units(&b.cached_params);
        key = key_add_point(key, &b, i);
        size_t r = b.cached_params.reps;
        if (i == 0)
            b.reps = r;
        else if (r != b.reps) {
            if (root)
                cli_error("sweep point %zu has %zu replications, point 0 has %zu: a sweep needs "
                          "the same number everywhere (use --reps)", i, r, b.reps);
            batch_free(&b);
            return CLI_EXIT_USAGE;
        }
    }
    /* One process: a point's replications in one task (one parallel region,
     * nothing left over at the end of each chunk); ranks share chunks. */
    b.chunk = cfg->chunk ? cfg->chunk : sim_farm_size() > 1 ? DEFAULT_CHUNK : b.reps;
    if (b.chunk > b.reps)
        b.chunk = b.reps;
    b.chunks_per_point = (b.reps + b.chunk - 1) / b.chunk;
    b.keep_sums = (cfg->print && b.n_points > 0) || out;
    b.res = calloc(b.n_points, sizeof *b.res);
    b.done = calloc(b.n_points, sizeof *b.done);
    b.chunks_left = calloc(b.n_points, sizeof *b.chunks_left);
    b.sums = calloc(b.n_points, sizeof *b.sums);
    unsigned char *skip = calloc(b.n_points * b.chunks_per_point, 1);
    if (!b.res || !b.done || !b.chunks_left || !b.sums || !skip)
        goto oom;
    for (size_t i = 0; i < b.n_points; i++) {
        b.chunks_left[i] = b.chunks_per_point;
        if (!(b.done[i] = calloc(b.reps, 1)))
            goto oom;
    }

    key = key_finish(key);
    /* Rank 0 prepares the output; every rank then learns whether to go on
     * (one broadcast, so no rank is left waiting when rank 0 fails). */
    int setup = SIM_OK, setup_exit = CLI_EXIT_FAIL;
    if (root && cfg->out_path)
        setup = prepare_output(&b, skip, &key, &setup_exit);
    if (sim_farm_bcast_int(setup) != SIM_OK) {
        free(skip);
        batch_free(&b);
        return setup_exit;
    }
    /* Every rank must skip the same tasks: rank 0 decided. */
    sim_farm_bcast_bytes(skip, b.n_points * b.chunks_per_point);

    cli_install_signals();
    if (root)
        b.progress = cli_progress_start(cfg->progress_label ? cfg->progress_label : "run");
    b.key = key;
    rc = sim_farm_run(b.n_points * b.chunks_per_point, task_size(&b), skip, run_task, task_done,
                      &b, &cli_stop);
    cli_progress_end(b.progress);
    b.progress = NULL;
    if (!root) {
        free(skip);
        batch_free(&b);
        return rc == SIM_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    }
    if (b.first_error && b.first_error != SIM_EINTR) {
        cli_error("simulation failed: %s", sim_strerror(b.first_error));
        goto fail_quiet;
    }
    if (rc != SIM_OK && rc != SIM_EINTR) {
        cli_error("simulation failed: %s", sim_strerror(rc));
        goto fail_quiet;
    }
    int complete = rc == SIM_OK;
    if (!complete) {
        /* Interrupted: keep what finished, marked incomplete. */
        for (size_t i = 0; i < b.n_points; i++)
            if (b.res[i]) {             /* finished points were written and freed */
                size_t any = 0;
                for (size_t r = 0; r < b.reps; r++)
                    any += b.done[i][r];
                if (any && finish_point(&b, i, key, 0) != SIM_OK)
                    break;
            }
    }
    if (cfg->print && b.keep_sums) {
        if (b.n_points <= PRINT_MAX_POINTS) {
            size_t n = 0;
            for (size_t i = 0; i < b.n_points; i++)
                n += b.sums[i].metrics != NULL;
            an_point_summary *shown = calloc(n ? n : 1, sizeof *shown);
            if (shown) {
                size_t k = 0;
                for (size_t i = 0; i < b.n_points; i++)
                    if (b.sums[i].metrics)
                        shown[k++] = b.sums[i];
                an_print_summary(stdout, shown, n, cfg->print > 1);
                if (cfg->print_services)
                    an_print_services(stdout, shown, n);
                if (cfg->print_groups)
                    an_print_groups(stdout, shown, n);
                free(shown);
            }
        } else {
            print_compact(&b);
        }
    }
    if (b.writer) {
        an_h5_writer *w = b.writer;
        b.writer = NULL;
        if ((rc = an_h5_commit(w, complete)) != SIM_OK) {
            cli_error("%s: writing the results file failed: %s", cfg->out_path, sim_strerror(rc));
            goto fail_quiet;
        }
        if (complete && b.ckpt_dir[0])
            ckpt_remove(&b);
        printf("results written to %s%s\n", cfg->out_path,
               complete ? "" : " (incomplete: interrupted)");
    }
    if (!complete) {
        cli_error("interrupted: %zu replications finished%s", b.reps_finished,
                  b.ckpt_dir[0] ? "; run the same sweep with --resume to finish" : "");
        exit_code = CLI_EXIT_FAIL;
    } else {
        exit_code = CLI_EXIT_OK;
    }
    if (out) {
        out->n_points = b.n_points;
        out->points = b.sums;
        out->total_units = b.total_units;
        out->complete = complete;
        b.sums = NULL;
        b.total_units = NULL;
    }
    free(skip);
    batch_free(&b);
    return exit_code;
oom:
    cli_error("out of memory");
fail_quiet:
    free(skip);
    batch_free(&b);
    return CLI_EXIT_FAIL;
}

void cli_batch_out_free(cli_batch_out *out)
{
    if (!out)
        return;
    for (size_t i = 0; i < out->n_points; i++)
        an_point_summary_free(&out->points[i]);
    free(out->points);
    free(out->total_units);
    memset(out, 0, sizeof *out);
}
