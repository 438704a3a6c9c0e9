/* exitwith CODE: ends with that exit code, all 32 bits (strtoul: decimal
 * or 0x hexadecimal). exitwith crash: dereferences a null pointer, so that
 * Windows ends it with the exception code 0xC0000005. */
#include <stdlib.h>
#include <string.h>
#include <windows.h>

int main(int argc, char **argv) {
  if (argc != 2)
    return 2;
  if (strcmp(argv[1], "crash") == 0)
    *(volatile int *)NULL = 1;
  ExitProcess((UINT)strtoul(argv[1], NULL, 0));
}
