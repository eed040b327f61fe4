#include "services/probe/probe_metrics.h"

namespace goprobe::probe {

ProbeMetrics::ProbeMetrics(metrics::Registry* registry)
    : packets_(registry->AddCounterFamily("goprobe_packets_total",
                                          "Packets the capture handed over.", {"iface"})),
      bytes_(registry->AddCounterFamily("goprobe_bytes_total",
                                        "Wire length of the packets captured.", {"iface"})),
      dropped_(registry->AddCounterFamily(
          "goprobe_packets_dropped_total",
          "Packets lost before the probe saw them: in the kernel's capture buffer or by the "
          "interface.",
          {"iface", "where"})),
      conversations_(registry->AddGaugeFamily(
          "goprobe_conversations", "Conversations held in the interface's flow table.",
          {"iface"})),
      blocks_(registry->AddCounterFamily("goprobe_blocks_total",
                                         "Five-minute windows handed to the block writer.",
                                         {"iface"})) {}

ProbeMetrics::Interface ProbeMetrics::ForInterface(absl::string_view iface) {
  return Interface{&packets_.Labels({iface}),
                   &bytes_.Labels({iface}),
                   &dropped_.Labels({iface, "kernel"}),
                   &dropped_.Labels({iface, "iface"}),
                   &conversations_.Labels({iface}),
                   &blocks_.Labels({iface})};
}

void PublishedCounts::Publish(const WindowStats& total, size_t conversations,
                              const ProbeMetrics::Interface& m) {
  m.packets->Increment(total.packets - published_.packets);
  m.bytes->Increment(total.bytes - published_.bytes);
  m.dropped_kernel->Increment(total.dropped_kernel - published_.dropped_kernel);
  m.dropped_iface->Increment(total.dropped_iface - published_.dropped_iface);
  m.conversations->Set(double(conversations));
  published_ = total;
}

}  // namespace goprobe::probe
