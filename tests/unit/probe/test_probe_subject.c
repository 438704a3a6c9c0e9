/* Unit tests of subjects the message does not name (proc/subject.c), the
 * snapshot's descriptors and printer (proc/proc.c), the directory a tool
 * worked in (common/tooldir.c), wrappers' credentials and WSL drives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/linux/fs/fs.h"
#include "platform/probe.h"

/* A source file in a fresh directory, and an event whose frame is its
 * line 2. */
typedef struct fixture {
  char dir[64];
  char file[128];
  ex_proc_t *proc;
} fixture_t;

static void fixture_make(fixture_t *f, const char *name, const char *text) {
  FILE *fp;

  strcpy(f->dir, "/tmp/explain-unit-XXXXXX");
  assert_non_null(mkdtemp(f->dir));
  snprintf(f->file, sizeof(f->file), "%s/%s", f->dir, name);
  fp = fopen(f->file, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
  f->proc = calloc(1, sizeof(*f->proc));
  assert_non_null(f->proc);
  f->proc->valid = 1;
  strcpy(f->proc->cwd, f->dir);
}

static void fixture_free(fixture_t *f) {
  unlink(f->file);
  rmdir(f->dir);
  free(f->proc);
}

static void event(ex_probe_event_t *ev, const char *errno_name, const char *op,
                  const char *kind, const char *file) {
  memset(ev, 0, sizeof(*ev));
  ev->errno_name = errno_name;
  ev->operation = op;
  ev->subject_kind = kind;
  ev->subject_value = "";
  ev->location_file = file;
  ev->location_line = 2;
}

static void test_source_line_literals(void **state) {
  static const struct {
    const char *line;
    const char *errno_name;
    const char *kind;
    const char *value;
    const char *op;
  } cases[] = {
      {"s.bind((\"127.0.0.1\", 80))", "EACCES", "port", "80", "bind"},
      {"    httpd = HTTPServer(('', 8000), Handler)", "EADDRINUSE", "port",
       "8000", ""},
      {"app.run(host='0.0.0.0', port=5000, debug=True)", "EADDRINUSE", "port",
       "5000", ""},
      {"server.listen(3000, () => {})", "EADDRINUSE", "port", "3000", ""},
      {"ServerSocket s = new ServerSocket(8443);", "EADDRINUSE", "port", "8443",
       ""},
      {"c = socket.create_connection((\"db.local\", 5432), timeout=3)",
       "ECONNREFUSED", "address", "db.local:5432", ""},
      {"fs.writeFileSync('/data/out.bin', buf);", "ENOSPC", "path",
       "/data/out.bin", ""},
      {"with open(r'/var/log/app.log', 'a') as f:", "EROFS", "path",
       "/var/log/app.log", ""},
      {"open('report.csv', 'w').write(data)", "EACCES", "path", "report.csv",
       ""},
  };
  ex_probe_event_t ev;
  ex_subject_t s;
  fixture_t f;
  char text[512];
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    snprintf(text, sizeof(text), "# line 1\n%s\n", cases[i].line);
    fixture_make(&f, "prog.py", text);
    event(&ev, cases[i].errno_name, "open",
          strcmp(cases[i].kind, "address") == 0 ? "host" : "path", f.file);
    assert_int_equal(ex_subject_recover(&ev, f.proc, &s), 1);
    assert_string_equal(s.kind, cases[i].kind);
    assert_string_equal(s.value, cases[i].value);
    assert_string_equal(s.operation, cases[i].op);
    assert_string_equal(s.how, "source-line");
    assert_non_null(strstr(s.from, f.file));
    fixture_free(&f);
  }
}

static void test_source_line_without_literal(void **state) {
  /* Built at run time, or only a variable: nothing is named, and the
   * sentence says where it looked. */
  static const char *const lines[] = {
      "f.write(data)",
      "open(f\"/data/{name}.csv\", 'w')",
      "s.bind((host, int(sys.argv[1])))",
      "fs.writeFileSync(`${dir}/out`, buf)",
      "time.sleep(5); s.listen(backlog=5)",
  };
  ex_probe_event_t ev;
  ex_subject_t s;
  fixture_t f;
  char text[256];
  size_t i;

  (void)state;
  for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
    snprintf(text, sizeof(text), "x = 1\n%s\n", lines[i]);
    fixture_make(&f, "prog.py", text);
    event(&ev, i == 2 || i == 4 ? "EADDRINUSE" : "ENOSPC", "write", "path",
          f.file);
    assert_int_equal(ex_subject_recover(&ev, f.proc, &s), 0);
    assert_string_equal(s.value, "");
    assert_non_null(strstr(s.from, "nothing names the"));
    assert_non_null(strstr(s.from, "source line"));
    fixture_free(&f);
  }
}

static void test_inline_code_is_the_source(void **state) {
  char *argv[] = {"python3", "-c",
                  "import socket\ns=socket.socket()\n"
                  "s.bind(('127.0.0.1', 81))",
                  NULL};
  ex_probe_event_t ev;
  ex_subject_t s;
  ex_proc_t *p;

  (void)state;
  p = calloc(1, sizeof(*p));
  p->valid = 1;
  strcpy(p->cwd, "/");
  event(&ev, "EACCES", "open", "path", "<string>");
  ev.location_line = 3;
  ev.command = argv;
  assert_int_equal(ex_subject_recover(&ev, p, &s), 1);
  assert_string_equal(s.value, "81");
  assert_string_equal(s.operation, "bind");
  free(p);
}

static void test_wanted(void **state) {
  ex_probe_event_t ev;

  (void)state;
  event(&ev, "ENOSPC", "write", "path", NULL);
  assert_true(ex_subject_wanted(&ev));
  ev.subject_value = "/x";
  assert_false(ex_subject_wanted(&ev));
  event(&ev, "ENOENT", "open", "path", NULL);
  assert_false(ex_subject_wanted(&ev)); /* a lookup names its path */
  event(&ev, NULL, "write", "none", NULL);
  ev.condition = "sqlite-readonly";
  assert_true(ex_subject_wanted(&ev));
  event(&ev, "EACCES", "exec", "command", NULL);
  assert_false(ex_subject_wanted(&ev));
}

/* A child that holds a file open for writing at a known position and a
 * connected UDP socket, until told to end. */
static pid_t holder(const char *path, int *done) {
  int pipefd[2];
  pid_t pid;
  char c;

  assert_int_equal(pipe(pipefd), 0);
  pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    if (fd < 0 || write(fd, "hello", 5) != 5)
      _exit(1);
    close(pipefd[1]);
    (void)read(pipefd[0], &c, 1);
    _exit(0);
  }
  close(pipefd[0]);
  *done = pipefd[1];
  return pid;
}

static void test_capture_descriptors(void **state) {
  char dir[] = "/tmp/explain-unit-XXXXXX";
  char path[64];
  const ex_proc_fd_t *f;
  ex_proc_t *p;
  size_t i;
  pid_t pid;
  int done;
  int found;
  int tries;

  (void)state;
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof(path), "%s/out", dir);
  pid = holder(path, &done);
  p = malloc(sizeof(*p));
  found = 0;
  for (tries = 0; tries < 200 && !found; tries++) {
    assert_int_equal(ex_proc_capture(pid, p), 0);
    for (i = 0; i < p->nfds_kept; i++) {
      if (strcmp(ex_proc_fd_name(p, &p->fds[i]), path) == 0)
        found = 1;
    }
    if (!found)
      usleep(5000);
  }
  assert_true(found);
  for (i = 0, f = NULL; i < p->nfds_kept; i++) {
    if (strcmp(ex_proc_fd_name(p, &p->fds[i]), path) == 0)
      f = &p->fds[i];
  }
  assert_non_null(f);
  assert_int_equal(f->kind, EX_PROC_FD_FILE);
  assert_int_equal(f->flags & O_ACCMODE, O_WRONLY);
  assert_true(f->flags & O_APPEND);
  assert_int_equal(f->pos, 5);
  assert_true(f->ino != 0);
  assert_ptr_equal(ex_proc_fd_find(p, f->fd), f);
  /* The words of its command line: a fork shares the test's. */
  assert_non_null(ex_proc_arg(p, 0));
  assert_null(ex_proc_arg(p, 4096));
  close(done);
  waitpid(pid, NULL, 0);
  unlink(path);
  rmdir(dir);
  free(p);
}

static void test_printer_is_the_one_leaf(void **state) {
  int pipefd[2];
  pid_t sh;
  pid_t found;
  int tries;
  char buf[16];
  ssize_t n;

  (void)state;
  /* sh runs sleep as a child on the same stderr: the printer is sleep. */
  assert_int_equal(pipe(pipefd), 0);
  sh = fork();
  if (sh == 0) {
    dup2(pipefd[1], 1);
    execl("/bin/sh", "sh", "-c", "sleep 5 & echo $!; wait", (char *)NULL);
    _exit(127);
  }
  close(pipefd[1]);
  n = read(pipefd[0], buf, sizeof(buf) - 1);
  assert_true(n > 0);
  buf[n] = '\0';
  found = 0;
  for (tries = 0; tries < 100 && found == 0; tries++) {
    found = ex_proc_printer(sh);
    if (found == 0)
      usleep(10000);
  }
  assert_int_equal(found, atoi(buf));
  kill(atoi(buf), SIGTERM);
  waitpid(sh, NULL, 0);
  close(pipefd[0]);
  /* A process without descendants printed its own output. */
  assert_int_equal(ex_proc_printer(getpid()), 0);
}

static void test_tool_dir(void **state) {
  static const struct {
    const char *argv[8];
    const char *dir;
    const char *how;
    int chdirs;
  } cases[] = {
      {{"git", "-C", "repo", "status", NULL}, "/w/repo", "git -C repo", 1},
      {{"git", "-C", "a", "-C", "b", "log", NULL}, "/w/a/b", "git -C b", 1},
      {{"/usr/bin/git", "-C", "/abs", "log", NULL}, "/abs", "git -C /abs", 1},
      {{"git", "log", "-C", "x", NULL}, NULL, NULL, 0}, /* copy detection */
      {{"make", "-j2", "-C", "sub", NULL}, "/w/sub", "make -C sub", 1},
      {{"make", "-Csub/", NULL}, "/w/sub", "make -C sub/", 1},
      {{"make", "--directory=d", NULL}, "/w/d", "make --directory d", 1},
      {{"npm", "--prefix", "app", "run", "build", NULL},
       "/w/app",
       "npm --prefix app",
       0},
      {{"cargo", "build", "--manifest-path", "crates/x/Cargo.toml", NULL},
       "/w/crates/x",
       "cargo --manifest-path crates/x/Cargo.toml",
       0},
      {{"docker", "compose", "-f", "deploy/compose.yml", "up", NULL},
       "/w/deploy",
       "docker -f deploy/compose.yml",
       0},
      {{"docker", "-f", "x.yml", NULL}, NULL, NULL, 0},
      {{"python3", "-C", "x", NULL}, NULL, NULL, 0},
  };
  char dir[256];
  char how[256];
  int chdirs;
  size_t i;
  int rc;

  (void)state;
  for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    rc = ex_tool_dir((char *const *)cases[i].argv, "/w", dir, sizeof(dir), how,
                     sizeof(how), &chdirs);
    if (cases[i].dir == NULL) {
      assert_int_equal(rc, 0);
      continue;
    }
    assert_int_equal(rc, 1);
    assert_string_equal(dir, cases[i].dir);
    assert_string_equal(how, cases[i].how);
    assert_int_equal(chdirs, cases[i].chdirs);
  }
}

static void test_wrapper_credentials(void **state) {
  char *setpriv[] = {"setpriv",        "--reuid=65534", "--regid=65534",
                     "--clear-groups", "python3",       NULL};
  char *sudo[] = {"sudo", "-u", "nobody", "id", NULL};
  char *plain[] = {"python3", "x.py", NULL};
  ex_proc_t *p;
  char how[256];

  (void)state;
  p = calloc(1, sizeof(*p));
  p->ngroups = 3;
  p->cap_eff = ~0ULL;
  assert_int_equal(ex_proc_assume_wrapper(p, setpriv, how, sizeof(how)), 1);
  assert_int_equal(p->fsuid, 65534);
  assert_int_equal(p->fsgid, 65534);
  assert_int_equal(p->ngroups, 0);
  assert_int_equal(p->cap_eff, 0);
  assert_non_null(strstr(how, "--reuid=65534"));
  memset(p, 0, sizeof(*p));
  assert_int_equal(ex_proc_assume_wrapper(p, sudo, how, sizeof(how)), 1);
  assert_int_equal(p->euid, 65534);
  memset(p, 0, sizeof(*p));
  assert_int_equal(ex_proc_assume_wrapper(p, plain, how, sizeof(how)), 0);
  free(p);
}

static void test_wsl_drives(void **state) {
  ex_mount_t *m;

  (void)state;
  m = calloc(1, sizeof(*m));
  strcpy(m->fstype, "9p");
  strcpy(m->options, "rw,noatime");
  strcpy(m->super_options, "rw,dirsync,aname=drvfs;path=C:\\;uid=1000");
  assert_true(ex__fs_wsl_drvfs_no_metadata(m));
  strcpy(m->super_options,
         "rw,dirsync,aname=drvfs;path=C:\\;metadata;uid=1000");
  assert_false(ex__fs_wsl_drvfs_no_metadata(m));
  strcpy(m->fstype, "drvfs");
  strcpy(m->super_options, "rw");
  assert_true(ex__fs_wsl_drvfs_no_metadata(m));
  strcpy(m->fstype, "9p");
  strcpy(m->super_options, "rw,trans=virtio");
  assert_false(ex__fs_wsl_drvfs_no_metadata(m));
  free(m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_source_line_literals),
      cmocka_unit_test(test_source_line_without_literal),
      cmocka_unit_test(test_inline_code_is_the_source),
      cmocka_unit_test(test_wanted),
      cmocka_unit_test(test_capture_descriptors),
      cmocka_unit_test(test_printer_is_the_one_leaf),
      cmocka_unit_test(test_tool_dir),
      cmocka_unit_test(test_wrapper_credentials),
      cmocka_unit_test(test_wsl_drives),
  };

  return cmocka_run_group_tests(tests, NULL, NULL);
}
