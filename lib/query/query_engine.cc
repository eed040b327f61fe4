#include "lib/query/query_engine.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "lib/godb/layout.h"

namespace goprobe::query {
namespace {

constexpr size_t kBlocksPerSlice = 24;
constexpr size_t kSlicesPerDay = (288 + kBlocksPerSlice - 1) / kBlocksPerSlice;

// One opening of a day, shared by the threads that scan its slices, so that
// all of them see the same day even if retention deletes it meanwhile
// (godb/retention.h). Dropped once every slice is claimed; the threads'
// readers keep the files open as long as they need them.
struct SharedDay {
  absl::Mutex mu;
  size_t unclaimed ABSL_GUARDED_BY(mu) = kSlicesPerDay;
  bool opened ABSL_GUARDED_BY(mu) = false;
  absl::StatusOr<std::unique_ptr<godb::DayReader>> reader ABSL_GUARDED_BY(mu);
  // The query's numbers for the day's IPv6 dictionary entries, made by the
  // first thread that needs them (DayV6Ids) and read-only after that:
  // translating is serialised across the query, so each thread doing it
  // for itself made the others wait.
  bool v6_translated ABSL_GUARDED_BY(mu) = false;
  std::vector<uint32_t> v6_ids;
};

// A slice of one day's blocks: small enough that all threads share a
// single day's work, large enough that a thread reuses its day reader.
struct DayWork {
  uint32_t iface_index;
  const godb::DayPartition* day;
  SharedDay* shared;
  size_t slice;  // blocks [slice * kBlocksPerSlice, (slice + 1) * kBlocksPerSlice)
};

// Claims one slice of a day; a reader of the shared opening if `want_reader`.
absl::StatusOr<std::unique_ptr<godb::DayReader>> ClaimSlice(const DayWork& work,
                                                            bool want_reader) {
  SharedDay& d = *work.shared;
  absl::MutexLock lock(&d.mu);
  if (!d.opened) {
    d.reader = godb::DayReader::Open(*work.day);
    d.opened = true;
  }
  absl::StatusOr<std::unique_ptr<godb::DayReader>> mine = std::unique_ptr<godb::DayReader>();
  if (want_reader) {
    if (d.reader.ok()) {
      mine = (*d.reader)->Another();
    } else {
      mine = d.reader.status();
    }
  }
  if (--d.unclaimed == 0) d.reader = std::unique_ptr<godb::DayReader>();
  return mine;
}

// The day's IPv6 numbers (SharedDay::v6_ids) for a thread whose reader's
// dictionary is `dict`. Every reader of a day loads the same dictionary;
// should one hold more entries than were translated, it gets its own
// numbers in *own.
const std::vector<uint32_t>* DayV6Ids(SharedDay* day, V6AddressIds* ids,
                                      const godb::AddressDictionary& dict,
                                      std::vector<uint32_t>* own) {
  {
    absl::MutexLock lock(&day->mu);
    if (!day->v6_translated) {
      ids->Translate(dict, &day->v6_ids);
      day->v6_translated = true;
    }
    if (day->v6_ids.size() >= dict.v6_size()) return &day->v6_ids;
  }
  own->clear();
  ids->Translate(dict, own);
  return own;
}

// State shared by the scanning threads.
struct Scan {
  const QuerySpec* spec;
  const LabelTable* labels;
  // With a condition, a block is read in two steps: the condition's
  // columns, then, only if it selected a row, the rest, decoded at the
  // selected rows alone. A block without a match costs the decoding of the
  // condition's columns alone.
  godb::ColumnSet condition_columns;
  godb::ColumnSet other_columns;
  std::vector<DayWork> work;
  std::deque<SharedDay> shared_days;  // one per day in `work`; never moved
  std::atomic<size_t> next{0};
  // Blocks expected in range, from the time range (progress only: reading
  // every day's metadata up front would delay the first block).
  uint64_t blocks_total = 0;
  std::atomic<uint64_t> blocks_scanned{0}, blocks_corrupt{0}, rows_scanned{0};
  std::atomic<int64_t> time_first{INT64_MAX}, time_last{INT64_MIN};
  V6AddressIds v6_ids;
  std::atomic<bool> failed{false};
  absl::Mutex mu;
  absl::Status error ABSL_GUARDED_BY(mu);
  std::vector<std::string> problems ABSL_GUARDED_BY(mu);
  std::vector<bool> iface_seen ABSL_GUARDED_BY(mu);


  void Fail(absl::Status s) {
    absl::MutexLock lock(&mu);
    if (error.ok()) error = std::move(s);
    failed = true;
  }
};

void AtomicMin(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load();
  while (v < cur && !a.compare_exchange_weak(cur, v)) {}
}
void AtomicMax(std::atomic<int64_t>& a, int64_t v) {
  int64_t cur = a.load();
  while (v > cur && !a.compare_exchange_weak(cur, v)) {}
}

// Returns a non-OK status when the query must stop.
absl::Status CheckLimits(const Scan& scan, const Aggregate& aggregate) {
  const QuerySpec& spec = *scan.spec;
  if (spec.cancelled != nullptr && spec.cancelled->load(std::memory_order_relaxed)) {
    return absl::CancelledError("query cancelled");
  }
  if (absl::Now() > spec.deadline) return absl::DeadlineExceededError("query timed out");
  if (spec.max_memory_bytes > 0) {
    if (aggregate.MemoryBytes() > spec.max_memory_bytes) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "query needs more than its memory limit of ", spec.max_memory_bytes >> 20,
          " MiB: narrow the time range, interfaces or condition, or select fewer attributes"));
    }
  }
  return absl::OkStatus();
}

void ScanThread(Scan& scan, int thread, Aggregate* aggregate) {
  const QuerySpec& spec = *scan.spec;
  godb::BlockColumns cols;
  std::vector<uint32_t> selected;
  // scan.v6_ids' numbers of the open day's IPv6 dictionary entries, once a
  // block of the day needed them.
  const std::vector<uint32_t>* day_v6_ids = nullptr;
  std::vector<uint32_t> own_v6_ids;
  const std::vector<uint32_t> no_v6_ids;  // for blocks without IPv6 rows to add
  const bool addresses =
      spec.attributes.Has(Attribute::kSip) || spec.attributes.Has(Attribute::kDip);
  ScanAggregator aggregator(spec.attributes, aggregate);
  absl::Time next_progress = absl::Now() + spec.progress_interval;
  const godb::DayPartition* open_day = nullptr;
  absl::StatusOr<std::unique_ptr<godb::DayReader>> reader;
  for (size_t w; !scan.failed && (w = scan.next.fetch_add(1)) < scan.work.size();) {
    const DayWork& work = scan.work[w];
    const bool new_day = work.day != open_day;
    absl::StatusOr<std::unique_ptr<godb::DayReader>> claimed = ClaimSlice(work, new_day);
    if (new_day) {
      open_day = work.day;
      day_v6_ids = nullptr;
      reader = std::move(claimed);
      // The first slice of a day reports a day that cannot be read.
      if (!reader.ok() && work.slice == 0 && !absl::IsNotFound(reader.status())) {
        absl::MutexLock lock(&scan.mu);
        scan.problems.push_back(std::string(reader.status().message()));
      }
    }
    if (!reader.ok()) continue;
    const std::vector<godb::BlockInfo>& blocks = (*reader)->metadata().blocks;
    // Days hold up to 288 regular blocks but may hold more (unaligned final
    // blocks); the last slice takes the rest.
    const size_t begin = work.slice * kBlocksPerSlice;
    const size_t end =
        work.slice + 1 == kSlicesPerDay ? blocks.size() : std::min(blocks.size(), begin + kBlocksPerSlice);
    bool seen = false;
    for (size_t b = begin; b < end; ++b) {
      const godb::BlockInfo& info = blocks[b];
      if (info.time < spec.first || info.time > spec.last) continue;
      absl::Status limit = CheckLimits(scan, *aggregate);
      if (!limit.ok()) {
        scan.Fail(std::move(limit));
        return;
      }
      const auto read = [&](godb::ColumnSet columns, const std::vector<uint32_t>* rows) {
        absl::Status s = (*reader)->ReadBlock(b, columns, &cols, rows);
        if (s.ok()) return true;
        ++scan.blocks_corrupt;
        absl::MutexLock lock(&scan.mu);
        scan.problems.push_back(std::string(s.message()));
        return false;
      };
      if (!scan.condition_columns.empty() && !read(scan.condition_columns, nullptr)) continue;
      if (spec.condition) {
        spec.condition->Select(cols, &selected);
        if (!selected.empty() && !read(scan.other_columns, &selected)) continue;
      } else if (!read(scan.other_columns, nullptr)) {
        continue;
      }
      seen = true;
      ++scan.blocks_scanned;
      scan.rows_scanned += info.rows;
      AtomicMin(scan.time_first, info.time);
      AtomicMax(scan.time_last, info.time);
      const bool time = spec.attributes.Has(Attribute::kTime);
      const uint32_t bucket =
          time ? uint32_t((info.time - scan.labels->first_bucket + scan.labels->resolution - 1) /
                          scan.labels->resolution)
               : 0;
      const uint32_t label =
          LabelTable::Make(spec.attributes.Has(Attribute::kIface) ? work.iface_index : 0, bucket);
      if (!spec.condition || !selected.empty()) {
        // A day's IPv6 addresses are numbered when a block first adds an
        // IPv6 row: a condition on IPv4 networks never pays for it.
        const bool v6_rows =
            spec.condition ? selected.back() >= cols.v4_rows : cols.rows > cols.v4_rows;
        if (addresses && v6_rows && day_v6_ids == nullptr) {
          day_v6_ids = DayV6Ids(work.shared, &scan.v6_ids, (*reader)->dictionary(), &own_v6_ids);
        }
        aggregator.Add(cols, spec.condition ? &selected : nullptr, label,
                       day_v6_ids != nullptr ? *day_v6_ids : no_v6_ids);
      }
      if (thread == 0 && spec.progress && absl::Now() >= next_progress) {
        spec.progress({scan.blocks_total, scan.blocks_scanned.load(), scan.blocks_corrupt.load(),
                       scan.rows_scanned.load()});
        next_progress = absl::Now() + spec.progress_interval;
      }
    }
    if (seen) {
      absl::MutexLock lock(&scan.mu);
      scan.iface_seen[work.iface_index] = true;
    }
  }
  aggregator.Flush();
  // Staged sums reach the table only when flushed, so a small query may
  // pass every check above and still end over its memory limit.
  absl::Status limit = CheckLimits(scan, *aggregate);
  if (!limit.ok()) scan.Fail(std::move(limit));
}

}  // namespace

absl::StatusOr<QueryResult> RunQuery(const godb::DbReader& db, const QuerySpec& spec) {
  const absl::Time start = absl::Now();
  if (spec.first < 0 || spec.last < spec.first) {
    return absl::InvalidArgumentError(absl::StrCat("time range: the first time (", spec.first,
                                                   ") is after the last (", spec.last, ")"));
  }
  if (spec.resolution < 0 || spec.resolution % 300 != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "time resolution of ", spec.resolution, " s: want a multiple of 5 minutes"));
  }
  QueryResult result;
  absl::StatusOr<std::vector<std::string>> all = db.Interfaces();
  if (!all.ok()) {
    if (absl::IsNotFound(all.status())) return result;  // nothing stored yet
    return all.status();
  }
  LabelTable labels;
  labels.ifaces = spec.interfaces.Select(*all);
  if (spec.attributes.Has(Attribute::kIface) && labels.ifaces.size() > LabelTable::kMaxIfaces) {
    return absl::InvalidArgumentError(absl::StrCat(
        "the query covers ", labels.ifaces.size(), " interfaces; grouping by iface handles ",
        LabelTable::kMaxIfaces, " at most: select fewer with -i"));
  }
  labels.resolution = spec.resolution == 0 ? 300 : spec.resolution;

  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = spec.threads > 0 ? spec.threads : cores;
  Scan scan;
  scan.spec = &spec;
  scan.labels = &labels;
  scan.iface_seen.assign(labels.ifaces.size(), false);
  godb::ColumnSet aggregated;
  aggregated.Add(godb::Column::kBytesRcvd)
      .Add(godb::Column::kBytesSent)
      .Add(godb::Column::kPktsRcvd)
      .Add(godb::Column::kPktsSent);
  if (spec.attributes.Has(Attribute::kSip)) aggregated.Add(godb::Column::kSip);
  if (spec.attributes.Has(Attribute::kDip)) aggregated.Add(godb::Column::kDip);
  if (spec.attributes.Has(Attribute::kDport)) aggregated.Add(godb::Column::kDport);
  if (spec.attributes.Has(Attribute::kProto)) aggregated.Add(godb::Column::kProto);
  if (spec.condition) scan.condition_columns = spec.condition->columns();
  scan.other_columns = aggregated.Without(scan.condition_columns);
  std::vector<std::vector<godb::DayPartition>> days(labels.ifaces.size());
  for (uint32_t i = 0; i < labels.ifaces.size(); ++i) {
    absl::StatusOr<std::vector<godb::DayPartition>> d =
        db.Days(labels.ifaces[i], spec.first, spec.last);
    if (!d.ok()) return d.status();
    days[i] = std::move(*d);
    for (const godb::DayPartition& day : days[i]) {
      SharedDay* shared = &scan.shared_days.emplace_back();
      for (size_t slice = 0; slice < kSlicesPerDay; ++slice) {
        scan.work.push_back({i, &day, shared, slice});
      }
      const int64_t from = std::max(spec.first, day.day_start);
      const int64_t to = std::min(spec.last, day.day_start + godb::kSecondsPerDay);
      if (to >= from) scan.blocks_total += uint64_t(to - from) / 300 + 1;
    }
  }

  // Buckets end at multiples of the resolution, as blocks end at multiples
  // of five minutes: bucket k covers (first_bucket + (k-1)*res,
  // first_bucket + k*res]. Counting from the oldest day in range keeps the
  // bucket number small whatever range was asked for.
  int64_t oldest = spec.last;
  for (const DayWork& w : scan.work) oldest = std::min(oldest, w.day->day_start);
  oldest = std::max(oldest, spec.first);
  labels.first_bucket = oldest - oldest % labels.resolution;

  Aggregate aggregate(spec.attributes);
  const int used = std::max(1, std::min<int>(threads, int(scan.work.size())));
  std::vector<std::thread> pool;
  for (int t = 1; t < used; ++t) pool.emplace_back(ScanThread, std::ref(scan), t, &aggregate);
  ScanThread(scan, 0, &aggregate);
  for (std::thread& t : pool) t.join();
  {
    absl::MutexLock lock(&scan.mu);
    if (!scan.error.ok()) return scan.error;
    result.problems = std::move(scan.problems);
    for (size_t i = 0; i < labels.ifaces.size(); ++i) {
      if (scan.iface_seen[i]) result.interfaces.push_back(labels.ifaces[i]);
    }
  }
  FinalizeRows(aggregate, scan.v6_ids, labels, spec, used, &result);
  result.scan = {scan.blocks_scanned.load() + scan.blocks_corrupt.load(),
                 scan.blocks_scanned.load(), scan.blocks_corrupt.load(), scan.rows_scanned.load()};
  if (scan.blocks_scanned > 0) {
    result.time_first = scan.time_first.load();
    result.time_last = scan.time_last.load();
  }
  result.duration = absl::Now() - start;
  return result;
}

}  // namespace goprobe::query
