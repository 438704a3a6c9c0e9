/* crash: the explanation of a crash or a kill. */
#include "platform/crash.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static const char *sig_name(int sig) {
  switch (sig) {
  case SIGSEGV: return "SIGSEGV";
  case SIGBUS: return "SIGBUS";
  case SIGFPE: return "SIGFPE";
  case SIGILL: return "SIGILL";
  case SIGABRT: return "SIGABRT";
  case SIGTRAP: return "SIGTRAP";
  case SIGKILL: return "SIGKILL";
  default: return "signal";
  }
}

static const char *sig_meaning(int sig) {
  switch (sig) {
  case SIGSEGV:
    return "segmentation fault: an access to memory the process may not use";
  case SIGBUS:
    return "bus error: a memory access the hardware could not complete";
  case SIGFPE:
    return "arithmetic exception";
  case SIGILL:
    return "illegal instruction: the CPU refused to execute an instruction";
  case SIGABRT:
    return "abort: the program called abort() (a failed assert(), an "
           "uncaught C++ exception, or the C library detecting corruption)";
  case SIGTRAP:
    return "trace/breakpoint trap";
  case SIGKILL:
    return "killed: SIGKILL cannot be caught or ignored";
  default:
    return "";
  }
}

static const char *base_name(const char *p) {
  const char *s;

  s = strrchr(p, '/');
  return s != NULL ? s + 1 : p;
}

/* The frame to name in the summary: the first one in the program itself,
 * else the first one outside the C runtime. */
static const ex_crash_frame_t *culprit(const ex_crash_t *c) {
  size_t i;
  const char *m;

  for (i = 0; i < c->nframes; i++) {
    if (c->exe[0] != '\0' && strcmp(c->frames[i].module, c->exe) == 0 &&
        c->frames[i].func[0] != '\0')
      return &c->frames[i];
  }
  for (i = 0; i < c->nframes; i++) {
    m = base_name(c->frames[i].module);
    if (strncmp(m, "libc.so", 7) != 0 && strncmp(m, "ld-linux", 8) != 0 &&
        strncmp(m, "libpthread", 10) != 0 && strncmp(m, "libstdc++", 9) != 0 &&
        strncmp(m, "libgcc_s", 8) != 0 && c->frames[i].func[0] != '\0')
      return &c->frames[i];
  }
  return c->nframes > 0 ? &c->frames[0] : NULL;
}

/* "parse_line (main.c:12)" or "parse_line" or "0x401136 in /path". */
static void where(const ex_crash_frame_t *f, char *out, size_t size) {
  if (f == NULL) {
    out[0] = '\0';
    return;
  }
  if (f->func[0] != '\0' && f->line > 0)
    snprintf(out, size, "%s (%s:%d)", f->func, base_name(f->file), f->line);
  else if (f->func[0] != '\0')
    ex_strlcpy(out, f->func, size);
  else if (f->module[0] != '\0')
    snprintf(out, size, "0x%lx in %s", (unsigned long)f->module_off,
             f->module);
  else
    snprintf(out, size, "0x%lx", (unsigned long)f->ip);
}

/* The abort message: an assertion, a C++ terminate, glibc's own. */
static void abort_message(const ex_crash_t *c, char *out, size_t size) {
  static const char *const marks[] = {
      "Assertion",          "terminate called", "double free",
      "free(): ",           "malloc(): ",       "corrupted",
      "stack smashing",     "buffer overflow detected",
      "realloc(): ",        "what():",          "panic",
      "Fatal glibc error"};
  char line[512];
  const char *p;
  const char *end;
  const char *nl;
  size_t n;
  size_t i;
  size_t k;

  out[0] = '\0';
  p = c->tail;
  end = c->tail + c->tail_len;
  for (; p < end; p = nl + 1) {
    nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
      nl = end;
    n = (size_t)(nl - p);
    if (n == 0)
      continue;
    for (i = 0, k = 0; i < n && k + 1 < sizeof(line); i++) {
      if (p[i] == '\r')
        continue;
      line[k++] = isprint((unsigned char)p[i]) || (p[i] & 0x80) ? p[i] : '?';
    }
    line[k] = '\0';
    for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
      if (strstr(line, marks[i]) != NULL) {
        ex_strlcpy(out, line, size);
        break;
      }
    }
  }
}

static void human_bytes(long long v, char *out, size_t size) {
  if (v < 0)
    snprintf(out, size, "unknown");
  else if (v >= 1LL << 30)
    snprintf(out, size, "%.1f GiB", (double)v / (double)(1LL << 30));
  else if (v >= 1LL << 20)
    snprintf(out, size, "%.1f MiB", (double)v / (double)(1LL << 20));
  else
    snprintf(out, size, "%lld bytes", v);
}

static void add_core(const ex_crash_t *c, ex_explanation_t *e) {
  ex_cause_t *k;
  const char *gdb[4];
  char pidbuf[24];
  const char *cdc[4];

  ex_facts_str(&e->facts, "core_pattern", c->core_pattern);
  if (c->core_limit == -1)
    ex_facts_str(&e->facts, "core_limit", "unlimited");
  else if (c->core_limit >= 0)
    ex_facts_int(&e->facts, "core_limit", c->core_limit);
  ex_facts_bool(&e->facts, "core_dumped", c->core_dumped);
  if (c->core_file[0] != '\0')
    ex_facts_str(&e->facts, "core_file", c->core_file);

  if (c->core_handler[0] != '\0') {
    k = ex_cause_add(e, "core-dump", c->core_dumped ? EX_VERDICT_CONFIRMED
                                                    : EX_VERDICT_UNKNOWN,
                     "%s: core_pattern pipes cores to %s%s",
                     c->core_dumped ? "a core was dumped"
                                    : "no core was dumped",
                     c->core_handler,
                     c->core_file[0] ? "" : " (in a container, a program of "
                                            "the host)");
  } else if (c->core_dumped) {
    k = ex_cause_add(e, "core-dump", EX_VERDICT_CONFIRMED,
                     "a core was dumped%s%s", c->core_file[0] ? " to " : "",
                     c->core_file[0] ? c->core_file
                                     : " (core_pattern names where)");
  } else {
    k = ex_cause_add(e, "core-dump", EX_VERDICT_RULED_OUT,
                     "no core was dumped%s",
                     c->core_limit == 0 ? ": ulimit -c is 0" : "");
  }
  if (k != NULL) {
    ex_facts_str(&k->facts, "core_pattern", c->core_pattern);
    if (c->core_file[0] != '\0')
      ex_facts_str(&k->facts, "core_file", c->core_file);
  }

  if (c->core_file[0] != '\0' && strstr(c->core_file, ".crash") != NULL) {
    gdb[0] = "apport-unpack";
    gdb[1] = c->core_file;
    gdb[2] = "/tmp/crash-unpacked";
    gdb[3] = NULL;
    ex_fix_add_cmd(e, 0, gdb, "unpack the apport report (CoreDump inside)");
  } else if (c->core_file[0] != '\0' && c->exe[0] != '\0') {
    gdb[0] = "gdb";
    gdb[1] = c->exe;
    gdb[2] = c->core_file;
    gdb[3] = NULL;
    ex_fix_add_cmd(e, 0, gdb, "open the core in the debugger");
  } else if (strstr(c->core_handler, "systemd-coredump") != NULL) {
    snprintf(pidbuf, sizeof(pidbuf), "%d", (int)c->pid);
    cdc[0] = "coredumpctl";
    cdc[1] = "gdb";
    cdc[2] = pidbuf;
    cdc[3] = NULL;
    ex_fix_add_cmd(e, 0, cdc, "open the core kept by systemd-coredump");
  }
  if (!c->core_dumped && c->core_limit == 0)
    ex_fix_add_raw(e, 0, "ulimit -c unlimited",
                   "allow core dumps in this shell, then run it again");
}

/* The backtrace as rows, one per frame, with null for what is unknown;
 * "program" says whether the frame is in the command's own executable (the
 * text report shows those, and folds the library frames). */
static void add_frames(const ex_crash_t *c, ex_explanation_t *e) {
  const ex_crash_frame_t *f;
  ex_facts_t *row;
  size_t i;

  if (c->nframes == 0)
    ex_facts_list_add(&e->facts, "backtrace", NULL);
  for (i = 0; i < c->nframes; i++) {
    f = &c->frames[i];
    row = ex_facts_row_add(&e->facts, "backtrace");
    if (row == NULL) {
      e->nomem = 1;
      return;
    }
    ex_facts_int(row, "index", (long long)i);
    if (f->func[0] != '\0') {
      ex_facts_str(row, "function", f->func);
      ex_facts_int(row, "offset", (long long)f->func_off);
    } else {
      ex_facts_null(row, "function");
      ex_facts_null(row, "offset");
    }
    if (f->module[0] != '\0') {
      ex_facts_str(row, "module", f->module);
      ex_facts_int(row, "module_offset", (long long)f->module_off);
    } else {
      ex_facts_null(row, "module");
      ex_facts_null(row, "module_offset");
    }
    if (f->line > 0) {
      ex_facts_str(row, "file", f->file);
      ex_facts_int(row, "line", f->line);
    } else {
      ex_facts_null(row, "file");
      ex_facts_null(row, "line");
    }
    ex_facts_printf(row, "address", "0x%lx", (unsigned long)f->ip);
    ex_facts_bool(row, "program",
                  c->exe[0] != '\0' && strcmp(f->module, c->exe) == 0);
  }
  if (c->depth > 0)
    ex_facts_int(&e->facts, "backtrace_depth", c->depth);
  if (c->nframes > 0 && c->have_report)
    ex_facts_str(&e->facts, "backtrace_thread",
                 c->main_thread ? "main thread" : "crashing thread");
  else if (c->no_backtrace != NULL)
    ex_facts_str(&e->facts, "backtrace_missing", c->no_backtrace);
  else if (!c->have_report)
    ex_facts_str(&e->facts, "backtrace_missing",
                 "the program's own signal handler, or a child process, "
                 "crashed without the reporter");
}

/* SIGILL: what kind of instruction, and whether this CPU has it. */
static void illegal_detail(const ex_crash_t *c, ex_explanation_t *e,
                           char *what, size_t size) {
  char buf[65536];
  FILE *f;
  size_t i;
  const char *need;
  int has;
  ex_cause_t *k;

  snprintf(what, size, "an instruction this CPU does not execute");
  if (!c->have_insn)
    return;
  i = 0;
  while (i < 15 && (c->insn[i] == 0x66 || c->insn[i] == 0xf2 ||
                    c->insn[i] == 0xf3 || c->insn[i] == 0xf0 ||
                    c->insn[i] == 0x2e || c->insn[i] == 0x3e ||
                    c->insn[i] == 0x26 || c->insn[i] == 0x36 ||
                    c->insn[i] == 0x64 || c->insn[i] == 0x65))
    i++;
  if ((c->insn[i] & 0xf0) == 0x40)
    i++; /* REX */
  need = NULL;
  if (c->insn[i] == 0xc4 || c->insn[i] == 0xc5)
    need = "avx";
  else if (c->insn[i] == 0x62)
    need = "avx512f";
  if (need == NULL)
    return;
  snprintf(what, size, "an %s instruction (%s-encoded)",
           need[3] == '5' ? "AVX-512" : "AVX/AVX2",
           need[3] == '5' ? "EVEX" : "VEX");
  has = -1;
  f = fopen("/proc/cpuinfo", "re");
  if (f != NULL) {
    while (fgets(buf, sizeof(buf), f) != NULL) {
      if (strncmp(buf, "flags", 5) == 0) {
        char pat[32];
        snprintf(pat, sizeof(pat), " %s ", need);
        buf[strcspn(buf, "\n")] = ' ';
        has = strstr(buf, pat) != NULL;
        break;
      }
    }
    fclose(f);
  }
  ex_facts_str(&e->facts, "cpu_flag_needed", need);
  k = ex_cause_add(e, "cpu-lacks-feature",
                   has == 0   ? EX_VERDICT_CONFIRMED
                   : has == 1 ? EX_VERDICT_RULED_OUT
                              : EX_VERDICT_UNKNOWN,
                   has == 0 ? "the program was built for a newer CPU: it uses "
                              "%s, which this CPU lacks"
                   : has == 1 ? "this CPU has %s, so the instruction is not "
                                "simply too new for it"
                              : "the CPU's flags (%s) could not be read",
                   need);
  if (k != NULL)
    ex_facts_bool(&k->facts, "cpu_has_flag", has == 1);
  if (has == 0)
    ex_fix_add_raw(e, 0, NULL,
                   "rebuild for this CPU (e.g. -march=x86-64-v2, without "
                   "-march=native), or run it on a CPU with %s",
                   need);
}

static void explain_kill(const ex_crash_t *c, const ex_proc_t *proc,
                         ex_explanation_t *e) {
  const ex_crash_memcg_t *m;
  const ex_crash_memcg_t *b;
  char lim[32];
  char peak[32];
  ex_cause_t *k;
  size_t i;
  long long delta;
  char cmd[1200];
  char *q;

  ex_facts_str(&e->facts, "signal", "SIGKILL");
  ex_facts_str(&e->facts, "classification", ex_crash_class_name(c->cls));
  m = c->nafter > 0 ? &c->after[c->oom_confirmed ? c->oom_level : 0] : NULL;
  b = NULL;
  for (i = 0; m != NULL && i < c->nbefore; i++)
    if (strcmp(c->before[i].dir, m->dir) == 0)
      b = &c->before[i];
  delta = m != NULL && b != NULL && m->oom_kill >= 0 && b->oom_kill >= 0
              ? m->oom_kill - b->oom_kill
              : -1;
  if (m != NULL) {
    human_bytes(m->limit, lim, sizeof(lim));
    human_bytes(m->peak, peak, sizeof(peak));
    if (m->limit < 0)
      snprintf(lim, sizeof(lim), "no limit");
    ex_facts_str(&e->facts, "memory_cgroup", m->dir);
    ex_facts_int(&e->facts, "cgroup_version", m->version);
    ex_facts_int(&e->facts, "memory_max", m->limit);
    ex_facts_int(&e->facts, "memory_peak", m->peak);
    if (delta >= 0)
      ex_facts_int(&e->facts, "oom_kill_delta", delta);
  }
  for (i = 0; i < c->nkmsg; i++)
    ex_facts_list_add(&e->facts, "kernel_log", c->kmsg[i]);
  if (c->oom_confirmed) {
    if (m != NULL && m->limit >= 0) {
      ex_explanation_summary(e, "SIGKILL: killed by the OOM killer: the "
                                "memory cgroup's limit of %s was reached "
                                "(peak %s)",
                             lim, peak);
      k = ex_cause_add(e, "cgroup-oom-kill", EX_VERDICT_CONFIRMED,
                       "the memory cgroup %s reached its limit of %s "
                       "(cgroup v%d; peak usage %s) and the kernel killed "
                       "the command",
                       m->dir, lim, m->version, peak);
    } else {
      ex_explanation_summary(e, "SIGKILL: killed by the kernel's OOM killer "
                                "(the machine ran out of memory)");
      k = ex_cause_add(e, "oom-kill", EX_VERDICT_CONFIRMED,
                       "the kernel's OOM killer chose the command%s",
                       c->nkmsg > 0 ? " (kernel log)" : "");
    }
    if (k != NULL && m != NULL) {
      ex_facts_int(&k->facts, "memory_max", m->limit);
      ex_facts_int(&k->facts, "memory_peak", m->peak);
      ex_facts_int(&k->facts, "oom_kill_delta", delta);
    }
    if (m != NULL && m->limit >= 0) {
      q = ex_shell_quote(m->dir);
      if (q != NULL) {
        snprintf(cmd, sizeof(cmd), "echo %lld | sudo tee %s/%s",
                 m->limit * 2, q,
                 m->version == 2 ? "memory.max" : "memory.limit_in_bytes");
        ex_fix_add_raw(e, 1, cmd, "give the cgroup more memory (double it)");
        free(q);
      }
      ex_fix_add_raw(e, 0, NULL,
                     "in a container, raise its limit: docker run --memory "
                     "…, or the pod's resources.limits.memory");
    }
    ex_fix_add_raw(e, 0, NULL,
                   "or make the command use less memory (smaller inputs or "
                   "batches, fewer parallel jobs)");
    return;
  }
  ex_explanation_summary(e, "SIGKILL: the command was killed; the sender is "
                            "unknown");
  k = ex_cause_add(e, "oom-kill",
                   m != NULL && delta == 0 ? EX_VERDICT_RULED_OUT
                                           : EX_VERDICT_UNKNOWN,
                   m != NULL && delta == 0
                       ? "no OOM kill in the memory cgroup %s while it ran"
                       : "an OOM kill could not be checked%s",
                   m != NULL ? m->dir : " (no memory cgroup readable)");
  if (k != NULL && m != NULL)
    ex_facts_int(&k->facts, "oom_kill_delta", delta);
  ex_cause_add(e, "sent-by-a-process", EX_VERDICT_UNKNOWN,
               "another process sent SIGKILL: timeout -s KILL, a CI job's "
               "cancellation or time limit, docker stop after its grace "
               "period, systemd stopping the unit, or kill -9");
  ex_facts_bool(&e->facts, "kernel_log_readable", c->kmsg_readable);
  (void)proc;
}

int ex_crash_explain(const ex_crash_t *c, const ex_proc_t *proc,
                     ex_explanation_t *out) {
  const ex_crash_frame_t *f;
  char at[900];
  char what[200];
  char msg[512];
  char rl[64];
  const char *name;
  ex_cause_t *k;
  ex_verdict_t v;
  const char *cls;

  memset(out, 0, sizeof(*out));
  out->explainer = "crash";
  if (!c->collected || c->cls == EX_CRASH_NONE)
    return -EINVAL;
  if (c->signo == SIGKILL) {
    explain_kill(c, proc, out);
    return out->nomem ? -ENOMEM : 0;
  }
  name = sig_name(c->signo);
  cls = ex_crash_class_name(c->cls);
  f = culprit(c);
  where(f, at, sizeof(at));
  ex_facts_str(&out->facts, "signal", name);
  ex_facts_str(&out->facts, "signal_meaning", sig_meaning(c->signo));
  ex_facts_str(&out->facts, "classification", cls);
  if (c->have_report || c->have_regs) {
    ex_facts_printf(&out->facts, "fault_address", "0x%lx",
                    (unsigned long)c->addr);
    if (c->have_regs)
      ex_facts_printf(&out->facts, "pc", "0x%lx", (unsigned long)c->pc);
  }
  if (c->have_report) {
    ex_facts_int(&out->facts, "si_code", c->code);
    ex_facts_int(&out->facts, "thread_id", c->tid);
  }
  add_frames(c, out);

  v = c->have_report || c->have_regs ? EX_VERDICT_CONFIRMED
                                     : EX_VERDICT_UNKNOWN;
  msg[0] = '\0';
  switch (c->cls) {
  case EX_CRASH_NULL_DEREF:
    if (c->pc == c->addr && c->addr < 4096)
      snprintf(what, sizeof(what), "call through a NULL function pointer");
    else
      snprintf(what, sizeof(what), "NULL pointer dereference at 0x%lx",
               (unsigned long)c->addr);
    k = ex_cause_add(out, cls, v,
                     "%s%s%s%s: address 0x%lx is in the first pages, where "
                     "nothing is ever mapped",
                     c->err & 0x2 ? "write through a NULL pointer"
                                  : "read through a NULL pointer",
                     at[0] ? " in " : "", at,
                     c->addr ? " (a field of a NULL struct pointer)" : "",
                     (unsigned long)c->addr);
    if (k != NULL && at[0])
      ex_facts_str(&k->facts, "function", at);
    ex_fix_add_raw(out, 0, NULL,
                   "check the pointer for NULL before using it in %s, or "
                   "find where it should have been set",
                   f != NULL && f->func[0] ? f->func : "the crashing function");
    break;
  case EX_CRASH_STACK_OVERFLOW:
    snprintf(what, sizeof(what), "stack overflow");
    if (proc == NULL || !proc->valid) {
      snprintf(rl, sizeof(rl), "unknown");
      ex_facts_null(&out->facts, "stack_limit");
    } else if (proc->rlim[RLIMIT_STACK].rlim_cur == RLIM_INFINITY) {
      snprintf(rl, sizeof(rl), "unlimited");
      ex_facts_str(&out->facts, "stack_limit", "unlimited");
    } else {
      snprintf(rl, sizeof(rl), "%llu KiB",
               (unsigned long long)proc->rlim[RLIMIT_STACK].rlim_cur / 1024);
      ex_facts_int(&out->facts, "stack_limit",
                   (long long)proc->rlim[RLIMIT_STACK].rlim_cur);
    }
    if (c->stack_map[0])
      ex_facts_str(&out->facts, "stack_mapping", c->stack_map);
    k = ex_cause_add(out, cls, v,
                     "the %s's stack ran out: the fault at 0x%lx is next to "
                     "the stack pointer 0x%lx, past the end of the stack "
                     "(stack limit %s)%s",
                     c->main_thread ? "main thread" : "thread",
                     (unsigned long)c->addr, (unsigned long)c->sp, rl,
                     c->depth > 0 ? "; deep recursion" : "");
    if (k != NULL && c->depth > 0)
      ex_facts_int(&k->facts, "backtrace_depth", c->depth);
    ex_fix_add_raw(out, 0, NULL,
                   "look for unbounded recursion in %s, or large arrays on "
                   "the stack",
                   f != NULL && f->func[0] ? f->func : "the backtrace");
    if (c->main_thread)
      ex_fix_add_raw(out, 0, "ulimit -s unlimited",
                     "or give the main thread a bigger stack, then run it "
                     "again");
    break;
  case EX_CRASH_WRITE_READONLY:
    snprintf(what, sizeof(what), "write to read-only memory at 0x%lx",
             (unsigned long)c->addr);
    k = ex_cause_add(out, cls, v,
                     "the program wrote to memory mapped without write "
                     "permission (%s): a string literal or a const object "
                     "modified, or a pointer gone astray",
                     c->addr_map);
    ex_fix_add_raw(out, 0, NULL,
                   "copy the data to writable memory before changing it "
                   "(char s[] = \"...\" rather than char *s = \"...\")");
    break;
  case EX_CRASH_EXEC_NONEXEC:
    snprintf(what, sizeof(what), "jump to non-executable memory at 0x%lx",
             (unsigned long)c->addr);
    ex_cause_add(out, cls, v,
                 "the program jumped to 0x%lx, which is not executable: a "
                 "corrupted function pointer or return address",
                 (unsigned long)c->addr);
    break;
  case EX_CRASH_BAD_POINTER:
    snprintf(what, sizeof(what), "invalid (non-canonical) pointer");
    ex_cause_add(out, cls, v,
                 "the CPU refused an address that can never be valid "
                 "(general protection fault): a corrupted or uninitialised "
                 "pointer");
    break;
  case EX_CRASH_UNMAPPED:
    snprintf(what, sizeof(what), "access to unmapped address 0x%lx",
             (unsigned long)c->addr);
    ex_cause_add(out, cls, v,
                 "0x%lx is in no mapping of the process: a dangling, freed "
                 "or uninitialised pointer, or an index far out of bounds",
                 (unsigned long)c->addr);
    break;
  case EX_CRASH_MISALIGNED:
    snprintf(what, sizeof(what), "misaligned access at 0x%lx",
             (unsigned long)c->addr);
    ex_cause_add(out, cls, v,
                 "the CPU refused an access at 0x%lx that is not aligned to "
                 "the size of the data",
                 (unsigned long)c->addr);
    break;
  case EX_CRASH_BUS_MMAP:
    snprintf(what, sizeof(what), "access past the end of a mapped file");
    ex_cause_add(out, cls, v,
                 "0x%lx is in a mapped file beyond its end (%s): the file was "
                 "truncated while mapped, or the disk is full (tmpfs, "
                 "/dev/shm)",
                 (unsigned long)c->addr, c->addr_map[0] ? c->addr_map : "?");
    break;
  case EX_CRASH_DIV_ZERO:
    snprintf(what, sizeof(what), "integer division by zero");
    ex_cause_add(out, cls, v,
                 "an integer division by zero (or INT_MIN / -1)%s%s",
                 at[0] ? " in " : "", at);
    ex_fix_add_raw(out, 0, NULL, "check the divisor before dividing");
    break;
  case EX_CRASH_FPE:
    snprintf(what, sizeof(what), "arithmetic exception");
    ex_cause_add(out, cls, v, "a floating-point or integer exception "
                              "(si_code %d)", c->code);
    break;
  case EX_CRASH_TRAP_UD2:
    snprintf(what, sizeof(what), "deliberate trap (ud2)");
    ex_cause_add(out, cls, v,
                 "the program executed ud2, the instruction compilers emit "
                 "for __builtin_trap() and for code they proved unreachable "
                 "(undefined behaviour, -fsanitize=...-trap)");
    ex_cause_add(out, "cpu-lacks-feature", EX_VERDICT_RULED_OUT,
                 "ud2 is invalid on every CPU: not a missing CPU feature");
    break;
  case EX_CRASH_ILLEGAL_INSN:
    illegal_detail(c, out, what, sizeof(what));
    ex_cause_add(out, cls, v, "the CPU refused %s", what);
    snprintf(what, sizeof(what), "illegal instruction");
    break;
  case EX_CRASH_ABORT:
    abort_message(c, msg, sizeof(msg));
    snprintf(what, sizeof(what), "abort");
    if (msg[0] != '\0')
      ex_facts_str(&out->facts, "abort_message", msg);
    k = ex_cause_add(out, strstr(msg, "Assertion") != NULL
                              ? "assertion-failed"
                              : "abort",
                     msg[0] != '\0' ? EX_VERDICT_CONFIRMED
                                    : EX_VERDICT_UNKNOWN,
                     "%s%s", msg[0] ? "the program said: " : "",
                     msg[0] ? msg
                            : "the program called abort(); it printed no "
                              "message that explain recognises");
    if (k != NULL && msg[0])
      ex_facts_str(&k->facts, "abort_message", msg);
    break;
  case EX_CRASH_TRAP:
    snprintf(what, sizeof(what), "breakpoint trap");
    ex_cause_add(out, cls, v,
                 "the program hit a breakpoint instruction (int3, "
                 "__builtin_debugtrap(), a leftover debugger breakpoint)");
    break;
  case EX_CRASH_SENT:
    snprintf(what, sizeof(what), "signal sent by process %lld", c->sender);
    ex_cause_add(out, cls, EX_VERDICT_CONFIRMED,
                 "%s did not come from the CPU: process %lld sent it (kill, "
                 "raise())",
                 name, c->sender);
    break;
  default:
    snprintf(what, sizeof(what), "%s",
             c->signo == SIGSEGV ? "invalid memory access"
                                 : sig_meaning(c->signo));
    ex_cause_add(out, cls, EX_VERDICT_UNKNOWN,
                 "%s%s%s", sig_meaning(c->signo),
                 c->have_report || c->have_regs ? "" : "; no details: ",
                 c->have_report || c->have_regs
                     ? ""
                     : (c->no_backtrace != NULL ? c->no_backtrace
                                                : "no crash report"));
    break;
  }
  if (at[0] != '\0' && c->cls != EX_CRASH_SENT)
    ex_explanation_summary(out, "%s: %s in %s", name, what, at);
  else
    ex_explanation_summary(out, "%s: %s", name, what);
  if (c->cls == EX_CRASH_ABORT && msg[0] != '\0')
    ex_explanation_summary(out, "SIGABRT: abort%s%s: %s", at[0] ? " in " : "",
                           at, msg);
  if (!c->have_report && c->no_backtrace != NULL)
    ex_cause_add(out, "no-backtrace", EX_VERDICT_UNKNOWN,
                 "no backtrace: %s", c->no_backtrace);
  add_core(c, out);
  return out->nomem ? -ENOMEM : 0;
}
