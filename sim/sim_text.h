/* sim_text: untrusted strings written into another language.
 *
 * Every string read from a scenario or a results file (labels, keys, paths,
 * the stored command line) is untrusted: a newline in it would end a gnuplot
 * string and run the next line as a command, a '<' would open an HTML tag,
 * an ESC would drive the terminal.  Writers pass such strings through here
 * and nowhere else, so that each language has one escaping rule.
 *
 * First every language makes the string visible and one line: control
 * characters (C0, DEL, C1) and bytes that are not UTF-8 become the four
 * characters \xNN (tab and newline \t and \n), other text is kept.  Then:
 *   SIM_TEXT_TERM     nothing more (terminal output, messages, comments)
 *   SIM_TEXT_GNUPLOT  a single-quoted gnuplot string: 'it''s' (inside single
 *                     quotes gnuplot expands neither backquotes nor macros)
 *   SIM_TEXT_HTML     &amp; &lt; &gt; &quot; &#39; (text and attribute values)
 *   SIM_TEXT_CSV      RFC 4180 quoting when needed; a leading = + - @ gets a
 *                     ' in front so that spreadsheets do not run a formula
 *   SIM_TEXT_YAML     a double-quoted YAML scalar; here control characters
 *                     use YAML's own escapes, so the value reads back exactly
 * Strings are NUL-terminated; NULL is written as the empty string. */
#ifndef SIM_TEXT_H
#define SIM_TEXT_H

#include <stddef.h>
#include <stdio.h>

typedef enum {
    SIM_TEXT_TERM,
    SIM_TEXT_GNUPLOT,
    SIM_TEXT_HTML,
    SIM_TEXT_CSV,
    SIM_TEXT_YAML
} sim_text_lang;

/* Write s to o in lang.  Returns 0, or EOF when a write failed. */
int sim_text_put(FILE *o, sim_text_lang lang, const char *s);

/* The same into buf (size bytes, always NUL-terminated when size > 0);
 * a result that does not fit is cut at a character boundary and ends in
 * "...", still well-formed (quotes closed).  Returns buf. */
char *sim_text_str(sim_text_lang lang, const char *s, char *buf, size_t size);

/* 1 when s holds a character that SIM_TEXT_TERM would escape. */
int sim_text_has_control(const char *s);

/* Ends s before a last character that a cut left incomplete (a UTF-8 lead
 * byte without all its continuation bytes); a whole one stays. */
void sim_text_drop_partial(char *s);

#endif
