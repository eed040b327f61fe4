#ifndef GOPROBE_LIB_GODB_ADDRESS_DICTIONARY_H_
#define GOPROBE_LIB_GODB_ADDRESS_DICTIONARY_H_

// The addresses of one day partition, shared by its sip and dip columns
// (FORMAT.md, "Address dictionary"). Columns store each address as its index
// here; the dictionary grows by one chunk per block, holding the addresses
// that block was first to use. The same hosts talk all day, so a day's
// dictionary is a small fraction of its blocks' addresses: this is most of
// what makes goDB smaller than per-block compression can.
//
// IPv4 and IPv6 addresses are numbered separately, each from 0 in order of
// first appearance (within a chunk, ascending). A chunk that cannot be read
// leaves a hole of known size: blocks that use an index in a hole cannot be
// decoded, blocks that do not are unaffected.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace goprobe::godb {

class AddressDictionary {
 public:
  uint32_t v4_size() const { return uint32_t(v4_.size()); }
  uint32_t v6_size() const { return uint32_t(v6_.size()); }
  const uint32_t* v4_values() const { return v4_.data(); }
  const absl::uint128* v6_values() const { return v6_.data(); }

  // --- Writing -------------------------------------------------------------

  // Builds the address-to-index maps the writing methods need, for a
  // dictionary read from disk. Fails (false) if it has holes: a day whose
  // dictionary is damaged is not written to.
  bool BuildIndex();

  // Index of an address that is present (the writer's lookups; needs the
  // index built or every address added through AddMissing).
  uint32_t Index(uint32_t v4) const { return index4_.find(v4)->second; }
  uint32_t Index(absl::uint128 v6) const { return index6_.find(v6)->second; }

  // Adds the addresses among `candidates` that are not present yet, in
  // ascending order, and appends just those to *added (sorted ascending).
  void AddMissing(absl::Span<const uint32_t> candidates, std::vector<uint32_t>* added);
  void AddMissing(absl::Span<const absl::uint128> candidates, std::vector<absl::uint128>* added);

  // Forgets every address numbered at or above the given sizes: undoes the
  // additions of a block that was not stored.
  void Truncate(uint32_t v4_size, uint32_t v6_size);

  // Encodes a chunk: sorted v4 addresses as varint deltas, sorted v6
  // addresses as the delta of their upper 64 bits and their lower 64 bits
  // (delta-coded too when the upper halves are equal), because real IPv6
  // addresses are a routing prefix plus an interface id.
  static void EncodeChunk(absl::Span<const uint32_t> v4, absl::Span<const absl::uint128> v6,
                          std::string* dst);

  // --- Reading -------------------------------------------------------------

  // Appends a chunk of n4 + n6 addresses decoded from `in`, which must hold
  // exactly that chunk. Returns false on anything an encoder could not have
  // written; the dictionary is then unchanged.
  bool AppendChunk(absl::string_view in, uint32_t n4, uint32_t n6);
  // Appends n4 + n6 placeholder entries for a chunk that cannot be read.
  void AppendHole(uint32_t n4, uint32_t n6);

  // Whether any index in [0, n) of `indices` falls in a hole.
  bool TouchesHole4(const uint32_t* indices, size_t n) const;
  bool TouchesHole6(const uint32_t* indices, size_t n) const;

 private:
  struct Range {
    uint32_t begin, end;
  };
  static bool Touches(const std::vector<Range>& holes, const uint32_t* indices, size_t n);

  std::vector<uint32_t> v4_;
  std::vector<absl::uint128> v6_;
  absl::flat_hash_map<uint32_t, uint32_t> index4_;
  absl::flat_hash_map<absl::uint128, uint32_t> index6_;
  std::vector<Range> holes4_, holes6_;
};

}  // namespace goprobe::godb

#endif  // GOPROBE_LIB_GODB_ADDRESS_DICTIONARY_H_
