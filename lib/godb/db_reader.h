#ifndef GOPROBE_LIB_GODB_DB_READER_H_
#define GOPROBE_LIB_GODB_DB_READER_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/godb/address_dictionary.h"
#include "lib/godb/block.h"
#include "lib/godb/block_codec.h"
#include "lib/godb/column.h"
#include "lib/godb/day_metadata.h"
#include "lib/godb/posix_file.h"

namespace goprobe::godb {

struct DayPartition {
  std::string iface;
  int64_t day_start = 0;
  std::string dir;
};

// Read access to a goDB directory. Takes no lock and never writes: readers
// run beside the writer and see only blocks whose metadata is complete.
// Thread-compatible: const methods may be called concurrently.
class DbReader {
 public:
  explicit DbReader(std::string db_path) : path_(std::move(db_path)) {}

  // Interface directories, sorted. NotFound if the database does not exist.
  absl::StatusOr<std::vector<std::string>> Interfaces() const;

  // Day partitions of `iface` that can hold blocks with times in
  // [first, last], in time order. Directories that are not days are ignored.
  absl::StatusOr<std::vector<DayPartition>> Days(absl::string_view iface, int64_t first,
                                                 int64_t last) const;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// One day partition opened for reading: its metadata, read and validated
// once, and every data file opened with it. Holding the files open is what
// makes retention (retention.h) safe: a reader sees the day exactly as it was
// when opened, whole, even if the day is deleted while it reads, and a day
// deleted while it is being opened is NotFound (absent), never damage.
// Not thread-safe; open one per scanning thread, or take Another() for a
// second thread that must see the same day.
class DayReader {
 public:
  // NotFound if the day has no metadata (nothing was ever completed in it)
  // or is gone (deleted by retention); DataLoss if the metadata is corrupt.
  // Messages name the file.
  static absl::StatusOr<std::unique_ptr<DayReader>> Open(const DayPartition& day);

  // A reader of the same opened day (metadata and files shared, not
  // reopened), for another thread: both see the same blocks whatever
  // happens to the directory meanwhile.
  std::unique_ptr<DayReader> Another() const;

  const DayPartition& day() const { return day_; }
  const DayMetadata& metadata() const { return *meta_; }

  // Decodes the columns in `columns` of block `index` into *out. A block that
  // is truncated or corrupt is DataLoss naming the file, the block time and
  // the offset; the reader stays usable for the other blocks. With
  // `selected` (ascending row numbers), only those rows of the address and
  // counter columns need be valid (BlockDecoder::Decode): a query reads the
  // columns its condition does not need for the rows it selected alone.
  absl::Status ReadBlock(size_t index, ColumnSet columns, BlockColumns* out,
                         const std::vector<uint32_t>* selected = nullptr);

  // The day's address dictionary, as far as it could be read: loaded by the
  // first ReadBlock that decodes sip or dip (empty before), then unchanged.
  // BlockColumns::sip6_index/dip6_index index its IPv6 addresses.
  const AddressDictionary& dictionary() const { return dict_; }

 private:
  // The data files as opened (or why they could not be); read with pread
  // only, so shared by every reader of the day.
  using DayFiles = std::array<absl::StatusOr<File>, kNumFiles>;

  DayReader(DayPartition day, std::shared_ptr<const DayMetadata> meta,
            std::shared_ptr<const DayFiles> files)
      : day_(std::move(day)), meta_(std::move(meta)), files_(std::move(files)) {}

  DayPartition day_;
  std::shared_ptr<const DayMetadata> meta_;
  std::shared_ptr<const DayFiles> files_;
  std::string buffer_;
  BlockDecoder decoder_;
  // Loaded on the first read of sip or dip; problems are kept so every block
  // that needs a damaged chunk can say why.
  bool dict_loaded_ = false;
  absl::Status dict_status_;
  AddressDictionary dict_;
};

// A block, a day or a file that a scan skipped, and why.
struct ScanProblem {
  std::string where;  // the file or directory
  int64_t block_time = -1;  // -1 when a whole day was skipped
  absl::Status status;
};

// Visits, in time order, every readable block of `iface` with a time in
// [first, last], decoding `columns`. Corrupt metadata or blocks are skipped
// and reported in *problems; only a failure to list the database is an
// error. `visit` may return false to stop early.
absl::Status ScanBlocks(const DbReader& db, absl::string_view iface, int64_t first, int64_t last,
                        ColumnSet columns,
                        const std::function<bool(const BlockInfo&, const BlockColumns&)>& visit,
                        std::vector<ScanProblem>* problems);

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_DB_READER_H_
