/* The copier of a handed-off channel on Windows. On Linux explain forks a
 * small process that keeps relaying; Windows has no fork, so explain starts
 * its own executable again with EX_WRAP_COPIER_ARG, the pipe as its stdin
 * and the destination as its stdout. */
#include "wrap/win/copier.h"

#include "wrap/wrap.h"

#include <errno.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#define EX_COPIER_BUF (64 * 1024)

/* An inheritable duplicate of h, or NULL. */
static HANDLE inheritable(HANDLE h) {
  HANDLE d;

  if (!DuplicateHandle(GetCurrentProcess(), h, GetCurrentProcess(), &d, 0, TRUE,
                       DUPLICATE_SAME_ACCESS))
    return NULL;
  return d;
}

int ex__win_copier_start(HANDLE pipe, int out_fd) {
  wchar_t exe[MAX_PATH * 4];
  wchar_t cmdline[MAX_PATH * 4 + 32];
  STARTUPINFOEXW si;
  PROCESS_INFORMATION pi;
  HANDLE handles[2];
  HANDLE out;
  SIZE_T size;
  DWORD n;
  DWORD flags;
  int rc;

  out = (HANDLE)_get_osfhandle(out_fd);
  n = GetModuleFileNameW(NULL, exe, MAX_PATH * 4);
  if (out == INVALID_HANDLE_VALUE || n == 0 || n >= MAX_PATH * 4)
    return -ENOENT;
  wcscpy(cmdline, L"\"");
  wcscat(cmdline, exe);
  wcscat(cmdline, L"\" " EX_WRAP_COPIER_WARG);
  handles[0] = inheritable(pipe);
  handles[1] = inheritable(out);
  rc = -ENOMEM;
  memset(&si, 0, sizeof(si));
  si.StartupInfo.cb = sizeof(si);
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = handles[0];
  si.StartupInfo.hStdOutput = handles[1];
  si.StartupInfo.hStdError = handles[1];
  if (handles[0] == NULL || handles[1] == NULL)
    goto done;
  /* Only the two handles are inherited where the system can say so (an
   * explain's stdout held by the copier would keep a reader waiting). */
  flags = 0;
  size = 0;
  (void)InitializeProcThreadAttributeList(NULL, 1, 0, &size);
  si.lpAttributeList = size > 0 ? malloc(size) : NULL;
  if (si.lpAttributeList != NULL &&
      InitializeProcThreadAttributeList(si.lpAttributeList, 1, 0, &size) &&
      UpdateProcThreadAttribute(si.lpAttributeList, 0,
                                PROC_THREAD_ATTRIBUTE_HANDLE_LIST, handles,
                                sizeof(handles), NULL, NULL)) {
    si.StartupInfo.cb = sizeof(si);
    flags = EXTENDED_STARTUPINFO_PRESENT;
  } else {
    free(si.lpAttributeList);
    si.lpAttributeList = NULL;
    si.StartupInfo.cb = sizeof(si.StartupInfo);
  }
  if (CreateProcessW(exe, cmdline, NULL, NULL, TRUE, flags, NULL, NULL,
                     &si.StartupInfo, &pi)) {
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
    rc = 0;
  } else {
    rc = -EIO;
  }
  if (si.lpAttributeList != NULL) {
    DeleteProcThreadAttributeList(si.lpAttributeList);
    free(si.lpAttributeList);
  }

done:
  if (handles[0] != NULL)
    CloseHandle(handles[0]);
  if (handles[1] != NULL)
    CloseHandle(handles[1]);
  return rc;
}

/* The copier's loop. Its stdin is explain's end of the pipe, opened for
 * overlapped reads, so each read is given an OVERLAPPED and waited for. */
static int copy(HANDLE in, HANDLE out) {
  static char buf[EX_COPIER_BUF];
  OVERLAPPED ov;
  DWORD got;
  DWORD put;
  DWORD off;

  memset(&ov, 0, sizeof(ov));
  ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
  if (ov.hEvent == NULL)
    return 1;
  for (;;) {
    ResetEvent(ov.hEvent);
    if (!ReadFile(in, buf, sizeof(buf), NULL, &ov) &&
        GetLastError() != ERROR_IO_PENDING)
      return 0; /* ERROR_BROKEN_PIPE: every writer is gone */
    if (!GetOverlappedResult(in, &ov, &got, TRUE))
      return 0;
    for (off = 0; off < got; off += put) {
      if (!WriteFile(out, buf + off, got - off, &put, NULL) || put == 0)
        return 0; /* nobody reads explain's output any more */
    }
  }
}

int ex_wrap_helper_main(int argc, char **argv) {
  if (argc != 2 || strcmp(argv[1], EX_WRAP_COPIER_ARG) != 0)
    return -1;
  return copy(GetStdHandle(STD_INPUT_HANDLE), GetStdHandle(STD_OUTPUT_HANDLE));
}
