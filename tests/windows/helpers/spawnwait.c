/* spawnwait MODE COMMAND-LINE...: runs the rest of its own command line,
 * as it was written, as a Windows parent does (CreateProcessW), so that a
 * test sees what only a Windows parent sees.
 *   wait  waits and prints "exit 0x%08lx", the whole 32-bit exit code
 *         (a Unix parent of wine sees its low 8 bits only)
 *   kill  reads the child's stdout until a line "holding PID" (a holdfile
 *         run by it), ends the child with TerminateProcess, then prints
 *         "holder gone" when process PID ends within 5 s, else "holder
 *         alive" (and ends it: no test leaves it behind), or "holder
 *         unknown" when it could not be opened before the kill */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

/* The command line after the first two words (spawnwait's name and the
 * mode), as it was written. */
static wchar_t *tail(void) {
  wchar_t *p;
  int word;
  int quoted;

  p = GetCommandLineW();
  for (word = 0; word < 2; word++) {
    quoted = 0;
    while (*p != L'\0' && (quoted || (*p != L' ' && *p != L'\t'))) {
      if (*p == L'"')
        quoted = !quoted;
      p++;
    }
    while (*p == L' ' || *p == L'\t')
      p++;
  }
  return p;
}

static int run_kill(wchar_t *cmd) {
  SECURITY_ATTRIBUTES sa = {sizeof(sa), NULL, TRUE};
  PROCESS_INFORMATION pi;
  STARTUPINFOW si;
  HANDLE rd;
  HANDLE wr;
  HANDLE holder;
  char buf[256];
  DWORD len;
  DWORD n;
  DWORD pid;
  DWORD err;

  if (!CreatePipe(&rd, &wr, &sa, 0))
    return 1;
  SetHandleInformation(rd, HANDLE_FLAG_INHERIT, 0);
  memset(&si, 0, sizeof(si));
  si.cb = sizeof(si);
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = wr;
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  if (!CreateProcessW(NULL, cmd, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi))
    return 1;
  CloseHandle(wr);
  len = 0;
  pid = 0;
  while (len + 1 < sizeof(buf) &&
         ReadFile(rd, buf + len, (DWORD)(sizeof(buf) - 1 - len), &n, NULL) &&
         n > 0) {
    len += n;
    buf[len] = '\0';
    if (sscanf(buf, "holding %lu", &pid) == 1 && strchr(buf, '\n') != NULL)
      break;
  }
  if (pid == 0)
    return 1;
  /* Opened while the child still runs: a holder that cannot be opened
   * then proves nothing, and is not called gone. */
  holder = OpenProcess(SYNCHRONIZE | PROCESS_TERMINATE, FALSE, pid);
  err = GetLastError();
  TerminateProcess(pi.hProcess, 1);
  WaitForSingleObject(pi.hProcess, 5000);
  if (holder == NULL) {
    printf("holder unknown: error %lu\n", (unsigned long)err);
    return 1;
  }
  if (WaitForSingleObject(holder, 5000) == WAIT_OBJECT_0) {
    printf("holder gone\n");
    return 0;
  }
  printf("holder alive\n");
  TerminateProcess(holder, 1);
  return 0;
}

int main(int argc, char **argv) {
  PROCESS_INFORMATION pi;
  STARTUPINFOW si;
  DWORD code;

  if (argc < 3)
    return 2;
  if (strcmp(argv[1], "kill") == 0)
    return run_kill(tail());
  memset(&si, 0, sizeof(si));
  si.cb = sizeof(si);
  if (!CreateProcessW(NULL, tail(), NULL, NULL, TRUE, 0, NULL, NULL, &si,
                      &pi)) {
    printf("cannot start: error %lu\n", (unsigned long)GetLastError());
    return 1;
  }
  WaitForSingleObject(pi.hProcess, INFINITE);
  GetExitCodeProcess(pi.hProcess, &code);
  printf("exit 0x%08lx\n", (unsigned long)code);
  return 0;
}
