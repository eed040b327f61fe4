#include "clients/goquery/result_layout.h"

#include "absl/strings/str_cat.h"

namespace goprobe::goquery {

std::string DescribeSort(const ResultLayout& layout) {
  std::string out;
  switch (layout.sort_by) {
    case query::SortBy::kTime:
      out = "time";
      break;
    case query::SortBy::kPackets:
      out = "accumulated packets";
      break;
    case query::SortBy::kBytes:
      out = "accumulated data volume";
      break;
  }
  if (layout.sort_by != query::SortBy::kTime) {
    switch (layout.direction) {
      case query::Direction::kIn:
        absl::StrAppend(&out, " (received only)");
        break;
      case query::Direction::kOut:
        absl::StrAppend(&out, " (sent only)");
        break;
      default:
        absl::StrAppend(&out, " (sent and received)");
        break;
    }
  }
  if (layout.ascending) absl::StrAppend(&out, ", ascending");
  return out;
}

}  // namespace goprobe::goquery
