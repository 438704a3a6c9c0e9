/* Internal to the Linux probes: the read-only probes of the exec, loader, port and
 * limit explainers (exec_*.c, net_*.c, res_*.c). They read files (ELF
 * headers, /etc/ld.so.cache), /proc and /sys; they never run a program.
 * Every reader is bounded: a hostile or huge file, or a machine with many
 * processes, costs at most a fixed amount of work. */
#ifndef EX_PROBE_EXEC_INT_H
#define EX_PROBE_EXEC_INT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "platform/probe.h"

/* ---------------------------------------------------------------------- */
/* ELF (exec_elf.c)                                                        */

#define EX_ELF_NEEDED_MAX 64
#define EX_ELF_NAME_MAX 256

typedef struct ex_elf {
  int elf_class;        /* 1: 32-bit, 2: 64-bit */
  int big_endian;
  unsigned type;        /* e_type: 2 executable, 3 shared object/PIE */
  unsigned machine;     /* e_machine */
  char interp[EX_PROC_PATH_MAX]; /* PT_INTERP, "" when static */
  int has_dynamic;
  char needed[EX_ELF_NEEDED_MAX][EX_ELF_NAME_MAX]; /* DT_NEEDED */
  size_t nneeded;
  char runpath[1024];   /* DT_RUNPATH, "" when absent */
  char rpath[1024];     /* DT_RPATH, "" when absent */
  char glibc_max[32];   /* highest "2.34" of the GLIBC_ versions required
                           in .gnu.version_r, "" when none */
  int truncated;        /* a table was longer than the caps: lists cut */
} ex_elf_t;

/* Reads the headers of the ELF file at path, checking every offset against
 * the file size (hostile files give -ENOEXEC, never a crash). Returns 0,
 * -ENOEXEC when the file is not ELF or malformed, or another negative errno
 * when it cannot be read. */
int ex__elf_read(const char *path, ex_elf_t *e);

/* Same, on a file already in memory (for tests and fuzzing). */
int ex__elf_parse(const unsigned char *buf, size_t len, ex_elf_t *e);

/* e_machine of the machine explain runs on (uname), 0 when unknown. */
unsigned ex__elf_host_machine(void);

/* A short name for e_machine ("x86-64", "AArch64"), or "machine N" in
 * buf. */
const char *ex__elf_machine_name(unsigned machine, char *buf, size_t size);

/* 1 when this host runs code for `machine` of class `elf_class` natively
 * (same machine, or 32-bit x86 on x86-64, 32-bit ARM on AArch64). */
int ex__elf_host_runs(unsigned machine, int elf_class);

/* Compares two dotted versions ("2.34" < "2.36"): <0, 0, >0. */
int ex__version_cmp(const char *a, const char *b);

/* ---------------------------------------------------------------------- */
/* The loader's view (exec_ldcache.c)                                      */

#define EX_LDCACHE_HITS 8

typedef struct ex_ldcache_hit {
  char path[EX_PROC_PATH_MAX];
  unsigned flags;       /* the cache's flags (0x0303: x86-64 libc6) */
} ex_ldcache_hit_t;

/* Looks soname up in the ld.so.cache file at cache_path (the glibc
 * "glibc-ld.so.cache1.1" format). Exact matches go to hits (up to max),
 * names of the same library with another version ("libssl.so.3" for
 * "libssl.so.1.1") to others (up to omax, may be NULL). Returns the number
 * of exact matches, or a negative errno (-ENOEXEC: not a cache this code
 * reads). */
int ex__ldcache_lookup(const char *cache_path, const char *soname,
                       ex_ldcache_hit_t *hits, size_t max,
                       ex_ldcache_hit_t *others, size_t omax,
                       size_t *nothers);

/* The cache flag value for a library of this host's native ABI, or 0 when
 * unknown. */
unsigned ex__ldcache_host_flags(void);

/* Looks for a file named soname in the directories of a colon-separated
 * list (LD_LIBRARY_PATH, RUNPATH; "$ORIGIN" is replaced by origin_dir when
 * not NULL). Writes the first hit into out. Returns 1 when found, 0 when
 * not. */
int ex__lib_in_dirs(const char *dirs, const char *origin_dir,
                    const char *soname, char *out, size_t size);

/* Bounded search of the usual places outside the loader's path
 * (/usr/local/lib*, /opt, $CONDA_PREFIX/lib, ~/.local/lib, conda envs) for
 * soname; the project's own directories are proc/project.h's. Returns the number of hits written
 * (up to max, each EX_PROC_PATH_MAX bytes). */
size_t ex__lib_search(const ex_proc_t *proc, const char *soname,
                      char (*out)[EX_PROC_PATH_MAX], size_t max);

/* ---------------------------------------------------------------------- */
/* Processes (exec_util.c)                                                 */

/* What explain can see of a process. Strings are "" when unreadable. */
typedef struct ex_pinfo {
  pid_t pid;
  char comm[32];
  char cmdline[512];    /* arguments joined with spaces, cut */
  char exe[EX_PROC_PATH_MAX];
  uid_t uid;            /* owner of /proc/<pid> (the euid) */
  int uid_known;
} ex_pinfo_t;

/* Fills *pi for pid. Returns 0, or -ESRCH when the process is gone. */
int ex__pinfo(pid_t pid, ex_pinfo_t *pi);

/* Calls fn for each process in /proc (at most EX_PROC_SCAN_MAX); fn
 * returns nonzero to stop. Returns the number of processes visited. */
#define EX_PROC_SCAN_MAX 65536
size_t ex__proc_each(int (*fn)(void *ud, pid_t pid, uid_t owner),
                     void *ud);

/* 1 when the process with these credentials may execute (regular file) or
 * search (directory) st, from the mode bits (root and CAP_DAC_OVERRIDE
 * need one x bit for a file). */
int ex__may_exec(const ex_proc_t *proc, const struct stat *st);
/* 1 when it may read st. */
int ex__may_read(const ex_proc_t *proc, const struct stat *st);

/* The effective uid of the command (explain's own when proc is not
 * valid). */
uid_t ex__proc_euid(const ex_proc_t *proc);

/* The command's cwd: proc->cwd, or explain's own (which the command
 * inherited) when it could not be read (a zombie's cwd link is gone).
 * buf is returned, "" when unknown. */
const char *ex__proc_cwd(const ex_proc_t *proc, char *buf, size_t size);

/* The home directory of the command: $HOME, else the passwd entry of its
 * uid. buf is returned, "" when unknown. */
const char *ex__home(const ex_proc_t *proc, char *buf, size_t size);

/* 1 when process h looks like the command of ev run again: the same
 * program (exe, comm) with the same first argument (script, module). */
int ex__same_program(const ex_probe_event_t *ev, const ex_proc_t *proc,
                     const ex_pinfo_t *h);


/* Null-safe fact helpers: causes may be NULL after an allocation
 * failure. */
void ex__cf_str(ex_cause_t *c, const char *key, const char *value);
void ex__cf_int(ex_cause_t *c, const char *key, long long value);
void ex__cf_bool(ex_cause_t *c, const char *key, int value);

/* ---------------------------------------------------------------------- */
/* Ports (net_port.c)                                                      */

#define EX_PORT_MAX_LISTENERS 16

typedef struct ex_sock {
  int v6;
  char addr[64];        /* "127.0.0.1", "::", "::1" */
  unsigned port;
  char raddr[64];       /* the remote end; "0.0.0.0" when unconnected */
  unsigned rport;
  unsigned state;       /* 0x0A listen, 0x06 time-wait, ... */
  uid_t uid;
  unsigned long inode;
  ex_pinfo_t holder;    /* valid when holder.pid > 0 */
} ex_sock_t;

typedef struct ex_port_scan {
  int readable;                 /* /proc/net/tcp could be read */
  ex_sock_t listen[EX_PORT_MAX_LISTENERS];
  size_t nlisten;
  size_t time_wait;             /* TIME_WAIT entries on the port */
  size_t established;           /* other states on the port (local) */
  unsigned nearby[8];           /* other LISTEN ports closest to it */
  size_t nnearby;
  int holders_scanned;          /* the /proc/<pid>/fd scan ran */
} ex_port_scan_t;

/* Reads /proc/net/tcp and tcp6 (at most a fixed number of lines) for TCP
 * port `port`, then maps the listeners' inodes to processes through
 * /proc/<pid>/fd. net_dir is "/proc/net" (tests pass another directory;
 * then no process scan runs when scan_pids is 0). Returns 0 or a negative
 * errno. */
int ex__port_scan(const char *net_dir, unsigned port, int scan_pids,
                  ex_port_scan_t *out);

/* A port number: all digits, 1 to 65535; 0 for anything else. */
unsigned ex__port_number(const char *s);

/* Parses one line of /proc/net/tcp{,6} (or udp{,6}, which has the same
 * leading columns). Returns 0, or -EINVAL for a header or malformed
 * line. */
int ex__tcp_line_parse(const char *line, int v6, ex_sock_t *s);

/* ---------------------------------------------------------------------- */
/* Explainers living outside explain_exec.c                                */

int ex__net_applies_addrinuse(const ex_probe_event_t *ev);
int ex__net_run_addrinuse(const ex_probe_event_t *ev, const ex_proc_t *proc,
                          const ex_host_t *host, ex_explanation_t *out);
int ex__net_applies_bind_eacces(const ex_probe_event_t *ev);
int ex__net_run_bind_eacces(const ex_probe_event_t *ev, const ex_proc_t *proc,
                            const ex_host_t *host, ex_explanation_t *out);
int ex__net_applies_refused(const ex_probe_event_t *ev);
int ex__net_run_refused(const ex_probe_event_t *ev, const ex_proc_t *proc,
                        const ex_host_t *host, ex_explanation_t *out);

int ex__res_applies_fd_limit(const ex_probe_event_t *ev);
int ex__res_run_fd_limit(const ex_probe_event_t *ev, const ex_proc_t *proc,
                         const ex_host_t *host, ex_explanation_t *out);
int ex__res_applies_lock(const ex_probe_event_t *ev);
int ex__res_run_lock(const ex_probe_event_t *ev, const ex_proc_t *proc,
                     const ex_host_t *host, ex_explanation_t *out);
int ex__res_applies_txtbsy(const ex_probe_event_t *ev);
int ex__res_run_txtbsy(const ex_probe_event_t *ev, const ex_proc_t *proc,
                       const ex_host_t *host, ex_explanation_t *out);

/* Parses one line of /proc/locks. Returns 0 (fields set) or -EINVAL for a
 * waiter line ("->") or a malformed one. */
typedef struct ex_lock_line {
  char kind[16];        /* "POSIX", "FLOCK", "OFDLCK" */
  char mode[8];         /* "READ", "WRITE" */
  pid_t pid;            /* -1 for OFD locks */
  unsigned maj, min;
  unsigned long ino;
} ex_lock_line_t;
int ex__lock_line_parse(const char *line, ex_lock_line_t *l);

#endif
