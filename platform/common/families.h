/* Internal to platform/: the families of explainers of the platform that
 * was built, in the order the registry (common/registry.c) tries them.
 * Each platform's registry.c defines the list; each family is a table
 * ended by an entry whose name is NULL. */
#ifndef EX_PLATFORM_COMMON_FAMILIES_H
#define EX_PLATFORM_COMMON_FAMILIES_H

#include <stddef.h>

#include "platform/probe.h"

extern const ex_explainer_t *const ex__families[];
extern const size_t ex__nfamilies;

#endif
