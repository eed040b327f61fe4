#ifndef GOPROBE_CLIENTS_GOQUERY_OUTPUT_FORMAT_H_
#define GOPROBE_CLIENTS_GOQUERY_OUTPUT_FORMAT_H_

// goquery's output formats (-e).

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::goquery {

enum class OutputFormat {
  kTxt,   // aligned table with human units, for people
  kJson,  // raw numbers, stable keys, for programs
  kCsv,   // header row and raw numbers, for spreadsheets and goconvert
};

// "txt", "json" or "csv" (any case); InvalidArgument naming the choices.
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view text);

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_OUTPUT_FORMAT_H_
