/* explain's front end: options, the launcher, the diagnosis, the exit. */
#include "config.h"
#include "core/options.h"
#include "core/session.h"
#include "wrap/wrap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define EX_EXIT_INTERNAL 125

/* Prints s with control bytes shown as \xNN, so that a name echoed back
 * cannot drive the terminal. */
static void put_sanitized(FILE *f, const char *s, size_t n) {
  size_t i;
  unsigned char c;

  for (i = 0; i < n; i++) {
    c = (unsigned char)s[i];
    if (c == '\r')
      fputs("\\r", f);
    else if (c < 0x20 || c == 0x7f)
      fprintf(f, "\\x%02x", c);
    else
      fputc(c, f);
  }
}

static void put_str(FILE *f, const char *s) { put_sanitized(f, s, strlen(s)); }

/* For an existing file that exec reported as missing: the #! interpreter. */
static void put_interpreter(FILE *f, const char *path) {
  char line[256];
  ssize_t n;
  char *nl;
  int fd;

  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return;
  n = read(fd, line, sizeof(line) - 1);
  close(fd);
  if (n < 2 || line[0] != '#' || line[1] != '!') {
    fputs(" (its ELF interpreter, the dynamic loader, was not found)", f);
    return;
  }
  line[n] = '\0';
  nl = strchr(line, '\n');
  if (nl != NULL)
    *nl = '\0';
  fputs(" (its interpreter was not found: #!", f);
  put_str(f, line + 2);
  fputs(")", f);
}

static int report_exec_failure(const char *name, const ex_wrap_result_t *r) {
  struct stat st;
  int exists;
  int code;

  exists = r->path != NULL && stat(r->path, &st) == 0;
  code = ex_wrap_exec_failure_code(r->exec_errno, exists);
  fputs("explain: ", stderr);
  put_str(stderr, name);
  if (code == 127 && r->searched != NULL) {
    fputs(": command not found (searched PATH=", stderr);
    put_str(stderr, r->searched);
    fputs(")\n", stderr);
    return code;
  }
  fprintf(stderr, ": %s", strerror(r->exec_errno));
  if (r->path != NULL && strcmp(r->path, name) != 0) {
    fputs(" (", stderr);
    put_str(stderr, r->path);
    fputs(r->exec_errno == EACCES ? ", found in PATH but not executable)"
                                  : ")",
          stderr);
  }
  if (r->exec_errno == ENOENT && exists)
    put_interpreter(stderr, r->path);
  fputc('\n', stderr);
  return code;
}

int main(int argc, char **argv) {
  ex_options_t opts;
  ex_session_t session;
  ex_wrap_config_t cfg;
  char err[256];
  int rc;
  int code;

  if (ex_options_parse(argc, argv, &opts, err, sizeof(err)) != 0) {
    fprintf(stderr, "explain: %s\n", err);
    return EX_EXIT_INTERNAL;
  }
  if (opts.help) {
    fputs(ex_options_help, stdout);
    return fflush(stdout) == 0 ? 0 : EX_EXIT_INTERNAL;
  }
  if (opts.version) {
    printf("explain %s\n", EX_VERSION);
    return fflush(stdout) == 0 ? 0 : EX_EXIT_INTERNAL;
  }

  memset(&session, 0, sizeof(session));
  memset(&cfg, 0, sizeof(cfg));
  session.opts = &opts;
  cfg.argv = opts.command;
  cfg.subreaper = opts.subreaper;
  cfg.ctx = &session;

  rc = ex_wrap_run(&cfg, &session.run);
  if (rc < 0) {
    fprintf(stderr, "explain: cannot run the command: %s\n", strerror(-rc));
    return EX_EXIT_INTERNAL;
  }
  if (!session.run.started) {
    code = report_exec_failure(opts.command[0], &session.run);
    ex_diagnose(&session);
    fflush(stderr);
    ex_wrap_result_release(&session.run);
    return code;
  }
  ex_diagnose(&session);
  fflush(stdout);
  fflush(stderr);
  ex_wrap_exit(session.run.wstatus);
}
