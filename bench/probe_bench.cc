// goprobe's offline aggregation speed and flow-table memory.
//
//   bazel run --config=opt //bench:probe_bench -- --pcap FILE [--repeat 3]
//   bazel run --config=opt //bench:probe_bench -- --memory-flows 1000000
//
// With --pcap, on one core and with FILE in the page cache, best of --repeat
// runs of:
//   libpcap    a bare pcap_next_ex loop summing wire lengths: the ceiling
//   aggregate  goprobe's reader, parser and flow table, five-minute windows
//              by packet time, each window drained into sorted rows
//   godb       the same and every block written to a fresh goDB (no fsync)
// in packets per second.
//
// With --memory-flows N: N concurrent conversations (3/4 IPv4, 1/4 IPv6,
// distinct client addresses and ports) counted into one window; reports the
// resident memory they added per conversation, before and while draining.
#include <pcap/pcap.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "lib/godb/db_writer.h"
#include "services/probe/aggregator.h"
#include "services/probe/block_sink.h"
#include "services/probe/offline.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// Resident set size in bytes, from /proc/self/statm.
size_t Rss() {
  std::ifstream in("/proc/self/statm");
  size_t pages_total = 0, pages_resident = 0;
  in >> pages_total >> pages_resident;
  return pages_resident * size_t(sysconf(_SC_PAGESIZE));
}

uint64_t LibpcapLoop(const std::string& path, uint64_t* bytes) {
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), errbuf);
  if (p == nullptr) {
    std::fprintf(stderr, "%s\n", errbuf);
    std::exit(1);
  }
  struct pcap_pkthdr* h;
  const u_char* data;
  uint64_t n = 0, sum = 0;
  while (pcap_next_ex(p, &h, &data) == 1) {
    ++n;
    sum += h->len + data[0];  // touch the data, as any consumer would
  }
  pcap_close(p);
  *bytes = sum;
  return n;
}

class CountingSink : public goprobe::probe::BlockSink {
 public:
  absl::Status Write(const goprobe::probe::Block& block) override {
    rows += block.rows.size();
    return absl::OkStatus();
  }
  uint64_t rows = 0;
};

void Report(const char* what, uint64_t packets, double best) {
  std::printf("%-10s %12llu packets  best %8.3f s  %12.0f packets/s\n", what,
              static_cast<unsigned long long>(packets), best, packets / best);
}

int PcapBench(const std::string& path, int repeat) {
  {
    // Into the page cache.
    std::ifstream in(path, std::ios::binary);
    std::vector<char> buf(1 << 20);
    while (in.read(buf.data(), std::streamsize(buf.size())) || in.gcount() > 0) {
    }
  }
  double best = 1e300;
  uint64_t packets = 0, bytes = 0;
  for (int i = 0; i < repeat; ++i) {
    const auto t0 = Clock::now();
    packets = LibpcapLoop(path, &bytes);
    best = std::min(best, Seconds(t0, Clock::now()));
  }
  const double ceiling = packets / best;
  Report("libpcap", packets, best);

  goprobe::probe::OfflineOptions options;
  options.files = {path};
  options.iface = "bench";
  best = 1e300;
  uint64_t rows = 0;
  for (int i = 0; i < repeat; ++i) {
    CountingSink sink;
    const auto t0 = Clock::now();
    absl::StatusOr<goprobe::probe::OfflineSummary> s = goprobe::probe::RunOffline(options, &sink);
    best = std::min(best, Seconds(t0, Clock::now()));
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", std::string(s.status().message()).c_str());
      return 1;
    }
    packets = s->totals.packets;
    rows = sink.rows;
  }
  Report("aggregate", packets, best);
  std::printf("           %.2f of the libpcap loop; %llu flow rows\n", (packets / best) / ceiling,
              static_cast<unsigned long long>(rows));

  best = 1e300;
  for (int i = 0; i < repeat; ++i) {
    const std::string db = std::filesystem::temp_directory_path() /
                           ("probe_bench_db." + std::to_string(getpid()));
    std::filesystem::remove_all(db);
    goprobe::godb::WriterOptions wopts;
    wopts.sync = false;
    auto sink = goprobe::probe::GodbSink::Open(db, wopts);
    if (!sink.ok()) {
      std::fprintf(stderr, "%s\n", std::string(sink.status().message()).c_str());
      return 1;
    }
    const auto t0 = Clock::now();
    absl::StatusOr<goprobe::probe::OfflineSummary> s =
        goprobe::probe::RunOffline(options, sink->get());
    best = std::min(best, Seconds(t0, Clock::now()));
    sink->reset();
    std::filesystem::remove_all(db);
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", std::string(s.status().message()).c_str());
      return 1;
    }
  }
  Report("godb", packets, best);
  return 0;
}

// An Ethernet frame of a TCP packet from client c (distinct address and
// port per conversation) to one of 4096 servers on port 443.
std::vector<uint8_t> Frame(uint64_t c, bool v6) {
  std::vector<uint8_t> f(14, 0);
  f[12] = v6 ? 0x86 : 0x08;
  f[13] = v6 ? 0xdd : 0x00;
  std::vector<uint8_t> ip(v6 ? 40 : 20, 0);
  if (v6) {
    ip[0] = 0x60;
    ip[5] = 20;
    ip[6] = 6;
    ip[8] = 0xfd;
    for (int i = 0; i < 8; ++i) ip[16 + i] = uint8_t(c >> (8 * i));
    ip[24] = 0x20;
    ip[25] = 0x01;
    ip[38] = uint8_t(c >> 4);
    ip[39] = uint8_t(c & 0xff);
  } else {
    ip[0] = 0x45;
    ip[3] = 40;
    ip[9] = 6;
    ip[12] = 10;
    ip[13] = uint8_t(c >> 16);
    ip[14] = uint8_t(c >> 8);
    ip[15] = uint8_t(c);
    ip[16] = 198;
    ip[17] = 18;
    ip[18] = uint8_t((c >> 8) & 0x0f);
    ip[19] = uint8_t(c);
  }
  std::vector<uint8_t> tcp(20, 0);
  const uint16_t sport = uint16_t(32768 + (c * 7919) % 28000);
  tcp[0] = uint8_t(sport >> 8);
  tcp[1] = uint8_t(sport);
  tcp[2] = 443 >> 8;
  tcp[3] = 443 & 0xff;
  tcp[12] = 0x50;
  tcp[13] = 0x10;
  f.insert(f.end(), ip.begin(), ip.end());
  f.insert(f.end(), tcp.begin(), tcp.end());
  return f;
}

int MemoryBench(uint64_t flows) {
  goprobe::probe::AggregatorOptions options;
  options.table.max_flows = flows + 1;
  // Frames are built one at a time: only the table's memory grows.
  const size_t before = Rss();
  goprobe::probe::Aggregator agg(goprobe::probe::LinkType::kEthernet, options);
  for (uint64_t c = 0; c < flows; ++c) {
    const std::vector<uint8_t> f = Frame(c, c % 4 == 3);
    agg.Add(int64_t(c), f.data(), uint32_t(f.size()), uint32_t(f.size()));
  }
  const size_t counted = Rss();
  goprobe::probe::ClosedWindow w = agg.EndWindow(300);
  std::vector<goprobe::flow::FlowRow> rows;
  w.flows->Drain(&rows);
  const size_t drained = Rss();
  std::printf("%llu conversations (%zu tracked), %zu flow rows\n",
              static_cast<unsigned long long>(flows), agg.conversations(), rows.size());
  std::printf("resident per conversation: %.1f bytes counting, %.1f bytes with the drained rows\n",
              double(counted - before) / double(flows), double(drained - before) / double(flows));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"goprobe offline aggregation benchmark"};
  std::string pcap;
  int repeat = 3;
  uint64_t memory_flows = 0;
  app.add_option("--pcap", pcap, "capture to aggregate (put in page cache first)");
  app.add_option("--repeat", repeat, "runs per measurement; the best counts")->check(CLI::PositiveNumber);
  app.add_option("--memory-flows", memory_flows, "measure table memory at this many conversations");
  CLI11_PARSE(app, argc, argv);
  if (memory_flows > 0) return MemoryBench(memory_flows);
  if (pcap.empty()) {
    std::fprintf(stderr, "give --pcap FILE or --memory-flows N\n");
    return 2;
  }
  return PcapBench(pcap, repeat);
}
