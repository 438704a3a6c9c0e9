/* Exit codes on Windows. A process ends with a 32-bit exit code and
 * nothing else: no signal to die of (a crash is an exception code, an
 * NTSTATUS such as 0xC0000005, passed as the exit code). explain.exe ends
 * with the command's code, all 32 bits, so that %ERRORLEVEL%, PowerShell's
 * $LASTEXITCODE and a parent's GetExitCodeProcess see what they would see
 * without explain; the report gives it as an unsigned number. */
#include "wrap/wrap.h"

#include <stdint.h>
#include <stdlib.h>

long long ex_wrap_exit_code(int wstatus, int *signo) {
  *signo = 0;
  return (long long)(uint32_t)wstatus;
}

void ex_wrap_exit(int wstatus) {
  _exit(wstatus); /* ExitProcess with the same 32 bits */
}
