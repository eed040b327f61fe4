#include "lib/query/v6_address_ids.h"

namespace goprobe::query {

void V6AddressIds::Translate(const godb::AddressDictionary& dict, std::vector<uint32_t>* ids) {
  const size_t from = ids->size();
  const size_t to = dict.v6_size();
  if (from >= to) return;
  ids->resize(to);
  const absl::uint128* values = dict.v6_values();
  absl::MutexLock lock(&mu_);
  for (size_t i = from; i < to; ++i) {
    auto [it, added] = ids_.try_emplace(values[i], uint32_t(addresses_.size()));
    if (added) addresses_.push_back(values[i]);
    (*ids)[i] = it->second;
  }
}

}  // namespace goprobe::query
