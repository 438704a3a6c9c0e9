/* Explainers of the CI family: the failures CI logs are made of that are
 * not an errno of this machine (certificates, name resolution, lock files,
 * runtime versions, the Docker daemon, credentials, kubeconfig, Terraform's
 * working directory, memory limits). The registry tries this table after
 * the tools family and before the generic errno explainers. */
#include "platform/linux/explainers.h"
#include "platform/linux/tools/tool_ci.h"

const ex_explainer_t ex__explainers_ci[] = {
    {"tls-certificate", ex__tls_applies, ex__tls_run},
    {"name-resolution", ex__dns_applies, ex__dns_run},
    {"lock-file", ex__lock_applies, ex__lock_run},
    {"runtime-version", ex__version_applies, ex__version_run},
    {"docker-daemon", ex__dockerd_applies, ex__dockerd_run},
    {"kubeconfig", ex__kubeconfig_applies, ex__kubeconfig_run},
    {"credentials", ex__creds_applies, ex__creds_run},
    {"terraform-workdir", ex__terraform_applies, ex__terraform_run},
    {"memory-limits", ex__memlimit_applies, ex__memlimit_run},
    {NULL, NULL, NULL},
};
