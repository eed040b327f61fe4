#include "clients/goquery/units.h"

#include "gtest/gtest.h"

namespace goprobe::goquery {
namespace {

// The values goQuery's own formatting tests use, with its expected text.
TEST(UnitsTest, CountsAsGoQuery) {
  EXPECT_EQ(FormatCount(0), "0.00  ");
  EXPECT_EQ(FormatCount(1), "1.00  ");
  EXPECT_EQ(FormatCount(813), "813.00  ");
  EXPECT_EQ(FormatCount(100000), "100.00 k");
  EXPECT_EQ(FormatCount(238327428), "238.33 M");
}

TEST(UnitsTest, SizesAsGoQuery) {
  EXPECT_EQ(FormatSize(0), "0.00  B");
  EXPECT_EQ(FormatSize(231), "231.00  B");
  EXPECT_EQ(FormatSize(2338231), "2.23 MB");
  EXPECT_EQ(FormatSize(28319384728), "26.37 GB");
  EXPECT_EQ(FormatSize(2832828383338231), "2.52 PB");
  EXPECT_EQ(FormatSize(2832828383338238231), "2.46 EB");
}

TEST(UnitsTest, UnitBoundaries) {
  EXPECT_EQ(FormatCount(999), "999.00  ");
  EXPECT_EQ(FormatCount(1000), "1.00 k");
  EXPECT_EQ(FormatCount(999999), "1.00 M");  // not "1000.00 k"
  EXPECT_EQ(FormatCount(999994), "999.99 k");
  EXPECT_EQ(FormatSize(1023), "1023.00  B");
  EXPECT_EQ(FormatSize(1024), "1.00 kB");
  EXPECT_EQ(FormatSize(1048575), "1.00 MB");  // 1023.999 kB
  EXPECT_EQ(FormatCount(18446744073709551615u), "18.45 E");
  EXPECT_EQ(FormatSize(18446744073709551615u), "16.00 EB");
}

TEST(UnitsTest, Times) {
  EXPECT_EQ(FormatTime(1700000100, absl::UTCTimeZone()), "2023-11-14 22:15:00");
  EXPECT_EQ(FormatTime(1700000100, absl::FixedTimeZone(3600)), "2023-11-14 23:15:00");
}

}  // namespace
}  // namespace goprobe::goquery
