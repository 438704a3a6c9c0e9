/* The registry: the families of explainers, tried in order. */
#include "platform/linux/explainers.h"
#include "platform/probe.h"

#include <string.h>

static const ex_explainer_t *const families[] = {
    ex__explainers_tools, /* tool-specific conditions before generic errnos */
    ex__explainers_ci,
    ex__explainers_exec,
    ex__explainers_fs,
};

#define NFAMILIES (sizeof(families) / sizeof(families[0]))

const char *ex_probe_capture(const ex_probe_event_t *ev, const char *name) {
  if (ev->capture == NULL)
    return NULL;
  return ev->capture(ev->capture_ud, name);
}

int ex_explain(const ex_probe_event_t *ev, const ex_proc_t *proc,
               const ex_host_t *host, ex_explanation_t *out) {
  const ex_explainer_t *x;
  size_t f;
  int rc;

  memset(out, 0, sizeof(*out));
  for (f = 0; f < NFAMILIES; f++) {
    for (x = families[f]; x->name != NULL; x++) {
      if (!x->applies(ev))
        continue;
      out->explainer = x->name;
      rc = x->run(ev, proc, host, out);
      if (rc < 0) {
        ex_explanation_release(out);
        return rc;
      }
      return 1;
    }
  }
  return 0;
}

void ex_explainers_each(void (*fn)(void *ud, const ex_explainer_t *x),
                        void *ud) {
  const ex_explainer_t *x;
  size_t f;

  for (f = 0; f < NFAMILIES; f++) {
    for (x = families[f]; x->name != NULL; x++)
      fn(ud, x);
  }
}
