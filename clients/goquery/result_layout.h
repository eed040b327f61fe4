#ifndef GOPROBE_CLIENTS_GOQUERY_RESULT_LAYOUT_H_
#define GOPROBE_CLIENTS_GOQUERY_RESULT_LAYOUT_H_

// What the output formats need to know about the query beside its answer:
// which columns, which counters, how it was sorted, what was asked.

#include <cstdint>
#include <string>
#include <vector>

#include "lib/query/attributes.h"
#include "lib/query/query_spec.h"

namespace goprobe::goquery {

struct ResultLayout {
  // Attribute columns, in display order (time, host, hostid, iface, sip,
  // dip, dport, proto).
  std::vector<query::Attribute> attributes;
  query::Direction direction = query::Direction::kBoth;
  query::SortBy sort_by = query::SortBy::kBytes;
  bool ascending = false;
  // The condition in its canonical form; empty without one.
  std::string condition;
  // The time range asked for (unix seconds).
  int64_t first = 0;
  int64_t last = 0;
};

// goQuery's description of the order: "accumulated data volume (sent and
// received)", "accumulated packets (received only)", "time", with
// ", ascending" when it is.
std::string DescribeSort(const ResultLayout& layout);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_RESULT_LAYOUT_H_
