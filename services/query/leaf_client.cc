#include "services/query/leaf_client.h"

#include "absl/strings/str_cat.h"
#include "lib/rpc/api_keys.h"

namespace goprobe::query {

std::unique_ptr<v1::Query::Stub> LeafClient::Stub(const Peer& peer) const {
  const std::string key = absl::StrCat(peer.address, "\n", peer.name);
  std::shared_ptr<grpc::Channel> channel;
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(key);
    if (it != cache_.end()) {
      channel = it->second;
    } else {
      if (cache_.size() >= kMaxCachedChannels) cache_.clear();
      channel = channels_.Connect(peer.address, peer.name);
      cache_.emplace(key, channel);
    }
  }
  return v1::Query::NewStub(channel);
}

void LeafClient::Prepare(grpc::ClientContext* context, absl::Duration timeout) const {
  rpc::AddApiKey(api_key_, context);
  context->set_deadline(absl::ToChronoTime(absl::Now() + timeout));
}

}  // namespace goprobe::query
