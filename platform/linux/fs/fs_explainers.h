/* Internal to the Linux probes: the run functions of the fs explainers, one file
 * each (fs_access.c, fs_mount.c, fs_space.c, fs_lookup.c), tabled in
 * explain_fs.c. Same contract as ex_explainer_t.run. */
#ifndef EX_PROBE_FS_EXPLAINERS_H
#define EX_PROBE_FS_EXPLAINERS_H

#include "platform/probe.h"

int ex__fs_run_access(const ex_probe_event_t *ev, const ex_proc_t *proc,
                      const ex_host_t *host, ex_explanation_t *out);
int ex__fs_run_read_only(const ex_probe_event_t *ev, const ex_proc_t *proc,
                         const ex_host_t *host, ex_explanation_t *out);
int ex__fs_run_no_space(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        const ex_host_t *host, ex_explanation_t *out);
int ex__fs_run_lookup(const ex_probe_event_t *ev, const ex_proc_t *proc,
                      const ex_host_t *host, ex_explanation_t *out);

#endif
