/* The Windows families of explainers, tried in this order: a port before
 * a path, since both claim access errors. */
#include "platform/common/families.h"
#include "platform/windows/probes.h"

const ex_explainer_t *const ex__families[] = {
    ex__win_explainers_net,
    ex__win_explainers_fs,
};

const size_t ex__nfamilies = sizeof(ex__families) / sizeof(ex__families[0]);

/* Every path a log can name is one Windows can look at: a POSIX path
 * (/home/x) is read on the current drive, which is what a user there
 * would mean too. */
int ex_probe_path_foreign(const char *path) {
  (void)path;
  return 0;
}
