/* What the report says about a Windows machine. */
#include "platform/platform.h"
#include "platform/windows/win_int.h"

#include <stdio.h>
#include <string.h>

typedef LONG(WINAPI *rtl_get_version_fn)(OSVERSIONINFOW *);

/* The real version: GetVersionEx answers what the program's manifest
 * declares it supports, RtlGetVersion what runs. */
static void probe_version(ex_host_t *h) {
  OSVERSIONINFOW v;
  rtl_get_version_fn get;
  HMODULE ntdll;

  ntdll = GetModuleHandleW(L"ntdll.dll");
  if (ntdll == NULL)
    return;
  get = (rtl_get_version_fn)(void (*)(void))GetProcAddress(ntdll,
                                                           "RtlGetVersion");
  memset(&v, 0, sizeof(v));
  v.dwOSVersionInfoSize = sizeof(v);
  if (get == NULL || get(&v) != 0)
    return;
  snprintf(h->kernel, sizeof(h->kernel), "%lu.%lu.%lu",
           (unsigned long)v.dwMajorVersion, (unsigned long)v.dwMinorVersion,
           (unsigned long)v.dwBuildNumber);
}

static const char *arch_name(WORD a) {
  switch (a) {
  case PROCESSOR_ARCHITECTURE_AMD64:
    return "x86_64";
  case PROCESSOR_ARCHITECTURE_ARM64:
    return "aarch64";
  case PROCESSOR_ARCHITECTURE_INTEL:
    return "i686";
  default:
    return "";
  }
}

void ex_host_probe(ex_host_t *h) {
  SYSTEM_INFO si;
  wchar_t name[256];
  DWORD n;

  memset(h, 0, sizeof(*h));
  ex_strlcpy(h->os, "windows", sizeof(h->os));
  probe_version(h);
  GetNativeSystemInfo(&si);
  ex_strlcpy(h->arch, arch_name(si.wProcessorArchitecture), sizeof(h->arch));
  n = (DWORD)(sizeof(name) / sizeof(name[0]));
  if (GetUserNameW(name, &n))
    (void)ex__win_utf8(name, h->user, sizeof(h->user));
  /* Windows names users by SID, not by number: the report's uid is null.
   * A Windows container is not detected yet. */
  h->uid = EX_UID_NONE;
}
