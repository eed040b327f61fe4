#include "lib/query/query_result.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <tuple>

#include "lib/godb/block.h"

namespace goprobe::query {
namespace {

// Zeroes what the direction does not show; false if nothing is left.
// Partial results keep every counter: the root applies the direction after
// merging, since a row's direction may depend on other hosts' counters.
bool ApplyDirection(Direction d, flow::Counters* c) {
  switch (d) {
    case Direction::kIn:
      c->bytes_sent = c->pkts_sent = 0;
      return c->bytes_rcvd != 0 || c->pkts_rcvd != 0;
    case Direction::kOut:
      c->bytes_rcvd = c->pkts_rcvd = 0;
      return c->bytes_sent != 0 || c->pkts_sent != 0;
    default:
      return true;
  }
}

auto TieKey(const ResultRow& r) {
  return std::tie(r.time, r.hostname, r.host_id, r.iface, r.sip, r.dip, r.dport, r.proto);
}

}  // namespace

void SortAndCut(const QuerySpec& spec, std::vector<ResultRow>* rows) {
  if (spec.partial) return;
  const auto metric = [&spec](const ResultRow& r) -> uint64_t {
    switch (spec.sort_by) {
      case SortBy::kPackets: return r.counters.pkts_rcvd + r.counters.pkts_sent;
      case SortBy::kTime: return 0;
      default: return r.counters.bytes_rcvd + r.counters.bytes_sent;
    }
  };
  const auto less = [&](const ResultRow& a, const ResultRow& b) {
    if (spec.sort_by == SortBy::kTime) {
      if (a.time != b.time) return spec.ascending ? a.time < b.time : a.time > b.time;
      const uint64_t ma = a.counters.bytes_rcvd + a.counters.bytes_sent;
      const uint64_t mb = b.counters.bytes_rcvd + b.counters.bytes_sent;
      if (ma != mb) return ma > mb;
    } else {
      const uint64_t ma = metric(a), mb = metric(b);
      if (ma != mb) return spec.ascending ? ma < mb : ma > mb;
    }
    return TieKey(a) < TieKey(b);
  };
  if (spec.limit > 0 && spec.limit < rows->size()) {
    std::partial_sort(rows->begin(), rows->begin() + spec.limit, rows->end(), less);
    rows->resize(spec.limit);
  } else {
    std::sort(rows->begin(), rows->end(), less);
  }
}

namespace {

uint64_t Metric(SortBy sort_by, const flow::Counters& c) {
  return sort_by == SortBy::kPackets ? c.pkts_rcvd + c.pkts_sent : c.bytes_rcvd + c.bytes_sent;
}

// The metric a row needs to reach to be among the first `limit` rows (ties
// included), or nothing when every row is returned or the sort is by time.
std::optional<uint64_t> Threshold(const PartialAggregate& aggregate, const QuerySpec& spec) {
  if (spec.partial || spec.limit == 0 || spec.sort_by == SortBy::kTime ||
      aggregate.size() <= spec.limit) {
    return std::nullopt;
  }
  std::vector<uint64_t> metrics;
  metrics.reserve(aggregate.size());
  const auto collect = [&](const flow::Counters& counters) {
    if (spec.direction_filter && !condition::DirectionMatches(*spec.direction_filter, counters)) {
      return;
    }
    flow::Counters c = counters;
    if (ApplyDirection(spec.direction, &c)) metrics.push_back(Metric(spec.sort_by, c));
  };
  for (const auto& [k, c] : aggregate.v4()) collect(c);
  for (const auto& [k, c] : aggregate.v6()) collect(c);
  if (metrics.size() <= spec.limit) return std::nullopt;
  const auto nth = metrics.begin() + (spec.limit - 1);
  if (spec.ascending) {
    std::nth_element(metrics.begin(), nth, metrics.end());
  } else {
    std::nth_element(metrics.begin(), nth, metrics.end(), std::greater<uint64_t>());
  }
  return *nth;
}

}  // namespace

void FinalizeRows(const PartialAggregate& aggregate, const LabelTable& labels,
                  const QuerySpec& spec, QueryResult* result) {
  const bool time = spec.attributes.Has(Attribute::kTime);
  const bool iface = spec.attributes.Has(Attribute::kIface);
  // Only rows that can make the cut become ResultRows: a top-10 over
  // millions of groups must not build millions of rows.
  const std::optional<uint64_t> threshold = Threshold(aggregate, spec);
  const auto can_make_cut = [&](uint64_t metric) {
    return !threshold || (spec.ascending ? metric <= *threshold : metric >= *threshold);
  };
  std::vector<ResultRow>& rows = result->rows;
  rows.clear();
  uint64_t hits = 0;
  const auto add = [&](uint32_t label, flow::Counters c) -> ResultRow* {
    if (!spec.partial) {
      if (spec.direction_filter && !condition::DirectionMatches(*spec.direction_filter, c)) {
        return nullptr;
      }
      if (!ApplyDirection(spec.direction, &c)) return nullptr;
    }
    result->totals += c;
    ++hits;
    if (!can_make_cut(Metric(spec.sort_by, c))) return nullptr;
    ResultRow& r = rows.emplace_back();
    r.counters = c;
    if (time) r.time = labels.Time(label);
    if (iface) r.iface = labels.Iface(label);
    return &r;
  };
  const bool sip = spec.attributes.Has(Attribute::kSip);
  const bool dip = spec.attributes.Has(Attribute::kDip);
  for (const auto& [k, c] : aggregate.v4()) {
    ResultRow* r = add(k.label, c);
    if (r == nullptr) continue;
    if (sip) r->sip = flow::IpAddress::V4(k.sip);
    if (dip) r->dip = flow::IpAddress::V4(k.dip);
    r->dport = k.dport;
    r->proto = k.proto;
  }
  for (const auto& [k, c] : aggregate.v6()) {
    ResultRow* r = add(k.label, c);
    if (r == nullptr) continue;
    if (sip) r->sip = godb::IpFromV6Value(k.sip);
    if (dip) r->dip = godb::IpFromV6Value(k.dip);
    r->dport = k.dport;
    r->proto = k.proto;
  }
  result->hits_total = hits;
  SortAndCut(spec, &rows);
}

void FinishMergedRows(const QuerySpec& spec, std::vector<ResultRow> rows, QueryResult* result) {
  result->rows.clear();
  result->totals = {};
  for (ResultRow& r : rows) {
    if (spec.direction_filter && !condition::DirectionMatches(*spec.direction_filter, r.counters)) {
      continue;
    }
    if (!ApplyDirection(spec.direction, &r.counters)) continue;
    result->totals += r.counters;
    result->rows.push_back(std::move(r));
  }
  result->hits_total = result->rows.size();
  SortAndCut(spec, &result->rows);
}

}  // namespace goprobe::query
