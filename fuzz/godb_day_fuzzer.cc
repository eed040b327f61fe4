// Fuzzes reading one goDB day partition from disk: the metadata decoder,
// loading the address dictionary chunk by chunk (holes for bad chunks), and
// decoding every column of every block through DayReader, as a query does
// (godb_input.h has the input format).
//
// The parts are written as files into a directory made once per process;
// a missing part leaves its file absent. With kFixChecksums the metadata's
// checksum, and the checksum of each block the metadata lists, are rewritten
// first. A block that reads must come back with the metadata's row counts.

#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "fuzz/check.h"
#include "fuzz/godb_input.h"
#include "lib/godb/block.h"
#include "lib/godb/column.h"
#include "lib/godb/day_metadata.h"
#include "lib/godb/db_reader.h"

namespace {

using goprobe::fuzz::Check;

using goprobe::godb::DayMetadata;
using goprobe::godb::kNumFiles;

const std::string& DayDir() {
  static const std::string* dir = [] {
    const char* tmp = getenv("TEST_TMPDIR");
    std::string pattern = std::string(tmp ? tmp : "/tmp") + "/godb_day_fuzzer.XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      perror("godb_day_fuzzer: mkdtemp");
      abort();
    }
    return new std::string(pattern);
  }();
  return *dir;
}

std::string PathOf(int part) {
  return DayDir() + "/" +
         std::string(part == 0 ? goprobe::godb::kMetadataFileName
                               : goprobe::godb::DataFileName(part - 1));
}

void WriteOrRemove(int part, const std::string* bytes) {
  const std::string path = PathOf(part);
  if (bytes == nullptr) {
    unlink(path.c_str());
    return;
  }
  // A failure here is the harness's environment (disk, descriptors), not a
  // finding: say which, and stop the run.
  FILE* f = fopen(path.c_str(), "wb");
  if (f == nullptr || fwrite(bytes->data(), 1, bytes->size(), f) != bytes->size() ||
      fclose(f) != 0) {
    perror(("godb_day_fuzzer: writing " + path).c_str());
    abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t flags = data[0];
  absl::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string parts[goprobe::fuzz::kNumDayParts];
  bool present[goprobe::fuzz::kNumDayParts] = {};
  for (int i = 0; i < goprobe::fuzz::kNumDayParts; ++i) {
    absl::string_view part;
    if (!goprobe::fuzz::NextPart(&in, &part)) break;
    parts[i].assign(part.data(), part.size());
    present[i] = true;
  }

  int64_t day_start = 0;
  if (flags & goprobe::fuzz::kFixChecksums) {
    goprobe::fuzz::FixMetadataChecksum(&parts[0]);
    auto meta = goprobe::godb::DecodeDayMetadata(parts[0]);
    if (meta.ok()) {
      for (const auto& block : meta->blocks) {
        for (int f = 0; f < kNumFiles; ++f) {
          const auto& e = block.extents[f];
          std::string& file = parts[1 + f];
          if (e.size >= 8 && e.offset <= file.size() && e.size <= file.size() - e.offset) {
            goprobe::fuzz::FixBlockChecksum(file.data() + e.offset, e.size);
          }
        }
      }
    }
  }
  // The reader checks the directory's day against the metadata's; take it
  // from the metadata when it decodes so that check passes.
  auto meta = goprobe::godb::DecodeDayMetadata(parts[0]);
  if (meta.ok()) day_start = meta->day_start;
  for (int i = 0; i < goprobe::fuzz::kNumDayParts; ++i) {
    WriteOrRemove(i, present[i] ? &parts[i] : nullptr);
  }

  goprobe::godb::DayPartition day{"eth0", day_start, DayDir()};
  auto reader = goprobe::godb::DayReader::Open(day);
  if (!reader.ok()) return 0;
  const DayMetadata& m = (*reader)->metadata();
  goprobe::godb::BlockColumns columns;
  for (size_t i = 0; i < m.blocks.size(); ++i) {
    if ((*reader)->ReadBlock(i, goprobe::godb::ColumnSet::All(), &columns).ok()) {
      Check(columns.rows == m.blocks[i].rows && columns.v4_rows == m.blocks[i].v4_rows);
      Check(columns.sip4.size() == columns.v4_rows && columns.dport.size() == columns.rows &&
            columns.pkts_sent.size() == columns.rows);
    }
  }
  return 0;
}
