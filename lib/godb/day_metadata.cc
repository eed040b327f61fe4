#include "lib/godb/day_metadata.h"

#include <xxhash.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/godb/coding.h"

namespace goprobe::godb {
namespace {

constexpr char kMagic[8] = {'G', 'P', 'D', 'B', 'M', 'E', 'T', 'A'};
constexpr uint32_t kVersion = 1;
constexpr size_t kHeaderSize = 32;
constexpr size_t kTotalsSize = 10 * 8;
constexpr size_t kRecordSize = 8 + 4 + 4 + 4 + 4 + kTotalsSize + kNumFiles * 12;
constexpr size_t kFixedSize = kHeaderSize + kNumFiles * 8 + kTotalsSize;
constexpr size_t kChecksumSize = 8;
constexpr int64_t kDay = 86400;

void PutTotals(std::string* out, const Totals& t) {
  for (uint64_t v : {t.traffic.bytes_rcvd, t.traffic.bytes_sent, t.traffic.pkts_rcvd,
                     t.traffic.pkts_sent, t.flows_v4, t.flows_v6, t.capture.pkts_received,
                     t.capture.pkts_dropped_kernel, t.capture.pkts_dropped_iface,
                     t.capture.pkts_malformed}) {
    PutFixed64(out, v);
  }
}

Totals GetTotals(const char* p) {
  Totals t;
  uint64_t* fields[10] = {&t.traffic.bytes_rcvd,         &t.traffic.bytes_sent,
                          &t.traffic.pkts_rcvd,          &t.traffic.pkts_sent,
                          &t.flows_v4,                   &t.flows_v6,
                          &t.capture.pkts_received,      &t.capture.pkts_dropped_kernel,
                          &t.capture.pkts_dropped_iface, &t.capture.pkts_malformed};
  for (int i = 0; i < 10; ++i) *fields[i] = DecodeFixed64(p + 8 * i);
  return t;
}

}  // namespace

int DayMetadata::Find(int64_t time) const {
  auto it = std::lower_bound(blocks.begin(), blocks.end(), time,
                             [](const BlockInfo& b, int64_t t) { return b.time < t; });
  return it != blocks.end() && it->time == time ? int(it - blocks.begin()) : -1;
}

void DayMetadata::Add(const BlockInfo& block) {
  auto it = std::lower_bound(blocks.begin(), blocks.end(), block.time,
                             [](const BlockInfo& b, int64_t t) { return b.time < t; });
  blocks.insert(it, block);
  totals += block.totals;
  for (int f = 0; f < kNumFiles; ++f) {
    file_sizes[f] = std::max(file_sizes[f], block.extents[f].offset + block.extents[f].size);
  }
  dict_v4_size = std::max(dict_v4_size, block.dict_v4_size);
  dict_v6_size = std::max(dict_v6_size, block.dict_v6_size);
}

std::string EncodeDayMetadata(const DayMetadata& meta) {
  std::string out;
  out.reserve(kFixedSize + meta.blocks.size() * kRecordSize + kChecksumSize);
  out.append(kMagic, sizeof(kMagic));
  PutFixed32(&out, kVersion);
  PutFixed32(&out, uint32_t(meta.blocks.size()));
  PutFixed64(&out, uint64_t(meta.day_start));
  PutFixed32(&out, uint32_t(kRecordSize));
  PutFixed32(&out, 0);
  for (uint64_t size : meta.file_sizes) PutFixed64(&out, size);
  PutTotals(&out, meta.totals);
  for (const BlockInfo& b : meta.blocks) {
    PutFixed64(&out, uint64_t(b.time));
    PutFixed32(&out, b.rows);
    PutFixed32(&out, b.v4_rows);
    PutFixed32(&out, b.dict_v4_size);
    PutFixed32(&out, b.dict_v6_size);
    PutTotals(&out, b.totals);
    for (const Extent& e : b.extents) {
      PutFixed64(&out, e.offset);
      PutFixed32(&out, e.size);
    }
  }
  PutFixed64(&out, XXH3_64bits(out.data(), out.size()));
  return out;
}

absl::StatusOr<DayMetadata> DecodeDayMetadata(absl::string_view data) {
  if (data.size() < kFixedSize + kChecksumSize) {
    return absl::DataLossError(absl::StrCat("metadata truncated to ", data.size(), " bytes"));
  }
  const char* p = data.data();
  if (!std::equal(kMagic, kMagic + sizeof(kMagic), p)) {
    return absl::DataLossError("not a goDB metadata file (bad magic)");
  }
  const size_t body = data.size() - kChecksumSize;
  if (DecodeFixed64(p + body) != XXH3_64bits(p, body)) {
    return absl::DataLossError("metadata checksum mismatch");
  }
  if (DecodeFixed32(p + 8) != kVersion) {
    return absl::DataLossError(absl::StrCat("unknown metadata version ", DecodeFixed32(p + 8)));
  }
  const uint32_t count = DecodeFixed32(p + 12);
  if (DecodeFixed32(p + 24) != kRecordSize || body != kFixedSize + uint64_t(count) * kRecordSize) {
    return absl::DataLossError("metadata size does not match its block count");
  }
  DayMetadata meta;
  meta.day_start = int64_t(DecodeFixed64(p + 16));
  if (meta.day_start % kDay != 0) return absl::DataLossError("metadata day start not at midnight");
  for (int f = 0; f < kNumFiles; ++f) meta.file_sizes[f] = DecodeFixed64(p + kHeaderSize + 8 * f);
  meta.totals = GetTotals(p + kHeaderSize + kNumFiles * 8);

  Totals sum;
  meta.blocks.resize(count);
  const char* r = p + kFixedSize;
  for (uint32_t i = 0; i < count; ++i, r += kRecordSize) {
    BlockInfo& b = meta.blocks[i];
    b.time = int64_t(DecodeFixed64(r));
    b.rows = DecodeFixed32(r + 8);
    b.v4_rows = DecodeFixed32(r + 12);
    b.dict_v4_size = DecodeFixed32(r + 16);
    b.dict_v6_size = DecodeFixed32(r + 20);
    b.totals = GetTotals(r + 24);
    for (int f = 0; f < kNumFiles; ++f) {
      Extent& e = b.extents[f];
      e.offset = DecodeFixed64(r + 24 + kTotalsSize + 12 * f);
      e.size = DecodeFixed32(r + 24 + kTotalsSize + 12 * f + 8);
      if (e.offset > meta.file_sizes[f] || e.size > meta.file_sizes[f] - e.offset) {
        return absl::DataLossError(absl::StrCat("block ", b.time, ": extent in ",
                                                DataFileName(f), " beyond the file's size"));
      }
    }
    meta.dict_v4_size = std::max(meta.dict_v4_size, b.dict_v4_size);
    meta.dict_v6_size = std::max(meta.dict_v6_size, b.dict_v6_size);
    if (b.time < meta.day_start || b.time >= meta.day_start + kDay) {
      return absl::DataLossError(absl::StrCat("block time ", b.time, " outside the day"));
    }
    if (i > 0 && b.time <= meta.blocks[i - 1].time) {
      return absl::DataLossError(absl::StrCat("block times out of order at ", b.time));
    }
    if (b.v4_rows > b.rows || b.totals.flows_v4 != b.v4_rows ||
        b.totals.flows_v6 != b.rows - b.v4_rows) {
      return absl::DataLossError(absl::StrCat("block ", b.time, ": inconsistent row counts"));
    }
    sum += b.totals;
  }
  if (!(sum == meta.totals)) return absl::DataLossError("day totals do not add up");
  // Each row adds at most its two addresses to the dictionary. Checked so a
  // corrupt size cannot make a reader allocate for billions of addresses.
  if (meta.dict_v4_size > 2 * sum.flows_v4 || meta.dict_v6_size > 2 * sum.flows_v6) {
    return absl::DataLossError(absl::StrCat(
        "address dictionary of ", meta.dict_v4_size, " IPv4 and ", meta.dict_v6_size,
        " IPv6 addresses for ", sum.flows_v4, " IPv4 and ", sum.flows_v6, " IPv6 rows"));
  }
  return meta;
}

}  // namespace goprobe::godb
