#ifndef GOPROBE_LIB_METRICS_METRICS_H_
#define GOPROBE_LIB_METRICS_METRICS_H_

// Prometheus metrics: counters, gauges and histograms, alone or in families
// with labels, rendered in the text exposition format (version 0.0.4) that
// Prometheus scrapes from /metrics.
//
// Updating a metric (Increment, Set, Observe) is a few relaxed atomic
// operations: no lock, no allocation, safe from any thread. Registering a
// metric and the first use of a label combination allocate and lock; code on
// a hot path looks its children up once and keeps the reference.
//
// Names and label names are fixed by the code that registers them, so a bad
// one (not [a-zA-Z_:][a-zA-Z0-9_:]*, a label name starting with "__", a
// histogram label "le", a name registered twice) is a programming error:
// registration prints it and aborts rather than serving malformed output.

#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace goprobe::metrics {

// A count that only goes up (batches, rows, bytes, requests). Whole numbers:
// everything this project counts is.
class Counter {
 public:
  void Increment(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A figure that goes up and down (open streams, queue depth).
class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double delta);
  void Increment() { Add(1); }
  void Decrement() { Add(-1); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Observations (latencies, sizes) counted into buckets with fixed upper
// bounds, plus their count and sum. A value falls into the first bucket whose
// bound is >= the value (Prometheus' "le"); values above the last bound land
// in the implied +Inf bucket. NaN observations are ignored.
class Histogram {
 public:
  // `bounds`: strictly increasing, finite (checked at registration).
  explicit Histogram(std::vector<double> bounds);

  void Observe(double value);
  void ObserveDuration(absl::Duration d) { Observe(absl::ToDoubleSeconds(d)); }

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // one per bound, then +Inf (== count)
    double sum = 0;
  };
  // Buckets are read one by one while others may observe: each figure is
  // exact, their mutual consistency is what a scrape of a live process gets.
  Snapshot Read() const;
  const std::vector<double>& bounds() const { return bounds_; }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1, not cumulative
  std::atomic<double> sum_{0};
};

// Bucket bounds in seconds for latencies from a millisecond to half a minute:
// an fsync'd block write is a few ms to seconds, an RPC the same.
std::vector<double> LatencyBuckets();

enum class Type { kCounter, kGauge, kHistogram };

namespace internal {

// One metric name with its HELP and TYPE, rendered as a whole.
class Metric {
 public:
  Metric(std::string name, std::string help, Type type)
      : name_(std::move(name)), help_(std::move(help)), type_(type) {}
  virtual ~Metric() = default;
  const std::string& name() const { return name_; }
  void Render(std::string* out) const;

 protected:
  virtual void RenderSamples(std::string* out) const = 0;
  const std::string name_;

 private:
  const std::string help_;
  const Type type_;
};

// Hashing and comparing label values given as strings (stored) or string
// views (looked up), so a lookup of an existing child allocates nothing.
struct LabelsHash {
  using is_transparent = void;
  size_t operator()(absl::Span<const std::string> values) const;
  size_t operator()(absl::Span<const absl::string_view> values) const;
};
struct LabelsEq {
  using is_transparent = void;
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (absl::string_view(a[i]) != absl::string_view(b[i])) return false;
    }
    return true;
  }
};

void RenderSample(std::string* out, absl::string_view name, absl::string_view suffix,
                  absl::Span<const std::string> label_names, absl::Span<const std::string> values,
                  absl::string_view extra_label, absl::string_view extra_value,
                  absl::string_view value);
std::string FormatValue(double value);
[[noreturn]] void Fatal(absl::string_view what);

}  // namespace internal

// Metrics of one name, one child per combination of label values.
template <typename T>
class Family final : public internal::Metric {
 public:
  Family(std::string name, std::string help, Type type, std::vector<std::string> label_names,
         std::function<std::unique_ptr<T>()> make)
      : Metric(std::move(name), std::move(help), type),
        label_names_(std::move(label_names)),
        make_(std::move(make)) {}

  // The child for `values`, one per label name in order; created on first
  // use, valid as long as the registry. A wrong number of values aborts.
  T& Labels(std::initializer_list<absl::string_view> values) {
    return Labels(absl::MakeConstSpan(values.begin(), values.size()));
  }
  T& Labels(absl::Span<const absl::string_view> values);

  const std::vector<std::string>& label_names() const { return label_names_; }

 protected:
  void RenderSamples(std::string* out) const override;

 private:
  const std::vector<std::string> label_names_;
  const std::function<std::unique_ptr<T>()> make_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::vector<std::string>, std::unique_ptr<T>, internal::LabelsHash,
                      internal::LabelsEq>
      children_ ABSL_GUARDED_BY(mu_);
};

// The metrics of one process, in registration order.
class Registry {
 public:
  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  Counter& AddCounter(std::string name, std::string help);
  Family<Counter>& AddCounterFamily(std::string name, std::string help,
                                    std::vector<std::string> label_names);
  Gauge& AddGauge(std::string name, std::string help);
  Family<Gauge>& AddGaugeFamily(std::string name, std::string help,
                                std::vector<std::string> label_names);
  Histogram& AddHistogram(std::string name, std::string help, std::vector<double> bounds);
  Family<Histogram>& AddHistogramFamily(std::string name, std::string help,
                                        std::vector<std::string> label_names,
                                        std::vector<double> bounds);
  // A counter or gauge whose value `read` computes at each scrape (from
  // /proc, from another object's state). `read` runs on the scraping thread
  // and must be thread-safe.
  void AddCallback(std::string name, std::string help, Type type, std::function<double()> read);

  // Every metric in the text exposition format, version 0.0.4.
  std::string Render() const;

 private:
  void Add(std::unique_ptr<internal::Metric> metric);

  mutable absl::Mutex mu_;
  std::vector<std::unique_ptr<internal::Metric>> metrics_ ABSL_GUARDED_BY(mu_);
};

// The Content-Type of Registry::Render's output.
inline constexpr absl::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

// The standard process metrics of Prometheus' client libraries, read from
// /proc/self at each scrape: process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes,
// process_open_fds, process_max_fds, process_start_time_seconds.
void AddProcessMetrics(Registry* registry);

// ---- implementation of the templates ----

template <>
void Family<Counter>::RenderSamples(std::string* out) const;
template <>
void Family<Gauge>::RenderSamples(std::string* out) const;
template <>
void Family<Histogram>::RenderSamples(std::string* out) const;

template <typename T>
T& Family<T>::Labels(absl::Span<const absl::string_view> values) {
  if (values.size() != label_names_.size()) {
    internal::Fatal(name_ + ": wrong number of label values");
  }
  absl::MutexLock lock(&mu_);
  auto it = children_.find(values);
  if (it == children_.end()) {
    std::vector<std::string> key(values.begin(), values.end());
    it = children_.emplace(std::move(key), make_()).first;
  }
  return *it->second;
}

}  // namespace goprobe::metrics

#endif  // GOPROBE_LIB_METRICS_METRICS_H_
