#ifndef GOPROBE_CLIENTS_GOCONVERT_CSV_READER_H_
#define GOPROBE_CLIENTS_GOCONVERT_CSV_READER_H_

// Reading flow rows from CSV, one line at a time.

#include <cstdint>
#include <istream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "clients/goconvert/csv_schema.h"
#include "lib/flow/flow.h"

namespace goprobe::goconvert {

// One valid data line.
struct CsvRecord {
  int64_t line = 0;   // 1-based line number in the input
  std::string iface;  // from the iface column, or the default
  int64_t time = 0;   // unix seconds
  flow::FlowRow row;
};

struct CsvReaderOptions {
  // The interface of rows without an iface column or with an empty iface
  // cell. Empty: such rows are bad.
  std::string default_iface;
  // Column names, comma-separated, for input without a header line. Empty:
  // the first line that is not blank or a comment is the header.
  std::string schema;
};

// Reads a flow CSV (format in csv_schema.h) line by line, holding one line
// at a time. Blank lines and lines starting with '#' are skipped, except that
// the header may be written as "# HEADER: a,b,c" (the seed README's form). A
// UTF-8 byte order mark and CRLF line ends are accepted.
//
// Every message is "SOURCE:LINE: what is wrong", naming the column as the
// header spells it: "flows.csv:17: column dport: 70000 is not a port
// (0-65535)".
class CsvFlowReader {
 public:
  // Reads up to and including the header (unless options.schema is given).
  // `in` must outlive the reader. `source` names the input in messages
  // ("flows.csv", "stdin"). InvalidArgument for an unusable header or schema,
  // for input without a header, for a bad default interface, and when rows
  // have no interface at all (no iface column, no default).
  static absl::StatusOr<std::unique_ptr<CsvFlowReader>> Open(std::istream* in, std::string source,
                                                             CsvReaderOptions options);

  // Reads the next data line into *out. Returns true for a record, false at
  // the end of the input. InvalidArgument: this line is bad (the message says
  // where and why); the reader stays usable and the next call continues after
  // it. DataLoss: the input could not be read; stop.
  absl::StatusOr<bool> Next(CsvRecord* out);

  const std::string& source() const { return source_; }
  const CsvSchema& schema() const { return schema_; }
  // Lines consumed so far, blank lines, comments and the header included.
  int64_t line() const { return line_; }

 private:
  CsvFlowReader(std::istream* in, std::string source, std::string default_iface)
      : in_(in), source_(std::move(source)), default_iface_(std::move(default_iface)) {}

  // Reads the next line that is neither blank nor a comment into line_text_.
  // `header` lets "# HEADER:" lines through. False at the end of the input.
  absl::StatusOr<bool> ReadContentLine(bool header);
  absl::Status LineError(absl::string_view what) const;
  absl::Status ColumnError(int column, const absl::Status& reason) const;
  absl::Status ParseRecord(CsvRecord* out);

  std::istream* in_;
  std::string source_;
  std::string default_iface_;
  CsvSchema schema_;
  int64_t line_ = 0;
  std::string line_text_;
  std::vector<std::string> fields_;
};

}  // namespace goprobe::goconvert

#endif  // GOPROBE_CLIENTS_GOCONVERT_CSV_READER_H_
