#include "clients/goquery/time_arg.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace goprobe::goquery {
namespace {

// goQuery's layouts (Go reference-time notation in the comments) as
// absl::ParseTime formats, in goQuery's order: the first that matches wins.
// absl's %d and %m take one or two digits, which covers goQuery's "2.1.06"
// variants. absl's %Y takes any number of digits, where Go's 2006 takes four:
// "01.03.24" would be the year 24, so results before 1970 are passed over
// and the two-digit layout after it gets its turn.
constexpr const char* kLayouts[] = {
    "%a %b %e %H:%M:%S %Y",      // ANSIC: Mon Jan _2 15:04:05 2006
    "%a %b %d %H:%M:%S %z %Y",   // RubyDate: Mon Jan 02 15:04:05 -0700 2006
    "%d %b %y %H:%M %z",         // RFC822Z: 02 Jan 06 15:04 -0700
    "%a, %d %b %Y %H:%M:%S %z",  // RFC1123Z: Mon, 02 Jan 2006 15:04:05 -0700
    "%Y-%m-%d %H:%M:%S %z",      // 2006-01-02 15:04:05 -0700
    "%Y-%m-%d %H:%M %z",         // 2006-01-02 15:04 -0700
    "%Y-%m-%d %H:%M:%S",         // 2006-01-02 15:04:05 (goquery's own output)
    "%Y-%m-%d %H:%M",            // 2006-01-02 15:04
    "%y-%m-%d %H:%M:%S %z",      // 06-01-02 15:04:05 -0700
    "%y-%m-%d %H:%M %z",         // 06-01-02 15:04 -0700
    "%y-%m-%d %H:%M:%S",         // 06-01-02 15:04:05
    "%y-%m-%d %H:%M",            // 06-01-02 15:04
    "%d-%m-%Y %H:%M:%S %z",      // 02-01-2006 15:04:05 -0700
    "%d-%m-%Y %H:%M %z",         // 02-01-2006 15:04 -0700
    "%d-%m-%Y %H:%M:%S",         // 02-01-2006 15:04:05
    "%d-%m-%Y %H:%M",            // 02-01-2006 15:04
    "%d-%m-%y %H:%M:%S %z",      // 02-01-06 15:04:05 -0700
    "%d-%m-%y %H:%M %z",         // 02-01-06 15:04 -0700
    "%d-%m-%y %H:%M:%S",         // 02-01-06 15:04:05
    "%d-%m-%y %H:%M",            // 02-01-06 15:04
    "%d.%m.%Y %H:%M:%S %z",      // 02.01.2006 15:04:05 -0700 (and 2.1.2006 ...)
    "%d.%m.%Y %H:%M %z",         // 02.01.2006 15:04 -0700
    "%d.%m.%Y %H:%M:%S",         // 02.01.2006 15:04:05
    "%d.%m.%Y %H:%M",            // 02.01.2006 15:04
    "%d.%m.%y %H:%M:%S %z",      // 02.01.06 15:04:05 -0700
    "%d.%m.%y %H:%M %z",         // 02.01.06 15:04 -0700
    "%d.%m.%y %H:%M:%S",         // 02.01.06 15:04:05
    "%d.%m.%y %H:%M",            // 02.01.06 15:04
    // Not goQuery's, but what people type first: a date means its midnight.
    "%Y-%m-%d",
    "%d.%m.%Y",
};

absl::Status NotATime(absl::string_view text, absl::string_view why = "") {
  return absl::InvalidArgumentError(absl::StrCat(
      "\"", text, "\" is not a time", why.empty() ? "" : " (", why, why.empty() ? "" : ")",
      ": use unix seconds (1709294700), RFC 3339 (2024-03-01T12:05:00Z), "
      "\"2024-03-01 12:05\", \"01.03.2024 12:05\" or a time relative to now "
      "(-7d, -4h, -15d:04h:05m)"));
}

bool AllDigits(absl::string_view t) {
  if (t.empty()) return false;
  for (char c : t) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status NotRelative(absl::string_view text, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "\"", text, "\" is not a relative time (", why,
      "): use days, hours and minutes before now, in this order: -7d, -4h, -30m, -15d:04h:05m"));
}

// "-15d:04h:05m", "-15d4h5m", "-4h", ...: days, hours and minutes, each at
// most once and in that order, optionally separated by ':'.
absl::StatusOr<absl::Duration> ParseRelative(absl::string_view text, absl::string_view t) {
  absl::string_view rest = t.substr(1);
  if (rest.empty()) return NotRelative(text, "nothing after the dash");
  absl::Duration total;
  int next_unit = 0;  // index into "dhm" of the smallest unit still allowed
  constexpr absl::string_view kUnits = "dhm";
  while (!rest.empty()) {
    size_t digits = 0;
    while (digits < rest.size() && absl::ascii_isdigit(static_cast<unsigned char>(rest[digits]))) {
      ++digits;
    }
    if (digits == 0)
      return NotRelative(text, absl::StrCat("a number is missing before \"", rest, "\""));
    int64_t n;
    // Ten digits of days is already past any goDB; more is a typo.
    if (digits > 9 || !absl::SimpleAtoi(rest.substr(0, digits), &n)) {
      return NotRelative(text, "too far back");
    }
    if (digits == rest.size()) {
      return NotRelative(text, absl::StrCat(rest, " needs a unit: d, h or m"));
    }
    const char letter = absl::ascii_tolower(static_cast<unsigned char>(rest[digits]));
    const size_t unit = kUnits.find(letter);
    if (unit == absl::string_view::npos) {
      return NotRelative(text, absl::StrCat("unknown unit \"", std::string(1, rest[digits]), "\""));
    }
    if (int(unit) < next_unit) return NotRelative(text, "units out of order or repeated");
    next_unit = int(unit) + 1;
    total += n * (unit == 0 ? absl::Hours(24) : unit == 1 ? absl::Hours(1) : absl::Minutes(1));
    rest.remove_prefix(digits + 1);
    if (!rest.empty() && rest[0] == ':') {
      rest.remove_prefix(1);
      if (rest.empty()) return NotRelative(text, "nothing after the last ':'");
    }
  }
  return total;
}

}  // namespace

absl::StatusOr<int64_t> ParseTimeArg(absl::string_view text, absl::Time now, absl::TimeZone tz) {
  const absl::string_view t = absl::StripAsciiWhitespace(text);
  if (AllDigits(t)) {
    int64_t seconds;
    if (!absl::SimpleAtoi(t, &seconds)) return NotATime(text, "out of range");
    return seconds;
  }
  if (!t.empty() && t[0] == '-') {
    absl::StatusOr<absl::Duration> back = ParseRelative(text, t);
    if (!back.ok()) return back.status();
    return absl::ToUnixSeconds(now - *back);
  }
  absl::Time parsed;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, t, &parsed, &err)) return absl::ToUnixSeconds(parsed);
  for (const char* layout : kLayouts) {
    if (absl::ParseTime(layout, t, tz, &parsed, &err) && parsed >= absl::UnixEpoch()) {
      return absl::ToUnixSeconds(parsed);
    }
  }
  return NotATime(text);
}

absl::StatusOr<int64_t> ParseTimeArg(absl::string_view text) {
  return ParseTimeArg(text, absl::Now(), absl::LocalTimeZone());
}

absl::string_view TimeArgHelp() {
  return R"(  1709294700                      unix seconds
  2024-03-01T12:05:00Z            RFC 3339 (also with +01:00)
  2024-03-01 12:05[:00] [+0100]   goquery's own output format
  01.03.2024 12:05[:00] [+0100]   also 1.3.24 12:05, 01-03-2024 12:05, 24-03-01 12:05
  2024-03-01, 01.03.2024          midnight of that day
  Fri Mar  1 12:05:00 2024        ANSIC; RFC 822 and RFC 1123 with numeric zones too
  -7d, -4h, -30m, -15d:04h:05m    relative to now (days, hours, minutes)
Times without a zone are local time (TZ).)";
}

}  // namespace goprobe::goquery
