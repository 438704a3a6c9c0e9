/* Kernel file systems (sysfs, procfs, cgroupfs, debugfs, ...): their files
 * are the kernel's settings and counters, their modes say which of them it
 * lets be written, and the tool that changes a setting is not chmod. */
#include "platform/linux/fs/fs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

static const struct {
  unsigned long magic;
  const char *name;
  int mode_final; /* the kernel refuses an access its mode does not give,
                     whatever the caller's capabilities */
} kinds[] = {
    {0x62656572UL, "sysfs", 1},      {0x27e0ebUL, "cgroup", 1},
    {0x63677270UL, "cgroup2", 1},    {0x9fa0UL, "proc", 0},
    {0x64626720UL, "debugfs", 0},    {0x74726163UL, "tracefs", 0},
    {0x73636673UL, "securityfs", 0}, {0x62656570UL, "configfs", 0},
    {0xcafe4a11UL, "bpf", 0},        {0x6165676cUL, "pstore", 0},
    {0xde5e81e4UL, "efivarfs", 0},   {0x42494e4dUL, "binfmt_misc", 0},
};

int ex__fs_kernel(const char *path, ex_kernel_fs_t *k) {
  struct statfs sf;
  size_t i;

  memset(k, 0, sizeof(*k));
  if (statfs(path, &sf) != 0)
    return 0;
  for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
    if ((unsigned long)sf.f_type != kinds[i].magic)
      continue;
    k->name = kinds[i].name;
    k->mode_final = kinds[i].mode_final;
    /* procfs checks most files as any file system does, but a sysctl
     * only by its mode, for root too. */
    if (strcmp(k->name, "proc") == 0 && strncmp(path, "/proc/sys/", 10) == 0)
      k->mode_final = 1;
    return 1;
  }
  return 0;
}

/* The interface name in /sys/class/net/IF/ATTR, or 0. */
static int net_attr(const char *path, char *ifname, size_t isize,
                    const char **attr) {
  const char *p;
  const char *slash;

  if (strncmp(path, "/sys/class/net/", 15) != 0)
    return 0;
  p = path + 15;
  slash = strchr(p, '/');
  if (slash == NULL || (size_t)(slash - p) >= isize || slash == p)
    return 0;
  memcpy(ifname, p, (size_t)(slash - p));
  ifname[slash - p] = '\0';
  *attr = slash + 1;
  return strchr(*attr, '/') == NULL;
}

/* The settable file that goes with a cgroup counter. */
static const char *cgroup_setting(const char *file) {
  static const struct {
    const char *counter;
    const char *setting;
  } map[] = {
      {"memory.current", "memory.max"},
      {"memory.peak", "memory.max"},
      {"memory.stat", "memory.max"},
      {"memory.events", "memory.max"},
      {"memory.swap.current", "memory.swap.max"},
      {"pids.current", "pids.max"},
      {"pids.peak", "pids.max"},
      {"cpu.stat", "cpu.max"},
      {"io.stat", "io.max"},
      {"cgroup.controllers", "cgroup.subtree_control"},
      {"cgroup.events", "cgroup.freeze"},
      {"memory.usage_in_bytes", "memory.limit_in_bytes"},
      {"memory.max_usage_in_bytes", "memory.limit_in_bytes"},
  };
  size_t i;

  for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
    if (strcmp(map[i].counter, file) == 0)
      return map[i].setting;
  }
  return NULL;
}

int ex__fs_kernel_fixes(ex_explanation_t *e, const char *path,
                        const ex_kernel_fs_t *k, int writable) {
  char ifname[64];
  char key[EX_PROC_PATH_MAX];
  char other[EX_PROC_PATH_MAX];
  const char *attr;
  const char *base;
  const char *set;
  const char *argv[8];
  char *p;

  if (net_attr(path, ifname, sizeof(ifname), &attr)) {
    argv[0] = "ip";
    argv[1] = "link";
    argv[2] = "show";
    argv[3] = "dev";
    argv[4] = ifname;
    argv[5] = NULL;
    if (strcmp(attr, "address") == 0)
      ex_fix_add_cmd(e, 0, argv,
                     "the link layer sets the address of %s: ip link set "
                     "dev %s address NEW-ADDRESS (as root, with the link "
                     "down); see it now with",
                     ifname, ifname);
    else if (strcmp(attr, "mtu") == 0)
      ex_fix_add_cmd(e, 0, argv,
                     "set the MTU with ip link set dev %s mtu N (as root); "
                     "see it now with",
                     ifname);
    else if (strcmp(attr, "operstate") == 0 || strcmp(attr, "carrier") == 0 ||
             strcmp(attr, "flags") == 0)
      ex_fix_add_cmd(e, 0, argv,
                     "bring %s up or down with ip link set dev %s up|down "
                     "(as root); see its state with",
                     ifname, ifname);
    else
      ex_fix_add_cmd(e, 0, argv,
                     "the ip tool changes the settings of %s; "
                     "see them with",
                     ifname);
    return 1;
  }
  if (strcmp(k->name, "proc") == 0 && strncmp(path, "/proc/sys/", 10) == 0) {
    ex_strlcpy(key, path + 10, sizeof(key));
    for (p = key; *p != '\0'; p++) {
      if (*p == '/')
        *p = '.';
    }
    argv[0] = "sysctl";
    argv[1] = key;
    argv[2] = NULL;
    if (writable)
      ex_fix_add_cmd(e, 0, argv,
                     "sysctl sets it: sudo sysctl -w %s=VALUE (and a file in "
                     "/etc/sysctl.d to keep it); see it now with",
                     key);
    else
      ex_fix_add_cmd(e, 0, argv,
                     "%s is a read-only kernel value: nothing sets it while "
                     "the system runs (some are boot parameters); see it "
                     "with",
                     key);
    return 1;
  }
  if (strncmp(k->name, "cgroup", 6) == 0) {
    base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    set = cgroup_setting(base);
    if (set != NULL && !writable) {
      ex_strlcpy(other, path, sizeof(other));
      p = strrchr(other, '/');
      if (p != NULL && (size_t)(p + 1 - other) + strlen(set) < sizeof(other)) {
        strcpy(p + 1, set);
        if (access(other, F_OK) == 0) {
          argv[0] = "cat";
          argv[1] = other;
          argv[2] = NULL;
          ex_fix_add_cmd(e, 0, argv,
                         "%s is a counter; the cgroup's setting is %s (write "
                         "it as the cgroup's owner); see it with",
                         base, set);
          return 1;
        }
      }
    }
    if (writable) {
      ex_fix_add_raw(e, 0, NULL,
                     "a cgroup's files are written by its owner (root, or "
                     "the user it was delegated to): let its manager do it, "
                     "e.g. systemd-run --user --scope -p MemoryMax=... for "
                     "your own");
      return 1;
    }
  }
  return 0;
}
