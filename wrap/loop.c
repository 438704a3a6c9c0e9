/* The launcher's portable loop: the relay of the command's channels, their
 * end, the linger after the command's exit, the hand-off to a copier and
 * the settle timer, on one libuv loop. What differs between systems is
 * behind the ex__os_* functions (wrap/internal.h).
 *
 * The loop is never closed: explain runs one command and ends soon after
 * the report, and closing the loop's handles and descriptors would cost
 * system calls between the command's end and explain's. Its memory stays
 * reachable from ex__wrap. */
#include "wrap/internal.h"

#include "platform/platform.h"

#include <errno.h>

ex_wrap_state_t ex__wrap;

/* The same on every system: Windows has no shell's codes of its own, and
 * explain.exe documents the same 127 and 126. */
int ex_wrap_exec_failure_code(int exec_errno, int file_exists) {
  if (exec_errno == ENOENT && !file_exists)
    return 127;
  return 126;
}

uint64_t ex__loop_now_ms(void) {
  return uv_hrtime() / 1000000;
}

void ex__loop_reset(const ex_wrap_config_t *cfg, ex_wrap_result_t *res) {
  ex_wrap_state_t *w;
  size_t i;

  w = &ex__wrap;
  w->cfg = cfg;
  w->res = res;
  w->loop_up = 0;
  w->stop = 0;
  w->exited = 0;
  w->nchan = 0;
  w->linger_at_ms = 0;
  w->t_start_ns = 0;
  for (i = 0; i < EX_CHANNELS; i++)
    w->chan[i].open = 0;
}

int ex__loop_channels_open(void) {
  size_t i;

  for (i = 0; i < ex__wrap.nchan; i++) {
    if (ex__wrap.chan[i].open)
      return 1;
  }
  return 0;
}

static void finish(void) {
  ex__wrap.stop = 1;
  if (ex__wrap.loop_up)
    uv_stop(&ex__wrap.loop);
}

static void maybe_finish(void) {
  if (ex__wrap.exited && !ex__loop_channels_open())
    finish();
}

void ex__loop_relay(ex_channel_t *c, const char *buf, size_t len) {
  ex_wrap_result_t *res;
  int *lost;

  res = ex__wrap.res;
  lost = c->out_fd == 2 ? &res->stderr_lost : &res->stdout_lost;
  if (!*lost && ex_write_all(c->out_fd, buf, len) != 0)
    *lost = 1; /* keep draining and scanning; never stop */
  if (ex__wrap.cfg->on_output != NULL)
    ex__wrap.cfg->on_output(ex__wrap.cfg->ctx, c->stream, buf, len);
}

void ex__loop_end(ex_channel_t *c) {
  if (!c->open)
    return;
  c->open = 0;
  ex__os_close(c);
  if (!ex__wrap.exited && !ex__loop_channels_open())
    ex__os_channels_ended();
  maybe_finish();
}

/* ---- the command's end, the linger ------------------------------------- */

void ex__loop_linger_over(void) {
  ex_channel_t *c;
  size_t i;

  ex__wrap.linger_at_ms = 0;
  for (i = 0; i < ex__wrap.nchan; i++) {
    c = &ex__wrap.chan[i];
    if (!c->open)
      continue;
    if (!ex__os_drain(c, EX_FINAL_DRAIN)) {
      ex__wrap.res->lingering = 1;
      ex__os_hand_off(c);
    }
    c->open = 0;
    ex__os_close(c);
  }
  finish();
}

static void on_linger(uv_timer_t *t) {
  (void)t;
  ex__loop_linger_over();
}

void ex__loop_command_exited(int wstatus, const struct rusage *ru) {
  ex_wrap_state_t *w;
  int ms;

  w = &ex__wrap;
  w->exited = 1;
  w->res->wstatus = wstatus;
  if (ru != NULL)
    w->res->rusage = *ru;
  w->res->duration_ms = (long long)((uv_hrtime() - w->t_start_ns) / 1000000);
  ex__os_command_exited();
  if (!ex__loop_channels_open()) {
    finish();
    return;
  }
  /* A descendant holds a channel: relay a little longer, then hand off. */
  ms = w->cfg->linger_ms > 0 ? w->cfg->linger_ms : EX_LINGER_DEFAULT_MS;
  if (w->loop_up)
    uv_timer_start(&w->linger_timer, on_linger, (uint64_t)ms, 0);
  else
    w->linger_at_ms = ex__loop_now_ms() + (uint64_t)ms;
}

/* ---- the loop ---------------------------------------------------------- */

static void on_settle(uv_timer_t *t) {
  (void)t;
  if (!ex__wrap.exited && ex__wrap.cfg->on_settled != NULL)
    ex__wrap.cfg->on_settled(ex__wrap.cfg->ctx, ex__wrap.res->pid);
}

int ex__loop_init(void) {
  int rc;

  rc = uv_loop_init(&ex__wrap.loop);
  if (rc != 0)
    return rc;
  uv_timer_init(&ex__wrap.loop, &ex__wrap.linger_timer);
  uv_timer_init(&ex__wrap.loop, &ex__wrap.settle_timer);
  ex__wrap.loop_up = 1;
  return 0;
}

void ex__loop_run(void) {
  const ex_wrap_config_t *cfg;

  cfg = ex__wrap.cfg;
  if (cfg->on_settled != NULL && !ex__wrap.exited)
    uv_timer_start(&ex__wrap.settle_timer, on_settle,
                   (uint64_t)(cfg->settle_ms > 0 ? cfg->settle_ms : 0), 0);
  /* uv_run returns 0 only when nothing is left to wait for, which the OS
   * part never lets happen before the command's end (it watches for it). */
  while (!ex__wrap.stop && uv_run(&ex__wrap.loop, UV_RUN_DEFAULT) != 0)
    ;
}
