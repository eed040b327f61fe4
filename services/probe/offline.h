#ifndef GOPROBE_SERVICES_PROBE_OFFLINE_H_
#define GOPROBE_SERVICES_PROBE_OFFLINE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/probe/aggregator.h"
#include "services/probe/block_sink.h"

namespace goprobe::probe {

struct OfflineOptions {
  // Read in this order, as one continuous capture of `iface`. "-" is
  // standard input (not gzip: pipe through zcat).
  std::vector<std::string> files;
  std::string iface;
  AggregatorOptions aggregator;
  // A capture file cut short is normally an error (after its packets up to
  // the cut have been counted and written); with this it is only reported.
  bool allow_truncated = false;
};

struct OfflineSummary {
  uint64_t files = 0;
  uint64_t blocks = 0;
  uint64_t flows = 0;  // rows written, summed over blocks
  WindowStats totals;  // summed over blocks
  // Files cut short (with allow_truncated), one message each.
  std::vector<std::string> truncated;

  // "N packets, N bytes, N flows, N blocks, N skipped, N malformed" and the
  // rarer counters when they are not zero.
  std::string ToString() const;
};

// Reads capture files into five-minute blocks by packet time and writes them
// to `sink`.
//
// Windows: the first packet opens the aligned window that contains it; a
// packet at or after the window's end closes it as the block at that end
// (gaps make no empty blocks) and opens the window of its own time. A packet
// earlier than its window (out-of-order captures, files not in time order)
// counts in the current window: written blocks never change. The last window
// is written at EOF with block time floor(newest packet time) + 1
// (window.h, EarlyFlushTime). Windows that saw packets are written even when
// none of them made a flow, so their statistics are kept.
//
// Errors: every file is opened (and its link type checked) before anything is
// written, so a missing file or a non-capture writes nothing (standard input
// is checked when it is read). A file cut short is DataLoss naming it;
// reading stops there, and the packets before the cut are counted and every
// block written. With allow_truncated it is listed in the summary instead and
// reading goes on with the next file. A sink error stops at once.
absl::StatusOr<OfflineSummary> RunOffline(const OfflineOptions& options, BlockSink* sink);

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_OFFLINE_H_
