#include "clients/goconvert/importer.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "lib/godb/block_codec.h"

namespace goprobe::goconvert {
namespace {

std::string Lines(const std::string& source, int64_t first, int64_t last) {
  if (first == last) return absl::StrCat(source, ":", first);
  return absl::StrCat(source, ":", first, "-", last);
}

}  // namespace

std::string BlockName(absl::string_view iface, int64_t time) {
  return absl::StrCat("block ", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(time),
                                                 absl::UTCTimeZone()),
                      " (", time, ") of ", iface);
}

void Importer::Skip(const absl::Status& why) {
  if (options_.on_skip) options_.on_skip(why);
}

absl::Status Importer::Run(CsvFlowReader* reader) {
  absl::Status result;
  CsvRecord record;
  while (options_.max_rows == 0 || stats_.rows_read < options_.max_rows) {
    absl::StatusOr<bool> got = reader->Next(&record);
    if (got.ok() && !*got) break;
    if (!got.ok() && !absl::IsInvalidArgument(got.status())) {
      result = got.status();
      break;
    }
    ++stats_.rows_read;
    // A bad line may be skipped; a failure to store a block may not.
    absl::Status s = got.ok() ? CheckOrder(*reader, record) : got.status();
    if (!s.ok()) {
      if (options_.skip_bad) {
        ++stats_.bad_rows_skipped;
        Skip(s);
        continue;
      }
      result = s;
      break;
    }
    result = Add(*reader, record);
    if (!result.ok()) break;
  }
  if (result.ok()) {
    for (auto& [iface, p] : pending_) {
      if (!p.open) continue;
      result = Flush(*reader, iface, p);
      if (!result.ok()) break;
    }
  }
  if (!result.ok()) {
    stats_.rows_unwritten = stats_.rows_read - stats_.rows_written - stats_.bad_rows_skipped -
                            stats_.existing_rows_skipped;
  }
  return result;
}

absl::Status Importer::CheckOrder(const CsvFlowReader& reader, const CsvRecord& record) const {
  auto it = pending_.find(record.iface);
  if (it == pending_.end() || record.time >= it->second.last_time) return absl::OkStatus();
  const CsvSchema& schema = reader.schema();
  return absl::InvalidArgumentError(absl::StrCat(
      reader.source(), ":", record.line, ": column ",
      schema.names[schema.column[static_cast<int>(Field::kTime)]], ": ", record.time,
      " is before ", it->second.last_time, ", the time of the previous block of ", record.iface,
      "; each interface's rows must be in time order"));
}

absl::Status Importer::Add(const CsvFlowReader& reader, const CsvRecord& record) {
  Pending& p = pending_[record.iface];
  if (p.open && record.time != p.time) {
    absl::Status s = Flush(reader, record.iface, p);
    if (!s.ok()) return s;
  }
  if (!p.open) {
    p.open = true;
    p.time = record.time;
    p.first_line = record.line;
    p.rows = 0;
    p.flows.clear();
  }
  if (p.flows.size() >= godb::kMaxRowsPerBlock && !p.flows.contains(record.row.key)) {
    return absl::ResourceExhaustedError(absl::StrCat(
        reader.source(), ":", record.line, ": ", BlockName(record.iface, p.time), " has more than ",
        godb::kMaxRowsPerBlock, " distinct flows, more than a goDB block holds"));
  }
  p.last_time = record.time;
  p.last_line = record.line;
  ++p.rows;
  p.flows[record.row.key] += record.row.counters;
  return absl::OkStatus();
}

absl::Status Importer::Flush(const CsvFlowReader& reader, const std::string& iface, Pending& p) {
  block_rows_.clear();
  block_rows_.reserve(p.flows.size());
  for (const auto& [key, counters] : p.flows) block_rows_.push_back(flow::FlowRow{key, counters});
  const std::string where = Lines(reader.source(), p.first_line, p.last_line);
  absl::Status s = sink_->WriteBlock(iface, p.time, block_rows_, BlockOrigin{where, p.rows});
  if (absl::IsAlreadyExists(s)) {
    s = absl::AlreadyExistsError(absl::StrCat(where, ": ", BlockName(iface, p.time),
                                              " is already stored; nothing of it was written",
                                              options_.skip_existing
                                                  ? ""
                                                  : " (--skip-existing skips such blocks)"));
    if (!options_.skip_existing) return s;
    ++stats_.existing_blocks_skipped;
    stats_.existing_rows_skipped += p.rows;
    Skip(s);
  } else if (!s.ok()) {
    return absl::Status(s.code(),
                        absl::StrCat(where, ": writing ", BlockName(iface, p.time), ": ", s.message()));
  } else {
    ++stats_.blocks_written;
    stats_.rows_written += p.rows;
    stats_.flows_written += static_cast<int64_t>(block_rows_.size());
    stats_.interfaces_written.insert(iface);
  }
  p.open = false;
  p.rows = 0;
  p.flows.clear();
  return absl::OkStatus();
}

}  // namespace goprobe::goconvert
