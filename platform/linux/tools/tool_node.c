/* Node: "Cannot find module" (MODULE_NOT_FOUND, ERR_MODULE_NOT_FOUND,
 * bundlers' "Can't resolve").
 *
 * Node looks for a bare name in node_modules of the requiring file's
 * directory and of each parent; a relative name is a file. Both are read
 * from the disk, with package.json, never by running node or npm. */
#include "platform/linux/tools/tool_util.h"

#include "platform/linux/proc/project.h"
#include "platform/linux/proc/sys.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PATH_CAP EX_PROC_PATH_MAX
/* Directory entries looked at when searching for a file by another case
 * or in another directory. */
#define ENTRIES_MAX 512

static const char *const extensions[] = {
    "",      ".js",   ".mjs",        ".cjs",          ".json",
    ".node", ".ts",   "/index.js",   "/index.mjs",    "/index.json",
    "/package.json"};

static const char *const dep_sections[] = {
    "dependencies", "devDependencies", "peerDependencies",
    "optionalDependencies"};

int ex__tool_node_module_applies(const ex_probe_event_t *ev) {
  return ev->rule_id != NULL && ev->subject_value != NULL &&
         ev->subject_value[0] != '\0' &&
         (strcmp(ev->rule_id, "node.module-not-found") == 0 ||
          (strncmp(ev->rule_id, "node.", 5) == 0 && ev->condition != NULL &&
           strcmp(ev->condition, "module-not-found") == 0));
}

/* The package of a bare specifier: "@scope/name/x" -> "@scope/name",
 * "lodash/fp" -> "lodash". */
static void package_name(const char *spec, char *out, size_t size) {
  const char *slash;
  size_t n;

  slash = strchr(spec, '/');
  if (spec[0] == '@' && slash != NULL)
    slash = strchr(slash + 1, '/');
  n = slash != NULL ? (size_t)(slash - spec) : strlen(spec);
  if (n >= size)
    n = size - 1;
  memcpy(out, spec, n);
  out[n] = '\0';
}

/* Which dependency section of package.json (text) lists name, or NULL. A
 * small scanner, enough for the flat objects these sections are. */
static const char *declared_in(const char *text, const char *name) {
  char key[300];
  const char *p;
  const char *obj;
  const char *end;
  const char *hit;
  size_t i;
  size_t kn;

  kn = (size_t)snprintf(key, sizeof(key), "\"%s\"", name);
  if (kn >= sizeof(key))
    return NULL;
  for (i = 0; i < sizeof(dep_sections) / sizeof(dep_sections[0]); i++) {
    char sect[64];

    snprintf(sect, sizeof(sect), "\"%s\"", dep_sections[i]);
    for (p = strstr(text, sect); p != NULL; p = strstr(p + 1, sect)) {
      obj = p + strlen(sect);
      obj += strspn(obj, " \t\r\n");
      if (*obj != ':')
        continue;
      obj++;
      obj += strspn(obj, " \t\r\n");
      if (*obj != '{')
        continue;
      end = strchr(obj, '}');
      if (end == NULL)
        break;
      for (hit = strstr(obj, key); hit != NULL && hit < end;
           hit = strstr(hit + 1, key)) {
        const char *after;

        after = hit + kn;
        after += strspn(after, " \t\r\n");
        if (*after == ':')
          return dep_sections[i];
      }
    }
  }
  return NULL;
}

/* The first name+extension that exists (into out); 1 when found. */
static int resolve_file(const char *path, char *out, size_t size) {
  size_t i;

  for (i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++) {
    if (snprintf(out, size, "%s%s", path, extensions[i]) >= (int)size)
      continue;
    if (ex__tool_is_file(out))
      return 1;
  }
  return 0;
}

/* An entry of dir whose name equals base but for case, or base plus one
 * of the extensions (for "./Utils" vs "utils.js"). */
static int find_other_case(const char *dir, const char *base, char *out,
                           size_t size) {
  DIR *d;
  struct dirent *e;
  char want[512];
  size_t i;
  int n;
  int found;

  d = opendir(dir);
  if (d == NULL)
    return 0;
  found = 0;
  n = 0;
  while (!found && n++ < ENTRIES_MAX && (e = readdir(d)) != NULL) {
    for (i = 0; i < 7 && !found; i++) {
      snprintf(want, sizeof(want), "%s%s", base, extensions[i]);
      if (strcasecmp(e->d_name, want) == 0 && strcmp(e->d_name, want) != 0) {
        ex__tool_join(out, size, dir, e->d_name);
        found = 1;
      }
    }
  }
  closedir(d);
  return found;
}

/* A file named base in a subdirectory of dir (one level) or in its
 * parent: where the entry script probably is. */
static int find_elsewhere(const char *dir, const char *base, char *out,
                          size_t size) {
  DIR *d;
  struct dirent *e;
  char sub[PATH_CAP];
  char parent[PATH_CAP];
  int n;
  int found;

  found = 0;
  d = opendir(dir);
  if (d != NULL) {
    n = 0;
    while (!found && n++ < ENTRIES_MAX && (e = readdir(d)) != NULL) {
      if (e->d_name[0] == '.' || strcmp(e->d_name, "node_modules") == 0)
        continue;
      if (ex__tool_join(sub, sizeof(sub), dir, e->d_name) == NULL ||
          ex__tool_join(out, size, sub, base) == NULL)
        continue;
      found = ex__tool_is_file(out);
    }
    closedir(d);
  }
  if (!found) {
    ex_strlcpy(parent, dir, sizeof(parent));
    ex__tool_dirname(parent);
    found = strcmp(parent, dir) != 0 &&
            ex__tool_join(out, size, parent, base) != NULL &&
            ex__tool_is_file(out);
  }
  return found;
}

/* The install command for the project at dir, from its lock file. */
static const char *install_tool(const char *dir, const char **verb) {
  char path[PATH_CAP];

  *verb = "install";
  if (ex__tool_join(path, sizeof(path), dir, "pnpm-lock.yaml") &&
      ex__tool_is_file(path))
    return "pnpm";
  if (ex__tool_join(path, sizeof(path), dir, "yarn.lock") &&
      ex__tool_is_file(path))
    return "yarn";
  if ((ex__tool_join(path, sizeof(path), dir, "package-lock.json") &&
       ex__tool_is_file(path)) ||
      (ex__tool_join(path, sizeof(path), dir, "npm-shrinkwrap.json") &&
       ex__tool_is_file(path)))
    *verb = "ci";
  return "npm";
}

static void explain_relative(const ex_probe_event_t *ev, const char *start,
                             const char *module, ex_explanation_t *out) {
  char target[PATH_CAP];
  char found[PATH_CAP];
  char dir[PATH_CAP];
  const char *base;

  if (module[0] == '/') {
    ex_strlcpy(target, module, sizeof(target));
  } else {
    const char *rel = module;

    /* "./x" is "x"; ".." stays, as the kernel resolves it. */
    while (strncmp(rel, "./", 2) == 0)
      rel += 2;
    if (ex__tool_join(target, sizeof(target), start, rel) == NULL)
      return;
  }
  ex_facts_str(&out->facts, "resolved", target);
  if (resolve_file(target, found, sizeof(found))) {
    out->stale = 1;
    ex_cause_add(out, "relative-path", EX_VERDICT_RULED_OUT,
                 "%s exists now", found);
    ex_explanation_summary(out, "%s exists now: it was created after the "
                                "error",
                           found);
    return;
  }
  ex_strlcpy(dir, target, sizeof(dir));
  ex__tool_dirname(dir);
  base = ex__tool_basename(target);
  if (find_other_case(dir, base, found, sizeof(found))) {
    ex_cause_t *c;

    c = ex_cause_add(out, "relative-path", EX_VERDICT_CONFIRMED,
                     "%s does not exist, but %s does: the name differs in "
                     "case (Linux file names are case-sensitive)",
                     target, found);
    if (c != NULL)
      ex_facts_str(&c->facts, "found", found);
    ex_fix_add_raw(out, 0, NULL, "change the import to '%s'",
                   ex__tool_basename(found));
  } else if (!ex__tool_is_dir(dir)) {
    ex_cause_add(out, "relative-path", EX_VERDICT_CONFIRMED,
                 "the directory %s does not exist", dir);
  } else {
    ex_cause_add(out, "relative-path", EX_VERDICT_CONFIRMED,
                 "no file %s(.js, .mjs, .cjs, .json, /index.js) exists",
                 target);
  }
  ex_explanation_summary(out, "Node could not find the file %s", target);
  /* An entry script given by path: the command was run from another
   * directory than the script's. */
  if (ev->location_file == NULL && module[0] == '/' &&
      find_elsewhere(dir, base, found, sizeof(found))) {
    ex_cause_t *c;

    c = ex_cause_add(out, "cwd", EX_VERDICT_CONFIRMED,
                     "%s exists: the command probably ran from the wrong "
                     "directory",
                     found);
    if (c != NULL)
      ex_facts_str(&c->facts, "found", found);
  }
}

/* The fixes for a package that is a directory of the project: point the
 * resolution at it (NODE_PATH, for require() only), or make it a
 * dependency of the project (npm links the directory into node_modules).
 * Never the registry's package of the same name: another package. */
static void node_local_fixes(const ex_probe_event_t *ev, const char *project,
                             const char *pkg, int esm,
                             const ex_project_search_t *local,
                             ex_explanation_t *out) {
  char rel[PATH_CAP + 2];
  const char *dir;
  char *q;
  char *qr;
  char *cmd;
  size_t n;

  ex_explanation_summary(out, "%s is the project's own (%s), not a package "
                              "installed in node_modules",
                         pkg, local->found);
  if (!esm && pkg[0] != '@' && ex__tool_is_dir(local->found))
    ex__project_fix_env(out, "NODE_PATH", local->dir, ev->command,
                        "let require() find it: %s on NODE_PATH",
                        local->dir);
  if (!ex__tool_is_dir(local->found))
    return;
  /* "npm install ../shared" from the project: a file: dependency. */
  dir = local->found;
  n = strlen(project);
  if (strncmp(dir, project, n) == 0 && dir[n] == '/')
    snprintf(rel, sizeof(rel), "./%s", dir + n + 1);
  else
    ex_strlcpy(rel, dir, sizeof(rel));
  q = ex_shell_quote(project);
  qr = ex_shell_quote(rel);
  cmd = NULL;
  if (q != NULL && qr != NULL &&
      asprintf(&cmd, "cd %s && npm install %s", q, qr) >= 0)
    ex_fix_add_raw(out, 0, cmd,
                   "or make it a dependency of the project (a link to the "
                   "directory in node_modules)");
  free(cmd);
  free(q);
  free(qr);
}

int ex__tool_node_module_run(const ex_probe_event_t *ev,
                             const ex_proc_t *proc, const ex_host_t *host,
                             ex_explanation_t *out) {
  char start[PATH_CAP];
  char dir[PATH_CAP];
  char path[PATH_CAP];
  char project[PATH_CAP];
  char nm_dir[PATH_CAP];
  char found[PATH_CAP];
  char cand[PATH_CAP];
  char global[PATH_CAP];
  char pkg[256];
  const char *module;
  const char *from;
  const char *section;
  const char *tool;
  const char *verb;
  const char *np;
  char *text;
  char *abs;
  int levels;
  int esm;
  ex_project_search_t *ps;
  const ex_project_search_t *local;

  (void)host;
  module = ev->subject_value;
  ex_facts_str(&out->facts, "module", module);
  /* Resolution starts at the requiring file's directory. */
  from = ex_probe_capture(ev, "from");
  if (from != NULL && strncmp(from, "file://", 7) == 0)
    from += 7;
  if (from != NULL && from[0] != '\0') {
    abs = ex__path_absolute(proc, from);
    if (abs == NULL)
      return -ENOMEM;
    ex_strlcpy(start, abs, sizeof(start));
    free(abs);
    /* Bundlers name the directory; Node names the file. */
    if (!ex__tool_is_dir(start))
      ex__tool_dirname(start);
    ex_facts_str(&out->facts, "from", from);
  } else {
    ex_strlcpy(start, proc->cwd[0] != '\0' ? proc->cwd : "/", sizeof(start));
  }
  ex_facts_str(&out->facts, "search_from", start);
  /* "imported from": an ES module import (or a bundler), which NODE_PATH
   * does not serve. */
  esm = from != NULL && from[0] != '\0';

  if (module[0] == '.' || module[0] == '/') {
    explain_relative(ev, start, module, out);
    return 0;
  }
  if (strncmp(module, "node:", 5) == 0) {
    ex_explanation_summary(out, "%s is a built-in module name this Node "
                                "does not have: Node is too old for it",
                           module);
    ex_cause_add(out, "node-too-old", EX_VERDICT_UNKNOWN,
                 "built-in %s is missing; Node's version was not checked "
                 "(that would mean running node)",
                 module);
    return 0;
  }

  package_name(module, pkg, sizeof(pkg));
  ex_facts_str(&out->facts, "package", pkg);
  /* Walk up like Node: node_modules/<pkg> in each directory; the nearest
   * package.json is the project. */
  project[0] = '\0';
  nm_dir[0] = '\0';
  found[0] = '\0';
  ex_strlcpy(dir, start, sizeof(dir));
  for (levels = 0; levels < 64; levels++) {
    if (nm_dir[0] == '\0' &&
        ex__tool_join(path, sizeof(path), dir, "node_modules") &&
        ex__tool_is_dir(path))
      ex_strlcpy(nm_dir, path, sizeof(nm_dir));
    if (found[0] == '\0' &&
        ex__tool_join(path, sizeof(path), dir, "node_modules") &&
        ex__tool_join(cand, sizeof(cand), path, pkg) && ex__tool_is_dir(cand))
      ex_strlcpy(found, cand, sizeof(found));
    if (project[0] == '\0' &&
        ex__tool_join(path, sizeof(path), dir, "package.json") &&
        ex__tool_is_file(path))
      ex_strlcpy(project, dir, sizeof(project));
    if (strcmp(dir, "/") == 0)
      break;
    ex__tool_dirname(dir);
  }
  ex_facts_str(&out->facts, "project", project);
  ex_facts_str(&out->facts, "node_modules", nm_dir);

  if (found[0] != '\0') {
    out->stale = 1;
    ex_facts_str(&out->facts, "found_now", found);
    ex_explanation_summary(out, "%s is installed now (%s): it was installed "
                                "after the error",
                           pkg, found);
    ex_cause_add(out, "not-installed", EX_VERDICT_RULED_OUT,
                 "%s exists now", found);
    return 0;
  }

  section = NULL;
  text = NULL;
  if (project[0] != '\0' &&
      ex__tool_join(path, sizeof(path), project, "package.json")) {
    text = ex__tool_slurp(path);
    if (text != NULL)
      section = declared_in(text, pkg);
    free(text);
  }

  /* The project's own package, in a directory of its own (a monorepo's
   * sibling, packages/x): require() of a bare name looks only in
   * node_modules and NODE_PATH. */
  local = NULL;
  {
    const char *starts[2];
    char home[PATH_CAP];

    ps = malloc(sizeof(*ps));
    if (ps == NULL)
      return -ENOMEM;
    starts[0] = start;
    starts[1] = proc->cwd;
    if (ex__project_search(starts, 2, ex__tool_home(proc, home, sizeof(home)),
                           EX_PROJECT_NODEPKG, pkg, ps) > 0)
      local = ps;
    ex__project_facts(ps, &out->facts);
  }
  if (local != NULL) {
    ex_cause_t *c;

    c = ex_cause_add(out, "local-package", EX_VERDICT_CONFIRMED,
                     "%s is in the project, at %s, but a bare '%s' is looked "
                     "for only in node_modules directories%s",
                     pkg, local->found, pkg,
                     esm ? "" : " and NODE_PATH");
    if (c != NULL) {
      ex_facts_str(&c->facts, "found", local->found);
      ex_facts_str(&c->facts, "dir", local->dir);
    }
  } else {
    char where[2 * PATH_CAP + 256];

    ex_cause_add(out, "local-package",
                 ps->complete ? EX_VERDICT_RULED_OUT : EX_VERDICT_UNKNOWN,
                 "no directory or file named %s outside node_modules in %s",
                 pkg, ex__project_describe(ps, where, sizeof(where)));
  }

  /* Not installed: no node_modules at all, or the package missing from
   * it though declared. */
  if (nm_dir[0] == '\0') {
    ex_cause_add(out, "not-installed", EX_VERDICT_CONFIRMED,
                 "no node_modules directory in %s or any parent: the "
                 "dependencies were never installed here",
                 start);
  } else if (section != NULL) {
    ex_cause_add(out, "not-installed", EX_VERDICT_CONFIRMED,
                 "%s is listed in %s of package.json but missing from %s: "
                 "node_modules is out of date",
                 pkg, section, nm_dir);
  } else {
    ex_cause_add(out, "not-installed", EX_VERDICT_RULED_OUT,
                 "%s exists (without %s)", nm_dir, pkg);
  }

  if (project[0] == '\0') {
    ex_cause_add(out, "not-declared", EX_VERDICT_CONFIRMED,
                 "there is no package.json in %s or any parent", start);
  } else if (section != NULL) {
    ex_cause_t *c;

    c = ex_cause_add(out, "not-declared", EX_VERDICT_RULED_OUT,
                     "%s/package.json lists %s in %s", project, pkg,
                     section);
    if (c != NULL)
      ex_facts_str(&c->facts, "section", section);
  } else {
    ex_cause_add(out, "not-declared", EX_VERDICT_CONFIRMED,
                 "%s/package.json does not list %s", project, pkg);
  }

  /* Installed globally, which require() does not search. */
  global[0] = '\0';
  np = getenv("NODE_PATH");
  {
    static const char *const roots[] = {"/usr/local/lib/node_modules",
                                        "/usr/lib/node_modules"};
    size_t i;

    for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
      if (ex__tool_join(path, sizeof(path), roots[i], pkg) &&
          ex__tool_is_dir(path)) {
        ex_strlcpy(global, path, sizeof(global));
        break;
      }
    }
  }
  if (global[0] != '\0') {
    ex_cause_t *c;

    c = ex_cause_add(out, "global-only", EX_VERDICT_CONFIRMED,
                     "%s is installed globally (%s), where require() does "
                     "not look%s",
                     pkg, global, np != NULL ? " unless NODE_PATH names it"
                                             : "");
    if (c != NULL)
      ex_facts_str(&c->facts, "global", global);
  }

  ex_explanation_summary(out, "%s is not installed for the project %s", pkg,
                         project[0] != '\0' ? project : start);
  if (local != NULL) {
    node_local_fixes(ev, project[0] != '\0' ? project : start, pkg, esm,
                     local, out);
    free(ps);
    return 0;
  }

  /* Fixes: install what is declared, else declare and install. */
  if (project[0] != '\0') {
    tool = install_tool(project, &verb);
    if (section != NULL || nm_dir[0] == '\0') {
      char *q;
      char *cmd;

      q = ex_shell_quote(project);
      cmd = NULL;
      if (q != NULL && asprintf(&cmd, "cd %s && %s %s", q, tool,
                                section != NULL && strcmp(verb, "ci") == 0
                                    ? "ci"
                                    : "install") >= 0)
        ex_fix_add_raw(out, 0, cmd, "install the project's dependencies");
      free(cmd);
      free(q);
    }
    if (section == NULL) {
      char *q;
      char *qp;
      char *cmd;

      q = ex_shell_quote(project);
      qp = ex_shell_quote(pkg);
      cmd = NULL;
      if (q != NULL && qp != NULL &&
          asprintf(&cmd, "cd %s && %s %s %s", q, tool,
                   strcmp(tool, "npm") == 0 ? "install" : "add", qp) >= 0)
        ex_fix_add_raw(out, 0, cmd, "add %s to the project", pkg);
      free(cmd);
      free(q);
      free(qp);
    }
  } else {
    const char *argv[] = {"npm", "install", pkg, NULL};

    ex_fix_add_cmd(out, 0, argv, "create node_modules here and install %s",
                   pkg);
  }
  free(ps);
  return 0;
}
