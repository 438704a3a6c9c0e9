/* The CI context, read from the environment the same way everywhere. */
#include "platform/common/context.h"

#include <stdlib.h>
#include <string.h>

/* The CI variables, most specific first: plain CI=true is set by all of
 * them and by many others. */
static const struct {
  const char *var;
  const char *name;
} ci_vars[] = {
    {"GITHUB_ACTIONS", "github-actions"},
    {"GITLAB_CI", "gitlab-ci"},
    {"BUILDKITE", "buildkite"},
    {"JENKINS_URL", "jenkins"},
    {"CIRCLECI", "circleci"},
    {"TF_BUILD", "azure-pipelines"},
    {"CI", "ci"},
};

static int env_true(const char *v) {
  return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0 &&
         strcmp(v, "false") != 0;
}

const char *ex__context_ci(void) {
  size_t i;

  for (i = 0; i < sizeof(ci_vars) / sizeof(ci_vars[0]); i++) {
    if (env_true(getenv(ci_vars[i].var)))
      return ci_vars[i].name;
  }
  return NULL;
}

void ex__context_ci_facts(ex_facts_t *facts) {
  const char *ci;

  ci = ex__context_ci();
  if (ci != NULL)
    ex_facts_str(facts, "ci", ci);
  else
    ex_facts_bool(facts, "ci", 0);
  if (ci != NULL && strcmp(ci, "github-actions") == 0 &&
      getenv("GITHUB_WORKSPACE") != NULL)
    ex_facts_str(facts, "github_workspace", getenv("GITHUB_WORKSPACE"));
}
