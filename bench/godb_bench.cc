// goDB's size and speed on a synthetic day of flows (bench/flow_generator.h):
//   bytes on disk per flow row, per codec;
//   write throughput (rows/s) through DbWriter, fsync on, one core;
//   decode throughput (rows/s) of all eight columns, one core, page cache.
//
// bazel run --config=opt //bench:godb_bench -- --benchmark_min_time=2
// GODB_BENCH_BLOCKS (default 288, a day) and GODB_BENCH_FLOWS_PER_BLOCK
// (default 20000) size the data set.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/flow_generator.h"
#include "benchmark/benchmark.h"
#include "lib/godb/db_reader.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/layout.h"

namespace goprobe::godb {
namespace {

size_t EnvOr(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

struct Day {
  std::vector<int64_t> times;
  std::vector<std::vector<flow::FlowRow>> blocks;
  size_t rows = 0;
};

const Day& SyntheticDay() {
  static const Day* day = [] {
    bench::FlowGeneratorOptions options;
    options.flows_per_block = EnvOr("GODB_BENCH_FLOWS_PER_BLOCK", options.flows_per_block);
    const bench::FlowGenerator gen(options);
    auto* d = new Day;
    const size_t blocks = EnvOr("GODB_BENCH_BLOCKS", bench::kBlocksPerDay);
    for (size_t i = 0; i < blocks; ++i) {
      const int64_t t = bench::kDefaultDayStart + int64_t(i) * bench::kBlockSeconds;
      d->times.push_back(t);
      d->blocks.push_back(gen.Block(t));
      d->rows += d->blocks.back().size();
    }
    return d;
  }();
  return *day;
}

std::string FreshDir(absl::string_view tag) {
  const char* base = std::getenv("TMPDIR");
  const std::string dir =
      absl::StrCat(base ? base : "/tmp", "/godb_bench_", tag, "_", ::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().filename().string() != kLockFileName) total += e.file_size();
  }
  return total;
}

void WriteDay(const std::string& dir, Codec codec, bool sync, size_t max_rows = SIZE_MAX) {
  WriterOptions options;
  options.codec = codec;
  options.sync = sync;
  auto writer = DbWriter::Open(dir, options);
  if (!writer.ok()) std::abort();
  const Day& day = SyntheticDay();
  size_t written = 0;
  for (size_t i = 0; i < day.blocks.size() && written < max_rows; ++i) {
    absl::Span<const flow::FlowRow> rows = day.blocks[i];
    rows = rows.subspan(0, std::min(rows.size(), max_rows - written));
    if (!(*writer)->WriteBlock("eth0", day.times[i], rows, {}).ok()) std::abort();
    written += rows.size();
  }
}

// Bytes on disk per flow row for the whole day: every column file and the
// metadata.
void BM_DiskBytesPerRow(benchmark::State& state) {
  const Codec codec = Codec(state.range(0));
  const Day& day = SyntheticDay();
  const std::string dir = FreshDir("size");
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
    WriteDay(dir, codec, /*sync=*/false);
  }
  const uint64_t bytes = DirectoryBytes(dir);
  state.counters["bytes_per_row"] = double(bytes) / double(day.rows);
  state.counters["rows"] = double(day.rows);
  state.counters["disk_MiB"] = double(bytes) / (1 << 20);
  state.SetLabel(std::string(CodecName(codec)));
  if (std::getenv("GODB_BENCH_KEEP") == nullptr) std::filesystem::remove_all(dir);
}
BENCHMARK(BM_DiskBytesPerRow)
    ->Arg(int(Codec::kLz4))
    ->Arg(int(Codec::kZstd))
    ->Arg(int(Codec::kNone))
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// One million rows, as the day's first blocks, durable (fsync'd) on return.
void BM_WriteMillionRows(benchmark::State& state) {
  constexpr size_t kRows = 1'000'000;
  const std::string dir = FreshDir("write");
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
    WriteDay(dir, Codec::kLz4, /*sync=*/state.range(0) != 0, kRows);
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(double(kRows) * state.iterations(), benchmark::Counter::kIsRate);
  state.SetLabel(state.range(0) ? "fsync" : "no fsync");
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WriteMillionRows)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime();

// One million rows as a single block (a five-minute block of a very busy
// link), durable on return: encoding cost plus one round of fsyncs.
void BM_WriteMillionRowBlock(benchmark::State& state) {
  const Day& day = SyntheticDay();
  std::vector<flow::FlowRow> rows;
  // Distinct keys: rows of different blocks may share keys, so shift each
  // block's ports into a range of its own.
  for (size_t b = 0; rows.size() < 1'000'000 && b < day.blocks.size(); ++b) {
    for (flow::FlowRow r : day.blocks[b]) {
      r.key.dport = uint16_t(r.key.dport + 7 * b);
      rows.push_back(r);
      if (rows.size() == 1'000'000) break;
    }
  }
  const std::string dir = FreshDir("write1");
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    WriterOptions options;
    auto writer = DbWriter::Open(dir, options);
    if (!writer.ok()) std::abort();
    state.ResumeTiming();
    if (!(*writer)->WriteBlock("eth0", day.times[0], rows, {}).ok()) std::abort();
  }
  state.counters["rows_per_s"] =
      benchmark::Counter(double(rows.size()) * state.iterations(), benchmark::Counter::kIsRate);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_WriteMillionRowBlock)->Unit(benchmark::kMillisecond)->UseRealTime();

// Decoding the day's blocks: all eight columns, or the three a top-talkers
// query needs. Files are in the page cache after the first pass.
void BM_DecodeDay(benchmark::State& state) {
  const ColumnSet columns = state.range(0) == 8 ? ColumnSet::All()
                                                : ColumnSet()
                                                      .Add(Column::kSip)
                                                      .Add(Column::kDip)
                                                      .Add(Column::kBytesRcvd);
  const Codec codec = Codec(state.range(1));
  const std::string dir = FreshDir("decode");
  WriteDay(dir, codec, /*sync=*/false);
  DbReader reader(dir);
  auto days = reader.Days("eth0", 0, kMaxBlockTime);
  if (!days.ok() || days->empty()) std::abort();
  uint64_t rows = 0;
  BlockColumns cols;
  for (auto _ : state) {
    for (const DayPartition& p : *days) {
      auto day = DayReader::Open(p);
      if (!day.ok()) std::abort();
      for (size_t i = 0; i < (*day)->metadata().blocks.size(); ++i) {
        if (!(*day)->ReadBlock(i, columns, &cols).ok()) std::abort();
        rows += cols.rows;
        benchmark::DoNotOptimize(cols.bytes_rcvd.data());
      }
    }
  }
  state.counters["rows_per_s"] = benchmark::Counter(double(rows), benchmark::Counter::kIsRate);
  state.SetLabel(absl::StrCat(state.range(0), " columns, ", CodecName(codec)));
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_DecodeDay)
    ->Args({8, int(Codec::kLz4)})
    ->Args({3, int(Codec::kLz4)})
    ->Args({8, int(Codec::kZstd)})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace goprobe::godb

BENCHMARK_MAIN();
