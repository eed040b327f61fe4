#include "services/probe/capture_manager.h"

#include <set>

namespace goprobe::probe {

CaptureManager::Changes CaptureManager::Apply(const std::vector<ResolvedInterface>& wanted) {
  Changes changes;
  std::map<std::string, const ResolvedInterface*> want;
  for (const ResolvedInterface& w : wanted) want[w.name] = &w;

  // Stop first: a restarted interface must release its device before it is
  // opened again.
  std::set<std::string> restart;
  for (auto it = running_.begin(); it != running_.end();) {
    auto w = want.find(it->first);
    if (w != want.end() && w->second->settings == it->second.settings &&
        !it->second.capture->failed()) {
      changes.unchanged.push_back(it->first);
      ++it;
      continue;
    }
    it->second.capture->Stop();
    if (w == want.end()) {
      changes.stopped.push_back(it->first);
    } else {
      restart.insert(it->first);
    }
    it = running_.erase(it);
  }
  start_failures_.clear();
  for (const auto& [name, w] : want) {
    if (running_.count(name)) continue;
    absl::StatusOr<std::unique_ptr<CaptureHandle>> c = starter_(*w);
    if (!c.ok()) {
      changes.failed.push_back(c.status());
      start_failures_[name] = c.status();
      continue;
    }
    running_[name] = Running{w->settings, std::move(*c)};
    (restart.count(name) ? changes.restarted : changes.started).push_back(name);
  }
  return changes;
}

void CaptureManager::StopAll() {
  for (auto& [name, r] : running_) r.capture->Stop();
  running_.clear();
  start_failures_.clear();
}

std::vector<CaptureManager::Entry> CaptureManager::Entries() const {
  std::map<std::string, Entry> entries;
  for (const auto& [name, r] : running_) {
    entries[name] = Entry{name, r.capture.get(), r.capture->failure()};
  }
  for (const auto& [name, why] : start_failures_) entries[name] = Entry{name, nullptr, why};
  std::vector<Entry> out;
  for (auto& [name, e] : entries) out.push_back(std::move(e));
  return out;
}

std::vector<std::string> CaptureManager::running() const {
  std::vector<std::string> names;
  for (const auto& [name, r] : running_) names.push_back(name);
  return names;
}

}  // namespace goprobe::probe
