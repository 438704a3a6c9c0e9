/* Lock files, runtime versions, the Docker daemon, the kubeconfig,
 * Terraform's working directory and memory limits: what the files of the
 * command's project and of this machine say about a CI failure. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "platform/linux/tools/tool_ci.h"
#include "platform/linux/proc/sys.h"
#include "platform/linux/tools/tool_util.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UP_LEVELS 8 /* parents searched for a project's files */

/* The directory the command ran in (explain's own with --log). */
static const char *start_dir(const ex_proc_t *proc, char *buf, size_t size) {
  if (proc != NULL && proc->cwd[0] != '\0')
    return proc->cwd;
  if (getcwd(buf, size) != NULL)
    return buf;
  return "/";
}

static long long mtime_of(const char *path) {
  struct stat st;

  return stat(path, &st) == 0 ? (long long)st.st_mtime : -1;
}

/* ---- lock files --------------------------------------------------------- */

typedef struct lockkind {
  char lock[24];
  char manifest[16];
  char tool[8];
  char regen[40]; /* the command that rewrites the lock file */
} lockkind_t;

static const lockkind_t locks[] = {
    {"package-lock.json", "package.json", "npm", "npm install"},
    {"npm-shrinkwrap.json", "package.json", "npm", "npm install"},
    {"yarn.lock", "package.json", "yarn", "yarn install"},
    {"pnpm-lock.yaml", "package.json", "pnpm",
     "pnpm install --no-frozen-lockfile"},
    {"bun.lock", "package.json", "bun", "bun install"},
    {"bun.lockb", "package.json", "bun", "bun install"},
    {"poetry.lock", "pyproject.toml", "poetry", "poetry lock --no-update"},
    {"uv.lock", "pyproject.toml", "uv", "uv lock"},
    {"Pipfile.lock", "Pipfile", "pipenv", "pipenv lock"},
    {"Cargo.lock", "Cargo.toml", "cargo", "cargo update --workspace"},
    {"go.sum", "go.mod", "go", "go mod tidy"},
    {"go.mod", "go.mod", "go", "go mod tidy"},
    {"Gemfile.lock", "Gemfile", "bundler", "bundle install"},
    {"composer.lock", "composer.json", "composer", "composer update --lock"},
};

static const char *const lock_conditions[] = {"lockfile-out-of-sync",
                                              "lockfile-missing",
                                              "module-checksum-missing", NULL};

int ex__lock_applies(const ex_probe_event_t *ev) {
  return ex__ci_condition(ev, lock_conditions);
}

static const lockkind_t *lock_kind(const ex_probe_event_t *ev) {
  const char *name;
  size_t i;

  if (ev->condition != NULL &&
      strcmp(ev->condition, "module-checksum-missing") == 0)
    return &locks[10]; /* go.sum */
  if (ev->subject_value == NULL)
    return NULL;
  name = ex__tool_basename(ev->subject_value);
  for (i = 0; i < sizeof(locks) / sizeof(locks[0]); i++) {
    if (strcmp(name, locks[i].lock) == 0)
      return &locks[i];
  }
  return NULL;
}

int ex__lock_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                 const ex_host_t *host, ex_explanation_t *out) {
  const lockkind_t *k = lock_kind(ev);
  char cwdbuf[EX_PROC_PATH_MAX];
  char dir[EX_PROC_PATH_MAX];
  char lock[EX_PROC_PATH_MAX];
  char manifest[EX_PROC_PATH_MAX];
  const char *start;
  long long lm;
  long long mm;
  char *q;
  char *cmd;

  (void)host;
  if (k == NULL)
    return 0;
  start = start_dir(proc, cwdbuf, sizeof(cwdbuf));
  ex_facts_str(&out->facts, "lock_file", k->lock);
  ex_facts_str(&out->facts, "manifest", k->manifest);
  /* The lock file where the log names it, when that path exists here;
   * else the project's, found from the command's directory upwards. */
  if (ev->subject_value != NULL && ev->subject_value[0] == '/' &&
      access(ev->subject_value, F_OK) == 0) {
    ex_strlcpy(dir, ev->subject_value, sizeof(dir));
    ex__tool_dirname(dir);
  } else if (ex__ci_find_up(start, k->manifest, dir, sizeof(dir), UP_LEVELS) !=
             0) {
    ex_cause_add(out, "manifest-changed", EX_VERDICT_UNKNOWN,
                 "no %s in %s or its %d parent directories: the project is "
                 "not here",
                 k->manifest, start, UP_LEVELS);
    return 0;
  }
  ex_facts_str(&out->facts, "project_dir", dir);
  ex__tool_join(lock, sizeof(lock), dir, k->lock);
  ex__tool_join(manifest, sizeof(manifest), dir, k->manifest);
  ex__ci_file_facts(&out->facts, "lock", lock);
  ex__ci_file_facts(&out->facts, "manifest_file", manifest);
  lm = mtime_of(lock);
  mm = mtime_of(manifest);
  if (lm < 0) {
    ex_cause_add(out, "lock-missing", EX_VERDICT_CONFIRMED, "%s has no %s", dir,
                 k->lock);
  } else {
    ex_cause_add(out, "lock-missing", EX_VERDICT_RULED_OUT, "%s exists", lock);
    if (mm > lm + 2)
      ex_cause_add(out, "manifest-changed", EX_VERDICT_CONFIRMED,
                   "%s was modified %lld s after %s was written", manifest,
                   mm - lm, k->lock);
    else
      ex_cause_add(out, "manifest-changed", EX_VERDICT_UNKNOWN,
                   "%s is not newer than %s; their times (a checkout's) "
                   "cannot tell whether they match",
                   k->manifest, k->lock);
  }
  /* Two package managers' lock files: each tool reads only its own. */
  if (strcmp(k->manifest, "package.json") == 0) {
    static const char *const js[] = {"package-lock.json", "yarn.lock",
                                     "pnpm-lock.yaml",    "bun.lock",
                                     "bun.lockb",         NULL};
    char other[EX_PROC_PATH_MAX];
    char found[128] = "";
    size_t i;
    int n = 0;

    for (i = 0; js[i] != NULL; i++) {
      if (ex__tool_join(other, sizeof(other), dir, js[i]) != NULL &&
          access(other, F_OK) == 0) {
        if (n++ > 0)
          strncat(found, ", ", sizeof(found) - strlen(found) - 1);
        strncat(found, js[i], sizeof(found) - strlen(found) - 1);
      }
    }
    if (n > 1)
      ex_cause_add(out, "two-managers", EX_VERDICT_CONFIRMED,
                   "%s holds the lock files of two package managers (%s): "
                   "each keeps only its own up to date",
                   dir, found);
  }
  q = ex_shell_quote(dir);
  if (q != NULL && asprintf(&cmd, "cd %s && %s", q, k->regen) > 0) {
    ex_fix_add_raw(out, 0, cmd, "rewrite %s from %s, then commit it", k->lock,
                   k->manifest);
    free(cmd);
  }
  free(q);
  ex_explanation_summary(out, "%s does not match %s", k->lock, k->manifest);
  return 0;
}

/* ---- runtime and toolchain versions ------------------------------------- */

static const char *const version_conditions[] = {
    "runtime-too-old", "engine-unsupported", "toolchain-too-old", NULL};

/* Java's class versions have an explainer of their own (tools/tool_java.c:
 * the runtime that ran, every JDK, the class file). */
int ex__version_applies(const ex_probe_event_t *ev) {
  return ex__ci_condition(ev, version_conditions) &&
         (ex__ci_rule(ev, "node.") || ex__ci_rule(ev, "python.") ||
          ex__ci_rule(ev, "go.") || ex__ci_rule(ev, "rust."));
}

/* "KEY=\"value\"" in a release-style file, into out. */
static int release_value(const char *path, const char *key, char *out,
                         size_t size) {
  char *text = ex__tool_slurp(path);
  const char *p;
  size_t n;

  if (text == NULL)
    return -ENOENT;
  p = strstr(text, key);
  if (p == NULL) {
    free(text);
    return -ENOENT;
  }
  p += strlen(key);
  p += strspn(p, "=\" ");
  n = strcspn(p, "\"\n");
  if (n >= size)
    n = size - 1;
  memcpy(out, p, n);
  out[n] = '\0';
  free(text);
  return 0;
}

/* The version dpkg recorded for the installed package pkg. Returns how
 * many numbers were read (0 when the package is not there). */
static int dpkg_version(const char *pkg, int v[3]) {
  char *text = ex__tool_slurp("/var/lib/dpkg/status");
  char key[96];
  const char *p;
  int n = 0;

  if (text == NULL)
    return 0;
  snprintf(key, sizeof(key), "\nPackage: %s\n", pkg);
  p = strstr(text, key);
  p = p != NULL ? strstr(p, "\nVersion: ") : NULL;
  if (p != NULL)
    n = ex__ci_version(p + 10, v);
  free(text);
  return n;
}

/* The version of node on PATH: from its install prefix (nvm, volta, the
 * official tarballs keep include/node/node_version.h beside bin/node, and
 * version managers name the directory vX.Y.Z), else dpkg's record. */
static int node_version(const ex_proc_t *proc, char *exe, size_t esize,
                        int v[3]) {
  char real[PATH_MAX];
  char hdr[PATH_MAX];
  const char *p;
  char *text;
  int n = 0;

  if (ex__tool_which(proc, "node", exe, esize) != 0 &&
      ex__tool_which(proc, "nodejs", exe, esize) != 0)
    return -ENOENT;
  if (realpath(exe, real) == NULL)
    ex_strlcpy(real, exe, sizeof(real));
  p = strstr(real, "/v");
  if (p != NULL && (n = ex__ci_version(p + 2, v)) == 3)
    return 3;
  ex_strlcpy(hdr, real, sizeof(hdr));
  ex__tool_dirname(hdr); /* bin */
  ex__tool_dirname(hdr); /* prefix */
  strncat(hdr, "/include/node/node_version.h", sizeof(hdr) - strlen(hdr) - 1);
  text = ex__tool_slurp(hdr);
  if (text == NULL)
    text = ex__tool_slurp("/usr/include/node/node_version.h");
  if (text != NULL) {
    const char *mj = strstr(text, "#define NODE_MAJOR_VERSION ");
    const char *mn = strstr(text, "#define NODE_MINOR_VERSION ");
    const char *pt = strstr(text, "#define NODE_PATCH_VERSION ");

    if (mj != NULL && mn != NULL && pt != NULL) {
      v[0] = atoi(mj + 27);
      v[1] = atoi(mn + 27);
      v[2] = atoi(pt + 27);
      free(text);
      return 3;
    }
    free(text);
  }
  return dpkg_version("nodejs", v);
}

/* The version of python3 on PATH: its real file is named python3.N, or
 * the venv's pyvenv.cfg says. */
static int python_version(const ex_proc_t *proc, char *exe, size_t esize,
                          int v[3]) {
  char real[PATH_MAX];
  char cfg[PATH_MAX];
  char value[64];
  const char *base;

  if (ex__tool_which(proc, "python3", exe, esize) != 0 &&
      ex__tool_which(proc, "python", exe, esize) != 0)
    return -ENOENT;
  ex_strlcpy(cfg, exe, sizeof(cfg));
  ex__tool_dirname(cfg);
  ex__tool_dirname(cfg);
  strncat(cfg, "/pyvenv.cfg", sizeof(cfg) - strlen(cfg) - 1);
  if (release_value(cfg, "version", value, sizeof(value)) == 0 ||
      release_value(cfg, "version_info", value, sizeof(value)) == 0)
    return ex__ci_version(value, v);
  if (realpath(exe, real) == NULL)
    ex_strlcpy(real, exe, sizeof(real));
  base = ex__tool_basename(real);
  if (strncmp(base, "python", 6) == 0)
    return ex__ci_version(base + 6, v);
  return 0;
}

/* go's VERSION file beside its bin/, rustc from rustup's toolchain
 * manifest or dpkg. */
static int go_version(const ex_proc_t *proc, char *exe, size_t esize,
                      int v[3]) {
  char real[PATH_MAX];
  char path[PATH_MAX];
  char *text;
  int n;

  if (ex__tool_which(proc, "go", exe, esize) != 0)
    return -ENOENT;
  if (realpath(exe, real) == NULL)
    ex_strlcpy(real, exe, sizeof(real));
  ex_strlcpy(path, real, sizeof(path));
  ex__tool_dirname(path);
  ex__tool_dirname(path);
  strncat(path, "/VERSION", sizeof(path) - strlen(path) - 1);
  text = ex__tool_slurp(path);
  if (text == NULL)
    return 0;
  n = ex__ci_version(text, v);
  free(text);
  return n;
}

static int rust_version(const ex_proc_t *proc, char *exe, size_t esize,
                        int v[3]) {
  char home[PATH_MAX];
  char real[PATH_MAX];
  char path[PATH_MAX];
  const char *rh;
  const char *tc;
  char *text;
  char *p;
  int n = 0;

  if (ex__tool_which(proc, "rustc", exe, esize) != 0)
    return -ENOENT;
  if (realpath(exe, real) != NULL &&
      strcmp(ex__tool_basename(real), "rustup") == 0) {
    rh = ex__ci_env("RUSTUP_HOME");
    if (rh == NULL) {
      ex__tool_home(proc, home, sizeof(home));
      strncat(home, "/.rustup", sizeof(home) - strlen(home) - 1);
      rh = home;
    }
    tc = ex__ci_env("RUSTUP_TOOLCHAIN");
    snprintf(path, sizeof(path), "%s/settings.toml", rh);
    text = tc == NULL ? ex__tool_slurp(path) : NULL;
    if (text != NULL && (p = strstr(text, "default_toolchain")) != NULL) {
      char name[128];

      if (sscanf(p, "default_toolchain = \"%127[^\"]\"", name) == 1) {
        snprintf(path, sizeof(path),
                 "%s/toolchains/%s/lib/rustlib/multirust-channel-manifest.toml",
                 rh, name);
        free(text);
        text = ex__tool_slurp(path);
        if (text == NULL) {
          /* "stable" is stored as stable-<target>. */
          glob_t g;

          snprintf(path, sizeof(path),
                   "%s/toolchains/%s-*/lib/rustlib/"
                   "multirust-channel-manifest.toml",
                   rh, name);
          if (glob(path, 0, NULL, &g) == 0 && g.gl_pathc > 0)
            text = ex__tool_slurp(g.gl_pathv[0]);
          globfree(&g);
        }
        p = text != NULL ? strstr(text, "[pkg.rustc]") : NULL;
        if (p != NULL && (p = strstr(p, "version = \"")) != NULL)
          n = ex__ci_version(p + 11, v);
      }
    }
    free(text);
    return n;
  }
  return dpkg_version("rustc", v);
}

int ex__version_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                    const ex_host_t *host, ex_explanation_t *out) {
  const char *required = ex_probe_capture(ev, "required");
  const char *need = ex_probe_capture(ev, "need");
  const char *name;
  char exe[PATH_MAX];
  char req[128];
  char have_s[32];
  int v[3] = {0, 0, 0};
  int n;
  int ok;

  (void)host;
  if (ex__ci_rule(ev, "node.")) {
    name = "node";
    n = node_version(proc, exe, sizeof(exe), v);
  } else if (ex__ci_rule(ev, "python.")) {
    name = "python";
    n = python_version(proc, exe, sizeof(exe), v);
  } else if (ex__ci_rule(ev, "go.")) {
    name = "go";
    n = go_version(proc, exe, sizeof(exe), v);
  } else {
    name = "rustc";
    n = rust_version(proc, exe, sizeof(exe), v);
  }
  /* go.mod's "go 1.22" and cargo's "requires rustc 1.79" are minimums. */
  if ((required == NULL || required[0] == '\0') && need != NULL &&
      need[0] != '\0')
    snprintf(req, sizeof(req), ">=%s", need);
  else
    ex_strlcpy(req, required != NULL ? required : "", sizeof(req));
  if (req[0] != '\0')
    ex_facts_str(&out->facts, "required", req);
  if (n == -ENOENT) {
    ex_cause_add(out, "installed-too-old", EX_VERDICT_UNKNOWN,
                 "no %s on PATH here: the failure ran with one this machine "
                 "does not have",
                 name);
    return 0;
  }
  ex_facts_str(&out->facts, name, exe);
  if (n <= 0) {
    ex_cause_add(out, "installed-too-old", EX_VERDICT_UNKNOWN,
                 "%s is %s, whose version no file beside it states", name, exe);
    return 0;
  }
  snprintf(have_s, sizeof(have_s),
           n == 1   ? "%d"
           : n == 2 ? "%d.%d"
                    : "%d.%d.%d",
           v[0], v[1], v[2]);
  ex_facts_str(&out->facts, "installed_version", have_s);
  ok = req[0] != '\0' ? ex__ci_satisfies(v, n, req) : -1;
  if (ok == 0)
    ex_cause_add(out, "installed-too-old", EX_VERDICT_CONFIRMED,
                 "%s here is %s, outside %s", name, have_s, req);
  else if (ok == 1)
    ex_cause_add(out, "installed-too-old", EX_VERDICT_RULED_OUT,
                 "%s here is %s, which satisfies %s: the failure ran with "
                 "another %s (a version manager, a CI image, another PATH)",
                 name, have_s, req, name);
  else
    ex_cause_add(out, "installed-too-old", EX_VERDICT_UNKNOWN,
                 "%s here is %s; the requirement \"%s\" cannot be read", name,
                 have_s, req);
  ex_explanation_summary(out, "%s %s here; needed: %s", name, have_s,
                         req[0] != '\0' ? req : "?");
  return 0;
}

/* ---- the Docker daemon -------------------------------------------------- */

int ex__dockerd_applies(const ex_probe_event_t *ev) {
  return ev->condition != NULL &&
         strcmp(ev->condition, "daemon-unreachable") == 0;
}

static int is_dockerd(void *ud, pid_t pid, const char *comm, const char *cwd) {
  (void)pid;
  (void)cwd;
  if (strcmp(comm, "dockerd") == 0 || strcmp(comm, "com.docker.backend") == 0) {
    *(int *)ud = 1;
    return 1;
  }
  return 0;
}

int ex__dockerd_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                    const ex_host_t *host, ex_explanation_t *out) {
  const char *sock = "/var/run/docker.sock";
  const char *docker_host = ex__ci_env("DOCKER_HOST");
  const char *xdg = ex__ci_env("XDG_RUNTIME_DIR");
  char rootless[PATH_MAX];
  char gname[64];
  char mode[16];
  struct stat st;
  int running = 0;
  int seen;

  ex_probe_context_facts(proc, host, &out->facts);
  if (ev->subject_value != NULL && ev->subject_value[0] == '/')
    sock = ev->subject_value;
  if (docker_host != NULL) {
    ex_facts_str(&out->facts, "DOCKER_HOST", docker_host);
    ex_cause_add(out, "wrong-host", EX_VERDICT_CONFIRMED,
                 "DOCKER_HOST=%s: the client talks to that daemon, not to "
                 "the local socket",
                 docker_host);
  } else if (ex__ci_env("DOCKER_CONTEXT") != NULL) {
    ex_facts_str(&out->facts, "DOCKER_CONTEXT", ex__ci_env("DOCKER_CONTEXT"));
  }
  ex_facts_str(&out->facts, "socket", sock);
  if (lstat(sock, &st) != 0) {
    ex_cause_add(out, "not-running", EX_VERDICT_CONFIRMED,
                 "%s does not exist: no daemon has created its socket here",
                 sock);
    if (host != NULL && host->container[0] != '\0')
      ex_cause_add(out, "ci-no-dind", EX_VERDICT_CONFIRMED,
                   "this runs in a %s container and no Docker socket is "
                   "mounted into it",
                   host->container);
  } else {
    ex_facts_str(&out->facts, "socket_mode", ex__mode_string(st.st_mode, mode));
    ex_facts_str(&out->facts, "socket_group",
                 ex__group_name(st.st_gid, gname, sizeof(gname)));
    if (!S_ISSOCK(st.st_mode))
      ex_cause_add(out, "not-running", EX_VERDICT_CONFIRMED,
                   "%s exists but is not a socket (a directory a bind mount "
                   "created?)",
                   sock);
    if (proc != NULL && proc->valid && proc->euid != 0 &&
        st.st_uid != proc->euid && !ex_proc_in_group(proc, st.st_gid))
      ex_cause_add(out, "socket-group", EX_VERDICT_CONFIRMED,
                   "the socket belongs to group %s, which the command's user "
                   "is not in",
                   gname);
  }
  seen = ex__tool_each_process(is_dockerd, &running, 100000);
  if (seen > 0)
    ex_cause_add(out, "not-running",
                 running ? EX_VERDICT_RULED_OUT : EX_VERDICT_CONFIRMED,
                 running ? "a dockerd process runs on this machine"
                         : "no dockerd process runs on this machine (%d "
                           "processes looked at)",
                 seen);
  if (xdg != NULL) {
    snprintf(rootless, sizeof(rootless), "unix://%s/docker.sock", xdg);
    if (access(rootless + 7, F_OK) == 0) {
      char *q = ex_shell_quote(rootless);
      char *cmd;

      ex_facts_str(&out->facts, "rootless_socket", rootless + 7);
      if (q != NULL && asprintf(&cmd, "export DOCKER_HOST=%s", q) > 0) {
        ex_fix_add_raw(out, 0, cmd, "use the rootless daemon's socket");
        free(cmd);
      }
      free(q);
    }
  }
  if (!running && access("/run/systemd/system", F_OK) == 0 &&
      (access("/lib/systemd/system/docker.service", F_OK) == 0 ||
       access("/usr/lib/systemd/system/docker.service", F_OK) == 0)) {
    const char *argv[] = {"sudo", "systemctl", "start", "docker", NULL};

    ex_fix_add_cmd(out, 1, argv, "start the daemon");
  } else if (!running && access("/etc/init.d/docker", F_OK) == 0) {
    const char *argv[] = {"sudo", "service", "docker", "start", NULL};

    ex_fix_add_cmd(out, 1, argv, "start the daemon");
  }
  ex_explanation_summary(out, "no Docker daemon answers at %s",
                         docker_host != NULL ? docker_host : sock);
  return 0;
}

/* ---- kubeconfig --------------------------------------------------------- */

static const char *const kube_conditions[] = {"kube-no-context",
                                              "kube-api-unreachable", NULL};

int ex__kubeconfig_applies(const ex_probe_event_t *ev) {
  return ex__ci_condition(ev, kube_conditions) ||
         ex__ci_rule(ev, "kube.unauthorized");
}

int ex__kubeconfig_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                       const ex_host_t *host, ex_explanation_t *out) {
  const char *kc = ex__ci_env("KUBECONFIG");
  char home[PATH_MAX];
  char path[PATH_MAX];
  char ctx[256] = "";
  char *text;
  int have;

  ex_probe_context_facts(proc, host, &out->facts);
  if (kc != NULL) {
    ex_facts_str(&out->facts, "KUBECONFIG", kc);
    /* The first file of a colon-separated list holds current-context
     * unless another sets it. */
    snprintf(path, sizeof(path), "%.*s", (int)strcspn(kc, ":"), kc);
  } else {
    ex__tool_home(proc, home, sizeof(home));
    if (ex__tool_join(path, sizeof(path), home, ".kube/config") == NULL)
      return 0;
  }
  have = ex__ci_file_facts(&out->facts, "kubeconfig", path);
  if (!have) {
    ex_cause_add(out, "no-kubeconfig", EX_VERDICT_CONFIRMED,
                 "%s does not exist: kubectl has no cluster, so it tries "
                 "localhost:8080",
                 path);
  } else {
    text = ex__tool_slurp(path);
    if (text != NULL) {
      const char *p = strstr(text, "current-context:");

      if (p != NULL)
        sscanf(p + 16, " %255s", ctx);
      if (ctx[0] == '\0' || strcmp(ctx, "\"\"") == 0 || strcmp(ctx, "''") == 0)
        ex_cause_add(out, "context-unset", EX_VERDICT_CONFIRMED,
                     "%s sets no current-context", path);
      else {
        ex_facts_str(&out->facts, "current_context", ctx);
        ex_cause_add(out, "context-unset", EX_VERDICT_RULED_OUT,
                     "the current context is %s", ctx);
      }
      if (strstr(text, "\n    exec:") != NULL ||
          strstr(text, " exec:\n") != NULL)
        ex_facts_bool(&out->facts, "user_exec_plugin", 1);
      free(text);
    }
    ex_cause_add(out, "no-kubeconfig", EX_VERDICT_RULED_OUT, "%s exists", path);
  }
  if (access("/var/run/secrets/kubernetes.io/serviceaccount/token", F_OK) == 0)
    ex_facts_bool(&out->facts, "in_cluster_service_account", 1);
  if (ex__ci_env("KUBERNETES_SERVICE_HOST") != NULL)
    ex_facts_str(&out->facts, "KUBERNETES_SERVICE_HOST",
                 ex__ci_env("KUBERNETES_SERVICE_HOST"));
  {
    const char *argv[] = {"kubectl", "config", "get-contexts", NULL};

    ex_fix_add_cmd(out, 0, argv, "list the contexts kubectl knows");
  }
  (void)ev;
  return 0;
}

/* ---- Terraform's working directory -------------------------------------- */

static const char *const tf_conditions[] = {
    "state-locked", "terraform-init-required", "provider-install-failed", NULL};

int ex__terraform_applies(const ex_probe_event_t *ev) {
  return ex__ci_condition(ev, tf_conditions);
}

static int has_tf_files(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  int n = 0;

  if (d == NULL)
    return 0;
  while ((e = readdir(d)) != NULL) {
    size_t len = strlen(e->d_name);

    if (len > 3 && strcmp(e->d_name + len - 3, ".tf") == 0)
      n++;
  }
  closedir(d);
  return n;
}

static int is_terraform(void *ud, pid_t pid, const char *comm,
                        const char *cwd) {
  (void)pid;
  (void)cwd;
  if (strncmp(comm, "terraform", 9) == 0) {
    *(int *)ud = 1;
    return 1;
  }
  return 0;
}

int ex__terraform_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                      const ex_host_t *host, ex_explanation_t *out) {
  const char *data = ex__ci_env("TF_DATA_DIR");
  char cwdbuf[PATH_MAX];
  char path[PATH_MAX];
  char datadir[PATH_MAX];
  const char *dir = start_dir(proc, cwdbuf, sizeof(cwdbuf));
  int ntf = has_tf_files(dir);

  (void)host;
  ex_facts_str(&out->facts, "working_dir", dir);
  ex_facts_int(&out->facts, "tf_files", ntf);
  if (ntf == 0) {
    ex_cause_add(out, "never-init", EX_VERDICT_UNKNOWN,
                 "%s has no .tf file: the configuration is elsewhere", dir);
    return 0;
  }
  if (data != NULL)
    ex_strlcpy(datadir, data, sizeof(datadir));
  else
    ex__tool_join(datadir, sizeof(datadir), dir, ".terraform");
  ex_facts_str(&out->facts, "data_dir", datadir);
  if (!ex__tool_is_dir(datadir))
    ex_cause_add(out, "never-init", EX_VERDICT_CONFIRMED,
                 "%s does not exist: terraform init never ran here", datadir);
  else
    ex_cause_add(out, "never-init", EX_VERDICT_RULED_OUT,
                 "%s exists (terraform init ran here before)", datadir);
  ex__tool_join(path, sizeof(path), dir, ".terraform.lock.hcl");
  ex__ci_file_facts(&out->facts, "dependency_lock", path);
  if (ev->condition != NULL && strcmp(ev->condition, "state-locked") == 0) {
    static const char *const infos[] = {".terraform.tfstate.lock.info",
                                        "terraform.tfstate.lock.info", NULL};
    size_t i;
    int running = 0;

    ex__tool_each_process(is_terraform, &running, 100000);
    for (i = 0; infos[i] != NULL; i++) {
      char *text;
      char id[64] = "";
      const char *p;

      ex__tool_join(path, sizeof(path), dir, infos[i]);
      text = ex__tool_slurp(path);
      if (text == NULL)
        continue;
      p = strstr(text, "\"ID\":");
      if (p != NULL)
        sscanf(p + 5, " \"%63[^\"]\"", id);
      ex_facts_str(&out->facts, "local_lock", path);
      if (id[0] != '\0')
        ex_facts_str(&out->facts, "lock_id", id);
      ex_cause_add(out, running ? "concurrent" : "stale", EX_VERDICT_CONFIRMED,
                   running ? "the local state lock %s is held and a terraform "
                             "process runs on this machine"
                           : "the local state lock %s is held and no "
                             "terraform process runs here: a run that ended "
                             "without releasing it",
                   path);
      if (!running && id[0] != '\0') {
        const char *argv[] = {"terraform", "force-unlock", id, NULL};

        ex_fix_add_cmd(out, 0, argv, "release the stale lock");
      }
      free(text);
      break;
    }
  }
  {
    const char *argv[] = {"terraform", "init", NULL};

    ex_fix_add_cmd(out, 0, argv, "initialise the working directory");
  }
  return 0;
}

/* ---- memory limits ------------------------------------------------------ */

static const char *const mem_conditions[] = {"oom-killed", "out-of-memory",
                                             "runner-lost", NULL};

int ex__memlimit_applies(const ex_probe_event_t *ev) {
  return ex__ci_condition(ev, mem_conditions);
}

int ex__memlimit_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                     const ex_host_t *host, ex_explanation_t *out) {
  ex_probe_memcg_t m;
  char buf[4096];
  char path[PATH_MAX + 32];
  long long total = -1;
  long long avail = -1;
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  const char *p;

  (void)ev;
  ex_probe_context_facts(proc, host, &out->facts);
  if (ex_read_small("/proc/meminfo", buf, sizeof(buf)) > 0) {
    p = strstr(buf, "MemTotal:");
    if (p != NULL)
      total = strtoll(p + 9, NULL, 10) * 1024;
    p = strstr(buf, "MemAvailable:");
    if (p != NULL)
      avail = strtoll(p + 13, NULL, 10) * 1024;
  }
  if (total > 0)
    ex_facts_int(&out->facts, "mem_total_bytes", total);
  if (avail >= 0)
    ex_facts_int(&out->facts, "mem_available_bytes", avail);
  if (ncpu > 0)
    ex_facts_int(&out->facts, "cpus", ncpu);
  if (proc != NULL && proc->cgroup[0] != '\0' &&
      ex_probe_memcg(proc->cgroup, &m) == 0) {
    ex_facts_str(&out->facts, "memory_cgroup", m.dir);
    if (m.limit >= 0)
      ex_facts_int(&out->facts, "memory_limit_bytes", m.limit);
    if (m.peak >= 0)
      ex_facts_int(&out->facts, "memory_peak_bytes", m.peak);
    snprintf(path, sizeof(path), "%s/memory.events", m.dir);
    if (m.version == 2 && ex_read_small(path, buf, sizeof(buf)) > 0 &&
        (p = strstr(buf, "oom_kill ")) != NULL) {
      long long kills = strtoll(p + 9, NULL, 10);

      ex_facts_int(&out->facts, "oom_kills", kills);
      ex_cause_add(out, "memory-limit",
                   kills > 0 ? EX_VERDICT_CONFIRMED : EX_VERDICT_UNKNOWN,
                   kills > 0 ? "the memory cgroup %s has recorded %lld OOM "
                               "kills"
                             : "the memory cgroup %s has recorded no OOM kill "
                               "(the failure may have run elsewhere)",
                   m.dir, kills);
    }
  }
  if (total > 0 && ncpu > 0 && total / ncpu < 1024LL * 1024 * 1024)
    ex_cause_add(out, "parallelism", EX_VERDICT_CONFIRMED,
                 "%lld MiB of memory for %ld CPUs: a parallel build (one job "
                 "per CPU) has less than 1 GiB per job",
                 total / (1024 * 1024), ncpu);
  return 0;
}
