/* The context every diagnosis shares, on Windows: CI, and the facts that
 * only Linux has (containers as Linux sees them, WSL, user namespaces)
 * stated as absent. */
#include "platform/common/context.h"
#include "platform/probe.h"

void ex_probe_context_facts(const ex_proc_t *proc, const ex_host_t *host,
                            ex_facts_t *facts) {
  (void)proc;
  if (host != NULL && host->container[0] != '\0')
    ex_facts_str(facts, "container", host->container);
  else
    ex_facts_bool(facts, "container", 0);
  ex__context_ci_facts(facts);
  ex_facts_bool(facts, "wsl", 0);
}
