/* The C toolchain: a header the compiler cannot find, a library the linker
 * cannot find (-lX), a symbol nothing on the link line defines.
 *
 * The search directories are the compiler's defaults plus what the command
 * line (-I, -L) and the environment (CPATH, LIBRARY_PATH) add; "which
 * package has it" comes from a table of the usual suspects and from the
 * dpkg file lists. No compiler, pkg-config or apt-file is run. */
#include "platform/linux/tools/tool_util.h"

#include "platform/linux/proc/project.h"
#include "platform/linux/proc/sys.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PATH_CAP EX_PROC_PATH_MAX
#define DIRS_MAX 64
/* Entries read per directory when looking for versioned libraries or
 * header subdirectories. */
#define ENTRIES_MAX 4096
/* Source files read, and bytes per file, when looking for a definition. */
#define SOURCES_MAX 200
#define SOURCE_BYTES (256 * 1024)

typedef struct dirlist {
  char dirs[DIRS_MAX][PATH_CAP];
  const char *origin[DIRS_MAX]; /* "-I", "CPATH", "default", ... */
  size_t count;
} dirlist_t;

static void dirs_add(dirlist_t *l, const char *dir, const char *origin) {
  size_t i;

  if (l->count >= DIRS_MAX || dir[0] == '\0')
    return;
  for (i = 0; i < l->count; i++) {
    if (strcmp(l->dirs[i], dir) == 0)
      return;
  }
  ex_strlcpy(l->dirs[l->count], dir, PATH_CAP);
  l->origin[l->count] = origin;
  l->count++;
}

typedef struct opt_ctx {
  dirlist_t *l;
  const ex_proc_t *proc;
  const char *origin;
} opt_ctx_t;

static void opt_dir(void *ud, const char *value) {
  opt_ctx_t *c;
  char *abs;

  c = ud;
  abs = ex__path_absolute(c->proc, value);
  if (abs != NULL)
    dirs_add(c->l, abs, c->origin);
  free(abs);
}

static void env_dirs(dirlist_t *l, const char *var) {
  const char *v;
  const char *end;
  char dir[PATH_CAP];

  v = getenv(var);
  for (; v != NULL && *v != '\0'; v = *end != '\0' ? end + 1 : end) {
    end = strchr(v, ':');
    if (end == NULL)
      end = v + strlen(v);
    snprintf(dir, sizeof(dir), "%.*s", (int)(end - v), v);
    if (dir[0] == '/')
      dirs_add(l, dir, var);
  }
}

/* "x86_64-linux-gnu" for the Debian multiarch directories. */
static void multiarch(const ex_host_t *host, char *out, size_t size) {
  const char *arch;

  arch = host != NULL && host->arch[0] != '\0' ? host->arch : "x86_64";
  if (strcmp(arch, "armv7l") == 0)
    snprintf(out, size, "arm-linux-gnueabihf");
  else
    snprintf(out, size, "%s-linux-gnu", arch);
}

static int is_debian(void) { return access("/var/lib/dpkg/status", F_OK) == 0; }
static int is_alpine(void) { return access("/etc/alpine-release", F_OK) == 0; }

static const char *compiler_kind(char *const *argv) {
  const char *b;

  if (argv == NULL || argv[0] == NULL)
    return NULL;
  b = ex__tool_basename(argv[0]);
  if (strstr(b, "gcc") || strstr(b, "g++") || strstr(b, "clang") ||
      strcmp(b, "cc") == 0 || strcmp(b, "c++") == 0 || strstr(b, "-cc") ||
      strcmp(b, "ld") == 0 || strstr(b, "ld.") != NULL)
    return "compiler";
  if (strncmp(b, "pip", 3) == 0 || strcmp(b, "uv") == 0 ||
      strcmp(b, "setup.py") == 0 || strcmp(b, "npm") == 0 ||
      strcmp(b, "yarn") == 0 || strcmp(b, "gem") == 0 ||
      strcmp(b, "bundle") == 0 || strcmp(b, "node-gyp") == 0 ||
      strcmp(b, "cargo") == 0)
    return "package-manager";
  if (strncmp(b, "python", 6) == 0 && argv[1] != NULL &&
      ((strcmp(argv[1], "-m") == 0 && argv[2] != NULL &&
        (strcmp(argv[2], "pip") == 0 || strcmp(argv[2], "build") == 0)) ||
       strcmp(ex__tool_basename(argv[1]), "setup.py") == 0))
    return "package-manager";
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* The project's own files                                                 */

/* Where the project search starts: the command's cwd, then the directory
 * of the file being compiled (for #include "x.h"). */
static size_t project_starts(const ex_probe_event_t *ev,
                             const ex_proc_t *proc, char (*buf)[PATH_CAP],
                             const char **starts) {
  size_t n;
  char *abs;

  n = 0;
  if (proc->cwd[0] == '/') {
    ex_strlcpy(buf[n], proc->cwd, PATH_CAP);
    starts[n] = buf[n];
    n++;
  }
  if (ev->location_file != NULL && ev->location_file[0] != '\0') {
    abs = ex__path_absolute(proc, ev->location_file);
    if (abs != NULL && abs[0] == '/') {
      ex_strlcpy(buf[n], abs, PATH_CAP);
      ex__tool_dirname(buf[n]);
      starts[n] = buf[n];
      n++;
    }
    free(abs);
  }
  return n;
}

/* dir as the build file in base would name it: relative when below. */
static const char *relative_to(const char *dir, const char *base) {
  size_t n;

  n = strlen(base);
  if (n > 1 && strncmp(dir, base, n) == 0 && dir[n] == '/')
    return dir + n + 1;
  return dir;
}

/* The build file that sets the flags for every build: CMakeLists.txt at
 * the project's top, else the Makefile in the working directory. Writes
 * its directory into out and returns its name, or NULL. */
static const char *build_file(const ex_proc_t *proc,
                              const ex_project_search_t *ps, char *out,
                              size_t size) {
  static const char *const makefiles[] = {"GNUmakefile", "makefile",
                                          "Makefile"};
  char path[PATH_CAP];
  size_t i;

  if (ps->top[0] != '\0' &&
      ex__tool_join(path, sizeof(path), ps->top, "CMakeLists.txt") != NULL &&
      ex__tool_is_file(path)) {
    ex_strlcpy(out, ps->top, size);
    return "CMakeLists.txt";
  }
  for (i = 0; i < sizeof(makefiles) / sizeof(makefiles[0]); i++) {
    if (proc->cwd[0] == '/' &&
        ex__tool_join(path, sizeof(path), proc->cwd, makefiles[i]) != NULL &&
        ex__tool_is_file(path)) {
      ex_strlcpy(out, proc->cwd, size);
      return makefiles[i];
    }
  }
  return NULL;
}

/* The fixes for a directory of the project missing from a search path:
 * the flag given to the compiler itself, else the whole build run again
 * with the variable the compiler and linker read, then the line to put in
 * the build file for good. */
static void project_dir_fixes(const ex_probe_event_t *ev,
                              const ex_proc_t *proc,
                              const ex_project_search_t *ps, int include,
                              ex_explanation_t *out) {
  char flag[PATH_CAP + 8];
  char rpath[PATH_CAP + 16];
  char bdir[PATH_CAP];
  const char *kind;
  const char *bf;
  const char *words[2];
  size_t nwords;

  kind = compiler_kind(ev->command);
  snprintf(flag, sizeof(flag), "%s%s", include ? "-I" : "-L", ps->dir);
  snprintf(rpath, sizeof(rpath), "-Wl,-rpath,%s", ps->dir);
  words[0] = flag;
  words[1] = rpath;
  nwords = include ? 1 : 2;
  if (kind != NULL && strcmp(kind, "compiler") == 0)
    ex__project_fix_insert(out, ev->command, words, nwords,
                           include ? "pass the directory to the compiler"
                                   : "pass the directory to the linker, "
                                     "and record it in the program so "
                                     "that it finds the library when it "
                                     "runs");
  else
    ex__project_fix_env(out, include ? "CPATH" : "LIBRARY_PATH", ps->dir,
                        ev->command,
                        include ? "build again with %s on the compiler's "
                                  "include path (CPATH)"
                                : "build again with %s on the linker's "
                                  "library path (LIBRARY_PATH)",
                        ps->dir);
  /* The compiler run by hand: its command line is the whole build. */
  bf = kind != NULL && strcmp(kind, "compiler") == 0
           ? NULL
           : build_file(proc, ps, bdir, sizeof(bdir));
  if (bf != NULL && strcmp(bf, "CMakeLists.txt") == 0)
    ex_fix_add_raw(out, 0, NULL,
                   "for every build, in %s/CMakeLists.txt: "
                   "%s(TARGET PRIVATE %s)",
                   bdir,
                   include ? "target_include_directories"
                           : "target_link_directories",
                   relative_to(ps->dir, bdir));
  else if (bf != NULL)
    ex_fix_add_raw(out, 0, NULL,
                   "for every build, in %s/%s: add %s%s to %s",
                   bdir, bf, include ? "-I" : "-L",
                   relative_to(ps->dir, bdir),
                   include ? "CPPFLAGS (or CFLAGS, if the rules use only "
                             "that)"
                           : "LDFLAGS, with -Wl,-rpath for the run time");
}

/* A directory of the project holds the header: the include path lacks
 * it. */
static void header_in_project(const ex_probe_event_t *ev,
                              const ex_proc_t *proc,
                              const ex_project_search_t *ps,
                              const char *header, ex_explanation_t *out) {
  ex_cause_t *c;

  c = ex_cause_add(out, "include-path", EX_VERDICT_CONFIRMED,
                   "%s exists in the project, at %s, but %s is not on the "
                   "include path",
                   header, ps->found, ps->dir);
  if (c != NULL) {
    ex_facts_str(&c->facts, "found", ps->found);
    ex_facts_str(&c->facts, "include_dir", ps->dir);
  }
  ex_cause_add(out, "dev-package", EX_VERDICT_RULED_OUT,
               "%s is the project's own header (%s): no package is missing",
               header, ps->found);
  ex_explanation_summary(out, "%s is in %s, a directory of the project "
                              "that the compiler was not told to search",
                         header, ps->dir);
  project_dir_fixes(ev, proc, ps, 1, out);
}

/* ---------------------------------------------------------------------- */
/* Headers                                                                 */

/* Header (or header directory, ending in "/") -> Debian and Alpine
 * packages ("": none). */
static const struct {
  char header[16];
  char deb[32];
  char apk[20];
} header_pkgs[] = {
    {"Python.h", "python3-dev", "python3-dev"},
    {"openssl/", "libssl-dev", "openssl-dev"},
    {"ffi.h", "libffi-dev", "libffi-dev"},
    {"zlib.h", "zlib1g-dev", "zlib-dev"},
    {"bzlib.h", "libbz2-dev", "bzip2-dev"},
    {"lzma.h", "liblzma-dev", "xz-dev"},
    {"zstd.h", "libzstd-dev", "zstd-dev"},
    {"sqlite3.h", "libsqlite3-dev", "sqlite-dev"},
    {"libpq-fe.h", "libpq-dev", "libpq-dev"},
    {"mysql.h", "default-libmysqlclient-dev", "mariadb-dev"},
    {"mysql/", "default-libmysqlclient-dev", "mariadb-dev"},
    {"portaudio.h", "portaudio19-dev", "portaudio-dev"},
    {"GL/", "libgl-dev", "mesa-dev"},
    {"curl/", "libcurl4-openssl-dev", "curl-dev"},
    {"readline/", "libreadline-dev", "readline-dev"},
    {"ncurses.h", "libncurses-dev", "ncurses-dev"},
    {"curses.h", "libncurses-dev", "ncurses-dev"},
    {"libxml/", "libxml2-dev", "libxml2-dev"},
    {"libxslt/", "libxslt1-dev", "libxslt-dev"},
    {"yaml.h", "libyaml-dev", "yaml-dev"},
    {"jpeglib.h", "libjpeg-dev", "libjpeg-turbo-dev"},
    {"png.h", "libpng-dev", "libpng-dev"},
    {"uuid/", "uuid-dev", "util-linux-dev"},
    {"gmp.h", "libgmp-dev", "gmp-dev"},
    {"pcre.h", "libpcre3-dev", "pcre-dev"},
    {"pcre2.h", "libpcre2-dev", "pcre2-dev"},
    {"uv.h", "libuv1-dev", "libuv-dev"},
    {"cjson/", "libcjson-dev", "cjson-dev"},
    {"cmocka.h", "libcmocka-dev", "cmocka-dev"},
    {"expat.h", "libexpat1-dev", "expat-dev"},
    {"krb5.h", "libkrb5-dev", "krb5-dev"},
    {"gssapi/", "libkrb5-dev", "krb5-dev"},
    {"ldap.h", "libldap-dev", "openldap-dev"},
    {"sasl/", "libsasl2-dev", "cyrus-sasl-dev"},
    {"pcap.h", "libpcap-dev", "libpcap-dev"},
    {"systemd/", "libsystemd-dev", ""},
    {"libusb-1.0/", "libusb-1.0-0-dev", "libusb-dev"},
    {"alsa/", "libasound2-dev", "alsa-lib-dev"},
    {"X11/", "libx11-dev", "libx11-dev"},
    {"freetype2/", "libfreetype-dev", "freetype-dev"},
    {"ft2build.h", "libfreetype-dev", "freetype-dev"},
    {"glib.h", "libglib2.0-dev", "glib-dev"},
    {"linux/", "linux-libc-dev", "linux-headers"},
    {"asm/", "linux-libc-dev", "linux-headers"},
    {"stdio.h", "libc6-dev", "musl-dev"},
    {"stdlib.h", "libc6-dev", "musl-dev"},
    {"sys/", "libc6-dev", "musl-dev"},
};

/* The package for a header from the table, or NULL. */
static int header_entry(const char *header) {
  size_t i;
  size_t n;

  for (i = 0; i < sizeof(header_pkgs) / sizeof(header_pkgs[0]); i++) {
    n = strlen(header_pkgs[i].header);
    if (header_pkgs[i].header[n - 1] == '/'
            ? strncmp(header, header_pkgs[i].header, n) == 0
            : strcmp(header, header_pkgs[i].header) == 0)
      return (int)i;
  }
  return -1;
}

/* Python.h: the dev package of the interpreter's version, from an
 * -I.../python3.X flag or from python3 on PATH. */
static void python_dev(const ex_probe_event_t *ev, const ex_proc_t *proc,
                       char *out, size_t size) {
  char path[PATH_CAP];
  char real[PATH_CAP];
  const char *p;
  size_t i;
  int a;
  int b;

  for (i = 0; ev->command != NULL && ev->command[i] != NULL; i++) {
    p = strstr(ev->command[i], "python3.");
    if (p != NULL && strncmp(ev->command[i], "-I", 2) == 0 &&
        sscanf(p, "python%d.%d", &a, &b) == 2) {
      snprintf(out, size, "python%d.%d-dev", a, b);
      return;
    }
  }
  if (ex__tool_which(proc, "python3", path, sizeof(path)) == 0 &&
      realpath(path, real) != NULL &&
      sscanf(ex__tool_basename(real), "python%d.%d", &a, &b) == 2 &&
      strncmp(real, "/usr/bin/", 9) == 0) {
    snprintf(out, size, "python%d.%d-dev", a, b);
    return;
  }
  snprintf(out, size, "python3-dev");
}

/* Looks for header one level below each of the roots: /usr/include/X/h. */
static int find_header_below(const char *const *roots, size_t nroots,
                             const char *header, char *out, size_t size) {
  char sub[PATH_CAP];
  DIR *d;
  struct dirent *e;
  size_t r;
  int n;
  int found;

  found = 0;
  for (r = 0; r < nroots && !found; r++) {
    d = opendir(roots[r]);
    if (d == NULL)
      continue;
    n = 0;
    while (!found && n++ < ENTRIES_MAX && (e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.' ||
          ex__tool_join(sub, sizeof(sub), roots[r], e->d_name) == NULL ||
          ex__tool_join(out, size, sub, header) == NULL)
        continue;
      found = ex__tool_is_file(out);
    }
    closedir(d);
  }
  return found;
}

int ex__tool_cc_header_applies(const ex_probe_event_t *ev) {
  return ev->rule_id != NULL && ev->subject_value != NULL &&
         ev->subject_value[0] != '\0' &&
         (strcmp(ev->rule_id, "cc.header-not-found") == 0 ||
          (ev->condition != NULL &&
           strcmp(ev->condition, "header-not-found") == 0));
}

/* The directories searched, joined with ':' and each once (for the
 * report). */
static void searched_fact(ex_facts_t *facts, const dirlist_t *l,
                          const char *const *roots, size_t nroots,
                          const ex_project_search_t *ps) {
  dirlist_t *all;
  char *buf;
  size_t n;
  size_t i;

  all = malloc(sizeof(*all));
  buf = malloc((DIRS_MAX + 1) * PATH_CAP);
  if (all == NULL || buf == NULL)
    goto cleanup;
  *all = *l;
  for (i = 0; i < ps->nroots; i++)
    dirs_add(all, ps->roots[i], "project");
  for (i = 0; i < nroots; i++)
    dirs_add(all, roots[i], "elsewhere");
  n = 0;
  buf[0] = '\0';
  for (i = 0; i < all->count; i++)
    n += (size_t)snprintf(buf + n, (DIRS_MAX + 1) * PATH_CAP - n, "%s%s",
                          i > 0 ? ":" : "", all->dirs[i]);
  ex_facts_str(facts, "searched", buf);

cleanup:
  free(all);
  free(buf);
}

int ex__tool_cc_header_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                           const ex_host_t *host, ex_explanation_t *out) {
  dirlist_t *l;
  opt_ctx_t ctx;
  ex_project_search_t *ps;
  char(*startbuf)[PATH_CAP];
  const char *starts[2];
  char ma[64];
  char path[PATH_CAP];
  char found[PATH_CAP];
  char dir[PATH_CAP];
  char owner[128];
  char pydev[64];
  char incdir[PATH_CAP];
  char where[2 * PATH_CAP + 256];
  char home[PATH_CAP];
  const char *header;
  const char *pkg;
  const char *kind;
  const char *roots[8];
  ex_verdict_t absent;
  size_t nroots;
  size_t nstarts;
  size_t i;
  int e;
  int rc;

  header = ev->subject_value;
  l = calloc(1, sizeof(*l));
  ps = malloc(sizeof(*ps));
  startbuf = malloc(2 * sizeof(*startbuf));
  rc = 0;
  if (l == NULL || ps == NULL || startbuf == NULL) {
    rc = -ENOMEM;
    goto cleanup;
  }
  multiarch(host, ma, sizeof(ma));
  /* The includer's own directory comes first for #include "x.h". */
  if (ev->location_file != NULL) {
    char *abs = ex__path_absolute(proc, ev->location_file);

    if (abs != NULL) {
      ex__tool_dirname(abs);
      dirs_add(l, abs, "includer");
      free(abs);
    }
  }
  ctx.l = l;
  ctx.proc = proc;
  ctx.origin = "-I";
  ex__tool_each_option(ev->command, "-I", opt_dir, &ctx);
  ctx.origin = "-isystem";
  ex__tool_each_option(ev->command, "-isystem", opt_dir, &ctx);
  env_dirs(l, "CPATH");
  env_dirs(l, "C_INCLUDE_PATH");
  env_dirs(l, "CPLUS_INCLUDE_PATH");
  dirs_add(l, "/usr/local/include", "default");
  snprintf(dir, sizeof(dir), "/usr/include/%s", ma);
  dirs_add(l, dir, "default");
  dirs_add(l, "/usr/include", "default");

  ex_facts_str(&out->facts, "header", header);
  ex_facts_int(&out->facts, "include_dirs_checked", (long long)l->count);
  found[0] = '\0';
  for (i = 0; i < l->count; i++) {
    if (ex__tool_join(path, sizeof(path), l->dirs[i], header) != NULL &&
        ex__tool_is_file(path)) {
      ex_strlcpy(found, path, sizeof(found));
      break;
    }
  }
  if (found[0] != '\0') {
    out->stale = 1;
    ex_facts_str(&out->facts, "found_now", found);
    ex_explanation_summary(out, "%s exists now (%s, on the include path): "
                                "it was installed after the error",
                           header, found);
    ex_cause_add(out, "dev-package", EX_VERDICT_RULED_OUT, "%s exists now",
                 found);
    goto cleanup;
  }

  /* The project's own header first: the likeliest place, and the one a
   * search of the system alone would miss. */
  nstarts = project_starts(ev, proc, startbuf, starts);
  rc = ex__project_search(starts, nstarts,
                          ex__tool_home(proc, home, sizeof(home)),
                          EX_PROJECT_HEADER, header, ps);
  if (rc < 0)
    goto cleanup;
  rc = 0;
  ex__project_facts(ps, &out->facts);
  if (ps->found[0] != '\0') {
    header_in_project(ev, proc, ps, header, out);
    goto source_build;
  }
  ex__project_describe(ps, where, sizeof(where));
  /* Absence is certain only when the project was read to its bound. */
  absent = ps->complete ? EX_VERDICT_CONFIRMED : EX_VERDICT_UNKNOWN;

  /* Installed somewhere the compiler does not look. */
  nroots = 0;
  roots[nroots++] = "/usr/include";
  roots[nroots++] = "/usr/local/include";
  snprintf(dir, sizeof(dir), "/usr/lib/%s", ma);
  roots[nroots++] = dir;
  roots[nroots++] = "/opt";
  if (getenv("CONDA_PREFIX") != NULL) {
    snprintf(incdir, sizeof(incdir), "%s/include", getenv("CONDA_PREFIX"));
    roots[nroots++] = incdir;
  }
  searched_fact(&out->facts, l, roots, nroots, ps);
  found[0] = '\0';
  if (find_header_below(roots, nroots, header, found, sizeof(found))) {
    ex_cause_t *c;

    ex_strlcpy(incdir, found, sizeof(incdir));
    /* The directory to pass with -I: found minus the header's own path. */
    incdir[strlen(incdir) - strlen(header) - 1] = '\0';
    c = ex_cause_add(out, "include-path", EX_VERDICT_CONFIRMED,
                     "%s is installed as %s, but %s is not on the include "
                     "path",
                     header, found, incdir);
    if (c != NULL) {
      ex_facts_str(&c->facts, "found", found);
      ex_facts_str(&c->facts, "include_dir", incdir);
    }
    rc = ex__tool_dpkg_owner(found, "-dev", owner, sizeof(owner));
    if (rc == 0 && c != NULL)
      ex_facts_str(&c->facts, "package", owner);
    ex_cause_add(out, "dev-package", EX_VERDICT_RULED_OUT,
                 "the header is installed%s%s", rc == 0 ? " by " : "",
                 rc == 0 ? owner : "");
    rc = 0;
    ex_explanation_summary(out, "%s is in %s, which the compiler was not "
                                "told to search",
                           header, incdir);
    {
      char *q = ex_shell_quote(incdir);
      char *cmd = NULL;

      if (q != NULL && asprintf(&cmd, "export CPATH=%s${CPATH:+:$CPATH}", q) >= 0)
        ex_fix_add_raw(out, 0, cmd,
                       "add -I%s to the compiler flags (CFLAGS), or set "
                       "CPATH",
                       incdir);
      free(cmd);
      free(q);
    }
  } else {
    ex_cause_t *c;

    ex_cause_add(out, "include-path",
                 ps->complete ? EX_VERDICT_RULED_OUT : EX_VERDICT_UNKNOWN,
                     "%s is neither in %s nor under /usr/include, "
                     "/usr/local/include, /usr/lib/%s or /opt",
                     header, where, ma);
    e = header_entry(header);
    pkg = NULL;
    if (strcmp(header, "Python.h") == 0) {
      python_dev(ev, proc, pydev, sizeof(pydev));
      pkg = pydev;
    } else if (e >= 0) {
      pkg = ex__tool_or_null(is_alpine() ? header_pkgs[e].apk
                                         : header_pkgs[e].deb);
    }
    if (pkg != NULL) {
      int installed;

      installed = is_debian() && ex__tool_dpkg_installed(pkg);
      c = ex_cause_add(out, "dev-package",
                       installed ? EX_VERDICT_UNKNOWN : EX_VERDICT_CONFIRMED,
                       installed ? "%s is installed, yet %s is missing from "
                                   "it: a broken or partial installation"
                                 : "%s is not installed; it ships %s",
                       pkg, header);
      if (c != NULL)
        ex_facts_str(&c->facts, "package", pkg);
      if (is_alpine()) {
        const char *argv[] = {"apk", "add", pkg, NULL};
        ex_fix_add_cmd(out, 1, argv, "install the headers");
      } else if (is_debian()) {
        const char *argv[] = {"apt-get", "install", "-y", pkg, NULL};
        ex_fix_add_cmd(out, 1, argv, "install the headers");
      }
    } else {
      c = ex_cause_add(out, "dev-package", absent,
                       "%s is in none of the %zu include directories, nor "
                       "in %s, nor under /usr/include, /usr/local/include "
                       "or /opt: it comes from a development package or "
                       "another project (which one is not in explain's "
                       "table)",
                       header, l->count, where);
      if (is_debian()) {
        const char *argv[] = {"apt-file", "search", "--", header, NULL};
        ex_fix_add_cmd(out, 0, argv,
                       "find the package that ships it (apt-file needs "
                       "its index: apt-get install apt-file && apt-file "
                       "update)");
      }
    }
    ex_explanation_summary(out, "%s is nowhere the compiler looks, nor in "
                                "the project or the system's include "
                                "directories%s",
                           header,
                           ps->complete ? ""
                                        : " (the project was not read to "
                                          "the end)");
  }

source_build:
  kind = compiler_kind(ev->command);
  if (kind != NULL && strcmp(kind, "package-manager") == 0)
    ex_cause_add(out, "source-build", EX_VERDICT_CONFIRMED,
                 "%s is building a native extension from source (no binary "
                 "build for this platform was used)",
                 ex__tool_basename(ev->command[0]));
  else if (kind != NULL)
    ex_cause_add(out, "source-build", EX_VERDICT_RULED_OUT,
                 "the compiler was run directly, not by a package manager");

cleanup:
  free(l);
  free(ps);
  free(startbuf);
  return rc;
}

/* ---------------------------------------------------------------------- */
/* Libraries                                                               */

static const struct {
  char lib[16];
  char deb[32];
  char apk[20];
} lib_pkgs[] = {
    {"ssl", "libssl-dev", "openssl-dev"},
    {"crypto", "libssl-dev", "openssl-dev"},
    {"z", "zlib1g-dev", "zlib-dev"},
    {"ffi", "libffi-dev", "libffi-dev"},
    {"pq", "libpq-dev", "libpq-dev"},
    {"sqlite3", "libsqlite3-dev", "sqlite-dev"},
    {"curl", "libcurl4-openssl-dev", "curl-dev"},
    {"xml2", "libxml2-dev", "libxml2-dev"},
    {"bz2", "libbz2-dev", "bzip2-dev"},
    {"lzma", "liblzma-dev", "xz-dev"},
    {"zstd", "libzstd-dev", "zstd-dev"},
    {"yaml", "libyaml-dev", "yaml-dev"},
    {"jpeg", "libjpeg-dev", "libjpeg-turbo-dev"},
    {"png", "libpng-dev", "libpng-dev"},
    {"uuid", "uuid-dev", "util-linux-dev"},
    {"gmp", "libgmp-dev", "gmp-dev"},
    {"readline", "libreadline-dev", "readline-dev"},
    {"ncurses", "libncurses-dev", "ncurses-dev"},
    {"uv", "libuv1-dev", "libuv-dev"},
    {"pcre2-8", "libpcre2-dev", "pcre2-dev"},
    {"cjson", "libcjson-dev", "cjson-dev"},
    {"cmocka", "libcmocka-dev", "cmocka-dev"},
    {"GL", "libgl-dev", "mesa-dev"},
    {"X11", "libx11-dev", "libx11-dev"},
    {"pcap", "libpcap-dev", "libpcap-dev"},
    {"expat", "libexpat1-dev", "expat-dev"},
    {"mysqlclient", "default-libmysqlclient-dev", "mariadb-dev"},
    {"unwind", "libunwind-dev", "libunwind-dev"},
    {"m", "libc6-dev", "musl-dev"},
    {"pthread", "libc6-dev", "musl-dev"},
    {"dl", "libc6-dev", "musl-dev"},
    {"rt", "libc6-dev", "musl-dev"},
};

static void lib_dirs(const ex_probe_event_t *ev, const ex_proc_t *proc,
                     const ex_host_t *host, dirlist_t *l) {
  opt_ctx_t ctx;
  char ma[64];
  char dir[PATH_CAP];

  multiarch(host, ma, sizeof(ma));
  ctx.l = l;
  ctx.proc = proc;
  ctx.origin = "-L";
  ex__tool_each_option(ev->command, "-L", opt_dir, &ctx);
  env_dirs(l, "LIBRARY_PATH");
  dirs_add(l, "/usr/local/lib", "default");
  snprintf(dir, sizeof(dir), "/usr/local/lib/%s", ma);
  dirs_add(l, dir, "default");
  snprintf(dir, sizeof(dir), "/usr/lib/%s", ma);
  dirs_add(l, dir, "default");
  snprintf(dir, sizeof(dir), "/lib/%s", ma);
  dirs_add(l, dir, "default");
  dirs_add(l, "/usr/lib64", "default");
  dirs_add(l, "/lib64", "default");
  dirs_add(l, "/usr/lib", "default");
  dirs_add(l, "/lib", "default");
}

/* lib<name>.so.N in dir: its path into out. */
static int find_versioned(const char *dir, const char *name, char *out,
                          size_t size) {
  char prefix[300];
  DIR *d;
  struct dirent *e;
  size_t n;
  int count;
  int found;

  n = (size_t)snprintf(prefix, sizeof(prefix), "lib%s.so.", name);
  d = opendir(dir);
  if (d == NULL)
    return 0;
  found = 0;
  count = 0;
  while (!found && count++ < ENTRIES_MAX && (e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, prefix, n) == 0 &&
        ex__tool_join(out, size, dir, e->d_name) != NULL)
      found = ex__tool_is_file(out);
  }
  closedir(d);
  return found;
}

int ex__tool_ld_lib_applies(const ex_probe_event_t *ev) {
  return ev->rule_id != NULL && ev->subject_value != NULL &&
         ev->subject_value[0] != '\0' &&
         (strcmp(ev->rule_id, "ld.cannot-find-lib") == 0 ||
          (ev->condition != NULL &&
           strcmp(ev->condition, "library-not-found") == 0 &&
           strncmp(ev->rule_id, "ld.", 3) == 0));
}

/* A directory of the project holds the library: the link line lacks
 * it. */
static void lib_in_project(const ex_probe_event_t *ev, const ex_proc_t *proc,
                           const ex_project_search_t *ps, const char *lib,
                           ex_explanation_t *out) {
  char link[300];
  const char *base;
  ex_cause_t *c;

  base = ex__tool_basename(ps->found);
  snprintf(link, sizeof(link), "lib%s.so.", lib);
  c = ex_cause_add(out, "search-path", EX_VERDICT_CONFIRMED,
                   "the project has %s, but %s is not passed with -L nor in "
                   "LIBRARY_PATH",
                   ps->found, ps->dir);
  if (c != NULL) {
    ex_facts_str(&c->facts, "found", ps->found);
    ex_facts_str(&c->facts, "lib_dir", ps->dir);
  }
  ex_cause_add(out, "dev-package", EX_VERDICT_RULED_OUT,
               "lib%s is the project's own (%s): no package is missing", lib,
               ps->found);
  ex_explanation_summary(out, "lib%s is in %s, a directory of the project "
                              "that the linker was not told to search",
                         lib, ps->dir);
  if (strncmp(base, link, strlen(link)) == 0) {
    /* Only lib<x>.so.N: -l<x> needs the lib<x>.so link, so the fix
     * names the file instead (-l:lib<x>.so.N). */
    char flag[PATH_CAP + 8];
    char rpath[PATH_CAP + 16];
    char byname[300];
    char opt[300];
    const char *words[2];
    char **argv;
    size_t n;
    size_t i;
    size_t k;

    snprintf(flag, sizeof(flag), "-L%s", ps->dir);
    snprintf(byname, sizeof(byname), "-l:%s", base);
    snprintf(opt, sizeof(opt), "-l%s", lib);
    ex_fix_add_raw(out, 0, NULL,
                   "the project has only %s, no lib%s.so link: link it by "
                   "its file name (%s) or add the link",
                   base, lib, byname);
    for (n = 0; ev->command != NULL && ev->command[n] != NULL; n++)
      ;
    argv = n > 0 && compiler_kind(ev->command) != NULL &&
                   strcmp(compiler_kind(ev->command), "compiler") == 0
               ? calloc(n + 1, sizeof(*argv))
               : NULL;
    if (argv == NULL)
      return;
    for (i = 0, k = 0; i < n; i++) {
      if (strcmp(ev->command[i], opt) == 0) {
        argv[k++] = byname;
      } else if (strcmp(ev->command[i], "-l") == 0 && i + 1 < n &&
                 strcmp(ev->command[i + 1], lib) == 0) {
        argv[k++] = byname;
        i++;
      } else {
        argv[k++] = ev->command[i];
      }
    }
    snprintf(rpath, sizeof(rpath), "-Wl,-rpath,%s", ps->dir);
    words[0] = flag;
    words[1] = rpath;
    ex__project_fix_insert(out, argv, words, 2,
                           "link the file by its name, from the project's "
                           "directory, and record the directory for the run "
                           "time");
    free(argv);
    return;
  }
  project_dir_fixes(ev, proc, ps, 0, out);
}

int ex__tool_ld_lib_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        const ex_host_t *host, ex_explanation_t *out) {
  dirlist_t *l;
  ex_project_search_t *ps;
  char(*startbuf)[PATH_CAP];
  const char *starts[2];
  char where[2 * PATH_CAP + 256];
  char home[PATH_CAP];
  size_t nstarts;
  char name[256];
  char path[PATH_CAP];
  char found[PATH_CAP];
  char owner[128];
  char hint[260];
  const char *lib;
  const char *pkg;
  size_t i;
  int rc;

  lib = ev->subject_value;
  ex_facts_str(&out->facts, "library", lib);
  if (strstr(lib, "::") != NULL) {
    ex_cause_add(out, "cmake-target", EX_VERDICT_CONFIRMED,
                 "-l%s is a CMake target name: find_package() for it "
                 "failed or was not called before target_link_libraries()",
                 lib);
    ex_explanation_summary(out, "the link line has the CMake target %s "
                                "instead of a library",
                           lib);
    ex_fix_add_raw(out, 0, NULL,
                   "check the earlier CMake output for the failed "
                   "find_package() of %s",
                   lib);
    return 0;
  }
  l = calloc(1, sizeof(*l));
  if (l == NULL)
    return -ENOMEM;
  lib_dirs(ev, proc, host, l);
  ex_facts_int(&out->facts, "lib_dirs_checked", (long long)l->count);

  /* Present now where the linker looks: installed since. */
  for (i = 0; i < l->count; i++) {
    static const char *const sfx[] = {".so", ".a"};
    size_t k;

    for (k = 0; k < 2; k++) {
      snprintf(name, sizeof(name), "lib%s%s", lib, sfx[k]);
      if (ex__tool_join(path, sizeof(path), l->dirs[i], name) != NULL &&
          ex__tool_is_file(path)) {
        out->stale = 1;
        ex_facts_str(&out->facts, "found_now", path);
        ex_explanation_summary(out, "%s exists now, where the linker looks: "
                                    "it was installed after the error",
                               path);
        ex_cause_add(out, "dev-package", EX_VERDICT_RULED_OUT,
                     "%s exists now", path);
        free(l);
        return 0;
      }
    }
  }

  /* The project's own build of the library, where the linker was not
   * told to look. */
  ps = malloc(sizeof(*ps));
  startbuf = malloc(2 * sizeof(*startbuf));
  if (ps == NULL || startbuf == NULL) {
    free(ps);
    free(startbuf);
    free(l);
    return -ENOMEM;
  }
  nstarts = project_starts(ev, proc, startbuf, starts);
  rc = ex__project_search(starts, nstarts,
                          ex__tool_home(proc, home, sizeof(home)),
                          EX_PROJECT_LINKLIB, lib, ps);
  ex__project_facts(ps, &out->facts);
  /* A hit in a directory the linker searches already is the runtime
   * library alone, said below. */
  for (i = 0; rc > 0 && i < l->count; i++) {
    if (strcmp(l->dirs[i], ps->dir) == 0)
      rc = 0;
  }
  if (rc > 0) {
    lib_in_project(ev, proc, ps, lib, out);
    goto cleanup;
  }
  ex__project_describe(ps, where, sizeof(where));

  pkg = NULL;
  for (i = 0; i < sizeof(lib_pkgs) / sizeof(lib_pkgs[0]); i++) {
    if (strcmp(lib_pkgs[i].lib, lib) == 0)
      pkg = ex__tool_or_null(is_alpine() ? lib_pkgs[i].apk : lib_pkgs[i].deb);
  }

  /* Only the runtime library: lib<x>.so.N without the lib<x>.so link. */
  found[0] = '\0';
  for (i = 0; i < l->count && found[0] == '\0'; i++)
    (void)find_versioned(l->dirs[i], lib, found, sizeof(found));
  if (found[0] != '\0') {
    ex_cause_t *c;

    snprintf(hint, sizeof(hint), "lib%s", lib);
    rc = ex__tool_dpkg_owner(found, hint, owner, sizeof(owner));
    c = ex_cause_add(out, "dev-package", EX_VERDICT_CONFIRMED,
                     "only the runtime library is installed (%s%s%s); the "
                     "lib%s.so link the linker needs comes with the "
                     "development package",
                     found, rc == 0 ? ", from " : "", rc == 0 ? owner : "",
                     lib);
    if (c != NULL) {
      ex_facts_str(&c->facts, "runtime", found);
      if (rc == 0)
        ex_facts_str(&c->facts, "runtime_package", owner);
    }
    ex_explanation_summary(out, "lib%s.so is missing: only %s is installed",
                           lib, found);
  } else {
    ex_cause_add(out, "dev-package", pkg != NULL ? EX_VERDICT_CONFIRMED
                                                 : EX_VERDICT_UNKNOWN,
                 "no lib%s (.so, .a or .so.N) in the %zu directories the "
                 "linker searches%s",
                 lib, l->count,
                 pkg != NULL ? "" : "; which package ships it is not in "
                                    "explain's table");
    ex_explanation_summary(out, "lib%s is installed nowhere the linker "
                                "looks",
                           lib);
  }

  /* Elsewhere: /opt/<x>/lib, /usr/local/<x>/lib, conda. */
  {
    char roots[3][PATH_CAP];
    size_t nroots;
    size_t r;
    DIR *d;
    struct dirent *e;
    int n;
    int hit;

    nroots = 0;
    ex_strlcpy(roots[nroots++], "/opt", PATH_CAP);
    ex_strlcpy(roots[nroots++], "/usr/local", PATH_CAP);
    if (getenv("CONDA_PREFIX") != NULL)
      ex_strlcpy(roots[nroots++], getenv("CONDA_PREFIX"), PATH_CAP);
    hit = 0;
    for (r = 0; r < nroots && !hit; r++) {
      d = opendir(roots[r]);
      if (d == NULL)
        continue;
      n = 0;
      while (!hit && n++ < 256 && (e = readdir(d)) != NULL) {
        char dir[PATH_CAP];
        char sub[PATH_CAP];

        if (e->d_name[0] == '.' ||
            ex__tool_join(sub, sizeof(sub), roots[r], e->d_name) == NULL ||
            ex__tool_join(dir, sizeof(dir), sub, "lib") == NULL)
          continue;
        snprintf(name, sizeof(name), "lib%s.so", lib);
        if (ex__tool_join(path, sizeof(path), dir, name) != NULL &&
            ex__tool_is_file(path)) {
          hit = 1;
          break;
        }
        snprintf(name, sizeof(name), "lib%s.a", lib);
        if (ex__tool_join(path, sizeof(path), dir, name) != NULL &&
            ex__tool_is_file(path)) {
          hit = 1;
          break;
        }
      }
      closedir(d);
    }
    if (hit) {
      char dir[PATH_CAP];
      char *q;
      char *cmd;
      ex_cause_t *c;

      ex_strlcpy(dir, path, sizeof(dir));
      ex__tool_dirname(dir);
      c = ex_cause_add(out, "search-path", EX_VERDICT_CONFIRMED,
                       "%s exists, but %s is not passed with -L nor in "
                       "LIBRARY_PATH",
                       path, dir);
      if (c != NULL)
        ex_facts_str(&c->facts, "found", path);
      q = ex_shell_quote(dir);
      cmd = NULL;
      if (q != NULL &&
          asprintf(&cmd, "export LIBRARY_PATH=%s${LIBRARY_PATH:+:$LIBRARY_PATH}",
                   q) >= 0)
        ex_fix_add_raw(out, 0, cmd, "add -L%s to the link flags (LDFLAGS), "
                                    "or set LIBRARY_PATH",
                       dir);
      free(cmd);
      free(q);
    } else {
      ex_cause_add(out, "search-path",
                   ps->complete ? EX_VERDICT_RULED_OUT : EX_VERDICT_UNKNOWN,
                   "no lib%s.so or lib%s.a in %s, nor under /opt/*/lib or "
                   "/usr/local/*/lib",
                   lib, lib, where);
    }
  }

  if (pkg != NULL) {
    const char *deb[] = {"apt-get", "install", "-y", pkg, NULL};
    const char *apk[] = {"apk", "add", pkg, NULL};

    ex_fix_add_cmd(out, 1, is_alpine() ? apk : deb,
                   "install the development package");
  } else if (is_debian()) {
    const char *argv[] = {"apt-file", "search", "--", NULL, NULL};

    snprintf(name, sizeof(name), "lib%s.so", lib);
    argv[3] = name;
    ex_fix_add_cmd(out, 0, argv,
                   "find the package that ships lib%s.so (apt-file needs "
                   "its index: apt-file update)",
                   lib);
  }

cleanup:
  free(l);
  free(ps);
  free(startbuf);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Undefined references                                                    */

/* Symbol prefixes -> the library that defines them. "pthread" and "dl" are
 * in libc since glibc 2.34, which the check of the link line allows. */
static const struct {
  char prefix[16];
  int exact;
  char lib[12];
} symbol_libs[] = {
    {"pthread_", 0, "pthread"}, {"sqrt", 1, "m"},       {"sin", 1, "m"},
    {"cos", 1, "m"},            {"tan", 1, "m"},        {"pow", 1, "m"},
    {"exp", 1, "m"},            {"log", 1, "m"},        {"log10", 1, "m"},
    {"floor", 1, "m"},          {"ceil", 1, "m"},       {"fmod", 1, "m"},
    {"round", 1, "m"},          {"atan2", 1, "m"},      {"sqrtf", 1, "m"},
    {"powf", 1, "m"},           {"dlopen", 1, "dl"},    {"dlsym", 1, "dl"},
    {"dlclose", 1, "dl"},       {"dlerror", 1, "dl"},   {"shm_open", 1, "rt"},
    {"timer_create", 1, "rt"},  {"SSL_", 0, "ssl"},     {"TLS_", 0, "ssl"},
    {"EVP_", 0, "crypto"},      {"ERR_", 0, "crypto"},  {"BIO_", 0, "crypto"},
    {"RAND_", 0, "crypto"},     {"SHA256", 0, "crypto"}, {"deflate", 0, "z"},
    {"inflate", 0, "z"},        {"compress", 0, "z"},   {"uncompress", 0, "z"},
    {"crc32", 1, "z"},          {"gz", 0, "z"},         {"curl_", 0, "curl"},
    {"sqlite3_", 0, "sqlite3"}, {"uv_", 0, "uv"},       {"pcre2_", 0, "pcre2-8"},
    {"cJSON_", 0, "cjson"},     {"xml", 0, "xml2"},     {"PQ", 0, "pq"},
    {"BZ2_", 0, "bz2"},         {"lzma_", 0, "lzma"},   {"ZSTD_", 0, "zstd"},
    {"png_", 0, "png"},         {"jpeg_", 0, "jpeg"},   {"pcap_", 0, "pcap"},
    {"_cmocka", 0, "cmocka"},   {"unw_", 0, "unwind"},
};

static const char *symbol_lib(const char *sym) {
  size_t i;

  for (i = 0; i < sizeof(symbol_libs) / sizeof(symbol_libs[0]); i++) {
    if (symbol_libs[i].exact ? strcmp(sym, symbol_libs[i].prefix) == 0
                             : strncmp(sym, symbol_libs[i].prefix,
                                       strlen(symbol_libs[i].prefix)) == 0)
      return symbol_libs[i].lib;
  }
  return NULL;
}

static int is_input_file(const char *a) {
  static const char *const exts[] = {".c", ".cc", ".cpp", ".cxx", ".o",
                                     ".a", ".so", ".C", ".s", ".S"};
  size_t i;
  size_t n;
  size_t e;

  if (a[0] == '-')
    return 0;
  n = strlen(a);
  for (i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
    e = strlen(exts[i]);
    if (n > e && strcmp(a + n - e, exts[i]) == 0)
      return 1;
  }
  return 0;
}

/* A line that looks like the definition of name: "name(" on a line that
 * starts in column 0 (C style) and does not end with ";". */
static int defines(const char *text, const char *name) {
  const char *p;
  const char *bol;
  const char *eol;
  const char *q;
  size_t n;

  n = strlen(name);
  for (p = strstr(text, name); p != NULL; p = strstr(p + n, name)) {
    if (p > text && (p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z') ||
                     (p[-1] >= 'A' && p[-1] <= 'Z') ||
                     (p[-1] >= '0' && p[-1] <= '9')))
      continue;
    q = p + n;
    while (*q == ' ')
      q++;
    if (*q != '(')
      continue;
    for (bol = p; bol > text && bol[-1] != '\n'; bol--)
      ;
    if (*bol == ' ' || *bol == '\t' || *bol == '#' || *bol == '/' ||
        *bol == '*')
      continue;
    eol = strchr(q, '\n');
    if (eol == NULL)
      eol = q + strlen(q);
    while (eol > q && (eol[-1] == ' ' || eol[-1] == '\r'))
      eol--;
    if (eol > q && eol[-1] == ';')
      continue;
    return 1;
  }
  return 0;
}

/* A source file in dir (not recursive) that defines name: into out. */
static int find_definition(const char *dir, const char *name, char *out,
                           size_t size) {
  DIR *d;
  struct dirent *e;
  char path[PATH_CAP];
  char *buf;
  ssize_t len;
  int files;
  int found;

  d = opendir(dir);
  if (d == NULL)
    return 0;
  buf = malloc(SOURCE_BYTES);
  if (buf == NULL) {
    closedir(d);
    return 0;
  }
  found = 0;
  files = 0;
  while (!found && files < SOURCES_MAX && (e = readdir(d)) != NULL) {
    const char *dot = strrchr(e->d_name, '.');

    if (dot == NULL || (strcmp(dot, ".c") != 0 && strcmp(dot, ".cc") != 0 &&
                        strcmp(dot, ".cpp") != 0 && strcmp(dot, ".cxx") != 0))
      continue;
    files++;
    if (ex__tool_join(path, sizeof(path), dir, e->d_name) == NULL)
      continue;
    len = ex_read_small(path, buf, SOURCE_BYTES);
    if (len > 0 && defines(buf, name)) {
      ex_strlcpy(out, path, size);
      found = 1;
    }
  }
  free(buf);
  closedir(d);
  return found;
}

int ex__tool_ld_symbol_applies(const ex_probe_event_t *ev) {
  return ev->rule_id != NULL && ev->subject_value != NULL &&
         ev->subject_value[0] != '\0' &&
         (strcmp(ev->rule_id, "ld.undefined-reference") == 0 ||
          (ev->condition != NULL &&
           strcmp(ev->condition, "undefined-symbol") == 0 &&
           strncmp(ev->rule_id, "ld.", 3) == 0));
}

int ex__tool_ld_symbol_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                           const ex_host_t *host, ex_explanation_t *out) {
  char plain[256];
  char opt[300];
  char def[PATH_CAP];
  const char *sym;
  const char *lib;
  const char *kind;
  size_t i;
  long lib_at;
  long last_input;
  int cplusplus;

  (void)host;
  sym = ev->subject_value;
  ex_facts_str(&out->facts, "symbol", sym);
  /* "ns::f(int)" -> "f": the plain name to look for. */
  {
    const char *start;
    const char *paren;
    const char *colons;

    paren = strchr(sym, '(');
    start = sym;
    for (colons = strstr(sym, "::"); colons != NULL &&
                                     (paren == NULL || colons < paren);
         colons = strstr(colons + 2, "::"))
      start = colons + 2;
    snprintf(plain, sizeof(plain), "%.*s",
             (int)(paren != NULL ? (size_t)(paren - start) : strlen(start)),
             start);
    cplusplus = paren != NULL || strncmp(sym, "_Z", 2) == 0;
  }

  kind = compiler_kind(ev->command);
  lib = symbol_lib(plain);
  if (lib != NULL)
    ex_facts_str(&out->facts, "defined_by", lib);
  ex_explanation_summary(out, "nothing on the link line defines %s%s%s",
                         sym, lib != NULL ? "; it is in lib" : "",
                         lib != NULL ? lib : "");

  if (lib != NULL && kind != NULL && strcmp(kind, "compiler") == 0) {
    /* Where -l<lib> is on the command line, against the inputs. */
    snprintf(opt, sizeof(opt), "-l%s", lib);
    lib_at = -1;
    last_input = -1;
    for (i = 0; ev->command[i] != NULL; i++) {
      if (strcmp(ev->command[i], opt) == 0 ||
          (strcmp(lib, "pthread") == 0 &&
           strcmp(ev->command[i], "-pthread") == 0)) {
        if (lib_at < 0 || strcmp(ev->command[i], "-pthread") == 0)
          lib_at = (long)i;
      } else if (is_input_file(ev->command[i])) {
        last_input = (long)i;
      }
    }
    if (lib_at < 0) {
      ex_cause_add(out, "library-missing", EX_VERDICT_CONFIRMED,
                   "%s is defined by lib%s, and %s is not on the command "
                   "line",
                   sym, lib, opt);
      ex_cause_add(out, "library-order", EX_VERDICT_RULED_OUT,
                   "%s is not on the command line at all", opt);
      ex_fix_add_raw(out, 0, NULL, "add %s after the source and object "
                                   "files on the link line",
                     strcmp(lib, "pthread") == 0 ? "-pthread" : opt);
    } else if (lib_at < last_input && strcmp(ev->command[lib_at],
                                             "-pthread") != 0) {
      ex_cause_add(out, "library-missing", EX_VERDICT_RULED_OUT,
                   "%s is on the command line", opt);
      ex_cause_add(out, "library-order", EX_VERDICT_CONFIRMED,
                   "%s comes before %s, which uses it: GNU ld only takes "
                   "from a library what earlier files need",
                   opt, ev->command[last_input]);
      ex_fix_add_raw(out, 0, NULL, "move %s after %s", opt,
                     ev->command[last_input]);
    } else {
      ex_cause_add(out, "library-missing", EX_VERDICT_RULED_OUT,
                   "%s is on the command line, after the inputs", opt);
      ex_cause_add(out, "library-order", EX_VERDICT_RULED_OUT,
                   "%s comes after the files that use it", opt);
    }
  } else if (lib != NULL) {
    ex_cause_add(out, "library-missing", EX_VERDICT_UNKNOWN,
                 "%s is defined by lib%s; the link line is not visible "
                 "(the command was %s), so whether -l%s is on it could "
                 "not be checked",
                 sym, lib,
                 ev->command != NULL ? ex__tool_basename(ev->command[0])
                                     : "not run by explain",
                 lib);
    ex_fix_add_raw(out, 0, NULL, "add -l%s after the objects (LDLIBS in "
                                 "make, target_link_libraries in CMake)",
                   lib);
  }

  /* The project's own definition, not compiled in. */
  if (proc->cwd[0] != '\0' &&
      find_definition(proc->cwd, plain, def, sizeof(def))) {
    int on_line;
    const char *dot;

    on_line = 0;
    for (i = 0; ev->command != NULL && ev->command[i] != NULL; i++) {
      if (strcmp(ex__tool_basename(ev->command[i]),
                 ex__tool_basename(def)) == 0)
        on_line = 1;
    }
    dot = strrchr(def, '.');
    if (cplusplus && dot != NULL && strcmp(dot, ".c") == 0) {
      ex_cause_add(out, "linkage", EX_VERDICT_CONFIRMED,
                   "%s is defined in the C file %s, but C++ code looks for "
                   "the C++ name %s: the declaration lacks extern \"C\"",
                   plain, def, sym);
      ex_fix_add_raw(out, 0, NULL, "wrap the declaration of %s in extern "
                                   "\"C\" { ... } in its header",
                     plain);
    } else if (kind != NULL && strcmp(kind, "compiler") == 0 && !on_line) {
      ex_cause_t *c;

      c = ex_cause_add(out, "object-missing", EX_VERDICT_CONFIRMED,
                       "%s is defined in %s, which is not on the command "
                       "line",
                       plain, def);
      if (c != NULL)
        ex_facts_str(&c->facts, "defined_in", def);
      ex_fix_add_raw(out, 0, NULL, "compile and link %s too", def);
    } else {
      ex_cause_t *c;

      c = ex_cause_add(out, "object-missing",
                       on_line ? EX_VERDICT_RULED_OUT : EX_VERDICT_UNKNOWN,
                       on_line ? "%s defines %s and is on the command line"
                               : "%s defines %s; whether it is linked could "
                                 "not be seen",
                       def, plain);
      if (c != NULL)
        ex_facts_str(&c->facts, "defined_in", def);
    }
  } else if (lib == NULL && proc->cwd[0] != '\0') {
    ex_cause_add(out, "object-missing", EX_VERDICT_RULED_OUT,
                 "no source file in %s defines %s", proc->cwd, plain);
  }
  if (strstr(sym, "std::__cxx11") != NULL)
    ex_cause_add(out, "linkage", EX_VERDICT_CONFIRMED,
                 "the symbol uses the C++11 ABI (std::__cxx11): a library "
                 "built with the other _GLIBCXX_USE_CXX11_ABI setting cannot "
                 "provide it");
  return 0;
}
