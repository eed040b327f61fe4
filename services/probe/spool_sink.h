#ifndef GOPROBE_SERVICES_PROBE_SPOOL_SINK_H_
#define GOPROBE_SERVICES_PROBE_SPOOL_SINK_H_

#include <memory>

#include "lib/host/host_identity.h"
#include "lib/ship/batch_shipper.h"
#include "lib/ship/batch_spool.h"
#include "services/probe/block_sink.h"

namespace goprobe::probe {

// Ships finished blocks to a gostore: each block becomes a FlowBatch of this
// host, is made durable in the on-disk spool, and the shipper is woken to
// send it. Write returns once the batch is spooled, so capture never waits
// for the network; the store's acknowledgement removes it from the spool.
class SpoolSink : public BlockSink {
 public:
  // `spool` and `shipper` must outlive the sink.
  SpoolSink(host::HostIdentity identity, ship::BatchSpool* spool, ship::BatchShipper* shipper)
      : identity_(std::move(identity)), spool_(spool), shipper_(shipper) {}

  absl::Status Write(const Block& block) override;

 private:
  const host::HostIdentity identity_;
  ship::BatchSpool* const spool_;
  ship::BatchShipper* const shipper_;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_SPOOL_SINK_H_
