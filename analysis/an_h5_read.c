/* an_h5_read: the results file's reader (see an_h5.h). */
#include "an_h5.h"
#include "an_h5_base.h"
#include "an_h5_table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hdf5.h>
#include "sim_status.h"

struct an_h5_file {
    hid_t file;
    an_h5_info info;
    char *strs[5];
    char *precision, *note, *kind, *target;
    char **vary_keys;
    an_h5_point_row *rows;
    char **labels;            /* n_labels: the rows' labels, whole */
    size_t n_labels;
    double *vary;
};

hid_t an_h5i_reader_file(const an_h5_file *f)
{
    return f->file;
}

int an_h5_has(an_h5_file *f, const char *name)
{
    return H5Lexists(f->file, name, H5P_DEFAULT) > 0;
}

int an_h5_read_table(an_h5_file *f, const char *dset, an_table **out)
{
    return an_tbl_read(f->file, dset, out);
}

static double tcell(const an_table *t, size_t r, int c)
{
    return c < 0 ? NAN : t->num[r * t->n_cols + (size_t)c];
}

static const char *tstr(const an_table *t, size_t r, int c)
{
    const char *s = c < 0 ? NULL : t->str[r * t->n_cols + (size_t)c];
    return s ? s : "";
}

static uint64_t count_cell(const an_table *t, size_t r, int c)
{
    double v = tcell(t, r, c);
    return v >= 0 ? (uint64_t)v : 0;
}

/* Column indices of names[0 .. n-1]. */
static void columns(const an_table *t, const char *const *names, size_t n, int *cols)
{
    for (size_t k = 0; k < n; k++)
        cols[k] = an_table_col(t, names[k]);
}

/* ------------------------------------------------------------ the file -- */

void an_h5_close(an_h5_file *f)
{
    if (!f)
        return;
    if (f->file >= 0)
        H5Fclose(f->file);
    for (size_t i = 0; i < 5; i++)
        free(f->strs[i]);
    free(f->precision);
    free(f->note);
    free(f->kind);
    free(f->target);
    for (size_t k = 0; k < f->info.n_vary; k++)
        free(f->vary_keys[k]);
    free(f->vary_keys);
    free(f->rows);
    for (size_t i = 0; i < f->n_labels; i++)
        free(f->labels[i]);
    free(f->labels);
    free(f->vary);
    free(f);
}

/* A point group's attributes of --precision, when it has them. */
static void point_attrs(an_h5_file *f, an_h5_point_row *r)
{
    char path[48];
    snprintf(path, sizeof path, "/points/%zu", r->index);
    if (!an_h5i_exists(f->file, path))
        return;
    hid_t g = H5Gopen2(f->file, path, H5P_DEFAULT);
    if (g < 0)
        return;
    char *stopped = NULL;
    if (an_h5i_read_attr_str(g, "stopped", &stopped) == SIM_OK) {
        snprintf(r->stopped, sizeof r->stopped, "%s", stopped);
        uint64_t met = 0;
        if (an_h5i_read_attr_num(g, "reps_first_met", H5T_NATIVE_UINT64, &met) == SIM_OK)
            r->first_met = (size_t)met;
    }
    free(stopped);
    H5Gclose(g);
}

static int read_point_table(an_h5_file *f)
{
    an_table *t;
    int st = an_h5_read_table(f, "/point_table", &t);
    if (st)
        return st == SIM_ENOTFOUND ? SIM_EPARSE : st;
    size_t n = t->n_rows, nv = f->info.n_vary;
    f->rows = calloc(n + 1, sizeof *f->rows);
    f->vary = calloc(n * nv + 1, sizeof *f->vary);
    f->labels = calloc(n + 1, sizeof *f->labels);
    if (!f->rows || !f->vary || !f->labels) {
        an_table_free(t);
        return SIM_ENOMEM;
    }
    static const char *const names[] = {"index", "label", "n_reps", "reps_done", "total_units",
                                        "horizon_days", "warmup_days"};
    int c[7];
    columns(t, names, 7, c);
    for (size_t i = 0; i < n; i++) {
        an_h5_point_row *r = &f->rows[i];
        r->index = c[0] >= 0 ? (size_t)tcell(t, i, c[0]) : i;
        /* the label whole, whatever the column's width in the file (AN_NAME_MAX
         * before labels had their own limit); one longer than any label this
         * program keeps is not a file it wrote, and would be cut on its way
         * to a summary */
        char **cell = c[1] >= 0 ? &t->str[i * t->n_cols + (size_t)c[1]] : NULL;
        f->labels[f->n_labels] = cell && *cell ? *cell : an_h5i_strdup("");
        if (cell)
            *cell = NULL;
        if (!f->labels[f->n_labels]) {
            an_table_free(t);
            return SIM_ENOMEM;
        }
        r->label = f->labels[f->n_labels++];
        if (strlen(r->label) >= AN_LABEL_MAX) {
            an_table_free(t);
            return SIM_EPARSE;
        }
        r->n_reps = (size_t)tcell(t, i, c[2]);
        r->reps_done = (size_t)tcell(t, i, c[3]);
        r->total_units = (int)tcell(t, i, c[4]);
        r->horizon_days = tcell(t, i, c[5]);
        r->warmup_days = tcell(t, i, c[6]);
        for (size_t k = 0; k < nv; k++)
            f->vary[i * nv + k] = tcell(t, i, an_table_col_named(t, f->vary_keys[k]));
        r->vary_values = &f->vary[i * nv];
        point_attrs(f, r);
    }
    f->info.n_points = n;
    an_table_free(t);
    return SIM_OK;
}

/* The part attributes, when the file is a part of a sweep. */
static int read_part(hid_t file, an_h5_info *in)
{
    char *digest = NULL;
    int st = an_h5i_read_attr_str(file, "sweep_digest", &digest);
    if (st == SIM_ENOTFOUND)
        return SIM_OK;
    an_part *p = &in->part;
    char *end = NULL;
    if (!st) {
        p->digest = strtoull(digest, &end, 16);
        if (end == digest || *end)
            st = SIM_EPARSE;
    }
    free(digest);
    if (!st) st = an_h5i_read_attr_num(file, "part_first", H5T_NATIVE_UINT64, &p->first);
    if (!st) st = an_h5i_read_attr_num(file, "part_last", H5T_NATIVE_UINT64, &p->last);
    if (!st) st = an_h5i_read_attr_num(file, "grid_points", H5T_NATIVE_UINT64, &p->grid_points);
    in->is_part = st == SIM_OK;
    return st;
}

int an_h5_open(const char *path, an_h5_file **out)
{
    *out = NULL;
    if (access(path, F_OK) != 0)
        return SIM_ENOTFOUND;
    an_h5i_quiet();
    if (H5Fis_hdf5(path) <= 0)
        return SIM_EPARSE;
    an_h5_file *f = calloc(1, sizeof *f);
    if (!f)
        return SIM_ENOMEM;
    f->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f->file < 0) {
        free(f);
        return SIM_EHDF5;
    }
    char *format = NULL;
    int st = an_h5i_read_attr_str(f->file, "format", &format);
    if (st || strcmp(format, AN_H5_FORMAT)) {
        free(format);
        an_h5_close(f);
        return SIM_EPARSE;
    }
    free(format);
    an_h5_info *in = &f->info;
    static const char *const names[5] = {"refugesim_version", "git_commit", "created_utc",
                                         "command_line", "rng"};
    for (size_t i = 0; i < 5 && !st; i++) {
        st = an_h5i_read_attr_str(f->file, names[i], &f->strs[i]);
        if (st == SIM_ENOTFOUND)
            st = (f->strs[i] = an_h5i_strdup("")) ? SIM_OK : SIM_ENOMEM;
    }
    in->refugesim_version = f->strs[0];
    in->git_commit = f->strs[1];
    in->created_utc = f->strs[2];
    in->command_line = f->strs[3];
    in->rng = f->strs[4];
    if (!st) st = an_h5i_read_attr_num(f->file, "format_version", H5T_NATIVE_INT, &in->format_version);
    if (!st) an_h5i_read_attr_num(f->file, "seed", H5T_NATIVE_UINT64, &in->seed);
    if (!st) an_h5i_read_attr_num(f->file, "threads", H5T_NATIVE_INT, &in->threads);
    if (!st) an_h5i_read_attr_num(f->file, "ranks", H5T_NATIVE_INT, &in->ranks);
    if (!st) an_h5i_read_attr_num(f->file, "complete", H5T_NATIVE_INT, &in->complete);
    if (!st) st = an_h5i_read_attr_strs(f->file, "vary_keys", &f->vary_keys, &in->n_vary);
    in->vary_keys = (const char *const *)f->vary_keys;
    if (!st)
        st = read_part(f->file, in);
    if (!st && an_h5i_read_attr_str(f->file, "precision", &f->precision) == SIM_OK) {
        static const char *const pr[3] = {"precision_batch", "precision_min_reps",
                                          "precision_max_reps"};
        in->precision = f->precision;
        for (int i = 0; i < 3; i++)
            an_h5i_read_attr_num(f->file, pr[i], H5T_NATIVE_UINT64, &in->precision_reps[i]);
    }
    if (!st && an_h5i_read_attr_str(f->file, "note", &f->note) == SIM_OK)
        in->note = f->note;
    if (!st && an_h5i_read_attr_str(f->file, "kind", &f->kind) == SIM_OK)
        in->kind = f->kind;
    if (!st && an_h5i_read_attr_str(f->file, "target", &f->target) == SIM_OK)
        in->target = f->target;
    if (!st && in->format_version > AN_H5_FORMAT_VERSION)
        st = SIM_EPARSE;
    if (!st)
        st = read_point_table(f);
    if (st) {
        an_h5_close(f);
        return st == SIM_ENOTFOUND ? SIM_EPARSE : st;
    }
    *out = f;
    return SIM_OK;
}

const an_h5_info *an_h5_get_info(const an_h5_file *f)
{
    return &f->info;
}

const an_h5_point_row *an_h5_point_at(const an_h5_file *f, size_t i)
{
    return i < f->info.n_points ? &f->rows[i] : NULL;
}

/* ------------------------------------------------------------ datasets -- */

static int read_text(an_h5_file *f, const char *path, char **text)
{
    *text = NULL;
    if (!an_h5i_exists(f->file, path))
        return SIM_ENOTFOUND;
    hid_t d = H5Dopen2(f->file, path, H5P_DEFAULT);
    if (d < 0)
        return SIM_EHDF5;
    int st = an_h5i_read_str(d, 0, text);
    H5Dclose(d);
    return st;
}

int an_h5_read_scenario(an_h5_file *f, char **text)
{
    return read_text(f, "/scenario", text);
}

int an_h5_read_scenario_source(an_h5_file *f, char **text)
{
    return read_text(f, "/scenario_source", text);
}

int an_h5_read_point_scenario(an_h5_file *f, size_t i, char **text)
{
    char p[96];
    snprintf(p, sizeof p, "/points/%zu/scenario", i);
    int st = read_text(f, p, text);
    return st == SIM_ENOTFOUND ? an_h5_read_scenario(f, text) : st;
}

int an_h5_read_scenario_text(const char *path, char **text)
{
    *text = NULL;
    an_h5_file *f;
    int st = an_h5_open(path, &f);
    if (st)
        return st;
    st = an_h5_read_scenario(f, text);
    an_h5_close(f);
    return st;
}

/* A whole numeric dataset of `rank` dimensions (dims receives them) read as
 * `type` into *data (malloc'd, elem bytes each) or, with *data set, into
 * it when it holds exactly `expect` elements (else SIM_EPARSE). */
static int read_numbers(an_h5_file *f, const char *path, hid_t type, size_t elem, int rank,
                        hsize_t *dims, size_t expect, void **data)
{
    if (!an_h5i_exists(f->file, path))
        return SIM_ENOTFOUND;
    hid_t d = H5Dopen2(f->file, path, H5P_DEFAULT);
    hid_t s = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
    int st = SIM_EHDF5;
    hssize_t m = s >= 0 ? H5Sget_simple_extent_npoints(s) : -1;
    int given = *data != NULL;
    if (m < 0 || (rank && (H5Sget_simple_extent_ndims(s) != rank
                           || H5Sget_simple_extent_dims(s, dims, NULL) != rank))) {
        st = SIM_EHDF5;
    } else if (given && (size_t)m != expect) {
        st = SIM_EPARSE;
    } else {
        void *v = given ? *data : malloc((size_t)m * elem + 1);
        if (!v)
            st = SIM_ENOMEM;
        else if (m == 0 || H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0) {
            *data = v;
            st = SIM_OK;
        } else if (!given) {
            free(v);
        }
    }
    if (s >= 0)
        H5Sclose(s);
    if (d >= 0)
        H5Dclose(d);
    return st;
}

int an_h5_read_done(an_h5_file *f, size_t i, unsigned char *done)
{
    if (i >= f->info.n_points)
        return SIM_EINVAL;
    char p[96];
    snprintf(p, sizeof p, "/points/%zu/done", i);
    void *v = done;
    return read_numbers(f, p, H5T_NATIVE_UCHAR, 1, 0, NULL, f->rows[i].n_reps, &v);
}

int an_h5_read_metric(an_h5_file *f, size_t i, const char *name, double *out)
{
    if (i >= f->info.n_points || strchr(name, '/'))
        return SIM_EINVAL;
    char p[160];
    snprintf(p, sizeof p, "/points/%zu/metrics/%s", i, name);
    void *v = out;
    return read_numbers(f, p, H5T_NATIVE_DOUBLE, sizeof(double), 0, NULL, f->rows[i].n_reps, &v);
}

int an_h5_read_monthly(an_h5_file *f, size_t i, const char *which, double **data,
                       size_t *n_reps, size_t *n_months)
{
    *data = NULL;
    *n_reps = *n_months = 0;
    if (i >= f->info.n_points || strchr(which, '/'))
        return SIM_EINVAL;
    char p[128];
    snprintf(p, sizeof p, "/points/%zu/monthly/%s", i, which);
    hsize_t dims[2];
    void *v = NULL;
    int st = read_numbers(f, p, H5T_NATIVE_DOUBLE, sizeof(double), 2, dims, 0, &v);
    if (st == SIM_OK) {
        *data = v;
        *n_reps = (size_t)dims[0];
        *n_months = (size_t)dims[1];
    }
    return st;
}

/* ------------------------------------------------------------ summaries -- */

/* Table `name` of point i. */
static int point_table(an_h5_file *f, size_t i, const char *name, an_table **t)
{
    char p[96];
    snprintf(p, sizeof p, "/points/%zu/%s", i, name);
    return an_h5_read_table(f, p, t);
}

static int fill_metrics(an_h5_file *f, size_t i, an_point_summary *ps)
{
    an_table *t;
    int st = point_table(f, i, "summary", &t);
    if (st)
        return st;
    ps->metrics = calloc(t->n_rows + 1, sizeof *ps->metrics);
    if (!ps->metrics) {
        an_table_free(t);
        return SIM_ENOMEM;
    }
    ps->n_metrics = t->n_rows;
    static const char *const names[] = {"metric", "units", "description", "n", "mean", "sd",
                                        "ci95", "p10", "p50", "p90", "min", "max"};
    int c[12];
    columns(t, names, 12, c);
    /* absent from files written before the pooled estimator */
    static const char *const pooled_names[] = {"estimator", "se", "rep_mean", "total_numerator",
                                               "total_denominator"};
    int cp[5];
    columns(t, pooled_names, 5, cp);
    for (size_t r = 0; r < t->n_rows; r++) {
        an_metric_summary *m = &ps->metrics[r];
        snprintf(m->name, sizeof m->name, "%s", tstr(t, r, c[0]));
        snprintf(m->units, sizeof m->units, "%s", tstr(t, r, c[1]));
        snprintf(m->description, sizeof m->description, "%s", tstr(t, r, c[2]));
        m->s.n = c[3] >= 0 ? (size_t)tcell(t, r, c[3]) : 0;
        double *v[8] = {&m->s.mean, &m->s.sd, &m->s.ci95, &m->s.p10,
                        &m->s.p50,  &m->s.p90, &m->s.min, &m->s.max};
        for (size_t k = 0; k < 8; k++)
            *v[k] = tcell(t, r, c[4 + k]);
        m->pooled = cp[0] >= 0 && !strcmp(tstr(t, r, cp[0]), "ratio_of_sums");
        m->se = tcell(t, r, cp[1]);
        m->rep_mean = cp[2] >= 0 ? tcell(t, r, cp[2]) : m->s.mean;
        m->total_num = tcell(t, r, cp[3]);
        m->total_den = tcell(t, r, cp[4]);
    }
    an_table_free(t);
    return SIM_OK;
}

/* Position of each replication among the done ones (SIZE_MAX: not done). */
static int rep_positions(an_h5_file *f, size_t i, size_t **pos, size_t *n_done)
{
    size_t n = f->rows[i].n_reps;
    unsigned char *done = malloc(n + 1);
    *pos = malloc((n + 1) * sizeof **pos);
    int st = done && *pos ? an_h5_read_done(f, i, done) : SIM_ENOMEM;
    *n_done = 0;
    for (size_t r = 0; r < n && !st; r++)
        (*pos)[r] = done[r] ? (*n_done)++ : SIZE_MAX;
    free(done);
    if (st) {
        free(*pos);
        *pos = NULL;
    }
    return st;
}

static int rep_slot(const an_table *t, size_t row, int crep, const size_t *pos, size_t n_reps)
{
    double r = tcell(t, row, crep);
    if (!(r >= 0) || r >= (double)n_reps || pos[(size_t)r] == SIZE_MAX)
        return -1;
    return (int)pos[(size_t)r];
}

static int fill_services(an_h5_file *f, size_t i, an_point_summary *ps, const size_t *pos,
                         rf_service_result **svc)
{
    an_table *t;
    int st = point_table(f, i, "services", &t);
    if (st)
        return st;
    int cs = an_table_col(t, "service"), cname = an_table_col(t, "name"), crep = an_table_col(t, "rep");
    int ns = 0;
    for (size_t r = 0; r < t->n_rows; r++) {
        double s = tcell(t, r, cs);
        if (s >= 0 && s < RF_MAX_SERVICES && (int)s + 1 > ns)
            ns = (int)s + 1;
    }
    ps->n_services = ns;
    *svc = calloc(ps->n_reps * (size_t)ns + 1, sizeof **svc);
    if (!*svc) {
        an_table_free(t);
        return SIM_ENOMEM;
    }
    static const char *const names[] = {"units", "placements", "departures", "early_exits",
                                        "move_ons", "timely_move_ons", "occupied_days",
                                        "blocked_days", "down_days", "unit_days"};
    int c[10];
    columns(t, names, 10, c);
    for (size_t r = 0; r < t->n_rows; r++) {
        double sv = tcell(t, r, cs);
        int slot = rep_slot(t, r, crep, pos, f->rows[i].n_reps);
        if (!(sv >= 0 && sv < ns) || slot < 0 || (size_t)slot >= ps->n_reps)
            continue;
        int s = (int)sv;
        snprintf(ps->service_names[s], RF_NAME_MAX, "%s", tstr(t, r, cname));
        rf_service_result *x = &(*svc)[(size_t)slot * (size_t)ns + (size_t)s];
        x->units = (int)tcell(t, r, c[0]);
        uint64_t *n[5] = {&x->placements, &x->departures, &x->early_exits, &x->move_ons,
                          &x->timely_move_ons};
        for (size_t k = 0; k < 5; k++)
            *n[k] = (uint64_t)tcell(t, r, c[1 + k]);
        x->occupied_days = tcell(t, r, c[6]);
        x->blocked_days = tcell(t, r, c[7]);
        x->down_days = tcell(t, r, c[8]);
        x->unit_days = tcell(t, r, c[9]);   /* NaN in files before opens / closes */
    }
    an_table_free(t);
    return SIM_OK;
}

static int fill_groups(an_h5_file *f, size_t i, an_point_summary *ps, const size_t *pos,
                       rf_group_result **grp)
{
    an_table *t;
    int st = point_table(f, i, "groups", &t);
    if (st)
        return st;
    *grp = calloc(ps->n_reps * RF_G_N + 1, sizeof **grp);
    if (!*grp) {
        an_table_free(t);
        return SIM_ENOMEM;
    }
    static const char *const names[] = {"group", "rep", "referrals", "placed_within_7d",
                                        "placed_within_28d", "wait_sum", "waited", "waited_sum"};
    int c[8], co[RF_OUT_N];
    columns(t, names, 8, c);
    for (int o = 0; o < RF_OUT_N; o++)
        co[o] = an_table_col(t, rf_outcome_name((rf_outcome)o));
    for (size_t r = 0; r < t->n_rows; r++) {
        int slot = rep_slot(t, r, c[1], pos, f->rows[i].n_reps);
        int g = 0;
        while (g < RF_G_N && strcmp(rf_group_name((rf_group)g), tstr(t, r, c[0])))
            g++;
        if (slot < 0 || (size_t)slot >= ps->n_reps || g == RF_G_N)
            continue;
        rf_group_result *x = &(*grp)[(size_t)slot * RF_G_N + (size_t)g];
        x->referrals = count_cell(t, r, c[2]);
        for (int o = 0; o < RF_OUT_N; o++)
            x->outcomes[o] = count_cell(t, r, co[o]);
        x->placed_within_7d = count_cell(t, r, c[3]);
        x->placed_within_28d = count_cell(t, r, c[4]);
        x->wait_sum = c[5] >= 0 ? tcell(t, r, c[5]) : 0;
        x->waited = c[6] >= 0 ? count_cell(t, r, c[6]) : 0;   /* absent from older files */
        x->waited_sum = c[7] >= 0 ? tcell(t, r, c[7]) : 0;
    }
    an_table_free(t);
    return SIM_OK;
}

/* The per-replication numerators and denominators (ratio_parts), where the
 * file has them; metrics that are means get their value and 1. */
static int area_index(const an_point_summary *ps, const char *name)
{
    for (int a = 0; a < ps->n_areas; a++)
        if (!strcmp(ps->area_names[a], name))
            return a;
    return -1;
}

/* A network point's areas and flows (absent from points without one and
 * from files before networks: nothing to fill). */
static int fill_network(an_h5_file *f, size_t i, an_point_summary *ps, const size_t *pos)
{
    an_table *t, *fl = NULL;
    int st = point_table(f, i, "areas", &t);
    if (st == SIM_ENOTFOUND)
        return SIM_OK;
    if (st)
        return st;
    static const char *const names[] = {"area", "rep", "referrals", "placed_in",
                                        "placed_in_from_elsewhere", "units", "occupied_days",
                                        "unit_days"};
    int c[8], co[RF_OUT_N];
    columns(t, names, 8, c);
    for (int o = 0; o < RF_OUT_N; o++)
        co[o] = an_table_col(t, rf_outcome_name((rf_outcome)o));
    ps->area_names = calloc(RF_MAX_AREAS, sizeof *ps->area_names);
    if (!ps->area_names) {
        an_table_free(t);
        return SIM_ENOMEM;
    }
    for (size_t r = 0; r < t->n_rows && ps->n_areas < RF_MAX_AREAS; r++)
        if (area_index(ps, tstr(t, r, c[0])) < 0)
            snprintf(ps->area_names[ps->n_areas++], RF_NAME_MAX, "%s", tstr(t, r, c[0]));
    size_t na = (size_t)ps->n_areas;
    ps->areas = calloc(ps->n_reps * na + 1, sizeof *ps->areas);
    if (!ps->areas) {
        an_table_free(t);
        return SIM_ENOMEM;
    }
    for (size_t r = 0; r < t->n_rows; r++) {
        int slot = rep_slot(t, r, c[1], pos, f->rows[i].n_reps), a = area_index(ps, tstr(t, r, c[0]));
        if (slot < 0 || (size_t)slot >= ps->n_reps || a < 0)
            continue;
        rf_area_result *x = &ps->areas[(size_t)slot * na + (size_t)a];
        x->referrals = (uint32_t)count_cell(t, r, c[2]);
        for (int o = 0; o < RF_OUT_N; o++)
            x->outcomes[o] = (uint32_t)count_cell(t, r, co[o]);
        x->placed_in = (uint32_t)count_cell(t, r, c[3]);
        x->placed_in_from_elsewhere = (uint32_t)count_cell(t, r, c[4]);
        x->units = (int)count_cell(t, r, c[5]);
        x->occupied_days = tcell(t, r, c[6]);
        /* in service (opens, closes); files before it: every unit throughout */
        x->unit_days = c[7] >= 0 ? tcell(t, r, c[7]) : x->units * ps->horizon_days;
    }
    an_table_free(t);
    st = point_table(f, i, "flows", &fl);
    if (st && st != SIM_ENOTFOUND)
        return st;
    if (st)
        fl = NULL;
    /* the layout: the pairs the table lists (every pair in older files) */
    static const char *const fnames[] = {"rep", "origin", "destination", "placements"};
    int fc[4];
    unsigned char *mark = calloc(na * na + 1, 1);
    int *fo = NULL, *fd = NULL;
    size_t nf = st ? 0 : fl->n_rows;
    if (!st) {
        columns(fl, fnames, 4, fc);
        fo = malloc((nf + 1) * sizeof *fo);
        fd = malloc((nf + 1) * sizeof *fd);
    }
    if (!mark || (!st && (!fo || !fd))) {
        st = SIM_ENOMEM;
        goto done;
    }
    for (size_t r = 0; r < nf; r++) {
        fo[r] = area_index(ps, tstr(fl, r, fc[1]));
        fd[r] = area_index(ps, tstr(fl, r, fc[2]));
        if (fo[r] >= 0 && fd[r] >= 0)
            mark[(size_t)fo[r] * na + (size_t)fd[r]] = 1;
    }
    if ((st = rf_flow_layout_from_marks(ps->n_areas, mark, &ps->flow_layout)))
        goto done;
    ps->flows = calloc(ps->n_reps * ps->flow_layout.n_cells + 1, sizeof *ps->flows);
    if (!ps->flows) {
        st = SIM_ENOMEM;
        goto done;
    }
    for (size_t r = 0; r < nf; r++) {
        int slot = rep_slot(fl, r, fc[0], pos, f->rows[i].n_reps);
        long cell = rf_flow_cell(&ps->flow_layout, fo[r], fd[r]);
        if (slot >= 0 && (size_t)slot < ps->n_reps && cell >= 0)
            ps->flows[(size_t)slot * ps->flow_layout.n_cells + (size_t)cell] =
                (uint32_t)count_cell(fl, r, fc[3]);
    }
done:
    free(mark);
    free(fo);
    free(fd);
    if (fl)
        an_table_free(fl);
    return st;
}

static int fill_parts(an_h5_file *f, size_t i, an_point_summary *ps, const size_t *pos)
{
    char p[96];
    snprintf(p, sizeof p, "/points/%zu/ratio_parts", i);
    if (!an_h5i_exists(f->file, p))
        return SIM_OK;
    an_table *t;
    int st = an_h5_read_table(f, p, &t);
    if (st)
        return st;
    size_t nm = ps->n_metrics, n = ps->n_reps;
    ps->num = malloc((n * nm + 1) * sizeof *ps->num);
    ps->den = malloc((n * nm + 1) * sizeof *ps->den);
    ps->reps = calloc(n + 1, sizeof *ps->reps);
    if (!ps->num || !ps->den || !ps->reps) {
        an_table_free(t);
        return SIM_ENOMEM;
    }
    for (size_t k = 0; k < n * nm; k++)
        ps->num[k] = ps->den[k] = NAN;
    int crep = an_table_col(t, "rep");
    for (size_t m = 0; m < nm; m++) {
        char name[AN_NAME_MAX + 8];
        snprintf(name, sizeof name, "%s_num", ps->metrics[m].name);
        int cn = an_table_col(t, name);
        snprintf(name, sizeof name, "%s_den", ps->metrics[m].name);
        int cd = an_table_col(t, name);
        for (size_t r = 0; r < t->n_rows; r++) {
            int slot = rep_slot(t, r, crep, pos, f->rows[i].n_reps);
            if (slot < 0 || (size_t)slot >= n)
                continue;
            ps->reps[slot] = (uint64_t)tcell(t, r, crep);
            if (cn >= 0 && cd >= 0) {
                ps->num[(size_t)slot * nm + m] = tcell(t, r, cn);
                ps->den[(size_t)slot * nm + m] = tcell(t, r, cd);
            }
        }
    }
    an_table_free(t);
    /* means over replications: their values, from /metrics */
    double *col = malloc((f->rows[i].n_reps + 1) * sizeof *col);
    if (!col)
        return SIM_ENOMEM;
    for (size_t m = 0; m < nm && !st; m++) {
        if (ps->metrics[m].pooled)
            continue;
        if (an_h5_read_metric(f, i, ps->metrics[m].name, col) != SIM_OK)
            continue;
        for (size_t r = 0; r < f->rows[i].n_reps; r++)
            if (pos[r] != SIZE_MAX && pos[r] < n) {
                ps->num[pos[r] * nm + m] = col[r];
                ps->den[pos[r] * nm + m] = 1;
            }
    }
    free(col);
    return st;
}

int an_h5_read_point_summary(an_h5_file *f, size_t i, an_point_summary *out)
{
    memset(out, 0, sizeof *out);
    if (i >= f->info.n_points)
        return SIM_EINVAL;
    const an_h5_point_row *row = &f->rows[i];
    snprintf(out->label, sizeof out->label, "%s", row->label);   /* fits: an_h5_open checked */
    out->horizon_days = row->horizon_days;
    size_t *pos = NULL;
    int st = rep_positions(f, i, &pos, &out->n_reps);
    if (!st) st = fill_metrics(f, i, out);
    /* every replication's services and groups, pooled in replication
     * order as the summary that wrote them pooled them, then let go */
    rf_service_result *svc = NULL;
    rf_group_result *grp = NULL;
    if (!st) st = fill_services(f, i, out, pos, &svc);
    if (!st) st = fill_groups(f, i, out, pos, &grp);
    for (size_t r = 0; !st && r < out->n_reps; r++)
        st = an_point_summary_pool(out, svc + r * (size_t)out->n_services, grp + r * RF_G_N);
    free(svc);
    free(grp);
    if (!st) st = fill_parts(f, i, out, pos);
    if (!st) st = fill_network(f, i, out, pos);
    free(pos);
    if (st)
        an_point_summary_free(out);
    return st;
}
