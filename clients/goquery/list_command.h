#ifndef GOPROBE_CLIENTS_GOQUERY_LIST_COMMAND_H_
#define GOPROBE_CLIENTS_GOQUERY_LIST_COMMAND_H_

// goquery list: the interfaces with data, their totals, drops and time span,
// from a goDB directory's metadata (-d) or from a goqueryd (--server), for
// one host or, through a root, for many.

#include <string>

#include "clients/goquery/query_command.h"

namespace goprobe::goquery {

struct ListArgs {
  std::string ifaces;  // -i
  std::string first;   // -f, empty: from the beginning
  std::string last;    // -l, empty: to the end
  std::string format = "txt";
};

// Returns the exit status (exit_codes.h). No data is exit 0 with a message on
// stderr.
int RunListCommand(const ListArgs& args, const QuerySource& source, const CommandEnv& env);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_LIST_COMMAND_H_
