/* git: "detected dubious ownership" (safe.directory) and lock files left
 * behind (index.lock and the other *.lock).
 *
 * The configuration git reads is parsed from the files themselves
 * (/etc/gitconfig, ~/.gitconfig, ~/.config/git/config and the GIT_CONFIG_*
 * variables), never by running git. */
#include "platform/linux/tools/tool_util.h"

#include "platform/linux/proc/sys.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PATH_CAP EX_PROC_PATH_MAX
/* Processes looked at when searching for a running git. */
#define PROCS_MAX 8192

/* ---------------------------------------------------------------------- */
/* safe.directory                                                          */

typedef struct safe_scan {
  const char *repo;  /* the repository as git named it */
  const char *home;  /* for "~/" in values */
  int entries;       /* safe.directory values seen */
  int match;         /* one of them covers repo */
  char matched_in[PATH_CAP];
  char matched_value[PATH_CAP];
} safe_scan_t;

/* 1 when the safe.directory value covers repo: "*", the same path, or
 * (git 2.46) a directory followed by "/" and a star, as a prefix. */
static int safe_value_matches(const char *value, const char *repo,
                              const char *home) {
  char buf[PATH_CAP];
  size_t n;

  if (strcmp(value, "*") == 0)
    return 1;
  if (strncmp(value, "~/", 2) == 0 && home != NULL && home[0] != '\0') {
    snprintf(buf, sizeof(buf), "%s/%s", home, value + 2);
    value = buf;
  } else if (strncmp(value, "%(prefix)/", 10) == 0) {
    value += 9;
  }
  n = strlen(value);
  while (n > 1 && value[n - 1] == '/')
    n--;
  if (n >= 2 && value[n - 1] == '*' && value[n - 2] == '/')
    return strncmp(repo, value, n - 1) == 0;
  if (strncmp(repo, value, n) != 0)
    return 0;
  return repo[n] == '\0' || (repo[n] == '/' && repo[n + 1] == '\0');
}

static void safe_value(safe_scan_t *s, const char *value, const char *where) {
  s->entries++;
  /* An empty value resets the list read so far. */
  if (value[0] == '\0') {
    s->match = 0;
    return;
  }
  if (!s->match && safe_value_matches(value, s->repo, s->home)) {
    s->match = 1;
    ex_strlcpy(s->matched_in, where, sizeof(s->matched_in));
    ex_strlcpy(s->matched_value, value, sizeof(s->matched_value));
  }
}

/* Reads the [safe] directory values of one config file. Returns 0, or a
 * negative errno when the file cannot be read (-ENOENT: no such file). */
static int scan_config(const char *path, safe_scan_t *s) {
  char *text;
  char *line;
  char *save;
  char *p;
  char *v;
  char *end;
  int in_safe;

  text = ex__tool_slurp(path);
  if (text == NULL)
    return -errno;
  in_safe = 0;
  for (line = strtok_r(text, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    p = line + strspn(line, " \t");
    if (*p == '#' || *p == ';' || *p == '\0')
      continue;
    if (*p == '[') {
      p++;
      p += strspn(p, " \t");
      in_safe = strncasecmp(p, "safe", 4) == 0 &&
                (p[4] == ']' || p[4] == ' ' || p[4] == '\t');
      /* "[section] key = value" on one line is legal; rare enough. */
      continue;
    }
    if (!in_safe || strncasecmp(p, "directory", 9) != 0)
      continue;
    v = p + 9;
    v += strspn(v, " \t");
    if (*v != '=')
      continue;
    v++;
    v += strspn(v, " \t");
    end = v + strlen(v);
    while (end > v && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
      end--;
    *end = '\0';
    if (*v == '"' && end > v + 1 && end[-1] == '"') {
      v++;
      end[-1] = '\0';
    }
    safe_value(s, v, path);
  }
  free(text);
  return 0;
}

/* GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n, as git -c. */
static void scan_env_config(safe_scan_t *s) {
  char name[64];
  const char *count;
  const char *key;
  const char *value;
  long n;
  long i;

  count = getenv("GIT_CONFIG_COUNT");
  if (count == NULL)
    return;
  n = strtol(count, NULL, 10);
  for (i = 0; i < n && i < 64; i++) {
    snprintf(name, sizeof(name), "GIT_CONFIG_KEY_%ld", i);
    key = getenv(name);
    snprintf(name, sizeof(name), "GIT_CONFIG_VALUE_%ld", i);
    value = getenv(name);
    if (key != NULL && value != NULL &&
        strcasecmp(key, "safe.directory") == 0)
      safe_value(s, value, "GIT_CONFIG_KEY_*");
  }
}

/* The global config files git reads with this environment: up to two
 * paths into files. Returns how many. */
static int global_configs(const char *home, char files[2][PATH_CAP]) {
  const char *g;
  const char *xdg;
  int n;

  g = getenv("GIT_CONFIG_GLOBAL");
  if (g != NULL) {
    if (g[0] == '\0')
      return 0;
    ex_strlcpy(files[0], g, PATH_CAP);
    return 1;
  }
  n = 0;
  xdg = getenv("XDG_CONFIG_HOME");
  if (xdg != NULL && xdg[0] != '\0')
    n += ex__tool_join(files[n], PATH_CAP, xdg, "git/config") != NULL;
  else if (home[0] != '\0')
    n += ex__tool_join(files[n], PATH_CAP, home, ".config/git/config") !=
         NULL;
  if (home[0] != '\0')
    n += ex__tool_join(files[n], PATH_CAP, home, ".gitconfig") != NULL;
  return n;
}

static const char *system_config(void) {
  const char *nosys;
  const char *sys;

  nosys = getenv("GIT_CONFIG_NOSYSTEM");
  if (nosys != NULL && nosys[0] != '\0' && strcmp(nosys, "0") != 0 &&
      strcmp(nosys, "false") != 0)
    return NULL;
  sys = getenv("GIT_CONFIG_SYSTEM");
  return sys != NULL ? sys : "/etc/gitconfig";
}

static const char *network_fs[] = {"9p",    "drvfs", "nfs",   "nfs4",
                                   "cifs",  "smb3",  "fuse",  "vboxsf",
                                   "virtiofs", "fuse.sshfs", "fakeowner",
                                   "ntfs", "ntfs3", "exfat", "vfat"};

int ex__tool_git_dubious_applies(const ex_probe_event_t *ev) {
  return ev->rule_id != NULL && ev->subject_value != NULL &&
         ev->subject_value[0] != '\0' &&
         (strcmp(ev->rule_id, "git.dubious-ownership") == 0 ||
          (ev->condition != NULL &&
           strcmp(ev->condition, "dubious-ownership") == 0));
}

int ex__tool_git_dubious_run(const ex_probe_event_t *ev,
                             const ex_proc_t *proc, const ex_host_t *host,
                             ex_explanation_t *out) {
  safe_scan_t s;
  safe_scan_t other;
  struct stat st;
  ex_mount_t *m;
  char home[PATH_CAP];
  char files[2][PATH_CAP];
  char owner_name[64];
  char user_name[64];
  char other_home[PATH_CAP];
  char other_file[PATH_CAP];
  char read_list[2 * PATH_CAP + 64];
  char uidgid[64];
  const char *sys;
  const char *sudo_uid;
  const char *ci;
  char *repo;
  uid_t who;
  int nfiles;
  int i;
  int rc;
  int owned_by_other;

  m = NULL;
  repo = ex__path_absolute(proc, ev->subject_value);
  if (repo == NULL)
    return -ENOMEM;
  ex__tool_home(proc, home, sizeof(home));
  ex_facts_str(&out->facts, "repository", repo);
  ex_facts_int(&out->facts, "euid", (long long)proc->euid);
  ex_facts_str(&out->facts, "user",
               ex__user_name(proc->euid, user_name, sizeof(user_name)));
  ex_facts_str(&out->facts, "home", getenv("HOME") != NULL ? home : "");

  /* git compares the owner with the euid, or with SUDO_UID when root runs
   * it through sudo. */
  who = proc->euid;
  sudo_uid = getenv("SUDO_UID");
  if (who == 0 && sudo_uid != NULL && sudo_uid[0] != '\0')
    who = (uid_t)strtoul(sudo_uid, NULL, 10);

  owned_by_other = 0;
  if (stat(repo, &st) != 0) {
    rc = -errno;
    ex_cause_add(out, "owner-mismatch", EX_VERDICT_UNKNOWN,
                 "%s cannot be examined now (%s)", repo, strerror(-rc));
    if (rc == -ENOENT)
      out->stale = 1;
  } else {
    ex_cause_t *c;

    ex__user_name(st.st_uid, owner_name, sizeof(owner_name));
    ex_facts_int(&out->facts, "owner_uid", (long long)st.st_uid);
    ex_facts_str(&out->facts, "owner", owner_name);
    owned_by_other = st.st_uid != who;
    if (owned_by_other) {
      c = ex_cause_add(out, "owner-mismatch", EX_VERDICT_CONFIRMED,
                       "%s belongs to uid %lu%s%s%s, git runs as uid %lu "
                       "(%s)",
                       repo, (unsigned long)st.st_uid,
                       owner_name[0] != '\0' ? " (" : " (no name here: a "
                                                      "uid from another "
                                                      "machine or container",
                       owner_name, ")", (unsigned long)who,
                       user_name[0] != '\0' ? user_name : "no name");
    } else {
      out->stale = 1;
      c = ex_cause_add(out, "owner-mismatch", EX_VERDICT_RULED_OUT,
                       "%s belongs to uid %lu now, the uid git runs as",
                       repo, (unsigned long)st.st_uid);
    }
    if (c != NULL) {
      ex_facts_int(&c->facts, "owner_uid", (long long)st.st_uid);
      ex_facts_int(&c->facts, "git_uid", (long long)who);
    }
  }

  /* The safe.directory entries that this environment makes git read. */
  memset(&s, 0, sizeof(s));
  s.repo = repo;
  s.home = home;
  read_list[0] = '\0';
  sys = system_config();
  if (sys != NULL && scan_config(sys, &s) == 0)
    snprintf(read_list + strlen(read_list),
             sizeof(read_list) - strlen(read_list), "%s", sys);
  nfiles = global_configs(home, files);
  for (i = 0; i < nfiles; i++) {
    if (scan_config(files[i], &s) == 0)
      snprintf(read_list + strlen(read_list),
               sizeof(read_list) - strlen(read_list), "%s%s",
               read_list[0] != '\0' ? ", " : "", files[i]);
  }
  scan_env_config(&s);
  ex_facts_int(&out->facts, "safe_directory_entries", s.entries);
  if (s.match) {
    ex_cause_t *c;

    out->stale = 1;
    c = ex_cause_add(out, "no-exception", EX_VERDICT_RULED_OUT,
                     "safe.directory = %s in %s covers %s now", s.matched_value,
                     s.matched_in, repo);
    if (c != NULL)
      ex_facts_str(&c->facts, "config", s.matched_in);
  } else {
    ex_cause_add(out, "no-exception", EX_VERDICT_CONFIRMED,
                 "no safe.directory entry covers %s in the configuration git "
                 "reads here (%s)",
                 repo, read_list[0] != '\0' ? read_list : "no file exists");
  }

  /* CI job or container running as another uid than the checkout. */
  ci = ex__context_ci();
  if (owned_by_other && (ci != NULL || (host && host->container[0]))) {
    ex_cause_add(out, "ci-container", EX_VERDICT_CONFIRMED,
                 "git runs as uid %lu%s%s%s while the checkout belongs to "
                 "uid %lu",
                 (unsigned long)who, ci != NULL ? " under CI (" : "",
                 ci != NULL ? ci : "",
                 ci != NULL ? ")"
                            : (host->container[0] ? " in a container" : ""),
                 (unsigned long)st.st_uid);
  } else {
    ex_cause_add(out, "ci-container", EX_VERDICT_RULED_OUT,
                 "not under CI nor in a container%s",
                 owned_by_other ? "" : ", and the owner matches");
  }

  /* An exception in another HOME's config: the user's passwd home, and the
   * home of the repository's owner. */
  if (getenv("HOME") == NULL) {
    ex_cause_add(out, "home-changed", EX_VERDICT_CONFIRMED,
                 "HOME is not set, so git reads no global configuration");
  } else if (!s.match) {
    uid_t uids[2];
    int found;
    int u;

    uids[0] = proc->euid;
    uids[1] = owned_by_other ? st.st_uid : proc->euid;
    found = 0;
    for (u = 0; u < 2 && !found; u++) {
      struct stat hs;

      if (ex__tool_passwd_home(uids[u], other_home, sizeof(other_home)) ==
              NULL ||
          strcmp(other_home, home) == 0 || stat(other_home, &hs) != 0)
        continue;
      memset(&other, 0, sizeof(other));
      other.repo = repo;
      other.home = other_home;
      if (ex__tool_join(other_file, sizeof(other_file), other_home,
                        ".gitconfig") != NULL &&
          scan_config(other_file, &other) == 0 && other.match)
        found = 1;
    }
    if (found) {
      ex_cause_t *c;

      c = ex_cause_add(out, "home-changed", EX_VERDICT_CONFIRMED,
                       "%s has safe.directory = %s, but git read the "
                       "global config of HOME=%s",
                       other_file, other.matched_value, home);
      if (c != NULL)
        ex_facts_str(&c->facts, "config", other_file);
    } else {
      ex_cause_add(out, "home-changed", EX_VERDICT_RULED_OUT,
                   "no exception for %s in the .gitconfig of another home "
                   "(yours in /etc/passwd, the owner's)",
                   repo);
    }
  }

  /* A bind mount or a shared drive with foreign owners. */
  m = malloc(sizeof(*m));
  if (m != NULL && ex__mount_find(repo, m) == 0) {
    size_t k;
    int foreign;

    foreign = 0;
    for (k = 0; k < sizeof(network_fs) / sizeof(network_fs[0]); k++) {
      if (strcmp(m->fstype, network_fs[k]) == 0)
        foreign = 1;
    }
    ex_facts_str(&out->facts, "mount_point", m->mount_point);
    ex_facts_str(&out->facts, "fstype", m->fstype);
    if (owned_by_other && (m->bind || foreign)) {
      ex_cause_t *c;

      c = ex_cause_add(out, "bind-mount", EX_VERDICT_CONFIRMED,
                       "%s is on %s (%s%s), whose files keep the owner "
                       "they have outside",
                       repo, m->mount_point, m->fstype,
                       m->bind ? ", a bind mount" : "");
      if (c != NULL) {
        ex_facts_str(&c->facts, "mount_point", m->mount_point);
        ex_facts_str(&c->facts, "source", m->source);
      }
    } else {
      ex_cause_add(out, "bind-mount", EX_VERDICT_RULED_OUT,
                   "%s is on %s (%s), not a bind mount or shared drive", repo,
                   m->mount_point, m->fstype);
    }
  } else {
    ex_cause_add(out, "bind-mount", EX_VERDICT_UNKNOWN,
                 "the mount holding %s could not be read", repo);
  }

  ex_explanation_summary(out, "%s%s",
                         owned_by_other
                             ? "git refuses the repository: it belongs to "
                               "another user and no safe.directory "
                               "exception covers it: "
                             : "the repository's owner now matches: ",
                         repo);
  if (s.match)
    ex_explanation_summary(out, "%s is trusted now (safe.directory in %s)",
                           repo, s.matched_in);

  /* Fixes: trust it for this user (no root), or make it this user's. */
  if (!s.match && owned_by_other) {
    if (getenv("HOME") != NULL) {
      const char *argv[] = {"git",    "config",  "--global",
                            "--add", "safe.directory", repo, NULL};
      ex_fix_add_cmd(out, 0, argv, "trust this repository for %s (HOME=%s)",
                     user_name[0] != '\0' ? user_name : "this user", home);
    }
    {
      const char *argv[] = {"git",   "config", "--system", "--add",
                            "safe.directory", repo, NULL};
      ex_fix_add_cmd(out, proc->euid != 0, argv,
                     "or trust it for every user and every HOME (writes %s)",
                     sys != NULL ? sys : "/etc/gitconfig");
    }
    snprintf(uidgid, sizeof(uidgid), "%lu:%lu", (unsigned long)who,
             (unsigned long)(who == proc->euid ? proc->egid : who));
    {
      const char *argv[] = {"chown", "-R", uidgid, "--", repo, NULL};
      ex_fix_add_cmd(out, 1, argv,
                     "or give the repository to uid %lu (only if no one "
                     "else uses it)",
                     (unsigned long)who);
    }
  }
  free(m);
  free(repo);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Lock files                                                              */

typedef struct lock_scan {
  const char *worktree;
  const char *gitdir;
  pid_t self;
  pid_t pid;          /* a git process working in the repository */
  char comm[64];
  int hidden;         /* git processes whose cwd could not be read */
} lock_scan_t;

static int lock_visit(void *ud, pid_t pid, const char *comm,
                      const char *cwd) {
  lock_scan_t *s;

  s = ud;
  if (pid == s->self || strncmp(comm, "git", 3) != 0)
    return 0;
  if (cwd[0] == '\0') {
    s->hidden++;
    return 0;
  }
  if (ex__tool_path_under(cwd, s->worktree) ||
      ex__tool_path_under(cwd, s->gitdir)) {
    s->pid = pid;
    ex_strlcpy(s->comm, comm, sizeof(s->comm));
    return 1;
  }
  return 0;
}

int ex__tool_git_lock_applies(const ex_probe_event_t *ev) {
  return ev->rule_id != NULL && ev->subject_value != NULL &&
         ev->subject_value[0] != '\0' &&
         (strcmp(ev->rule_id, "git.index-lock") == 0 ||
          strcmp(ev->rule_id, "git.config-lock") == 0);
}

int ex__tool_git_lock_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                          const ex_host_t *host, ex_explanation_t *out) {
  lock_scan_t s;
  struct stat st;
  char worktree[PATH_CAP];
  char gitdir[PATH_CAP];
  char pidbuf[32];
  char *lock;
  char *dotgit;
  long long age;
  int exists;
  int n;

  (void)host;
  lock = ex__path_absolute(proc, ev->subject_value);
  if (lock == NULL)
    return -ENOMEM;
  /* The repository: what is above "/.git/", else the lock's directory
   * (a bare repository). */
  ex_strlcpy(gitdir, lock, sizeof(gitdir));
  dotgit = strstr(gitdir, "/.git/");
  if (dotgit != NULL) {
    dotgit[5] = '\0';
    ex_strlcpy(worktree, gitdir, sizeof(worktree));
    ex__tool_dirname(worktree);
  } else {
    ex__tool_dirname(gitdir);
    ex_strlcpy(worktree, gitdir, sizeof(worktree));
  }
  ex_facts_str(&out->facts, "lock", lock);
  ex_facts_str(&out->facts, "repository", worktree);

  exists = lstat(lock, &st) == 0;
  ex_facts_bool(&out->facts, "lock_exists", exists);
  age = 0;
  if (exists) {
    age = (long long)(time(NULL) - st.st_mtime);
    if (age < 0)
      age = 0;
    ex_facts_int(&out->facts, "lock_age_seconds", age);
    ex_facts_int(&out->facts, "lock_size", (long long)st.st_size);
    ex_facts_int(&out->facts, "lock_owner_uid", (long long)st.st_uid);
  } else {
    out->stale = 1;
  }

  memset(&s, 0, sizeof(s));
  s.worktree = worktree;
  s.gitdir = gitdir;
  s.self = proc->valid && !proc->from_self ? proc->pid : getpid();
  n = ex__tool_each_process(lock_visit, &s, PROCS_MAX);

  if (s.pid > 0) {
    ex_cause_t *c;

    c = ex_cause_add(out, "running", EX_VERDICT_CONFIRMED,
                     "%s (pid %d) is running in %s now", s.comm, (int)s.pid,
                     worktree);
    if (c != NULL) {
      ex_facts_int(&c->facts, "pid", (long long)s.pid);
      ex_facts_str(&c->facts, "comm", s.comm);
    }
  } else if (n < 0) {
    ex_cause_add(out, "running", EX_VERDICT_UNKNOWN,
                 "the processes could not be listed (/proc: %s)",
                 strerror(-n));
  } else if (s.hidden > 0) {
    ex_cause_add(out, "running", EX_VERDICT_UNKNOWN,
                 "no git process of yours works in %s, but %d git "
                 "process(es) of other users could not be examined",
                 worktree, s.hidden);
  } else {
    ex_cause_add(out, "running", EX_VERDICT_RULED_OUT,
                 "no git process is working in %s now", worktree);
  }

  if (!exists) {
    ex_cause_add(out, "crashed", EX_VERDICT_RULED_OUT,
                 "%s no longer exists: the other git process has finished",
                 lock);
    ex_explanation_summary(out,
                           "%s is gone now: retrying the command should "
                           "work",
                           lock);
  } else if (s.pid <= 0 && s.hidden == 0 && n >= 0) {
    ex_cause_t *c;

    c = ex_cause_add(out, "crashed", EX_VERDICT_CONFIRMED,
                     "%s is %lld s old and no git process works in the "
                     "repository: an earlier git was killed and left it",
                     lock, age);
    if (c != NULL)
      ex_facts_int(&c->facts, "lock_age_seconds", age);
    ex_explanation_summary(out, "a stale lock file blocks git: %s (%lld s "
                                "old, no git running)",
                           lock, age);
  } else {
    ex_cause_add(out, "crashed", s.pid > 0 ? EX_VERDICT_RULED_OUT
                                           : EX_VERDICT_UNKNOWN,
                 s.pid > 0 ? "the lock belongs to a git that is still "
                             "running"
                           : "whether a git process still holds %s could "
                             "not be checked",
                 lock);
    ex_explanation_summary(out, "another git process holds %s", lock);
  }

  if (exists && s.pid > 0) {
    const char *argv[] = {"kill", pidbuf, NULL};

    snprintf(pidbuf, sizeof(pidbuf), "%d", (int)s.pid);
    ex_fix_add_raw(out, 0, NULL,
                   "wait for %s (pid %d) to finish, or close the editor or "
                   "tool that started it",
                   s.comm, (int)s.pid);
    ex_fix_add_cmd(out, 0, argv, "or stop it (it loses its work)");
  } else if (exists) {
    const char *argv[] = {"rm", "-f", "--", lock, NULL};

    char dir[PATH_CAP];

    /* Removing needs write access to the directory, not to the lock. */
    ex_strlcpy(dir, lock, sizeof(dir));
    ex__tool_dirname(dir);
    ex_fix_add_cmd(out, proc->euid != 0 && access(dir, W_OK) != 0, argv,
                   "remove the stale lock");
  }
  free(lock);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* not a git repository                                                    */

int ex__tool_git_norepo_applies(const ex_probe_event_t *ev) {
  return ev->condition != NULL &&
         strcmp(ev->condition, "not-a-repository") == 0;
}

/* What git's discovery finds at dir: 2 a .git directory or file, 0
 * nothing. */
static int has_dotgit(const char *dir, char *found, size_t size) {
  struct stat st;

  ex__tool_join(found, size, dir, ".git");
  return lstat(found, &st) == 0 ? 2 : 0;
}

/* A repository one level below dir (the command ran in the directory
 * above the checkout). */
static int repo_below(const char *dir, char *out, size_t size) {
  char sub[PATH_CAP];
  char dotgit[PATH_CAP];
  struct dirent *d;
  DIR *dp;
  int n;
  int found;

  dp = opendir(dir);
  if (dp == NULL)
    return 0;
  found = 0;
  for (n = 0; n < 512 && !found && (d = readdir(dp)) != NULL; n++) {
    if (d->d_name[0] == '.')
      continue;
    ex__tool_join(sub, sizeof(sub), dir, d->d_name);
    if (!ex__tool_is_dir(sub) || !has_dotgit(sub, dotgit, sizeof(dotgit)))
      continue;
    ex_strlcpy(out, sub, size);
    found = 1;
  }
  closedir(dp);
  return found;
}

int ex__tool_git_norepo_run(const ex_probe_event_t *ev,
                            const ex_proc_t *proc, const ex_host_t *host,
                            ex_explanation_t *out) {
  char dir[PATH_CAP];
  char at[PATH_CAP];
  char dotgit[PATH_CAP];
  char looked[2048];
  char below[PATH_CAP];
  struct stat st;
  struct stat up;
  ex_cause_t *c;
  const char *across;
  size_t len;
  int hops;
  int crossed;

  (void)host;
  (void)ev;
  if (proc == NULL || !proc->valid || proc->cwd[0] != '/') {
    ex_cause_add(out, "no-git-dir", EX_VERDICT_UNKNOWN,
                 "the directory git worked in is not known");
    return 0;
  }
  ex_strlcpy(dir, proc->cwd, sizeof(dir));
  ex_facts_str(&out->facts, "working_directory", dir);
  across = getenv("GIT_DISCOVERY_ACROSS_FILESYSTEM");
  /* Walk up as git does, noting where it stopped. */
  ex_strlcpy(at, dir, sizeof(at));
  looked[0] = '\0';
  len = 0;
  crossed = 0;
  for (hops = 0; hops < 64; hops++) {
    if (has_dotgit(at, dotgit, sizeof(dotgit))) {
      if (crossed && (across == NULL || strcmp(across, "1") != 0)) {
        c = ex_cause_add(out, "mount-boundary", EX_VERDICT_CONFIRMED,
                         "%s has a repository (%s), but it is above a mount "
                         "point that git does not cross without "
                         "GIT_DISCOVERY_ACROSS_FILESYSTEM=1",
                         at, dotgit);
        if (c != NULL)
          ex_facts_str(&c->facts, "repository", at);
        ex_explanation_summary(out, "the repository %s is above a mount "
                               "point of %s",
                               at, dir);
        ex_fix_add_raw(out, 0, NULL, "run it with "
                       "GIT_DISCOVERY_ACROSS_FILESYSTEM=1, or with git -C %s",
                       at);
        return 0;
      }
      out->stale = 1;
      ex_cause_add(out, "no-git-dir", EX_VERDICT_RULED_OUT,
                   "%s exists now", dotgit);
      ex_explanation_summary(out, "%s is in a repository now (%s)", dir,
                             dotgit);
      return 0;
    }
    len += (size_t)snprintf(looked + len, sizeof(looked) - len, "%s%s",
                            len ? ", " : "", at);
    if (len >= sizeof(looked))
      len = sizeof(looked) - 1;
    if (strcmp(at, "/") == 0)
      break;
    if (stat(at, &st) != 0)
      break;
    ex__tool_dirname(at);
    if (stat(at, &up) == 0 && up.st_dev != st.st_dev)
      crossed = 1;
  }
  c = ex_cause_add(out, "no-git-dir", EX_VERDICT_CONFIRMED,
                   "git worked in %s, and no .git is there or in any "
                   "directory above it (looked in %s)",
                   dir, looked);
  if (c != NULL) {
    ex_facts_str(&c->facts, "working_directory", dir);
    ex_facts_str(&c->facts, "looked_in", looked);
  }
  ex_explanation_summary(out, "no repository at or above %s", dir);
  if (repo_below(dir, below, sizeof(below))) {
    const char *argv[] = {"git", "-C", below, "status", NULL};

    c = ex_cause_add(out, "wrong-dir", EX_VERDICT_CONFIRMED,
                     "%s holds a repository one level below, in %s", dir,
                     below);
    if (c != NULL)
      ex_facts_str(&c->facts, "repository", below);
    ex_fix_add_cmd(out, 0, argv, "run git in the checkout");
  } else {
    const char *argv[] = {"git", "-C", dir, "init", NULL};

    ex_fix_add_cmd(out, 0, argv, "if %s should be a repository, make it "
                   "one (or clone the project there)", dir);
  }
  return 0;
}
