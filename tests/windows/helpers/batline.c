/* batline SCRIPT ARG...: prints the command line explain gives cmd.exe to
 * run the batch file SCRIPT with ARGs (wrap/win/spawn.c), or "refused"
 * when an argument cannot reach a batch file intact, so that a test can
 * compare it with the escaping that keeps cmd.exe from running or
 * expanding anything in an argument. Wine's cmd.exe does not implement
 * every expansion Windows' does (%cd:~,%), so the line itself is tested. */
#include <stdio.h>
#include <stdlib.h>

#include "wrap/win/spawn.h"

int main(int argc, char **argv) {
  char **args;
  char *cmd;
  int i;

  if (argc < 2)
    return 2;
  if (ex__win_batch_args(argv[1], argv + 1, &cmd, &args) != 0) {
    puts("refused");
    return 0;
  }
  for (i = 1; args[i] != NULL; i++)
    printf("%s%s", i > 1 ? " " : "", args[i]);
  putchar('\n');
  free(cmd);
  ex__win_argv_free(args);
  return 0;
}
