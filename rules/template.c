/* Templates: `${name}` references to captures, optionally shell-quoted. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"
#include "platform/platform.h"

typedef struct ex_buf_s {
  char *data;
  size_t len;
  size_t cap;
  int err;
} ex_buf_t;

static void buf_put(ex_buf_t *b, const char *s, size_t n) {
  if (b->err != 0)
    return;
  if (b->len + n + 1 > EX_TEMPLATE_MAX) {
    b->err = -E2BIG;
    return;
  }
  if (b->len + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    char *p;
    while (cap < b->len + n + 1)
      cap *= 2;
    p = ex_realloc(b->data, cap);
    if (p == NULL) {
      b->err = -ENOMEM;
      return;
    }
    b->data = p;
    b->cap = cap;
  }
  memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

/* One shell word that `sh` reads back as exactly these bytes: everything is
 * literal inside single quotes except the quote itself, written '\''. NUL
 * cannot be part of an argument and is dropped. */
static void buf_put_quoted(ex_buf_t *b, const char *s, size_t n) {
  size_t i;
  size_t start = 0;

  buf_put(b, "'", 1);
  for (i = 0; i < n; i++) {
    if (s[i] != '\'' && s[i] != '\0')
      continue;
    buf_put(b, s + start, i - start);
    if (s[i] == '\'')
      buf_put(b, "'\\''", 4);
    start = i + 1;
  }
  buf_put(b, s + start, n - start);
  buf_put(b, "'", 1);
}

static int is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

/* At tpl[i] == '$': returns the length of a `${name}` reference (0 if this
 * is not one) and the name span. */
static size_t ref_at(const char *tpl, size_t i, size_t *name, size_t *nlen) {
  size_t j;

  if (tpl[i + 1] != '{')
    return 0;
  for (j = i + 2; is_name_char(tpl[j]); j++)
    ;
  if (tpl[j] != '}' || j == i + 2)
    return 0;
  *name = i + 2;
  *nlen = j - (i + 2);
  return j + 1 - i;
}

/* One piece of a template: literal text, a reference, or a `${` that
 * starts no valid reference (kept as literal text). */
typedef enum { TPL_TEXT, TPL_REF, TPL_BROKEN } tpl_kind_t;

typedef struct tpl_tok_s {
  tpl_kind_t kind;
  size_t start; /* TEXT: the text; REF: the name; BROKEN: the "$" */
  size_t len;
  size_t at; /* offset of the '$' (REF, BROKEN) */
} tpl_tok_t;

/* Reads the next piece from *pos; returns 0 at the end. `$$` gives the
 * text "$". */
static int tpl_next(const char *tpl, size_t *pos, tpl_tok_t *tok) {
  size_t i = *pos;
  size_t start = i;
  size_t name = 0;
  size_t nlen = 0;
  size_t rlen;

  if (tpl[i] == '\0')
    return 0;
  if (tpl[i] == '$') {
    tok->at = i;
    if (tpl[i + 1] == '$') {
      tok->kind = TPL_TEXT;
      tok->start = i;
      tok->len = 1;
      *pos = i + 2;
      return 1;
    }
    rlen = ref_at(tpl, i, &name, &nlen);
    if (rlen > 0) {
      tok->kind = TPL_REF;
      tok->start = name;
      tok->len = nlen;
      *pos = i + rlen;
      return 1;
    }
    tok->kind = tpl[i + 1] == '{' ? TPL_BROKEN : TPL_TEXT;
    tok->start = i;
    tok->len = 1;
    *pos = i + 1;
    return 1;
  }
  while (tpl[i] != '\0' && tpl[i] != '$')
    i++;
  tok->kind = TPL_TEXT;
  tok->start = start;
  tok->len = i - start;
  *pos = i;
  return 1;
}

int ex_template_expand(const char *tpl, ex_template_lookup_fn lookup, void *ud,
                       int flags, char **out, size_t *out_len) {
  ex_buf_t b;
  tpl_tok_t tok;
  size_t pos = 0;
  int drop_close = 0;

  memset(&b, 0, sizeof(b));
  *out = NULL;
  if (out_len != NULL)
    *out_len = 0;
  buf_put(&b, "", 0);
  while (tpl_next(tpl, &pos, &tok)) {
    const char *v = "";
    size_t vlen = 0;

    if (tok.kind != TPL_REF) {
      /* The ")" of a "(${x})" whose value was empty goes with its "(". */
      if (drop_close && tok.len > 0 && tpl[tok.start] == ')')
        buf_put(&b, tpl + tok.start + 1, tok.len - 1);
      else
        buf_put(&b, tpl + tok.start, tok.len);
      drop_close = 0;
      continue;
    }
    drop_close = 0;
    if (lookup == NULL || !lookup(ud, tpl + tok.start, tok.len, &v, &vlen)) {
      v = "";
      vlen = 0;
    }
    if (flags & EX_TEMPLATE_SHELL) {
      buf_put_quoted(&b, v, vlen);
    } else if (vlen == 0 && b.err == 0 && b.len > 0 &&
               b.data[b.len - 1] == '(') {
      /* Prose reads "its time limit (${limit})": without a value, "()"
       * would be left in the sentence; the parentheses go, and the space
       * before them. */
      b.len--;
      if (b.len > 0 && b.data[b.len - 1] == ' ')
        b.len--;
      b.data[b.len] = '\0';
      drop_close = 1;
    } else {
      buf_put(&b, v, vlen);
    }
  }
  if (b.err != 0) {
    ex_free(b.data);
    return b.err;
  }
  *out = b.data;
  if (out_len != NULL)
    *out_len = b.len;
  return 0;
}

int ex_template_refs(const char *tpl, ex_template_ref_fn fn, void *ud) {
  tpl_tok_t tok;
  size_t pos = 0;
  int rc;

  while (tpl_next(tpl, &pos, &tok)) {
    if (tok.kind == TPL_TEXT)
      continue;
    if (tok.kind == TPL_REF)
      rc = fn(ud, tpl + tok.start, tok.len, tok.at);
    else
      rc = fn(ud, tpl + tok.at + 2, 0, tok.at);
    if (rc != 0)
      return rc;
  }
  return 0;
}
