#ifndef GOPROBE_SERVICES_STORE_RETENTION_POLICY_H_
#define GOPROBE_SERVICES_STORE_RETENTION_POLICY_H_

// Which days gostore deletes: the policy. How a day is deleted so that no
// reader sees it half gone is goDB's (lib/godb/retention.h).

#include <cstdint>
#include <vector>

#include "absl/time/time.h"
#include "lib/godb/retention.h"

namespace goprobe::store {

struct RetentionPolicy {
  // Days whose start is max_age_days or more days before the start of today
  // (UTC) are deleted: today and the max_age_days - 1 days before it stay.
  // 0 keeps days forever.
  int64_t max_age_days = 0;
  // While the day partitions take more disk space than this, the oldest day
  // is deleted, but never the newest day of an interface (the one being
  // written). 0: no limit.
  int64_t max_bytes = 0;
  // How often the store checks; it also checks at start and after a write
  // that takes the database over max_bytes.
  absl::Duration check_interval = absl::Minutes(10);

  bool enabled() const { return max_age_days > 0 || max_bytes > 0; }
};

struct DayToDelete {
  enum class Reason { kAge, kSize };
  godb::StoredDay day;
  Reason reason;
};

// The days of `days` (oldest first, as godb::ListStoredDays lists them) to
// delete at unix time `now`, oldest first: first every day over the age
// limit, then more of the oldest until the rest fit in max_bytes. Pure.
std::vector<DayToDelete> PlanDeletions(const std::vector<godb::StoredDay>& days, int64_t now,
                                       const RetentionPolicy& policy);

const char* ReasonName(DayToDelete::Reason reason);

}  // namespace goprobe::store

#endif  // GOPROBE_SERVICES_STORE_RETENTION_POLICY_H_
