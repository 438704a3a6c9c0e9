/* Subjects the message does not name, and the process that printed it, on
 * Windows: not recovered yet. The Linux probes read a process's open
 * descriptors, sockets and command line from /proc; the Windows
 * equivalents (the handle table explain already reads for lock holders,
 * the TCP and UDP tables) are not wired to the recovery yet, so a message
 * without a subject is explained as such, and a wrapper's credentials are
 * not assumed (Windows has no setpriv or sudo -u). */
#include "platform/probe.h"

#include <errno.h>
#include <string.h>

int ex_subject_wanted(const ex_probe_event_t *ev) {
  (void)ev;
  return 0;
}

int ex_subject_recover(const ex_probe_event_t *ev, const ex_proc_t *proc,
                       ex_subject_t *out) {
  (void)ev;
  (void)proc;
  (void)out;
  return -ENOSYS;
}

const char *ex_subject_frame_operation(const ex_probe_event_t *ev,
                                       const ex_proc_t *proc) {
  (void)ev;
  (void)proc;
  return NULL;
}

pid_t ex_proc_printer(pid_t root) {
  (void)root;
  return 0;
}

int ex_proc_assume_wrapper(ex_proc_t *p, char *const *argv, char *how,
                           size_t hsize) {
  (void)p;
  (void)argv;
  if (hsize > 0)
    how[0] = '\0';
  return 0;
}
