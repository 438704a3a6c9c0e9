/* Text conversions and error codes for the Windows platform code. */
#include "platform/platform.h"
#include "platform/windows/win_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

wchar_t *ex__win_wide(const char *s) {
  wchar_t *w;
  int n;

  n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
  if (n <= 0)
    return NULL;
  w = malloc((size_t)n * sizeof(*w));
  if (w == NULL)
    return NULL;
  if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
    free(w);
    return NULL;
  }
  return w;
}

int ex__win_utf8(const wchar_t *w, char *buf, size_t size) {
  int n;

  if (size == 0)
    return -ENAMETOOLONG;
  buf[0] = '\0';
  n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
  if (n <= 0)
    return -EINVAL;
  if ((size_t)n > size)
    return -ENAMETOOLONG;
  if (WideCharToMultiByte(CP_UTF8, 0, w, -1, buf, (int)size, NULL, NULL) != n) {
    buf[0] = '\0';
    return -EINVAL;
  }
  return 0;
}

char *ex__win_utf8_dup(const wchar_t *w) {
  char *s;
  int n;

  n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
  if (n <= 0)
    return NULL;
  s = malloc((size_t)n);
  if (s == NULL)
    return NULL;
  if (WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
    free(s);
    return NULL;
  }
  return s;
}

int ex__win_errno(DWORD err) {
  switch (err) {
  case ERROR_FILE_NOT_FOUND:
  case ERROR_PATH_NOT_FOUND:
  case ERROR_INVALID_DRIVE:
    return -ENOENT;
  case ERROR_ACCESS_DENIED:
  case ERROR_PRIVILEGE_NOT_HELD:
    return -EACCES;
  case ERROR_SHARING_VIOLATION:
  case ERROR_LOCK_VIOLATION:
    return -EBUSY;
  case ERROR_NOT_ENOUGH_MEMORY:
  case ERROR_OUTOFMEMORY:
    return -ENOMEM;
  case ERROR_INVALID_PARAMETER:
  case ERROR_INVALID_HANDLE:
    return -EINVAL;
  case ERROR_INSUFFICIENT_BUFFER:
  case ERROR_FILENAME_EXCED_RANGE:
    return -ENAMETOOLONG;
  case ERROR_CALL_NOT_IMPLEMENTED:
  case ERROR_NOT_SUPPORTED:
    return -ENOSYS;
  case WAIT_TIMEOUT:
    return -ETIMEDOUT;
  default:
    return -EIO;
  }
}

void ex__win_strip_verbatim(wchar_t *w) {
  size_t n;

  n = wcslen(w);
  if (n >= 8 && wcsncmp(w, L"\\\\?\\UNC\\", 8) == 0) {
    /* \\?\UNC\server\share -> \\server\share */
    memmove(w + 2, w + 8, (n - 8 + 1) * sizeof(*w));
    return;
  }
  if (n >= 4 && wcsncmp(w, L"\\\\?\\", 4) == 0)
    memmove(w, w + 4, (n - 4 + 1) * sizeof(*w));
}

void *memrchr(const void *s, int c, size_t n) {
  const unsigned char *p;

  p = (const unsigned char *)s + n;
  while (n-- > 0) {
    if (*--p == (unsigned char)c)
      return (void *)p;
  }
  return NULL;
}

void *memmem(const void *hay, size_t hlen, const void *needle, size_t nlen) {
  const char *h;
  size_t i;

  if (nlen == 0)
    return (void *)hay;
  h = hay;
  for (i = 0; i + nlen <= hlen; i++) {
    if (h[i] == *(const char *)needle && memcmp(h + i, needle, nlen) == 0)
      return (void *)(h + i);
  }
  return NULL;
}

char *realpath(const char *path, char *resolved) {
  return _fullpath(resolved, path, resolved != NULL ? MAX_PATH : 0);
}

long long ex__win_timegm(struct tm *tm) {
  return (long long)_mkgmtime(tm);
}

typedef struct {
  int (*cmp)(const void *, const void *, void *);
  void *arg;
} ex_qsort_ctx_t;

static int qsort_trampoline(void *ctx, const void *a, const void *b) {
  ex_qsort_ctx_t *c;

  c = ctx;
  return c->cmp(a, b, c->arg);
}

void qsort_r(void *base, size_t n, size_t size,
             int (*cmp)(const void *, const void *, void *), void *arg) {
  ex_qsort_ctx_t c;

  c.cmp = cmp;
  c.arg = arg;
  qsort_s(base, n, size, qsort_trampoline, &c);
}

const char *ex__win_basename(const char *path) {
  const char *base;
  const char *p;

  base = path;
  for (p = path; *p != '\0'; p++) {
    if (*p == '\\' || *p == '/' || (*p == ':' && p == path + 1))
      base = p + 1;
  }
  return base;
}
