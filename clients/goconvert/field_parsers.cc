#include "clients/goconvert/field_parsers.h"

#include <limits>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/flow/flow.h"
#include "lib/godb/layout.h"

namespace goprobe::goconvert {
namespace {

bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Digits only, overflow-checked; false if not a number or too large.
bool ParseDigits(absl::string_view text, uint64_t* out) {
  if (!AllDigits(text)) return false;
  uint64_t v = 0;
  for (char c : text) {
    const uint64_t d = uint64_t(c - '0');
    if (v > (std::numeric_limits<uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

absl::Status NotA(absl::string_view text, absl::string_view what) {
  if (text.empty()) return absl::InvalidArgumentError(absl::StrCat("empty, expected ", what));
  return absl::InvalidArgumentError(absl::StrCat("\"", absl::CHexEscape(text), "\" is not ", what));
}

}  // namespace

absl::StatusOr<uint64_t> ParseCounter(absl::string_view text) {
  uint64_t v;
  if (ParseDigits(text, &v)) return v;
  if (AllDigits(text)) {
    return absl::InvalidArgumentError(
        absl::StrCat(text, " is larger than a counter can be (18446744073709551615)"));
  }
  return NotA(text, "a count (decimal digits only)");
}

absl::StatusOr<uint16_t> ParsePort(absl::string_view text) {
  uint64_t v;
  if (!ParseDigits(text, &v)) {
    if (AllDigits(text)) return absl::InvalidArgumentError(absl::StrCat(text, " is not a port (0-65535)"));
    return NotA(text, "a port number (0-65535)");
  }
  if (v > 65535) return absl::InvalidArgumentError(absl::StrCat(v, " is not a port (0-65535)"));
  return static_cast<uint16_t>(v);
}

absl::StatusOr<uint8_t> ParseProto(absl::string_view text) {
  uint64_t v;
  if (ParseDigits(text, &v)) {
    if (v > 255) {
      return absl::InvalidArgumentError(absl::StrCat(v, " is not an IP protocol number (0-255)"));
    }
    return static_cast<uint8_t>(v);
  }
  if (AllDigits(text)) {
    return absl::InvalidArgumentError(absl::StrCat(text, " is not an IP protocol number (0-255)"));
  }
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == "ipv6-icmp") return flow::kProtoIcmpV6;
  for (int p = 0; p < 256; ++p) {
    const std::string name = flow::ProtoName(static_cast<uint8_t>(p));
    if (!AllDigits(name) && absl::AsciiStrToLower(name) == lower) return static_cast<uint8_t>(p);
  }
  return NotA(text, "an IP protocol (a number 0-255 or a name such as tcp, udp, icmp, icmpv6)");
}

absl::StatusOr<flow::IpAddress> ParseIp(absl::string_view text) {
  absl::StatusOr<flow::IpAddress> ip = flow::IpAddress::Parse(text);
  if (!ip.ok()) return NotA(text, "an IPv4 or IPv6 address");
  return ip;
}

absl::StatusOr<int64_t> ParseBlockTime(absl::string_view text) {
  constexpr absl::string_view kRange = "1970-01-01T00:00:01Z .. 9999-12-31T23:59:59Z";
  int64_t seconds;
  uint64_t v;
  if (ParseDigits(text, &v)) {
    if (v > uint64_t(godb::kMaxBlockTime)) {
      return absl::InvalidArgumentError(absl::StrCat(text, " is outside ", kRange));
    }
    seconds = static_cast<int64_t>(v);
  } else if (AllDigits(text) || (text.size() > 1 && text[0] == '-' && AllDigits(text.substr(1)))) {
    return absl::InvalidArgumentError(absl::StrCat(text, " is outside ", kRange));
  } else {
    absl::Time t;
    std::string err;
    if (!absl::ParseTime(absl::RFC3339_full, text, &t, &err)) {
      return NotA(text, "a time (unix seconds or RFC 3339 such as 2024-03-01T12:05:00Z)");
    }
    const absl::Duration frac = t - absl::FromUnixSeconds(absl::ToUnixSeconds(t));
    if (frac != absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("\"", text, "\" has fractional seconds; block times are whole seconds"));
    }
    seconds = absl::ToUnixSeconds(t);
    if (seconds < 1 || seconds > godb::kMaxBlockTime) {
      return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is outside ", kRange));
    }
  }
  if (seconds < 1) return absl::InvalidArgumentError(absl::StrCat(text, " is outside ", kRange));
  return seconds;
}

}  // namespace goprobe::goconvert
