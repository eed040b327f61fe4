#ifndef GOPROBE_CLIENTS_GOCONVERT_BLOCK_SINK_H_
#define GOPROBE_CLIENTS_GOCONVERT_BLOCK_SINK_H_

// Where the importer puts finished blocks: a goDB directory (godb_sink.h), a
// gostore (store_sink.h), nowhere for a validation-only run.

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/flow/flow.h"

namespace goprobe::goconvert {

// Where a block came from, for a sink that reports on it later.
struct BlockOrigin {
  absl::string_view where;  // "FILE:FIRST-LAST", the lines it was made of
  int64_t lines = 0;        // data lines summed into it
};

class BlockSink {
 public:
  virtual ~BlockSink() = default;

  // Stores the block of `iface` at `time` (unix seconds) made of `rows`
  // (unique keys, any order), all or nothing. AlreadyExists if a block of
  // that interface and time is stored already: nothing is changed. Any other
  // error leaves the destination as it was before the call. A sink that
  // hands blocks on asynchronously (a store) returns OK once the block is
  // queued and settles its fate later.
  virtual absl::Status WriteBlock(absl::string_view iface, int64_t time,
                                  absl::Span<const flow::FlowRow> rows,
                                  const BlockOrigin& origin) = 0;
};

// Accepts every block and stores nothing: for checking an input.
class DiscardSink : public BlockSink {
 public:
  absl::Status WriteBlock(absl::string_view, int64_t, absl::Span<const flow::FlowRow>,
                          const BlockOrigin&) override {
    return absl::OkStatus();
  }
};

}  // namespace goprobe::goconvert

#endif  // GOPROBE_CLIENTS_GOCONVERT_BLOCK_SINK_H_
