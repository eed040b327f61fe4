#include "lib/godb/block_codec.h"

#include <xxhash.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "lib/godb/bit_packing.h"
#include "lib/godb/coding.h"

namespace goprobe::godb {
namespace {

// Upper bound of an encoded column's size, from its row count: the widest
// encodings are plain IPv6 (16 bytes a row) and counters patched at every row
// (8 packed bytes plus two varints). Anything claiming more is corrupt.
uint64_t MaxRawSize(uint32_t rows) { return uint64_t(rows) * 40 + 64; }

uint64_t Checksum(absl::string_view header_and_payload) {
  return XXH3_64bits(header_and_payload.data() + 8, header_and_payload.size() - 8);
}

}  // namespace

absl::StatusOr<BlockHeader> ParseBlockHeader(absl::string_view data) {
  if (data.size() < kBlockHeaderSize) {
    return absl::DataLossError(absl::StrCat("block header truncated to ", data.size(), " bytes"));
  }
  const char* p = data.data();
  if (DecodeFixed32(p + 8) != kBlockMagic) return absl::DataLossError("bad block magic");
  if (uint8_t(p[12]) != kBlockFormatVersion) {
    return absl::DataLossError(absl::StrCat("unknown block format version ", uint8_t(p[12])));
  }
  BlockHeader h;
  if (uint8_t(p[13]) >= kNumColumns) return absl::DataLossError("bad column id in block header");
  h.column = Column(p[13]);
  if (uint8_t(p[14]) > uint8_t(Codec::kZstd)) {
    return absl::DataLossError(absl::StrCat("unknown codec ", uint8_t(p[14])));
  }
  h.codec = Codec(p[14]);
  h.time = int64_t(DecodeFixed64(p + 16));
  h.rows = DecodeFixed32(p + 24);
  h.v4_rows = DecodeFixed32(p + 28);
  h.raw_size = DecodeFixed32(p + 32);
  h.stored_size = DecodeFixed32(p + 36);
  if (h.rows > kMaxRowsPerBlock || h.v4_rows > h.rows || h.raw_size > MaxRawSize(h.rows)) {
    return absl::DataLossError("implausible sizes in block header");
  }
  return h;
}

absl::Status BlockEncoder::Encode(int64_t time, absl::Span<const flow::FlowRow> rows) {
  if (rows.size() > kMaxRowsPerBlock) {
    return absl::InvalidArgumentError(
        absl::StrCat("block of ", rows.size(), " rows exceeds the limit of ", kMaxRowsPerBlock));
  }
  order_.clear();
  order_.reserve(rows.size());
  for (const flow::FlowRow& r : rows) {
    if (r.key.sip.is_v4() != r.key.dip.is_v4()) {
      return absl::InvalidArgumentError(absl::StrCat("flow ", r.key.sip.ToString(), " -> ",
                                                     r.key.dip.ToString(),
                                                     " mixes IPv4 and IPv6"));
    }
    order_.push_back(&r);
  }
  std::sort(order_.begin(), order_.end(),
            [](const flow::FlowRow* a, const flow::FlowRow* b) { return a->key < b->key; });

  // Columns in storage order; equal keys become one row.
  std::vector<uint32_t> sip4, dip4;
  std::vector<absl::uint128> sip6, dip6;
  std::vector<uint16_t> dport;
  std::vector<uint8_t> proto;
  std::array<std::vector<uint64_t>, 4> counters;
  traffic_ = {};
  for (size_t i = 0; i < order_.size();) {
    const flow::FlowKey& key = order_[i]->key;
    flow::Counters sum = order_[i]->counters;
    size_t j = i + 1;
    for (; j < order_.size() && order_[j]->key == key; ++j) sum += order_[j]->counters;
    i = j;
    if (key.is_v4()) {
      sip4.push_back(key.sip.v4_value());
      dip4.push_back(key.dip.v4_value());
    } else {
      sip6.push_back(V6Value(key.sip));
      dip6.push_back(V6Value(key.dip));
    }
    dport.push_back(key.dport);
    proto.push_back(key.proto);
    counters[0].push_back(sum.bytes_rcvd);
    counters[1].push_back(sum.bytes_sent);
    counters[2].push_back(sum.pkts_rcvd);
    counters[3].push_back(sum.pkts_sent);
    traffic_ += sum;
  }
  rows_ = uint32_t(dport.size());
  v4_rows_ = uint32_t(sip4.size());

  std::string raw;
  EncodeKeyColumn<uint32_t>(sip4, /*sorted=*/true, &raw);
  EncodeKeyColumn<absl::uint128>(sip6, /*sorted=*/true, &raw);
  Finish(Column::kSip, time, raw);
  raw.clear();
  EncodeKeyColumn<uint32_t>(dip4, /*sorted=*/false, &raw);
  EncodeKeyColumn<absl::uint128>(dip6, /*sorted=*/false, &raw);
  Finish(Column::kDip, time, raw);
  raw.clear();
  EncodeKeyColumn<uint16_t>(dport, /*sorted=*/false, &raw);
  Finish(Column::kDport, time, raw);
  raw.clear();
  EncodeKeyColumn<uint8_t>(proto, /*sorted=*/false, &raw);
  Finish(Column::kProto, time, raw);
  const Column counter_columns[4] = {Column::kBytesRcvd, Column::kBytesSent, Column::kPktsRcvd,
                                     Column::kPktsSent};
  for (int c = 0; c < 4; ++c) {
    raw.clear();
    EncodeCounterColumn(counters[c], &raw);
    Finish(counter_columns[c], time, raw);
  }
  return absl::OkStatus();
}

void BlockEncoder::Finish(Column c, int64_t time, const std::string& raw) {
  const Codec used = Compress(codec_, zstd_level_, raw, &compressed_);
  std::string& out = stored_[uint8_t(c)];
  out.clear();
  out.reserve(kBlockHeaderSize + compressed_.size());
  PutFixed64(&out, 0);  // checksum, filled in below
  PutFixed32(&out, kBlockMagic);
  out.push_back(char(kBlockFormatVersion));
  out.push_back(char(c));
  out.push_back(char(used));
  out.push_back(0);
  PutFixed64(&out, uint64_t(time));
  PutFixed32(&out, rows_);
  PutFixed32(&out, v4_rows_);
  PutFixed32(&out, uint32_t(raw.size()));
  PutFixed32(&out, uint32_t(compressed_.size()));
  out.append(compressed_);
  const uint64_t sum = Checksum(out);
  for (int i = 0; i < 8; ++i) out[i] = char(sum >> (8 * i));
}

absl::Status BlockDecoder::Decode(absl::string_view stored, Column column, int64_t time,
                                  uint32_t rows, uint32_t v4_rows, BlockColumns* out) {
  absl::StatusOr<BlockHeader> h = ParseBlockHeader(stored);
  if (!h.ok()) return h.status();
  if (stored.size() != kBlockHeaderSize + uint64_t(h->stored_size)) {
    return absl::DataLossError(absl::StrCat("block is ", stored.size(), " bytes, header says ",
                                            kBlockHeaderSize + uint64_t(h->stored_size)));
  }
  if (DecodeFixed64(stored.data()) != Checksum(stored)) {
    return absl::DataLossError("checksum mismatch");
  }
  if (h->column != column || h->time != time || h->rows != rows || h->v4_rows != v4_rows) {
    return absl::DataLossError("block header disagrees with the metadata");
  }
  raw_.resize(size_t(h->raw_size) + kUnpackPadding);
  absl::Status s = Decompress(h->codec, stored.substr(kBlockHeaderSize), raw_.data(), h->raw_size);
  if (!s.ok()) return s;
  std::fill(raw_.begin() + h->raw_size, raw_.end(), 0);
  absl::string_view in(raw_.data(), h->raw_size);

  const uint32_t v6_rows = rows - v4_rows;
  bool ok = false;
  switch (column) {
    case Column::kSip:
    case Column::kDip: {
      auto& v4 = column == Column::kSip ? out->sip4 : out->dip4;
      auto& v6 = column == Column::kSip ? out->sip6 : out->dip6;
      v4.resize(v4_rows);
      v6.resize(v6_rows);
      ok = DecodeKeyColumn<uint32_t>(&in, v4_rows, v4.data(), &scratch_) &&
           DecodeKeyColumn<absl::uint128>(&in, v6_rows, v6.data(), &scratch_);
      break;
    }
    case Column::kDport:
      out->dport.resize(rows);
      ok = DecodeKeyColumn<uint16_t>(&in, rows, out->dport.data(), &scratch_);
      break;
    case Column::kProto:
      out->proto.resize(rows);
      ok = DecodeKeyColumn<uint8_t>(&in, rows, out->proto.data(), &scratch_);
      break;
    case Column::kBytesRcvd:
    case Column::kBytesSent:
    case Column::kPktsRcvd:
    case Column::kPktsSent: {
      std::vector<uint64_t>* counters[4] = {&out->bytes_rcvd, &out->bytes_sent, &out->pkts_rcvd,
                                            &out->pkts_sent};
      std::vector<uint64_t>& v = *counters[uint8_t(column) - uint8_t(Column::kBytesRcvd)];
      v.resize(rows);
      ok = DecodeCounterColumn(&in, rows, v.data());
      break;
    }
  }
  if (!ok) return absl::DataLossError("undecodable column data");
  if (!in.empty()) {
    return absl::DataLossError(absl::StrCat(in.size(), " trailing bytes after the column data"));
  }
  out->time = time;
  out->rows = rows;
  out->v4_rows = v4_rows;
  return absl::OkStatus();
}

}  // namespace goprobe::godb
