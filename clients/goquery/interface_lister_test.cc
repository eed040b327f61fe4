// ListInterfaces over goDBs written in the test.

#include "clients/goquery/interface_lister.h"

#include <fstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/layout.h"
#include "lib/godb/temp_dir_for_test.h"

namespace goprobe::goquery {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr int64_t kDay = 1699920000;     // 2023-11-14 00:00:00 UTC
constexpr int64_t kT0 = kDay + 80100;    // 22:15
constexpr int64_t kNextDay = kDay + 86400;

flow::FlowRow Row(const char* sip, const char* dip, flow::Counters c) {
  flow::FlowRow r;
  r.key.sip = *flow::IpAddress::Parse(sip);
  r.key.dip = *flow::IpAddress::Parse(dip);
  r.key.dport = 443;
  r.key.proto = 6;
  r.counters = c;
  return r;
}

class InterfaceListerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto writer = godb::DbWriter::Open(dir_.path());
    ASSERT_TRUE(writer.ok()) << writer.status();
    // eth0: two blocks on day one, one on day two.
    ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0, {Row("10.0.0.1", "10.0.0.2", {100, 200, 1, 2}),
                                                    Row("10.0.0.3", "10.0.0.2", {10, 20, 1, 1})},
                                      {10, 3, 1, 2}).ok());
    ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0 + 300,
                                      {Row("2001:db8::1", "2001:db8::2", {1000, 2000, 5, 6})},
                                      {11, 0, 0, 1}).ok());
    ASSERT_TRUE((*writer)->WriteBlock("eth0", kNextDay + 300,
                                      {Row("10.0.0.1", "10.0.0.2", {1, 1, 1, 1})}, {2, 7, 0, 0}).ok());
    // eth1: one block on day two.
    ASSERT_TRUE((*writer)->WriteBlock("eth1", kNextDay + 600,
                                      {Row("10.0.0.9", "10.0.0.2", {5, 5, 1, 1})}, {}).ok());
  }

  absl::StatusOr<InterfaceListing> List(absl::string_view ifaces = "", int64_t first = 0,
                                        int64_t last = godb::kMaxBlockTime) {
    return ListInterfaces(godb::DbReader(dir_.path()), *query::InterfaceSelector::Parse(ifaces), first, last);
  }

  godb::TempDir dir_;
};

TEST_F(InterfaceListerTest, SumsEveryBlockOfEveryInterface) {
  auto listing = List();
  ASSERT_TRUE(listing.ok()) << listing.status();
  EXPECT_THAT(listing->problems, IsEmpty());
  ASSERT_EQ(listing->interfaces.size(), 2u);

  const v1::InterfaceSummary& eth0 = listing->interfaces[0];
  EXPECT_EQ(eth0.iface(), "eth0");
  EXPECT_EQ(eth0.hostname(), "");
  EXPECT_EQ(eth0.totals().bytes_rcvd(), 1111u);
  EXPECT_EQ(eth0.totals().bytes_sent(), 2221u);
  EXPECT_EQ(eth0.totals().packets_rcvd(), 8u);
  EXPECT_EQ(eth0.totals().packets_sent(), 10u);
  EXPECT_EQ(eth0.ipv4_flows(), 3u);
  EXPECT_EQ(eth0.ipv6_flows(), 1u);
  EXPECT_EQ(eth0.capture().packets_received(), 23u);
  EXPECT_EQ(eth0.capture().packets_dropped_kernel(), 10u);
  EXPECT_EQ(eth0.capture().packets_dropped_iface(), 1u);
  EXPECT_EQ(eth0.capture().packets_malformed(), 3u);
  EXPECT_EQ(eth0.blocks(), 3u);
  EXPECT_EQ(eth0.first_block_time(), kT0);
  EXPECT_EQ(eth0.last_block_time(), kNextDay + 300);

  const v1::InterfaceSummary& eth1 = listing->interfaces[1];
  EXPECT_EQ(eth1.iface(), "eth1");
  EXPECT_EQ(eth1.blocks(), 1u);
  EXPECT_EQ(eth1.first_block_time(), kNextDay + 600);
  EXPECT_EQ(eth1.last_block_time(), kNextDay + 600);
}

TEST_F(InterfaceListerTest, TimeRangeCountsOnlyBlocksInsideIt) {
  auto listing = List("", kT0 + 300, kNextDay + 300);
  ASSERT_TRUE(listing.ok()) << listing.status();
  ASSERT_EQ(listing->interfaces.size(), 1u);  // eth1's only block is later
  const v1::InterfaceSummary& eth0 = listing->interfaces[0];
  EXPECT_EQ(eth0.blocks(), 2u);
  EXPECT_EQ(eth0.first_block_time(), kT0 + 300);
  EXPECT_EQ(eth0.last_block_time(), kNextDay + 300);
  EXPECT_EQ(eth0.totals().bytes_rcvd(), 1001u);
  EXPECT_EQ(eth0.ipv4_flows(), 1u);
  EXPECT_EQ(eth0.ipv6_flows(), 1u);
  EXPECT_EQ(eth0.capture().packets_dropped_kernel(), 7u);
}

TEST_F(InterfaceListerTest, RangeWithoutBlocksListsNothing) {
  auto listing = List("", kT0 + 1, kT0 + 299);
  ASSERT_TRUE(listing.ok()) << listing.status();
  EXPECT_THAT(listing->interfaces, IsEmpty());
}

TEST_F(InterfaceListerTest, SelectorPicksInterfaces) {
  auto listing = List("!eth0");
  ASSERT_TRUE(listing.ok()) << listing.status();
  ASSERT_EQ(listing->interfaces.size(), 1u);
  EXPECT_EQ(listing->interfaces[0].iface(), "eth1");

  auto missing = List("eth0,eth7");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(absl::IsNotFound(missing.status()));
  EXPECT_EQ(missing.status().message(), "interface eth7 has no data (there is data for eth0, eth1)");
}

TEST_F(InterfaceListerTest, DamagedDayIsSkippedAndReported) {
  const std::string meta = godb::DayDirectory(dir_.path(), "eth0", kDay) + "/blocks.meta";
  std::ofstream(meta, std::ios::trunc) << "not metadata";
  auto listing = List();
  ASSERT_TRUE(listing.ok()) << listing.status();
  ASSERT_EQ(listing->problems.size(), 1u);
  EXPECT_THAT(listing->problems[0], HasSubstr("skipped " + godb::DayDirectory(dir_.path(), "eth0", kDay)));
  ASSERT_EQ(listing->interfaces.size(), 2u);
  EXPECT_EQ(listing->interfaces[0].blocks(), 1u);  // day two only
  EXPECT_EQ(listing->interfaces[0].first_block_time(), kNextDay + 300);
}

TEST(InterfaceListerErrorsTest, MissingDatabaseAndReversedRange) {
  godb::TempDir dir;
  const std::string nowhere = dir.path() + "/nothing-here";
  auto listing = ListInterfaces(godb::DbReader(nowhere), query::InterfaceSelector(), 0, 100);
  ASSERT_FALSE(listing.ok());
  EXPECT_TRUE(absl::IsNotFound(listing.status()));
  EXPECT_EQ(listing.status().message(), "no goDB database at " + nowhere);

  auto reversed = ListInterfaces(godb::DbReader(dir.path()), query::InterfaceSelector(), 200, 100);
  EXPECT_TRUE(absl::IsInvalidArgument(reversed.status()));
}

}  // namespace
}  // namespace goprobe::goquery
