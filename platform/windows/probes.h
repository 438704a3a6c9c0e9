/* Internal to the Windows probes: the explainer tables, one per family,
 * and the probes they share. */
#ifndef EX_PLATFORM_WINDOWS_PROBES_H
#define EX_PLATFORM_WINDOWS_PROBES_H

#include <stddef.h>
#include <windows.h>

#include "platform/probe.h"

extern const ex_explainer_t ex__win_explainers_fs[];  /* explain_fs.c */
extern const ex_explainer_t ex__win_explainers_net[]; /* explain_net.c */

/* The full path of process pid's image, UTF-8, into buf. Returns 0 or a
 * negative errno (-EACCES for a process of another user or a protected
 * one, -EINVAL when pid is not running). */
int ex__win_process_image(DWORD pid, char *buf, size_t size);

/* A process that has a file open. */
typedef struct ex_win_holder {
  DWORD pid;
  char image[1024];     /* full path of its program, or "" when unknown */
  char name[260];       /* its program's file name, or Restart Manager's
                           application name */
  unsigned long access; /* the handle's granted access (handle table), or
                           0 when not known (Restart Manager) */
} ex_win_holder_t;

#define EX_WIN_HOLDERS_MAX 8

/* How the holders were found, and how far the search went. */
typedef struct ex_win_holders {
  ex_win_holder_t items[EX_WIN_HOLDERS_MAX];
  size_t count;
  int restart_manager;     /* 1: Restart Manager answered (even with none) */
  int handle_table;        /* 1: the system handle table was searched */
  int table_cut;           /* 1: the handle-table search stopped at its
                              deadline before every handle was seen */
  size_t processes_denied; /* processes whose handles could not be seen */
} ex_win_holders_t;

/* Who has the file at path (UTF-8; absolute) open: Restart Manager first
 * (RmGetList); where it names no process, the system handle table
 * (NtQuerySystemInformation with SystemExtendedHandleInformation), each
 * file handle of another process duplicated and compared by file id and
 * by name (GetFinalPathNameByHandleW, case-insensitively). The handle
 * search runs on a thread of its own for at most timeout_ms; handles that
 * are not disk files (pipes, consoles: a name query on them can block)
 * are skipped by type. explain's own process is never a holder. Returns 0
 * (h->count may be 0) or a negative errno when the file cannot be
 * identified. */
int ex__win_find_holders(const char *path, int timeout_ms, ex_win_holders_t *h);

/* Makes path absolute and canonical for the probes, into out: a path
 * printed as a string literal (C:\\Users\\ana, every backslash doubled,
 * as Python's repr shows it) is read with single backslashes, and
 * GetFullPathNameW resolves it against the working directory. Returns 0
 * or a negative errno. */
int ex__win_full_path(const char *path, char *out, size_t size);

#endif
