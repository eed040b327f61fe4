#include "lib/ship/batch_spool.h"

#include <dirent.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "lib/godb/coding.h"
#include "lib/godb/posix_file.h"
#include "spdlog/spdlog.h"

namespace goprobe::ship {
namespace {

constexpr char kMagic[8] = {'G', 'P', 'S', 'P', 'O', 'O', 'L', '1'};
constexpr size_t kHeaderSize = 16;
constexpr absl::string_view kSuffix = ".batch";

absl::StatusOr<v1::FlowBatch> ParseBatchFile(const std::string& data, const std::string& path) {
  if (data.size() < kHeaderSize || !std::equal(kMagic, kMagic + 8, data.data())) {
    return absl::DataLossError(absl::StrCat(path, ": not a spooled batch"));
  }
  const uint32_t length = godb::DecodeFixed32(data.data() + 8);
  const uint32_t crc = godb::DecodeFixed32(data.data() + 12);
  if (data.size() != kHeaderSize + uint64_t(length)) {
    return absl::DataLossError(absl::StrCat(path, ": truncated"));
  }
  if (XXH32(data.data() + kHeaderSize, length, 0) != crc) {
    return absl::DataLossError(absl::StrCat(path, ": checksum mismatch"));
  }
  v1::FlowBatch batch;
  if (!batch.ParseFromArray(data.data() + kHeaderSize, int(length))) {
    return absl::DataLossError(absl::StrCat(path, ": unparseable batch"));
  }
  return batch;
}

}  // namespace

absl::StatusOr<std::unique_ptr<BatchSpool>> BatchSpool::Open(const std::string& dir,
                                                             uint64_t max_bytes) {
  absl::Status s = godb::CreateDirectories(dir, /*sync=*/true);
  if (!s.ok()) return s;
  auto spool = std::unique_ptr<BatchSpool>(new BatchSpool(dir, max_bytes));
  s = spool->Load();
  if (!s.ok()) return s;
  return spool;
}

std::string BatchSpool::PathOf(uint64_t sequence) const {
  return absl::StrFormat("%s/%020d%s", dir_, sequence, kSuffix);
}

absl::Status BatchSpool::Load() {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::string> seq_text = godb::ReadFileToString(dir_ + "/SEQUENCE");
  if (seq_text.ok()) {
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(*seq_text), &last_sequence_)) {
      return absl::DataLossError(absl::StrCat(dir_, "/SEQUENCE: not a number"));
    }
  } else if (!absl::IsNotFound(seq_text.status())) {
    return seq_text.status();
  }
  DIR* d = ::opendir(dir_.c_str());
  if (d == nullptr) return godb::ErrnoStatus("list", dir_, errno);
  std::vector<std::string> names;
  while (const dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
  ::closedir(d);
  for (const std::string& name : names) {
    absl::string_view stem = name;
    uint64_t sequence;
    if (!absl::ConsumeSuffix(&stem, kSuffix) || !absl::SimpleAtoi(stem, &sequence)) {
      if (absl::EndsWith(name, ".tmp")) ::unlink((dir_ + "/" + name).c_str());  // a crash mid-write
      continue;
    }
    const std::string path = dir_ + "/" + name;
    absl::StatusOr<std::string> data = godb::ReadFileToString(path);
    absl::Status valid = data.ok() ? ParseBatchFile(*data, path).status() : data.status();
    if (!valid.ok()) {
      spdlog::error("spool: {}; moved aside, not sent", std::string(valid.message()));
      std::rename(path.c_str(), (path + ".corrupt").c_str());
      ++corrupt_;
      continue;
    }
    files_[sequence] = data->size();
    bytes_ += data->size();
    last_sequence_ = std::max(last_sequence_, sequence);
  }
  return absl::OkStatus();
}

absl::StatusOr<uint64_t> BatchSpool::Add(v1::FlowBatch batch) {
  if (batch.part_count() > 1) {
    return absl::InvalidArgumentError("spool takes whole batches, not parts");
  }
  absl::MutexLock lock(&mu_);
  const uint64_t sequence = last_sequence_ + 1;
  batch.set_sequence(sequence);
  const std::string payload = batch.SerializeAsString();
  std::string data(kMagic, 8);
  godb::PutFixed32(&data, uint32_t(payload.size()));
  godb::PutFixed32(&data, XXH32(payload.data(), payload.size(), 0));
  data += payload;
  if (data.size() > max_bytes_) {
    return absl::ResourceExhaustedError(absl::StrCat("batch of ", data.size(),
                                                     " bytes is larger than the whole spool (",
                                                     max_bytes_, " bytes)"));
  }
  // The sequence is durable before any batch carries it, so a number is never
  // handed out twice.
  absl::Status s =
      godb::WriteFileAtomically(dir_ + "/SEQUENCE", absl::StrCat(sequence, "\n"), /*sync=*/true);
  if (!s.ok()) return s;
  last_sequence_ = sequence;
  while (!files_.empty() && bytes_ + data.size() > max_bytes_) {
    const auto oldest = files_.begin();
    ::unlink(PathOf(oldest->first).c_str());
    bytes_ -= oldest->second;
    ++dropped_;
    files_.erase(oldest);
  }
  s = godb::WriteFileAtomically(PathOf(sequence), data, /*sync=*/true);
  if (!s.ok()) return s;
  files_[sequence] = data.size();
  bytes_ += data.size();
  return sequence;
}

absl::StatusOr<v1::FlowBatch> BatchSpool::Next(uint64_t after) const {
  std::string path;
  {
    absl::MutexLock lock(&mu_);
    const auto it = files_.upper_bound(after);
    if (it == files_.end()) return absl::NotFoundError("spool has nothing newer");
    path = PathOf(it->first);
  }
  absl::StatusOr<std::string> data = godb::ReadFileToString(path);
  if (!data.ok()) return data.status();
  return ParseBatchFile(*data, path);
}

absl::Status BatchSpool::Remove(uint64_t sequence) {
  absl::MutexLock lock(&mu_);
  const auto it = files_.find(sequence);
  if (it == files_.end()) return absl::OkStatus();
  if (::unlink(PathOf(sequence).c_str()) != 0 && errno != ENOENT) {
    return godb::ErrnoStatus("remove", PathOf(sequence), errno);
  }
  bytes_ -= it->second;
  files_.erase(it);
  return absl::OkStatus();
}

size_t BatchSpool::depth() const {
  absl::MutexLock lock(&mu_);
  return files_.size();
}
uint64_t BatchSpool::bytes() const {
  absl::MutexLock lock(&mu_);
  return bytes_;
}
uint64_t BatchSpool::dropped_batches() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}
uint64_t BatchSpool::corrupt_files() const {
  absl::MutexLock lock(&mu_);
  return corrupt_;
}

}  // namespace goprobe::ship
