#ifndef GOPROBE_LIB_GODB_DB_WRITER_H_
#define GOPROBE_LIB_GODB_DB_WRITER_H_

#include <array>
#include <functional>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "lib/flow/flow.h"
#include "lib/godb/block.h"
#include "lib/godb/address_dictionary.h"
#include "lib/godb/block_codec.h"
#include "lib/godb/compression.h"
#include "lib/godb/day_metadata.h"
#include "lib/godb/posix_file.h"

namespace goprobe::godb {

struct WriterOptions {
  Codec codec = Codec::kLz4;
  int zstd_level = 3;
  // fsync data, metadata and directories. Off only for benchmarks and tests
  // that measure encoding alone.
  bool sync = true;
  // Called with a step name between every two steps that touch the disk
  // ("day_dir_created", "day_metadata_created", "appended:<file>",
  // "data_synced", "metadata_temp_written", "metadata_renamed",
  // "metadata_directory_synced"; DeleteDay: "deletion_renamed",
  // "deletion_synced", "deletion_removed"). For crash tests: a hook that kills the
  // process shows what a crash there leaves behind.
  std::function<void(absl::string_view step)> step_hook;
};

// The single writer of a goDB directory.
//
// Open takes <db>/LOCK; a second writer on the same directory, in this or
// another process, is refused until the first is destroyed or dies. It then
// removes the remains of day deletions a crash interrupted (retention.h).
//
// WriteBlock makes one five-minute block of one interface durable and visible
// atomically: column data and new addresses are appended and synced first, then the day's
// metadata is replaced by rename. A crash at any point leaves every
// previously written block readable and the new block either fully visible or
// absent; leftover bytes of an interrupted append are cut off the next time
// the day is opened for writing.
//
// Not thread-safe: one thread writes (the store serialises its ingest).
class DbWriter {
 public:
  static absl::StatusOr<std::unique_ptr<DbWriter>> Open(const std::string& db_path,
                                                        WriterOptions options = {});

  // Stores `rows` as the block of `iface` at `time` (unix seconds). Rows may
  // come in any order; equal keys are merged. The metadata records the flow
  // and traffic totals computed from the rows, plus `capture`.
  // Errors: InvalidArgument (bad interface name or time, mixed families),
  // AlreadyExists (a block at this time exists: nothing is changed),
  // DataLoss (the day's existing metadata is unreadable: its files are left
  // untouched), and I/O errors naming the file (the block is not stored and
  // the database stays as it was).
  absl::Status WriteBlock(absl::string_view iface, int64_t time,
                          absl::Span<const flow::FlowRow> rows, const CaptureStats& capture);

  // Whether the block of `iface` at `time` is stored.
  absl::StatusOr<bool> HasBlock(absl::string_view iface, int64_t time);

  // Deletes the day partition of `iface` that starts at `day_start`
  // (retention.h): readers see all of the day or none of it, and a crash
  // leaves the same. Returns the disk space freed. NotFound if there is no
  // such day. A later WriteBlock into that day starts it afresh.
  absl::StatusOr<uint64_t> DeleteDay(absl::string_view iface, int64_t day_start);

  const std::string& path() const { return path_; }

 private:
  // The day partition an interface is currently writing to.
  struct OpenDay {
    int64_t day_start = 0;
    std::string dir;
    DayMetadata meta;
    AddressDictionary dict;
    std::array<File, kNumFiles> files;
  };

  DbWriter(std::string path, WriterOptions options, FileLock lock)
      : path_(std::move(path)), options_(std::move(options)), lock_(std::move(lock)),
        encoder_(options_.codec, options_.zstd_level) {}

  // The open day of `iface` containing `time`, opening it (and cutting off
  // leftovers of an interrupted write) if needed.
  absl::StatusOr<OpenDay*> Day(absl::string_view iface, int64_t time, bool create);
  void Step(absl::string_view name) {
    if (options_.step_hook) options_.step_hook(name);
  }

  std::string path_;
  WriterOptions options_;
  FileLock lock_;
  BlockEncoder encoder_;
  absl::flat_hash_map<std::string, std::unique_ptr<OpenDay>> days_;
};

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_DB_WRITER_H_
