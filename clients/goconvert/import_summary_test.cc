#include "clients/goconvert/import_summary.h"

#include "gtest/gtest.h"

namespace goprobe::goconvert {
namespace {

TEST(ImportSummaryTest, PlainImport) {
  ImportStats s;
  s.rows_read = 1200;
  s.rows_written = 1200;
  s.flows_written = 1100;
  s.blocks_written = 12;
  s.interfaces_written = {"eth0", "eth1"};
  EXPECT_EQ(ImportSummary(s), "1200 rows read, 1200 written in 12 blocks (1100 flows) on 2 interfaces");
}

TEST(ImportSummaryTest, SingularsAndEverySkip) {
  ImportStats s;
  s.rows_read = 1;
  s.rows_written = 1;
  s.flows_written = 1;
  s.blocks_written = 1;
  s.interfaces_written = {"eth0"};
  s.bad_rows_skipped = 1;
  s.existing_blocks_skipped = 2;
  s.existing_rows_skipped = 15;
  s.rows_unwritten = 6;
  EXPECT_EQ(ImportSummary(s, "valid"),
            "1 row read, 1 valid in 1 block (1 flow) on 1 interface; 1 bad row skipped; "
            "2 stored blocks skipped (15 rows); 6 rows not written");
}

TEST(ImportSummaryTest, NothingRead) {
  EXPECT_EQ(ImportSummary(ImportStats{}), "0 rows read, 0 written in 0 blocks (0 flows) on 0 interfaces");
}

}  // namespace
}  // namespace goprobe::goconvert
