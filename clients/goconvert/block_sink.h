#ifndef GOPROBE_CLIENTS_GOCONVERT_BLOCK_SINK_H_
#define GOPROBE_CLIENTS_GOCONVERT_BLOCK_SINK_H_

// Where the importer puts finished blocks: a goDB directory today, a gostore
// over gRPC later, nowhere for a validation-only run.

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/flow/flow.h"

namespace goprobe::goconvert {

class BlockSink {
 public:
  virtual ~BlockSink() = default;

  // Stores the block of `iface` at `time` (unix seconds) made of `rows`
  // (unique keys, any order), all or nothing. AlreadyExists if a block of
  // that interface and time is stored already: nothing is changed. Any other
  // error leaves the destination as it was before the call.
  virtual absl::Status WriteBlock(absl::string_view iface, int64_t time,
                                  absl::Span<const flow::FlowRow> rows) = 0;
};

// Accepts every block and stores nothing: for checking an input.
class DiscardSink : public BlockSink {
 public:
  absl::Status WriteBlock(absl::string_view, int64_t, absl::Span<const flow::FlowRow>) override {
    return absl::OkStatus();
  }
};

}  // namespace goprobe::goconvert

#endif  // GOPROBE_CLIENTS_GOCONVERT_BLOCK_SINK_H_
