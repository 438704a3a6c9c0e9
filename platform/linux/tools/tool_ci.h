/* Internal to the Linux probes: the explainers of the families CI logs are
 * made of (TLS, DNS, lock files, runtime versions, the Docker daemon,
 * credentials, kubeconfig, Terraform's working directory, memory limits)
 * and the small read-only helpers they share. They read files, the
 * environment (explain runs with the command's) and /proc; they never run a
 * program, never send a packet, and never print a secret: of a credential
 * they say whether it is set or where its file is, not what it holds.
 */
#ifndef EX_PROBE_TOOL_CI_H
#define EX_PROBE_TOOL_CI_H

#include <stddef.h>
#include <time.h>

#include "platform/probe.h"

/* The value of the environment variable name, or NULL when it is unset or
 * empty. */
const char *ex__ci_env(const char *name);

/* 1 when ev's rule id is id or starts with prefix (a prefix ends with a
 * "."). */
int ex__ci_rule(const ex_probe_event_t *ev, const char *prefix);

/* 1 when ev's condition is one of the NULL-terminated list. */
int ex__ci_condition(const ex_probe_event_t *ev, const char *const *list);

/* Facts about a file: key (its path), key_exists and, when it exists,
 * key_size and key_mtime (UTC, ISO 8601). Returns 1 when it exists as a
 * regular file, 0 otherwise. */
int ex__ci_file_facts(ex_facts_t *f, const char *key, const char *path);

/* Counts the "-----BEGIN CERTIFICATE-----" lines of the PEM file path
 * (read up to 8 MiB). Returns the count, or a negative errno. */
long ex__ci_count_certs(const char *path);

/* Looks for name in dir and up to levels parents; writes the directory
 * where it is into out. Returns 0, or -ENOENT (out then holds the last
 * directory looked at). */
int ex__ci_find_up(const char *dir, const char *name, char *out, size_t size,
                   int levels);

/* Formats t (UTC) as "2024-05-01T10:00:00Z" into buf. */
const char *ex__ci_time(time_t t, char *buf, size_t size);

/* Parses a date as tools print a certificate's or a clock's: RFC 3339
 * ("2024-05-01T10:00:00Z", "+03:00" offsets), OpenSSL's "Mar 10 12:00:00
 * 2024 GMT" and Java's "Sun Mar 10 12:00:00 UTC 2024". Returns 0 with *t
 * set, or -EINVAL. */
int ex__ci_parse_time(const char *s, time_t *t);

/* Version strings ("v18.19.0", "3.11", "go1.21.5", "1.76.0-nightly"): the
 * first up to three numbers. Returns how many were found (0 when none). */
int ex__ci_version(const char *s, int v[3]);

/* -1, 0 or 1 as a is older than, equal to or newer than b, comparing as
 * many numbers as the shorter has (na, nb). */
int ex__ci_version_cmp(const int *a, int na, const int *b, int nb);

/* Whether version v (n numbers) satisfies a requirement as npm, pip,
 * poetry, cargo and Go print them: ">=18", "^20.17.0 || >=22.9.0", "18.x",
 * "~3.9", "==3.9.*", ">=3.8,<4.0", "!=3.0", "1.22", "go1.22". Returns 1,
 * 0, or -1 when the requirement cannot be read. */
int ex__ci_satisfies(const int *v, int n, const char *req);

/* The explainers of the family (explain_ci.c lists them). */
int ex__tls_applies(const ex_probe_event_t *ev);
int ex__tls_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                const ex_host_t *host, ex_explanation_t *out);
int ex__dns_applies(const ex_probe_event_t *ev);
int ex__dns_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                const ex_host_t *host, ex_explanation_t *out);
int ex__lock_applies(const ex_probe_event_t *ev);
int ex__lock_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                 const ex_host_t *host, ex_explanation_t *out);
int ex__version_applies(const ex_probe_event_t *ev);
int ex__version_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                    const ex_host_t *host, ex_explanation_t *out);
int ex__dockerd_applies(const ex_probe_event_t *ev);
int ex__dockerd_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                    const ex_host_t *host, ex_explanation_t *out);
int ex__creds_applies(const ex_probe_event_t *ev);
int ex__creds_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                  const ex_host_t *host, ex_explanation_t *out);
int ex__kubeconfig_applies(const ex_probe_event_t *ev);
int ex__kubeconfig_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                       const ex_host_t *host, ex_explanation_t *out);
int ex__terraform_applies(const ex_probe_event_t *ev);
int ex__terraform_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                      const ex_host_t *host, ex_explanation_t *out);
int ex__memlimit_applies(const ex_probe_event_t *ev);
int ex__memlimit_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                     const ex_host_t *host, ex_explanation_t *out);

#endif
