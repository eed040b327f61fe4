#include "lib/flow/ip_address.h"

#include <arpa/inet.h>

#include "absl/strings/str_cat.h"

namespace goprobe::flow {

absl::StatusOr<IpAddress> IpAddress::Parse(absl::string_view text) {
  // inet_pton needs a terminated string; addresses are short.
  char buf[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buf)) {
    return absl::InvalidArgumentError(absl::StrCat("not an IP address: \"", text, "\""));
  }
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  uint8_t bytes[kV6Size];
  if (inet_pton(AF_INET, buf, bytes) == 1) return V4(bytes);
  if (inet_pton(AF_INET6, buf, bytes) == 1) return V6(bytes);
  return absl::InvalidArgumentError(absl::StrCat("not an IP address: \"", text, "\""));
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN];
  const char* s = inet_ntop(is_v4_ ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof(buf));
  return s ? std::string(s) : std::string("?");
}

}  // namespace goprobe::flow
