#ifndef GOPROBE_LIB_GODB_INTERFACE_SUMMARY_H_
#define GOPROBE_LIB_GODB_INTERFACE_SUMMARY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/godb/block.h"
#include "lib/godb/db_reader.h"

namespace goprobe::godb {

// What a database holds for one interface over a time range: what
// `goquery list` prints and the store and query services' ListInterfaces
// return.
struct InterfaceSummary {
  std::string iface;
  Totals totals;  // sums over the blocks in range
  uint64_t blocks = 0;
  int64_t first_block_time = 0;  // 0 when blocks == 0
  int64_t last_block_time = 0;
};

// Summaries of the interfaces in `ifaces` (all when empty) over blocks with
// times in [first, last], from metadata alone: no column is read. Interfaces
// without blocks in range are left out. Days whose metadata cannot be read
// are skipped and reported in *problems.
absl::StatusOr<std::vector<InterfaceSummary>> SummarizeInterfaces(
    const DbReader& db, const std::vector<std::string>& ifaces, int64_t first, int64_t last,
    std::vector<ScanProblem>* problems);

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_INTERFACE_SUMMARY_H_
