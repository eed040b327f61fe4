#ifndef GOPROBE_CLIENTS_GOQUERY_TIME_ARG_H_
#define GOPROBE_CLIENTS_GOQUERY_TIME_ARG_H_

// The time arguments of goquery (-f, -l).

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::goquery {

// Unix seconds ("1709294700") or RFC 3339 ("2024-03-01T12:05:00Z",
// "2024-03-01T13:05:00+01:00"; fractional seconds are cut off).
// InvalidArgument quoting the text and showing both forms otherwise.
absl::StatusOr<int64_t> ParseTimeArg(absl::string_view text);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_TIME_ARG_H_
