#ifndef GOPROBE_BENCH_FLOW_GENERATOR_H_
#define GOPROBE_BENCH_FLOW_GENERATOR_H_

// A deterministic synthetic day of flows for the goDB and query benchmarks.
//
// The data decides whether a storage-size target (bytes on disk per flow row)
// is met, so the model aims at the statistical shape of a real site's traffic
// as one goProbe at its border gateway sees it, not at easy compression:
//
// Vantage point. A site of internal clients (10.x.y.z and 192.168.x.y /24s,
// plus a few /64s under one site /48 for IPv6, interface ids random as privacy
// addresses are) with LAN servers (resolvers, directory, file, database,
// printers, monitoring) and a DMZ of public servers in the site's public /24
// and a DMZ /64. Clients talk to a larger population of external servers that
// sit in provider prefixes (IPv4 /16 to /22 blocks, IPv6 /32s with /64s under
// them; server interface ids small, structured or random) whose sizes are
// themselves skewed, as CDN and cloud prefixes are. Internet hosts scan the
// site's public addresses, and some reach its DMZ services.
//
// Keys. Every flow row is (sip = client, dip = server, dport, proto), folded
// over five minutes as goProbe folds it: all connections between the same
// client and server on the same service are one row. A flow is drawn by
// picking a service from a ranked catalogue (TCP/443, UDP/443, DNS, HTTP, NTP,
// mail, push, SMB, LDAP, mDNS, SSDP, ICMP, ICMPv6 neighbour discovery, scans,
// VPNs, GRE/ESP/IGMP, ...) with Zipf weights, plus a tail of random
// registered and ephemeral ports (P2P, RTP, games, passive FTP). The service
// decides the traffic pattern (outbound, internal, inbound, scan, local
// multicast/broadcast, monitoring sweep) and who can be the client and the
// server; clients and servers are drawn from Zipf popularity ranks. The
// family is drawn per flow so that about ipv6_fraction of rows are IPv6;
// v4-only services (NetBIOS, DHCP, IGMP, ICMP) and v6-only ones (ICMPv6,
// DHCPv6) are accounted for. Protocols without ports get dport 0.
//
// Counters. Per direction, packets follow the service's profile: DNS and NTP
// a few packets each way, web flows lognormal with a Pareto tail of downloads
// reaching millions of bytes, interactive, keep-alive, media and bulk
// profiles, one-directional flows (scans, unanswered DNS and SYNs, multicast
// announcements, syslog) with zero packets one way. Bytes are the sum of
// frame sizes as on the wire (Ethernet, L2 header included, 60 to 1514
// bytes; IPv6 headers 20 bytes longer than IPv4), drawn per flow and
// direction from a mix of small (ACKs, queries), medium and full-size frames
// whose proportions vary between flows. Counters are from the
// gateway's view: packets of an internal client to its server are "sent",
// those of an external client to a DMZ server are "rcvd".
//
// Time. Load follows a diurnal curve in the site's local time (quiet night,
// office-hours plateau, evening shoulder) with small per-block noise; the
// curve's daily mean is 1, so a day has about 288 * flows_per_block rows.
// Long-lived connections (push, IMAP, SSH, RDP, VPN, media, websockets, SMB)
// persist over many consecutive blocks with the same key and Pareto-distributed
// lifetimes; the monitoring sweep and the most popular client/server pairs
// recur every block as they do in practice.
//
// Determinism. Block(t) is a pure function of (options, t): any block can be
// generated alone, in any order, on any thread, and the same seed gives the
// same rows on every run of the same binary (no std:: distributions, no
// hash-map iteration order is involved).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "lib/flow/flow.h"

namespace goprobe::bench {

namespace flow_generator_internal {
struct Model;
}  // namespace flow_generator_internal

// Length of a goDB block in seconds.
inline constexpr int64_t kBlockSeconds = 300;
// 2024-01-15 00:00:00 UTC, a Monday: the default first block of a synthetic
// day, so that every tool generates the same day unless told otherwise.
inline constexpr int64_t kDefaultDayStart = 1705276800;
inline constexpr int kBlocksPerDay = 288;

// Defaults are round figures in line with published measurements rather than a
// fit to one trace; their sources are named beside each.
struct FlowGeneratorOptions {
  uint64_t seed = 1;

  // Size of the host population: internal hosts plus external servers
  // (Internet clients of the DMZ and scanners come on top). At the defaults
  // a 20k-row block has about 11.6k distinct dips: the high cardinality of
  // real destination columns.
  size_t hosts = 100'000;
  // Share of the population inside the site (clients and LAN/DMZ servers).
  double internal_fraction = 0.05;

  // Mean, over the day, of distinct flows per five-minute block. 20k gives a
  // day of about 5.8M rows, a busy site's gateway.
  size_t flows_per_block = 20'000;

  // Share of flows that are IPv6. About 40% of users reach Google over IPv6
  // (Google IPv6 statistics, 2024); enterprise sites lag, hence 0.3.
  double ipv6_fraction = 0.30;

  // Zipf exponents of client activity, server popularity and service rank.
  // Destination popularity in request traces follows Zipf with exponents of
  // 0.6 to 1.0 (Breslau et al., "Web Caching and Zipf-like Distributions",
  // INFOCOM 1999); client activity is similarly skewed (a few busy machines
  // and servers, many quiet ones). The service exponent puts TCP/443 near
  // 40% of the rows (with the long-lived connections on top of the Zipf
  // weights) and the top five services at about two thirds, the shape of
  // per-port flow breakdowns of campus and enterprise links.
  double client_zipf = 0.9;
  double server_zipf = 0.9;
  double service_zipf = 1.3;
  // Share of flows on random registered/ephemeral ports outside the
  // catalogue: P2P, RTP, games, passive FTP, misoriented UDP.
  double tail_port_share = 0.07;

  // Share of a block's rows that belong to connections lasting more than one
  // block. Lifetimes are Pareto (alpha 1) from 2 blocks up to a day: most
  // such connections last a few blocks, a few all day.
  double session_share = 0.25;

  // Local time of the site relative to UTC, for the diurnal curve.
  int64_t utc_offset_seconds = 3600;
};

class FlowGenerator {
 public:
  explicit FlowGenerator(const FlowGeneratorOptions& options);
  ~FlowGenerator();
  FlowGenerator(const FlowGenerator&) = delete;
  FlowGenerator& operator=(const FlowGenerator&) = delete;

  // The distinct flows (unique FlowKey) of the five-minute block starting at
  // block_time (unix seconds, a multiple of 300). Rows come in no particular
  // order, as a probe's flow table hands them over; sort them for goDB's
  // order. Every row has at least one packet; per direction packets are zero
  // exactly when bytes are, and bytes lie within [60, 1514] * packets. The
  // row count is TargetRows(block_time); more only when the connections still
  // open from earlier blocks outnumber it (session_share near 1 at night),
  // fewer only when the host population is too small to hold that many
  // distinct keys. Thread-safe: Block is const and shares nothing mutable.
  std::vector<flow::FlowRow> Block(int64_t block_time) const;

  // The number of distinct rows Block(block_time) aims for: flows_per_block
  // scaled by the diurnal curve and per-block noise.
  size_t TargetRows(int64_t block_time) const;

  // The diurnal load factor at a time of day; its mean over a day is 1.
  double LoadFactor(int64_t unix_seconds) const;

  const FlowGeneratorOptions& options() const { return options_; }

 private:
  FlowGeneratorOptions options_;
  std::unique_ptr<const flow_generator_internal::Model> model_;
};

}  // namespace goprobe::bench

#endif  // GOPROBE_BENCH_FLOW_GENERATOR_H_
