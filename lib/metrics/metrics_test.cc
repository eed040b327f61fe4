#include "lib/metrics/metrics.h"

#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

// Counts allocations on this thread while `counting` is set, to hold the
// header's promise that updates never allocate.
namespace {
thread_local bool counting = false;
thread_local int allocations = 0;
}  // namespace

void* operator new(std::size_t n) {
  if (counting) ++allocations;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace goprobe::metrics {
namespace {

using ::testing::HasSubstr;

TEST(MetricsTest, CounterAndGaugeRenderWithHelpAndType) {
  Registry r;
  Counter& c = r.AddCounter("gostore_rows_written_total", "Flow rows written to goDB.");
  Gauge& g = r.AddGauge("gostore_ingest_streams_open", "Ingest streams open now.");
  c.Increment(41);
  c.Increment();
  g.Increment();
  g.Increment();
  g.Decrement();
  g.Add(0.5);
  EXPECT_EQ(r.Render(),
            "# HELP gostore_rows_written_total Flow rows written to goDB.\n"
            "# TYPE gostore_rows_written_total counter\n"
            "gostore_rows_written_total 42\n"
            "# HELP gostore_ingest_streams_open Ingest streams open now.\n"
            "# TYPE gostore_ingest_streams_open gauge\n"
            "gostore_ingest_streams_open 1.5\n");
}

TEST(MetricsTest, FamilyChildrenAreSortedAndLabelValuesEscaped) {
  Registry r;
  Family<Counter>& f = r.AddCounterFamily("requests_total", "Requests.\nBy method\\code.",
                                          {"method", "code"});
  f.Labels({"Run", "OK"}).Increment(2);
  f.Labels({"List", "UNAUTHENTICATED"}).Increment();
  f.Labels({"Odd \"name\"\\\n", "OK"}).Increment(3);
  EXPECT_EQ(&f.Labels({"Run", "OK"}), &f.Labels({"Run", "OK"}));
  EXPECT_EQ(r.Render(),
            "# HELP requests_total Requests.\\nBy method\\\\code.\n"
            "# TYPE requests_total counter\n"
            "requests_total{method=\"List\",code=\"UNAUTHENTICATED\"} 1\n"
            "requests_total{method=\"Odd \\\"name\\\"\\\\\\n\",code=\"OK\"} 3\n"
            "requests_total{method=\"Run\",code=\"OK\"} 2\n");
}

TEST(MetricsTest, HistogramBucketsAreCumulativeWithInclusiveBounds) {
  Registry r;
  Histogram& h = r.AddHistogram("write_seconds", "Write latency.", {0.25, 0.5, 1});
  h.Observe(0.25);  // on a bound: counts in that bucket ("le")
  h.Observe(0.375);
  h.Observe(0.75);
  h.Observe(7);
  h.Observe(NAN);  // ignored
  EXPECT_EQ(r.Render(),
            "# HELP write_seconds Write latency.\n"
            "# TYPE write_seconds histogram\n"
            "write_seconds_bucket{le=\"0.25\"} 1\n"
            "write_seconds_bucket{le=\"0.5\"} 2\n"
            "write_seconds_bucket{le=\"1\"} 3\n"
            "write_seconds_bucket{le=\"+Inf\"} 4\n"
            "write_seconds_sum 8.375\n"
            "write_seconds_count 4\n");
}

TEST(MetricsTest, HistogramFamilyPutsLeAfterTheFamilyLabels) {
  Registry r;
  auto& f = r.AddHistogramFamily("rpc_seconds", "RPC latency.", {"method"}, {1});
  f.Labels({"Ingest"}).ObserveDuration(absl::Milliseconds(1500));
  EXPECT_THAT(r.Render(), HasSubstr("rpc_seconds_bucket{method=\"Ingest\",le=\"1\"} 0\n"
                                    "rpc_seconds_bucket{method=\"Ingest\",le=\"+Inf\"} 1\n"
                                    "rpc_seconds_sum{method=\"Ingest\"} 1.5\n"
                                    "rpc_seconds_count{method=\"Ingest\"} 1\n"));
}

TEST(MetricsTest, ValuesUseTheShortestExactText) {
  EXPECT_EQ(internal::FormatValue(0.1), "0.1");
  EXPECT_EQ(internal::FormatValue(3), "3");
  EXPECT_EQ(internal::FormatValue(1e21), "1e+21");
  EXPECT_EQ(internal::FormatValue(INFINITY), "+Inf");
  EXPECT_EQ(internal::FormatValue(-INFINITY), "-Inf");
  EXPECT_EQ(internal::FormatValue(NAN), "NaN");
}

TEST(MetricsTest, CallbacksAreReadAtEachRender) {
  Registry r;
  double v = 1;
  r.AddCallback("queue_depth", "Depth.", Type::kGauge, [&v] { return v; });
  EXPECT_THAT(r.Render(), HasSubstr("queue_depth 1\n"));
  v = 2.25;
  EXPECT_THAT(r.Render(), HasSubstr("queue_depth 2.25\n"));
}

TEST(MetricsTest, ConcurrentUpdatesAreAllCounted) {
  Registry r;
  Counter& c = r.AddCounter("c_total", "c");
  Gauge& g = r.AddGauge("g", "g");
  Histogram& h = r.AddHistogram("h", "h", {0.5});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100000; ++i) {
        c.Increment();
        g.Add(1);
        h.Observe(i % 2 == 0 ? 0.25 : 1.0);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(), 400000u);
  EXPECT_EQ(g.value(), 400000.0);
  const Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.cumulative[0], 200000u);
  EXPECT_EQ(s.cumulative[1], 400000u);
  EXPECT_EQ(s.sum, 250000.0);
}

TEST(MetricsTest, UpdatesAndLookupsOfExistingChildrenDoNotAllocate) {
  Registry r;
  Counter& c = r.AddCounter("c_total", "c");
  Gauge& g = r.AddGauge("g", "g");
  Histogram& h = r.AddHistogram("h", "h", LatencyBuckets());
  Family<Counter>& f = r.AddCounterFamily("f_total", "f", {"method", "code"});
  f.Labels({"Store.Ingest", "OK"});
  allocations = 0;
  counting = true;
  c.Increment();
  g.Set(3);
  g.Add(1);
  h.Observe(0.02);
  h.ObserveDuration(absl::Milliseconds(3));
  f.Labels({"Store.Ingest", "OK"}).Increment();
  counting = false;
  EXPECT_EQ(allocations, 0);
}

TEST(MetricsTest, ProcessMetricsReadProc) {
  Registry r;
  AddProcessMetrics(&r);
  const std::string text = r.Render();
  for (const char* name : {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
                           "process_virtual_memory_bytes ", "process_open_fds ",
                           "process_max_fds ", "process_start_time_seconds "}) {
    EXPECT_THAT(text, HasSubstr(std::string("\n") + name)) << name;
  }
  EXPECT_THAT(text, ::testing::Not(HasSubstr("process_resident_memory_bytes 0\n")));
  // Started within the last hour.
  const size_t at = text.find("\nprocess_start_time_seconds ");
  const double start = std::atof(text.c_str() + at + 28);
  EXPECT_NEAR(start, double(absl::ToUnixSeconds(absl::Now())), 3600);
}

TEST(MetricsDeathTest, BadNamesAndDuplicatesAreProgrammingErrors) {
  Registry r;
  r.AddCounter("ok_total", "ok");
  EXPECT_DEATH(r.AddCounter("ok_total", "again"), "registered twice");
  EXPECT_DEATH(r.AddCounter("1bad", "x"), "invalid metric name");
  EXPECT_DEATH(r.AddCounterFamily("x_total", "x", {"__reserved"}), "invalid label name");
  EXPECT_DEATH(r.AddHistogramFamily("h", "h", {"le"}, {1}), "invalid label name");
  EXPECT_DEATH(r.AddHistogram("h2", "h", {2, 1}), "strictly increasing");
  Family<Counter>& f = r.AddCounterFamily("y_total", "y", {"a", "b"});
  EXPECT_DEATH(f.Labels({"only one"}), "wrong number of label values");
}

}  // namespace
}  // namespace goprobe::metrics
