/* What the holding helpers share: they hold something until the test
 * closes their stdin, or 120 s at most, so that none outlives a test. */
#ifndef EX_TEST_HOLD_H
#define EX_TEST_HOLD_H

#include <windows.h>

static DWORD WINAPI hold_read_stdin(void *arg) {
  char buf[64];
  DWORD n;

  (void)arg;
  while (ReadFile(GetStdHandle(STD_INPUT_HANDLE), buf, sizeof(buf), &n, NULL) &&
         n > 0)
    ;
  return 0;
}

static void hold_until_stdin_ends(void) {
  HANDLE t;

  t = CreateThread(NULL, 0, hold_read_stdin, NULL, 0, NULL);
  if (t != NULL)
    WaitForSingleObject(t, 120000);
}

#endif
