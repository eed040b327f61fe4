// goprobe: the capturing probe. This build reads capture files offline:
//
//   goprobe --pcap FILE [--pcap FILE ...] --iface NAME --db DIR
//
// and writes their flows into the goDB at DIR as interface NAME, using packet
// time for the five-minute blocks, then prints a one-line summary.
#include <cstdio>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "services/probe/block_sink.h"
#include "services/probe/offline.h"

namespace {

int RunOfflineCommand(const goprobe::probe::OfflineOptions& options, const std::string& db) {
  absl::StatusOr<std::unique_ptr<goprobe::probe::GodbSink>> sink =
      goprobe::probe::GodbSink::Open(db);
  if (!sink.ok()) {
    std::fprintf(stderr, "goprobe: %s\n", std::string(sink.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<goprobe::probe::OfflineSummary> summary =
      goprobe::probe::RunOffline(options, sink->get());
  if (!summary.ok()) {
    std::fprintf(stderr, "goprobe: %s\n", std::string(summary.status().message()).c_str());
    return 1;
  }
  for (const std::string& t : summary->truncated) {
    std::fprintf(stderr, "goprobe: warning: %s\n", t.c_str());
  }
  std::printf("goprobe: %s\n", summary->ToString().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"goprobe: network flow probe (offline capture files into goDB)"};
  goprobe::probe::OfflineOptions options;
  std::string db;
  size_t max_flows = options.aggregator.table.max_flows;
  app.add_option("--pcap", options.files,
                 "capture file to read (pcap, nanosecond pcap or pcapng, gzipped or not); "
                 "repeat for several, read in order as one capture")
      ->required()
      ->take_all();
  app.add_option("--iface", options.iface, "interface name to store the flows under")->required();
  app.add_option("--db", db, "goDB directory to write")->required();
  app.add_option("--max-flows", max_flows,
                 "conversations tracked at once; packets of further ones are counted as untracked")
      ->check(CLI::Range(size_t{1}, size_t{1} << 31));
  app.add_flag("--allow-truncated", options.allow_truncated,
               "accept capture files cut short (report them, exit 0)");
  CLI11_PARSE(app, argc, argv);
  options.aggregator.table.max_flows = max_flows;
  return RunOfflineCommand(options, db);
}
