// goprobe: the capturing probe.
//
// Live:    goprobe --config FILE
//   captures the configured interfaces (one thread each) into five-minute
//   blocks on the wall clock, written to the goDB at the configuration's
//   db_path. SIGHUP reloads the interface section (only changed interfaces
//   restart); SIGTERM/SIGINT write every interface's current window and exit.
//
// Offline: goprobe --pcap FILE [--pcap FILE ...] --iface NAME --db DIR
//   reads capture files into the goDB at DIR as interface NAME, using packet
//   time for the blocks, and prints a one-line summary. With --store ADDR
//   instead of --db, the blocks go to that gostore through a spool, and
//   goprobe exits once the store has acknowledged every one.
#include <signal.h>

#include <cerrno>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_join.h"
#include "services/probe/block_destination.h"
#include "services/probe/block_sink.h"
#include "services/probe/block_writer.h"
#include "services/probe/capture_manager.h"
#include "services/probe/config.h"
#include "services/probe/live_capture.h"
#include "services/probe/logging.h"
#include "services/probe/offline.h"
#include "spdlog/spdlog.h"

namespace goprobe::probe {
namespace {

// Host identity for batches: from the flags/config where given.
absl::StatusOr<host::HostIdentity> Identity(uint64_t host_id, const std::string& hostname,
                                            const std::string& machine_id_file) {
  return host::ResolveHostIdentity(host_id, hostname, machine_id_file);
}

absl::StatusOr<std::unique_ptr<BlockDestination>> OpenDestination(const ProbeConfig& config,
                                                                   const std::string& machine_id) {
  if (!config.store) return BlockDestination::OpenDb(config.db_path);
  absl::StatusOr<host::HostIdentity> identity =
      Identity(config.host_id, config.hostname, machine_id);
  if (!identity.ok()) return identity.status();
  return BlockDestination::OpenStore(*config.store, std::move(*identity));
}

int RunOfflineCommand(const OfflineOptions& options, const ProbeConfig& config,
                      const std::string& machine_id, absl::Duration ship_timeout) {
  absl::StatusOr<std::unique_ptr<BlockDestination>> destination =
      OpenDestination(config, machine_id);
  if (!destination.ok()) {
    std::fprintf(stderr, "goprobe: %s\n", std::string(destination.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<OfflineSummary> summary = RunOffline(options, (*destination)->sink());
  if (!summary.ok()) {
    std::fprintf(stderr, "goprobe: %s\n", std::string(summary.status().message()).c_str());
    return 1;
  }
  for (const std::string& t : summary->truncated) {
    std::fprintf(stderr, "goprobe: warning: %s\n", t.c_str());
  }
  absl::Status shipped = (*destination)->Drain(ship_timeout);
  if (!shipped.ok()) {
    std::fprintf(stderr, "goprobe: %s\n", std::string(shipped.message()).c_str());
    return 1;
  }
  std::printf("goprobe: %s\n", summary->ToString().c_str());
  return 0;
}

absl::StatusOr<std::vector<ResolvedInterface>> Resolve(const ProbeConfig& config) {
  absl::StatusOr<SystemInterfaces> sys = ListSystemInterfaces();
  if (!sys.ok()) return sys.status();
  return ResolveInterfaces(config.interfaces, sys->all, sys->up_non_loopback);
}

void Report(const CaptureManager::Changes& c) {
  if (!c.started.empty()) spdlog::info("started: {}", absl::StrJoin(c.started, ", "));
  if (!c.restarted.empty()) spdlog::info("restarted: {}", absl::StrJoin(c.restarted, ", "));
  if (!c.stopped.empty()) spdlog::info("stopped: {}", absl::StrJoin(c.stopped, ", "));
  for (const absl::Status& s : c.failed) spdlog::error("{}", std::string(s.message()));
}

int RunLive(const std::string& config_path) {
  absl::StatusOr<ProbeConfig> config = LoadProbeConfig(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "goprobe: %s\n", std::string(config.status().message()).c_str());
    return 1;
  }
  absl::Status s = SetUpLogging(config->logging);
  if (!s.ok()) {
    std::fprintf(stderr, "goprobe: %s: %s\n", config_path.c_str(), std::string(s.message()).c_str());
    return 1;
  }
  // Signals are taken by sigwait below, never by a capture thread: block
  // them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<std::unique_ptr<BlockDestination>> destination =
      OpenDestination(*config, "/etc/machine-id");
  if (!destination.ok()) {
    spdlog::critical("{}", std::string(destination.status().message()));
    return 1;
  }
  BlockWriter writer((*destination)->sink());
  AggregatorOptions agg;
  agg.table.max_flows = config->max_flows;
  CaptureManager manager([&writer, &agg](const ResolvedInterface& itf)
                             -> absl::StatusOr<std::unique_ptr<CaptureHandle>> {
    absl::StatusOr<std::unique_ptr<LiveCapture>> c = LiveCapture::Start(
        itf, agg, [&writer](const std::string& iface, ClosedWindow w) {
          writer.Submit(iface, std::move(w));
        });
    if (!c.ok()) return c.status();
    return std::unique_ptr<CaptureHandle>(std::move(*c));
  });
  absl::StatusOr<std::vector<ResolvedInterface>> wanted = Resolve(*config);
  if (!wanted.ok()) {
    spdlog::critical("{}", std::string(wanted.status().message()));
    return 1;
  }
  Report(manager.Apply(*wanted));
  if (manager.running().empty()) {
    spdlog::critical("{}: no interface could be captured", config_path);
    return 1;
  }
  const std::string db_path = config->db_path;
  // Every 30 s without a signal: interfaces that appeared match patterns and
  // "any", and captures that failed (an interface gone and back) restart.
  const struct timespec rescan = {30, 0};
  for (;;) {
    const int sig = sigtimedwait(&signals, nullptr, &rescan);
    if (sig < 0) {
      if (errno != EAGAIN) continue;  // EINTR
      wanted = Resolve(*config);
      if (wanted.ok()) Report(manager.Apply(*wanted));
      continue;
    }
    if (sig == SIGHUP) {
      absl::StatusOr<ProbeConfig> next = LoadProbeConfig(config_path);
      if (!next.ok()) {
        spdlog::error("reload refused, keeping the running configuration: {}",
                      std::string(next.status().message()));
        continue;
      }
      if (next->db_path != db_path || next->max_flows != config->max_flows ||
          bool(next->store) != bool(config->store) ||
          (next->store && (next->store->addr != config->store->addr ||
                           next->store->tls.enabled != config->store->tls.enabled ||
                           next->store->tls.ca_file != config->store->tls.ca_file ||
                           next->store->tls.cert_file != config->store->tls.cert_file ||
                           next->store->tls.key_file != config->store->tls.key_file ||
                           next->store->tls.server_name != config->store->tls.server_name))) {
        // The files named stay watched: a certificate renewed in place is
        // picked up before the next stream without a restart.
        spdlog::warn("reload: db_path, store and max_flows take effect at the next start");
      }
      wanted = Resolve(*next);
      if (!wanted.ok()) {
        spdlog::error("reload: {}", std::string(wanted.status().message()));
        continue;
      }
      spdlog::info("reloading {}", config_path);
      Report(manager.Apply(*wanted));
      // Only the interface section takes effect without a restart.
      config->interfaces = std::move(next->interfaces);
      continue;
    }
    spdlog::info("signal {}: writing the current windows and stopping", sig);
    break;
  }
  manager.StopAll();
  writer.Close();
  spdlog::info("{} blocks written, {} lost", writer.written(), writer.failed());
  if ((*destination)->spool_depth() > 0) {
    // Give the store a moment for the final blocks; what it does not take
    // stays spooled for the next start.
    (void)(*destination)->Drain(absl::Seconds(10));
    spdlog::info("{} batches left in the spool for the next start", (*destination)->spool_depth());
  }
  return writer.failed() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace goprobe::probe

int main(int argc, char** argv) {
  CLI::App app{"goprobe: network flow probe"};
  goprobe::probe::OfflineOptions options;
  goprobe::probe::ProbeConfig offline;
  goprobe::probe::StoreConfig store;
  std::string config, machine_id = "/etc/machine-id";
  double ship_timeout_s = 0;
  size_t max_flows = options.aggregator.table.max_flows;
  auto* config_opt = app.add_option("--config", config, "YAML configuration: capture live");
  auto* pcap_opt =
      app.add_option("--pcap", options.files,
                     "capture file to read offline (pcap, nanosecond pcap or pcapng, gzipped or "
                     "not); repeat for several, read in order as one capture")
          ->take_all()
          ->excludes(config_opt);
  app.add_option("--iface", options.iface, "offline: interface name to store the flows under")
      ->needs(pcap_opt);
  auto* db_opt = app.add_option("--db", offline.db_path, "offline: goDB directory to write")
                     ->needs(pcap_opt);
  auto* store_opt =
      app.add_option("--store", store.addr,
                     "offline: gostore to ship the blocks to (host:port or unix:/path) instead "
                     "of writing --db; exits once every block is acknowledged")
          ->needs(pcap_opt)
          ->excludes(db_opt);
  app.add_option("--spool", store.spool_dir,
                 "offline, with --store: spool directory (default: a fresh one under $TMPDIR)")
      ->needs(store_opt);
  app.add_option("--store-api-key-file", store.api_key_file,
                 "offline, with --store: file whose first key is sent to the store")
      ->needs(store_opt);
  app.add_flag("--store-tls", store.tls.enabled,
                                     "offline, with --store: TLS to the store (TCP addresses)")
                           ->needs(store_opt);
  app.add_option("--store-tls-ca", store.tls.ca_file,
                 "offline, with --store: PEM CA the store's certificate must chain to (implies "
                 "--store-tls; default: the system's CAs)")
      ->needs(store_opt);
  app.add_option("--store-tls-cert", store.tls.cert_file,
                 "offline, with --store: PEM client certificate, for a store that requires one "
                 "(implies --store-tls)")
      ->needs(store_opt);
  app.add_option("--store-tls-key", store.tls.key_file,
                 "offline, with --store-tls-cert: its PEM private key")
      ->needs(store_opt);
  app.add_option("--store-tls-server-name", store.tls.server_name,
                 "offline, with --store: name the store's certificate must carry when it differs "
                 "from the address's host (implies --store-tls)")
      ->needs(store_opt);
  app.add_option("--ship-timeout", ship_timeout_s,
                 "offline, with --store: seconds to wait for acknowledgements (0: no limit)")
      ->needs(store_opt);
  app.add_option("--host-id", offline.host_id, "offline: this host's id in shipped batches");
  app.add_option("--hostname", offline.hostname, "offline: this host's name in shipped batches");
  app.add_option("--machine-id-file", machine_id, "where the host id comes from")
      ->capture_default_str();
  app.add_option("--max-flows", max_flows,
                 "offline: conversations tracked at once; packets of further ones are counted "
                 "as untracked")
      ->check(CLI::Range(size_t{1}, size_t{1} << 31))
      ->needs(pcap_opt);
  app.add_flag("--allow-truncated", options.allow_truncated,
               "offline: accept capture files cut short (report them, exit 0)")
      ->needs(pcap_opt);
  CLI11_PARSE(app, argc, argv);
  if (!config.empty()) return goprobe::probe::RunLive(config);
  if (options.files.empty() || options.iface.empty() ||
      (offline.db_path.empty() && store.addr.empty())) {
    std::fprintf(stderr,
                 "goprobe: give --config FILE (live), or --pcap FILE --iface NAME and --db DIR "
                 "or --store ADDR (offline)\n");
    return 2;
  }
  options.aggregator.table.max_flows = max_flows;
  std::string temporary_spool;
  if (!store.addr.empty()) {
    store.tls.enabled |= !store.tls.ca_file.empty() || !store.tls.cert_file.empty() ||
                         !store.tls.key_file.empty() || !store.tls.server_name.empty();
    if (absl::Status s = goprobe::probe::ValidateStoreTls(store); !s.ok()) {
      std::fprintf(stderr, "goprobe: --store-tls: %s\n", std::string(s.message()).c_str());
      return 2;
    }
    if (store.spool_dir.empty()) {
      const char* tmp = std::getenv("TMPDIR");
      std::string dir = std::string(tmp ? tmp : "/tmp") + "/goprobe-spool.XXXXXX";
      if (::mkdtemp(dir.data()) == nullptr) {
        std::fprintf(stderr, "goprobe: cannot create a spool directory under %s\n",
                     tmp ? tmp : "/tmp");
        return 1;
      }
      store.spool_dir = temporary_spool = dir;
    }
    offline.store = store;
  }
  const int rc = goprobe::probe::RunOfflineCommand(options, offline, machine_id,
                                                   absl::Seconds(ship_timeout_s));
  // A temporary spool is removed only when everything in it was shipped.
  if (!temporary_spool.empty() && rc == 0) std::filesystem::remove_all(temporary_spool);
  return rc;
}
