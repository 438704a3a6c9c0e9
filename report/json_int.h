/* Internal to report/: what the JSON renderers share. */
#ifndef EX_REPORT_JSON_INT_H
#define EX_REPORT_JSON_INT_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Prints root as one unformatted line ending with a newline into *out (the
 * caller frees it) and its length into *len (may be NULL), then deletes
 * root. max (0: no limit) bounds the line without its newline. Returns 0,
 * -ENOMEM, or -E2BIG when the line is longer than max. */
int ex__json_line(cJSON *root, size_t max, char **out, size_t *len);

#endif
