/* EROFS: the mount that holds the path, as /proc/self/mountinfo shows it
 * (bind mounts included), and whether it is a container volume. */
#include "platform/linux/fs/fs.h"
#include "platform/linux/fs/fs_explainers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* File systems that cannot be written at all. */
static int read_only_type(const char *fstype) {
  static const char *const types[] = {"squashfs", "iso9660", "udf",
                                      "erofs", "cramfs", "romfs", NULL};
  size_t i;

  for (i = 0; types[i] != NULL; i++) {
    if (strcmp(fstype, types[i]) == 0)
      return 1;
  }
  return 0;
}

static void mount_facts(ex_facts_t *f, const ex_mount_t *m) {
  ex_facts_str(f, "mount_point", m->mount_point);
  ex_facts_str(f, "source", m->source);
  ex_facts_str(f, "fstype", m->fstype);
  ex_facts_str(f, "options", m->options);
  ex_facts_str(f, "super_options", m->super_options);
  ex_facts_str(f, "mount_root", m->root);
  ex_facts_bool(f, "bind", m->bind);
  ex_facts_bool(f, "ro", m->ro);
}

int ex__fs_run_read_only(const ex_probe_event_t *ev, const ex_proc_t *p,
                         const ex_host_t *host, ex_explanation_t *e) {
  char *abs;
  ex_mount_t *m;
  ex_cause_t *c;
  int rc;
  int super_ro;
  int volume;
  const char *argv[6];
  char opts[64];

  abs = NULL;
  m = NULL;
  ex__fs_proc_facts(&e->facts, p, host);
  if (!ex__fs_named_path(ev->subject_value)) {
    ex_cause_add(e, "read-only-mount", EX_VERDICT_UNKNOWN,
                 "%s, so its mount could not be found",
                 ex_probe_unnamed(ev, "the message did not name the path"));
    ex_explanation_summary(e, "read-only file system: path not named");
    /* A fix that needs no path: the read-only mounts of this machine. */
    argv[0] = "findmnt";
    argv[1] = "-O";
    argv[2] = "ro";
    argv[3] = NULL;
    ex_fix_add_cmd(e, 0, argv, "list the read-only mounts");
    return 0;
  }
  abs = ex__path_absolute(p, ev->subject_value);
  m = malloc(sizeof(*m));
  if (abs == NULL || m == NULL) {
    rc = -ENOMEM;
    goto cleanup;
  }
  ex_facts_str(&e->facts, "path", abs);
  rc = ex__mount_find(abs, m);
  if (rc != 0) {
    ex_cause_add(e, "read-only-mount", EX_VERDICT_UNKNOWN,
                 "could not find the mount of %s in /proc/self/mountinfo "
                 "(%s)",
                 abs, strerror(-rc));
    rc = 0;
    goto cleanup;
  }
  mount_facts(&e->facts, m);
  super_ro = strncmp(m->super_options, "ro", 2) == 0 &&
             (m->super_options[2] == ',' || m->super_options[2] == '\0');
  volume = host != NULL && host->container[0] != '\0' &&
           (m->bind || strcmp(m->mount_point, "/") != 0) &&
           strcmp(m->fstype, "overlay") != 0;

  if (!m->ro && !super_ro) {
    /* The state no longer matches: it was remounted since, or the path
     * named in the message is not where the write went. */
    e->stale = 1;
    c = ex_cause_add(e, "read-only-mount", EX_VERDICT_RULED_OUT,
                     "%s is on %s (%s from %s), mounted read-write now",
                     abs, m->mount_point, m->fstype, m->source);
    if (c != NULL)
      mount_facts(&c->facts, m);
    ex_explanation_summary(e, "%s is on a read-write mount now (%s): it "
                           "was remounted since the error",
                           abs, m->mount_point);
    goto cleanup;
  }
  if (m->bind && m->ro && !super_ro) {
    c = ex_cause_add(e, "read-only-bind-mount", EX_VERDICT_CONFIRMED,
                     "%s is a read-only bind mount of %s on %s (%s), whose "
                     "file system itself is writable",
                     m->mount_point, m->root, m->source, m->fstype);
  } else if (read_only_type(m->fstype)) {
    c = ex_cause_add(e, "read-only-file-system-type", EX_VERDICT_CONFIRMED,
                     "%s is %s from %s, a file system that cannot be "
                     "written",
                     m->mount_point, m->fstype, m->source);
  } else if (super_ro) {
    c = ex_cause_add(e, "read-only-file-system", EX_VERDICT_CONFIRMED,
                     "the file system of %s (%s on %s) is read-only%s",
                     m->mount_point, m->fstype, m->source,
                     strstr(m->super_options, "errors=remount-ro") != NULL
                         ? "; it is set to turn read-only after I/O errors "
                           "(errors=remount-ro): check the kernel log"
                         : "");
  } else {
    c = ex_cause_add(e, "read-only-mount", EX_VERDICT_CONFIRMED,
                     "%s is mounted read-only (%s from %s, options %s)",
                     m->mount_point, m->fstype, m->source, m->options);
  }
  if (c != NULL)
    mount_facts(&c->facts, m);
  ex_explanation_summary(e, "%s is on %s, mounted read-only (%s%s from %s)",
                         abs, m->mount_point, m->bind ? "bind mount of " : "",
                         m->bind ? m->root : m->fstype, m->source);
  if (host != NULL && host->container[0] != '\0') {
    c = ex_cause_add(e, "container-volume",
                     volume ? EX_VERDICT_CONFIRMED : EX_VERDICT_RULED_OUT,
                     volume ? "inside a %s container, %s is a volume or "
                              "bind mount set read-only by the container's "
                              "configuration (:ro, readOnly, "
                              "--read-only)"
                            : "inside a %s container, but %s is not a "
                              "volume",
                     host->container, m->mount_point);
    if (c != NULL)
      ex_facts_str(&c->facts, "container", host->container);
    if (volume)
      ex_fix_add_raw(e, 0, NULL,
                     "mount the volume read-write: drop :ro from the -v / "
                     "--mount of %s (readOnly: false in Kubernetes)",
                     m->mount_point);
  }
  if (!read_only_type(m->fstype)) {
    snprintf(opts, sizeof(opts), "remount,rw%s",
             m->bind && !super_ro ? ",bind" : "");
    argv[0] = "mount";
    argv[1] = "-o";
    argv[2] = opts;
    argv[3] = m->mount_point;
    argv[4] = NULL;
    ex_fix_add_cmd(e, 1, argv, "remount %s read-write%s", m->mount_point,
                   volume ? " (from the host, or with CAP_SYS_ADMIN)" : "");
  }
  ex__fs_fix_writable_dir(e, p, (dev_t)-1);
  rc = 0;

cleanup:
  free(abs);
  free(m);
  return rc;
}
