/* pywrite OP PATH: does what a Python program does with PATH and, when
 * Windows refuses, prints what CPython prints for that error, with the
 * real Windows message texts (wine's own differ: "Sharing violation.").
 *   open    open(PATH, "w")  -> PermissionError: [Errno 13] Permission
 *                               denied: 'PATH'
 *   remove  os.remove(PATH)  -> PermissionError: [WinError 32] The process
 *                               cannot access the file because it is being
 *                               used by another process: 'PATH'
 *                               (or [WinError 5] Access is denied)
 *   chmod-ro os.chmod(PATH, stat.S_IREAD): sets the read-only attribute
 *   bind     asyncio's create_server on 127.0.0.1:PORT (PATH is the port)
 *            -> OSError: [Errno 10048] error while attempting to bind on
 *               address ('127.0.0.1', PORT): only one usage of each socket
 *               address (protocol/network address/port) is normally
 *               permitted
 * The path is shown as Python's repr shows it: backslashes doubled. Exits
 * 1 after an error, as an uncaught exception does, else 0. */
#include <winsock2.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int py_bind(const char *port) {
  struct sockaddr_in a;
  WSADATA wsa;
  SOCKET s;
  int err;

  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
    return 2;
  s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = htons((u_short)atoi(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(s, (struct sockaddr *)&a, sizeof(a)) == 0) {
    closesocket(s);
    return 0;
  }
  err = WSAGetLastError();
  traceback("loop.run_until_complete(asyncio.start_server(h, port=PORT))");
  fprintf(stderr,
          "OSError: [Errno %d] error while attempting to bind on "
          "address ('127.0.0.1', %s): %s\n",
          err, port,
          err == WSAEADDRINUSE
              ? "only one usage of each socket address (protocol/network "
                "address/port) is normally permitted"
              : "an attempt was made to access a socket in a way forbidden "
                "by its access permissions");
  return 1;
}

int main(int argc, char **argv) {
  HANDLE f;
  DWORD err;
  const char *msg;

  if (argc != 3) {
    fprintf(stderr, "usage: pywrite open|remove|chmod-ro|bind PATH\n");
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
  if (strcmp(argv[1], "bind") == 0)
    return py_bind(argv[2]);
  if (strcmp(argv[1], "chmod-ro") == 0)
    return SetFileAttributesA(argv[2], FILE_ATTRIBUTE_READONLY) ? 0 : 1;
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
