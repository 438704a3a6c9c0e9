/* Helpers of the CI-family explainers (tool_ci.h): files, the environment,
 * dates and version requirements. Everything here reads; nothing runs. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "platform/linux/tools/tool_ci.h"
#include "platform/linux/tools/tool_util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CERT_FILE_MAX (8L * 1024 * 1024)

const char *ex__ci_env(const char *name) {
  const char *v = getenv(name);

  return v != NULL && v[0] != '\0' ? v : NULL;
}

int ex__ci_rule(const ex_probe_event_t *ev, const char *prefix) {
  size_t n;

  if (ev->rule_id == NULL)
    return 0;
  n = strlen(prefix);
  if (n > 0 && prefix[n - 1] == '.')
    return strncmp(ev->rule_id, prefix, n) == 0;
  return strcmp(ev->rule_id, prefix) == 0;
}

int ex__ci_condition(const ex_probe_event_t *ev, const char *const *list) {
  size_t i;

  if (ev->condition == NULL)
    return 0;
  for (i = 0; list[i] != NULL; i++) {
    if (strcmp(ev->condition, list[i]) == 0)
      return 1;
  }
  return 0;
}

const char *ex__ci_time(time_t t, char *buf, size_t size) {
  struct tm tm;

  if (gmtime_r(&t, &tm) == NULL ||
      strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
    ex_strlcpy(buf, "?", size);
  return buf;
}

int ex__ci_file_facts(ex_facts_t *f, const char *key, const char *path) {
  struct stat st;
  char k[96];
  char when[32];

  ex_facts_str(f, key, path);
  snprintf(k, sizeof(k), "%s_exists", key);
  if (stat(path, &st) != 0) {
    ex_facts_bool(f, k, 0);
    return 0;
  }
  ex_facts_bool(f, k, 1);
  snprintf(k, sizeof(k), "%s_size", key);
  ex_facts_int(f, k, (long long)st.st_size);
  snprintf(k, sizeof(k), "%s_mtime", key);
  ex_facts_str(f, k, ex__ci_time(st.st_mtime, when, sizeof(when)));
  return S_ISREG(st.st_mode) ? 1 : 0;
}

long ex__ci_count_certs(const char *path) {
  static const char mark[] = "-----BEGIN CERTIFICATE-----";
  char buf[65536 + sizeof(mark)];
  size_t keep = 0;
  long total = 0;
  long count = 0;
  ssize_t n;
  int fd;

  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -errno;
  for (;;) {
    char *p;
    size_t len;

    do
      n = read(fd, buf + keep, sizeof(buf) - keep - 1);
    while (n < 0 && errno == EINTR);
    if (n <= 0)
      break;
    len = keep + (size_t)n;
    buf[len] = '\0';
    for (p = buf; (p = memmem(p, len - (size_t)(p - buf), mark,
                              sizeof(mark) - 1)) != NULL;
         p += sizeof(mark) - 1)
      count++;
    /* A mark cut between two reads is found in the next one. */
    keep = len < sizeof(mark) - 1 ? len : sizeof(mark) - 2;
    memmove(buf, buf + len - keep, keep);
    total += n;
    if (total > CERT_FILE_MAX)
      break;
  }
  close(fd);
  return n < 0 ? -errno : count;
}

int ex__ci_find_up(const char *dir, const char *name, char *out, size_t size,
                   int levels) {
  char path[EX_PROC_PATH_MAX];
  int i;

  ex_strlcpy(out, dir, size);
  for (i = 0; i <= levels; i++) {
    if (ex__tool_join(path, sizeof(path), out, name) != NULL &&
        access(path, F_OK) == 0)
      return 0;
    if (strcmp(out, "/") == 0)
      break;
    ex__tool_dirname(out);
  }
  return -ENOENT;
}

static int month_of(const char *s) {
  static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  int i;

  for (i = 0; i < 12; i++) {
    if (strncmp(s, months + 3 * i, 3) == 0)
      return i;
  }
  return -1;
}

int ex__ci_parse_time(const char *s, time_t *t) {
  struct tm tm;
  char mon[4];
  char wday[4];
  char zone[8];
  int off_h;
  int off_m;
  int n;
  char sign;

  memset(&tm, 0, sizeof(tm));
  /* RFC 3339: 2024-05-01T10:00:00Z, 2017-11-28T17:25:51+03:00 */
  n = sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
             &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
  if (n == 6) {
    const char *z = s + 19;

    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    while (*z == '.' || isdigit((unsigned char)*z))
      z++;
    *t = timegm(&tm);
    if (sscanf(z, "%c%2d:%2d", &sign, &off_h, &off_m) == 3 &&
        (sign == '+' || sign == '-'))
      *t -= (sign == '+' ? 1 : -1) * (off_h * 3600 + off_m * 60);
    return 0;
  }
  /* OpenSSL: Mar 10 12:00:00 2024 GMT */
  if (sscanf(s, "%3s %d %d:%d:%d %d", mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
             &tm.tm_sec, &tm.tm_year) == 6 &&
      month_of(mon) >= 0) {
    tm.tm_mon = month_of(mon);
    tm.tm_year -= 1900;
    *t = timegm(&tm);
    return 0;
  }
  /* Java: Sun Mar 10 12:00:00 UTC 2024 (the zone is taken as UTC). */
  if (sscanf(s, "%3s %3s %d %d:%d:%d %7s %d", wday, mon, &tm.tm_mday,
             &tm.tm_hour, &tm.tm_min, &tm.tm_sec, zone, &tm.tm_year) == 8 &&
      month_of(mon) >= 0) {
    tm.tm_mon = month_of(mon);
    tm.tm_year -= 1900;
    *t = timegm(&tm);
    return 0;
  }
  return -EINVAL;
}

int ex__ci_version(const char *s, int v[3]) {
  int n = 0;

  while (*s != '\0' && !isdigit((unsigned char)*s))
    s++;
  while (n < 3 && isdigit((unsigned char)*s)) {
    v[n++] = (int)strtol(s, (char **)&s, 10);
    if (*s != '.')
      break;
    s++;
  }
  return n;
}

int ex__ci_version_cmp(const int *a, int na, const int *b, int nb) {
  int n = na < nb ? na : nb;
  int i;

  for (i = 0; i < n; i++) {
    if (a[i] != b[i])
      return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}

/* One comparator clause: ">=3.8", "^20.17.0", "~3.9", "18.x", "==3.9.*".
 * 1 or 0; -1 when unreadable, -2 when empty. */
static int clause(const int *v, int n, const char *c, size_t len) {
  char op[3] = "";
  char buf[64];
  int w[3];
  int nw;
  int k;
  int cmp;

  while (len > 0 && isspace((unsigned char)*c)) {
    c++;
    len--;
  }
  while (len > 0 && isspace((unsigned char)c[len - 1]))
    len--;
  if (len == 0)
    return -2; /* nothing between two separators */
  if (len >= sizeof(buf))
    return -1;
  memcpy(buf, c, len);
  buf[len] = '\0';
  for (k = 0; k < 2 && buf[k] != '\0' && strchr("<>=!~^", buf[k]) != NULL; k++)
    op[k] = buf[k];
  op[k] = '\0';
  nw = ex__ci_version(buf + k, w);
  if (nw == 0)
    return strcmp(buf, "*") == 0 ? 1 : -1;
  /* 18.x, 3.9.*: only the numbers given are compared. */
  cmp = ex__ci_version_cmp(v, n, w, nw);
  if (op[0] == '\0' || strcmp(op, "=") == 0 || strcmp(op, "==") == 0)
    return cmp == 0;
  if (strcmp(op, ">=") == 0)
    return cmp >= 0;
  if (strcmp(op, ">") == 0)
    return cmp > 0;
  if (strcmp(op, "<=") == 0)
    return cmp <= 0;
  if (strcmp(op, "<") == 0)
    return cmp < 0;
  if (strcmp(op, "!=") == 0)
    return cmp != 0;
  if (strcmp(op, "^") == 0)
    return v[0] == w[0] && ex__ci_version_cmp(v, n, w, nw) >= 0;
  if (strcmp(op, "~") == 0 || strcmp(op, "~=") == 0)
    return ex__ci_version_cmp(v, n, w, nw > 1 ? nw - 1 : 1) == 0 && cmp >= 0;
  return -1;
}

int ex__ci_satisfies(const int *v, int n, const char *req) {
  const char *alt = req;
  int any_readable = 0;

  /* "a || b": either; "a, b" or "a b": both. */
  while (alt != NULL) {
    const char *end = strstr(alt, "||");
    size_t alen = end != NULL ? (size_t)(end - alt) : strlen(alt);
    size_t i = 0;
    int all = 1;
    int seen = 0;

    while (i < alen) {
      size_t j = i;
      int r;

      while (j < alen && alt[j] != ',' &&
             !(alt[j] == ' ' && j + 1 < alen && strchr("<>=!~^", alt[j + 1])))
        j++;
      r = clause(v, n, alt + i, j - i);
      if (r == -2) {
        i = j + 1;
        continue;
      }
      if (r < 0)
        return -1;
      seen = 1;
      all = all && r;
      i = j + 1;
    }
    if (seen) {
      any_readable = 1;
      if (all)
        return 1;
    }
    alt = end != NULL ? end + 2 : NULL;
  }
  return any_readable ? 0 : -1;
}
