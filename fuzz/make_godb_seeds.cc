// Writes seeds for the goDB fuzzers from a small database it writes itself:
//
//   make_godb_seeds OUT_DIR block|day
//
// One day per codec (none, LZ4, zstd), three blocks of random rows of both
// families each (so dictionary chunks, bit widths and patches all occur).
// `block` writes one seed per stored block of every data file, `day` one per
// day (godb_input.h has both formats). Seeds are written at test time, never
// committed.

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "absl/strings/str_cat.h"
#include "fuzz/godb_input.h"
#include "lib/godb/block.h"
#include "lib/godb/day_metadata.h"
#include "lib/godb/db_writer.h"
#include "lib/godb/layout.h"
#include "lib/godb/random_rows_for_test.h"

namespace {

using goprobe::godb::Codec;

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

bool WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
  return bool(out);
}

int Fail(const std::string& what) {
  fprintf(stderr, "make_godb_seeds: %s\n", what.c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || (std::string(argv[2]) != "block" && std::string(argv[2]) != "day")) {
    fprintf(stderr, "usage: %s OUT_DIR block|day\n", argv[0]);
    return 2;
  }
  const std::string out_dir = argv[1];
  const bool day_seeds = std::string(argv[2]) == "day";
  const int64_t day_start = 1'700'006'400;  // 2023-11-15 00:00 UTC
  int written = 0;
  for (Codec codec : {Codec::kNone, Codec::kLz4, Codec::kZstd}) {
    const std::string db = absl::StrCat(out_dir, "/../godb-", int(codec));
    goprobe::godb::WriterOptions options;
    options.codec = codec;
    options.sync = false;
    auto writer = goprobe::godb::DbWriter::Open(db, options);
    if (!writer.ok()) return Fail(writer.status().ToString());
    for (int b = 0; b < 3; ++b) {
      auto rows = goprobe::godb::RandomRows(5 + 20 * b, 0.3, 7 * b + int(codec));
      absl::Status s = (*writer)->WriteBlock("eth0", day_start + 300 * (b + 1), rows, {});
      if (!s.ok()) return Fail(s.ToString());
    }
    const std::string dir = goprobe::godb::DayDirectory(db, "eth0", day_start);
    std::string meta_bytes;
    if (!ReadFile(dir + "/" + std::string(goprobe::godb::kMetadataFileName), &meta_bytes)) {
      return Fail("cannot read the metadata in " + dir);
    }
    std::string files[goprobe::godb::kNumFiles];
    for (int f = 0; f < goprobe::godb::kNumFiles; ++f) {
      ReadFile(dir + "/" + std::string(goprobe::godb::DataFileName(f)), &files[f]);
    }
    if (day_seeds) {
      std::string seed(1, char(goprobe::fuzz::kFixChecksums));
      goprobe::fuzz::AppendPart(meta_bytes, &seed);
      for (const std::string& f : files) goprobe::fuzz::AppendPart(f, &seed);
      if (!WriteFile(absl::StrCat(out_dir, "/day-", int(codec)), seed)) return Fail("write");
      ++written;
      continue;
    }
    auto meta = goprobe::godb::DecodeDayMetadata(meta_bytes);
    if (!meta.ok()) return Fail(meta.status().ToString());
    for (const auto& block : meta->blocks) {
      for (int f = 0; f < goprobe::godb::kNumFiles; ++f) {
        const auto& e = block.extents[f];
        if (e.size == 0 || e.offset + e.size > files[f].size()) continue;
        std::string seed(1, char(goprobe::fuzz::kFixChecksums));
        for (uint32_t n : {block.dict_v4_size, block.dict_v6_size}) {
          n = n > 0xffff ? 0xffff : n;
          seed.push_back(char(n & 0xff));
          seed.push_back(char(n >> 8));
        }
        seed.append(files[f], e.offset, e.size);
        if (!WriteFile(absl::StrCat(out_dir, "/block-", int(codec), "-", block.time, "-", f),
                       seed)) {
          return Fail("write");
        }
        ++written;
      }
    }
  }
  fprintf(stderr, "make_godb_seeds: %d seeds\n", written);
  return written > 0 ? 0 : 1;
}
