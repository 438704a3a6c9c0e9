/* Internal to platform/: the context facts every platform states alike. */
#ifndef EX_PLATFORM_COMMON_CONTEXT_H
#define EX_PLATFORM_COMMON_CONTEXT_H

#include "platform/probe.h"

/* The CI system the command runs under, from the environment
 * ("github-actions", "gitlab-ci", "buildkite", "jenkins", "ci"), or NULL. */
const char *ex__context_ci(void);

/* Adds "ci" (its name, or false) and, on GitHub Actions,
 * "github_workspace" to facts. */
void ex__context_ci_facts(ex_facts_t *facts);

#endif
