#ifndef GOPROBE_CLIENTS_GOQUERY_TIME_ARG_H_
#define GOPROBE_CLIENTS_GOQUERY_TIME_ARG_H_

// The time arguments of goquery (-f, -l, and a stored query's First and
// Last), in every form goQuery accepts, so that a goQuery user's habits and
// scripts keep working.

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace goprobe::goquery {

// Unix seconds for `text`, which is one of
//   unix seconds         1709294700
//   RFC 3339             2024-03-01T12:05:00Z, 2024-03-01T13:05:00+01:00
//                        (fractional seconds are cut off)
//   goQuery's layouts    2024-03-01 12:05[:00] [+0100], 01.03.2024 12:05[:00]
//                        [+0100] (day and month may have one digit: 1.3.24),
//                        01-03-2024 12:05, 24-03-01 12:05, Fri Mar  1 12:05:00
//                        2024 (ANSIC), RFC 822/1123 with numeric zones, and a
//                        date alone (2024-03-01, 01.03.2024) for its midnight
//   relative to `now`    -7d, -4h, -30m, -15d:04h:05m, -15d4h5m
// Layouts without a zone are read in `tz`. Where goQuery's layouts overlap
// (24-03-01 could be yy-mm-dd or dd-mm-yy), goQuery's order decides:
// yy-mm-dd first.
// InvalidArgument quoting the text and listing the common forms otherwise.
absl::StatusOr<int64_t> ParseTimeArg(absl::string_view text, absl::Time now, absl::TimeZone tz);

// As above, relative to the current time in the local time zone.
absl::StatusOr<int64_t> ParseTimeArg(absl::string_view text);

// The forms ParseTimeArg accepts, one per line, for --help.
absl::string_view TimeArgHelp();

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_TIME_ARG_H_
