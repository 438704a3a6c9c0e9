/* Read-only helpers shared by the tools explainers (see tool_util.h). */
#include "platform/linux/tools/tool_util.h"

#include "platform/linux/proc/sys.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The dpkg database is tens of megabytes on a desktop: an owner lookup
 * gets this much time, then gives up (the answer becomes "unknown"). */
#define DPKG_BUDGET_MS 15

long long ex__tool_now_ms(void) {
  struct timespec ts;

  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *ex__tool_slurp(const char *path) {
  struct stat st;
  size_t size;
  char *buf;
  ssize_t n;

  if (stat(path, &st) != 0)
    return NULL;
  if (!S_ISREG(st.st_mode)) {
    errno = EINVAL;
    return NULL;
  }
  size = (size_t)st.st_size + 1;
  if (size > EX_TOOL_FILE_MAX)
    size = EX_TOOL_FILE_MAX;
  buf = malloc(size);
  if (buf == NULL)
    return NULL;
  n = ex_read_small(path, buf, size);
  if (n < 0) {
    free(buf);
    errno = (int)-n;
    return NULL;
  }
  return buf;
}

int ex__tool_is_dir(const char *path) {
  struct stat st;

  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int ex__tool_is_file(const char *path) {
  struct stat st;

  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

char *ex__tool_join(char *out, size_t size, const char *dir,
                    const char *name) {
  size_t dl;
  int n;

  dl = strlen(dir);
  while (dl > 1 && dir[dl - 1] == '/')
    dl--;
  if (dl == 1 && dir[0] == '/')
    n = snprintf(out, size, "/%s", name);
  else
    n = snprintf(out, size, "%.*s/%s", (int)dl, dir, name);
  if (n < 0 || (size_t)n >= size)
    return NULL;
  return out;
}

void ex__tool_dirname(char *path) {
  char *slash;
  size_t n;

  n = strlen(path);
  while (n > 1 && path[n - 1] == '/')
    path[--n] = '\0';
  slash = strrchr(path, '/');
  if (slash == NULL) {
    strcpy(path, ".");
    return;
  }
  if (slash == path)
    slash[1] = '\0';
  else
    *slash = '\0';
}

const char *ex__tool_basename(const char *path) {
  const char *slash;

  slash = strrchr(path, '/');
  return slash != NULL ? slash + 1 : path;
}

int ex__tool_path_under(const char *path, const char *dir) {
  size_t n;

  n = strlen(dir);
  while (n > 1 && dir[n - 1] == '/')
    n--;
  if (n == 1 && dir[0] == '/')
    return path[0] == '/';
  if (strncmp(path, dir, n) != 0)
    return 0;
  return path[n] == '\0' || path[n] == '/';
}

static int is_exec_file(const char *path) {
  struct stat st;

  return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
         (st.st_mode & 0111) != 0;
}

int ex__tool_which(const ex_proc_t *proc, const char *name, char *out,
                   size_t size) {
  const char *path;
  const char *p;
  const char *end;
  char dir[EX_PROC_PATH_MAX];
  char *abs;
  size_t n;

  if (name == NULL || *name == '\0')
    return -ENOENT;
  if (strchr(name, '/') != NULL) {
    abs = ex__path_absolute(proc, name);
    if (abs == NULL)
      return -ENOMEM;
    ex_strlcpy(out, abs, size);
    free(abs);
    return ex__tool_is_file(out) ? 0 : -ENOENT;
  }
  path = getenv("PATH");
  if (path == NULL)
    path = "/usr/local/bin:/usr/bin:/bin";
  for (p = path;; p = end + 1) {
    end = strchr(p, ':');
    if (end == NULL)
      end = p + strlen(p);
    n = (size_t)(end - p);
    /* An empty PATH entry means the current directory, the command's. */
    if (n == 0)
      ex_strlcpy(dir, proc->cwd[0] != '\0' ? proc->cwd : ".", sizeof(dir));
    else if (n < sizeof(dir))
      snprintf(dir, sizeof(dir), "%.*s", (int)n, p);
    else
      dir[0] = '\0';
    if (dir[0] != '\0' && ex__tool_join(out, size, dir, name) != NULL &&
        is_exec_file(out))
      return 0;
    if (*end == '\0')
      break;
  }
  out[0] = '\0';
  return -ENOENT;
}

int ex__tool_shebang(const ex_proc_t *proc, const char *path, char *out,
                     size_t size) {
  char line[512];
  char *p;
  char *word;
  char *arg;
  ssize_t n;

  n = ex_read_small(path, line, sizeof(line));
  if (n < 0)
    return (int)n;
  if (n < 2 || line[0] != '#' || line[1] != '!')
    return -ENOEXEC;
  p = strchr(line, '\n');
  if (p != NULL)
    *p = '\0';
  p = line + 2;
  while (*p == ' ' || *p == '\t')
    p++;
  word = p;
  while (*p != '\0' && *p != ' ' && *p != '\t')
    p++;
  if (*p != '\0')
    *p++ = '\0';
  while (*p == ' ' || *p == '\t')
    p++;
  arg = p;
  /* "#!/usr/bin/env python3": the interpreter is the argument, found in
   * PATH (-S and other env options are skipped). */
  if (strcmp(ex__tool_basename(word), "env") == 0) {
    while (*arg == '-') {
      while (*arg != '\0' && *arg != ' ')
        arg++;
      while (*arg == ' ')
        arg++;
    }
    p = arg;
    while (*p != '\0' && *p != ' ' && *p != '\t')
      p++;
    *p = '\0';
    return ex__tool_which(proc, arg, out, size);
  }
  ex_strlcpy(out, word, size);
  return 0;
}

const char *ex__tool_home(const ex_proc_t *proc, char *buf, size_t size) {
  const char *home;

  home = getenv("HOME");
  if (home != NULL && home[0] != '\0') {
    ex_strlcpy(buf, home, size);
    return buf;
  }
  if (ex__tool_passwd_home(proc->euid, buf, size) == NULL)
    buf[0] = '\0';
  return buf;
}

const char *ex__tool_passwd_home(uid_t uid, char *buf, size_t size) {
  struct passwd pw;
  struct passwd *res;
  char pwbuf[4096];

  if (getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &res) != 0 || res == NULL ||
      pw.pw_dir == NULL || pw.pw_dir[0] == '\0')
    return NULL;
  ex_strlcpy(buf, pw.pw_dir, size);
  return buf;
}

int ex__tool_each_process(int (*fn)(void *ud, pid_t pid, const char *comm,
                                    const char *cwd),
                          void *ud, int max) {
  DIR *d;
  struct dirent *e;
  char path[64];
  char comm[64];
  char cwd[EX_PROC_PATH_MAX];
  char *nl;
  ssize_t n;
  int seen;
  long pid;
  char *end;

  d = opendir("/proc");
  if (d == NULL)
    return -errno;
  seen = 0;
  while (seen < max && (e = readdir(d)) != NULL) {
    pid = strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0)
      continue;
    seen++;
    snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
    if (ex_read_small(path, comm, sizeof(comm)) <= 0)
      continue;
    nl = strchr(comm, '\n');
    if (nl != NULL)
      *nl = '\0';
    snprintf(path, sizeof(path), "/proc/%ld/cwd", pid);
    n = readlink(path, cwd, sizeof(cwd) - 1);
    cwd[n > 0 ? n : 0] = '\0';
    if (fn(ud, (pid_t)pid, comm, cwd) != 0)
      break;
  }
  closedir(d);
  return seen;
}

int ex__tool_file_has_line(const char *listpath, const char *path) {
  char *text;
  char *p;
  size_t n;
  int found;

  text = ex__tool_slurp(listpath);
  if (text == NULL)
    return 0;
  n = strlen(path);
  found = 0;
  for (p = text; (p = strstr(p, path)) != NULL; p += n) {
    if ((p == text || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0')) {
      found = 1;
      break;
    }
  }
  free(text);
  return found;
}

static void package_of_list(const char *name, char *out, size_t size) {
  char *p;

  ex_strlcpy(out, name, size);
  p = strstr(out, ".list");
  if (p != NULL)
    *p = '\0';
  p = strchr(out, ':');
  if (p != NULL)
    *p = '\0';
}

int ex__tool_dpkg_owner(const char *path, const char *hint, char *out,
                        size_t size) {
  static const char dir[] = "/var/lib/dpkg/info";
  DIR *d;
  struct dirent *e;
  char listpath[512];
  long long deadline;
  size_t len;
  int pass;
  int rc;
  int match;

  d = opendir(dir);
  if (d == NULL)
    return -ENOTSUP;
  deadline = ex__tool_now_ms() + DPKG_BUDGET_MS;
  rc = -ENOENT;
  /* Pass 0 reads the lists named like the hint (the likely owners), pass 1
   * all the others while time is left. */
  for (pass = hint != NULL ? 0 : 1; pass < 2; pass++) {
    rewinddir(d);
    while ((e = readdir(d)) != NULL) {
      len = strlen(e->d_name);
      if (len < 6 || strcmp(e->d_name + len - 5, ".list") != 0)
        continue;
      match = hint != NULL && strstr(e->d_name, hint) != NULL;
      if ((pass == 0) != match)
        continue;
      if (ex__tool_now_ms() > deadline) {
        rc = -ETIMEDOUT;
        goto cleanup;
      }
      if (snprintf(listpath, sizeof(listpath), "%s/%s", dir, e->d_name) >=
          (int)sizeof(listpath))
        continue;
      if (ex__tool_file_has_line(listpath, path)) {
        package_of_list(e->d_name, out, size);
        rc = 0;
        goto cleanup;
      }
    }
  }

cleanup:
  closedir(d);
  return rc;
}

int ex__tool_dpkg_installed(const char *pkg) {
  char path[512];
  DIR *d;
  struct dirent *e;
  size_t n;
  int found;

  snprintf(path, sizeof(path), "/var/lib/dpkg/info/%s.list", pkg);
  if (access(path, F_OK) == 0)
    return 1;
  /* Multi-arch packages are listed as <pkg>:<arch>.list. */
  d = opendir("/var/lib/dpkg/info");
  if (d == NULL)
    return 0;
  n = strlen(pkg);
  found = 0;
  while (!found && (e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, pkg, n) == 0 && e->d_name[n] == ':' &&
        strstr(e->d_name + n, ".list") != NULL)
      found = 1;
  }
  closedir(d);
  return found;
}

void ex__tool_each_option(char *const *argv, const char *prefix,
                          void (*fn)(void *ud, const char *value), void *ud) {
  size_t n;
  size_t i;

  if (argv == NULL)
    return;
  n = strlen(prefix);
  for (i = 0; argv[i] != NULL; i++) {
    if (strncmp(argv[i], prefix, n) != 0)
      continue;
    if (argv[i][n] != '\0')
      fn(ud, argv[i] + n);
    else if (argv[i + 1] != NULL)
      fn(ud, argv[++i]);
  }
}
