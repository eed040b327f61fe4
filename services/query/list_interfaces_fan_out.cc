#include "services/query/list_interfaces_fan_out.h"

#include <algorithm>
#include <tuple>

#include "absl/container/flat_hash_set.h"

namespace goprobe::query {

ListInterfacesFanOut::ListInterfacesFanOut(std::vector<Peer> leaves,
                                           v1::QueryListInterfacesResponse* response)
    : leaves_(std::move(leaves)), response_(response), pending_(leaves_.size()) {}

ListInterfacesFanOut* ListInterfacesFanOut::Start(const LeafClient* client, std::vector<Peer> leaves,
                                                  const v1::QueryListInterfacesRequest& request,
                                                  v1::QueryListInterfacesResponse* response,
                                                  absl::Duration host_timeout) {
  auto* self = new ListInterfacesFanOut(std::move(leaves), response);
  if (self->leaves_.empty()) {
    self->Finish(grpc::Status::OK);
    return self;
  }
  // Every call exists before the first starts: a fast answer must not see
  // leaf_calls_ grow under it.
  for (const Peer& peer : self->leaves_) {
    auto call = std::make_unique<LeafCall>();
    call->stub = client->Stub(peer);
    client->Prepare(&call->context, host_timeout);
    self->leaf_calls_.push_back(std::move(call));
  }
  for (size_t i = 0; i < self->leaf_calls_.size(); ++i) {
    LeafCall* call = self->leaf_calls_[i].get();
    if (!self->calls_.Add(&call->context)) {
      self->LeafDone(i, grpc::Status(grpc::StatusCode::CANCELLED, "the listing was cancelled"));
      continue;
    }
    call->stub->async()->ListInterfaces(&call->context, &request, &call->response,
                                        [self, i](grpc::Status s) { self->LeafDone(i, s); });
  }
  return self;
}

void ListInterfacesFanOut::LeafDone(size_t i, grpc::Status status) {
  LeafCall* call = leaf_calls_[i].get();
  calls_.Remove(&call->context);
  call->status = std::move(status);
  if (--pending_ != 0) return;
  Assemble();
  Finish(grpc::Status::OK);
}

void ListInterfacesFanOut::Assemble() {
  absl::flat_hash_set<uint64_t> hosts_seen;
  for (size_t i = 0; i < leaves_.size(); ++i) {
    LeafCall& call = *leaf_calls_[i];
    if (!call.status.ok()) {
      v1::HostStatus* h = response_->add_hosts();
      h->set_address(leaves_[i].address);
      h->set_code(call.status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED
                      ? v1::HostStatus::CODE_TIMEOUT
                      : v1::HostStatus::CODE_ERROR);
      h->set_message(call.status.error_message());
      continue;
    }
    const uint64_t host_id =
        call.response.hosts_size() != 0 ? call.response.hosts(0).host_id() : 0;
    if (!hosts_seen.insert(host_id).second) continue;
    for (v1::HostStatus& h : *call.response.mutable_hosts()) {
      h.set_address(leaves_[i].address);
      *response_->add_hosts() = std::move(h);
    }
    for (v1::InterfaceSummary& s : *call.response.mutable_interfaces()) {
      *response_->add_interfaces() = std::move(s);
    }
  }
  std::sort(response_->mutable_interfaces()->begin(), response_->mutable_interfaces()->end(),
            [](const v1::InterfaceSummary& a, const v1::InterfaceSummary& b) {
              return std::tie(a.hostname(), a.iface()) < std::tie(b.hostname(), b.iface());
            });
}

}  // namespace goprobe::query
