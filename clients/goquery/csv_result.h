#ifndef GOPROBE_CLIENTS_GOQUERY_CSV_RESULT_H_
#define GOPROBE_CLIENTS_GOQUERY_CSV_RESULT_H_

// goquery's csv output: a header row, then one line per row with raw
// numbers, written as rows arrive. Column names are ones goconvert reads, so
// `goquery -e csv raw` imports back into a goDB unchanged:
//
//   time,iface,sip,dip,dport,proto,packets_rcvd,packets_sent,bytes_rcvd,bytes_sent
//   1709294700,eth0,10.0.0.1,10.0.0.2,443,TCP,12,50,1500,64000
//
// Attribute columns: time (unix seconds, the end of the row's time bin),
// hostname, hostid, iface, sip, dip, dport, proto (by name, as goQuery
// prints it). Counter columns by direction: packets_rcvd, packets_sent,
// bytes_rcvd, bytes_sent (both); the received or sent pair (--in, --out);
// packets, bytes (--sum). No percentages and no summary lines: what a
// program needs it derives from the rows, and extra lines would break
// readers. Reverse DNS names never replace addresses here.

#include <string>
#include <vector>

#include "clients/goquery/result_layout.h"
#include "lib/query/query_result.h"

namespace goprobe::goquery {

std::string CsvHeader(const ResultLayout& layout);
std::string CsvRows(const std::vector<query::ResultRow>& rows, const ResultLayout& layout);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_CSV_RESULT_H_
