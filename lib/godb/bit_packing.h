#ifndef GOPROBE_LIB_GODB_BIT_PACKING_H_
#define GOPROBE_LIB_GODB_BIT_PACKING_H_

// Fixed-width bit packing: value i occupies bits [i*b, (i+1)*b) of a
// little-endian bit stream (least significant bit first). Used for dictionary
// indices and for the low bits of counters (FORMAT.md, "Bit packing").

#include <cstddef>
#include <cstdint>
#include <string>

namespace goprobe::godb {

// Unpacking loads whole 64-bit words, so the input must stay readable this
// many bytes past the packed data. Decoding buffers are allocated with it.
inline constexpr size_t kUnpackPadding = 16;

inline size_t PackedSize(size_t n, int bits) { return (n * size_t(bits) + 7) / 8; }

// Number of significant bits of v: 0 for 0, 64 for values with the top bit set.
inline int BitLength(uint64_t v) { return v == 0 ? 0 : 64 - __builtin_clzll(v); }

// Appends the low `bits` bits (0..64) of each of values[0..n) to *dst.
void PackBits(const uint64_t* values, size_t n, int bits, std::string* dst);
void PackBits(const uint32_t* values, size_t n, int bits, std::string* dst);

// Decodes n values of width `bits` (0..64; 0..32 for the 32-bit form) from in.
// Requires PackedSize(n, bits) + kUnpackPadding readable bytes at in.
void UnpackBits(const char* in, size_t n, int bits, uint64_t* out);
void UnpackBits(const char* in, size_t n, int bits, uint32_t* out);

// Decodes n indices of width `bits` (0..32) from in, as UnpackBits does,
// and writes out[i] = dict[index i]: one pass instead of unpacking into a
// buffer and reading it back. dict must hold 2^bits entries, so that every
// index is in range.
void UnpackGather(const char* in, size_t n, int bits, const uint8_t* dict, uint8_t* out);
void UnpackGather(const char* in, size_t n, int bits, const uint16_t* dict, uint16_t* out);

// Decodes only the values at positions rows[0..count) of a packed sequence
// of width `bits` (0..64), into out[rows[k]]; other elements of out are
// untouched. A position must be within the packed sequence, which must be
// followed by kUnpackPadding readable bytes.
void UnpackBitsAt(const char* in, int bits, const uint32_t* rows, size_t count, uint64_t* out);

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_BIT_PACKING_H_
