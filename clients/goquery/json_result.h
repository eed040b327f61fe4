#ifndef GOPROBE_CLIENTS_GOQUERY_JSON_RESULT_H_
#define GOPROBE_CLIENTS_GOQUERY_JSON_RESULT_H_

// goquery's json output: goQuery v4's result document, so the programs that
// read goQuery's JSON read this one.
//
//   {"hostname": "probe-1",
//    "status": {"code": "ok"},          // or "empty", "missing_data", with "message"
//    "hosts_statuses": {"probe-1": {"code": "ok"}},   // "error" with "message";
//                                                     // "warnings" when there are some
//    "summary": {"interfaces": ["eth0"],
//                "time_first": "2024-03-01T12:05:00Z", "time_last": "...",   // null: no data
//                "totals": {"br": 1, "bs": 2, "pr": 3, "ps": 4},
//                "timings": {"query_start": "...", "query_duration_ns": 17000000,
//                            "resolution": 12000000},   // -r only
//                "hits": {"displayed": 10, "total": 268},
//                "data_available": true},
//    "query": {"attributes": ["sip", "dip"], "condition": "dport = 443",
//              "time_first": "...", "time_last": "..."},    // the range asked for
//    "rows": [{"labels": {"timestamp": "...", "iface": "eth0", "host": "probe-1",
//                         "host_id": "123"},
//              "attributes": {"sip": "10.0.0.1", "dip": "10.0.0.2", "dport": 443,
//                             "proto": 6},
//              "counters": {"br": 1, "bs": 2, "pr": 3, "ps": 4}}]}
//
// Labels and attributes appear when the query asked for them; counters are
// raw and always all four (goQuery leaves out zeros; a reader of goQuery's
// document reads both). Times are RFC 3339 in UTC; host_id is a string and
// proto a number, as goQuery has them. One line, ending in a newline.

#include <string>

#include "absl/time/time.h"
#include "clients/goquery/query_answer.h"
#include "clients/goquery/result_layout.h"

namespace goprobe::goquery {

// `dns_duration` is reported when non-zero (the query ran with -r).
std::string FormatJsonResult(const QueryAnswer& answer, const ResultLayout& layout,
                             absl::Duration dns_duration = absl::ZeroDuration());

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_JSON_RESULT_H_
