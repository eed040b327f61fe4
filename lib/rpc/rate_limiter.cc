#include "lib/rpc/rate_limiter.h"

#include <algorithm>

namespace goprobe::rpc {

bool RateLimiter::Take(Bucket& b, absl::Time now) {
  // A clock step backwards refills nothing rather than draining the bucket.
  const double elapsed = std::max(0.0, absl::ToDoubleSeconds(now - b.updated));
  b.tokens = std::min(burst_, b.tokens + elapsed * per_second_);
  b.updated = std::max(b.updated, now);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

bool RateLimiter::Allow(absl::string_view caller, absl::Time now) {
  if (!enabled()) return true;
  absl::MutexLock lock(&mu_);
  auto it = buckets_.find(caller);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_callers_) {
      if (!overflow_used_) overflow_ = Bucket{burst_, now};
      overflow_used_ = true;
      return Take(overflow_, now);
    }
    it = buckets_.emplace(std::string(caller), Bucket{burst_, now}).first;
  }
  return Take(it->second, now);
}

}  // namespace goprobe::rpc
