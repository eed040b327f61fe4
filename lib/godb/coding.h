#ifndef GOPROBE_LIB_GODB_CODING_H_
#define GOPROBE_LIB_GODB_CODING_H_

// Little-endian fixed-width and LEB128 variable-width integers: the byte-level
// vocabulary of every goDB file (see FORMAT.md).

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"

namespace goprobe::godb {

inline void PutFixed16(std::string* dst, uint16_t v) {
  const char b[2] = {char(v), char(v >> 8)};
  dst->append(b, 2);
}
inline void PutFixed32(std::string* dst, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = char(v >> (8 * i));
  dst->append(b, 4);
}
inline void PutFixed64(std::string* dst, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = char(v >> (8 * i));
  dst->append(b, 8);
}

inline uint16_t DecodeFixed16(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return uint16_t(u[0] | u[1] << 8);
}
inline uint32_t DecodeFixed32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16 | uint32_t(u[3]) << 24;
}
inline uint64_t DecodeFixed64(const char* p) {
  return uint64_t(DecodeFixed32(p)) | uint64_t(DecodeFixed32(p + 4)) << 32;
}

// LEB128: 7 bits a byte, least significant group first, high bit = more.
// Works for any unsigned T up to 128 bits (at most 19 bytes).
template <typename T>
void PutVarint(std::string* dst, T v) {
  char buf[19];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = char(static_cast<uint8_t>(v) | 0x80);
    v >>= 7;
  }
  buf[n++] = char(static_cast<uint8_t>(v));
  dst->append(buf, n);
}

// Number of bytes PutVarint writes for v.
template <typename T>
int VarintLength(T v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

template <typename T>
bool GetVarintSlow(absl::string_view* in, T* value) {
  constexpr int kMaxBits = sizeof(T) * 8;
  T result = 0;
  const char* p = in->data();
  const char* limit = p + in->size();
  for (int shift = 0; shift < kMaxBits && p < limit; shift += 7) {
    const uint8_t byte = static_cast<uint8_t>(*p++);
    const T group = T(byte & 0x7f);
    // Bits that would fall off the top mean the encoder wrote a larger type.
    if (shift > 0 && kMaxBits - shift < 7 && (group >> (kMaxBits - shift)) != 0) return false;
    result |= group << shift;
    if ((byte & 0x80) == 0) {
      in->remove_prefix(p - in->data());
      *value = result;
      return true;
    }
  }
  return false;
}

// Reads a varint from the front of *in and advances it. Returns false, leaving
// *in unspecified, if the input ends inside the varint or the value does not
// fit in T: corrupt input never reads out of bounds.
template <typename T>
inline __attribute__((always_inline)) bool GetVarint(absl::string_view* in, T* value) {
  // Most varints in goDB are one byte (run lengths, small deltas); that case
  // is inlined at every call site, the rest is not.
  if (!in->empty() && static_cast<uint8_t>((*in)[0]) < 0x80) {
    *value = T(static_cast<uint8_t>((*in)[0]));
    in->remove_prefix(1);
    return true;
  }
  return GetVarintSlow(in, value);
}

// A varint read in place: the value, and the byte after it (null when the
// read failed).
struct VarintRead {
  const char* next;
  uint64_t value;
};

// ReadVarint64 past its inline cases: the long addresses of the day
// dictionary take this path for most entries.
__attribute__((noinline)) inline VarintRead ReadVarint64Slow(const char* p, const char* limit) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && p < limit; shift += 7) {
    const uint64_t byte = static_cast<uint8_t>(*p++);
    // The tenth byte holds bit 63 only; anything more was not a uint64_t.
    if (shift == 63 && byte > 1) break;
    result |= (byte & 0x7f) << shift;
    if (byte < 0x80) return {p, result};
  }
  return {nullptr, 0};
}

// GetVarint<uint64_t> for the tightest loops: reads the varint at p, which
// must end by `limit`, and fails as GetVarint does. Values of one and two
// bytes are decoded inline, and the result is returned rather than written
// through pointers, so the caller's position stays in a register.
inline __attribute__((always_inline)) VarintRead ReadVarint64(const char* p, const char* limit) {
  if (limit - p >= 2) {
    const uint8_t b0 = static_cast<uint8_t>(p[0]);
    if (b0 < 0x80) return {p + 1, b0};
    const uint8_t b1 = static_cast<uint8_t>(p[1]);
    if (b1 < 0x80) return {p + 2, uint64_t(b0 & 0x7f) | uint64_t(b1) << 7};
  }
  return ReadVarint64Slow(p, limit);
}

// Consumes n bytes from the front of *in into *out; false if fewer remain.
inline bool GetBytes(absl::string_view* in, size_t n, absl::string_view* out) {
  if (in->size() < n) return false;
  *out = in->substr(0, n);
  in->remove_prefix(n);
  return true;
}

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_CODING_H_
