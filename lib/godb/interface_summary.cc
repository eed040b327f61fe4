#include "lib/godb/interface_summary.h"

#include <algorithm>

namespace goprobe::godb {

absl::StatusOr<std::vector<InterfaceSummary>> SummarizeInterfaces(
    const DbReader& db, const std::vector<std::string>& ifaces, int64_t first, int64_t last,
    std::vector<ScanProblem>* problems) {
  std::vector<std::string> names = ifaces;
  if (names.empty()) {
    absl::StatusOr<std::vector<std::string>> all = db.Interfaces();
    if (!all.ok()) return all.status();
    names = std::move(*all);
  }
  std::vector<InterfaceSummary> out;
  for (const std::string& iface : names) {
    absl::StatusOr<std::vector<DayPartition>> days = db.Days(iface, first, last);
    if (!days.ok()) {
      if (absl::IsNotFound(days.status())) continue;  // asked for, never stored
      return days.status();
    }
    InterfaceSummary summary;
    summary.iface = iface;
    for (const DayPartition& day : *days) {
      absl::StatusOr<std::unique_ptr<DayReader>> reader = DayReader::Open(day);
      if (!reader.ok()) {
        if (!absl::IsNotFound(reader.status())) problems->push_back({day.dir, -1, reader.status()});
        continue;
      }
      for (const BlockInfo& b : (*reader)->metadata().blocks) {
        if (b.time < first || b.time > last) continue;
        summary.totals += b.totals;
        ++summary.blocks;
        if (summary.first_block_time == 0 || b.time < summary.first_block_time) {
          summary.first_block_time = b.time;
        }
        summary.last_block_time = std::max(summary.last_block_time, b.time);
      }
    }
    if (summary.blocks > 0) out.push_back(std::move(summary));
  }
  return out;
}

}  // namespace goprobe::godb
