/* Finding the command on Windows, and its arguments for uv_spawn().
 *
 * libuv searches PATH itself, but as msvcrt's spawn functions do: .com and
 * .exe only, PATHEXT unread. explain searches as cmd.exe does, so that
 * `explain npm test` finds npm.cmd where the user's shell would, and gives
 * uv_spawn() the full path it found: libuv then looks no further.
 *
 * A batch file is not a program: CreateProcess starts cmd.exe for it behind
 * the caller's back and hands it the command line unescaped, so that an
 * argument holding & or | runs a command. explain starts cmd.exe itself,
 * with each argument escaped for cmd.exe (the way Rust's standard library
 * does since its fix for that hole), and refuses an argument that cannot be
 * passed intact. */
#include "wrap/win/spawn.h"

#include "platform/windows/win_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

/* Windows' own PATHEXT, used when the variable is unset. */
#define EX_PATHEXT_DEFAULT                                                     \
  L".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC"

/* The C runtime's parser of the wide command line (msvcrt exports it; no
 * header declares it). */
typedef struct {
  int newmode;
} ex_startupinfo_t;
int __cdecl __wgetmainargs(int *argc, wchar_t ***argv, wchar_t ***env,
                           int expand_wildcards, ex_startupinfo_t *si);

/* ---- the search --------------------------------------------------------- */

/* A new copy of an environment variable's value, or NULL (unset, or no
 * memory). */
static wchar_t *env_dup(const wchar_t *name) {
  wchar_t *v;
  DWORD n;
  DWORD got;

  n = GetEnvironmentVariableW(name, NULL, 0);
  if (n == 0)
    return NULL;
  v = malloc(n * sizeof(*v));
  if (v == NULL)
    return NULL;
  got = GetEnvironmentVariableW(name, v, n);
  if (got == 0 || got >= n) {
    free(v);
    return NULL;
  }
  return v;
}

static int is_sep(wchar_t c) {
  return c == L'\\' || c == L'/' || c == L':';
}

/* The extension of the last component of path (from its last dot), or
 * NULL. */
static const wchar_t *extension(const wchar_t *path) {
  const wchar_t *dot;

  dot = NULL;
  for (; *path != L'\0'; path++) {
    if (is_sep(*path))
      dot = NULL;
    else if (*path == L'.')
      dot = path;
  }
  return dot != NULL && dot[1] != L'\0' ? dot : NULL;
}

static ex_win_kind_t kind_of(const wchar_t *path) {
  const wchar_t *ext;

  ext = extension(path);
  if (ext == NULL)
    return EX_WIN_OTHER;
  if (_wcsicmp(ext, L".exe") == 0 || _wcsicmp(ext, L".com") == 0)
    return EX_WIN_PROGRAM;
  if (_wcsicmp(ext, L".bat") == 0 || _wcsicmp(ext, L".cmd") == 0)
    return EX_WIN_BATCH;
  return EX_WIN_OTHER;
}

typedef struct search {
  const wchar_t *name; /* the last component of the name given */
  size_t name_len;
  int has_ext;
  const wchar_t *pathext;
  wchar_t *buf; /* the candidate tried last */
  size_t cap;
  wchar_t *found;      /* what runs; owned */
  wchar_t *unrunnable; /* the first exact name found without an extension
                          that runs; owned */
} search_t;

/* Tries dir (dlen characters, none for the current directory) joined with
 * the name and ext. Returns 1 when that is a file, 0 when not, -ENOMEM. */
static int try_file(search_t *s, const wchar_t *dir, size_t dlen,
                    const wchar_t *ext, size_t elen) {
  wchar_t *nb;
  size_t need;
  size_t n;
  DWORD attr;

  need = dlen + 1 + s->name_len + elen + 1;
  if (need > s->cap) {
    nb = realloc(s->buf, need * sizeof(*nb));
    if (nb == NULL)
      return -ENOMEM;
    s->buf = nb;
    s->cap = need;
  }
  n = 0;
  wmemcpy(s->buf, dir, dlen);
  n = dlen;
  /* "C:" stays drive-relative, as cmd.exe reads it. */
  if (dlen > 0 && !is_sep(dir[dlen - 1]))
    s->buf[n++] = L'\\';
  wmemcpy(s->buf + n, s->name, s->name_len);
  n += s->name_len;
  wmemcpy(s->buf + n, ext, elen);
  n += elen;
  s->buf[n] = L'\0';
  attr = GetFileAttributesW(s->buf);
  return attr != INVALID_FILE_ATTRIBUTES && !(attr & FILE_ATTRIBUTE_DIRECTORY);
}

/* The full path of the candidate tried last, as a new string, or NULL. */
static wchar_t *full_path(const search_t *s) {
  wchar_t *full;
  DWORD n;

  n = GetFullPathNameW(s->buf, 0, NULL, NULL);
  if (n == 0)
    return _wcsdup(s->buf);
  full = malloc(n * sizeof(*full));
  if (full != NULL && GetFullPathNameW(s->buf, n, full, NULL) >= n) {
    free(full);
    return _wcsdup(s->buf);
  }
  return full;
}

/* Looks in one directory. Returns 1 when s->found is set, 0 to go on,
 * -ENOMEM. */
static int search_dir(search_t *s, const wchar_t *dir, size_t dlen) {
  const wchar_t *e;
  size_t elen;
  int rc;

  if (s->has_ext) {
    rc = try_file(s, dir, dlen, L"", 0);
    if (rc != 0)
      goto got;
  }
  for (e = s->pathext; *e != L'\0'; e += elen + (e[elen] == L';')) {
    elen = wcscspn(e, L";");
    if (elen == 0)
      continue;
    rc = try_file(s, dir, dlen, e, elen);
    if (rc != 0)
      goto got;
  }
  /* The exact name, without an extension Windows runs: kept to say why it
   * does not run if nothing else is found (cmd.exe would not try it). */
  if (!s->has_ext && s->unrunnable == NULL && try_file(s, dir, dlen, L"", 0)) {
    s->unrunnable = full_path(s);
    if (s->unrunnable == NULL)
      return -ENOMEM;
  }
  return 0;

got:
  if (rc < 0)
    return rc;
  s->found = full_path(s);
  return s->found != NULL ? 1 : -ENOMEM;
}

/* Each directory of PATH in order; quotes around an entry are dropped. */
static int search_path(search_t *s, const wchar_t *path) {
  const wchar_t *d;
  size_t len;
  int rc;

  for (d = path; *d != L'\0'; d += len + (d[len] == L';')) {
    len = wcscspn(d, L";");
    if (len >= 2 && d[0] == L'"' && d[len - 1] == L'"')
      rc = search_dir(s, d + 1, len - 2);
    else if (len > 0)
      rc = search_dir(s, d, len);
    else
      rc = 0;
    if (rc != 0)
      return rc;
  }
  return 0;
}

int ex__win_resolve(const char *argv0, char **path, char **searched,
                    ex_win_kind_t *kind) {
  search_t s;
  wchar_t *wname;
  wchar_t *wpath;
  wchar_t *pathext;
  const wchar_t *p;
  int rc;

  *path = NULL;
  *searched = NULL;
  *kind = EX_WIN_OTHER;
  memset(&s, 0, sizeof(s));
  wpath = NULL;
  pathext = NULL;
  wname = ex__win_wide(argv0);
  if (wname == NULL || wname[0] == L'\0') {
    free(wname);
    return -ENOENT;
  }
  s.name = wname;
  for (p = wname; *p != L'\0'; p++) {
    if (is_sep(*p))
      s.name = p + 1;
  }
  s.name_len = wcslen(s.name);
  s.has_ext = extension(s.name) != NULL;
  pathext = env_dup(L"PATHEXT");
  s.pathext = pathext != NULL ? pathext : EX_PATHEXT_DEFAULT;

  if (s.name != wname) {
    rc = s.name_len == 0 ? 0 : search_dir(&s, wname, (size_t)(s.name - wname));
  } else {
    wpath = env_dup(L"PATH");
    *searched = ex__win_utf8_dup(wpath != NULL ? wpath : L"");
    rc = *searched == NULL ? -ENOMEM : 0;
    if (rc == 0 && NeedCurrentDirectoryForExePathW(wname))
      rc = search_dir(&s, L"", 0);
    if (rc == 0 && wpath != NULL)
      rc = search_path(&s, wpath);
  }
  if (rc < 0)
    goto done;
  if (s.found != NULL && kind_of(s.found) != EX_WIN_OTHER) {
    *kind = kind_of(s.found);
    *path = ex__win_utf8_dup(s.found);
    rc = *path != NULL ? 0 : -ENOMEM;
  } else if (s.found != NULL || s.unrunnable != NULL) {
    /* .vbs, .js, .py: cmd.exe would hand it to the program its file
     * association names; explain does not run what it cannot run itself. */
    *path = ex__win_utf8_dup(s.found != NULL ? s.found : s.unrunnable);
    rc = *path != NULL ? -ENOEXEC : -ENOMEM;
  } else {
    rc = -ENOENT;
  }

done:
  free(s.buf);
  free(s.found);
  free(s.unrunnable);
  free(wname);
  free(wpath);
  free(pathext);
  return rc;
}

/* ---- arguments ---------------------------------------------------------- */

void ex__win_argv_free(char **argv) {
  size_t i;

  for (i = 0; argv != NULL && argv[i] != NULL; i++)
    free(argv[i]);
  free(argv);
}

/* ANSI text (the code page of explain's narrow argv) as new UTF-8. */
static char *acp_to_utf8(const char *s) {
  wchar_t *w;
  char *u;
  int n;

  n = MultiByteToWideChar(CP_ACP, 0, s, -1, NULL, 0);
  if (n <= 0)
    return NULL;
  w = malloc((size_t)n * sizeof(*w));
  if (w == NULL)
    return NULL;
  u = NULL;
  if (MultiByteToWideChar(CP_ACP, 0, s, -1, w, n) == n)
    u = ex__win_utf8_dup(w);
  free(w);
  return u;
}

/* The wide strings the C runtime parsed for argv when argv is the tail of
 * explain's own argv (the narrow and the wide parsers are one algorithm,
 * so the indexes agree), else NULL. */
static wchar_t **own_wide_tail(char *const *argv, size_t n) {
  ex_startupinfo_t si;
  wchar_t **wargv;
  wchar_t **wenv;
  size_t k;
  size_t j;
  int wargc;

  si.newmode = 0;
  wargv = NULL;
  if (__wgetmainargs(&wargc, &wargv, &wenv, 0, &si) != 0 || wargv == NULL ||
      wargc != __argc || __argv == NULL || (size_t)__argc <= n)
    return NULL;
  k = (size_t)__argc - n;
  for (j = 0; j < n; j++) {
    if (__argv[k + j] == NULL || strcmp(__argv[k + j], argv[j]) != 0)
      return NULL;
  }
  return wargv + k;
}

char **ex__win_argv(char *const *argv) {
  wchar_t **wide;
  char **out;
  size_t n;
  size_t j;

  for (n = 0; argv[n] != NULL; n++)
    ;
  out = calloc(n + 1, sizeof(*out));
  if (out == NULL)
    return NULL;
  wide = own_wide_tail(argv, n);
  for (j = 0; j < n; j++) {
    out[j] = wide != NULL ? ex__win_utf8_dup(wide[j]) : acp_to_utf8(argv[j]);
    if (out[j] == NULL) {
      ex__win_argv_free(out);
      return NULL;
    }
  }
  return out;
}

/* A growing byte string. */
typedef struct line {
  char *s;
  size_t len;
  size_t cap;
  int oom;
} line_t;

static void put(line_t *l, const char *s, size_t n) {
  char *ns;
  size_t cap;

  if (l->oom)
    return;
  if (l->len + n + 1 > l->cap) {
    cap = (l->len + n + 1) * 2;
    ns = realloc(l->s, cap);
    if (ns == NULL) {
      l->oom = 1;
      return;
    }
    l->s = ns;
    l->cap = cap;
  }
  memcpy(l->s + l->len, s, n);
  l->len += n;
  l->s[l->len] = '\0';
}

static void put_char(line_t *l, char c, size_t times) {
  while (times-- > 0)
    put(l, &c, 1);
}

/* Whether a batch argument needs quotes: cmd.exe splits arguments at
 * blanks, commas, semicolons and equals signs, and acts on & | < > ^ ( )
 * outside quotes; only letters, digits and a few safe signs go bare. */
static int bat_needs_quotes(const char *a) {
  const unsigned char *p;
  size_t n;

  n = strlen(a);
  if (n == 0 || a[n - 1] == '\\')
    return 1;
  for (p = (const unsigned char *)a; *p != '\0'; p++) {
    if (*p >= 0x80) {
      /* U+0080-U+009F, the C1 controls, are 0xC2 0x80-0x9F in UTF-8. */
      if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
        return 1;
      continue;
    }
    if ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
        (*p >= 'A' && *p <= 'Z') || strchr("#$*+-./:?@\\_", *p) != NULL)
      continue;
    return 1;
  }
  return 0;
}

/* One argument for a batch file. A quote inside is doubled (with the
 * backslashes before it doubled, for a program the batch passes %1 on to);
 * before each % goes %%cd:~, an empty substring of %cd% that keeps cmd.exe
 * from reading a %name% there (it needs command extensions: /e:ON). */
static void put_bat_arg(line_t *l, const char *a) {
  size_t backslashes;
  int quote;

  quote = bat_needs_quotes(a);
  if (quote)
    put_char(l, '"', 1);
  backslashes = 0;
  for (; *a != '\0'; a++) {
    if (*a == '\\') {
      backslashes++;
    } else {
      if (*a == '"') {
        put_char(l, '\\', backslashes);
        put_char(l, '"', 1);
      } else if (*a == '%') {
        put(l, "%%cd:~,", 7);
      }
      backslashes = 0;
    }
    put_char(l, *a, 1);
  }
  if (quote) {
    put_char(l, '\\', backslashes);
    put_char(l, '"', 1);
  }
}

int ex__win_batch_args(const char *script, char *const *argv, char **cmd_path,
                       char ***args) {
  static const char *const head[] = {"cmd.exe", "/e:ON", "/v:OFF", "/d", "/c"};
  const size_t nhead = sizeof(head) / sizeof(head[0]);
  wchar_t sys[MAX_PATH + 16];
  line_t l;
  char **out;
  size_t i;
  UINT n;

  *cmd_path = NULL;
  *args = NULL;
  if (strchr(script, '"') != NULL || script[0] == '\0' ||
      script[strlen(script) - 1] == '\\')
    return -EINVAL;
  for (i = 1; argv[i] != NULL; i++) {
    if (strpbrk(argv[i], "\r\n") != NULL)
      return -EINVAL;
  }
  /* The system's cmd.exe, not %ComSpec%, which anyone can point
   * elsewhere. */
  n = GetSystemDirectoryW(sys, MAX_PATH);
  if (n == 0 || n >= MAX_PATH)
    return -ENOENT;
  wcscat(sys, L"\\cmd.exe");

  memset(&l, 0, sizeof(l));
  put(&l, "\"\"", 2);
  put(&l, script, strlen(script));
  put_char(&l, '"', 1);
  for (i = 1; argv[i] != NULL; i++) {
    put_char(&l, ' ', 1);
    put_bat_arg(&l, argv[i]);
  }
  put_char(&l, '"', 1);
  out = calloc(nhead + 2, sizeof(*out));
  if (l.oom || out == NULL) {
    free(l.s);
    free(out);
    return -ENOMEM;
  }
  for (i = 0; i < nhead; i++) {
    out[i] = _strdup(head[i]);
    if (out[i] == NULL)
      goto oom;
  }
  out[nhead] = l.s;
  l.s = NULL;
  *cmd_path = ex__win_utf8_dup(sys);
  if (*cmd_path == NULL)
    goto oom;
  *args = out;
  return 0;

oom:
  free(l.s);
  ex__win_argv_free(out);
  return -ENOMEM;
}
