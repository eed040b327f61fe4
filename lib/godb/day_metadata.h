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

struct ColumnExtent {
  uint64_t offset = 0;  // of the block header in the column file
  uint32_t size = 0;    // header and payload
};

struct BlockInfo {
  int64_t time = 0;
  uint32_t rows = 0;
  uint32_t v4_rows = 0;
  Totals totals;
  std::array<ColumnExtent, kNumColumns> columns;
};

struct DayMetadata {
  int64_t day_start = 0;  // unix seconds of 00:00 UTC
  // Sorted by time, times unique, all within [day_start, day_start + 86400).
  std::vector<BlockInfo> blocks;
  // Sum of the blocks' totals.
  Totals totals;
  // Bytes of each column file that belong to listed blocks; anything after is
  // the remains of an interrupted write.
  std::array<uint64_t, kNumColumns> column_sizes{};

  // Index of the block at `time`, or -1.
  int Find(int64_t time) const;
  // Inserts a block in time order and updates totals and column sizes.
  // The caller has checked that no block has this time.
  void Add(const BlockInfo& block);
};

std::string EncodeDayMetadata(const DayMetadata& meta);

// Parses and validates a metadata file's contents: checksum, sizes, time
// order and range, extents within the column sizes, totals adding up.
// Errors are DataLoss and say what is wrong.
absl::StatusOr<DayMetadata> DecodeDayMetadata(absl::string_view data);

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_DAY_METADATA_H_
