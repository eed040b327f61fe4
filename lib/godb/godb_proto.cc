#include "lib/godb/godb_proto.h"

#include "lib/flow/flow_proto.h"

namespace goprobe::godb {

CaptureStats CaptureStatsFromProto(const v1::CaptureStats& msg) {
  CaptureStats stats;
  stats.pkts_received = msg.packets_received();
  stats.pkts_dropped_kernel = msg.packets_dropped_kernel();
  stats.pkts_dropped_iface = msg.packets_dropped_iface();
  stats.pkts_malformed = msg.packets_malformed();
  return stats;
}

void CaptureStatsToProto(const CaptureStats& stats, v1::CaptureStats* out) {
  out->set_packets_received(stats.pkts_received);
  out->set_packets_dropped_kernel(stats.pkts_dropped_kernel);
  out->set_packets_dropped_iface(stats.pkts_dropped_iface);
  out->set_packets_malformed(stats.pkts_malformed);
}

void InterfaceSummaryToProto(const InterfaceSummary& summary, const host::HostIdentity& host,
                             v1::InterfaceSummary* out) {
  out->set_iface(summary.iface);
  out->set_hostname(host.hostname);
  out->set_host_id(host.host_id);
  flow::CountersToProto(summary.totals.traffic, out->mutable_totals());
  CaptureStatsToProto(summary.totals.capture, out->mutable_capture());
  out->set_ipv4_flows(summary.totals.flows_v4);
  out->set_ipv6_flows(summary.totals.flows_v6);
  out->set_blocks(summary.blocks);
  out->set_first_block_time(summary.first_block_time);
  out->set_last_block_time(summary.last_block_time);
}

}  // namespace goprobe::godb
