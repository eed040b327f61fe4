// Fuzzes goconvert's CSV flow reader three ways over the same bytes: with
// the header taken from the input, with a default interface, and with a
// schema given up front (so every line is data). Reads until the end or a
// read error, as the importer does, skipping bad lines.
//
// A record that reads has an interface, and line numbers only grow.

#include <cstdint>
#include <sstream>
#include <string>

#include "clients/goconvert/csv_reader.h"
#include "fuzz/check.h"

namespace {

using goprobe::fuzz::Check;

void ReadAll(const std::string& text, goprobe::goconvert::CsvReaderOptions options) {
  std::istringstream in(text);
  auto reader = goprobe::goconvert::CsvFlowReader::Open(&in, "fuzz.csv", std::move(options));
  if (!reader.ok()) {
    Check(!reader.status().message().empty());
    return;
  }
  goprobe::goconvert::CsvRecord record;
  int64_t last_line = 0;
  while (true) {
    absl::StatusOr<bool> more = (*reader)->Next(&record);
    if (!more.ok()) {
      if (absl::IsDataLoss(more.status())) return;
      Check(absl::IsInvalidArgument(more.status()));
      continue;
    }
    if (!*more) return;
    Check(record.line > last_line);
    last_line = record.line;
    Check(!record.iface.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  ReadAll(text, {});
  goprobe::goconvert::CsvReaderOptions with_iface;
  with_iface.default_iface = "eth0";
  ReadAll(text, with_iface);
  goprobe::goconvert::CsvReaderOptions with_schema;
  with_schema.default_iface = "eth0";
  with_schema.schema =
      "tstamp,sip,dip,dport,proto,bytes_rcvd,bytes_sent,"
      "packets_rcvd,packets_sent";
  ReadAll(text, with_schema);
  return 0;
}
