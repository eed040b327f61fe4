#include "lib/godb/address_dictionary.h"

#include <algorithm>

#include "lib/godb/coding.h"

namespace goprobe::godb {
namespace {

template <typename T, typename Map>
void AddMissingImpl(absl::Span<const T> candidates, std::vector<T>& values, Map& index,
                    std::vector<T>* added) {
  const size_t first = added->size();
  for (const T& v : candidates) {
    if (!index.contains(v)) {
      index.emplace(v, 0);  // numbered below, once sorted
      added->push_back(v);
    }
  }
  std::sort(added->begin() + first, added->end());
  for (size_t i = first; i < added->size(); ++i) {
    index[(*added)[i]] = uint32_t(values.size());
    values.push_back((*added)[i]);
  }
}

}  // namespace

void AddressDictionary::AddMissing(absl::Span<const uint32_t> candidates,
                                   std::vector<uint32_t>* added) {
  AddMissingImpl(candidates, v4_, index4_, added);
}

void AddressDictionary::AddMissing(absl::Span<const absl::uint128> candidates,
                                   std::vector<absl::uint128>* added) {
  AddMissingImpl(candidates, v6_, index6_, added);
}

bool AddressDictionary::BuildIndex() {
  if (!holes4_.empty() || !holes6_.empty()) return false;
  index4_.clear();
  index6_.clear();
  index4_.reserve(v4_.size());
  index6_.reserve(v6_.size());
  for (uint32_t i = 0; i < v4_.size(); ++i) index4_.emplace(v4_[i], i);
  for (uint32_t i = 0; i < v6_.size(); ++i) index6_.emplace(v6_[i], i);
  return true;
}

void AddressDictionary::Truncate(uint32_t v4_size, uint32_t v6_size) {
  for (size_t i = v4_size; i < v4_.size(); ++i) index4_.erase(v4_[i]);
  for (size_t i = v6_size; i < v6_.size(); ++i) index6_.erase(v6_[i]);
  v4_.resize(std::min<size_t>(v4_size, v4_.size()));
  v6_.resize(std::min<size_t>(v6_size, v6_.size()));
}

void AddressDictionary::EncodeChunk(absl::Span<const uint32_t> v4,
                                    absl::Span<const absl::uint128> v6, std::string* dst) {
  uint32_t prev4 = 0;
  for (size_t i = 0; i < v4.size(); ++i) {
    PutVarint(dst, v4[i] - (i == 0 ? 0 : prev4));
    prev4 = v4[i];
  }
  uint64_t prev_hi = 0, prev_lo = 0;
  for (size_t i = 0; i < v6.size(); ++i) {
    const uint64_t hi = absl::Uint128High64(v6[i]);
    const uint64_t lo = absl::Uint128Low64(v6[i]);
    const uint64_t hi_delta = hi - (i == 0 ? 0 : prev_hi);
    PutVarint(dst, hi_delta);
    PutVarint(dst, i > 0 && hi_delta == 0 ? lo - prev_lo : lo);
    prev_hi = hi;
    prev_lo = lo;
  }
}

bool AddressDictionary::AppendChunk(absl::string_view in, uint32_t n4, uint32_t n6) {
  const size_t old4 = v4_.size(), old6 = v6_.size();
  auto fail = [&] {
    v4_.resize(old4);
    v6_.resize(old6);
    return false;
  };
  // Read through raw pointers with ReadVarint64: a day's dictionary is
  // loaded by every query that groups by or filters on an address.
  const char* p = in.data();
  const char* const limit = p + in.size();
  uint32_t prev4 = 0;
  for (uint32_t i = 0; i < n4; ++i) {
    const VarintRead delta = ReadVarint64(p, limit);
    if (delta.next == nullptr || delta.value > UINT32_MAX) return fail();
    if (i > 0 && (delta.value == 0 || delta.value > UINT32_MAX - prev4)) return fail();
    prev4 = i == 0 ? uint32_t(delta.value) : prev4 + uint32_t(delta.value);
    v4_.push_back(prev4);
    p = delta.next;
  }
  uint64_t prev_hi = 0, prev_lo = 0;
  for (uint32_t i = 0; i < n6; ++i) {
    const VarintRead hi_delta = ReadVarint64(p, limit);
    if (hi_delta.next == nullptr) return fail();
    const VarintRead lo_read = ReadVarint64(hi_delta.next, limit);
    if (lo_read.next == nullptr) return fail();
    p = lo_read.next;
    if (i > 0 && hi_delta.value > UINT64_MAX - prev_hi) return fail();
    const uint64_t hi = i == 0 ? hi_delta.value : prev_hi + hi_delta.value;
    uint64_t lo = lo_read.value;
    if (i > 0 && hi_delta.value == 0) {
      if (lo == 0 || lo > UINT64_MAX - prev_lo) return fail();
      lo += prev_lo;
    }
    v6_.push_back(absl::MakeUint128(hi, lo));
    prev_hi = hi;
    prev_lo = lo;
  }
  if (p != limit) return fail();
  return true;
}

void AddressDictionary::AppendHole(uint32_t n4, uint32_t n6) {
  if (n4 > 0) holes4_.push_back({v4_size(), v4_size() + n4});
  if (n6 > 0) holes6_.push_back({v6_size(), v6_size() + n6});
  v4_.resize(v4_.size() + n4);
  v6_.resize(v6_.size() + n6);
}

bool AddressDictionary::Touches(const std::vector<Range>& holes, const uint32_t* indices,
                                size_t n) {
  for (const Range& h : holes) {
    for (size_t i = 0; i < n; ++i) {
      if (indices[i] >= h.begin && indices[i] < h.end) return true;
    }
  }
  return false;
}

bool AddressDictionary::TouchesHole4(const uint32_t* indices, size_t n) const {
  return Touches(holes4_, indices, n);
}

bool AddressDictionary::TouchesHole6(const uint32_t* indices, size_t n) const {
  return Touches(holes6_, indices, n);
}

}  // namespace goprobe::godb
