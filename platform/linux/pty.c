#include "platform/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int ex_pty_open(int *master, int *slave, int model_fd) {
  int m;
  int s;
  int err;
  struct termios tio;
  struct winsize ws;
  char name[128];

  m = -1;
  s = -1;
  m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (m == -1)
    goto fail;
  if (grantpt(m) == -1 || unlockpt(m) == -1)
    goto fail;
  if (ptsname_r(m, name, sizeof(name)) != 0)
    goto fail;
  s = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (s == -1)
    goto fail;

  if (tcgetattr(model_fd, &tio) == 0 || tcgetattr(s, &tio) == 0) {
    /* The real terminal does its own output processing; a second pass here
     * would turn every "\n" into "\r\n" before it gets there. */
    tio.c_oflag &= ~(tcflag_t)OPOST;
    (void)tcsetattr(s, TCSANOW, &tio);
  }
  if (ioctl(model_fd, TIOCGWINSZ, &ws) == 0)
    (void)ioctl(m, TIOCSWINSZ, &ws);
  if (ex_fd_set_nonblock(m, 1) != 0)
    goto fail;

  *master = m;
  *slave = s;
  return 0;

fail:
  err = errno ? -errno : -EIO;
  if (m != -1)
    close(m);
  if (s != -1)
    close(s);
  return err;
}

int ex_pty_sync_winsize(int from_fd, int to_fd) {
  struct winsize want;
  struct winsize have;

  if (ioctl(from_fd, TIOCGWINSZ, &want) == -1)
    return -errno;
  if (ioctl(to_fd, TIOCGWINSZ, &have) == 0 && have.ws_row == want.ws_row &&
      have.ws_col == want.ws_col && have.ws_xpixel == want.ws_xpixel &&
      have.ws_ypixel == want.ws_ypixel)
    return 0;
  if (ioctl(to_fd, TIOCSWINSZ, &want) == -1)
    return -errno;
  return 1;
}
