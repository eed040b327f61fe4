// Prints what a goDB holds for one interface, summed over all its blocks:
//   flow <sip> <dip> <dport> <proto> <packets> <bytes>     (both directions)
//   capture <received> <dropped_kernel> <dropped_iface> <malformed>
// sorted, so two databases compare with diff. For the live capture test,
// where the same traffic stored live and offline lands in different blocks.
//
//   godb_flows DB IFACE
#include <cstdio>
#include <map>
#include <string>
#include <tuple>

#include "lib/godb/db_reader.h"
#include "lib/godb/layout.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: godb_flows DB IFACE\n");
    return 2;
  }
  using goprobe::flow::FlowKey;
  std::map<FlowKey, std::pair<uint64_t, uint64_t>> flows;
  goprobe::godb::CaptureStats capture;
  std::vector<goprobe::godb::ScanProblem> problems;
  absl::Status s = goprobe::godb::ScanBlocks(
      goprobe::godb::DbReader(argv[1]), argv[2], 0, goprobe::godb::kMaxBlockTime,
      goprobe::godb::ColumnSet::All(),
      [&](const goprobe::godb::BlockInfo& info, const goprobe::godb::BlockColumns& cols) {
        capture += info.totals.capture;
        for (uint32_t i = 0; i < cols.rows; ++i) {
          const goprobe::flow::FlowRow r = cols.Row(i);
          auto& f = flows[r.key];
          f.first += r.counters.pkts_rcvd + r.counters.pkts_sent;
          f.second += r.counters.bytes_rcvd + r.counters.bytes_sent;
        }
        return true;
      },
      &problems);
  if (!s.ok()) {
    std::fprintf(stderr, "godb_flows: %s\n", std::string(s.message()).c_str());
    return 1;
  }
  for (const auto& p : problems) {
    std::fprintf(stderr, "godb_flows: %s: %s\n", p.where.c_str(), std::string(p.status.message()).c_str());
  }
  for (const auto& [k, v] : flows) {
    std::printf("flow %s %s %u %u %llu %llu\n", k.sip.ToString().c_str(), k.dip.ToString().c_str(),
                unsigned(k.dport), unsigned(k.proto), static_cast<unsigned long long>(v.first),
                static_cast<unsigned long long>(v.second));
  }
  std::printf("capture %llu %llu %llu %llu\n", static_cast<unsigned long long>(capture.pkts_received),
              static_cast<unsigned long long>(capture.pkts_dropped_kernel),
              static_cast<unsigned long long>(capture.pkts_dropped_iface),
              static_cast<unsigned long long>(capture.pkts_malformed));
  return problems.empty() ? 0 : 1;
}
