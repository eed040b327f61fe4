#include "lib/rpc/grpc_server.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "spdlog/spdlog.h"

namespace goprobe::rpc {

absl::Status ValidateListenAddress(absl::string_view address) {
  if (absl::StartsWith(address, "unix:")) {
    const absl::string_view path = address.substr(5);
    if (path.empty() || path[0] != '/') {
      return absl::InvalidArgumentError("want unix:/absolute/path for a unix socket");
    }
    return absl::OkStatus();
  }
  const size_t colon = address.rfind(':');
  int port;
  // An IPv6 address needs brackets, or its last group would read as the port.
  const bool bare_ipv6 = colon != absl::string_view::npos && address.front() != '[' &&
                         address.substr(0, colon).find(':') != absl::string_view::npos;
  if (colon == absl::string_view::npos || colon == 0 || bare_ipv6 ||
      !absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError("want host:port, [ipv6]:port or unix:/path");
  }
  return absl::OkStatus();
}

absl::Status CheckSocketDirectory(const std::string& socket_path) {
  const size_t slash = socket_path.rfind('/');
  const std::string dir = slash == 0 ? "/" : socket_path.substr(0, slash);
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) {
    return absl::NotFoundError(
        absl::StrCat("directory ", dir, " of the socket does not exist or cannot be read"));
  }
  if (!S_ISDIR(st.st_mode)) {
    return absl::FailedPreconditionError(absl::StrCat(dir, " is not a directory"));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st.st_mode & S_ISVTX) == 0) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "directory %s is writable by other users (mode %04o) without the sticky bit: another "
        "user could replace the socket; use a directory only this user can write (or one like "
        "/tmp with the sticky bit)",
        dir, unsigned(st.st_mode & 07777)));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Start(
    const ServerOptions& options, const std::vector<grpc::Service*>& services) {
  if (options.listen.empty()) return absl::InvalidArgumentError("no listen address given");
  auto server = std::unique_ptr<GrpcServer>(new GrpcServer);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  server->ports_.assign(options.listen.size(), 0);
  for (size_t i = 0; i < options.listen.size(); ++i) {
    const std::string& address = options.listen[i];
    absl::Status s = ValidateListenAddress(address);
    if (!s.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("listen address \"", address, "\": ", s.message()));
    }
    if (absl::StartsWith(address, "unix:")) {
      const std::string path = address.substr(5);
      absl::Status dir = CheckSocketDirectory(path);
      if (absl::IsPermissionDenied(dir)) {
        // Shared socket directories of containers (a Kubernetes emptyDir is
        // 0777) are the usual case: warn rather than refuse.
        spdlog::warn("listen address {}: {}", address, std::string(dir.message()));
      } else if (!dir.ok()) {
        return absl::Status(dir.code(), absl::StrCat("listen address ", address, ": ", dir.message()));
      }
      struct stat st;
      if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
          return absl::FailedPreconditionError(
              absl::StrCat("listen address ", address, ": ", path, " exists and is not a socket"));
        }
        ::unlink(path.c_str());  // left behind by a process that died
      }
      server->unix_paths_.push_back(path);
      builder.AddListeningPort(address, grpc::InsecureServerCredentials());
    } else {
      builder.AddListeningPort(
          address, options.tls != nullptr ? options.tls : grpc::InsecureServerCredentials(),
          &server->ports_[i]);
    }
  }
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  if (options.metrics != nullptr) creators.push_back(options.metrics->NewInterceptorFactory());
  if (options.limits != nullptr) creators.push_back(options.limits->NewInterceptorFactory());
  if (!creators.empty()) builder.experimental().SetInterceptorCreators(std::move(creators));
  for (grpc::Service* service : services) builder.RegisterService(service);
  // Sockets get their mode from the umask at bind time.
  const mode_t old_umask = ::umask(0077);
  server->server_ = builder.BuildAndStart();
  ::umask(old_umask);
  for (const std::string& path : server->unix_paths_) ::chmod(path.c_str(), 0600);
  if (server->server_ == nullptr) {
    return absl::UnavailableError(absl::StrCat(
        "could not listen on ", absl::StrJoin(options.listen, ", "),
        " (address in use, not available on this host, or no permission)"));
  }
  for (size_t i = 0; i < options.listen.size(); ++i) {
    if (!absl::StartsWith(options.listen[i], "unix:") && server->ports_[i] == 0) {
      return absl::UnavailableError(absl::StrCat("could not listen on ", options.listen[i]));
    }
  }
  return server;
}

void GrpcServer::Shutdown(absl::Duration grace) {
  if (server_ == nullptr) return;
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoSeconds(grace));
  server_->Wait();
  server_.reset();
  for (const std::string& path : unix_paths_) ::unlink(path.c_str());
}

GrpcServer::~GrpcServer() { Shutdown(absl::ZeroDuration()); }

namespace {
sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void BlockTerminationSignals() {
  const sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::string WaitForTerminationSignal() {
  const sigset_t set = TerminationSignals();
  int sig = 0;
  sigwait(&set, &sig);
  return sig == SIGINT ? "SIGINT" : "SIGTERM";
}

}  // namespace goprobe::rpc
