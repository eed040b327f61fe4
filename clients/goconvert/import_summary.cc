#include "clients/goconvert/import_summary.h"

#include "absl/strings/str_cat.h"

namespace goprobe::goconvert {
namespace {

std::string Count(int64_t n, const char* singular, const char* plural) {
  return absl::StrCat(n, " ", n == 1 ? singular : plural);
}

}  // namespace

std::string ImportSummary(const ImportStats& s, const std::string& written) {
  std::string out = absl::StrCat(
      Count(s.rows_read, "row", "rows"), " read, ", s.rows_written, " ", written, " in ",
      Count(s.blocks_written, "block", "blocks"), " (", Count(s.flows_written, "flow", "flows"),
      ") on ", Count(static_cast<int64_t>(s.interfaces_written.size()), "interface", "interfaces"));
  if (s.bad_rows_skipped > 0) {
    absl::StrAppend(&out, "; ", Count(s.bad_rows_skipped, "bad row", "bad rows"), " skipped");
  }
  if (s.existing_blocks_skipped > 0) {
    absl::StrAppend(&out, "; ", Count(s.existing_blocks_skipped, "stored block", "stored blocks"),
                    " skipped (", Count(s.existing_rows_skipped, "row", "rows"), ")");
  }
  if (s.rows_unwritten > 0) {
    absl::StrAppend(&out, "; ", Count(s.rows_unwritten, "row", "rows"), " not written");
  }
  return out;
}

}  // namespace goprobe::goconvert
