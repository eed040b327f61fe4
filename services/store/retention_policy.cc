#include "services/store/retention_policy.h"

#include "absl/container/flat_hash_map.h"
#include "lib/godb/layout.h"

namespace goprobe::store {

std::vector<DayToDelete> PlanDeletions(const std::vector<godb::StoredDay>& days, int64_t now,
                                       const RetentionPolicy& policy) {
  std::vector<DayToDelete> plan;
  if (!policy.enabled()) return plan;
  // The newest day of each interface is the one being written.
  absl::flat_hash_map<std::string, int64_t> newest;
  uint64_t total = 0;
  for (const godb::StoredDay& d : days) {
    int64_t& n = newest[d.partition.iface];
    if (d.partition.day_start > n) n = d.partition.day_start;
    total += d.bytes;
  }
  const int64_t cutoff = policy.max_age_days > 0
                             ? godb::DayStart(now) - policy.max_age_days * godb::kSecondsPerDay
                             : INT64_MIN;
  const uint64_t limit = policy.max_bytes > 0 ? uint64_t(policy.max_bytes) : UINT64_MAX;
  for (const godb::StoredDay& d : days) {
    if (d.partition.day_start <= cutoff) {
      plan.push_back({d, DayToDelete::Reason::kAge});
    } else if (total > limit && d.partition.day_start != newest[d.partition.iface]) {
      plan.push_back({d, DayToDelete::Reason::kSize});
    } else {
      continue;
    }
    total -= d.bytes;
  }
  return plan;
}

const char* ReasonName(DayToDelete::Reason reason) {
  return reason == DayToDelete::Reason::kAge ? "age" : "size";
}

}  // namespace goprobe::store
