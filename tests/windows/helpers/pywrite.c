/* pywrite OP PATH: does what a Python program does with PATH and, when
 * Windows refuses, prints what CPython prints for that error, with the
 * real Windows message texts (wine's own differ: "Sharing violation.").
 *   open    open(PATH, "w")  -> PermissionError: [Errno 13] Permission
 *                               denied: 'PATH'
 *   remove  os.remove(PATH)  -> PermissionError: [WinError 32] The process
 *                               cannot access the file because it is being
 *                               used by another process: 'PATH'
 *                               (or [WinError 5] Access is denied)
 * The path is shown as Python's repr shows it: backslashes doubled. Exits
 * 1 after an error, as an uncaught exception does, else 0. */
#include <stdio.h>
#include <string.h>
#include <windows.h>

static void put_repr(const char *s) {
  putc('\'', stderr);
  for (; *s != '\0'; s++) {
    if (*s == '\\' || *s == '\'')
      putc('\\', stderr);
    putc(*s, stderr);
  }
  putc('\'', stderr);
}

static void traceback(const char *call) {
  fputs("Traceback (most recent call last):\n", stderr);
  fputs("  File \"C:\\work\\save.py\", line 3, in <module>\n", stderr);
  fprintf(stderr, "    %s\n", call);
}

static const char *win_message(DWORD err) {
  switch (err) {
  case ERROR_SHARING_VIOLATION:
    return "The process cannot access the file because it is being used by "
           "another process";
  case ERROR_ACCESS_DENIED:
    return "Access is denied";
  default:
    return NULL;
  }
}

int main(int argc, char **argv) {
  HANDLE f;
  DWORD err;
  const char *msg;

  if (argc != 3) {
    fprintf(stderr, "usage: pywrite open|remove PATH\n");
    return 2;
  }
  if (strcmp(argv[1], "open") == 0) {
    f = CreateFileA(argv[2], GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                    NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
    if (f != INVALID_HANDLE_VALUE) {
      CloseHandle(f);
      return 0;
    }
    err = GetLastError();
    traceback("with open(path, \"w\") as f:");
    /* The C runtime maps a sharing violation, a read-only file and a
     * directory alike to EACCES, and Python says [Errno 13]. */
    if (err == ERROR_SHARING_VIOLATION || err == ERROR_ACCESS_DENIED) {
      fputs("PermissionError: [Errno 13] Permission denied: ", stderr);
    } else {
      fprintf(stderr, "OSError: [WinError %lu] error: ", (unsigned long)err);
    }
    put_repr(argv[2]);
    putc('\n', stderr);
    return 1;
  }
  if (DeleteFileA(argv[2]))
    return 0;
  err = GetLastError();
  traceback("os.remove(path)");
  msg = win_message(err);
  fprintf(stderr, "PermissionError: [WinError %lu] %s: ", (unsigned long)err,
          msg != NULL ? msg : "error");
  put_repr(argv[2]);
  putc('\n', stderr);
  return 1;
}
