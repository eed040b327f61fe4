#include "lib/godb/column_codec.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>
#include <type_traits>

#include "absl/container/flat_hash_map.h"
#include "lib/godb/bit_packing.h"
#include "lib/godb/coding.h"

namespace goprobe::godb {
namespace {

template <typename T>
constexpr size_t kWidth = std::is_same_v<T, absl::uint128> ? 16 : sizeof(T);

template <typename T>
constexpr T kMaxValue = std::numeric_limits<T>::max();  // absl specializes it for uint128

template <typename T>
void PutPlain(std::string* dst, T v) {
  char buf[16];
  for (size_t i = 0; i < kWidth<T>; ++i) buf[i] = char(static_cast<uint8_t>(v >> (8 * i)));
  dst->append(buf, kWidth<T>);
}

template <typename T>
T GetPlain(const char* p) {
  T v = 0;
  for (size_t i = 0; i < kWidth<T>; ++i) v |= T(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

// Maps each distinct value to its position in the sorted dictionary. Narrow
// types use a direct table; wide ones a hash map.
template <typename T, typename Enable = void>
class DictIndex {
 public:
  explicit DictIndex(const std::vector<T>& dict) {
    index_.reserve(dict.size());
    for (uint32_t i = 0; i < dict.size(); ++i) index_.emplace(dict[i], i);
  }
  uint32_t operator[](T v) const { return index_.find(v)->second; }

 private:
  absl::flat_hash_map<T, uint32_t> index_;
};

template <typename T>
class DictIndex<T, std::enable_if_t<(sizeof(T) <= 2)>> {
 public:
  explicit DictIndex(const std::vector<T>& dict) : index_(size_t{1} << (8 * sizeof(T))) {
    for (uint32_t i = 0; i < dict.size(); ++i) index_[dict[i]] = i;
  }
  uint32_t operator[](T v) const { return index_[v]; }

 private:
  std::vector<uint32_t> index_;
};

template <typename T>
size_t DictBytes(const std::vector<T>& dict) {
  size_t bytes = 0;
  T prev = 0;
  for (size_t i = 0; i < dict.size(); ++i) {
    bytes += VarintLength(i == 0 ? dict[i] : T(dict[i] - prev));
    prev = dict[i];
  }
  return bytes;
}

template <typename T>
void PutDict(const std::vector<T>& dict, std::string* dst) {
  PutVarint(dst, uint64_t(dict.size()));
  T prev = 0;
  for (size_t i = 0; i < dict.size(); ++i) {
    PutVarint(dst, i == 0 ? dict[i] : T(dict[i] - prev));
    prev = dict[i];
  }
}

// Reads a dictionary of 1..max_size strictly increasing values into a
// scratch array padded with zeros to 2^BitLength(size-1) entries, so that any
// index of that many bits is in range without a per-row check.
template <typename T>
const T* GetDict(absl::string_view* in, size_t max_size, DecodeScratch* scratch,
                 size_t* size, int* index_bits) {
  uint64_t d;
  if (!GetVarint(in, &d) || d == 0 || d > max_size) return nullptr;
  const int bits = BitLength(d - 1);
  const size_t capacity = size_t{1} << bits;
  scratch->dict.resize(capacity * sizeof(T));
  T* dict = reinterpret_cast<T*>(scratch->dict.data());
  T prev = 0;
  for (size_t i = 0; i < d; ++i) {
    T v;
    if (!GetVarint(in, &v)) return nullptr;
    if (i > 0) {
      if (v == 0 || v > T(kMaxValue<T> - prev)) return nullptr;
      v = T(prev + v);
    }
    dict[i] = prev = v;
  }
  std::fill(dict + d, dict + capacity, T(0));
  *size = d;
  *index_bits = bits;
  return dict;
}

}  // namespace

template <typename T>
void EncodeKeyColumn(absl::Span<const T> values, bool sorted, std::string* dst) {
  const size_t n = values.size();
  const size_t plain_bytes = n * kWidth<T>;
  if (n == 0) {
    dst->push_back(char(ColumnEncoding::kPlain));
    return;
  }
  std::vector<T> dict;
  if (sorted) {
    for (size_t i = 0; i < n; ++i) {
      if (i == 0 || values[i] != values[i - 1]) dict.push_back(values[i]);
    }
  } else if constexpr (sizeof(T) <= 2) {
    // Ports and protocols: a presence table beats sorting a copy.
    std::vector<bool> present(size_t{1} << (8 * sizeof(T)));
    for (const T& v : values) present[v] = true;
    for (size_t v = 0; v < present.size(); ++v) {
      if (present[v]) dict.push_back(T(v));
    }
  } else {
    dict.assign(values.begin(), values.end());
    std::sort(dict.begin(), dict.end());
    dict.erase(std::unique(dict.begin(), dict.end()), dict.end());
  }
  const size_t dict_bytes = VarintLength(uint64_t(dict.size())) + DictBytes(dict);

  if (sorted) {
    std::vector<uint32_t> runs;
    runs.reserve(dict.size());
    size_t run_bytes = 0;
    for (size_t i = 0; i < n;) {
      size_t j = i + 1;
      while (j < n && values[j] == values[i]) ++j;
      runs.push_back(uint32_t(j - i));
      run_bytes += VarintLength(j - i);
      i = j;
    }
    if (dict_bytes + run_bytes < plain_bytes) {
      dst->push_back(char(ColumnEncoding::kDictSorted));
      PutDict(dict, dst);
      for (uint32_t r : runs) PutVarint(dst, r);
      return;
    }
  } else {
    const int bits = BitLength(dict.size() - 1);
    if (dict_bytes + PackedSize(n, bits) < plain_bytes) {
      dst->push_back(char(ColumnEncoding::kDictPacked));
      PutDict(dict, dst);
      const DictIndex<T> index(dict);
      std::vector<uint32_t> indices(n);
      for (size_t i = 0; i < n; ++i) indices[i] = index[values[i]];
      PackBits(indices.data(), n, bits, dst);
      return;
    }
  }
  dst->push_back(char(ColumnEncoding::kPlain));
  for (const T& v : values) PutPlain(dst, v);
}

template <typename T>
bool DecodeKeyColumn(absl::string_view* in, size_t n, T* out, DecodeScratch* scratch) {
  if (in->empty()) return false;
  const auto encoding = ColumnEncoding(static_cast<uint8_t>((*in)[0]));
  in->remove_prefix(1);
  switch (encoding) {
    case ColumnEncoding::kPlain: {
      absl::string_view bytes;
      if (n > in->size() / kWidth<T> || !GetBytes(in, n * kWidth<T>, &bytes)) return false;
      if constexpr (sizeof(T) == kWidth<T> && sizeof(T) > 1) {
        if (n > 0) std::memcpy(out, bytes.data(), bytes.size());  // little-endian host
      } else {
        for (size_t i = 0; i < n; ++i) out[i] = GetPlain<T>(bytes.data() + i * kWidth<T>);
      }
      return true;
    }
    case ColumnEncoding::kDictPacked: {
      size_t d;
      int bits;
      const T* dict = GetDict<T>(in, n, scratch, &d, &bits);
      if (dict == nullptr) return false;
      absl::string_view packed;
      if (!GetBytes(in, PackedSize(n, bits), &packed)) return false;
      if constexpr (sizeof(T) <= 2) {
        UnpackGather(packed.data(), n, bits, dict, out);
      } else {
        scratch->indices.resize(n);
        uint32_t* idx = scratch->indices.data();
        UnpackBits(packed.data(), n, bits, idx);
        for (size_t i = 0; i < n; ++i) out[i] = dict[idx[i]];
      }
      return true;
    }
    case ColumnEncoding::kDictSorted: {
      size_t d;
      int bits;
      const T* dict = GetDict<T>(in, n, scratch, &d, &bits);
      if (dict == nullptr) return false;
      size_t row = 0;
      for (size_t i = 0; i < d; ++i) {
        uint64_t run;
        if (!GetVarint(in, &run) || run == 0 || run > n - row) return false;
        std::fill(out + row, out + row + run, dict[i]);
        row += run;
      }
      return row == n;
    }
    default:
      return false;
  }
}

void EncodeIndexColumn(absl::Span<const uint32_t> indices, uint32_t dict_size, std::string* dst) {
  const size_t n = indices.size();
  const int bits = dict_size == 0 ? 0 : BitLength(dict_size - 1);
  std::vector<uint32_t> heads;
  std::vector<uint64_t> lengths;
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && indices[j] == indices[i]) ++j;
    heads.push_back(indices[i]);
    lengths.push_back(j - i);
    i = j;
  }
  std::string runs;
  PutVarint(&runs, uint64_t(heads.size()));
  PackBits(heads.data(), heads.size(), bits, &runs);
  EncodeCounterColumn(lengths, &runs);
  if (runs.size() < PackedSize(n, bits)) {
    dst->push_back(char(ColumnEncoding::kIndexRuns));
    dst->append(runs);
    return;
  }
  dst->push_back(char(ColumnEncoding::kIndexPacked));
  PackBits(indices.data(), n, bits, dst);
}

bool DecodeIndexColumn(absl::string_view* in, size_t n, uint32_t dict_size, uint32_t* out,
                       DecodeScratch* scratch) {
  if (in->empty() || (n > 0 && dict_size == 0)) return false;
  const auto encoding = ColumnEncoding(static_cast<uint8_t>((*in)[0]));
  in->remove_prefix(1);
  const int bits = dict_size == 0 ? 0 : BitLength(dict_size - 1);
  uint32_t max_index = 0;
  if (encoding == ColumnEncoding::kIndexPacked) {
    absl::string_view packed;
    if (!GetBytes(in, PackedSize(n, bits), &packed)) return false;
    UnpackBits(packed.data(), n, bits, out);
    for (size_t i = 0; i < n; ++i) max_index = std::max(max_index, out[i]);
  } else if (encoding == ColumnEncoding::kIndexRuns) {
    uint64_t runs;
    absl::string_view packed;
    if (!GetVarint(in, &runs) || runs > n || (n > 0 && runs == 0) ||
        !GetBytes(in, PackedSize(runs, bits), &packed)) {
      return false;
    }
    scratch->indices.resize(runs);
    uint32_t* heads = scratch->indices.data();
    UnpackBits(packed.data(), runs, bits, heads);
    scratch->lengths.resize(runs);
    uint64_t* lengths = scratch->lengths.data();
    if (!DecodeCounterColumn(in, runs, lengths)) return false;
    size_t row = 0;
    for (size_t r = 0; r < runs; ++r) {
      const uint64_t len = lengths[r];
      if (len == 0 || len > n - row) return false;
      const uint32_t head = heads[r];
      // Address runs are mostly a few rows long, and a loop per run
      // mispredicts its exit. Four values are stored at once instead, when
      // they fit; those past the run are overwritten by the next runs.
      if (len <= 4 && n - row >= 4) {
        const uint32_t four[4] = {head, head, head, head};
        std::memcpy(out + row, four, sizeof(four));
      } else {
        for (uint64_t k = 0; k < len; ++k) out[row + k] = head;
      }
      max_index = std::max(max_index, head);
      row += len;
    }
    if (row != n) return false;
  } else {
    return false;
  }
  return n == 0 || max_index < dict_size;
}

void EncodeCounterColumn(absl::Span<const uint64_t> values, std::string* dst) {
  const size_t n = values.size();
  std::array<size_t, 65> histogram{};
  for (uint64_t v : values) ++histogram[BitLength(v)];

  // Cost in bits of packing at width b, with every wider value patched by a
  // position delta (about one byte) and its high bits as a varint.
  int best_bits = 64;
  uint64_t best_cost = std::numeric_limits<uint64_t>::max();
  for (int b = 0; b <= 64; ++b) {
    uint64_t cost = uint64_t(n) * b;
    for (int len = b + 1; len <= 64; ++len) {
      cost += histogram[len] * 8 * (1 + (len - b + 6) / 7);
    }
    if (cost < best_cost) {
      best_cost = cost;
      best_bits = b;
    }
  }

  dst->push_back(char(ColumnEncoding::kPatchedPacked));
  dst->push_back(char(best_bits));
  PackBits(values.data(), n, best_bits, dst);
  size_t exceptions = 0;
  for (int len = best_bits + 1; len <= 64; ++len) exceptions += histogram[len];
  PutVarint(dst, uint64_t(exceptions));
  size_t prev = 0;
  for (size_t i = 0; i < n && exceptions > 0; ++i) {
    if (BitLength(values[i]) > best_bits) {
      PutVarint(dst, uint64_t(i - prev));
      PutVarint(dst, values[i] >> best_bits);
      prev = i;
    }
  }
}

bool DecodeCounterColumn(absl::string_view* in, size_t n, uint64_t* out,
                         const std::vector<uint32_t>* rows) {
  if (in->size() < 2 || ColumnEncoding(static_cast<uint8_t>((*in)[0])) !=
                            ColumnEncoding::kPatchedPacked) {
    return false;
  }
  const int bits = static_cast<uint8_t>((*in)[1]);
  in->remove_prefix(2);
  if (bits > 64) return false;
  absl::string_view packed;
  if (!GetBytes(in, PackedSize(n, bits), &packed)) return false;
  // Unpacking a chosen value costs several times what unpacking the next
  // one in a run does, so only sparse choices are unpacked one by one.
  if (rows != nullptr && rows->size() < n / 4) {
    UnpackBitsAt(packed.data(), bits, rows->data(), rows->size(), out);
  } else {
    UnpackBits(packed.data(), n, bits, out);
  }
  // Parsed through raw pointers, which stay in registers; *in, which the
  // compiler must assume out[] may alias, is written back once.
  const char* p = in->data();
  const char* const limit = p + in->size();
  const VarintRead count = ReadVarint64(p, limit);
  const uint64_t exceptions = count.value;
  if (count.next == nullptr || exceptions > n || (exceptions > 0 && bits == 64)) return false;
  p = count.next;
  size_t pos = 0;
  for (uint64_t e = 0; e < exceptions; ++e) {
    const VarintRead delta = ReadVarint64(p, limit);
    if (delta.next == nullptr) return false;
    const VarintRead high = ReadVarint64(delta.next, limit);
    if (high.next == nullptr) return false;
    p = high.next;
    if ((e > 0 && delta.value == 0) || delta.value >= n - pos) return false;
    pos += delta.value;
    // A patch must add bits the packed part could not hold, and keep them all.
    if (high.value == 0 || (bits > 0 && (high.value >> (64 - bits)) != 0)) return false;
    out[pos] |= high.value << bits;
  }
  in->remove_prefix(size_t(p - in->data()));
  return true;
}

template void EncodeKeyColumn<uint8_t>(absl::Span<const uint8_t>, bool, std::string*);
template void EncodeKeyColumn<uint16_t>(absl::Span<const uint16_t>, bool, std::string*);
template void EncodeKeyColumn<uint32_t>(absl::Span<const uint32_t>, bool, std::string*);
template void EncodeKeyColumn<absl::uint128>(absl::Span<const absl::uint128>, bool,
                                             std::string*);
template bool DecodeKeyColumn<uint8_t>(absl::string_view*, size_t, uint8_t*, DecodeScratch*);
template bool DecodeKeyColumn<uint16_t>(absl::string_view*, size_t, uint16_t*, DecodeScratch*);
template bool DecodeKeyColumn<uint32_t>(absl::string_view*, size_t, uint32_t*, DecodeScratch*);
template bool DecodeKeyColumn<absl::uint128>(absl::string_view*, size_t, absl::uint128*,
                                             DecodeScratch*);

}  // namespace goprobe::godb
