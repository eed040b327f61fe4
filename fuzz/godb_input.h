#ifndef GOPROBE_FUZZ_GODB_INPUT_H_
#define GOPROBE_FUZZ_GODB_INPUT_H_

// Input formats of the goDB fuzzers, shared with their seed generator
// (make_godb_seeds.cc).
//
// godb_block_fuzzer:  byte 0 flags (kFixChecksums), 2-byte LE dictionary
//                     IPv4 size, 2-byte LE IPv6 size, then one stored block
//                     (header and payload) of any data file.
// godb_day_fuzzer:    byte 0 flags, then kNumDayParts parts, each a 4-byte
//                     LE length and that many bytes (cut short at the end of
//                     the input): the metadata file, then the data files in
//                     column.h order. A missing part is a missing file.
//
// Checksums stop almost every mutation at the first check. With
// kFixChecksums set, the fuzzer rewrites them (FORMAT.md: XXH3-64, seed 0)
// so the decoders behind them are reached; without it the checks themselves
// are fuzzed.

#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "lib/godb/coding.h"
#include "lib/godb/column.h"

namespace goprobe::fuzz {

inline constexpr uint8_t kFixChecksums = 1;
inline constexpr int kNumDayParts = 1 + godb::kNumFiles;

inline uint64_t Xxh3(const char* p, size_t n) { return XXH3_64bits(p, n); }

// Sets the checksum of the column block at the front of `block` (size
// bytes): XXH3-64 of bytes [8, size) in bytes [0, 8).
inline void FixBlockChecksum(char* block, size_t size) {
  if (size < 8) return;
  std::string sum;
  godb::PutFixed64(&sum, Xxh3(block + 8, size - 8));
  sum.copy(block, 8);
}

// Sets the checksum of a metadata file: XXH3-64 of every byte but the last 8,
// in the last 8.
inline void FixMetadataChecksum(std::string* meta) {
  if (meta->size() < 8) return;
  std::string sum;
  godb::PutFixed64(&sum, Xxh3(meta->data(), meta->size() - 8));
  meta->replace(meta->size() - 8, 8, sum);
}

// Appends `part` as one length-prefixed part of a day input.
inline void AppendPart(absl::string_view part, std::string* out) {
  godb::PutFixed32(out, uint32_t(part.size()));
  out->append(part.data(), part.size());
}

// The next part of a day input, or false when the input is used up.
inline bool NextPart(absl::string_view* in, absl::string_view* part) {
  if (in->size() < 4) return false;
  size_t want = godb::DecodeFixed32(in->data());
  in->remove_prefix(4);
  *part = in->substr(0, want);
  in->remove_prefix(part->size());
  return true;
}

}  // namespace goprobe::fuzz

#endif  // GOPROBE_FUZZ_GODB_INPUT_H_
