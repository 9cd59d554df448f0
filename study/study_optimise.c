#include "study_optimise.h"
#include "rf_capacity.h"
#include "rf_points.h"
#include "rf_result.h"
#include "rf_scenario.h"
#include "sim_farm.h"
#include "sim_status.h"
#include "sim_text.h"
#include "study_precision.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXC STUDY_OPT_MAX_CANDIDATES
#define MAX_KEYS (2 * MAXC)
#define MAX_SWAPS 64          /* bounds the swap search; each swap must improve */

/* Input errors: every rank finds them alike (study_optimise_check sets
 * err->all_ranks first). */
#define input_error(err, status, ...) study_error_set(err, status, 1, __VA_ARGS__)

/* ------------------------------------------------------ candidates -- */

/* A name safe inside a key path's [NAME]; else the key uses the index. */
static int plain_name(const char *s) { return s[0] && !strpbrk(s, ".[]=,*"); }

/* The varied keys: services[S].units for each service with a candidate,
 * services[S].blocks[B].units for each candidate that is a named block.
 * key_of[k][0] is candidate k's service key, key_of[k][1] its block key
 * (-1: none); base[j] key j's value in the scenario. */
typedef struct {
    char keys[MAX_KEYS][2 * RF_NAME_MAX + 40];
    int base[MAX_KEYS];
    size_t n_keys;
    int key_of[MAXC][2];
} key_set;

static int svc_units(const rf_service *s)
{
    int n = 0;
    for (int b = 0; b < s->n_blocks; b++)
        n += s->blocks[b].count;
    return n;
}

static void build_keys(const rf_scenario *sc, const study_optimise_result *r, key_set *ks)
{
    const rf_params *p = rf_scenario_params(sc);
    memset(ks, 0, sizeof *ks);
    for (size_t k = 0; k < r->n_cand; k++) {
        const study_opt_candidate *c = &r->cand[k];
        const rf_service *s = &p->services[c->service];
        char svc[RF_NAME_MAX + 16];
        if (plain_name(s->name))
            snprintf(svc, sizeof svc, "services[%s]", s->name);
        else
            snprintf(svc, sizeof svc, "services[%d]", c->service);
        int j = -1;
        for (size_t i = 0; i < k && j < 0; i++)
            if (r->cand[i].service == c->service)
                j = ks->key_of[i][0];
        if (j < 0) {
            j = (int)ks->n_keys++;
            snprintf(ks->keys[j], sizeof ks->keys[j], "%s.units", svc);
            ks->base[j] = svc_units(s);
        }
        ks->key_of[k][0] = j;
        ks->key_of[k][1] = -1;
        if (c->block >= 0) {
            const char *bn = rf_scenario_block_name(sc, c->service, c->block);
            int yaml_index = c->block - (rf_scenario_block_name(sc, c->service, 0)[0] == '\0');
            int b = (int)ks->n_keys++;
            if (plain_name(bn))
                snprintf(ks->keys[b], sizeof ks->keys[b], "%s.blocks[%s].units", svc, bn);
            else
                snprintf(ks->keys[b], sizeof ks->keys[b], "%s.blocks[%d].units", svc, yaml_index);
            ks->base[b] = c->base_units;
            ks->key_of[k][1] = b;
        }
    }
}

/* The keys of the scenario as loaded with cfg's --set. */
static int load_keys(const study_optimise_cfg *cfg, const study_optimise_result *r, key_set *ks,
                     rf_diags *diags)
{
    const rf_points_cfg *pc = &cfg->base.points;
    rf_scenario *sc = NULL;
    int rc = rf_scenario_load_file(pc->scenario_path, pc->sets, pc->n_sets, &sc, diags);
    if (rc == SIM_OK)
        build_keys(sc, r, ks);
    rf_scenario_free(sc);
    return rc;
}

/* The values of the keys for a mix. */
static void mix_values(const key_set *ks, size_t n_cand, const int *mix, int *v)
{
    for (size_t j = 0; j < ks->n_keys; j++)
        v[j] = ks->base[j];
    for (size_t k = 0; k < n_cand; k++) {
        v[ks->key_of[k][0]] += mix[k];
        if (ks->key_of[k][1] >= 0)
            v[ks->key_of[k][1]] += mix[k];
    }
}

/* The accepted names, for an error message: of every service (only < 0)
 * or the blocks of one. */
static void accepted_names(const rf_scenario *sc, int only, char *buf, size_t size)
{
    const rf_params *p = rf_scenario_params(sc);
    size_t n = 0;
    buf[0] = '\0';
    for (int s = 0; s < p->n_services && n < size; s++) {
        if (only >= 0 && s != only)
            continue;
        if (only < 0)
            n += (size_t)snprintf(buf + n, size - n, "%s'%s'", n ? ", " : "", p->services[s].name);
        for (int b = 0; b < p->services[s].n_blocks && n < size; b++) {
            const char *bn = rf_scenario_block_name(sc, s, b);
            if (bn && bn[0])
                n += (size_t)snprintf(buf + n, size - n, "%s'%s' (a block of %s)", n ? ", " : "", bn,
                                      p->services[s].name);
        }
    }
}

/* Find candidate `name`: "SERVICE/BLOCK", a block name (of one service
 * only), or a service name (its own units). */
static int find_candidate(const rf_scenario *sc, const char *name, study_opt_candidate *c,
                          study_error *err)
{
    const rf_params *p = rf_scenario_params(sc);
    char names[800];
    int found = 0;
    memset(c, 0, sizeof *c);
    const char *slash = strrchr(name, '/');
    for (int s = 0; s < p->n_services; s++) {
        const rf_service *sv = &p->services[s];
        for (int b = 0; b < sv->n_blocks; b++) {
            const char *bn = rf_scenario_block_name(sc, s, b);
            int match = bn[0] && !strcmp(bn, name);
            if (!match && slash && bn[0])
                match = strlen(sv->name) == (size_t)(slash - name)
                        && !strncmp(sv->name, name, (size_t)(slash - name)) && !strcmp(bn, slash + 1);
            if (match) {
                if (found++) {
                    return input_error(err, SIM_EINVAL,
                                       "--add '%s': blocks of that name are in more than one "
                                       "service (accepted: SERVICE/BLOCK, e.g. '%s/%s')",
                                       name, sv->name, bn);
                }
                c->service = s;
                c->block = b;
                c->base_units = sv->blocks[b].count;
                c->price = sv->blocks[b].cost_unit_year;
                snprintf(c->label, sizeof c->label, "%s", name);
            }
        }
    }
    if (found)
        return SIM_OK;
    int s = rf_capacity_find_service(p, name);
    if (s < 0) {
        accepted_names(sc, -1, names, sizeof names);
        return input_error(err, SIM_ENOTFOUND,
                           "--add '%s': no block or service of that name (accepted: %s)", name,
                           names);
    }
    const rf_service *sv = &p->services[s];
    if (sv->n_blocks == 0 || rf_scenario_block_name(sc, s, 0)[0] != '\0') {
        accepted_names(sc, s, names, sizeof names);
        return input_error(err, SIM_EINVAL,
                           "--add '%s': every unit of this service is in a named block, so it "
                           "has no units of its own to add (accepted: one of its blocks: %s)",
                           name, names);
    }
    c->service = s;
    c->block = 0;
    c->base_units = sv->blocks[0].count;
    c->price = sv->blocks[0].cost_unit_year;
    snprintf(c->label, sizeof c->label, "%s", name);
    return SIM_OK;
}

int study_optimise_check(const study_optimise_cfg *cfg, study_optimise_result *out,
                         study_error *err)
{
    memset(out, 0, sizeof *out);
    study_error_clear(err);
    err->all_ranks = 1;           /* every rank checks alike */
    if (cfg->metric < 0 || (size_t)cfg->metric >= rf_metric_count())
        return input_error(err, SIM_EINVAL, "--target: unknown metric");
    if (!(cfg->budget > 0) || !isfinite(cfg->budget))
        return input_error(err, SIM_ERANGE, "--budget %g: must be more than 0 (a year's "
                           "cost.per_unit_year of the units added)", cfg->budget);
    if (cfg->n_candidates == 0 || cfg->n_candidates > MAXC)
        return input_error(err, SIM_EINVAL, "--add: name 1 to %d candidate blocks or services",
                           MAXC);
    const rf_points_cfg *pc = &cfg->base.points;
    for (size_t i = 0; i < pc->n_sets; i++)
        if (rf_points_is_pseudo_set(pc->sets[i]))
            return input_error(err, SIM_EINVAL,
                               "--set %s: optimise adds units itself, and spaces or extra[...] "
                               "would rescale or move them (accepted: the scenario's own keys, "
                               "e.g. --set 'services[NAME].units=N')", pc->sets[i]);
    rf_scenario *sc = NULL;
    int rc = rf_scenario_load_file(pc->scenario_path, pc->sets, pc->n_sets, &sc, &err->diags);
    if (rc != SIM_OK) {
        err->status = rc;
        err->input = rc != SIM_ENOMEM;
        return rc;
    }
    out->n_cand = cfg->n_candidates;
    double cheapest = INFINITY;
    int cheap = 0;
    for (size_t k = 0; k < cfg->n_candidates && rc == SIM_OK; k++) {
        study_opt_candidate *c = &out->cand[k];
        if ((rc = find_candidate(sc, cfg->candidates[k], c, err)) != SIM_OK)
            break;
        for (size_t j = 0; j < k && rc == SIM_OK; j++)
            if (out->cand[j].service == c->service && out->cand[j].block == c->block)
                rc = input_error(err, SIM_EINVAL, "--add: '%s' is named twice",
                                 cfg->candidates[k]);
        if (rc == SIM_OK && !(c->price > 0))
            rc = input_error(err, SIM_EINVAL,
                             "--add '%s': has no cost.per_unit_year, and the budget counts a "
                             "year of each unit added (accepted: a block or service with cost: "
                             "{per_unit_year: N}, N > 0)", cfg->candidates[k]);
        if (rc == SIM_OK && c->price < cheapest) {
            cheapest = c->price;
            cheap = (int)k;
        }
    }
    /* blocks keep their indices when units are added: the service's own
     * units must already be a block (checked above), and so are named ones */
    rf_scenario_free(sc);
    if (rc != SIM_OK)
        return rc;
    if (cheapest > cfg->budget)
        return input_error(err, SIM_ERANGE,
                           "--budget %.10g buys no unit: the cheapest candidate, %s, costs %.10g "
                           "a year (accepted: a budget of at least %.10g)", cfg->budget,
                           out->cand[cheap].label, cheapest, cheapest);
    return SIM_OK;
}

/* With a results file every step of the path is stored as a point
 * labelled by the units of every key (rf_points_label: "accessible=3,
 * ..."), and labels are stored whole, never cut.  The longest label a mix
 * can have, every candidate at the most the budget buys of it (more
 * digits, never fewer), must fit: checked before anything runs, so that
 * no search is refused after it has run.  (Beyond 10^8 units of one
 * candidate no search gets: the bound stops there.) */
static int check_path_labels(const study_optimise_cfg *cfg, const study_optimise_result *r,
                             const key_set *ks, const char *const *key_ptrs, study_error *err)
{
    int most[MAXC], v[MAX_KEYS];
    for (size_t k = 0; k < r->n_cand; k++) {
        double n = floor(cfg->budget * (1 + 1e-12) / r->cand[k].price);
        most[k] = n < 1e8 ? (int)n : 100000000;
    }
    mix_values(ks, r->n_cand, most, v);
    char txt[MAX_KEYS][24], msg[256];
    const char *vals[MAX_KEYS];
    double nums[MAX_KEYS];
    for (size_t j = 0; j < ks->n_keys; j++) {
        snprintf(txt[j], sizeof txt[j], "%d", v[j]);
        vals[j] = txt[j];
        nums[j] = v[j];
    }
    rf_points_cfg pc = cfg->base.points;
    pc.n_vary = ks->n_keys;
    pc.vary_keys = key_ptrs;
    rf_points *pts = NULL;
    int rc = rf_points_create(&pc, &pts);
    if (rc == SIM_OK)
        rc = rf_points_add(pts, vals, nums, msg, sizeof msg);
    if (rc == SIM_OK)
        rc = rf_points_load(pts, 0, &err->diags);
    size_t n = rc == SIM_OK ? rf_points_label(pts, NULL, 0) : 0;
    char start[64] = "";
    if (rc == SIM_OK)
        rf_points_label(pts, start, sizeof start);
    sim_text_drop_partial(start);     /* not half a character */
    rf_points_free(pts);
    err->diags.n = err->diags.dropped = 0;
    if (rc == SIM_ENOMEM)
        return study_error_set(err, rc, 0, "out of memory");
    if (rc != SIM_OK || n < AN_LABEL_MAX)
        return SIM_OK;           /* a mix that cannot load is refused where it is met */
    return input_error(err, SIM_ERANGE,
                       "--add: the results file stores every step of the path labelled by the "
                       "units of each candidate, which can take %zu bytes ('%s...'), more than "
                       "the %d a label can have (labels are stored whole in the results file and "
                       "printed whole, never cut): name fewer candidates, or leave out -o",
                       n, start, AN_LABEL_MAX - 1);
}

/* ---------------------------------------------------------- search -- */

typedef struct {
    int mix[MAXC];
    size_t point;
    long reps;
    int live;                 /* has a point with replications */
} mix_eval;

typedef struct {
    const study_optimise_cfg *cfg;
    study_optimise_result *res;
    study_cfg scfg;
    study *st;
    key_set ks;
    const char *key_ptrs[MAX_KEYS];
    long reps, max_reps;
    double sign;              /* +1 when reducing the target: gain = sign (current - candidate) */
} search;

static double mix_cost(const search *s, const int *mix)
{
    double c = 0;
    for (size_t k = 0; k < s->res->n_cand; k++)
        c += mix[k] * s->res->cand[k].price;
    return c;
}

/* Whether a mix fits the budget, with room for rounding in the sum. */
static int fits(const search *s, const int *mix)
{
    return mix_cost(s, mix) <= s->cfg->budget * (1 + 1e-12);
}

/* A new point for the mix, with its first replications. */
static int eval_start(search *s, mix_eval *e, study_error *err)
{
    int v[MAX_KEYS];
    char txt[MAX_KEYS][24];
    const char *vals[MAX_KEYS];
    double nums[MAX_KEYS];
    mix_values(&s->ks, s->res->n_cand, e->mix, v);
    for (size_t j = 0; j < s->ks.n_keys; j++) {
        snprintf(txt[j], sizeof txt[j], "%d", v[j]);
        vals[j] = txt[j];
        nums[j] = v[j];
    }
    int rc = study_add_point(s->st, vals, nums, &e->point, err);
    if (rc != SIM_OK)
        return rc;
    e->live = 1;              /* forgotten too when interrupted below */
    e->reps = 0;
    long reps = s->reps;
    if (s->cfg->precision) {
        study_precision_result pr;
        if ((rc = study_precision_point(s->st, e->point, s->cfg->precision, &pr, err)) != SIM_OK)
            return rc;
        reps = (long)pr.reps;
    }
    if ((rc = study_extend(s->st, e->point, (size_t)reps, err)) != SIM_OK)
        return rc;
    e->reps = reps;
    return SIM_OK;
}

static int eval_extend(search *s, mix_eval *e, long reps, study_error *err)
{
    if (reps <= e->reps)
        return SIM_OK;
    int rc = study_extend(s->st, e->point, (size_t)reps, err);
    if (rc == SIM_OK)
        e->reps = reps;
    return rc;
}

static void eval_forget(search *s, mix_eval *e)
{
    if (e->live)
        study_forget(s->st, e->point);
    e->live = 0;
}

/* Rank 0: the linear combination sum_j w[j] R_j of the target's estimates
 * at n points over the replications they share (the first of each, in
 * replication order), with its delta-method 95% half-width: each
 * replication's influence sum_j w_j (num_j - R_j den_j) / mean(den_j), as
 * sim_ratio_paired_diff for two.  A mean over replications has den 1. */
static int row_ok(const an_point_summary *const *ps, size_t n, size_t r, int metric)
{
    size_t i = r * rf_metric_count() + (size_t)metric;
    for (size_t j = 0; j < n; j++)
        if (isnan(ps[j]->num[i]) || isnan(ps[j]->den[i]) || ps[j]->reps[r] != ps[0]->reps[r])
            return 0;
    return 1;
}

static void lincomb(const an_point_summary *const *ps, const double *w, size_t n, int metric,
                    double *est, double *ci)
{
    size_t m = SIZE_MAX, nm = rf_metric_count();
    for (size_t j = 0; j < n; j++)
        if (ps[j]->n_reps < m)
            m = ps[j]->n_reps;
    double sy[4] = {0}, sx[4] = {0};
    size_t used = 0;
    for (size_t r = 0; r < m; r++) {
        if (!row_ok(ps, n, r, metric))
            continue;
        for (size_t j = 0; j < n; j++) {
            sy[j] += ps[j]->num[r * nm + (size_t)metric];
            sx[j] += ps[j]->den[r * nm + (size_t)metric];
        }
        used++;
    }
    double R[4];
    *est = 0;
    for (size_t j = 0; j < n; j++) {
        R[j] = sx[j] != 0 ? sy[j] / sx[j] : NAN;
        *est += w[j] * R[j];
    }
    *ci = NAN;
    if (used < 2 || isnan(*est))
        return;
    double ss = 0;
    for (size_t r = 0; r < m; r++) {
        if (!row_ok(ps, n, r, metric))
            continue;
        double z = 0;
        for (size_t j = 0; j < n; j++)
            z += w[j] * (ps[j]->num[r * nm + (size_t)metric] - R[j] * ps[j]->den[r * nm + (size_t)metric])
                 / (sx[j] / (double)used);
        ss += z * z;
    }
    *ci = sim_t975(used - 1) * sqrt(ss / ((double)used * (double)(used - 1)));
}

/* What rank 0 decides next, broadcast to every rank. */
enum { ACT_EXTEND, ACT_ACCEPT, ACT_STOP };
typedef struct {
    int kind;
    int a, b;                 /* ACT_EXTEND: candidates a and b (-1: none); ACT_ACCEPT: a */
    long reps;                /* ACT_EXTEND: to this many */
    int close_call;
    double gain, gain_ci;     /* ACT_ACCEPT: candidate a's gain */
    sim_summary s;            /* ACT_ACCEPT: the target at candidate a */
} action;

/* Rank 0: the next action among candidates cand[0..n) against cur.
 * per_money: rank by gain per unit of money (greedy) or by gain (swaps).
 * set_aside[k]: candidate k could not be shown to improve at max_reps. */
static int choose(search *s, const mix_eval *cur, const mix_eval *cand, const double *price,
                  size_t n, int per_money, unsigned char *set_aside, action *act)
{
    an_point_summary pc, *pk = calloc(n, sizeof *pk);
    if (!pk)
        return SIM_ENOMEM;
    int rc = study_point_summary(s->st, cur->point, &pc);
    if (rc != SIM_OK) {
        free(pk);
        return rc;
    }
    double gain[MAXC * MAXC], gci[MAXC * MAXC];
    for (size_t k = 0; k < n && rc == SIM_OK; k++) {
        gain[k] = gci[k] = NAN;
        if (!cand[k].live || set_aside[k])
            continue;
        if ((rc = study_point_summary(s->st, cand[k].point, &pk[k])) != SIM_OK)
            break;
        const an_point_summary *two[2] = {&pc, &pk[k]};
        double w[2] = {s->sign, -s->sign};
        lincomb(two, w, 2, s->cfg->metric, &gain[k], &gci[k]);
    }
    act->kind = ACT_STOP;
    act->a = act->b = -1;
    act->close_call = 0;
    for (int pass = 0; rc == SIM_OK && pass < 2 * (int)n + 1; pass++) {
        /* the best two by score among those not set aside, gain > 0 */
        int c1 = -1, c2 = -1;
        double sc1 = 0, sc2 = 0;
        for (size_t k = 0; k < n; k++) {
            if (!cand[k].live || set_aside[k] || !(gain[k] > 0))
                continue;
            double sc = per_money ? gain[k] / price[k] : gain[k];
            if (c1 < 0 || sc > sc1) {
                c2 = c1;
                sc2 = sc1;
                c1 = (int)k;
                sc1 = sc;
            } else if (c2 < 0 || sc > sc2) {
                c2 = (int)k;
                sc2 = sc;
            }
        }
        if (c1 < 0)
            break;                            /* nothing improves: stop */
        /* c1 must improve with 95% confidence */
        if (!(gain[c1] - gci[c1] > 0)) {
            if (cand[c1].reps < s->max_reps) {
                act->kind = ACT_EXTEND;
                act->a = c1;
                act->reps = 2 * cand[c1].reps < s->max_reps ? 2 * cand[c1].reps : s->max_reps;
                break;
            }
            set_aside[c1] = 1;
            continue;
        }
        if (c2 >= 0) {
            /* the paired difference of the two scores: g1/p1 - g2/p2 with
             * g = sign (R_cur - R_k) */
            const an_point_summary *three[3] = {&pc, &pk[c1], &pk[c2]};
            double q1 = per_money ? 1 / price[c1] : 1, q2 = per_money ? 1 / price[c2] : 1;
            double w[3] = {s->sign * (q1 - q2), -s->sign * q1, s->sign * q2}, d, dci;
            lincomb(three, w, 3, s->cfg->metric, &d, &dci);
            if (!(fabs(d) > dci)) {
                long have = cand[c1].reps > cand[c2].reps ? cand[c1].reps : cand[c2].reps;
                if (cand[c1].reps < s->max_reps || cand[c2].reps < s->max_reps) {
                    act->kind = ACT_EXTEND;
                    act->a = c1;
                    act->b = c2;
                    act->reps = 2 * have < s->max_reps ? 2 * have : s->max_reps;
                    break;
                }
                act->close_call = 1;
            }
        }
        act->kind = ACT_ACCEPT;
        act->a = c1;
        act->gain = gain[c1];
        act->gain_ci = gci[c1];
        act->s = pk[c1].metrics[s->cfg->metric].s;
        break;
    }
    an_point_summary_free(&pc);
    for (size_t k = 0; k < n; k++)
        an_point_summary_free(&pk[k]);
    free(pk);
    return rc;
}

static int push_step(search *s, const study_opt_step *st)
{
    study_optimise_result *r = s->res;
    study_opt_step *ns = realloc(r->steps, (r->n_steps + 1) * sizeof *ns);
    if (!ns)
        return SIM_ENOMEM;
    r->steps = ns;
    r->steps[r->n_steps++] = *st;
    if (st->reps > r->max_reps_used)
        r->max_reps_used = st->reps;
    if (sim_farm_rank() == 0 && s->cfg->on_step)
        s->cfg->on_step(s->cfg->user, st);
    return SIM_OK;
}

static void forget_all(search *s, mix_eval *cand, size_t n)
{
    for (size_t k = 0; k < n; k++)
        eval_forget(s, &cand[k]);
}

/* Make candidate a the current mix and forget the others (and the mix
 * before, unless an interrupted search is to write the steps). */
static void adopt(search *s, mix_eval *cur, mix_eval *cand, size_t n, int a)
{
    if (!s->cfg->partial_out)
        eval_forget(s, cur);
    *cur = cand[a];
    cand[a].live = 0;         /* cur's now: forget_all leaves it */
    for (size_t k = 0; k < n; k++)
        if ((int)k != a)
            eval_forget(s, &cand[k]);
}

static void fill_step(const search *s, study_opt_step *st, const mix_eval *e, int kind, int added,
                      int removed, const action *act)
{
    memset(st, 0, sizeof *st);
    st->kind = kind;
    st->added = added;
    st->removed = removed;
    memcpy(st->mix, e->mix, sizeof st->mix);
    for (size_t k = 0; k < s->res->n_cand; k++)
        st->units += e->mix[k];
    st->cost = mix_cost(s, e->mix);
    st->reps = e->reps;
    if (act) {
        st->s = act->s;
        st->gain = act->gain;
        st->gain_ci95 = act->gain_ci;
        st->close_call = act->close_call;
    }
    /* Rank 0 alone computes it (on_step is rank 0's): out of memory here
     * leaves no verdict rather than parting the ranks. */
    if (sim_farm_rank() == 0) {
        study_point_steady(s->st, e->point, 0, 0, &st->steady);
    }
}

/* One round over the candidate mixes cand[0..n) (each with its first
 * replications) against *cur: extend as rank 0 says until it accepts one
 * (*accepted its index; it becomes *cur and a step of the path, of `kind`,
 * adding candidate added[k] and removing removed[k], NULL: none) or stops
 * (*accepted -1); the other candidates are forgotten. */
static int round_of(search *s, mix_eval *cur, mix_eval *cand, const double *price, size_t n,
                    int per_money, int kind, const int *added, const int *removed, int *accepted,
                    study_error *err)
{
    unsigned char set_aside[MAXC * MAXC] = {0};
    int rc;
    *accepted = -1;
    for (;;) {
        long need = cur->reps;
        for (size_t k = 0; k < n; k++)
            if (cand[k].live && cand[k].reps > need)
                need = cand[k].reps;
        if ((rc = eval_extend(s, cur, need, err)) != SIM_OK)
            return rc;
        action act;
        memset(&act, 0, sizeof act);
        rc = SIM_OK;
        if (sim_farm_rank() == 0)
            rc = choose(s, cur, cand, price, n, per_money, set_aside, &act);
        if ((rc = sim_farm_bcast_int(rc)) != SIM_OK)
            return study_error_set(err, rc, 0, "out of memory");
        sim_farm_bcast_bytes(&act, sizeof act);
        if (act.kind == ACT_EXTEND) {
            if ((rc = eval_extend(s, &cand[act.a], act.reps, err)) != SIM_OK)
                return rc;
            if (act.b >= 0 && (rc = eval_extend(s, &cand[act.b], act.reps, err)) != SIM_OK)
                return rc;
            continue;
        }
        if (act.kind != ACT_ACCEPT) {
            for (size_t k = 0; k < n; k++)
                eval_forget(s, &cand[k]);
            return SIM_OK;
        }
        *accepted = act.a;
        adopt(s, cur, cand, n, act.a);
        study_opt_step st;
        fill_step(s, &st, cur, kind, added[act.a], removed ? removed[act.a] : -1, &act);
        if ((rc = push_step(s, &st)) != SIM_OK)
            return study_error_set(err, rc, 0, "out of memory");
        return SIM_OK;
    }
}

/* Greedy: add the best unit per money while one improves. */
static int greedy(search *s, mix_eval *cur, int *added_any, study_error *err)
{
    size_t n = s->res->n_cand;
    *added_any = 0;
    for (;;) {
        mix_eval cand[MAXC];
        double price[MAXC];
        size_t live = 0;
        int rc = SIM_OK;
        memset(cand, 0, sizeof cand);
        for (size_t k = 0; k < n && rc == SIM_OK; k++) {
            memcpy(cand[k].mix, cur->mix, sizeof cand[k].mix);
            cand[k].mix[k]++;
            price[k] = s->res->cand[k].price;
            if (!fits(s, cand[k].mix))
                continue;
            rc = eval_start(s, &cand[k], err);
            live++;
        }
        if (rc != SIM_OK) {
            forget_all(s, cand, n);
            return rc;
        }
        if (!live) {
            s->res->stopped = STUDY_OPT_STOP_BUDGET;
            return SIM_OK;
        }
        int a, idx[MAXC];
        for (size_t k = 0; k < n; k++)
            idx[k] = (int)k;
        if ((rc = round_of(s, cur, cand, price, n, 1, STUDY_OPT_ADD, idx, NULL, &a, err)) != SIM_OK) {
            forget_all(s, cand, n);
            return rc;
        }
        if (a < 0) {
            s->res->stopped = STUDY_OPT_STOP_NO_GAIN;
            return SIM_OK;
        }
        *added_any = 1;
    }
}

/* One swap: the best mix with one added unit of A replaced by one of B. */
static int swap_once(search *s, mix_eval *cur, int *swapped, study_error *err)
{
    size_t n = s->res->n_cand, m = 0;
    mix_eval cand[MAXC * MAXC];
    double price[MAXC * MAXC];
    int from[MAXC * MAXC], to[MAXC * MAXC], rc = SIM_OK, k = -1;
    *swapped = 0;
    memset(cand, 0, sizeof cand);
    for (size_t a = 0; a < n && rc == SIM_OK; a++)
        for (size_t b = 0; b < n && rc == SIM_OK && cur->mix[a] > 0; b++) {
            if (a == b)
                continue;
            memcpy(cand[m].mix, cur->mix, sizeof cand[m].mix);
            cand[m].mix[a]--;
            cand[m].mix[b]++;
            if (!fits(s, cand[m].mix))
                continue;
            price[m] = 1;
            from[m] = (int)a;
            to[m] = (int)b;
            rc = eval_start(s, &cand[m], err);
            m++;
        }
    if (rc == SIM_OK && m > 0)
        rc = round_of(s, cur, cand, price, m, 0, STUDY_OPT_SWAP, to, from, &k, err);
    if (rc != SIM_OK || m == 0) {
        forget_all(s, cand, m);
        return rc;
    }
    *swapped = k >= 0;
    return SIM_OK;
}

/* The floor at the final mix *cur against the scenario as it is, on the
 * same replications (rank 0 computes, every rank learns). */
static int final_floor(search *s, mix_eval *cur, study_error *err)
{
    study_optimise_result *r = s->res;
    mix_eval start;
    memset(&start, 0, sizeof start);
    int rc = eval_start(s, &start, err);
    if (rc == SIM_OK)
        rc = eval_extend(s, &start, cur->reps, err);
    if (rc != SIM_OK) {
        eval_forget(s, &start);   /* the scenario as it is: step 0 already */
        return rc;
    }
    if (sim_farm_rank() == 0) {
        study_floor_report f;
        rc = study_floor_points(s->st, start.point, cur->point, s->cfg->metric, &f);
        r->floor = f.floor;
        r->floor_change = f.change;
        r->floor_bounded = f.bounded;
        r->floor_bound = f.bound;
    }
    if ((rc = sim_farm_bcast_int(rc)) != SIM_OK) {
        eval_forget(s, &start);
        return sim_farm_rank() == 0 ? study_error_set(err, rc, 0, "reading the replications' records back failed: %s", sim_strerror(rc)) : rc;
    }
    sim_farm_bcast_bytes(&r->floor, sizeof r->floor);
    sim_farm_bcast_bytes(&r->floor_change, sizeof r->floor_change);
    r->floor_bounded = sim_farm_bcast_int(r->floor_bounded);
    sim_farm_bcast_bytes(&r->floor_bound, sizeof r->floor_bound);
    eval_forget(s, &start);
    return SIM_OK;
}

/* Interrupted: the steps decided so far (the candidates of the round in
 * progress were forgotten), each with the replications it had. */
static void write_steps(search *s)
{
    study_optimise_result *r = s->res;
    study_error *werr = malloc(sizeof *werr);
    r->partial_status = werr ? study_write_partial(s->st, s->cfg->partial_out,
                                                   s->cfg->partial_force, s->cfg->partial_note,
                                                   &r->partial_written, werr)
                             : SIM_ENOMEM;
    if (r->partial_status != SIM_OK)
        snprintf(r->partial_message, sizeof r->partial_message, "%s",
                 werr ? werr->message : "out of memory");
    free(werr);
}

int study_optimise(const study_optimise_cfg *cfg, study_optimise_result *out, study_error *err)
{
    int rc = study_optimise_check(cfg, out, err);
    if (rc != SIM_OK)
        return rc;
    search s = {.cfg = cfg, .res = out, .sign = cfg->maximise ? -1 : 1};
    if ((rc = load_keys(cfg, out, &s.ks, &err->diags)) != SIM_OK)
        return study_error_set(err, rc, rc != SIM_ENOMEM, "%s", "");
    for (size_t j = 0; j < s.ks.n_keys; j++)
        s.key_ptrs[j] = s.ks.keys[j];
    if (cfg->partial_out
        && (rc = check_path_labels(cfg, out, &s.ks, s.key_ptrs, err)) != SIM_OK)
        return rc;
    s.reps = cfg->reps ? cfg->reps : 100;
    s.max_reps = cfg->max_reps ? cfg->max_reps
                 : cfg->precision ? STUDY_PRECISION_MAX_REPS : s.reps * 8;
    if (s.max_reps < s.reps)
        s.max_reps = s.reps;
    s.scfg = cfg->base;
    s.scfg.points.n_vary = s.ks.n_keys;
    s.scfg.points.vary_keys = s.key_ptrs;
    s.scfg.grid = NULL;
    s.scfg.no_points = 1;
    s.scfg.out_path = NULL;
    s.scfg.keep_summaries = 0;
    if ((rc = study_open(&s.scfg, &s.st, err)) != SIM_OK)
        return rc;
    mix_eval cur;
    memset(&cur, 0, sizeof cur);
    if ((rc = eval_start(&s, &cur, err)) != SIM_OK)
        goto done;
    study_opt_step st;
    action first;
    memset(&first, 0, sizeof first);
    if (sim_farm_rank() == 0) {
        an_point_summary ps;
        if ((rc = study_point_summary(s.st, cur.point, &ps)) == SIM_OK) {
            first.s = ps.metrics[cfg->metric].s;
            an_point_summary_free(&ps);
        }
    }
    if ((rc = sim_farm_bcast_int(rc)) != SIM_OK) {
        study_error_set(err, rc, 0, "out of memory");
        goto done;
    }
    sim_farm_bcast_bytes(&first, sizeof first);
    fill_step(&s, &st, &cur, STUDY_OPT_START, -1, -1, &first);
    st.gain = st.gain_ci95 = 0;
    if ((rc = push_step(&s, &st)) != SIM_OK) {
        study_error_set(err, rc, 0, "out of memory");
        goto done;
    }
    int added, swapped = 0;
    if ((rc = greedy(&s, &cur, &added, err)) != SIM_OK)
        goto done;
    for (int i = 0; i < MAX_SWAPS; i++) {
        if ((rc = swap_once(&s, &cur, &swapped, err)) != SIM_OK || !swapped)
            break;
        if ((rc = greedy(&s, &cur, &added, err)) != SIM_OK)
            break;
    }
    if (rc == SIM_OK)
        rc = final_floor(&s, &cur, err);
done:
    if (rc == SIM_EINTR && cfg->partial_out)
        write_steps(&s);
    study_free(s.st);
    return rc;
}

void study_optimise_result_free(study_optimise_result *r)
{
    if (!r)
        return;
    free(r->steps);
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------ path -- */

struct study_opt_path {
    key_set ks;
    const char *key_ptrs[MAX_KEYS];
    char **values;            /* n_steps x n_keys */
    size_t n_values;
};

void study_optimise_path_free(study_opt_path *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_values; i++)
        free(p->values[i]);
    free(p->values);
    free(p);
}

int study_optimise_path(const study_optimise_cfg *cfg, const study_optimise_result *r,
                        study_cfg *out, study_opt_path **keep)
{
    *keep = NULL;
    study_opt_path *p = calloc(1, sizeof *p);
    if (!p)
        return SIM_ENOMEM;
    int rc = load_keys(cfg, r, &p->ks, NULL);
    if (rc != SIM_OK) {
        free(p);
        return rc;
    }
    size_t nk = p->ks.n_keys;
    p->values = calloc(r->n_steps * nk + 1, sizeof *p->values);
    if (!p->values) {
        free(p);
        return SIM_ENOMEM;
    }
    for (size_t j = 0; j < nk; j++)
        p->key_ptrs[j] = p->ks.keys[j];
    for (size_t i = 0; i < r->n_steps; i++) {
        int v[MAX_KEYS];
        mix_values(&p->ks, r->n_cand, r->steps[i].mix, v);
        for (size_t j = 0; j < nk; j++) {
            char buf[24];
            snprintf(buf, sizeof buf, "%d", v[j]);
            if (!(p->values[p->n_values++] = strdup(buf))) {
                study_optimise_path_free(p);
                return SIM_ENOMEM;
            }
        }
    }
    *out = cfg->base;
    out->points.n_vary = nk;
    out->points.vary_keys = p->key_ptrs;
    out->points.reps = r->max_reps_used;
    out->grid = NULL;
    out->no_points = 0;
    out->list_values = (const char *const *)p->values;
    out->n_list_points = r->n_steps;
    out->precision = NULL;
    *keep = p;
    return SIM_OK;
}
