/* Descriptors and small files on Windows: the C runtime's descriptors over
 * Win32 handles. */
#include "platform/platform.h"
#include "platform/windows/win_int.h"

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>

int ex_exe_dir(char *buf, size_t size) {
  wchar_t w[MAX_PATH * 4];
  DWORD n;
  char *sep;
  int rc;

  n = GetModuleFileNameW(NULL, w, (DWORD)(sizeof(w) / sizeof(w[0])));
  if (n == 0 || n >= sizeof(w) / sizeof(w[0]))
    return n == 0 ? ex__win_errno(GetLastError()) : -ENAMETOOLONG;
  rc = ex__win_utf8(w, buf, size);
  if (rc != 0)
    return rc;
  sep = strrchr(buf, '\\');
  if (sep == NULL)
    sep = strrchr(buf, '/');
  if (sep == NULL)
    return -ENOENT;
  *sep = '\0';
  return 0;
}

ssize_t ex_read_small(const char *path, char *buf, size_t size) {
  wchar_t *w;
  HANDLE h;
  DWORD got;
  size_t len;
  int err;

  if (size == 0)
    return -EINVAL;
  buf[0] = '\0';
  w = ex__win_wide(path);
  if (w == NULL)
    return -EINVAL;
  /* Every share mode: reading a file must not make another program's
   * open of it fail. */
  h = CreateFileW(w, GENERIC_READ,
                  FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
                  OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  free(w);
  if (h == INVALID_HANDLE_VALUE)
    return ex__win_errno(GetLastError());
  if (GetFileType(h) != FILE_TYPE_DISK) {
    CloseHandle(h); /* a pipe or a device could block */
    return -EINVAL;
  }
  len = 0;
  err = 0;
  while (len + 1 < size) {
    if (!ReadFile(h, buf + len, (DWORD)(size - 1 - len), &got, NULL)) {
      err = ex__win_errno(GetLastError());
      break;
    }
    if (got == 0)
      break;
    len += got;
  }
  CloseHandle(h);
  buf[len] = '\0';
  if (err != 0 && len == 0)
    return err;
  return (ssize_t)len;
}

int ex_fd_kind(int fd) {
  intptr_t h;

  h = _get_osfhandle(fd);
  if (h == -1 || (HANDLE)h == NULL)
    return EX_FD_CLOSED;
  return _isatty(fd) ? EX_FD_TTY : EX_FD_OTHER;
}

/* In binary mode for the call: on a descriptor in text mode (the standard
 * ones are) the C runtime's _write turns \n into \r\n, and the command's
 * bytes must pass unchanged. _write and not WriteFile, so that a
 * descriptor opened with O_APPEND still appends. A console takes the bytes
 * in its output code page, as it does from the command itself. */
int ex_write_all(int fd, const void *buf, size_t len) {
  const char *p;
  int mode;
  int n;
  int rc;

  mode = _setmode(fd, _O_BINARY);
  if (mode == -1)
    return -EBADF;
  p = buf;
  rc = 0;
  while (len > 0) {
    n = _write(fd, p, len > 0x40000000u ? 0x40000000u : (unsigned)len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      rc = -errno;
      break;
    }
    p += n;
    len -= (size_t)n;
  }
  if (mode != _O_BINARY)
    (void)_setmode(fd, mode);
  return rc;
}

int ex_fd_set_nonblock(int fd, int on) {
  (void)fd;
  (void)on;
  return -ENOSYS; /* pipes are made overlapped at creation instead */
}

/* FILE_ID_INFO and its class (Windows 8 and later), which the Windows 7
 * headers this is built against do not declare. */
typedef struct {
  ULONGLONG volume;
  BYTE id[16];
} ex_file_id_t;
#define EX_FILE_ID_INFO ((FILE_INFO_BY_HANDLE_CLASS)18)

typedef BOOL(WINAPI *ex_compare_handles_fn)(HANDLE, HANDLE);

/* One kernel object behind both handles: what 2>&1 makes, into a file or
 * a pipe (CompareObjectHandles, Windows 10 and later). */
static int same_object(HANDLE a, HANDLE b) {
  ex_compare_handles_fn cmp;
  HMODULE m;

  m = GetModuleHandleW(L"kernelbase.dll");
  cmp = m != NULL ? (ex_compare_handles_fn)(void (*)(void))GetProcAddress(
                        m, "CompareObjectHandles")
                  : NULL;
  return cmp != NULL && cmp(a, b);
}

/* The same file by its identity: FILE_ID_INFO needs no access right on the
 * handle (a handle opened for writing only, as a redirection opens it,
 * cannot be asked for GetFileInformationByHandle's attributes), and also
 * names a pipe under wine. */
static int same_file_id(HANDLE a, HANDLE b) {
  BY_HANDLE_FILE_INFORMATION ia;
  BY_HANDLE_FILE_INFORMATION ib;
  ex_file_id_t fa;
  ex_file_id_t fb;

  if (GetFileInformationByHandleEx(a, EX_FILE_ID_INFO, &fa, sizeof(fa)) &&
      GetFileInformationByHandleEx(b, EX_FILE_ID_INFO, &fb, sizeof(fb)))
    return fa.volume == fb.volume && memcmp(fa.id, fb.id, sizeof(fa.id)) == 0;
  if (!GetFileInformationByHandle(a, &ia) ||
      !GetFileInformationByHandle(b, &ib))
    return 0;
  return ia.dwVolumeSerialNumber == ib.dwVolumeSerialNumber &&
         ia.nFileIndexHigh == ib.nFileIndexHigh &&
         ia.nFileIndexLow == ib.nFileIndexLow;
}

int ex_fd_same_file(int a, int b) {
  intptr_t ha;
  intptr_t hb;

  ha = _get_osfhandle(a);
  hb = _get_osfhandle(b);
  if (ha == -1 || hb == -1)
    return 0;
  if (ha == hb)
    return 1;
  return same_object((HANDLE)ha, (HANDLE)hb) ||
         same_file_id((HANDLE)ha, (HANDLE)hb);
}

/* Pseudo-consoles (ConPTY) are for the launcher, which does not use them
 * yet: the command's stderr is a pipe on Windows. */
int ex_pty_open(int *master, int *slave, int model_fd) {
  (void)model_fd;
  *master = *slave = -1;
  return -ENOSYS;
}

int ex_pty_sync_winsize(int from_fd, int to_fd) {
  (void)from_fd;
  (void)to_fd;
  return -ENOSYS;
}
