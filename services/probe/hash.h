#ifndef GOPROBE_SERVICES_PROBE_HASH_H_
#define GOPROBE_SERVICES_PROBE_HASH_H_

#include <cstdint>
#include <cstring>

namespace goprobe::probe {

// Small, fast, non-cryptographic hashing for the per-packet tables. Not
// resistant to chosen inputs beyond what a random-looking mix gives; the
// tables bound their probe lengths by load, not by trusting the hash.

// A full-avalanche 64-bit finaliser (the one from MurmurHash3 / SplitMix64).
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

inline uint64_t Load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint32_t Load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// Hash of 4 or 16 address bytes, seeded.
inline uint64_t HashBytes(const uint8_t* p, int len, uint64_t seed) {
  if (len == 4) return Mix64(seed * 0x9e3779b97f4a7c15ULL + Load32(p));
  const uint64_t a = Mix64(seed * 0x9e3779b97f4a7c15ULL + Load64(p));
  return Mix64(a ^ Load64(p + 8));
}

}  // namespace goprobe::probe

#endif  // GOPROBE_SERVICES_PROBE_HASH_H_
