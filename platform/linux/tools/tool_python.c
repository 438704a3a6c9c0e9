/* Python: ModuleNotFoundError and pip's "externally-managed-environment"
 * (PEP 668).
 *
 * Which interpreter ran, and where it looks for modules, is read from the
 * disk (the command line, "#!" lines, pyvenv.cfg, the site-packages
 * directories), never by running Python: running the interpreter the
 * command used would mean running a program chosen by the command. */
#include "platform/linux/tools/tool_util.h"

#include "platform/linux/proc/project.h"
#include "platform/linux/proc/sys.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_CAP EX_PROC_PATH_MAX
/* How many module directories are looked at, at most. */
#define PLACES_MAX 48
/* How many levels above the working directory a venv is looked for. */
#define UP_LEVELS 3

typedef struct py_interp {
  char invoked[PATH_CAP]; /* the interpreter as the user named it, or "" */
  char exe[PATH_CAP];     /* the real executable, or "" */
  char venv[PATH_CAP];    /* the venv it belongs to, or "" */
  char prefix[PATH_CAP];  /* the base installation (/usr, ~/.pyenv/...) */
  char version[16];       /* "3.11", or "" */
  int system_site;        /* the venv also sees the base site-packages */
} py_interp_t;

typedef struct place {
  char dir[PATH_CAP];
  const char *kind; /* "venv", "conda", "system", "user", "pyenv", ... */
  int used;         /* on the path of the interpreter that ran */
} place_t;

typedef struct places {
  place_t *items;
  size_t count;
} places_t;

/* Import names that differ from the name to install. The apt name is the
 * Debian package, for externally managed interpreters ("": none). */
static const struct {
  char module[16];
  char dist[24];
  char apt[24];
} dist_names[] = {
    {"cv2", "opencv-python", "python3-opencv"},
    {"yaml", "PyYAML", "python3-yaml"},
    {"PIL", "Pillow", "python3-pil"},
    {"sklearn", "scikit-learn", "python3-sklearn"},
    {"skimage", "scikit-image", "python3-skimage"},
    {"bs4", "beautifulsoup4", "python3-bs4"},
    {"dotenv", "python-dotenv", "python3-dotenv"},
    {"Crypto", "pycryptodome", "python3-pycryptodome"},
    {"jwt", "PyJWT", "python3-jwt"},
    {"serial", "pyserial", "python3-serial"},
    {"docx", "python-docx", "python3-docx"},
    {"fitz", "PyMuPDF", "python3-fitz"},
    {"dateutil", "python-dateutil", "python3-dateutil"},
    {"OpenSSL", "pyOpenSSL", "python3-openssl"},
    {"MySQLdb", "mysqlclient", "python3-mysqldb"},
    {"psycopg2", "psycopg2-binary", "python3-psycopg2"},
    {"gi", "PyGObject", "python3-gi"},
    {"attr", "attrs", "python3-attr"},
    {"magic", "python-magic", "python3-magic"},
    {"google", "protobuf", "python3-protobuf"},
    {"Levenshtein", "python-Levenshtein", "python3-levenshtein"},
    {"zmq", "pyzmq", "python3-zmq"},
    {"usb", "pyusb", "python3-usb"},
    {"win32api", "pywin32", ""},
};

static int is_python_name(const char *path) {
  return strncmp(ex__tool_basename(path), "python", 6) == 0;
}

/* "key = value" from pyvenv.cfg into out; returns 1 when found. */
static int cfg_value(const char *text, const char *key, char *out,
                     size_t size) {
  const char *p;
  const char *v;
  const char *end;
  size_t n;

  n = strlen(key);
  for (p = text; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
    if (*p == '\n')
      p++;
    while (*p == ' ' || *p == '\t')
      p++;
    if (strncmp(p, key, n) != 0)
      continue;
    v = p + n;
    while (*v == ' ' || *v == '\t')
      v++;
    if (*v != '=')
      continue;
    v++;
    while (*v == ' ' || *v == '\t')
      v++;
    end = v + strcspn(v, "\r\n");
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
      end--;
    snprintf(out, size, "%.*s", (int)(end - v), v);
    return 1;
  }
  return 0;
}

/* "3.11" from "3.11.2" or from "python3.11". */
static void major_minor(const char *s, char *out, size_t size) {
  const char *p;
  int a;
  int b;

  out[0] = '\0';
  for (p = s; *p != '\0' && (*p < '0' || *p > '9'); p++)
    ;
  if (sscanf(p, "%d.%d", &a, &b) == 2)
    snprintf(out, size, "%d.%d", a, b);
}

/* The venv holding the interpreter at path (<venv>/bin/python), or "".
 * Also reads what pyvenv.cfg says about the base installation. */
static int venv_of(const char *path, py_interp_t *py) {
  char dir[PATH_CAP];
  char cfgpath[PATH_CAP];
  char value[PATH_CAP];
  char *text;

  ex_strlcpy(dir, path, sizeof(dir));
  ex__tool_dirname(dir);
  if (strcmp(ex__tool_basename(dir), "bin") != 0)
    return 0;
  ex__tool_dirname(dir);
  if (ex__tool_join(cfgpath, sizeof(cfgpath), dir, "pyvenv.cfg") == NULL)
    return 0;
  text = ex__tool_slurp(cfgpath);
  if (text == NULL)
    return 0;
  if (py != NULL) {
    ex_strlcpy(py->venv, dir, sizeof(py->venv));
    if (cfg_value(text, "home", value, sizeof(value))) {
      ex__tool_dirname(value); /* home = /usr/bin -> prefix /usr */
      ex_strlcpy(py->prefix, value, sizeof(py->prefix));
    }
    if (cfg_value(text, "version", value, sizeof(value)) ||
        cfg_value(text, "version_info", value, sizeof(value)))
      major_minor(value, py->version, sizeof(py->version));
    if (cfg_value(text, "include-system-site-packages", value,
                  sizeof(value)))
      py->system_site = strcmp(value, "true") == 0;
  }
  free(text);
  return 1;
}

/* The first word of the command that names the program Python runs, or
 * NULL: "python3 -X dev app.py" -> "app.py". *mode is set to 'm' or 'c'
 * when the program comes from -m or -c. */
static const char *script_arg(char *const *argv, int *mode) {
  size_t i;
  const char *a;

  *mode = 0;
  if (argv == NULL || argv[0] == NULL)
    return NULL;
  for (i = 1; argv[i] != NULL; i++) {
    a = argv[i];
    if (strcmp(a, "-m") == 0 || strcmp(a, "-c") == 0) {
      *mode = a[1];
      return argv[i + 1];
    }
    if (strncmp(a, "-m", 2) == 0 || strncmp(a, "-c", 2) == 0) {
      *mode = a[1];
      return a + 2;
    }
    /* Options that take a value as the next word. */
    if (strcmp(a, "-W") == 0 || strcmp(a, "-X") == 0) {
      if (argv[i + 1] == NULL)
        return NULL;
      i++;
      continue;
    }
    if (a[0] == '-')
      continue;
    return a;
  }
  return NULL;
}

/* Works out which interpreter ran: the command's first word (through PATH
 * and "#!" lines), else the executable of the process. */
static void interp_find(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        py_interp_t *py) {
  char path[PATH_CAP];
  char target[PATH_CAP];
  char real[PATH_MAX];
  const char *cmd0;

  memset(py, 0, sizeof(*py));
  cmd0 = ev->command != NULL ? ev->command[0] : NULL;
  if (cmd0 != NULL && ex__tool_which(proc, cmd0, path, sizeof(path)) == 0) {
    if (ex__tool_shebang(proc, path, target, sizeof(target)) == 0) {
      /* A script (pip, pytest, a console script): its "#!" names the
       * interpreter. A pyenv shim is a shell script: leave it to exe. */
      if (is_python_name(target))
        ex_strlcpy(py->invoked, target, sizeof(py->invoked));
    } else if (is_python_name(path)) {
      ex_strlcpy(py->invoked, path, sizeof(py->invoked));
    }
  }
  /* The process's own exe is the real interpreter (a venv's python is a
   * symlink to it); with --log it is explain's own and says nothing. */
  if (proc->valid && !proc->from_self && is_python_name(proc->exe))
    ex_strlcpy(py->exe, proc->exe, sizeof(py->exe));
  else if (py->invoked[0] != '\0' && realpath(py->invoked, real) != NULL)
    ex_strlcpy(py->exe, real, sizeof(py->exe));
  if (py->invoked[0] == '\0')
    ex_strlcpy(py->invoked, py->exe, sizeof(py->invoked));
  if (py->invoked[0] != '\0')
    (void)venv_of(py->invoked, py);
  if (py->version[0] == '\0' && py->exe[0] != '\0')
    major_minor(ex__tool_basename(py->exe), py->version,
                sizeof(py->version));
  if (py->prefix[0] == '\0' && py->exe[0] != '\0') {
    ex_strlcpy(py->prefix, py->exe, sizeof(py->prefix));
    ex__tool_dirname(py->prefix);
    ex__tool_dirname(py->prefix);
  }
}

static place_t *place_add(places_t *pl, const char *dir, const char *kind,
                          int used) {
  size_t i;

  if (pl->count >= PLACES_MAX || !ex__tool_is_dir(dir))
    return NULL;
  for (i = 0; i < pl->count; i++) {
    if (strcmp(pl->items[i].dir, dir) == 0) {
      pl->items[i].used |= used;
      return NULL;
    }
  }
  ex_strlcpy(pl->items[pl->count].dir, dir, PATH_CAP);
  pl->items[pl->count].kind = kind;
  pl->items[pl->count].used = used;
  return &pl->items[pl->count++];
}

/* Adds root/lib/pythonX.Y/{site,dist}-packages for each pythonX.Y under
 * root/lib (version "" means every version found). */
static void add_lib_dirs(places_t *pl, const char *root, const char *version,
                         const char *kind, int used) {
  char lib[PATH_CAP];
  char dir[PATH_CAP];
  char name[320];
  DIR *d;
  struct dirent *e;

  if (ex__tool_join(lib, sizeof(lib), root, "lib") == NULL)
    return;
  if (version[0] != '\0') {
    snprintf(name, sizeof(name), "python%s/site-packages", version);
    if (ex__tool_join(dir, sizeof(dir), lib, name) != NULL)
      place_add(pl, dir, kind, used);
    snprintf(name, sizeof(name), "python%s/dist-packages", version);
    if (ex__tool_join(dir, sizeof(dir), lib, name) != NULL)
      place_add(pl, dir, kind, used);
    return;
  }
  d = opendir(lib);
  if (d == NULL)
    return;
  while ((e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, "python", 6) != 0 || strlen(e->d_name) > 40)
      continue;
    snprintf(name, sizeof(name), "%s/site-packages", e->d_name);
    if (ex__tool_join(dir, sizeof(dir), lib, name) != NULL)
      place_add(pl, dir, kind, used);
    snprintf(name, sizeof(name), "%s/dist-packages", e->d_name);
    if (ex__tool_join(dir, sizeof(dir), lib, name) != NULL)
      place_add(pl, dir, kind, used);
  }
  closedir(d);
}

/* The directories the interpreter that ran imports from. */
static void add_used_dirs(places_t *pl, const py_interp_t *py,
                          const char *home) {
  char dir[PATH_CAP];
  char item[PATH_CAP];
  const char *pp;
  const char *end;

  /* PYTHONPATH comes first on sys.path, whatever the interpreter. */
  pp = getenv("PYTHONPATH");
  for (; pp != NULL && *pp != '\0'; pp = *end != '\0' ? end + 1 : end) {
    end = strchr(pp, ':');
    if (end == NULL)
      end = pp + strlen(pp);
    snprintf(item, sizeof(item), "%.*s", (int)(end - pp), pp);
    if (item[0] == '/')
      place_add(pl, item, "pythonpath", 1);
  }
  if (py->venv[0] != '\0') {
    add_lib_dirs(pl, py->venv, py->version, "venv", 1);
    if (!py->system_site)
      return;
  }
  if (py->prefix[0] == '\0')
    return;
  if (py->version[0] != '\0') {
    snprintf(item, sizeof(item), "lib/python%s", py->version);
    if (ex__tool_join(dir, sizeof(dir), py->prefix, item) != NULL)
      place_add(pl, dir, "stdlib", 1);
  }
  add_lib_dirs(pl, py->prefix, py->version, "system", 1);
  /* Debian's interpreter also reads /usr/lib/python3/dist-packages and
   * /usr/local/lib/python3.X/dist-packages. */
  if (ex__tool_join(dir, sizeof(dir), py->prefix, "lib/python3/dist-packages")
      != NULL)
    place_add(pl, dir, "system", 1);
  if (strcmp(py->prefix, "/usr") == 0)
    add_lib_dirs(pl, "/usr/local", py->version, "system", 1);
  if (home[0] != '\0' && py->version[0] != '\0' && py->venv[0] == '\0') {
    snprintf(item, sizeof(item), ".local/lib/python%s/site-packages",
             py->version);
    if (ex__tool_join(dir, sizeof(dir), home, item) != NULL)
      place_add(pl, dir, "user", 1);
  }
}

/* A venv of any name among the directories at the top of the project
 * around start ("py311/", "env-dev/"): the next place after the usual
 * names, bounded by ENTRIES_MAX entries. */
#define ENTRIES_MAX 512
static void project_venv(const char *start, const py_interp_t *py, char *out,
                         size_t size) {
  char top[PATH_CAP];
  char cand[PATH_CAP];
  char cfg[PATH_CAP];
  const char *marker;
  struct dirent *e;
  DIR *d;
  int n;

  if (start[0] != '/' ||
      ex__project_root(start, top, sizeof(top), &marker) != 0 ||
      marker == NULL)
    return;
  d = opendir(top);
  if (d == NULL)
    return;
  for (n = 0; n < ENTRIES_MAX && (e = readdir(d)) != NULL; n++) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
        (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) ||
        ex__tool_join(cand, sizeof(cand), top, e->d_name) == NULL ||
        ex__tool_join(cfg, sizeof(cfg), cand, "pyvenv.cfg") == NULL)
      continue;
    if (ex__tool_is_file(cfg) && strcmp(cand, py->venv) != 0) {
      ex_strlcpy(out, cand, size);
      break;
    }
  }
  closedir(d);
}

/* Venvs next to the project: .venv, venv, env in dir and UP_LEVELS of its
 * parents. Writes the first found that is not the interpreter's own into
 * out. */
static void find_near_venv(const char *start, const py_interp_t *py,
                           char *out, size_t size) {
  static const char *const names[] = {".venv", "venv", "env", ".env"};
  char dir[PATH_CAP];
  char cand[PATH_CAP];
  char cfg[PATH_CAP];
  size_t i;
  int level;

  ex_strlcpy(dir, start, sizeof(dir));
  for (level = 0; level <= UP_LEVELS && dir[0] == '/'; level++) {
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
      if (ex__tool_join(cand, sizeof(cand), dir, names[i]) == NULL ||
          ex__tool_join(cfg, sizeof(cfg), cand, "pyvenv.cfg") == NULL)
        continue;
      if (!ex__tool_is_file(cfg) || strcmp(cand, py->venv) == 0)
        continue;
      ex_strlcpy(out, cand, size);
      return;
    }
    if (strcmp(dir, "/") == 0)
      break;
    ex__tool_dirname(dir);
  }
  project_venv(start, py, out, size);
}

/* Other interpreters' directories on this machine: a bounded list. */
static void add_other_dirs(places_t *pl, const char *home) {
  char dir[PATH_CAP];
  DIR *d;
  struct dirent *e;
  const char *conda;
  int n;

  conda = getenv("CONDA_PREFIX");
  if (conda != NULL && conda[0] == '/')
    add_lib_dirs(pl, conda, "", "conda", 0);
  add_lib_dirs(pl, "/usr/local", "", "system", 0);
  add_lib_dirs(pl, "/usr", "", "system", 0);
  place_add(pl, "/usr/lib/python3/dist-packages", "system", 0);
  if (home[0] == '\0')
    return;
  if (ex__tool_join(dir, sizeof(dir), home, ".local") != NULL)
    add_lib_dirs(pl, dir, "", "user", 0);
  if (ex__tool_join(dir, sizeof(dir), home, ".pyenv/versions") == NULL)
    return;
  d = opendir(dir);
  if (d == NULL)
    return;
  n = 0;
  while ((e = readdir(d)) != NULL && n < 8) {
    char root[PATH_CAP];

    if (e->d_name[0] == '.' ||
        ex__tool_join(root, sizeof(root), dir, e->d_name) == NULL)
      continue;
    add_lib_dirs(pl, root, "", "pyenv", 0);
    n++;
  }
  closedir(d);
}

/* 1 when dir holds the top-level module name: a package directory, a
 * name.py, or an extension name.<tag>.so. */
static int dir_has_module(const char *dir, const char *name) {
  char path[PATH_CAP];
  char file[256];
  DIR *d;
  struct dirent *e;
  size_t n;
  int found;

  if (ex__tool_join(path, sizeof(path), dir, name) != NULL &&
      ex__tool_is_dir(path))
    return 1;
  snprintf(file, sizeof(file), "%s.py", name);
  if (ex__tool_join(path, sizeof(path), dir, file) != NULL &&
      ex__tool_is_file(path))
    return 1;
  d = opendir(dir);
  if (d == NULL)
    return 0;
  n = strlen(name);
  found = 0;
  while (!found && (e = readdir(d)) != NULL) {
    if (strncmp(e->d_name, name, n) == 0 && e->d_name[n] == '.' &&
        strcmp(e->d_name + strlen(e->d_name) - 3, ".so") == 0)
      found = 1;
  }
  closedir(d);
  return found;
}

static void top_level(const char *module, char *out, size_t size) {
  size_t n;

  n = strcspn(module, ".");
  if (n >= size)
    n = size - 1;
  memcpy(out, module, n);
  out[n] = '\0';
}

/* The stdlib directory of the interpreter's base installation. */
static int stdlib_dir(const py_interp_t *py, char *out, size_t size) {
  char item[64];

  if (py->prefix[0] == '\0' || py->version[0] == '\0')
    return -ENOENT;
  snprintf(item, sizeof(item), "lib/python%s", py->version);
  return ex__tool_join(out, size, py->prefix, item) != NULL ? 0 : -ENAMETOOLONG;
}

/* 1 when the base installation carries the PEP 668 marker (marker path
 * into out). */
static int externally_managed(const py_interp_t *py, char *out, size_t size) {
  char dir[PATH_CAP];

  out[0] = '\0';
  if (stdlib_dir(py, dir, sizeof(dir)) != 0 ||
      ex__tool_join(out, size, dir, "EXTERNALLY-MANAGED") == NULL)
    return 0;
  return ex__tool_is_file(out);
}

/* The interpreter of the first pip on PATH, with its venv, into out. */
static int pip_interp(const ex_proc_t *proc, char *out, size_t size) {
  char path[PATH_CAP];
  static const char *const names[] = {"pip", "pip3"};
  size_t i;

  for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    if (ex__tool_which(proc, names[i], path, sizeof(path)) != 0)
      continue;
    if (ex__tool_shebang(proc, path, out, size) != 0 ||
        !is_python_name(out))
      return -ENOEXEC; /* a wrapper (pyenv shim): its python is unknown */
    return 0;
  }
  return -ENOENT;
}

/* 1 when the interpreters at a and b are the same (same venv, same real
 * executable). */
static int same_interp(const char *a, const char *b) {
  py_interp_t pa;
  py_interp_t pb;
  char ra[PATH_MAX];
  char rb[PATH_MAX];

  memset(&pa, 0, sizeof(pa));
  memset(&pb, 0, sizeof(pb));
  (void)venv_of(a, &pa);
  (void)venv_of(b, &pb);
  if (strcmp(pa.venv, pb.venv) != 0)
    return 0;
  if (realpath(a, ra) == NULL || realpath(b, rb) == NULL)
    return strcmp(a, b) == 0;
  return strcmp(ra, rb) == 0;
}

/* The command with its first word replaced by first (argv is the
 * command's; words are shell-quoted). Caller frees. */
static char *command_with(const char *first, char *const *argv,
                          size_t skip) {
  char *out;
  char *q;
  size_t len;
  size_t n;
  size_t i;
  char *grown;

  out = ex_shell_quote(first);
  if (out == NULL || argv == NULL)
    return out;
  len = strlen(out);
  for (i = skip; argv[i] != NULL; i++) {
    q = ex_shell_quote(argv[i]);
    if (q == NULL)
      goto fail;
    n = strlen(q);
    grown = realloc(out, len + n + 2);
    if (grown == NULL) {
      free(q);
      goto fail;
    }
    out = grown;
    out[len++] = ' ';
    memcpy(out + len, q, n + 1);
    len += n;
    free(q);
  }
  return out;

fail:
  free(out);
  return NULL;
}

static void interp_facts(ex_explanation_t *out, const py_interp_t *py) {
  const char *ve;

  ex_facts_str(&out->facts, "interpreter", py->invoked);
  ex_facts_str(&out->facts, "executable", py->exe);
  ex_facts_str(&out->facts, "python_version", py->version);
  ex_facts_str(&out->facts, "venv", py->venv);
  ve = getenv("VIRTUAL_ENV");
  ex_facts_str(&out->facts, "virtual_env", ve != NULL ? ve : "");
}

/* ---------------------------------------------------------------------- */
/* ModuleNotFoundError                                                     */

int ex__tool_py_module_applies(const ex_probe_event_t *ev) {
  return ev->rule_id != NULL && ev->subject_value != NULL &&
         ev->subject_value[0] != '\0' &&
         (strcmp(ev->rule_id, "python.module-not-found") == 0 ||
          (strncmp(ev->rule_id, "python.", 7) == 0 && ev->condition != NULL &&
           strcmp(ev->condition, "module-not-found") == 0));
}

typedef struct mod_scan {
  char top[128];
  char used_hit[PATH_CAP];  /* where the interpreter that ran has it now */
  char other_hit[PATH_CAP]; /* another interpreter's directory that has it */
  const char *other_kind;
  char venv[PATH_CAP];      /* a venv next to the project, not used */
  int venv_has;
  size_t nused;
  size_t nother;
} mod_scan_t;

static void scan_module(const ex_proc_t *proc, const py_interp_t *py,
                        const char *home, const char *script_dir,
                        mod_scan_t *s, places_t *pl) {
  char dir[PATH_CAP];
  const char *ve;
  size_t i;

  add_used_dirs(pl, py, home);
  /* The nearby venv: next to the working directory, or next to the
   * script; or the one VIRTUAL_ENV names but the command did not use. */
  if (proc->cwd[0] != '\0')
    find_near_venv(proc->cwd, py, s->venv, sizeof(s->venv));
  if (s->venv[0] == '\0' && script_dir[0] != '\0')
    find_near_venv(script_dir, py, s->venv, sizeof(s->venv));
  ve = getenv("VIRTUAL_ENV");
  if (s->venv[0] == '\0' && ve != NULL && ve[0] == '/' &&
      strcmp(ve, py->venv) != 0 &&
      ex__tool_join(dir, sizeof(dir), ve, "pyvenv.cfg") != NULL &&
      ex__tool_is_file(dir))
    ex_strlcpy(s->venv, ve, sizeof(s->venv));
  if (s->venv[0] != '\0')
    add_lib_dirs(pl, s->venv, "", "venv", 0);
  add_other_dirs(pl, home);

  for (i = 0; i < pl->count; i++) {
    if (pl->items[i].used)
      s->nused++;
    else
      s->nother++;
    if (!dir_has_module(pl->items[i].dir, s->top))
      continue;
    if (pl->items[i].used) {
      if (s->used_hit[0] == '\0')
        ex_strlcpy(s->used_hit, pl->items[i].dir, sizeof(s->used_hit));
    } else if (s->venv[0] != '\0' &&
               ex__tool_path_under(pl->items[i].dir, s->venv)) {
      s->venv_has = 1;
    } else if (s->other_hit[0] == '\0') {
      ex_strlcpy(s->other_hit, pl->items[i].dir, sizeof(s->other_hit));
      s->other_kind = pl->items[i].kind;
    }
  }
}

/* Looks for the project's own package named top: in the working directory
 * and the parents of the script's directory, but not where Python looked
 * (path0). Writes the directory holding it into out. */
static int find_local_package(const char *top, const char *cwd,
                              const char *path0, char *out, size_t size) {
  char dir[PATH_CAP];
  int level;

  if (cwd[0] != '\0' && strcmp(cwd, path0) != 0 && dir_has_module(cwd, top)) {
    ex_strlcpy(out, cwd, size);
    return 1;
  }
  ex_strlcpy(dir, path0, sizeof(dir));
  for (level = 0; level < UP_LEVELS && dir[0] == '/' && strcmp(dir, "/");
       level++) {
    ex__tool_dirname(dir);
    if (dir_has_module(dir, top)) {
      ex_strlcpy(out, dir, size);
      return 1;
    }
  }
  return 0;
}

int ex__tool_py_module_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                           const ex_host_t *host, ex_explanation_t *out) {
  py_interp_t py;
  places_t pl;
  mod_scan_t s;
  char home[PATH_CAP];
  char script_dir[PATH_CAP];
  char path0[PATH_CAP];
  char marker[PATH_CAP];
  char pip_py[PATH_CAP];
  char local[PATH_CAP];
  char cand[PATH_CAP];
  const char *module;
  const char *script;
  const char *dist;
  const char *apt;
  char *abs;
  char *cmd;
  char *q;
  char *q2;
  size_t i;
  int mode;
  int managed;
  int rc;
  int project_cause; /* the module is the project's own: no install fix */
  int have_local;
  ex_project_search_t *ps;

  (void)host;
  module = ev->subject_value;
  memset(&s, 0, sizeof(s));
  pl.items = calloc(PLACES_MAX, sizeof(*pl.items));
  pl.count = 0;
  ps = malloc(sizeof(*ps));
  if (pl.items == NULL || ps == NULL) {
    free(pl.items);
    free(ps);
    return -ENOMEM;
  }
  project_cause = 0;
  top_level(module, s.top, sizeof(s.top));
  interp_find(ev, proc, &py);
  ex__tool_home(proc, home, sizeof(home));

  /* sys.path[0]: the script's directory, or the working directory for -m,
   * -c and the interactive prompt. */
  script = script_arg(ev->command, &mode);
  script_dir[0] = '\0';
  if (script != NULL && mode == 0 && is_python_name(ev->command[0])) {
    abs = ex__path_absolute(proc, script);
    if (abs != NULL) {
      ex_strlcpy(script_dir, abs, sizeof(script_dir));
      ex__tool_dirname(script_dir);
      free(abs);
    }
  }
  ex_strlcpy(path0, script_dir[0] != '\0' ? script_dir : proc->cwd,
             sizeof(path0));

  ex_facts_str(&out->facts, "module", module);
  ex_facts_str(&out->facts, "top_level", s.top);
  interp_facts(out, &py);
  if (py.invoked[0] == '\0') {
    ex_explanation_summary(out,
                           "Python could not import %s; which interpreter "
                           "ran could not be found out",
                           module);
    ex_cause_add(out, "other-interpreter", EX_VERDICT_UNKNOWN,
                 "the interpreter that ran is unknown (no command line and "
                 "no process to read), so its modules could not be checked");
  }

  scan_module(proc, &py, home, script_dir, &s, &pl);
  ex_facts_int(&out->facts, "dirs_checked", (long long)(s.nused + s.nother));

  if (py.invoked[0] != '\0') {
    if (s.used_hit[0] != '\0') {
      /* Installed since the error, or the run had another PYTHONPATH. */
      out->stale = 1;
      ex_facts_str(&out->facts, "found_now_in", s.used_hit);
      ex_explanation_summary(out,
                             "%s is present now in %s, which %s reads: it "
                             "was installed after the error, or the run "
                             "saw another environment",
                             s.top, s.used_hit, py.invoked);
    } else {
      ex_explanation_summary(out,
                             "%s is not installed for %s (%s%s); "
                             "checked %zu of its module directories",
                             s.top, py.invoked,
                             py.venv[0] != '\0' ? "venv " : "Python ",
                             py.venv[0] != '\0' ? py.venv : py.version,
                             s.nused);
    }
  }

  /* A venv next to the project that was not used. */
  if (s.venv[0] != '\0') {
    ex_cause_t *c;

    c = ex_cause_add(out, "venv-inactive", EX_VERDICT_CONFIRMED,
                     "a virtual environment exists at %s but the command "
                     "ran %s%s",
                     s.venv, py.invoked[0] != '\0' ? py.invoked : "another "
                                                                  "Python",
                     s.venv_has ? "; that environment has the module"
                                : "; it lacks the module too");
    if (c != NULL) {
      ex_facts_str(&c->facts, "venv", s.venv);
      ex_facts_bool(&c->facts, "venv_has_module", s.venv_has);
    }
  } else if (py.venv[0] != '\0') {
    ex_cause_add(out, "venv-inactive", EX_VERDICT_RULED_OUT,
                 "the command ran the virtual environment's own Python (%s)",
                 py.venv);
  } else {
    ex_cause_add(out, "venv-inactive", EX_VERDICT_RULED_OUT,
                 "no virtual environment (.venv, venv, env) in %s or its "
                 "parents, and VIRTUAL_ENV names none",
                 proc->cwd[0] != '\0' ? proc->cwd : "the working directory");
  }

  /* Another interpreter has it. */
  if (s.other_hit[0] != '\0') {
    ex_cause_t *c;

    c = ex_cause_add(out, "other-interpreter", EX_VERDICT_CONFIRMED,
                     "%s is installed in %s (%s), which is not on the path "
                     "of %s",
                     s.top, s.other_hit, s.other_kind,
                     py.invoked[0] != '\0' ? py.invoked : "the Python that "
                                                          "ran");
    if (c != NULL) {
      ex_facts_str(&c->facts, "found_in", s.other_hit);
      ex_facts_str(&c->facts, "kind", s.other_kind);
    }
  } else {
    ex_cause_add(out, "other-interpreter", EX_VERDICT_RULED_OUT,
                 "%s is in none of the %zu other module directories found "
                 "(system, /usr/local, ~/.local, conda, pyenv)%s",
                 s.top, s.nother, s.venv_has ? " but the venv" : "");
  }

  /* pip on PATH installs for another interpreter. */
  rc = pip_interp(proc, pip_py, sizeof(pip_py));
  if (rc == 0 && py.invoked[0] != '\0') {
    ex_cause_t *c;
    int same;

    same = same_interp(pip_py, py.invoked);
    c = ex_cause_add(out, "pip-mismatch",
                     same ? EX_VERDICT_RULED_OUT : EX_VERDICT_CONFIRMED,
                     same ? "pip on PATH installs for %s, the Python that ran"
                          : "pip on PATH installs for %s, not for %s",
                     pip_py, py.invoked);
    if (c != NULL)
      ex_facts_str(&c->facts, "pip_python", pip_py);
  } else if (rc == -ENOEXEC) {
    ex_cause_add(out, "pip-mismatch", EX_VERDICT_UNKNOWN,
                 "pip on PATH is a wrapper script (a pyenv shim?): which "
                 "Python it installs for could not be read from disk");
  }

  /* The name to install. */
  dist = s.top;
  apt = NULL;
  for (i = 0; i < sizeof(dist_names) / sizeof(dist_names[0]); i++) {
    if (strcmp(dist_names[i].module, s.top) == 0) {
      dist = dist_names[i].dist;
      apt = ex__tool_or_null(dist_names[i].apt);
      ex_cause_add(out, "dist-name", EX_VERDICT_CONFIRMED,
                   "the module %s is installed by the distribution %s, not "
                   "by a package named %s",
                   s.top, dist, s.top);
      break;
    }
  }

  /* The project's own package, not on sys.path: next to the script or
   * the working directory, else anywhere in the project (src/). */
  have_local = 0;
  ps->complete = 1;
  if (path0[0] != '\0') {
    have_local =
        find_local_package(s.top, proc->cwd, path0, local, sizeof(local));
    if (!have_local) {
      const char *starts[2];

      starts[0] = path0;
      starts[1] = proc->cwd;
      if (ex__project_search(starts, 2, home, EX_PROJECT_PYMODULE, s.top,
                             ps) > 0 &&
          strcmp(ps->dir, path0) != 0) {
        ex_strlcpy(local, ps->dir, sizeof(local));
        have_local = 1;
      }
      ex__project_facts(ps, &out->facts);
    }
  }
  if (have_local) {
    ex_cause_t *c;

    c = ex_cause_add(out, "local-package", EX_VERDICT_CONFIRMED,
                     "%s exists in %s, but Python looked in %s first and "
                     "%s is not on its path",
                     s.top, local, path0, local);
    if (c != NULL)
      ex_facts_str(&c->facts, "found_in", local);
    project_cause = 1;
    if (s.used_hit[0] == '\0')
      ex_explanation_summary(out, "%s is the project's own, in %s, which is "
                                  "not on the module path of %s",
                             s.top, local,
                             py.invoked[0] != '\0' ? py.invoked : "Python");
  } else if (path0[0] != '\0') {
    char where[2 * PATH_CAP + 256];

    ex_cause_add(out, "local-package",
                 ps->complete ? EX_VERDICT_RULED_OUT : EX_VERDICT_UNKNOWN,
                 "no package or module named %s in %s, the directories "
                 "above the script, nor in %s",
                 s.top, proc->cwd, ex__project_describe(ps, where,
                                                        sizeof(where)));
  }

  /* "No module named 'x.y'": a local x.py hides the package x. */
  if (strchr(module, '.') != NULL && path0[0] != '\0') {
    snprintf(local, sizeof(local), "%s.py", s.top);
    if (ex__tool_join(cand, sizeof(cand), path0, local) != NULL &&
        ex__tool_is_file(cand)) {
      ex_cause_t *c;

      c = ex_cause_add(out, "shadowing", EX_VERDICT_CONFIRMED,
                       "%s hides the package %s: Python imports it instead",
                       cand, s.top);
      if (c != NULL)
        ex_facts_str(&c->facts, "file", cand);
      project_cause = 1;
      ex_fix_add_raw(out, 0, NULL, "rename %s (and remove a stale %s.pyc "
                                   "or __pycache__ next to it)",
                     cand, s.top);
    } else {
      ex_cause_add(out, "shadowing", EX_VERDICT_RULED_OUT,
                   "no %s.py in %s hides the package", s.top, path0);
    }
  }

  /* Fixes, least change first. */
  managed = py.venv[0] == '\0' && externally_managed(&py, marker,
                                                     sizeof(marker));
  ex_facts_bool(&out->facts, "externally_managed", managed);
  if (project_cause) {
    /* Installing a package of that name would be the wrong fix. */
  } else if (s.venv[0] != '\0') {
    char vpy[PATH_CAP];

    if (ex__tool_join(vpy, sizeof(vpy), s.venv, "bin/python") != NULL) {
      if (s.venv_has && ev->command != NULL &&
          is_python_name(ev->command[0])) {
        cmd = command_with(vpy, ev->command, 1);
        ex_fix_add_raw(out, 0, cmd, "run it with the virtual environment's "
                                    "Python");
        free(cmd);
      }
      if (!s.venv_has) {
        const char *argv[] = {vpy, "-m", "pip", "install", dist, NULL};
        ex_fix_add_cmd(out, 0, argv, "install %s into the virtual "
                                     "environment",
                       dist);
      }
      if (ex__tool_join(cand, sizeof(cand), s.venv, "bin/activate") != NULL) {
        q = ex_shell_quote(cand);
        if (q != NULL) {
          snprintf(local, sizeof(local), ". %s", q);
          ex_fix_add_raw(out, 0, local, "or activate it in this shell");
          free(q);
        }
      }
    }
  } else if (managed && s.used_hit[0] == '\0') {
    q = ex_shell_quote(py.invoked);
    q2 = ex_shell_quote(dist);
    if (q != NULL && q2 != NULL) {
      cmd = NULL;
      if (asprintf(&cmd, "%s -m venv .venv && .venv/bin/python -m pip "
                         "install %s",
                   q, q2) >= 0) {
        ex_fix_add_raw(out, 0, cmd,
                       "%s is managed by the system (PEP 668): create a "
                       "virtual environment and install %s there",
                       py.invoked, dist);
        free(cmd);
      }
    }
    free(q);
    free(q2);
    if (apt != NULL) {
      const char *argv[] = {"apt-get", "install", "-y", apt, NULL};
      ex_fix_add_cmd(out, 1, argv, "or install the distribution's package");
    }
  } else if (py.invoked[0] != '\0' && s.used_hit[0] == '\0') {
    const char *argv[] = {py.invoked, "-m", "pip", "install", dist, NULL};
    ex_fix_add_cmd(out, 0, argv, "install %s for the Python that ran",
                   dist);
  }
  if (s.other_hit[0] != '\0' && strcmp(s.other_kind, "pythonpath") != 0) {
    /* The interpreter owning that directory: the prefix above lib/. */
    char root[PATH_CAP];
    char ipy[PATH_CAP];
    char *lib;

    ex_strlcpy(root, s.other_hit, sizeof(root));
    lib = strstr(root, "/lib/");
    if (lib != NULL && ev->command != NULL &&
        is_python_name(ev->command[0])) {
      *lib = '\0';
      if (ex__tool_join(ipy, sizeof(ipy), root, "bin/python3") != NULL &&
          ex__tool_is_file(ipy) && !same_interp(ipy, py.invoked)) {
        cmd = command_with(ipy, ev->command, 1);
        ex_fix_add_raw(out, 0, cmd, "or run the Python that has %s", s.top);
        free(cmd);
      }
    }
  }
  if (have_local)
    ex__project_fix_env(out, "PYTHONPATH", local, ev->command,
                        "put %s, where %s is, on the module path", local,
                        s.top);
  free(pl.items);
  free(ps);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* pip: externally-managed-environment (PEP 668)                           */

int ex__tool_py_managed_applies(const ex_probe_event_t *ev) {
  return ev->rule_id != NULL &&
         (strcmp(ev->rule_id, "python.pip-externally-managed") == 0 ||
          (ev->condition != NULL &&
           strcmp(ev->condition, "externally-managed") == 0));
}

/* The words after "pip" in the command ("pip install x", "python3 -m pip
 * install x"): index into argv, or -1. */
static long pip_args(char *const *argv) {
  size_t i;

  if (argv == NULL || argv[0] == NULL)
    return -1;
  if (strncmp(ex__tool_basename(argv[0]), "pip", 3) == 0)
    return 1;
  for (i = 1; argv[i] != NULL; i++) {
    if (strcmp(argv[i], "-m") == 0 && argv[i + 1] != NULL &&
        strncmp(argv[i + 1], "pip", 3) == 0)
      return (long)i + 2;
  }
  return -1;
}

static void os_release(char *out, size_t size) {
  char text[4096];
  char *p;
  char *end;

  out[0] = '\0';
  if (ex_read_small("/etc/os-release", text, sizeof(text)) <= 0)
    return;
  p = strstr(text, "PRETTY_NAME=");
  if (p == NULL)
    return;
  p += 12;
  if (*p == '"')
    p++;
  end = p + strcspn(p, "\"\n");
  snprintf(out, size, "%.*s", (int)(end - p), p);
}

int ex__tool_py_managed_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                            const ex_host_t *host, ex_explanation_t *out) {
  py_interp_t py;
  char marker[PATH_CAP];
  char venv[PATH_CAP];
  char dir[PATH_CAP];
  char os[256];
  char pipx[PATH_CAP];
  const char *ci;
  const char *sudo_user;
  char *args;
  char *q;
  char *cmd;
  long ai;
  int managed;
  int container;

  interp_find(ev, proc, &py);
  interp_facts(out, &py);
  managed = externally_managed(&py, marker, sizeof(marker));
  ex_facts_str(&out->facts, "marker", marker);
  os_release(os, sizeof(os));
  if (os[0] != '\0')
    ex_facts_str(&out->facts, "os", os);

  /* The words to give pip again, from the command line. */
  ai = pip_args(ev->command);
  args = NULL;
  if (ai > 0 && ev->command[ai - 1] != NULL)
    args = command_with("", ev->command, (size_t)ai);
  /* command_with("") starts with the quoted empty word ''; skip it. */
  cmd = NULL;

  if (py.invoked[0] == '\0') {
    ex_cause_add(out, "no-venv", EX_VERDICT_UNKNOWN,
                 "which Python pip ran on could not be found out");
  } else if (py.venv[0] != '\0') {
    ex_cause_add(out, "no-venv", EX_VERDICT_RULED_OUT,
                 "pip ran in the virtual environment %s", py.venv);
  } else if (managed) {
    ex_cause_t *c;

    c = ex_cause_add(out, "no-venv", EX_VERDICT_CONFIRMED,
                     "pip ran on %s (Python %s), whose installation is "
                     "marked as managed by the system: %s exists",
                     py.invoked, py.version, marker);
    if (c != NULL)
      ex_facts_str(&c->facts, "marker", marker);
  } else {
    out->stale = 1;
    ex_cause_add(out, "no-venv", EX_VERDICT_RULED_OUT,
                 "%s has no EXTERNALLY-MANAGED marker now (%s): pip would "
                 "not refuse any more",
                 py.invoked, marker[0] != '\0' ? marker : "no stdlib found");
  }
  ex_explanation_summary(out, "pip refused to install into %s (Python %s)%s",
                         py.invoked[0] != '\0' ? py.invoked : "the system "
                                                              "Python",
                         py.version[0] != '\0' ? py.version : "?",
                         managed ? ": the distribution manages it (PEP 668)"
                                 : "");

  /* A venv that should have been used. */
  venv[0] = '\0';
  if (proc->cwd[0] != '\0')
    find_near_venv(proc->cwd, &py, venv, sizeof(venv));
  if (venv[0] == '\0' && getenv("VIRTUAL_ENV") != NULL &&
      getenv("VIRTUAL_ENV")[0] == '/' &&
      ex__tool_join(dir, sizeof(dir), getenv("VIRTUAL_ENV"), "pyvenv.cfg") &&
      ex__tool_is_file(dir))
    ex_strlcpy(venv, getenv("VIRTUAL_ENV"), sizeof(venv));
  sudo_user = getenv("SUDO_USER");
  if (venv[0] != '\0') {
    ex_cause_t *c;

    c = ex_cause_add(out, "venv-inactive", EX_VERDICT_CONFIRMED,
                     "a virtual environment exists at %s, but pip ran on "
                     "the system's Python%s",
                     venv, sudo_user != NULL ? " through sudo" : "");
    if (c != NULL)
      ex_facts_str(&c->facts, "venv", venv);
  } else if (sudo_user != NULL) {
    ex_cause_add(out, "venv-inactive", EX_VERDICT_CONFIRMED,
                 "pip ran through sudo (SUDO_USER=%s), which does not keep "
                 "an activated virtual environment",
                 sudo_user);
  } else {
    ex_cause_add(out, "venv-inactive", EX_VERDICT_RULED_OUT,
                 "no virtual environment in %s or its parents, and "
                 "VIRTUAL_ENV is not set",
                 proc->cwd[0] != '\0' ? proc->cwd : "the working directory");
  }

  ci = ex__context_ci();
  container = host != NULL && host->container[0] != '\0';
  if (container || ci != NULL) {
    ex_cause_add(out, "ci-image", EX_VERDICT_CONFIRMED,
                 "this runs in %s%s%s%s, on %s",
                 container ? "a " : "", container ? host->container : "",
                 container ? " container" : "",
                 ci != NULL ? (container ? " under CI" : "CI") : "",
                 os[0] != '\0' ? os : "an unknown distribution");
  } else {
    ex_cause_add(out, "ci-image", EX_VERDICT_RULED_OUT,
                 "not in a container nor under CI");
  }

  /* Fixes: a venv first (no root, nothing of the system changed). */
  if (venv[0] != '\0' &&
      ex__tool_join(dir, sizeof(dir), venv, "bin/python") != NULL) {
    q = ex_shell_quote(dir);
    if (q != NULL && asprintf(&cmd, "%s -m pip%s", q,
                              args != NULL ? args + 2 : "") >= 0) {
      ex_fix_add_raw(out, 0, cmd, "use the virtual environment's pip");
      free(cmd);
      cmd = NULL;
    }
    free(q);
  } else if (py.invoked[0] != '\0') {
    char ensurepip[PATH_CAP];

    /* Debian splits venv support (ensurepip) into python3.X-venv. */
    if (stdlib_dir(&py, dir, sizeof(dir)) == 0 &&
        ex__tool_join(ensurepip, sizeof(ensurepip), dir,
                      "ensurepip/__init__.py") != NULL &&
        !ex__tool_is_file(ensurepip) && py.version[0] != '\0') {
      char pkg[64];
      const char *argv[] = {"apt-get", "install", "-y", pkg, NULL};

      snprintf(pkg, sizeof(pkg), "python%s-venv", py.version);
      ex_fix_add_cmd(out, 1, argv, "venv support is not installed (%s is "
                                   "missing): install it first",
                     ensurepip);
    }
    q = ex_shell_quote(py.invoked);
    if (q != NULL &&
        asprintf(&cmd, "%s -m venv .venv && .venv/bin/python -m pip%s", q,
                 args != NULL ? args + 2 : " install PACKAGE") >= 0) {
      ex_fix_add_raw(out, 0, cmd,
                     "create a virtual environment in %s and install there",
                     proc->cwd[0] != '\0' ? proc->cwd : "this directory");
      free(cmd);
      cmd = NULL;
    }
    free(q);
  }
  if (ex__tool_which(proc, "pipx", pipx, sizeof(pipx)) == 0 && args != NULL &&
      strncmp(args + 2, " install ", 9) == 0) {
    if (asprintf(&cmd, "pipx%s", args + 2) >= 0) {
      ex_fix_add_raw(out, 0, cmd, "for a command-line application, pipx "
                                  "gives it its own environment");
      free(cmd);
      cmd = NULL;
    }
  }
  /* Overriding the marker is the last resort, and only where a venv is not
   * already at hand: in a throwaway container or CI image. */
  if ((container || ci != NULL) && managed && venv[0] == '\0' &&
      py.invoked[0] != '\0' && args != NULL &&
      strncmp(args + 2, " install ", 9) == 0) {
    q = ex_shell_quote(py.invoked);
    if (q != NULL &&
        asprintf(&cmd, "%s -m pip install --break-system-packages%s", q,
                 args + 2 + 8) >= 0) {
      ex_fix_add_raw(out, 0, cmd,
                     "only in a throwaway container or CI image: override "
                     "the marker");
      free(cmd);
      cmd = NULL;
    }
    free(q);
  }
  free(args);
  return 0;
}
