#ifndef GOPROBE_LIB_FLOW_FLOW_PROTO_H_
#define GOPROBE_LIB_FLOW_FLOW_PROTO_H_

// Conversion between lib/flow types and the goprobe.v1 wire messages
// (proto/goprobe/v1/flow.proto states the rules). Encoders produce only valid
// messages; decoders validate every rule a receiver must check and return
// InvalidArgument naming the offending field (and row), so a store can reject
// a batch with a message a human can act on.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "lib/flow/flow.h"
#include "proto/goprobe/v1/flow.pb.h"

namespace goprobe::flow {

// Rows per FlowBatch part that keep any part under gRPC's default 4 MiB
// message limit whatever the values: a worst-case IPv6 row takes 77 bytes.
inline constexpr size_t kMaxRowsPerBatchPart = 32768;

void FlowKeyToProto(const FlowKey& key, v1::FlowKey* out);
// InvalidArgument unless sip and dip are 4 or 16 bytes of one family,
// dport <= 65535 and proto <= 255.
absl::StatusOr<FlowKey> FlowKeyFromProto(const v1::FlowKey& msg);

void CountersToProto(const Counters& counters, v1::Counters* out);
Counters CountersFromProto(const v1::Counters& msg);

// Replaces `out` with `rows` in wire order (sorted by FlowKey, IPv4 first).
// `rows` may come in any order. InvalidArgument, naming the row, for a row
// whose sip and dip families differ, a row without packets, or two rows with
// the same key: the columnar form cannot carry them.
absl::Status EncodeFlowColumns(absl::Span<const FlowRow> rows, v1::FlowColumns* out);

// The rows of `columns`, in their (validated, strictly increasing) order.
// InvalidArgument naming the field for any FlowColumns rule broken.
absl::StatusOr<std::vector<FlowRow>> DecodeFlowColumns(const v1::FlowColumns& columns);

// Sets batch->flows and batch->totals from `rows` (as EncodeFlowColumns) and
// makes the batch a single message (part 0, part_count 1). The header fields
// and capture statistics are left as they are. On error `batch` is unchanged.
absl::Status SetBatchRows(absl::Span<const FlowRow> rows, v1::FlowBatch* batch);

// The batch `header` with `rows`, split into parts of at most
// `max_rows_per_part` rows (> 0). Each part copies header's header fields;
// capture statistics go into part 0 only. At least one part is returned (an
// empty batch is one part without rows). Errors as EncodeFlowColumns, or for
// an invalid header (as ValidateBatchHeader).
absl::StatusOr<std::vector<v1::FlowBatch>> EncodeBatchParts(
    const v1::FlowBatch& header, absl::Span<const FlowRow> rows,
    size_t max_rows_per_part = kMaxRowsPerBatchPart);

// Checks the FlowBatch header rules: host_id, hostname, iface, block_time,
// part < part_count. Does not look at flows or totals.
absl::Status ValidateBatchHeader(const v1::FlowBatch& batch);

// Validates one FlowBatch message (a whole batch or one part): header,
// flows, and totals == sum of the rows. Returns its rows in wire order.
// Cross-part rules need BatchAssembler.
absl::StatusOr<std::vector<FlowRow>> RowsFromBatch(const v1::FlowBatch& batch);

// Reassembles batches from the messages of one stream (Ingest, LiveFlows),
// where a batch may be sent in parts, and checks the rules no single part can:
// parts in order and not interleaved, identical headers, keys increasing
// across parts. A batch's identity here is (host_id, iface, block_time,
// sequence).
//
// Add's result tells the caller what to do:
// - kComplete: the batch is whole and valid; header() and rows() hold it
//   until the next Add. Acknowledge it.
// - kNeedMore: a part was accepted; the batch is not whole yet.
// - kIgnored: a later part of a batch that was already rejected; skip it
//   (it was answered when rejected).
// - InvalidArgument: the batch `part` belongs to is invalid. Reject that batch
//   (identify it by `part`'s header); its remaining parts will be kIgnored.
// - FailedPrecondition: the stream broke the parts protocol (a part missing,
//   out of order, or interleaved with another batch). Nothing can be trusted
//   to belong anywhere: end the stream; the sender resends from part 0.
//   The assembler is reset.
//
// Not thread-safe: one per stream.
class BatchAssembler {
 public:
  enum class Progress { kNeedMore, kComplete, kIgnored };

  absl::StatusOr<Progress> Add(const v1::FlowBatch& part);

  // Parts of an unfinished batch are held: the stream ending here loses it
  // (the sender resends it whole).
  bool pending() const { return state_ == State::kAssembling; }

  // The completed batch: header fields as sent, capture from part 0, totals
  // summed over the parts, flows empty. Valid after kComplete until the next
  // Add.
  const v1::FlowBatch& header() const { return header_; }
  // Its rows in wire order; may be moved from.
  std::vector<FlowRow>& rows() { return rows_; }

  void Reset();

 private:
  enum class State { kIdle, kAssembling, kIgnoring };

  bool SameBatch(const v1::FlowBatch& part) const;
  absl::Status Reject(const v1::FlowBatch& part, absl::Status status);

  State state_ = State::kIdle;
  uint32_t next_part_ = 0;
  uint32_t part_count_ = 1;
  v1::FlowBatch header_;
  std::vector<FlowRow> rows_;
};

}  // namespace goprobe::flow

#endif  // GOPROBE_LIB_FLOW_FLOW_PROTO_H_
