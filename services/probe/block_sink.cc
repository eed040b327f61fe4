#include "services/probe/block_sink.h"

#include "absl/strings/str_cat.h"

namespace goprobe::probe {

godb::CaptureStats ToCaptureStats(const WindowStats& stats) {
  godb::CaptureStats c;
  c.pkts_received = stats.packets;
  c.pkts_dropped_kernel = stats.dropped_kernel;
  c.pkts_dropped_iface = stats.dropped_iface;
  c.pkts_malformed = stats.unplaced();
  return c;
}

absl::StatusOr<std::unique_ptr<GodbSink>> GodbSink::Open(const std::string& db_path,
                                                         godb::WriterOptions options) {
  absl::StatusOr<std::unique_ptr<godb::DbWriter>> writer =
      godb::DbWriter::Open(db_path, std::move(options));
  if (!writer.ok()) return writer.status();
  return std::unique_ptr<GodbSink>(new GodbSink(std::move(*writer)));
}

absl::Status GodbSink::Write(const Block& block) {
  absl::Status s =
      writer_->WriteBlock(block.iface, block.block_time, block.rows, ToCaptureStats(block.stats));
  if (!s.ok()) {
    return absl::Status(s.code(), absl::StrCat("writing block ", block.block_time, " of ",
                                               block.iface, " to ", writer_->path(), ": ",
                                               s.message()));
  }
  return s;
}

}  // namespace goprobe::probe
