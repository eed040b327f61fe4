#include "lib/metrics/metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace goprobe::metrics {
namespace internal {

void Fatal(absl::string_view what) {
  std::fprintf(stderr, "metrics: %.*s\n", int(what.size()), what.data());
  std::abort();
}

size_t LabelsHash::operator()(absl::Span<const std::string> values) const {
  size_t h = values.size();
  for (const std::string& v : values) h = absl::Hash<std::pair<size_t, absl::string_view>>()({h, v});
  return h;
}

size_t LabelsHash::operator()(absl::Span<const absl::string_view> values) const {
  size_t h = values.size();
  for (absl::string_view v : values) h = absl::Hash<std::pair<size_t, absl::string_view>>()({h, v});
  return h;
}

// Shortest text that reads back as the same double, as Prometheus' own
// clients write it; the special values as the exposition format spells them.
std::string FormatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, result.ptr);
}

namespace {

void AppendEscaped(std::string* out, absl::string_view text, bool quotes) {
  for (char c : text) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '"':
        if (quotes) {
          out->append("\\\"");
          break;
        }
        [[fallthrough]];
      default: out->push_back(c);
    }
  }
}

}  // namespace

void RenderSample(std::string* out, absl::string_view name, absl::string_view suffix,
                  absl::Span<const std::string> label_names, absl::Span<const std::string> values,
                  absl::string_view extra_label, absl::string_view extra_value,
                  absl::string_view value) {
  absl::StrAppend(out, name, suffix);
  if (!label_names.empty() || !extra_label.empty()) {
    out->push_back('{');
    bool first = true;
    for (size_t i = 0; i < label_names.size(); ++i) {
      if (!first) out->push_back(',');
      first = false;
      absl::StrAppend(out, label_names[i], "=\"");
      AppendEscaped(out, values[i], /*quotes=*/true);
      out->push_back('"');
    }
    if (!extra_label.empty()) {
      if (!first) out->push_back(',');
      absl::StrAppend(out, extra_label, "=\"", extra_value, "\"");
    }
    out->push_back('}');
  }
  absl::StrAppend(out, " ", value, "\n");
}

void Metric::Render(std::string* out) const {
  absl::StrAppend(out, "# HELP ", name_, " ");
  AppendEscaped(out, help_, /*quotes=*/false);
  const char* type = type_ == Type::kCounter ? "counter"
                     : type_ == Type::kGauge ? "gauge"
                                             : "histogram";
  absl::StrAppend(out, "\n# TYPE ", name_, " ", type, "\n");
  RenderSamples(out);
}

}  // namespace internal

namespace {

using internal::Fatal;
using internal::FormatValue;
using internal::RenderSample;

bool ValidName(absl::string_view name, bool colon_allowed) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_' ||
                    (colon_allowed && c == ':') ||
                    (i > 0 && absl::ascii_isdigit(static_cast<unsigned char>(c)));
    if (!ok) return false;
  }
  return true;
}

void CheckNames(const std::string& name, const std::vector<std::string>& labels,
                bool histogram) {
  if (!ValidName(name, true)) Fatal(absl::StrCat("invalid metric name \"", name, "\""));
  for (const std::string& label : labels) {
    if (!ValidName(label, false) || absl::StartsWith(label, "__") ||
        (histogram && label == "le")) {
      Fatal(absl::StrCat(name, ": invalid label name \"", label, "\""));
    }
  }
}

void CheckBounds(const std::string& name, const std::vector<double>& bounds) {
  if (bounds.empty()) Fatal(name + ": a histogram needs at least one bucket bound");
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      Fatal(name + ": bucket bounds must be finite and strictly increasing");
    }
  }
}

template <typename T>
std::vector<std::pair<const std::vector<std::string>*, const T*>> SortedChildren(
    const absl::flat_hash_map<std::vector<std::string>, std::unique_ptr<T>, internal::LabelsHash,
                              internal::LabelsEq>& children) {
  std::vector<std::pair<const std::vector<std::string>*, const T*>> sorted;
  sorted.reserve(children.size());
  for (const auto& [values, child] : children) sorted.emplace_back(&values, child.get());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });
  return sorted;
}

// A metric read at scrape time.
class CallbackMetric final : public internal::Metric {
 public:
  CallbackMetric(std::string name, std::string help, Type type, std::function<double()> read)
      : Metric(std::move(name), std::move(help), type), read_(std::move(read)) {}

 protected:
  void RenderSamples(std::string* out) const override {
    RenderSample(out, name_, "", {}, {}, "", "", FormatValue(read_()));
  }

 private:
  const std::function<double()> read_;
};

}  // namespace

void Gauge::Add(double delta) {
  double old = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(old, old + delta, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double value) {
  if (std::isnan(value)) return;
  const size_t bucket =
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  buckets_[bucket].fetch_add(1, std::memory_order_relaxed);
  double old = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(old, old + value, std::memory_order_relaxed)) {
  }
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.cumulative.resize(bounds_.size() + 1);
  uint64_t total = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    total += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative[i] = total;
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
}

template <>
void Family<Counter>::RenderSamples(std::string* out) const {
  absl::MutexLock lock(&mu_);
  for (const auto& [values, counter] : SortedChildren(children_)) {
    RenderSample(out, name_, "", label_names_, *values, "", "", absl::StrCat(counter->value()));
  }
}

template <>
void Family<Gauge>::RenderSamples(std::string* out) const {
  absl::MutexLock lock(&mu_);
  for (const auto& [values, gauge] : SortedChildren(children_)) {
    RenderSample(out, name_, "", label_names_, *values, "", "", FormatValue(gauge->value()));
  }
}

template <>
void Family<Histogram>::RenderSamples(std::string* out) const {
  absl::MutexLock lock(&mu_);
  for (const auto& [values, histogram] : SortedChildren(children_)) {
    const Histogram::Snapshot s = histogram->Read();
    const std::vector<double>& bounds = histogram->bounds();
    for (size_t i = 0; i <= bounds.size(); ++i) {
      RenderSample(out, name_, "_bucket", label_names_, *values, "le",
                   i < bounds.size() ? FormatValue(bounds[i]) : "+Inf",
                   absl::StrCat(s.cumulative[i]));
    }
    RenderSample(out, name_, "_sum", label_names_, *values, "", "", FormatValue(s.sum));
    RenderSample(out, name_, "_count", label_names_, *values, "", "",
                 absl::StrCat(s.cumulative.back()));
  }
}

void Registry::Add(std::unique_ptr<internal::Metric> metric) {
  absl::MutexLock lock(&mu_);
  for (const auto& m : metrics_) {
    if (m->name() == metric->name()) Fatal(metric->name() + ": registered twice");
  }
  metrics_.push_back(std::move(metric));
}

Family<Counter>& Registry::AddCounterFamily(std::string name, std::string help,
                                            std::vector<std::string> label_names) {
  CheckNames(name, label_names, false);
  auto family = std::make_unique<Family<Counter>>(std::move(name), std::move(help),
                                                  Type::kCounter, std::move(label_names),
                                                  [] { return std::make_unique<Counter>(); });
  Family<Counter>& ref = *family;
  Add(std::move(family));
  return ref;
}

Counter& Registry::AddCounter(std::string name, std::string help) {
  return AddCounterFamily(std::move(name), std::move(help), {}).Labels({});
}

Family<Gauge>& Registry::AddGaugeFamily(std::string name, std::string help,
                                        std::vector<std::string> label_names) {
  CheckNames(name, label_names, false);
  auto family = std::make_unique<Family<Gauge>>(std::move(name), std::move(help), Type::kGauge,
                                                std::move(label_names),
                                                [] { return std::make_unique<Gauge>(); });
  Family<Gauge>& ref = *family;
  Add(std::move(family));
  return ref;
}

Gauge& Registry::AddGauge(std::string name, std::string help) {
  return AddGaugeFamily(std::move(name), std::move(help), {}).Labels({});
}

Family<Histogram>& Registry::AddHistogramFamily(std::string name, std::string help,
                                                std::vector<std::string> label_names,
                                                std::vector<double> bounds) {
  CheckNames(name, label_names, true);
  CheckBounds(name, bounds);
  auto family = std::make_unique<Family<Histogram>>(
      std::move(name), std::move(help), Type::kHistogram, std::move(label_names),
      [bounds = std::move(bounds)] { return std::make_unique<Histogram>(bounds); });
  Family<Histogram>& ref = *family;
  Add(std::move(family));
  return ref;
}

Histogram& Registry::AddHistogram(std::string name, std::string help, std::vector<double> bounds) {
  return AddHistogramFamily(std::move(name), std::move(help), {}, std::move(bounds)).Labels({});
}

void Registry::AddCallback(std::string name, std::string help, Type type,
                           std::function<double()> read) {
  CheckNames(name, {}, false);
  if (type == Type::kHistogram) Fatal(name + ": a callback is a counter or a gauge");
  Add(std::make_unique<CallbackMetric>(std::move(name), std::move(help), type, std::move(read)));
}

std::string Registry::Render() const {
  std::string out;
  absl::MutexLock lock(&mu_);
  for (const auto& m : metrics_) m->Render(&out);
  return out;
}

// ---- process metrics ----

namespace {

std::string ReadSmallFile(const char* path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Fields of /proc/self/stat after the command name, which may itself hold
// spaces and parentheses: split after the last ')'. fields[0] is field 3
// (state) of proc(5).
std::vector<std::string> StatFields() {
  const std::string stat = ReadSmallFile("/proc/self/stat");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return {};
  return absl::StrSplit(absl::string_view(stat).substr(close + 1), ' ', absl::SkipEmpty());
}

double StartTimeSeconds() {
  const std::vector<std::string> fields = StatFields();
  // starttime is field 22: clock ticks after boot.
  uint64_t ticks = 0;
  if (fields.size() < 20 || !absl::SimpleAtoi(fields[19], &ticks)) return double(::time(nullptr));
  std::istringstream stat(ReadSmallFile("/proc/stat"));
  std::string line;
  while (std::getline(stat, line)) {
    uint64_t btime = 0;
    if (absl::StartsWith(line, "btime ") && absl::SimpleAtoi(line.substr(6), &btime)) {
      return double(btime) + double(ticks) / double(::sysconf(_SC_CLK_TCK));
    }
  }
  return double(::time(nullptr));
}

double StatmPages(int field) {
  std::vector<std::string> parts = absl::StrSplit(ReadSmallFile("/proc/self/statm"), ' ');
  uint64_t pages = 0;
  if (int(parts.size()) <= field || !absl::SimpleAtoi(parts[field], &pages)) return 0;
  return double(pages) * double(::sysconf(_SC_PAGESIZE));
}

double OpenFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  int n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n - 1;  // the directory being listed
}

}  // namespace

void AddProcessMetrics(Registry* registry) {
  registry->AddCallback("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                        Type::kCounter, [] {
                          rusage u{};
                          ::getrusage(RUSAGE_SELF, &u);
                          return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
                                 double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
                        });
  registry->AddCallback("process_resident_memory_bytes", "Resident memory size in bytes.",
                        Type::kGauge, [] { return StatmPages(1); });
  registry->AddCallback("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                        Type::kGauge, [] { return StatmPages(0); });
  registry->AddCallback("process_open_fds", "Number of open file descriptors.", Type::kGauge,
                        OpenFds);
  registry->AddCallback("process_max_fds", "Maximum number of open file descriptors.",
                        Type::kGauge, [] {
                          rlimit l{};
                          ::getrlimit(RLIMIT_NOFILE, &l);
                          return l.rlim_cur == RLIM_INFINITY ? INFINITY : double(l.rlim_cur);
                        });
  const double start = StartTimeSeconds();
  registry->AddCallback("process_start_time_seconds",
                        "Start time of the process since unix epoch in seconds.", Type::kGauge,
                        [start] { return start; });
}

}  // namespace goprobe::metrics
