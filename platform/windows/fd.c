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

int ex_write_all(int fd, const void *buf, size_t len) {
  const char *p;
  int n;

  p = buf;
  while (len > 0) {
    n = _write(fd, p, len > 0x40000000u ? 0x40000000u : (unsigned)len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return -errno;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

int ex_fd_set_nonblock(int fd, int on) {
  (void)fd;
  (void)on;
  return -ENOSYS; /* pipes are made overlapped at creation instead */
}

int ex_fd_same_file(int a, int b) {
  BY_HANDLE_FILE_INFORMATION ia;
  BY_HANDLE_FILE_INFORMATION ib;
  intptr_t ha;
  intptr_t hb;

  ha = _get_osfhandle(a);
  hb = _get_osfhandle(b);
  if (ha == -1 || hb == -1)
    return 0;
  if (ha == hb)
    return 1;
  if (!GetFileInformationByHandle((HANDLE)ha, &ia) ||
      !GetFileInformationByHandle((HANDLE)hb, &ib))
    return 0;
  return ia.dwVolumeSerialNumber == ib.dwVolumeSerialNumber &&
         ia.nFileIndexHigh == ib.nFileIndexHigh &&
         ia.nFileIndexLow == ib.nFileIndexLow;
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
