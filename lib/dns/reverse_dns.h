#ifndef GOPROBE_LIB_DNS_REVERSE_DNS_H_
#define GOPROBE_LIB_DNS_REVERSE_DNS_H_

// Reverse DNS names (goquery -r, QueryRequest.dns) for the addresses of the first rows, within
// a time budget, as goQuery's. Lookups run in parallel on a small pool of
// threads; whatever has not answered when the budget is spent is left out
// (its address is shown), and the lookups still running are abandoned to
// finish in the background, since getnameinfo cannot be cancelled.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "lib/flow/ip_address.h"

namespace goprobe::dns {

using AddressNames = absl::flat_hash_map<flow::IpAddress, std::string>;

// One reverse lookup; nullopt when there is no name. Must be thread-safe.
using ReverseLookup = std::function<std::optional<std::string>(const flow::IpAddress&)>;

// The system resolver (getnameinfo with NI_NAMEREQD: a name or nothing).
std::optional<std::string> SystemReverseLookup(const flow::IpAddress& address);

struct ReverseDnsOptions {
  absl::Duration timeout = absl::Seconds(1);
  int parallel = 16;
  ReverseLookup lookup = SystemReverseLookup;
};

// Names for the distinct addresses in `addresses`, as far as they answered
// within options.timeout.
AddressNames ResolveAddresses(const std::vector<flow::IpAddress>& addresses,
                              const ReverseDnsOptions& options);

}  // namespace goprobe::dns

#endif  // GOPROBE_LIB_DNS_REVERSE_DNS_H_
