#include "clients/goquery/progress_meter.h"

#include <sstream>

#include "gtest/gtest.h"

namespace goprobe::goquery {
namespace {

v1::Progress Progress(uint64_t scanned, uint64_t total, uint64_t rows, uint64_t us) {
  v1::Progress p;
  p.mutable_scan()->set_blocks_scanned(scanned);
  p.mutable_scan()->set_blocks_total(total);
  p.mutable_scan()->set_rows_scanned(rows);
  p.set_elapsed_us(us);
  return p;
}

TEST(ProgressMeterTest, Line) {
  EXPECT_EQ(ProgressMeter::Line(Progress(1200, 4030, 12410000, 2100000)),
            "goquery: 1.20 k of 4.03 k blocks (29%), 12.41 M rows, 2.1s");
  v1::Progress hosts = Progress(3, 0, 10, 500000);
  hosts.set_hosts_total(5);
  hosts.set_hosts_done(3);
  EXPECT_EQ(ProgressMeter::Line(hosts), "goquery: 3 of 0 blocks, 10 rows, 3 of 5 hosts, 0.5s");
}

// Quiet for the first second, then redrawn in place no more often than the
// interval, and erased at the end.
TEST(ProgressMeterTest, DelayThrottleAndClear) {
  std::ostringstream out;
  absl::Time now = absl::FromUnixSeconds(1000);
  ProgressMeter meter(&out, absl::Seconds(1), absl::Milliseconds(200), [&now] { return now; });
  meter.Update(Progress(1, 10, 100, 100000));
  EXPECT_EQ(out.str(), "");
  now += absl::Milliseconds(1100);
  meter.Update(Progress(2, 10, 200, 1100000));
  EXPECT_EQ(out.str(), "\rgoquery: 2 of 10 blocks (20%), 200 rows, 1.1s");
  now += absl::Milliseconds(100);
  meter.Update(Progress(3, 10, 300, 1200000));  // too soon
  now += absl::Milliseconds(200);
  out.str("");
  meter.Update(Progress(10, 10, 1000, 1400000));
  EXPECT_EQ(out.str(), "\rgoquery: 10 of 10 blocks (100%), 1.00 k rows, 1.4s");
  out.str("");
  meter.Clear();
  EXPECT_EQ(out.str(), "\r" + std::string(50, ' ') + "\r");
  out.str("");
  meter.Clear();  // nothing left to erase
  EXPECT_EQ(out.str(), "");
}

TEST(ProgressMeterTest, AQuickQueryShowsNothing) {
  std::ostringstream out;
  ProgressMeter meter(&out);
  meter.Update(Progress(1, 1, 1, 1000));
  meter.Clear();
  EXPECT_EQ(out.str(), "");
}

}  // namespace
}  // namespace goprobe::goquery
