#include "clients/goquery/output_format.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace goprobe::goquery {

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text) {
  const std::string f = absl::AsciiStrToLower(absl::StripAsciiWhitespace(text));
  if (f == "txt") return OutputFormat::kTxt;
  if (f == "json") return OutputFormat::kJson;
  if (f == "csv") return OutputFormat::kCsv;
  return absl::InvalidArgumentError(
      absl::StrCat("output format \"", text, "\" is not one of txt, json, csv"));
}

}  // namespace goprobe::goquery
