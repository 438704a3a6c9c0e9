#include "platform/platform.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static void copy(char *dst, size_t size, const char *src) {
  (void)ex_strlcpy(dst, src, size);
}

/* Container engines leave a marker file, an environment variable, or their
 * name in PID 1's cgroup path (cgroup v1; v2 shows "0::/" inside). */
static void probe_container(ex_host_t *h) {
  char line[512];
  const char *env;
  FILE *f;

  if (getenv("KUBERNETES_SERVICE_HOST") != NULL) {
    copy(h->container, sizeof(h->container), "kubernetes");
    return;
  }
  if (access("/.dockerenv", F_OK) == 0) {
    copy(h->container, sizeof(h->container), "docker");
    return;
  }
  if (access("/run/.containerenv", F_OK) == 0) {
    copy(h->container, sizeof(h->container), "podman");
    return;
  }
  env = getenv("container");
  if (env != NULL && env[0] != '\0') {
    copy(h->container, sizeof(h->container), env);
    return;
  }
  f = fopen("/proc/1/cgroup", "re");
  if (f == NULL)
    return;
  while (fgets(line, sizeof(line), f) != NULL) {
    if (strstr(line, "kubepods") != NULL)
      copy(h->container, sizeof(h->container), "kubernetes");
    else if (strstr(line, "docker") != NULL)
      copy(h->container, sizeof(h->container), "docker");
    else if (strstr(line, "libpod") != NULL)
      copy(h->container, sizeof(h->container), "podman");
    else if (strstr(line, "/lxc/") != NULL)
      copy(h->container, sizeof(h->container), "lxc");
    if (h->container[0] != '\0')
      break;
  }
  fclose(f);
}

void ex_host_probe(ex_host_t *h) {
  struct utsname u;
  struct passwd pw;
  struct passwd *res;
  char buf[4096];

  memset(h, 0, sizeof(*h));
  copy(h->os, sizeof(h->os), "linux");
  if (uname(&u) == 0) {
    copy(h->kernel, sizeof(h->kernel), u.release);
    copy(h->arch, sizeof(h->arch), u.machine);
  }
  h->uid = (unsigned long)getuid();
  res = NULL;
  if (getpwuid_r(getuid(), &pw, buf, sizeof(buf), &res) == 0 && res != NULL)
    copy(h->user, sizeof(h->user), pw.pw_name);
  probe_container(h);
}
