#include "clients/goconvert/go_flags.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::goconvert {
namespace {

using ::testing::ElementsAre;

TEST(GoFlagsTest, RewritesSingleDashLongFlags) {
  EXPECT_THAT(GoStyleLongFlags({"goconvert", "-in", "f.csv", "-out=db", "-iface", "eth0"},
                               {"in", "out", "iface"}),
              ElementsAre("goconvert", "--in", "f.csv", "--out=db", "--iface", "eth0"));
}

TEST(GoFlagsTest, LeavesShortFlagsValuesAndUnknownNamesAlone) {
  EXPECT_THAT(GoStyleLongFlags({"goconvert", "-i", "-", "-d", "db", "--in", "x", "-n", "5",
                                "-input", "-iface2"},
                               {"in", "iface"}),
              ElementsAre("goconvert", "-i", "-", "-d", "db", "--in", "x", "-n", "5", "-input",
                          "-iface2"));
}

TEST(GoFlagsTest, StopsAtDoubleDash) {
  EXPECT_THAT(GoStyleLongFlags({"goconvert", "--", "-in"}, {"in"}),
              ElementsAre("goconvert", "--", "-in"));
}

}  // namespace
}  // namespace goprobe::goconvert
