#include "lib/godb/day_dictionary.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"

namespace goprobe::godb {

absl::Status LoadDayDictionary(const std::string& dir, const DayMetadata& meta,
                               BlockDecoder* decoder, AddressDictionary* dict) {
  return LoadDayDictionary(
      File::OpenForRead(absl::StrCat(dir, "/", DataFileName(kAddressDictionaryFile))), meta,
      decoder, dict);
}

absl::Status LoadDayDictionary(const absl::StatusOr<File>& file, const DayMetadata& meta,
                               BlockDecoder* decoder, AddressDictionary* dict) {
  std::vector<const BlockInfo*> chunks;
  for (const BlockInfo& b : meta.blocks) {
    if (b.extents[kAddressDictionaryFile].size > 0) chunks.push_back(&b);
  }
  std::sort(chunks.begin(), chunks.end(), [](const BlockInfo* a, const BlockInfo* b) {
    return a->extents[kAddressDictionaryFile].offset < b->extents[kAddressDictionaryFile].offset;
  });

  absl::Status first_problem;
  auto note = [&](absl::Status s) {
    if (first_problem.ok()) first_problem = std::move(s);
  };
  if (!file.ok() && !chunks.empty()) note(absl::DataLossError(file.status().message()));
  const std::string path =
      file.ok() ? file->path() : std::string(DataFileName(kAddressDictionaryFile));
  std::string buffer;
  for (const BlockInfo* b : chunks) {
    const Extent& e = b->extents[kAddressDictionaryFile];
    if (b->dict_v4_size < dict->v4_size() || b->dict_v6_size < dict->v6_size()) {
      note(absl::DataLossError(absl::StrCat(path, ": chunk at offset ", e.offset,
                                            " shrinks the dictionary")));
      break;
    }
    const uint32_t new4 = b->dict_v4_size - dict->v4_size();
    const uint32_t new6 = b->dict_v6_size - dict->v6_size();
    absl::Status s = file.ok() ? absl::OkStatus() : file.status();
    if (s.ok()) {
      buffer.resize(e.size);
      s = file->ReadAt(e.offset, e.size, buffer.data());
    }
    if (s.ok()) s = decoder->DecodeDictionaryChunk(buffer, *b, new4, new6, dict);
    if (!s.ok()) {
      note(absl::DataLossError(absl::StrCat(path, ": chunk of block ", b->time, " at offset ",
                                            e.offset, ": ", s.message())));
      dict->AppendHole(new4, new6);
    }
  }
  if (dict->v4_size() < meta.dict_v4_size || dict->v6_size() < meta.dict_v6_size) {
    dict->AppendHole(meta.dict_v4_size - std::min(meta.dict_v4_size, dict->v4_size()),
                     meta.dict_v6_size - std::min(meta.dict_v6_size, dict->v6_size()));
  }
  return first_problem;
}

}  // namespace goprobe::godb
