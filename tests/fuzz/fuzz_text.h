/* Shared by the fuzz harnesses: the input as a NUL-terminated string. */
#ifndef FUZZ_TEXT_H
#define FUZZ_TEXT_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_ENTRY
#define FUZZ_ENTRY LLVMFuzzerTestOneInput
#endif

/* A malloc'd copy of data with a terminating NUL, or NULL when the input is
 * longer than max (uninteresting) or memory runs out. */
static inline char *fuzz_text(const uint8_t *data, size_t size, size_t max)
{
    if (size > max)
        return NULL;
    char *text = malloc(size + 1);
    if (!text)
        return NULL;
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

#endif
