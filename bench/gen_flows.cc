// Writes a synthetic day of flows (bench/flow_generator.h) as CSV:
//   tstamp,sip,dip,dport,proto,bytes_rcvd,bytes_sent,packets_rcvd,packets_sent
// one row per flow and block, tstamp the block's start in unix seconds.
//
//   gen_flows [--seed N] [--blocks N] [--flows-per-block N] [--start UNIX]
//             [--hosts N] [--ipv6-fraction F] [--out FILE] [--stats]
//             [--numeric-addresses]
//
// --numeric-addresses writes each address as two unsigned 64-bit numbers, the
// high and low halves of its 128-bit IPv6 form (IPv4 as ::ffff:a.b.c.d):
//   tstamp,sip_hi,sip_lo,dip_hi,dip_lo,dport,proto,bytes_rcvd,...
// the fixed-width integer columns a columnar engine (DuckDB) groups fastest.
//
// --stats prints a summary of the generated flows instead of the CSV: the
// figures docs/BENCHMARKS.md quotes for the model.

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "bench/flow_generator.h"
#include "lib/flow/flow.h"

namespace goprobe::bench {
namespace {

// Shape of the generated flows, accumulated block by block.
class Stats {
 public:
  void AddBlock(const std::vector<flow::FlowRow>& rows) {
    absl::flat_hash_set<flow::FlowKey> keys;
    absl::flat_hash_set<flow::IpAddress> dips;
    size_t carried = 0;
    for (const flow::FlowRow& r : rows) {
      const flow::Counters& c = r.counters;
      keys.insert(r.key);
      dips.insert(r.key.dip);
      carried += previous_.contains(r.key);
      v6_ += !r.key.is_v4();
      ++by_proto_[r.key.proto];
      ++by_service_[{r.key.proto, r.key.dport}];
      one_way_ += c.pkts_rcvd == 0 || c.pkts_sent == 0;
      pkts_.push_back(c.pkts_rcvd + c.pkts_sent);
      bytes_.push_back(c.bytes_rcvd + c.bytes_sent);
    }
    if (blocks_ > 0)
      carried_share_sum_ += double(carried) / double(std::max<size_t>(1, rows.size()));
    ++blocks_;
    min_rows_ = std::min(min_rows_, rows.size());
    max_rows_ = std::max(max_rows_, rows.size());
    dips_per_block_sum_ += double(dips.size());
    previous_ = std::move(keys);
  }

  std::string Report() {
    const double n = double(pkts_.size());
    std::string out =
        absl::StrFormat("rows %d in %d blocks (per block min %d, mean %.0f, max %d)\n",
                        pkts_.size(), blocks_, min_rows_, n / double(blocks_), max_rows_);
    absl::StrAppendFormat(&out, "IPv6 share %.3f\n", double(v6_) / n);
    out += "protocols:";
    for (const auto& [proto, count] : Sorted(by_proto_)) {
      absl::StrAppendFormat(&out, " %s %.4f", flow::ProtoName(proto), double(count) / n);
    }
    out += "\ntop services:";
    const auto services = Sorted(by_service_);
    for (size_t i = 0; i < std::min<size_t>(12, services.size()); ++i) {
      absl::StrAppendFormat(&out, " %s/%d %.3f", flow::ProtoName(services[i].first.first),
                            services[i].first.second, double(services[i].second) / n);
    }
    absl::StrAppendFormat(&out, "\ndistinct services %d\n", services.size());
    std::sort(pkts_.begin(), pkts_.end());
    std::sort(bytes_.begin(), bytes_.end());
    out += "packets per row  p10/p50/p90/p99/p99.9/max:" + Quantiles(pkts_) + "\n";
    out += "bytes per row    p10/p50/p90/p99/p99.9/max:" + Quantiles(bytes_) + "\n";
    const auto share_le = [&](const std::vector<uint64_t>& v, uint64_t x) {
      return double(std::upper_bound(v.begin(), v.end(), x) - v.begin()) / n;
    };
    absl::StrAppendFormat(&out, "rows with <= 10 packets %.3f, > 1 MB %.4f, one-directional %.3f\n",
                          share_le(pkts_, 10), 1.0 - share_le(bytes_, 1'000'000),
                          double(one_way_) / n);
    absl::StrAppendFormat(
        &out, "distinct dips per block %.0f, rows whose key was in the previous block %.3f\n",
        dips_per_block_sum_ / double(blocks_),
        blocks_ > 1 ? carried_share_sum_ / double(blocks_ - 1) : 0.0);
    return out;
  }

 private:
  template <typename K>
  static std::vector<std::pair<K, size_t>> Sorted(const absl::flat_hash_map<K, size_t>& m) {
    std::vector<std::pair<K, size_t>> v(m.begin(), m.end());
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    return v;
  }
  static std::string Quantiles(const std::vector<uint64_t>& v) {
    std::string s;
    for (double q : {0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
      absl::StrAppend(&s, " ", v[size_t(q * double(v.size() - 1))]);
    }
    return s;
  }

  size_t blocks_ = 0, min_rows_ = SIZE_MAX, max_rows_ = 0, v6_ = 0, one_way_ = 0;
  double dips_per_block_sum_ = 0, carried_share_sum_ = 0;
  absl::flat_hash_map<uint8_t, size_t> by_proto_;
  absl::flat_hash_map<std::pair<uint8_t, uint16_t>, size_t> by_service_;
  std::vector<uint64_t> pkts_, bytes_;
  absl::flat_hash_set<flow::FlowKey> previous_;
};

// Halves of an address's 128-bit IPv6 form, IPv4 mapped to ::ffff:0:0/96.
uint64_t HighHalf(const flow::IpAddress& a) {
  if (a.is_v4()) return 0;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | a.data()[i];
  return v;
}
uint64_t LowHalf(const flow::IpAddress& a) {
  if (a.is_v4()) return uint64_t{0xffff} << 32 | a.v4_value();
  uint64_t v = 0;
  for (int i = 8; i < 16; ++i) v = v << 8 | a.data()[i];
  return v;
}

int Run(int argc, char** argv) {
  FlowGeneratorOptions options;
  int64_t blocks = kBlocksPerDay;
  int64_t start = kDefaultDayStart;
  std::string out_path;

  CLI::App app("Writes a synthetic day of flows as CSV.");
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
  app.add_option("--hosts", options.hosts, "host population")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--ipv6-fraction", options.ipv6_fraction, "share of IPv6 flows")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--out", out_path, "output file (default: stdout)");
  bool stats_only = false;
  app.add_flag("--stats", stats_only, "print a summary instead of the CSV");
  bool numeric = false;
  app.add_flag("--numeric-addresses", numeric,
               "addresses as hi,lo 64-bit halves of their IPv6 (IPv4-mapped) form");
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
  if (stats_only) {
    Stats stats;
    for (int64_t b = 0; b < blocks; ++b) stats.AddBlock(generator.Block(start + b * kBlockSeconds));
    std::cout << stats.Report();
    return 0;
  }

  std::FILE* out = stdout;
  if (!out_path.empty()) {
    out = std::fopen(out_path.c_str(), "w");
    if (out == nullptr) {
      std::perror(out_path.c_str());
      return 1;
    }
  }

  std::string buf = numeric ? "tstamp,sip_hi,sip_lo,dip_hi,dip_lo"
                            : "tstamp,sip,dip";
  buf += ",dport,proto,bytes_rcvd,bytes_sent,packets_rcvd,packets_sent\n";
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t t = start + b * kBlockSeconds;
    for (const flow::FlowRow& r : generator.Block(t)) {
      const flow::Counters& c = r.counters;
      if (numeric) {
        absl::StrAppend(&buf, t, ",", HighHalf(r.key.sip), ",", LowHalf(r.key.sip), ",",
                        HighHalf(r.key.dip), ",", LowHalf(r.key.dip));
      } else {
        absl::StrAppend(&buf, t, ",", r.key.sip.ToString(), ",", r.key.dip.ToString());
      }
      absl::StrAppend(&buf, ",", r.key.dport, ",", r.key.proto, ",", c.bytes_rcvd, ",",
                      c.bytes_sent, ",", c.pkts_rcvd, ",", c.pkts_sent, "\n");
      if (buf.size() > (1 << 20)) {
        std::fwrite(buf.data(), 1, buf.size(), out);
        buf.clear();
      }
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), out);
  if (std::fflush(out) != 0 || std::ferror(out) || (out != stdout && std::fclose(out) != 0)) {
    std::perror(out_path.empty() ? "stdout" : out_path.c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace goprobe::bench

int main(int argc, char** argv) { return goprobe::bench::Run(argc, argv); }
