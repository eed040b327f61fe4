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
      unplaced_(registry->AddCounterFamily(
          "goprobe_packets_unplaced_total",
          "Packets captured but in no flow: frames without IP (ARP, LLDP, ...) or cut off or "
          "invalid before the IP addresses.",
          {"iface", "why"})),
      untracked_(registry->AddCounterFamily(
          "goprobe_packets_untracked_total",
          "IP packets of conversations the flow table had no room for (max_flows).", {"iface"})),
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
                   &unplaced_.Labels({iface, "not_ip"}),
                   &unplaced_.Labels({iface, "malformed"}),
                   &untracked_.Labels({iface}),
                   &conversations_.Labels({iface}),
                   &blocks_.Labels({iface})};
}

void PublishedCounts::Publish(const WindowStats& total, size_t conversations,
                              const ProbeMetrics::Interface& m) {
  m.packets->Increment(total.packets - published_.packets);
  m.bytes->Increment(total.bytes - published_.bytes);
  m.dropped_kernel->Increment(total.dropped_kernel - published_.dropped_kernel);
  m.dropped_iface->Increment(total.dropped_iface - published_.dropped_iface);
  m.not_ip->Increment(total.not_ip - published_.not_ip);
  m.malformed->Increment(total.malformed - published_.malformed);
  m.untracked->Increment(total.untracked - published_.untracked);
  m.conversations->Set(double(conversations));
  published_ = total;
}

}  // namespace goprobe::probe
