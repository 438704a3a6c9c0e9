/* The Linux families of explainers, tried in this order. */
#include "platform/common/families.h"
#include "platform/linux/explainers.h"

const ex_explainer_t *const ex__families[] = {
    ex__explainers_tools, /* tool-specific conditions before generic errnos */
    ex__explainers_ci,
    ex__explainers_exec,
    ex__explainers_fs,
};

const size_t ex__nfamilies = sizeof(ex__families) / sizeof(ex__families[0]);
