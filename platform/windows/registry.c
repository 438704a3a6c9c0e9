/* The Windows families of explainers, tried in this order: a port before
 * a path, since both claim access errors. */
#include "platform/common/families.h"
#include "platform/windows/probes.h"

const ex_explainer_t *const ex__families[] = {
    ex__win_explainers_net,
    ex__win_explainers_fs,
};

const size_t ex__nfamilies = sizeof(ex__families) / sizeof(ex__families[0]);
