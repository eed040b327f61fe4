// Query engine speed over synthetic days (bench/flow_generator.h) written to
// goDB: rows scanned per second for the queries analysts run most.
//
// bazel run --config=opt //bench:query_bench -- --benchmark_min_time=2
// QUERY_BENCH_DAYS (default 1) days of QUERY_BENCH_FLOWS_PER_BLOCK (default
// 20000) flows per block; QUERY_BENCH_DB=DIR keeps the database for later runs.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/flow_generator.h"
#include "benchmark/benchmark.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/layout.h"
#include "lib/query/query_engine.h"

namespace goprobe::query {
namespace {

size_t EnvOr(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

struct Db {
  std::string dir;
  uint64_t rows = 0;
};

const Db& Database() {
  static const Db* db = [] {
    auto* d = new Db;
    // QUERY_BENCH_DB keeps the database between runs (generated if missing).
    if (const char* keep = std::getenv("QUERY_BENCH_DB")) {
      d->dir = keep;
      if (std::filesystem::exists(d->dir)) return d;
    } else {
      const char* base = std::getenv("TMPDIR");
      d->dir = absl::StrCat(base ? base : "/tmp", "/query_bench_", ::getpid());
    }
    std::filesystem::remove_all(d->dir);
    bench::FlowGeneratorOptions options;
    options.flows_per_block = EnvOr("QUERY_BENCH_FLOWS_PER_BLOCK", options.flows_per_block);
    const bench::FlowGenerator gen(options);
    godb::WriterOptions wo;
    wo.sync = false;
    auto writer = godb::DbWriter::Open(d->dir, wo);
    if (!writer.ok()) std::abort();
    const size_t days = EnvOr("QUERY_BENCH_DAYS", 1);
    for (size_t b = 0; b < days * bench::kBlocksPerDay; ++b) {
      const int64_t t = bench::kDefaultDayStart + int64_t(b + 1) * bench::kBlockSeconds;
      const auto rows = gen.Block(t);
      if (!(*writer)->WriteBlock("eth0", t, rows, {}).ok()) std::abort();
      d->rows += rows.size();
    }
    return d;
  }();
  return *db;
}

void RunBench(benchmark::State& state, const char* attributes, int threads) {
  const Db& db = Database();
  QuerySpec spec;
  spec.attributes = *ParseAttributes(attributes);
  spec.last = godb::kMaxBlockTime;
  spec.limit = 10;
  spec.threads = threads;
  uint64_t rows = 0, hits = 0;
  for (auto _ : state) {
    auto r = RunQuery(godb::DbReader(db.dir), spec);
    if (!r.ok()) std::abort();
    rows += r->scan.rows_scanned;
    hits = r->hits_total;
  }
  state.counters["rows_per_s"] = benchmark::Counter(double(rows), benchmark::Counter::kIsRate);
  state.counters["rows_per_s_per_thread"] =
      benchmark::Counter(double(rows) / threads, benchmark::Counter::kIsRate);
  state.counters["hits"] = double(hits);
  state.SetLabel(absl::StrCat(attributes, ", ", threads, " thread(s)"));
}

void BM_TopTalkers(benchmark::State& state) { RunBench(state, "sip,dip", int(state.range(0))); }
void BM_TopApps(benchmark::State& state) { RunBench(state, "dport,proto", int(state.range(0))); }
void BM_TopSources(benchmark::State& state) { RunBench(state, "sip", int(state.range(0))); }
BENCHMARK(BM_TopTalkers)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TopApps)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_TopSources)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace goprobe::query

BENCHMARK_MAIN();
