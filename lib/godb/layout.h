#ifndef GOPROBE_LIB_GODB_LAYOUT_H_
#define GOPROBE_LIB_GODB_LAYOUT_H_

// Where things live in a goDB directory (FORMAT.md, "Directory layout"):
//   <db>/LOCK                              the writer's lock
//   <db>/<iface>/<YYYY>/<MM>/<DD>/         one day partition (UTC)
//       sip.gpf ... pkts_sent.gpf          one file per column
//       blocks.meta                        the day's metadata

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace goprobe::godb {

inline constexpr int64_t kSecondsPerDay = 86400;
inline constexpr absl::string_view kLockFileName = "LOCK";

// Interface names become directory names: 1 to 64 characters of
// [A-Za-z0-9._:@+-], not starting with a dot.
absl::Status ValidateInterfaceName(absl::string_view iface);

// Unix seconds of 00:00 UTC of the day containing t.
inline int64_t DayStart(int64_t t) {
  const int64_t q = t / kSecondsPerDay;
  return (q - (t % kSecondsPerDay < 0)) * kSecondsPerDay;
}

// "<db>/<iface>/YYYY/MM/DD" for the day starting at day_start.
std::string DayDirectory(absl::string_view db, absl::string_view iface, int64_t day_start);

// The day start named by directory components "YYYY", "MM", "DD", or nothing
// if they are not a valid date in that exact form.
std::optional<int64_t> ParseDay(absl::string_view year, absl::string_view month,
                                absl::string_view day);

// Block times goDB accepts: 1970-01-01 up to the end of 9999.
inline constexpr int64_t kMaxBlockTime = 253402300799;
absl::Status ValidateBlockTime(int64_t time);

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_LAYOUT_H_
