/* The errno-phrase recogniser: an operating-system error reported inside
 * another tool's line.
 *
 * Most failures in CI logs are a strerror text that a tool wrapped in its
 * own words: Go's `open /etc/app.yaml: no such file or directory`,
 * Node's `EACCES: permission denied, open '/x'`, Python's `[Errno 13]
 * Permission denied: '/x'`, Java's `/x (Permission denied)`, Rust's
 * `Os { code: 13, kind: PermissionDenied, message: "Permission denied" }`.
 * The words alone are not enough: `test_permission_denied PASSED`, a
 * sentence that quotes an error, `permission denied is handled` all
 * contain them. A phrase counts only in the shape of an error report:
 *
 *   - on its left, the start of the message, a chain separator `: ` (and
 *     then the element before it gives the operation and the subject; it
 *     starts after the previous `: `, or after the quote that opens a
 *     chain quoted inside another message, escaped or not), a
 *     code in brackets (`[Errno 13] `, `[2002] `), an opening parenthesis
 *     after a subject (`/x (`, `ENOENT (`, `errno 13 (`), Rust's
 *     `message: "`, or an errno symbol and a comma (`EMFILE, `);
 *   - on its right, the end of the message, a closing or separating mark
 *     (`.`, `,`, `)`, `"`, `'`..., escaped too: `\"`), `: ` and a quoted
 *     or absolute path, ` (` (`(os error 13)`), Ruby's ` @ FUNC - PATH`,
 *     or Node's target address;
 *   - not in a warning (`warning:` at the head, or the word `warning`,
 *     `ignoring`, `skipping` before it), not inside `inline code` of
 *     prose, and not sudo's lookup of its own host name (a warning that
 *     sudo words like an error).
 *
 * Node's codes without a phrase are read in two shapes: `connect
 * ECONNREFUSED 127.0.0.1:5432` and `EACCES, mkdir '/x'`. A text in no
 * table is read where the number beside it is an errno: Python's
 * `PermissionError: [Errno 13] TEXT` and Rust's `TEXT (os error 13)`.
 * runc's `caused "TEXT"` (quotes escaped or not) is a left side too.
 *
 * Everything here reads the line bytewise and copies nothing; offsets are
 * into the text given. The phrase table is built once (glibc's strerror
 * texts from rules/errno.c, then resolver texts, then glibc's
 * translations from rules/errno_l10n.c), at the first use. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "matcher/matcher.h"
#include "platform/platform.h"

/* glibc's English texts and the others below (about 170), and the
 * translations of rules/errno_l10n.c (about 460). */
#define PHRASES_MAX 768

typedef struct phrase_s {
  const char *text;
  const char *errno_name; /* NULL for a failed name resolution */
  uint16_t len;
  uint8_t host_after; /* `text: HOST` (curl's "Could not resolve host") */
  uint8_t translated; /* a translation: looked for only as written */
} phrase_t;

/* Texts that are not strerror's but report the same events: resolver
 * failures (glibc's gai_strerror, Go's, macOS's, curl's), Go's timeout,
 * Node's watch limit, BSD's wording of ETIMEDOUT. */
static const struct {
  const char *text;
  const char *errno_name;
  int host_after;
} extra_phrases[] = {
    {"no such host", NULL, 0},
    {"Name or service not known", NULL, 0},
    {"Temporary failure in name resolution", NULL, 0},
    {"nodename nor servname provided, or not known", NULL, 0},
    {"No address associated with hostname", NULL, 0},
    {"Could not resolve host", NULL, 1},
    {"Unknown host", NULL, 0},
    {"Host not found", NULL, 0},
    {"i/o timeout", "ETIMEDOUT", 0},
    /* Node's for ENOSPC from a watch (libuv's inotify_add_watch) */
    {"System limit for number of file watchers reached", "ENOSPC", 0},
    {"Operation timed out", "ETIMEDOUT", 0},
    /* musl's strerror, where it differs from glibc's (Alpine images) */
    {"Address in use", "EADDRINUSE", 0},
    {"Address not available", "EADDRNOTAVAIL", 0},
    {"Host is unreachable", "EHOSTUNREACH", 0},
    {"Network unreachable", "ENETUNREACH", 0},
    {"No file descriptors available", "EMFILE", 0},
    {"Symbolic link loop", "ELOOP", 0},
    {"Filename too long", "ENAMETOOLONG", 0},
    {"Resource busy", "EBUSY", 0},
    {"Quota exceeded", "EDQUOT", 0},
    {"Socket not connected", "ENOTCONN", 0},
    /* the BSDs' and macOS's */
    {"Can't assign requested address", "EADDRNOTAVAIL", 0},
    {"Disc quota exceeded", "EDQUOT", 0},
    {"Socket is not connected", "ENOTCONN", 0},
    /* Winsock's and Windows', where Go, Python and Java print them */
    {"No connection could be made because the target machine actively "
     "refused it",
     "ECONNREFUSED", 0},
    {"only one usage of each socket address (protocol/network address/port) "
     "is normally permitted",
     "EADDRINUSE", 0},
    {"An existing connection was forcibly closed by the remote host",
     "ECONNRESET", 0},
    {"A connection attempt failed because the connected party did not "
     "properly respond after a period of time",
     "ETIMEDOUT", 0},
    {"The requested address is not valid in its context", "EADDRNOTAVAIL", 0},
    {"A socket operation was attempted to an unreachable network",
     "ENETUNREACH", 0},
    {"No such host is known", NULL, 0},
    {"The system cannot find the file specified", "ENOENT", 0},
    {"The system cannot find the path specified", "ENOENT", 0},
    {"Access is denied", "EACCES", 0},
};

/* Windows' own texts for its commonest errors in the languages CI logs
 * from Windows machines are pasted in (Go's CreateFile, Python's
 * [WinError 2], Java's "(...)" after a path). Like glibc's translations
 * they are looked for only as written. */
static const struct {
  const char *text;
  const char *errno_name;
} windows_l10n[] = {
    {"Das System kann die angegebene Datei nicht finden", "ENOENT"},
    {"Das System kann den angegebenen Pfad nicht finden", "ENOENT"},
    {"Le fichier spécifié est introuvable", "ENOENT"},
    {"Impossibile trovare il file specificato", "ENOENT"},
    {"Het systeem kan het opgegeven bestand niet vinden", "ENOENT"},
    {"Не удается найти указанный файл", "ENOENT"},
    {"系统找不到指定的文件", "ENOENT"},
    {"系统找不到指定的路径", "ENOENT"},
    {"指定されたファイルが見つかりません", "ENOENT"},
};

/* Node's codes, read in its own shapes even without a phrase. */
static const struct {
  const char code[16];
  const char *errno_name; /* NULL: a failed name resolution */
} ecodes[] = {
    {"EACCES", "EACCES"},
    {"EADDRINUSE", "EADDRINUSE"},
    {"EADDRNOTAVAIL", "EADDRNOTAVAIL"},
    {"EAGAIN", "EAGAIN"},
    {"EAI_AGAIN", NULL},
    {"EBADF", "EBADF"},
    {"EBUSY", "EBUSY"},
    {"ECONNABORTED", "ECONNABORTED"},
    {"ECONNREFUSED", "ECONNREFUSED"},
    {"ECONNRESET", "ECONNRESET"},
    {"EEXIST", "EEXIST"},
    {"EHOSTUNREACH", "EHOSTUNREACH"},
    {"EINVAL", "EINVAL"},
    {"EISDIR", "EISDIR"},
    {"ELOOP", "ELOOP"},
    {"EMFILE", "EMFILE"},
    {"ENAMETOOLONG", "ENAMETOOLONG"},
    {"ENETUNREACH", "ENETUNREACH"},
    {"ENFILE", "ENFILE"},
    {"ENOENT", "ENOENT"},
    {"ENOSPC", "ENOSPC"},
    {"ENOTDIR", "ENOTDIR"},
    {"ENOTEMPTY", "ENOTEMPTY"},
    {"ENOTFOUND", NULL},
    {"EPERM", "EPERM"},
    {"EPIPE", "EPIPE"},
    {"EROFS", "EROFS"},
    {"ETIMEDOUT", "ETIMEDOUT"},
    {"EXDEV", "EXDEV"},
};

#define NECODES (sizeof(ecodes) / sizeof(ecodes[0]))

/* Reports that carry the errno's number beside the text: Python's
 * "[Errno 13] TEXT" and Rust's "TEXT (os error 13)". With a text in no
 * table (a translation of another glibc, another system's), the number
 * still says which error it is. */
static const char numbered[][12] = {"[Errno ", "(os error "};

/* Python's exceptions whose "[Errno N]" is an errno (socket.gaierror's
 * is getaddrinfo's code, and a class of a library's own may number
 * anything). */
static const char *const os_error_classes[] = {
    "OSError",           "IOError",
    "EnvironmentError",  "BlockingIOError",
    "ChildProcessError", "ConnectionError",
    "BrokenPipeError",   "ConnectionAbortedError",
    "ConnectionRefusedError", "ConnectionResetError",
    "FileExistsError",   "FileNotFoundError",
    "InterruptedError",  "IsADirectoryError",
    "NotADirectoryError", "PermissionError",
    "ProcessLookupError", "TimeoutError",
    "socket.error",      "select.error",
    "os.error",          NULL};

/* The words that name an operation, in Go's and Node's chains, in
 * coreutils' and busybox's messages, in system call names and in rsync's
 * names of its steps (mkstemp, change_dir, link_stat). */
static const struct {
  const char word[20];
  const char *operation;
  char kind; /* subject it takes: 'p'ath, 'a'ddress, 'P'ort, 'h'ost */
} op_words[] = {
    {"open", "open", 'p'},           {"openat", "open", 'p'},
    {"opendir", "open", 'p'},        {"scandir", "open", 'p'},
    {"readdir", "open", 'p'},        {"utime", "other", 'p'},
    {"fopen", "open", 'p'},          {"creat", "create", 'p'},
    {"create", "create", 'p'},       {"touch", "create", 'p'},
    {"mkdir", "mkdir", 'p'},         {"mkdirat", "mkdir", 'p'},
    {"remove", "delete", 'p'},       {"unlink", "delete", 'p'},
    {"unlinkat", "delete", 'p'},     {"rmdir", "delete", 'p'},
    {"delete", "delete", 'p'},       {"rename", "rename", 'p'},
    {"renameat", "rename", 'p'},     {"move", "rename", 'p'},
    {"stat", "other", 'p'},          {"lstat", "other", 'p'},
    {"fstat", "other", 'p'},         {"statx", "other", 'p'},
    {"access", "other", 'p'},        {"readlink", "other", 'p'},
    {"chdir", "other", 'p'},         {"realpath", "other", 'p'},
    {"read", "read", 'p'},           {"write", "write", 'p'},
    {"chmod", "chmod", 'p'},         {"fchmod", "chmod", 'p'},
    {"chown", "chown", 'p'},         {"lchown", "chown", 'p'},
    {"link", "link", 'p'},           {"symlink", "link", 'p'},
    {"exec", "exec", 'p'},           {"execve", "exec", 'p'},
    {"fork/exec", "exec", 'p'},      {"execvp", "exec", 'p'},
    {"execv", "exec", 'p'},          {"execvpe", "exec", 'p'},
    {"posix_spawn", "exec", 'p'},    {"posix_spawnp", "exec", 'p'},
    {"spawning", "exec", 'p'},       {"copyfile", "create", 'p'},
    {"watch", "other", 'p'},         {"mount", "mount", 'p'},
    {"add_watch", "other", 'p'},     {"inotify_add_watch", "other", 'p'},
    {"flock", "lock", 'p'},          {"lock", "lock", 'p'},
    {"mkstemp", "create", 'p'},      {"change_dir", "other", 'p'},
    {"link_stat", "other", 'p'},     {"connect", "connect", 'a'},
    {"dial", "connect", 'a'},        {"connectex", "connect", 'a'},
    {"wsarecv", "read", 'a'},        {"wsasend", "write", 'a'},
    {"wsarecvfrom", "read", 'a'},    {"bind", "bind", 'P'},
    {"listen", "bind", 'P'},         {"lookup", "resolve", 'h'},
    {"getaddrinfo", "resolve", 'h'},  {"accept", "other", 'a'},
    {"accept4", "other", 'a'},       {"writing", "write", 'p'},
    {"reading", "read", 'p'},        {"creating", "create", 'p'},
    {"opening", "open", 'p'},        {"removing", "delete", 'p'},
};

#define NOPS (sizeof(op_words) / sizeof(op_words[0]))

/* Verbs of coreutils' and busybox's "cannot VERB 'path'" messages. */
static const struct {
  const char *words;
  const char *operation;
} verbs[] = {
    {"create directory", "mkdir"},
    {"create regular file", "create"},
    {"create", "create"},
    {"open", "open"},
    {"remove", "delete"},
    {"delete", "delete"},
    {"stat", "other"},
    {"access", "other"},
    {"read", "read"},
    {"write", "write"},
    {"execute", "exec"},
    {"move", "rename"},
    {"rename", "rename"},
    {"touch", "create"},
    {"chdir", "other"},
    {"change directory", "other"},
    /* rsync: "failed to set times on", "failed to set permissions on" */
    {"set permissions", "chmod"},
    {"set times", "other"},
};

static phrase_t phrases[PHRASES_MAX];
static size_t nphrases;
/* Phrase indices sorted by folded first byte, longest first: bucket b is
 * order[first[b]..first[b + 1]). */
static uint16_t order[PHRASES_MAX];
static uint16_t first[257];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static unsigned char fold(unsigned char c) {
  return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int is_word(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9') || c == '_';
}

static int is_upper_or_digit(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}

static void add_phrase(const char *text, const char *errno_name,
                       int host_after, int translated) {
  if (nphrases == PHRASES_MAX)
    return;
  phrases[nphrases].text = text;
  phrases[nphrases].len = (uint16_t)strlen(text);
  phrases[nphrases].errno_name = errno_name;
  phrases[nphrases].host_after = (uint8_t)host_after;
  phrases[nphrases].translated = (uint8_t)translated;
  nphrases++;
}

static int order_cmp(const void *a, const void *b) {
  const phrase_t *x = &phrases[*(const uint16_t *)a];
  const phrase_t *y = &phrases[*(const uint16_t *)b];
  unsigned char fx = fold((unsigned char)x->text[0]);
  unsigned char fy = fold((unsigned char)y->text[0]);

  if (fx != fy)
    return fx < fy ? -1 : 1;
  if (x->len != y->len)
    return x->len > y->len ? -1 : 1;
  return *(const uint16_t *)a < *(const uint16_t *)b ? -1 : 1;
}

static void build(void) {
  size_t i;
  unsigned b;
  size_t k = 0;
  int num;

  for (num = 1; num < 4096; num++) {
    const char *name = ex_errno_name(num);
    const char *msg = name != NULL ? ex_errno_message(name) : NULL;
    if (msg != NULL && strlen(msg) >= EX_LITERAL_MIN)
      add_phrase(msg, name, 0, 0);
  }
  for (i = 0; i < sizeof(extra_phrases) / sizeof(extra_phrases[0]); i++)
    add_phrase(extra_phrases[i].text, extra_phrases[i].errno_name,
               extra_phrases[i].host_after, 0);
  /* Translations (a machine's locale reaches Python's and coreutils'
   * messages), read in the same shapes. */
  for (i = 0; i < ex_errno_l10n_count(); i++) {
    const char *name;
    const char *text = ex_errno_l10n_text(i, &name, NULL);
    add_phrase(text, name, 0, 1);
  }
  for (i = 0; i < sizeof(windows_l10n) / sizeof(windows_l10n[0]); i++)
    add_phrase(windows_l10n[i].text, windows_l10n[i].errno_name, 0, 1);
  for (i = 0; i < nphrases; i++)
    order[i] = (uint16_t)i;
  qsort(order, nphrases, sizeof(order[0]), order_cmp);
  for (b = 0; b < 256; b++) {
    first[b] = (uint16_t)k;
    while (k < nphrases && fold((unsigned char)phrases[order[k]].text[0]) == b)
      k++;
  }
  first[256] = (uint16_t)k;
}

/* The literals that make a line worth reading. A phrase caseless
 * anywhere would be too common: the words of "Object is remote" or
 * "Connection reset by peer" fill running text, and every line with them
 * would be read. So each phrase is looked for as glibc writes it
 * (case-sensitive: "Permission denied"), and in any case after ": ", where
 * Go, Node and most chains put it ("open /x: permission denied"). A
 * translation only as written: the programs that lower the case of a
 * text (Go's, Node's) print it in English, and a second literal for each
 * of the 460 would cost memory for nothing. */
static void put_literal(ex_literal_t *lits, unsigned char *keys, size_t from,
                        size_t max, size_t *n, const char *head,
                        const char *text, int caseless) {
  if (*n >= from && *n - from < max) {
    size_t k = *n - from;
    size_t hl = strlen(head);
    size_t len = hl + strlen(text);
    /* ": " and the first letter: the words after it are running text,
     * as common as a key can be. */
    keys[k] = hl > 0 ? 0 : 0xFF;
    if (len > EX_LITERAL_MAX)
      len = EX_LITERAL_MAX;
    memcpy(lits[k].bytes, head, hl);
    memcpy(lits[k].bytes + hl, text, len - hl);
    lits[k].len = len;
    lits[k].caseless = caseless;
  }
  (*n)++;
}

size_t ex_errphrase_literals(ex_literal_t *lits, unsigned char *keys,
                             size_t from, size_t max) {
  size_t n = 0;
  size_t i;

  (void)pthread_once(&once, build);
  for (i = 0; i < nphrases; i++) {
    put_literal(lits, keys, from, max, &n, "", phrases[i].text, 0);
    if (!phrases[i].translated)
      put_literal(lits, keys, from, max, &n, ": ", phrases[i].text, 1);
  }
  for (i = 0; i < NECODES; i++)
    put_literal(lits, keys, from, max, &n, "", ecodes[i].code, 0);
  /* Erlang's and Elixir's atoms: ":eaddrinuse" */
  for (i = 0; i < NECODES; i++)
    if (ecodes[i].errno_name != NULL)
      put_literal(lits, keys, from, max, &n, ":", ecodes[i].code, 1);
  /* and Erlang's tuple of one: "{error,eacces}" */
  put_literal(lits, keys, from, max, &n, "", "{error,", 0);
  for (i = 0; i < sizeof(numbered) / sizeof(numbered[0]); i++)
    put_literal(lits, keys, from, max, &n, "", numbered[i], 0);
  return n;
}

/* ---------------------------------------------------------------------- */
/* Reading helpers                                                         */

typedef struct span_s {
  size_t off;
  size_t len;
} span_t;

/* The longest phrase at s[i] with word boundaries on both sides, or -1. */
static int phrase_at(const char *s, size_t len, size_t i) {
  unsigned char c = fold((unsigned char)s[i]);
  uint16_t j;

  for (j = first[c]; j < first[c + 1]; j++) {
    const phrase_t *p = &phrases[order[j]];
    size_t k;
    if (i + p->len > len)
      continue;
    for (k = 1; k < p->len; k++)
      if (fold((unsigned char)s[i + k]) != fold((unsigned char)p->text[k]))
        break;
    if (k < p->len)
      continue;
    if (i + p->len < len && is_word((unsigned char)s[i + p->len]) &&
        is_word((unsigned char)p->text[p->len - 1]))
      continue;
    return (int)order[j];
  }
  return -1;
}

/* A Node code at s[i] (a whole word), or -1. */
static int ecode_at(const char *s, size_t len, size_t i, size_t *end) {
  size_t k = i;
  size_t e;

  if (s[i] != 'E' || (i > 0 && is_word((unsigned char)s[i - 1])))
    return -1;
  while (k < len && is_upper_or_digit((unsigned char)s[k]))
    k++;
  for (e = 0; e < NECODES; e++) {
    size_t n = strlen(ecodes[e].code);
    if (n == k - i && memcmp(s + i, ecodes[e].code, n) == 0) {
      *end = k;
      return (int)e;
    }
  }
  return -1;
}

static int ecode_word(const char *s, size_t off, size_t len) {
  size_t end;

  return len > 0 && ecode_at(s, off + len, off, &end) >= 0 && end == off + len;
}

/* The operation word w[0..n) ("open", "mkdir()", "fork/exec"), or -1. */
static int op_word(const char *w, size_t n) {
  size_t i;

  if (n > 2 && w[n - 2] == '(' && w[n - 1] == ')')
    n -= 2;
  for (i = 0; i < NOPS; i++)
    if (strlen(op_words[i].word) == n && memcmp(w, op_words[i].word, n) == 0)
      return (int)i;
  return -1;
}

static int word_ieq(const char *s, size_t n, const char *w) {
  size_t k;

  if (strlen(w) != n)
    return 0;
  for (k = 0; k < n; k++)
    if (fold((unsigned char)s[k]) != (unsigned char)w[k])
      return 0;
  return 1;
}

/* Whether s[off..off+n) contains the word w (lower case, whole word,
 * ASCII case ignored). */
static int has_word(const char *s, size_t off, size_t n, const char *w) {
  size_t wl = strlen(w);
  size_t i;

  for (i = off; i + wl <= off + n; i++) {
    if (i > off && is_word((unsigned char)s[i - 1]))
      continue;
    if (i + wl < off + n && is_word((unsigned char)s[i + wl]))
      continue;
    if (word_ieq(s + i, wl, w))
      return 1;
  }
  return 0;
}

static int is_quote(unsigned char c) {
  return c == '\'' || c == '"' || c == '`';
}

/* A quoted string starting at s[i] (' " ` or ‘ ... ’): its contents. A
 * quote escaped for a message quoted inside another (`\"/x\"`, runc's
 * `\\\"/x\\\"`) closes at the same quote escaped as many times, and the
 * contents are what stands between the escapes. */
static int quoted_at(const char *s, size_t len, size_t i, span_t *out,
                     size_t *end) {
  const char *close;
  size_t open_len = 1;
  size_t n = 0;
  size_t c;
  char q;

  if (i >= len)
    return 0;
  if (i + 3 <= len && memcmp(s + i, "\xe2\x80\x98", 3) == 0) {
    const char *p;
    for (p = s + i + 3; p + 3 <= s + len; p++)
      if (memcmp(p, "\xe2\x80\x99", 3) == 0)
        break;
    if (p + 3 > s + len || p == s + i + 3)
      return 0;
    out->off = i + 3;
    out->len = (size_t)(p - (s + i + 3));
    *end = (size_t)(p - s) + 3;
    return 1;
  }
  while (i < len && s[i] == '\\')
    i++;
  if (i == len || !is_quote((unsigned char)s[i]))
    return 0;
  q = s[i];
  while (n < i && s[i - 1 - n] == '\\')
    n++;
  if (n > 0) {
    for (c = i + 1; c < len; c++) {
      size_t b = 0;
      if (s[c] != q)
        continue;
      while (b < c - i - 1 && s[c - 1 - b] == '\\')
        b++;
      if (b == n)
        break;
    }
    if (c == len || c - n == i + 1)
      return 0;
    out->off = i + 1;
    out->len = c - n - (i + 1);
    *end = c + 1;
    return 1;
  }
  close = memchr(s + i + open_len, q, len - i - open_len);
  /* GNU tools before 2016 quoted `like this' (coreutils 8.25 moved to
   * 'like this'): a backquote that nothing closes closes at an
   * apostrophe. */
  if (close == NULL && q == '`')
    close = memchr(s + i + open_len, '\'', len - i - open_len);
  if (close == NULL || close == s + i + open_len)
    return 0;
  out->off = i + open_len;
  out->len = (size_t)(close - (s + i + open_len));
  *end = (size_t)(close - s) + 1;
  return 1;
}

static int looks_like_path(const char *s, size_t n) {
  if (n == 0)
    return 0;
  if (s[0] == '/' || s[0] == '~')
    return 1;
  if (n >= 2 && s[0] == '.' &&
      (s[1] == '/' || (n >= 3 && s[1] == '.' && s[2] == '/')))
    return 1;
  /* C:\ or C:/ */
  return n >= 3 &&
         ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')) &&
         s[1] == ':' && (s[2] == '\\' || s[2] == '/');
}

/* The last whitespace-separated token of s[lo..hi). */
static span_t last_token(const char *s, size_t lo, size_t hi) {
  span_t t;
  size_t b = hi;

  while (b > lo && s[b - 1] != ' ' && s[b - 1] != '\t')
    b--;
  t.off = b;
  t.len = hi - b;
  return t;
}

/* The first token of s[lo..hi) and where it ends. */
static span_t first_token(const char *s, size_t lo, size_t hi) {
  span_t t;
  size_t e;

  while (lo < hi && (s[lo] == ' ' || s[lo] == '\t'))
    lo++;
  e = lo;
  while (e < hi && s[e] != ' ' && s[e] != '\t')
    e++;
  t.off = lo;
  t.len = e - lo;
  return t;
}

/* Whether the double quote at s[q] opens a string in s[lo..hi): a space,
 * a bracket, logfmt's `key=` or nothing before it (and the backslashes
 * that escape it), something after it. */
static int quote_opens(const char *s, size_t lo, size_t hi, size_t q) {
  size_t b = q;

  while (b > lo && s[b - 1] == '\\')
    b--;
  if (b > lo && s[b - 1] != ' ' && s[b - 1] != '(' && s[b - 1] != '[' &&
      s[b - 1] != '=')
    return 0;
  return q + 1 < hi && s[q + 1] != ' ' && s[q + 1] != '\t';
}

/* Start of the chain element that ends at `end` (just before a ": "):
 * after the previous ": ", or lo; or, when the chain is a message quoted
 * inside another (`caused "mkdir /x: ...`, runc's `caused \\\"mkdir /x:
 * ...`), after the quote that opens it and is not closed before end. */
static size_t element_start(const char *s, size_t lo, size_t end) {
  size_t i = end;
  size_t k;
  int depth = 0;

  while (i > lo + 1 && !(s[i - 2] == ':' && s[i - 1] == ' '))
    i--;
  if (i <= lo + 1)
    i = lo;
  for (k = end; k > i; k--) {
    if (s[k - 1] != '"')
      continue;
    if (!quote_opens(s, i, end, k - 1))
      depth++;
    else if (depth-- == 0)
      return k;
  }
  return i;
}

/* ---------------------------------------------------------------------- */
/* Subjects                                                                */

typedef struct reading_s {
  ex_errphrase_t *out;
  const char *s;
  size_t len;
  size_t lo; /* the words read start here */
  size_t hi; /* and end here */
  int watch; /* the operation was a file watch (inotify) */
  int paren; /* the phrase opened a parenthesis: "(TEXT @ FUNC - PATH):" */
} reading_t;

static void take(reading_t *r, size_t off, size_t len) {
  if (off < r->lo)
    r->lo = off;
  if (off + len > r->hi)
    r->hi = off + len;
}

static void set_op(reading_t *r, int op) {
  if (op >= 0 && r->out->operation == NULL) {
    r->out->operation = op_words[op].operation;
    r->watch = strstr(op_words[op].word, "watch") != NULL;
  }
}

/* Whether v is the whole contents of a quoted string: its quote before it,
 * the same after it (after the backslashes that escape it). */
static int quoted_whole(const char *s, size_t len, span_t v) {
  size_t e = v.off + v.len;

  if (v.off == 0 || !is_quote((unsigned char)s[v.off - 1]))
    return 0;
  while (e < len && s[e] == '\\')
    e++;
  return e < len && s[e] == s[v.off - 1];
}

static void set_subject(reading_t *r, const char *kind, span_t v) {
  const char *s = r->s;
  size_t i;

  /* Trailing punctuation of a sentence is not part of a path; inside
   * quotes it is (rsync's "/var/www/html/."). */
  while (v.len > 1 && !quoted_whole(s, r->len, v) &&
         (s[v.off + v.len - 1] == ',' || s[v.off + v.len - 1] == ';' ||
          s[v.off + v.len - 1] == '.'))
    v.len--;
  /* "?/var/lib/x.idx?": quotes a terminal could not show (‘’) */
  if (v.len > 3 && s[v.off] == '?' && s[v.off + v.len - 1] == '?' &&
      s[v.off + 1] == '/') {
    v.off++;
    v.len -= 2;
  }
  if (v.len == 0 || r->out->subject_kind != NULL)
    return;
  /* Only asterisks: a name the log masked (GitHub Actions' secrets). */
  for (i = 0; i < v.len && s[v.off + i] == '*'; i++)
    ;
  if (i == v.len)
    return;
  /* A NUL or a control byte is no part of a name a tool printed. */
  for (i = 0; i < v.len; i++)
    if ((unsigned char)s[v.off + i] < 0x20 || s[v.off + i] == 0x7f)
      return;
  r->out->subject_kind = kind;
  r->out->subject_off = v.off;
  r->out->subject_len = v.len;
  take(r, v.off, v.len);
}

/* A host:port target: the port after the last ':' (digits). */
static span_t port_of(const char *s, span_t t) {
  span_t p;
  size_t e = t.off + t.len;
  size_t b = e;

  while (b > t.off && is_digit((unsigned char)s[b - 1]))
    b--;
  p.off = b;
  p.len = b > t.off && s[b - 1] == ':' ? e - b : 0;
  if (b == t.off && t.len > 0)
    p.len = t.len; /* a bare port number */
  return p;
}

/* The subject of a target token for an operation of kind k. */
static void target_subject(reading_t *r, char k, span_t t) {
  const char *s = r->s;
  const char *arrow;
  span_t q;
  size_t end;

  if (t.len == 0)
    return;
  if (quoted_at(s, t.off + t.len, t.off, &q, &end) && end == t.off + t.len)
    t = q;
  /* "read tcp 10.0.0.2:41000->10.0.0.1:5432": the far end; "write unix
   * /var/run/docker.sock->@": the socket (its peer has no name). */
  arrow = memmem(s + t.off, t.len, "->", 2);
  if (arrow != NULL && k != 'p') {
    size_t a = (size_t)(arrow - s) + 2;
    t.len = t.off + t.len - a;
    t.off = a;
  } else if (arrow != NULL) {
    t.len = (size_t)(arrow - s) - t.off;
  }
  if (k == 'h') {
    size_t i;
    int named = 0;
    for (i = 0; i < t.len; i++)
      named |= is_word((unsigned char)s[t.off + i]);
    if (!named)
      return; /* "*****": a name the poster hid */
  }
  if (k == 'p')
    set_subject(r, "path", t);
  else if (k == 'a')
    set_subject(r, looks_like_path(s + t.off, t.len) ? "path" : "address", t);
  else if (k == 'P') {
    span_t p = port_of(s, t);
    if (p.len > 0) {
      take(r, t.off, t.len);
      set_subject(r, "port", p);
    }
  } else if (k == 'h')
    set_subject(r, "host", t);
}

static const char *const nets[] = {"tcp",  "tcp4", "tcp6", "udp", "udp4",
                                   "udp6", "unix", "ip",   NULL};

static int net_word(const char *s, span_t t) {
  size_t i;

  for (i = 0; nets[i] != NULL; i++)
    if (word_ieq(s + t.off, t.len, nets[i]))
      return (int)i;
  return -1;
}

/* Whether t is a word that links a verb to its object ("chdir to cwd"),
 * never a file's name after an operation. */
static int preposition(const char *s, span_t t) {
  static const char *const words[] = {"to", "on",   "in",   "at", "for",
                                      "of", "from", "into", NULL};
  size_t i;

  for (i = 0; words[i] != NULL; i++)
    if (word_ieq(s + t.off, t.len, words[i]))
      return 1;
  return 0;
}

/* OpenSSH's "connect to host HOST port PORT" (also inside Ansible's
 * "Failed to connect to the host via ssh: ..."): the address, printed as
 * two words, where arg is the "to". */
static int ssh_target(reading_t *r, span_t arg, size_t hi) {
  const char *s = r->s;
  span_t host;
  span_t word;
  span_t port;
  size_t i;

  if (!word_ieq(s + arg.off, arg.len, "to"))
    return 0;
  word = first_token(s, arg.off + arg.len, hi);
  /* curl says it without "host": "Failed to connect to localhost port
   * 80" */
  host = word_ieq(s + word.off, word.len, "host")
             ? first_token(s, word.off + word.len, hi)
             : word;
  word = first_token(s, host.off + host.len, hi);
  port = first_token(s, word.off + word.len, hi);
  if (host.len == 0 || !word_ieq(s + word.off, word.len, "port") ||
      port.len == 0 || port.len > 5 || port.off + port.len != hi)
    return 0;
  for (i = 0; i < port.len; i++)
    if (!is_digit((unsigned char)s[port.off + i]))
      return 0;
  set_subject(r, "address", host);
  if (r->out->subject_kind != NULL && r->out->subject_off == host.off) {
    r->out->port_off = port.off;
    r->out->port_len = port.len;
  }
  return 1;
}

static int host_byte(unsigned char c) {
  return is_word(c) || c == '.' || c == '-';
}

/* A Go operation element: "open /x", "dial tcp 1.2.3.4:5", "listen tcp
 * :8080", "lookup db on 127.0.0.11:53", "read udp a->b". Returns 1 when
 * the element starts with an operation word (after quotes), or holds a
 * network operation later ("desc = write unix /x->@", as gRPC words
 * it). */
static int go_element(reading_t *r, size_t lo, size_t hi) {
  const char *s = r->s;
  span_t op;
  span_t arg;
  int o;
  int net;

  while (lo < hi && is_quote((unsigned char)s[lo]))
    lo++;
  op = first_token(s, lo, hi);
  o = op_word(s + op.off, op.len);
  while (o < 0 && op.len > 0) {
    op = first_token(s, op.off + op.len, hi);
    o = op_word(s + op.off, op.len);
    arg = first_token(s, op.off + op.len, hi);
    /* this far in, only a network operation, or one on a path that
     * failed: tini's "[FATAL tini (8)] exec /x failed" */
    if (o >= 0 && net_word(s, arg) < 0 &&
        !(op_words[o].kind == 'p' && looks_like_path(s + arg.off, arg.len) &&
          arg.off + arg.len + 7 == hi &&
          memcmp(s + arg.off + arg.len, " failed", 7) == 0))
      o = -1;
  }
  if (o < 0)
    return 0;
  set_op(r, o);
  take(r, op.off, hi - op.off);
  arg = first_token(s, op.off + op.len, hi);
  if (ssh_target(r, arg, hi))
    return 1;
  /* The network of dial, listen, read and write. */
  net = net_word(s, arg);
  if (net >= 0 &&
      (op_words[o].kind != 'p' || strcmp(op_words[o].word, "read") == 0 ||
       strcmp(op_words[o].word, "write") == 0)) {
    char k = op_words[o].kind == 'p' ? 'a' : op_words[o].kind;
    if (strcmp(nets[net], "unix") == 0)
      k = 'p';
    target_subject(r, k, first_token(s, arg.off + arg.len, hi));
    return 1;
  }
  if (strcmp(op_words[o].word, "lookup") == 0) {
    /* "lookup HOST on DNS:53" or "lookup HOST" */
    r->out->condition = "name-resolution-failed";
    r->out->operation = "resolve";
    target_subject(r, 'h', arg);
    return 1;
  }
  if (op_words[o].kind == 'p' &&
      (preposition(s, arg) ||
       (word_ieq(s + arg.off, arg.len, "failed") &&
        preposition(s, first_token(s, arg.off + arg.len, hi))))) {
    /* runc: "chdir to cwd (\"/x\") set in config.json failed", rsync:
     * 'write failed on "/x"': the path is the string quoted later, if
     * any. */
    span_t q;
    size_t end;
    size_t k;
    for (k = arg.off + arg.len; k < hi; k++)
      if (is_quote((unsigned char)s[k]) && quoted_at(s, hi, k, &q, &end)) {
        set_subject(r, "path", q);
        break;
      }
    return 1;
  }
  /* "write error: Broken pipe": the operation and a word, no file;
   * "opening port": a gerund before a noun of prose, not a file's name */
  if (word_ieq(s + arg.off, arg.len, "error") ||
      (op.len > 3 && memcmp(s + op.off + op.len - 3, "ing", 3) == 0 &&
       !looks_like_path(s + arg.off, arg.len) &&
       !is_quote((unsigned char)s[arg.off])))
    return 1;
  target_subject(r, op_words[o].kind, arg);
  return 1;
}

/* A resolver element: "unable to resolve host HOST", "Could not resolve
 * hostname HOST". */
static int resolve_element(reading_t *r, size_t lo, size_t hi) {
  const char *s = r->s;
  span_t t = last_token(s, lo, hi);
  size_t i;

  for (i = lo; i + 7 <= hi; i++)
    if (word_ieq(s + i, 7, "resolve") && t.off > i + 7) {
      r->out->operation = "resolve";
      set_subject(r, "host", t);
      take(r, lo, hi - lo);
      return 1;
    }
  return 0;
}

/* The name a failed lookup was for, as the element before the resolver's
 * text: "github.com: Temporary failure in name resolution",
 * "getaddrinfo(whois.sx): ...". Only for a resolver's text (it has no
 * errno), and only a name with a dot in it. */
static int host_element(reading_t *r, size_t lo, size_t hi) {
  const char *s = r->s;
  span_t t = first_token(s, lo, hi);
  size_t i;
  int dot = 0;

  if (r->out->errno_name != NULL || t.len == 0 || t.off + t.len != hi)
    return 0;
  if (t.len > 13 && memcmp(s + t.off, "getaddrinfo(", 12) == 0 &&
      s[hi - 1] == ')') {
    t.off += 12;
    t.len -= 13;
  }
  for (i = 0; i < t.len; i++) {
    unsigned char c = (unsigned char)s[t.off + i];
    if (!host_byte(c))
      return 0;
    dot |= c == '.';
  }
  if (!dot || s[t.off] == '.' || s[t.off + t.len - 1] == '.')
    return 0;
  r->out->operation = "resolve";
  set_subject(r, "host", t);
  take(r, lo, hi - lo);
  return 1;
}

/* rsync names a file in a daemon's module as `"/x" (in MODULE)`: where
 * s[lo..hi) ends in that, the end of the name. */
static size_t module_end(const char *s, size_t lo, size_t hi) {
  size_t i = hi;

  if (hi - lo < 7 || s[hi - 1] != ')')
    return hi;
  i = hi - 1;
  while (i > lo && s[i - 1] != '(' && s[i - 1] != ' ')
    i--;
  if (i == hi - 1 || i < lo + 5 || memcmp(s + i - 5, " (in ", 5) != 0)
    return hi;
  return i - 5;
}

/* rsync's `VERB "/x" failed` and `VERB "/x" (in MODULE) failed`
 * ("mkstemp", "[receiver] chown", the path may hold spaces): the verb is
 * the word before the quoted path. */
static int failed_element(reading_t *r, size_t lo, size_t hi) {
  const char *s = r->s;
  span_t verb;
  span_t q;
  size_t e;
  size_t end;
  size_t i;

  if (hi - lo < 12 || memcmp(s + hi - 7, " failed", 7) != 0)
    return 0;
  e = module_end(s, lo, hi - 7);
  if (s[e - 1] != '"')
    return 0;
  /* The opening quote, with a space and the verb before it. */
  for (i = e - 1; i > lo + 1; i--)
    if (quoted_at(s, e, i - 1, &q, &end) && end == e)
      break;
  if (i <= lo + 1 || s[i - 2] != ' ')
    return 0;
  verb = last_token(s, lo, i - 2);
  for (i = 0; i < verb.len; i++)
    if (!is_word((unsigned char)s[verb.off + i]))
      return 0;
  if (verb.len == 0)
    return 0;
  set_op(r, op_word(s + verb.off, verb.len));
  set_subject(r, "path", q);
  take(r, verb.off, hi - verb.off);
  return 1;
}

/* Whether the element that ends at s[end] is one word: a tool's name
 * ("/bin/tar"), a shell builtin's ("exec"). */
static int one_word(const char *s, size_t end) {
  size_t lo = element_start(s, 0, end);

  return end > lo && memchr(s + lo, ' ', end - lo) == NULL;
}

/* The length of the words that open a report of a failure at s[lo]
 * ("Failed to rotate /x", "cannot stat"), 0 when none does. */
static size_t failure_head(const char *s, size_t lo, size_t hi) {
  static const char *const heads[] = {
      "cannot",   "can't", "failed to", "unable to", "could not",
      "couldn't", "error", NULL};
  size_t i;

  for (i = 0; heads[i] != NULL; i++) {
    size_t n = strlen(heads[i]);
    if (hi - lo > n + 1 && word_ieq(s + lo, n, heads[i]) && s[lo + n] == ' ')
      return n;
  }
  return 0;
}

/* A file's bare name, as ar and ld print what they could not find
 * ("atotimet.o", "libfoo.a"): name characters and an extension of one
 * to four letters or digits that is not all digits (a version). */
static int bare_file(const char *s, span_t t) {
  size_t i;
  size_t dot = 0;
  int letter = 0;

  for (i = 0; i < t.len; i++) {
    unsigned char c = (unsigned char)s[t.off + i];
    if (c == '.')
      dot = i;
    else if (!is_word(c) && c != '_' && c != '-' && c != '+')
      return 0;
  }
  if (dot == 0 || t.len - dot - 1 < 1 || t.len - dot - 1 > 4)
    return 0;
  for (i = dot + 1; i < t.len; i++)
    letter |= !is_digit((unsigned char)s[t.off + i]);
  return letter;
}

/* Whether the tool's name t (a path or not) is one of coreutils' and
 * busybox's whose arguments are files. */
static int file_tool(const char *s, span_t t) {
  static const char *const tools[] = {
      "touch", "mkdir", "rmdir", "rm",    "cp",  "mv",  "ln",
      "chmod", "chown", "chgrp", "cat",   "install", "truncate",
      "stat",  "ls",    "head",  "tail",  "tee", "dd",  NULL};
  const char *slash = memrchr(s + t.off, '/', t.len);
  size_t b = slash != NULL ? (size_t)(slash - s) + 1 : t.off;
  size_t i;

  for (i = 0; tools[i] != NULL; i++)
    if (word_ieq(s + b, t.off + t.len - b, tools[i]))
      return 1;
  return 0;
}

/* Whether an error of this name is about a file (not an address). */
static int file_errno(const char *e) {
  static const char *const names[] = {"ENOENT", "EACCES", "EPERM",
                                      "EISDIR", "ENOTDIR", "EROFS", NULL};
  size_t i;

  for (i = 0; e != NULL && names[i] != NULL; i++)
    if (strcmp(e, names[i]) == 0)
      return 1;
  return 0;
}

/* coreutils and busybox: "cannot create directory '/x'", or a bare
 * "'/x'" or "/x"; rsync's "failed to set times on "/x" (in MODULE)". */
static void path_element(reading_t *r, size_t lo, size_t hi) {
  const char *s = r->s;
  span_t t = last_token(s, lo, hi);
  span_t q;
  size_t end;
  size_t i;
  size_t qe = module_end(s, lo, hi);
  size_t qs = qe;

  /* The last quoted string of the element (it may hold spaces). */
  for (i = qe; i > lo; i--) {
    if (quoted_at(s, qe, i - 1, &q, &end) && end == qe) {
      qs = i - 1;
      break;
    }
  }
  if (qs < qe) {
    set_subject(r, "path", q);
    take(r, lo, hi - lo);
    for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
      size_t n = strlen(verbs[i].words);
      size_t k;
      for (k = lo; k + n <= qs; k++)
        if (memcmp(s + k, verbs[i].words, n) == 0 &&
            (k == lo || !is_word((unsigned char)s[k - 1]))) {
          r->out->operation = verbs[i].operation;
          return;
        }
    }
    return;
  }
  if (looks_like_path(s + t.off, t.len) && t.off == lo) {
    set_subject(r, "path", t);
    take(r, lo, hi - lo);
    return;
  }
  /* opkg: "Failed to open //usr/lib/opkg/info/x.list": the path at the
   * end after an operation's word. */
  if (looks_like_path(s + t.off, t.len) && t.off > lo + 1) {
    span_t op = last_token(s, lo, t.off - 1);
    int o;
    /* gcc: "error writing to /tmp/cc3j.s" */
    if ((word_ieq(s + op.off, op.len, "to") ||
         word_ieq(s + op.off, op.len, "into") ||
         word_ieq(s + op.off, op.len, "from")) &&
        op.off > lo + 1)
      op = last_token(s, lo, op.off - 1);
    o = op_word(s + op.off, op.len);
    if (o >= 0 && op_words[o].kind == 'p') {
      set_op(r, o);
      set_subject(r, "path", t);
      take(r, lo, hi - lo);
      return;
    }
    /* systemd: "Failed to rotate /var/log/journal/x: ...": a verb of the
     * tool's own, but the path it failed on is the last word. */
    if (failure_head(s, lo, hi) > 0) {
      set_subject(r, "path", t);
      take(r, lo, hi - lo);
      return;
    }
  }
  /* git: "unable to create file packages/x/opam": a path relative to
   * the work tree, after the words of a failure and "file" or
   * "directory". */
  if (t.off > lo + 1 && failure_head(s, lo, hi) > 0 &&
      memchr(s + t.off, '/', t.len) != NULL &&
      memmem(s + t.off, t.len, "://", 3) == NULL) {
    span_t noun = last_token(s, lo, t.off - 1);
    if (word_ieq(s + noun.off, noun.len, "file") ||
        word_ieq(s + noun.off, noun.len, "directory")) {
      set_subject(r, "path", t);
      take(r, lo, hi - lo);
      return;
    }
  }
  /* dpkg: "error ensuring '/var/lib/dpkg/x.deb' doesn't exist": a quoted
   * path inside the element. */
  for (i = lo; i < hi; i++)
    if ((i == lo || s[i - 1] == ' ') && is_quote((unsigned char)s[i]) &&
        quoted_at(s, hi, i, &q, &end) && looks_like_path(s + q.off, q.len)) {
      set_subject(r, "path", q);
      take(r, lo, hi - lo);
      return;
    }
  /* sed in Japanese, the path amid words ("一時ファイル /etc/sedN33XbA
   * を開く..."): the one absolute path among the words, when there is
   * one. */
  {
    span_t only = {0, 0};
    int paths = 0;
    for (i = lo; i < hi; i = t.off + t.len) {
      t = first_token(s, i, hi);
      if (t.len == 0)
        break;
      if (t.len > 1 && s[t.off] == '/' && s[t.off + 1] != '/') {
        only = t;
        paths++;
      }
    }
    if (paths == 1) {
      set_subject(r, "path", only);
      take(r, lo, hi - lo);
      return;
    }
  }
  /* Python's address tuple: "bind on address ('0.0.0.0', 8080)" */
  if (hi - lo > 6 && s[hi - 1] == ')' && has_word(s, lo, hi - lo, "bind")) {
    span_t port = t;
    port.len--;
    if (port.len > 0 && is_digit((unsigned char)s[port.off])) {
      r->out->operation = "bind";
      set_subject(r, "port", port);
    }
  }
}

/* ---------------------------------------------------------------------- */
/* The shapes                                                              */

/* The C functions of Ruby's core that name an operation in its
 * exceptions' messages; any other is "other". */
static const struct {
  const char *func;
  const char *operation;
} ruby_funcs[] = {
    {"dir_s_mkdir", "mkdir"},       {"rb_sysopen", "open"},
    {"rb_file_s_rename", "rename"}, {"unlink_internal", "delete"},
    {"rb_file_s_unlink", "delete"}, {"dir_s_rmdir", "delete"},
};

/* Ruby's "TEXT @ FUNC - PATH (Errno::EACCES)" after a phrase ending at
 * s[pe]: where FUNC ends, when the path, the exception's class or the end
 * of the message follows it; 0 otherwise ("Permission denied @ rb_sysopen
 * is raised when..." is a sentence about the message). */
static size_t ruby_func(const char *s, size_t len, size_t pe) {
  size_t k = pe + 3;

  if (pe + 3 >= len || memcmp(s + pe, " @ ", 3) != 0)
    return 0;
  while (k < len && is_word((unsigned char)s[k]))
    k++;
  if (k == pe + 3)
    return 0;
  if (first_token(s, k, len).len == 0 ||
      (k + 3 < len && memcmp(s + k, " - ", 3) == 0) ||
      (k + 9 <= len && memcmp(s + k, " (Errno::", 9) == 0))
    return k;
  return 0;
}

/* Reads Ruby's "@ FUNC - PATH" from s[pe] (FUNC ends at fe): the path may
 * hold spaces and runs to the class or the end; rename's "(a, b)" names
 * the source first; "<STDOUT>" and "fd:5" are streams, not paths. */
static void ruby_reading(reading_t *r, size_t pe, size_t fe) {
  const char *s = r->s;
  const char *cls;
  span_t v;
  size_t i;
  size_t e;

  for (i = 0; i < sizeof(ruby_funcs) / sizeof(ruby_funcs[0]); i++)
    if (strlen(ruby_funcs[i].func) == fe - pe - 3 &&
        memcmp(s + pe + 3, ruby_funcs[i].func, fe - pe - 3) == 0)
      break;
  if (r->out->operation == NULL)
    r->out->operation = i < sizeof(ruby_funcs) / sizeof(ruby_funcs[0])
                            ? ruby_funcs[i].operation
                            : "other";
  take(r, pe, fe - pe);
  if (fe + 3 >= r->len || memcmp(s + fe, " - ", 3) != 0)
    return;
  v.off = fe + 3;
  cls = memmem(s + v.off, r->len - v.off, " (Errno::", 9);
  e = cls != NULL ? (size_t)(cls - s) : r->len;
  /* An exception's inspection ends at its '>': "#<Errno::EROFS: TEXT @
   * FUNC - /x> (Fluent::InvalidRootDirectory)". */
  if (cls == NULL && memmem(s, pe, "#<Errno::", 9) != NULL) {
    const char *gt = memchr(s + v.off, '>', r->len - v.off);
    if (gt != NULL)
      e = (size_t)(gt - s);
  }
  while (e > v.off && (s[e - 1] == ' ' || s[e - 1] == '\t'))
    e--;
  /* Rails: "ActionView::Template::Error (TEXT @ FUNC - PATH):" */
  if (r->paren && e > v.off && s[e - 1] == ':')
    e--;
  if (r->paren && e > v.off && s[e - 1] == ')')
    e--;
  v.len = e - v.off;
  take(r, v.off, v.len);
  if (v.len > 2 && s[v.off] == '(' && s[e - 1] == ')') {
    const char *comma = memmem(s + v.off, v.len, ", ", 2);
    v.off++;
    v.len = (comma != NULL ? (size_t)(comma - s) : e - 1) - v.off;
  }
  if (v.len == 0 || s[v.off] == '<' ||
      (v.len > 3 && memcmp(s + v.off, "fd:", 3) == 0))
    return;
  set_subject(r, "path", v);
}

/* Whether s[..e) ends in a Ruby backtrace's location, "x.rb:879:in
 * `initialize'" (or 'initialize' since Ruby 3.4): the method named there
 * is no subject. */
static int ruby_location(const char *s, size_t e) {
  size_t i;

  if (e < 8 || (s[e - 1] != '\'' && s[e - 1] != '`'))
    return 0;
  for (i = e - 1; i > 4; i--) {
    if (memcmp(s + i - 4, ":in ", 4) == 0 && (s[i] == '`' || s[i] == '\''))
      return 1;
    if (s[i - 1] == ' ')
      return 0;
  }
  return 0;
}

/* Ruby's socket calls, named after an error's text: " - connect(2) ". */
static const struct {
  const char *call;
  const char *operation;
} ruby_calls[] = {{" - connect(2) ", "connect"}, {" - bind(2) ", "bind"}};

/* The index in ruby_calls[] of the call that follows s[pe], or -1; the
 * line must hold at least as much as the longest call. */
static int ruby_call(const char *s, size_t len, size_t pe) {
  size_t i;

  if (pe + strlen(ruby_calls[0].call) > len)
    return -1;
  for (i = 0; i < sizeof(ruby_calls) / sizeof(ruby_calls[0]); i++) {
    size_t n = strlen(ruby_calls[i].call);
    if (memcmp(s + pe, ruby_calls[i].call, n) == 0)
      return (int)i;
  }
  return -1;
}

/* Ruby's socket errors after the phrase ending at s[pe]: " - connect(2)
 * for "HOST" port PORT", " - connect(2) for HOST:PORT", " - bind(2) for
 * ...": 1 with the address read, or 0. */
static int ruby_socket(reading_t *r, size_t pe) {
  const char *s = r->s;
  size_t len = r->len;
  int c = ruby_call(s, len, pe);
  size_t k;
  span_t host;
  span_t port;
  size_t end;

  if (c < 0)
    return 0;
  k = pe + strlen(ruby_calls[c].call);
  if (k + 4 >= len || memcmp(s + k, "for ", 4) != 0)
    return 0;
  k += 4;
  r->out->operation = ruby_calls[c].operation;
  take(r, pe, k - pe);
  if (quoted_at(s, len, k, &host, &end)) {
    port = first_token(s, end, len);
    if (word_ieq(s + port.off, port.len, "port")) {
      port = first_token(s, port.off + port.len, len);
      while (port.len > 0 &&
             !is_digit((unsigned char)s[port.off + port.len - 1]))
        port.len--;
      set_subject(r, "address", host);
      if (r->out->subject_kind != NULL && r->out->subject_off == host.off &&
          port.len > 0) {
        r->out->port_off = port.off;
        r->out->port_len = port.len;
      }
      take(r, k, port.off + port.len - k);
    }
    return 1;
  }
  host = first_token(s, k, len);
  while (host.len > 0 && (s[host.off + host.len - 1] == ')' ||
                          s[host.off + host.len - 1] == '.'))
    host.len--;
  if (host.len > 0)
    target_subject(r, 'a', host);
  return 1;
}

/* Whether t is Java's "error=N" (a process that could not start). */
static int java_error(const char *s, span_t t) {
  size_t i;

  if (t.len < 7 || memcmp(s + t.off, "error=", 6) != 0)
    return 0;
  for (i = 6; i < t.len; i++)
    if (!is_digit((unsigned char)s[t.off + i]))
      return 0;
  return 1;
}

/* Java's 'Cannot run program "x" (in directory "/y"): error=2, ...': the
 * program quoted before s[e], which execvp looked for. */
static void java_program(reading_t *r, size_t e) {
  const char *s = r->s;
  const char *p = memmem(s, e, "Cannot run program ", 19);
  span_t q;
  size_t end;

  if (p == NULL)
    return;
  if (quoted_at(s, e, (size_t)(p - s) + 19, &q, &end)) {
    r->out->operation = "exec";
    set_subject(r, "path", q);
    take(r, (size_t)(p - s), 19);
  }
}

/* What follows a phrase ending at s[pe]: 1 when it can end an error
 * report, with the subject it names, if any. With old_node, the phrase
 * followed a Node code and a comma, which old Node ended with the
 * quoted path, relative or not. */
static int right_ok(reading_t *r, size_t pe, int host_after, int old_node) {
  const char *s = r->s;
  size_t len = r->len;
  size_t i = pe;
  span_t t;
  span_t q;
  size_t end;
  size_t k;

  while (i < len && (s[i] == ' ' || s[i] == '\t'))
    i++;
  if (i == len)
    return 1;
  i = pe;
  if (host_after) {
    /* curl: "Could not resolve host: HOST" */
    if (i + 2 < len && s[i] == ':' && s[i + 1] == ' ') {
      t = first_token(s, i + 2, len);
      if (t.len > 0) {
        r->out->operation = "resolve";
        set_subject(r, "host", t);
        return 1;
      }
    }
    return 0;
  }
  /* a full-width full stop or colon after a text of East Asian Windows */
  if (i + 3 <= len && (memcmp(s + i, "\xe3\x80\x82", 3) == 0 ||
                       memcmp(s + i, "\xef\xbc\x9a", 3) == 0))
    return 1;
  switch (s[i]) {
  case '.':
  case ';':
  case ')':
  case ']':
  case '}':
  case '"':
  case '\'':
  case '`':
  case '>':
    return 1;
  case '\\':
    /* an escaped closing quote: `caused \\\"mkdir /x: read-only file
     * system\\\"` */
    k = i;
    while (k < len && s[k] == '\\')
      k++;
    /* or the escaped end of a line inside a JSON string: Ansible's
     * "msg": "...: Connection refused\r\n" */
    return k < len && (s[k] == '"' || s[k] == '\'' ||
                       (k == i + 1 && (s[k] == 'r' || s[k] == 'n')));
  case '(':
    /* its number glued to it: errno='Disk quota exceeded(122)' */
    for (k = i + 1; k < len && is_digit((unsigned char)s[k]); k++)
      ;
    return k > i + 1 && k < len && s[k] == ')';
  case ',':
    /* Node: ", open '/x'", ", mkdir '/x'", ", watch"; npm's debug log
     * puts two spaces before the path of a rename. */
    t = first_token(s, i + 1, len);
    if (t.len > 0 && t.off == i + 2) {
      int o = op_word(s + t.off, t.len);
      if (o >= 0) {
        set_op(r, o);
        take(r, t.off, t.len);
        for (k = t.off + t.len; k < len && s[k] == ' '; k++)
          ;
        if (k > t.off + t.len && quoted_at(s, len, k, &q, &end)) {
          target_subject(r, op_words[o].kind, q);
          take(r, t.off, end - t.off);
        }
      }
    }
    return 1;
  case ':':
    if (i + 1 >= len || s[i + 1] != ' ')
      return 0;
    /* Python 2's repr of a unicode or bytes path: u'/x', b'/x' */
    k = i + 2 < len && (s[i + 2] == 'u' || s[i + 2] == 'b') ? i + 3 : i + 2;
    if (quoted_at(s, len, k, &q, &end) || quoted_at(s, len, i + 2, &q, &end)) {
      set_subject(r, "path", q);
      take(r, i + 2, end - (i + 2));
      return 1;
    }
    /* The subject wrapped onto the next line: "...: No space left on
     * device: " at the end. */
    t = first_token(s, i + 2, len);
    if (t.len == 0)
      return 1;
    if (looks_like_path(s + t.off, t.len)) {
      set_subject(r, "path", t);
      return 1;
    }
    /* runc's errors end in ": unknown". */
    return t.len >= 7 && memcmp(s + t.off, "unknown", 7) == 0 &&
           (t.len == 7 || s[t.off + 7] == '.');
  case ' ':
    if (i + 1 < len && s[i + 1] == '(') {
      /* "(os error 13)", "(publickey)"; Rust's tempfile crate names the
       * file after it: "... (os error 28) at path \"/tmp/x\"" */
      const char *close = memchr(s + i, ')', len - i);
      k = close != NULL ? (size_t)(close - s) + 1 : len;
      if (k + 9 < len && memcmp(s + k, " at path ", 9) == 0 &&
          quoted_at(s, len, k + 9, &q, &end)) {
        set_subject(r, "path", q);
        take(r, k + 9, end - (k + 9));
      }
      return 1;
    }
    /* logrus's text format puts its fields after two spaces:
     * "...: is a directory  source=\"main.go:63\"" */
    if (i + 1 < len && s[i + 1] == ' ') {
      t = first_token(s, i + 1, len);
      for (k = t.off; k < t.off + t.len && (is_word((unsigned char)s[k])); k++)
        ;
      if (k > t.off && k < t.off + t.len && s[k] == '=')
        return 1;
    }
    /* .NET: "No space left on device : '/x'" */
    if (i + 3 < len && s[i + 1] == ':' && s[i + 2] == ' ' &&
        quoted_at(s, len, i + 3, &q, &end)) {
      set_subject(r, "path", q);
      take(r, i + 3, end - (i + 3));
      return 1;
    }
    /* Node before 4: "EROFS, read-only file system '/x'"; getopt-style
     * tools: "Permission denied -- '/x'". */
    k = i + 4 <= len && memcmp(s + i, " -- ", 4) == 0 ? i + 4 : i + 1;
    if (quoted_at(s, len, k, &q, &end) && first_token(s, end, len).len == 0 &&
        (k > i + 1 || old_node || looks_like_path(s + q.off, q.len))) {
      set_subject(r, "path", q);
      take(r, k, end - k);
      return 1;
    }
    /* curl: "Connection timed out after 4514 milliseconds" */
    if (i + 7 < len && memcmp(s + i, " after ", 7) == 0) {
      t = first_token(s, i + 7, len);
      if (t.len > 0 && is_digit((unsigned char)s[t.off])) {
        span_t u = first_token(s, t.off + t.len, len);
        return word_ieq(s + u.off, u.len < 12 ? u.len : 12, "milliseconds") ||
               word_ieq(s + u.off, u.len, "ms") ||
               word_ieq(s + u.off, u.len, "seconds");
      }
    }
    /* PHP: "failed to open stream: Permission denied in /x/a.php:107",
     * "... in /x/a.php on line 107" */
    if (i + 4 < len && memcmp(s + i, " in ", 4) == 0) {
      t = first_token(s, i + 4, len);
      if (looks_like_path(s + t.off, t.len)) {
        const char *colon = memrchr(s + t.off, ':', t.len);
        size_t c = colon != NULL ? (size_t)(colon - s) : 0;
        if (colon != NULL && c + 1 < t.off + t.len &&
            is_digit((unsigned char)s[c + 1]))
          return 1;
        t = first_token(s, t.off + t.len, len);
        return t.len == 2 && memcmp(s + t.off, "on", 2) == 0;
      }
    }
    /* Perl's die: "open /x: Permission denied at script.pl line 12." */
    if (i + 4 < len && memcmp(s + i, " at ", 4) == 0) {
      const char *ln = memmem(s + i, len - i, " line ", 6);
      size_t n = ln != NULL ? (size_t)(ln - s) + 6 : len;
      size_t d = n;
      while (d < len && is_digit((unsigned char)s[d]))
        d++;
      return d > n && (d == len || s[d] == '.' || s[d] == ',');
    }
    /* Boost's error codes: "Permission denied [system:13]: \"/x\"" */
    if (i + 10 < len && (memcmp(s + i, " [system:", 9) == 0 ||
                         memcmp(s + i, " [generic:", 10) == 0)) {
      const char *close = memchr(s + i, ']', len - i);
      if (close == NULL)
        return 0;
      k = (size_t)(close - s) + 1;
      if (k + 3 < len && s[k] == ':' && s[k + 1] == ' ') {
        size_t j = s[k + 2] == '\\' ? k + 3 : k + 2;
        if (quoted_at(s, len, j, &q, &end))
          set_subject(r, "path", q);
      }
      return 1;
    }
    if ((k = ruby_func(s, len, i)) > 0) {
      ruby_reading(r, i, k);
      return 1;
    }
    if (ruby_socket(r, i))
      return 1;
    if (i + 2 < len && s[i + 1] == '-' && s[i + 2] == ' ') {
      /* older Ruby: "Permission denied - /x" */
      const char *dash = memmem(s + i, len - i, " - ", 3);
      if (dash != NULL) {
        t = first_token(s, (size_t)(dash - s) + 3, len);
        if (looks_like_path(s + t.off, t.len))
          set_subject(r, "path", t);
      }
      return 1;
    }
    /* Node: "address already in use :::3000", "permission denied
     * 0.0.0.0:80": one address, and nothing after it. */
    t = first_token(s, i + 1, len);
    if (t.len > 0 && memchr(s + t.off, ':', t.len) != NULL &&
        is_digit((unsigned char)s[t.off + t.len - 1]) &&
        first_token(s, t.off + t.len, len).len == 0) {
      if (r->out->operation != NULL && strcmp(r->out->operation, "bind") == 0)
        target_subject(r, 'P', t);
      else
        target_subject(r, 'a', t);
      return 1;
    }
    return 0;
  default:
    return 0;
  }
}

/* MySQL's "(errno: 28 - " and "(Errcode: 28 - " ending at s[ps]: the
 * position of the '(', or (size_t)-1. */
static size_t errno_dash(const char *s, size_t ps) {
  static const char *const heads[] = {"(errno: ", "(Errcode: ", NULL};
  size_t i = ps;
  size_t k;

  if (i < 4 || memcmp(s + i - 3, " - ", 3) != 0)
    return (size_t)-1;
  i -= 3;
  while (i > 0 && is_digit((unsigned char)s[i - 1]))
    i--;
  if (i == ps - 3)
    return (size_t)-1;
  for (k = 0; heads[k] != NULL; k++) {
    size_t n = strlen(heads[k]);
    if (i >= n && memcmp(s + i - n, heads[k], n) == 0)
      return i - n;
  }
  return (size_t)-1;
}

/* "[Errno 13] ", "[WinError 5] ", "[2002] ", "[Errno -3] " ending at
 * s[ps]: the position of '[' or (size_t)-1. */
static size_t bracket_code(const char *s, size_t ps) {
  size_t i;

  if (ps < 4 || s[ps - 1] != ' ')
    return (size_t)-1;
  /* curl: "curl: (6) Could not resolve host" */
  if (s[ps - 2] == ')') {
    i = ps - 2;
    while (i > 0 && is_digit((unsigned char)s[i - 1]))
      i--;
    return i < ps - 2 && i > 0 && s[i - 1] == '(' ? i - 1 : (size_t)-1;
  }
  if (s[ps - 2] != ']')
    return (size_t)-1;
  i = ps - 2;
  while (i > 0 && is_digit((unsigned char)s[i - 1]))
    i--;
  if (i == ps - 2)
    return (size_t)-1;
  if (i > 0 && s[i - 1] == '-')
    i--;
  if (i > 0 && s[i - 1] == '[')
    return i - 1;
  if (i >= 7 && memcmp(s + i - 7, "[Errno ", 7) == 0)
    return i - 7;
  if (i >= 10 && memcmp(s + i - 10, "[WinError ", 10) == 0)
    return i - 10;
  return (size_t)-1;
}

/* PHP's and others' "errno=122 " or "Errno=" ending at s[ps]: the
 * position of "errno" or (size_t)-1. */
static size_t errno_equals(const char *s, size_t ps) {
  size_t i = ps;

  if (i > 0 && s[i - 1] == ' ')
    i--;
  else if (i > 1 && (s[i - 1] == '\'' || s[i - 1] == '"') && s[i - 2] == '=')
    i--; /* errno='Disk quota exceeded(122)' (the NCBI SRA toolkit) */
  while (i > 0 && is_digit((unsigned char)s[i - 1]))
    i--;
  if (i == ps && s[ps - 1] != '=')
    return (size_t)-1;
  /* MongoDB writes "errno:13 Permission denied" */
  if (i < 6 || !(s[i - 1] == '=' || (s[i - 1] == ':' && i < ps)) ||
      !word_ieq(s + i - 6, 5, "errno") ||
      (i > 6 && is_word((unsigned char)s[i - 7])))
    return (size_t)-1;
  return i - 6;
}

/* A field of a key=value log whose value is the text: syslog-ng's
 * "error='Permission denied (13)'", Loki's err="disk quota exceeded".
 * The position of the key, or (size_t)-1. */
static size_t error_field(const char *s, size_t ps) {
  static const char *const keys[] = {"error", "err", NULL};
  size_t i;

  if (ps < 5 || (s[ps - 1] != '\'' && s[ps - 1] != '"') || s[ps - 2] != '=')
    return (size_t)-1;
  for (i = 0; keys[i] != NULL; i++) {
    size_t n = strlen(keys[i]);
    size_t k = ps - 2 - n;
    if (ps - 2 >= n && word_ieq(s + k, n, keys[i]) &&
        (k == 0 || s[k - 1] == ' ' || s[k - 1] == ','))
      return k;
  }
  return (size_t)-1;
}

/* The file a key=value log names beside its error field, before s[ps]:
 * "filename='/x'", file="/x", path='/x'. */
static void field_subject(reading_t *r, size_t ps) {
  static const char *const keys[] = {"filename=", "file=", "path=", NULL};
  const char *s = r->s;
  size_t i;

  for (i = 0; keys[i] != NULL; i++) {
    size_t n = strlen(keys[i]);
    const char *p = s;
    span_t q;
    size_t end;
    while ((p = memmem(p, ps - (size_t)(p - s), keys[i], n)) != NULL) {
      size_t k = (size_t)(p - s);
      p += n;
      if ((k == 0 || s[k - 1] == ' ' || s[k - 1] == ',') &&
          quoted_at(s, ps, k + n, &q, &end)) {
        set_subject(r, "path", q);
        take(r, k, n);
        return;
      }
    }
  }
}

/* Apache's apr_strerror: "(98)Address already in use: AH00072: ..." with
 * the code glued to the text, at the start of the message or after a
 * space: the position of '(' or (size_t)-1. */
static size_t apr_code(const char *s, size_t ps) {
  size_t i = ps - 1;

  if (s[i] != ')')
    return (size_t)-1;
  while (i > 0 && is_digit((unsigned char)s[i - 1]))
    i--;
  if (i == ps - 1 || i == 0 || s[i - 1] != '(')
    return (size_t)-1;
  i--;
  return i == 0 || s[i - 1] == ' ' ? i : (size_t)-1;
}

/* What Apache says after its "(98)Address already in use: ": the
 * address it could not bind ("AH00072: make_sock: could not bind to
 * address [::]:80"). */
static void apr_message(reading_t *r, size_t k) {
  static const char key[] = "could not bind to address ";
  const char *p = memmem(r->s + k, r->len - k, key, sizeof(key) - 1);

  if (p == NULL)
    return;
  r->out->operation = "bind";
  target_subject(
      r, 'P', first_token(r->s, (size_t)(p - r->s) + sizeof(key) - 1, r->len));
}

/* Python 2's "socket.error: (98, 'Address already in use')" ending at
 * s[ps]: the position of '(' or (size_t)-1. */
static size_t errno_tuple(const char *s, size_t ps) {
  size_t i;

  if (ps < 5 || !is_quote((unsigned char)s[ps - 1]) || s[ps - 2] != ' ' ||
      s[ps - 3] != ',')
    return (size_t)-1;
  i = ps - 3;
  while (i > 0 && is_digit((unsigned char)s[i - 1]))
    i--;
  return i < ps - 3 && i > 0 && s[i - 1] == '(' ? i - 1 : (size_t)-1;
}

/* tar's and cpio's "PATH: Cannot VERB: TEXT" ("./x: Cannot stat: Not a
 * directory", "Cannot open"), and the same after "Failed to", "Unable
 * to", "Could not": the verb of s[lo..hi), the path of the element
 * before it. */
static int cannot_element(reading_t *r, size_t lo, size_t hi) {
  const char *s = r->s;
  span_t verb;
  span_t p;
  size_t n = failure_head(s, lo, hi);
  int o = -1;

  if (n == 0)
    return 0;
  verb = first_token(s, lo + n, hi);
  o = op_word(s + verb.off, verb.len);
  /* rsync: "failed to connect to localhost": the address it names */
  if (o >= 0 && op_words[o].kind == 'a' && verb.off + verb.len < hi) {
    span_t to = first_token(s, verb.off + verb.len, hi);
    span_t t = last_token(s, lo, hi);
    if (ssh_target(r, to, hi)) {
      set_op(r, o);
      take(r, lo, hi - lo);
      return 1;
    }
    if (word_ieq(s + to.off, to.len, "to") && to.off + to.len + 1 == t.off) {
      set_op(r, o);
      target_subject(r, 'a', t);
      take(r, lo, hi - lo);
      return 1;
    }
    return 0;
  }
  if (verb.off + verb.len != hi || lo < 2 || s[lo - 2] != ':' ||
      s[lo - 1] != ' ')
    return 0;
  p.off = element_start(s, 0, lo - 2);
  p.len = lo - 2 - p.off;
  if (p.len == 0 || memchr(s + p.off, ' ', p.len) != NULL)
    return 0;
  /* tar: "/bin/tar: z: Cannot open: ...", bash: "exec: .: cannot execute:
   * ...": the one word before is the file, whatever it looks like, when
   * a tool's or a builtin's name stands before it. */
  if (!looks_like_path(s + p.off, p.len) &&
      !(p.off >= 2 && s[p.off - 2] == ':' && one_word(s, p.off - 2)))
    return 0;
  if (o >= 0 && op_words[o].kind == 'p') {
    set_op(r, o);
  } else {
    size_t i;
    for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
      if (word_ieq(s + verb.off, verb.len, verbs[i].words))
        break;
    if (i == sizeof(verbs) / sizeof(verbs[0]))
      return 0;
    r->out->operation = verbs[i].operation;
  }
  set_subject(r, "path", p);
  take(r, p.off, hi - p.off);
  return 1;
}

/* Reads the left side of a phrase at s[ps] in a chain: the element
 * before the ": " gives the operation and the subject. */
static void chain_left(reading_t *r, size_t ps) {
  const char *s = r->s;
  size_t q = ps - 2;
  size_t e0 = element_start(s, 0, q);
  /* The element before this one, when a ": " and not a quote opens it. */
  int outer = e0 >= 2 && s[e0 - 2] == ':' && s[e0 - 1] == ' ';
  span_t tok;

  while (e0 < q && (s[e0] == ' ' || s[e0] == '\t'))
    e0++;
  tok = last_token(s, e0, q);
  take(r, e0, q - e0);
  /* "EACCES: permission denied, open '/x'" and Node's "listen
   * EADDRINUSE: address already in use :::3000" */
  if (ecode_word(s, tok.off, tok.len)) {
    if (tok.off > e0) {
      span_t op = last_token(s, e0, tok.off - 1);
      set_op(r, op_word(s + op.off, op.len));
    }
    return;
  }
  /* nginx: mkdir() "/x" failed (30: Read-only file system), bind() to
   * 0.0.0.0:80 failed (98: Address already in use) */
  if (tok.len > 1 && tok.off + tok.len == q && s[tok.off] == '(' &&
      is_digit((unsigned char)s[q - 1])) {
    const char *to = memmem(s + e0, tok.off - e0, "bind() to ", 10);
    size_t k;
    if (to != NULL) {
      span_t addr = first_token(s, (size_t)(to - s) + 10, tok.off);
      r->out->operation = "bind";
      target_subject(r, 'P', addr);
      return;
    }
    for (k = tok.off; k > e0; k--) {
      span_t qs;
      size_t end;
      if (quoted_at(s, tok.off, k - 1, &qs, &end)) {
        set_subject(r, "path", qs);
        /* the operation just before the quote: `mkdir() "/x"` */
        if (k >= e0 + 2) {
          span_t op = last_token(s, e0, k - 2);
          set_op(r, op_word(s + op.off, op.len));
        }
        return;
      }
    }
    /* apt: "chown to _apt:root of directory /x failed -
     * SetupAPTPartialDirectory (30: ": the operation first, then the
     * first path. */
    tok.len = tok.off;
    tok = first_token(s, e0, tok.len);
    set_op(r, op_word(s + tok.off, tok.len));
    for (k = tok.off + tok.len; k < q; k = tok.off + tok.len) {
      tok = first_token(s, k, q);
      if (tok.len == 0)
        break;
      if (looks_like_path(s + tok.off, tok.len)) {
        set_subject(r, "path", tok);
        break;
      }
    }
    return;
  }
  /* Go: "dial tcp 1.2.3.4:5: connect: connection refused": the inner
   * operation, then the outer element for the subject. */
  if (tok.off == e0 && op_word(s + tok.off, tok.len) >= 0) {
    set_op(r, op_word(s + tok.off, tok.len));
    if (outer) {
      size_t e1 = element_start(s, 0, e0 - 2);
      int before = r->out->subject_kind != NULL;
      if (!go_element(r, e1, e0 - 2) && !before) {
        span_t t = last_token(s, e1, e0 - 2);
        span_t v = last_token(s, e1, t.off > e1 ? t.off - 1 : e1);
        int vo = op_word(s + v.off, v.len);
        char kind = op_words[op_word(s + tok.off, tok.len)].kind;
        if (t.off == e1) {
          target_subject(r, kind, t);
        } else if (kind == 'P' && port_of(s, t).off > t.off &&
                   port_of(s, t).len > 0) {
          /* Redis: "Could not create server TCP listening socket *:6379:
           * bind: ...": the address the sentence ends in */
          target_subject(r, kind, t);
        } else if (is_quote((unsigned char)s[t.off]) && vo >= 0 &&
                   op_words[vo].kind == 'p') {
          /* gcc: "error trying to exec 'cc1': execvp: ...": the file the
           * outer element's verb names */
          take(r, v.off, t.off + t.len - v.off);
          target_subject(r, 'p', t);
        }
      }
    }
    return;
  }
  /* dlopen: "libfoo.so: cannot open shared object file: No such file or
   * directory" */
  if (q - e0 == 30 &&
      memcmp(s + e0, "cannot open shared object file", 30) == 0) {
    if (outer) {
      span_t lib = last_token(s, element_start(s, 0, e0 - 2), e0 - 2);
      const char *colon = memrchr(s + lib.off, ':', lib.len);
      if (colon != NULL) {
        lib.len -= (size_t)(colon + 1 - (s + lib.off));
        lib.off = (size_t)(colon + 1 - s);
      }
      r->out->condition = "shared-library-missing";
      r->out->operation = "load";
      set_subject(r, "library", lib);
    }
    return;
  }
  if (failed_element(r, e0, q) || go_element(r, e0, q))
    return;
  if (resolve_element(r, e0, q) || host_element(r, e0, q))
    return;
  /* curl's code before its words: "(7) Failed to connect to ..." */
  if (q - e0 > 4 && s[e0] == '(' && is_digit((unsigned char)s[e0 + 1])) {
    size_t k = e0 + 1;
    while (k < q && is_digit((unsigned char)s[k]))
      k++;
    if (k + 1 < q && s[k] == ')' && s[k + 1] == ' ' &&
        cannot_element(r, k + 2, q))
      return;
  }
  if (cannot_element(r, e0, q))
    return;
  path_element(r, e0, q);
  /* ar: "ar: atotimet.o: No such file or directory": a file's bare name,
   * the whole element after the one word of the tool that printed it;
   * any one word after a tool that only takes files ("touch: testing:
   * Read-only file system"). */
  if (r->out->subject_kind == NULL && outer && file_errno(r->out->errno_name)) {
    span_t t = last_token(s, e0, q);
    span_t tool = last_token(s, 0, e0 - 2);
    if (t.off == e0 && tool.off == 0 && tool.len > 0 &&
        (bare_file(s, t) || file_tool(s, tool)))
      set_subject(r, "path", t);
  }
  /* 'exec: "./authn": permission denied': the operation before the
   * subject's element; its first word in two ("watch directory: /x"). */
  if (r->out->subject_kind != NULL && r->out->operation == NULL && outer) {
    size_t e1 = element_start(s, 0, e0 - 2);
    span_t op = last_token(s, e1, e0 - 2);
    int o = op_word(s + op.off, op.len);
    if (o < 0 && op.off > e1 + 1) {
      span_t w = first_token(s, e1, e0 - 2);
      if (w.off + w.len + 1 == op.off) {
        o = op_word(s + w.off, w.len);
        op.len = op.off + op.len - w.off;
        op.off = w.off;
      }
    }
    if (o >= 0 && op_words[o].kind == 'p') {
      set_op(r, o);
      take(r, op.off, op.len);
    }
  }
}

/* GHC's IOError: "PATH: FUNCTION: does not exist (No such file or
 * directory)", where s[lo..hi) is the error type's description; the
 * function and the path are the elements before it. */
static int ghc_error(reading_t *r, size_t lo, size_t hi) {
  static const char *const types[] = {
      "does not exist",      "permission denied",   "resource busy",
      "resource exhausted",  "already exists",      "inappropriate type",
      "resource vanished",   "illegal operation",   "unsupported operation",
      "hardware fault",      NULL};
  const char *s = r->s;
  size_t i;
  size_t f;
  span_t fn;
  span_t path;

  for (i = 0; types[i] != NULL; i++)
    if (hi - lo == strlen(types[i]) && memcmp(s + lo, types[i], hi - lo) == 0)
      break;
  if (types[i] == NULL || lo < 2 || s[lo - 2] != ':')
    return 0;
  f = element_start(s, 0, lo - 2);
  fn = first_token(s, f, lo - 2);
  if (fn.off + fn.len != lo - 2)
    return 0; /* one word: the Haskell function that failed */
  /* the words read: the function (it may hold a ':',
   * "getDirectoryContents:openDirStream") and the error's type */
  take(r, fn.off, hi - fn.off);
  if (f >= 2 && s[f - 2] == ':') {
    size_t p = element_start(s, 0, f - 2);
    while (p < f - 2 && s[p] == ' ')
      p++;
    path.off = p;
    path.len = f - 2 - p;
    if (path.len > 0 && looks_like_path(s + p, path.len))
      set_subject(r, "path", path);
  }
  return 1;
}

/* "/x (Permission denied)", "ENOENT (No such file or directory)",
 * "errno 13 (Permission denied)": what stands before the parenthesis. */
static int paren_left(reading_t *r, size_t ps) {
  const char *s = r->s;
  size_t b = ps - 1; /* the '(' */
  size_t e0;
  span_t tok;

  if (b == 0 || s[b - 1] != ' ')
    return 0;
  tok = last_token(s, 0, b - 1);
  if (tok.len == 0)
    return 0;
  if (ecode_word(s, tok.off, tok.len) ||
      (is_digit((unsigned char)s[tok.off]) && tok.off >= 6 &&
       (has_word(s, tok.off - 6, 5, "errno") ||
        has_word(s, tok.off - 6, 5, "error")))) {
    take(r, tok.off, tok.len);
    /* Android: "/x: open failed: ENOENT (No such file or directory)" */
    if (tok.off >= 2 && s[tok.off - 2] == ':') {
      size_t e1 = element_start(s, 0, tok.off - 2);
      span_t op = first_token(s, e1, tok.off - 2);
      set_op(r, op_word(s + op.off, op.len));
      if (e1 >= 2) {
        size_t e2 = element_start(s, 0, e1 - 2);
        span_t t = last_token(s, e2, e1 - 2);
        if (looks_like_path(s + t.off, t.len))
          set_subject(r, "path", t);
      }
    }
    return 1;
  }
  /* D's and C's "inotify_add_watch failed (No space left on device)" */
  if (tok.len == 6 && memcmp(s + tok.off, "failed", 6) == 0 && tok.off > 1) {
    span_t op = last_token(s, 0, tok.off - 1);
    int o = op_word(s + op.off, op.len);
    if (o >= 0) {
      set_op(r, o);
      take(r, op.off, tok.off + tok.len - op.off);
      return 1;
    }
  }
  e0 = element_start(s, 0, b - 1);
  if (ghc_error(r, e0, b - 1))
    return 1;
  /* Java: "...Exception: /data/x (Permission denied)": the path runs from
   * the last ": " (it may hold spaces). */
  if (looks_like_path(s + e0, b - 1 - e0)) {
    span_t p;
    p.off = e0;
    p.len = b - 1 - e0;
    r->out->operation = "open";
    set_subject(r, "path", p);
    return 1;
  }
  return 0;
}

/* Whether s[ps] is inside `inline code` of prose: an odd number of
 * backticks before it and one after. */
static int in_inline_code(const char *s, size_t len, size_t ps, size_t pe) {
  size_t n = 0;
  size_t i;

  for (i = 0; i < ps; i++)
    n += s[i] == '`';
  return (n & 1) && memchr(s + pe, '`', len - pe) != NULL;
}

/* Whether s[ps..pe) is inside a double-quoted error that a sentence
 * quotes: `so that the "SQLSTATE[HY000] [2002] Connection refused" does
 * not show up`. The quote opens after a lower-case word and closes before
 * one; a tool that quotes an error of its own ends its message there or
 * goes on with a mark (`: `, `)`, `,`). The quotes may be escaped, when
 * the sentence is itself quoted (a JSON string). */
static int in_quoted_prose(const char *s, size_t len, size_t ps, size_t pe) {
  const char *open = memrchr(s, '"', ps);
  const char *close = memchr(s + pe, '"', len - pe);
  size_t o;
  size_t c;

  if (open == NULL || close == NULL)
    return 0;
  o = (size_t)(open - s);
  c = (size_t)(close - s);
  if (memchr(s + pe, '"', c - pe) != NULL)
    return 0;
  while (o > 0 && s[o - 1] == '\\')
    o--;
  return o >= 2 && s[o - 1] == ' ' && s[o - 2] >= 'a' && s[o - 2] <= 'z' &&
         c + 2 < len && s[c + 1] == ' ' && s[c + 2] >= 'a' && s[c + 2] <= 'z';
}

/* Whether a word of s[k..len) is the first person ("I", "my", "we"). */
static int first_person(const char *s, size_t len, size_t k) {
  static const char *const persons[] = {"I",  "I'm", "I've", "my", "we",
                                        "We", "our", "me",   NULL};
  span_t t;
  size_t i;

  for (; k < len; k = t.off + t.len) {
    t = first_token(s, k, len);
    if (t.len == 0)
      break;
    while (t.len > 0 &&
           (s[t.off + t.len - 1] == ',' || s[t.off + t.len - 1] == '.'))
      t.len--;
    for (i = 0; persons[i] != NULL; i++)
      if (t.len == strlen(persons[i]) &&
          memcmp(s + t.off, persons[i], t.len) == 0)
        return 1;
    if (t.len == 0)
      t.len = 1;
  }
  return 0;
}

/* Whether the line is a conditional sentence ("If a request fails with
 * ...", "When the log says ..."): what it quotes is an example. A person
 * who reports a failure says what happened to them ("When running `make`
 * I get `...`"), so a sentence in the first person is none. */
static int conditional_sentence(const char *s, size_t len) {
  static const char *const words[] = {"If", "When", "Whenever", "Unless", NULL};
  span_t t = first_token(s, 0, len);
  size_t i;

  for (i = 0; words[i] != NULL; i++)
    if (t.len == strlen(words[i]) && memcmp(s + t.off, words[i], t.len) == 0)
      break;
  if (words[i] == NULL || t.off + t.len + 1 >= len || s[t.off + t.len] != ' ' ||
      s[t.off + t.len + 1] < 'a' || s[t.off + t.len + 1] > 'z')
    return 0;
  return !first_person(s, len, t.off + t.len);
}

/* Whether the error at s[ps] is quoted as an example in prose: "pull
 * failures with messages like \"dial tcp: ...\"", "an error such as
 * \"...\"" where no one speaks of themselves (a person's "I get an error
 * like \"...\"" reports one). */
static int example_quote(const char *s, size_t len, size_t ps) {
  const char *open = memrchr(s, '"', ps);
  size_t o;
  span_t w;

  if (open == NULL)
    return 0;
  o = (size_t)(open - s);
  if (o < 4 || s[o - 1] != ' ')
    return 0;
  w = last_token(s, 0, o - 1);
  return (word_ieq(s + w.off, w.len, "like") ||
          word_ieq(s + w.off, w.len, "as")) &&
         w.off > 0 && !first_person(s, len, 0);
}

/* Whether the words after a match ending at s[end] (and a quote that
 * closes it) make it the subject of a sentence: "x509: certificate signed
 * by unknown authority is the Go TLS stack's way of saying", "EADDRINUSE
 * means". A program's message goes on with its own details, never so. */
static int talked_about(const char *s, size_t len, size_t end) {
  static const char *const words[] = {
      "is the ",   "is a ",     "is an ",     "is what ",  "is raised",
      "is thrown", "is returned", "is printed", "is logged", "means ",
      "indicates ", "occurs when", "happens when", NULL};
  size_t i = end;
  size_t k;

  while (i < len && (s[i] == '"' || s[i] == '\'' || s[i] == '`'))
    i++;
  if (i + 3 <= len && memcmp(s + i, "\xe2\x80\x99", 3) == 0)
    i += 3;
  /* what the text names in parentheses: "Permission denied (publickey)
   * means" */
  if (i + 1 < len && s[i] == ' ' && s[i + 1] == '(') {
    const char *close = memchr(s + i, ')', len - i);
    if (close != NULL)
      i = (size_t)(close - s) + 1;
  }
  if (i >= len || s[i] != ' ')
    return 0;
  i++;
  for (k = 0; words[k] != NULL; k++) {
    size_t n = strlen(words[k]);
    if (i + n <= len && memcmp(s + i, words[k], n) == 0)
      return 1;
  }
  return 0;
}

int ex_errphrase_quoted(const char *s, size_t len, size_t end) {
  size_t n = 0;
  size_t i;

  if (end > 0 && talked_about(s, len, end))
    return 1;
  if (end == 0 || !conditional_sentence(s, len))
    return 0;
  for (i = 0; i < end; i++)
    n += s[i] == '"' || s[i] == '`';
  return (n & 1) && (memchr(s + end, '"', len - end) != NULL ||
                     memchr(s + end, '`', len - end) != NULL);
}

/* A member of a JSON or YAML object that holds a sample of an error
 * rather than one that happened: an error catalogue's
 * '"signature": "ERROR: ..."', a rule's 'pattern: ...'. */
static int sample_member(const char *s, size_t len) {
  static const char *const keys[] = {"signature", "regex",   "pattern",
                                     "example",   "sample",  "match",
                                     "symptom",   "error_pattern", NULL};
  size_t i = 0;
  size_t k;
  size_t n;

  while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '-'))
    i++;
  if (i < len && s[i] == '"')
    i++;
  for (k = 0; keys[k] != NULL; k++) {
    n = strlen(keys[k]);
    if (i + n + 2 > len || !word_ieq(s + i, n, keys[k]))
      continue;
    n += i;
    /* the key's plural or a suffix: "examples", "signature_zh" */
    while (n < len && (is_word((unsigned char)s[n]) || s[n] == '_'))
      n++;
    if (n < len && s[n] == '"')
      n++;
    if (n + 1 < len && s[n] == ':' && s[n + 1] == ' ')
      return 1;
  }
  return 0;
}

/* A line on which the program says it goes on another way: "tail: inotify
 * cannot be used, reverting to polling: Too many open files", "Falling
 * back to copying". */
static int goes_on(const char *s, size_t len) {
  static const char *const words[] = {"reverting to", "falling back to",
                                      "fall back to", "continuing without",
                                      NULL};
  size_t k;
  size_t i;
  size_t n;

  for (k = 0; words[k] != NULL; k++) {
    n = strlen(words[k]);
    for (i = 0; i + n <= len; i++)
      if (word_ieq(s + i, n, words[k]))
        return 1;
  }
  return 0;
}

/* A test that checks for the error and passed: LTP's "TPASS : expected
 * failure - errno = 13 : Permission denied", pytest's "XFAIL". */
static int expected_error(const char *s, size_t len) {
  static const char *const words[] = {"tpass", "xfail", "expected failure",
                                      "failed as expected",
                                      "fails as expected", NULL};
  size_t k;

  for (k = 0; words[k] != NULL; k++)
    if (has_word(s, 0, len, words[k]))
      return 1;
  return 0;
}

/* A document's table of messages, each with what prints it after a run
 * of spaces: "bind: address already in use            (Go)". */
static int annotated(const char *s, size_t len) {
  size_t e = len;
  size_t o;
  size_t gap = 0;

  while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r'))
    e--;
  if (e < 4 || s[e - 1] != ')')
    return 0;
  for (o = e - 1; o > 0 && e - o <= 24 && s[o - 1] != '(' && s[o - 1] != ')';
       o--)
    ;
  if (o == 0 || s[o - 1] != '(' || s[o] < 'A' || s[o] > 'Z')
    return 0;
  for (o--; o > 0 && s[o - 1] == ' '; o--)
    gap++;
  return gap >= 4 || (o > 0 && s[o - 1] == '\t');
}

int ex_errphrase_aside(const char *s, size_t len) {
  return sample_member(s, len) || goes_on(s, len) ||
         expected_error(s, len) || annotated(s, len);
}

/* Vetoes that hold for the whole line: a warning, a notice. */
static int warning_line(const char *s, size_t len, size_t ps) {
  static const char *const heads[] = {"warning", "warn",  "note", "hint",
                                      "info",    "debug", NULL};
  static const char *const words[] = {"warning", "warn",     "ignoring",
                                      "ignored", "skipping", NULL};
  span_t t = first_token(s, 0, len);
  size_t i;
  size_t k;

  /* A logger's name before its level: "[lib.core.resultserver] DEBUG: " */
  if (t.len > 2 && s[t.off] == '[' && s[t.off + t.len - 1] == ']')
    t = first_token(s, t.off + t.len, len);
  for (i = 0; heads[i] != NULL; i++) {
    size_t n = strlen(heads[i]);
    if (t.len >= n && word_ieq(s + t.off, n, heads[i]) &&
        (t.len == n || s[t.off + n] == ':' || s[t.off + n] == ']'))
      return 1;
  }
  /* A warning word in the sentence of the error: a log that pastes
   * messages one after the other may hold a warning earlier on. */
  for (i = ps; i >= 2; i--)
    if (s[i - 2] == '.' && s[i - 1] == ' ')
      break;
  i = i >= 2 ? i : 0;
  for (k = 0; words[k] != NULL; k++)
    if (has_word(s, i, ps - i, words[k]))
      return 1;
  if (ex_errphrase_aside(s, len))
    return 1;
  /* sudo names its own host's failed lookup, then runs the command. */
  return ps >= 30 && memmem(s, ps, "sudo: unable to resolve host", 28) != NULL;
}

/* Vetoes for an error text at s[ps..pe): a warning's line, inline code,
 * a double-quoted error that a sentence quotes or gives as an example. */
static int aside_at(const char *s, size_t len, size_t ps, size_t pe) {
  return warning_line(s, len, ps) || in_inline_code(s, len, ps, pe) ||
         in_quoted_prose(s, len, ps, pe) || example_quote(s, len, ps);
}

static void reading_init(reading_t *r, ex_errphrase_t *out, const char *s,
                         size_t len, size_t ps, size_t pe) {
  memset(out, 0, sizeof(*out));
  r->out = out;
  r->s = s;
  r->len = len;
  r->lo = ps;
  r->hi = pe;
  r->watch = 0;
  r->paren = 0;
  out->phrase_off = ps;
  out->phrase_len = pe - ps;
}

/* Go: "dial tcp: lookup HOST on 127.0.0.11:53: read udp ...: i/o
 * timeout": whatever failed, it failed while resolving HOST. */
static void lookup_context(reading_t *r, size_t ps) {
  const char *s = r->s;
  const char *p = s;
  span_t host;

  while ((p = memmem(p, ps - (size_t)(p - s), "lookup ", 7)) != NULL) {
    size_t at = (size_t)(p - s);
    p += 7;
    if (at > 0 && s[at - 1] != ' ')
      continue;
    /* Go's "lookup HOST on DNS:53" starts an element of the chain; a
     * sentence's "lookup failed" does not. */
    if (at > 0 && !(at >= 2 && s[at - 2] == ':'))
      continue;
    host = first_token(s, at + 7, ps);
    while (host.len > 0 && s[host.off + host.len - 1] == ':')
      host.len--;
    if (host.len == 0)
      continue;
    r->out->condition = "name-resolution-failed";
    r->out->operation = "resolve";
    r->out->subject_kind = NULL;
    set_subject(r, "host", host);
    take(r, at, 7);
    return;
  }
}

/* urllib3 names the address of a failed connection apart from the error
 * text: "HTTPConnectionPool(host='db', port=5432): Max retries exceeded
 * ... Failed to establish a new connection: [Errno 111] Connection
 * refused". The address (the host alone for a failed lookup) is the
 * subject when the words around the phrase name none. */
static void pool_subject(reading_t *r, size_t ps) {
  static const char key[] = "ConnectionPool(host=";
  const char *s = r->s;
  const char *p = memmem(s, ps, key, sizeof(key) - 1);
  span_t host;
  size_t end;
  size_t k;

  if (p == NULL)
    return;
  k = (size_t)(p - s) + sizeof(key) - 1;
  if (!quoted_at(s, ps, k, &host, &end))
    return;
  set_subject(r, r->out->errno_name == NULL ? "host" : "address", host);
  if (r->out->errno_name == NULL || end + 7 > ps ||
      memcmp(s + end, ", port=", 7) != 0)
    return;
  k = end + 7;
  while (k < ps && is_digit((unsigned char)s[k]))
    k++;
  r->out->port_off = end + 7;
  r->out->port_len = k - (end + 7);
}

/* Errors of a connection, whose subject is the address it was made to. */
static int connection_errno(const char *e) {
  static const char *const names[] = {
      "ECONNREFUSED", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH", "ECONNRESET",
      "ECONNABORTED", NULL};
  size_t i;

  for (i = 0; e != NULL && names[i] != NULL; i++)
    if (strcmp(e, names[i]) == 0)
      return 1;
  return 0;
}

/* Whether s[lo..hi) is a file name with a source code's extension
 * ("main.go", "app.py"): before ":LINE: " it names a line, not a port. */
static int source_file(const char *s, size_t lo, size_t hi) {
  static const char *const exts[] = {
      "c",  "h",   "cc",  "cpp", "hpp", "go",    "py", "js",  "mjs",
      "ts", "rb",  "rs",  "java", "kt", "scala", "ex", "exs", "erl",
      "hs", "ml",  "php", "pl",  "lua", "swift", "cs", "sh",  NULL};
  const char *dot = memrchr(s + lo, '.', hi - lo);
  size_t i;

  if (dot == NULL)
    return 0;
  for (i = 0; exts[i] != NULL; i++)
    if (word_ieq(dot + 1, (size_t)(s + hi - dot - 1), exts[i]))
      return 1;
  return 0;
}

/* The address `HOST:PORT` whose port ends at s[e], or a zero span: a
 * host of letters, digits, dots and dashes with a letter in it or four
 * dotted numbers, a port of 1 to 5 digits that no ':' or digit follows
 * (a source line's "index.js:185:24" is no address, nor "14:46:43"). */
static span_t address_before(const char *s, size_t len, size_t e) {
  span_t a = {0, 0};
  size_t p = e;
  size_t h;
  size_t i;
  int letters = 0;
  int dots = 0;

  /* The address may end an element of a chain ("could not connect to
   * localhost:27017: [Errno 111] ..."), unless it names a source line. */
  int chained = e + 1 < len && s[e] == ':' && s[e + 1] == ' ';

  while (p > 0 && is_digit((unsigned char)s[p - 1]))
    p--;
  if (p == e || e - p > 5 || p < 2 || s[p - 1] != ':' ||
      (e < len && !chained &&
       (s[e] == ':' || s[e] == '.' || is_word((unsigned char)s[e]))))
    return a;
  h = p - 1;
  while (h > 0 && host_byte((unsigned char)s[h - 1]))
    h--;
  if (h == p - 1 || (h > 0 && s[h - 1] == ':'))
    return a;
  for (i = h; i < p - 1; i++) {
    letters += (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z');
    dots += s[i] == '.';
  }
  if ((letters == 0 && dots != 3) || (chained && source_file(s, h, p - 1)))
    return a;
  a.off = h;
  a.len = e - h;
  return a;
}

/* A connection that failed with no address in the words around its
 * error ("Redis connection to 127.0.0.1:6379 failed - connect
 * ECONNREFUSED", rdkafka's "Connect to ipv4#10.0.0.5:9092 failed:
 * Connection refused"): the address nearest before the error on the
 * line, else the first after it. */
static void line_address(reading_t *r, size_t ps, size_t pe) {
  const char *s = r->s;
  size_t e;
  span_t a;

  if (!connection_errno(r->out->errno_name))
    return;
  for (e = ps; e > 0; e--) {
    a = address_before(s, r->len, e);
    if (a.len > 0) {
      set_subject(r, "address", a);
      return;
    }
  }
  for (e = pe + 1; e <= r->len; e++) {
    a = address_before(s, r->len, e);
    if (a.len > 0) {
      set_subject(r, "address", a);
      return;
    }
  }
}

/* Whether a word of the line names inotify ("inotify_add_watch",
 * "pyinotify", "trigger=inotify") or a file watch ("cannot create watch",
 * "Failed to watch filesystem"), not as part of a file's name: ENOSPC
 * from a watch is the watch limit, not a full disk. */
static int says_inotify(const char *s, size_t len) {
  static const char *const watch[] = {"watch", "watcher", "watches", NULL};
  size_t i;
  size_t k;

  for (i = 0; i < len; i++) {
    span_t t;
    int named = i + 7 <= len && fold((unsigned char)s[i]) == 'i' &&
                word_ieq(s + i, 7, "inotify");
    for (k = 0; !named && watch[k] != NULL; k++) {
      size_t n = strlen(watch[k]);
      named = (i == 0 || !is_word((unsigned char)s[i - 1])) && i + n <= len &&
              word_ieq(s + i, n, watch[k]) &&
              (i + n == len || !is_word((unsigned char)s[i + n]));
    }
    if (!named)
      continue;
    t = last_token(s, 0, i);
    t = first_token(s, t.off, len);
    if (memchr(s + t.off, '/', t.len) == NULL &&
        memchr(s + t.off, '.', t.len) == NULL &&
        memchr(s + t.off, '\\', t.len) == NULL)
      return 1;
  }
  return 0;
}

/* apt's warnings: "W: ..." */
static int apt_warning(const char *s, size_t len) {
  span_t t = first_token(s, 0, len);

  return t.len == 2 && s[t.off] == 'W' && s[t.off + 1] == ':';
}

static void reading_done(reading_t *r) {
  ex_errphrase_t *o = r->out;

  /* ENOSPC from a watch (inotify_add_watch): no more watches, not a full
   * disk. */
  if (o->errno_name != NULL && strcmp(o->errno_name, "ENOSPC") == 0 &&
      (r->watch || says_inotify(r->s, r->len)))
    o->condition = "inotify-watch-limit";
  o->warning = apt_warning(r->s, r->len);

  o->words_off = r->lo;
  o->words_len = r->hi - r->lo;
  /* A program named without a directory is looked for along PATH
   * (execvp): not finding it there is a command that is not found, not a
   * file ("env: can't execute 'bash': No such file or directory"). */
  if (o->errno_name != NULL && strcmp(o->errno_name, "ENOENT") == 0 &&
      o->operation != NULL && strcmp(o->operation, "exec") == 0 &&
      o->subject_kind != NULL && o->subject_len > 0 &&
      memchr(r->s + o->subject_off, '/', o->subject_len) == NULL &&
      memchr(r->s + o->subject_off, '\\', o->subject_len) == NULL) {
    o->condition = "command-not-found";
    o->subject_kind = "command";
  }
  if (o->errno_name == NULL && o->condition == NULL)
    o->condition = "name-resolution-failed";
  if (o->condition != NULL &&
      strcmp(o->condition, "name-resolution-failed") == 0 &&
      (o->operation == NULL || o->subject_kind == NULL ||
       strcmp(o->subject_kind, "host") == 0))
    o->operation = "resolve";
}

/* runc's `... caused "TEXT"` (the quote escaped or not) with the phrase
 * at s[ps]: the position of "caused", or (size_t)-1. */
static size_t caused_quote(const char *s, size_t ps) {
  size_t i = ps;

  if (i == 0 || s[i - 1] != '"')
    return (size_t)-1;
  i--;
  while (i > 0 && s[i - 1] == '\\')
    i--;
  if (i < 8 || memcmp(s + i - 7, "caused ", 7) != 0)
    return (size_t)-1;
  return i - 7;
}

/* What caused the error quoted after "caused" at s[b]: runc's "mounting
 * \"SRC\" to rootfs \"R\" at \"DST\" caused" names the mount and its
 * source first; a Go element ("mkdir /x") its operation and path. */
static void caused_left(reading_t *r, size_t b) {
  const char *s = r->s;
  size_t hi = b - 1;
  size_t e0 = element_start(s, 0, hi);
  span_t op = first_token(s, e0, hi);
  span_t q;
  size_t end;
  size_t k;

  if (op.len != 8 || memcmp(s + op.off, "mounting", 8) != 0) {
    if (go_element(r, e0, hi))
      take(r, e0, b - e0);
    return;
  }
  r->out->operation = "mount";
  take(r, op.off, b - op.off);
  for (k = op.off + op.len; k < hi; k++)
    if (s[k - 1] == ' ' && (s[k] == '\\' || is_quote((unsigned char)s[k])) &&
        quoted_at(s, hi, k, &q, &end) && looks_like_path(s + q.off, q.len)) {
      set_subject(r, "path", q);
      return;
    }
}

/* The Linux errno of the digits s[i..e) (at most four), or NULL. */
static const char *errno_of_digits(const char *s, size_t i, size_t e) {
  int num = 0;

  if (e == i || e - i > 4)
    return NULL;
  for (; i < e; i++)
    num = num * 10 + (s[i] - '0');
  return ex_errno_name(num);
}

/* Whether the "[Errno" at s[b] follows "CLASS: " of Python's OSError
 * family (with its module or not: "builtins.OSError", "socket.error"). */
static int os_error_class(const char *s, size_t b) {
  span_t t;
  size_t i;

  if (b < 3 || s[b - 2] != ':' || s[b - 1] != ' ')
    return 0;
  t = last_token(s, 0, b - 2);
  for (i = 0; os_error_classes[i] != NULL; i++) {
    size_t n = strlen(os_error_classes[i]);
    if (t.len >= n &&
        memcmp(s + t.off + t.len - n, os_error_classes[i], n) == 0 &&
        (t.len == n || s[t.off + t.len - n - 1] == '.'))
      return 1;
  }
  return 0;
}

/* A phrase at s[ps..pe): 1 when it is an error report (out filled). */
static int phrase_report(const char *s, size_t len, size_t ps, size_t pe,
                         const phrase_t *ph, ex_errphrase_t *out) {
  reading_t r;
  size_t b;
  int ok = 0;
  int old_node = 0;
  int apr = 0;
  int vouched = 0;

  reading_init(&r, out, s, len, ps, pe);
  out->errno_name = ph->errno_name;
  if (ps == 0) {
    /* The text alone on its line, no tool's word around it, is a title
     * (a FAQ's "Address already in use"), not a report. */
    if (first_token(s, pe, len).len == 0)
      return 0;
    ok = 1;
  } else if (ps >= 2 && s[ps - 2] == ':' && s[ps - 1] == ' ') {
    /* Before Ruby's "TEXT @ FUNC - PATH" stand its exception's class or a
     * backtrace's location ("app.rb:3:in 'File#initialize': "), not an
     * element of a chain. */
    if (ruby_func(s, len, pe) == 0 && !ruby_location(s, ps - 2))
      chain_left(&r, ps);
    ok = 1;
  } else if ((b = bracket_code(s, ps)) != (size_t)-1) {
    take(&r, b, ps - b);
    /* python's "can't open file 'app.py': [Errno 13] Permission denied":
     * the element before the number when it is words, not one name (an
     * exception's class, "curl", "main.go:32"). */
    if (b >= 2 && s[b - 2] == ':' && s[b - 1] == ' ' &&
        !os_error_class(s, b) &&
        memchr(s + element_start(s, 0, b - 2), ' ',
               b - 2 - element_start(s, 0, b - 2)) != NULL)
      chain_left(&r, b);
    ok = 1;
  } else if (s[ps - 1] == '(') {
    if (pe < len && s[pe] == ')') {
      ok = paren_left(&r, ps);
      if (ok)
        take(&r, pe, 1);
    } else if (ruby_func(s, len, pe) > 0 || ruby_call(s, len, pe) >= 0) {
      /* Rails: "Template::Error (Permission denied @ rb_sysopen - x):",
       * Net::HTTP: "(Connection refused - connect(2) for x:5432)" */
      ok = r.paren = 1;
    }
  } else if (s[ps - 1] == ' ' && ruby_call(s, len, pe) >= 0) {
    /* Ruby's "... Connection refused - connect(2) for ...": the call's
     * name after the text says whose error it is, whatever comes
     * before. */
    ok = 1;
  } else if (ps >= 14 && memcmp(s + ps - 14, "be completed. ", 14) == 0) {
    /* Apple's Foundation: "The operation couldn’t be completed. No space
     * left on device" */
    ok = 1;
  } else if ((b = caused_quote(s, ps)) != (size_t)-1) {
    caused_left(&r, b);
    ok = 1;
  } else if (ps >= 11 && memcmp(s + ps - 10, "message: \"", 10) == 0 &&
             memmem(s, ps, "Os {", 4) != NULL) {
    take(&r, (size_t)((const char *)memmem(s, ps, "Os {", 4) - s), 0);
    ok = 1;
  } else if (ps >= 3 && s[ps - 2] == ',' && s[ps - 1] == ' ') {
    span_t t = last_token(s, 0, ps - 2);
    ok = old_node = ecode_word(s, t.off, t.len);
    if (!ok && java_error(s, t)) {
      /* Java's "java.io.IOException: error=2, No such file or
       * directory" */
      ok = 1;
      java_program(&r, t.off);
    }
    if (ok)
      take(&r, t.off, t.len);
  } else if ((b = errno_tuple(s, ps)) != (size_t)-1) {
    take(&r, b, ps - b);
    ok = 1;
  } else if ((b = errno_equals(s, ps)) != (size_t)-1) {
    /* MongoDB: "lock file: /data/db/mongod.lock errno:13 Permission
     * denied Is a mongod instance already running?": the path before the
     * number; the number vouches for the text, so a hint may follow it. */
    size_t d = b + 6;
    size_t de = d;
    const char *named;
    while (de < ps && is_digit((unsigned char)s[de]))
      de++;
    named = errno_of_digits(s, d, de);
    take(&r, b, ps - b);
    if (b > 1 && s[b - 1] == ' ') {
      span_t t = last_token(s, 0, b - 1);
      if (looks_like_path(s + t.off, t.len))
        set_subject(&r, "path", t);
    }
    vouched = named != NULL && ph->errno_name != NULL &&
              strcmp(named, ph->errno_name) == 0;
    ok = 1;
  } else if ((b = error_field(s, ps)) != (size_t)-1) {
    take(&r, b, ps - b);
    field_subject(&r, b);
    ok = 1;
  } else if ((b = apr_code(s, ps)) != (size_t)-1) {
    take(&r, b, ps - b);
    ok = apr = 1;
  } else if ((b = errno_dash(s, ps)) != (size_t)-1) {
    /* MySQL: "Error writing file '/x' (errno: 28 - TEXT)": the file
     * quoted before the parenthesis */
    const char *open;
    span_t q;
    take(&r, b, ps - b);
    if (b >= 4 && s[b - 1] == ' ' && (s[b - 2] == '\'' || s[b - 2] == '"') &&
        (open = memrchr(s, s[b - 2], b - 2)) != NULL &&
        (size_t)(open - s) + 1 < b - 2) {
      q.off = (size_t)(open - s) + 1;
      q.len = b - 2 - q.off;
      set_subject(&r, "path", q);
      take(&r, q.off - 1, q.len + 1);
    }
    ok = 1;
  }
  if (apr && pe + 2 < len && s[pe] == ':' && s[pe + 1] == ' ')
    apr_message(&r, pe + 2);
  else if (!ok || (!vouched && !right_ok(&r, pe, ph->host_after, old_node)))
    return 0;
  if (r.out->subject_kind == NULL)
    pool_subject(&r, ps);
  if (r.out->subject_kind == NULL)
    line_address(&r, ps, pe);
  if (ps > 7)
    lookup_context(&r, ps);
  if (aside_at(s, len, ps, pe) || talked_about(s, len, pe))
    return 0;
  reading_done(&r);
  return 1;
}

/* Whether nothing but spaces follows s[e], or a closing bracket (Node's
 * inspection of an error object: "{ [Error: watch ENOSPC] code: ..."). */
static int message_end(const char *s, size_t len, size_t e) {
  return (e < len && s[e] == ']') || first_token(s, e, len).len == 0;
}

/* Whether the word at s[w] starts the message: at its start, after
 * "Error: " or a chain's ": ", after "[" ("[Error: watch ENOSPC]"), or
 * after a dash between words (node_redis: "... failed - connect
 * ECONNREFUSED"). */
static int op_head(const char *s, size_t w) {
  return w == 0 || (w >= 2 && s[w - 2] == ':' && s[w - 1] == ' ') ||
         s[w - 1] == '[' ||
         (w >= 3 && s[w - 3] == ' ' && s[w - 2] == '-' && s[w - 1] == ' ');
}

/* The end of " (N)" at s[e] (an errno's number after its code), or e. */
static size_t number_after(const char *s, size_t len, size_t e) {
  size_t k = e + 2;

  if (e + 3 >= len || s[e] != ' ' || s[e + 1] != '(')
    return e;
  while (k < len && is_digit((unsigned char)s[k]))
    k++;
  return k > e + 2 && k < len && s[k] == ')' ? k + 1 : e;
}

/* A Node code without a phrase at s[i..e): "connect ECONNREFUSED
 * 1.2.3.4:5", "getaddrinfo ENOTFOUND host", "EACCES, mkdir '/x'". */
static int ecode_report(const char *s, size_t len, size_t i, size_t e, int ec,
                        ex_errphrase_t *out) {
  reading_t r;
  span_t t;
  span_t q;
  size_t end;
  int o;

  reading_init(&r, out, s, len, i, e);
  out->errno_name = ecodes[ec].errno_name;
  if (i >= 16 && memcmp(s + i - 16, "Unix_error(Unix.", 16) == 0) {
    /* OCaml: 'Unix.Unix_error(Unix.EROFS, "mkdir", "/x")', the quotes
     * escaped when the exception is itself quoted */
    size_t k = e;
    take(&r, i - 16, e - (i - 16));
    if (k + 2 < len && s[k] == ',' && s[k + 1] == ' ' &&
        quoted_at(s, len, k + 2, &q, &end)) {
      o = op_word(s + q.off, q.len);
      set_op(&r, o);
      take(&r, k, end - k);
      k = end;
      if (o >= 0 && k + 2 < len && s[k] == ',' && s[k + 1] == ' ' &&
          quoted_at(s, len, k + 2, &t, &end)) {
        target_subject(&r, op_words[o].kind, t);
        take(&r, k, end - k);
      }
    }
  } else if (e + 2 < len && s[e] == ',' && s[e + 1] == ' ') {
    t = first_token(s, e + 1, len);
    o = op_word(s + t.off, t.len);
    if (o < 0 || op_words[o].kind != 'p' || t.off != e + 2 ||
        !quoted_at(s, len, t.off + t.len + 1, &q, &end))
      return 0;
    set_op(&r, o);
    take(&r, t.off, end - t.off);
    set_subject(&r, "path", q);
  } else if (i >= 2 && s[i - 2] == ':' && s[i - 1] == ' ' &&
             (end = number_after(s, len, e)) > e && message_end(s, len, end)) {
    /* LTP's "TBROK: Failed to open FILE '/x' for writing: EROFS (30)":
     * the code and its number end the chain, whose element before names
     * the file. */
    take(&r, i, end - i);
    chain_left(&r, i);
  } else if (i >= 2 && s[i - 2] == ':' && s[i - 1] == ' ' &&
             message_end(s, len, e) &&
             !(i >= 6 && word_ieq(s + i - 6, 4, "code"))) {
    /* the code as the text of a chain's last element: docker's "Error
     * starting userland proxy: Failed to bind: EADDRINUSE" ("code:
     * EACCES" is a field of an error object, read elsewhere) */
    take(&r, i, e - i);
  } else if (op_head(s, i) && e + 3 < len && s[e] == ':' && s[e + 1] == ' ' &&
             phrase_at(s, len, e + 2) < 0 &&
             (is_word((unsigned char)s[e + 2]) ||
              (unsigned char)s[e + 2] >= 0x80)) {
    /* the code heads the message, with a text of the program's own
     * (gulp's "Error: EMFILE: Too many opened files."); a known text
     * after it is read with its phrase */
    take(&r, i, e - i);
  } else if (bracket_code(s, i) != (size_t)-1 && message_end(s, len, e)) {
    /* Python: "ConnectionRefusedError: [Errno 111] ECONNREFUSED" */
    take(&r, bracket_code(s, i), i - bracket_code(s, i));
  } else if (i >= 2 && s[i - 1] == ' ' && message_end(s, len, e) &&
             (t = last_token(s, 0, i - 1), o = op_word(s + t.off, t.len)) >=
                 0 &&
             op_head(s, t.off)) {
    /* Node before 4 (errnoException): "Error: listen EADDRINUSE",
     * "Error: watch EMFILE", "[Error: watch ENOSPC]" */
    set_op(&r, o);
    take(&r, t.off, t.len);
    line_address(&r, t.off, e);
  } else if (i >= 2 && s[i - 1] == ' ' && e + 1 < len && s[e] == ' ') {
    t = last_token(s, 0, i - 1);
    o = op_word(s + t.off, t.len);
    if (o < 0 || op_words[o].kind == 'p' || t.len == 0)
      return 0;
    set_op(&r, o);
    take(&r, t.off, t.len);
    t = first_token(s, e, len);
    /* one target, then the end of the message or of a quoted one */
    end = t.off + t.len;
    while (end > t.off && (s[end - 1] == '\'' || s[end - 1] == '"' ||
                           s[end - 1] == ']' || s[end - 1] == ','))
      end--;
    t.len = end - t.off;
    target_subject(&r, op_words[o].kind, t);
    if (r.out->subject_kind == NULL)
      return 0;
  } else {
    return 0;
  }
  if (aside_at(s, len, i, e))
    return 0;
  reading_done(&r);
  return 1;
}

/* Whether the line names a Windows path ("C:\x"): Rust's "(os error N)"
 * numbers Windows' errors there, not errnos. */
static int windows_path(const char *s, size_t len) {
  size_t i;

  for (i = 0; i + 3 <= len; i++)
    if (s[i + 1] == ':' && s[i + 2] == '\\' &&
        ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z')) &&
        (i == 0 || !is_word((unsigned char)s[i - 1])))
      return 1;
  return 0;
}

/* Reads s[ps..pe) as the text of errno name, in the shapes of a phrase.
 * A system's text starts with a capital or a letter outside ASCII, and
 * has no ellipsis: "[Errno 13] is mapped to a message ... ok" is a test
 * runner's line. */
static int numbered_text(const char *s, size_t len, size_t ps, size_t pe,
                         const char *name, int lower, ex_errphrase_t *out) {
  phrase_t ph;

  if (pe <= ps || (!lower && s[ps] >= 'a' && s[ps] <= 'z') ||
      !(is_word((unsigned char)s[ps]) || (unsigned char)s[ps] >= 0x80) ||
      memmem(s + ps, pe - ps, "...", 3) != NULL)
    return 0;
  memset(&ph, 0, sizeof(ph));
  ph.errno_name = name;
  return phrase_report(s, len, ps, pe, &ph, out);
}

/* Python's "CLASS: [Errno N] TEXT" and "...: 'path'", Rust's "TEXT (os
 * error N)", where TEXT is in no table. */
static int numbered_report(const char *s, size_t len, ex_errphrase_t *out) {
  const char *p = s;
  const char *name;
  size_t k;
  size_t e;

  while ((p = memmem(p, len - (size_t)(p - s), "[Errno ", 7)) != NULL) {
    size_t b = (size_t)(p - s);
    p += 7;
    for (e = b + 7; e < len && is_digit((unsigned char)s[e]); e++)
      ;
    name = errno_of_digits(s, b + 7, e);
    if (name == NULL || e + 2 >= len || s[e] != ']' || s[e + 1] != ' ' ||
        !os_error_class(s, b))
      continue;
    /* The text runs to the ": " before the quoted file name, or to the
     * end. */
    for (k = e + 2; k + 2 < len; k++)
      if (s[k] == ':' && s[k + 1] == ' ' &&
          (is_quote((unsigned char)s[k + 2]) ||
           ((s[k + 2] == 'u' || s[k + 2] == 'b') && k + 3 < len &&
            is_quote((unsigned char)s[k + 3]))))
        break;
    if (k + 2 >= len)
      for (k = len; k > e + 2 && (s[k - 1] == ' ' || s[k - 1] == '\r'); k--)
        ;
    /* After an OSError class a text of the program's own may start in
     * lower case (watchdog: "[Errno 28] inotify watch limit reached"). */
    if (numbered_text(s, len, e + 2, k, name, 1, out))
      return 1;
  }
  p = s;
  while ((p = memmem(p, len - (size_t)(p - s), " (os error ", 11)) != NULL) {
    size_t pe = (size_t)(p - s);
    size_t ps = element_start(s, 0, pe);
    p += 11;
    for (e = pe + 11; e < len && is_digit((unsigned char)s[e]); e++)
      ;
    name = errno_of_digits(s, pe + 11, e);
    while (ps < pe && s[ps] == ' ')
      ps++;
    /* Windows' messages end in a full stop, glibc's never. */
    if (name == NULL || e >= len || s[e] != ')' || ps == pe ||
        s[pe - 1] == '.' || windows_path(s, len))
      continue;
    if (numbered_text(s, len, ps, pe, name, 0, out)) {
      if (out->words_off + out->words_len < e + 1)
        out->words_len = e + 1 - out->words_off;
      return 1;
    }
  }
  return 0;
}

/* Elixir's and Erlang's errno atoms: "{:listen_error, X.HTTP,
 * :eaddrinuse}", "{:error, :enoent}", "{error,eacces}". The atom is a
 * whole word in lower case, after a colon that follows a space or an
 * opening bracket, or after Erlang's "error," of a tuple. */
static int atom_report(const char *s, size_t len, ex_errphrase_t *out) {
  size_t i;

  for (i = 0; i + 3 < len; i++) {
    reading_t r;
    size_t a = i + 1; /* where the atom's name starts */
    size_t k;
    size_t e;
    if (s[i] == 'e' && i >= 7 && memcmp(s + i - 7, "{error,", 7) == 0)
      a = i;
    else if (s[i] != ':' || s[i + 1] != 'e' ||
             (i > 0 && s[i - 1] != ' ' && s[i - 1] != '{' &&
              s[i - 1] != '(' && s[i - 1] != '[' && s[i - 1] != ','))
      continue;
    for (k = a; k < len && ((s[k] >= 'a' && s[k] <= 'z') ||
                            (s[k] >= '0' && s[k] <= '9'));
         k++)
      ;
    if (k < len && (is_word((unsigned char)s[k]) || s[k] == '_'))
      continue;
    for (e = 0; e < NECODES; e++) {
      size_t n = strlen(ecodes[e].code);
      size_t j;
      if (ecodes[e].errno_name == NULL || n != k - a)
        continue;
      for (j = 0; j < n && fold((unsigned char)ecodes[e].code[j]) ==
                               (unsigned char)s[a + j];
           j++)
        ;
      if (j == n)
        break;
    }
    if (e == NECODES || aside_at(s, len, i, k))
      continue;
    reading_init(&r, out, s, len, i, k);
    out->errno_name = ecodes[e].errno_name;
    reading_done(&r);
    return 1;
  }
  return 0;
}

int ex_errphrase_find(const char *s, size_t len, ex_errphrase_t *out) {
  size_t i;

  (void)pthread_once(&once, build);
  for (i = 0; i < len; i++) {
    int p;
    int ec;
    size_t e;
    if (i > 0 && is_word((unsigned char)s[i - 1]))
      continue;
    p = phrase_at(s, len, i);
    if (p >= 0 &&
        phrase_report(s, len, i, i + phrases[p].len, &phrases[p], out))
      return 1;
    ec = ecode_at(s, len, i, &e);
    if (ec >= 0 && ecode_report(s, len, i, e, ec, out))
      return 1;
  }
  if (numbered_report(s, len, out) || atom_report(s, len, out))
    return 1;
  memset(out, 0, sizeof(*out));
  return 0;
}
