/* The scenario node tree: libyaml parses, this keeps where each key and value
 * came from so that errors found after merging still name file:line:column. */
#include "rf_scenario_tree.h"
#include "sim_status.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define ST_MAX_DEPTH 64
/* Aliases share nodes in libyaml's document and are copied here: nine
 * anchors of nine aliases each grow 548 bytes to 9^9 nodes.  The copy may
 * hold this many nodes, or twice the document's, whichever is more. */
#define ST_MAX_EXPANDED 100000

/* ---- arena ---- */

typedef struct st_chunk {
    struct st_chunk *next;
    size_t used, size;
    max_align_t data[];
} st_chunk;

struct st_arena {
    st_chunk *head;
};

st_arena *st_arena_new(void)
{
    return calloc(1, sizeof(st_arena));
}

void st_arena_free(st_arena *a)
{
    if (!a)
        return;
    for (st_chunk *c = a->head, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    free(a);
}

void *st_alloc(st_arena *a, size_t size)
{
    const size_t align = sizeof(max_align_t);
    size = (size + align - 1) / align * align;
    st_chunk *c = a->head;
    if (!c || c->size - c->used < size) {
        size_t cap = size > 32768 ? size : 32768;
        c = malloc(sizeof *c + cap);
        if (!c)
            return NULL;
        c->used = 0;
        c->size = cap;
        c->next = a->head;
        a->head = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

static char *st_strndup(st_arena *a, const char *s, size_t n)
{
    char *p = st_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

char *st_strdup(st_arena *a, const char *s)
{
    return st_strndup(a, s, strlen(s));
}

/* ---- nodes ---- */

st_node *st_new(st_arena *a, st_kind kind, st_origin at)
{
    st_node *n = st_alloc(a, sizeof *n);
    if (n) {
        n->kind = kind;
        n->at = at;
    }
    return n;
}

st_node *st_scalar(st_arena *a, const char *text, st_origin at)
{
    st_node *n = st_new(a, ST_SCALAR, at);
    if (n && !(n->text = st_strdup(a, text)))
        return NULL;
    return n;
}

/* Grow an arena array; the old block is simply abandoned to the arena. */
static int grow(st_arena *a, void **arr, int *cap, int n, size_t elem)
{
    if (n < *cap)
        return SIM_OK;
    int ncap = *cap ? 2 * *cap : 8;
    void *p = st_alloc(a, (size_t)ncap * elem);
    if (!p)
        return SIM_ENOMEM;
    if (n)
        memcpy(p, *arr, (size_t)n * elem);
    *arr = p;
    *cap = ncap;
    return SIM_OK;
}

static _Thread_local size_t work;

size_t st_work(void) { return work; }

static int key_equal(const char *a, const char *b)
{
    work++;
    return strcmp(a, b) == 0;
}

static size_t key_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return (size_t)h;
}

/* The slot of key: where it is, or the empty one where it would go. */
static int *slot_of(const st_node *map, const char *key)
{
    size_t mask = (size_t)map->n_slots - 1;
    for (size_t h = key_hash(key) & mask;; h = (h + 1) & mask) {
        int *sl = &map->slots[h];
        if (!*sl || key_equal(map->pairs[*sl - 1].key, key))
            return sl;
    }
}

/* Index every pair in a table of twice the size above 2n (arena memory;
 * the old table is abandoned to the arena). */
static int reindex(st_arena *a, st_node *map, int want)
{
    int n_slots = 32;
    while (n_slots < 2 * want + 2)
        n_slots *= 2;
    int *slots = a ? st_alloc(a, (size_t)n_slots * sizeof *slots) : NULL;
    if (a && !slots)
        return SIM_ENOMEM;
    if (slots) {
        map->slots = slots;
        map->n_slots = n_slots;
    }
    memset(map->slots, 0, (size_t)map->n_slots * sizeof *map->slots);
    for (int i = 0; i < map->n; i++)
        *slot_of(map, map->pairs[i].key) = i + 1;
    return SIM_OK;
}

void st_map_reindex(st_node *map)
{
    if (map && map->kind == ST_MAP && map->n_slots)
        reindex(NULL, map, map->n);
}

st_pair *st_map_find(const st_node *map, const char *key)
{
    if (!map || map->kind != ST_MAP)
        return NULL;
    if (map->n_slots) {
        int sl = *slot_of(map, key);
        return sl ? &map->pairs[sl - 1] : NULL;
    }
    for (int i = 0; i < map->n; i++)
        if (key_equal(map->pairs[i].key, key))
            return &map->pairs[i];
    return NULL;
}

st_node *st_map_get(const st_node *map, const char *key)
{
    st_pair *p = st_map_find(map, key);
    return p ? p->val : NULL;
}

int st_map_put(st_arena *a, st_node *map, const char *key, st_origin at, st_node *val)
{
    st_pair *p = st_map_find(map, key);
    if (p) {
        p->at = at;
        p->val = val;
        return SIM_OK;
    }
    void *arr = map->pairs;
    if (grow(a, &arr, &map->cap, map->n, sizeof(st_pair)) != SIM_OK)
        return SIM_ENOMEM;
    map->pairs = arr;
    map->pairs[map->n++] = (st_pair){.key = key, .at = at, .val = val};
    if (map->n_slots && 2 * map->n + 2 <= map->n_slots)
        *slot_of(map, key) = map->n;
    else if (map->n >= ST_INDEX_MIN && reindex(a, map, map->n) != SIM_OK)
        return SIM_ENOMEM;
    return SIM_OK;
}

void st_map_remove(st_node *map, const char *key)
{
    st_pair *p = st_map_find(map, key);
    if (!p)
        return;
    size_t i = (size_t)(p - map->pairs);
    memmove(p, p + 1, (size_t)(map->n - 1 - (int)i) * sizeof *p);
    map->n--;
    st_map_reindex(map);
}

int st_seq_push(st_arena *a, st_node *seq, st_node *item)
{
    void *arr = seq->items;
    if (grow(a, &arr, &seq->cap, seq->n, sizeof(st_node *)) != SIM_OK)
        return SIM_ENOMEM;
    seq->items = arr;
    seq->items[seq->n++] = item;
    return SIM_OK;
}

/* ---- parsing ---- */

typedef struct {
    st_arena *a;
    yaml_document_t *doc;
    const char *file;
    rf_diags *d;
    int status;
    size_t nodes, max_nodes;   /* copied so far, the bound */
} parse_ctx;

static st_origin mark_origin(const char *file, yaml_mark_t m)
{
    return (st_origin){file, (int)m.line + 1, (int)m.column + 1};
}

static st_node *convert(parse_ctx *c, yaml_node_t *yn, int depth)
{
    st_origin at = mark_origin(c->file, yn->start_mark);
    if (c->nodes > c->max_nodes || c->status == SIM_ENOMEM)
        return NULL; /* said once */
    if (++c->nodes > c->max_nodes) {
        rf_diags_add(c->d, c->file, at.line, at.col, "",
                     "aliases expand the document to more than %zu nodes", c->max_nodes);
        c->status = SIM_EPARSE;
        return NULL;
    }
    if (depth > ST_MAX_DEPTH) {
        rf_diags_add(c->d, c->file, at.line, at.col, "", "nested more than %d levels deep",
                     ST_MAX_DEPTH);
        c->status = SIM_EPARSE;
        return NULL;
    }
    st_node *n = NULL;
    switch (yn->type) {
    case YAML_SCALAR_NODE:
        if (!(n = st_new(c->a, ST_SCALAR, at))
            || !(n->text = st_strndup(c->a, (const char *)yn->data.scalar.value,
                                      yn->data.scalar.length)))
            goto nomem;
        n->quoted = yn->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE
                    || yn->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
        return n;
    case YAML_SEQUENCE_NODE:
        if (!(n = st_new(c->a, ST_SEQ, at)))
            goto nomem;
        for (yaml_node_item_t *it = yn->data.sequence.items.start;
             it < yn->data.sequence.items.top; it++) {
            st_node *child = convert(c, yaml_document_get_node(c->doc, *it), depth + 1);
            if (child && st_seq_push(c->a, n, child) != SIM_OK)
                goto nomem;
        }
        return n;
    case YAML_MAPPING_NODE:
        if (!(n = st_new(c->a, ST_MAP, at)))
            goto nomem;
        for (yaml_node_pair_t *p = yn->data.mapping.pairs.start; p < yn->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
            st_origin kat = mark_origin(c->file, k->start_mark);
            if (k->type != YAML_SCALAR_NODE) {
                rf_diags_add(c->d, c->file, kat.line, kat.col, "",
                             "a key must be a plain name, not a list or mapping");
                c->status = SIM_EPARSE;
                continue;
            }
            const char *key = st_strndup(c->a, (const char *)k->data.scalar.value,
                                         k->data.scalar.length);
            if (!key)
                goto nomem;
            st_pair *dup = st_map_find(n, key);
            if (dup) {
                rf_diags_add(c->d, c->file, kat.line, kat.col, key,
                             "duplicate key (first given at line %d)", dup->at.line);
                c->status = SIM_EPARSE;
                continue;
            }
            st_node *child = convert(c, yaml_document_get_node(c->doc, p->value), depth + 1);
            if (child && st_map_put(c->a, n, key, kat, child) != SIM_OK)
                goto nomem;
        }
        return n;
    default:
        return NULL;
    }
nomem:
    c->status = SIM_ENOMEM;
    return NULL;
}

/* YAML forbids tabs in indentation and libyaml's message for them is
 * cryptic, so every tab is reported up front with its place. */
static int scan_tabs(const char *text, size_t len, const char *file, rf_diags *d)
{
    int line = 1, col = 1, found = 0, last_line = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\t' && line != last_line) {
            rf_diags_add(d, file, line, col, "",
                         "tab character: indent with spaces (YAML does not allow tabs)");
            found++;
            last_line = line;
        }
        if (text[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    return found;
}

/* libyaml's scanner looks at every open flow level for each token, so a
 * document nested n levels deep costs n^2 before convert() could refuse
 * it: its events are read first, and reading stops at the first level
 * beyond ST_MAX_DEPTH, so the work is linear in the text.  1 when too
 * deep (reported); 0 otherwise (a syntax error is left to the loader). */
static int too_deep(const char *text, size_t len, const char *file, rf_diags *d)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return 0;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int depth = 0, deep = 0, done = 0;
    while (!done && !deep) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e))
            break;
        work++;
        switch (e.type) {
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++depth > ST_MAX_DEPTH + 1) {
                deep = 1;
                rf_diags_add(d, file, (int)e.start_mark.line + 1, (int)e.start_mark.column + 1,
                             "", "nested more than %d levels deep", ST_MAX_DEPTH);
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: depth--; break;
        case YAML_STREAM_END_EVENT: done = 1; break;
        default: break;
        }
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    return deep;
}

int st_parse(st_arena *a, const char *text, size_t len, const char *file, st_node **out,
             rf_diags *d)
{
    *out = NULL;
    if (scan_tabs(text, len, file, d))
        return SIM_EPARSE;
    if (too_deep(text, len, file, d))
        return SIM_EPARSE;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return SIM_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        yaml_mark_t m = parser.problem_mark;
        if (parser.context)
            rf_diags_add(d, file, (int)m.line + 1, (int)m.column + 1, "", "YAML syntax: %s %s",
                         parser.problem ? parser.problem : "error", parser.context);
        else
            rf_diags_add(d, file, (int)m.line + 1, (int)m.column + 1, "", "YAML syntax: %s",
                         parser.problem ? parser.problem : "error");
        yaml_parser_delete(&parser);
        return SIM_EPARSE;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    size_t doc_nodes = (size_t)(doc.nodes.top - doc.nodes.start);
    parse_ctx c = {a, &doc, file, d, SIM_OK, 0,
                   2 * doc_nodes > ST_MAX_EXPANDED ? 2 * doc_nodes : ST_MAX_EXPANDED};
    if (root) {
        /* a second document would be silently ignored: refuse it */
        yaml_document_t next;
        if (!yaml_parser_load(&parser, &next)) {
            yaml_mark_t m = parser.problem_mark;
            rf_diags_add(d, file, (int)m.line + 1, (int)m.column + 1, "", "YAML syntax: %s",
                         parser.problem ? parser.problem : "error");
            c.status = SIM_EPARSE;
        } else {
            yaml_node_t *r2 = yaml_document_get_root_node(&next);
            if (r2) {
                st_origin at = mark_origin(file, next.start_mark);
                rf_diags_add(d, file, at.line, at.col, "",
                             "a second YAML document: a scenario is one document (remove "
                             "the '---' and what follows, or merge it into the first)");
                c.status = SIM_EPARSE;
            }
            yaml_document_delete(&next);
        }
    }
    st_node *n = NULL;
    if (!root) {
        n = st_new(a, ST_MAP, (st_origin){file, 1, 1});
        if (!n)
            c.status = SIM_ENOMEM;
    } else if (c.status == SIM_OK) {
        n = convert(&c, root, 0);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (c.status == SIM_OK && n && n->kind != ST_MAP) {
        rf_diags_add(d, file, n->at.line, n->at.col, "",
                     "a scenario must be a mapping of keys to values");
        c.status = SIM_EPARSE;
    }
    if (c.status == SIM_OK)
        *out = n;
    return c.status;
}

/* ---- merging ---- */

static bool is_dist(const st_node *n)
{
    return n->kind == ST_MAP && st_map_get(n, "dist") != NULL;
}

static const char *entry_name(const st_node *n)
{
    const st_node *name = n->kind == ST_MAP ? st_map_get(n, "name") : NULL;
    return name && name->kind == ST_SCALAR ? name->text : NULL;
}

static bool named_list(const st_node *n)
{
    if (n->kind != ST_SEQ || n->n == 0)
        return false;
    for (int i = 0; i < n->n; i++)
        if (!entry_name(n->items[i]))
            return false;
    return true;
}

int st_merge(st_arena *a, st_node **base, st_node *over)
{
    st_node *b = *base;
    if (b && b->kind == ST_MAP && over->kind == ST_MAP && !is_dist(over)) {
        b->at = over->at;   /* the latest file to write the mapping answers for it */
        for (int i = 0; i < over->n; i++) {
            st_pair *p = &over->pairs[i];
            st_pair *q = st_map_find(b, p->key);
            if (q) {
                q->at = p->at;
                if (st_merge(a, &q->val, p->val) != SIM_OK)
                    return SIM_ENOMEM;
            } else if (st_map_put(a, b, p->key, p->at, p->val) != SIM_OK) {
                return SIM_ENOMEM;
            }
        }
        return SIM_OK;
    }
    if (b && named_list(b) && named_list(over)) {
        for (int i = 0; i < over->n; i++) {
            const char *name = entry_name(over->items[i]);
            /* a name this layer already gave is an error the checks report
             * at its second place: kept as an entry of its own, not merged
             * into the first (which silently left one of them) */
            int again = 0;
            for (int k = 0; k < i && !again; k++)
                again = !strcmp(entry_name(over->items[k]), name);
            int j = again ? b->n : 0;
            while (j < b->n && strcmp(entry_name(b->items[j]), name) != 0)
                j++;
            if (j < b->n) {
                if (st_merge(a, &b->items[j], over->items[i]) != SIM_OK)
                    return SIM_ENOMEM;
            } else if (st_seq_push(a, b, over->items[i]) != SIM_OK) {
                return SIM_ENOMEM;
            }
        }
        return SIM_OK;
    }
    *base = over;
    return SIM_OK;
}

int st_fill_defaults(st_arena *a, st_node *entry, const st_node *defaults)
{
    if (!entry || entry->kind != ST_MAP || !defaults || defaults->kind != ST_MAP)
        return SIM_OK;
    for (int i = 0; i < defaults->n; i++)
        if (!st_map_find(entry, defaults->pairs[i].key)
            && st_map_put(a, entry, defaults->pairs[i].key, defaults->pairs[i].at,
                          defaults->pairs[i].val) != SIM_OK)
            return SIM_ENOMEM;
    return SIM_OK;
}

/* ---- key paths ---- */

typedef enum { SEG_KEY, SEG_INDEX, SEG_NAME, SEG_ALL } seg_kind;
typedef struct {
    seg_kind kind;
    char text[128];
    long index;
} path_seg;

#define ST_MAX_SEGS 16

/* "a.b[2].c", "services[Juno House].units", "services.*.units". */
static int split_path(const char *path, path_seg *segs, int max)
{
    int n = 0;
    const char *p = path;
    if (!*p)
        return -1;
    while (*p) {
        if (n == max)
            return -1;
        path_seg *s = &segs[n];
        if (*p == '[') {
            const char *end = strchr(p, ']');
            size_t len = end ? (size_t)(end - p - 1) : 0;
            if (!end || len == 0 || len >= sizeof s->text)
                return -1;
            memcpy(s->text, p + 1, len);
            s->text[len] = '\0';
            char *e;
            errno = 0;
            long v = strtol(s->text, &e, 10);
            if (!strcmp(s->text, "*"))
                s->kind = SEG_ALL;
            else if (*e == '\0' && !errno && isdigit((unsigned char)s->text[0]))
                s->kind = SEG_INDEX, s->index = v;
            else
                s->kind = SEG_NAME;
            p = end + 1;
        } else {
            size_t len = strcspn(p, ".[");
            if (len == 0 || len >= sizeof s->text)
                return -1;
            memcpy(s->text, p, len);
            s->text[len] = '\0';
            s->kind = strcmp(s->text, "*") == 0 ? SEG_ALL : SEG_KEY;
            p += len;
        }
        n++;
        if (*p == '.') {
            p++;
            if (!*p || *p == '.' || *p == '[')
                return -1;
        } else if (*p && *p != '[') {
            return -1;
        }
    }
    return n;
}

static st_node *seq_by_name(const st_node *seq, const char *name)
{
    for (int i = 0; i < seq->n; i++) {
        const char *nm = entry_name(seq->items[i]);
        if (nm && !strcmp(nm, name))
            return seq->items[i];
    }
    return NULL;
}

const st_node *st_lookup(const st_node *root, const char *path, st_origin *near,
                         st_origin *key_at)
{
    path_seg segs[ST_MAX_SEGS];
    int n = split_path(path, segs, ST_MAX_SEGS);
    const st_node *cur = root;
    if (near && root)
        *near = root->at;
    if (key_at)
        *key_at = (st_origin){0};
    if (n < 0)
        return NULL;
    for (int i = 0; i < n && cur; i++) {
        const st_node *next = NULL;
        if (segs[i].kind == SEG_KEY && cur->kind == ST_MAP) {
            st_pair *p = st_map_find(cur, segs[i].text);
            if (p) {
                next = p->val;
                if (key_at && i == n - 1)
                    *key_at = p->at;
            }
        } else if (segs[i].kind == SEG_INDEX && cur->kind == ST_SEQ) {
            if (segs[i].index < cur->n)
                next = cur->items[segs[i].index];
        } else if (segs[i].kind == SEG_NAME && cur->kind == ST_SEQ) {
            next = seq_by_name(cur, segs[i].text);
        }
        if (next && near && strcmp(next->at.file, ST_DEFAULT_FILE) != 0)
            *near = next->at;
        cur = next;
    }
    return cur;
}

/* ---- --set ---- */

typedef struct {
    st_arena *a;
    rf_diags *d;
    const char *set;
    const char *path;
    st_node *value;
} set_ctx;

static void reset_origin(st_node *n, st_origin at)
{
    n->at = at;
    if (n->kind == ST_SEQ)
        for (int i = 0; i < n->n; i++)
            reset_origin(n->items[i], at);
    if (n->kind == ST_MAP)
        for (int i = 0; i < n->n; i++) {
            n->pairs[i].at = at;
            reset_origin(n->pairs[i].val, at);
        }
}

static int set_fail(set_ctx *c, const char *fmt, const char *arg)
{
    char msg[256];
    snprintf(msg, sizeof msg, fmt, arg);
    rf_diags_add(c->d, "--set", 0, 0, c->path, "%s (in --set %s)", msg, c->set);
    return SIM_EPARSE;
}

static int set_at(set_ctx *c, st_node **slot, const path_seg *segs, int i, int n)
{
    static const st_origin at = {"--set", 0, 0};
    if (i == n) {
        if (st_merge(c->a, slot, c->value) != SIM_OK)
            return SIM_ENOMEM;
        return SIM_OK;
    }
    const path_seg *s = &segs[i];
    st_node *cur = *slot;
    if (s->kind == SEG_KEY) {
        if (cur && cur->kind == ST_SEQ)
            return set_fail(c, "'%s' is a list: write [INDEX], [NAME] or .* to pick entries",
                            i ? segs[i - 1].text : "");
        if (cur && cur->kind != ST_MAP)
            return set_fail(c, "'%s' is a single value and has no keys", i ? segs[i - 1].text : "");
        if (!cur && !(cur = *slot = st_new(c->a, ST_MAP, at)))
            return SIM_ENOMEM;
        st_pair *p = st_map_find(cur, s->text);
        st_node *child = p ? p->val : NULL;
        int rc = set_at(c, &child, segs, i + 1, n);
        if (rc != SIM_OK)
            return rc;
        const char *key = p ? p->key : st_strdup(c->a, s->text);
        if (!key || st_map_put(c->a, cur, key, at, child) != SIM_OK)
            return SIM_ENOMEM;
        return SIM_OK;
    }
    if (!cur || cur->kind != ST_SEQ)
        return set_fail(c, "'%s' is not a list", i ? segs[i - 1].text : "");
    if (s->kind == SEG_ALL) {
        if (cur->n == 0)
            return set_fail(c, "'%s' has no entries to set", i ? segs[i - 1].text : "");
        for (int k = 0; k < cur->n; k++) {
            int rc = set_at(c, &cur->items[k], segs, i + 1, n);
            if (rc != SIM_OK)
                return rc;
        }
        return SIM_OK;
    }
    if (s->kind == SEG_NAME) {
        for (int k = 0; k < cur->n; k++) {
            const char *nm = entry_name(cur->items[k]);
            if (nm && !strcmp(nm, s->text))
                return set_at(c, &cur->items[k], segs, i + 1, n);
        }
        return set_fail(c, "no entry named '%s'", s->text);
    }
    if (s->index >= cur->n) {
        char msg[64];
        snprintf(msg, sizeof msg, "%d", cur->n);
        return set_fail(c, "index out of range: the list has %s entries", msg);
    }
    return set_at(c, &cur->items[s->index], segs, i + 1, n);
}

int st_apply_set(st_arena *a, st_node **root, const char *set, rf_diags *d)
{
    set_ctx c = {a, d, set, "", NULL};
    const char *eq = strchr(set, '=');
    if (!eq || eq == set) {
        rf_diags_add(d, "--set", 0, 0, "", "expected KEY=VALUE, got '%s'", set);
        return SIM_EPARSE;
    }
    char *path = st_strndup(a, set, (size_t)(eq - set));
    if (!path)
        return SIM_ENOMEM;
    c.path = path;
    path_seg segs[ST_MAX_SEGS];
    int n = split_path(path, segs, ST_MAX_SEGS);
    if (n < 0)
        return set_fail(&c, "malformed key path '%s' (accepted: key.key, key[INDEX], "
                            "key[NAME], key.*)", path);

    /* The value is YAML so that lists and distributions can be given whole. */
    const char *vtext = eq + 1;
    rf_diags scratch = {0};
    st_node *doc = NULL;
    char *wrapped = st_alloc(a, strlen(vtext) + 8);
    if (!wrapped)
        return SIM_ENOMEM;
    sprintf(wrapped, "v: %s", vtext);
    int rc = st_parse(a, wrapped, strlen(wrapped), "--set", &doc, &scratch);
    if (rc == SIM_ENOMEM)
        return rc;
    st_node *v = rc == SIM_OK ? st_map_get(doc, "v") : NULL;
    if (rc != SIM_OK || !v || doc->n != 1)
        return set_fail(&c, "value '%s' is not valid YAML", vtext);
    reset_origin(v, (st_origin){"--set", 0, 0});
    c.value = v;
    return set_at(&c, root, segs, 0, n);
}

/* ---- emitting ---- */

typedef struct {
    char *buf;
    size_t len, cap;
    bool oom;
} out_buf;

static int write_out(void *data, unsigned char *bytes, size_t size)
{
    out_buf *o = data;
    if (o->len + size + 1 > o->cap) {
        size_t ncap = o->cap ? o->cap : 4096;
        while (o->len + size + 1 > ncap)
            ncap *= 2;
        char *p = realloc(o->buf, ncap);
        if (!p) {
            o->oom = true;
            return 0;
        }
        o->buf = p;
        o->cap = ncap;
    }
    memcpy(o->buf + o->len, bytes, size);
    o->len += size;
    o->buf[o->len] = '\0';
    return 1;
}

static bool all_scalars(const st_node *n)
{
    for (int i = 0; i < n->n; i++) {
        const st_node *v = n->kind == ST_SEQ ? n->items[i] : n->pairs[i].val;
        if (v->kind == ST_MAP || (v->kind == ST_SEQ && !all_scalars(v)))
            return false;
    }
    return true;
}

static int emit_scalar(yaml_emitter_t *e, const char *text, bool quoted)
{
    yaml_event_t ev;
    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text), 1, 1,
                                 quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_ANY_SCALAR_STYLE);
    return yaml_emitter_emit(e, &ev);
}

static int emit_node(yaml_emitter_t *e, const st_node *n, bool flow)
{
    yaml_event_t ev;
    switch (n->kind) {
    case ST_SCALAR:
        return emit_scalar(e, n->text, n->quoted);
    case ST_SEQ:
        flow = flow || all_scalars(n);
        yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
                                             flow ? YAML_FLOW_SEQUENCE_STYLE
                                                  : YAML_BLOCK_SEQUENCE_STYLE);
        if (!yaml_emitter_emit(e, &ev))
            return 0;
        for (int i = 0; i < n->n; i++)
            if (!emit_node(e, n->items[i], flow))
                return 0;
        yaml_sequence_end_event_initialize(&ev);
        return yaml_emitter_emit(e, &ev);
    case ST_MAP:
        flow = flow || (is_dist(n) && all_scalars(n));
        yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
                                            flow ? YAML_FLOW_MAPPING_STYLE
                                                 : YAML_BLOCK_MAPPING_STYLE);
        if (!yaml_emitter_emit(e, &ev))
            return 0;
        for (int i = 0; i < n->n; i++)
            if (!emit_scalar(e, n->pairs[i].key, false) || !emit_node(e, n->pairs[i].val, flow))
                return 0;
        yaml_mapping_end_event_initialize(&ev);
        return yaml_emitter_emit(e, &ev);
    }
    return 0;
}

int st_emit(const st_node *root, const char *header_comment, char **text, size_t *len)
{
    out_buf o = {0};
    *text = NULL;
    if (header_comment && !write_out(&o, (unsigned char *)header_comment, strlen(header_comment)))
        return SIM_ENOMEM;
    yaml_emitter_t e;
    yaml_event_t ev;
    if (!yaml_emitter_initialize(&e)) {
        free(o.buf);
        return SIM_ENOMEM;
    }
    yaml_emitter_set_output(&e, write_out, &o);
    yaml_emitter_set_unicode(&e, 1);
    yaml_emitter_set_width(&e, 100);
    yaml_emitter_set_indent(&e, 2);
    int ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING)
             && yaml_emitter_emit(&e, &ev)
             && yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1)
             && yaml_emitter_emit(&e, &ev)
             && emit_node(&e, root, false)
             && yaml_document_end_event_initialize(&ev, 1)
             && yaml_emitter_emit(&e, &ev)
             && yaml_stream_end_event_initialize(&ev)
             && yaml_emitter_emit(&e, &ev);
    yaml_emitter_delete(&e);
    if (!ok || o.oom) {
        free(o.buf);
        return o.oom ? SIM_ENOMEM : SIM_EINTERNAL;
    }
    *text = o.buf;
    *len = o.len;
    return SIM_OK;
}
