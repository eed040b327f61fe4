#ifndef GOPROBE_CLIENTS_GOCONVERT_IMPORTER_H_
#define GOPROBE_CLIENTS_GOCONVERT_IMPORTER_H_

// Grouping CSV rows into goDB blocks and handing them to a sink.

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "clients/goconvert/block_sink.h"
#include "clients/goconvert/csv_reader.h"
#include "lib/flow/flow.h"

namespace goprobe::goconvert {

struct ImportOptions {
  // Skip bad lines (counting them) instead of stopping at the first.
  bool skip_bad = false;
  // Skip blocks the destination already has instead of stopping there.
  bool skip_existing = false;
  // Stop after this many data lines (good or bad); 0 reads everything.
  int64_t max_rows = 0;
  // Told about every line or block skipped, with the reason (a message in
  // the reader's "SOURCE:LINE: ..." form). May be empty.
  std::function<void(const absl::Status&)> on_skip;
};

struct ImportStats {
  int64_t rows_read = 0;          // data lines read, good and bad
  int64_t rows_written = 0;       // data lines in the blocks written
  int64_t flows_written = 0;      // rows stored: lines with equal keys in a block are summed
  int64_t blocks_written = 0;
  int64_t bad_rows_skipped = 0;
  int64_t existing_blocks_skipped = 0;
  int64_t existing_rows_skipped = 0;
  // Data lines read but neither written nor skipped because the import
  // stopped on an error: the bad line itself and the blocks being collected.
  int64_t rows_unwritten = 0;
  std::set<std::string> interfaces_written;
};

// How messages name a block: "block 2023-11-14T22:15:00Z (1700000100) of
// eth0".
std::string BlockName(absl::string_view iface, int64_t time);

// One goDB block per distinct time per interface: consecutive rows of an
// interface with the same time form a block, and a row with a later time
// finishes it. Rows of several interfaces may interleave; each interface's
// times must not decrease. A block is collected (summing rows with equal
// keys, so memory is bounded by its distinct flows; sums wrap modulo 2^64 as
// the wire's totals do), and only once it is
// complete and every line in it valid is it handed to the sink: a bad line
// never leaves half a block behind.
//
// Without skip_bad, the first bad line stops the import: blocks finished
// before it are written, the blocks still being collected (of every
// interface: their remaining lines may come after the bad one) are not.
// Fix the input and rerun with skip_existing to continue where it stopped.
class Importer {
 public:
  Importer(BlockSink* sink, ImportOptions options) : sink_(sink), options_(std::move(options)) {}

  // Imports everything `reader` yields. Returns the error that stopped the
  // import: a bad line (InvalidArgument, message from the reader), a time
  // going backwards (InvalidArgument naming the time column), a block already
  // stored (AlreadyExists, unless skip_existing), an unreadable input, or the
  // sink's error prefixed with where the block started. stats() says what
  // was done either way.
  absl::Status Run(CsvFlowReader* reader);

  const ImportStats& stats() const { return stats_; }

 private:
  // The block an interface is collecting.
  struct Pending {
    bool open = false;
    int64_t time = 0;
    int64_t first_line = 0;
    int64_t last_line = 0;
    int64_t rows = 0;
    // Time of the interface's last block, collected or finished: times must
    // not go below it.
    int64_t last_time = 0;
    absl::flat_hash_map<flow::FlowKey, flow::Counters> flows;
  };

  // InvalidArgument if `record` goes back in time for its interface.
  absl::Status CheckOrder(const CsvFlowReader& reader, const CsvRecord& record) const;
  // Adds a record that passed CheckOrder, first finishing the interface's
  // block if the record starts a new one. Errors are the sink's.
  absl::Status Add(const CsvFlowReader& reader, const CsvRecord& record);
  absl::Status Flush(const CsvFlowReader& reader, const std::string& iface, Pending& p);
  void Skip(const absl::Status& why);

  BlockSink* sink_;
  ImportOptions options_;
  ImportStats stats_;
  // Ordered, so blocks left at the end are written in interface order.
  std::map<std::string, Pending> pending_;
  std::vector<flow::FlowRow> block_rows_;
};

}  // namespace goprobe::goconvert

#endif  // GOPROBE_CLIENTS_GOCONVERT_IMPORTER_H_
