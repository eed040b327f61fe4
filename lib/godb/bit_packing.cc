#include "lib/godb/bit_packing.h"

#include <array>
#include <cstring>
#include <utility>

namespace goprobe::godb {
namespace {

inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));  // goDB is little-endian on disk and x86/ARM hosts
  return v;
}

template <typename T>
void PackGeneric(const T* values, size_t n, int bits, std::string* dst) {
  if (bits == 0) return;
  const size_t start = dst->size();
  dst->resize(start + PackedSize(n, bits));
  auto* out = reinterpret_cast<uint8_t*>(&(*dst)[start]);
  const unsigned __int128 mask =
      bits == 64 ? ~uint64_t{0} : (static_cast<unsigned __int128>(1) << bits) - 1;
  unsigned __int128 acc = 0;
  int acc_bits = 0;
  for (size_t i = 0; i < n; ++i) {
    acc |= (unsigned __int128)(values[i] & mask) << acc_bits;
    acc_bits += bits;
    while (acc_bits >= 8) {
      *out++ = uint8_t(acc);
      acc >>= 8;
      acc_bits -= 8;
    }
  }
  if (acc_bits > 0) *out++ = uint8_t(acc);
}

// Calls put(i, value) for the n values of width kBits at in. One
// instantiation per width lets the compiler turn the shifts and masks into
// constants and unroll: this loop is the hot path of column decoding.
template <int kBits, typename Put>
inline __attribute__((always_inline)) void UnpackWith(const char* in, size_t n, Put put) {
  constexpr uint64_t kMask = kBits == 64 ? ~uint64_t{0} : (uint64_t{1} << kBits) - 1;
  if constexpr (kBits == 0) {
    for (size_t i = 0; i < n; ++i) put(i, 0);
  } else if constexpr (kBits <= 57) {
    size_t i = 0;
    // Eight values span exactly kBits bytes, so the byte offsets repeat.
    for (; i + 8 <= n; i += 8) {
      const char* base = in + (i / 8) * kBits;
#pragma GCC unroll 8
      for (int j = 0; j < 8; ++j) {
        const size_t bit = size_t(j) * kBits;
        put(i + j, (Load64(base + bit / 8) >> (bit % 8)) & kMask);
      }
    }
    for (; i < n; ++i) {
      const size_t bit = i * kBits;
      put(i, (Load64(in + bit / 8) >> (bit % 8)) & kMask);
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      const size_t bit = i * kBits;
      const int shift = int(bit % 8);
      uint64_t v = Load64(in + bit / 8) >> shift;
      if (shift != 0) v |= Load64(in + bit / 8 + 8) << (64 - shift);
      put(i, v & kMask);
    }
  }
}

template <int kBits, typename T>
void UnpackFixed(const char* in, size_t n, T* out) {
  if constexpr (kBits == 0) {
    if (n > 0) std::memset(out, 0, n * sizeof(T));  // out may be null when n is 0
  } else {
    UnpackWith<kBits>(in, n, [out](size_t i, uint64_t v) { out[i] = T(v); });
  }
}

template <int kBits, typename T>
void UnpackGatherFixed(const char* in, size_t n, const T* dict, T* out) {
  UnpackWith<kBits>(in, n, [dict, out](size_t i, uint64_t v) { out[i] = dict[v]; });
}

template <typename T, size_t... kBits>
constexpr auto MakeUnpackTable(std::index_sequence<kBits...>) {
  using Fn = void (*)(const char*, size_t, T*);
  return std::array<Fn, sizeof...(kBits)>{&UnpackFixed<int(kBits), T>...};
}

template <typename T, size_t... kBits>
constexpr auto MakeGatherTable(std::index_sequence<kBits...>) {
  using Fn = void (*)(const char*, size_t, const T*, T*);
  return std::array<Fn, sizeof...(kBits)>{&UnpackGatherFixed<int(kBits), T>...};
}

const auto kUnpack64 = MakeUnpackTable<uint64_t>(std::make_index_sequence<65>());
const auto kUnpack32 = MakeUnpackTable<uint32_t>(std::make_index_sequence<33>());
const auto kGather8 = MakeGatherTable<uint8_t>(std::make_index_sequence<33>());
const auto kGather16 = MakeGatherTable<uint16_t>(std::make_index_sequence<33>());

}  // namespace

void PackBits(const uint64_t* values, size_t n, int bits, std::string* dst) {
  PackGeneric(values, n, bits, dst);
}
void PackBits(const uint32_t* values, size_t n, int bits, std::string* dst) {
  PackGeneric(values, n, bits, dst);
}

void UnpackBits(const char* in, size_t n, int bits, uint64_t* out) { kUnpack64[bits](in, n, out); }

void UnpackBitsAt(const char* in, int bits, const uint32_t* rows, size_t count, uint64_t* out) {
  if (bits == 0) {
    for (size_t k = 0; k < count; ++k) out[rows[k]] = 0;
    return;
  }
  const uint64_t mask = bits == 64 ? ~uint64_t{0} : (uint64_t{1} << bits) - 1;
  for (size_t k = 0; k < count; ++k) {
    const size_t bit = size_t(rows[k]) * size_t(bits);
    const int shift = int(bit % 8);
    // A value starts in its first byte and spans at most 9 bytes.
    uint64_t v = Load64(in + bit / 8) >> shift;
    if (shift != 0 && bits > 64 - shift) v |= Load64(in + bit / 8 + 8) << (64 - shift);
    out[rows[k]] = v & mask;
  }
}
void UnpackBits(const char* in, size_t n, int bits, uint32_t* out) { kUnpack32[bits](in, n, out); }

void UnpackGather(const char* in, size_t n, int bits, const uint8_t* dict, uint8_t* out) {
  kGather8[bits](in, n, dict, out);
}
void UnpackGather(const char* in, size_t n, int bits, const uint16_t* dict, uint16_t* out) {
  kGather16[bits](in, n, dict, out);
}

}  // namespace goprobe::godb
