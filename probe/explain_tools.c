/* Explainers of the tools family. */
#include "probe/explainers.h"

const ex_explainer_t ex__explainers_tools[] = {
    {NULL, NULL, NULL},
};
