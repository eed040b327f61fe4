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
  if (uint8_t(p[13]) >= kNumFiles) return absl::DataLossError("bad file id in block header");
  h.file = uint8_t(p[13]);
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

void BlockEncoder::SortRows() {
  bool sorted = true;
  for (size_t i = 1; i < order_.size() && sorted; ++i) sorted = !(order_[i]->key < order_[i - 1]->key);
  if (sorted) return;  // rows from the wire arrive in storage order

  // Comparing FlowKeys byte by byte dominated encoding; numeric sort keys
  // order the same way (addresses compare as big-endian numbers).
  struct V4Key {
    unsigned __int128 key;  // sip << 56 | dip << 24 | dport << 8 | proto
    const flow::FlowRow* row;
  };
  struct V6Key {
    absl::uint128 sip, dip;
    uint32_t port_proto;
    const flow::FlowRow* row;
  };
  std::vector<V4Key> v4;
  std::vector<V6Key> v6;
  for (const flow::FlowRow* r : order_) {
    const flow::FlowKey& k = r->key;
    const uint32_t port_proto = uint32_t(k.dport) << 8 | k.proto;
    if (k.is_v4()) {
      v4.push_back({(unsigned __int128)k.sip.v4_value() << 56 |
                        (unsigned __int128)k.dip.v4_value() << 24 | port_proto,
                    r});
    } else {
      v6.push_back({V6Value(k.sip), V6Value(k.dip), port_proto, r});
    }
  }
  std::sort(v4.begin(), v4.end(), [](const V4Key& a, const V4Key& b) { return a.key < b.key; });
  std::sort(v6.begin(), v6.end(), [](const V6Key& a, const V6Key& b) {
    if (a.sip != b.sip) return a.sip < b.sip;
    if (a.dip != b.dip) return a.dip < b.dip;
    return a.port_proto < b.port_proto;
  });
  order_.clear();
  for (const V4Key& k : v4) order_.push_back(k.row);
  for (const V6Key& k : v6) order_.push_back(k.row);
}

absl::Status BlockEncoder::Encode(int64_t time, absl::Span<const flow::FlowRow> rows,
                                  AddressDictionary* dict) {
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
  SortRows();

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

  // New addresses join the day's dictionary; columns store indices.
  std::vector<uint32_t> new4;
  std::vector<absl::uint128> new6;
  {
    std::vector<uint32_t> all4(sip4);
    all4.insert(all4.end(), dip4.begin(), dip4.end());
    dict->AddMissing(all4, &new4);
    std::vector<absl::uint128> all6(sip6);
    all6.insert(all6.end(), dip6.begin(), dip6.end());
    dict->AddMissing(all6, &new6);
  }

  std::string raw;
  std::vector<uint32_t> indices;
  auto encode_addresses = [&](Column c, const std::vector<uint32_t>& v4,
                              const std::vector<absl::uint128>& v6) {
    raw.clear();
    indices.resize(v4.size());
    for (size_t i = 0; i < v4.size(); ++i) indices[i] = dict->Index(v4[i]);
    EncodeIndexColumn(indices, dict->v4_size(), &raw);
    indices.resize(v6.size());
    for (size_t i = 0; i < v6.size(); ++i) indices[i] = dict->Index(v6[i]);
    EncodeIndexColumn(indices, dict->v6_size(), &raw);
    Finish(int(c), time, rows_, v4_rows_, raw);
  };
  encode_addresses(Column::kSip, sip4, sip6);
  encode_addresses(Column::kDip, dip4, dip6);
  raw.clear();
  EncodeKeyColumn<uint16_t>(dport, /*sorted=*/false, &raw);
  Finish(int(Column::kDport), time, rows_, v4_rows_, raw);
  raw.clear();
  EncodeKeyColumn<uint8_t>(proto, /*sorted=*/false, &raw);
  Finish(int(Column::kProto), time, rows_, v4_rows_, raw);
  const Column counter_columns[4] = {Column::kBytesRcvd, Column::kBytesSent, Column::kPktsRcvd,
                                     Column::kPktsSent};
  for (int c = 0; c < 4; ++c) {
    raw.clear();
    EncodeCounterColumn(counters[c], &raw);
    Finish(int(counter_columns[c]), time, rows_, v4_rows_, raw);
  }
  stored_[kAddressDictionaryFile].clear();
  if (!new4.empty() || !new6.empty()) {
    raw.clear();
    AddressDictionary::EncodeChunk(new4, new6, &raw);
    Finish(kAddressDictionaryFile, time, uint32_t(new4.size() + new6.size()),
           uint32_t(new4.size()), raw);
  }
  return absl::OkStatus();
}

void BlockEncoder::Finish(int file, int64_t time, uint32_t rows, uint32_t v4_rows,
                          const std::string& raw) {
  const Codec used = Compress(codec_, zstd_level_, raw, &compressed_);
  std::string& out = stored_[file];
  out.clear();
  out.reserve(kBlockHeaderSize + compressed_.size());
  PutFixed64(&out, 0);  // checksum, filled in below
  PutFixed32(&out, kBlockMagic);
  out.push_back(char(kBlockFormatVersion));
  out.push_back(char(file));
  out.push_back(char(used));
  out.push_back(0);
  PutFixed64(&out, uint64_t(time));
  PutFixed32(&out, rows);
  PutFixed32(&out, v4_rows);
  PutFixed32(&out, uint32_t(raw.size()));
  PutFixed32(&out, uint32_t(compressed_.size()));
  out.append(compressed_);
  const uint64_t sum = Checksum(out);
  for (int i = 0; i < 8; ++i) out[i] = char(sum >> (8 * i));
}

absl::StatusOr<absl::string_view> BlockDecoder::Open(absl::string_view stored, int file,
                                                     int64_t time, uint32_t rows,
                                                     uint32_t v4_rows, bool stored_padded) {
  absl::StatusOr<BlockHeader> h = ParseBlockHeader(stored);
  if (!h.ok()) return h.status();
  if (stored.size() != kBlockHeaderSize + uint64_t(h->stored_size)) {
    return absl::DataLossError(absl::StrCat("block is ", stored.size(), " bytes, header says ",
                                            kBlockHeaderSize + uint64_t(h->stored_size)));
  }
  if (DecodeFixed64(stored.data()) != Checksum(stored)) {
    return absl::DataLossError("checksum mismatch");
  }
  if (h->file != file || h->time != time || h->rows != rows || h->v4_rows != v4_rows) {
    return absl::DataLossError("block header disagrees with the metadata");
  }
  const absl::string_view data = stored.substr(kBlockHeaderSize);
  if (h->codec == Codec::kNone && stored_padded && data.size() == h->raw_size) return data;
  const size_t padded_size = size_t(h->raw_size) + kUnpackPadding;
  if (raw_.size() < padded_size) raw_.resize(padded_size);
  absl::Status s = Decompress(h->codec, data, raw_.data(), h->raw_size);
  if (!s.ok()) return s;
  std::fill(raw_.begin() + h->raw_size, raw_.begin() + padded_size, 0);
  return absl::string_view(raw_.data(), h->raw_size);
}

absl::Status BlockDecoder::DecodeAddresses(absl::string_view* in, const BlockInfo& block,
                                           const AddressDictionary& dict,
                                           const std::vector<uint32_t>* rows,
                                           std::vector<uint32_t>* v4,
                                           std::vector<absl::uint128>* v6,
                                           std::vector<uint32_t>* v6_index) {
  if (block.dict_v4_size > dict.v4_size() || block.dict_v6_size > dict.v6_size()) {
    return absl::DataLossError("address dictionary is shorter than the block needs");
  }
  const uint32_t v4_rows = block.v4_rows;
  const uint32_t v6_rows = block.rows - v4_rows;
  // Rows are stored IPv4 first, so the selected rows split into an IPv4 and
  // an IPv6 run.
  size_t v4_selected = 0;
  if (rows != nullptr) {
    v4_selected = size_t(std::lower_bound(rows->begin(), rows->end(), v4_rows) - rows->begin());
  }
  indices_.resize(std::max(v4_rows, v6_rows));
  if (!DecodeIndexColumn(in, v4_rows, block.dict_v4_size, indices_.data(), &scratch_)) {
    return absl::DataLossError("undecodable IPv4 address indices");
  }
  if (dict.TouchesHole4(indices_.data(), v4_rows)) {
    return absl::DataLossError("uses IPv4 addresses from an unreadable dictionary chunk");
  }
  v4->resize(v4_rows);
  const uint32_t* values4 = dict.v4_values();
  if (rows == nullptr) {
    for (uint32_t i = 0; i < v4_rows; ++i) (*v4)[i] = values4[indices_[i]];
  } else {
    for (size_t k = 0; k < v4_selected; ++k) (*v4)[(*rows)[k]] = values4[indices_[(*rows)[k]]];
  }

  if (!DecodeIndexColumn(in, v6_rows, block.dict_v6_size, indices_.data(), &scratch_)) {
    return absl::DataLossError("undecodable IPv6 address indices");
  }
  if (dict.TouchesHole6(indices_.data(), v6_rows)) {
    return absl::DataLossError("uses IPv6 addresses from an unreadable dictionary chunk");
  }
  v6->resize(v6_rows);
  const absl::uint128* values6 = dict.v6_values();
  if (rows == nullptr) {
    for (uint32_t i = 0; i < v6_rows; ++i) (*v6)[i] = values6[indices_[i]];
  } else {
    for (size_t k = v4_selected; k < rows->size(); ++k) {
      const uint32_t i = (*rows)[k] - v4_rows;
      (*v6)[i] = values6[indices_[i]];
    }
  }
  v6_index->assign(indices_.begin(), indices_.begin() + v6_rows);
  return absl::OkStatus();
}

absl::Status BlockDecoder::Decode(absl::string_view stored, Column column, const BlockInfo& block,
                                  const AddressDictionary* dict, BlockColumns* out,
                                  const std::vector<uint32_t>* selected, bool stored_padded) {
  absl::StatusOr<absl::string_view> opened =
      Open(stored, int(column), block.time, block.rows, block.v4_rows, stored_padded);
  if (!opened.ok()) return opened.status();
  absl::string_view in = *opened;
  const uint32_t rows = block.rows;
  bool ok = true;
  switch (column) {
    case Column::kSip:
    case Column::kDip: {
      absl::Status s =
          column == Column::kSip
              ? DecodeAddresses(&in, block, *dict, selected, &out->sip4, &out->sip6,
                                &out->sip6_index)
              : DecodeAddresses(&in, block, *dict, selected, &out->dip4, &out->dip6,
                                &out->dip6_index);
      if (!s.ok()) return s;
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
      ok = DecodeCounterColumn(&in, rows, v.data(), selected);
      break;
    }
  }
  if (!ok) return absl::DataLossError("undecodable column data");
  if (!in.empty()) {
    return absl::DataLossError(absl::StrCat(in.size(), " trailing bytes after the column data"));
  }
  out->time = block.time;
  out->rows = block.rows;
  out->v4_rows = block.v4_rows;
  return absl::OkStatus();
}

absl::Status BlockDecoder::DecodeDictionaryChunk(absl::string_view stored, const BlockInfo& block,
                                                 uint32_t new_v4, uint32_t new_v6,
                                                 AddressDictionary* dict) {
  absl::StatusOr<absl::string_view> opened =
      Open(stored, kAddressDictionaryFile, block.time, new_v4 + new_v6, new_v4,
           /*stored_padded=*/false);
  if (!opened.ok()) return opened.status();
  if (!dict->AppendChunk(*opened, new_v4, new_v6)) {
    return absl::DataLossError("undecodable address dictionary chunk");
  }
  return absl::OkStatus();
}

}  // namespace goprobe::godb
