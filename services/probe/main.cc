// goprobe: the capturing probe.
//
// Live:    goprobe --config FILE [--listen ADDR ...] [flags]
//   captures the configured interfaces (one thread each) into five-minute
//   blocks on the wall clock, written to the goDB at the configuration's
//   db_path or shipped to its store. SIGHUP (or Probe.ReloadConfig) reloads
//   the interface section (only changed interfaces restart); SIGTERM/SIGINT
//   write every interface's current window and exit. With api.listen (or
//   --listen), the Probe gRPC service (status, reload, live flows) runs
//   beside the capture, with health, reflection and metrics as gostore's.
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
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_join.h"
#include "services/probe/block_destination.h"
#include "services/probe/block_sink.h"
#include "services/probe/block_writer.h"
#include "lib/metrics/http_exporter.h"
#include "lib/metrics/metrics.h"
#include "lib/rpc/logging.h"
#include "lib/rpc/service_config.h"
#include "lib/security/privileges.h"
#include "services/probe/capture_manager.h"
#include "services/probe/config.h"
#include "services/probe/control_loop.h"
#include "services/probe/live_capture.h"
#include "services/probe/live_flags.h"
#include "services/probe/live_probe.h"
#include "services/probe/offline.h"
#include "services/probe/probe_metrics.h"
#include "services/probe/probe_service.h"
#include "spdlog/spdlog.h"

// The version GetStatus reports; the build may stamp it.
#ifndef GOPROBE_VERSION
#define GOPROBE_VERSION "dev"
#endif

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

int RunLive(const std::string& config_path, const LiveFlags& flags, const std::string& run_as) {
  // Signals go to the control loop's signalfd, never to a capture thread:
  // block them before any thread starts.
  absl::StatusOr<std::unique_ptr<ControlLoop>> loop = ControlLoop::Create({SIGINT, SIGTERM, SIGHUP});
  if (!loop.ok()) {
    std::fprintf(stderr, "goprobe: %s\n", std::string(loop.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<ProbeConfig> config = LoadProbeConfig(config_path);
  absl::Status s = config.ok() ? flags.ApplyTo(&*config) : config.status();
  if (!s.ok()) {
    std::fprintf(stderr, "goprobe: %s\n", std::string(s.message()).c_str());
    return 2;
  }
  const rpc::ServiceConfig& api = config->api;
  // With the API on, the service start-up of lib/rpc loads keys, TLS and the
  // identity and sets up logging; without it, logging alone.
  std::unique_ptr<rpc::ServiceRuntime> runtime;
  if (!api.listen.empty()) {
    absl::StatusOr<std::unique_ptr<rpc::ServiceRuntime>> r =
        rpc::ServiceRuntime::Prepare("goprobe", api);
    if (!r.ok()) return api.FailStartup("goprobe", r.status(), 2);
    runtime = std::move(*r);
  } else {
    s = rpc::SetUpLogging("goprobe", api.logging);
    if (!s.ok()) return api.FailStartup("goprobe", s, 2);
  }
  // Capabilities belong to threads, so they go before any thread starts;
  // captures open (and reopen, on reload) with the CAP_NET_RAW and
  // CAP_NET_ADMIN kept. Files opened above (the log) stay usable.
  const std::string user = run_as.empty() ? config->run_as : run_as;
  s = security::DropPrivileges(security::CaptureOnly(user));
  if (!s.ok()) return api.FailStartup("goprobe", s, 1);
  spdlog::info("goprobe: every capability but CAP_NET_RAW and CAP_NET_ADMIN dropped{}",
               user.empty() ? "" : ", running as " + user);
  absl::StatusOr<std::unique_ptr<BlockDestination>> destination =
      OpenDestination(*config, api.machine_id_file);
  if (!destination.ok()) return api.FailStartup("goprobe", destination.status(), 1);

  // Metrics: on the API's registry, or served alone when only metrics.listen
  // is configured.
  metrics::Registry own_registry;
  metrics::Registry* registry = runtime ? runtime->registry() : nullptr;
  std::unique_ptr<metrics::HttpExporter> own_exporter;
  if (registry == nullptr && !api.metrics_listen.empty()) {
    registry = &own_registry;
    metrics::AddProcessMetrics(registry);
  }
  std::optional<ProbeMetrics> probe_metrics;
  if (registry != nullptr) {
    probe_metrics.emplace(registry);
    (*destination)->ExportMetrics(registry);
  }

  BlockWriter writer((*destination)->sink());
  AggregatorOptions agg;
  agg.table.max_flows = config->max_flows;
  ProbeMetrics* pm = probe_metrics ? &*probe_metrics : nullptr;
  LiveProbe probe(config_path, *config, loop->get(),
                  [&writer, &agg, pm](const ResolvedInterface& itf)
                      -> absl::StatusOr<std::unique_ptr<CaptureHandle>> {
                    absl::StatusOr<std::unique_ptr<LiveCapture>> c = LiveCapture::Start(
                        itf, agg,
                        [&writer](const std::string& iface, ClosedWindow w) {
                          writer.Submit(iface, std::move(w));
                        },
                        pm ? std::optional(pm->ForInterface(itf.name)) : std::nullopt);
                    if (!c.ok()) return c.status();
                    return std::unique_ptr<CaptureHandle>(std::move(*c));
                  },
                  [&flags](ProbeConfig* c) { return flags.ApplyTo(c); });
  s = probe.Start();
  if (!s.ok() || probe.running().empty()) {
    spdlog::critical("{}: {}", config_path,
                     s.ok() ? "no interface could be captured" : std::string(s.message()));
    return 1;
  }

  std::optional<ProbeService> service;
  if (runtime) {
    host::HostIdentity identity = runtime->identity();
    service.emplace(&probe,
                    ProbeService::Info{std::move(identity), GOPROBE_VERSION,
                                       absl::ToUnixSeconds(absl::Now())},
                    destination->get(), runtime->auth());
    s = runtime->Serve({&*service});
    if (!s.ok()) {
      spdlog::critical("{}", std::string(s.message()));
      probe.StopAll();
      return 1;
    }
  } else if (!api.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<metrics::HttpExporter>> e =
        metrics::HttpExporter::Start(api.metrics_listen, registry);
    if (!e.ok()) {
      spdlog::critical("{}: {}", api.origins.Describe("metrics.listen"),
                       std::string(e.status().message()));
      probe.StopAll();
      return 1;
    }
    own_exporter = std::move(*e);
    spdlog::info("goprobe: metrics on {} (port {}) at /metrics", api.metrics_listen,
                 own_exporter->port());
  }

  // Every 30 s without a signal: interfaces that appeared match patterns and
  // "any", and captures that failed (an interface gone and back) restart.
  for (;;) {
    const int sig = (*loop)->Wait(absl::Seconds(30));
    if (sig == 0) {
      probe.Rescan();
    } else if (sig == SIGHUP) {
      (void)probe.ReloadNow();
    } else {
      spdlog::info("signal {}: writing the current windows and stopping", sig);
      break;
    }
  }
  // API calls still waiting for the loop are answered "stopping" from here on.
  (*loop)->Close();
  if (runtime) runtime->Shutdown(absl::Seconds(5));
  service.reset();
  own_exporter.reset();
  probe.StopAll();
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
  goprobe::probe::LiveFlags live;
  std::string config;
  std::string& machine_id = live.machine_id_file;
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
  live.host_id_flag = app.add_option("--host-id", offline.host_id,
                                     "this host's id in batches (live: overrides host_id)");
  live.hostname_flag = app.add_option("--hostname", offline.hostname,
                                      "this host's name in batches (live: overrides hostname)");
  live.machine_id_flag =
      app.add_option("--machine-id-file", machine_id, "where the host id comes from")
          ->capture_default_str();
  live.Register(&app, config_opt);
  app.add_option("--max-flows", max_flows,
                 "offline: conversations tracked at once; packets of further ones are counted "
                 "as untracked")
      ->check(CLI::Range(size_t{1}, size_t{1} << 31))
      ->needs(pcap_opt);
  app.add_flag("--allow-truncated", options.allow_truncated,
               "offline: accept capture files cut short (report them, exit 0)")
      ->needs(pcap_opt);
  std::string run_as;
  app.add_option("--user", run_as,
                 "live: user (name or uid) to run as once started (over the config's "
                 "run_as); CAP_NET_RAW and CAP_NET_ADMIN are kept, every other capability is "
                 "dropped either way")
      ->needs(config_opt);
  CLI11_PARSE(app, argc, argv);
  if (!config.empty()) {
    live.host_id = offline.host_id;
    live.hostname = offline.hostname;
    return goprobe::probe::RunLive(config, live, run_as);
  }
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
