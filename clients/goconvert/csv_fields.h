#ifndef GOPROBE_CLIENTS_GOCONVERT_CSV_FIELDS_H_
#define GOPROBE_CLIENTS_GOCONVERT_CSV_FIELDS_H_

// Splitting one CSV line into fields.

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace goprobe::goconvert {

// Splits `line` (one record, without its line break) into *fields, RFC 4180
// style: a field may be enclosed in double quotes, inside which a comma is
// literal and "" stands for one quote. Unquoted fields are taken as they are;
// surrounding spaces are the caller's to trim. A record never spans lines:
// flow data has no field that needs a line break.
//
// *fields is overwritten (its strings keep their capacity, so reading a file
// line by line allocates little). On a malformed quote, returns
// InvalidArgument saying what is wrong and sets *bad_field to the 0-based
// index of the field it is in.
absl::Status SplitCsvLine(absl::string_view line, std::vector<std::string>* fields,
                          size_t* bad_field);

}  // namespace goprobe::goconvert

#endif  // GOPROBE_CLIENTS_GOCONVERT_CSV_FIELDS_H_
