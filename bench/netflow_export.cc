// Sends the synthetic flows of bench/flow_generator.h as NetFlow v9 to a
// collector on 127.0.0.1 (only: this is a measurement tool, never an exporter
// onto a network), so that nfcapd stores the same flows in its own files.
//
// A goProbe row folds both directions of all connections between a client
// and a server on one service; NetFlow records are unidirectional 5-tuples.
// Each row becomes at most two records (client->server with the row's
// packets_sent, server->client with packets_rcvd; a direction without packets
// gives no record), or in --direction=bidi one record carrying the reverse
// direction in OUT_PKTS/OUT_BYTES as NSEL-style bidirectional exporters do.
// One record per row and direction is the fewest NetFlow can do: a real
// exporter emits one per connection (source port), so the record count here
// is a lower bound.
//
// --fidelity=realistic gives records what an exporter would: an ephemeral
// client port, cumulative TCP flags, millisecond start and end times inside
// the block. --fidelity=minimal zeroes the source port and flags and puts
// every record at the block's start, leaving nfdump only the information a
// goProbe row has.
//
// Prints one line of totals: rows, records, packets, bytes, datagrams.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "bench/flow_generator.h"
#include "lib/flow/flow.h"

namespace goprobe::bench {
namespace {

// NetFlow v9 field types (RFC 3954) and IPFIX ids usable in v9.
constexpr uint16_t kInBytes = 1;
constexpr uint16_t kInPkts = 2;
constexpr uint16_t kProtocol = 4;
constexpr uint16_t kTcpFlags = 6;
constexpr uint16_t kL4SrcPort = 7;
constexpr uint16_t kIpv4SrcAddr = 8;
constexpr uint16_t kL4DstPort = 11;
constexpr uint16_t kIpv4DstAddr = 12;
constexpr uint16_t kOutBytes = 23;
constexpr uint16_t kOutPkts = 24;
constexpr uint16_t kIpv6SrcAddr = 27;
constexpr uint16_t kIpv6DstAddr = 28;
constexpr uint16_t kFlowStartMilliseconds = 152;
constexpr uint16_t kFlowEndMilliseconds = 153;

// Datagrams stay below a 1500-byte MTU, as exporters keep them.
constexpr size_t kMaxDatagram = 1400;
constexpr size_t kHeaderSize = 20;
constexpr size_t kSetHeaderSize = 4;
// Templates are repeated this often (in datagrams), as exporters do for
// collectors that start late.
constexpr uint64_t kTemplateEvery = 256;

struct Field {
  uint16_t type;
  uint16_t length;
};

struct Template {
  uint16_t id;
  std::vector<Field> fields;
  size_t record_size() const {
    size_t n = 0;
    for (const Field& f : fields) n += f.length;
    return n;
  }
};

Template MakeTemplate(uint16_t id, bool v6, bool bidi) {
  Template t{id, {}};
  t.fields.push_back({v6 ? kIpv6SrcAddr : kIpv4SrcAddr, uint16_t(v6 ? 16 : 4)});
  t.fields.push_back({v6 ? kIpv6DstAddr : kIpv4DstAddr, uint16_t(v6 ? 16 : 4)});
  t.fields.push_back({kL4SrcPort, 2});
  t.fields.push_back({kL4DstPort, 2});
  t.fields.push_back({kProtocol, 1});
  t.fields.push_back({kTcpFlags, 1});
  t.fields.push_back({kInPkts, 8});
  t.fields.push_back({kInBytes, 8});
  if (bidi) {
    t.fields.push_back({kOutPkts, 8});
    t.fields.push_back({kOutBytes, 8});
  }
  t.fields.push_back({kFlowStartMilliseconds, 8});
  t.fields.push_back({kFlowEndMilliseconds, 8});
  return t;
}

void Put16(std::string& b, uint16_t v) {
  b.push_back(char(v >> 8));
  b.push_back(char(v));
}
void Put32(std::string& b, uint32_t v) {
  Put16(b, uint16_t(v >> 16));
  Put16(b, uint16_t(v));
}
void Put64(std::string& b, uint64_t v) {
  Put32(b, uint32_t(v >> 32));
  Put32(b, uint32_t(v));
}
void Set16(std::string& b, size_t at, uint16_t v) {
  b[at] = char(v >> 8);
  b[at + 1] = char(v);
}

// One unidirectional (or bidirectional) record's values.
struct Record {
  const flow::IpAddress* src;
  const flow::IpAddress* dst;
  uint16_t sport, dport;
  uint8_t proto, tcp_flags;
  uint64_t pkts, bytes, out_pkts, out_bytes;
  uint64_t start_ms, end_ms;
};

// Paced NetFlow v9 sender with one pending data set per template.
class Exporter {
 public:
  Exporter(int fd, bool bidi, double records_per_second)
      : fd_(fd), bidi_(bidi), seconds_per_record_(1.0 / records_per_second) {
    templates_ = {MakeTemplate(256, false, bidi), MakeTemplate(257, true, bidi)};
    pending_.resize(templates_.size());
    pending_count_.resize(templates_.size());
    start_ = std::chrono::steady_clock::now();
  }

  bool Add(const Record& r, int64_t export_time) {
    export_time_ = export_time;
    const size_t ti = r.src->is_v4() ? 0 : 1;
    const Template& t = templates_[ti];
    std::string& b = pending_[ti];
    if (kHeaderSize + kSetHeaderSize + b.size() + t.record_size() + 3 > kMaxDatagram) {
      if (!Flush(ti)) return false;
    }
    b.append(reinterpret_cast<const char*>(r.src->data()), r.src->size());
    b.append(reinterpret_cast<const char*>(r.dst->data()), r.dst->size());
    Put16(b, r.sport);
    Put16(b, r.dport);
    b.push_back(char(r.proto));
    b.push_back(char(r.tcp_flags));
    Put64(b, r.pkts);
    Put64(b, r.bytes);
    if (bidi_) {
      Put64(b, r.out_pkts);
      Put64(b, r.out_bytes);
    }
    Put64(b, r.start_ms);
    Put64(b, r.end_ms);
    ++pending_count_[ti];
    ++records_;
    return true;
  }

  bool FlushAll() {
    for (size_t i = 0; i < pending_.size(); ++i) {
      if (!Flush(i)) return false;
    }
    return true;
  }

  uint64_t records() const { return records_; }
  uint64_t datagrams() const { return sequence_; }

 private:
  void StartDatagram(std::string& d, uint16_t count) {
    d.clear();
    Put16(d, 9);
    Put16(d, count);
    // sysUptime: an exporter booted a day before the first export.
    Put32(d, uint32_t(86'400'000));
    Put32(d, uint32_t(export_time_));
    Put32(d, uint32_t(sequence_));
    Put32(d, 1);  // source id
  }

  bool SendTemplates() {
    std::string d;
    StartDatagram(d, uint16_t(templates_.size()));
    const size_t set_at = d.size();
    Put16(d, 0);  // template set
    Put16(d, 0);
    for (const Template& t : templates_) {
      Put16(d, t.id);
      Put16(d, uint16_t(t.fields.size()));
      for (const Field& f : t.fields) {
        Put16(d, f.type);
        Put16(d, f.length);
      }
    }
    Set16(d, set_at + 2, uint16_t(d.size() - set_at));
    return Send(d);
  }

  bool Flush(size_t ti) {
    if (pending_count_[ti] == 0) return true;
    if (sequence_ % kTemplateEvery == 0 && !SendTemplates()) return false;
    std::string d;
    StartDatagram(d, uint16_t(pending_count_[ti]));
    const size_t set_at = d.size();
    Put16(d, templates_[ti].id);
    Put16(d, 0);
    d += pending_[ti];
    while ((d.size() - set_at) % 4 != 0) d.push_back('\0');
    Set16(d, set_at + 2, uint16_t(d.size() - set_at));
    const uint64_t n = pending_count_[ti];
    pending_[ti].clear();
    pending_count_[ti] = 0;
    if (!Send(d)) return false;
    Pace(n);
    return true;
  }

  bool Send(const std::string& d) {
    for (;;) {
      if (send(fd_, d.data(), d.size(), 0) == ssize_t(d.size())) break;
      if (errno == EINTR || errno == ENOBUFS) continue;
      std::perror("send");
      return false;
    }
    ++sequence_;
    return true;
  }

  // Keeps the record rate at or below the target, so that the collector's
  // socket buffer never overflows.
  void Pace(uint64_t sent) {
    paced_ += sent;
    const auto due =
        start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     std::chrono::duration<double>(double(paced_) * seconds_per_record_));
    if (due > std::chrono::steady_clock::now()) std::this_thread::sleep_until(due);
  }

  int fd_;
  bool bidi_;
  double seconds_per_record_;
  std::vector<Template> templates_;
  std::vector<std::string> pending_;
  std::vector<uint64_t> pending_count_;
  uint64_t records_ = 0;
  uint64_t sequence_ = 0;
  uint64_t paced_ = 0;
  int64_t export_time_ = 0;
  std::chrono::steady_clock::time_point start_;
};

// splitmix64: the exporter's own deterministic choices (ports, times).
uint64_t Hash(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

int Run(int argc, char** argv) {
  FlowGeneratorOptions options;
  int64_t blocks = kBlocksPerDay;
  int64_t start = kDefaultDayStart;
  uint16_t port = 0;
  std::string direction = "uni";
  std::string fidelity = "realistic";
  double rate = 200'000;

  CLI::App app("Sends the synthetic flows as NetFlow v9 to a collector on 127.0.0.1.");
  app.add_option("--port", port, "collector's UDP port on 127.0.0.1")->required();
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
  app.add_option("--direction", direction, "uni: a record per direction; bidi: one per row")
      ->check(CLI::IsMember({"uni", "bidi"}))
      ->capture_default_str();
  app.add_option("--fidelity", fidelity, "realistic or minimal record fields")
      ->check(CLI::IsMember({"realistic", "minimal"}))
      ->capture_default_str();
  app.add_option("--rate", rate, "records per second")
      ->check(CLI::PositiveNumber)
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
  const bool bidi = direction == "bidi";
  const bool realistic = fidelity == "realistic";

  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) {
    std::perror("socket");
    return 1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    std::perror("connect 127.0.0.1");
    return 1;
  }

  const FlowGenerator generator(options);
  Exporter exporter(fd, bidi, rate);
  uint64_t rows = 0, packets = 0, bytes = 0;
  for (int64_t b = 0; b < blocks; ++b) {
    const int64_t t = start + b * kBlockSeconds;
    const uint64_t block_ms = uint64_t(t) * 1000;
    for (const flow::FlowRow& row : generator.Block(t)) {
      ++rows;
      const flow::FlowKey& k = row.key;
      const flow::Counters& c = row.counters;
      packets += c.pkts_sent + c.pkts_rcvd;
      bytes += c.bytes_sent + c.bytes_rcvd;

      // Client->server carries packets_sent (goProbe's convention without a
      // capture direction: the client's packets count as sent).
      const uint64_t h = Hash(options.seed ^ Hash(rows));
      uint16_t eph = 0, fwd_dport = k.dport, rev_sport = k.dport;
      uint8_t fwd_flags = 0, rev_flags = 0;
      uint64_t fwd_start = block_ms, fwd_end = block_ms, rev_start = block_ms, rev_end = block_ms;
      if (k.proto == flow::kProtoIcmp || k.proto == flow::kProtoIcmpV6) {
        // NetFlow carries ICMP type and code in the destination port.
        const bool v6 = k.proto == flow::kProtoIcmpV6;
        fwd_dport = uint16_t((v6 ? 128 : 8) << 8);
        rev_sport = 0;
      }
      if (realistic) {
        if (k.proto == flow::kProtoTcp || k.proto == flow::kProtoUdp) {
          eph = uint16_t(32768 + h % 28232);  // Linux's default ephemeral range
        }
        if (k.proto == flow::kProtoTcp) {
          const bool both = c.pkts_sent > 0 && c.pkts_rcvd > 0;
          fwd_flags = both ? ((h >> 20) % 5 == 0 ? 0x18 : 0x1b) : 0x02;
          rev_flags = both ? fwd_flags : 0x14;
        }
        // Longer flows last longer: a few seconds per ten packets, up to the
        // block, starting anywhere that leaves room.
        const uint64_t n = c.pkts_sent + c.pkts_rcvd;
        const uint64_t duration =
            std::min<uint64_t>(299'000, n <= 1 ? 0 : (n * 300 + (h >> 32) % 2000));
        fwd_start = block_ms + (h >> 8) % (300'000 - duration);
        fwd_end = fwd_start + duration;
        rev_start = std::min(fwd_start + 1 + (h >> 40) % 80, fwd_end);
        rev_end = fwd_end;
      }

      Record fwd{&k.sip,      &k.dip,       eph, fwd_dport, k.proto,   fwd_flags,
                 c.pkts_sent, c.bytes_sent, 0,   0,         fwd_start, fwd_end};
      Record rev{&k.dip,      &k.sip,       rev_sport, eph, k.proto,   rev_flags,
                 c.pkts_rcvd, c.bytes_rcvd, 0,         0,   rev_start, rev_end};
      const int64_t export_time = t + kBlockSeconds;
      bool ok = true;
      if (bidi) {
        if (c.pkts_sent > 0) {
          fwd.out_pkts = c.pkts_rcvd;
          fwd.out_bytes = c.bytes_rcvd;
          ok = exporter.Add(fwd, export_time);
        } else {
          ok = exporter.Add(rev, export_time);
        }
      } else {
        if (c.pkts_sent > 0) ok = exporter.Add(fwd, export_time);
        if (ok && c.pkts_rcvd > 0) ok = exporter.Add(rev, export_time);
      }
      if (!ok) return 1;
    }
    if (!exporter.FlushAll()) return 1;
  }
  close(fd);
  std::printf("rows=%llu records=%llu packets=%llu bytes=%llu datagrams=%llu\n",
              (unsigned long long)rows, (unsigned long long)exporter.records(),
              (unsigned long long)packets, (unsigned long long)bytes,
              (unsigned long long)exporter.datagrams());
  return 0;
}

}  // namespace
}  // namespace goprobe::bench

int main(int argc, char** argv) { return goprobe::bench::Run(argc, argv); }
