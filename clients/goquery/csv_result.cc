#include "clients/goquery/csv_result.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "lib/flow/flow.h"

namespace goprobe::goquery {
namespace {

using query::Attribute;
using query::Direction;

// RFC 4180 quoting, for the odd hostname or interface name with a comma.
std::string Field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  return absl::StrCat("\"", absl::StrReplaceAll(s, {{"\"", "\"\""}}), "\"");
}

std::vector<std::string> CounterNames(Direction d) {
  switch (d) {
    case Direction::kIn:
      return {"packets_rcvd", "bytes_rcvd"};
    case Direction::kOut:
      return {"packets_sent", "bytes_sent"};
    case Direction::kSum:
      return {"packets", "bytes"};
    case Direction::kBoth:
      break;
  }
  return {"packets_rcvd", "packets_sent", "bytes_rcvd", "bytes_sent"};
}

}  // namespace

std::string CsvHeader(const ResultLayout& layout) {
  std::vector<std::string> names;
  for (Attribute a : layout.attributes) {
    names.emplace_back(a == Attribute::kHost ? "hostname" : query::AttributeName(a));
  }
  for (std::string& n : CounterNames(layout.direction)) names.push_back(std::move(n));
  return absl::StrJoin(names, ",") + "\n";
}

std::string CsvRows(const std::vector<query::ResultRow>& rows, const ResultLayout& layout) {
  std::string out;
  for (const query::ResultRow& r : rows) {
    std::string line;
    for (Attribute a : layout.attributes) {
      switch (a) {
        case Attribute::kTime:
          absl::StrAppend(&line, r.time);
          break;
        case Attribute::kHost:
          absl::StrAppend(&line, Field(r.hostname));
          break;
        case Attribute::kHostId:
          absl::StrAppend(&line, r.host_id);
          break;
        case Attribute::kIface:
          absl::StrAppend(&line, Field(r.iface));
          break;
        case Attribute::kSip:
          absl::StrAppend(&line, r.sip.ToString());
          break;
        case Attribute::kDip:
          absl::StrAppend(&line, r.dip.ToString());
          break;
        case Attribute::kDport:
          absl::StrAppend(&line, r.dport);
          break;
        case Attribute::kProto:
          absl::StrAppend(&line, flow::ProtoName(r.proto));
          break;
      }
      line += ',';
    }
    const flow::Counters& c = r.counters;
    switch (layout.direction) {
      case Direction::kIn:
        absl::StrAppend(&line, c.pkts_rcvd, ",", c.bytes_rcvd);
        break;
      case Direction::kOut:
        absl::StrAppend(&line, c.pkts_sent, ",", c.bytes_sent);
        break;
      case Direction::kSum:
        absl::StrAppend(&line, c.pkts_rcvd + c.pkts_sent, ",", c.bytes_rcvd + c.bytes_sent);
        break;
      case Direction::kBoth:
        absl::StrAppend(&line, c.pkts_rcvd, ",", c.pkts_sent, ",", c.bytes_rcvd, ",", c.bytes_sent);
        break;
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

}  // namespace goprobe::goquery
