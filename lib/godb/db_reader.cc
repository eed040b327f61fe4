#include "lib/godb/db_reader.h"

#include <dirent.h>

#include <algorithm>
#include <cerrno>

#include "absl/strings/str_cat.h"
#include "lib/godb/bit_packing.h"
#include "lib/godb/day_dictionary.h"
#include "lib/godb/layout.h"

namespace goprobe::godb {
namespace {

// Names of the subdirectories of `dir`, sorted.
absl::StatusOr<std::vector<std::string>> ListDirectories(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return ErrnoStatus("list", dir, errno);
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) {
    const absl::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) names.emplace_back(name);
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> DbReader::Interfaces() const {
  absl::StatusOr<std::vector<std::string>> names = ListDirectories(path_);
  if (!names.ok()) return names.status();
  std::vector<std::string> ifaces;
  for (std::string& n : *names) {
    if (ValidateInterfaceName(n).ok()) ifaces.push_back(std::move(n));
  }
  return ifaces;
}

absl::StatusOr<std::vector<DayPartition>> DbReader::Days(absl::string_view iface, int64_t first,
                                                         int64_t last) const {
  absl::Status s = ValidateInterfaceName(iface);
  if (!s.ok()) return s;
  std::vector<DayPartition> days;
  const std::string base = absl::StrCat(path_, "/", iface);
  absl::StatusOr<std::vector<std::string>> years = ListDirectories(base);
  if (!years.ok()) return years.status();
  for (const std::string& y : *years) {
    absl::StatusOr<std::vector<std::string>> months = ListDirectories(absl::StrCat(base, "/", y));
    if (!months.ok()) continue;  // not a directory we own
    for (const std::string& m : *months) {
      absl::StatusOr<std::vector<std::string>> ds =
          ListDirectories(absl::StrCat(base, "/", y, "/", m));
      if (!ds.ok()) continue;
      for (const std::string& d : *ds) {
        const std::optional<int64_t> start = ParseDay(y, m, d);
        if (!start || *start + kSecondsPerDay <= first || *start > last) continue;
        days.push_back({std::string(iface), *start, absl::StrCat(base, "/", y, "/", m, "/", d)});
      }
    }
  }
  std::sort(days.begin(), days.end(),
            [](const DayPartition& a, const DayPartition& b) { return a.day_start < b.day_start; });
  return days;
}

absl::StatusOr<std::unique_ptr<DayReader>> DayReader::Open(const DayPartition& day) {
  // Everything is opened through the directory's descriptor, then the
  // directory is checked to still be where it was: retention renames a day
  // away before deleting its files (FORMAT.md, "Deleting a day"), so a day
  // that is still in place after the last open was complete when opened.
  absl::StatusOr<File> dir = File::OpenDirectory(day.dir);
  if (!dir.ok()) return dir.status();
  absl::StatusOr<File> meta_file = File::OpenForReadAt(*dir, kMetadataFileName);
  if (!meta_file.ok()) return meta_file.status();
  absl::StatusOr<uint64_t> size = meta_file->Size();
  if (!size.ok()) return size.status();
  std::string data(*size, '\0');
  absl::Status s = meta_file->ReadAt(0, data.size(), data.data());
  if (!s.ok()) return s;
  auto files = std::make_shared<DayFiles>();
  for (int f = 0; f < kNumFiles; ++f) (*files)[f] = File::OpenForReadAt(*dir, DataFileName(f));
  absl::StatusOr<bool> in_place = dir->IsAt(day.dir);
  if (!in_place.ok()) return in_place.status();
  if (!*in_place) return absl::NotFoundError(absl::StrCat(day.dir, " was deleted while opened"));

  absl::StatusOr<DayMetadata> meta = DecodeDayMetadata(data);
  if (!meta.ok()) {
    return absl::DataLossError(absl::StrCat(meta_file->path(), ": ", meta.status().message()));
  }
  if (meta->day_start != day.day_start) {
    return absl::DataLossError(
        absl::StrCat(meta_file->path(), ": metadata is for another day (", meta->day_start, ")"));
  }
  return std::unique_ptr<DayReader>(new DayReader(
      day, std::make_shared<const DayMetadata>(std::move(*meta)), std::move(files)));
}

std::unique_ptr<DayReader> DayReader::Another() const {
  return std::unique_ptr<DayReader>(new DayReader(day_, meta_, files_));
}

absl::Status DayReader::ReadBlock(size_t index, ColumnSet columns, BlockColumns* out,
                                  const std::vector<uint32_t>* selected) {
  const BlockInfo& b = meta_->blocks.at(index);
  out->time = b.time;
  out->rows = b.rows;
  out->v4_rows = b.v4_rows;
  if (!dict_loaded_ && (columns.Has(Column::kSip) || columns.Has(Column::kDip))) {
    dict_status_ = LoadDayDictionary((*files_)[kAddressDictionaryFile], *meta_, &decoder_, &dict_);
    dict_loaded_ = true;
  }
  for (Column c : kAllColumns) {
    if (!columns.Has(c)) continue;
    const absl::StatusOr<File>& f = (*files_)[uint8_t(c)];
    if (!f.ok()) {
      return absl::DataLossError(absl::StrCat("block ", b.time, ": ", f.status().message()));
    }
    const Extent& e = b.extents[uint8_t(c)];
    // Padded, and never shrunk (growing a string zero-fills): uncompressed
    // columns, counters mostly, are then decoded where they were read.
    if (buffer_.size() < e.size + kUnpackPadding) buffer_.resize(e.size + kUnpackPadding);
    absl::Status s = f->ReadAt(e.offset, e.size, buffer_.data());
    if (s.ok()) {
      s = decoder_.Decode(absl::string_view(buffer_.data(), e.size), c, b, &dict_, out, selected,
                          /*stored_padded=*/true);
    }
    if (!s.ok()) {
      const bool dictionary_damage = !dict_status_.ok() && (c == Column::kSip || c == Column::kDip);
      return absl::DataLossError(absl::StrCat(f->path(), ": block ", b.time, " at offset ",
                                              e.offset, ": ", s.message(),
                                              dictionary_damage ? absl::StrCat(" (", dict_status_.message(), ")") : ""));
    }
  }
  return absl::OkStatus();
}

absl::Status ScanBlocks(const DbReader& db, absl::string_view iface, int64_t first, int64_t last,
                        ColumnSet columns,
                        const std::function<bool(const BlockInfo&, const BlockColumns&)>& visit,
                        std::vector<ScanProblem>* problems) {
  absl::StatusOr<std::vector<DayPartition>> days = db.Days(iface, first, last);
  if (!days.ok()) return days.status();
  BlockColumns cols;
  for (const DayPartition& day : *days) {
    absl::StatusOr<std::unique_ptr<DayReader>> reader = DayReader::Open(day);
    if (!reader.ok()) {
      // A day directory without metadata holds no complete block yet.
      if (!absl::IsNotFound(reader.status())) {
        problems->push_back({day.dir, -1, reader.status()});
      }
      continue;
    }
    const std::vector<BlockInfo>& blocks = (*reader)->metadata().blocks;
    for (size_t i = 0; i < blocks.size(); ++i) {
      if (blocks[i].time < first || blocks[i].time > last) continue;
      absl::Status s = (*reader)->ReadBlock(i, columns, &cols);
      if (!s.ok()) {
        problems->push_back({day.dir, blocks[i].time, s});
        continue;
      }
      if (!visit(blocks[i], cols)) return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

}  // namespace goprobe::godb
