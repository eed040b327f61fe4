#ifndef GOPROBE_LIB_RPC_RATE_LIMITER_H_
#define GOPROBE_LIB_RPC_RATE_LIMITER_H_

#include <cstddef>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace goprobe::rpc {

// Request rate per caller, as a token bucket per caller id: each bucket
// holds at most `burst` tokens, refills at `per_second`, and a request takes
// one. Callers are named by a non-secret id (ApiKeyId, never a key).
//
// Memory is bounded: at most `max_callers` buckets are kept; a caller beyond
// that shares one overflow bucket, so unknown ids cannot grow the table.
// (Callers are the configured keys plus "unix" and "anonymous", so the
// overflow bucket is a safety net, not a normal path.) Thread-safe.
class RateLimiter {
 public:
  // per_second <= 0 turns limiting off (Allow always true).
  RateLimiter(double per_second, double burst, size_t max_callers = 1024)
      : per_second_(per_second), burst_(burst < 1 ? 1 : burst), max_callers_(max_callers) {}

  bool enabled() const { return per_second_ > 0; }
  double per_second() const { return per_second_; }
  double burst() const { return burst_; }

  // Takes a token from `caller`'s bucket at time `now`; false when it is
  // empty (the request must be refused).
  bool Allow(absl::string_view caller, absl::Time now);

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time updated;
  };
  bool Take(Bucket& b, absl::Time now);

  const double per_second_;
  const double burst_;
  const size_t max_callers_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  Bucket overflow_ ABSL_GUARDED_BY(mu_);
  bool overflow_used_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace goprobe::rpc

#endif  // GOPROBE_LIB_RPC_RATE_LIMITER_H_
