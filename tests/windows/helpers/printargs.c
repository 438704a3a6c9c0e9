/* printargs ARG...: prints its arguments as two parsers of the Windows
 * command line see them, one line each, in UTF-8 hexadecimal (an empty
 * argument is "-"), so that a test can compare them byte for byte:
 *   crt HEX...    the C runtime's argv (wmain, built with -municode)
 *   shell HEX...  CommandLineToArgvW(GetCommandLineW())
 * argv[0] is left out: its rules differ between the two, and the test is
 * about the arguments. Exits 0. */
#include <stdio.h>
#include <windows.h>

#include <shellapi.h>

static void put_arg(const wchar_t *w) {
  char u[4096];
  int n;
  int i;

  n = WideCharToMultiByte(CP_UTF8, 0, w, -1, u, sizeof(u), NULL, NULL);
  if (n <= 1) {
    fputs(" -", stdout);
    return;
  }
  putchar(' ');
  for (i = 0; i < n - 1; i++)
    printf("%02x", (unsigned char)u[i]);
}

int wmain(int argc, wchar_t **argv);

int wmain(int argc, wchar_t **argv) {
  wchar_t **shell;
  int nshell;
  int i;

  fputs("crt", stdout);
  for (i = 1; i < argc; i++)
    put_arg(argv[i]);
  fputs("\nshell", stdout);
  shell = CommandLineToArgvW(GetCommandLineW(), &nshell);
  for (i = 1; shell != NULL && i < nshell; i++)
    put_arg(shell[i]);
  fputs("\n", stdout);
  return 0;
}
