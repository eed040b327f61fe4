#include "lib/godb/column.h"

namespace goprobe::godb {

absl::string_view ColumnName(Column c) {
  static constexpr absl::string_view kNames[kNumColumns] = {
      "sip", "dip", "dport", "proto", "bytes_rcvd", "bytes_sent", "pkts_rcvd", "pkts_sent"};
  return kNames[uint8_t(c)];
}

absl::string_view ColumnFileName(Column c) {
  static constexpr absl::string_view kFiles[kNumColumns] = {
      "sip.gpf",        "dip.gpf",        "dport.gpf",     "proto.gpf",
      "bytes_rcvd.gpf", "bytes_sent.gpf", "pkts_rcvd.gpf", "pkts_sent.gpf"};
  return kFiles[uint8_t(c)];
}

}  // namespace goprobe::godb
