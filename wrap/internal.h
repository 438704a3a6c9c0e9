/* Internal to wrap/: the seam between the launcher's portable loop
 * (loop.c) and the part of one operating system, chosen by the build:
 * linux/ or win/ (as libuv has src/unix and src/win).
 *
 * loop.c owns the libuv loop and what must behave alike on every system:
 * the relay of each channel (written on at once, then handed to the output
 * callback), the end of the channels, the linger after the command's exit
 * and the hand-off of a channel that a descendant still holds, the settle
 * timer and the result's timing. Those are the subtle parts; there is one
 * copy of each.
 *
 * The OS part's folder holds wrap_os.h, its fields in the state below
 * (descriptors or handles per channel, what signals and process groups
 * need), and implements ex_wrap_run(): it finds and starts the command,
 * makes its channels and puts them on the loop, reads them as they become
 * readable and passes what it read to ex__loop_relay() and their end to
 * ex__loop_end(), turns what the system says about the command into a call
 * of ex__loop_command_exited(), forwards signals, and provides the ex__os_*
 * operations below. It calls ex__loop_init() when it wants the loop (on
 * Linux after the spawn, so that the command's exec runs meanwhile; on
 * Windows before uv_spawn, which needs it), then ex__loop_run().
 *
 * Linux (linux/run.c, linux/spawn.c): clone(CLONE_VM | CLONE_VFORK) with
 * the hooks that run in the child before exec (--trace, the crash
 * preload's environment), a pipe or a pseudo-terminal per channel whose
 * descriptor the loop watches (uv_poll) and which is read until it is
 * empty, signals blocked and read from a signalfd watched the same way
 * (si_code and si_pid decide what is forwarded), wait4 for the command and
 * for orphans (PID 1, subreaper), process groups and job control, and the
 * copier made with fork(). When explain has too few descriptors for
 * libuv's loop (a tiny ulimit -n), the Linux part waits with poll() and
 * calls the same ex__loop_* functions.
 *
 * Windows (win/run.c, win/spawn.c, win/copier.c): the command found as
 * cmd.exe finds it (PATH, PATHEXT; a batch file run by cmd.exe with its
 * arguments escaped for it) and started with uv_spawn(), which needs the
 * loop, so ex__loop_init() comes first; each channel a pipe from uv_pipe()
 * whose read end libuv reads (uv_read_start), its exit_cb calling
 * ex__loop_command_exited() with the 32-bit exit code; uv_signal watchers
 * for SIGINT, SIGBREAK and SIGHUP so that a console control event, which
 * reaches the command from the console it shares with explain, does not
 * end explain (nothing is forwarded: that would be a second event);
 * ex__os_drain() with PeekNamedPipe and ReadFile; ex__os_hand_off() by
 * starting explain.exe again as a copier that inherits the pipe
 * (ex_wrap_helper_main()).
 */
#ifndef EX_WRAP_INTERNAL_H
#define EX_WRAP_INTERNAL_H

#include "wrap/wrap.h"

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

/* The OS part's fields (ex_wrap_os_t, ex_wrap_os_channel_t), from the
 * folder the build chose: wrap/linux/wrap_os.h or wrap/win/wrap_os.h. */
#include "wrap_os.h"

#define EX_RELAY_BUF (128 * 1024)
#define EX_FINAL_DRAIN (8 * 1024 * 1024) /* read at the linger's end */
#define EX_LINGER_DEFAULT_MS 250
#define EX_CHANNELS 2

/* One stream of the command that passes through explain: its stderr (with
 * its stdout when the two are the same file), or its stdout with --scan
 * both. */
typedef struct ex_channel {
  int open;                /* still relayed */
  int out_fd;              /* where its bytes go on: 2 or 1 */
  int stream;              /* what the output callback is told: 0 stderr,
                              1 stdout */
  ex_wrap_os_channel_t os; /* the OS part's: descriptors, handles */
} ex_channel_t;

/* The launcher's process-wide state: one command per process. */
typedef struct ex_wrap_state {
  const ex_wrap_config_t *cfg;
  ex_wrap_result_t *res;
  uv_loop_t loop;
  int loop_up; /* the loop was made (ex__loop_init) */
  int stop;    /* the run is over: ex__loop_run returns */
  int exited;  /* the command has ended; res->wstatus is set */
  ex_channel_t chan[EX_CHANNELS];
  size_t nchan;
  uv_timer_t linger_timer;
  uv_timer_t settle_timer;
  uint64_t linger_at_ms;  /* without the loop: when the linger ends, or 0 */
  uint64_t t_start_ns;    /* uv_hrtime() when the command was started */
  ex_wrap_os_t os;        /* the OS part's: signals, process groups */
  char buf[EX_RELAY_BUF]; /* last: the fields above fit in a page */
} ex_wrap_state_t;

extern ex_wrap_state_t ex__wrap;

/* ---- provided by loop.c ------------------------------------------------ */

/* Resets ex__wrap for one run of cfg into res (zeroed by the caller). */
void ex__loop_reset(const ex_wrap_config_t *cfg, ex_wrap_result_t *res);

/* Makes the loop and its timers. Returns 0 or a negative errno (no loop:
 * ex__wrap.loop_up stays 0 and the OS part waits by itself). */
int ex__loop_init(void);

/* Runs the loop until the command has ended and its channels are done (or
 * the linger gave up on a descendant that holds one). Starts the settle
 * timer first. */
void ex__loop_run(void);

/* Bytes read from c: written on to c->out_fd at once, then given to the
 * output callback. buf is borrowed for the call. */
void ex__loop_relay(ex_channel_t *c, const char *buf, size_t len);

/* Nothing more will come from c (end of file, a pty's EIO, an error). */
void ex__loop_end(ex_channel_t *c);

/* The command has ended with this wait status (on Windows its 32-bit exit
 * code, as the int's bits; rusage may be NULL). The OS
 * part calls it once; the relay then ends at once, or lingers while a
 * descendant holds a channel. */
void ex__loop_command_exited(int wstatus, const struct rusage *ru);

/* The linger is over: what the channels hold is read, each channel still
 * held by a descendant is handed to a copier, and the run ends. Called by
 * the linger timer, or by the OS part when it waits by itself. */
void ex__loop_linger_over(void);

/* Milliseconds on a monotonic clock. */
uint64_t ex__loop_now_ms(void);

/* 1 while some channel is still relayed. */
int ex__loop_channels_open(void);

/* ---- provided by the OS part ------------------------------------------- */

/* Reads what c holds now, up to max bytes, relaying it. Returns 1 when c
 * has ended (the caller ends it), 0 otherwise. Called at the linger's end,
 * after which the loop no longer reads c. */
int ex__os_drain(ex_channel_t *c, size_t max);

/* c is done: stop watching it and let go of explain's end. */
void ex__os_close(ex_channel_t *c);

/* Every channel has ended before the command was seen to end: it is
 * usually ending, and its status may be there already (Linux: reaped now,
 * which saves a wake-up). */
void ex__os_channels_ended(void);

/* The command has ended: what the OS part still holds open for the
 * channels is let go (Linux: the held write ends, then the pipes are read
 * to their end). Called by ex__loop_command_exited() before it decides
 * between the end and the linger. */
void ex__os_command_exited(void);

/* A descendant still holds c after the linger: its later output is passed
 * on by a copier that outlives explain, unscanned, and the descendant never
 * gets a broken pipe because of explain. */
void ex__os_hand_off(ex_channel_t *c);

#endif
