#ifndef GOPROBE_CLIENTS_GOQUERY_STORED_QUERY_H_
#define GOPROBE_CLIENTS_GOQUERY_STORED_QUERY_H_

// goQuery's stored queries (--stored-query FILE): query arguments as JSON,
// so a scheduled job runs a fixed query without spelling out its flags.
//
//   {
//     "Query": "sip,dip,proto",
//     "Output": "/tmp/query.output",  // appended to; several: "a,b"
//     "Ifaces": "eth0,eth1",
//     "Condition": "dport eq 443",
//     "In": true, "Out": true, "Sum": false,
//     "First": "01.03.2019 00:00", "Last": "31.03.2019 23:59",
//     "Format": "json", "SortBy": "bytes", "NumResults": 10,
//     "SortAscending": false,
//     "Resolve": false, "ResolveTimeout": 1, "ResolveRows": 25,
//     "MaxMemPct": 25,
//     "Caller": "batch-job-XYZ"
//   }
//
// Every key of the seed README's example is honoured, with goQuery's
// meaning. Keys match case-insensitively, as Go's JSON decoder matches them,
// and // comments are allowed, so the README's example loads as printed.
// goQuery v4's further keys work too: DBPath (the database when neither -d
// nor --server is given), QueryTimeout, Live (as --live) and DNSResolution
// {Enabled, Timeout, MaxRows} (Go durations: a number is nanoseconds, a
// string "1s");
// ResolveTimeout is seconds, as in the README. Keys that only steered
// goQuery's own process (LowMem, External, List, Version) are accepted with
// a warning. Any other key is an error naming it: a misspelt key must not
// silently run a different query.

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "clients/goquery/query_args.h"

namespace goprobe::goquery {

struct StoredQueryResult {
  // DBPath from the file; empty when it has none.
  std::string db_path;
  // One line each, for stderr: keys accepted without effect.
  std::vector<std::string> warnings;
};

// Applies the stored query `json` to *args. A key is skipped when
// `on_command_line(key)` says the command line set that argument itself: a
// flag given beside --stored-query wins, so one stored query serves many
// time ranges (goquery --stored-query q.json -f -1h). `key` is the
// canonical spelling above ("Ifaces", "NumResults", ...).
// InvalidArgument naming `source`, and the key or the line and column, for
// a file that is not a JSON object, an unknown key or a value of the wrong
// type.
absl::StatusOr<StoredQueryResult> ApplyStoredQuery(
    absl::string_view json, absl::string_view source,
    const std::function<bool(absl::string_view key)>& on_command_line, QueryArgs* args);

// The text of a stored query file; "-" reads standard input. The error
// names the file.
absl::StatusOr<std::string> ReadStoredQuery(const std::string& path);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_STORED_QUERY_H_
