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
//   time for the blocks, and prints a one-line summary.
#include <signal.h>

#include <cerrno>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_join.h"
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

int RunOfflineCommand(const OfflineOptions& options, const std::string& db) {
  absl::StatusOr<std::unique_ptr<GodbSink>> sink = GodbSink::Open(db);
  if (!sink.ok()) {
    std::fprintf(stderr, "goprobe: %s\n", std::string(sink.status().message()).c_str());
    return 1;
  }
  absl::StatusOr<OfflineSummary> summary = RunOffline(options, sink->get());
  if (!summary.ok()) {
    std::fprintf(stderr, "goprobe: %s\n", std::string(summary.status().message()).c_str());
    return 1;
  }
  for (const std::string& t : summary->truncated) {
    std::fprintf(stderr, "goprobe: warning: %s\n", t.c_str());
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

  absl::StatusOr<std::unique_ptr<GodbSink>> sink = GodbSink::Open(config->db_path);
  if (!sink.ok()) {
    spdlog::critical("{}", std::string(sink.status().message()));
    return 1;
  }
  BlockWriter writer(sink->get());
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
      if (next->db_path != db_path || next->max_flows != config->max_flows) {
        spdlog::warn("reload: db_path and max_flows take effect at the next start");
      }
      wanted = Resolve(*next);
      if (!wanted.ok()) {
        spdlog::error("reload: {}", std::string(wanted.status().message()));
        continue;
      }
      spdlog::info("reloading {}", config_path);
      Report(manager.Apply(*wanted));
      const std::string keep_db = config->db_path;
      const size_t keep_flows = config->max_flows;
      config = std::move(next);
      // Only the interface section takes effect without a restart.
      config->db_path = keep_db;
      config->max_flows = keep_flows;
      continue;
    }
    spdlog::info("signal {}: writing the current windows and stopping", sig);
    break;
  }
  manager.StopAll();
  writer.Close();
  spdlog::info("{} blocks written, {} lost", writer.written(), writer.failed());
  return writer.failed() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace goprobe::probe

int main(int argc, char** argv) {
  CLI::App app{"goprobe: network flow probe"};
  goprobe::probe::OfflineOptions options;
  std::string db, config;
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
  app.add_option("--db", db, "offline: goDB directory to write")->needs(pcap_opt);
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
  if (options.files.empty() || options.iface.empty() || db.empty()) {
    std::fprintf(stderr,
                 "goprobe: give --config FILE (live), or --pcap FILE --iface NAME --db DIR "
                 "(offline)\n");
    return 2;
  }
  options.aggregator.table.max_flows = max_flows;
  return goprobe::probe::RunOfflineCommand(options, db);
}
