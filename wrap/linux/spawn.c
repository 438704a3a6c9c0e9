#include "wrap/linux/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

extern char **environ;

static char *join_path(const char *dir, size_t dlen, const char *name) {
  size_t nlen;
  char *p;

  nlen = strlen(name);
  p = malloc(dlen + nlen + 2);
  if (p == NULL)
    return NULL;
  if (dlen == 0) {
    /* An empty PATH entry means the current directory. */
    memcpy(p, name, nlen + 1);
    return p;
  }
  memcpy(p, dir, dlen);
  p[dlen] = '/';
  memcpy(p + dlen + 1, name, nlen + 1);
  return p;
}

int ex_spawn_resolve(const char *argv0, char **path, char **searched) {
  const char *env;
  const char *dir;
  const char *end;
  char *cand;
  char *denied;
  char fallback[256];
  struct stat st;
  int rc;

  *path = NULL;
  *searched = NULL;
  if (argv0[0] == '\0')
    return -ENOENT;
  if (strchr(argv0, '/') != NULL) {
    *path = strdup(argv0);
    return *path == NULL ? -ENOMEM : 0;
  }

  env = getenv("PATH");
  if (env == NULL) {
    if (confstr(_CS_PATH, fallback, sizeof(fallback)) == 0)
      strcpy(fallback, "/bin:/usr/bin");
    env = fallback;
  }
  *searched = strdup(env);
  if (*searched == NULL)
    return -ENOMEM;

  denied = NULL;
  rc = -ENOENT;
  for (dir = env;; dir = end + 1) {
    end = strchr(dir, ':');
    if (end == NULL)
      end = dir + strlen(dir);
    cand = join_path(dir, (size_t)(end - dir), argv0);
    if (cand == NULL) {
      rc = -ENOMEM;
      break;
    }
    if (stat(cand, &st) == 0 && !S_ISDIR(st.st_mode)) {
      if (faccessat(AT_FDCWD, cand, X_OK, AT_EACCESS) == 0) {
        *path = cand;
        free(denied);
        return 0;
      }
      if (denied == NULL) {
        denied = cand;
        cand = NULL;
      }
    }
    free(cand);
    if (*end == '\0')
      break;
  }
  if (denied != NULL && rc == -ENOENT) {
    *path = denied;
    return -EACCES;
  }
  free(denied);
  return rc;
}

/* The child runs on this stack, in explain's memory, while explain waits
 * (CLONE_VM | CLONE_VFORK, as posix_spawn does): no page tables to copy and
 * no copy-on-write faults afterwards. It is big enough for the /bin/sh
 * fallback's argument array. */
#define EX_CHILD_STACK (256 * 1024)
static char child_stack[EX_CHILD_STACK]
    __attribute__((section(".lbss.explain_stack"), aligned(4096)));

typedef struct ex_child_arg {
  const ex_spawn_plan_t *plan;
  int err; /* set by the child when it fails before or at exec */
} ex_child_arg_t;

/* In the child: report errno to the parent and leave. Only system calls
 * from here on: the child shares explain's memory. */
static void child_fail(ex_child_arg_t *a, int err) __attribute__((noreturn));
static void child_fail(ex_child_arg_t *a, int err) {
  a->err = err;
  _exit(127);
}

/* A file that is not text (a NUL in its first bytes: a program for another
 * machine, an archive) must not be handed to the shell, which would only
 * say "not found" about its garbage; like bash, report ENOEXEC. Only
 * system calls: this runs in the child. */
static int looks_binary(const char *path) {
  char head[256];
  ssize_t n;
  ssize_t i;
  int fd;

  fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd == -1)
    return 0;
  n = read(fd, head, sizeof(head));
  close(fd);
  for (i = 0; i < n; i++) {
    if (head[i] == '\0')
      return 1;
  }
  return 0;
}

/* A text file without #! line: run it with the shell, as execvp does. Its
 * own function: the argument array (32 KB) would otherwise sit in
 * child_main's frame and cost the child two page faults at every start. */
static __attribute__((noinline)) void exec_with_sh(ex_child_arg_t *a) {
  const ex_spawn_plan_t *plan;
  char *sh_argv[4096];
  size_t argc;
  size_t i;

  plan = a->plan;
  for (argc = 0; plan->argv[argc] != NULL; argc++)
    ;
  if (argc + 2 > sizeof(sh_argv) / sizeof(sh_argv[0]))
    child_fail(a, E2BIG);
  sh_argv[0] = "/bin/sh";
  sh_argv[1] = (char *)plan->path;
  for (i = 1; i <= argc; i++)
    sh_argv[i + 1] = plan->argv[i];
  execve("/bin/sh", sh_argv, plan->envp != NULL ? plan->envp : environ);
  child_fail(a, ENOEXEC);
}

static int child_main(void *arg) {
  ex_child_arg_t *a;
  const ex_spawn_plan_t *plan;
  int fd;

  a = arg;
  plan = a->plan;
  if (plan->own_pgrp) {
    (void)setpgid(0, 0);
    /* SIGTTOU is blocked here (the whole mask is), so a background group may
     * take the terminal. */
    if (plan->tty_fd >= 0)
      (void)tcsetpgrp(plan->tty_fd, getpid());
  }
  if (plan->stdout_fd >= 0 && dup2(plan->stdout_fd, 1) == -1)
    child_fail(a, errno);
  if (plan->stderr_fd >= 0 && dup2(plan->stderr_fd, 2) == -1)
    child_fail(a, errno);
  for (fd = 0; fd < 2; fd++) {
    if (plan->close_fds[fd] && !(fd == 1 && plan->stdout_fd >= 0))
      (void)close(fd);
  }
  if (plan->hook != NULL) /* --trace: attach the tracer */
    (void)plan->hook(plan->hook_arg);
  if (plan->ignore_sigchld) {
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    (void)sigaction(SIGCHLD, &sa, NULL); /* our own table: not CLONE_SIGHAND */
  }
  if (sigprocmask(SIG_SETMASK, plan->mask, NULL) == -1)
    child_fail(a, errno);

  execve(plan->path, plan->argv, plan->envp != NULL ? plan->envp : environ);
  if (errno != ENOEXEC || looks_binary(plan->path))
    child_fail(a, errno);
  exec_with_sh(a);
  return 127; /* not reached */
}

pid_t ex_spawn_start(const ex_spawn_plan_t *plan) {
  ex_child_arg_t arg;
  pid_t pid;
  int status;

  arg.plan = plan;
  arg.err = 0;
  /* Returns once the child has exec'd or exited; it has set its own process
   * group before that, so a forwarded signal always finds the group. */
  pid = clone(child_main, child_stack + EX_CHILD_STACK,
              CLONE_VM | CLONE_VFORK | SIGCHLD, &arg);
  if (pid == -1)
    return -errno;
  if (arg.err != 0) {
    while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
      ;
    return -arg.err;
  }
  return pid;
}
