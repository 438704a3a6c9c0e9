/* TLS certificates: the CA bundle in use and the variables that replace
 * it, a proxy that may re-sign certificates, the clock against the
 * certificate's dates where the log printed them, and /etc/hosts for a
 * name that reached another server. No connection is made: what the
 * server sends is the user's to look at (the fix shows the command). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "platform/linux/tools/tool_ci.h"
#include "platform/linux/tools/tool_util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

static const char *const conditions[] = {
    "tls-untrusted",         "tls-expired",
    "tls-hostname-mismatch", "tls-ca-missing",
    "tls-cert-verify",       "tls-verify-failed",
    "tls-handshake-failed",  NULL};

/* Where OpenSSL-based tools look by default, per distribution. */
static const char *const bundles[] = {
    "/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu, Alpine */
    "/etc/pki/tls/certs/ca-bundle.crt",   /* Fedora, RHEL */
    "/etc/ssl/ca-bundle.pem",             /* openSUSE */
    "/etc/ssl/cert.pem",                  /* Alpine, macOS */
    NULL};

/* Variables that replace or extend the bundle for one tool or all. */
static const char *const ca_vars[] = {
    "SSL_CERT_FILE",      "SSL_CERT_DIR",        "CURL_CA_BUNDLE",
    "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "GIT_SSL_CAINFO",
    "PIP_CERT",           "AWS_CA_BUNDLE",       NULL};

int ex__tls_applies(const ex_probe_event_t *ev) {
  return ex__ci_condition(ev, conditions);
}

/* The system bundle: the first that exists, its certificates counted. */
static void system_bundle(ex_explanation_t *out, const char **found) {
  ex_cause_t *c;
  long n;
  size_t i;

  *found = NULL;
  for (i = 0; bundles[i] != NULL; i++) {
    if (access(bundles[i], F_OK) == 0) {
      *found = bundles[i];
      break;
    }
  }
  if (*found == NULL) {
    c = ex_cause_add(out, "ca-bundle", EX_VERDICT_CONFIRMED,
                     "there is no CA bundle where OpenSSL looks by default "
                     "(%s, and three other places)",
                     bundles[0]);
    if (c != NULL)
      ex_facts_bool(&c->facts, "ca_bundle_found", 0);
    return;
  }
  n = ex__ci_count_certs(*found);
  ex_facts_str(&out->facts, "ca_bundle", *found);
  if (n < 0) {
    c = ex_cause_add(out, "ca-bundle", EX_VERDICT_CONFIRMED,
                     "the CA bundle %s cannot be read (%s)", *found,
                     strerror((int)-n));
  } else if (n == 0) {
    c = ex_cause_add(out, "ca-bundle", EX_VERDICT_CONFIRMED,
                     "the CA bundle %s holds no certificate", *found);
  } else {
    c = ex_cause_add(out, "ca-bundle", EX_VERDICT_RULED_OUT,
                     "the system CA bundle %s holds %ld certificates", *found,
                     n);
  }
  if (c != NULL) {
    ex_facts_str(&c->facts, "ca_bundle", *found);
    ex_facts_int(&c->facts, "ca_bundle_certificates", n < 0 ? 0 : n);
  }
}

/* The variables that point a tool at another bundle: set, and pointing to
 * something usable? Returns the name of the first that does not. */
static const char *ca_variables(ex_explanation_t *out) {
  const char *broken = NULL;
  char why[160] = "";
  ex_cause_t *c;
  size_t nset = 0;
  size_t i;

  for (i = 0; ca_vars[i] != NULL; i++) {
    const char *v = ex__ci_env(ca_vars[i]);
    struct stat st;
    char key[64];
    long n;

    if (v == NULL)
      continue;
    nset++;
    snprintf(key, sizeof(key), "env_%s", ca_vars[i]);
    ex_facts_str(&out->facts, key, v);
    if (broken != NULL)
      continue;
    if (stat(v, &st) != 0) {
      broken = ca_vars[i];
      snprintf(why, sizeof(why), "%s=%s, which does not exist", ca_vars[i], v);
    } else if (strcmp(ca_vars[i], "SSL_CERT_DIR") == 0) {
      if (!S_ISDIR(st.st_mode)) {
        broken = ca_vars[i];
        snprintf(why, sizeof(why), "%s=%s, which is not a directory",
                 ca_vars[i], v);
      }
    } else if ((n = ex__ci_count_certs(v)) <= 0) {
      broken = ca_vars[i];
      snprintf(why, sizeof(why), "%s=%s, which %s", ca_vars[i], v,
               n < 0 ? "cannot be read" : "holds no certificate");
    }
  }
  if (broken != NULL) {
    c = ex_cause_add(out, "env-ca-file", EX_VERDICT_CONFIRMED,
                     "the environment sets %s: the tool reads that instead "
                     "of the system bundle",
                     why);
    if (c != NULL)
      ex_facts_str(&c->facts, "variable", broken);
  } else if (nset > 0) {
    ex_cause_add(out, "env-ca-file", EX_VERDICT_RULED_OUT,
                 "%zu CA variable%s set, each naming a readable file or "
                 "directory",
                 nset, nset == 1 ? " is" : "s are");
  } else {
    ex_cause_add(out, "env-ca-file", EX_VERDICT_RULED_OUT,
                 "no CA variable is set (SSL_CERT_FILE, "
                 "REQUESTS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, GIT_SSL_CAINFO, "
                 "...)");
  }
  return broken;
}

/* A proxy in the environment, named by its host only: a proxy URL can hold
 * a user and a password. */
static void proxy(ex_explanation_t *out) {
  static const char *const vars[] = {"HTTPS_PROXY", "https_proxy", "HTTP_PROXY",
                                     "http_proxy", NULL};
  const char *v = NULL;
  const char *host;
  const char *at;
  char shown[256];
  size_t i;
  size_t n;

  for (i = 0; vars[i] != NULL && v == NULL; i++)
    v = ex__ci_env(vars[i]);
  if (v == NULL) {
    ex_cause_add(out, "intercepting-proxy", EX_VERDICT_UNKNOWN,
                 "no proxy is set in the environment; a transparent proxy "
                 "or a security product on the network cannot be seen from "
                 "here");
    return;
  }
  host = strstr(v, "://");
  host = host != NULL ? host + 3 : v;
  at = strchr(host, '@');
  if (at != NULL && (strchr(host, '/') == NULL || at < strchr(host, '/')))
    host = at + 1;
  n = strcspn(host, "/");
  if (n >= sizeof(shown))
    n = sizeof(shown) - 1;
  memcpy(shown, host, n);
  shown[n] = '\0';
  ex_facts_str(&out->facts, "proxy", shown);
  ex_cause_add(out, "intercepting-proxy", EX_VERDICT_UNKNOWN,
               "connections go through the proxy %s; a proxy that inspects "
               "TLS re-signs every certificate with its own CA",
               shown);
}

/* The clock, and the certificate's dates when the log gave them. */
static void clock_facts(const ex_probe_event_t *ev, ex_explanation_t *out) {
  struct timex tx;
  const char *bound = ex_probe_capture(ev, "bound");
  const char *notafter = ex_probe_capture(ev, "notafter");
  const char *then = ex_probe_capture(ev, "now");
  const char *side = ex_probe_capture(ev, "side");
  time_t now = time(NULL);
  time_t t_bound = 0;
  time_t t_then = 0;
  char a[32];
  char b[32];
  int state;
  int have_bound;

  ex_facts_str(&out->facts, "clock_now", ex__ci_time(now, a, sizeof(a)));
  memset(&tx, 0, sizeof(tx));
  state = adjtimex(&tx);
  if (state >= 0)
    ex_facts_bool(&out->facts, "clock_synchronised",
                  state != TIME_ERROR && !(tx.status & STA_UNSYNC));
  if (ev->condition == NULL || strcmp(ev->condition, "tls-expired") != 0)
    return;
  if (bound == NULL || bound[0] == '\0')
    bound = notafter;
  have_bound = bound != NULL && ex__ci_parse_time(bound, &t_bound) == 0;
  if (then != NULL && ex__ci_parse_time(then, &t_then) == 0)
    ex_facts_str(&out->facts, "clock_of_the_failure",
                 ex__ci_time(t_then, a, sizeof(a)));
  if (!have_bound) {
    ex_cause_add(out, "expired", EX_VERDICT_UNKNOWN,
                 "the log does not print the certificate's dates; the clock "
                 "here says %s",
                 ex__ci_time(now, a, sizeof(a)));
    return;
  }
  ex__ci_time(t_bound, b, sizeof(b));
  ex_facts_str(&out->facts,
               side != NULL && strcmp(side, "before") == 0
                   ? "certificate_not_before"
                   : "certificate_not_after",
               b);
  if (side != NULL && strcmp(side, "before") == 0) {
    /* "current time T is before NOTBEFORE": not valid yet. */
    if (now >= t_bound)
      ex_cause_add(out, "clock", EX_VERDICT_CONFIRMED,
                   "the certificate is valid from %s, which the clock here "
                   "(%s) has passed: the clock of the machine that failed "
                   "was behind",
                   b, ex__ci_time(now, a, sizeof(a)));
    else
      ex_cause_add(out, "expired", EX_VERDICT_CONFIRMED,
                   "the certificate becomes valid only at %s; the clock here "
                   "says %s",
                   b, ex__ci_time(now, a, sizeof(a)));
    return;
  }
  if (now > t_bound)
    ex_cause_add(out, "expired", EX_VERDICT_CONFIRMED,
                 "the certificate's validity ended at %s; the clock here "
                 "says %s (%ld days later)",
                 b, ex__ci_time(now, a, sizeof(a)),
                 (long)((now - t_bound) / 86400));
  else
    ex_cause_add(out, "expired", EX_VERDICT_RULED_OUT,
                 "by the clock here (%s) the certificate is still valid, "
                 "until %s: the failing clock was ahead, or the log is old",
                 ex__ci_time(now, a, sizeof(a)), b);
}

/* An /etc/hosts line that sends the name elsewhere. */
static void hosts_override(const char *host, ex_explanation_t *out) {
  char *hosts = ex__tool_slurp("/etc/hosts");
  char *line;
  char *save = NULL;
  int found = 0;

  if (hosts == NULL) {
    ex_cause_add(out, "hosts-override", EX_VERDICT_UNKNOWN,
                 "/etc/hosts cannot be read");
    return;
  }
  for (line = strtok_r(hosts, "\n", &save); line != NULL && !found;
       line = strtok_r(NULL, "\n", &save)) {
    char *p = line;
    char *addr;

    while (isspace((unsigned char)*p))
      p++;
    if (*p == '#' || *p == '\0')
      continue;
    addr = p;
    p += strcspn(p, " \t");
    if (*p == '\0')
      continue;
    *p++ = '\0';
    for (;;) {
      char *name;

      p += strspn(p, " \t");
      if (*p == '\0' || *p == '#')
        break;
      name = p;
      p += strcspn(p, " \t");
      if (*p != '\0')
        *p++ = '\0';
      if (strcasecmp(name, host) == 0) {
        ex_cause_add(out, "hosts-override", EX_VERDICT_CONFIRMED,
                     "/etc/hosts maps %s to %s here", host, addr);
        found = 1;
        break;
      }
    }
  }
  if (!found)
    ex_cause_add(out, "hosts-override", EX_VERDICT_RULED_OUT,
                 "/etc/hosts does not name %s", host);
  free(hosts);
}

static int is_ip(const char *s) {
  return strspn(s, "0123456789.") == strlen(s) || strchr(s, ':') != NULL;
}

/* Which runtime read the bundle, from the words of the log. */
static const char *runtime_of(const ex_probe_event_t *ev) {
  const char *reason = ex_probe_capture(ev, "reason");

  if (reason == NULL)
    return NULL;
  if (strstr(reason, "_CERT") != NULL || strstr(reason, "LEAF") != NULL)
    return "node";
  if (strstr(reason, "CERTIFICATE_VERIFY_FAILED") != NULL)
    return "python";
  if (strstr(reason, "PKIX") != NULL ||
      strstr(reason, "certification path") != NULL)
    return "java";
  return NULL;
}

int ex__tls_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                const ex_host_t *host, ex_explanation_t *out) {
  const char *subject = ev->subject_value;
  const char *bundle;
  const char *broken;
  const char *runtime;
  char *cmd;
  char *q;

  ex_probe_context_facts(proc, host, &out->facts);
  if (ev->condition != NULL && strcmp(ev->condition, "tls-ca-missing") == 0 &&
      subject != NULL && subject[0] != '\0') {
    if (access(subject, F_OK) != 0)
      ex_cause_add(out, "ca-file-missing", EX_VERDICT_CONFIRMED,
                   "%s does not exist here", subject);
    else if (ex__ci_count_certs(subject) <= 0)
      ex_cause_add(out, "ca-file-missing", EX_VERDICT_CONFIRMED,
                   "%s exists but holds no readable certificate", subject);
    else
      ex_cause_add(out, "ca-file-missing", EX_VERDICT_RULED_OUT,
                   "%s exists here and holds certificates: the failure ran "
                   "with another file system or user",
                   subject);
  }
  system_bundle(out, &bundle);
  broken = ca_variables(out);
  runtime = runtime_of(ev);
  if (runtime != NULL) {
    ex_facts_str(&out->facts, "runtime", runtime);
    ex_cause_add(out, "own-bundle", EX_VERDICT_UNKNOWN,
                 "%s verifies with its own CA store (%s), not the system "
                 "bundle: a CA installed in the system is not seen by it",
                 runtime,
                 strcmp(runtime, "node") == 0     ? "built into node"
                 : strcmp(runtime, "python") == 0 ? "certifi, for requests "
                                                    "and pip"
                                                  : "the JDK's cacerts");
  }
  proxy(out);
  clock_facts(ev, out);
  if (ev->condition != NULL &&
      strcmp(ev->condition, "tls-hostname-mismatch") == 0 && subject != NULL &&
      subject[0] != '\0' && !is_ip(subject))
    hosts_override(subject, out);

  if (broken != NULL) {
    const char *argv[] = {"unset", broken, NULL};

    ex_fix_add_cmd(out, 0, argv,
                   "stop pointing %s at a file that is not "
                   "there",
                   broken);
  }
  if (bundle == NULL && access("/var/lib/dpkg/status", F_OK) == 0) {
    const char *argv[] = {"sudo", "apt-get", "install", "ca-certificates",
                          NULL};

    ex_fix_add_cmd(out, 1, argv, "install the system CA bundle");
  }
  if (bundle != NULL && runtime != NULL && strcmp(runtime, "node") == 0) {
    q = ex_shell_quote(bundle);
    if (q != NULL && asprintf(&cmd, "export NODE_EXTRA_CA_CERTS=%s", q) > 0) {
      ex_fix_add_raw(out, 0, cmd,
                     "let node trust the system bundle too "
                     "(where a corporate CA is installed)");
      free(cmd);
    }
    free(q);
  } else if (bundle != NULL && runtime != NULL &&
             strcmp(runtime, "python") == 0) {
    q = ex_shell_quote(bundle);
    if (q != NULL &&
        asprintf(&cmd, "export REQUESTS_CA_BUNDLE=%s SSL_CERT_FILE=%s", q, q) >
            0) {
      ex_fix_add_raw(out, 0, cmd,
                     "let Python verify with the system bundle "
                     "(where a corporate CA is installed)");
      free(cmd);
    }
    free(q);
  }
  if (subject != NULL && subject[0] != '\0' && ev->subject_kind != NULL &&
      strcmp(ev->subject_kind, "host") == 0) {
    q = ex_shell_quote(subject);
    if (q != NULL && asprintf(&cmd,
                              "openssl s_client -connect %s:443 "
                              "-servername %s -showcerts </dev/null",
                              q, q) > 0) {
      ex_fix_add_raw(out, 0, cmd,
                     "see the certificates the server sends, "
                     "their issuer and dates");
      free(cmd);
    }
    free(q);
  }
  ex_explanation_summary(out, "TLS verification failed%s%s",
                         subject != NULL && subject[0] != '\0' ? " for " : "",
                         subject != NULL ? subject : "");
  return 0;
}
