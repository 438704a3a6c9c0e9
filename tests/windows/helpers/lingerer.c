/* lingerer FLAG: starts a copy of itself that inherits its stderr and
 * outlives it, writes "parent done" to stderr and exits 5. The copy waits
 * 2 s, writes "late line" to stderr and then FLAG, a file holding "ok" when
 * that write succeeded or "failed N" with the error (a broken pipe when
 * nobody read the stderr it was given any more). */
#include <stdio.h>
#include <string.h>
#include <windows.h>

static void put_err(const char *s) {
  DWORD n;

  WriteFile(GetStdHandle(STD_ERROR_HANDLE), s, (DWORD)strlen(s), &n, NULL);
}

int main(int argc, char **argv) {
  PROCESS_INFORMATION pi;
  STARTUPINFOW si;
  wchar_t cmd[MAX_PATH * 4];
  wchar_t exe[MAX_PATH * 2];
  char msg[64];
  DWORD n;
  FILE *f;

  if (argc == 3 && strcmp(argv[1], "--late") == 0) {
    Sleep(2000);
    if (WriteFile(GetStdHandle(STD_ERROR_HANDLE), "late line\n", 10, &n, NULL))
      strcpy(msg, "ok");
    else
      sprintf(msg, "failed %lu", (unsigned long)GetLastError());
    f = fopen(argv[2], "w");
    if (f != NULL) {
      fputs(msg, f);
      fclose(f);
    }
    return 0;
  }
  if (argc != 2)
    return 2;
  GetModuleFileNameW(NULL, exe, MAX_PATH * 2);
  swprintf(cmd, MAX_PATH * 4, L"\"%ls\" --late \"%hs\"", exe, argv[1]);
  memset(&si, 0, sizeof(si));
  si.cb = sizeof(si);
  if (!CreateProcessW(exe, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
    return 1;
  put_err("parent done\n");
  return 5;
}
