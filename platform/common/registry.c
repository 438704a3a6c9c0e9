/* The registry: the first explainer of the platform's families that
 * applies to an event runs. */
#include "platform/common/families.h"
#include "platform/probe.h"

#include <string.h>

const char *ex_probe_capture(const ex_probe_event_t *ev, const char *name) {
  if (ev->capture == NULL)
    return NULL;
  return ev->capture(ev->capture_ud, name);
}

const char *ex_probe_unnamed(const ex_probe_event_t *ev,
                             const char *fallback) {
  if (ev->subject_from != NULL && !ev->subject_recovered &&
      ev->subject_from[0] != '\0')
    return ev->subject_from;
  return fallback;
}

int ex_explain(const ex_probe_event_t *ev, const ex_proc_t *proc,
               const ex_host_t *host, ex_explanation_t *out) {
  const ex_explainer_t *x;
  size_t f;
  int rc;

  memset(out, 0, sizeof(*out));
  if (ex_probe_path_foreign(ev->subject_value))
    return 0;
  for (f = 0; f < ex__nfamilies; f++) {
    for (x = ex__families[f]; x->name != NULL; x++) {
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

  for (f = 0; f < ex__nfamilies; f++) {
    for (x = ex__families[f]; x->name != NULL; x++)
      fn(ud, x);
  }
}
