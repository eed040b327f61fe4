// grpc_health_check: asks a gRPC server's standard health service
// (grpc.health.v1.Health/Check) whether it is serving, as grpc_health_probe
// does, for gostore and goqueryd in supervisors and container health checks.
//
//   grpc_health_check [--service NAME] [--timeout SECONDS] [--tls ...] ADDR
//
// ADDR is host:port or unix:/path. Exit status: 0 SERVING; 1 answered, but
// not SERVING (or the service is unknown); 2 no answer (refused, timed out,
// bad TLS); 64 bad usage. One line on standard output says which.

#include <cstdio>
#include <string>

#include <grpcpp/grpcpp.h>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/rpc/tls.h"
#include "proto/grpc/health/v1/health.grpc.pb.h"

namespace {

constexpr int kServing = 0;
constexpr int kNotServing = 1;
constexpr int kNoAnswer = 2;
constexpr int kUsage = 64;

int Check(const std::string& address, const std::string& service, double timeout_seconds,
          const goprobe::rpc::ClientTlsOptions& tls) {
  absl::Status usable = goprobe::rpc::CheckClientTlsAddress(address, tls);
  if (!usable.ok()) {
    std::fprintf(stderr, "grpc_health_check: %s\n", std::string(usable.message()).c_str());
    return kUsage;
  }
  // sockaddr_un holds 108 bytes; gRPC reports a longer path only as a failed
  // channel.
  if (absl::StartsWith(address, "unix:") && address.size() - 5 > 107) {
    std::fprintf(stderr, "grpc_health_check: %s: unix socket path longer than 107 bytes\n",
                 address.c_str());
    return kUsage;
  }
  absl::StatusOr<goprobe::rpc::ClientChannelFactory> factory =
      goprobe::rpc::ClientChannelFactory::Create(tls);
  if (!factory.ok()) {
    std::fprintf(stderr, "grpc_health_check: %s\n", std::string(factory.status().message()).c_str());
    return kUsage;
  }
  auto stub = grpc::health::v1::Health::NewStub(factory->Connect(address));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(static_cast<int64_t>(timeout_seconds * 1000)));
  // Wait for the connection within the deadline instead of failing at once
  // while a service is still starting.
  context.set_wait_for_ready(true);
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  grpc::health::v1::HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  const std::string what = service.empty() ? address : absl::StrCat(address, " ", service);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    std::printf("%s: unknown service\n", what.c_str());
    return kNotServing;
  }
  if (!status.ok()) {
    std::printf("%s: no answer: %s\n", what.c_str(), status.error_message().c_str());
    return kNoAnswer;
  }
  std::printf("%s: %s\n", what.c_str(),
              grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status()).c_str());
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? kServing
                                                                             : kNotServing;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"grpc_health_check: is a gRPC server (gostore, goqueryd) serving? Exit 0 when "
               "SERVING, 1 when not, 2 when it does not answer."};
  std::string address;
  std::string service;
  double timeout_seconds = 5;
  goprobe::rpc::ClientTlsOptions tls;
  app.add_option("address", address, "host:port or unix:/path")->required();
  app.add_option("--service", service, "service to ask about (default: the whole server)");
  app.add_option("--timeout", timeout_seconds, "seconds to wait for an answer")
      ->check(CLI::Range(0.1, 3600.0));
  app.add_flag("--tls", tls.enabled, "TLS (TCP addresses only)");
  app.add_option("--tls-ca", tls.ca_file, "PEM CAs for the server's certificate (implies --tls)");
  app.add_option("--tls-cert", tls.cert_file, "PEM client certificate (implies --tls)");
  app.add_option("--tls-key", tls.key_file, "its PEM key");
  app.add_option("--tls-server-name", tls.server_name,
                 "name the server's certificate carries (implies --tls)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kUsage;
  }
  if (!tls.ca_file.empty() || !tls.cert_file.empty() || !tls.server_name.empty()) {
    tls.enabled = true;
  }
  return Check(address, service, timeout_seconds, tls);
}
