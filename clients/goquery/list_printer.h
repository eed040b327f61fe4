#ifndef GOPROBE_CLIENTS_GOQUERY_LIST_PRINTER_H_
#define GOPROBE_CLIENTS_GOQUERY_LIST_PRINTER_H_

// The output of `goquery list`: one line per interface summary, in each
// output format. Works on the wire's InterfaceSummary so a local goDB and a
// remote service print alike.

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "clients/goquery/output_format.h"
#include "proto/goprobe/v1/flow.pb.h"

namespace goprobe::goquery {

// Renders `interfaces` in their given order.
//
// txt: goQuery's right-aligned table with two header rows, flows, packets
//   and drops as counts (k/M units), bytes as sizes (kB/MB/GB), block times
//   in `tz`, and a "Total" row. A "host" column leads when any summary names
//   its host. Nothing at all for an empty list: the caller says "no data".
// json: an array of objects with these keys, always all of them, in this
//   order: iface, hostname, host_id, bytes_rcvd, bytes_sent, packets_rcvd,
//   packets_sent, flows_v4, flows_v6, packets_captured, drops_kernel,
//   drops_iface, malformed, blocks, first, last. Numbers are raw; first and
//   last are RFC 3339 UTC, or null when there are no blocks. "[]" when empty.
// csv: a header row of the same names, then raw numbers; first and last are
//   unix seconds (empty when there are no blocks). Just the header when
//   empty.
// Every format ends with a newline.
std::string FormatInterfaceList(const std::vector<v1::InterfaceSummary>& interfaces,
                                OutputFormat format, absl::TimeZone tz);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_LIST_PRINTER_H_
