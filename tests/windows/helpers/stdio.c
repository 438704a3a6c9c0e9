/* stdio MODE: what a test needs to see of the command's standard handles,
 * written with WriteFile (no C runtime buffering or CRLF translation).
 *   relay      writes "partial" to stderr with no line end, waits for a
 *              line on stdin, then writes every byte value 0-255 (with
 *              \r\n, \n and a lone \r among them) to stderr and "out\r\n"
 *              plus bytes 00 1a ff to stdout, and exits 3
 *   handles    prints the type of each standard handle (GetFileType:
 *              disk, char, pipe) and the file behind stdout
 *   interleave writes "o<i>\n" to stdout and "e<i>\n" to stderr in turn,
 *              i = 0..199, and exits 1 */
#include <stdio.h>
#include <string.h>
#include <windows.h>

static void put(DWORD which, const void *buf, DWORD len) {
  DWORD n;

  WriteFile(GetStdHandle(which), buf, len, &n, NULL);
}

static const char *type_name(HANDLE h) {
  switch (GetFileType(h)) {
  case FILE_TYPE_DISK:
    return "disk";
  case FILE_TYPE_CHAR:
    return "char";
  case FILE_TYPE_PIPE:
    return "pipe";
  default:
    return "unknown";
  }
}

int main(int argc, char **argv) {
  char line[256];
  char all[256];
  wchar_t path[MAX_PATH * 2];
  DWORD n;
  int i;

  if (argc != 2)
    return 2;
  if (strcmp(argv[1], "relay") == 0) {
    put(STD_ERROR_HANDLE, "partial", 7);
    ReadFile(GetStdHandle(STD_INPUT_HANDLE), line, sizeof(line), &n, NULL);
    for (i = 0; i < 256; i++)
      all[i] = (char)i;
    put(STD_ERROR_HANDLE, all, sizeof(all));
    put(STD_ERROR_HANDLE, "\r\nend\n", 6);
    put(STD_OUTPUT_HANDLE, "out\r\n\x00\x1a\xff", 8);
    return 3;
  }
  if (strcmp(argv[1], "handles") == 0) {
    n = GetFinalPathNameByHandleW(GetStdHandle(STD_OUTPUT_HANDLE), path,
                                  MAX_PATH * 2, 0);
    if (n == 0 || n >= MAX_PATH * 2)
      wcscpy(path, L"?");
    printf("stdin %s\nstdout %s\nstderr %s\nstdout-path %ls\n",
           type_name(GetStdHandle(STD_INPUT_HANDLE)),
           type_name(GetStdHandle(STD_OUTPUT_HANDLE)),
           type_name(GetStdHandle(STD_ERROR_HANDLE)), path);
    return 0;
  }
  if (strcmp(argv[1], "interleave") == 0) {
    for (i = 0; i < 200; i++) {
      n = (DWORD)sprintf(line, "o%d\n", i);
      put(STD_OUTPUT_HANDLE, line, n);
      n = (DWORD)sprintf(line, "e%d\n", i);
      put(STD_ERROR_HANDLE, line, n);
    }
    return 1;
  }
  return 2;
}
