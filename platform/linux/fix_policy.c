/* The fix policy: which fix commands explain may offer at all.
 *
 * Every fix command, an explainer's (ex_fix_add_cmd(), ex_fix_add_raw()) or
 * a rule's (filled by the diagnosis, then added the same way), is read as
 * a POSIX shell would split it into simple commands and words, without
 * running anything. A fix is refused when a word is an empty quoted
 * string (a subject that was not known: `namei -l -- ''`), when it
 * changes the owner, mode, attributes or existence of a system path or of
 * a path on a kernel file system (`chown -R ... /sys/class/net/lo/address`),
 * or when a chmod lets every user write. A fix a user would regret is
 * worse than none.
 */
#include "platform/probe.h"

#include <errno.h>
#include <linux/magic.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#define WORD_MAX EX_PROC_PATH_MAX
#define WORDS_MAX 64

typedef struct word {
  char val[WORD_MAX]; /* the word as the shell would pass it (literal
                         parts; expansions left out) */
  size_t len;
  size_t literal; /* length of the literal prefix, before the first
                     expansion or glob */
  int quoted;     /* some part was quoted */
  int dynamic;    /* it has an expansion ($x, $(...), `...`, a glob) */
  int tilde;      /* it starts with an unquoted ~ */
  int cut;        /* longer than WORD_MAX: not judged */
} word_t;

typedef enum { TOK_END = 0, TOK_WORD, TOK_SEP, TOK_REDIR } tok_t;

static void put(word_t *w, char c) {
  if (w->len + 1 >= sizeof(w->val)) {
    w->cut = 1;
    return;
  }
  w->val[w->len++] = c;
  w->val[w->len] = '\0';
}

static void mark_dynamic(word_t *w) {
  if (!w->dynamic)
    w->literal = w->len;
  w->dynamic = 1;
}

/* Skips a $(...) or `...` whose opening is at p; returns the end. */
static const char *skip_subst(const char *p) {
  int depth;
  char close;

  close = *p == '`' ? '`' : ')';
  p += *p == '`' ? 1 : 2;
  depth = 1;
  while (*p != '\0' && depth > 0) {
    if (*p == '\\' && p[1] != '\0') {
      p += 2;
      continue;
    }
    if (*p == '\'' && close == ')') {
      p = strchr(p + 1, '\'');
      if (p == NULL)
        return "";
    } else if (close == ')' && *p == '(') {
      depth++;
    } else if (*p == close) {
      depth--;
    }
    p++;
  }
  return p;
}

/* At a '$': skips the expansion and returns the end. */
static const char *skip_dollar(const char *p) {
  if (p[1] == '(')
    return skip_subst(p);
  if (p[1] == '{') {
    p = strchr(p, '}');
    return p != NULL ? p + 1 : "";
  }
  p++;
  if (*p == '?' || *p == '$' || *p == '#' || *p == '!' || *p == '@' ||
      *p == '*' || (*p >= '0' && *p <= '9'))
    return p + 1;
  while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
         (*p >= '0' && *p <= '9') || *p == '_')
    p++;
  return p;
}

static int is_sep(char c) {
  return c == ';' || c == '|' || c == '&' || c == '\n' || c == '(' || c == ')';
}

/* Reads the next token of the command at *pp into w (for a word). */
static tok_t next_token(const char **pp, word_t *w) {
  const char *p;

  p = *pp;
  w->len = 0;
  w->val[0] = '\0';
  w->quoted = w->dynamic = w->tilde = w->cut = 0;
  w->literal = 0;
  while (*p == ' ' || *p == '\t')
    p++;
  if (*p == '\0') {
    *pp = p;
    return TOK_END;
  }
  if (*p == '#') {
    *pp = "";
    return TOK_END;
  }
  /* "2>", ">>", "<", "&>": a redirection; its target is the next word. */
  {
    const char *q = p;

    while (*q >= '0' && *q <= '9')
      q++;
    if (*q == '<' || *q == '>' || (*q == '&' && q[1] == '>')) {
      while (*q == '<' || *q == '>' || *q == '&')
        q++;
      *pp = q;
      return TOK_REDIR;
    }
  }
  if (is_sep(*p)) {
    while (is_sep(*p))
      p++;
    *pp = p;
    return TOK_SEP;
  }
  if (*p == '~') {
    w->tilde = 1;
    mark_dynamic(w);
  }
  while (*p != '\0' && *p != ' ' && *p != '\t' && !is_sep(*p) && *p != '<' &&
         *p != '>') {
    if (*p == '\'') {
      w->quoted = 1;
      for (p++; *p != '\0' && *p != '\''; p++)
        put(w, *p);
      if (*p == '\'')
        p++;
    } else if (*p == '"') {
      w->quoted = 1;
      for (p++; *p != '\0' && *p != '"';) {
        if (*p == '\\' && p[1] != '\0' && strchr("$`\"\\\n", p[1])) {
          put(w, p[1]);
          p += 2;
        } else if (*p == '$' && p[1] != '\0' && p[1] != '"') {
          mark_dynamic(w);
          p = skip_dollar(p);
        } else if (*p == '`') {
          mark_dynamic(w);
          p = skip_subst(p);
        } else {
          put(w, *p++);
        }
      }
      if (*p == '"')
        p++;
    } else if (*p == '\\' && p[1] != '\0') {
      put(w, p[1]);
      p += 2;
    } else if (*p == '$' && p[1] != '\0' && p[1] != ' ') {
      mark_dynamic(w);
      p = skip_dollar(p);
    } else if (*p == '`') {
      mark_dynamic(w);
      p = skip_subst(p);
    } else if (*p == '*' || *p == '?' || *p == '[') {
      mark_dynamic(w);
      put(w, *p++);
    } else {
      put(w, *p++);
    }
  }
  *pp = p;
  return TOK_WORD;
}

/* Lexically normalised absolute path of `path` (relative to cwd) into out:
 * "//a/./b/../c" -> "/a/c". Returns 0, or -1 when it cannot be known. */
static int normalise(const char *path, char *out, size_t size) {
  char buf[WORD_MAX * 2];
  char cwd[WORD_MAX];
  size_t n;
  char *seg;
  char *save;

  if (path[0] == '/') {
    if (strlen(path) >= sizeof(buf))
      return -1;
    strcpy(buf, path);
  } else {
    if (getcwd(cwd, sizeof(cwd)) == NULL ||
        strlen(cwd) + strlen(path) + 2 > sizeof(buf))
      return -1;
    strcpy(buf, cwd);
    strcat(buf, "/");
    strcat(buf, path);
  }
  if (size < 2)
    return -1;
  out[0] = '\0';
  n = 0;
  for (seg = strtok_r(buf, "/", &save); seg != NULL;
       seg = strtok_r(NULL, "/", &save)) {
    if (strcmp(seg, ".") == 0)
      continue;
    if (strcmp(seg, "..") == 0) {
      while (n > 0 && out[n - 1] != '/')
        n--;
      if (n > 0)
        n--;
      out[n] = '\0';
      continue;
    }
    if (n + 1 + strlen(seg) + 1 > size)
      return -1;
    out[n++] = '/';
    strcpy(out + n, seg);
    n += strlen(seg);
  }
  if (n == 0)
    strcpy(out, "/");
  return 0;
}

/* 1 when path is dir or below it. */
static int under(const char *path, const char *dir) {
  size_t n;

  n = strlen(dir);
  return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* The home directory of the user who runs explain (or who ran sudo). */
static int own_uid(uid_t uid) {
  const char *s;

  if (uid == getuid() || uid == geteuid())
    return 1;
  s = getenv("SUDO_UID");
  return s != NULL && s[0] != '\0' && (uid_t)strtoul(s, NULL, 10) == uid;
}

/* 1 when path is in /home/NAME or /root and that is not the home of the
 * user who runs explain: a log from another machine names homes that have
 * no entry here. */
static int foreign_home(const char *path) {
  char dir[WORD_MAX];
  const char *home;
  struct passwd *pw;
  size_t n;

  if (under(path, "/root"))
    return !own_uid(0);
  if (strncmp(path, "/home/", 6) != 0 || path[6] == '\0')
    return 0;
  n = 6 + strcspn(path + 6, "/");
  if (n >= sizeof(dir))
    return 1;
  memcpy(dir, path, n);
  dir[n] = '\0';
  home = getenv("HOME");
  if (home != NULL && under(home, dir))
    return 0;
  pw = getpwuid(getuid());
  if (pw != NULL && pw->pw_dir != NULL && under(pw->pw_dir, dir))
    return 0;
  home = getenv("SUDO_USER");
  pw = home != NULL ? getpwnam(home) : NULL;
  return pw == NULL || pw->pw_dir == NULL || !under(pw->pw_dir, dir);
}

/* 1 when path is in the home directory of another user: by /etc/passwd
 * and NSS (at most 100000 entries), and by foreign_home(). */
static int other_users_home(const char *path) {
  struct passwd *pw;
  int found;
  long n;

  if (foreign_home(path))
    return 1;
  found = 0;
  setpwent();
  for (n = 0; !found && n < 100000; n++) {
    errno = 0;
    pw = getpwent();
    if (pw == NULL)
      break;
    if (pw->pw_dir == NULL || pw->pw_dir[0] != '/' || pw->pw_dir[1] == '\0' ||
        own_uid(pw->pw_uid))
      continue;
    found = under(path, pw->pw_dir);
  }
  endpwent();
  return found;
}

static int system_path(const char *path) {
  static const char trees[][10] = {"/usr",  "/etc",  "/bin",
                                   "/sbin", "/boot", "/var/lib"};
  size_t i;

  if (strcmp(path, "/") == 0 || strcmp(path, "/opt") == 0)
    return 1;
  for (i = 0; i < sizeof(trees) / sizeof(trees[0]); i++) {
    if (under(path, trees[i]))
      return 1;
  }
  /* /lib, /lib32, /lib64, /libx32 and what is below them. */
  if (strncmp(path, "/lib", 4) == 0)
    return 1;
  return other_users_home(path);
}

static int kernel_magic(long type) {
  static const long magics[] = {
      SYSFS_MAGIC, PROC_SUPER_MAGIC, CGROUP_SUPER_MAGIC, CGROUP2_SUPER_MAGIC,
      DEBUGFS_MAGIC, TRACEFS_MAGIC, SECURITYFS_MAGIC, BPF_FS_MAGIC,
      PSTOREFS_MAGIC, EFIVARFS_MAGIC, DEVPTS_SUPER_MAGIC, SELINUX_MAGIC,
      SMACK_MAGIC, BINFMTFS_MAGIC, NSFS_MAGIC,
      /* Not in every <linux/magic.h>: configfs, mqueue, fusectl. */
      0x62656570, 0x19800202, 0x65735543};
  size_t i;

  for (i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
    if ((unsigned long)type == (unsigned long)magics[i])
      return 1;
  }
  return 0;
}

/* 1 when path is on a kernel file system: by the statfs type of the path
 * or of its nearest existing ancestor, else (nothing could be asked, or
 * paths_only) by where such file systems are mounted. devtmpfs reports
 * the type of tmpfs, so /dev counts by its path. */
static int kernel_path(const char *path, int paths_only) {
  char dir[WORD_MAX];
  struct statfs sfs;
  char *slash;

  if (under(path, "/proc") || under(path, "/sys") ||
      (under(path, "/dev") && !under(path, "/dev/shm")))
    return 1;
  if (paths_only || strlen(path) >= sizeof(dir))
    return 0;
  strcpy(dir, path);
  for (;;) {
    if (statfs(dir, &sfs) == 0)
      return kernel_magic((long)sfs.f_type);
    if (errno != ENOENT && errno != ENOTDIR)
      return 0;
    slash = strrchr(dir, '/');
    if (slash == NULL || slash == dir)
      return statfs("/", &sfs) == 0 && kernel_magic((long)sfs.f_type);
    *slash = '\0';
  }
}

/* The path operand w names, absolute, or "" when it cannot be known (an
 * expansion without a literal absolute start). */
static void operand_path(const word_t *w, char *out, size_t size) {
  char tmp[WORD_MAX * 2];
  const char *home;
  struct passwd *pw;
  size_t n;

  out[0] = '\0';
  if (w->cut)
    return;
  if (!w->dynamic) {
    (void)normalise(w->val, out, size);
    return;
  }
  if (w->tilde) {
    /* ~ or ~/x: the user's own home; ~name/x: that user's. */
    n = strcspn(w->val + 1, "/");
    if (n == 0) {
      home = getenv("HOME");
    } else {
      char name[256];

      if (n >= sizeof(name))
        return;
      memcpy(name, w->val + 1, n);
      name[n] = '\0';
      pw = getpwnam(name);
      home = pw != NULL ? pw->pw_dir : NULL;
    }
    if (home == NULL || home[0] != '/' ||
        strlen(home) + strlen(w->val) >= sizeof(tmp))
      return;
    if (w->literal > 1 + n)
      return; /* an expansion after the user name */
    strcpy(tmp, home);
    strcat(tmp, w->val + 1 + n);
    (void)normalise(tmp, out, size);
    return;
  }
  /* "/usr/lib/$x": judged by the directory that is known. */
  if (w->literal == 0 || w->val[0] != '/')
    return;
  memcpy(tmp, w->val, w->literal);
  tmp[w->literal] = '\0';
  *strrchr(tmp, '/') = '\0';
  (void)normalise(tmp[0] != '\0' ? tmp : "/", out, size);
}

/* A chmod mode that lets every user write: o+w in an octal mode, or a
 * symbolic clause for o or a that adds or sets w. */
static int world_writable(const char *mode) {
  const char *p;
  const char *who;
  char *end;
  long m;

  if (mode[0] >= '0' && mode[0] <= '7') {
    m = strtol(mode, &end, 8);
    return *end == '\0' && (m & 02) != 0;
  }
  for (p = mode; *p != '\0';) {
    who = p;
    while (*p == 'u' || *p == 'g' || *p == 'o' || *p == 'a')
      p++;
    if (*p == '+' || *p == '=') {
      int everyone = memchr(who, 'o', (size_t)(p - who)) != NULL ||
                     memchr(who, 'a', (size_t)(p - who)) != NULL;
      p++;
      while (*p != '\0' && *p != ',') {
        if (*p == 'w' && everyone)
          return 1;
        p++;
      }
    }
    while (*p != '\0' && *p != ',')
      p++;
    if (*p == ',')
      p++;
  }
  return 0;
}

static const char *base(const char *s) {
  const char *b;

  b = strrchr(s, '/');
  return b != NULL ? b + 1 : s;
}

/* 1 when word i of a sudo, env or similar wrapper takes the next word as
 * its argument. */
static int wrapper_arg(const char *wrapper, const char *opt) {
  if (strcmp(wrapper, "sudo") == 0 || strcmp(wrapper, "doas") == 0)
    return strlen(opt) == 2 && strchr("ughpCDrtTU", opt[1]) != NULL;
  if (strcmp(wrapper, "env") == 0)
    return strcmp(opt, "-u") == 0 || strcmp(opt, "-C") == 0;
  if (strcmp(wrapper, "nice") == 0)
    return strcmp(opt, "-n") == 0;
  return 0;
}

static int is_wrapper(const char *v) {
  return strcmp(v, "sudo") == 0 || strcmp(v, "doas") == 0 ||
         strcmp(v, "env") == 0 || strcmp(v, "command") == 0 ||
         strcmp(v, "exec") == 0 || strcmp(v, "nice") == 0 ||
         strcmp(v, "nohup") == 0 || strcmp(v, "time") == 0;
}

static int is_assignment(const word_t *w) {
  size_t i;

  for (i = 0; i < w->len && w->val[i] != '='; i++) {
    char c = w->val[i];
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
          (i > 0 && c >= '0' && c <= '9')))
      return 0;
  }
  return i > 0 && i < w->len;
}

/* Options of setfacl and chattr that take the next word as argument. */
static int verb_arg(const char *verb, const char *opt) {
  if (strcmp(verb, "setfacl") == 0)
    return strcmp(opt, "-m") == 0 || strcmp(opt, "-M") == 0 ||
           strcmp(opt, "-x") == 0 || strcmp(opt, "-X") == 0 ||
           strcmp(opt, "--set") == 0 || strcmp(opt, "--set-file") == 0 ||
           strcmp(opt, "--modify") == 0 || strcmp(opt, "--remove") == 0;
  if (strcmp(verb, "chattr") == 0)
    return strcmp(opt, "-v") == 0 || strcmp(opt, "-p") == 0;
  return 0;
}

/* Groups that give root's power, or read what only root may (the shadow
 * file, raw disks, kernel memory), to their members: joining one is never
 * the answer to a permission error. (docker is as strong, but joining it is
 * the documented way to use Docker without sudo, and a fix that says so.) */
static int privileged_group(const char *name) {
  static const char groups[][8] = {"root", "sudo",  "wheel", "admin",
                                   "shadow", "disk", "kmem", "sys"};
  size_t i;

  for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
    if (strcmp(name, groups[i]) == 0)
      return 1;
  }
  return 0;
}

/* usermod -aG a,b USER, gpasswd -a USER GROUP, adduser USER GROUP: 1 when
 * one of the groups joined is privileged. */
static int joins_privileged_group(const char *verb, const word_t *w,
                                  size_t i, size_t n) {
  char list[WORD_MAX];
  char *g;
  char *save;
  size_t k;
  int argn;

  if (strcmp(verb, "usermod") == 0) {
    for (k = i + 1; k < n; k++) {
      if (strcmp(w[k].val, "-G") != 0 && strcmp(w[k].val, "-aG") != 0 &&
          strcmp(w[k].val, "--groups") != 0)
        continue;
      if (k + 1 >= n)
        return 0;
      ex_strlcpy(list, w[k + 1].val, sizeof(list));
      for (g = strtok_r(list, ",", &save); g != NULL;
           g = strtok_r(NULL, ",", &save)) {
        if (privileged_group(g))
          return 1;
      }
    }
    return 0;
  }
  if (strcmp(verb, "gpasswd") != 0 && strcmp(verb, "adduser") != 0 &&
      strcmp(verb, "addgroup") != 0)
    return 0;
  /* The group is the last operand (gpasswd -a USER GROUP, adduser USER
   * GROUP); adduser with one operand makes a user, and joins nothing. */
  argn = 0;
  for (k = i + 1; k < n; k++) {
    if (w[k].val[0] != '-')
      argn++;
  }
  return argn >= 2 && privileged_group(w[n - 1].val);
}

/* One simple command of a fix. */
static ex_fix_verdict_t vet_simple(const word_t *w, size_t n, int paths_only) {
  const char *verb;
  char path[WORD_MAX];
  size_t i;
  int spec;
  int opts;
  int is_chmod;

  for (i = 0; i < n; i++) {
    if (w[i].len == 0 && w[i].quoted && !w[i].dynamic)
      return EX_FIX_NO_SUBJECT;
  }
  /* VAR=x sudo -u ana env -i nice -n 5 chown ...: the verb behind. */
  i = 0;
  while (i < n && is_assignment(&w[i]))
    i++;
  while (i < n && is_wrapper(base(w[i].val))) {
    const char *wrapper = base(w[i].val);

    for (i++; i < n; i++) {
      if (strcmp(w[i].val, "--") == 0) {
        i++;
        break;
      }
      if (is_assignment(&w[i]))
        continue;
      if (w[i].val[0] != '-')
        break;
      if (wrapper_arg(wrapper, w[i].val))
        i++;
    }
  }
  if (i >= n)
    return EX_FIX_SAFE;
  verb = base(w[i].val);
  if (joins_privileged_group(verb, w, i, n))
    return EX_FIX_PRIVILEGED_GROUP;
  if (strcmp(verb, "chown") != 0 && strcmp(verb, "chgrp") != 0 &&
      strcmp(verb, "chmod") != 0 && strcmp(verb, "setfacl") != 0 &&
      strcmp(verb, "chattr") != 0 && strcmp(verb, "rm") != 0 &&
      strcmp(verb, "rmdir") != 0)
    return EX_FIX_SAFE;
  is_chmod = strcmp(verb, "chmod") == 0;
  /* chown, chgrp and chmod take a spec first (unless --reference); chattr
   * takes +i / -a / =e modes; the rest are paths. */
  spec = strcmp(verb, "chown") == 0 || strcmp(verb, "chgrp") == 0 || is_chmod;
  opts = 1;
  for (i++; i < n; i++) {
    if (opts && strcmp(w[i].val, "--") == 0) {
      opts = 0;
      continue;
    }
    if (opts && w[i].val[0] == '-' && w[i].len > 1 &&
        !(is_chmod && spec && strspn(w[i].val + 1, "rwxXst") == w[i].len - 1)) {
      if (strncmp(w[i].val, "--reference", 11) == 0)
        spec = 0;
      if (verb_arg(verb, w[i].val))
        i++;
      continue;
    }
    if (strcmp(verb, "chattr") == 0 && opts &&
        (w[i].val[0] == '+' || w[i].val[0] == '='))
      continue;
    if (spec) {
      spec = 0;
      if (is_chmod && !w[i].dynamic && world_writable(w[i].val))
        return EX_FIX_WORLD_WRITABLE;
      continue;
    }
    operand_path(&w[i], path, sizeof(path));
    if (path[0] == '\0')
      continue;
    if (kernel_path(path, paths_only))
      return EX_FIX_KERNEL_FS;
    if (system_path(path))
      return EX_FIX_SYSTEM_PATH;
    /* The root directory holds the system's own trees: removing an entry
     * of it (a lock named after one of them, /etc.lock) is not a fix to
     * judge from here. */
    if ((strcmp(verb, "rm") == 0 || strcmp(verb, "rmdir") == 0) &&
        strrchr(path, '/') == path)
      return EX_FIX_SYSTEM_PATH;
  }
  return EX_FIX_SAFE;
}

ex_fix_verdict_t ex_fix_vet(const char *command, int flags) {
  word_t *words;
  const char *p;
  size_t n;
  tok_t t;
  int skip;
  ex_fix_verdict_t v;

  if (command == NULL)
    return EX_FIX_SAFE;
  /* The words live on the heap: WORDS_MAX of them are 256 KiB. */
  words = malloc(WORDS_MAX * sizeof(*words));
  if (words == NULL)
    return EX_FIX_NO_MEMORY;
  v = EX_FIX_SAFE;
  n = 0;
  skip = 0;
  p = command;
  for (;;) {
    if (n == WORDS_MAX) {
      v = EX_FIX_UNREADABLE;
      break;
    }
    t = next_token(&p, &words[n]);
    if (t == TOK_WORD) {
      if (skip) {
        skip = 0; /* a redirection's target */
        continue;
      }
      n++;
      continue;
    }
    if (t == TOK_REDIR) {
      skip = 1;
      continue;
    }
    v = vet_simple(words, n, (flags & EX_FIX_VET_PATHS_ONLY) != 0);
    n = 0;
    if (v != EX_FIX_SAFE || t == TOK_END)
      break;
  }
  free(words);
  return v;
}
