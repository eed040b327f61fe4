#include "services/probe/spool_sink.h"

#include "absl/strings/str_cat.h"
#include "lib/flow/flow_proto.h"
#include "lib/godb/godb_proto.h"
#include "spdlog/spdlog.h"

namespace goprobe::probe {

absl::Status SpoolSink::Write(const Block& block) {
  v1::FlowBatch batch;
  batch.set_host_id(identity_.host_id);
  batch.set_hostname(identity_.hostname);
  batch.set_iface(block.iface);
  batch.set_block_time(block.block_time);
  godb::CaptureStatsToProto(ToCaptureStats(block.stats), batch.mutable_capture());
  absl::Status s = flow::SetBatchRows(block.rows, &batch);
  if (!s.ok()) {
    return absl::InternalError(
        absl::StrCat("block ", block.iface, "/", block.block_time, " cannot be shipped: ", s.message()));
  }
  const uint64_t dropped_before = spool_->dropped_batches();
  absl::StatusOr<uint64_t> sequence = spool_->Add(std::move(batch));
  if (!sequence.ok()) return sequence.status();
  if (spool_->dropped_batches() > dropped_before) {
    spdlog::error("spool full: dropped the {} oldest unshipped batches to keep block {}/{} "
                  "({} dropped so far); is the store reachable?",
                  spool_->dropped_batches() - dropped_before, block.iface, block.block_time,
                  spool_->dropped_batches());
  }
  shipper_->Notify();
  return absl::OkStatus();
}

}  // namespace goprobe::probe
