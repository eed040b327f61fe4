#ifndef GOPROBE_CLIENTS_GOCONVERT_CSV_SCHEMA_H_
#define GOPROBE_CLIENTS_GOCONVERT_CSV_SCHEMA_H_

// What each column of a flow CSV holds, from its header.

#include <array>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::goconvert {

// The meaning of a column.
enum class Field {
  kIgnored,  // informational columns of goquery's output ("%", hostname, ...)
  kTime,
  kIface,
  kSip,
  kDip,
  kDport,
  kProto,
  kBytesRcvd,
  kBytesSent,
  kPktsRcvd,
  kPktsSent,
};
inline constexpr int kNumFields = 11;

// The canonical name of a field ("tstamp", "sip", "packets_rcvd", ...).
absl::string_view FieldName(Field f);

// The columns of a CSV input, in order.
struct CsvSchema {
  std::vector<Field> fields;
  // The names as the header spells them (trimmed), so messages use the
  // user's words.
  std::vector<std::string> names;
  // Column index of each field, -1 if absent (kIgnored's entry is unused).
  std::array<int, kNumFields> column{};

  bool has(Field f) const { return column[static_cast<int>(f)] >= 0; }
};

// Maps header names to fields. Names are matched ignoring case and
// surrounding spaces; synonyms cover the seed README's goConvert header, this
// project's goquery csv output and goQuery v4's csv output:
//   tstamp: tstamp, time, timestamp          iface: iface, interface
//   sip, dip, dport                          proto: proto, protocol
//   bytes_rcvd: bytes_rcvd, bytes_received, "data vol. received", br
//   bytes_sent: bytes_sent, "data vol. sent", bs
//   packets_rcvd: packets_rcvd, pkts_rcvd, packets_received, "packets received", pr
//   packets_sent: packets_sent, pkts_sent, "packets sent", ps
//   ignored: %, hostname, host, hostid, host_id
// Every field but iface must be present (iface can come from --iface).
// InvalidArgument, naming the column, for an unknown or repeated name or a
// missing field: a typo in a header must not silently drop a counter.
absl::StatusOr<CsvSchema> ParseCsvSchema(const std::vector<std::string>& names);

}  // namespace goprobe::goconvert

#endif  // GOPROBE_CLIENTS_GOCONVERT_CSV_SCHEMA_H_
