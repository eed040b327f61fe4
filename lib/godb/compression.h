#ifndef GOPROBE_LIB_GODB_COMPRESSION_H_
#define GOPROBE_LIB_GODB_COMPRESSION_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::godb {

// The general-purpose compressor applied to each encoded column block. The
// value is stored in the block header and must never change.
enum class Codec : uint8_t {
  kNone = 0,
  kLz4 = 1,
  kZstd = 2,
};

// "none", "lz4", "zstd".
absl::string_view CodecName(Codec codec);
absl::StatusOr<Codec> ParseCodec(absl::string_view name);

// Compresses `raw` with `codec` into *out (replacing its contents) and returns
// the codec actually used: kNone when compression would not save at least an
// eighth, since decompressing then costs more than reading the extra bytes.
Codec Compress(Codec codec, int zstd_level, absl::string_view raw, std::string* out);

// Decompresses `stored` into out[0..raw_size). out must hold raw_size bytes.
// Fails (DataLoss) unless exactly raw_size bytes come out.
absl::Status Decompress(Codec codec, absl::string_view stored, char* out, size_t raw_size);

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_COMPRESSION_H_
