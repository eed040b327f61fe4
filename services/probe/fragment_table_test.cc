#include "services/probe/fragment_table.h"

#include "gtest/gtest.h"

namespace goprobe::probe {
namespace {

const uint8_t kA[16] = {10, 0, 0, 1};
const uint8_t kB[16] = {10, 0, 0, 2};
const uint8_t kC[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

TEST(FragmentTableTest, RemembersPortsPerDatagram) {
  FragmentTable t(64);
  t.Insert(4, kA, kB, 7, 17, {5353, 53}, 0);
  t.Insert(4, kA, kB, 8, 17, {5354, 53}, 0);
  FragmentTable::Ports p;
  ASSERT_TRUE(t.Lookup(4, kA, kB, 7, 17, 1, &p));
  EXPECT_EQ(p.sport, 5353);
  ASSERT_TRUE(t.Lookup(4, kA, kB, 8, 17, 1, &p));
  EXPECT_EQ(p.sport, 5354);
  // Every part of the identity matters.
  EXPECT_FALSE(t.Lookup(4, kB, kA, 7, 17, 1, &p));
  EXPECT_FALSE(t.Lookup(4, kA, kB, 7, 6, 1, &p));
  EXPECT_FALSE(t.Lookup(4, kA, kB, 9, 17, 1, &p));
  EXPECT_FALSE(t.Lookup(16, kA, kB, 7, 17, 1, &p));
  t.Insert(16, kC, kC, 7, 6, {1, 2}, 0);
  ASSERT_TRUE(t.Lookup(16, kC, kC, 7, 6, 0, &p));
  EXPECT_EQ(p.dport, 2);
}

TEST(FragmentTableTest, ExpiresByPacketTime) {
  FragmentTable t(64, /*timeout_ns=*/1000);
  t.Insert(4, kA, kB, 1, 6, {1, 2}, 5000);
  FragmentTable::Ports p;
  EXPECT_TRUE(t.Lookup(4, kA, kB, 1, 6, 6000, &p));
  EXPECT_FALSE(t.Lookup(4, kA, kB, 1, 6, 6001, &p));
  // Time running backwards (an unordered capture) does not expire anything.
  EXPECT_TRUE(t.Lookup(4, kA, kB, 1, 6, 10, &p));
}

TEST(FragmentTableTest, BoundedOldestGivesWay) {
  FragmentTable t(4);  // one set of four
  ASSERT_EQ(t.capacity(), 4u);
  for (uint32_t id = 0; id < 4; ++id) t.Insert(4, kA, kB, id, 17, {uint16_t(id), 0}, id);
  t.Insert(4, kA, kB, 100, 17, {100, 0}, 10);  // evicts id 0, seen first
  FragmentTable::Ports p;
  EXPECT_FALSE(t.Lookup(4, kA, kB, 0, 17, 10, &p));
  for (uint32_t id = 1; id < 4; ++id) EXPECT_TRUE(t.Lookup(4, kA, kB, id, 17, 10, &p)) << id;
  EXPECT_TRUE(t.Lookup(4, kA, kB, 100, 17, 10, &p));
  // Re-inserting a known datagram updates it in place.
  t.Insert(4, kA, kB, 100, 17, {101, 0}, 11);
  ASSERT_TRUE(t.Lookup(4, kA, kB, 100, 17, 11, &p));
  EXPECT_EQ(p.sport, 101);
  EXPECT_TRUE(t.Lookup(4, kA, kB, 1, 17, 11, &p));
}

TEST(FragmentTableTest, ManyDatagramsStayBounded) {
  FragmentTable t(256);
  for (uint32_t id = 0; id < 100000; ++id) t.Insert(4, kA, kB, id, 17, {1, 2}, id);
  EXPECT_EQ(t.capacity(), 256u);
  FragmentTable::Ports p;
  EXPECT_TRUE(t.Lookup(4, kA, kB, 99999, 17, 99999, &p));
}

}  // namespace
}  // namespace goprobe::probe
