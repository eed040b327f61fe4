#include "clients/goquery/list_printer.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/goquery/text_table.h"
#include "clients/goquery/units.h"
#include "nlohmann/json.hpp"

namespace goprobe::goquery {
namespace {

constexpr const char* kKeys[] = {
    "iface",        "hostname",         "host_id",      "bytes_rcvd",  "bytes_sent", "packets_rcvd",
    "packets_sent", "flows_v4",         "flows_v6",     "packets_captured",
    "drops_kernel", "drops_iface",      "malformed",    "blocks",      "first",      "last"};

std::string Rfc3339(int64_t t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(t), absl::UTCTimeZone());
}

// The sums the txt table's Total row shows.
struct Sum {
  uint64_t flows_v4 = 0, flows_v6 = 0, pkts_rcvd = 0, pkts_sent = 0, bytes_rcvd = 0,
           bytes_sent = 0, drops_kernel = 0, drops_iface = 0, malformed = 0, blocks = 0;
  int64_t first = 0, last = 0;

  void Add(const v1::InterfaceSummary& s) {
    flows_v4 += s.ipv4_flows();
    flows_v6 += s.ipv6_flows();
    pkts_rcvd += s.totals().packets_rcvd();
    pkts_sent += s.totals().packets_sent();
    bytes_rcvd += s.totals().bytes_rcvd();
    bytes_sent += s.totals().bytes_sent();
    drops_kernel += s.capture().packets_dropped_kernel();
    drops_iface += s.capture().packets_dropped_iface();
    malformed += s.capture().packets_malformed();
    if (s.blocks() > 0) {
      first = blocks == 0 ? s.first_block_time() : std::min(first, s.first_block_time());
      last = blocks == 0 ? s.last_block_time() : std::max(last, s.last_block_time());
    }
    blocks += s.blocks();
  }
};

std::vector<std::string> TextCells(const Sum& s, absl::TimeZone tz) {
  return {FormatCount(s.flows_v4),    FormatCount(s.flows_v6),     FormatCount(s.pkts_rcvd),
          FormatCount(s.pkts_sent),   FormatSize(s.bytes_rcvd),    FormatSize(s.bytes_sent),
          FormatCount(s.drops_kernel), FormatCount(s.drops_iface), FormatCount(s.malformed),
          absl::StrCat(s.blocks),     s.blocks ? FormatTime(s.first, tz) : "",
          s.blocks ? FormatTime(s.last, tz) : ""};
}

std::string Text(const std::vector<v1::InterfaceSummary>& list, absl::TimeZone tz) {
  if (list.empty()) return "";
  const bool hosts = std::any_of(list.begin(), list.end(),
                                 [](const v1::InterfaceSummary& s) { return !s.hostname().empty(); });
  auto row = [hosts](std::string host, std::string iface, std::vector<std::string> rest) {
    std::vector<std::string> cells;
    if (hosts) cells.push_back(std::move(host));
    cells.push_back(std::move(iface));
    for (std::string& c : rest) cells.push_back(std::move(c));
    return cells;
  };

  TextTable table;
  table.AddRow(row("", "", {"flows", "flows", "packets", "packets", "bytes", "bytes", "drops",
                            "drops", "", "", "", ""}));
  table.AddRow(row("host", "iface", {"IPv4", "IPv6", "in", "out", "in", "out", "kernel", "iface",
                                     "malformed", "blocks", "first block", "last block"}));
  Sum total;
  for (const v1::InterfaceSummary& s : list) {
    Sum one;
    one.Add(s);
    total.Add(s);
    table.AddRow(row(s.hostname(), s.iface(), TextCells(one, tz)));
  }
  table.AddEmptyRow();
  table.AddRow(row("", "Total", TextCells(total, tz)));
  return table.Render();
}

std::string Json(const std::vector<v1::InterfaceSummary>& list) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const v1::InterfaceSummary& s : list) {
    nlohmann::ordered_json o;
    o["iface"] = s.iface();
    o["hostname"] = s.hostname();
    o["host_id"] = s.host_id();
    o["bytes_rcvd"] = s.totals().bytes_rcvd();
    o["bytes_sent"] = s.totals().bytes_sent();
    o["packets_rcvd"] = s.totals().packets_rcvd();
    o["packets_sent"] = s.totals().packets_sent();
    o["flows_v4"] = s.ipv4_flows();
    o["flows_v6"] = s.ipv6_flows();
    o["packets_captured"] = s.capture().packets_received();
    o["drops_kernel"] = s.capture().packets_dropped_kernel();
    o["drops_iface"] = s.capture().packets_dropped_iface();
    o["malformed"] = s.capture().packets_malformed();
    o["blocks"] = s.blocks();
    o["first"] = s.blocks() ? nlohmann::ordered_json(Rfc3339(s.first_block_time())) : nullptr;
    o["last"] = s.blocks() ? nlohmann::ordered_json(Rfc3339(s.last_block_time())) : nullptr;
    out.push_back(std::move(o));
  }
  return out.dump() + "\n";
}

// A CSV field: quoted only when it must be.
std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string Csv(const std::vector<v1::InterfaceSummary>& list) {
  std::string out = absl::StrCat(absl::StrJoin(kKeys, ","), "\n");
  for (const v1::InterfaceSummary& s : list) {
    absl::StrAppend(&out, CsvField(s.iface()), ",", CsvField(s.hostname()), ",", s.host_id(), ",",
                    s.totals().bytes_rcvd(), ",", s.totals().bytes_sent(), ",",
                    s.totals().packets_rcvd(), ",", s.totals().packets_sent(), ",");
    absl::StrAppend(&out, s.ipv4_flows(), ",", s.ipv6_flows(), ",", s.capture().packets_received(),
                    ",", s.capture().packets_dropped_kernel(), ",",
                    s.capture().packets_dropped_iface(), ",", s.capture().packets_malformed(), ",",
                    s.blocks(), ",");
    if (s.blocks()) {
      absl::StrAppend(&out, s.first_block_time(), ",", s.last_block_time());
    } else {
      out.push_back(',');
    }
    out.push_back('\n');
  }
  return out;
}

}  // namespace

std::string FormatInterfaceList(const std::vector<v1::InterfaceSummary>& interfaces,
                                OutputFormat format, absl::TimeZone tz) {
  switch (format) {
    case OutputFormat::kTxt: return Text(interfaces, tz);
    case OutputFormat::kJson: return Json(interfaces);
    case OutputFormat::kCsv: return Csv(interfaces);
  }
  return "";
}

}  // namespace goprobe::goquery
