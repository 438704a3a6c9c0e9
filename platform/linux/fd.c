#include "platform/platform.h"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

EX_HOT int ex_exe_dir(char *buf, size_t size) {
  ssize_t n;
  char *slash;

  if (size < 2)
    return -ENAMETOOLONG;
  n = readlink("/proc/self/exe", buf, size - 1);
  if (n <= 0)
    return n == 0 ? -ENOENT : -errno;
  if ((size_t)n >= size - 1)
    return -ENAMETOOLONG; /* perhaps cut: do not guess */
  buf[n] = '\0';
  slash = strrchr(buf, '/');
  if (slash == NULL)
    return -ENOENT;
  *slash = '\0';
  return 0;
}

ssize_t ex_read_small(const char *path, char *buf, size_t size) {
  ssize_t n;
  size_t len;
  int fd;
  int err;

  if (size == 0)
    return -EINVAL;
  buf[0] = '\0';
  /* O_NONBLOCK: a FIFO planted where a config file should be must not
   * block the diagnosis. */
  fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd == -1)
    return -errno;
  len = 0;
  err = 0;
  while (len + 1 < size) {
    n = read(fd, buf + len, size - 1 - len);
    if (n == -1 && errno == EINTR)
      continue;
    if (n == -1) {
      err = -errno;
      break;
    }
    if (n == 0)
      break;
    len += (size_t)n;
  }
  close(fd);
  buf[len] = '\0';
  if (err != 0 && len == 0)
    return err;
  return (ssize_t)len;
}

EX_HOT int ex_fd_kind(int fd) {
  struct termios t;

  if (tcgetattr(fd, &t) == 0)
    return EX_FD_TTY;
  return errno == EBADF ? EX_FD_CLOSED : EX_FD_OTHER;
}

int ex_write_all(int fd, const void *buf, size_t len) {
  const char *p;
  ssize_t n;
  struct pollfd pfd;

  p = buf;
  while (len > 0) {
    n = write(fd, p, len);
    if (n >= 0) {
      p += n;
      len -= (size_t)n;
      continue;
    }
    if (errno == EINTR)
      continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK)
      return -errno;
    /* Someone else made the shared description non-blocking: wait. */
    pfd.fd = fd;
    pfd.events = POLLOUT;
    pfd.revents = 0;
    if (poll(&pfd, 1, -1) == -1 && errno != EINTR)
      return -errno;
  }
  return 0;
}

int ex_fd_set_nonblock(int fd, int on) {
  int flags;

  flags = fcntl(fd, F_GETFL);
  if (flags == -1)
    return -errno;
  flags = on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK);
  if (fcntl(fd, F_SETFL, flags) == -1)
    return -errno;
  return 0;
}

EX_HOT int ex_fd_same_file(int a, int b) {
  struct stat sa;
  struct stat sb;

  if (fstat(a, &sa) == -1 || fstat(b, &sb) == -1)
    return 0;
  if (S_ISCHR(sa.st_mode) && S_ISCHR(sb.st_mode))
    return sa.st_rdev == sb.st_rdev;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
