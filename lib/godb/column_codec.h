#ifndef GOPROBE_LIB_GODB_COLUMN_CODEC_H_
#define GOPROBE_LIB_GODB_COLUMN_CODEC_H_

// Lightweight encodings of one column of one block, applied before the block
// compressor (FORMAT.md, "Column encodings"). They are what makes goDB small
// and fast: dictionary indices and counters are bit-packed at the width the
// block needs, which both shrinks the data and decodes without branches.
//
// Key columns (addresses, ports, protocols) are sequences of fixed-width values
// of type T: uint8_t, uint16_t, uint32_t (an IPv4 address as a host-order
// number) or absl::uint128 (an IPv6 address as a big-endian number). Counter
// columns are uint64_t.
//
// Decoders never read outside their input and reject anything an encoder
// could not have written; they return false on such input (the caller turns
// that into a DataLoss status naming the file and block). Their input must
// have kUnpackPadding readable bytes past its end.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace goprobe::godb {

// The first byte of an encoded column names its encoding.
enum class ColumnEncoding : uint8_t {
  kPlain = 0,       // n little-endian values of sizeof(T) bytes (16 for uint128)
  kDictPacked = 1,  // sorted distinct values, then bit-packed indices
  kDictSorted = 2,  // sorted distinct values, then run lengths (column is sorted)
  kPatchedPacked = 3,  // counters: low bits packed, larger values patched
  kIndexPacked = 4,    // dictionary indices, bit-packed
  kIndexRuns = 5,      // dictionary indices as (index, run length) pairs
};

// Reusable buffers so decoding a stream of blocks allocates nothing once they
// have grown to the largest block.
struct DecodeScratch {
  std::vector<uint32_t> indices;
  std::vector<uint64_t> lengths;
  std::vector<uint8_t> dict;  // raw storage for the dictionary of any T
};

// Appends the encoding of `values` to *dst. `sorted` promises values are in
// non-decreasing order, which allows run-length form.
template <typename T>
void EncodeKeyColumn(absl::Span<const T> values, bool sorted, std::string* dst);

// Decodes exactly n values from the front of *in into out[0..n) and advances
// *in past them.
template <typename T>
bool DecodeKeyColumn(absl::string_view* in, size_t n, T* out, DecodeScratch* scratch);

// Address columns hold indices into the day's address dictionary, each below
// dict_size, packed at BitLength(dict_size - 1) bits; runs of equal indices
// (sip, which is sorted) are stored once, with their lengths as a counter
// column, when that is smaller.
void EncodeIndexColumn(absl::Span<const uint32_t> indices, uint32_t dict_size, std::string* dst);
// Decodes n indices; fails if any is not below dict_size.
bool DecodeIndexColumn(absl::string_view* in, size_t n, uint32_t dict_size, uint32_t* out,
                       DecodeScratch* scratch);

void EncodeCounterColumn(absl::Span<const uint64_t> values, std::string* dst);
// Decodes n counters into out[0..n). With `rows` (positions below n), only
// the out elements at those positions are decoded and the others hold
// unspecified values; the column is consumed and checked as a whole either
// way.
bool DecodeCounterColumn(absl::string_view* in, size_t n, uint64_t* out,
                         const std::vector<uint32_t>* rows = nullptr);

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_COLUMN_CODEC_H_
