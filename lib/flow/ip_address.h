#ifndef GOPROBE_LIB_FLOW_IP_ADDRESS_H_
#define GOPROBE_LIB_FLOW_IP_ADDRESS_H_

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::flow {

// An IPv4 or IPv6 address in network byte order.
//
// IPv4 addresses occupy the first 4 bytes and leave the other 12 zero, so two
// addresses compare equal exactly when family and bytes are equal, and an
// address hashes and orders as a plain 17-byte value. IPv4-mapped IPv6
// addresses (::ffff:a.b.c.d) stay IPv6: the family is what was on the wire.
class IpAddress {
 public:
  static constexpr int kV4Size = 4;
  static constexpr int kV6Size = 16;

  // The IPv4 address 0.0.0.0.
  IpAddress() = default;

  static IpAddress V4(const uint8_t* bytes4) {
    IpAddress a;
    std::memcpy(a.bytes_.data(), bytes4, kV4Size);
    return a;
  }
  static IpAddress V4(uint32_t host_order) {
    const uint8_t b[4] = {uint8_t(host_order >> 24), uint8_t(host_order >> 16),
                          uint8_t(host_order >> 8), uint8_t(host_order)};
    return V4(b);
  }
  static IpAddress V6(const uint8_t* bytes16) {
    IpAddress a;
    std::memcpy(a.bytes_.data(), bytes16, kV6Size);
    a.is_v4_ = false;
    return a;
  }

  // Parses dotted-quad IPv4 or any textual IPv6 form. The error names the text.
  static absl::StatusOr<IpAddress> Parse(absl::string_view text);

  bool is_v4() const { return is_v4_; }
  // 4 for IPv4, 16 for IPv6: the number of meaningful bytes in data().
  int size() const { return is_v4_ ? kV4Size : kV6Size; }
  const uint8_t* data() const { return bytes_.data(); }
  // Host-order value of an IPv4 address; undefined for IPv6.
  uint32_t v4_value() const {
    return uint32_t(bytes_[0]) << 24 | uint32_t(bytes_[1]) << 16 |
           uint32_t(bytes_[2]) << 8 | uint32_t(bytes_[3]);
  }

  // Canonical text: dotted quad, or RFC 5952 IPv6.
  std::string ToString() const;

  friend bool operator==(const IpAddress& a, const IpAddress& b) {
    return a.is_v4_ == b.is_v4_ && a.bytes_ == b.bytes_;
  }
  friend bool operator!=(const IpAddress& a, const IpAddress& b) { return !(a == b); }
  // IPv4 before IPv6, then bytewise: the order goDB stores rows in.
  friend bool operator<(const IpAddress& a, const IpAddress& b) {
    if (a.is_v4_ != b.is_v4_) return a.is_v4_;
    return a.bytes_ < b.bytes_;
  }

  template <typename H>
  friend H AbslHashValue(H h, const IpAddress& a) {
    return H::combine(std::move(h), a.is_v4_, a.bytes_);
  }

 private:
  std::array<uint8_t, kV6Size> bytes_{};
  bool is_v4_ = true;
};

}  // namespace goprobe::flow

#endif  // GOPROBE_LIB_FLOW_IP_ADDRESS_H_
