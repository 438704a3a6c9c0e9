/* listenport PORT: listens on 127.0.0.1:PORT (TCP) until its stdin ends,
 * or 120 s at most. Prints "listening PID" once it listens. */
#include <winsock2.h>

#include <stdio.h>
#include <stdlib.h>

#include "hold.h"

int main(int argc, char **argv) {
  struct sockaddr_in a;
  WSADATA wsa;
  SOCKET s;

  if (argc != 2 || WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
    return 2;
  s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_port = htons((u_short)atoi(argv[1]));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (s == INVALID_SOCKET || bind(s, (struct sockaddr *)&a, sizeof(a)) != 0 ||
      listen(s, 4) != 0) {
    fprintf(stderr, "listenport: error %d\n", WSAGetLastError());
    return 1;
  }
  printf("listening %lu\n", (unsigned long)GetCurrentProcessId());
  fflush(stdout);
  hold_until_stdin_ends();
  closesocket(s);
  return 0;
}
