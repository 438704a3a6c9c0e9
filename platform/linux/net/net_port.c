/* Ports: who listens, from /proc/net/tcp{,6} and /proc/<pid>/fd, and the
 * explainers of EADDRINUSE, EACCES on bind and ECONNREFUSED on loopback.
 * No connection is made and no packet sent: the kernel's socket table says
 * it all for this machine's network namespace. */
#include "platform/linux/exec/exec_int.h"
#include "platform/linux/proc/sys.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TCP_LINES_MAX 200000
#define FD_SCAN_MAX 200000

static int streq(const char *a, const char *b) {
  return a != NULL && b != NULL && strcmp(a, b) == 0;
}

static void hex_words_to_addr(const char *hex, int v6, char *out,
                              size_t size) {
  unsigned char bytes[16];
  uint32_t w;
  char word[9];
  size_t i;
  size_t n;

  n = v6 ? 4 : 1;
  for (i = 0; i < n; i++) {
    memcpy(word, hex + 8 * i, 8);
    word[8] = '\0';
    /* The kernel prints each 32-bit word of the network-order address as
     * a native integer: copying it back in native order restores the
     * bytes. */
    w = (uint32_t)strtoul(word, NULL, 16);
    memcpy(bytes + 4 * i, &w, 4);
  }
  if (inet_ntop(v6 ? AF_INET6 : AF_INET, bytes, out, (socklen_t)size) ==
      NULL)
    ex_strlcpy(out, "?", size);
}

int ex__tcp_line_parse(const char *line, int v6, ex_sock_t *s) {
  char local[40];
  char remote[40];
  unsigned lport, rport, st;
  unsigned long uid, inode;
  int n;

  memset(s, 0, sizeof(*s));
  n = sscanf(line,
             " %*u: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x %*s %*s %*s %lu "
             "%*d %lu",
             local, &lport, remote, &rport, &st, &uid, &inode);
  if (n != 7)
    return -EINVAL;
  if (strlen(local) != (v6 ? 32u : 8u) || lport > 65535 ||
      strlen(remote) != strlen(local) || rport > 65535)
    return -EINVAL;
  s->v6 = v6;
  hex_words_to_addr(local, v6, s->addr, sizeof(s->addr));
  s->port = lport;
  hex_words_to_addr(remote, v6, s->raddr, sizeof(s->raddr));
  s->rport = rport;
  s->state = st;
  s->uid = (uid_t)uid;
  s->inode = inode;
  return 0;
}

static void add_nearby(ex_port_scan_t *o, unsigned want, unsigned port) {
  size_t i;
  size_t worst;
  unsigned d, dw;

  for (i = 0; i < o->nnearby; i++) {
    if (o->nearby[i] == port)
      return;
  }
  d = port > want ? port - want : want - port;
  if (o->nnearby < sizeof(o->nearby) / sizeof(o->nearby[0])) {
    o->nearby[o->nnearby++] = port;
    return;
  }
  worst = 0;
  for (i = 1; i < o->nnearby; i++) {
    unsigned a = o->nearby[i] > want ? o->nearby[i] - want
                                     : want - o->nearby[i];
    unsigned b = o->nearby[worst] > want ? o->nearby[worst] - want
                                         : want - o->nearby[worst];
    if (a > b)
      worst = i;
  }
  dw = o->nearby[worst] > want ? o->nearby[worst] - want
                               : want - o->nearby[worst];
  if (d < dw)
    o->nearby[worst] = port;
}

static int read_table(const char *path, int v6, unsigned port,
                      ex_port_scan_t *o) {
  char line[512];
  ex_sock_t s;
  size_t lines;
  FILE *fp;

  fp = fopen(path, "re");
  if (fp == NULL)
    return -errno;
  lines = 0;
  while (lines < TCP_LINES_MAX && fgets(line, sizeof(line), fp) != NULL) {
    lines++;
    if (ex__tcp_line_parse(line, v6, &s) != 0)
      continue;
    if (s.port != port) {
      if (s.state == 0x0A)
        add_nearby(o, port, s.port);
      continue;
    }
    if (s.state == 0x0A) {
      if (o->nlisten < EX_PORT_MAX_LISTENERS)
        o->listen[o->nlisten++] = s;
    } else if (s.state == 0x06) {
      o->time_wait++;
    } else {
      o->established++;
    }
  }
  fclose(fp);
  return 0;
}

typedef struct holder_scan {
  ex_port_scan_t *o;
  int pass;          /* 1: owners of the sockets' uids, 2: the rest */
  size_t left;       /* listeners without a holder yet */
  size_t fds;
} holder_scan_t;

static int uid_listed(const ex_port_scan_t *o, uid_t uid) {
  size_t i;

  for (i = 0; i < o->nlisten; i++) {
    if (o->listen[i].uid == uid)
      return 1;
  }
  return 0;
}

static int holder_cb(void *ud, pid_t pid, uid_t owner) {
  holder_scan_t *h = ud;
  char dir[64];
  char link[64 + 260];
  char target[64];
  struct dirent *d;
  unsigned long ino;
  ssize_t n;
  size_t i;
  DIR *dp;

  /* A socket usually belongs to a process of the uid that created it:
   * those go first, the others only if some holder is still missing. */
  if ((h->pass == 1) != uid_listed(h->o, owner))
    return 0;
  snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
  dp = opendir(dir);
  if (dp == NULL)
    return 0;
  while (h->fds < FD_SCAN_MAX) {
    d = readdir(dp);
    if (d == NULL)
      break;
    if (d->d_name[0] == '.')
      continue;
    h->fds++;
    snprintf(link, sizeof(link), "%s/%s", dir, d->d_name);
    n = readlink(link, target, sizeof(target) - 1);
    if (n <= 8)
      continue;
    target[n] = '\0';
    if (strncmp(target, "socket:[", 8) != 0)
      continue;
    ino = strtoul(target + 8, NULL, 10);
    for (i = 0; i < h->o->nlisten; i++) {
      if (h->o->listen[i].inode == ino && h->o->listen[i].holder.pid == 0) {
        ex__pinfo(pid, &h->o->listen[i].holder);
        h->left--;
      }
    }
  }
  closedir(dp);
  return h->left == 0 || h->fds >= FD_SCAN_MAX;
}

int ex__port_scan(const char *net_dir, unsigned port, int scan_pids,
                  ex_port_scan_t *out) {
  char path[512];
  holder_scan_t h;
  int r4, r6;

  memset(out, 0, sizeof(*out));
  snprintf(path, sizeof(path), "%s/tcp", net_dir);
  r4 = read_table(path, 0, port, out);
  snprintf(path, sizeof(path), "%s/tcp6", net_dir);
  r6 = read_table(path, 1, port, out);
  out->readable = r4 == 0 || r6 == 0;
  if (!out->readable)
    return r4;
  if (!scan_pids || out->nlisten == 0)
    return 0;
  memset(&h, 0, sizeof(h));
  h.o = out;
  h.left = out->nlisten;
  for (h.pass = 1; h.pass <= 2 && h.left > 0; h.pass++)
    ex__proc_each(holder_cb, &h);
  out->holders_scanned = 1;
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Helpers of the explainers                                               */

unsigned ex__port_number(const char *s) {
  char *end;
  unsigned long v;

  if (s == NULL || *s < '0' || *s > '9')
    return 0;
  v = strtoul(s, &end, 10);
  if (*end != '\0' || v == 0 || v > 65535)
    return 0;
  return (unsigned)v;
}

/* The port of the event: the subject, a "port" capture, or the last
 * ":N" of an address. */
static unsigned event_port(const ex_probe_event_t *ev) {
  const char *s;
  const char *colon;
  unsigned p;

  p = ex__port_number(ev->subject_value);
  if (p != 0)
    return p;
  p = ex__port_number(ex_probe_capture(ev, "port"));
  if (p != 0)
    return p;
  s = ev->subject_value;
  if (s != NULL && (colon = strrchr(s, ':')) != NULL)
    return ex__port_number(colon + 1);
  return 0;
}

static void holder_facts(ex_cause_t *c, const ex_sock_t *s) {
  char user[128];

  ex__cf_str(c, "address", s->addr);
  ex__cf_int(c, "socket_uid", (long long)s->uid);
  ex__cf_str(c, "socket_user", ex__user_name(s->uid, user, sizeof(user)));
  if (s->holder.pid > 0) {
    ex__cf_int(c, "pid", (long long)s->holder.pid);
    ex__cf_str(c, "comm", s->holder.comm);
    ex__cf_str(c, "cmdline", s->holder.cmdline);
    if (s->holder.exe[0] != '\0')
      ex__cf_str(c, "exe", s->holder.exe);
  }
}

/* 1 when the holder looks like the command itself run again: the same
 * program with the same first argument. */
int ex__same_program(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        const ex_pinfo_t *h) {
  const char *base;
  const char *hb;

  if (ev->command == NULL || ev->command[0] == NULL)
    return 0;
  if (proc != NULL && proc->valid && !proc->from_self && proc->exe[0] &&
      h->exe[0] && strcmp(proc->exe, h->exe) != 0)
    return 0;
  base = strrchr(ev->command[0], '/');
  base = base != NULL ? base + 1 : ev->command[0];
  hb = strrchr(h->exe, '/');
  hb = hb != NULL ? hb + 1 : h->exe;
  if (strncmp(h->comm, base, 15) != 0 && strcmp(hb, base) != 0)
    return 0;
  /* The same script or module too, when there is one (python app.py). */
  return ev->command[1] == NULL || strstr(h->cmdline, ev->command[1]) != NULL;
}

static void kill_fix(ex_explanation_t *e, const ex_proc_t *proc,
                     const ex_sock_t *s) {
  char pid[32];
  const char *argv[4];
  int root;

  snprintf(pid, sizeof(pid), "%d", (int)s->holder.pid);
  root = s->holder.uid_known && s->holder.uid != ex__proc_euid(proc) &&
         ex__proc_euid(proc) != 0;
  argv[0] = root ? "sudo" : "kill";
  argv[1] = root ? "kill" : pid;
  argv[2] = root ? pid : NULL;
  argv[3] = NULL;
  ex_fix_add_cmd(e, root, argv, "stop %s (pid %s), which holds the port",
                 s->holder.comm, pid);
}

/* ---------------------------------------------------------------------- */
/* EADDRINUSE                                                              */

int ex__net_applies_addrinuse(const ex_probe_event_t *ev) {
  return streq(ev->errno_name, "EADDRINUSE");
}

int ex__net_run_addrinuse(const ex_probe_event_t *ev, const ex_proc_t *proc,
                          const ex_host_t *host, ex_explanation_t *out) {
  ex_port_scan_t *scan;
  ex_cause_t *c;
  char portstr[16];
  unsigned port;
  size_t i;
  size_t j;
  int rc;
  int dup;

  (void)host;
  port = event_port(ev);
  if (port == 0) {
    const char *argv[] = {"ss", "-ltnp", NULL};

    ex_cause_add(out, "holder", EX_VERDICT_UNKNOWN,
                 "%s, so its holder could not be looked up",
                 ex_probe_unnamed(ev, "the message does not name the port"));
    ex_explanation_summary(out, "an address is already in use (port not "
                           "named)");
    ex_fix_add_cmd(out, 0, argv, "list the listening ports and who holds "
                   "them (all users' with sudo)");
    return 0;
  }
  snprintf(portstr, sizeof(portstr), "%u", port);
  ex_facts_int(&out->facts, "port", port);
  scan = malloc(sizeof(*scan));
  if (scan == NULL)
    return -ENOMEM;
  rc = ex__port_scan("/proc/net", port, 1, scan);
  if (rc != 0) {
    ex_cause_add(out, "holder", EX_VERDICT_UNKNOWN,
                 "/proc/net/tcp could not be read: %s", strerror(-rc));
    ex_explanation_summary(out, "port %u is in use", port);
    goto cleanup;
  }
  ex_facts_int(&out->facts, "listeners", (long long)scan->nlisten);
  ex_facts_int(&out->facts, "time_wait", (long long)scan->time_wait);
  for (i = 0; i < scan->nlisten; i++) {
    const ex_sock_t *s = &scan->listen[i];
    dup = 0;
    /* One process often listens on both 0.0.0.0 and ::. */
    for (j = 0; j < i; j++) {
      if (s->holder.pid > 0 && scan->listen[j].holder.pid == s->holder.pid)
        dup = 1;
    }
    if (dup)
      continue;
    if (s->holder.pid <= 0) {
      c = ex_cause_add(out, "hidden-holder", EX_VERDICT_CONFIRMED,
                       "something listens on %s port %u (socket of uid %u), "
                       "but its process is not visible here: another "
                       "user's process, or another PID namespace "
                       "(docker-proxy, a container)", s->addr, port,
                       (unsigned)s->uid);
      holder_facts(c, s);
      continue;
    }
    if (ex__same_program(ev, proc, &s->holder)) {
      c = ex_cause_add(out, "previous-instance", EX_VERDICT_CONFIRMED,
                       "an earlier instance of the same program, pid %d "
                       "(%s), still listens on %s port %u",
                       (int)s->holder.pid, s->holder.comm, s->addr, port);
    } else if (strcmp(s->holder.comm, "docker-proxy") == 0) {
      c = ex_cause_add(out, "container", EX_VERDICT_CONFIRMED,
                       "a Docker container publishes port %u (docker-proxy "
                       "pid %d)", port, (int)s->holder.pid);
    } else {
      char user[128];
      c = ex_cause_add(out, "other-process", EX_VERDICT_CONFIRMED,
                       "pid %d (%s), run by %s, listens on %s port %u: %s",
                       (int)s->holder.pid, s->holder.comm,
                       ex__user_name(s->holder.uid, user, sizeof(user)),
                       s->addr, port, s->holder.cmdline);
    }
    holder_facts(c, s);
  }
  if (scan->nlisten == 0 && scan->time_wait > 0) {
    c = ex_cause_add(out, "time-wait", EX_VERDICT_CONFIRMED,
                     "nothing listens on port %u, but %zu connections are "
                     "in TIME_WAIT: a server restarted without SO_REUSEADDR "
                     "cannot bind until they expire (about 60 s)",
                     port, scan->time_wait);
    ex__cf_int(c, "time_wait", (long long)scan->time_wait);
  } else if (scan->nlisten > 0) {
    ex_cause_add(out, "time-wait", EX_VERDICT_RULED_OUT,
                 "a process listens on the port: not a TIME_WAIT leftover");
  }
  if (scan->nlisten == 0 && scan->time_wait == 0) {
    out->stale = 1;
    ex_cause_add(out, "holder", EX_VERDICT_RULED_OUT,
                 "nothing listens on TCP port %u now (UDP is not checked)",
                 port);
    ex_explanation_summary(out, "port %u is free now; whatever held it has "
                           "gone", port);
    goto cleanup;
  }

  /* Fixes: stop the holder if it is ours, else move. */
  for (i = 0; i < scan->nlisten; i++) {
    const ex_sock_t *s = &scan->listen[i];
    if (s->holder.pid <= 0)
      continue;
    if (strcmp(s->holder.comm, "docker-proxy") == 0) {
      const char *argv[] = {"docker", "ps", "--filter", NULL, NULL};
      char filter[32];
      snprintf(filter, sizeof(filter), "publish=%u", port);
      argv[3] = filter;
      ex_fix_add_cmd(out, 0, argv, "find the container that publishes it");
    } else {
      kill_fix(out, proc, s);
    }
    break;
  }
  for (i = 0; i < scan->nlisten; i++) {
    if (scan->listen[i].holder.pid <= 0) {
      const char *argv[] = {"sudo", "ss", "-ltnp", NULL, NULL};
      char filt[32];
      snprintf(filt, sizeof(filt), "sport = :%u", port);
      argv[3] = filt;
      ex_fix_add_cmd(out, 1, argv, "see which process holds it");
      break;
    }
  }
  ex_fix_add_raw(out, 0, NULL, "or run the program on another free port");
  if (scan->nlisten > 0 && scan->listen[0].holder.pid > 0)
    ex_explanation_summary(out, "port %u is held by pid %d (%s)", port,
                           (int)scan->listen[0].holder.pid,
                           scan->listen[0].holder.comm);
  else
    ex_explanation_summary(out, "port %u is in use", port);

cleanup:
  free(scan);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* EACCES on bind                                                          */

int ex__net_applies_bind_eacces(const ex_probe_event_t *ev) {
  return (streq(ev->errno_name, "EACCES") || streq(ev->errno_name, "EPERM")) &&
         (streq(ev->operation, "bind") || streq(ev->operation, "listen") ||
          streq(ev->subject_kind, "port"));
}

int ex__net_run_bind_eacces(const ex_probe_event_t *ev, const ex_proc_t *proc,
                            const ex_host_t *host, ex_explanation_t *out) {
  char buf[32];
  char exe[EX_PROC_PATH_MAX];
  ex_cause_t *c;
  unsigned port;
  long start;
  int has_cap;
  uid_t euid;

  (void)host;
  port = event_port(ev);
  euid = ex__proc_euid(proc);
  start = 1024;
  if (ex_read_small("/proc/sys/net/ipv4/ip_unprivileged_port_start", buf,
                     sizeof(buf)) > 0)
    start = strtol(buf, NULL, 10);
  has_cap = proc != NULL && proc->valid
                ? ex_proc_has_cap(proc, CAP_NET_BIND_SERVICE)
                : euid == 0;
  ex_facts_int(&out->facts, "unprivileged_port_start", start);
  ex_facts_int(&out->facts, "euid", (long long)euid);
  ex_facts_bool(&out->facts, "cap_net_bind_service", has_cap);
  if (port == 0) {
    ex_cause_add(out, "privileged-port", EX_VERDICT_UNKNOWN, "%s",
                 ex_probe_unnamed(ev, "the message does not name the port"));
    ex_explanation_summary(out, "binding a port was denied");
    ex_fix_add_raw(out, 0, NULL, "ports below %ld need root or "
                   "CAP_NET_BIND_SERVICE: listen on %ld or above", start,
                   start);
    return 0;
  }
  ex_facts_int(&out->facts, "port", port);
  if ((long)port < start && euid != 0 && !has_cap) {
    c = ex_cause_add(out, "privileged-port", EX_VERDICT_CONFIRMED,
                     "port %u is below %ld (net.ipv4.ip_unprivileged_port_"
                     "start), and the program runs as uid %u without "
                     "CAP_NET_BIND_SERVICE", port, start, (unsigned)euid);
    ex__cf_int(c, "port", port);
    ex__cf_int(c, "unprivileged_port_start", start);
    ex_fix_add_raw(out, 0, NULL, "use a port at or above %ld (8080 instead "
                   "of 80), behind a reverse proxy if needed", start);
    exe[0] = '\0';
    if (proc != NULL && proc->valid && !proc->from_self && proc->exe[0])
      ex_strlcpy(exe, proc->exe, sizeof(exe));
    if (exe[0] == '/') {
      const char *argv[] = {"sudo", "setcap", "cap_net_bind_service=+ep",
                            exe, NULL};
      ex_fix_add_cmd(out, 1, argv,
                     "or let this program bind low ports (every user of "
                     "%s gets it: avoid for interpreters like python)", exe);
    }
    {
      char val[64];
      const char *argv[] = {"sudo", "sysctl", "-w", val, NULL};
      snprintf(val, sizeof(val), "net.ipv4.ip_unprivileged_port_start=%u",
               port);
      ex_fix_add_cmd(out, 1, argv, "or lower the limit for the whole "
                     "machine (until reboot)");
    }
    ex_explanation_summary(out, "port %u is privileged (below %ld) and uid "
                           "%u may not bind it", port, start,
                           (unsigned)euid);
  } else {
    ex_cause_add(out, "privileged-port", EX_VERDICT_RULED_OUT,
                 "port %u may be bound by this user (limit %ld, uid %u%s)",
                 port, start, (unsigned)euid,
                 has_cap ? ", CAP_NET_BIND_SERVICE" : "");
    ex_cause_add(out, "security-policy", EX_VERDICT_UNKNOWN,
                 "a security policy (SELinux, AppArmor, seccomp) may deny "
                 "the bind; it was not checked");
    ex_explanation_summary(out, "binding port %u was denied", port);
  }
  return 0;
}

/* ---------------------------------------------------------------------- */
/* ECONNREFUSED                                                            */

int ex__net_applies_refused(const ex_probe_event_t *ev) {
  const char *v = ev->subject_value;

  if (streq(ev->errno_name, "ECONNREFUSED"))
    return 1;
  /* curl 8 says "Couldn't connect to server" for a refused connection;
   * on this machine's loopback the socket table can tell. */
  return streq(ev->condition, "connect-failed") && v != NULL &&
         (strncmp(v, "127.", 4) == 0 || strncmp(v, "localhost:", 10) == 0 ||
          strncmp(v, "[::1]:", 6) == 0 || strncmp(v, "::1:", 4) == 0);
}

static int loopback(const char *h) {
  return h[0] == '\0' || strcmp(h, "localhost") == 0 ||
         strncmp(h, "127.", 4) == 0 || strcmp(h, "::1") == 0 ||
         strcmp(h, "0.0.0.0") == 0 || strcmp(h, "ip6-localhost") == 0 ||
         strcmp(h, "[::1]") == 0;
}

/* Would a client of host reach a listener bound to addr? */
static int reaches(const char *host, const char *addr) {
  int v6host = strchr(host, ':') != NULL;

  if (strcmp(addr, "0.0.0.0") == 0)
    return !v6host || strcmp(host, "localhost") == 0;
  if (strcmp(addr, "::") == 0)
    return 1; /* dual-stack unless bindv6only: assume it serves both */
  if (strcmp(host, "localhost") == 0)
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
  return strcmp(host, addr) == 0;
}

/* A UDP peer refuses with an ICMP "port unreachable" when nothing on it
 * is bound to the port: the UDP tables of this machine say whether
 * something is now. */
static int refused_udp(const ex_probe_event_t *ev, const char *host,
                       unsigned port, ex_explanation_t *out) {
  static const char *const tables[] = {"/proc/net/udp", "/proc/net/udp6"};
  char line[512];
  ex_sock_t s;
  ex_cause_t *c;
  size_t lines;
  size_t t;
  int bound;
  int readable;
  FILE *fp;

  (void)ev;
  bound = 0;
  readable = 0;
  ex_facts_str(&out->facts, "protocol", "udp");
  for (t = 0; t < 2 && !bound; t++) {
    fp = fopen(tables[t], "re");
    if (fp == NULL)
      continue;
    readable = 1;
    lines = 0;
    while (lines++ < TCP_LINES_MAX && fgets(line, sizeof(line), fp) != NULL) {
      if (ex__tcp_line_parse(line, (int)t, &s) == 0 && s.port == port &&
          s.rport == 0)
        bound = 1;
    }
    fclose(fp);
  }
  if (!readable) {
    ex_cause_add(out, "not-running", EX_VERDICT_UNKNOWN,
                 "/proc/net/udp could not be read");
    ex_explanation_summary(out, "UDP port %u refused", port);
    return 0;
  }
  if (bound) {
    out->stale = 1;
    c = ex_cause_add(out, "not-running", EX_VERDICT_RULED_OUT,
                     "a UDP socket is bound to port %u now: the server was "
                     "not up yet when the command sent to it",
                     port);
    ex__cf_int(c, "port", port);
    ex_explanation_summary(out, "UDP port %u is bound now", port);
    return 0;
  }
  c = ex_cause_add(out, "not-running", EX_VERDICT_CONFIRMED,
                   "nothing is bound to UDP port %u on this machine, so the "
                   "kernel answered %s's datagram with \"port "
                   "unreachable\"",
                   port, host[0] != '\0' ? host : "localhost");
  ex__cf_int(c, "port", port);
  ex__cf_str(c, "protocol", "udp");
  ex_fix_add_raw(out, 0, NULL, "start the UDP server on port %u, or send to "
                 "the port it uses", port);
  ex_explanation_summary(out, "nothing is bound to UDP port %u", port);
  return 0;
}

int ex__net_run_refused(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        const ex_host_t *host, ex_explanation_t *out) {
  ex_port_scan_t *scan;
  ex_cause_t *c;
  char hostbuf[256];
  char nearby[128];
  const char *h;
  char *colon;
  unsigned port;
  size_t i;
  size_t len;
  int reached;
  int rc;

  h = ex_probe_capture(ev, "host");
  if (h != NULL && h[0] != '\0') {
    ex_strlcpy(hostbuf, h, sizeof(hostbuf));
  } else if (ev->subject_kind != NULL && streq(ev->subject_kind, "port")) {
    hostbuf[0] = '\0'; /* a bare port names no host */
  } else {
    ex_strlcpy(hostbuf, ev->subject_value ? ev->subject_value : "",
               sizeof(hostbuf));
    colon = strrchr(hostbuf, ':');
    if (colon != NULL && ex__port_number(colon + 1) != 0)
      *colon = '\0';
  }
  if (hostbuf[0] == '[') {
    memmove(hostbuf, hostbuf + 1, strlen(hostbuf));
    hostbuf[strcspn(hostbuf, "]")] = '\0';
  }
  port = event_port(ev);
  if (port == 0)
    port = ex__port_number(ex_probe_capture(ev, "port"));
  ex_facts_str(&out->facts, "host", hostbuf);
  if (port != 0)
    ex_facts_int(&out->facts, "port", port);
  if (!loopback(hostbuf)) {
    ex_cause_add(out, "not-running", EX_VERDICT_UNKNOWN,
                 "%s is another machine; explain does not probe the network",
                 hostbuf);
    ex_explanation_summary(out, "%s refused the connection", hostbuf);
    return 0;
  }
  if (port == 0) {
    const char *argv[] = {"ss", "-ltn", NULL};

    ex_cause_add(out, "not-running", EX_VERDICT_UNKNOWN, "%s",
                 ex_probe_unnamed(ev, "the message does not name the port"));
    ex_explanation_summary(out, "the connection was refused");
    ex_fix_add_cmd(out, 0, argv, "list the ports something listens on");
    return 0;
  }
  if (streq(ev->protocol, "udp"))
    return refused_udp(ev, hostbuf, port, out);
  scan = malloc(sizeof(*scan));
  if (scan == NULL)
    return -ENOMEM;
  rc = ex__port_scan("/proc/net", port, 1, scan);
  if (rc != 0) {
    ex_cause_add(out, "not-running", EX_VERDICT_UNKNOWN,
                 "/proc/net/tcp could not be read: %s", strerror(-rc));
    ex_explanation_summary(out, "port %u refused the connection", port);
    goto cleanup;
  }
  nearby[0] = '\0';
  len = 0;
  for (i = 0; i < scan->nnearby && len < sizeof(nearby) - 8; i++)
    len += (size_t)snprintf(nearby + len, sizeof(nearby) - len, "%s%u",
                            i ? ", " : "", scan->nearby[i]);
  for (i = 0; i < scan->nnearby; i++)
    ex_facts_list_int(&out->facts, "listening_nearby", scan->nearby[i]);
  reached = 0;
  for (i = 0; i < scan->nlisten; i++) {
    if (reaches(hostbuf[0] ? hostbuf : "localhost", scan->listen[i].addr))
      reached = 1;
  }
  if (host != NULL && host->container[0] != '\0') {
    if (proc != NULL && proc->from_self) {
      /* A log read here may have been written anywhere: that explain runs
       * in a container says nothing of where the client ran. */
      c = ex_cause_add(out, "container-localhost", EX_VERDICT_UNKNOWN,
                       "explain runs inside a container (%s), but whether "
                       "the client that wrote the log ran in one is unknown",
                       host->container);
    } else {
      /* In a container, loopback is the container's own: a server on the
       * host or in another container is not there. */
      c = ex_cause_add(out, "container-localhost",
                       scan->nlisten == 0 ? EX_VERDICT_CONFIRMED
                                          : EX_VERDICT_RULED_OUT,
                       "this runs inside a container (%s), where %s is the "
                       "container itself%s", host->container,
                       hostbuf[0] ? hostbuf : "localhost",
                       scan->nlisten == 0 ? ", and nothing listens there"
                                          : "; a server listens there");
    }
    ex__cf_str(c, "container", host->container);
    if (scan->nlisten == 0)
      ex_fix_add_raw(out, 0, NULL, "if the server runs on the host or in "
                     "another container: connect to its compose service "
                     "name, or to host.docker.internal (docker run "
                     "--add-host=host.docker.internal:host-gateway)");
  }
  if (scan->nlisten == 0) {
    c = ex_cause_add(out, "not-running", EX_VERDICT_CONFIRMED,
                     "nothing listens on port %u on this machine%s%s", port,
                     nearby[0] ? "; listening nearby: " : "", nearby);
    ex__cf_int(c, "port", port);
    for (i = 0; c != NULL && i < scan->nnearby; i++)
      ex_facts_list_int(&c->facts, "listening_nearby", scan->nearby[i]);
    ex_fix_add_raw(out, 0, NULL, "start the server, or wait until it "
                   "listens on port %u", port);
    if (scan->nnearby > 0)
      ex_fix_add_raw(out, 0, NULL, "or connect to the port the server "
                     "uses (listening nearby: %s)", nearby);
    ex_explanation_summary(out, "nothing listens on %s port %u",
                           hostbuf[0] ? hostbuf : "localhost", port);
  } else if (!reached) {
    c = ex_cause_add(out, "wrong-address", EX_VERDICT_CONFIRMED,
                     "port %u listens only on %s, which %s does not reach",
                     port, scan->listen[0].addr,
                     hostbuf[0] ? hostbuf : "localhost");
    holder_facts(c, &scan->listen[0]);
    ex_fix_add_raw(out, 0, NULL, "connect to %s, or make the server listen "
                   "on %s too", scan->listen[0].addr,
                   hostbuf[0] ? hostbuf : "localhost");
    ex_explanation_summary(out, "port %u listens on %s only", port,
                           scan->listen[0].addr);
  } else {
    out->stale = 1;
    c = ex_cause_add(out, "not-running", EX_VERDICT_RULED_OUT,
                     "port %u listens now (on %s)", port,
                     scan->listen[0].addr);
    holder_facts(c, &scan->listen[0]);
    ex_explanation_summary(out, "port %u listens now: the server was not "
                           "up yet when the command connected", port);
    ex_fix_add_raw(out, 0, NULL, "retry, or wait for the server to be "
                   "ready (a health check) before connecting");
  }

cleanup:
  free(scan);
  return 0;
}
