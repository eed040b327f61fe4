// Writes synthetic flows (bench/flow_generator.h) into a goDB directory, for
// benchmarks that query them beside peers fed the very same rows.
//
//   gen_godb --db DIR [--iface eth0] [--seed N] [--blocks N]
//            [--flows-per-block N] [--start UNIX]
//
// Block b holds generator.Block(start + b * 300) stored at that block time,
// the same rows and timestamps `gen_flows` writes as CSV and
// `netflow_export` sends as NetFlow for the same options. No fsync: the
// database is a benchmark fixture. Prints the number of rows written.

#include <cstdint>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "bench/flow_generator.h"
#include "lib/godb/db_writer.h"

namespace goprobe::bench {
namespace {

int Run(int argc, char** argv) {
  FlowGeneratorOptions options;
  int64_t blocks = kBlocksPerDay;
  int64_t start = kDefaultDayStart;
  std::string db, iface = "eth0";

  CLI::App app("Writes synthetic flows into a goDB directory.");
  app.add_option("--db", db, "goDB directory (created if missing)")->required();
  app.add_option("--iface", iface, "interface to store the rows under")->capture_default_str();
  app.add_option("--seed", options.seed, "generator seed")->capture_default_str();
  app.add_option("--blocks", blocks, "number of five-minute blocks")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--flows-per-block", options.flows_per_block,
                 "daily mean of distinct flows per block")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--start", start, "first block, unix seconds (a multiple of 300)")
      ->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (start % kBlockSeconds != 0) {
    std::cerr << "--start must be a multiple of " << kBlockSeconds << "\n";
    return 2;
  }

  const FlowGenerator generator(options);
  godb::WriterOptions wo;
  wo.sync = false;
  absl::StatusOr<std::unique_ptr<godb::DbWriter>> writer = godb::DbWriter::Open(db, wo);
  if (!writer.ok()) {
    std::cerr << "gen_godb: " << writer.status() << "\n";
    return 1;
  }
  uint64_t rows = 0;
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t t = start + b * kBlockSeconds;
    const std::vector<flow::FlowRow> block = generator.Block(t);
    absl::Status s = (*writer)->WriteBlock(iface, t, block, {});
    if (!s.ok()) {
      std::cerr << "gen_godb: block " << t << ": " << s << "\n";
      return 1;
    }
    rows += block.size();
  }
  std::cout << "rows " << rows << "\n";
  return 0;
}

}  // namespace
}  // namespace goprobe::bench

int main(int argc, char** argv) { return goprobe::bench::Run(argc, argv); }
