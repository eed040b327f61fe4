#include "clients/goquery/units.h"

#include <cmath>

#include "absl/strings/str_format.h"

namespace goprobe::goquery {
namespace {

template <size_t N>
std::string Scaled(uint64_t value, double step, const char* const (&units)[N]) {
  double x = static_cast<double>(value);
  size_t i = 0;
  while (i + 1 < N && x >= step) {
    x /= step;
    ++i;
  }
  // "%.2f" of 999.999 k would print "1000.00 k".
  if (i + 1 < N && std::round(x * 100) / 100 >= step) {
    x /= step;
    ++i;
  }
  return absl::StrFormat("%.2f %s", x, units[i]);
}

}  // namespace

std::string FormatCount(uint64_t n) {
  static constexpr const char* kUnits[] = {" ", "k", "M", "G", "T", "P", "E"};
  return Scaled(n, 1000.0, kUnits);
}

std::string FormatSize(uint64_t bytes) {
  static constexpr const char* kUnits[] = {" B", "kB", "MB", "GB", "TB", "PB", "EB"};
  return Scaled(bytes, 1024.0, kUnits);
}

std::string FormatTime(int64_t unix_seconds, absl::TimeZone tz) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixSeconds(unix_seconds), tz);
}

}  // namespace goprobe::goquery
