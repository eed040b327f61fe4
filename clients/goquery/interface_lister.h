#ifndef GOPROBE_CLIENTS_GOQUERY_INTERFACE_LISTER_H_
#define GOPROBE_CLIENTS_GOQUERY_INTERFACE_LISTER_H_

// What `goquery list` shows of a local goDB, from its metadata alone.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/query/interface_selector.h"
#include "lib/godb/db_reader.h"
#include "proto/goprobe/v1/flow.pb.h"

namespace goprobe::goquery {

struct InterfaceListing {
  // One per selected interface with at least one block in range, by name.
  // hostname and host_id are left unset: a goDB directory does not record
  // which host it was captured on.
  std::vector<v1::InterfaceSummary> interfaces;
  // Days that were skipped because their metadata is damaged, each saying
  // which file and why. The listing is complete apart from them.
  std::vector<std::string> problems;
};

// Sums, per selected interface, the totals goDB's day metadata keeps for
// each block with a time in [first, last] (block times mark the end of
// their five minutes). Reads only the metadata files, never a column, so
// listing a year of data takes milliseconds.
//
// NotFound if `db` does not exist or an interface named in `selector` has
// no data (the message lists those that do); InvalidArgument if
// first > last; other errors if the directory cannot be listed.
absl::StatusOr<InterfaceListing> ListInterfaces(const godb::DbReader& db,
                                                const query::InterfaceSelector& selector, int64_t first,
                                                int64_t last);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_INTERFACE_LISTER_H_
