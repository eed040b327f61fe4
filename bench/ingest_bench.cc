// Ingest throughput: flow rows per second into goDB through gostore's gRPC
// Ingest, on TCP loopback and on a unix socket, beside the embedded rate (one
// DbWriter in-process, as `goprobe --db` writes) measured in the same run
// over the same batches. Target (issue 4): gRPC at least half the embedded
// rate.
//
//   bazel build --config=opt //bench:ingest_bench
//   bazel-bin/bench/ingest_bench --benchmark_repetitions=5 \
//       --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
//
// The batches are office-hours blocks of the synthetic day
// (bench/flow_generator.h): INGEST_BENCH_BLOCKS of them (default 36, three
// hours from 09:00 local, about 1.1 M rows), starting at
// INGEST_BENCH_FIRST_BLOCK (default 96: 08:00 UTC).
//
// Each gRPC run starts a fresh BlockStore, StoreService and GrpcServer (the
// code gostore runs) in this process and streams the batches over one Ingest
// stream with at most four batches unacknowledged, as goprobe's shipper
// does. The batches are encoded into protobuf messages beforehand, as the
// probe spools them before shipping; the embedded writer gets the very rows
// the store decodes from them, in the same (storage) order. The time runs from the first message
// until the last acknowledgement: a batch is acknowledged once it is durable,
// so both rates count rows on disk. "sync:1" fsyncs data and metadata as
// gostore does; "sync:0" leaves the fsyncs out to compare the CPU work alone.
// Server and client share the machine's cores, as a co-located probe and
// store do.
//
// cpu_ns_per_row is the CPU time of the whole process (client, gRPC threads,
// writer) per row: what ingest costs, whatever else the machine runs. At the
// end the ratios gRPC / embedded are printed (from the medians when
// repeated).

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "bench/flow_generator.h"
#include "benchmark/benchmark.h"
#include "lib/flow/flow_proto.h"
#include "lib/godb/db_writer.h"
#include "lib/rpc/grpc_server.h"
#include "proto/goprobe/v1/store.grpc.pb.h"
#include "services/store/block_store.h"
#include "services/store/store_service.h"

namespace goprobe::bench {
namespace {

constexpr uint64_t kHostId = 4242;

size_t EnvOr(const char* name, size_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

[[noreturn]] void Die(absl::string_view what) {
  std::fprintf(stderr, "ingest_bench: %.*s\n", int(what.size()), what.data());
  std::abort();
}

struct Batches {
  std::vector<int64_t> times;
  std::vector<std::vector<flow::FlowRow>> rows;  // for the embedded writer
  std::vector<std::vector<v1::IngestRequest>> parts;  // for the wire
  size_t total_rows = 0;
  size_t wire_bytes = 0;
};

const Batches& TheBatches() {
  static const Batches* batches = [] {
    auto* b = new Batches;
    const FlowGenerator gen{FlowGeneratorOptions()};
    const size_t count = EnvOr("INGEST_BENCH_BLOCKS", 36);
    const size_t first = EnvOr("INGEST_BENCH_FIRST_BLOCK", 96);
    for (size_t i = 0; i < count; ++i) {
      const int64_t t = kDefaultDayStart + int64_t(first + i) * kBlockSeconds;
      std::vector<flow::FlowRow> rows = gen.Block(t);
      v1::FlowBatch header;
      header.set_host_id(kHostId);
      header.set_hostname("bench");
      header.set_iface("eth0");
      header.set_block_time(t);
      header.set_sequence(i + 1);
      auto parts = flow::EncodeBatchParts(header, rows);
      if (!parts.ok()) Die(parts.status().message());
      // The embedded writer gets the rows as the store decodes them: the
      // wire carries them in storage order (sorted when encoded), and goDB
      // skips sorting rows that come sorted. Same batches, same order, so
      // the two rates differ only by the path.
      rows.clear();
      std::vector<v1::IngestRequest> requests;
      for (v1::FlowBatch& part : *parts) {
        auto decoded = flow::RowsFromBatch(part);
        if (!decoded.ok()) Die(decoded.status().message());
        rows.insert(rows.end(), decoded->begin(), decoded->end());
        requests.emplace_back();
        *requests.back().mutable_batch() = std::move(part);
        b->wire_bytes += requests.back().ByteSizeLong();
      }
      b->total_rows += rows.size();
      b->times.push_back(t);
      b->rows.push_back(std::move(rows));
      b->parts.push_back(std::move(requests));
    }
    return b;
  }();
  return *batches;
}

std::string FreshDir(absl::string_view tag) {
  const char* base = std::getenv("TMPDIR");
  const std::string dir =
      absl::StrCat(base ? base : "/tmp", "/ingest_bench_", tag, "_", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// CPU time of the whole process (every thread: client, gRPC, writer).
double ProcessCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

godb::WriterOptions Options(bool sync) {
  godb::WriterOptions options;
  options.sync = sync;
  return options;
}

void BM_Embedded(benchmark::State& state) {
  const Batches& b = TheBatches();
  const bool sync = state.range(0) != 0;
  double cpu_seconds = 0;
  for (auto _ : state) {
    const std::string dir = FreshDir("embedded");
    auto writer = godb::DbWriter::Open(dir + "/db", Options(sync));
    if (!writer.ok()) Die(writer.status().message());
    const double cpu = ProcessCpuSeconds();
    const absl::Time start = absl::Now();
    for (size_t i = 0; i < b.rows.size(); ++i) {
      absl::Status s = (*writer)->WriteBlock("eth0", b.times[i], b.rows[i], {});
      if (!s.ok()) Die(s.message());
    }
    state.SetIterationTime(absl::ToDoubleSeconds(absl::Now() - start));
    cpu_seconds += ProcessCpuSeconds() - cpu;
    writer->reset();
    std::filesystem::remove_all(dir);
  }
  state.SetItemsProcessed(int64_t(state.iterations() * b.total_rows));
  state.counters["cpu_ns_per_row"] = cpu_seconds * 1e9 / double(state.iterations() * b.total_rows);
}

// Streams every batch over one Ingest stream, at most `window` batches
// unacknowledged, and waits for the last acknowledgement.
void StreamAll(v1::Store::Stub* stub, const Batches& b, int window) {
  grpc::ClientContext context;
  auto stream = stub->Ingest(&context);
  absl::Mutex mu;
  absl::CondVar acked;
  int unacked = 0;
  bool reader_done = false;
  uint64_t stored_rows = 0;
  std::thread reader([&] {
    v1::IngestAck ack;
    while (stream->Read(&ack)) {
      absl::MutexLock lock(&mu);
      --unacked;
      if (ack.result() != v1::IngestAck::RESULT_STORED) Die(ack.message());
      stored_rows += ack.rows_written();
      acked.Signal();
    }
    absl::MutexLock lock(&mu);
    reader_done = true;
    acked.Signal();
  });
  for (const std::vector<v1::IngestRequest>& batch : b.parts) {
    {
      absl::MutexLock lock(&mu);
      while (!reader_done && unacked >= window) acked.Wait(&mu);
      if (reader_done) break;
      ++unacked;
    }
    for (const v1::IngestRequest& part : batch) {
      if (!stream->Write(part)) break;
    }
  }
  stream->WritesDone();
  reader.join();
  const grpc::Status status = stream->Finish();
  if (!status.ok()) Die(status.error_message());
  if (stored_rows != b.total_rows) Die("not every row was stored");
}

void GrpcIngest(benchmark::State& state, bool unix_socket) {
  const Batches& b = TheBatches();
  const bool sync = state.range(0) != 0;
  double cpu_seconds = 0;
  for (auto _ : state) {
    const std::string dir = FreshDir(unix_socket ? "unix" : "tcp");
    auto blocks = store::BlockStore::Open(dir + "/db", {kHostId, "bench"}, Options(sync));
    if (!blocks.ok()) Die(blocks.status().message());
    store::StoreService service(blocks->get(), nullptr);
    rpc::ServerOptions options;
    options.listen = {unix_socket ? "unix:" + dir + "/gostore.sock" : "127.0.0.1:0"};
    auto server = rpc::GrpcServer::Start(options, {&service});
    if (!server.ok()) Die(server.status().message());
    const std::string address = unix_socket ? options.listen[0]
                                            : absl::StrCat("127.0.0.1:", (*server)->bound_ports()[0]);
    auto channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      Die("cannot connect to " + address);
    }
    auto stub = v1::Store::NewStub(channel);

    const double cpu = ProcessCpuSeconds();
    const absl::Time start = absl::Now();
    StreamAll(stub.get(), b, store::StoreService::kMaxBatchesInFlight);
    state.SetIterationTime(absl::ToDoubleSeconds(absl::Now() - start));
    cpu_seconds += ProcessCpuSeconds() - cpu;

    (*server)->Shutdown(absl::Seconds(1));
    blocks->reset();
    std::filesystem::remove_all(dir);
  }
  state.SetItemsProcessed(int64_t(state.iterations() * b.total_rows));
  state.counters["cpu_ns_per_row"] = cpu_seconds * 1e9 / double(state.iterations() * b.total_rows);
  state.counters["wire_bytes_per_row"] = double(b.wire_bytes) / double(b.total_rows);
}

void BM_GrpcTcp(benchmark::State& state) { GrpcIngest(state, /*unix_socket=*/false); }
void BM_GrpcUnix(benchmark::State& state) { GrpcIngest(state, /*unix_socket=*/true); }

BENCHMARK(BM_Embedded)->ArgName("sync")->Arg(1)->Arg(0)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_GrpcTcp)->ArgName("sync")->Arg(1)->Arg(0)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_GrpcUnix)->ArgName("sync")->Arg(1)->Arg(0)->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(1);

// Keeps each benchmark's rows per second (the median when repeated) for the
// ratios printed at the end.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  RatioReporter() : ConsoleReporter(::isatty(1) ? OO_ColorTabular : OO_Tabular) {}
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
      const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
      if (!median && !single) continue;
      const auto it = run.counters.find("items_per_second");
      if (it == run.counters.end()) continue;
      // "BM_GrpcTcp/sync:1/iterations:1/manual_time" -> "BM_GrpcTcp/sync:1".
      const std::string name = run.run_name.function_name + "/" + run.run_name.args;
      rates_[name] = it->second.value;
      medians_ |= median;
    }
  }

  void PrintRatios() const {
    std::printf("\nrows per second (%s), gRPC / embedded:\n",
                medians_ ? "medians" : "one run each");
    for (const char* sync : {"sync:1", "sync:0"}) {
      const auto embedded = rates_.find(absl::StrCat("BM_Embedded/", sync));
      if (embedded == rates_.end()) continue;
      std::printf("  %s  embedded %.0f", sync, embedded->second);
      for (const char* transport : {"BM_GrpcTcp", "BM_GrpcUnix"}) {
        const auto it = rates_.find(absl::StrCat(transport, "/", sync));
        if (it == rates_.end()) continue;
        std::printf("  %s %.0f (%.2f)", transport + 7, it->second, it->second / embedded->second);
      }
      std::printf("\n");
    }
  }

 private:
  std::map<std::string, double> rates_;
  bool medians_ = false;
};

}  // namespace
}  // namespace goprobe::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const goprobe::bench::Batches& b = goprobe::bench::TheBatches();
  std::printf("%zu batches, %zu rows, %.1f wire bytes per row\n", b.rows.size(), b.total_rows,
              double(b.wire_bytes) / double(b.total_rows));
  goprobe::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatios();
  benchmark::Shutdown();
  return 0;
}
