#include "services/query/peer_set.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace goprobe::query {
namespace {

TEST(PeerSetTest, ParsesEntriesAndNamesTheBadOne) {
  auto set = PeerSet::Parse(" a.example:1, [::1]:2 ,unix:/run/x.sock");
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_THAT(set->entries(), testing::ElementsAre("a.example:1", "[::1]:2", "unix:/run/x.sock"));
  for (const char* bad : {"host", "::1:5", "h:0", "h:70000", "[::1:5", ":5"}) {
    auto s = PeerSet::Parse(bad);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_THAT(std::string(s.status().message()), testing::HasSubstr(bad));
  }
  EXPECT_FALSE(PeerSet::Parse(" , ").ok());
}

TEST(PeerSetTest, ResolvedPeersKeepTheNameTheirCertificateMustCarry) {
  auto set = PeerSet::Parse("localhost:8146,127.0.0.1:8147,unix:/run/leaf.sock");
  ASSERT_TRUE(set.ok());
  std::vector<Peer> peers = set->Resolve();
  ASSERT_GE(peers.size(), 3u);
  bool saw_literal = false, saw_unix = false, saw_name = false;
  for (const Peer& p : peers) {
    if (p.address == "127.0.0.1:8147") {
      saw_literal = true;
      EXPECT_EQ(p.name, "");
    } else if (p.address == "unix:/run/leaf.sock") {
      saw_unix = true;
      EXPECT_EQ(p.name, "");
    } else {
      saw_name = true;
      EXPECT_EQ(p.name, "localhost") << p.address;
      EXPECT_THAT(p.address, testing::EndsWith(":8146"));
    }
  }
  EXPECT_TRUE(saw_literal && saw_unix && saw_name);
}

TEST(PeerSetTest, ANameThatDoesNotResolveStaysAPeerSoItsFailureIsReported) {
  auto set = PeerSet::Parse("no-such-host.invalid:8146");
  ASSERT_TRUE(set.ok());
  std::vector<Peer> peers = set->Resolve();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].address, "no-such-host.invalid:8146");
  EXPECT_EQ(peers[0].name, "no-such-host.invalid");
}

}  // namespace
}  // namespace goprobe::query
