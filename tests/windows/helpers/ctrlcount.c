/* ctrlcount MODE MARKER: counts the console control events it receives
 * (its handler returns TRUE, so that none ends it). Prints "ready" once
 * the handler is in place, then
 *   wait   waits for an event from outside,
 *   raise  raises a Ctrl-C at its console itself (GenerateConsoleCtrlEvent
 *          with process group 0: every process attached to the console
 *          gets it, as from the key pressed there),
 * then waits for a
 * first event (5 s at most) and 500 ms more for any further one, prints
 * "events N" and exits 0. MARKER only lets a test find this process among
 * others. */
#include <stdio.h>
#include <string.h>
#include <windows.h>

static volatile LONG events;

static BOOL WINAPI on_event(DWORD type) {
  (void)type;
  InterlockedIncrement(&events);
  return TRUE;
}

int main(int argc, char **argv) {
  int raise;
  int i;

  if (argc != 3)
    return 2;
  raise = strcmp(argv[1], "raise") == 0;
  if (!raise && strcmp(argv[1], "wait") != 0)
    return 2;
  SetConsoleCtrlHandler(on_event, TRUE);
  printf("ready\n");
  fflush(stdout);
  if (raise && !GenerateConsoleCtrlEvent(CTRL_C_EVENT, 0)) {
    printf("cannot raise: error %lu\n", (unsigned long)GetLastError());
    return 1;
  }
  for (i = 0; i < 50 && events == 0; i++)
    Sleep(100);
  Sleep(500);
  printf("events %ld\n", events);
  fflush(stdout);
  return 0;
}
