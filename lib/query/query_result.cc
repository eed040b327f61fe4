#include "lib/query/query_result.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <vector>
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

// A group that may make the cut, with its counters after the direction.
struct Candidate {
  uint64_t hi, lo;  // the group's key
  flow::Counters counters;
  uint64_t metric;
};

// What one finalising thread gathers from the partitions it walks.
struct Share {
  flow::Counters totals;
  uint64_t hits = 0;
  // The best `limit` metrics it saw, the worst of them at the front (a heap).
  std::vector<uint64_t> best;
  std::vector<Candidate> candidates;
};

}  // namespace

void FinalizeRows(const Aggregate& aggregate, const V6AddressIds& v6_ids,
                  const LabelTable& labels, const QuerySpec& spec, int threads,
                  QueryResult* result) {
  // Only rows that can make the cut become ResultRows: a top-10 over
  // millions of groups must not build millions of rows. Each thread keeps
  // the groups whose metric was at least its running limit-th best when it
  // saw them; the overall limit-th best then decides which of those stay.
  const bool cut = !spec.partial && spec.limit > 0 && spec.sort_by != SortBy::kTime;
  const size_t limit = spec.limit;
  // before(a, b): metric a ranks strictly ahead of b.
  const auto before = [&spec](uint64_t a, uint64_t b) { return spec.ascending ? a < b : a > b; };
  std::vector<Share> shares(std::max(threads, 1));
  ForEachPartitionInParallel(int(shares.size()), [&](int thread, size_t partition) {
    Share& s = shares[thread];
    aggregate.ForEach(partition, [&](const GroupEntry& e) {
      flow::Counters c = e.counters;
      if (!spec.partial) {
        if (spec.direction_filter && !condition::DirectionMatches(*spec.direction_filter, c)) {
          return;
        }
        if (!ApplyDirection(spec.direction, &c)) return;
      }
      s.totals += c;
      ++s.hits;
      const uint64_t m = Metric(spec.sort_by, c);
      if (cut) {
        if (s.best.size() < limit) {
          s.best.push_back(m);
          std::push_heap(s.best.begin(), s.best.end(), before);
        } else if (before(s.best.front(), m)) {
          return;  // worse than `limit` groups already seen
        } else if (before(m, s.best.front())) {
          std::pop_heap(s.best.begin(), s.best.end(), before);
          s.best.back() = m;
          std::push_heap(s.best.begin(), s.best.end(), before);
        }
      }
      s.candidates.push_back({e.hi, e.lo, c, m});
    });
  });

  std::optional<uint64_t> threshold;
  if (cut) {
    std::vector<uint64_t> best;
    for (const Share& s : shares) best.insert(best.end(), s.best.begin(), s.best.end());
    if (best.size() > limit) {
      std::nth_element(best.begin(), best.begin() + (limit - 1), best.end(), before);
      threshold = best[limit - 1];
    }
  }
  const bool time = spec.attributes.Has(Attribute::kTime);
  const bool iface = spec.attributes.Has(Attribute::kIface);
  const bool sip = spec.attributes.Has(Attribute::kSip);
  const bool dip = spec.attributes.Has(Attribute::kDip);
  const auto address = [&v6_ids](bool v6, uint32_t a) {
    return v6 ? godb::IpFromV6Value(v6_ids.Address(a)) : flow::IpAddress::V4(a);
  };
  std::vector<ResultRow>& rows = result->rows;
  rows.clear();
  result->totals = {};
  uint64_t hits = 0;
  for (const Share& s : shares) {
    result->totals += s.totals;
    hits += s.hits;
    for (const Candidate& c : s.candidates) {
      if (threshold && before(*threshold, c.metric)) continue;
      const uint64_t hi = c.hi, lo = c.lo;
      ResultRow& r = rows.emplace_back();
      r.counters = c.counters;
      if (time) r.time = labels.Time(GroupKey::Label(lo));
      if (iface) r.iface = labels.Iface(GroupKey::Label(lo));
      if (sip) r.sip = address(GroupKey::IsV6(lo), GroupKey::Sip(hi));
      if (dip) r.dip = address(GroupKey::IsV6(lo), GroupKey::Dip(hi));
      r.dport = GroupKey::Dport(lo);
      r.proto = GroupKey::Proto(lo);
    }
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
