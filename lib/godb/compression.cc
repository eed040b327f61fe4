#include "lib/godb/compression.h"

#include <lz4.h>
#include <zstd.h>

#include <cstring>
#include <memory>

#include "absl/strings/str_cat.h"

namespace goprobe::godb {

absl::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNone: return "none";
    case Codec::kLz4: return "lz4";
    case Codec::kZstd: return "zstd";
  }
  return "unknown";
}

absl::StatusOr<Codec> ParseCodec(absl::string_view name) {
  for (Codec c : {Codec::kNone, Codec::kLz4, Codec::kZstd}) {
    if (name == CodecName(c)) return c;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown compression \"", name, "\" (want none, lz4 or zstd)"));
}

Codec Compress(Codec codec, int zstd_level, absl::string_view raw, std::string* out) {
  out->clear();
  const size_t worth_it = raw.size() - raw.size() / 8;
  if (codec == Codec::kLz4 && raw.size() <= LZ4_MAX_INPUT_SIZE) {
    out->resize(LZ4_compressBound(int(raw.size())));
    const int n = LZ4_compress_default(raw.data(), out->data(), int(raw.size()), int(out->size()));
    if (n > 0 && size_t(n) < worth_it) {
      out->resize(n);
      return Codec::kLz4;
    }
  } else if (codec == Codec::kZstd) {
    out->resize(ZSTD_compressBound(raw.size()));
    const size_t n = ZSTD_compress(out->data(), out->size(), raw.data(), raw.size(), zstd_level);
    if (!ZSTD_isError(n) && n < worth_it) {
      out->resize(n);
      return Codec::kZstd;
    }
  }
  out->assign(raw.data(), raw.size());
  return Codec::kNone;
}

absl::Status Decompress(Codec codec, absl::string_view stored, char* out, size_t raw_size) {
  switch (codec) {
    case Codec::kNone:
      if (stored.size() != raw_size) break;
      std::memcpy(out, stored.data(), raw_size);
      return absl::OkStatus();
    case Codec::kLz4: {
      if (stored.size() > LZ4_MAX_INPUT_SIZE || raw_size > LZ4_MAX_INPUT_SIZE) break;
      const int n = LZ4_decompress_safe(stored.data(), out, int(stored.size()), int(raw_size));
      if (n >= 0 && size_t(n) == raw_size) return absl::OkStatus();
      break;
    }
    case Codec::kZstd: {
      // A context per thread, not per block: creating one costs more than
      // decompressing a small block.
      thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(),
                                                                          ZSTD_freeDCtx);
      const size_t n = ZSTD_decompressDCtx(ctx.get(), out, raw_size, stored.data(), stored.size());
      if (!ZSTD_isError(n) && n == raw_size) return absl::OkStatus();
      break;
    }
  }
  return absl::DataLossError(absl::StrCat(CodecName(codec), " data does not decompress to ",
                                          raw_size, " bytes"));
}

}  // namespace goprobe::godb
