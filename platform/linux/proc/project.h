/* Internal to the Linux probes: the command's own project, and a bounded
 * search of it (proc/project.c).
 *
 * A claim that something is installed nowhere is only as good as the
 * places searched, and the likeliest place is the project the command ran
 * in: its include/, vendor/lib/, src/, build/. The project is the tree
 * around a start directory (the command's cwd, the program's directory):
 * up to the repository root (.git, .hg, .svn), or else up to the top of
 * the build tree (the highest directory above the start that holds a
 * build file such as Makefile, CMakeLists.txt, package.json or
 * pyproject.toml, with no directory without one between it and the first
 * that has one). The home directory and "/" are never a project's top.
 *
 * The search reads directory entries only (d_type; a stat only for a name
 * that matches), breadth first, the usual directories (include, src, lib,
 * vendor, third_party, build...) before the others at each level, never
 * through a symbolic link to a directory, and never into .git,
 * node_modules, __pycache__ or other hidden directories. It stops at a
 * depth, a number of entries or directories, or a time (CPU time, and a
 * wall-clock cap), whichever comes first, and says which: an absence is
 * only certain when the search was complete.
 */
#ifndef EX_PROBE_PROJECT_H
#define EX_PROBE_PROJECT_H

#include <stddef.h>

#include "platform/probe.h"

/* The bounds of one search (all its roots together), measured on a
 * repository of 50k files (bench/probe.sh): about 1 µs of CPU per entry
 * with the directories' opening. */
#define EX_PROJECT_ENTRIES 20000 /* directory entries read */
#define EX_PROJECT_DIRS 2000     /* directories opened */
#define EX_PROJECT_MS 12         /* milliseconds of CPU time */
/* Milliseconds running or waiting for the disk (not for a CPU). */
#define EX_PROJECT_WALL_MS 30
#define EX_PROJECT_UP 12 /* levels above the start, for the top */
#define EX_PROJECT_ROOTS 4

typedef enum {
  /* name "x.h" or "sys/x.h"; dir: the directory to pass with -I */
  EX_PROJECT_HEADER = 0,
  /* name: an exact file name ("libfoo.so.1"); dir: its directory */
  EX_PROJECT_FILE,
  /* name "foo" of -lfoo: libfoo.so, libfoo.a or libfoo.so.N */
  EX_PROJECT_LINKLIB,
  /* name: a top-level Python module (a package with __init__.py, x.py or
   * an extension x.*.so); dir: the directory to put on PYTHONPATH */
  EX_PROJECT_PYMODULE,
  /* name: a Node package ("x" or "@scope/x": a directory with
   * package.json or index.js, or x.js); dir: the directory that holds it */
  EX_PROJECT_NODEPKG,
  /* name "com/x/Main.class"; dir: the class path entry */
  EX_PROJECT_CLASS,
  /* name: a command; an executable regular file; dir: its directory */
  EX_PROJECT_PROGRAM,
} ex_project_kind_t;

typedef struct ex_project_search {
  char top[EX_PROC_PATH_MAX]; /* the project of the first start, or "" */
  const char *top_marker;     /* ".git", "Makefile", ..., or NULL: no
                                 repository or build file above it */
  /* The directories searched, in order: each start that lies deeper than
   * two levels below its top, then the tops. */
  char roots[EX_PROJECT_ROOTS][EX_PROC_PATH_MAX];
  const char *markers[EX_PROJECT_ROOTS]; /* as top_marker, for each */
  int is_top[EX_PROJECT_ROOTS]; /* 0: a start searched before its top */
  size_t nroots;
  char found[EX_PROC_PATH_MAX]; /* the file or package found, or "" */
  char dir[EX_PROC_PATH_MAX];   /* the directory to add to the search path */
  int depth;                    /* the depth bound below each root */
  size_t dirs;                  /* directories read */
  size_t entries;               /* entries read */
  int complete;                 /* 1: every directory within the depth was
                                   read (or the thing was found) */
  const char *stopped_by;       /* "entries", "directories", "time" or
                                   NULL */
  long long ms;                 /* time spent */
} ex_project_search_t;

/* The top of the project around start (absolute): into out, with what
 * made it the top in *marker (".git", a build file's name, or NULL when
 * start is its own top). Returns 0, or -EINVAL when start is not absolute
 * or out is too small. */
int ex__project_root(const char *start, char *out, size_t size,
                     const char **marker);

/* Searches the projects around each of the nstarts start directories
 * (absolute; "" entries and starts in a project already listed are
 * skipped) for name, as kind says. home, when not NULL or "", is never a
 * project's top. Fills *s (found is "" when nothing was found). Returns 1
 * when found, 0 when not, or a negative errno (-ENOMEM). */
int ex__project_search(const char *const *starts, size_t nstarts,
                       const char *home, ex_project_kind_t kind,
                       const char *name, ex_project_search_t *s);

/* One phrase for a report: "the project /p (to .git; 12 directories, 140
 * entries read, depth 6)", with "stopped after N entries: not all of it
 * was read" when a bound cut it. buf is returned. */
const char *ex__project_describe(const ex_project_search_t *s, char *buf,
                                 size_t size);

/* Adds what the search covered to facts: project_root (the top of the
 * first start's project), project_marker, project_searched (the
 * directories searched, joined with ':'), project_depth,
 * project_dirs_read, project_entries_read, project_complete, and
 * project_stopped_by when a bound cut it. */
void ex__project_facts(const ex_project_search_t *s, ex_facts_t *facts);

/* Adds the fix "VAR=dir${VAR:+:$VAR} COMMAND...", the command (argv)
 * run again with dir in front of the search path VAR (CPATH,
 * LD_LIBRARY_PATH, PYTHONPATH, NODE_PATH, CLASSPATH), every word quoted;
 * "export VAR=dir${VAR:+:$VAR}" when argv is NULL (--log). text is
 * printf-style. */
void ex__project_fix_env(ex_explanation_t *e, const char *var, const char *dir,
                         char *const *argv, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Adds the fix "ARGV0 WORDS... ARGV1...": the command run again with the
 * nwords words inserted after its first word (-I dir for a compiler),
 * every word quoted. Nothing when argv is NULL. */
void ex__project_fix_insert(ex_explanation_t *e, char *const *argv,
                            const char *const *words, size_t nwords,
                            const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#endif
