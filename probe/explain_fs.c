/* Explainers of the fs family. */
#include "probe/explainers.h"

const ex_explainer_t ex__explainers_fs[] = {
    {NULL, NULL, NULL},
};
