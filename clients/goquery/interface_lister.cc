#include "clients/goquery/interface_lister.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace goprobe::goquery {

absl::StatusOr<InterfaceListing> ListInterfaces(const godb::DbReader& db,
                                                const IfaceSelector& selector, int64_t first,
                                                int64_t last) {
  if (first > last) {
    return absl::InvalidArgumentError(
        absl::StrCat("the first time (", first, ") is after the last (", last, ")"));
  }
  absl::StatusOr<std::vector<std::string>> all = db.Interfaces();
  if (!all.ok()) {
    if (absl::IsNotFound(all.status())) {
      return absl::NotFoundError(absl::StrCat("no goDB database at ", db.path()));
    }
    return all.status();
  }
  absl::StatusOr<std::vector<std::string>> selected = selector.Select(*all);
  if (!selected.ok()) return selected.status();

  InterfaceListing listing;
  for (const std::string& iface : *selected) {
    absl::StatusOr<std::vector<godb::DayPartition>> days = db.Days(iface, first, last);
    if (!days.ok()) return days.status();

    godb::Totals totals;
    uint64_t blocks = 0;
    int64_t first_block = 0, last_block = 0;
    for (const godb::DayPartition& day : *days) {
      absl::StatusOr<std::unique_ptr<godb::DayReader>> reader = godb::DayReader::Open(day);
      if (!reader.ok()) {
        // A day directory whose first block never completed holds nothing.
        if (!absl::IsNotFound(reader.status())) {
          listing.problems.push_back(absl::StrCat("skipped ", day.dir, ": ",
                                                  reader.status().message()));
        }
        continue;
      }
      for (const godb::BlockInfo& b : (*reader)->metadata().blocks) {
        if (b.time < first || b.time > last) continue;
        totals += b.totals;
        if (blocks == 0) first_block = b.time;
        last_block = b.time;
        ++blocks;
      }
    }
    if (blocks == 0) continue;

    v1::InterfaceSummary s;
    s.set_iface(iface);
    v1::Counters* c = s.mutable_totals();
    c->set_bytes_rcvd(totals.traffic.bytes_rcvd);
    c->set_bytes_sent(totals.traffic.bytes_sent);
    c->set_packets_rcvd(totals.traffic.pkts_rcvd);
    c->set_packets_sent(totals.traffic.pkts_sent);
    v1::CaptureStats* cap = s.mutable_capture();
    cap->set_packets_received(totals.capture.pkts_received);
    cap->set_packets_dropped_kernel(totals.capture.pkts_dropped_kernel);
    cap->set_packets_dropped_iface(totals.capture.pkts_dropped_iface);
    cap->set_packets_malformed(totals.capture.pkts_malformed);
    s.set_ipv4_flows(totals.flows_v4);
    s.set_ipv6_flows(totals.flows_v6);
    s.set_blocks(blocks);
    s.set_first_block_time(first_block);
    s.set_last_block_time(last_block);
    listing.interfaces.push_back(std::move(s));
  }
  return listing;
}

}  // namespace goprobe::goquery
