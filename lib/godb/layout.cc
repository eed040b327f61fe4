#include "lib/godb/layout.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace goprobe::godb {

absl::Status ValidateInterfaceName(absl::string_view iface) {
  if (iface.empty() || iface.size() > 64) {
    return absl::InvalidArgumentError(
        absl::StrCat("interface name \"", iface, "\" must be 1 to 64 characters"));
  }
  if (iface[0] == '.') {
    return absl::InvalidArgumentError(
        absl::StrCat("interface name \"", iface, "\" must not start with a dot"));
  }
  for (char c : iface) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != ':' &&
        c != '@' && c != '+' && c != '-') {
      return absl::InvalidArgumentError(absl::StrCat(
          "interface name \"", absl::CHexEscape(iface), "\" has a character other than letters, "
          "digits and ._:@+-"));
    }
  }
  return absl::OkStatus();
}

std::string DayDirectory(absl::string_view db, absl::string_view iface, int64_t day_start) {
  const absl::CivilDay d =
      absl::ToCivilDay(absl::FromUnixSeconds(day_start), absl::UTCTimeZone());
  return absl::StrFormat("%s/%s/%04d/%02d/%02d", db, iface, d.year(), d.month(), d.day());
}

std::optional<int64_t> ParseDay(absl::string_view year, absl::string_view month,
                                absl::string_view day) {
  int y, m, d;
  if (year.size() != 4 || month.size() != 2 || day.size() != 2 ||
      !absl::SimpleAtoi(year, &y) || !absl::SimpleAtoi(month, &m) || !absl::SimpleAtoi(day, &d) ||
      !absl::ascii_isdigit(year[0]) || !absl::ascii_isdigit(month[0]) ||
      !absl::ascii_isdigit(day[0])) {
    return std::nullopt;
  }
  const absl::CivilDay civil(y, m, d);
  if (civil.year() != y || civil.month() != m || civil.day() != d || y < 1970) return std::nullopt;
  return absl::ToUnixSeconds(absl::FromCivil(civil, absl::UTCTimeZone()));
}

absl::Status ValidateBlockTime(int64_t time) {
  if (time < 0 || time > kMaxBlockTime) {
    return absl::InvalidArgumentError(
        absl::StrCat("block time ", time, " is outside 1970-01-01 .. 9999-12-31"));
  }
  return absl::OkStatus();
}

}  // namespace goprobe::godb
