#ifndef GOPROBE_LIB_QUERY_V6_ADDRESS_IDS_H_
#define GOPROBE_LIB_QUERY_V6_ADDRESS_IDS_H_

// Numbers for the IPv6 addresses one query groups by, shared by its scanning
// threads. goDB numbers addresses per day (the day's address dictionary);
// the query needs one numbering across days so that a group key holds a
// 32-bit number instead of a 16-byte address. Each thread translates a day's
// dictionary once (Translate) and then keys rows by table lookups, which is
// far cheaper than hashing every row's addresses.

#include <cstdint>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/numeric/int128.h"
#include "absl/synchronization/mutex.h"
#include "lib/godb/address_dictionary.h"

namespace goprobe::query {

class V6AddressIds {
 public:
  // Appends to *ids the numbers of the dictionary's IPv6 addresses from
  // index ids->size() up to dict.v6_size(), numbering new addresses.
  // Thread-safe.
  void Translate(const godb::AddressDictionary& dict, std::vector<uint32_t>* ids);

  // The address numbered `id`. Not synchronised with Translate: call once
  // the scan is over.
  absl::uint128 Address(uint32_t id) const { return addresses_[id]; }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<absl::uint128, uint32_t> ids_ ABSL_GUARDED_BY(mu_);
  std::vector<absl::uint128> addresses_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_LIB_QUERY_V6_ADDRESS_IDS_H_
