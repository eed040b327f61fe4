#include "lib/query/port_proto_sums.h"

#include <map>
#include <random>
#include <tuple>
#include <utility>

#include "gtest/gtest.h"

namespace goprobe::query {
namespace {

using Key = std::pair<uint16_t, uint8_t>;

std::map<Key, flow::Counters> DrainToMap(PortProtoSums& sums) {
  std::map<Key, flow::Counters> got;
  sums.DrainAll([&](uint16_t dport, uint8_t proto, const flow::Counters& c) {
    EXPECT_TRUE(got.emplace(Key{dport, proto}, c).second)
        << "key drained twice: " << dport << "/" << int(proto);
  });
  return got;
}

// Random rows over TCP and UDP ports, port-less protocols and ports on other
// protocols, summed against a map; fewer and more adds than the pending
// ring holds.
TEST(PortProtoSumsTest, SumsEveryKeyExactly) {
  std::mt19937_64 rng(5);
  for (size_t rows : {0, 3, 15, 16, 17, 5000}) {
    PortProtoSums sums(/*proto=*/true);
    std::map<Key, flow::Counters> want;
    size_t refused = 0;
    for (size_t r = 0; r < rows; ++r) {
      const uint8_t protos[] = {6, 17, 1, 50, 132};
      const uint8_t proto = protos[rng() % 5];
      uint16_t dport = uint16_t(rng() % 4 == 0 ? rng() : rng() % 64);
      if (proto == 1 || proto == 50) dport = 0;
      const flow::Counters c{rng() % 1000, rng() % 1000, rng() % 10, rng() % 10};
      if (sums.Add(dport, proto, c)) {
        want[{dport, proto}] += c;
      } else {
        EXPECT_EQ(proto, 132) << "only a port on SCTP has no slot";
        EXPECT_NE(dport, 0);
        ++refused;
      }
    }
    EXPECT_EQ(DrainToMap(sums), want) << rows << " rows, " << refused << " refused";
    EXPECT_TRUE(DrainToMap(sums).empty()) << "a drain empties";
  }
}

// A key whose rows all have zero counters is still a group.
TEST(PortProtoSumsTest, DrainsKeysWithZeroSums) {
  PortProtoSums sums(/*proto=*/true);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(sums.Add(53, 17, {}));
  ASSERT_TRUE(sums.Add(443, 6, {1, 2, 3, 4}));
  const std::map<Key, flow::Counters> got = DrainToMap(sums);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got.at({53, 17}), flow::Counters{});
  EXPECT_EQ(got.at({443, 6}), (flow::Counters{1, 2, 3, 4}));
}

// Without proto in the key every protocol is 0, and any port has a slot.
TEST(PortProtoSumsTest, PortsWithoutProtocol) {
  PortProtoSums sums(/*proto=*/false);
  ASSERT_TRUE(sums.Add(65535, 0, {1, 1, 1, 1}));
  ASSERT_TRUE(sums.Add(0, 0, {2, 2, 2, 2}));
  ASSERT_TRUE(sums.Add(65535, 0, {1, 1, 1, 1}));
  const std::map<Key, flow::Counters> got = DrainToMap(sums);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got.at({65535, 0}), (flow::Counters{2, 2, 2, 2}));
  EXPECT_EQ(got.at({0, 0}), (flow::Counters{2, 2, 2, 2}));
}

}  // namespace
}  // namespace goprobe::query
