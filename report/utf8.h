/* Internal to report/: text clean-up shared by the renderers. */
#ifndef EX_REPORT_UTF8_H
#define EX_REPORT_UTF8_H

#include <stddef.h>

/* A growable byte buffer; zero-initialise it. buf is NUL-terminated after
 * any successful append. */
typedef struct ex_buf {
  char *buf;
  size_t len;
  size_t cap;
  int failed; /* an allocation failed: later appends do nothing */
} ex_buf_t;

void ex_buf_append(ex_buf_t *b, const char *s, size_t n);
void ex_buf_puts(ex_buf_t *b, const char *s);
void ex_buf_printf(ex_buf_t *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Appends s[0..n) as valid UTF-8 without NUL: every byte that does not
 * start a well-formed sequence (and every NUL) becomes U+FFFD. Returns the
 * number of bytes replaced. */
size_t ex_buf_put_utf8(ex_buf_t *b, const char *s, size_t n);

/* Appends s[0..n) for a terminal: valid UTF-8 is kept, control bytes and
 * invalid bytes are written as \xNN (\r, \t and \n too). */
void ex_buf_put_display(ex_buf_t *b, const char *s, size_t n);

#endif
