#include "services/probe/flow_table.h"

#include <arpa/inet.h>

#include <map>
#include <thread>
#include <tuple>
#include <vector>

#include "absl/random/random.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lib/flow/flow.h"
#include "services/probe/classify.h"

namespace goprobe::probe {
namespace {

using flow::Counters;
using flow::FlowKey;
using flow::FlowRow;
using flow::IpAddress;

PacketInfo Pkt(const char* src, uint16_t sport, const char* dst, uint16_t dport, uint8_t proto,
               int aux = -1, Direction dir = Direction::kUnknown) {
  PacketInfo p;
  if (inet_pton(AF_INET, src, p.src) == 1) {
    inet_pton(AF_INET, dst, p.dst);
  } else {
    p.is_v4 = false;
    inet_pton(AF_INET6, src, p.src);
    inet_pton(AF_INET6, dst, p.dst);
  }
  p.sport = sport;
  p.dport = dport;
  p.proto = proto;
  if (aux >= 0) {
    p.aux = uint8_t(aux);
    p.has_aux = true;
  }
  p.direction = dir;
  return p;
}

FlowKey Key(const char* sip, const char* dip, uint16_t dport, uint8_t proto) {
  return FlowKey{*IpAddress::Parse(sip), *IpAddress::Parse(dip), dport, proto};
}

Counters C(uint64_t br, uint64_t bs, uint64_t pr, uint64_t ps) { return Counters{br, bs, pr, ps}; }

std::vector<FlowRow> Drain(FlowTable* t) {
  std::vector<FlowRow> rows;
  t->EndWindow()->Drain(&rows);
  return rows;
}

MATCHER_P2(RowIs, key, counters, "") { return arg.key == key && arg.counters == counters; }

TEST(FlowTableTest, BothDirectionsLandInOneFlow) {
  FlowTable t;
  // Server's SYN-ACK seen first: still oriented client -> server.
  t.Add(Pkt("10.0.0.2", 80, "10.0.0.1", 40000, 6, 0x12), 60);
  t.Add(Pkt("10.0.0.1", 40000, "10.0.0.2", 80, 6, 0x10), 54);
  t.Add(Pkt("10.0.0.1", 40000, "10.0.0.2", 80, 6, 0x18), 300);
  t.Add(Pkt("10.0.0.2", 80, "10.0.0.1", 40000, 6, 0x18), 1500);
  EXPECT_EQ(t.conversations(), 1u);
  // No capture direction: the client's packets count as sent.
  EXPECT_THAT(Drain(&t), ::testing::ElementsAre(RowIs(Key("10.0.0.1", "10.0.0.2", 80, 6),
                                                      C(1560, 354, 2, 2))));
}

TEST(FlowTableTest, CaptureDirectionDecidesSentAndReceived) {
  FlowTable t;
  t.Add(Pkt("10.0.0.1", 40000, "10.0.0.2", 443, 6, 0x02, Direction::kInbound), 100);
  t.Add(Pkt("10.0.0.2", 443, "10.0.0.1", 40000, 6, 0x12, Direction::kOutbound), 200);
  t.Add(Pkt("10.0.0.2", 443, "10.0.0.1", 40000, 6, 0x10, Direction::kOutbound), 300);
  EXPECT_THAT(Drain(&t), ::testing::ElementsAre(RowIs(Key("10.0.0.1", "10.0.0.2", 443, 6),
                                                      C(100, 500, 1, 2))));
}

TEST(FlowTableTest, ConnectionsOrientIndependentlyAndMergeByKey) {
  FlowTable t;
  // Two connections to the same service from different client ports.
  t.Add(Pkt("10.0.0.1", 40000, "10.0.0.9", 53, 17), 80);
  t.Add(Pkt("10.0.0.9", 53, "10.0.0.1", 40000, 17), 120);
  t.Add(Pkt("10.0.0.1", 40001, "10.0.0.9", 53, 17), 81);
  // A third whose first packet is the answer: still client 10.0.0.1.
  t.Add(Pkt("10.0.0.9", 53, "10.0.0.1", 40002, 17), 121);
  // ICMP: the reply flips, so the echo's sender is the client.
  t.Add(Pkt("10.0.0.9", 0, "10.0.0.1", 0, 1, 0), 98);
  t.Add(Pkt("10.0.0.1", 0, "10.0.0.9", 0, 1, 8), 98);
  // IPv6 sorts after IPv4.
  t.Add(Pkt("2001:db8::1", 50000, "2001:db8::2", 22, 6, 0x02), 74);
  EXPECT_EQ(t.conversations(), 5u);
  EXPECT_THAT(Drain(&t),
              ::testing::ElementsAre(RowIs(Key("10.0.0.1", "10.0.0.9", 0, 1), C(98, 98, 1, 1)),
                                     RowIs(Key("10.0.0.1", "10.0.0.9", 53, 17), C(241, 161, 2, 2)),
                                     RowIs(Key("2001:db8::1", "2001:db8::2", 22, 6), C(0, 74, 0, 1))));
}

TEST(FlowTableTest, OrientationLastsWhileActiveAndIdleFlowsLeave) {
  FlowTable t;
  // Both ports ephemeral and the SYN against the port rule (which would make
  // the lower port, 40000, the server's): only the SYN says who the client is.
  const PacketInfo syn = Pkt("10.0.0.1", 40000, "10.0.0.2", 60000, 6, 0x02);
  const PacketInfo reply = Pkt("10.0.0.2", 60000, "10.0.0.1", 40000, 6, 0x10);
  t.Add(syn, 60);
  EXPECT_THAT(Drain(&t), ::testing::ElementsAre(RowIs(Key("10.0.0.1", "10.0.0.2", 60000, 6),
                                                      C(0, 60, 0, 1))));
  // Next window, the server speaks first: the conversation is known.
  t.Add(reply, 100);
  EXPECT_THAT(Drain(&t), ::testing::ElementsAre(RowIs(Key("10.0.0.1", "10.0.0.2", 60000, 6),
                                                      C(100, 0, 1, 0))));
  // A whole window without packets: the conversation leaves...
  EXPECT_THAT(Drain(&t), ::testing::IsEmpty());
  // ...and the server's packet now opens it by the port rule.
  t.Add(reply, 100);
  EXPECT_THAT(Drain(&t), ::testing::ElementsAre(RowIs(Key("10.0.0.2", "10.0.0.1", 40000, 6),
                                                      C(0, 100, 0, 1))));
  EXPECT_EQ(t.conversations(), 1u);
}

TEST(FlowTableTest, CapCountsUntrackedAndIdleOnesMakeRoom) {
  FlowTable t(FlowTableOptions{.max_flows = 2});
  EXPECT_EQ(t.Add(Pkt("10.0.0.1", 40000, "10.0.0.2", 80, 6), 1), FlowTable::AddResult::kCounted);
  EXPECT_EQ(t.Add(Pkt("10.0.0.1", 40001, "10.0.0.2", 80, 6), 1), FlowTable::AddResult::kCounted);
  EXPECT_EQ(t.Add(Pkt("10.0.0.1", 40002, "10.0.0.2", 80, 6), 1), FlowTable::AddResult::kUntracked);
  // Known conversations go on counting.
  EXPECT_EQ(t.Add(Pkt("10.0.0.2", 80, "10.0.0.1", 40001, 6), 1), FlowTable::AddResult::kCounted);
  Drain(&t);
  EXPECT_EQ(t.Add(Pkt("10.0.0.1", 40001, "10.0.0.2", 80, 6), 1), FlowTable::AddResult::kCounted);
  EXPECT_EQ(t.Add(Pkt("10.0.0.1", 40003, "10.0.0.2", 80, 6), 1), FlowTable::AddResult::kUntracked);
  Drain(&t);
  // 40000 was idle for a whole window now: its place is free.
  EXPECT_EQ(t.Add(Pkt("10.0.0.1", 40003, "10.0.0.2", 80, 6), 1), FlowTable::AddResult::kCounted);
  EXPECT_EQ(t.conversations(), 2u);
}

TEST(FlowTableTest, SortAndMergeRows) {
  std::vector<FlowRow> rows = {
      {Key("10.0.0.2", "10.0.0.1", 1, 6), C(1, 0, 1, 0)},
      {Key("::1", "::2", 1, 6), C(1, 0, 1, 0)},
      {Key("10.0.0.1", "10.0.0.1", 1, 6), C(1, 0, 1, 0)},
      {Key("10.0.0.2", "10.0.0.1", 1, 6), C(0, 2, 0, 1)},
  };
  SortAndMergeRows(&rows);
  EXPECT_THAT(rows, ::testing::ElementsAre(RowIs(Key("10.0.0.1", "10.0.0.1", 1, 6), C(1, 0, 1, 0)),
                                           RowIs(Key("10.0.0.2", "10.0.0.1", 1, 6), C(1, 2, 1, 1)),
                                           RowIs(Key("::1", "::2", 1, 6), C(1, 0, 1, 0))));
}

// The same rules written the obvious way: a map of conversations, removed at
// a window's end when they had no packet in it.
class ReferenceTable {
 public:
  void Add(const PacketInfo& p, uint32_t len) {
    const FlowKey k = FlowKeyOf(p, false), r = FlowKeyOf(p, true);
    const auto fwd = std::make_tuple(k, p.sport);
    const auto rev = std::make_tuple(r, p.dport);
    bool from_client;
    Entry* e;
    if (auto it = conv_.find(fwd); it != conv_.end()) {
      e = &it->second;
      from_client = true;
    } else if (auto it2 = conv_.find(rev); it2 != conv_.end()) {
      e = &it2->second;
      from_client = false;
    } else {
      const bool flip = ShouldFlip(p);
      e = &conv_[flip ? rev : fwd];
      from_client = !flip;
    }
    e->active = true;
    Counters& c = window_[from_client ? k : r];
    const bool sent = p.direction == Direction::kOutbound ||
                      (p.direction == Direction::kUnknown && from_client);
    (sent ? c.bytes_sent : c.bytes_rcvd) += len;
    ++(sent ? c.pkts_sent : c.pkts_rcvd);
  }
  std::vector<FlowRow> EndWindow() {
    std::vector<FlowRow> rows;
    for (const auto& [k, c] : window_) rows.push_back({k, c});
    window_.clear();
    for (auto it = conv_.begin(); it != conv_.end();) {
      if (!it->second.active) {
        it = conv_.erase(it);
      } else {
        it->second.active = false;
        ++it;
      }
    }
    return rows;
  }

 private:
  struct Entry {
    bool active = false;
  };
  // The flow key seen from the packet's source (or, reversed, its destination)
  // as the client.
  static FlowKey FlowKeyOf(const PacketInfo& p, bool reversed) {
    const auto ip = [&](const uint8_t* b) { return p.is_v4 ? IpAddress::V4(b) : IpAddress::V6(b); };
    return reversed ? FlowKey{ip(p.dst), ip(p.src), p.sport, p.proto}
                    : FlowKey{ip(p.src), ip(p.dst), p.dport, p.proto};
  }
  std::map<std::tuple<FlowKey, uint16_t>, Entry> conv_;  // (oriented key, client port)
  std::map<FlowKey, Counters> window_;
};

TEST(FlowTableTest, MatchesReferenceOverManyWindows) {
  absl::BitGen gen;
  FlowTable table;
  ReferenceTable ref;
  const char* hosts4[] = {"10.0.0.1", "10.0.0.2", "10.0.0.3", "192.0.2.7", "224.0.0.251"};
  const char* hosts6[] = {"2001:db8::1", "2001:db8::2", "fe80::1", "ff02::fb"};
  const uint16_t ports[] = {0, 22, 53, 80, 443, 5000, 32767, 32768, 40000, 60000};
  const uint8_t protos[] = {6, 17, 1, 58, 132};
  for (int window = 0; window < 40; ++window) {
    // Few hosts and ports: many collisions, re-use, idle and returning flows.
    const int n = absl::Uniform(gen, 0, 3000);
    for (int i = 0; i < n; ++i) {
      const bool v6 = absl::Bernoulli(gen, 0.3);
      const char* a = v6 ? hosts6[absl::Uniform(gen, 0u, 4u)] : hosts4[absl::Uniform(gen, 0u, 5u)];
      const char* b = v6 ? hosts6[absl::Uniform(gen, 0u, 4u)] : hosts4[absl::Uniform(gen, 0u, 5u)];
      uint8_t proto = protos[absl::Uniform(gen, 0u, 5u)];
      if (proto == 1 && v6) proto = 58;
      if (proto == 58 && !v6) proto = 1;
      const bool ports_apply = proto == 6 || proto == 17;
      const uint16_t sp = ports_apply ? ports[absl::Uniform(gen, 0u, 10u)] : 0;
      const uint16_t dp = ports_apply ? ports[absl::Uniform(gen, 0u, 10u)] : 0;
      const int aux = absl::Bernoulli(gen, 0.8) ? absl::Uniform(gen, 0, 256) : -1;
      const Direction dir = static_cast<Direction>(absl::Uniform(gen, 0, 3));
      const PacketInfo p = Pkt(a, sp, b, dp, proto, aux, dir);
      const uint32_t len = absl::Uniform(gen, 40u, 1515u);
      ASSERT_EQ(table.Add(p, len), FlowTable::AddResult::kCounted);
      ref.Add(p, len);
    }
    // The open window read in place equals what closing it yields.
    std::vector<FlowRow> so_far;
    const FlowTable::WindowSoFar current = table.CurrentWindow(&so_far);
    SortAndMergeRows(&so_far);
    std::vector<FlowRow> got;
    table.EndWindow()->Drain(&got);
    ASSERT_EQ(so_far, got) << "window " << window;
    Counters sum;
    for (const FlowRow& r : got) sum += r.counters;
    ASSERT_EQ(current.traffic, sum) << "window " << window;
    EXPECT_GE(current.conversations, got.size());
    std::vector<FlowRow> want = ref.EndWindow();
    SortAndMergeRows(&want);
    ASSERT_EQ(got.size(), want.size()) << "window " << window;
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_TRUE(got[i] == want[i]) << "window " << window << " row " << i << ": "
                                     << got[i].key.sip.ToString() << " " << got[i].key.dip.ToString()
                                     << " " << got[i].key.dport << " vs "
                                     << want[i].key.sip.ToString() << " "
                                     << want[i].key.dip.ToString() << " " << want[i].key.dport;
    }
  }
}

TEST(FlowTableTest, ManyConversationsGrowAndReclaim) {
  FlowTable table;
  uint64_t total = 0;
  for (int window = 0; window < 4; ++window) {
    // Each window a fresh set of 100k conversations: the previous ones leave.
    for (uint32_t i = 0; i < 100000; ++i) {
      PacketInfo p = Pkt("10.0.0.1", 0, "10.0.0.2", 443, 6);
      const uint32_t client = 0x0a000000 | (window << 20) | i;
      p.src[0] = uint8_t(client >> 24);
      p.src[1] = uint8_t(client >> 16);
      p.src[2] = uint8_t(client >> 8);
      p.src[3] = uint8_t(client);
      p.sport = uint16_t(40000 + (i % 1000));
      ASSERT_EQ(table.Add(p, 100), FlowTable::AddResult::kCounted);
    }
    std::vector<FlowRow> rows;
    table.EndWindow()->Drain(&rows);
    EXPECT_EQ(rows.size(), 100000u);
    for (const FlowRow& r : rows) total += r.counters.pkts_sent;
  }
  EXPECT_EQ(total, 400000u);
  // Reclaiming is gradual but bounded: never more than two windows' worth.
  EXPECT_LE(table.conversations(), 200000u);
}

// The capture thread keeps counting while another thread drains the closed
// window: nothing is lost or counted twice. Under TSan/ASan this is also the
// race check of the hand-off.
TEST(FlowTableTest, DrainOnAnotherThreadWhileCounting) {
  FlowTable table;
  std::vector<std::vector<FlowRow>> drained;
  std::thread writer;
  uint64_t sent = 0;
  for (int window = 0; window < 6; ++window) {
    for (uint32_t i = 0; i < 50000; ++i) {
      PacketInfo p = Pkt("10.0.0.1", 40000, "10.0.0.2", 443, 6);
      p.sport = uint16_t(32768 + (i * 7 + window) % 20000);
      p.dst[3] = uint8_t(i % 200);
      table.Add(p, 64);
      ++sent;
    }
    // Read while the previous window may still be draining: only this
    // window's packets.
    const FlowTable::WindowSoFar current = table.CurrentWindow(nullptr);
    EXPECT_EQ(current.traffic.pkts_sent + current.traffic.pkts_rcvd, 50000u);
    std::unique_ptr<WindowSnapshot> snap = table.EndWindow();  // waits for the previous drain
    if (writer.joinable()) writer.join();
    drained.emplace_back();
    writer = std::thread([s = std::move(snap), out = &drained.back()]() mutable { s->Drain(out); });
  }
  writer.join();
  uint64_t counted = 0;
  for (const auto& rows : drained)
    for (const FlowRow& r : rows) counted += r.counters.pkts_sent + r.counters.pkts_rcvd;
  EXPECT_EQ(counted, sent);
}

}  // namespace
}  // namespace goprobe::probe
