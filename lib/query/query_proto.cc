#include "lib/query/query_proto.h"

#include <unistd.h>

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "lib/godb/layout.h"

namespace goprobe::query {
namespace {

absl::StatusOr<Attribute> FromProto(v1::Attribute a) {
  switch (a) {
    case v1::ATTRIBUTE_SIP: return Attribute::kSip;
    case v1::ATTRIBUTE_DIP: return Attribute::kDip;
    case v1::ATTRIBUTE_DPORT: return Attribute::kDport;
    case v1::ATTRIBUTE_PROTO: return Attribute::kProto;
    case v1::ATTRIBUTE_IFACE: return Attribute::kIface;
    case v1::ATTRIBUTE_TIME: return Attribute::kTime;
    case v1::ATTRIBUTE_HOST: return Attribute::kHost;
    case v1::ATTRIBUTE_HOSTID: return Attribute::kHostId;
    default:
      return absl::InvalidArgumentError(absl::StrCat("attributes: unknown attribute ", int(a)));
  }
}

uint64_t PhysicalMemory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : 0;
}

uint64_t SmallestSet(std::initializer_list<uint64_t> caps) {
  uint64_t out = 0;
  for (uint64_t c : caps) {
    if (c != 0 && (out == 0 || c < out)) out = c;
  }
  return out;
}

}  // namespace

int64_t AutoResolution(int64_t first, int64_t last) {
  if (first <= 0 || last >= godb::kMaxBlockTime) return 300;
  for (int64_t r : {300, 900, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600}) {
    if ((last - first) / r <= 288) return r;
  }
  return 86400;
}

absl::StatusOr<QuerySpec> SpecFromRequest(const v1::QueryRequest& request,
                                          const ConditionCompiler& compile_condition,
                                          const ServerLimits& limits) {
  QuerySpec spec;
  if (request.attributes().empty()) {
    return absl::InvalidArgumentError("attributes: at least one is needed");
  }
  for (int a : request.attributes()) {
    absl::StatusOr<Attribute> attribute = FromProto(v1::Attribute(a));
    if (!attribute.ok()) return attribute.status();
    spec.attributes.Add(*attribute);
  }
  spec.first = request.first();
  spec.last = request.last() == 0 ? godb::kMaxBlockTime : request.last();
  if (spec.first < 0 || spec.last < spec.first) {
    return absl::InvalidArgumentError(absl::StrCat("time range: first (", request.first(),
                                                   ") must not be after last (", request.last(),
                                                   ")"));
  }
  if (request.resolution_seconds() % 300 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "resolution_seconds: ", request.resolution_seconds(), " is not a multiple of 300"));
  }
  spec.resolution = request.resolution_seconds() != 0 ? request.resolution_seconds()
                    : spec.attributes.Has(Attribute::kTime) ? AutoResolution(spec.first, spec.last)
                                                            : 300;
  absl::StatusOr<InterfaceSelector> ifaces = InterfaceSelector::FromProto(request.interfaces());
  if (!ifaces.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("interfaces: ", ifaces.status().message()));
  }
  spec.interfaces = std::move(*ifaces);
  if (!request.condition().empty()) {
    if (!compile_condition) {
      return absl::InvalidArgumentError("condition: this server evaluates no conditions");
    }
    absl::StatusOr<CompiledCondition> condition = compile_condition(request.condition());
    if (!condition.ok()) return condition.status();
    spec.condition = std::move(condition->rows);
    spec.direction_filter = condition->direction;
  }
  switch (request.sort_by()) {
    case v1::SORT_BY_PACKETS: spec.sort_by = SortBy::kPackets; break;
    case v1::SORT_BY_TIME: spec.sort_by = SortBy::kTime; break;
    default: spec.sort_by = SortBy::kBytes; break;
  }
  spec.ascending = request.ascending();
  spec.limit = request.limit();
  switch (request.direction()) {
    case v1::DIRECTION_IN: spec.direction = Direction::kIn; break;
    case v1::DIRECTION_OUT: spec.direction = Direction::kOut; break;
    case v1::DIRECTION_SUM: spec.direction = Direction::kSum; break;
    default: spec.direction = Direction::kBoth; break;
  }
  spec.partial = request.partial();
  if (limits.max_rows != 0 && !spec.partial) {
    if (request.limit() > limits.max_rows) {
      return absl::InvalidArgumentError(absl::StrCat("limit: ", request.limit(),
                                                     " rows is more than this server's "
                                                     "query.max_rows (",
                                                     limits.max_rows, ")"));
    }
    if (spec.limit == 0) spec.limit = limits.max_rows;
  }
  if (request.max_memory_percent() > 100) {
    return absl::InvalidArgumentError(absl::StrCat(
        "max_memory_percent: ", request.max_memory_percent(), " is more than 100"));
  }
  const uint64_t physical =
      limits.physical_memory_bytes != 0 ? limits.physical_memory_bytes : PhysicalMemory();
  spec.max_memory_bytes =
      SmallestSet({limits.max_memory_bytes, request.max_memory_bytes(),
                   request.max_memory_percent() == 0
                       ? 0
                       : physical / 100 * request.max_memory_percent()});
  if (request.timeout_ms() != 0) {
    spec.deadline = absl::Now() + absl::Milliseconds(request.timeout_ms());
  }
  if (request.progress_interval_ms() != 0) {
    // Progress is a courtesy to a person watching: a client asking for it
    // every millisecond would make the server write more progress than rows.
    spec.progress_interval =
        std::max(kMinProgressInterval, absl::Milliseconds(request.progress_interval_ms()));
  }
  return spec;
}

dns::AddressNames ResolveRowNames(const std::vector<ResultRow>& rows, AttributeSet attributes,
                                  const v1::DnsResolution& dns, absl::Duration* took,
                                  const dns::ReverseLookup& lookup) {
  *took = absl::ZeroDuration();
  const bool sip = attributes.Has(Attribute::kSip), dip = attributes.Has(Attribute::kDip);
  if (!dns.enabled() || (!sip && !dip)) return {};
  const size_t max_rows = dns.max_rows() != 0 ? dns.max_rows() : 25;
  std::vector<flow::IpAddress> addresses;
  for (size_t i = 0; i < rows.size() && i < max_rows; ++i) {
    if (sip) addresses.push_back(rows[i].sip);
    if (dip) addresses.push_back(rows[i].dip);
  }
  const absl::Time start = absl::Now();
  dns::ReverseDnsOptions options;
  options.timeout = absl::Milliseconds(dns.timeout_ms() != 0 ? dns.timeout_ms() : 1000);
  options.lookup = lookup;
  dns::AddressNames names = dns::ResolveAddresses(addresses, options);
  *took = absl::Now() - start;
  return names;
}

std::vector<v1::QueryResponse> RowsToChunks(const std::vector<ResultRow>& rows,
                                            AttributeSet attributes, size_t rows_per_chunk,
                                            const dns::AddressNames* names) {
  const auto name_of = [names](const flow::IpAddress& a) {
    auto it = names->find(a);
    return it == names->end() ? std::string() : it->second;
  };
  std::vector<v1::QueryResponse> out;
  const bool time = attributes.Has(Attribute::kTime), iface = attributes.Has(Attribute::kIface);
  const bool host = attributes.Has(Attribute::kHost) || attributes.Has(Attribute::kHostId);
  const bool sip = attributes.Has(Attribute::kSip), dip = attributes.Has(Attribute::kDip);
  const bool dport = attributes.Has(Attribute::kDport), proto = attributes.Has(Attribute::kProto);
  for (size_t begin = 0; begin < rows.size(); begin += rows_per_chunk) {
    const size_t end = std::min(rows.size(), begin + rows_per_chunk);
    v1::RowsChunk* chunk = out.emplace_back().mutable_rows();
    chunk->set_row_count(uint32_t(end - begin));
    absl::flat_hash_map<std::string, uint32_t> ifaces;
    absl::flat_hash_map<std::pair<std::string, uint64_t>, uint32_t> hosts;
    for (size_t i = begin; i < end; ++i) {
      const ResultRow& r = rows[i];
      if (time) chunk->add_time(r.time);
      if (host) {
        auto [it, inserted] = hosts.emplace(std::make_pair(r.hostname, r.host_id), uint32_t(hosts.size()));
        if (inserted) {
          v1::HostRef* ref = chunk->add_host_dict();
          ref->set_hostname(r.hostname);
          ref->set_host_id(r.host_id);
        }
        chunk->add_host(it->second);
      }
      if (iface) {
        auto [it, inserted] = ifaces.emplace(r.iface, uint32_t(ifaces.size()));
        if (inserted) chunk->add_iface_dict(r.iface);
        chunk->add_iface(it->second);
      }
      if (sip) {
        chunk->mutable_sip()->append(reinterpret_cast<const char*>(r.sip.data()), r.sip.size());
        chunk->add_sip_is_v6(!r.sip.is_v4());
        if (names != nullptr) chunk->add_sip_name(name_of(r.sip));
      }
      if (dip) {
        chunk->mutable_dip()->append(reinterpret_cast<const char*>(r.dip.data()), r.dip.size());
        chunk->add_dip_is_v6(!r.dip.is_v4());
        if (names != nullptr) chunk->add_dip_name(name_of(r.dip));
      }
      if (dport) chunk->add_dport(r.dport);
      if (proto) chunk->add_proto(r.proto);
      chunk->add_bytes_rcvd(r.counters.bytes_rcvd);
      chunk->add_bytes_sent(r.counters.bytes_sent);
      chunk->add_packets_rcvd(r.counters.pkts_rcvd);
      chunk->add_packets_sent(r.counters.pkts_sent);
    }
  }
  return out;
}

absl::StatusOr<std::vector<ResultRow>> RowsFromChunk(const v1::RowsChunk& chunk) {
  const int n = int(chunk.row_count());
  const auto bad = [](absl::string_view field) {
    return absl::InvalidArgumentError(
        absl::StrCat("RowsChunk.", field, ": length disagrees with row_count"));
  };
  const auto optional_ok = [n](int size) { return size == 0 || size == n; };
  if (!optional_ok(chunk.time_size())) return bad("time");
  if (!optional_ok(chunk.iface_size())) return bad("iface");
  if (!optional_ok(chunk.host_size())) return bad("host");
  if (!optional_ok(chunk.sip_is_v6_size())) return bad("sip_is_v6");
  if (!optional_ok(chunk.dip_is_v6_size())) return bad("dip_is_v6");
  if (!optional_ok(chunk.dport_size())) return bad("dport");
  if (!optional_ok(chunk.proto_size())) return bad("proto");
  if (chunk.bytes_rcvd_size() != n || chunk.bytes_sent_size() != n ||
      chunk.packets_rcvd_size() != n || chunk.packets_sent_size() != n) {
    return bad("counters");
  }
  std::vector<ResultRow> rows(n);
  size_t sip_at = 0, dip_at = 0;
  for (int i = 0; i < n; ++i) {
    ResultRow& r = rows[i];
    if (chunk.time_size()) r.time = chunk.time(i);
    if (chunk.iface_size()) {
      if (chunk.iface(i) >= uint32_t(chunk.iface_dict_size())) return bad("iface");
      r.iface = chunk.iface_dict(int(chunk.iface(i)));
    }
    if (chunk.host_size()) {
      if (chunk.host(i) >= uint32_t(chunk.host_dict_size())) return bad("host");
      r.hostname = chunk.host_dict(int(chunk.host(i))).hostname();
      r.host_id = chunk.host_dict(int(chunk.host(i))).host_id();
    }
    const auto address = [&](const std::string& bytes, bool v6, size_t* at,
                             flow::IpAddress* out) {
      const size_t len = v6 ? 16 : 4;
      if (*at + len > bytes.size()) return false;
      const auto* p = reinterpret_cast<const uint8_t*>(bytes.data() + *at);
      *out = v6 ? flow::IpAddress::V6(p) : flow::IpAddress::V4(p);
      *at += len;
      return true;
    };
    if (chunk.sip_is_v6_size() && !address(chunk.sip(), chunk.sip_is_v6(i), &sip_at, &r.sip)) {
      return bad("sip");
    }
    if (chunk.dip_is_v6_size() && !address(chunk.dip(), chunk.dip_is_v6(i), &dip_at, &r.dip)) {
      return bad("dip");
    }
    if (chunk.dport_size()) {
      if (chunk.dport(i) > 65535) return bad("dport");
      r.dport = uint16_t(chunk.dport(i));
    }
    if (chunk.proto_size()) {
      if (chunk.proto(i) > 255) return bad("proto");
      r.proto = uint8_t(chunk.proto(i));
    }
    r.counters = {chunk.bytes_rcvd(i), chunk.bytes_sent(i), chunk.packets_rcvd(i),
                  chunk.packets_sent(i)};
  }
  if (sip_at != chunk.sip().size()) return bad("sip");
  if (dip_at != chunk.dip().size()) return bad("dip");
  return rows;
}

v1::Progress ProgressToProto(const ScanStats& scan, absl::Duration elapsed) {
  v1::Progress p;
  p.mutable_scan()->set_blocks_total(scan.blocks_total);
  p.mutable_scan()->set_blocks_scanned(scan.blocks_scanned);
  p.mutable_scan()->set_blocks_corrupt(scan.blocks_corrupt);
  p.mutable_scan()->set_rows_scanned(scan.rows_scanned);
  p.set_elapsed_us(uint64_t(absl::ToInt64Microseconds(elapsed)));
  return p;
}

}  // namespace goprobe::query
