/* The Linux families of explainers, tried in this order. */
#include "platform/common/families.h"
#include "platform/linux/explainers.h"
#include "platform/probe.h"

const ex_explainer_t *const ex__families[] = {
    ex__explainers_tools, /* tool-specific conditions before generic errnos */
    ex__explainers_ci,
    ex__explainers_exec,
    ex__explainers_fs,
};

const size_t ex__nfamilies = sizeof(ex__families) / sizeof(ex__families[0]);

int ex_probe_path_foreign(const char *p) {
  if (p == NULL)
    return 0;
  if (p[0] == '\\' && p[1] == '\\')
    return 1;
  return ((p[0] >= 'A' && p[0] <= 'Z') || (p[0] >= 'a' && p[0] <= 'z')) &&
         p[1] == ':' && (p[2] == '\\' || p[2] == '/');
}
