// Fuzzes what gostore checks of an Ingest stream: a sequence of FlowBatch
// messages (each a 2-byte LE length and that many bytes of wire format)
// through one BatchAssembler, as one stream delivers them, and each message
// alone through RowsFromBatch.
//
// Checked beyond "no crash": rows accepted from one message encode back
// (SetBatchRows) into a message that decodes to the same rows, and a
// completed batch's rows are strictly increasing by key.

#include <cstdint>
#include <vector>

#include "fuzz/check.h"
#include "lib/flow/flow.h"
#include "lib/flow/flow_proto.h"
#include "proto/goprobe/v1/flow.pb.h"

namespace {

using goprobe::fuzz::Check;

using goprobe::flow::BatchAssembler;
using goprobe::flow::FlowRow;

void CheckRoundTrip(const goprobe::v1::FlowBatch& batch, const std::vector<FlowRow>& rows) {
  goprobe::v1::FlowBatch again = batch;
  Check(goprobe::flow::SetBatchRows(rows, &again).ok());
  auto decoded = goprobe::flow::RowsFromBatch(again);
  Check(decoded.ok());
  Check(*decoded == rows);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  BatchAssembler assembler;
  const uint8_t* p = data;
  const uint8_t* end = data + size;
  while (end - p >= 2) {
    size_t len = size_t(p[0]) | size_t(p[1]) << 8;
    p += 2;
    if (len > size_t(end - p)) len = size_t(end - p);
    goprobe::v1::FlowBatch batch;
    const bool parsed = batch.ParseFromArray(p, int(len));
    p += len;
    if (!parsed) continue;

    auto rows = goprobe::flow::RowsFromBatch(batch);
    if (rows.ok()) CheckRoundTrip(batch, *rows);

    auto progress = assembler.Add(batch);
    if (progress.ok() && *progress == BatchAssembler::Progress::kComplete) {
      const std::vector<FlowRow>& all = assembler.rows();
      for (size_t i = 1; i < all.size(); ++i) Check(all[i - 1].key < all[i].key);
    } else if (!progress.ok()) {
      Check(!progress.status().message().empty());
    }
  }
  return 0;
}
