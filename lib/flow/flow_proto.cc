#include "lib/flow/flow_proto.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"

namespace goprobe::flow {
namespace {

constexpr uint32_t kMaxPort = 65535;
constexpr uint32_t kMaxProto = 255;
// Interface names and block times goDB can store (lib/godb/layout.h), so a
// batch valid on the wire is never refused by the disk format.
constexpr size_t kMaxIfaceBytes = 64;
constexpr int64_t kMaxBlockTime = 253402300799;

std::string KeyString(const FlowKey& k) {
  return absl::StrFormat("(sip %s, dip %s, dport %u, proto %u)", k.sip.ToString(), k.dip.ToString(),
                         k.dport, k.proto);
}

absl::StatusOr<IpAddress> IpFromBytes(absl::string_view field, const std::string& b) {
  if (b.size() == IpAddress::kV4Size) {
    return IpAddress::V4(reinterpret_cast<const uint8_t*>(b.data()));
  }
  if (b.size() == IpAddress::kV6Size) {
    return IpAddress::V6(reinterpret_cast<const uint8_t*>(b.data()));
  }
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": ", b.size(), " bytes, expected 4 (IPv4) or 16 (IPv6)"));
}

// Checks what a single row must satisfy to be representable on the wire.
absl::Status CheckRowEncodable(const FlowRow& row, size_t index) {
  if (row.key.sip.is_v4() != row.key.dip.is_v4()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "row ", index, " ", KeyString(row.key), ": sip and dip have different address families"));
  }
  if (row.counters.pkts_rcvd == 0 && row.counters.pkts_sent == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("row ", index, " ", KeyString(row.key), ": no packets in either direction"));
  }
  return absl::OkStatus();
}

// Indices of `rows` in wire order, or an error naming a row that cannot be
// encoded. Input that is already in wire order (as goDB returns it) is not
// sorted again.
absl::StatusOr<std::vector<uint32_t>> WireOrder(absl::Span<const FlowRow> rows) {
  if (rows.size() > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat(rows.size(), " rows exceed FlowColumns.row_count's range"));
  }
  std::vector<uint32_t> order(rows.size());
  bool sorted = true;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (absl::Status s = CheckRowEncodable(rows[i], i); !s.ok()) return s;
    order[i] = static_cast<uint32_t>(i);
    if (i > 0 && !(rows[i - 1].key < rows[i].key)) sorted = false;
  }
  if (sorted) return order;
  std::sort(order.begin(), order.end(), [&rows](uint32_t a, uint32_t b) {
    if (rows[a].key < rows[b].key) return true;
    if (rows[b].key < rows[a].key) return false;
    return a < b;
  });
  for (size_t i = 1; i < order.size(); ++i) {
    if (rows[order[i - 1]].key == rows[order[i]].key) {
      return absl::InvalidArgumentError(absl::StrCat("rows ", order[i - 1], " and ", order[i],
                                                     " have the same key ",
                                                     KeyString(rows[order[i]].key)));
    }
  }
  return order;
}

// Writes rows[order[begin..end)] as columns. The rows were checked by
// WireOrder. Returns their counter sums.
Counters WriteColumns(absl::Span<const FlowRow> rows, const std::vector<uint32_t>& order,
                      size_t begin, size_t end, v1::FlowColumns* out) {
  out->Clear();
  const size_t n = end - begin;
  size_t v4 = 0;
  while (begin + v4 < end && rows[order[begin + v4]].key.is_v4()) ++v4;
  out->set_row_count(static_cast<uint32_t>(n));
  out->set_ipv4_row_count(static_cast<uint32_t>(v4));

  const size_t ip_bytes = v4 * IpAddress::kV4Size + (n - v4) * IpAddress::kV6Size;
  std::string* sip = out->mutable_sip();
  std::string* dip = out->mutable_dip();
  sip->resize(ip_bytes);
  dip->resize(ip_bytes);
  char* sp = sip->data();
  char* dp = dip->data();

  out->mutable_dport()->Reserve(static_cast<int>(n));
  out->mutable_proto()->Reserve(static_cast<int>(n));
  out->mutable_bytes_rcvd()->Reserve(static_cast<int>(n));
  out->mutable_bytes_sent()->Reserve(static_cast<int>(n));
  out->mutable_packets_rcvd()->Reserve(static_cast<int>(n));
  out->mutable_packets_sent()->Reserve(static_cast<int>(n));

  Counters sum;
  for (size_t i = begin; i < end; ++i) {
    const FlowRow& r = rows[order[i]];
    const int size = r.key.sip.size();
    std::memcpy(sp, r.key.sip.data(), size);
    std::memcpy(dp, r.key.dip.data(), size);
    sp += size;
    dp += size;
    out->add_dport(r.key.dport);
    out->add_proto(r.key.proto);
    out->add_bytes_rcvd(r.counters.bytes_rcvd);
    out->add_bytes_sent(r.counters.bytes_sent);
    out->add_packets_rcvd(r.counters.pkts_rcvd);
    out->add_packets_sent(r.counters.pkts_sent);
    sum += r.counters;
  }
  return sum;
}

absl::Status CheckColumnSize(absl::string_view prefix, absl::string_view name, int size,
                             uint32_t rows) {
  if (static_cast<uint64_t>(size) == rows) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(prefix, name, ": ", size, " entries, expected row_count = ", rows));
}

// DecodeFlowColumns with field names prefixed by `prefix` ("FlowColumns." or
// "FlowBatch.flows."), appending to `rows`.
absl::Status DecodeColumns(const v1::FlowColumns& c, absl::string_view prefix,
                           std::vector<FlowRow>* rows) {
  const uint32_t n = c.row_count();
  const uint32_t v4 = c.ipv4_row_count();
  if (v4 > n) {
    return absl::InvalidArgumentError(
        absl::StrCat(prefix, "ipv4_row_count: ", v4, " exceeds row_count = ", n));
  }
  const uint64_t ip_bytes =
      uint64_t{v4} * IpAddress::kV4Size + uint64_t{n - v4} * IpAddress::kV6Size;
  for (auto [name, column] :
       {std::pair<absl::string_view, const std::string*>{"sip", &c.sip()}, {"dip", &c.dip()}}) {
    if (column->size() != ip_bytes) {
      return absl::InvalidArgumentError(absl::StrCat(prefix, name, ": ", column->size(),
                                                     " bytes, expected ", ip_bytes, " for ", v4,
                                                     " IPv4 and ", n - v4, " IPv6 rows"));
    }
  }
  for (auto [name, size] : {std::pair<absl::string_view, int>{"dport", c.dport_size()},
                            {"proto", c.proto_size()},
                            {"bytes_rcvd", c.bytes_rcvd_size()},
                            {"bytes_sent", c.bytes_sent_size()},
                            {"packets_rcvd", c.packets_rcvd_size()},
                            {"packets_sent", c.packets_sent_size()}}) {
    if (absl::Status s = CheckColumnSize(prefix, name, size, n); !s.ok()) return s;
  }

  const size_t first = rows->size();
  rows->resize(first + n);
  const uint8_t* sp = reinterpret_cast<const uint8_t*>(c.sip().data());
  const uint8_t* dp = reinterpret_cast<const uint8_t*>(c.dip().data());
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t dport = c.dport(i);
    const uint32_t proto = c.proto(i);
    if (dport > kMaxPort) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, "dport[", i, "]: ", dport, " exceeds ", kMaxPort));
    }
    if (proto > kMaxProto) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, "proto[", i, "]: ", proto, " exceeds ", kMaxProto));
    }
    FlowRow& r = (*rows)[first + i];
    if (i < v4) {
      r.key.sip = IpAddress::V4(sp);
      r.key.dip = IpAddress::V4(dp);
      sp += IpAddress::kV4Size;
      dp += IpAddress::kV4Size;
    } else {
      r.key.sip = IpAddress::V6(sp);
      r.key.dip = IpAddress::V6(dp);
      sp += IpAddress::kV6Size;
      dp += IpAddress::kV6Size;
    }
    r.key.dport = static_cast<uint16_t>(dport);
    r.key.proto = static_cast<uint8_t>(proto);
    r.counters.bytes_rcvd = c.bytes_rcvd(i);
    r.counters.bytes_sent = c.bytes_sent(i);
    r.counters.pkts_rcvd = c.packets_rcvd(i);
    r.counters.pkts_sent = c.packets_sent(i);
    if (r.counters.pkts_rcvd == 0 && r.counters.pkts_sent == 0) {
      return absl::InvalidArgumentError(absl::StrCat(prefix, "packets_rcvd[", i,
                                                     "] and packets_sent[", i,
                                                     "]: both 0, a flow needs a packet"));
    }
    if (i > 0 && !((*rows)[first + i - 1].key < r.key)) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, "rows ", i - 1, " and ", i, ": keys not strictly increasing ",
                       KeyString((*rows)[first + i - 1].key), " then ", KeyString(r.key)));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTotals(const v1::FlowBatch& batch, absl::Span<const FlowRow> rows) {
  Counters sum;
  for (const FlowRow& r : rows) sum += r.counters;  // wraps modulo 2^64, as the contract says
  const Counters totals = CountersFromProto(batch.totals());
  for (auto [name, got, want] : {std::tuple<absl::string_view, uint64_t, uint64_t>{
                                     "bytes_rcvd", totals.bytes_rcvd, sum.bytes_rcvd},
                                 {"bytes_sent", totals.bytes_sent, sum.bytes_sent},
                                 {"packets_rcvd", totals.pkts_rcvd, sum.pkts_rcvd},
                                 {"packets_sent", totals.pkts_sent, sum.pkts_sent}}) {
    if (got != want) {
      return absl::InvalidArgumentError(
          absl::StrCat("FlowBatch.totals.", name, ": ", got, ", but the rows sum to ", want));
    }
  }
  return absl::OkStatus();
}

uint32_t PartCount(const v1::FlowBatch& b) { return std::max<uint32_t>(b.part_count(), 1); }

std::string Identity(const v1::FlowBatch& b) {
  return absl::StrFormat("batch (host_id %u, iface \"%s\", block_time %d, sequence %u)",
                         b.host_id(), absl::CHexEscape(b.iface()), b.block_time(), b.sequence());
}

}  // namespace

void FlowKeyToProto(const FlowKey& key, v1::FlowKey* out) {
  out->set_sip(reinterpret_cast<const char*>(key.sip.data()), key.sip.size());
  out->set_dip(reinterpret_cast<const char*>(key.dip.data()), key.dip.size());
  out->set_dport(key.dport);
  out->set_proto(key.proto);
}

absl::StatusOr<FlowKey> FlowKeyFromProto(const v1::FlowKey& msg) {
  FlowKey key;
  absl::StatusOr<IpAddress> sip = IpFromBytes("FlowKey.sip", msg.sip());
  if (!sip.ok()) return sip.status();
  absl::StatusOr<IpAddress> dip = IpFromBytes("FlowKey.dip", msg.dip());
  if (!dip.ok()) return dip.status();
  if (sip->is_v4() != dip->is_v4()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "FlowKey.dip: ", dip->ToString(), " is not of the same family as sip ", sip->ToString()));
  }
  if (msg.dport() > kMaxPort) {
    return absl::InvalidArgumentError(
        absl::StrCat("FlowKey.dport: ", msg.dport(), " exceeds ", kMaxPort));
  }
  if (msg.proto() > kMaxProto) {
    return absl::InvalidArgumentError(
        absl::StrCat("FlowKey.proto: ", msg.proto(), " exceeds ", kMaxProto));
  }
  key.sip = *sip;
  key.dip = *dip;
  key.dport = static_cast<uint16_t>(msg.dport());
  key.proto = static_cast<uint8_t>(msg.proto());
  return key;
}

void CountersToProto(const Counters& counters, v1::Counters* out) {
  out->set_bytes_rcvd(counters.bytes_rcvd);
  out->set_bytes_sent(counters.bytes_sent);
  out->set_packets_rcvd(counters.pkts_rcvd);
  out->set_packets_sent(counters.pkts_sent);
}

Counters CountersFromProto(const v1::Counters& msg) {
  Counters c;
  c.bytes_rcvd = msg.bytes_rcvd();
  c.bytes_sent = msg.bytes_sent();
  c.pkts_rcvd = msg.packets_rcvd();
  c.pkts_sent = msg.packets_sent();
  return c;
}

absl::Status EncodeFlowColumns(absl::Span<const FlowRow> rows, v1::FlowColumns* out) {
  absl::StatusOr<std::vector<uint32_t>> order = WireOrder(rows);
  if (!order.ok()) return order.status();
  WriteColumns(rows, *order, 0, rows.size(), out);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<FlowRow>> DecodeFlowColumns(const v1::FlowColumns& columns) {
  std::vector<FlowRow> rows;
  if (absl::Status s = DecodeColumns(columns, "FlowColumns.", &rows); !s.ok()) return s;
  return rows;
}

absl::Status SetBatchRows(absl::Span<const FlowRow> rows, v1::FlowBatch* batch) {
  absl::StatusOr<std::vector<uint32_t>> order = WireOrder(rows);
  if (!order.ok()) return order.status();
  const Counters sum = WriteColumns(rows, *order, 0, rows.size(), batch->mutable_flows());
  CountersToProto(sum, batch->mutable_totals());
  batch->set_part(0);
  batch->set_part_count(1);
  return absl::OkStatus();
}

absl::StatusOr<std::vector<v1::FlowBatch>> EncodeBatchParts(const v1::FlowBatch& header,
                                                            absl::Span<const FlowRow> rows,
                                                            size_t max_rows_per_part) {
  if (max_rows_per_part == 0) {
    return absl::InvalidArgumentError("max_rows_per_part must be > 0");
  }
  v1::FlowBatch h = header;
  h.clear_flows();
  h.clear_totals();
  h.set_part(0);
  h.set_part_count(1);
  if (absl::Status s = ValidateBatchHeader(h); !s.ok()) return s;
  absl::StatusOr<std::vector<uint32_t>> order = WireOrder(rows);
  if (!order.ok()) return order.status();

  const size_t count =
      std::max<size_t>(1, (rows.size() + max_rows_per_part - 1) / max_rows_per_part);
  if (count > std::numeric_limits<uint32_t>::max()) {
    return absl::InvalidArgumentError(absl::StrCat(count, " parts exceed part_count's range"));
  }
  std::vector<v1::FlowBatch> parts(count);
  for (size_t p = 0; p < count; ++p) {
    v1::FlowBatch& part = parts[p];
    part = h;
    part.set_part(static_cast<uint32_t>(p));
    part.set_part_count(static_cast<uint32_t>(count));
    if (p > 0) part.clear_capture();
    const size_t begin = p * max_rows_per_part;
    const size_t end = std::min(rows.size(), begin + max_rows_per_part);
    const Counters sum = WriteColumns(rows, *order, begin, end, part.mutable_flows());
    CountersToProto(sum, part.mutable_totals());
  }
  return parts;
}

absl::Status ValidateBatchHeader(const v1::FlowBatch& batch) {
  if (batch.host_id() == 0) return absl::InvalidArgumentError("FlowBatch.host_id: is 0");
  if (batch.hostname().empty()) return absl::InvalidArgumentError("FlowBatch.hostname: is empty");
  const std::string& iface = batch.iface();
  if (iface.empty() || iface.size() > kMaxIfaceBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("FlowBatch.iface: ", iface.size(), " bytes, must be 1 to ", kMaxIfaceBytes));
  }
  if (iface[0] == '.') {
    return absl::InvalidArgumentError(
        absl::StrCat("FlowBatch.iface: \"", absl::CHexEscape(iface), "\" starts with '.'"));
  }
  for (char ch : iface) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(ch)) &&
        absl::string_view("._:@+-").find(ch) == absl::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("FlowBatch.iface: \"", absl::CHexEscape(iface),
                       "\" has a character other than letters, digits and ._:@+-"));
    }
  }
  if (batch.block_time() <= 0 || batch.block_time() > kMaxBlockTime) {
    return absl::InvalidArgumentError(absl::StrCat("FlowBatch.block_time: ", batch.block_time(),
                                                   ", must be in [1, ", kMaxBlockTime, "]"));
  }
  if (batch.part() >= PartCount(batch)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "FlowBatch.part: ", batch.part(), ", must be below part_count ", PartCount(batch)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<FlowRow>> RowsFromBatch(const v1::FlowBatch& batch) {
  if (absl::Status s = ValidateBatchHeader(batch); !s.ok()) return s;
  std::vector<FlowRow> rows;
  if (absl::Status s = DecodeColumns(batch.flows(), "FlowBatch.flows.", &rows); !s.ok()) return s;
  if (absl::Status s = CheckTotals(batch, rows); !s.ok()) return s;
  return rows;
}

bool BatchAssembler::SameBatch(const v1::FlowBatch& part) const {
  return part.host_id() == header_.host_id() && part.iface() == header_.iface() &&
         part.block_time() == header_.block_time() && part.sequence() == header_.sequence();
}

void BatchAssembler::Reset() {
  state_ = State::kIdle;
  next_part_ = 0;
  part_count_ = 1;
  header_.Clear();
  rows_.clear();
}

absl::Status BatchAssembler::Reject(const v1::FlowBatch& part, absl::Status status) {
  // Remember the identity so the batch's remaining parts can be skipped.
  const uint32_t count = PartCount(part);
  const bool more_parts = part.part() + 1 < count;
  header_.Clear();
  header_.set_host_id(part.host_id());
  header_.set_iface(part.iface());
  header_.set_block_time(part.block_time());
  header_.set_sequence(part.sequence());
  rows_.clear();
  state_ = more_parts ? State::kIgnoring : State::kIdle;
  next_part_ = part.part() + 1;
  part_count_ = count;
  return status;
}

absl::StatusOr<BatchAssembler::Progress> BatchAssembler::Add(const v1::FlowBatch& part) {
  if (state_ == State::kIgnoring) {
    if (SameBatch(part)) {
      if (part.part() + 1 >= part_count_) Reset();
      return Progress::kIgnored;
    }
    Reset();  // the rejected batch's sender moved on
  }
  if (state_ == State::kAssembling && !SameBatch(part)) {
    const std::string pending = Identity(header_);
    const uint32_t expected = next_part_;
    const uint32_t count = part_count_;
    Reset();
    return absl::FailedPreconditionError(absl::StrCat(pending, ": part ", expected, " of ", count,
                                                      " expected, got part ", part.part(),
                                                      " of another ", Identity(part)));
  }
  if (state_ == State::kIdle) {
    // Rows of a previous, completed batch are dropped only now so the caller
    // could use them until this call.
    header_.Clear();
    rows_.clear();
    next_part_ = 0;
    part_count_ = PartCount(part);
  }
  if (absl::Status s = ValidateBatchHeader(part); !s.ok()) return Reject(part, s);
  if (part.part() != next_part_) {
    const std::string id = Identity(part);
    const uint32_t expected = next_part_;
    Reset();
    return absl::FailedPreconditionError(
        absl::StrCat(id, ": part ", expected, " expected, got part ", part.part()));
  }
  if (state_ == State::kAssembling) {
    if (PartCount(part) != part_count_) {
      return Reject(part, absl::InvalidArgumentError(
                              absl::StrCat("FlowBatch.part_count: ", PartCount(part), " in part ",
                                           part.part(), ", but ", part_count_, " in part 0")));
    }
    if (part.hostname() != header_.hostname()) {
      return Reject(part, absl::InvalidArgumentError(absl::StrCat(
                              "FlowBatch.hostname: \"", part.hostname(), "\" in part ", part.part(),
                              ", but \"", header_.hostname(), "\" in part 0")));
    }
  }

  const size_t first = rows_.size();
  if (absl::Status s = DecodeColumns(part.flows(), "FlowBatch.flows.", &rows_); !s.ok()) {
    return Reject(part, s);
  }
  const absl::Span<const FlowRow> added = absl::MakeConstSpan(rows_).subspan(first);
  if (absl::Status s = CheckTotals(part, added); !s.ok()) return Reject(part, s);
  if (first > 0 && !added.empty() && !(rows_[first - 1].key < rows_[first].key)) {
    return Reject(part, absl::InvalidArgumentError(absl::StrCat(
                            "FlowBatch.flows: the first key of part ", part.part(), " ",
                            KeyString(rows_[first].key), " does not follow the last key of part ",
                            part.part() - 1, " ", KeyString(rows_[first - 1].key))));
  }

  if (state_ == State::kIdle) {
    header_ = part;
    header_.clear_flows();
    state_ = State::kAssembling;
  } else {
    Counters totals = CountersFromProto(header_.totals());
    totals += CountersFromProto(part.totals());
    CountersToProto(totals, header_.mutable_totals());
  }
  ++next_part_;
  if (next_part_ < part_count_) return Progress::kNeedMore;
  state_ = State::kIdle;
  next_part_ = 0;
  return Progress::kComplete;
}

}  // namespace goprobe::flow
