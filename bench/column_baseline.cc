// How hard the synthetic day is to store: bytes per flow row of a naive
// columnar layout with no transform at all. Each block's rows are sorted in
// goDB's order; each of the eight columns holds plain fixed-width values
// (addresses as their 4 or 16 bytes, dport 2, proto 1, counters 8, little
// endian) and is compressed on its own per block with LZ4 (default level) and
// with zstd level 3. A storage engine must do better than this to claim a
// result on the data; a generator whose data this baseline already packs
// tightly would be too easy.
//
//   column_baseline [--seed N] [--blocks N] [--flows-per-block N] [--start UNIX]

#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "bench/flow_generator.h"
#include "lib/flow/flow.h"

namespace goprobe::bench {
namespace {

constexpr int kColumns = 8;
constexpr const char* kColumnNames[kColumns] = {
    "sip", "dip", "dport", "proto", "bytes_rcvd", "bytes_sent", "pkts_rcvd", "pkts_sent"};

template <typename T>
void AppendLe(std::string& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(char(uint64_t(v) >> (8 * i)));
}

size_t Lz4Size(const std::string& in) {
  std::string out(size_t(LZ4_compressBound(int(in.size()))), '\0');
  return size_t(LZ4_compress_default(in.data(), out.data(), int(in.size()), int(out.size())));
}

size_t ZstdSize(const std::string& in) {
  std::string out(ZSTD_compressBound(in.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  return ZSTD_isError(n) ? in.size() : n;
}

int Run(int argc, char** argv) {
  FlowGeneratorOptions options;
  int64_t blocks = kBlocksPerDay;
  int64_t start = kDefaultDayStart;
  CLI::App app("Bytes per row of naive per-block columns, LZ4 and zstd.");
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
  std::array<double, kColumns> raw{}, lz4{}, zstd{};
  size_t rows = 0;
  for (int64_t b = 0; b < blocks; ++b) {
    std::vector<flow::FlowRow> block = generator.Block(start + b * kBlockSeconds);
    std::sort(block.begin(), block.end(),
              [](const flow::FlowRow& x, const flow::FlowRow& y) { return x.key < y.key; });
    std::array<std::string, kColumns> col;
    for (const flow::FlowRow& r : block) {
      col[0].append(reinterpret_cast<const char*>(r.key.sip.data()), r.key.sip.size());
      col[1].append(reinterpret_cast<const char*>(r.key.dip.data()), r.key.dip.size());
      AppendLe(col[2], r.key.dport);
      AppendLe(col[3], r.key.proto);
      AppendLe(col[4], r.counters.bytes_rcvd);
      AppendLe(col[5], r.counters.bytes_sent);
      AppendLe(col[6], r.counters.pkts_rcvd);
      AppendLe(col[7], r.counters.pkts_sent);
    }
    for (int c = 0; c < kColumns; ++c) {
      raw[c] += double(col[c].size());
      lz4[c] += double(Lz4Size(col[c]));
      zstd[c] += double(ZstdSize(col[c]));
    }
    rows += block.size();
  }

  const double n = double(rows);
  std::printf("%zu rows in %lld blocks; bytes per row\n", rows, (long long)blocks);
  std::printf("%-11s %8s %8s %8s\n", "column", "raw", "lz4", "zstd-3");
  double total_raw = 0, total_lz4 = 0, total_zstd = 0;
  for (int c = 0; c < kColumns; ++c) {
    std::printf("%-11s %8.2f %8.2f %8.2f\n", kColumnNames[c], raw[c] / n, lz4[c] / n, zstd[c] / n);
    total_raw += raw[c];
    total_lz4 += lz4[c];
    total_zstd += zstd[c];
  }
  std::printf("%-11s %8.2f %8.2f %8.2f\n", "total", total_raw / n, total_lz4 / n, total_zstd / n);
  return 0;
}

}  // namespace
}  // namespace goprobe::bench

int main(int argc, char** argv) { return goprobe::bench::Run(argc, argv); }
