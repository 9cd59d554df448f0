#include "an_yaml_marks.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim_status.h"

/* One value the reader found: its path, value and comment. */
typedef struct {
    char *path, *value, *comment;
    int inherited;
} leaf;

typedef struct {
    leaf *v;
    size_t n, cap;
    int oom;
} leaves;

typedef struct {
    int indent;
    char name[96];          /* key, or "[k]" for a list item */
    int items;              /* list items seen under this key */
    char comment[512];      /* the key's own comment */
} frame;

#define DEPTH 16

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* Where a line's comment starts ('#' outside quotes, at the start or after
 * a space), or the line's end. */
static size_t comment_at(const char *l, size_t n)
{
    char q = 0;
    for (size_t i = 0; i < n; i++) {
        if (q) {
            if (l[i] == q)
                q = 0;
        } else if (l[i] == '"' || l[i] == '\'') {
            q = l[i];
        } else if (l[i] == '#' && (i == 0 || l[i - 1] == ' ' || l[i - 1] == '\t')) {
            return i;
        }
    }
    return n;
}

static void add(leaves *L, const char *path, const char *value, size_t vn, const char *comment,
                int inherited)
{
    if (L->n == L->cap) {
        size_t cap = L->cap ? 2 * L->cap : 64;
        leaf *v = realloc(L->v, cap * sizeof *v);
        if (!v) {
            L->oom = 1;
            return;
        }
        L->v = v;
        L->cap = cap;
    }
    leaf *x = &L->v[L->n];
    x->path = dupn(path, strlen(path));
    x->value = dupn(value, vn);
    x->comment = dupn(comment, strlen(comment));
    x->inherited = inherited && comment[0];
    if (!x->path || !x->value || !x->comment) {
        free(x->path);
        free(x->value);
        free(x->comment);
        L->oom = 1;
        return;
    }
    L->n++;
}

static void path_of(const frame *st, int depth, const char *key, char *buf, size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i <= depth && len < size; i++) {
        const char *name = i < depth ? st[i].name : key;
        if (!name[0])
            continue;
        int w = snprintf(buf + len, size - len, "%s%s", name[0] == '[' || !len ? "" : ".", name);
        if (w < 0)
            break;
        len += (size_t)w;
    }
}

/* The nearest enclosing comment, for a value without its own. */
static const char *section_comment(const frame *st, int depth)
{
    for (int i = depth - 1; i >= 0; i--)
        if (st[i].comment[0])
            return st[i].comment;
    return "";
}

/* "{a: 1, b: x}" as leaves path.a, path.b (one level; values kept whole). */
static void add_flow_map(leaves *L, const char *path, const char *v, size_t n, const char *comment,
                         int inherited)
{
    const char *p = v + 1, *end = v + n - 1;
    while (p < end) {
        int depth = 0;
        const char *q = p;
        for (; q < end; q++) {
            if (*q == '{' || *q == '[')
                depth++;
            else if (*q == '}' || *q == ']')
                depth--;
            else if (*q == ',' && depth == 0)
                break;
        }
        const char *colon = memchr(p, ':', (size_t)(q - p));
        if (colon) {
            const char *k = p, *val = colon + 1;
            size_t kn = (size_t)(colon - p), vn = (size_t)(q - val);
            trim(&k, &kn);
            trim(&val, &vn);
            size_t pn = strlen(path);
            char sub[512];
            if (pn + kn + 2 <= sizeof sub) {
                memcpy(sub, path, pn);
                sub[pn] = '.';
                memcpy(sub + pn + 1, k, kn);
                sub[pn + 1 + kn] = '\0';
                add(L, sub, val, vn, comment, inherited);
            }
        }
        p = q + 1;
    }
}

/* Read one YAML text into leaves. */
static void read_yaml(const char *text, leaves *L)
{
    frame st[DEPTH];
    int depth = 0;
    const char *l = text;
    char path[512];
    while (l && *l) {
        const char *eol = strchr(l, '\n');
        size_t n = eol ? (size_t)(eol - l) : strlen(l);
        const char *next = eol ? eol + 1 : NULL;
        int indent = 0;
        while ((size_t)indent < n && l[indent] == ' ')
            indent++;
        const char *body = l + indent;
        size_t bn = n - (size_t)indent;
        size_t ci = comment_at(body, bn);
        const char *cm = body + ci;
        size_t cn = bn - ci;
        if (cn) {
            cm++, cn--;
            trim(&cm, &cn);
        }
        size_t kn0 = ci;
        trim(&body, &kn0);
        if (!kn0) {
            l = next;
            continue; /* blank or comment-only line */
        }
        int item = body[0] == '-' && (kn0 == 1 || body[1] == ' ');
        if (item) {
            while (depth > 0 && (st[depth - 1].indent > indent
                                 || (st[depth - 1].indent == indent && st[depth - 1].name[0] == '[')))
                depth--;
            if (depth >= DEPTH)
                return;
            int k = depth > 0 ? st[depth - 1].items++ : 0;
            st[depth] = (frame){.indent = indent};
            snprintf(st[depth].name, sizeof st[depth].name, "[%d]", k);
            snprintf(st[depth].comment, sizeof st[depth].comment, "%.*s", (int)cn, cm);
            depth++;
            body += 1;
            kn0 -= 1;
            trim(&body, &kn0);
            indent += 2;
            if (!kn0) {
                l = next;
                continue;
            }
            if (body[0] == '{' && body[kn0 - 1] == '}') {
                path_of(st, depth, "", path, sizeof path);
                const char *c = cn ? st[depth - 1].comment : section_comment(st, depth - 1);
                add_flow_map(L, path, body, kn0, c, !cn);
                l = next;
                continue;
            }
        } else {
            while (depth > 0 && st[depth - 1].indent >= indent)
                depth--;
        }
        const char *colon = NULL;
        for (size_t i = 0; i + 1 <= kn0; i++)
            if (body[i] == ':' && (i + 1 == kn0 || body[i + 1] == ' ')) {
                colon = body + i;
                break;
            }
        if (!colon) {
            if (item) { /* a scalar list item: "- value" */
                path_of(st, depth, "", path, sizeof path);
                add(L, path, body, kn0, cn ? st[depth - 1].comment : section_comment(st, depth - 1),
                    !cn);
            }
            l = next;
            continue;
        }
        const char *key = body, *val = colon + 1;
        size_t kn = (size_t)(colon - body), vn = kn0 - kn - 1;
        trim(&key, &kn);
        trim(&val, &vn);
        char keyname[96];
        snprintf(keyname, sizeof keyname, "%.*s", (int)kn, key);
        /* a comment on the lines below, indented further (a continuation) */
        char own[512];
        snprintf(own, sizeof own, "%.*s", (int)cn, cm);
        if (!cn && vn && next) {
            const char *c2 = next;
            while (*c2 == ' ')
                c2++;
            if (*c2 == '#' && c2 - next > indent) {
                const char *e2 = strchr(c2, '\n');
                size_t n2 = e2 ? (size_t)(e2 - c2 - 1) : strlen(c2 + 1);
                const char *t = c2 + 1;
                trim(&t, &n2);
                snprintf(own, sizeof own, "%.*s", (int)n2, t);
            }
        }
        if (vn == 0 || (vn <= 2 && (val[0] == '>' || val[0] == '|'))) {
            if (vn) { /* a folded or literal scalar: skip its lines */
                while (next) {
                    const char *c2 = next;
                    while (*c2 == ' ')
                        c2++;
                    if (*c2 != '\n' && *c2 && c2 - next <= indent)
                        break;
                    next = strchr(next, '\n');
                    next = next ? next + 1 : NULL;
                }
                path_of(st, depth, keyname, path, sizeof path);
                add(L, path, "(text)", 6, own[0] ? own : section_comment(st, depth), !own[0]);
                l = next;
                continue;
            }
            if (depth >= DEPTH)
                return;
            st[depth] = (frame){.indent = indent};
            snprintf(st[depth].name, sizeof st[depth].name, "%s", keyname);
            snprintf(st[depth].comment, sizeof st[depth].comment, "%s", own);
            depth++;
        } else {
            path_of(st, depth, keyname, path, sizeof path);
            add(L, path, val, vn, own[0] ? own : section_comment(st, depth), !own[0]);
        }
        l = next;
    }
}

static void leaves_free(leaves *L)
{
    for (size_t i = 0; i < L->n; i++) {
        free(L->v[i].path);
        free(L->v[i].value);
        free(L->v[i].comment);
    }
    free(L->v);
}

static an_mark classify(const char *c)
{
    if (!c[0])
        return AN_MARK_NONE;
    if (strstr(c, "TUNED"))
        return AN_MARK_TUNED;
    if (strstr(c, "CHOSEN"))
        return AN_MARK_CHOSEN;
    if (strstr(c, "ASSUMED"))
        return AN_MARK_ASSUMED;
    const char *b = strchr(c, '[');
    if (b && isupper((unsigned char)b[1]) && strchr(b, ']'))
        return AN_MARK_SOURCE;
    return AN_MARK_NOTE;
}

const char *an_mark_name(an_mark m)
{
    static const char *const names[AN_MARK_N] = {"source",  "ASSUMED",    "TUNED",   "CHOSEN",
                                                 "note",    "not marked", "default", "unknown"};
    return (unsigned)m < AN_MARK_N ? names[m] : "?";
}

void an_assumptions_free(an_assumption *a, size_t n)
{
    for (size_t i = 0; a && i < n; i++) {
        free(a[i].path);
        free(a[i].value);
        free(a[i].comment);
    }
    free(a);
}

int an_assumptions(const char *resolved, const char *source, an_assumption **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    leaves R = {0};
    read_yaml(resolved, &R);
    /* the files as written, each on its own (most derived first) */
    leaves *S = NULL;
    size_t ns = 0;
    int oom = R.oom;
    if (source) {
        for (const char *p = source; p; p = strstr(p + 1, "# file: "))
            ns++;
        S = calloc(ns + 1, sizeof *S);
        oom |= !S;
        size_t k = 0;
        for (const char *p = source; S && p && k < ns; k++) {
            const char *q = strstr(p + 1, "# file: ");
            char *part = dupn(p, q ? (size_t)(q - p) : strlen(p));
            if (!part) {
                oom = 1;
                break;
            }
            read_yaml(part, &S[k]);
            oom |= S[k].oom;
            free(part);
            p = q;
        }
    }
    an_assumption *a = calloc(R.n + 1, sizeof *a);
    oom |= !a;
    size_t m = 0;
    for (size_t i = 0; !oom && i < R.n; i++) {
        if (!strcmp(R.v[i].path, "description") || !strcmp(R.v[i].path, "name"))
            continue;
        const leaf *hit = NULL;
        for (size_t k = 0; S && k < ns && !hit; k++)
            for (size_t j = 0; j < S[k].n; j++)
                if (!strcmp(S[k].v[j].path, R.v[i].path)) {
                    hit = &S[k].v[j];
                    break;
                }
        an_assumption *x = &a[m];
        x->path = R.v[i].path;
        x->value = R.v[i].value;
        R.v[i].path = R.v[i].value = NULL;
        x->comment = dupn(hit ? hit->comment : "", strlen(hit ? hit->comment : ""));
        oom |= !x->comment;
        x->inherited = hit ? hit->inherited : 0;
        x->mark = !source ? AN_MARK_UNKNOWN : !hit ? AN_MARK_DEFAULT : classify(hit->comment);
        m++;
    }
    leaves_free(&R);
    for (size_t k = 0; S && k < ns; k++)
        leaves_free(&S[k]);
    free(S);
    if (oom) {
        an_assumptions_free(a, m);
        return SIM_ENOMEM;
    }
    *out = a;
    *n = m;
    return SIM_OK;
}

char *an_scenario_sources(const char *source)
{
    size_t cap = 256, len = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[0] = '\0';
    int in_entry = 0;
    for (const char *l = source; l && *l;) {
        const char *eol = strchr(l, '\n');
        size_t n = eol ? (size_t)(eol - l) : strlen(l);
        const char *t = l;
        size_t tn = n;
        int comment = tn && t[0] == '#';
        if (comment) {
            t++, tn--;
        }
        size_t lead = 0;
        while (lead < tn && t[lead] == ' ')
            lead++;
        const char *txt = t + lead;
        size_t txn = tn - lead;
        int starts = comment && txn > 3 && txt[0] == '[' && isupper((unsigned char)txt[1])
                     && memchr(txt, ']', txn < 12 ? txn : 12) && lead >= 2;
        int cont = comment && in_entry && !starts && lead > 3 && txn;
        if (starts || cont) {
            if (len + txn + 3 > cap) {
                cap = 2 * (len + txn + 3);
                char *b = realloc(out, cap);
                if (!b) {
                    free(out);
                    return NULL;
                }
                out = b;
            }
            if (starts && len)
                out[len++] = '\n';
            else if (cont)
                out[len++] = ' ';
            memcpy(out + len, txt, txn);
            len += txn;
            out[len] = '\0';
            in_entry = 1;
        } else {
            in_entry = 0;
        }
        l = eol ? eol + 1 : NULL;
    }
    return out;
}
