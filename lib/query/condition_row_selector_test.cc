#include "lib/query/condition_row_selector.h"

#include <random>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "lib/godb/block.h"
#include "lib/query/condition_error.h"

namespace goprobe::query {
namespace {

godb::BlockColumns RandomBlock(uint32_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  godb::BlockColumns b;
  b.rows = rows;
  b.v4_rows = rows - rows / 4;
  for (uint32_t i = 0; i < b.v4_rows; ++i) {
    b.sip4.push_back(0x0a000000u | uint32_t(rng() % 512));
    b.dip4.push_back(uint32_t(rng()));
  }
  for (uint32_t i = b.v4_rows; i < rows; ++i) {
    b.sip6.push_back(absl::MakeUint128(0x20010db800000000u, rng() % 8));
    b.dip6.push_back(absl::MakeUint128(rng(), rng()));
  }
  for (uint32_t i = 0; i < rows; ++i) {
    b.dport.push_back(rng() % 2 ? 443 : uint16_t(rng()));
    b.proto.push_back(rng() % 3 ? 6 : 17);
  }
  return b;
}

// The rows a straightforward loop selects for "dport = 443 and snet =
// 10.0.0.0/24", the condition the tests below compile.
std::vector<uint32_t> Expected(const godb::BlockColumns& b) {
  std::vector<uint32_t> out;
  for (uint32_t i = 0; i < b.v4_rows; ++i) {
    if (b.dport[i] == 443 && (b.sip4[i] >> 8) == 0x0a0000) out.push_back(i);
  }
  return out;
}

TEST(CompileConditionTest, SelectsRowsAndHandsBackTheDirection) {
  absl::StatusOr<CompiledCondition> c =
      CompileCondition("dir = bi AND port = 443 and snet = 10.0.0.0/24");
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_NE(c->rows, nullptr);
  EXPECT_EQ(c->direction, condition::Direction::kBi);
  EXPECT_EQ(c->text, "dport = 443 and snet = 10.0.0.0/24 and dir = bi");
  EXPECT_TRUE(c->rows->columns().Has(godb::Column::kDport));
  EXPECT_TRUE(c->rows->columns().Has(godb::Column::kSip));
  EXPECT_FALSE(c->rows->columns().Has(godb::Column::kDip));

  const godb::BlockColumns b = RandomBlock(1000, 1);
  std::vector<uint32_t> rows = {7, 7, 7};  // replaced, not appended to
  c->rows->Select(b, &rows);
  EXPECT_EQ(rows, Expected(b));
  EXPECT_FALSE(rows.empty());
}

TEST(CompileConditionTest, DirectionAloneNeedsNoSelector) {
  absl::StatusOr<CompiledCondition> c = CompileCondition("direction = outbound");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rows, nullptr);
  EXPECT_EQ(c->direction, condition::Direction::kOut);
  EXPECT_EQ(c->text, "dir = out");
}

TEST(CompileConditionTest, ErrorsKeepTheirPosition) {
  absl::StatusOr<CompiledCondition> c = CompileCondition("dport = 443 or dir = in");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(ConditionErrorPosition(c.status()), 15u);
  EXPECT_EQ(ConditionErrorPosition(CompileCondition("sip < 1.2.3.4").status()), 4u);
}

TEST(CompileConditionTest, OneSelectorServesManyThreads) {
  absl::StatusOr<CompiledCondition> c = CompileCondition("dport = 443 and snet = 10.0.0.0/24");
  ASSERT_TRUE(c.ok()) << c.status();
  std::vector<godb::BlockColumns> blocks;
  for (uint64_t seed = 0; seed < 8; ++seed)
    blocks.push_back(RandomBlock(uint32_t(500 + seed * 700), seed));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<uint32_t> rows;
      for (int round = 0; round < 50; ++round) {
        const godb::BlockColumns& b = blocks[(t + round) % blocks.size()];
        c->rows->Select(b, &rows);
        mismatches[t] += rows != Expected(b);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace goprobe::query
