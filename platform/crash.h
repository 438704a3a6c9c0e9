/* crash: why a command died of a signal.
 *
 * Native crashes. Before the command starts, ex_crash_prepare() creates a
 * private directory (mode 0700) and, when the command is a dynamically
 * linked program of explain's own ELF class that is neither setuid, setgid
 * nor file-capable, asks for libexplain-crash.so (platform/linux/crash/preload.c) to be
 * preloaded: it returns extra environment variables for the launcher to
 * merge into the command's environment (ex_crash_env()). The library's
 * constructor removes them again, and restores the caller's LD_PRELOAD,
 * before main() runs, so the program sees exactly the caller's environment
 * and holds no extra descriptor. When the command dies of SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL, SIGABRT or SIGTRAP, the library's handler writes a report
 * into the directory (signal, code, fault address, registers, the crashing
 * thread's backtrace by libunwind, a copy of /proc/self/maps), and the
 * process dies of the same signal as before.
 *
 * Consequences: only the command's own process reports (its children no
 * longer see LD_PRELOAD); static and setuid programs cannot be preloaded
 * (the reason is kept in ex_crash_t.no_backtrace); a program that installs
 * its own handler (Python's faulthandler, the JVM, Go, Node) keeps it and
 * reports nothing through explain. Without a report, the kernel log's
 * "segfault at" / "traps:" line for the pid, when /dev/kmsg is readable,
 * still gives the fault address and the faulting module.
 *
 * After the command, ex_crash_collect() reads that report (and removes the
 * directory), resolves each frame to its module, and to file:line from the
 * module's DWARF .debug_line (or its /usr/lib/debug/.build-id file); it
 * runs no program. It also reads the memory cgroup of the command before
 * and after (v1 and v2: OOM kills, limit, peak), /dev/kmsg when readable,
 * and where a core dump went (ulimit -c, core_pattern).
 *
 * ex_crash_explain() turns all that into an explanation (platform/probe.h).
 *
 * Report file format (one file per crashing pid, <dir>/<pid>), line based:
 *   explain-crash 1
 *   pid N / tid N / signal N / code N (si_code) / addr 0xADDR
 *   sender N            (only for signals sent by a process: si_pid)
 *   pc 0x.. / sp 0x.. / err 0x.. / trapno N   (per architecture)
 *   insn HEX            (SIGILL: the 16 bytes at pc)
 *   frame 0xIP 0xSP NAME+0xOFF   (NAME is "?" when unknown), repeated
 *   depth N             (when there were more frames than written)
 *   end-frames
 *   maps                (then /proc/self/maps verbatim to the end)
 *
 * Conventions: 0 or a negative errno; nothing here prints.
 */
#ifndef EX_CRASH_H
#define EX_CRASH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "platform/probe.h"

#define EX_CRASH_FRAMES_MAX 64
#define EX_CRASH_CG_DEPTH 8
#define EX_CRASH_TAIL 4096
#define EX_CRASH_KMSG_LINES 6

/* How the process died, as far as explain could tell. */
typedef enum ex_crash_class {
  EX_CRASH_NONE = 0,      /* not a crash or a kill */
  EX_CRASH_SEGV,          /* invalid memory access, nothing more known */
  EX_CRASH_NULL_DEREF,    /* address in the first page */
  EX_CRASH_STACK_OVERFLOW,/* address next to the stack, at the stack pointer */
  EX_CRASH_WRITE_READONLY,/* write to a mapping without write permission */
  EX_CRASH_EXEC_NONEXEC,  /* jump to memory that is not executable */
  EX_CRASH_BAD_POINTER,   /* non-canonical address (general protection) */
  EX_CRASH_UNMAPPED,      /* address in no mapping (wild pointer) */
  EX_CRASH_MISALIGNED,    /* SIGBUS BUS_ADRALN */
  EX_CRASH_BUS_MMAP,      /* SIGBUS BUS_ADRERR: past the end of a mapped file */
  EX_CRASH_DIV_ZERO,      /* SIGFPE FPE_INTDIV */
  EX_CRASH_FPE,           /* other arithmetic exception */
  EX_CRASH_ILLEGAL_INSN,  /* SIGILL */
  EX_CRASH_TRAP_UD2,      /* SIGILL from ud2 / __builtin_trap() */
  EX_CRASH_ABORT,         /* SIGABRT: abort(), failed assert() */
  EX_CRASH_TRAP,          /* SIGTRAP: breakpoint */
  EX_CRASH_SENT,          /* a crash signal sent by a process (kill -SEGV) */
  EX_CRASH_OOM_KILL,      /* SIGKILL by the OOM killer (confirmed) */
  EX_CRASH_KILLED         /* SIGKILL, sender unknown */
} ex_crash_class_t;

typedef struct ex_crash_frame {
  uintptr_t ip;
  char func[160];          /* function name, or "" */
  uintptr_t func_off;      /* ip - start of func */
  char module[512];        /* file of the mapping that holds ip, or "" */
  uintptr_t module_off;    /* ip's address in the module's ELF (vaddr) */
  char file[512];          /* source file from .debug_line, or "" */
  int line;                /* 0 when unknown */
} ex_crash_frame_t;

/* One memory cgroup, as read at one moment. Numbers are -1 when unknown;
 * limit is -1 also when there is none ("max"). */
typedef struct ex_crash_memcg {
  int version;             /* 1 or 2 */
  char dir[512];           /* its directory under the cgroup mount */
  long long oom_kill;      /* v2 memory.events oom_kill; v1 oom_control */
  long long limit;         /* v2 memory.max; v1 memory.limit_in_bytes */
  long long peak;          /* v2 memory.peak; v1 memory.max_usage_in_bytes */
  long long usage;         /* v2 memory.current; v1 memory.usage_in_bytes */
} ex_crash_memcg_t;

typedef struct ex_crash {
  /* The fields every run writes come first, in one page: prepare() fills
   * it before the command starts, and collect() after a normal exit then
   * touches no new page (a page fault costs about 10 us in a VM, on the
   * path between the command's exit and explain's). The large arrays that
   * only a crash, a kill or output fills follow. */
  /* ---- ex_crash_prepare() ---- */
  char dir[256];           /* the private directory, or "" */
  char *env[4];            /* extra "NAME=value" strings, NULL-terminated;
                              env[0] == NULL when nothing is preloaded */
  const char *no_backtrace;/* why nothing is preloaded (static text), or
                              NULL */
  char exe[1024];          /* the command's executable */
  size_t nbefore;
  size_t tail_len;

  /* ---- ex_crash_collect() ---- */
  int collected;
  pid_t pid;
  int wstatus;
  int signo;               /* the signal it died of, or 0 */
  int core_dumped;         /* WCOREDUMP */
  long long sender;        /* si_pid of a sent signal, or -1 */
  ex_crash_class_t cls;
  int have_report;         /* 1 when the preloaded handler reported */
  int code;                /* si_code */
  uintptr_t addr;          /* si_addr */
  uintptr_t pc, sp, err;
  int have_regs;
  pid_t tid;
  int main_thread;         /* 1 when tid == pid */
  unsigned char insn[16];
  int have_insn;
  size_t nframes;
  long long depth;         /* total frames when more than shown, else 0 */
  size_t nafter;
  int oom_confirmed;       /* an oom_kill counter rose, or the kernel log
                              names the pid */
  size_t oom_level;        /* index in after[] whose counter rose */
  size_t nkmsg;
  int kmsg_readable;       /* 1 when /dev/kmsg could be read */
  long long core_limit;    /* RLIMIT_CORE soft limit of the command; -1
                              unlimited; -2 unknown */

  /* ---- filled by output, a crash or a kill ---- */
  ex_crash_memcg_t before[EX_CRASH_CG_DEPTH]; /* explain's own memory
                              cgroup (where the command starts) and its
                              ancestors, innermost first (started()) */
  char tail[EX_CRASH_TAIL];/* the last bytes of the command's stderr */
  ex_crash_frame_t frames[EX_CRASH_FRAMES_MAX];
  char addr_map[640];      /* the maps line holding addr, or "" */
  char addr_perms[8];
  char stack_map[640];     /* the maps line holding sp, or "" */
  ex_crash_memcg_t after[EX_CRASH_CG_DEPTH];
  char kmsg[EX_CRASH_KMSG_LINES][512]; /* kernel log lines about the pid */
  char core_pattern[256];
  char core_file[1024];    /* where the core is, when found, or "" */
  char core_handler[256];  /* the program core_pattern pipes to, or "" */
} ex_crash_t;

/* Allocates an empty ex_crash_t into *out. Returns 0 or -ENOMEM. */
int ex_crash_new(ex_crash_t **out);

/* Removes the private directory when it still exists and frees c (NULL is
 * fine). */
void ex_crash_free(ex_crash_t *c);

/* Called once the command has started (it runs already): reads the memory
 * cgroup's counters that a SIGKILL is later compared with. */
void ex_crash_started(ex_crash_t *c);

/* Before the command starts. argv is the command (argv[0] is resolved in
 * PATH the way execvp does). Snapshots explain's memory cgroup, and
 * decides whether the reporter can be preloaded: when it can, creates the
 * private directory under $TMPDIR (or /tmp) and fills c->env; otherwise
 * sets c->no_backtrace ("static binary", "setuid or file-capable program",
 * "crash reporter not found", ...). Returns 0, also when nothing is
 * preloaded; a negative errno only when memory ran out. */
int ex_crash_prepare(ex_crash_t *c, char *const *argv);

/* The same for a command whose file the launcher already resolved (path,
 * borrowed): no second PATH search. */
int ex_crash_prepare_path(ex_crash_t *c, const char *path);

/* The extra environment for the command: "NAME=value" strings, NULL-
 * terminated, borrowed from c; NULL when nothing is to be added. Entries
 * replace a variable of the same name or are appended. */
char *const *ex_crash_env(const ex_crash_t *c);

/* Keeps the last EX_CRASH_TAIL bytes of the command's stderr (the abort
 * or assertion message). buf is borrowed for the call. */
void ex_crash_feed(ex_crash_t *c, const char *buf, size_t len);

/* After the command ended with wstatus. pid is the command's; proc is its
 * last snapshot (may be NULL or not valid: explain's own cgroup, limits
 * and cwd stand in). Reads the report (only when the command died of a
 * signal), the memory cgroups, the kernel log (on SIGKILL, or a crash
 * without report), where the core went, and removes the private
 * directory. Returns 1 when the command died of a signal this module
 * explains (a crash signal, SIGKILL, or an OOM kill), 0 otherwise. */
int ex_crash_collect(ex_crash_t *c, pid_t pid, int wstatus,
                     const ex_proc_t *proc);

/* The diagnosis id for the launcher: "native.crash" for a crash signal,
 * "proc.killed" for SIGKILL, NULL when collect found nothing to explain.
 * title and meaning (static strings) may be NULL. */
const char *ex_crash_diag_id(const ex_crash_t *c, const char **title,
                             const char **meaning);

/* Fills out (release it with ex_explanation_release()) with the summary
 * ("SIGSEGV: NULL pointer dereference at 0x0 in parse_line (main.c:12)"),
 * causes with verdicts, facts (signal, fault_address, classification,
 * frame_0..., core_pattern, core_limit, core_file, oom_kill_delta,
 * memory_max, memory_peak, ...) and fixes. Returns 0, -EINVAL when collect
 * found nothing to explain, or -ENOMEM. */
int ex_crash_explain(const ex_crash_t *c, const ex_proc_t *proc,
                     ex_explanation_t *out);

/* The classification's stable name ("null-pointer-dereference",
 * "stack-overflow", ...). */
const char *ex_crash_class_name(ex_crash_class_t cls);

/* Parses a report written by the preloaded handler (see above) into c:
 * exposed for the unit tests. text need not be NUL-terminated. Returns 0 or
 * -EINVAL when it is not a report. */
int ex_crash_parse_report(ex_crash_t *c, const char *text, size_t len);

/* Fills *m from one memory cgroup directory (v1 or v2 files). Exposed for
 * the unit tests. Returns 0, or -ENOENT when dir has no memory files. */
int ex_crash_read_memcg(const char *dir, ex_crash_memcg_t *m);

/* Finds the source file and line of vaddr (an address in the ELF's own
 * address space) in the ELF file's .debug_line, or in the debug file
 * /usr/lib/debug/.build-id/xx/yyyy.debug. Returns 0 (file and *line set),
 * -ENOENT when there is no line information for it, or another negative
 * errno. */
int ex_crash_addr2line(const char *elf, uint64_t vaddr, char *file,
                       size_t fsize, int *line);

/* Converts an offset in an ELF file to the address it is loaded at in the
 * ELF's own address space (its PT_LOAD headers), and finds the symbol that
 * covers it when func is not NULL (.symtab, else .dynsym; func may be set
 * to "" when none). Returns 0 or a negative errno. */
int ex_crash_elf_lookup(const char *elf, uint64_t file_off, uint64_t *vaddr,
                        char *func, size_t fsize, uint64_t *func_off);

#endif
