/* Explainers of the exec family. */
#include "probe/explainers.h"

const ex_explainer_t ex__explainers_exec[] = {
    {NULL, NULL, NULL},
};
