/* Name resolution: which nameservers this machine asks (/etc/resolv.conf,
 * Docker's embedded DNS at 127.0.0.11, systemd-resolved's stub at
 * 127.0.0.53 and its upstream servers), whether /etc/hosts names the host,
 * whether nsswitch.conf consults DNS at all, whether there is a default
 * route, and what the name's shape says (a bare name only resolves inside
 * a compose or cluster network).
 *
 * The name itself is not looked up. A lookup sends the name, taken from the
 * command's output (or from a log somebody else wrote), to a DNS server:
 * that is a packet sent on the strength of untrusted text, a way to make
 * explain announce whatever a log contains, and a wait of up to seconds per
 * nameserver that no thread can cancel (glibc's getaddrinfo cannot be
 * interrupted; a thread left behind would outlive the diagnosis). What the
 * files say answers most of the question; the fix shows the command that
 * resolves the name, for the user to run. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "platform/linux/tools/tool_ci.h"
#include "platform/linux/tools/tool_util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const conditions[] = {"name-resolution-failed",
                                         "name-resolution", NULL};

int ex__dns_applies(const ex_probe_event_t *ev) {
  return ex__ci_condition(ev, conditions);
}

/* The nameserver lines of a resolv.conf, comma-separated into out.
 * Returns how many. */
static int nameservers(const char *path, char *out, size_t size) {
  char *text = ex__tool_slurp(path);
  char *line;
  char *save = NULL;
  int n = 0;

  out[0] = '\0';
  if (text == NULL)
    return -1;
  for (line = strtok_r(text, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    char addr[64];

    if (sscanf(line, " nameserver %63s", addr) == 1) {
      if (n > 0)
        strncat(out, ", ", size - strlen(out) - 1);
      strncat(out, addr, size - strlen(out) - 1);
      n++;
    }
  }
  free(text);
  return n;
}

/* The hosts line of nsswitch.conf, into out; "" when there is none. */
static void nsswitch_hosts(char *out, size_t size) {
  char *text = ex__tool_slurp("/etc/nsswitch.conf");
  char *line;
  char *save = NULL;

  out[0] = '\0';
  if (text == NULL)
    return;
  for (line = strtok_r(text, "\n", &save); line != NULL;
       line = strtok_r(NULL, "\n", &save)) {
    const char *p = line + strspn(line, " \t");

    if (strncmp(p, "hosts:", 6) == 0) {
      p += 6;
      p += strspn(p, " \t");
      ex_strlcpy(out, p, size);
      break;
    }
  }
  free(text);
}

/* 1 when /etc/hosts names host (its address into addr). */
static int in_hosts(const char *host, char *addr, size_t size) {
  char *text = ex__tool_slurp("/etc/hosts");
  char *line;
  char *save = NULL;
  int found = 0;

  if (text == NULL)
    return -1;
  for (line = strtok_r(text, "\n", &save); line != NULL && !found;
       line = strtok_r(NULL, "\n", &save)) {
    char *tok;
    char *s2 = NULL;
    char *first;

    if (strchr(line, '#') != NULL)
      *strchr(line, '#') = '\0';
    first = strtok_r(line, " \t", &s2);
    if (first == NULL)
      continue;
    for (tok = strtok_r(NULL, " \t", &s2); tok != NULL;
         tok = strtok_r(NULL, " \t", &s2)) {
      if (strcasecmp(tok, host) == 0) {
        ex_strlcpy(addr, first, size);
        found = 1;
        break;
      }
    }
  }
  free(text);
  return found;
}

/* 1 when /proc/net/route or ipv6_route has a default route, 0 when neither
 * has, -1 when they cannot be read. */
static int default_route(void) {
  char *v4 = ex__tool_slurp("/proc/net/route");
  char *v6 = ex__tool_slurp("/proc/net/ipv6_route");
  char *line;
  char *save = NULL;
  int found = 0;

  if (v4 == NULL && v6 == NULL)
    return -1;
  for (line = v4 != NULL ? strtok_r(v4, "\n", &save) : NULL;
       line != NULL && !found; line = strtok_r(NULL, "\n", &save)) {
    char ifname[32];
    char dest[16];

    if (sscanf(line, "%31s %15s", ifname, dest) == 2 &&
        strcmp(dest, "00000000") == 0)
      found = 1;
  }
  save = NULL;
  for (line = v6 != NULL ? strtok_r(v6, "\n", &save) : NULL;
       line != NULL && !found; line = strtok_r(NULL, "\n", &save)) {
    char ifname[32];
    char dest[40];
    unsigned plen;

    /* ::/0 through a device other than lo */
    if (sscanf(line, "%39s %x %*s %*s %*s %*s %*s %*s %*s %31s", dest, &plen,
               ifname) == 3 &&
        plen == 0 && strspn(dest, "0") == 32 && strcmp(ifname, "lo") != 0)
      found = 1;
  }
  free(v4);
  free(v6);
  return found;
}

int ex__dns_run(const ex_probe_event_t *ev, const ex_proc_t *proc,
                const ex_host_t *host, ex_explanation_t *out) {
  const char *name = ev->subject_value;
  const char *logged = ex_probe_capture(ev, "server");
  char servers[512];
  char upstream[512];
  char ns[256];
  char addr[64];
  int n;
  int r;

  ex_probe_context_facts(proc, host, &out->facts);
  n = nameservers("/etc/resolv.conf", servers, sizeof(servers));
  if (n < 0) {
    ex_cause_add(out, "no-dns", EX_VERDICT_CONFIRMED,
                 "/etc/resolv.conf cannot be read: no nameserver is "
                 "configured");
  } else if (n == 0) {
    ex_cause_add(out, "no-dns", EX_VERDICT_CONFIRMED,
                 "/etc/resolv.conf names no nameserver");
  } else {
    ex_facts_str(&out->facts, "nameservers", servers);
    if (strstr(servers, "127.0.0.11") != NULL) {
      ex_facts_str(&out->facts, "resolver", "docker-embedded");
      ex_cause_add(out, "no-dns", EX_VERDICT_UNKNOWN,
                   "names are resolved by Docker's embedded DNS "
                   "(127.0.0.11): it knows the containers of this "
                   "container's networks and forwards the rest");
    } else if (strstr(servers, "127.0.0.53") != NULL) {
      ex_facts_str(&out->facts, "resolver", "systemd-resolved");
      if (nameservers("/run/systemd/resolve/resolv.conf", upstream,
                      sizeof(upstream)) > 0)
        ex_facts_str(&out->facts, "upstream_nameservers", upstream);
      ex_cause_add(out, "no-dns", EX_VERDICT_UNKNOWN,
                   "names go to systemd-resolved (127.0.0.53), which asks "
                   "%s",
                   upstream[0] != '\0' ? upstream
                                       : "servers it could not be asked "
                                         "about here");
    } else {
      ex_cause_add(out, "no-dns", EX_VERDICT_UNKNOWN,
                   "this machine asks %s; whether they answer is not "
                   "tested (explain sends no query)",
                   servers);
    }
  }
  if (logged != NULL && logged[0] != '\0') {
    ex_facts_str(&out->facts, "nameserver_of_the_failure", logged);
    if (strncmp(logged, "127.0.0.11", 10) == 0 &&
        strstr(servers, "127.0.0.11") == NULL)
      ex_cause_add(out, "container-dns", EX_VERDICT_CONFIRMED,
                   "the failing lookup asked Docker's embedded DNS (%s): "
                   "it ran in a container on a user-defined network, "
                   "not here",
                   logged);
  }
  nsswitch_hosts(ns, sizeof(ns));
  if (ns[0] != '\0') {
    ex_facts_str(&out->facts, "nsswitch_hosts", ns);
    if (strstr(ns, "dns") == NULL && strstr(ns, "resolve") == NULL)
      ex_cause_add(out, "nsswitch", EX_VERDICT_CONFIRMED,
                   "nsswitch.conf does not consult DNS for host names "
                   "(hosts: %s)",
                   ns);
  }
  r = default_route();
  if (r == 0)
    ex_cause_add(out, "no-network", EX_VERDICT_CONFIRMED,
                 "this machine has no default route: nothing beyond its own "
                 "networks, DNS servers included, can be reached");
  else if (r == 1)
    ex_cause_add(out, "no-network", EX_VERDICT_RULED_OUT,
                 "this machine has a default route");
  if (name != NULL && name[0] != '\0' && strchr(name, '*') == NULL) {
    r = in_hosts(name, addr, sizeof(addr));
    if (r == 1)
      ex_cause_add(out, "hosts-file", EX_VERDICT_CONFIRMED,
                   "/etc/hosts maps %s to %s here: the name resolves on "
                   "this machine, the failure ran elsewhere or read "
                   "another hosts file",
                   name, addr);
    else if (r == 0)
      ex_cause_add(out, "hosts-file", EX_VERDICT_RULED_OUT,
                   "/etc/hosts does not name %s", name);
    if (strchr(name, '.') == NULL && strcmp(name, "localhost") != 0)
      ex_cause_add(out, "internal-name", EX_VERDICT_UNKNOWN,
                   "%s is a bare name: it resolves only where something "
                   "serves it, a compose network (a service of that name), "
                   "a cluster's DNS, or a search domain",
                   name);
    if (strchr(name, '_') != NULL)
      ex_facts_bool(&out->facts, "name_has_underscore", 1);
    {
      const char *argv[] = {"getent", "hosts", name, NULL};

      ex_fix_add_cmd(out, 0, argv,
                     "try resolving the name as the system "
                     "does");
    }
  }
  {
    const char *argv[] = {"cat", "/etc/resolv.conf", NULL};

    ex_fix_add_cmd(out, 0, argv, "see which nameservers this machine uses");
  }
  ex_explanation_summary(out, "the name %s could not be resolved",
                         name != NULL && name[0] != '\0' ? name : "(unnamed)");
  return 0;
}
