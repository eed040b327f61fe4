#ifndef GOPROBE_LIB_GODB_DAY_METADATA_H_
#define GOPROBE_LIB_GODB_DAY_METADATA_H_

// The metadata file of a day partition (FORMAT.md, "Metadata file"): where
// each block's columns are, how many rows it has, and the interface totals of
// each block and of the day. It is the single source of truth for what a day
// contains: a block is visible exactly when the metadata lists it.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/godb/block.h"
#include "lib/godb/column.h"

namespace goprobe::godb {

inline constexpr absl::string_view kMetadataFileName = "blocks.meta";

struct DayMetadata {
  int64_t day_start = 0;  // unix seconds of 00:00 UTC
  // Sorted by time, times unique, all within [day_start, day_start + 86400).
  std::vector<BlockInfo> blocks;
  // Sum of the blocks' totals.
  Totals totals;
  // Bytes of each data file (column.h) that belong to listed blocks;
  // anything after is the remains of an interrupted write.
  std::array<uint64_t, kNumFiles> file_sizes{};
  // Size of the address dictionary after all listed blocks.
  uint32_t dict_v4_size = 0;
  uint32_t dict_v6_size = 0;

  // Index of the block at `time`, or -1.
  int Find(int64_t time) const;
  // Inserts a block in time order and updates totals, file sizes and
  // dictionary sizes.
  // The caller has checked that no block has this time.
  void Add(const BlockInfo& block);
};

std::string EncodeDayMetadata(const DayMetadata& meta);

// Parses and validates a metadata file's contents: checksum, sizes, time
// order and range, extents within the file sizes, dictionary sizes, totals
// adding up.
// Errors are DataLoss and say what is wrong.
absl::StatusOr<DayMetadata> DecodeDayMetadata(absl::string_view data);

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_DAY_METADATA_H_
