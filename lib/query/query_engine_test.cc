// The engine against a brute-force aggregation of the same rows.

#include "lib/query/query_engine.h"

#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <random>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/layout.h"
#include "lib/godb/random_rows_for_test.h"
#include "lib/godb/temp_dir_for_test.h"

namespace goprobe::query {
namespace {

constexpr int64_t kT0 = 1700000100;  // a block boundary

struct Stored {
  std::string iface;
  int64_t time;
  flow::FlowRow row;
};

// Keeps rows whose dport is 443: a stand-in condition.
class Port443 : public RowSelector {
 public:
  godb::ColumnSet columns() const override { return godb::ColumnSet().Add(godb::Column::kDport); }
  void Select(const godb::BlockColumns& b, std::vector<uint32_t>* rows) const override {
    rows->clear();
    for (uint32_t i = 0; i < b.rows; ++i) {
      if (b.dport[i] == 443) rows->push_back(i);
    }
  }
};

// In each day's first five blocks, the IPv4 rows with dport 443; in later
// blocks, every row with dport 443. A day's IPv6 rows then first reach the
// aggregation after blocks that had none.
bool EarlyBlock(int64_t time) {
  return (time - kT0) % (godb::kSecondsPerDay + 3600) < 5 * 300;
}
class LateV6Port443 : public RowSelector {
 public:
  godb::ColumnSet columns() const override { return godb::ColumnSet().Add(godb::Column::kDport); }
  void Select(const godb::BlockColumns& b, std::vector<uint32_t>* rows) const override {
    rows->clear();
    const uint32_t end = EarlyBlock(b.time) ? b.v4_rows : b.rows;
    for (uint32_t i = 0; i < end; ++i) {
      if (b.dport[i] == 443) rows->push_back(i);
    }
  }
};

class QueryEngineTest : public testing::Test {
 protected:
  void SetUp() override {
    auto writer = godb::DbWriter::Open(dir_.path());
    ASSERT_TRUE(writer.ok());
    std::mt19937_64 rng(3);
    const char* ifaces[] = {"eth0", "eth1", "wlan0"};
    for (int b = 0; b < 30; ++b) {
      // Ten blocks a day-and-a-bit apart cover several day partitions.
      const int64_t t = kT0 + (b % 10) * 300 + (b / 10) * (godb::kSecondsPerDay + 3600);
      for (const char* iface : ifaces) {
        if (rng() % 4 == 0) continue;
        auto rows = godb::RandomRows(50 + rng() % 200, 0.3, rng());
        // Few ports and hosts, so groups really merge.
        for (auto& r : rows) {
          r.key.dport = uint16_t(std::vector<int>{443, 80, 53, 22}[rng() % 4]);
          if (r.key.is_v4()) r.key.dip = flow::IpAddress::V4(0x08080800u + uint32_t(rng() % 5));
        }
        ASSERT_TRUE((*writer)->WriteBlock(iface, t, rows, {}).ok());
        for (const auto& r : rows) stored_.push_back({iface, t, r});
      }
    }
  }

  // What the engine should answer, computed row by row. With a condition,
  // `keep` says which rows it selects (by default, Port443's).
  std::vector<ResultRow> Reference(const QuerySpec& spec,
                                   const std::function<bool(const Stored&)>& keep) {
    std::map<std::tuple<int64_t, std::string, flow::IpAddress, flow::IpAddress, uint16_t, uint8_t>,
             flow::Counters>
        groups;
    const int64_t res = spec.resolution == 0 ? 300 : spec.resolution;
    for (const Stored& s : stored_) {
      if (s.time < spec.first || s.time > spec.last || !spec.interfaces.Matches(s.iface)) continue;
      if (spec.condition && (keep ? !keep(s) : s.row.key.dport != 443)) continue;
      const auto& a = spec.attributes;
      const int64_t bucket = (s.time + res - 1) / res * res;
      groups[{a.Has(Attribute::kTime) ? bucket : 0, a.Has(Attribute::kIface) ? s.iface : "",
              a.Has(Attribute::kSip) ? s.row.key.sip : flow::IpAddress(),
              a.Has(Attribute::kDip) ? s.row.key.dip : flow::IpAddress(),
              a.Has(Attribute::kDport) ? s.row.key.dport : uint16_t(0),
              a.Has(Attribute::kProto) ? s.row.key.proto : uint8_t(0)}] += s.row.counters;
    }
    std::vector<ResultRow> rows;
    for (auto& [k, c] : groups) {
      ResultRow r;
      std::tie(r.time, r.iface, r.sip, r.dip, r.dport, r.proto) = k;
      r.counters = c;
      if (spec.direction_filter && !condition::DirectionMatches(*spec.direction_filter, c)) continue;
      if (spec.direction == Direction::kIn) {
        r.counters.bytes_sent = r.counters.pkts_sent = 0;
        if (r.counters.bytes_rcvd == 0 && r.counters.pkts_rcvd == 0) continue;
      }
      if (spec.direction == Direction::kOut) {
        r.counters.bytes_rcvd = r.counters.pkts_rcvd = 0;
        if (r.counters.bytes_sent == 0 && r.counters.pkts_sent == 0) continue;
      }
      rows.push_back(r);
    }
    SortAndCut(spec, &rows);
    return rows;
  }

  void ExpectSameAsReference(const QuerySpec& spec, const std::string& what,
                             const std::function<bool(const Stored&)>& keep = nullptr) {
    auto got = RunQuery(godb::DbReader(dir_.path()), spec);
    ASSERT_TRUE(got.ok()) << what << ": " << got.status();
    const std::vector<ResultRow> want = Reference(spec, keep);
    ASSERT_EQ(got->rows.size(), want.size()) << what;
    for (size_t i = 0; i < want.size(); ++i) {
      const ResultRow &g = got->rows[i], &w = want[i];
      ASSERT_TRUE(g.time == w.time && g.iface == w.iface && g.sip == w.sip && g.dip == w.dip &&
                  g.dport == w.dport && g.proto == w.proto && g.counters == w.counters)
          << what << " row " << i << ": got " << g.sip.ToString() << " " << g.dip.ToString()
          << " " << g.dport << " " << g.iface << " " << g.time << " bytes "
          << g.counters.bytes_rcvd << ", want " << w.sip.ToString() << " " << w.dip.ToString()
          << " " << w.dport << " " << w.iface << " " << w.time << " bytes "
          << w.counters.bytes_rcvd;
    }
    EXPECT_TRUE(got->problems.empty()) << what;
  }

  godb::TempDir dir_;
  std::vector<Stored> stored_;
};

TEST_F(QueryEngineTest, MatchesBruteForceOverEveryAttributeCombination) {
  const Attribute all[] = {Attribute::kSip,   Attribute::kDip,   Attribute::kDport,
                           Attribute::kProto, Attribute::kIface, Attribute::kTime};
  for (int mask = 1; mask < 64; ++mask) {
    QuerySpec spec;
    for (int b = 0; b < 6; ++b) {
      if (mask & (1 << b)) spec.attributes.Add(all[b]);
    }
    spec.last = godb::kMaxBlockTime;
    spec.limit = 0;
    spec.threads = 1 + mask % 3;
    ExpectSameAsReference(spec, "attribute mask " + std::to_string(mask));
  }
}

TEST_F(QueryEngineTest, MatchesBruteForceWithConditionsDirectionsSortsAndRanges) {
  std::mt19937 rng(9);
  for (int trial = 0; trial < 60; ++trial) {
    QuerySpec spec;
    spec.attributes = *ParseAttributes(
        std::vector<const char*>{"sip,dip", "dport,proto", "sip", "raw", "dip,iface", "time"}[trial % 6]);
    spec.first = kT0 + int64_t(rng() % 4) * 1500;
    spec.last = spec.first + int64_t(rng() % 3) * godb::kSecondsPerDay + 2400;
    if (trial % 3 == 0) spec.condition = std::make_shared<Port443>();
    spec.direction = std::vector<Direction>{Direction::kBoth, Direction::kIn, Direction::kOut,
                                            Direction::kSum}[rng() % 4];
    spec.sort_by = std::vector<SortBy>{SortBy::kBytes, SortBy::kPackets, SortBy::kTime}[rng() % 3];
    spec.ascending = rng() % 2;
    spec.limit = std::vector<uint64_t>{0, 1, 7, 1000}[rng() % 4];
    spec.resolution = std::vector<int64_t>{0, 300, 3600, 86400}[rng() % 4];
    if (trial % 4 == 1) spec.interfaces = *InterfaceSelector::Parse("/^eth/,!eth1");
    spec.threads = 1 + trial % 2;
    if (trial % 5 == 2) {
      spec.direction_filter = std::vector<condition::Direction>{
          condition::Direction::kIn, condition::Direction::kOut, condition::Direction::kUni,
          condition::Direction::kBi}[rng() % 4];
    }
    ExpectSameAsReference(spec, "trial " + std::to_string(trial));
  }
}

// IPv6 addresses are numbered only once a block adds an IPv6 row; rows of
// later blocks of the same day must still find their addresses.
TEST_F(QueryEngineTest, IPv6RowsAfterBlocksWithoutThem) {
  const auto keep = [](const Stored& s) {
    return s.row.key.dport == 443 && (s.row.key.is_v4() || !EarlyBlock(s.time));
  };
  size_t early_v6 = 0, late_v6 = 0;
  for (const Stored& s : stored_) {
    if (s.row.key.dport == 443 && !s.row.key.is_v4()) ++(EarlyBlock(s.time) ? early_v6 : late_v6);
  }
  ASSERT_GT(early_v6, 0u);  // the selector really leaves IPv6 rows out
  ASSERT_GT(late_v6, 0u);
  for (const char* attributes : {"sip,dip", "sip", "dip,dport", "sip,time"}) {
    for (int threads : {1, 2}) {
      QuerySpec spec;
      spec.attributes = *ParseAttributes(attributes);
      spec.last = godb::kMaxBlockTime;
      spec.limit = 0;
      spec.threads = threads;
      spec.condition = std::make_shared<LateV6Port443>();
      ExpectSameAsReference(spec, absl::StrCat(attributes, ", ", threads, " threads"), keep);
    }
  }
}

TEST_F(QueryEngineTest, TotalsHitsSpanAndInterfaces) {
  QuerySpec spec;
  spec.attributes = *ParseAttributes("sip,dip");
  spec.last = godb::kMaxBlockTime;
  spec.limit = 3;
  auto r = RunQuery(godb::DbReader(dir_.path()), spec);
  ASSERT_TRUE(r.ok());
  flow::Counters total;
  int64_t first = INT64_MAX, last = 0;
  for (const Stored& s : stored_) {
    total += s.row.counters;
    first = std::min(first, s.time);
    last = std::max(last, s.time);
  }
  EXPECT_EQ(r->totals, total);
  EXPECT_EQ(r->rows.size(), 3u);
  EXPECT_GT(r->hits_total, 3u);
  EXPECT_EQ(r->time_first, first);
  EXPECT_EQ(r->time_last, last);
  EXPECT_EQ(r->interfaces, (std::vector<std::string>{"eth0", "eth1", "wlan0"}));
  EXPECT_GT(r->scan.blocks_scanned, 0u);
  // The writer merged rows with equal keys within a block.
  std::set<std::tuple<std::string, int64_t, flow::FlowKey>> distinct;
  for (const Stored& s : stored_) distinct.insert({s.iface, s.time, s.row.key});
  EXPECT_EQ(r->scan.rows_scanned, distinct.size());
}

TEST_F(QueryEngineTest, LimitsStopTheQuery) {
  QuerySpec spec;
  spec.last = godb::kMaxBlockTime;
  spec.max_memory_bytes = 1024;
  for (const char* attributes : {"sip,dip,dport", "sip,dip"}) {  // wide and narrow tables
    spec.attributes = *ParseAttributes(attributes);
    EXPECT_TRUE(absl::IsResourceExhausted(RunQuery(godb::DbReader(dir_.path()), spec).status()))
        << attributes;
  }
  spec.max_memory_bytes = 0;
  spec.deadline = absl::Now() - absl::Seconds(1);
  EXPECT_TRUE(absl::IsDeadlineExceeded(RunQuery(godb::DbReader(dir_.path()), spec).status()));
  spec.deadline = absl::InfiniteFuture();
  std::atomic<bool> cancelled{true};
  spec.cancelled = &cancelled;
  EXPECT_TRUE(absl::IsCancelled(RunQuery(godb::DbReader(dir_.path()), spec).status()));
  spec.cancelled = nullptr;
  spec.first = 10;
  spec.last = 5;
  EXPECT_TRUE(absl::IsInvalidArgument(RunQuery(godb::DbReader(dir_.path()), spec).status()));
}

// With a condition, a block is decoded past the condition's columns only
// when the condition selects one of its rows: a damaged counter column in a
// block without a match is never read, so the query answers without a
// problem, while a query that needs the block reports it.
TEST(QueryEngineStagedReadTest, BlocksWithoutAMatchAreNotDecodedFurther) {
  godb::TempDir dir;
  auto rows_with_port = [](uint16_t port, uint64_t seed) {
    auto rows = godb::RandomRows(100, 0.3, seed);
    for (auto& r : rows) r.key.dport = port;
    return rows;
  };
  const auto no_match = rows_with_port(80, 1), match = rows_with_port(443, 2);
  {
    auto writer = godb::DbWriter::Open(dir.path());
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0, no_match, {}).ok());
    ASSERT_TRUE((*writer)->WriteBlock("eth0", kT0 + 300, match, {}).ok());
  }
  const godb::DayPartition day{"eth0", godb::DayStart(kT0),
                               godb::DayDirectory(dir.path(), "eth0", godb::DayStart(kT0))};
  {
    auto reader = godb::DayReader::Open(day);
    ASSERT_TRUE(reader.ok()) << reader.status();
    const godb::Extent& e =
        (*reader)->metadata().blocks[0].extents[int(godb::Column::kBytesRcvd)];
    const std::string path =
        day.dir + "/" + std::string(godb::ColumnFileName(godb::Column::kBytesRcvd));
    FILE* f = fopen(path.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(fseek(f, long(e.offset + e.size - 1), SEEK_SET), 0);
    const int c = fgetc(f);
    ASSERT_EQ(fseek(f, long(e.offset + e.size - 1), SEEK_SET), 0);
    fputc(c ^ 0x5a, f);
    fclose(f);
  }
  QuerySpec spec;
  spec.attributes = *ParseAttributes("dport");
  spec.last = godb::kMaxBlockTime;
  spec.condition = std::make_shared<Port443>();
  auto r = RunQuery(godb::DbReader(dir.path()), spec);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->problems.empty());
  flow::Counters want;
  for (const auto& row : match) want += row.counters;
  ASSERT_EQ(r->rows.size(), 1u);
  EXPECT_EQ(r->rows[0].dport, 443);
  EXPECT_EQ(r->rows[0].counters, want);
  EXPECT_EQ(r->scan.blocks_scanned, 2u);

  spec.condition = nullptr;
  r = RunQuery(godb::DbReader(dir.path()), spec);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->problems.size(), 1u);
  EXPECT_NE(r->problems[0].find("bytes_rcvd"), std::string::npos) << r->problems[0];
  EXPECT_EQ(r->scan.blocks_corrupt, 1u);
}

TEST(QueryEngineEmptyTest, MissingDatabaseIsAnEmptyResult) {
  QuerySpec spec;
  spec.attributes = *ParseAttributes("sip");
  spec.last = 100;
  auto r = RunQuery(godb::DbReader("/nonexistent/db"), spec);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->rows.empty());
  EXPECT_EQ(r->hits_total, 0u);
}

}  // namespace
}  // namespace goprobe::query
