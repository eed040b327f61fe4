#include "services/probe/aggregator.h"

namespace goprobe::probe {

WindowStats& WindowStats::operator+=(const WindowStats& o) {
  packets += o.packets;
  bytes += o.bytes;
  not_ip += o.not_ip;
  malformed += o.malformed;
  untracked += o.untracked;
  ports_missing += o.ports_missing;
  dropped_kernel += o.dropped_kernel;
  dropped_iface += o.dropped_iface;
  return *this;
}

Aggregator::Aggregator(LinkType link_type, AggregatorOptions options)
    : parser_(link_type, options.fragment_capacity), table_(options.table) {}

ClosedWindow Aggregator::EndWindow(int64_t block_time) {
  Flush();
  ClosedWindow closed;
  closed.block_time = block_time;
  closed.stats = stats_;
  closed.flows = table_.EndWindow();
  stats_ = WindowStats();
  return closed;
}

}  // namespace goprobe::probe
