/* Internal to the Linux probes: small read-only helpers that the tools explainers
 * (Python, Node, git, C toolchain; tools/tool_*.c) share. Everything reads
 * files, directories and /proc; nothing runs a program. Every read is
 * capped so that a diagnosis stays within its time budget whatever the
 * machine holds.
 */
#ifndef EX_PROBE_TOOL_UTIL_H
#define EX_PROBE_TOOL_UTIL_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "platform/probe.h"

/* The largest file the tools explainers read (configs, package.json,
 * pyvenv.cfg, a shebang line): bigger files are read up to this size. */
#define EX_TOOL_FILE_MAX (256 * 1024)


/* Reads up to EX_TOOL_FILE_MAX bytes of path into a new buffer the caller
 * frees. Returns NULL (errno set) when it cannot be read. */
char *ex__tool_slurp(const char *path);

/* 1 when path exists as a directory / as a regular file (following
 * symlinks); 0 otherwise. */
int ex__tool_is_dir(const char *path);
int ex__tool_is_file(const char *path);

/* Joins dir and name with one "/" into out (size bytes). Returns out, or
 * NULL when it does not fit. */
char *ex__tool_join(char *out, size_t size, const char *dir, const char *name);

/* Cuts the last component of path in place ("/a/b" -> "/a", "/a" -> "/").
 */
void ex__tool_dirname(char *path);

/* The last component of path (borrowed from path). */
const char *ex__tool_basename(const char *path);

/* 1 when path is dir or lies below it (both absolute, no "..": compared as
 * strings, component by component). */
int ex__tool_path_under(const char *path, const char *dir);

/* Looks for an executable file named name in the command's PATH (getenv:
 * explain runs with the command's environment) and writes its path into
 * out. A name with a "/" is taken as it is, made absolute against
 * proc->cwd. Returns 0 or -ENOENT. */
int ex__tool_which(const ex_proc_t *proc, const char *name, char *out,
                   size_t size);

/* The interpreter named by the "#!" line of the file path ("/usr/bin/env
 * python3" is looked up in PATH). Returns 0 with the path in out, or a
 * negative errno (-ENOEXEC when the file has no "#!" line). */
int ex__tool_shebang(const ex_proc_t *proc, const char *path, char *out,
                     size_t size);

/* The home directory of the command: $HOME, else the passwd entry of
 * proc->euid. Returns "" when neither is known. */
const char *ex__tool_home(const ex_proc_t *proc, char *buf, size_t size);

/* The home directory of uid in the passwd database, into buf; NULL when
 * the uid has no entry. */
const char *ex__tool_passwd_home(uid_t uid, char *buf, size_t size);

/* Scans the processes under /proc, calling fn for each (pid, comm, cwd).
 * cwd is "" when it could not be read (another user's process). The scan
 * stops after max processes or when fn returns non-zero. Returns the number
 * of processes seen, or a negative errno when /proc cannot be read. */
int ex__tool_each_process(int (*fn)(void *ud, pid_t pid, const char *comm,
                                    const char *cwd),
                          void *ud, int max);

/* The Debian package that ships the file path, from
 * /var/lib/dpkg/info/<pkg>.list, into out ("libssl-dev:amd64" is given as
 * "libssl-dev"). hint narrows the search to the lists whose name contains
 * it first (then the others, within the time budget), or NULL. Returns 0,
 * -ENOENT when no installed package has it, -ENOTSUP when there is no dpkg
 * database, -ETIMEDOUT when the budget ran out before an answer. */
int ex__tool_dpkg_owner(const char *path, const char *hint, char *out,
                        size_t size);

/* 1 when the file at path (read up to EX_TOOL_FILE_MAX) has a line equal
 * to line: a dpkg .list, an alternatives file. */
int ex__tool_file_has_line(const char *path, const char *line);

/* 1 when a Debian package named pkg is installed (its .list exists). */
int ex__tool_dpkg_installed(const char *pkg);

/* The value of the "--flag VALUE" / "-fVALUE" style options of the command
 * line: calls fn for each value of the option prefix (e.g. "-I", "-L"). */
void ex__tool_each_option(char *const *argv, const char *prefix,
                          void (*fn)(void *ud, const char *value), void *ud);

/* ex__context_ci(): platform/common/context.h. */
#include "platform/common/context.h"

/* Monotonic milliseconds, for time budgets. */
long long ex__tool_now_ms(void);

/* The explainers of the tools family (explain_tools.c lists them): each
 * pair is the `applies` and `run` of an ex_explainer_t. */
int ex__tool_git_norepo_applies(const ex_probe_event_t *ev);
int ex__tool_git_norepo_run(const ex_probe_event_t *ev,
                            const ex_proc_t *proc, const ex_host_t *host,
                            ex_explanation_t *out);
int ex__tool_sqlite_applies(const ex_probe_event_t *ev);
int ex__tool_sqlite_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        const ex_host_t *host, ex_explanation_t *out);
int ex__tool_oom_applies(const ex_probe_event_t *ev);
int ex__tool_oom_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                     const ex_host_t *host, ex_explanation_t *out);
int ex__tool_py_module_applies(const ex_probe_event_t *ev);
int ex__tool_py_module_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                           const ex_host_t *host, ex_explanation_t *out);
int ex__tool_py_managed_applies(const ex_probe_event_t *ev);
int ex__tool_py_managed_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                            const ex_host_t *host, ex_explanation_t *out);
int ex__tool_node_module_applies(const ex_probe_event_t *ev);
int ex__tool_node_module_run(const ex_probe_event_t *ev,
                             const ex_proc_t *proc, const ex_host_t *host,
                             ex_explanation_t *out);
int ex__tool_git_dubious_applies(const ex_probe_event_t *ev);
int ex__tool_git_dubious_run(const ex_probe_event_t *ev,
                             const ex_proc_t *proc, const ex_host_t *host,
                             ex_explanation_t *out);
int ex__tool_git_lock_applies(const ex_probe_event_t *ev);
int ex__tool_git_lock_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                          const ex_host_t *host, ex_explanation_t *out);
int ex__tool_cc_header_applies(const ex_probe_event_t *ev);
int ex__tool_cc_header_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                           const ex_host_t *host, ex_explanation_t *out);
int ex__tool_ld_lib_applies(const ex_probe_event_t *ev);
int ex__tool_ld_lib_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        const ex_host_t *host, ex_explanation_t *out);
int ex__tool_java_version_applies(const ex_probe_event_t *ev);
int ex__tool_java_version_run(const ex_probe_event_t *ev,
                              const ex_proc_t *proc, const ex_host_t *host,
                              ex_explanation_t *out);
int ex__tool_java_class_applies(const ex_probe_event_t *ev);
int ex__tool_java_class_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                            const ex_host_t *host, ex_explanation_t *out);
int ex__tool_decode_applies(const ex_probe_event_t *ev);
int ex__tool_decode_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        const ex_host_t *host, ex_explanation_t *out);
int ex__tool_ld_symbol_applies(const ex_probe_event_t *ev);
int ex__tool_ld_symbol_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                           const ex_host_t *host, ex_explanation_t *out);

/* The tables of names (packages, aliases) hold arrays, not pointers (no
 * relocation at every start, rules/errno.c): "" stands for none. */
static inline const char *ex__tool_or_null(const char *s) {
  return s[0] != '\0' ? s : NULL;
}

#endif
