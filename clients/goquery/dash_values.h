#ifndef GOPROBE_CLIENTS_GOQUERY_DASH_VALUES_H_
#define GOPROBE_CLIENTS_GOQUERY_DASH_VALUES_H_

// goQuery's relative times start with a dash (-f -7d), which a command-line
// parser takes for an option. This rewrites "-f -7d" to "--first=-7d" (and
// likewise -l/--last, --first/--last) before parsing, so they read as
// values; "--first=-7d" needs no rewriting. Only a dash followed by a
// digit is taken, so a forgotten value before the next option ("-l -f -1d")
// still reads as a missing value.

#include <string>
#include <vector>

namespace goprobe::goquery {

std::vector<std::string> AttachDashValues(std::vector<std::string> args);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_DASH_VALUES_H_
