/* holdfile MODE PATH: opens PATH (creating it) and keeps it open until its
 * stdin ends, or 120 s at most. MODE is the share mode Windows is given:
 *   exclusive  0 (nobody else may read, write or delete it: Excel's way)
 *   nodelete   read and write shared, delete not (most programs' way)
 * Prints "holding PID" on stdout once the file is open, so that a test
 * knows when to go on and which pid to expect. */
#include <stdio.h>
#include <string.h>
#include <windows.h>

#include "hold.h"

int main(int argc, char **argv) {
  HANDLE f;
  DWORD share;

  if (argc != 3) {
    fprintf(stderr, "usage: holdfile exclusive|nodelete PATH\n");
    return 2;
  }
  share = strcmp(argv[1], "exclusive") == 0
              ? 0
              : FILE_SHARE_READ | FILE_SHARE_WRITE;
  f = CreateFileA(argv[2], GENERIC_READ | GENERIC_WRITE, share, NULL,
                  OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  if (f == INVALID_HANDLE_VALUE) {
    fprintf(stderr, "holdfile: cannot open %s: error %lu\n", argv[2],
            (unsigned long)GetLastError());
    return 1;
  }
  printf("holding %lu\n", (unsigned long)GetCurrentProcessId());
  fflush(stdout);
  hold_until_stdin_ends();
  CloseHandle(f);
  return 0;
}
