#ifndef GOPROBE_SERVICES_QUERY_PEER_SET_H_
#define GOPROBE_SERVICES_QUERY_PEER_SET_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::query {

// One leaf to ask: its gRPC address, and the name its TLS certificate must
// carry (the host name it was resolved from; empty for a unix socket or an
// address given as a literal IP).
struct Peer {
  std::string address;
  std::string name;
  bool operator==(const Peer& o) const { return address == o.address && name == o.name; }
};

// The leaves a root goqueryd fans out to, as configured: "host:port",
// "[v6]:port" or "unix:/path" entries. A host name that resolves to several
// addresses stands for one leaf per address: a Kubernetes headless service
// names every pod of the DaemonSet that way.
class PeerSet {
 public:
  // Parses a comma-separated list. InvalidArgument names a malformed entry.
  static absl::StatusOr<PeerSet> Parse(absl::string_view list);

  // The leaves' gRPC addresses now, resolving names afresh (pods come and
  // go). A name that does not resolve is returned as-is, so the query reports
  // that leaf as failed rather than forgetting it.
  std::vector<Peer> Resolve() const;

  const std::vector<std::string>& entries() const { return entries_; }

 private:
  std::vector<std::string> entries_;
};

}  // namespace goprobe::query

#endif  // GOPROBE_SERVICES_QUERY_PEER_SET_H_
