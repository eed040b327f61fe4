#ifndef GOPROBE_CLIENTS_GOQUERY_TEXT_RESULT_H_
#define GOPROBE_CLIENTS_GOQUERY_TEXT_RESULT_H_

// goquery's txt output, laid out as goQuery's so its users read it at a
// glance:
//
//                                     packets   packets             bytes      bytes
//               sip             dip        in       out      %         in        out      %
//    125.167.76.152  237.147.182.13  308.75 k  576.81 k  66.95   17.71 MB  805.53 MB  64.33
//    ...
//                                         ...       ...               ...        ...
//                                    630.68 k  692.11 k         424.39 MB  855.27 MB
//
//           Totals:                              1.32 M                      1.25 GB
//
//   Timespan / Interface : [2016-02-25 19:29:35, 2016-02-26 07:44:35] / eth0
//   Sorted by            : accumulated data volume (sent and received)
//   Query stats          : 268 hits in 17ms (top 10 displayed)
//   Conditions:          : dport = 443
//
// Two right-aligned header rows; counts in k/M/G and sizes in kB/MB/GB
// (units.h); percentages of the totals over all hits; a "..." row when rows
// were cut; the column totals; the "Totals:" line summing both directions
// (--in/--out/--sum show one direction's or the summed columns instead); and
// the footer. A "Reverse DNS stats" line follows -r, and a "Hosts" line an
// answer from several hosts.

#include <string>

#include "absl/time/time.h"
#include "clients/goquery/query_answer.h"
#include "clients/goquery/result_layout.h"
#include "lib/dns/reverse_dns.h"

namespace goprobe::goquery {

struct TextOptions {
  absl::TimeZone tz = absl::LocalTimeZone();
  // Names to show instead of addresses (-r); null: none.
  const dns::AddressNames* names = nullptr;
  // -r's footer line: how long the lookups took, and their budget.
  bool dns = false;
  absl::Duration dns_duration;
  absl::Duration dns_timeout;
};

// The whole txt output, starting and ending with an empty line as
// goQuery's; "" when the answer has no rows (the caller says why).
std::string FormatTextResult(const QueryAnswer& answer, const ResultLayout& layout,
                             const TextOptions& options);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_TEXT_RESULT_H_
