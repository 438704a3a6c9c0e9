/* Unit tests of the exec, loader, port, limit and lock probes: the parsers
 * on fixed and hostile input, and the explainers on real scenarios built in
 * a temporary directory (sockets, locks and children of this test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/linux/exec/exec_int.h"
#include "platform/linux/explainers.h"
#include "platform/probe.h"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

static char tmpdir[256];

static int setup_tmp(void **state) {
  (void)state;
  snprintf(tmpdir, sizeof(tmpdir), "/tmp/probe-exec-XXXXXX");
  if (mkdtemp(tmpdir) == NULL)
    return -1;
  chmod(tmpdir, 0755);
  return 0;
}

static int teardown_tmp(void **state) {
  char cmd[512];

  (void)state;
  snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const void *data, size_t len,
                              mode_t mode) {
  static char path[512];
  int fd;

  snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
  unlink(path);
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, data, len), (ssize_t)len);
  close(fd);
  chmod(path, mode);
  return path;
}

static ex_probe_event_t event(const char *rule, const char *err,
                              const char *cond, const char *op,
                              const char *kind, const char *value) {
  ex_probe_event_t ev;

  memset(&ev, 0, sizeof(ev));
  ev.rule_id = rule;
  ev.errno_name = err;
  ev.condition = cond;
  ev.operation = op;
  ev.subject_kind = kind;
  ev.subject_value = value;
  ev.exit_code = 1;
  return ev;
}

static const ex_cause_t *cause(const ex_explanation_t *e, const char *id) {
  size_t i;

  for (i = 0; i < e->ncauses; i++) {
    if (strcmp(e->causes[i].id, id) == 0)
      return &e->causes[i];
  }
  return NULL;
}

static void expect_cause(const ex_explanation_t *e, const char *id,
                         ex_verdict_t v) {
  const ex_cause_t *c = cause(e, id);

  if (c == NULL || c->verdict != v) {
    size_t i;
    fprintf(stderr, "want %s=%s; have:\n", id, ex_verdict_name(v));
    for (i = 0; i < e->ncauses; i++)
      fprintf(stderr, "  %s %s: %s\n", e->causes[i].id,
              ex_verdict_name(e->causes[i].verdict), e->causes[i].text);
  }
  assert_non_null(c);
  assert_int_equal(c->verdict, v);
}

static const char *fact(const ex_facts_t *f, const char *key, char *buf) {
  size_t i;

  for (i = 0; i < f->count; i++) {
    if (strcmp(f->items[i].key, key) != 0)
      continue;
    if (f->items[i].kind == EX_FACT_STR)
      return f->items[i].str;
    snprintf(buf, 32, "%lld", f->items[i].num);
    return buf;
  }
  return NULL;
}

static int run(const ex_probe_event_t *ev, ex_proc_t *proc,
               ex_explanation_t *out) {
  ex_host_t host;

  memset(&host, 0, sizeof(host));
  return ex_explain(ev, proc, &host, out);
}

static void self_proc(ex_proc_t *p) {
  ex_proc_capture_self(p);
  ex_strlcpy(p->cwd, tmpdir, sizeof(p->cwd));
}

/* ---------------------------------------------------------------------- */
/* Parsers                                                                 */

static void test_version_cmp(void **state) {
  (void)state;
  assert_true(ex__version_cmp("2.34", "2.36") < 0);
  assert_true(ex__version_cmp("2.36", "2.36") == 0);
  assert_true(ex__version_cmp("2.4", "2.36") < 0);
  assert_true(ex__version_cmp("2.3.4", "2.3") > 0);
  assert_true(ex__version_cmp("2", "2.0") == 0);
  assert_true(ex__version_cmp("99999999999999999999", "1") > 0);
}

static void test_elf_real(void **state) {
  ex_elf_t *e;
  size_t i;
  int libc;

  (void)state;
  e = malloc(sizeof(*e));
  assert_int_equal(ex__elf_read("/bin/ls", e), 0);
  assert_int_equal(e->machine, ex__elf_host_machine());
  assert_true(e->interp[0] == '/');
  libc = 0;
  for (i = 0; i < e->nneeded; i++)
    libc |= strcmp(e->needed[i], "libc.so.6") == 0;
  assert_true(libc);
  assert_true(e->glibc_max[0] >= '2');
  assert_int_equal(ex__elf_read("/etc/passwd", e), -ENOEXEC);
  assert_int_equal(ex__elf_read("/nonexistent", e), -ENOENT);
  free(e);
}

/* A minimal AArch64 executable header, as a foreign program has. */
static size_t foreign_elf(unsigned char *b) {
  memset(b, 0, 64);
  memcpy(b, "\177ELF", 4);
  b[4] = 2; /* 64-bit */
  b[5] = 1; /* little endian */
  b[6] = 1;
  b[16] = 2;   /* ET_EXEC */
  b[18] = 183; /* EM_AARCH64 */
  b[20] = 1;
  b[52] = 64; /* e_ehsize */
  b[54] = 56; /* e_phentsize; e_phnum 0 */
  return 64;
}

static void test_elf_foreign_and_hostile(void **state) {
  unsigned char buf[4096];
  unsigned char *ls;
  ex_elf_t *e;
  size_t len;
  size_t i;
  FILE *fp;
  unsigned seed;

  (void)state;
  e = malloc(sizeof(*e));
  len = foreign_elf(buf);
  assert_int_equal(ex__elf_parse(buf, len, e), 0);
  assert_int_equal(e->machine, 183);
  assert_int_equal(ex__elf_host_runs(e->machine, e->elf_class),
                   ex__elf_host_machine() == 183);
  /* Truncations and corruptions of a real program must never crash. */
  ls = malloc(1 << 20);
  fp = fopen("/bin/ls", "rb");
  assert_non_null(fp);
  len = fread(ls, 1, 1 << 20, fp);
  fclose(fp);
  for (i = 0; i < len; i += 97)
    ex__elf_parse(ls, i, e);
  seed = 1;
  for (i = 0; i < 3000; i++) {
    unsigned char *copy = malloc(len);
    size_t k;
    memcpy(copy, ls, len);
    for (k = 0; k < 8; k++) {
      seed = seed * 1103515245u + 12345u;
      /* Corrupt mostly the headers, where offsets and counts live. */
      copy[(seed >> 8) % (k < 6 ? 4096 : len)] = (unsigned char)(seed >> 3);
    }
    ex__elf_parse(copy, len, e);
    free(copy);
  }
  free(ls);
  free(e);
}

static void test_ldcache(void **state) {
  ex_ldcache_hit_t hits[4];
  ex_ldcache_hit_t others[4];
  unsigned char bad[256];
  size_t nothers;
  const char *p;
  int n;

  (void)state;
  n = ex__ldcache_lookup("/etc/ld.so.cache", "libc.so.6", hits, 4, others, 4,
                         &nothers);
  assert_true(n >= 1);
  assert_true(strstr(hits[0].path, "libc.so.6") != NULL);
  n = ex__ldcache_lookup("/etc/ld.so.cache", "libnosuchlib-xyz.so.9", hits,
                         4, others, 4, &nothers);
  assert_int_equal(n, 0);
  /* A cache with a huge count and offsets past its end. */
  memset(bad, 0xff, sizeof(bad));
  memcpy(bad, "glibc-ld.so.cache1.1", 20);
  p = write_file("bad.cache", bad, sizeof(bad), 0644);
  assert_int_equal(ex__ldcache_lookup(p, "libc.so.6", hits, 4, NULL, 0, NULL),
                   -ENOEXEC);
  bad[20] = 5;
  bad[21] = bad[22] = bad[23] = 0;
  p = write_file("bad.cache", bad, sizeof(bad), 0644);
  assert_int_equal(ex__ldcache_lookup(p, "libc.so.6", hits, 4, NULL, 0, NULL),
                   0);
}

static void test_tcp_and_lock_lines(void **state) {
  ex_sock_t s;
  ex_lock_line_t l;

  (void)state;
  assert_int_equal(
      ex__tcp_line_parse("   0: 0100007F:1F90 00000000:0000 0A 00000000:"
                         "00000000 00:00000000 00000000  1000        0 "
                         "123456 1 0000000000000000 100 0 0 10 0",
                         0, &s),
      0);
  assert_string_equal(s.addr, "127.0.0.1");
  assert_int_equal(s.port, 8080);
  assert_int_equal(s.state, 0x0A);
  assert_int_equal(s.uid, 1000);
  assert_int_equal(s.inode, 123456);
  assert_int_equal(
      ex__tcp_line_parse("   1: 00000000000000000000000001000000:0050 "
                         "00000000000000000000000000000000:0000 0A "
                         "00000000:00000000 00:00000000 00000000     0 0 77 "
                         "1 0000000000000000 100 0 0 10 0",
                         1, &s),
      0);
  assert_string_equal(s.addr, "::1");
  assert_int_equal(s.port, 80);
  assert_int_equal(ex__tcp_line_parse("  sl  local_address rem_address", 0,
                                      &s),
                   -EINVAL);
  assert_int_equal(
      ex__lock_line_parse("1: FLOCK  ADVISORY  WRITE 4242 08:01:393220 0 EOF",
                          &l),
      0);
  assert_int_equal(l.pid, 4242);
  assert_int_equal(l.maj, 8);
  assert_int_equal(l.min, 1);
  assert_int_equal(l.ino, 393220);
  assert_int_equal(
      ex__lock_line_parse("1: -> FLOCK  ADVISORY  WRITE 4243 08:01:393220 0 "
                          "EOF",
                          &l),
      -EINVAL);
  assert_int_equal(
      ex__lock_line_parse("2: OFDLCK ADVISORY  READ  -1 00:1d:17 0 EOF", &l),
      0);
  assert_int_equal(l.pid, -1);
  assert_int_equal(l.min, 0x1d);
}

/* ---------------------------------------------------------------------- */
/* Explainers                                                              */

static void test_claims(void **state) {
  ex_probe_event_t ev;
  const ex_explainer_t *x;
  int claimed;

  (void)state;
  /* A generic EACCES on open belongs to the fs family, not to exec. */
  ev = event("python.permission-error", "EACCES", NULL, "open", "path",
             "/data/x");
  claimed = 0;
  for (x = ex__explainers_exec; x->name != NULL; x++)
    claimed |= x->applies(&ev);
  assert_false(claimed);
  ev = event("shell.exec-permission-denied", "EACCES", NULL, "exec", "path",
             "./x");
  claimed = 0;
  for (x = ex__explainers_exec; x->name != NULL; x++)
    claimed |= x->applies(&ev);
  assert_true(claimed);
}

static void test_command_not_found(void **state) {
  char *argv[] = {"nosuchcmd-explain-test", NULL};
  ex_probe_event_t ev;
  ex_explanation_t out;
  ex_proc_t proc;

  (void)state;
  self_proc(&proc);
  ev = event("explain.exec-failed", "ENOENT", NULL, "exec", "command",
             argv[0]);
  ev.command = argv;
  ev.exit_code = 127;
  assert_int_equal(run(&ev, &proc, &out), 1);
  assert_string_equal(out.explainer, "exec.command-not-found");
  expect_cause(&out, "not-installed", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&out);
}

static void test_command_outside_path(void **state) {
  char dir[512];
  char path[600];
  char *argv[] = {"mytool-explain-test", "--flag", NULL};
  ex_probe_event_t ev;
  ex_explanation_t out;
  ex_proc_t proc;

  (void)state;
  self_proc(&proc);
  snprintf(dir, sizeof(dir), "%s/.venv", tmpdir);
  mkdir(dir, 0755);
  snprintf(dir, sizeof(dir), "%s/.venv/bin", tmpdir);
  mkdir(dir, 0755);
  snprintf(path, sizeof(path), "%s/mytool-explain-test", dir);
  write_file(".venv/bin/mytool-explain-test", "#!/bin/sh\n", 10, 0755);
  ev = event("shell.command-not-found", NULL, "command-not-found", "exec",
             "command", argv[0]);
  ev.command = argv;
  assert_int_equal(run(&ev, &proc, &out), 1);
  expect_cause(&out, "inactive-venv", EX_VERDICT_CONFIRMED);
  expect_cause(&out, "not-installed", EX_VERDICT_RULED_OUT);
  assert_true(out.nfixes >= 1);
  ex_explanation_release(&out);
}

static void explain_path(const char *err, const char *path,
                         ex_explanation_t *out) {
  char *argv[2];
  ex_probe_event_t ev;
  ex_proc_t proc;

  self_proc(&proc);
  argv[0] = (char *)path;
  argv[1] = NULL;
  ev = event("explain.exec-failed", err, NULL, "exec", "command", path);
  ev.command = argv;
  ev.exit_code = 126;
  assert_int_equal(run(&ev, &proc, out), 1);
  assert_string_equal(out->explainer, "exec.cannot-execute");
}

static void test_exec_file_causes(void **state) {
  unsigned char elf[64];
  ex_explanation_t out;
  char path[512];

  (void)state;
  /* No x bit. (Root runs nothing without any x bit, either.) */
  snprintf(path, sizeof(path), "%s", write_file("a.sh", "#!/bin/sh\necho\n",
                                                15, 0644));
  explain_path("EACCES", path, &out);
  expect_cause(&out, "no-x-bit", EX_VERDICT_CONFIRMED);
  assert_true(out.nfixes >= 1);
  assert_non_null(out.fixes[0].command);
  assert_non_null(strstr(out.fixes[0].command, "chmod"));
  ex_explanation_release(&out);

  /* CRLF shebang. */
  snprintf(path, sizeof(path), "%s",
           write_file("crlf.sh", "#!/bin/sh\r\necho\r\n", 17, 0755));
  explain_path("ENOENT", path, &out);
  expect_cause(&out, "crlf-shebang", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&out);

  /* Missing interpreter. */
  snprintf(path, sizeof(path), "%s",
           write_file("py.sh", "#!/nonexistent/python9\n", 23, 0755));
  explain_path("ENOENT", path, &out);
  expect_cause(&out, "missing-interpreter", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&out);

  /* A foreign program. */
  snprintf(path, sizeof(path), "%s",
           write_file("arm64", elf, foreign_elf(elf), 0755));
  explain_path("ENOEXEC", path, &out);
  if (ex__elf_host_machine() != 183)
    expect_cause(&out, "wrong-architecture", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&out);

  /* Text without #!. */
  snprintf(path, sizeof(path), "%s",
           write_file("plain", "echo hi\n", 8, 0755));
  explain_path("ENOEXEC", path, &out);
  expect_cause(&out, "no-shebang", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&out);

  /* A fine script: the failure is stale. */
  snprintf(path, sizeof(path), "%s",
           write_file("ok.sh", "#!/bin/sh\necho\n", 15, 0755));
  explain_path("EACCES", path, &out);
  assert_int_equal(out.stale, 1);
  ex_explanation_release(&out);
}

static int listen_on(unsigned *port) {
  struct sockaddr_in a;
  socklen_t len;
  int s;

  s = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(s >= 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
  assert_int_equal(listen(s, 1), 0);
  len = sizeof(a);
  getsockname(s, (struct sockaddr *)&a, &len);
  *port = ntohs(a.sin_port);
  return s;
}

static void test_port_in_use(void **state) {
  char portstr[16];
  char buf[32];
  ex_probe_event_t ev;
  ex_explanation_t out;
  ex_proc_t proc;
  const ex_cause_t *c;
  unsigned port;
  int s;

  (void)state;
  s = listen_on(&port);
  snprintf(portstr, sizeof(portstr), "%u", port);
  self_proc(&proc);
  ev = event("node.eaddrinuse", "EADDRINUSE", NULL, "bind", "port", portstr);
  assert_int_equal(run(&ev, &proc, &out), 1);
  assert_string_equal(out.explainer, "net.address-in-use");
  c = cause(&out, "other-process");
  if (c == NULL)
    c = cause(&out, "previous-instance");
  assert_non_null(c);
  snprintf(portstr, sizeof(portstr), "%d", (int)getpid());
  assert_string_equal(fact(&c->facts, "pid", buf), portstr);
  ex_explanation_release(&out);
  close(s);

  /* Now nothing listens: the diagnosis is stale. */
  snprintf(portstr, sizeof(portstr), "%u", port);
  ev = event("node.eaddrinuse", "EADDRINUSE", NULL, "bind", "port", portstr);
  assert_int_equal(run(&ev, &proc, &out), 1);
  assert_int_equal(out.stale, 1);
  ex_explanation_release(&out);

  /* The same closed port refuses connections. */
  snprintf(buf, sizeof(buf), "127.0.0.1:%u", port);
  ev = event("net.connection-refused", "ECONNREFUSED", NULL, "connect",
             "address", buf);
  assert_int_equal(run(&ev, &proc, &out), 1);
  expect_cause(&out, "not-running", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&out);
}

static void test_privileged_port(void **state) {
  ex_probe_event_t ev;
  ex_explanation_t out;
  ex_proc_t proc;

  (void)state;
  self_proc(&proc);
  proc.valid = 1;
  proc.euid = 65534;
  proc.cap_eff = 0;
  ev = event("node.listen-eacces", "EACCES", NULL, "bind", "port", "80");
  assert_int_equal(run(&ev, &proc, &out), 1);
  assert_string_equal(out.explainer, "net.bind-denied");
  expect_cause(&out, "privileged-port", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&out);
}

static void test_fd_limit(void **state) {
  ex_probe_event_t ev;
  ex_explanation_t out;
  ex_proc_t proc;

  (void)state;
  self_proc(&proc);
  proc.rlim[RLIMIT_NOFILE].rlim_cur = 64;
  proc.rlim[RLIMIT_NOFILE].rlim_max = 4096;
  proc.nfds = 64;
  proc.from_self = 0;
  ev = event("python.too-many-open-files", "EMFILE", NULL, "open", "path",
             "/tmp/x");
  assert_int_equal(run(&ev, &proc, &out), 1);
  assert_string_equal(out.explainer, "limits.open-files");
  expect_cause(&out, "low-limit", EX_VERDICT_CONFIRMED);
  expect_cause(&out, "near-limit", EX_VERDICT_CONFIRMED);
  assert_non_null(out.fixes[0].command);
  assert_string_equal(out.fixes[0].command, "ulimit -n 4096");
  ex_explanation_release(&out);
}

static void test_lock_and_busy(void **state) {
  char path[512];
  char pidstr[32];
  char buf[32];
  ex_probe_event_t ev;
  ex_explanation_t out;
  ex_proc_t proc;
  const ex_cause_t *c;
  int pipefd[2];
  pid_t child;
  char ch;

  (void)state;
  snprintf(path, sizeof(path), "%s", write_file("lockfile", "", 0, 0644));
  assert_int_equal(pipe(pipefd), 0);
  child = fork();
  if (child == 0) {
    int fd = open(path, O_RDWR);
    flock(fd, LOCK_EX);
    if (write(pipefd[1], "x", 1) != 1)
      _exit(1);
    pause();
    _exit(0);
  }
  assert_int_equal(read(pipefd[0], &ch, 1), 1);
  self_proc(&proc);
  ev = event("apt.lock-held", "EAGAIN", NULL, "lock", "lock", path);
  assert_int_equal(run(&ev, &proc, &out), 1);
  assert_string_equal(out.explainer, "lock.held");
  c = cause(&out, "held-by");
  assert_non_null(c);
  snprintf(pidstr, sizeof(pidstr), "%d", (int)child);
  assert_string_equal(fact(&c->facts, "pid", buf), pidstr);
  ex_explanation_release(&out);

  /* The same child holds the file open for writing: ETXTBSY on exec. */
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  child = fork();
  if (child == 0) {
    int fd = open(path, O_WRONLY);
    (void)fd;
    if (write(pipefd[1], "x", 1) != 1)
      _exit(1);
    pause();
    _exit(0);
  }
  assert_int_equal(read(pipefd[0], &ch, 1), 1);
  ev = event("shell.text-file-busy", "ETXTBSY", NULL, "exec", "path", path);
  assert_int_equal(run(&ev, &proc, &out), 1);
  assert_string_equal(out.explainer, "exec.text-file-busy");
  c = cause(&out, "writer");
  assert_non_null(c);
  assert_string_equal(fact(&c->facts, "pid", buf), (snprintf(pidstr, 32, "%d",
                                                             (int)child),
                                                    pidstr));
  ex_explanation_release(&out);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
  close(pipefd[0]);
  close(pipefd[1]);
}

static void test_missing_library(void **state) {
  ex_probe_event_t ev;
  ex_explanation_t out;
  ex_proc_t proc;

  (void)state;
  self_proc(&proc);
  ev = event("native.shared-lib-missing", NULL, "shared-library-missing",
             "load", "library", "libnosuch-explain.so.3");
  assert_int_equal(run(&ev, &proc, &out), 1);
  assert_string_equal(out.explainer, "loader.shared-library");
  expect_cause(&out, "not-in-cache", EX_VERDICT_CONFIRMED);
  expect_cause(&out, "not-installed", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&out);

  /* Present in the cache: stale. */
  ev.subject_value = "libc.so.6";
  assert_int_equal(run(&ev, &proc, &out), 1);
  assert_int_equal(out.stale, 1);
  ex_explanation_release(&out);

  /* Found in the project's build directory. */
  {
    char dir[512];
    snprintf(dir, sizeof(dir), "%s/build", tmpdir);
    mkdir(dir, 0755);
    write_file("build/libnosuch-explain.so.3", "x", 1, 0644);
  }
  ev.subject_value = "libnosuch-explain.so.3";
  assert_int_equal(run(&ev, &proc, &out), 1);
  expect_cause(&out, "found-elsewhere", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&out);
}

static void test_glibc(void **state) {
  ex_probe_event_t ev;
  ex_explanation_t out;
  ex_proc_t proc;

  (void)state;
  self_proc(&proc);
  ev = event("native.glibc-version", NULL, "glibc-too-old", "load",
             "version", "GLIBC_9.99");
  assert_int_equal(run(&ev, &proc, &out), 1);
  expect_cause(&out, "newer-build", EX_VERDICT_CONFIRMED);
  ex_explanation_release(&out);
  ev.subject_value = "GLIBC_2.2.5";
  assert_int_equal(run(&ev, &proc, &out), 1);
  expect_cause(&out, "newer-build", EX_VERDICT_RULED_OUT);
  ex_explanation_release(&out);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_version_cmp),
      cmocka_unit_test(test_elf_real),
      cmocka_unit_test(test_elf_foreign_and_hostile),
      cmocka_unit_test(test_ldcache),
      cmocka_unit_test(test_tcp_and_lock_lines),
      cmocka_unit_test(test_claims),
      cmocka_unit_test(test_command_not_found),
      cmocka_unit_test(test_command_outside_path),
      cmocka_unit_test(test_exec_file_causes),
      cmocka_unit_test(test_port_in_use),
      cmocka_unit_test(test_privileged_port),
      cmocka_unit_test(test_fd_limit),
      cmocka_unit_test(test_lock_and_busy),
      cmocka_unit_test(test_missing_library),
      cmocka_unit_test(test_glibc),
  };
  return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}
