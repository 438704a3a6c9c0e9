/* The context every diagnosis shares: container, CI, WSL, user namespace.
 * The same failure has other fixes in each (a root container step, a CI
 * runner's HOME, a drvfs mount, a rootless "root"), so every explanation
 * states them as facts. */
#include "platform/common/context.h"
#include "platform/probe.h"
#include "platform/linux/tools/tool_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* WSL: the kernel release says "microsoft" ("...-microsoft-standard-WSL2"
 * on WSL 2); the interop binfmt entry exists on both versions. Returns 1
 * and the version ("1", "2" or "") when running under WSL. */
static int wsl_detect(char *version, size_t size) {
  char text[512];
  char *p;

  version[0] = '\0';
  if (ex_read_small("/proc/version", text, sizeof(text)) > 0) {
    for (p = text; *p != '\0'; p++) {
      if (*p >= 'A' && *p <= 'Z')
        *p = (char)(*p - 'A' + 'a');
    }
    if (strstr(text, "microsoft") != NULL) {
      ex_strlcpy(version, strstr(text, "wsl2") != NULL ? "2" : "1", size);
      return 1;
    }
  }
  return access("/proc/sys/fs/binfmt_misc/WSLInterop", F_OK) == 0;
}

void ex_probe_context_facts(const ex_proc_t *proc, const ex_host_t *host,
                            ex_facts_t *facts) {
  unsigned long in;
  unsigned long out;
  unsigned long count;
  char wsl[8];

  if (host != NULL && host->container[0] != '\0')
    ex_facts_str(facts, "container", host->container);
  else
    ex_facts_bool(facts, "container", 0);
  ex__context_ci_facts(facts);
  if (wsl_detect(wsl, sizeof(wsl))) {
    if (wsl[0] >= '1' && wsl[0] <= '9' && wsl[1] == '\0')
      ex_facts_int(facts, "wsl", wsl[0] - '0');
    else if (wsl[0] != '\0')
      ex_facts_str(facts, "wsl", wsl);
    else
      ex_facts_bool(facts, "wsl", 1);
  } else {
    ex_facts_bool(facts, "wsl", 0);
  }
  if (proc == NULL || !proc->valid || proc->uid_map[0] == '\0')
    return;
  ex_facts_bool(facts, "userns", proc->userns);
  if (!proc->userns)
    return;
  ex_facts_str(facts, "uid_map", proc->uid_map);
  /* Rootless: uid 0 inside is an unprivileged uid outside, so "root" here
   * cannot open what the host's root owns, and files it creates belong to
   * that outside uid on the host. */
  in = out = count = 0;
  if (sscanf(proc->uid_map, "%lu %lu %lu", &in, &out, &count) == 3 &&
      in == 0 && out != 0) {
    ex_facts_bool(facts, "rootless", 1);
    ex_facts_int(facts, "host_uid_of_root", (long long)out);
  } else {
    ex_facts_bool(facts, "rootless", 0);
  }
}
