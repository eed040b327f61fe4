#include "bench/flow_generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "lib/flow/flow.h"
#include "lib/flow/ip_address.h"

namespace goprobe::bench {
namespace {

using flow::Counters;
using flow::FlowKey;
using flow::FlowRow;
using flow::IpAddress;

constexpr uint8_t kProtoIgmp = 2;
constexpr uint8_t kProtoGre = 47;
constexpr uint8_t kProtoEsp = 50;

// Frames as on the wire: the Ethernet minimum (without FCS) to a full frame.
constexpr uint32_t kMinFrame = 60;
constexpr uint32_t kMaxFrame = 1514;
// One flow's packets per direction and block: a 5-minute block at ~120 Mbit/s
// of full frames, far above any single flow of an ordinary site.
constexpr double kMaxPackets = 3e6;
// Connections live at most a day; older births need not be replayed.
constexpr int64_t kMaxSessionBlocks = kBlocksPerDay;

// ---------------------------------------------------------------------------
// Randomness: own generator and distributions, so output depends on nothing
// but the seed (std:: distributions differ between standard libraries).

uint64_t Finalize(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t Mix(uint64_t a, uint64_t b) { return Finalize(a ^ Finalize(b ^ 0x5851f42d4c957f2dULL)); }

// Independent random streams derived from the seed.
enum Stream : uint64_t {
  kStreamPopulation = 1,
  kStreamCount,
  kStreamFresh,
  kStreamBirths,
  kStreamSession,
  kStreamShuffle,
  kStreamOffsets,
};

// xoshiro256**.
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    for (uint64_t& s : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      s = Finalize(seed);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // [0, 1)
  double Uniform() { return double(Next() >> 11) * 0x1.0p-53; }
  // (0, 1]
  double UniformPositive() { return double((Next() >> 11) + 1) * 0x1.0p-53; }
  // [0, n)
  uint64_t Below(uint64_t n) { return uint64_t((unsigned __int128)Next() * n >> 64); }
  // [lo, hi]
  int64_t Range(int64_t lo, int64_t hi) { return lo + int64_t(Below(uint64_t(hi - lo) + 1)); }
  bool Chance(double p) { return Uniform() < p; }
  double Normal() {
    return std::sqrt(-2.0 * std::log(UniformPositive())) * std::cos(2.0 * M_PI * Uniform());
  }
  double LogNormal(double median, double sigma) { return median * std::exp(sigma * Normal()); }
  double Pareto(double xmin, double alpha) {
    return xmin * std::pow(UniformPositive(), -1.0 / alpha);
  }
  // >= 1 with the given mean.
  uint64_t Geometric(double mean) {
    if (mean <= 1.0) return 1;
    return 1 + uint64_t(std::floor(std::log(UniformPositive()) / std::log(1.0 - 1.0 / mean)));
  }
  // Fisher-Yates.
  template <typename T>
  void Shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[Below(i)]);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_;
};

// Samples ranks 0..n-1 with P(r) proportional to 1 / (r + 1)^s.
class Zipf {
 public:
  Zipf() = default;
  Zipf(size_t n, double s) : cdf_(n) {
    double sum = 0;
    for (size_t r = 0; r < n; ++r) {
      sum += std::pow(double(r + 1), -s);
      cdf_[r] = sum;
    }
  }
  size_t Sample(Rng& rng) const {
    const double u = rng.Uniform() * cdf_.back();
    const size_t r = size_t(std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
    return std::min(r, cdf_.size() - 1);
  }
  size_t size() const { return cdf_.size(); }

 private:
  std::vector<double> cdf_;
};

// Samples indices in proportion to given weights.
class Discrete {
 public:
  Discrete() = default;
  explicit Discrete(const std::vector<double>& weights) : cdf_(weights.size()) {
    double sum = 0;
    for (size_t i = 0; i < weights.size(); ++i) cdf_[i] = sum += weights[i];
  }
  size_t Sample(Rng& rng) const {
    const double u = rng.Uniform() * cdf_.back();
    const size_t i = size_t(std::upper_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
    return std::min(i, cdf_.size() - 1);
  }

 private:
  std::vector<double> cdf_;
};

// ---------------------------------------------------------------------------
// Addresses.

IpAddress V6(uint64_t hi, uint64_t lo) {
  uint8_t b[16];
  for (int i = 0; i < 8; ++i) {
    b[i] = uint8_t(hi >> (56 - 8 * i));
    b[8 + i] = uint8_t(lo >> (56 - 8 * i));
  }
  return IpAddress::V6(b);
}

uint64_t V6Low(const IpAddress& a) {
  uint64_t lo = 0;
  for (int i = 8; i < 16; ++i) lo = lo << 8 | a.data()[i];
  return lo;
}

// Unicast addresses routed on the public Internet (not private, shared,
// loopback, link-local, documentation, benchmarking, multicast or reserved).
bool IsPublicV4(uint32_t a) {
  const uint32_t o1 = a >> 24, o2 = (a >> 16) & 0xff, net24 = a >> 8;
  if (o1 == 0 || o1 == 10 || o1 == 127 || o1 >= 224) return false;
  if (o1 == 100 && (o2 & 0xc0) == 64) return false;
  if (o1 == 169 && o2 == 254) return false;
  if (o1 == 172 && (o2 & 0xf0) == 16) return false;
  if (o1 == 192 && o2 == 168) return false;
  if (o1 == 198 && (o2 & 0xfe) == 18) return false;
  if (net24 == 0xc00000 || net24 == 0xc00002 || net24 == 0xc63364 || net24 == 0xcb0071)
    return false;
  return true;
}

uint32_t RandomPublicV4(Rng& rng) {
  for (;;) {
    const uint32_t a = uint32_t(rng.Next());
    if (IsPublicV4(a)) return a;
  }
}

// The top 32 bits of a plausible allocated global unicast /32, weighted
// roughly by how much of the IPv6 Internet each RIR's space carries.
uint64_t RandomV6Slash32(Rng& rng) {
  struct Block {
    double cumulative_weight;
    uint16_t base, spread;  // first group: base + [0, spread)
  };
  static constexpr Block kRir[] = {{0.35, 0x2a00, 16}, {0.60, 0x2600, 16}, {0.80, 0x2400, 16},
                                   {0.90, 0x2001, 1},  {0.95, 0x2800, 16}, {0.98, 0x2003, 1},
                                   {1.00, 0x2c00, 16}};
  const double u = rng.Uniform();
  size_t i = 0;
  while (i + 1 < std::size(kRir) && u >= kRir[i].cumulative_weight) ++i;
  const uint16_t g1 = uint16_t(kRir[i].base + rng.Below(kRir[i].spread));
  uint16_t g2 = uint16_t(rng.Next());
  if (g1 == 0x2001) g2 = uint16_t(0x0200 + rng.Below(0xfd00));  // Skips 2001:0::/23 and
  if (g1 == 0x2001 && g2 == 0x0db8) g2 = 0x0db9;                // the documentation /32.
  return uint64_t(g1) << 16 | g2;
}

// Interface ids of servers: small numbers, structured numbers, or random.
uint64_t ServerIid(Rng& rng) {
  const double u = rng.Uniform();
  if (u < 0.45) return 1 + rng.Below(0xffff);
  if (u < 0.70) return rng.Below(0x10000) << 16 | rng.Below(0x10000);
  return rng.Next();
}

// Privacy-style random interface id (RFC 8981): the universal/local bit clear.
uint64_t RandomIid(Rng& rng) { return rng.Next() & ~(uint64_t(1) << 57); }

struct Host {
  IpAddress v4;
  IpAddress v6;
  const IpAddress& Of(bool v6_family) const { return v6_family ? v6 : v4; }
};

// ---------------------------------------------------------------------------
// The service catalogue.

enum class Pattern : uint8_t {
  kOutbound,     // internal client -> external server
  kResolverOut,  // internal resolver -> external (authoritative) server
  kInternal,     // internal client -> LAN server
  kInbound,      // Internet client -> DMZ server
  kScan,         // Internet scanner -> any address of the site's public range
  kMulticast,    // internal client -> link-local group or broadcast
  kMonitor,      // monitoring host -> any internal host
  kNeighbor,     // ICMPv6 neighbour discovery on the LAN
  kTail,         // internal client -> external server on a random port
};

enum class Profile : uint8_t {
  kWeb,
  kQuic,
  kDns,
  kNtp,
  kInteractive,
  kKeepalive,
  kMedia,
  kBulk,
  kTransaction,
  kMail,
  kOneWay,
  kPing,
  kNeighbor,
  kScan,
  kSnmp,
};

enum class Family : uint8_t { kDual, kV4, kV6 };

enum Role : uint8_t {
  kNoRole,
  kResolver,
  kDirectory,
  kFileServer,
  kDatabase,
  kPrinter,
  kIntranet,
  kMonitoring,
  kDmzWeb,
  kDmzMail,
  kDmzSsh,
  kAnyClient,
  kNumRoles,
};

struct Service {
  uint8_t proto;
  uint16_t port;
  Pattern pattern;
  Profile profile;
  Family family;
  // Outbound: how many external servers offer it (0: the whole population).
  uint32_t pool;
  // Internal and inbound: which hosts serve it.
  Role role;
  // Can be a connection lasting many blocks.
  bool long_lived;
};

// Short names for the catalogue's rows.
constexpr uint8_t kTcp = flow::kProtoTcp;
constexpr uint8_t kUdp = flow::kProtoUdp;
constexpr uint8_t kIcmp = flow::kProtoIcmp;
constexpr uint8_t kIcmp6 = flow::kProtoIcmpV6;

using P = Pattern;
using F = Profile;
using Fa = Family;

// In order of popularity (distinct flows): rank r gets weight 1 / r^s.
const Service kCatalogue[] = {
    {kTcp, 443, P::kOutbound, F::kWeb, Fa::kDual, 0, kNoRole, true},
    {kUdp, 443, P::kOutbound, F::kQuic, Fa::kDual, 0, kNoRole, true},
    {kUdp, 53, P::kResolverOut, F::kDns, Fa::kDual, 0, kNoRole, false},
    {kTcp, 80, P::kOutbound, F::kWeb, Fa::kDual, 0, kNoRole, false},
    {kUdp, 123, P::kOutbound, F::kNtp, Fa::kDual, 24, kNoRole, false},
    {kTcp, 0, P::kScan, F::kScan, Fa::kV4, 0, kNoRole, false},
    {kUdp, 53, P::kInternal, F::kDns, Fa::kDual, 0, kResolver, false},
    {kTcp, 993, P::kOutbound, F::kKeepalive, Fa::kDual, 400, kNoRole, true},
    {kTcp, 5228, P::kOutbound, F::kKeepalive, Fa::kDual, 60, kNoRole, true},
    {kUdp, 5353, P::kMulticast, F::kOneWay, Fa::kDual, 0, kNoRole, false},
    {kIcmp, 0, P::kMonitor, F::kPing, Fa::kV4, 0, kNoRole, false},
    {kTcp, 445, P::kInternal, F::kBulk, Fa::kV4, 0, kFileServer, true},
    {kTcp, 22, P::kOutbound, F::kInteractive, Fa::kDual, 2000, kNoRole, true},
    {kTcp, 5223, P::kOutbound, F::kKeepalive, Fa::kDual, 60, kNoRole, true},
    {kUdp, 1900, P::kMulticast, F::kOneWay, Fa::kDual, 0, kNoRole, false},
    {kIcmp6, 0, P::kNeighbor, F::kNeighbor, Fa::kV6, 0, kNoRole, false},
    {kTcp, 8080, P::kOutbound, F::kWeb, Fa::kDual, 3000, kNoRole, false},
    {kTcp, 389, P::kInternal, F::kTransaction, Fa::kDual, 0, kDirectory, true},
    {kTcp, 443, P::kInbound, F::kWeb, Fa::kDual, 0, kDmzWeb, false},
    {kTcp, 3389, P::kInternal, F::kInteractive, Fa::kV4, 0, kAnyClient, true},
    {kUdp, 3478, P::kOutbound, F::kMedia, Fa::kDual, 200, kNoRole, true},
    {kTcp, 587, P::kOutbound, F::kMail, Fa::kDual, 300, kNoRole, false},
    {kTcp, 25, P::kInbound, F::kMail, Fa::kDual, 0, kDmzMail, false},
    {kUdp, 137, P::kMulticast, F::kOneWay, Fa::kV4, 0, kNoRole, false},
    {kTcp, 88, P::kInternal, F::kTransaction, Fa::kDual, 0, kDirectory, false},
    {kUdp, 4500, P::kOutbound, F::kMedia, Fa::kDual, 300, kNoRole, true},
    {kTcp, 853, P::kOutbound, F::kTransaction, Fa::kDual, 20, kNoRole, false},
    {kUdp, 67, P::kMulticast, F::kOneWay, Fa::kV4, 0, kNoRole, false},
    {kTcp, 22, P::kInbound, F::kInteractive, Fa::kDual, 0, kDmzSsh, true},
    {kTcp, 8443, P::kOutbound, F::kWeb, Fa::kDual, 2000, kNoRole, false},
    {kIcmp6, 0, P::kOutbound, F::kPing, Fa::kV6, 0, kNoRole, false},
    {kUdp, 51820, P::kOutbound, F::kMedia, Fa::kDual, 100, kNoRole, true},
    {kTcp, 5432, P::kInternal, F::kTransaction, Fa::kDual, 0, kDatabase, true},
    {kTcp, 3306, P::kInternal, F::kTransaction, Fa::kV4, 0, kDatabase, true},
    {kTcp, 9100, P::kInternal, F::kBulk, Fa::kV4, 0, kPrinter, false},
    {kUdp, 161, P::kMonitor, F::kSnmp, Fa::kV4, 0, kNoRole, false},
    {kUdp, 514, P::kInternal, F::kOneWay, Fa::kDual, 0, kMonitoring, false},
    {kUdp, 547, P::kMulticast, F::kOneWay, Fa::kV6, 0, kNoRole, false},
    {kTcp, 5222, P::kOutbound, F::kKeepalive, Fa::kDual, 100, kNoRole, true},
    {kTcp, 143, P::kOutbound, F::kKeepalive, Fa::kDual, 200, kNoRole, true},
    {kUdp, 1194, P::kOutbound, F::kMedia, Fa::kDual, 50, kNoRole, true},
    {kTcp, 21, P::kOutbound, F::kTransaction, Fa::kDual, 500, kNoRole, false},
    {kUdp, 5355, P::kMulticast, F::kOneWay, Fa::kDual, 0, kNoRole, false},
    {kTcp, 139, P::kInternal, F::kTransaction, Fa::kV4, 0, kFileServer, false},
    {kProtoGre, 0, P::kOutbound, F::kMedia, Fa::kV4, 10, kNoRole, true},
    {kProtoEsp, 0, P::kOutbound, F::kMedia, Fa::kDual, 30, kNoRole, true},
    {kProtoIgmp, 0, P::kMulticast, F::kOneWay, Fa::kV4, 0, kNoRole, false},
    {kIcmp, 0, P::kOutbound, F::kPing, Fa::kV4, 0, kNoRole, false},
    {kUdp, 500, P::kOutbound, F::kTransaction, Fa::kDual, 300, kNoRole, false},
    {kTcp, 995, P::kOutbound, F::kKeepalive, Fa::kDual, 200, kNoRole, true},
    {kTcp, 8883, P::kOutbound, F::kKeepalive, Fa::kDual, 50, kNoRole, true},
    {kTcp, 631, P::kInternal, F::kTransaction, Fa::kDual, 0, kPrinter, false},
    {kTcp, 443, P::kInternal, F::kWeb, Fa::kDual, 0, kIntranet, true},
    {kTcp, 110, P::kOutbound, F::kKeepalive, Fa::kDual, 100, kNoRole, false},
    {kTcp, 636, P::kInternal, F::kTransaction, Fa::kDual, 0, kDirectory, false},
};
constexpr size_t kNumServices = sizeof(kCatalogue) / sizeof(kCatalogue[0]);
// Index kNumServices stands for the random-port tail.
const Service kTail = {0, 0, P::kTail, F::kTransaction, Fa::kDual, 0, kNoRole, false};

// Ports Internet scanners probe most, by rough share of scan traffic.
constexpr uint16_t kScanPorts[] = {22,   23,   80,   443, 445, 3389, 8080, 5900,
                                   1433, 3306, 6379, 25,  21,  8443, 2323, 5060};

// Local time of day -> load, at hour centres (00:30, 01:30, ...): quiet night,
// office-hours plateau, evening shoulder, the shape of published daily
// traffic graphs of enterprise links and Internet exchanges.
constexpr double kHourlyLoad[24] = {0.52, 0.42, 0.36, 0.33, 0.32, 0.35, 0.45, 0.64,
                                    0.92, 1.20, 1.34, 1.38, 1.30, 1.34, 1.40, 1.40,
                                    1.34, 1.22, 1.08, 1.02, 1.06, 1.06, 0.92, 0.70};

double RawLoad(int64_t local_seconds) {
  const double h = double(((local_seconds % 86400) + 86400) % 86400) / 3600.0 - 0.5;
  const double fl = std::floor(h);
  const double frac = h - fl;
  const int i0 = (int(fl) + 24) % 24, i1 = (i0 + 1) % 24;
  const double w = (1.0 - std::cos(M_PI * frac)) / 2.0;
  return kHourlyLoad[i0] * (1.0 - w) + kHourlyLoad[i1] * w;
}

// ---------------------------------------------------------------------------
// Traffic of one flow in one block.

struct SizeMix {
  double p_full;                // full-size frames (bulk data)
  double p_mid;                 // medium frames
  uint32_t small_lo, small_hi;  // payload range of small frames
};

struct Direction {
  uint64_t pkts = 0;
  SizeMix mix{};
};

// L2-L4 header bytes of one packet of the flow.
uint32_t HeaderBytes(uint8_t proto, bool v6, Rng& rng) {
  uint32_t h = 14 + (v6 ? 40 : 20);
  switch (proto) {
    case flow::kProtoTcp:
      return h + 20 + (rng.Chance(0.6) ? 12 : 0);  // with or without timestamps
    case kProtoGre:
      return h + 4;
    case kProtoEsp:
      return h + 8 + 16;
    default:
      return h + 8;
  }
}

uint32_t ClampFrame(double f) {
  return uint32_t(std::clamp(f, double(kMinFrame), double(kMaxFrame)));
}

uint32_t DrawFrame(Rng& rng, uint32_t header, const SizeMix& mix) {
  const double u = rng.Uniform();
  if (u < mix.p_full) return rng.Chance(0.7) ? kMaxFrame : uint32_t(rng.Range(1200, kMaxFrame));
  if (u < mix.p_full + mix.p_mid) return ClampFrame(header + rng.Range(mix.small_hi, 1100));
  return ClampFrame(header + rng.Range(mix.small_lo, mix.small_hi));
}

uint64_t DirectionBytes(Rng& rng, uint64_t pkts, uint32_t header, const SizeMix& mix) {
  if (pkts == 0) return 0;
  if (pkts <= 32) {
    uint64_t b = 0;
    for (uint64_t i = 0; i < pkts; ++i) b += DrawFrame(rng, header, mix);
    return b;
  }
  // Sum of many frames: mixture mean and variance, normal approximation.
  struct Part {
    double p, lo, hi;
  };
  const double small_lo =
      std::clamp(header + double(mix.small_lo), double(kMinFrame), double(kMaxFrame));
  const double small_hi =
      std::clamp(header + double(mix.small_hi), double(kMinFrame), double(kMaxFrame));
  const double mid_hi = std::clamp(header + 1100.0, small_hi, double(kMaxFrame));
  const Part parts[] = {{mix.p_full * 0.7, kMaxFrame, kMaxFrame},
                        {mix.p_full * 0.3, 1200, kMaxFrame},
                        {mix.p_mid, small_hi, mid_hi},
                        {1.0 - mix.p_full - mix.p_mid, small_lo, small_hi}};
  double mean = 0, second = 0;
  for (const Part& q : parts) {
    const double m = (q.lo + q.hi) / 2, v = (q.hi - q.lo) * (q.hi - q.lo) / 12;
    mean += q.p * m;
    second += q.p * (v + m * m);
  }
  const double var = std::max(0.0, second - mean * mean);
  const double n = double(pkts);
  const double b = n * mean + std::sqrt(n * var) * rng.Normal();
  return uint64_t(std::clamp(b, n * kMinFrame, n * kMaxFrame));
}

uint64_t Packets(double x) { return uint64_t(std::clamp(std::round(x), 0.0, kMaxPackets)); }

double Jitter(Rng& rng, double p, double sd) {
  return std::clamp(p + sd * rng.Normal(), 0.0, 0.97);
}

// Packets and frame mixes client->server and server->client. `intensity`
// scales long-lived connections' activity; fresh flows pass 1.
std::pair<Direction, Direction> DrawTraffic(Profile profile, bool long_lived, double intensity,
                                            Rng& rng) {
  Direction c, s;
  switch (profile) {
    case F::kWeb:
      if (!long_lived && rng.Chance(0.04)) {  // unanswered or refused
        c = {uint64_t(rng.Range(1, 3)), {0, 0, 0, 20}};
        if (rng.Chance(0.35)) s = {1, {0, 0, 0, 0}};
      } else if (!long_lived && rng.Chance(0.03)) {  // download: Pareto tail
        s.pkts = Packets(rng.Pareto(600, 1.15));
        c.pkts = Packets(double(s.pkts) * (0.25 + 0.35 * rng.Uniform())) + 2;
        c.mix = {0.01, 0.02, 0, 24};
        s.mix = {Jitter(rng, 0.90, 0.05), 0.04, 0, 200};
      } else if (!long_lived && rng.Chance(0.005)) {  // upload
        c.pkts = Packets(rng.Pareto(400, 1.2));
        s.pkts = Packets(double(c.pkts) * (0.25 + 0.35 * rng.Uniform())) + 2;
        c.mix = {Jitter(rng, 0.90, 0.05), 0.04, 0, 200};
        s.mix = {0.01, 0.02, 0, 24};
      } else {
        c.pkts = Packets(rng.LogNormal(3, 1.2) * intensity) + 1;
        s.pkts = Packets(double(c.pkts) * rng.LogNormal(1.2, 0.45));
        c.mix = {Jitter(rng, 0.05, 0.05), 0.2, 0, 60};
        s.mix = {Jitter(rng, 0.45, 0.2), 0.25, 0, 100};
      }
      break;
    case F::kQuic:
      if (!long_lived && rng.Chance(0.02)) {
        s.pkts = Packets(rng.Pareto(600, 1.15));
        c.pkts = Packets(double(s.pkts) * (0.1 + 0.2 * rng.Uniform())) + 2;
        c.mix = {0.02, 0.02, 30, 60};
        s.mix = {Jitter(rng, 0.9, 0.05), 0.04, 30, 200};
      } else {
        c.pkts = Packets(rng.LogNormal(4, 1.2) * intensity) + 1;
        s.pkts = Packets(double(c.pkts) * rng.LogNormal(1.3, 0.45));
        c.mix = {Jitter(rng, 0.15, 0.05), 0.15, 30, 80};
        s.mix = {Jitter(rng, 0.55, 0.2), 0.2, 30, 120};
      }
      break;
    case F::kDns:
      c = {Packets(double(rng.Geometric(3)) * intensity) + 1, {0, 0, 28, 70}};
      if (!rng.Chance(0.05)) {
        s = {c.pkts, {0, 0.08, 45, 250}};
        if (s.pkts > 1 && rng.Chance(0.1)) --s.pkts;
      }
      break;
    case F::kNtp:
      c = {rng.Chance(0.85) ? 1 : uint64_t(rng.Range(2, 4)), {0, 0, 48, 48}};
      if (!rng.Chance(0.03)) s = {c.pkts, {0, 0, 48, 48}};
      break;
    case F::kInteractive:
      c = {Packets(rng.LogNormal(50, 1.5) * intensity) + 1, {0.01, 0.1, 36, 180}};
      s = {Packets(double(c.pkts) * rng.LogNormal(1, 0.5)) + 1,
           {Jitter(rng, 0.1, 0.08), 0.15, 36, 180}};
      break;
    case F::kKeepalive:
      c = {Packets(rng.LogNormal(3, 0.9) * intensity) + 1, {0.01, 0.1, 20, 150}};
      s = {Packets(rng.LogNormal(3, 0.9) * intensity), {Jitter(rng, 0.05, 0.05), 0.15, 20, 150}};
      break;
    case F::kMedia:
      c = {Packets(rng.LogNormal(250, 1.7) * intensity) + 1,
           {Jitter(rng, 0.15, 0.1), 0.4, 60, 260}};
      s = {Packets(rng.LogNormal(250, 1.7) * intensity), {Jitter(rng, 0.15, 0.1), 0.4, 60, 260}};
      break;
    case F::kBulk:
      c = {Packets(rng.LogNormal(20, 2.0) * intensity) + 1, {Jitter(rng, 0.3, 0.25), 0.2, 0, 120}};
      s = {Packets(rng.LogNormal(25, 2.0) * intensity) + 1, {Jitter(rng, 0.5, 0.25), 0.2, 0, 120}};
      break;
    case F::kTransaction:
      c = {Packets(rng.LogNormal(8, 1.0) * intensity) + 1, {Jitter(rng, 0.05, 0.05), 0.2, 20, 300}};
      if (!rng.Chance(0.02)) {
        s = {Packets(rng.LogNormal(8, 1.1) * intensity) + 1,
             {Jitter(rng, 0.1, 0.08), 0.25, 20, 300}};
      }
      break;
    case F::kMail:
      c = {Packets(rng.LogNormal(15, 1.2) * intensity) + 1, {Jitter(rng, 0.35, 0.2), 0.2, 10, 120}};
      s = {Packets(double(c.pkts) * rng.LogNormal(0.7, 0.3)) + 1, {0.01, 0.05, 10, 120}};
      break;
    case F::kOneWay:
      c = {Packets(rng.LogNormal(2, 0.9) * intensity) + 1, {0, 0.2, 40, 400}};
      break;
    case F::kPing: {
      const uint32_t payload = rng.Chance(0.3) ? 32 : 56;
      c = {Packets(rng.LogNormal(4, 1.0) * intensity) + 1, {0, 0, payload, payload}};
      if (!rng.Chance(0.08)) s = {c.pkts, c.mix};
      break;
    }
    case F::kNeighbor:
      c = {uint64_t(rng.Range(1, 3)), {0, 0, 24, 32}};
      if (rng.Chance(0.4)) s = {uint64_t(rng.Range(1, 2)), {0, 0, 24, 32}};
      break;
    case F::kScan:
      c = {rng.Chance(0.8) ? 1 : uint64_t(rng.Range(2, 3)), {0, 0, 0, 20}};
      if (rng.Chance(0.15)) s = {1, {0, 0, 0, 0}};
      break;
    case F::kSnmp:
      c = {uint64_t(rng.Range(1, 12)), {0, 0, 40, 120}};
      if (!rng.Chance(0.05)) s = {c.pkts, {0, 0.1, 60, 400}};
      break;
  }
  if (c.pkts == 0 && s.pkts == 0) c.pkts = 1;
  return {c, s};
}

}  // namespace

// ---------------------------------------------------------------------------
// The population and everything else fixed by the options.

namespace flow_generator_internal {

struct Model {
  // Internal clients by popularity rank, and their link-local addresses.
  std::vector<Host> clients;
  std::vector<IpAddress> client_link_local;
  // LAN and DMZ servers by role; every internal host for monitoring sweeps.
  std::array<std::vector<Host>, kNumRoles> role_hosts;
  std::vector<Host> all_internal;
  IpAddress router_link_local;
  uint32_t site_public_v4 = 0;  // the site's public /24
  uint64_t site_v6_hi = 0;      // the site's /48, as the top 48 of 64 bits

  // External servers by popularity rank; Internet clients of the DMZ;
  // scanners.
  std::vector<Host> servers;
  std::vector<Host> inbound_clients;
  std::vector<Host> scanners;

  Zipf client_zipf, server_zipf, inbound_zipf, scanner_zipf;
  absl::flat_hash_map<uint32_t, Zipf> pool_zipf;
  std::array<size_t, kNumServices + 1> server_offset{};

  Discrete fresh_services;    // over kCatalogue plus the tail
  Discrete session_services;  // over long-lived services
  double dual_v6_probability = 0;
  double load_norm = 1;
  double session_birth_rate = 0;  // births per block per flows_per_block * load
};

}  // namespace flow_generator_internal

using flow_generator_internal::Model;

namespace {

constexpr double kMeanSessionBlocks = [] {
  // d = min(floor(2 / U), 288): P(d >= k) = 2 / k for 2 <= k <= 288.
  double mean = 1;
  for (int k = 2; k <= kMaxSessionBlocks; ++k) mean += 2.0 / k;
  return mean;
}();

// A connection's lifetime in blocks from its id, without seeding a generator:
// replaying a day of births for every block must stay cheap.
int64_t SessionBlocks(uint64_t id) {
  const double u = double((Finalize(id ^ 0x2545f4914f6cdd1dULL) >> 11) + 1) * 0x1.0p-53;
  return std::min<int64_t>(kMaxSessionBlocks, int64_t(2.0 / u));
}

}  // namespace

FlowGenerator::FlowGenerator(const FlowGeneratorOptions& options) : options_(options) {
  auto m = std::make_unique<Model>();
  Rng rng(Mix(options.seed, kStreamPopulation));

  // --- The site.
  const size_t internal =
      std::max<size_t>(64, size_t(std::llround(double(options.hosts) * options.internal_fraction)));
  const size_t external =
      std::max<size_t>(64, options.hosts > internal ? options.hosts - internal : 0);

  m->site_public_v4 = RandomPublicV4(rng) & 0xffffff00u;
  m->site_v6_hi = (RandomV6Slash32(rng) << 32) | (rng.Below(0x10000) << 16);
  const uint32_t lan_a = 10u << 24 | uint32_t(rng.Range(1, 254)) << 16;  // 10.a.0.0/16
  const uint32_t first_lan = uint32_t(rng.Range(1, 100));
  m->router_link_local = V6(0xfe80000000000000ULL, 1);

  struct RoleCount {
    Role role;
    int count;
    bool dmz;
  };
  const RoleCount kRoles[] = {
      {kResolver, 2, false}, {kDirectory, 2, false}, {kFileServer, 3, false}, {kDatabase, 4, false},
      {kPrinter, 6, false},  {kIntranet, 4, false},  {kMonitoring, 1, false}, {kDmzWeb, 3, true},
      {kDmzMail, 2, true},   {kDmzSsh, 1, true},
  };
  int lan_servers = 0, dmz_servers = 0;
  for (const RoleCount& rc : kRoles) {
    for (int i = 0; i < rc.count; ++i) {
      Host h;
      if (rc.dmz) {
        ++dmz_servers;
        h.v4 = IpAddress::V4(m->site_public_v4 | uint32_t(10 + dmz_servers));
        h.v6 = V6(m->site_v6_hi | 0x0100, uint64_t(0x10 + dmz_servers));
      } else {
        ++lan_servers;
        h.v4 = IpAddress::V4(lan_a | uint32_t(10 + lan_servers));
        h.v6 = V6(m->site_v6_hi | 0x0050, uint64_t(0x10 + lan_servers));
      }
      m->role_hosts[rc.role].push_back(h);
      m->all_internal.push_back(h);
    }
  }

  // Clients: /24s of about 200 hosts, three quarters from 10.a.b/24 upwards,
  // the rest in 192.168.x/24 (Wi-Fi; 172.16/12 once 192.168/16 is full);
  // four /24s share one IPv6 /64.
  const size_t num_clients = std::max<size_t>(16, internal - size_t(lan_servers + dmz_servers));
  const uint32_t wifi_c = uint32_t(rng.Range(0, 200));
  size_t subnet = 0;
  std::vector<uint32_t> host_numbers;
  for (uint32_t n = 10; n <= 250; ++n) host_numbers.push_back(n);
  while (m->clients.size() < num_clients) {
    const uint32_t wifi_index = wifi_c + uint32_t(subnet / 4);
    const uint32_t net = subnet % 4 != 3    ? lan_a + ((first_lan + uint32_t(subnet)) << 8)
                         : wifi_index < 256 ? (192u << 24 | 168u << 16 | wifi_index << 8)
                                            : (172u << 24 | 16u << 16) + ((wifi_index - 256) << 8);
    const uint64_t v6_hi = m->site_v6_hi | uint64_t(0x1000 + subnet / 4);
    rng.Shuffle(host_numbers);
    for (size_t i = 0; i < 200 && m->clients.size() < num_clients; ++i) {
      m->clients.push_back({IpAddress::V4(net | host_numbers[i]), V6(v6_hi, RandomIid(rng))});
      m->client_link_local.push_back(V6(0xfe80000000000000ULL, RandomIid(rng)));
    }
    ++subnet;
  }
  {
    // Popularity independent of position: shuffle clients and their
    // link-local addresses together.
    std::vector<size_t> order(m->clients.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    rng.Shuffle(order);
    std::vector<Host> c(order.size());
    std::vector<IpAddress> ll(order.size());
    for (size_t i = 0; i < order.size(); ++i) {
      c[i] = m->clients[order[i]];
      ll[i] = m->client_link_local[order[i]];
    }
    m->clients = std::move(c);
    m->client_link_local = std::move(ll);
  }
  m->all_internal.insert(m->all_internal.end(), m->clients.begin(), m->clients.end());
  m->role_hosts[kAnyClient] = m->clients;

  // External servers in provider prefixes whose sizes are Zipf (a few CDN
  // and cloud providers hold many servers).
  struct Provider {
    uint32_t v4_base;
    uint32_t v4_hosts;
    uint64_t v6_slash32;
    std::array<uint16_t, 3> v6_sites;
  };
  const size_t num_providers = std::max<size_t>(16, external / 40);
  std::vector<Provider> providers(num_providers);
  for (size_t rank = 0; rank < num_providers; ++rank) {
    Provider& p = providers[rank];
    // The most popular providers have the largest blocks: /16 for the top
    // four, one bit longer per doubling of rank, /22 from rank 252 on.
    const int len = 16 + std::min(6, int(std::log2(1.0 + double(rank) / 4.0)));
    for (;;) {
      p.v4_base = RandomPublicV4(rng) & ~((uint32_t(1) << (32 - len)) - 1);
      if (IsPublicV4(p.v4_base) && IsPublicV4(p.v4_base | ((uint32_t(1) << (32 - len)) - 1))) break;
    }
    p.v4_hosts = uint32_t(1) << (32 - len);
    p.v6_slash32 = RandomV6Slash32(rng);
    for (uint16_t& s : p.v6_sites) s = uint16_t(rng.Next());
  }
  const Zipf provider_zipf(num_providers, 1.0);
  absl::flat_hash_set<uint32_t> taken_v4;
  m->servers.reserve(external);
  while (m->servers.size() < external) {
    const Provider& p = providers[provider_zipf.Sample(rng)];
    const uint32_t v4 = p.v4_base | uint32_t(1 + rng.Below(p.v4_hosts - 2));
    if (!taken_v4.insert(v4).second) continue;
    const uint64_t subnet64 = rng.Chance(0.6) ? rng.Below(16) : rng.Below(0x10000);
    const uint64_t hi = p.v6_slash32 << 32 | uint64_t(p.v6_sites[rng.Below(3)]) << 16 | subnet64;
    m->servers.push_back({IpAddress::V4(v4), V6(hi, ServerIid(rng))});
  }
  rng.Shuffle(m->servers);

  auto random_internet_host = [&rng] {
    return Host{IpAddress::V4(RandomPublicV4(rng)),
                V6(RandomV6Slash32(rng) << 32 | rng.Below(uint64_t(1) << 32), RandomIid(rng))};
  };
  m->inbound_clients.resize(std::max<size_t>(1000, external / 2));
  for (Host& h : m->inbound_clients) h = random_internet_host();
  m->scanners.resize(std::max<size_t>(200, external / 20));
  for (Host& h : m->scanners) h = random_internet_host();

  m->client_zipf = Zipf(m->clients.size(), options.client_zipf);
  m->server_zipf = Zipf(m->servers.size(), options.server_zipf);
  m->inbound_zipf = Zipf(m->inbound_clients.size(), 0.7);
  m->scanner_zipf = Zipf(m->scanners.size(), 1.0);
  Rng offsets(Mix(options.seed, kStreamOffsets));
  for (size_t i = 0; i <= kNumServices; ++i) {
    m->server_offset[i] = offsets.Below(m->servers.size());
    if (i < kNumServices && kCatalogue[i].pool != 0 && kCatalogue[i].pool < m->servers.size() &&
        !m->pool_zipf.contains(kCatalogue[i].pool)) {
      m->pool_zipf.emplace(kCatalogue[i].pool, Zipf(kCatalogue[i].pool, options.server_zipf));
    }
  }

  // Service weights: Zipf over the catalogue, the tail on top.
  std::vector<double> fresh(kNumServices + 1), session(kNumServices + 1, 0.0);
  double catalogue_sum = 0, session_sum = 0;
  for (size_t i = 0; i < kNumServices; ++i) {
    fresh[i] = std::pow(double(i + 1), -options.service_zipf);
    catalogue_sum += fresh[i];
    if (kCatalogue[i].long_lived) session_sum += session[i] = fresh[i];
  }
  const double tail = std::clamp(options.tail_port_share, 0.0, 0.9);
  fresh[kNumServices] = catalogue_sum * tail / (1.0 - tail);
  const double fresh_sum = catalogue_sum + fresh[kNumServices];
  m->fresh_services = Discrete(fresh);
  m->session_services = Discrete(session);

  // The IPv6 probability of dual-stack services that makes the expected
  // share of IPv6 rows ipv6_fraction.
  const double ss = std::clamp(options.session_share, 0.0, 0.95);
  double v6_only = 0, dual = 0;
  for (size_t i = 0; i <= kNumServices; ++i) {
    const Family fam = i < kNumServices ? kCatalogue[i].family : Family::kDual;
    const double w = (1 - ss) * fresh[i] / fresh_sum + ss * session[i] / session_sum;
    if (fam == Family::kV6) v6_only += w;
    if (fam == Family::kDual) dual += w;
  }
  m->dual_v6_probability = std::clamp((options.ipv6_fraction - v6_only) / dual, 0.0, 1.0);

  double load_sum = 0;
  for (int b = 0; b < kBlocksPerDay; ++b)
    load_sum += RawLoad(b * kBlockSeconds + kBlockSeconds / 2);
  m->load_norm = double(kBlocksPerDay) / load_sum;
  m->session_birth_rate = ss / kMeanSessionBlocks;

  model_ = std::move(m);
}

FlowGenerator::~FlowGenerator() = default;

double FlowGenerator::LoadFactor(int64_t unix_seconds) const {
  return RawLoad(unix_seconds + options_.utc_offset_seconds) * model_->load_norm;
}

size_t FlowGenerator::TargetRows(int64_t block_time) const {
  Rng rng(Mix(Mix(options_.seed, kStreamCount), uint64_t(block_time)));
  const double n = double(options_.flows_per_block) * LoadFactor(block_time + kBlockSeconds / 2) *
                   std::exp(0.05 * rng.Normal());
  return size_t(std::max(1.0, std::round(n)));
}

namespace {

// Builds one flow of `service` from `rng`.
class FlowDrawer {
 public:
  explicit FlowDrawer(const Model& m) : m_(m) {}

  // A flow's key and what its counters depend on.
  struct Keyed {
    FlowKey key;
    Service service;  // with the tail's and scans' port and profile resolved
    bool v6 = false;
    bool local_client = true;  // the client is inside the site
  };

  // `service_index` == kNumServices draws from the tail.
  Keyed DrawKey(size_t service_index, Rng& rng) const {
    Keyed out;
    Service& svc = out.service;
    svc = service_index < kNumServices ? kCatalogue[service_index] : kTail;
    if (svc.pattern == P::kTail) {
      svc.proto = rng.Chance(0.6) ? kUdp : kTcp;
      const double u = rng.Uniform();
      svc.port = uint16_t(u < 0.55   ? rng.Range(49152, 65535)
                          : u < 0.95 ? rng.Range(1024, 49151)
                                     : rng.Range(1, 1023));
      svc.profile = svc.proto == kUdp ? (rng.Chance(0.5) ? F::kMedia : F::kTransaction)
                                      : (rng.Chance(0.7) ? F::kTransaction : F::kBulk);
    } else if (svc.pattern == P::kScan) {
      svc.port = rng.Chance(0.6) ? kScanPorts[rng.Below(std::size(kScanPorts))]
                                 : uint16_t(rng.Range(1, 65535));
    }
    const bool v6 = out.v6 = svc.family == Family::kV6 ||
                             (svc.family == Family::kDual && rng.Chance(m_.dual_v6_probability));

    FlowKey& k = out.key;
    k.proto = svc.proto;
    k.dport = svc.port;
    const size_t offset = m_.server_offset[service_index];
    switch (svc.pattern) {
      case P::kOutbound:
      case P::kTail:
        k.sip = Client(rng).Of(v6);
        k.dip = m_.servers[(ServerRank(svc.pool, rng) + offset) % m_.servers.size()].Of(v6);
        break;
      case P::kResolverOut:
        k.sip = Pick(m_.role_hosts[kResolver], rng).Of(v6);
        k.dip = m_.servers[(ServerRank(0, rng) + offset) % m_.servers.size()].Of(v6);
        break;
      case P::kInternal:
        k.sip = Client(rng).Of(v6);
        k.dip = Pick(m_.role_hosts[svc.role], rng).Of(v6);
        break;
      case P::kInbound:
        k.sip = m_.inbound_clients[m_.inbound_zipf.Sample(rng)].Of(v6);
        k.dip = Pick(m_.role_hosts[svc.role], rng).Of(v6);
        out.local_client = false;
        break;
      case P::kScan:
        k.sip = m_.scanners[m_.scanner_zipf.Sample(rng)].Of(v6);
        k.dip = IpAddress::V4(m_.site_public_v4 | uint32_t(rng.Range(1, 254)));
        out.local_client = false;
        break;
      case P::kMonitor:
        k.sip = m_.role_hosts[kMonitoring][0].Of(v6);
        k.dip = Pick(m_.all_internal, rng).Of(v6);
        break;
      case P::kMulticast:
        Multicast(svc, v6, rng, k);
        break;
      case P::kNeighbor: {
        const size_t c = m_.client_zipf.Sample(rng);
        k.sip = m_.client_link_local[c];
        if (rng.Chance(0.5)) {
          k.dip = m_.router_link_local;
        } else {  // solicited-node multicast of another host
          const uint64_t target = V6Low(Pick(m_.clients, rng).v6);
          k.dip = V6(0xff02000000000000ULL, 0x00000001ff000000ULL | (target & 0xffffff));
        }
        break;
      }
    }
    return out;
  }

  // Counters of a drawn key in one block, from the gateway's view.
  static Counters DrawCounters(const Keyed& f, bool long_lived, double intensity, Rng& rng) {
    const auto [c2s, s2c] = DrawTraffic(f.service.profile, long_lived, intensity, rng);
    const uint32_t header = HeaderBytes(f.key.proto, f.v6, rng);
    const uint64_t c_bytes = DirectionBytes(rng, c2s.pkts, header, c2s.mix);
    const uint64_t s_bytes = DirectionBytes(rng, s2c.pkts, header, s2c.mix);
    if (f.local_client) return {s_bytes, c_bytes, s2c.pkts, c2s.pkts};
    return {c_bytes, s_bytes, c2s.pkts, s2c.pkts};
  }

 private:
  const Host& Client(Rng& rng) const { return m_.clients[m_.client_zipf.Sample(rng)]; }

  static const Host& Pick(const std::vector<Host>& hosts, Rng& rng) {
    return hosts[rng.Below(hosts.size())];
  }

  size_t ServerRank(uint32_t pool, Rng& rng) const {
    if (pool != 0) {
      auto it = m_.pool_zipf.find(pool);
      if (it != m_.pool_zipf.end()) return it->second.Sample(rng);
    }
    return m_.server_zipf.Sample(rng);
  }

  void Multicast(const Service& svc, bool v6, Rng& rng, FlowKey& k) const {
    const size_t c = m_.client_zipf.Sample(rng);
    const Host& client = m_.clients[c];
    k.sip = client.Of(v6);
    switch (svc.port) {
      case 5353:  // mDNS
        k.dip = v6 ? V6(0xff02000000000000ULL, 0xfb) : IpAddress::V4(0xe00000fbu);
        break;
      case 1900:  // SSDP
        k.dip = v6 ? V6(0xff02000000000000ULL, 0xc) : IpAddress::V4(0xeffffffau);
        break;
      case 5355:  // LLMNR
        k.dip = v6 ? V6(0xff02000000000000ULL, 0x10003) : IpAddress::V4(0xe00000fcu);
        break;
      case 547:  // DHCPv6 from the link-local address
        k.sip = m_.client_link_local[c];
        k.dip = V6(0xff02000000000000ULL, 0x10002);
        break;
      case 137:  // NetBIOS name service: the subnet's broadcast address
        k.dip = IpAddress::V4(client.v4.v4_value() | 0xff);
        break;
      case 67:  // DHCP
        k.dip = IpAddress::V4(0xffffffffu);
        break;
      default:  // IGMP membership reports
        k.dip = IpAddress::V4(0xe0000016u);
        break;
    }
  }

  const Model& m_;
};

// Folds rows into distinct keys, adding counters on a repeated key as a
// probe's flow table would, and keeps the order of first appearance.
class BlockTable {
 public:
  explicit BlockTable(size_t expected) {
    index_.reserve(expected);
    rows_.reserve(expected);
  }
  void Add(const FlowRow& row) {
    auto [it, inserted] = index_.try_emplace(row.key, rows_.size());
    if (inserted) {
      rows_.push_back(row);
    } else {
      rows_[it->second].counters += row.counters;
    }
  }
  size_t size() const { return rows_.size(); }
  std::vector<FlowRow> Take() { return std::move(rows_); }

 private:
  absl::flat_hash_map<FlowKey, uint32_t> index_;
  std::vector<FlowRow> rows_;
};

}  // namespace

std::vector<FlowRow> FlowGenerator::Block(int64_t block_time) const {
  const Model& m = *model_;
  const FlowDrawer drawer(m);
  const int64_t block = block_time / kBlockSeconds;
  const size_t target = TargetRows(block_time);
  BlockTable table(target + target / 8);

  // Connections born in earlier blocks that are still open. Each birth has
  // its own stream, so whether it is alive costs one draw.
  const uint64_t birth_stream = Mix(options_.seed, kStreamBirths);
  const uint64_t session_stream = Mix(options_.seed, kStreamSession);
  for (int64_t b = block - kMaxSessionBlocks + 1; b <= block; ++b) {
    const int64_t b_time = b * kBlockSeconds;
    Rng births_rng(Mix(birth_stream, uint64_t(b)));
    const double expected = m.session_birth_rate * double(options_.flows_per_block) *
                            LoadFactor(b_time + kBlockSeconds / 2);
    const uint64_t births = uint64_t(expected + births_rng.Uniform());
    for (uint64_t j = 0; j < births; ++j) {
      const uint64_t id = Mix(Mix(session_stream, uint64_t(b)), j);
      if (b + SessionBlocks(id) <= block) continue;
      Rng life(id);
      const size_t service = m.session_services.Sample(life);
      const double intensity = life.LogNormal(1.0, 0.8);
      // The key comes from the connection's own stream, the counters from
      // that stream and the block.
      Rng key_rng(Mix(id, 0));
      const FlowDrawer::Keyed f = drawer.DrawKey(service, key_rng);
      Rng traffic_rng(Mix(id, uint64_t(block) + 1));
      const FlowRow row{f.key, FlowDrawer::DrawCounters(f, true, intensity, traffic_rng)};
      table.Add(row);
    }
  }

  // Flows of this block only, until the target of distinct keys is reached.
  Rng rng(Mix(Mix(options_.seed, kStreamFresh), uint64_t(block)));
  const size_t max_draws = 4 * target + 1000;
  for (size_t draws = 0; table.size() < target && draws < max_draws; ++draws) {
    const FlowDrawer::Keyed f = drawer.DrawKey(m.fresh_services.Sample(rng), rng);
    table.Add({f.key, FlowDrawer::DrawCounters(f, false, 1.0, rng)});
  }

  std::vector<FlowRow> rows = table.Take();
  Rng shuffle(Mix(Mix(options_.seed, kStreamShuffle), uint64_t(block)));
  shuffle.Shuffle(rows);
  return rows;
}

}  // namespace goprobe::bench
