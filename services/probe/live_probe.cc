#include "services/probe/live_probe.h"

#include <algorithm>
#include <memory>
#include <map>
#include <set>

#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "services/probe/live_capture.h"
#include "spdlog/spdlog.h"

namespace goprobe::probe {
namespace {

// How long a caller waits for the controlling thread, then for a capture
// thread. A reload stops and starts captures: seconds at worst.
constexpr absl::Duration kControlTimeout = absl::Seconds(30);
constexpr absl::Duration kCaptureTimeout = absl::Seconds(10);

absl::StatusOr<std::vector<ResolvedInterface>> Resolve(const ProbeConfig& config) {
  absl::StatusOr<SystemInterfaces> sys = ListSystemInterfaces();
  if (!sys.ok()) return sys.status();
  return ResolveInterfaces(config.interfaces, sys->all, sys->up_non_loopback);
}

// Runs `task` on the controlling thread and waits for it. The state is
// shared so a caller that gives up leaves nothing dangling.
template <typename T>
absl::StatusOr<T> OnControlThread(ControlLoop* loop, std::function<absl::StatusOr<T>()> task) {
  struct Shared {
    absl::Notification done;
    absl::StatusOr<T> result = absl::UnknownError("not run");
  };
  auto shared = std::make_shared<Shared>();
  if (!loop->Post([shared, task = std::move(task)] {
        shared->result = task();
        shared->done.Notify();
      })) {
    return absl::UnavailableError("the probe is stopping");
  }
  if (!shared->done.WaitForNotificationWithTimeout(kControlTimeout)) {
    return absl::DeadlineExceededError("the probe's controlling thread did not answer in time");
  }
  return std::move(shared->result);
}

bool IsPattern(const std::string& key) {
  return key == "any" || (key.size() >= 2 && key.front() == '/' && key.back() == '/');
}

}  // namespace

void LogChanges(const CaptureManager::Changes& c) {
  if (!c.started.empty()) spdlog::info("started: {}", absl::StrJoin(c.started, ", "));
  if (!c.restarted.empty()) spdlog::info("restarted: {}", absl::StrJoin(c.restarted, ", "));
  if (!c.stopped.empty()) spdlog::info("stopped: {}", absl::StrJoin(c.stopped, ", "));
  for (const absl::Status& s : c.failed) spdlog::error("{}", std::string(s.message()));
}

LiveProbe::LiveProbe(std::string config_path, ProbeConfig config, ControlLoop* loop,
                     CaptureManager::Starter starter, Amend amend)
    : config_path_(std::move(config_path)),
      config_(std::move(config)),
      loop_(loop),
      amend_(std::move(amend)),
      manager_(std::move(starter)) {}

absl::Status LiveProbe::Apply(const ProbeConfig& config, CaptureManager::Changes* changes) {
  absl::StatusOr<std::vector<ResolvedInterface>> wanted = Resolve(config);
  if (!wanted.ok()) return wanted.status();
  *changes = manager_.Apply(*wanted);
  LogChanges(*changes);
  return absl::OkStatus();
}

absl::Status LiveProbe::Start() {
  CaptureManager::Changes changes;
  return Apply(config_, &changes);
}

void LiveProbe::Rescan() {
  CaptureManager::Changes changes;
  absl::Status s = Apply(config_, &changes);
  if (!s.ok()) spdlog::error("rescan: {}", std::string(s.message()));
}

absl::StatusOr<CaptureManager::Changes> LiveProbe::ReloadNow() {
  absl::StatusOr<ProbeConfig> next = LoadProbeConfig(config_path_);
  if (next.ok() && amend_) {
    if (absl::Status s = amend_(&*next); !s.ok()) next = s;
  }
  if (!next.ok()) {
    spdlog::error("reload refused, keeping the running configuration: {}",
                  std::string(next.status().message()));
    return next.status();
  }
  const ProbeConfig& now = config_;
  const auto same_store = [](const std::optional<StoreConfig>& a,
                             const std::optional<StoreConfig>& b) {
    if (bool(a) != bool(b)) return false;
    if (!a) return true;
    return a->addr == b->addr && a->tls.enabled == b->tls.enabled &&
           a->tls.ca_file == b->tls.ca_file && a->tls.cert_file == b->tls.cert_file &&
           a->tls.key_file == b->tls.key_file && a->tls.server_name == b->tls.server_name;
  };
  if (next->db_path != now.db_path || next->max_flows != now.max_flows ||
      !same_store(next->store, now.store)) {
    // The files named stay watched: a certificate renewed in place is
    // picked up before the next stream without a restart.
    spdlog::warn("reload: db_path, store and max_flows take effect at the next start");
  }
  if (next->api.listen != now.api.listen || next->api.api_key_file != now.api.api_key_file ||
      next->api.tls.cert_file != now.api.tls.cert_file ||
      next->api.tls.key_file != now.api.tls.key_file ||
      next->api.tls.client_ca_file != now.api.tls.client_ca_file ||
      next->api.metrics_listen != now.api.metrics_listen) {
    spdlog::warn("reload: the api and metrics sections take effect at the next start");
  }
  spdlog::info("reloading {}", config_path_);
  CaptureManager::Changes changes;
  absl::Status s = Apply(*next, &changes);
  if (!s.ok()) {
    spdlog::error("reload: {}", std::string(s.message()));
    return s;
  }
  // Only the interface section takes effect without a restart.
  config_.interfaces = std::move(next->interfaces);
  return changes;
}

absl::StatusOr<CaptureManager::Changes> LiveProbe::Reload() {
  return OnControlThread<CaptureManager::Changes>(loop_, [this] { return ReloadNow(); });
}

absl::StatusOr<std::vector<ProbeControl::InterfaceReport>> LiveProbe::Inspect(
    const std::vector<std::string>& ifaces, bool with_rows) {
  struct Pending {
    InterfaceReport report;
    std::shared_ptr<CaptureQuery> query;
  };
  const std::set<std::string> wanted(ifaces.begin(), ifaces.end());
  // On the controlling thread: who is there, and a query posted to each
  // running capture (which cannot be stopped meanwhile: only this thread
  // stops captures). The answers are awaited here, off that thread.
  absl::StatusOr<std::vector<Pending>> pending = OnControlThread<std::vector<Pending>>(
      loop_, [this, wanted, with_rows]() -> absl::StatusOr<std::vector<Pending>> {
        std::map<std::string, Pending> out;
        for (const InterfaceRule& r : config_.interfaces) {
          if (r.settings.disable && !IsPattern(r.key)) {
            out[r.key].report = InterfaceReport{r.key, State::kDisabled, "disabled", std::nullopt};
          }
        }
        for (const CaptureManager::Entry& e : manager_.Entries()) {
          Pending& p = out[e.name];
          p.report.iface = e.name;
          p.report.state = e.status.ok() ? State::kCapturing : State::kError;
          p.report.message = std::string(e.status.message());
          if (e.capture != nullptr && e.status.ok()) {
            p.query = std::make_shared<CaptureQuery>(with_rows);
            e.capture->Query(p.query);
          }
        }
        std::vector<Pending> list;
        for (auto& [name, p] : out) {
          if (wanted.empty() || wanted.count(name)) list.push_back(std::move(p));
        }
        return list;
      });
  if (!pending.ok()) return pending.status();
  std::vector<InterfaceReport> reports;
  for (Pending& p : *pending) {
    if (p.query != nullptr) {
      absl::StatusOr<CaptureSnapshot> s = p.query->Take(kCaptureTimeout);
      if (s.ok()) {
        p.report.snapshot = std::move(*s);
      } else {
        // Stopped or failed between the post and the answer.
        p.report.state = State::kError;
        p.report.message = std::string(s.status().message());
      }
    }
    reports.push_back(std::move(p.report));
  }
  return reports;
}

}  // namespace goprobe::probe
