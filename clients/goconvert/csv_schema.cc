#include "clients/goconvert/csv_schema.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace goprobe::goconvert {
namespace {

struct Synonym {
  absl::string_view name;
  Field field;
};

// Lower case; see the header for where each comes from.
constexpr Synonym kSynonyms[] = {
    {"tstamp", Field::kTime},
    {"time", Field::kTime},
    {"timestamp", Field::kTime},
    {"iface", Field::kIface},
    {"interface", Field::kIface},
    {"sip", Field::kSip},
    {"dip", Field::kDip},
    {"dport", Field::kDport},
    {"proto", Field::kProto},
    {"protocol", Field::kProto},
    {"bytes_rcvd", Field::kBytesRcvd},
    {"bytes_received", Field::kBytesRcvd},
    {"data vol. received", Field::kBytesRcvd},
    {"br", Field::kBytesRcvd},
    {"bytes_sent", Field::kBytesSent},
    {"data vol. sent", Field::kBytesSent},
    {"bs", Field::kBytesSent},
    {"packets_rcvd", Field::kPktsRcvd},
    {"pkts_rcvd", Field::kPktsRcvd},
    {"packets_received", Field::kPktsRcvd},
    {"packets received", Field::kPktsRcvd},
    {"pr", Field::kPktsRcvd},
    {"packets_sent", Field::kPktsSent},
    {"pkts_sent", Field::kPktsSent},
    {"packets sent", Field::kPktsSent},
    {"ps", Field::kPktsSent},
    {"%", Field::kIgnored},
    {"hostname", Field::kIgnored},
    {"host", Field::kIgnored},
    {"hostid", Field::kIgnored},
    {"host_id", Field::kIgnored},
};

constexpr Field kRequired[] = {Field::kTime,      Field::kSip,       Field::kDip,
                               Field::kDport,     Field::kProto,     Field::kBytesRcvd,
                               Field::kBytesSent, Field::kPktsRcvd,  Field::kPktsSent};

}  // namespace

absl::string_view FieldName(Field f) {
  switch (f) {
    case Field::kIgnored: return "(ignored)";
    case Field::kTime: return "tstamp";
    case Field::kIface: return "iface";
    case Field::kSip: return "sip";
    case Field::kDip: return "dip";
    case Field::kDport: return "dport";
    case Field::kProto: return "proto";
    case Field::kBytesRcvd: return "bytes_rcvd";
    case Field::kBytesSent: return "bytes_sent";
    case Field::kPktsRcvd: return "packets_rcvd";
    case Field::kPktsSent: return "packets_sent";
  }
  return "?";
}

absl::StatusOr<CsvSchema> ParseCsvSchema(const std::vector<std::string>& names) {
  CsvSchema schema;
  schema.column.fill(-1);
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string name(absl::StripAsciiWhitespace(names[i]));
    const std::string lower = absl::AsciiStrToLower(name);
    const Synonym* match = nullptr;
    for (const Synonym& s : kSynonyms) {
      if (s.name == lower) {
        match = &s;
        break;
      }
    }
    if (match == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          "column ", i + 1, " \"", name,
          "\" is not a flow column (expected tstamp, iface, sip, dip, dport, proto, "
          "bytes_rcvd, bytes_sent, packets_rcvd, packets_sent or a synonym)"));
    }
    if (match->field != Field::kIgnored) {
      int& col = schema.column[static_cast<int>(match->field)];
      if (col >= 0) {
        return absl::InvalidArgumentError(absl::StrCat("column ", i + 1, " \"", name,
                                                       "\" repeats column ", col + 1, " \"",
                                                       schema.names[col], "\""));
      }
      col = static_cast<int>(i);
    }
    schema.fields.push_back(match->field);
    schema.names.push_back(name);
  }
  std::vector<absl::string_view> missing;
  for (Field f : kRequired) {
    if (!schema.has(f)) missing.push_back(FieldName(f));
  }
  if (!missing.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing column", missing.size() > 1 ? "s " : " ",
                     absl::StrJoin(missing, ", ")));
  }
  return schema;
}

}  // namespace goprobe::goconvert
