#ifndef GOPROBE_CLIENTS_GOCONVERT_FIELD_PARSERS_H_
#define GOPROBE_CLIENTS_GOCONVERT_FIELD_PARSERS_H_

// Parsers for the values of one CSV cell. Each takes the cell's text with
// surrounding spaces already trimmed and returns InvalidArgument with a reason
// that quotes the text; the caller adds file, line and column.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/flow/ip_address.h"

namespace goprobe::goconvert {

// A decimal counter, 0 to 2^64-1. Only digits: "1e3", "-1", "1.0", "0x10"
// and "12 k" are refused rather than guessed at.
absl::StatusOr<uint64_t> ParseCounter(absl::string_view text);

// A port, 0 to 65535.
absl::StatusOr<uint16_t> ParsePort(absl::string_view text);

// An IP protocol: a number 0 to 255, or a name as lib/flow's ProtoName
// prints it (tcp, udp, icmp, icmpv6, gre, sctp, ...), in any case. "ipv6-icmp"
// (goQuery v4's name for 58) is accepted too.
absl::StatusOr<uint8_t> ParseProto(absl::string_view text);

// An IPv4 or IPv6 address.
absl::StatusOr<flow::IpAddress> ParseIp(absl::string_view text);

// A block time: unix seconds, or RFC 3339 with whole seconds
// ("2024-03-01T12:05:00Z", "2024-03-01T13:05:00+01:00"). Must lie in
// 1970-01-01T00:00:01Z .. 9999-12-31T23:59:59Z, the range goDB and the wire
// contract share.
absl::StatusOr<int64_t> ParseBlockTime(absl::string_view text);

}  // namespace goprobe::goconvert

#endif  // GOPROBE_CLIENTS_GOCONVERT_FIELD_PARSERS_H_
