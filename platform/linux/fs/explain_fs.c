/* Explainers of the fs family: errors on a path. Each claims only events
 * with its errno and a path subject (an empty path still runs and says
 * what it could not check). Exec failures belong to the exec family. */
#include "platform/linux/explainers.h"
#include "platform/linux/fs/fs_explainers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int is_one_of(const char *s, const char *const *set) {
  size_t i;

  if (s == NULL)
    return 0;
  for (i = 0; set[i] != NULL; i++) {
    if (strcmp(s, set[i]) == 0)
      return 1;
  }
  return 0;
}

/* A path event that is not about executing a program, nor a named
 * condition another explainer owns (inotify limits, CRLF shebangs). */
static int path_event(const ex_probe_event_t *ev) {
  if (ev->subject_kind == NULL || strcmp(ev->subject_kind, "path") != 0)
    return 0;
  if (ev->condition != NULL)
    return 0;
  if (ev->operation != NULL &&
      (strcmp(ev->operation, "exec") == 0 ||
       strcmp(ev->operation, "connect") == 0 ||
       strcmp(ev->operation, "bind") == 0))
    return 0;
  return 1;
}

static int applies_access(const ex_probe_event_t *ev) {
  static const char *const set[] = {"EACCES", "EPERM", NULL};

  return is_one_of(ev->errno_name, set) && path_event(ev);
}

static int applies_read_only(const ex_probe_event_t *ev) {
  static const char *const set[] = {"EROFS", NULL};

  return is_one_of(ev->errno_name, set) && path_event(ev);
}

static int applies_no_space(const ex_probe_event_t *ev) {
  static const char *const set[] = {"ENOSPC", "EDQUOT", NULL};

  return is_one_of(ev->errno_name, set) && path_event(ev);
}

static int applies_lookup(const ex_probe_event_t *ev) {
  static const char *const set[] = {"ENOENT", "ENOTDIR", "EISDIR", "ELOOP",
                                    "ENAMETOOLONG", NULL};

  return is_one_of(ev->errno_name, set) && path_event(ev);
}

/* Least privilege first: fixes that need no root before those that do,
 * each group in the order the explainer found them. */
static void order_fixes(ex_explanation_t *e) {
  ex_fix_t tmp;
  size_t i;
  size_t j;

  for (i = 1; i < e->nfixes; i++) {
    for (j = i; j > 0 && e->fixes[j - 1].needs_root && !e->fixes[j].needs_root;
         j--) {
      tmp = e->fixes[j - 1];
      e->fixes[j - 1] = e->fixes[j];
      e->fixes[j] = tmp;
    }
  }
}

/* The command may have ended before /proc/<pid> could be read: then its
 * credentials are explain's own (it inherits them, and the cwd, unless
 * it changed them), which the facts say (credentials_from_explain). */
static int with_proc(int (*run)(const ex_probe_event_t *, const ex_proc_t *,
                                const ex_host_t *, ex_explanation_t *),
                     const ex_probe_event_t *ev, const ex_proc_t *proc,
                     const ex_host_t *host, ex_explanation_t *out) {
  ex_proc_t *own;
  int rc;

  if (proc != NULL && proc->valid && proc->cwd[0] != '\0') {
    rc = run(ev, proc, host, out);
    order_fixes(out);
    return rc;
  }
  own = malloc(sizeof(*own));
  if (own == NULL)
    return -ENOMEM;
  if (proc != NULL && proc->valid) {
    *own = *proc;
    if (getcwd(own->cwd, sizeof(own->cwd)) == NULL)
      own->cwd[0] = '\0';
  } else {
    ex_proc_capture_self(own);
  }
  rc = run(ev, own, host, out);
  order_fixes(out);
  free(own);
  return rc;
}

static int run_access(const ex_probe_event_t *ev, const ex_proc_t *proc,
                      const ex_host_t *host, ex_explanation_t *out) {
  return with_proc(ex__fs_run_access, ev, proc, host, out);
}

static int run_read_only(const ex_probe_event_t *ev, const ex_proc_t *proc,
                         const ex_host_t *host, ex_explanation_t *out) {
  return with_proc(ex__fs_run_read_only, ev, proc, host, out);
}

static int run_no_space(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        const ex_host_t *host, ex_explanation_t *out) {
  return with_proc(ex__fs_run_no_space, ev, proc, host, out);
}

static int run_lookup(const ex_probe_event_t *ev, const ex_proc_t *proc,
                      const ex_host_t *host, ex_explanation_t *out) {
  return with_proc(ex__fs_run_lookup, ev, proc, host, out);
}

const ex_explainer_t ex__explainers_fs[] = {
    {"fs.permission", applies_access, run_access},
    {"fs.read-only", applies_read_only, run_read_only},
    {"fs.no-space", applies_no_space, run_no_space},
    {"fs.lookup", applies_lookup, run_lookup},
    {NULL, NULL, NULL},
};
