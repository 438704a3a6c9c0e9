/* The command as Windows shows it: its image and, for explain itself, its
 * working directory. Credentials, groups and limits are POSIX notions
 * that stay empty here. */
#include "platform/probe.h"
#include "platform/windows/probes.h"
#include "platform/windows/win_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The full path of a process's image, or -errno. */
int ex__win_process_image(DWORD pid, char *buf, size_t size) {
  wchar_t w[MAX_PATH * 4];
  DWORD n;
  HANDLE h;
  int rc;

  buf[0] = '\0';
  h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
  if (h == NULL)
    return ex__win_errno(GetLastError());
  n = (DWORD)(sizeof(w) / sizeof(w[0]));
  rc = QueryFullProcessImageNameW(h, 0, w, &n) ? 0
                                               : ex__win_errno(GetLastError());
  CloseHandle(h);
  if (rc == 0)
    rc = ex__win_utf8(w, buf, size);
  return rc;
}

int ex_proc_capture(pid_t pid, ex_proc_t *p) {
  int rc;

  memset(p, 0, sizeof(*p));
  p->pid = pid;
  p->nfds = -1;
  rc = ex__win_process_image((DWORD)pid, p->exe, sizeof(p->exe));
  if (rc != 0)
    return rc == -EINVAL ? -ESRCH : rc;
  ex_strlcpy(p->comm, ex__win_basename(p->exe), sizeof(p->comm));
  /* Another process's working directory is in its PEB, read only through
   * its memory: left unknown. */
  p->valid = 1;
  return 0;
}

void ex_proc_capture_self(ex_proc_t *p) {
  wchar_t w[MAX_PATH * 4];
  DWORD n;

  if (ex_proc_capture((pid_t)GetCurrentProcessId(), p) != 0) {
    memset(p, 0, sizeof(*p));
    p->pid = (pid_t)GetCurrentProcessId();
    p->nfds = -1;
  }
  n = GetCurrentDirectoryW((DWORD)(sizeof(w) / sizeof(w[0])), w);
  if (n > 0 && n < sizeof(w) / sizeof(w[0]))
    (void)ex__win_utf8(w, p->cwd, sizeof(p->cwd));
  p->valid = 1;
  p->from_self = 1;
}

int ex_proc_has_cap(const ex_proc_t *p, int cap) {
  (void)p;
  (void)cap;
  return 0;
}

int ex_proc_in_group(const ex_proc_t *p, gid_t gid) {
  (void)p;
  (void)gid;
  return 0;
}

int ex_probe_cgroup_dir(const char *cgline, char *out, size_t size) {
  (void)cgline;
  if (size > 0)
    out[0] = '\0';
  return -ENOENT;
}

int ex_probe_memcg(const char *cgline, ex_probe_memcg_t *m) {
  (void)cgline;
  memset(m, 0, sizeof(*m));
  return -ENOENT;
}
