/* selfcrash: what happens when explain itself crashes.
 *
 * explain sits in front of other people's commands; a bug in it must not
 * lose the command's exit status or leave a silent death. ex_selfcrash_install()
 * (first thing in main()) installs a handler for SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL and SIGABRT that, for a fault of explain's own:
 *   1. writes a short report to fd 2 with write(2) only, between the lines
 *      "=== explain crashed ===" and "=== end of explain crash report ===":
 *      the signal, its code and address, explain's version, the backtrace
 *      (libunwind's local unwinder, opened with dlopen at the crash as the
 *      crash preload does: linking it would cost every start-up, and
 *      RTLD_LOCAL keeps its _Unwind_* symbols away from everyone else), and
 *      where to report it;
 *   2. ends the way explain would have ended: with the command's status
 *      when the command has already exited (ex_wrap_exit()); when it is
 *      still running, after waiting for it (signals sent to explain are
 *      still forwarded meanwhile; its stderr is no longer passed on, and
 *      explain's descriptors are closed so that the command sees a broken
 *      pipe instead of blocking on a full one); with 125 when the command
 *      never ran; dying of the original signal when nothing else is known.
 *
 * Why the launcher leaves the fault signals unblocked. wrap/ blocks every
 * catchable signal and reads them from a signalfd. A fault raised by the
 * CPU (a bad pointer) while its signal is blocked is not queued: the kernel
 * unblocks it, resets the disposition to SIG_DFL and kills the process, and
 * no handler ever runs. So SIGSEGV, SIGBUS, SIGFPE and SIGILL stay unblocked
 * (in explain's threads too) whenever this handler is installed, and the
 * handler tells a fault from a signal someone sent: si_code <= 0 (kill,
 * sigqueue, tgkill) from another process is forwarded to the command, once,
 * exactly as the signalfd path does. SIGABRT can stay blocked: abort()
 * unblocks it before raising, so the handler runs for explain's own aborts
 * while a SIGABRT sent from outside still goes through the signalfd.
 *
 * The state the handler reads is a short list of plain words (the child's
 * pid, its status when known), set with the functions below; everything is
 * async-signal-safe. */
#ifndef EX_SELFCRASH_H
#define EX_SELFCRASH_H

#include <sys/types.h>

/* Installs the handlers (and an alternate signal stack for this thread, so
 * that a stack overflow can still be reported). Returns 0 or a negative
 * errno; failing costs only the report. */
int ex_selfcrash_install(void);

/* 1 when sig is one of the fault signals (SIGSEGV, SIGBUS, SIGFPE, SIGILL)
 * that the handler owns while installed: the launcher must not block them
 * and threads must be started with them unblocked. */
int ex_selfcrash_owns(int sig);

/* The command runs as pid (0: no command). */
void ex_selfcrash_set_child(pid_t pid);

/* The command has ended with wait status wstatus. */
void ex_selfcrash_set_status(int wstatus);

/* Test hook: when the environment variable EXPLAIN_TEST_CRASH equals
 * `where` ("start", "output", "end"; with the suffix "-abort" an abort()
 * instead of a bad pointer), explain crashes on purpose right here. The
 * end-to-end tests use it; it can do nothing but crash explain. */
void ex_selfcrash_test_point(const char *where);

#endif
