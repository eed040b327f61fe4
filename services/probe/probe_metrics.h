#ifndef GOPROBE_SERVICES_PROBE_PROBE_METRICS_H_
#define GOPROBE_SERVICES_PROBE_PROBE_METRICS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "lib/metrics/metrics.h"
#include "services/probe/aggregator.h"

namespace goprobe::probe {

// goprobe's capture metrics (process and gRPC metrics come from lib/rpc when
// the API is on; the spool's and shipper's from BlockDestination):
//
//   goprobe_packets_total{iface}                   packets the capture handed over
//   goprobe_bytes_total{iface}                     their wire lengths
//   goprobe_packets_dropped_total{iface,where}     lost in the kernel buffer or by the interface
//   goprobe_packets_unplaced_total{iface,why}      captured but in no flow: not_ip, malformed
//   goprobe_packets_untracked_total{iface}         IP packets of conversations over max_flows
//   goprobe_conversations{iface}                   conversations in the flow table
//   goprobe_blocks_total{iface}                    windows handed to the block writer
//
// Capture threads publish their counters once per read loop (every 100 ms
// or 4096 packets), never per packet.
class ProbeMetrics {
 public:
  // `registry` must outlive this.
  explicit ProbeMetrics(metrics::Registry* registry);

  // One interface's series; valid as long as the registry. The same
  // children serve a capture restarted for the interface, so the counters
  // keep growing across restarts.
  struct Interface {
    metrics::Counter* packets;
    metrics::Counter* bytes;
    metrics::Counter* dropped_kernel;
    metrics::Counter* dropped_iface;
    metrics::Counter* not_ip;
    metrics::Counter* malformed;
    metrics::Counter* untracked;
    metrics::Gauge* conversations;
    metrics::Counter* blocks;
  };
  Interface ForInterface(absl::string_view iface);

 private:
  metrics::Family<metrics::Counter>& packets_;
  metrics::Family<metrics::Counter>& bytes_;
  metrics::Family<metrics::Counter>& dropped_;
  metrics::Family<metrics::Counter>& unplaced_;
  metrics::Family<metrics::Counter>& untracked_;
  metrics::Family<metrics::Gauge>& conversations_;
  metrics::Family<metrics::Counter>& blocks_;
};

// What a capture has published so far, to add only the difference.
class PublishedCounts {
 public:
  // Brings `m` up to `total` (everything counted since the capture started).
  void Publish(const WindowStats& total, size_t conversations, const ProbeMetrics::Interface& m);

 private:
  WindowStats published_;
};

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_PROBE_METRICS_H_
