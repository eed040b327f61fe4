#ifndef GOPROBE_TESTS_HARNESS_LOOPBACK_PORT_H_
#define GOPROBE_TESTS_HARNESS_LOOPBACK_PORT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace goprobe::testing {

// A TCP port free on 127.0.0.1 a moment ago (the kernel hands out ephemeral
// ports in sequence, so it stays free long enough for a service started
// next to take it).
inline int FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace goprobe::testing

#endif  // GOPROBE_TESTS_HARNESS_LOOPBACK_PORT_H_
