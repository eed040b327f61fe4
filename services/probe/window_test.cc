#include "services/probe/window.h"

#include "gtest/gtest.h"

namespace goprobe::probe {
namespace {

TEST(WindowTest, BlockTimeIsTheEndOfTheAlignedInterval) {
  EXPECT_EQ(WindowEnd(0), 300);
  EXPECT_EQ(WindowEnd(299), 300);
  EXPECT_EQ(WindowEnd(300), 600);
  EXPECT_EQ(WindowEnd(1700000123), 1700000400);
}

TEST(WindowTest, EarlyFlushStaysInsideItsWindow) {
  EXPECT_EQ(EarlyFlushTime(1000, 1200), 1001);
  EXPECT_EQ(EarlyFlushTime(1199, 1200), 1200);  // the last second: the aligned end
  EXPECT_EQ(EarlyFlushTime(5000, 1200), 1200);  // never past the window
  EXPECT_EQ(EarlyFlushTime(10, 1200), 901);     // never before it
}

TEST(WindowTest, ClampKeepsTimesStorable) {
  EXPECT_EQ(ClampPacketSeconds(-5), 0);
  EXPECT_EQ(ClampPacketSeconds(1234), 1234);
  EXPECT_EQ(ClampPacketSeconds(kMaxBlockTime), kMaxBlockTime - kWindowSeconds);
  EXPECT_LE(WindowEnd(ClampPacketSeconds(INT64_MAX / 2)), kMaxBlockTime);
}

}  // namespace
}  // namespace goprobe::probe
