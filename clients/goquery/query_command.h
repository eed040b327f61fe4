#ifndef GOPROBE_CLIENTS_GOQUERY_QUERY_COMMAND_H_
#define GOPROBE_CLIENTS_GOQUERY_QUERY_COMMAND_H_

// A goquery query from arguments to exit status: plan it, run it in-process
// (-d) or on a goqueryd (--server), print the answer in the chosen format,
// and report what went wrong in one readable line (a condition error also
// shows the condition with a caret under the fault).

#include <optional>
#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "clients/goquery/query_args.h"
#include "clients/goquery/remote_client.h"
#include "lib/dns/reverse_dns.h"
#include "lib/host/host_identity.h"

namespace goprobe::goquery {

// Where the data is: a goDB directory, or a goqueryd.
struct QuerySource {
  std::string db_path;
  std::optional<RemoteServer> server;
};

struct CommandEnv {
  std::ostream* out = nullptr;  // standard output (unless the query names files)
  std::ostream* err = nullptr;  // messages, warnings and progress
  // Draw progress on `err` (it is a terminal).
  bool progress = false;
  absl::Time now = absl::Now();
  absl::TimeZone tz = absl::LocalTimeZone();
  // Labels host and hostid for -d.
  host::HostIdentity identity;
  dns::ReverseLookup lookup = dns::SystemReverseLookup;
  // Scanning threads for -d; 0: every core.
  int threads = 0;
};

// Returns the exit status (exit_codes.h).
int RunQueryCommand(const QueryArgs& args, const QuerySource& source, const CommandEnv& env);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_QUERY_COMMAND_H_
