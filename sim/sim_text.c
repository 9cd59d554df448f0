#include "sim_text.h"

#include <string.h>

/* Output goes to a FILE or to a bounded buffer; the buffer keeps the last
 * atom boundary where "..." and the closing quote still fit, to cut there. */
typedef struct {
    FILE *f;
    char *buf;
    size_t size, len, safe, reserve;
    int full, err;
} sink;

static void put_atom(sink *k, const char *a, size_t n)
{
    if (k->full || k->err)
        return;
    if (k->f) {
        if (fwrite(a, 1, n, k->f) != n)
            k->err = 1;
        return;
    }
    if (k->len + n + k->reserve + 1 > k->size) {
        k->full = 1;
        return;
    }
    memcpy(k->buf + k->len, a, n);
    k->len += n;
    if (k->len + 3 + k->reserve + 1 <= k->size)
        k->safe = k->len;
}

/* Length of the UTF-8 sequence at s and its code point, 0 when the bytes
 * are not well-formed UTF-8 (overlong forms and surrogates included). */
static size_t utf8_seq(const unsigned char *s, unsigned *cp)
{
    unsigned c = s[0];
    size_t n;
    unsigned v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if ((c & 0xE0) == 0xC0) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

/* Code points that move the cursor, end a line or reorder text. */
static int is_control(unsigned cp)
{
    return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029
           || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E
           || cp == 0x200F || cp == 0x061C;
}

static void put_control(sink *k, unsigned cp)
{
    char a[12];
    if (cp == '\n')
        memcpy(a, "\\n", 3);
    else if (cp == '\t')
        memcpy(a, "\\t", 3);
    else if (cp == '\r')
        memcpy(a, "\\r", 3);
    else if (cp < 0x100)
        snprintf(a, sizeof a, "\\x%02X", cp);
    else
        snprintf(a, sizeof a, "\\u%04X", cp);
    put_atom(k, a, strlen(a));
}

/* One printable ASCII character in lang. */
static void put_ascii(sink *k, sim_text_lang lang, char c)
{
    const char *a = NULL;
    switch (lang) {
    case SIM_TEXT_GNUPLOT:
        a = c == '\'' ? "''" : NULL;
        break;
    case SIM_TEXT_HTML:
        a = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : c == '"' ? "&quot;"
            : c == '\'' ? "&#39;" : NULL;
        break;
    case SIM_TEXT_CSV:
        a = c == '"' ? "\"\"" : NULL;
        break;
    case SIM_TEXT_YAML:
        a = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : NULL;
        break;
    case SIM_TEXT_TERM:
        break;
    }
    if (a)
        put_atom(k, a, strlen(a));
    else
        put_atom(k, &c, 1);
}

static int csv_needs_quotes(const char *s)
{
    size_t n = strlen(s);
    return strpbrk(s, ",\"") || (n && (s[0] == ' ' || s[n - 1] == ' '));
}

static void run(sink *k, sim_text_lang lang, const char *s)
{
    const char *close = "";
    if (!s)
        s = "";
    if (lang == SIM_TEXT_GNUPLOT)
        close = "'";
    else if (lang == SIM_TEXT_YAML)
        close = "\"";
    else if (lang == SIM_TEXT_CSV && csv_needs_quotes(s))
        close = "\"";
    k->reserve = strlen(close);
    put_atom(k, close, strlen(close));
    if (lang == SIM_TEXT_CSV && strchr("=+-@", s[0]) && s[0])
        put_atom(k, "'", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p && !k->full && !k->err; ) {
        unsigned cp;
        size_t n = utf8_seq(p, &cp);
        if (n == 0) {
            char a[8];
            snprintf(a, sizeof a, "\\x%02X", *p);
            put_atom(k, a, 4);
            p++;
        } else if (is_control(cp)) {
            put_control(k, cp);
            p += n;
        } else if (n == 1) {
            put_ascii(k, lang, (char)*p++);
        } else {
            put_atom(k, (const char *)p, n);
            p += n;
        }
    }
    if (k->buf && k->full) {
        k->len = k->safe;
        k->full = 0;
        k->reserve = 0;
        put_atom(k, "...", 3);
    }
    k->reserve = 0;
    put_atom(k, close, strlen(close));
}

int sim_text_put(FILE *o, sim_text_lang lang, const char *s)
{
    sink k = {.f = o};
    run(&k, lang, s);
    return k.err ? EOF : 0;
}

char *sim_text_str(sim_text_lang lang, const char *s, char *buf, size_t size)
{
    if (!size)
        return buf;
    sink k = {.buf = buf, .size = size};
    run(&k, lang, s);
    /* too small even for the quotes: nothing rather than half a string */
    if (k.full)
        k.len = 0;
    buf[k.len] = '\0';
    return buf;
}

int sim_text_has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; ) {
        unsigned cp;
        size_t n = utf8_seq(p, &cp);
        if (n == 0 || is_control(cp))
            return 1;
        p += n;
    }
    return 0;
}

void sim_text_drop_partial(char *s)
{
    size_t k = strlen(s), j = k;
    while (j > 0 && ((unsigned char)s[j - 1] & 0xC0) == 0x80)
        j--;
    if (j == 0)
        return;                        /* continuation bytes alone: not ours to judge */
    unsigned char lead = (unsigned char)s[j - 1];
    size_t want = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (k - (j - 1) < want)
        s[j - 1] = '\0';
}
