#include "clients/goquery/remote_client.h"

#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/query/query_proto.h"
#include "lib/rpc/api_keys.h"
#include "proto/goprobe/v1/query.grpc.pb.h"

namespace goprobe::goquery {
namespace {

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(const RemoteServer& server) {
  if (server.address.empty()) return absl::InvalidArgumentError("--server: no address given");
  if (absl::Status s = rpc::CheckClientTlsAddress(server.address, server.tls); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("--tls: ", s.message()));
  }
  absl::StatusOr<rpc::ClientChannelFactory> factory = rpc::ClientChannelFactory::Create(server.tls);
  if (!factory.ok()) return absl::InvalidArgumentError(factory.status().message());
  std::shared_ptr<grpc::Channel> channel = factory->Connect(server.address);
  // A refused connection fails the call at once with gRPC's reason; a host
  // that does not answer at all would otherwise hold the call for gRPC's own
  // connect timeout, so wait here with ours.
  const auto deadline =
      std::chrono::system_clock::now() + absl::ToChronoMilliseconds(server.connect_timeout);
  for (grpc_connectivity_state state = channel->GetState(/*try_to_connect=*/true);
       state != GRPC_CHANNEL_READY && state != GRPC_CHANNEL_TRANSIENT_FAILURE &&
       state != GRPC_CHANNEL_SHUTDOWN;
       state = channel->GetState(true)) {
    if (!channel->WaitForStateChange(state, deadline)) {
      return absl::UnavailableError(absl::StrCat("no answer from goqueryd at ", server.address,
                                                 " within ",
                                                 absl::FormatDuration(server.connect_timeout)));
    }
  }
  return channel;
}

// gRPC's status as an absl status that names the server.
absl::Status FromGrpc(const grpc::Status& status, const RemoteServer& server) {
  const std::string& message = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return absl::OkStatus();
    case grpc::StatusCode::UNAVAILABLE:
      return absl::UnavailableError(
          absl::StrCat("cannot reach goqueryd at ", server.address, ": ", message));
    case grpc::StatusCode::UNAUTHENTICATED:
      return absl::UnauthenticatedError(
          absl::StrCat("goqueryd at ", server.address, " refused the request: ", message,
                       server.api_key.empty() ? "; give the key with --api-key-file"
                                              : "; check the key in --api-key-file"));
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::PermissionDeniedError(
          absl::StrCat("goqueryd at ", server.address, " refused the request: ", message));
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::DeadlineExceededError(absl::StrCat("the query timed out: ", message));
    case grpc::StatusCode::INVALID_ARGUMENT:
      return absl::InvalidArgumentError(message);
    case grpc::StatusCode::UNIMPLEMENTED:
      return absl::UnimplementedError(
          absl::StrCat(server.address, " does not answer queries (is it a goqueryd?): ", message));
    default:
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          absl::StrCat("goqueryd at ", server.address, ": ", message));
  }
}

void SetDeadline(absl::Time deadline, grpc::ClientContext* context) {
  if (deadline != absl::InfiniteFuture()) context->set_deadline(absl::ToChronoTime(deadline));
}

}  // namespace

absl::Status RunRemoteQuery(const RemoteServer& server, const v1::QueryRequest& request,
                            absl::Time deadline, AnswerSink* sink) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = Connect(server);
  if (!channel.ok()) return channel.status();
  std::unique_ptr<v1::Query::Stub> stub = v1::Query::NewStub(*channel);
  grpc::ClientContext context;
  SetDeadline(deadline, &context);
  rpc::AddApiKey(server.api_key, &context);
  std::unique_ptr<grpc::ClientReader<v1::QueryResponse>> reader = stub->Run(&context, request);

  absl::Status failed;  // a sink's or a decoding error: ends the call early
  bool summary = false;
  v1::QueryResponse message;
  while (failed.ok() && reader->Read(&message)) {
    switch (message.kind_case()) {
      case v1::QueryResponse::kRows: {
        absl::StatusOr<std::vector<query::ResultRow>> rows = query::RowsFromChunk(message.rows());
        failed =
            rows.ok()
                ? sink->OnRows(std::move(*rows))
                : absl::DataLossError(absl::StrCat("goqueryd at ", server.address,
                                                   " sent bad rows: ", rows.status().message()));
        break;
      }
      case v1::QueryResponse::kProgress:
        sink->OnProgress(message.progress());
        break;
      case v1::QueryResponse::kHostStatus:
        sink->OnHostStatus(message.host_status());
        break;
      case v1::QueryResponse::kSummary:
        summary = true;
        failed = sink->OnSummary(message.summary());
        break;
      case v1::QueryResponse::KIND_NOT_SET:
        break;  // a newer server's message kind: nothing to show for it
    }
  }
  if (!failed.ok()) {
    context.TryCancel();
    reader->Finish();
    return failed;
  }
  absl::Status status = FromGrpc(reader->Finish(), server);
  if (status.ok() && !summary) {
    return absl::DataLossError(
        absl::StrCat("goqueryd at ", server.address, " ended the answer without a summary"));
  }
  return status;
}

absl::StatusOr<RemoteInterfaces> ListRemoteInterfaces(const RemoteServer& server,
                                                      const v1::InterfaceSelector& selector,
                                                      int64_t first, int64_t last,
                                                      absl::Time deadline) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = Connect(server);
  if (!channel.ok()) return channel.status();
  std::unique_ptr<v1::Query::Stub> stub = v1::Query::NewStub(*channel);
  grpc::ClientContext context;
  SetDeadline(deadline, &context);
  rpc::AddApiKey(server.api_key, &context);
  v1::QueryListInterfacesRequest request;
  request.set_first(first);
  request.set_last(last);
  *request.mutable_interfaces() = selector;
  v1::QueryListInterfacesResponse response;
  absl::Status status = FromGrpc(stub->ListInterfaces(&context, request, &response), server);
  if (!status.ok()) return status;
  RemoteInterfaces out;
  out.interfaces.assign(response.interfaces().begin(), response.interfaces().end());
  out.hosts.assign(response.hosts().begin(), response.hosts().end());
  return out;
}

absl::StatusOr<std::string> ReadClientApiKey(const std::string& path) {
  absl::StatusOr<std::vector<std::string>> keys = rpc::LoadApiKeys(path);
  if (!keys.ok()) return keys.status();
  return keys->front();
}

}  // namespace goprobe::goquery
