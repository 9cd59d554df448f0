/* an_yaml_marks: the scenario's values with the source marks of their
 * comments, for the report's assumptions.
 *
 * A small line reader for the YAML refugesim itself writes and the
 * scenario files people write (block mappings, "- " list items, flow
 * values kept whole, one-level flow mappings as list items, folded
 * scalars), not a YAML parser: the resolved text (/scenario) gives every
 * value and its dotted path ("services[0].blocks[1].units"); the files as
 * written (/scenario_source, each after "# file: NAME") give each path its
 * comment, the first file that sets it winning (a file before the ones it
 * extends).  A value without a comment of its own takes its section's
 * ("screening:   # [S 5.5] ..."). */
#ifndef AN_YAML_MARKS_H
#define AN_YAML_MARKS_H

#include <stddef.h>

typedef enum {
    AN_MARK_SOURCE,     /* a source cited: "[C]", "[S 5.4]" */
    AN_MARK_ASSUMED,
    AN_MARK_TUNED,      /* fitted to a published figure */
    AN_MARK_CHOSEN,     /* a judgement made so the model can meet the target */
    AN_MARK_NOTE,       /* a comment without a mark */
    AN_MARK_NONE,       /* set in the file, no comment */
    AN_MARK_DEFAULT,    /* not in the file: the program's default */
    AN_MARK_UNKNOWN,    /* the file as written is not stored */
    AN_MARK_N
} an_mark;

typedef struct {
    char *path;         /* "referrals.per_year" */
    char *value;        /* as written in the resolved scenario */
    char *comment;      /* the comment giving the mark ("" when none) */
    an_mark mark;
    int inherited;      /* the comment is its section's */
} an_assumption;

/* Every value of resolved (except description), marked from source (NULL:
 * every mark AN_MARK_UNKNOWN).  *out malloc'd; free with
 * an_assumptions_free.  SIM_ENOMEM or SIM_OK. */
int an_assumptions(const char *resolved, const char *source, an_assumption **out, size_t *n);
void an_assumptions_free(an_assumption *a, size_t n);
/* "source", "ASSUMED", "TUNED", "CHOSEN", "note", "not marked",
 * "default", "unknown". */
const char *an_mark_name(an_mark m);

/* The sources a scenario file cites, from its comments: lines
 * "#   [C] Title ..." with their continuation lines, joined, one a line,
 * "[C] Title ..." (malloc'd, caller frees; "" when none). */
char *an_scenario_sources(const char *source);

#endif
