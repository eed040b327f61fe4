#ifndef GOPROBE_SERVICES_PROBE_BLOCK_SINK_H_
#define GOPROBE_SERVICES_PROBE_BLOCK_SINK_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "lib/flow/flow.h"
#include "lib/godb/db_writer.h"
#include "services/probe/aggregator.h"

namespace goprobe::probe {

// One finished five-minute block of one interface.
struct Block {
  std::string iface;
  int64_t block_time = 0;           // end of the interval (window.h)
  std::vector<flow::FlowRow> rows;  // goDB order, unique keys
  WindowStats stats;
};

// Where finished blocks go: goDB in-process (GodbSink) or, later, a store
// over gRPC through a spool. Called from one thread at a time.
class BlockSink {
 public:
  virtual ~BlockSink() = default;
  // OK once the block is durable (or, for a shipping sink, safely spooled).
  virtual absl::Status Write(const Block& block) = 0;
};

// The capture statistics goDB keeps per block.
godb::CaptureStats ToCaptureStats(const WindowStats& stats);

// Writes blocks into a goDB directory with the embedded writer (which holds
// the directory's lock for the sink's lifetime).
class GodbSink : public BlockSink {
 public:
  static absl::StatusOr<std::unique_ptr<GodbSink>> Open(const std::string& db_path,
                                                        godb::WriterOptions options = {});
  absl::Status Write(const Block& block) override;

 private:
  explicit GodbSink(std::unique_ptr<godb::DbWriter> writer) : writer_(std::move(writer)) {}
  std::unique_ptr<godb::DbWriter> writer_;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_BLOCK_SINK_H_
