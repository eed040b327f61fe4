#include "clients/goquery/json_result.h"

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace goprobe::goquery {
namespace {

using Json = nlohmann::ordered_json;
using query::Attribute;

Json Rfc3339(int64_t unix_seconds) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(unix_seconds),
                          absl::UTCTimeZone());
}

Json Counters(uint64_t br, uint64_t bs, uint64_t pr, uint64_t ps) {
  return Json{{"br", br}, {"bs", bs}, {"pr", pr}, {"ps", ps}};
}

const char* HostCode(v1::HostStatus::Code code) {
  switch (code) {
    case v1::HostStatus::CODE_OK:
      return "ok";
    case v1::HostStatus::CODE_EMPTY:
      return "empty";
    default:
      return "error";
  }
}

Json HostsStatuses(const std::vector<v1::HostStatus>& hosts) {
  Json out = Json::object();
  for (const v1::HostStatus& h : hosts) {
    std::string key = !h.hostname().empty()  ? h.hostname()
                      : !h.address().empty() ? h.address()
                                             : absl::StrCat(h.host_id());
    // Two hosts may share a name; neither may hide the other.
    if (out.contains(key)) absl::StrAppend(&key, " (", h.host_id(), ")");
    Json status{{"code", HostCode(h.code())}};
    std::string message = h.message();
    if (h.code() == v1::HostStatus::CODE_TIMEOUT && message.empty()) message = "timed out";
    if (!message.empty()) status["message"] = message;
    if (h.warnings_size() > 0) {
      status["warnings"] = Json(std::vector<std::string>(h.warnings().begin(), h.warnings().end()));
    }
    out[key] = std::move(status);
  }
  return out;
}

Json Row(const query::ResultRow& r, const ResultLayout& layout) {
  Json labels = Json::object(), attributes = Json::object();
  for (Attribute a : layout.attributes) {
    switch (a) {
      case Attribute::kTime:
        labels["timestamp"] = Rfc3339(r.time);
        break;
      case Attribute::kIface:
        labels["iface"] = r.iface;
        break;
      case Attribute::kHost:
        labels["host"] = r.hostname;
        break;
      case Attribute::kHostId:
        labels["host_id"] = absl::StrCat(r.host_id);
        break;
      case Attribute::kSip:
        attributes["sip"] = r.sip.ToString();
        break;
      case Attribute::kDip:
        attributes["dip"] = r.dip.ToString();
        break;
      case Attribute::kDport:
        attributes["dport"] = r.dport;
        break;
      case Attribute::kProto:
        attributes["proto"] = r.proto;
        break;
    }
  }
  return Json{{"labels", std::move(labels)},
              {"attributes", std::move(attributes)},
              {"counters", Counters(r.counters.bytes_rcvd, r.counters.bytes_sent,
                                    r.counters.pkts_rcvd, r.counters.pkts_sent)}};
}

}  // namespace

std::string FormatJsonResult(const QueryAnswer& answer, const ResultLayout& layout,
                             absl::Duration dns_duration) {
  const v1::Summary& s = answer.summary;
  Json status;
  if (!answer.rows.empty()) {
    status = {{"code", "ok"}};
  } else if (DataAvailable(s)) {
    status = {{"code", "empty"}, {"message", "query returned no results"}};
  } else {
    status = {{"code", "missing_data"},
              {"message", "no data available for the specified interface(s) / time range"}};
  }
  Json timings{
      {"query_start", absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ",
                                       absl::FromUnixMicros(s.timings().query_start_unix_us()),
                                       absl::UTCTimeZone())},
      {"query_duration_ns", s.timings().query_duration_us() * 1000}};
  if (dns_duration > absl::ZeroDuration()) {
    timings["resolution"] = absl::ToInt64Nanoseconds(dns_duration);
  }
  Json attributes = Json::array();
  for (Attribute a : layout.attributes) {
    attributes.push_back(a == Attribute::kHost ? "hostname" : std::string(query::AttributeName(a)));
  }
  Json query{{"attributes", std::move(attributes)}};
  if (!layout.condition.empty()) query["condition"] = layout.condition;
  query["time_first"] = Rfc3339(layout.first);
  query["time_last"] = Rfc3339(layout.last);

  Json rows = Json::array();
  for (const query::ResultRow& r : answer.rows) rows.push_back(Row(r, layout));

  const bool data = DataAvailable(s);
  Json doc;
  if (!s.hostname().empty()) doc["hostname"] = s.hostname();
  doc["status"] = std::move(status);
  doc["hosts_statuses"] = HostsStatuses(answer.hosts);
  doc["summary"] = Json{
      {"interfaces", Json(std::vector<std::string>(s.interfaces().begin(), s.interfaces().end()))},
      {"time_first", data ? Rfc3339(s.time_first()) : Json(nullptr)},
      {"time_last", data ? Rfc3339(s.time_last()) : Json(nullptr)},
      {"totals", Counters(s.totals().bytes_rcvd(), s.totals().bytes_sent(),
                          s.totals().packets_rcvd(), s.totals().packets_sent())},
      {"timings", std::move(timings)},
      {"hits", Json{{"displayed", answer.rows.size()}, {"total", s.hits_total()}}},
      {"data_available", data},
  };
  doc["query"] = std::move(query);
  doc["rows"] = std::move(rows);
  return doc.dump() + "\n";
}

}  // namespace goprobe::goquery
