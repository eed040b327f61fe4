#include "lib/godb/db_writer.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "lib/godb/day_dictionary.h"
#include "lib/godb/layout.h"
#include "lib/godb/retention.h"

namespace goprobe::godb {

absl::StatusOr<std::unique_ptr<DbWriter>> DbWriter::Open(const std::string& db_path,
                                                         WriterOptions options) {
  if (db_path.empty()) return absl::InvalidArgumentError("empty database path");
  absl::Status s = CreateDirectories(db_path, options.sync);
  if (!s.ok()) return s;
  absl::StatusOr<FileLock> lock = FileLock::Acquire(absl::StrCat(db_path, "/", kLockFileName));
  if (!lock.ok()) return lock.status();
  absl::StatusOr<uint64_t> leftovers = RemoveDeletedLeftovers(db_path);
  if (!leftovers.ok()) return leftovers.status();
  return std::unique_ptr<DbWriter>(new DbWriter(db_path, std::move(options), std::move(*lock)));
}

absl::StatusOr<DbWriter::OpenDay*> DbWriter::Day(absl::string_view iface, int64_t time,
                                                 bool create) {
  const int64_t day_start = DayStart(time);
  auto it = days_.find(iface);
  if (it != days_.end() && it->second->day_start == day_start) return it->second.get();

  auto day = std::make_unique<OpenDay>();
  day->day_start = day_start;
  day->dir = DayDirectory(path_, iface, day_start);
  day->meta.day_start = day_start;
  const std::string meta_path = absl::StrCat(day->dir, "/", kMetadataFileName);

  absl::StatusOr<std::string> meta_data = ReadFileToString(meta_path);
  if (meta_data.ok()) {
    absl::StatusOr<DayMetadata> meta = DecodeDayMetadata(*meta_data);
    if (!meta.ok()) {
      return absl::DataLossError(absl::StrCat("cannot write to ", day->dir, ": ", meta_path, ": ",
                                              meta.status().message(),
                                              "; its files are left untouched"));
    }
    if (meta->day_start != day_start) {
      return absl::DataLossError(
          absl::StrCat(meta_path, ": metadata is for another day (", meta->day_start, ")"));
    }
    day->meta = std::move(*meta);
  } else if (!absl::IsNotFound(meta_data.status())) {
    return meta_data.status();
  } else {
    // No metadata: a new day, unless data files with data say otherwise.
    for (int f = 0; f < kNumFiles; ++f) {
      struct stat st;
      const std::string file = absl::StrCat(day->dir, "/", DataFileName(f));
      if (::stat(file.c_str(), &st) == 0 && st.st_size > 0) {
        return absl::DataLossError(absl::StrCat("cannot write to ", day->dir, ": ", file,
                                                " has data but ", kMetadataFileName,
                                                " is missing; its files are left untouched"));
      }
    }
    if (!create) return nullptr;
    absl::Status s = CreateDirectories(day->dir, options_.sync);
    if (!s.ok()) return s;
    Step("day_dir_created");
    // Empty metadata before any column data, so that column data without
    // metadata can only mean damage from outside, never a crash of ours.
    s = WriteFileAtomically(meta_path, EncodeDayMetadata(day->meta), options_.sync);
    if (!s.ok()) return s;
    Step("day_metadata_created");
  }

  for (int file = 0; file < kNumFiles; ++file) {
    absl::StatusOr<File> f = File::OpenForWrite(absl::StrCat(day->dir, "/", DataFileName(file)));
    if (!f.ok()) return f.status();
    absl::StatusOr<uint64_t> size = f->Size();
    if (!size.ok()) return size.status();
    const uint64_t want = day->meta.file_sizes[file];
    if (*size < want) {
      return absl::DataLossError(absl::StrCat("cannot write to ", day->dir, ": ", f->path(),
                                              " is shorter (", *size, " bytes) than its metadata "
                                              "says (", want, "); its files are left untouched"));
    }
    if (*size > want) {
      absl::Status s = f->Truncate(want);  // the tail of an interrupted write
      if (!s.ok()) return s;
    }
    day->files[file] = std::move(*f);
  }
  BlockDecoder decoder;
  absl::Status loaded = LoadDayDictionary(day->dir, day->meta, &decoder, &day->dict);
  if (!loaded.ok() || !day->dict.BuildIndex()) {
    return absl::DataLossError(absl::StrCat("cannot write to ", day->dir, ": ", loaded.message(),
                                            "; its files are left untouched"));
  }
  OpenDay* result = day.get();
  days_[iface] = std::move(day);
  return result;
}

absl::StatusOr<bool> DbWriter::HasBlock(absl::string_view iface, int64_t time) {
  absl::Status s = ValidateInterfaceName(iface);
  if (s.ok()) s = ValidateBlockTime(time);
  if (!s.ok()) return s;
  absl::StatusOr<OpenDay*> day = Day(iface, time, /*create=*/false);
  if (!day.ok()) return day.status();
  return *day != nullptr && (*day)->meta.Find(time) >= 0;
}

absl::StatusOr<uint64_t> DbWriter::DeleteDay(absl::string_view iface, int64_t day_start) {
  absl::Status s = ValidateInterfaceName(iface);
  if (s.ok()) s = ValidateBlockTime(day_start);
  if (!s.ok()) return s;
  if (DayStart(day_start) != day_start) {
    return absl::InvalidArgumentError(absl::StrCat(day_start, " is not the start of a day"));
  }
  // The open files of that day must not be written again: they are about
  // to be unlinked.
  auto it = days_.find(iface);
  if (it != days_.end() && it->second->day_start == day_start) days_.erase(it);
  DayPartition day{std::string(iface), day_start, DayDirectory(path_, iface, day_start)};
  struct stat st;
  if (::stat(day.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::NotFoundError(absl::StrCat("no day partition ", day.dir));
  }
  return DeleteDayPartition(path_, day, options_.sync,
                            [this](absl::string_view step) { Step(step); });
}

absl::Status DbWriter::WriteBlock(absl::string_view iface, int64_t time,
                                  absl::Span<const flow::FlowRow> rows,
                                  const CaptureStats& capture) {
  absl::Status s = ValidateInterfaceName(iface);
  if (s.ok()) s = ValidateBlockTime(time);
  if (!s.ok()) return s;
  absl::StatusOr<OpenDay*> day_or = Day(iface, time, /*create=*/true);
  if (!day_or.ok()) return day_or.status();
  OpenDay& day = **day_or;
  if (day.meta.Find(time) >= 0) {
    return absl::AlreadyExistsError(
        absl::StrCat("block ", time, " of interface ", iface, " is already stored"));
  }
  const uint32_t dict_v4 = day.dict.v4_size(), dict_v6 = day.dict.v6_size();
  s = encoder_.Encode(time, rows, &day.dict);
  if (!s.ok()) return s;

  BlockInfo info;
  info.time = time;
  info.rows = encoder_.rows();
  info.v4_rows = encoder_.v4_rows();
  info.dict_v4_size = day.dict.v4_size();
  info.dict_v6_size = day.dict.v6_size();
  info.totals.traffic = encoder_.traffic();
  info.totals.flows_v4 = encoder_.v4_rows();
  info.totals.flows_v6 = encoder_.rows() - encoder_.v4_rows();
  info.totals.capture = capture;

  for (int file = 0; file < kNumFiles && s.ok(); ++file) {
    const absl::string_view data = encoder_.stored(file);
    const uint64_t offset = day.meta.file_sizes[file];
    info.extents[file] = {offset, uint32_t(data.size())};
    if (data.empty()) continue;
    s = day.files[file].WriteAt(offset, data);
    if (s.ok()) Step(absl::StrCat("appended:", DataFileName(file)));
  }
  if (s.ok() && options_.sync) {
    for (File& f : day.files) {
      s = f.Sync();
      if (!s.ok()) break;
    }
    if (s.ok()) Step("data_synced");
  }
  if (s.ok()) {
    DayMetadata next = day.meta;
    next.Add(info);
    bool renamed = false;
    s = WriteFileAtomically(absl::StrCat(day.dir, "/", kMetadataFileName),
                            EncodeDayMetadata(next), options_.sync, &renamed,
                            [this](absl::string_view step) { Step(absl::StrCat("metadata_", step)); });
    // Once renamed, the block is visible even if the directory sync failed:
    // its data must stay. The caller sees the error and may retry, which then
    // finds the block stored.
    if (renamed) day.meta = std::move(next);
    if (s.ok() || renamed) return s;
  }
  // The block is not visible; forget its addresses and give back the space
  // it took where possible. If truncating fails too, the next open of the
  // day cuts the tail off.
  day.dict.Truncate(dict_v4, dict_v6);
  for (int file = 0; file < kNumFiles; ++file) {
    (void)day.files[file].Truncate(day.meta.file_sizes[file]);
  }
  return s;
}

}  // namespace goprobe::godb
