#ifndef GOPROBE_SERVICES_PROBE_CONFIG_H_
#define GOPROBE_SERVICES_PROBE_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/rpc/service_config.h"

namespace goprobe::probe {

// How one interface is captured (the seed README's settings, in YAML).
struct CaptureSettings {
  std::string bpf_filter;           // tcpdump syntax; empty captures everything
  int64_t buf_size = 4 << 20;       // kernel capture buffer, bytes
  bool promisc = false;
  int snaplen = 160;                // bytes kept per packet: headers are enough
  bool disable = false;             // listed, but not captured

  friend bool operator==(const CaptureSettings& a, const CaptureSettings& b) {
    return a.bpf_filter == b.bpf_filter && a.buf_size == b.buf_size && a.promisc == b.promisc &&
           a.snaplen == b.snaplen && a.disable == b.disable;
  }
  friend bool operator!=(const CaptureSettings& a, const CaptureSettings& b) { return !(a == b); }
};

// One entry of the `interfaces` section. Its key names the interfaces it
// applies to: an exact name ("eth0"), a regular expression between slashes
// ("/^veth/", whole-name match), or "any" (every interface that is up,
// except loopback).
struct InterfaceRule {
  std::string key;
  CaptureSettings settings;
};

struct LoggingConfig {
  std::string destination = "console";  // console, syslog, or a file path
  std::string level = "info";           // trace, debug, info, warn, error, off
};

// TLS to a gostore on a TCP address (rpc::ClientTlsOptions, without gRPC's
// headers here): on when the store section has a tls section.
struct StoreTls {
  bool enabled = false;
  std::string ca_file;      // CA the store's certificate chains to; empty: the system's
  std::string cert_file;    // client certificate, for a store that requires one
  std::string key_file;     // its key
  std::string server_name;  // name to check when it differs from addr's host
};

// Where blocks go when a gostore takes them (issue 4): its address, the key
// it wants, and the spool that holds batches until it acknowledges them.
struct StoreConfig {
  std::string addr;          // host:port or unix:/path
  std::string api_key_file;  // optional: first key in the file is sent
  std::string spool_dir;
  uint64_t spool_max_bytes = uint64_t{1} << 30;
  StoreTls tls;
};

struct ProbeConfig {
  // Exactly one of db_path (write goDB in-process) and store (ship to gostore).
  std::string db_path;
  std::optional<StoreConfig> store;
  // This host's identity in batches; 0 / empty: from /etc/machine-id and the
  // kernel's hostname.
  uint64_t host_id = 0;
  std::string hostname;
  std::vector<InterfaceRule> interfaces;
  // Live capture: the user (name or uid) to run as once the captures can be
  // opened, as `--user` (which takes precedence). Read at start only; a
  // reload keeps the user the probe already runs as.
  std::string run_as;
  // Conversations tracked at once per interface.
  size_t max_flows = size_t{1} << 22;
  LoggingConfig logging;
  // The control API (probe.proto) and the metrics endpoint, in gostore's
  // terms: api.listen, api.api_key_file and api.tls.* become its listen,
  // api_key_file and tls.*; metrics.listen its metrics_listen; host_id,
  // hostname and logging are copied in. `api.origins` names the file's
  // lines ("probe.yaml:12: api.tls.cert_file"). No listen address: no API.
  rpc::ServiceConfig api;
};

// Parses the YAML text of a probe configuration:
//
//   db_path: /var/lib/goprobe/db  # or, to ship to a gostore instead:
//   store:
//     addr: unix:/run/goprobe/gostore.sock
//     spool_dir: /var/lib/goprobe/spool
//     spool_max_bytes: 1073741824   # optional
//     api_key_file: /etc/goprobe/store.key   # optional
//     tls:                                   # optional, TCP addresses only
//       ca_file: /etc/goprobe/tls/ca.pem     # optional: the system's CAs otherwise
//       cert_file: /etc/goprobe/tls/probe.pem  # optional, with key_file
//       key_file: /etc/goprobe/tls/probe.key
//       server_name: gostore.example         # optional
//   host_id: 1234                # optional, as hostname
//   run_as: goprobe              # optional: drop to this user (as --user)
//   max_flows: 4194304          # optional
//   interfaces:
//     eth0:
//       bpf_filter: "not arp"   # all settings optional
//       buf_size: 2097152
//       promisc: false
//       snaplen: 160
//       disable: false
//     /^veth/: {promisc: true}
//   logging: {destination: console, level: info}
//   api:                                      # optional: the Probe gRPC service
//     listen: [unix:/run/goprobe/goprobe.sock, 127.0.0.1:8146]
//     api_key_file: /etc/goprobe/goprobe.keys  # optional
//     tls: {cert_file: ..., key_file: ..., client_ca_file: ...}  # optional
//     limits: {max_receive_message_bytes: 8MiB}                  # optional
//   metrics: {listen: 127.0.0.1:9102}        # optional: Prometheus /metrics
//
// Unknown keys are refused (a typo must not silently do nothing). Errors are
// InvalidArgument naming `source` (the file), the key path and the reason.
absl::StatusOr<ProbeConfig> ParseProbeConfig(absl::string_view yaml, absl::string_view source);
// The store's TLS settings fit its address: none for a unix socket, a client
// certificate with its key. InvalidArgument says what is wrong.
absl::Status ValidateStoreTls(const StoreConfig& store);

// Reads and parses a file; NotFound/InvalidArgument naming it.
absl::StatusOr<ProbeConfig> LoadProbeConfig(const std::string& path);

// The settings each present interface gets: exact names first, then the
// first matching regular expression in file order, then "any". Interfaces
// named exactly are captured even when not in `present` (the capture reports
// what is wrong with them); patterns only match present interfaces. Disabled
// entries are left out. Sorted by name.
struct ResolvedInterface {
  std::string name;
  CaptureSettings settings;
};
std::vector<ResolvedInterface> ResolveInterfaces(const std::vector<InterfaceRule>& rules,
                                                 const std::vector<std::string>& present,
                                                 const std::vector<std::string>& up_non_loopback);

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_CONFIG_H_
