#include "clients/goquery/text_result.h"

#include <algorithm>
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "clients/goquery/duration_arg.h"
#include "clients/goquery/text_table.h"
#include "clients/goquery/units.h"
#include "lib/flow/flow.h"

namespace goprobe::goquery {
namespace {

using query::Attribute;
using query::Direction;

// The counter columns of each direction, in goQuery's order.
enum class Col { kPktsIn, kPktsOut, kPktsSum, kPktsPct, kBytesIn, kBytesOut, kBytesSum, kBytesPct };

std::vector<Col> CounterColumns(Direction d) {
  switch (d) {
    case Direction::kIn:
      return {Col::kPktsIn, Col::kPktsPct, Col::kBytesIn, Col::kBytesPct};
    case Direction::kOut:
      return {Col::kPktsOut, Col::kPktsPct, Col::kBytesOut, Col::kBytesPct};
    case Direction::kSum:
      return {Col::kPktsSum, Col::kPktsPct, Col::kBytesSum, Col::kBytesPct};
    case Direction::kBoth:
      break;
  }
  return {Col::kPktsIn,  Col::kPktsOut,  Col::kPktsPct,
          Col::kBytesIn, Col::kBytesOut, Col::kBytesPct};
}

bool IsPercent(Col c) { return c == Col::kPktsPct || c == Col::kBytesPct; }

const char* Header1(Col c) {
  switch (c) {
    case Col::kPktsIn:
    case Col::kPktsOut:
    case Col::kPktsSum:
      return "packets";
    case Col::kBytesIn:
    case Col::kBytesOut:
    case Col::kBytesSum:
      return "bytes";
    default:
      return "";
  }
}

const char* Header2(Col c) {
  switch (c) {
    case Col::kPktsIn:
    case Col::kBytesIn:
      return "in";
    case Col::kPktsOut:
    case Col::kBytesOut:
      return "out";
    case Col::kPktsSum:
    case Col::kBytesSum:
      return "in+out";
    default:
      return "%";
  }
}

// goQuery's column titles: it calls the host label "hostname".
absl::string_view AttributeTitle(Attribute a) {
  return a == Attribute::kHost ? "hostname" : query::AttributeName(a);
}

std::string Percent(uint64_t part, uint64_t whole) {
  return absl::StrFormat("%.2f", whole == 0 ? 0.0 : 100.0 * double(part) / double(whole));
}

std::string CounterCell(Col c, const flow::Counters& v, const flow::Counters& totals, Direction d) {
  const uint64_t pkts = d == Direction::kIn    ? v.pkts_rcvd
                        : d == Direction::kOut ? v.pkts_sent
                                               : v.pkts_rcvd + v.pkts_sent;
  const uint64_t bytes = d == Direction::kIn    ? v.bytes_rcvd
                         : d == Direction::kOut ? v.bytes_sent
                                                : v.bytes_rcvd + v.bytes_sent;
  const uint64_t total_pkts = d == Direction::kIn    ? totals.pkts_rcvd
                              : d == Direction::kOut ? totals.pkts_sent
                                                     : totals.pkts_rcvd + totals.pkts_sent;
  const uint64_t total_bytes = d == Direction::kIn    ? totals.bytes_rcvd
                               : d == Direction::kOut ? totals.bytes_sent
                                                      : totals.bytes_rcvd + totals.bytes_sent;
  switch (c) {
    case Col::kPktsIn:
      return FormatCount(v.pkts_rcvd);
    case Col::kPktsOut:
      return FormatCount(v.pkts_sent);
    case Col::kPktsSum:
      return FormatCount(v.pkts_rcvd + v.pkts_sent);
    case Col::kPktsPct:
      return Percent(pkts, total_pkts);
    case Col::kBytesIn:
      return FormatSize(v.bytes_rcvd);
    case Col::kBytesOut:
      return FormatSize(v.bytes_sent);
    case Col::kBytesSum:
      return FormatSize(v.bytes_rcvd + v.bytes_sent);
    case Col::kBytesPct:
      return Percent(bytes, total_bytes);
  }
  return "";
}

std::string Address(const flow::IpAddress& a, const dns::AddressNames* names) {
  if (names != nullptr) {
    auto it = names->find(a);
    if (it != names->end()) return it->second;
  }
  return a.ToString();
}

std::string AttributeCell(const query::ResultRow& r, Attribute a, const TextOptions& options) {
  switch (a) {
    case Attribute::kTime:
      return FormatTime(r.time, options.tz);
    case Attribute::kHost:
      return r.hostname;
    case Attribute::kHostId:
      return absl::StrCat(r.host_id);
    case Attribute::kIface:
      return r.iface;
    case Attribute::kSip:
      return Address(r.sip, options.names);
    case Attribute::kDip:
      return Address(r.dip, options.names);
    case Attribute::kDport:
      return absl::StrCat(r.dport);
    case Attribute::kProto:
      return flow::ProtoName(r.proto);
  }
  return "";
}

// Hit counts: exact below 1000, in goQuery's units above.
std::string Hits(uint64_t n) {
  if (n < 1000) return absl::StrCat(n);
  return std::string(absl::StripTrailingAsciiWhitespace(FormatCount(n)));
}

// A long interface list (a Kubernetes node has dozens of veths) would drown
// the footer; the full list is in the json output.
std::string Interfaces(const v1::Summary& summary) {
  constexpr int kShown = 8;
  const int n = summary.interfaces_size();
  std::vector<std::string> names(summary.interfaces().begin(),
                                 summary.interfaces().begin() + std::min(n, kShown));
  std::string out = absl::StrJoin(names, ",");
  if (n > kShown) absl::StrAppend(&out, ",... (", n, " interfaces)");
  return out;
}

std::string HostsLine(const std::vector<v1::HostStatus>& hosts) {
  int ok = 0, empty = 0, error = 0;
  for (const v1::HostStatus& h : hosts) {
    switch (h.code()) {
      case v1::HostStatus::CODE_OK:
        ++ok;
        break;
      case v1::HostStatus::CODE_EMPTY:
        ++empty;
        break;
      default:
        ++error;
        break;
    }
  }
  return absl::StrCat(hosts.size(), " hosts: ", ok, " ok / ", empty, " empty / ", error, " error");
}

}  // namespace

std::string FormatTextResult(const QueryAnswer& answer, const ResultLayout& layout,
                             const TextOptions& options) {
  if (answer.rows.empty()) return "";
  const std::vector<Col> counters = CounterColumns(layout.direction);
  const size_t nattr = layout.attributes.size();
  const flow::Counters totals{
      answer.summary.totals().bytes_rcvd(), answer.summary.totals().bytes_sent(),
      answer.summary.totals().packets_rcvd(), answer.summary.totals().packets_sent()};
  TextTable table;
  std::vector<std::string> h1(nattr), h2;
  for (Attribute a : layout.attributes) h2.emplace_back(AttributeTitle(a));
  for (Col c : counters) {
    h1.emplace_back(Header1(c));
    h2.emplace_back(Header2(c));
  }
  table.AddRow(std::move(h1));
  table.AddRow(std::move(h2));
  for (const query::ResultRow& r : answer.rows) {
    std::vector<std::string> cells;
    for (Attribute a : layout.attributes) cells.push_back(AttributeCell(r, a, options));
    for (Col c : counters) cells.push_back(CounterCell(c, r.counters, totals, layout.direction));
    table.AddRow(std::move(cells));
  }
  const bool cut = answer.summary.hits_total() > answer.rows.size();
  if (cut) {
    std::vector<std::string> dots(nattr);
    for (Col c : counters) dots.push_back(IsPercent(c) ? "" : "...");
    table.AddRow(std::move(dots));
  }
  std::vector<std::string> sums(nattr);
  for (Col c : counters) {
    sums.push_back(IsPercent(c) ? "" : CounterCell(c, totals, totals, layout.direction));
  }
  table.AddRow(std::move(sums));
  if (layout.direction == Direction::kBoth) {
    table.AddEmptyRow();
    std::vector<std::string> line(nattr + counters.size());
    line[0] = "Totals:";
    for (size_t i = 0; i < counters.size(); ++i) {
      if (counters[i] == Col::kPktsOut)
        line[nattr + i] = FormatCount(totals.pkts_rcvd + totals.pkts_sent);
      if (counters[i] == Col::kBytesOut)
        line[nattr + i] = FormatSize(totals.bytes_rcvd + totals.bytes_sent);
    }
    table.AddRow(std::move(line));
  }

  // The footer: labels padded to one width, as goQuery's tabwriter does.
  std::vector<std::pair<std::string, std::string>> footer;
  footer.emplace_back("Timespan / Interface",
                      absl::StrCat("[", FormatTime(answer.summary.time_first(), options.tz), ", ",
                                   FormatTime(answer.summary.time_last(), options.tz), "] / ",
                                   Interfaces(answer.summary)));
  footer.emplace_back("Sorted by", DescribeSort(layout));
  if (options.dns) {
    footer.emplace_back("Reverse DNS stats",
                        absl::StrCat("RDNS took ", HumanDuration(options.dns_duration),
                                     ", timeout was ", HumanDuration(options.dns_timeout)));
  }
  std::string stats =
      absl::StrCat(Hits(answer.summary.hits_total()), " hits in ",
                   HumanDuration(absl::Microseconds(answer.summary.timings().query_duration_us())));
  if (cut) absl::StrAppend(&stats, " (top ", Hits(answer.rows.size()), " displayed)");
  footer.emplace_back("Query stats", stats);
  if (!layout.condition.empty()) footer.emplace_back("Conditions:", layout.condition);
  if (answer.hosts.size() > 1) footer.emplace_back("Hosts", HostsLine(answer.hosts));
  size_t width = 0;
  for (const auto& [label, value] : footer) width = std::max(width, label.size());

  std::string out = "\n" + table.Render() + "\n";
  for (const auto& [label, value] : footer) {
    absl::StrAppend(&out, label, std::string(width + 1 - label.size(), ' '), ": ", value, "\n");
  }
  out += "\n";
  return out;
}

}  // namespace goprobe::goquery
