#include "report/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ex_buf_append(ex_buf_t *b, const char *s, size_t n) {
  size_t want;
  char *nb;

  if (b->failed)
    return;
  if (b->len + n + 1 > b->cap) {
    want = b->cap ? b->cap * 2 : 256;
    while (want < b->len + n + 1)
      want *= 2;
    nb = realloc(b->buf, want);
    if (nb == NULL) {
      b->failed = 1;
      return;
    }
    b->buf = nb;
    b->cap = want;
  }
  memcpy(b->buf + b->len, s, n);
  b->len += n;
  b->buf[b->len] = '\0';
}

void ex_buf_puts(ex_buf_t *b, const char *s) { ex_buf_append(b, s, strlen(s)); }

void ex_buf_printf(ex_buf_t *b, const char *fmt, ...) {
  char tmp[1024];
  va_list ap;
  int n;

  va_start(ap, fmt);
  n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  ex_buf_append(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  unsigned char c;
  size_t len;
  size_t i;
  unsigned long cp;

  c = s[0];
  if (c < 0x80)
    return 1;
  if (c >= 0xc2 && c <= 0xdf)
    len = 2, cp = c & 0x1f;
  else if (c >= 0xe0 && c <= 0xef)
    len = 3, cp = c & 0x0f;
  else if (c >= 0xf0 && c <= 0xf4)
    len = 4, cp = c & 0x07;
  else
    return 0;
  if (len > n)
    return 0;
  for (i = 1; i < len; i++) {
    if ((s[i] & 0xc0) != 0x80)
      return 0;
    cp = (cp << 6) | (s[i] & 0x3f);
  }
  /* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
      (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
    return 0;
  return len;
}

size_t ex_buf_put_utf8(ex_buf_t *b, const char *s, size_t n) {
  const unsigned char *p;
  size_t i;
  size_t k;
  size_t bad;

  p = (const unsigned char *)s;
  bad = 0;
  i = 0;
  while (i < n) {
    k = p[i] == 0 ? 0 : utf8_seq(p + i, n - i);
    if (k == 0) {
      ex_buf_append(b, "\xef\xbf\xbd", 3);
      bad++;
      i++;
      continue;
    }
    ex_buf_append(b, s + i, k);
    i += k;
  }
  return bad;
}

void ex_buf_put_display(ex_buf_t *b, const char *s, size_t n) {
  const unsigned char *p;
  size_t i;
  size_t k;
  char hex[8];

  p = (const unsigned char *)s;
  i = 0;
  while (i < n) {
    k = utf8_seq(p + i, n - i);
    /* C1 controls (U+0080..U+009F) can act as escape introducers too. */
    if (k == 0 || p[i] < 0x20 || p[i] == 0x7f ||
        (k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0)) {
      snprintf(hex, sizeof(hex), "\\x%02x", p[i]);
      ex_buf_puts(b, hex);
      i++;
      continue;
    }
    ex_buf_append(b, s + i, k);
    i += k;
  }
}
