#ifndef GOPROBE_CLIENTS_GOQUERY_DURATION_ARG_H_
#define GOPROBE_CLIENTS_GOQUERY_DURATION_ARG_H_

// Durations on goquery's command line (--timeout, --resolve-timeout,
// --resolution) and in stored queries.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace goprobe::goquery {

// Go's duration syntax ("30s", "1.5s", "500ms", "5m", "1h30m") or a plain
// number of seconds ("30", "0.5"), as goQuery's flags and its stored
// queries' integer seconds. Never negative. InvalidArgument quoting the text.
absl::StatusOr<absl::Duration> ParseDurationArg(absl::string_view text);

// A time bin width for --resolution: "auto" (0: the server picks) or a
// duration that is a positive multiple of five minutes ("5m", "15m", "1h",
// "1d", "300"), in seconds. InvalidArgument saying why otherwise.
absl::StatusOr<int64_t> ParseResolutionArg(absl::string_view text);

// "17ms", "1.25s", "2m3s": short and Go-like, for summaries.
std::string HumanDuration(absl::Duration d);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_DURATION_ARG_H_
