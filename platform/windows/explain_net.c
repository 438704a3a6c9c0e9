/* Explainers of the net family on Windows: a port that could not be bound.
 *
 * [WinError 10048] (WSAEADDRINUSE) means a process listens on the port:
 * the TCP table names it. [WinError 10013] (WSAEACCES) on a bind means
 * either that a process holds the port for exclusive use
 * (SO_EXCLUSIVEADDRUSE, which many Windows servers set) or that Windows
 * refuses the port to everybody: it lies in an excluded port range, the
 * blocks that Hyper-V, WSL 2 and Docker reserve at boot. A test bind of the
 * port, closed at once, tells the two apart. */
/* winsock2.h before windows.h (which probes.h includes), and before the
 * headers that need it. */
#include <winsock2.h>

#include <iphlpapi.h>
#include <ws2tcpip.h>

#include "platform/windows/probes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int streq(const char *a, const char *b) {
  return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* The port of the event: its subject ("3000", "0.0.0.0:3000",
 * "[::]:3000"), else 0. */
static unsigned event_port(const ex_probe_event_t *ev) {
  const char *v;
  const char *colon;
  char *end;
  unsigned long n;

  v = ev->subject_value;
  if (v == NULL || v[0] == '\0')
    v = ex_probe_capture(ev, "port");
  if (v == NULL || v[0] == '\0')
    return 0;
  colon = strrchr(v, ':');
  if (colon != NULL)
    v = colon + 1;
  n = strtoul(v, &end, 10);
  if (end == v || *end != '\0' || n == 0 || n > 65535)
    return 0;
  return (unsigned)n;
}

/* Whether something listens on TCP port (IPv4, then IPv6): 1 and its
 * owner's pid in *pid (0 when the table does not say, as under wine), or
 * 0. */
static int tcp_listener(unsigned port, DWORD *pid) {
  static const ULONG families[] = {AF_INET, AF_INET6};
  void *table;
  DWORD size;
  DWORD rc;
  DWORD i;
  size_t f;
  int found;

  found = 0;
  *pid = 0;
  for (f = 0; f < 2 && !found; f++) {
    size = 0;
    table = NULL;
    rc = GetExtendedTcpTable(NULL, &size, FALSE, families[f],
                             TCP_TABLE_OWNER_PID_LISTENER, 0);
    while (rc == ERROR_INSUFFICIENT_BUFFER) {
      free(table);
      table = malloc(size);
      if (table == NULL)
        return 0;
      rc = GetExtendedTcpTable(table, &size, FALSE, families[f],
                               TCP_TABLE_OWNER_PID_LISTENER, 0);
    }
    if (rc == NO_ERROR && families[f] == AF_INET) {
      MIB_TCPTABLE_OWNER_PID *t = table;
      for (i = 0; i < t->dwNumEntries && !found; i++) {
        found = ntohs((u_short)t->table[i].dwLocalPort) == port;
        if (found)
          *pid = t->table[i].dwOwningPid;
      }
    } else if (rc == NO_ERROR) {
      MIB_TCP6TABLE_OWNER_PID *t = table;
      for (i = 0; i < t->dwNumEntries && !found; i++) {
        found = ntohs((u_short)t->table[i].dwLocalPort) == port;
        if (found)
          *pid = t->table[i].dwOwningPid;
      }
    }
    free(table);
  }
  return found;
}

/* Binds port on every IPv4 address and closes the socket: 0, or the
 * Winsock error (WSAEACCES, WSAEADDRINUSE). -1 when no socket could be
 * made. */
static int test_bind(unsigned port) {
  struct sockaddr_in a;
  WSADATA wsa;
  SOCKET s;
  int err;

  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
    return -1;
  s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  if (s == INVALID_SOCKET) {
    WSACleanup();
    return -1;
  }
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = htons((u_short)port);
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  err = bind(s, (struct sockaddr *)&a, sizeof(a)) == 0 ? 0 : WSAGetLastError();
  closesocket(s);
  WSACleanup();
  return err;
}

/* The cause "port-held": 1 when a listener was found and named. */
static int port_held(ex_explanation_t *e, unsigned port, const char *why) {
  char image[1024];
  char pid_text[16];
  const char *name;
  const char *kill[] = {"taskkill", "/PID", pid_text, NULL};
  ex_cause_t *c;
  DWORD pid;

  if (!tcp_listener(port, &pid))
    return 0;
  if (pid == 0) {
    ex_cause_add(e, "port-held", EX_VERDICT_CONFIRMED,
                 "a socket listens on TCP port %u now%s; the system did not "
                 "say which process owns it",
                 port, why);
    ex_explanation_summary(e, "port %u is in use", port);
    ex_fix_add_raw(e, 0, NULL,
                   "netstat -ano lists the ports in use with the pid of "
                   "each holder; stop that program, or use another port");
    return 1;
  }
  snprintf(pid_text, sizeof(pid_text), "%lu", (unsigned long)pid);
  if (ex__win_process_image(pid, image, sizeof(image)) != 0)
    image[0] = '\0';
  name = image[0] != '\0' ? strrchr(image, '\\') : NULL;
  name = name != NULL ? name + 1 : image[0] != '\0' ? image : "a process";
  c = ex_cause_add(e, "port-held", EX_VERDICT_CONFIRMED,
                   "port %u is held by %s (pid %lu%s%s)%s", port, name,
                   (unsigned long)pid, image[0] != '\0' ? ", " : "", image,
                   why);
  if (c != NULL) {
    ex_facts_int(&c->facts, "holder_pid", (long long)pid);
    if (image[0] != '\0')
      ex_facts_str(&c->facts, "holder_image", image);
  }
  ex_explanation_summary(e, "port %u is held by %s (pid %lu)", port, name,
                         (unsigned long)pid);
  ex_fix_add_raw(e, 0, NULL,
                 "use another port, or stop the server that %s runs", name);
  ex_fix_add_cmd(e, 0, kill, "end %s (pid %lu), which holds the port", name,
                 (unsigned long)pid);
  return 1;
}

static void show_ranges_fix(ex_explanation_t *e) {
  static const char *const argv[] = {
      "netsh",        "int", "ipv4", "show", "excludedportrange",
      "protocol=tcp", NULL};

  ex_fix_add_cmd(e, 0, argv, "list the port ranges Windows excludes");
}

static int applies_in_use(const ex_probe_event_t *ev) {
  return streq(ev->errno_name, "EADDRINUSE");
}

static int run_in_use(const ex_probe_event_t *ev, const ex_proc_t *proc,
                      const ex_host_t *host, ex_explanation_t *out) {
  unsigned port;

  (void)proc;
  (void)host;
  port = event_port(ev);
  if (port == 0) {
    ex_cause_add(out, "port-held", EX_VERDICT_UNKNOWN,
                 "the message does not name the port, so its holder could "
                 "not be looked up");
    ex_explanation_summary(out, "an address is already in use (port not "
                                "named)");
    ex_fix_add_raw(out, 0, NULL,
                   "netstat -ano lists the ports in use with the pid of "
                   "each holder");
    return 0;
  }
  ex_facts_int(&out->facts, "port", (long long)port);
  if (port_held(out, port, ""))
    return 0;
  ex_cause_add(out, "port-held", EX_VERDICT_RULED_OUT,
               "no process listens on TCP port %u now", port);
  out->stale = 1;
  ex_explanation_summary(out, "port %u is free now", port);
  return 0;
}

static int applies_forbidden(const ex_probe_event_t *ev) {
  if (streq(ev->condition, "socket-forbidden"))
    return 1;
  return (streq(ev->errno_name, "EACCES") || streq(ev->errno_name, "EPERM")) &&
         (streq(ev->operation, "bind") || streq(ev->operation, "listen") ||
          streq(ev->subject_kind, "port"));
}

static int run_forbidden(const ex_probe_event_t *ev, const ex_proc_t *proc,
                         const ex_host_t *host, ex_explanation_t *out) {
  unsigned port;
  int err;

  (void)proc;
  (void)host;
  port = event_port(ev);
  if (port == 0) {
    ex_cause_add(out, "excluded-port-range", EX_VERDICT_UNKNOWN,
                 "the message does not name the port: it may lie in an "
                 "excluded port range (Hyper-V, WSL 2 and Docker reserve "
                 "ranges at boot), or another program holds it for "
                 "exclusive use");
    ex_explanation_summary(out, "Windows refused a port (not named)");
    show_ranges_fix(out);
    return 0;
  }
  ex_facts_int(&out->facts, "port", (long long)port);
  if (port_held(out, port,
                ": a port held for exclusive use refuses every other bind "
                "with an access error, not \"in use\""))
    return 0;
  ex_cause_add(out, "port-held", EX_VERDICT_RULED_OUT,
               "no process listens on TCP port %u", port);
  err = test_bind(port);
  ex_facts_int(&out->facts, "test_bind_error", (long long)err);
  if (err == WSAEACCES) {
    ex_cause_add(out, "excluded-port-range", EX_VERDICT_CONFIRMED,
                 "Windows refuses port %u to every program now: it lies in "
                 "an excluded port range (Hyper-V, WSL 2 and Docker reserve "
                 "ranges at boot) or in a persistent reservation",
                 port);
    ex_explanation_summary(out, "port %u is excluded by Windows", port);
    show_ranges_fix(out);
    ex_fix_add_raw(out, 0, NULL, "use a port outside the ranges netsh lists");
    return 0;
  }
  if (err == 0) {
    ex_cause_add(out, "excluded-port-range", EX_VERDICT_RULED_OUT,
                 "port %u can be bound now", port);
    out->stale = 1;
    ex_explanation_summary(out, "port %u can be bound now", port);
    return 0;
  }
  ex_cause_add(out, "excluded-port-range", EX_VERDICT_UNKNOWN,
               "a test bind of port %u failed with Winsock error %d", port,
               err);
  show_ranges_fix(out);
  return 0;
}

const ex_explainer_t ex__win_explainers_net[] = {
    {"windows.port-in-use", applies_in_use, run_in_use},
    {"windows.port-forbidden", applies_forbidden, run_forbidden},
    {NULL, NULL, NULL},
};
