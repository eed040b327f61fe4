#ifndef GOPROBE_CLIENTS_GOQUERY_BASH_COMPLETION_H_
#define GOPROBE_CLIENTS_GOQUERY_BASH_COMPLETION_H_

// `goquery completion bash`: a bash completion script for goquery, to be
// sourced or installed as /usr/share/bash-completion/completions/goquery.
//
// It completes flags; attributes and presets for the query (a
// comma-separated list completes after its last comma, leaving out words
// already given); the subcommands list, examples and completion; -e
// formats, -s sort keys and --resolution widths; goQuery's condition
// language for -c (attribute names, then operators, then values where there
// are few: dir and proto; and/or after a value); files for -o, --stored-query
// and the key and certificate flags; directories for -d; and interfaces for
// -i, which it asks `goquery list -e csv` for with the -d/--server/--tls*
// options already on the line, within kInterfaceListSeconds, offering
// nothing when that fails.
//
// The script is self-contained (no bash-completion helpers needed) and
// defines the function `_goquery`, driven by COMP_WORDS and COMP_CWORD.

#include <string>
#include <vector>

#include "absl/types/span.h"

namespace goprobe::goquery {

inline constexpr int kInterfaceListSeconds = 2;

// goquery's flags, as the command line defines them, so the script knows
// every flag and which of them take a value.
struct CompletionFlags {
  std::vector<std::string> with_value;  // "-d", "--db-path", "-i", ...
  std::vector<std::string> switches;    // "--in", "-a", "--live", ...
};

std::string BashCompletionScript(const CompletionFlags& flags);

// The word lists the script offers, for tests to check each is valid.
absl::Span<const char* const> CompletedAttributes();          // query words
absl::Span<const char* const> CompletedConditionAttributes();  // -c names
absl::Span<const char* const> CompletedProtocols();           // values of proto

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_BASH_COMPLETION_H_
