/* probe: the diagnosis. Explainers, one per condition, look at the live
 * system as the command saw it and say which causes hold.
 *
 * The matcher turns a message into an event (errno, operation, subject);
 * ex_explain() picks the explainer for that event (EACCES on a path, a port
 * in use, a missing module, ...) and runs it. An explainer reads the system
 * (stat, statvfs, /proc, /sys, getpwuid, ioctl, files such as /etc/group),
 * never runs a shell, and never runs a program whose arguments come from
 * the command's output. It reasons with the credentials, groups,
 * capabilities, cwd and limits the command had (ex_proc_t), not with
 * explain's own.
 *
 * Each cause gets a verdict: confirmed (a probe saw it now), ruled out (a
 * probe saw that it does not hold), or unknown (it could not be checked:
 * said so, never guessed). Facts are values (uid 0, mode "0644"), not
 * prose. Fix commands are complete and shell-quoted (ex_fix_add_cmd()
 * quotes every value), least privilege first, never a blanket sudo or
 * chmod 777, and say when they need root.
 *
 * Conventions: 0 or a negative errno; nothing here prints.
 */
#ifndef EX_PROBE_H
#define EX_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/platform.h"

/* ---------------------------------------------------------------------- */
/* The command as the kernel saw it                                        */

#define EX_PROC_GROUPS_MAX 256
#define EX_PROC_PATH_MAX 4096
#define EX_PROC_RLIMITS 16
#define EX_PROC_ARGV_MAX 4096    /* bytes of /proc/<pid>/cmdline kept */
#define EX_PROC_FDS_MAX 48       /* descriptors kept: 0-2 and the newest */
#define EX_PROC_FD_NAMES 8192    /* bytes of their targets */
#define EX_PROC_SOCKS_MAX 8      /* inet sockets resolved */

/* What a descriptor refers to. */
typedef enum {
  EX_PROC_FD_OTHER = 0, /* anon_inode:..., a target that could not be read */
  EX_PROC_FD_FILE,      /* a regular file */
  EX_PROC_FD_DIR,
  EX_PROC_FD_DEVICE,    /* a character or block device */
  EX_PROC_FD_PIPE,      /* pipe:[ino] or a FIFO */
  EX_PROC_FD_SOCKET     /* socket:[ino] */
} ex_proc_fd_kind_t;

/* One open descriptor of the command, as /proc/<pid>/fd and fdinfo showed
 * it at the snapshot. */
typedef struct ex_proc_fd {
  int fd;
  ex_proc_fd_kind_t kind;
  int flags;              /* open flags from fdinfo (O_ACCMODE, O_APPEND,
                             ...), -1 unknown */
  long long pos;          /* file position from fdinfo, -1 unknown */
  unsigned long long dev; /* of the open file; 0 unknown */
  unsigned long long ino; /* of the open file, or the socket's inode */
  int locked;             /* fdinfo lists a lock held through it */
  unsigned name;          /* offset of its target ("/a/b", "socket:[1]")
                             in ex_proc_t.fd_names; targets that did not
                             fit are "" */
} ex_proc_fd_t;

/* A UDP socket of the command, found by the inode of one of its
 * descriptors in the tables of its own network namespace
 * (/proc/<pid>/net/udp, udp6). A socket that is neither bound nor
 * connected is in no table, and so not here. TCP sockets are not looked
 * up (proc.c says why). */
typedef struct ex_proc_sock {
  int fd;
  char proto[8];          /* "udp", "udp6" */
  char local[48];         /* "127.0.0.1", "::" */
  unsigned local_port;
  char remote[48];        /* "0.0.0.0" when not connected */
  unsigned remote_port;
  unsigned state;         /* 1 connected, 7 not */
} ex_proc_sock_t;

typedef struct ex_proc {
  int valid;             /* 1 when filled from /proc/<pid> or from self */
  int from_self;         /* 1 when these are explain's own (--log mode, or
                            the command was gone before it could be read) */
  int creds_from_argv;   /* with from_self: the credentials were taken from
                            the command line (ex_proc_assume_wrapper()) */
  pid_t pid;
  char comm[32];
  char exe[EX_PROC_PATH_MAX]; /* /proc/<pid>/exe target, or "" */
  char cwd[EX_PROC_PATH_MAX]; /* /proc/<pid>/cwd target, or "" */
  uid_t ruid, euid, suid, fsuid;
  gid_t rgid, egid, sgid, fsgid;
  gid_t groups[EX_PROC_GROUPS_MAX]; /* supplementary groups */
  size_t ngroups;
  uint64_t cap_eff, cap_prm, cap_bnd; /* capability sets (CapEff, ...) */
  int no_new_privs;
  struct rlimit rlim[EX_PROC_RLIMITS]; /* indexed by RLIMIT_*; from
                                         /proc/<pid>/limits */
  int nfds;              /* open descriptors when captured, -1 unknown */
  char cgroup[512];      /* the cgroup path ("0::/..." line for v2, or the
                            memory controller's line for v1) */
  int userns;            /* 1 when uid_map is not the identity map */
  char uid_map[256];     /* first line of /proc/<pid>/uid_map */
  char seccomp[8];       /* Seccomp: field */
  char apparmor[128];    /* /proc/<pid>/attr/current, or "" */
  char argv[EX_PROC_ARGV_MAX]; /* /proc/<pid>/cmdline: NUL-separated
                                  words, cut at a word boundary */
  size_t argv_len;       /* bytes used in argv (0: unknown) */
  ex_proc_fd_t fds[EX_PROC_FDS_MAX]; /* ascending fd numbers */
  size_t nfds_kept;      /* entries used in fds (nfds counts them all) */
  char fd_names[EX_PROC_FD_NAMES];
  size_t fd_names_len;
  ex_proc_sock_t socks[EX_PROC_SOCKS_MAX];
  size_t nsocks;
} ex_proc_t;

/* Reads /proc/<pid>/{status,cwd,exe,limits,cgroup,uid_map,attr/current,
 * cmdline}, its descriptors first (fd and fdinfo: targets, flags,
 * positions, locks: a failing program closes them soon) and the UDP
 * sockets among them (net/udp, udp6 of its own network namespace, only
 * when it has sockets). Returns 0, or a negative
 * errno when the process is gone (then *p is not valid). Fields that
 * cannot be read stay empty (0, "", -1). Costs a few dozen system calls:
 * meant for the scanning thread, never for the path that starts the
 * command. */
int ex_proc_capture(pid_t pid, ex_proc_t *p);

/* The target of descriptor entry f of p ("" when it was not kept). */
const char *ex_proc_fd_name(const ex_proc_t *p, const ex_proc_fd_t *f);

/* The descriptor entry of fd number fd, or NULL. */
const ex_proc_fd_t *ex_proc_fd_find(const ex_proc_t *p, int fd);

/* The i-th word of p->argv (0 is the program), or NULL past the last. */
const char *ex_proc_arg(const ex_proc_t *p, size_t i);

/* The process that printed what root's stderr carries, when root is not
 * that process itself: the one live descendant of root that has root's
 * stderr open as its own fd 2 and no descendant that has it too (a script's
 * python3, a make's compiler). Only processes started after root are
 * looked at (pids above root's, read from /proc/<pid>/stat), so the cost
 * stays a directory read of /proc on a busy host. Returns its pid, or 0
 * when there is none or more than one (make -j: which one printed is not
 * known). */
pid_t ex_proc_printer(pid_t root);

/* Fills *p with explain's own credentials (--log mode, or fallback). */
void ex_proc_capture_self(ex_proc_t *p);

/* For a command that ended before it was seen (p is explain's own view,
 * ex_proc_capture_self()): the credentials its command line gives the
 * program it runs, when argv is a wrapper that changes them: setpriv
 * (--reuid, --regid, --clear-groups, --groups, --init-groups), runuser -u,
 * sudo -u (root without it), su USER, gosu and su-exec USER[:GROUP],
 * chpst -u, doas -u. Users and groups are looked up in the user
 * database; leaving uid 0 drops the capabilities, as the kernel does.
 * Writes the words that said it into how. Returns 1 when p changed. */
int ex_proc_assume_wrapper(ex_proc_t *p, char *const *argv, char *how,
                           size_t hsize);

/* 1 when the process has capability cap (CAP_DAC_OVERRIDE, ...) in its
 * effective set. */
int ex_proc_has_cap(const ex_proc_t *p, int cap);

/* 1 when gid is the process's effective gid or one of its groups. */
int ex_proc_in_group(const ex_proc_t *p, gid_t gid);

/* The directory a tool worked in when its command line names one: git -C,
 * make -C/--directory, ninja -C, go -C, env -C, npm --prefix, pnpm -C,
 * yarn --cwd, cargo --manifest-path, docker compose -f/--project-directory,
 * docker-compose -f, mvn -f, gradle -p (a file's directory for the options
 * that name a file; several -C add up, as git and make read them).
 * Relative values are taken against cwd (absolute). Writes the directory
 * into out and the words that named it into how ("git -C repo"); *chdirs
 * says whether the tool changes into it itself (so that its own cwd shows
 * it once it runs) or only reads from it (npm, cargo, compose). Returns 1,
 * or 0 when argv names no such directory. */
int ex_tool_dir(char *const *argv, const char *cwd, char *out, size_t size,
                char *how, size_t hsize, int *chdirs);

/* ---------------------------------------------------------------------- */
/* Memory cgroups                                                          */

/* The directory, under its mount point, of a /proc/<pid>/cgroup line
 * ("4:memory:/a/b" for v1, "0::/a/b" for v2), from /proc/self/mountinfo
 * (bind-mounted cgroup roots in containers included). Returns 0 or a
 * negative errno. */
int ex_probe_cgroup_dir(const char *cgline, char *out, size_t size);

typedef struct ex_probe_memcg {
  int version;               /* 1 or 2 */
  char dir[EX_PROC_PATH_MAX];
  long long limit;           /* the tightest limit up to the mount point,
                                bytes; -1 when there is none */
  long long usage;           /* bytes now, -1 unknown */
  long long peak;            /* bytes, -1 unknown */
} ex_probe_memcg_t;

/* Reads the memory cgroup of a /proc/<pid>/cgroup line (ex_proc_t.cgroup).
 * Returns 0 or -ENOENT. */
int ex_probe_memcg(const char *cgline, ex_probe_memcg_t *m);

/* ---------------------------------------------------------------------- */
/* Facts, causes, fixes                                                    */

/* A fact's value keeps its type in the JSON report: a number is a number, a
 * yes/no a boolean, a list an array (of strings, or of rows: objects such
 * as the frames of a backtrace). EX_FACT_NULL is a value that is known to
 * be unknown (a frame without a source line). */
typedef enum {
  EX_FACT_STR = 0,
  EX_FACT_INT,
  EX_FACT_BOOL,
  EX_FACT_NULL,
  EX_FACT_LIST, /* of strings */
  EX_FACT_NUMS, /* of numbers */
  EX_FACT_ROWS  /* of objects */
} ex_fact_kind_t;

struct ex_facts;

typedef struct ex_fact {
  char *key;            /* snake_case: "owner_uid", "mode", "mount_point" */
  ex_fact_kind_t kind;
  char *str;            /* EX_FACT_STR: owned, NUL-terminated */
  long long num;        /* EX_FACT_INT and EX_FACT_BOOL (0/1) */
  char **list;          /* EX_FACT_LIST: nlist owned strings */
  long long *nums;      /* EX_FACT_NUMS: nlist numbers */
  size_t nlist;
  struct ex_facts *rows; /* EX_FACT_ROWS: nrows owned objects */
  size_t nrows;
} ex_fact_t;

typedef struct ex_facts {
  ex_fact_t *items;
  size_t count;
  size_t cap;
} ex_facts_t;

/* Appends a fact (the key and the string are copied; a repeated key
 * replaces the earlier value). Allocation failures are remembered in the
 * explanation (ex_explanation_t.nomem) rather than returned, so explainers
 * stay readable. */
void ex_facts_str(ex_facts_t *f, const char *key, const char *value);
void ex_facts_int(ex_facts_t *f, const char *key, long long value);
void ex_facts_bool(ex_facts_t *f, const char *key, int value);
void ex_facts_null(ex_facts_t *f, const char *key);
void ex_facts_printf(ex_facts_t *f, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends value (copied) to the list `key`, which is created empty first
 * when it does not exist (or holds another kind). value NULL only creates
 * the list. */
void ex_facts_list_add(ex_facts_t *f, const char *key, const char *value);

/* The same for a list of numbers. */
void ex_facts_list_int(ex_facts_t *f, const char *key, long long value);

/* Appends an empty row to the rows `key` (created as for lists) and returns
 * it, for the caller to fill with ex_facts_*(); NULL when out of memory.
 * The row is owned by f. */
ex_facts_t *ex_facts_row_add(ex_facts_t *f, const char *key);

/* The fact `key` of f, or NULL. */
const ex_fact_t *ex_facts_get(const ex_facts_t *f, const char *key);

void ex_facts_release(ex_facts_t *f);

typedef enum {
  EX_VERDICT_UNKNOWN = 0,
  EX_VERDICT_CONFIRMED,
  EX_VERDICT_RULED_OUT
} ex_verdict_t;

/* The verdict's name in reports: "confirmed", "ruled-out", "unknown". */
const char *ex_verdict_name(ex_verdict_t v);

typedef struct ex_cause {
  char *id;             /* stable, kebab-case: "owner-denies-write" */
  ex_verdict_t verdict;
  char *text;           /* one sentence with the real values: what was seen */
  const char *claim;    /* the hypothesis the cause tests ("a directory on
                           the way denies search"), static, from
                           ex_cause_claim(); NULL when the id has none, ""
                           for a cause that is only information */
  ex_facts_t facts;     /* what the probe saw for this cause */
} ex_cause_t;

typedef struct ex_fix {
  char *text;           /* what it does, in a few words */
  char *command;        /* complete shell command, values quoted; or NULL */
  int needs_root;
} ex_fix_t;

typedef struct ex_explanation {
  const char *explainer;  /* name of the explainer that ran (static) */
  char *summary;          /* one line with real values, or NULL */
  ex_cause_t *causes;
  size_t ncauses;
  ex_fix_t *fixes;
  size_t nfixes;
  ex_facts_t facts;       /* about the subject and the process */
  int stale;              /* 1: the state seen now no longer produces the
                             error (e.g. the file became writable) */
  int nomem;              /* an allocation failed: the explanation is
                             incomplete */
  int fix_flags;          /* EX_FIX_VET_* for the fixes added */
  size_t fixes_refused;   /* fixes the fix policy left out */
  size_t fixes_unfilled;  /* of which for want of a subject */
} ex_explanation_t;

/* The claim of a cause id: what would hold if the cause did, in a few
 * words without a capital or a full stop ("a directory on the way denies
 * search"). The table is shared by every platform (platform/common/claims.c);
 * every id an explainer uses has a line there. Returns a static string, ""
 * for a cause that states no hypothesis, or NULL for an unknown id. */
const char *ex_cause_claim(const char *id);

/* Adds a cause and returns it (NULL on allocation failure, remembered in
 * e->nomem); text is printf-style. Facts go in the returned cause. */
ex_cause_t *ex_cause_add(ex_explanation_t *e, const char *id,
                         ex_verdict_t verdict, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Adds a fix. `argv` is the command as words (NULL-terminated); each word
 * is shell-quoted unless it is made only of safe characters
 * ([A-Za-z0-9_@%+=:,./-]), and the words are joined with spaces. text is
 * printf-style. For a command that needs shell syntax (a pipe, $(id -u)),
 * use ex_fix_add_raw() with values quoted by ex_shell_quote(). Both pass
 * the command through the fix policy (ex_fix_vet() with e->fix_flags): a
 * refused fix is not added, and counted in e->fixes_refused. */
void ex_fix_add_cmd(ex_explanation_t *e, int needs_root,
                    const char *const *argv, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ex_fix_add_raw(ex_explanation_t *e, int needs_root, const char *command,
                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The fix policy. A fix command is refused (not added) when a word is an
 * empty quoted string (a subject that is not known), when it changes the
 * owner, mode, attributes or existence (chown, chgrp, chmod, setfacl,
 * chattr, rm, rmdir, behind sudo or env too) of a system path (/, /usr,
 * /etc, /bin, /sbin, /lib*, /boot, /var/lib and what is below them, /opt
 * itself, the home directories of other users) or of a path on a kernel
 * file system (sysfs, procfs, cgroupfs, devtmpfs, debugfs, tracefs,
 * securityfs, ...: by the statfs type of the path or of its nearest
 * existing ancestor, and by path under /proc, /sys and /dev), when it
 * removes an entry of / itself, when a chmod lets every user write (777,
 * o+w), or when it adds a user to a group that gives root's power or reads
 * what only root may (root, sudo, wheel, admin, shadow, disk, kmem, sys;
 * by usermod -aG, gpasswd -a or adduser USER GROUP). The home directories
 * of other users are theirs in /etc/passwd, and /home/NAME or /root when
 * they are not the home of the user who runs explain (a log from another
 * machine).
 * The command is read as a shell would split it; nothing is run. */
typedef enum {
  EX_FIX_SAFE = 0,
  EX_FIX_NO_SUBJECT, /* an empty quoted word */
  EX_FIX_SYSTEM_PATH,
  EX_FIX_KERNEL_FS,
  EX_FIX_WORLD_WRITABLE,
  EX_FIX_PRIVILEGED_GROUP,
  EX_FIX_UNREADABLE, /* too many words to judge */
  EX_FIX_NO_MEMORY
} ex_fix_verdict_t;

/* Flags of ex_fix_vet(): EX_FIX_VET_PATHS_ONLY judges kernel file systems
 * by path alone, without statfs (--no-probe). */
#define EX_FIX_VET_PATHS_ONLY 1

/* Judges command (NULL is safe) with flags EX_FIX_VET_*. */
ex_fix_verdict_t ex_fix_vet(const char *command, int flags);

/* "safe", "no-subject", "system-path", "kernel-file-system", ... */
const char *ex_fix_verdict_name(ex_fix_verdict_t v);

/* Sets the summary (printf-style). */
void ex_explanation_summary(ex_explanation_t *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Frees what e owns and zeroes it. */
void ex_explanation_release(ex_explanation_t *e);

/* Quotes s for a POSIX shell (one word, single quotes when needed, which sh
 * reads back byte for byte); on Windows for cmd.exe and PowerShell alike
 * (double quotes when needed). Returns a new string the caller frees, or
 * NULL with errno ENOMEM, or (Windows) EINVAL for a word that neither
 * shell can be given as it is (", %, $, `, ! or a control byte in it):
 * ex_fix_add_cmd() then adds no fix. */
char *ex_shell_quote(const char *s);

/* ---------------------------------------------------------------------- */
/* Events and explainers                                                   */

/* What the matcher (or the launcher) recognised. Everything is borrowed for
 * the call. */
typedef struct ex_probe_event {
  const char *rule_id;        /* "python.permission-error", or a launcher
                                 event: "explain.exec-failed" */
  const char *errno_name;     /* "EACCES", or NULL */
  const char *condition;      /* "module-not-found", ..., or NULL */
  const char *operation;      /* "write", "open", "exec", ..., or NULL */
  const char *subject_kind;   /* "path", "port", "module", ..., or NULL */
  const char *subject_value;  /* NULL when there is no subject */
  const char *location_file;  /* source location, or NULL */
  long location_line;         /* 0 when unknown */
  /* Other named captures of the signature ("interpreter", "version",
   * "host", ...): returns the value or NULL. */
  const char *(*capture)(const void *ud, const char *name);
  const void *capture_ud;
  char *const *command;       /* argv of the command, NULL with --log */
  long long exit_code;        /* the command's, -1 when unknown (--log) */
  int signal;                 /* the signal that ended it, or 0 */
  /* The subject was recovered (ex_subject_recover()): how, for the
   * causes that cite it ("the file open for writing on fd 3"); or, when
   * nothing named it, where it was looked for. NULL otherwise. */
  const char *subject_from;
  int subject_recovered;      /* 1: subject_value came from subject_from */
  const char *protocol;       /* "udp" when the address is a UDP socket's
                                 peer; NULL for TCP */
} ex_probe_event_t;

/* Captures the value of name from ev (NULL when absent or no callback). */
const char *ex_probe_capture(const ex_probe_event_t *ev, const char *name);

/* The sentence an explainer says when the event has no subject: where the
 * subject was looked for (ev->subject_from, "nothing names the file: not
 * the message, nor the descriptors the command held, ..."), else
 * fallback ("the message did not name the path"). */
const char *ex_probe_unnamed(const ex_probe_event_t *ev,
                             const char *fallback);

/* 1 when path is written for another system, so that nothing on this one
 * can be looked at for it: a Windows path (C:\x, D:/x, \\server\share)
 * on Linux, from a log of a Windows machine. Read here it would name a
 * relative file ("C:\x" in the cwd) that says nothing about the error.
 * ex_explain() runs no explainer for such a subject. */
int ex_probe_path_foreign(const char *path);

/* ---------------------------------------------------------------------- */
/* Subjects the message does not name                                      */

/* A subject recovered from what the command held when it printed the
 * error, for an event whose message names none ("OSError: [Errno 28] No
 * space left on device"). Plain data. */
typedef struct ex_subject {
  char kind[16];              /* "path", "port", "address" */
  char value[EX_PROC_PATH_MAX];
  char operation[16];         /* the operation it shows ("bind" for a
                                 socket's bind), or "" to keep the event's */
  char how[16];               /* "descriptor", "socket", "source-line",
                                 "command-line" */
  char protocol[8];           /* "udp" for a UDP socket's peer, else "" */
  char from[512];             /* how it was recovered, for the report: "the
                                 file open for writing on fd 3" */
} ex_subject_t;

/* 1 when ev needs a subject its message does not give: an errno or
 * condition whose probes need a path, a port or an address, and an empty
 * subject value. */
int ex_subject_wanted(const ex_probe_event_t *ev);

/* Recovers the subject of ev from proc, the snapshot of the process that
 * printed the message, taken when the line was matched (a snapshot of
 * explain itself, proc->from_self, holds nothing of the command): its
 * descriptors (the file open for writing on a full file system, the file
 * another process holds locked, the SQLite database, a connected socket),
 * the source line of the traceback's frame (ev->location_file and
 * location_line: a script, `python3 -c` or `node -e` code in its argv, a
 * Java source under the cwd or the class path), and its command line (a
 * port in "--port 8000"). Each candidate is checked against the system
 * where it can be (the file system is full now, the port is held now).
 * Returns 1 with *out filled, 0 when nothing names the subject (then
 * out->from says, in one sentence, where it looked), or a negative
 * errno. */
int ex_subject_recover(const ex_probe_event_t *ev, const ex_proc_t *proc,
                       ex_subject_t *out);

/* The operation the traceback's frame shows when the message's own is
 * too vague: a PermissionError raised in Python's subprocess.py or os.py
 * is the program's exec of the named file ("exec"), or its chdir into the
 * cwd= directory ("search"). Returns the operation (static), or NULL to
 * keep the event's. */
const char *ex_subject_frame_operation(const ex_probe_event_t *ev,
                                       const ex_proc_t *proc);

/* An explainer: `applies` says whether it handles the event; `run` fills the
 * explanation (returns 0, or a negative errno when it could not run at all).
 * Explainers live in tables, one per family (explain_*.c under
 * platform/linux/). */
typedef struct ex_explainer {
  const char *name;
  int (*applies)(const ex_probe_event_t *ev);
  int (*run)(const ex_probe_event_t *ev, const ex_proc_t *proc,
             const ex_host_t *host, ex_explanation_t *out);
} ex_explainer_t;

/* Runs the first explainer that applies to ev. proc is the command as it ran
 * (ex_proc_capture(), or ex_proc_capture_self() with --log). Returns 1 when
 * an explainer ran (*out filled; release it), 0 when none applies (*out
 * empty), or a negative errno. */
int ex_explain(const ex_probe_event_t *ev, const ex_proc_t *proc,
               const ex_host_t *host, ex_explanation_t *out);

/* Adds the context that every diagnosis shares to facts: "container"
 * (docker, podman, kubernetes, lxc, or false), "ci" (github-actions,
 * gitlab-ci, buildkite, jenkins, ..., or false), "wsl" ("1", "2", true or
 * false), and from proc's uid_map "userns", "uid_map", "rootless" and
 * "host_uid_of_root". proc and host may be NULL. Reads only /proc and the
 * environment (the command's: explain runs with it). */
void ex_probe_context_facts(const ex_proc_t *proc, const ex_host_t *host,
                            ex_facts_t *facts);

/* The names of all explainers, for --help and tests: calls fn for each. */
void ex_explainers_each(void (*fn)(void *ud, const ex_explainer_t *x),
                        void *ud);

#endif
