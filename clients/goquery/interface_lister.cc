#include "clients/goquery/interface_lister.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "lib/godb/godb_proto.h"
#include "lib/godb/interface_summary.h"

namespace goprobe::goquery {

absl::StatusOr<InterfaceListing> ListInterfaces(const godb::DbReader& db,
                                                const query::InterfaceSelector& selector, int64_t first,
                                                int64_t last) {
  if (first > last) {
    return absl::InvalidArgumentError(
        absl::StrCat("the first time (", first, ") is after the last (", last, ")"));
  }
  absl::StatusOr<std::vector<std::string>> all = db.Interfaces();
  if (!all.ok()) {
    if (absl::IsNotFound(all.status())) {
      return absl::NotFoundError(absl::StrCat("no goDB database at ", db.path()));
    }
    return all.status();
  }
  absl::StatusOr<std::vector<std::string>> selected = selector.SelectAll(*all);
  if (!selected.ok()) return selected.status();
  if (selected->empty()) return InterfaceListing{};

  std::vector<godb::ScanProblem> problems;
  absl::StatusOr<std::vector<godb::InterfaceSummary>> summaries =
      godb::SummarizeInterfaces(db, *selected, first, last, &problems);
  if (!summaries.ok()) return summaries.status();
  InterfaceListing listing;
  for (const godb::ScanProblem& p : problems) {
    listing.problems.push_back(absl::StrCat("skipped ", p.where, ": ", p.status.message()));
  }
  for (const godb::InterfaceSummary& summary : *summaries) {
    // A goDB directory does not record its host: identity stays unset.
    godb::InterfaceSummaryToProto(summary, host::HostIdentity{}, &listing.interfaces.emplace_back());
  }
  return listing;
}

}  // namespace goprobe::goquery
