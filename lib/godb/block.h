#ifndef GOPROBE_LIB_GODB_BLOCK_H_
#define GOPROBE_LIB_GODB_BLOCK_H_

#include <array>
#include <cstdint>
#include <vector>

#include "absl/numeric/int128.h"
#include "lib/flow/flow.h"
#include "lib/godb/column.h"

namespace goprobe::godb {

// What the capture saw of an interface during one block, beyond its flows.
struct CaptureStats {
  uint64_t pkts_received = 0;        // packets the capture handed over
  uint64_t pkts_dropped_kernel = 0;  // lost in the kernel's buffer
  uint64_t pkts_dropped_iface = 0;   // lost by the interface/driver
  uint64_t pkts_malformed = 0;       // captured but not placeable in a flow

  CaptureStats& operator+=(const CaptureStats& o) {
    pkts_received += o.pkts_received;
    pkts_dropped_kernel += o.pkts_dropped_kernel;
    pkts_dropped_iface += o.pkts_dropped_iface;
    pkts_malformed += o.pkts_malformed;
    return *this;
  }
  friend bool operator==(const CaptureStats& a, const CaptureStats& b) {
    return a.pkts_received == b.pkts_received && a.pkts_dropped_kernel == b.pkts_dropped_kernel &&
           a.pkts_dropped_iface == b.pkts_dropped_iface && a.pkts_malformed == b.pkts_malformed;
  }
};

// Interface totals of a block or a day, kept in the metadata so listing an
// interface never decompresses a column.
struct Totals {
  flow::Counters traffic;  // sums of the flows' counters
  uint64_t flows_v4 = 0;
  uint64_t flows_v6 = 0;
  CaptureStats capture;

  Totals& operator+=(const Totals& o) {
    traffic += o.traffic;
    flows_v4 += o.flows_v4;
    flows_v6 += o.flows_v6;
    capture += o.capture;
    return *this;
  }
  friend bool operator==(const Totals& a, const Totals& b) {
    return a.traffic == b.traffic && a.flows_v4 == b.flows_v4 && a.flows_v6 == b.flows_v6 &&
           a.capture == b.capture;
  }
};

// Where one block's data sits in one of the day's data files.
struct Extent {
  uint64_t offset = 0;  // of the block header
  uint32_t size = 0;    // header and payload; 0 for "nothing stored"
};

// What the day's metadata records of one block.
struct BlockInfo {
  int64_t time = 0;
  uint32_t rows = 0;
  uint32_t v4_rows = 0;
  // Sizes of the day's address dictionary once this block's chunk was added:
  // the block's sip and dip indices are below them.
  uint32_t dict_v4_size = 0;
  uint32_t dict_v6_size = 0;
  Totals totals;
  // One per data file (column.h); the address dictionary's extent is this
  // block's chunk, empty if the block used no new address.
  std::array<Extent, kNumFiles> extents;
};

// The decoded columns of one block. Rows are ordered IPv4 first: row i is
// IPv4 for i < v4_rows and its addresses are sip4[i]/dip4[i]; otherwise it is
// IPv6 and they are sip6[i - v4_rows]/dip6[i - v4_rows]. Addresses are
// numbers: the host-order value of an IPv4 address, the big-endian value of an
// IPv6 one. Columns that were not read are left empty. The vectors keep their
// capacity across blocks so scanning allocates nothing once warm.
struct BlockColumns {
  int64_t time = 0;
  uint32_t rows = 0;
  uint32_t v4_rows = 0;
  std::vector<uint32_t> sip4, dip4;
  std::vector<absl::uint128> sip6, dip6;
  // With sip6/dip6: each IPv6 row's index into the day's IPv6 address
  // dictionary (DayReader::dictionary()), so a scan can key its groups by a
  // number it translates once per day instead of by the 16-byte address.
  std::vector<uint32_t> sip6_index, dip6_index;
  std::vector<uint16_t> dport;
  std::vector<uint8_t> proto;
  std::vector<uint64_t> bytes_rcvd, bytes_sent, pkts_rcvd, pkts_sent;

  // Row i as a FlowRow; every column must have been read. For tests and tools,
  // not for scans.
  flow::FlowRow Row(uint32_t i) const;
};

flow::IpAddress IpFromV6Value(absl::uint128 v);
absl::uint128 V6Value(const flow::IpAddress& a);

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_BLOCK_H_
