/* The fix policy on Windows (platform/probe.h, ex_fix_vet()): the same
 * promises as on Linux, for the commands cmd.exe and PowerShell run.
 *
 * A fix is refused when a word is an empty quoted string (a subject that is
 * not known), when it changes the owner, the access control list, the
 * attributes or the existence of a system path (takeown, icacls, cacls,
 * attrib, del, erase, rd, rmdir, Remove-Item, Set-Acl) - a drive's root,
 * the Windows directory, Program Files, ProgramData and Users themselves,
 * and the profiles of other users - or when it grants every user full
 * control or write access (Everyone or *S-1-1-0 with F, M or W). The command
 * is split as cmd.exe would split it (double quotes group, a caret escapes
 * a character); nothing is run. */
#include "platform/probe.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define WORDS_MAX 64
#define WORD_MAX 1024

typedef struct word {
  char text[WORD_MAX];
  int quoted; /* the word came (in part) from quotes */
} word_t;

/* The next word of *pp into w; 0 at the end of the command. A command
 * separator (&, |, ;) is a word of its own. */
static int next_word(const char **pp, word_t *w) {
  const char *p;
  size_t n;
  int quote;

  p = *pp;
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '\0')
    return 0;
  n = 0;
  w->quoted = 0;
  if (*p == '&' || *p == '|' || *p == ';') {
    w->text[n++] = *p++;
    while (*p == '&' || *p == '|')
      p++;
    w->text[n] = '\0';
    *pp = p;
    return 1;
  }
  quote = 0;
  for (; *p != '\0'; p++) {
    if (!quote && (*p == ' ' || *p == '\t' || *p == '&' || *p == '|' ||
                   *p == ';'))
      break;
    if (*p == '"' || (*p == '\'' && !quote)) {
      quote = !quote;
      w->quoted = 1;
      continue;
    }
    if (*p == '\'' && quote) {
      quote = 0;
      continue;
    }
    if (*p == '^' && !quote && p[1] != '\0')
      p++;
    if (n + 1 < sizeof(w->text))
      w->text[n++] = *p;
  }
  w->text[n] = '\0';
  *pp = p;
  return 1;
}

/* path without a trailing separator, lower case, with / as \. */
static void normalise(const char *path, char *out, size_t size) {
  size_t n;

  for (n = 0; path[n] != '\0' && n + 1 < size; n++)
    out[n] = path[n] == '/' ? '\\' : (char)tolower((unsigned char)path[n]);
  while (n > 3 && out[n - 1] == '\\')
    n--;
  out[n] = '\0';
}

/* 1 when dir (lower case) is path or contains it. */
static int under(const char *path, const char *dir) {
  size_t n;

  n = strlen(dir);
  return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '\\');
}

/* The value of an environment variable, lower case and normalised, or "". */
static void env_path(const char *name, char *out, size_t size) {
  const char *v;

  v = getenv(name);
  out[0] = '\0';
  if (v != NULL && v[0] != '\0')
    normalise(v, out, size);
}

static int system_path(const char *word) {
  char p[WORD_MAX];
  char dir[WORD_MAX];
  char users[WORD_MAX];
  const char *rest;
  static const char *const trees[] = {"SystemRoot", "ProgramFiles",
                                      "ProgramFiles(x86)", "ProgramW6432",
                                      "CommonProgramFiles"};
  size_t i;

  normalise(word, p, sizeof(p));
  /* A drive's root, with or without its separator. */
  if (isalpha((unsigned char)p[0]) && p[1] == ':' &&
      (p[2] == '\0' || (p[2] == '\\' && p[3] == '\0')))
    return 1;
  if (under(p, "c:\\windows") || under(p, "c:\\program files") ||
      under(p, "c:\\program files (x86)"))
    return 1;
  for (i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
    env_path(trees[i], dir, sizeof(dir));
    if (dir[0] != '\0' && under(p, dir))
      return 1;
  }
  env_path("ProgramData", dir, sizeof(dir));
  if (strcmp(p, dir[0] != '\0' ? dir : "c:\\programdata") == 0)
    return 1;
  /* Users itself, and a profile that is not this user's. */
  env_path("USERPROFILE", dir, sizeof(dir));
  ex_strlcpy(users, dir, sizeof(users));
  if (strrchr(users, '\\') != NULL)
    *strrchr(users, '\\') = '\0';
  else
    ex_strlcpy(users, "c:\\users", sizeof(users));
  if (strcmp(p, users) == 0)
    return 1;
  if (under(p, users) && !(dir[0] != '\0' && under(p, dir))) {
    rest = p + strlen(users) + 1;
    return strncmp(rest, "public", 6) != 0 || (rest[6] != '\0' &&
                                               rest[6] != '\\');
  }
  return 0;
}

static int changes_files(const char *verb) {
  static const char *const verbs[] = {"takeown", "icacls", "cacls", "attrib",
                                      "del", "erase", "rd", "rmdir",
                                      "remove-item", "set-acl", "ri"};
  char v[64];
  const char *base;
  size_t i;
  size_t n;

  base = verb;
  for (i = 0; verb[i] != '\0'; i++) {
    if (verb[i] == '\\' || verb[i] == '/')
      base = verb + i + 1;
  }
  normalise(base, v, sizeof(v));
  n = strlen(v);
  if (n > 4 && strcmp(v + n - 4, ".exe") == 0)
    v[n - 4] = '\0';
  for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
    if (strcmp(v, verbs[i]) == 0)
      return 1;
  }
  return 0;
}

/* An icacls grant to every user: Everyone:F, *S-1-1-0:(OI)(CI)M, ... */
static int grants_everyone(const char *word) {
  char w[WORD_MAX];
  const char *rights;

  normalise(word, w, sizeof(w));
  if (strncmp(w, "everyone:", 9) == 0)
    rights = w + 9;
  else if (strncmp(w, "*s-1-1-0:", 9) == 0)
    rights = w + 9;
  else
    return 0;
  return strpbrk(rights, "fmw") != NULL;
}

static ex_fix_verdict_t vet_simple(const word_t *w, size_t n) {
  size_t i;

  for (i = 0; i < n; i++) {
    if (w[i].quoted && w[i].text[0] == '\0')
      return EX_FIX_NO_SUBJECT;
  }
  if (n == 0 || !changes_files(w[0].text))
    return EX_FIX_SAFE;
  for (i = 1; i < n; i++) {
    if (grants_everyone(w[i].text))
      return EX_FIX_WORLD_WRITABLE;
    if (w[i].text[0] != '/' && w[i].text[0] != '-' && system_path(w[i].text))
      return EX_FIX_SYSTEM_PATH;
  }
  return EX_FIX_SAFE;
}

ex_fix_verdict_t ex_fix_vet(const char *command, int flags) {
  word_t *words;
  const char *p;
  size_t n;
  int more;
  ex_fix_verdict_t v;

  (void)flags; /* no kernel file systems to tell by statfs here */
  if (command == NULL)
    return EX_FIX_SAFE;
  words = malloc(WORDS_MAX * sizeof(*words));
  if (words == NULL)
    return EX_FIX_NO_MEMORY;
  v = EX_FIX_SAFE;
  n = 0;
  p = command;
  for (;;) {
    if (n == WORDS_MAX) {
      v = EX_FIX_UNREADABLE;
      break;
    }
    more = next_word(&p, &words[n]);
    if (more && strcmp(words[n].text, "&") != 0 &&
        strcmp(words[n].text, "|") != 0 && strcmp(words[n].text, ";") != 0) {
      n++;
      continue;
    }
    v = vet_simple(words, n);
    n = 0;
    if (v != EX_FIX_SAFE || !more)
      break;
  }
  free(words);
  return v;
}
