// Fuzzes goDB's block decoder: the header checks, decompression (none, LZ4,
// zstd) and every column encoding, for each of the eight columns and the
// address dictionary chunks (godb_input.h has the input format).
//
// The block's BlockInfo is taken from its own header, with the dictionary
// sizes from the input, so decoding gets past the metadata cross-checks.
// A decoded column must hold exactly the block's rows, and decoding in
// place from a padded buffer (as DayReader does) must give the same column.

#include <cstdint>
#include <string>

#include "absl/numeric/int128.h"
#include "fuzz/check.h"
#include "fuzz/godb_input.h"
#include "lib/godb/address_dictionary.h"
#include "lib/godb/bit_packing.h"
#include "lib/godb/block.h"
#include "lib/godb/block_codec.h"

namespace {

using goprobe::fuzz::Check;

using goprobe::godb::AddressDictionary;
using goprobe::godb::BlockColumns;
using goprobe::godb::BlockInfo;
using goprobe::godb::Column;

// 65535 addresses of each family: enough for any size the input can ask for.
const AddressDictionary& FullDictionary() {
  static const AddressDictionary* dict = [] {
    auto* d = new AddressDictionary;
    std::vector<uint32_t> v4(65535), added4;
    std::vector<absl::uint128> v6(65535), added6;
    for (uint32_t i = 0; i < v4.size(); ++i) {
      v4[i] = 0x0a000000u + i;
      v6[i] = absl::MakeUint128(0x20010db800000000, i);
    }
    d->AddMissing(v4, &added4);
    d->AddMissing(v6, &added6);
    return d;
  }();
  return *dict;
}

size_t ColumnRows(const BlockColumns& c, Column column) {
  switch (column) {
    case Column::kSip:
      return c.sip4.size() + c.sip6.size();
    case Column::kDip:
      return c.dip4.size() + c.dip6.size();
    case Column::kDport:
      return c.dport.size();
    case Column::kProto:
      return c.proto.size();
    case Column::kBytesRcvd:
      return c.bytes_rcvd.size();
    case Column::kBytesSent:
      return c.bytes_sent.size();
    case Column::kPktsRcvd:
      return c.pkts_rcvd.size();
    case Column::kPktsSent:
      return c.pkts_sent.size();
  }
  return 0;
}

bool SameColumn(const BlockColumns& a, const BlockColumns& b, Column column) {
  switch (column) {
    case Column::kSip:
      return a.sip4 == b.sip4 && a.sip6 == b.sip6 && a.sip6_index == b.sip6_index;
    case Column::kDip:
      return a.dip4 == b.dip4 && a.dip6 == b.dip6 && a.dip6_index == b.dip6_index;
    case Column::kDport:
      return a.dport == b.dport;
    case Column::kProto:
      return a.proto == b.proto;
    case Column::kBytesRcvd:
      return a.bytes_rcvd == b.bytes_rcvd;
    case Column::kBytesSent:
      return a.bytes_sent == b.bytes_sent;
    case Column::kPktsRcvd:
      return a.pkts_rcvd == b.pkts_rcvd;
    case Column::kPktsSent:
      return a.pkts_sent == b.pkts_sent;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 5) return 0;
  const uint8_t flags = data[0];
  const uint32_t dict_v4 = uint32_t(data[1]) | uint32_t(data[2]) << 8;
  const uint32_t dict_v6 = uint32_t(data[3]) | uint32_t(data[4]) << 8;
  std::string stored(reinterpret_cast<const char*>(data + 5), size - 5);
  if (flags & goprobe::fuzz::kFixChecksums) {
    goprobe::fuzz::FixBlockChecksum(stored.data(), stored.size());
  }

  static goprobe::godb::BlockDecoder decoder;  // reused, as a reader does
  auto header = goprobe::godb::ParseBlockHeader(stored);
  if (!header.ok()) return 0;
  BlockInfo block;
  block.time = header->time;
  block.rows = header->rows;
  block.v4_rows = header->v4_rows;
  block.dict_v4_size = dict_v4;
  block.dict_v6_size = dict_v6;

  if (header->file == goprobe::godb::kAddressDictionaryFile) {
    AddressDictionary dict;
    const uint32_t new_v6 = header->rows - header->v4_rows;
    if (decoder.DecodeDictionaryChunk(stored, block, header->v4_rows, new_v6, &dict).ok()) {
      Check(dict.v4_size() == header->v4_rows && dict.v6_size() == new_v6);
    }
    return 0;
  }
  const Column column = Column(header->file);
  BlockColumns out;
  const bool ok = decoder.Decode(stored, column, block, &FullDictionary(), &out).ok();
  if (ok) Check(out.rows == block.rows && ColumnRows(out, column) == block.rows);
  // The reader's path: the same bytes, followed by padding that holds
  // garbage, decoded in place when uncompressed. It must agree.
  const std::string padded = stored + std::string(goprobe::godb::kUnpackPadding, '\xa5');
  BlockColumns in_place;
  const bool in_place_ok = decoder
                               .Decode(absl::string_view(padded.data(), stored.size()), column,
                                       block, &FullDictionary(), &in_place, nullptr,
                                       /*stored_padded=*/true)
                               .ok();
  Check(in_place_ok == ok);
  if (ok) Check(SameColumn(out, in_place, column));
  return 0;
}
