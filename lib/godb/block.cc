#include "lib/godb/block.h"

namespace goprobe::godb {

flow::IpAddress IpFromV6Value(absl::uint128 v) {
  uint8_t bytes[16];
  for (int i = 15; i >= 0; --i) {
    bytes[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
  return flow::IpAddress::V6(bytes);
}

absl::uint128 V6Value(const flow::IpAddress& a) {
  absl::uint128 v = 0;
  for (int i = 0; i < 16; ++i) v = (v << 8) | a.data()[i];
  return v;
}

flow::FlowRow BlockColumns::Row(uint32_t i) const {
  flow::FlowRow row;
  if (i < v4_rows) {
    row.key.sip = flow::IpAddress::V4(sip4[i]);
    row.key.dip = flow::IpAddress::V4(dip4[i]);
  } else {
    row.key.sip = IpFromV6Value(sip6[i - v4_rows]);
    row.key.dip = IpFromV6Value(dip6[i - v4_rows]);
  }
  row.key.dport = dport[i];
  row.key.proto = proto[i];
  row.counters = {bytes_rcvd[i], bytes_sent[i], pkts_rcvd[i], pkts_sent[i]};
  return row;
}

}  // namespace goprobe::godb
