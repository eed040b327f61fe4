#ifndef GOPROBE_LIB_GODB_RETENTION_H_
#define GOPROBE_LIB_GODB_RETENTION_H_

// Deleting whole day partitions while readers run (FORMAT.md, "Deleting a
// day"). Which days to delete is the store's policy; this is the mechanism:
//
//   1. rename <db>/<iface>/YYYY/MM/DD to <db>/.deleted/<unique name>: one
//      atomic step that takes the whole day out of the readers' namespace
//      (no interface is named with a leading dot, so readers never look
//      there);
//   2. fsync both parent directories, so the day stays gone after a crash;
//   3. unlink its files and remove the directory, then the month and year
//      directories if they became empty.
//
// A reader that opened the day before step 1 keeps reading its open files
// (POSIX unlink semantics); one that opens it after sees no day; one caught
// in between finds the directory moved and treats the day as absent
// (DayReader::Open). A crash during step 3 leaves a directory in .deleted
// that RemoveDeletedLeftovers (called by DbWriter::Open) removes.
//
// Only the holder of the database's lock deletes: use DbWriter::DeleteDay,
// which also forgets the writer's open files of that day.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/godb/db_reader.h"

namespace goprobe::godb {

// Where deleted days wait for their files to be removed: <db>/.deleted.
inline constexpr absl::string_view kDeletedDirectoryName = ".deleted";

// A day partition and the disk space its files take.
struct StoredDay {
  DayPartition partition;
  uint64_t bytes = 0;
};

// Disk space taken by the regular files directly in `dir`: allocated blocks
// (what `du` counts), since that is what fills a disk. 0 if `dir` is gone.
uint64_t DirectoryBytes(const std::string& dir);

// Every day partition of every interface, oldest first, days of equal date
// by interface name. NotFound if the database does not exist.
absl::StatusOr<std::vector<StoredDay>> ListStoredDays(const DbReader& db);

// Deletes the day partition `day` of the database at `db` as described
// above and returns the disk space freed. `step` (if set) is called after
// each step ("deletion_renamed", "deletion_synced", "deletion_removed") for
// crash tests. NotFound if the day does not exist; an error after the rename
// still means the day is gone for readers (its remains are in .deleted).
absl::StatusOr<uint64_t> DeleteDayPartition(
    const std::string& db, const DayPartition& day, bool sync,
    const std::function<void(absl::string_view)>& step = nullptr);

// Removes everything in <db>/.deleted (days whose deletion a crash
// interrupted) and returns the disk space freed.
absl::StatusOr<uint64_t> RemoveDeletedLeftovers(const std::string& db);

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_RETENTION_H_
