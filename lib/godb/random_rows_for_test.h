#ifndef GOPROBE_LIB_GODB_RANDOM_ROWS_FOR_TEST_H_
#define GOPROBE_LIB_GODB_RANDOM_ROWS_FOR_TEST_H_

// Random flow rows for goDB's tests: unique keys, both families, counters of
// every magnitude (so every bit width and patch path is exercised).

#include <cstdint>
#include <random>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "lib/flow/flow.h"

namespace goprobe::godb {

inline std::vector<flow::FlowRow> RandomRows(size_t n, double v6_share, uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto counter = [&rng]() -> uint64_t {
    switch (rng() % 4) {
      case 0: return 0;
      case 1: return rng() % 16;
      case 2: return rng() % 100000;
      default: return rng() >> (rng() % 64);
    }
  };
  absl::flat_hash_set<flow::FlowKey> seen;
  std::vector<flow::FlowRow> rows;
  while (rows.size() < n) {
    flow::FlowRow r;
    if (std::uniform_real_distribution<double>(0, 1)(rng) < v6_share) {
      uint8_t s[16] = {0x20, 0x01, 0x0d, 0xb8}, d[16] = {0xfe, 0x80};
      for (int i = 4; i < 16; ++i) s[i] = uint8_t(rng() % 4);
      for (int i = 8; i < 16; ++i) d[i] = uint8_t(rng());
      r.key.sip = flow::IpAddress::V6(s);
      r.key.dip = flow::IpAddress::V6(d);
    } else {
      r.key.sip = flow::IpAddress::V4(0x0a000000u | uint32_t(rng() % 64));
      r.key.dip = flow::IpAddress::V4(uint32_t(rng()));
    }
    r.key.proto = uint8_t(rng() % 3 == 0 ? 17 : 6);
    r.key.dport = uint16_t(rng() % 2 ? 443 : rng());
    r.counters = {counter(), counter(), counter(), counter()};
    if (seen.insert(r.key).second) rows.push_back(r);
  }
  return rows;
}

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_RANDOM_ROWS_FOR_TEST_H_
