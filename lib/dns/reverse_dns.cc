#include "lib/dns/reverse_dns.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <thread>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"

namespace goprobe::dns {
namespace {

// Shared between the caller and the lookup threads, which may outlive the
// call when the budget runs out.
struct Work {
  absl::Mutex mu;
  std::vector<flow::IpAddress> queue;
  size_t next = 0;
  size_t done = 0;
  bool abandoned = false;
  AddressNames names;
};

void Worker(std::shared_ptr<Work> work, ReverseLookup lookup) {
  for (;;) {
    flow::IpAddress address;
    {
      absl::MutexLock lock(&work->mu);
      if (work->abandoned || work->next == work->queue.size()) return;
      address = work->queue[work->next++];
    }
    std::optional<std::string> name = lookup(address);
    absl::MutexLock lock(&work->mu);
    ++work->done;
    if (name && !work->abandoned) work->names.emplace(address, std::move(*name));
  }
}

}  // namespace

std::optional<std::string> SystemReverseLookup(const flow::IpAddress& address) {
  sockaddr_storage storage{};
  socklen_t length;
  if (address.is_v4()) {
    auto* in = reinterpret_cast<sockaddr_in*>(&storage);
    in->sin_family = AF_INET;
    std::memcpy(&in->sin_addr, address.data(), 4);
    length = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    std::memcpy(&in6->sin6_addr, address.data(), 16);
    length = sizeof(sockaddr_in6);
  }
  char host[NI_MAXHOST];
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&storage), length, host, sizeof(host), nullptr, 0,
                    NI_NAMEREQD) != 0) {
    return std::nullopt;
  }
  return std::string(host);
}

AddressNames ResolveAddresses(const std::vector<flow::IpAddress>& addresses,
                              const ReverseDnsOptions& options) {
  auto work = std::make_shared<Work>();
  absl::flat_hash_set<flow::IpAddress> seen;
  for (const flow::IpAddress& a : addresses) {
    if (seen.insert(a).second) work->queue.push_back(a);
  }
  if (work->queue.empty()) return {};
  const size_t threads =
      std::min<size_t>(work->queue.size(), size_t(std::max(1, options.parallel)));
  for (size_t i = 0; i < threads; ++i) std::thread(Worker, work, options.lookup).detach();

  const absl::Time deadline = absl::Now() + options.timeout;
  absl::MutexLock lock(&work->mu);
  const auto finished = [&work]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(work->mu) {
    return work->done == work->queue.size();
  };
  work->mu.AwaitWithDeadline(absl::Condition(&finished), deadline);
  work->abandoned = true;
  return work->names;
}

}  // namespace goprobe::dns
