#include "clients/goquery/duration_arg.h"

#include <cmath>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace goprobe::goquery {

absl::StatusOr<absl::Duration> ParseDurationArg(absl::string_view text) {
  std::string t = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  absl::Duration d;
  double seconds;
  bool ok = false;
  if (absl::SimpleAtod(t, &seconds) && std::isfinite(seconds) &&
      t.find_first_not_of("0123456789.") == std::string::npos) {
    d = absl::Seconds(seconds);
    ok = true;
  } else {
    // Days are not Go syntax, but --resolution 1d is the natural spelling.
    if (!t.empty() && t.back() == 'd' && t.find_first_not_of("0123456789") == t.size() - 1 &&
        t.size() > 1) {
      int64_t days;
      ok = absl::SimpleAtoi(absl::string_view(t).substr(0, t.size() - 1), &days) && days < 100000;
      d = absl::Hours(24) * days;
    } else {
      ok = absl::ParseDuration(t, &d);
    }
  }
  if (!ok || d < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", text, "\" is not a duration: use seconds (30) or a unit (500ms, 30s, 5m, 1h30m)"));
  }
  return d;
}

absl::StatusOr<int64_t> ParseResolutionArg(absl::string_view text) {
  if (absl::AsciiStrToLower(absl::StripAsciiWhitespace(text)) == "auto") return 0;
  absl::StatusOr<absl::Duration> d = ParseDurationArg(text);
  if (!d.ok()) return d.status();
  const int64_t seconds = absl::ToInt64Seconds(*d);
  if (seconds <= 0 || seconds % 300 != 0 || *d != absl::Seconds(seconds)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", text,
        "\" is not a resolution: goDB keeps five-minute blocks, so use auto or a multiple of "
        "5m (5m, 15m, 1h, 1d)"));
  }
  return seconds;
}

std::string HumanDuration(absl::Duration d) {
  if (d < absl::Milliseconds(1)) {
    return absl::StrFormat("%.2fms", absl::ToDoubleMilliseconds(d));
  }
  if (d < absl::Seconds(1)) return absl::StrCat(absl::ToInt64Milliseconds(d), "ms");
  if (d < absl::Minutes(1)) return absl::StrFormat("%.2fs", absl::ToDoubleSeconds(d));
  const int64_t s = absl::ToInt64Seconds(d);
  if (s < 3600) return absl::StrCat(s / 60, "m", s % 60, "s");
  return absl::StrCat(s / 3600, "h", s % 3600 / 60, "m", s % 60, "s");
}

}  // namespace goprobe::goquery
