#include "lib/rpc/rate_limiter.h"

#include "gtest/gtest.h"

namespace goprobe::rpc {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

TEST(RateLimiterTest, BurstThenRefillAtTheRate) {
  RateLimiter limiter(/*per_second=*/2, /*burst=*/3);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("key:a", kT0)) << i;
  EXPECT_FALSE(limiter.Allow("key:a", kT0));
  // Half a second at 2/s is one token.
  EXPECT_TRUE(limiter.Allow("key:a", kT0 + absl::Milliseconds(500)));
  EXPECT_FALSE(limiter.Allow("key:a", kT0 + absl::Milliseconds(500)));
  // A long pause refills to the burst, not beyond.
  const absl::Time later = kT0 + absl::Hours(1);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("key:a", later)) << i;
  EXPECT_FALSE(limiter.Allow("key:a", later));
}

TEST(RateLimiterTest, EachCallerHasItsOwnBucket) {
  RateLimiter limiter(1, 1);
  EXPECT_TRUE(limiter.Allow("key:a", kT0));
  EXPECT_FALSE(limiter.Allow("key:a", kT0));
  EXPECT_TRUE(limiter.Allow("key:b", kT0));
  EXPECT_FALSE(limiter.Allow("key:b", kT0));
}

TEST(RateLimiterTest, ClockGoingBackwardsRefillsNothing) {
  RateLimiter limiter(1, 1);
  EXPECT_TRUE(limiter.Allow("k", kT0));
  EXPECT_FALSE(limiter.Allow("k", kT0 - absl::Hours(1)));
  EXPECT_FALSE(limiter.Allow("k", kT0 + absl::Milliseconds(900)));
  EXPECT_TRUE(limiter.Allow("k", kT0 + absl::Seconds(1)));
}

TEST(RateLimiterTest, CallersBeyondTheTableShareOneBucket) {
  RateLimiter limiter(1, 2, /*max_callers=*/2);
  EXPECT_TRUE(limiter.Allow("a", kT0));
  EXPECT_TRUE(limiter.Allow("b", kT0));
  EXPECT_TRUE(limiter.Allow("c", kT0));
  EXPECT_TRUE(limiter.Allow("d", kT0));
  EXPECT_FALSE(limiter.Allow("e", kT0));
  // The known callers keep their own buckets.
  EXPECT_TRUE(limiter.Allow("a", kT0));
}

TEST(RateLimiterTest, OffWhenTheRateIsZero) {
  RateLimiter limiter(0, 1);
  EXPECT_FALSE(limiter.enabled());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(limiter.Allow("k", kT0));
}

}  // namespace
}  // namespace goprobe::rpc
