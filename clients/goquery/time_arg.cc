#include "clients/goquery/time_arg.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace goprobe::goquery {

absl::StatusOr<int64_t> ParseTimeArg(absl::string_view text) {
  const absl::string_view t = absl::StripAsciiWhitespace(text);
  bool digits = !t.empty();
  for (size_t i = 0; i < t.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(t[i])) && !(i == 0 && t[i] == '-')) {
      digits = false;
    }
  }
  int64_t seconds;
  if (digits && absl::SimpleAtoi(t, &seconds)) return seconds;
  absl::Time parsed;
  std::string err;
  if (!digits && absl::ParseTime(absl::RFC3339_full, t, &parsed, &err)) {
    return absl::ToUnixSeconds(parsed);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "\"", text, "\" is not a time: use unix seconds (1709294700) or RFC 3339 "
                  "(2024-03-01T12:05:00Z)"));
}

}  // namespace goprobe::goquery
