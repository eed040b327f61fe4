#ifndef GOPROBE_LIB_GODB_BLOCK_CODEC_H_
#define GOPROBE_LIB_GODB_BLOCK_CODEC_H_

// One block of one column as stored in a column file: a 40-byte header and the
// compressed, encoded column (FORMAT.md, "Column blocks"). The header repeats
// what the metadata says of the block, so a block is self-describing and a
// mismatch between the two is detected.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/flow/flow.h"
#include "lib/godb/address_dictionary.h"
#include "lib/godb/block.h"
#include "lib/godb/column.h"
#include "lib/godb/column_codec.h"
#include "lib/godb/compression.h"

namespace goprobe::godb {

inline constexpr size_t kBlockHeaderSize = 40;
inline constexpr uint32_t kBlockMagic = 0x4b4c4247;  // "GBLK" on disk
inline constexpr uint8_t kBlockFormatVersion = 1;
// Bounds what a corrupt header can make a reader allocate.
inline constexpr uint32_t kMaxRowsPerBlock = 1u << 26;

struct BlockHeader {
  int file = 0;  // column.h: a column, or kAddressDictionaryFile
  Codec codec = Codec::kNone;
  int64_t time = 0;
  uint32_t rows = 0;     // of a dictionary chunk: its new addresses
  uint32_t v4_rows = 0;  // of a dictionary chunk: its new IPv4 addresses
  uint32_t raw_size = 0;     // encoded column, before compression
  uint32_t stored_size = 0;  // bytes after the header
};

// Parses and checks the header at the front of `data` (at least
// kBlockHeaderSize bytes): magic, version, column id, codec, and that the
// sizes are plausible for the row count.
absl::StatusOr<BlockHeader> ParseBlockHeader(absl::string_view data);

// Turns the rows of one block into its eight stored column blocks and its
// address dictionary chunk. Rows are put in storage order (IPv4 first, then
// by sip, dip, dport, proto) and rows with equal keys are merged by adding
// their counters. Reusable: buffers are kept across calls.
class BlockEncoder {
 public:
  BlockEncoder(Codec codec, int zstd_level) : codec_(codec), zstd_level_(zstd_level) {}

  // Adds the block's new addresses to *dict (the day's dictionary, with its
  // index built); the caller truncates it back if the block is not stored.
  // Fails, leaving *dict as it was, if the rows are too many for one block
  // or a row mixes address families.
  absl::Status Encode(int64_t time, absl::Span<const flow::FlowRow> rows,
                      AddressDictionary* dict);

  // Valid after a successful Encode.
  uint32_t rows() const { return rows_; }
  uint32_t v4_rows() const { return v4_rows_; }
  const flow::Counters& traffic() const { return traffic_; }
  // Header and payload for data file `file` (column.h), ready to append;
  // empty for the address dictionary when the block added no address.
  absl::string_view stored(int file) const { return stored_[file]; }

 private:
  // Puts order_ in storage order.
  void SortRows();
  void Finish(int file, int64_t time, uint32_t rows, uint32_t v4_rows, const std::string& raw);

  Codec codec_;
  int zstd_level_;
  uint32_t rows_ = 0;
  uint32_t v4_rows_ = 0;
  flow::Counters traffic_;
  std::vector<const flow::FlowRow*> order_;
  std::array<std::string, kNumFiles> stored_;
  std::string compressed_;
};

// Decodes stored column blocks into BlockColumns, verifying checksums and
// consistency. Reusable: holds the decompression buffer and decode scratch.
class BlockDecoder {
 public:
  // `stored` is one column block of `block` as read from disk; its header
  // must agree with the metadata. sip and dip need the day's address
  // dictionary, loaded at least up to the block's dictionary sizes. On
  // success the column's vectors in *out hold its rows; other columns are
  // untouched. Errors are DataLoss and say what is wrong, not where: the
  // caller knows the file and offset. With `selected` (ascending row numbers
  // of the block), only those rows of address values and counters are decoded
  // and the others hold unspecified values; everything else (indices, ports,
  // protocols) is decoded whole, and the column is checked as a whole.
  // `stored_padded` says that kUnpackPadding readable bytes follow `stored`:
  // then an uncompressed block is decoded where it lies, without a copy.
  absl::Status Decode(absl::string_view stored, Column column, const BlockInfo& block,
                      const AddressDictionary* dict, BlockColumns* out,
                      const std::vector<uint32_t>* selected = nullptr,
                      bool stored_padded = false);

  // Appends the dictionary chunk `stored` of `block` to *dict. new_v4 and
  // new_v6 are the number of addresses the chunk must hold.
  absl::Status DecodeDictionaryChunk(absl::string_view stored, const BlockInfo& block,
                                     uint32_t new_v4, uint32_t new_v6, AddressDictionary* dict);

 private:
  // Checks the header and checksum and decompresses into raw_ (unless the
  // block is uncompressed and `stored_padded`); returns the encoded data,
  // followed by kUnpackPadding readable bytes.
  absl::StatusOr<absl::string_view> Open(absl::string_view stored, int file, int64_t time,
                                         uint32_t rows, uint32_t v4_rows, bool stored_padded);
  absl::Status DecodeAddresses(absl::string_view* in, const BlockInfo& block,
                               const AddressDictionary& dict, const std::vector<uint32_t>* rows,
                               std::vector<uint32_t>* v4, std::vector<absl::uint128>* v6,
                               std::vector<uint32_t>* v6_index);

  std::vector<char> raw_;  // never shrinks: resizing up zero-fills
  std::vector<uint32_t> indices_;
  DecodeScratch scratch_;
};

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_BLOCK_CODEC_H_
