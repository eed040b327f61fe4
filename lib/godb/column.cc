#include "lib/godb/column.h"

namespace goprobe::godb {

absl::string_view ColumnName(Column c) {
  static constexpr absl::string_view kNames[kNumColumns] = {
      "sip", "dip", "dport", "proto", "bytes_rcvd", "bytes_sent", "pkts_rcvd", "pkts_sent"};
  return kNames[uint8_t(c)];
}

absl::string_view DataFileName(int file) {
  static constexpr absl::string_view kFiles[kNumFiles] = {
      "sip.gpf",        "dip.gpf",        "dport.gpf",     "proto.gpf",    "bytes_rcvd.gpf",
      "bytes_sent.gpf", "pkts_rcvd.gpf",  "pkts_sent.gpf", "addresses.gpd"};
  return kFiles[file];
}

}  // namespace goprobe::godb
