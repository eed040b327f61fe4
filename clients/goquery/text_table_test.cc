#include "clients/goquery/text_table.h"

#include "gtest/gtest.h"

namespace goprobe::goquery {
namespace {

TEST(TextTableTest, RightAlignsEveryColumnToItsWidestCell) {
  TextTable t;
  t.AddRow({"", "packets", "bytes"});
  t.AddRow({"sip", "in", "in"});
  t.AddRow({"125.167.76.152", "308.75 k", "17.71 MB"});
  t.AddRow({"10.0.0.1", "813.00  ", "1.00 kB"});
  EXPECT_EQ(t.Render(),
            "                   packets     bytes\n"
            "             sip        in        in\n"
            "  125.167.76.152  308.75 k  17.71 MB\n"
            "        10.0.0.1  813.00     1.00 kB\n");
}

TEST(TextTableTest, ShortRowsEmptyRowsAndGap) {
  TextTable t(1);
  t.AddRow({"a", "bb", "ccc"});
  t.AddEmptyRow();
  t.AddRow({"Total", "1"});
  EXPECT_EQ(t.Render(),
            "     a bb ccc\n"
            "\n"
            " Total  1\n");
}

TEST(TextTableTest, EmptyTableIsEmpty) { EXPECT_EQ(TextTable().Render(), ""); }

}  // namespace
}  // namespace goprobe::goquery
