#ifndef GOPROBE_CLIENTS_GOQUERY_UNITS_H_
#define GOPROBE_CLIENTS_GOQUERY_UNITS_H_

// Human units for goquery's txt output, written as goQuery writes them so a
// goQuery user reads the same numbers the same way.

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace goprobe::goquery {

// Counts in steps of 1000 with two decimals and a unit letter after a space:
// "813.00  ", "308.75 k", "1.32 M", up to E. Below 1000 the unit is a blank,
// so decimal points line up in a right-aligned column.
std::string FormatCount(uint64_t n);

// Sizes in steps of 1024 named B, kB, MB, GB, TB, PB, EB, with two decimals:
// "231.00  B", "17.71 MB". (goQuery keeps exactly 1024 B as "1024.00  B";
// here it is "1.00 kB", and a value that would round up to 1024.00 moves to
// the next unit.)
std::string FormatSize(uint64_t bytes);

// "2006-01-02 15:04:05" in `tz` (goQuery prints local time).
std::string FormatTime(int64_t unix_seconds, absl::TimeZone tz);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_UNITS_H_
