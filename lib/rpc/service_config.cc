#include "lib/rpc/service_config.h"

#include <cstdio>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "lib/rpc/log_level.h"
#include "spdlog/spdlog.h"

namespace goprobe::rpc {
namespace {

absl::Status Prefixed(const std::string& where, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat(where, ": ", s.message()));
}

}  // namespace

void ServiceConfig::Register(ConfigSchema* schema) {
  schema->AddScalar("db_path", "--db", "goDB directory", setters::Text(&db_path, false));
  schema->AddList(
      "listen", "--listen",
      "address to serve gRPC on: host:port, [ipv6]:port or unix:/path (repeatable; the flags "
      "replace the file's list)",
      [this] { listen.clear(); },
      [this](absl::string_view v) {
        absl::Status s = ValidateListenAddress(v);
        if (s.ok()) listen.emplace_back(v);
        return s;
      });
  schema->AddScalar("host_id", "--host-id", "this host's id (default: derived from the machine id)",
                    setters::Unsigned(&host_id, 1, UINT64_MAX));
  schema->AddScalar("hostname", "--hostname", "this host's name (default: the kernel's host name)",
                    setters::Text(&hostname));
  schema->AddScalar("machine_id_file", "--machine-id-file", "where the host id comes from",
                    setters::Text(&machine_id_file, false), machine_id_file);
  schema->AddScalar("api_key_file", "--api-key-file",
                    "file of API keys (one per line) that TCP clients must present as "
                    "\"authorization: Bearer <key>\"; unix-socket clients are trusted",
                    setters::Text(&api_key_file));
  schema->AddScalar("api_key_env", "--api-key-env",
                    "name of an environment variable holding API keys (separated by commas or "
                    "white space), besides or instead of api_key_file",
                    setters::Text(&api_key_env));
  schema->AddSwitch("insecure_no_auth", "--insecure-no-auth",
                    "serve TCP listeners without API keys: anyone who reaches the port may call",
                    &insecure_no_auth);
  schema->AddScalar("tls.cert_file", "--tls-cert",
                    "PEM certificate (chain) for TLS on the TCP listeners", setters::Text(&tls.cert_file));
  schema->AddScalar("tls.key_file", "--tls-key", "PEM private key of --tls-cert",
                    setters::Text(&tls.key_file));
  schema->AddScalar("tls.client_ca_file", "--tls-client-ca",
                    "PEM CA: TCP clients must present a certificate it signed",
                    setters::Text(&tls.client_ca_file));
  schema->AddScalar("logging.destination", "--log-destination", "console, syslog or a file path",
                    setters::Checked(&logging.destination, ValidateLogDestination),
                    logging.destination);
  schema->AddScalar("logging.level", "--log-level", "trace, debug, info, warn, error or off",
                    setters::Checked(&logging.level, ValidateLogLevel), logging.level);
  schema->AddScalar("metrics.listen", "--metrics-listen",
                    "host:port to serve Prometheus metrics on at /metrics (empty: none)",
                    setters::Checked(&metrics_listen, metrics::ValidateMetricsAddress,
                                     /*allow_empty=*/true));
  schema->AddScalar("limits.max_receive_message_bytes", "--max-receive-message-bytes",
                    "largest gRPC message accepted (KiB, MiB, GiB suffixes)",
                    setters::Bytes(&max_receive_message_bytes, 4 << 20, int64_t{1} << 30), "8MiB");
  schema->AddScalar("limits.requests_per_second", "--requests-per-second",
                    "calls each caller (API key; unix-socket clients together) may start per "
                    "second on average (0: no limit)",
                    setters::Unsigned(&requests_per_second, 0, 1000000), "100");
  schema->AddScalar("limits.request_burst", "--request-burst",
                    "calls a caller may start at once after being idle",
                    setters::Unsigned(&request_burst, 1, 1000000), "200");
}

int ServiceConfig::FailStartup(absl::string_view program, const absl::Status& status,
                               int exit_code) const {
  std::fprintf(stderr, "%s: %s\n", std::string(program).c_str(),
               std::string(status.message()).c_str());
  if (logging.destination != "console") spdlog::critical("{}", std::string(status.message()));
  return exit_code;
}

absl::Status ServiceConfig::RequireDbPath() const {
  if (db_path.empty()) {
    return absl::InvalidArgumentError(
        "no goDB directory: set db_path in the configuration or give --db");
  }
  return absl::OkStatus();
}

absl::Status ServiceConfig::Validate() const {
  if (listen.empty()) {
    return absl::InvalidArgumentError(
        "no listen address: set listen in the configuration or give --listen");
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    const std::string given = tls.cert_file.empty() ? "tls.key_file" : "tls.cert_file";
    return absl::InvalidArgumentError(absl::StrCat(
        origins.Describe(given), ": TLS needs both a certificate and its key "
                                 "(tls.cert_file/--tls-cert and tls.key_file/--tls-key)"));
  }
  if (!tls.client_ca_file.empty() && tls.cert_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        origins.Describe("tls.client_ca_file"),
        ": checking client certificates needs TLS: give the server's tls.cert_file and "
        "tls.key_file too"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Prepare(
    std::string program, const ServiceConfig& config) {
  auto rt = std::unique_ptr<ServiceRuntime>(new ServiceRuntime(std::move(program), config));
  const Origins& origins = config.origins;
  absl::Status s = SetUpLogging(rt->program_, config.logging);
  if (!s.ok()) return Prefixed(origins.Describe("logging.destination"), s);

  metrics::AddProcessMetrics(&rt->registry_);
  CallLimitOptions limits;
  limits.requests_per_second = double(config.requests_per_second);
  limits.burst = double(config.request_burst);
  limits.max_running = config.running_caps;
  rt->limits_ = std::make_unique<CallLimits>(limits, &rt->registry_);
  std::vector<std::string> keys;
  if (!config.api_key_file.empty()) {
    absl::StatusOr<std::vector<std::string>> loaded = LoadApiKeys(config.api_key_file);
    if (!loaded.ok()) return Prefixed(origins.Describe("api_key_file"), loaded.status());
    keys = std::move(*loaded);
  }
  if (!config.api_key_env.empty()) {
    absl::StatusOr<std::vector<std::string>> loaded = LoadApiKeysFromEnv(config.api_key_env);
    if (!loaded.ok()) return Prefixed(origins.Describe("api_key_env"), loaded.status());
    for (std::string& k : *loaded) keys.push_back(std::move(k));
  }
  rt->auth_ = ApiKeyAuthorizer(std::move(keys), /*trust_unix_sockets=*/true,
                               &rt->rpc_metrics_.auth_refused(), rt->limits_.get());
  if (config.tls.enabled()) {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> tls =
        LoadServerCredentials(config.tls);
    if (!tls.ok()) {
      // Name the setting whose file the message is about.
      std::string key = "tls.cert_file";
      if (absl::StrContains(tls.status().message(), config.tls.key_file)) key = "tls.key_file";
      if (!config.tls.client_ca_file.empty() &&
          absl::StrContains(tls.status().message(), config.tls.client_ca_file)) {
        key = "tls.client_ca_file";
      }
      return Prefixed(origins.Describe(key), tls.status());
    }
    rt->tls_ = std::move(*tls);
  }
  if (config.api_key_file.empty() && config.api_key_env.empty() && !config.insecure_no_auth) {
    for (const std::string& address : config.listen) {
      if (absl::StartsWith(address, "unix:")) continue;
      return absl::InvalidArgumentError(absl::StrCat(
          origins.Describe("listen"), ": TCP listener ", address,
          " needs API keys: set api_key_file (--api-key-file) or api_key_env "
          "(--api-key-env), or accept any client that reaches the port with "
          "insecure_no_auth: true (--insecure-no-auth)"));
    }
  }
  absl::StatusOr<host::HostIdentity> identity =
      host::ResolveHostIdentity(config.host_id, config.hostname, config.machine_id_file);
  if (!identity.ok()) {
    return Prefixed(origins.Describe("machine_id_file"),
                    absl::Status(identity.status().code(),
                                 absl::StrCat(identity.status().message(),
                                              " (or set host_id / --host-id)")));
  }
  rt->identity_ = std::move(*identity);
  return rt;
}

absl::Status ServiceRuntime::Serve(const std::vector<grpc::Service*>& services) {
  if (!config_.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<metrics::HttpExporter>> exporter =
        metrics::HttpExporter::Start(config_.metrics_listen, &registry_);
    if (!exporter.ok()) return Prefixed(config_.origins.Describe("metrics.listen"), exporter.status());
    exporter_ = std::move(*exporter);
  }
  ServerOptions options;
  options.listen = config_.listen;
  options.max_receive_message_bytes = int(config_.max_receive_message_bytes);
  options.tls = tls_;
  options.metrics = &rpc_metrics_;
  options.limits = limits_.get();
  absl::StatusOr<std::unique_ptr<GrpcServer>> server = GrpcServer::Start(options, services);
  if (!server.ok()) return Prefixed(config_.origins.Describe("listen"), server.status());
  server_ = std::move(*server);

  bool tcp = false;
  for (size_t i = 0; i < config_.listen.size(); ++i) {
    const std::string& address = config_.listen[i];
    const bool unix_socket = absl::StartsWith(address, "unix:");
    tcp |= !unix_socket;
    const char* security = tls_ == nullptr ? "plaintext"
                           : config_.tls.client_ca_file.empty()
                               ? "TLS"
                               : "TLS, client certificates required";
    if (unix_socket) {
      spdlog::info("{}: serving {} on {} (unix socket, owner only)", program_, config_.db_path,
                   address);
    } else {
      spdlog::info("{}: serving {} on {} (port {}, {})", program_, config_.db_path, address,
                   server_->bound_ports()[i], security);
    }
  }
  if (tls_ != nullptr && !tcp) {
    spdlog::warn("{}: TLS is configured but every listener is a unix socket, which stays "
                 "plaintext", program_);
  }
  if (!auth_.enabled() && tcp) {
    spdlog::warn("{}: insecure_no_auth: TCP listeners take calls from anyone who reaches them",
                 program_);
  }
  if (auth_.enabled() && tcp && tls_ == nullptr) {
    spdlog::warn("{}: API keys cross TCP in plaintext; configure TLS (tls.cert_file, "
                 "tls.key_file) unless the network is trusted", program_);
  }
  spdlog::info("{}: host {} (id {}), API keys {}, request rate {}, metrics {}", program_,
               identity_.hostname, identity_.host_id,
               auth_.enabled() ? "required on TCP" : "not configured",
               config_.requests_per_second == 0
                   ? std::string("unlimited")
                   : absl::StrCat(config_.requests_per_second, "/s per caller (burst ",
                                  config_.request_burst, ")"),
               exporter_ == nullptr
                   ? std::string("off")
                   : absl::StrCat("on ", config_.metrics_listen, " (port ", exporter_->port(),
                                  ") at /metrics"));
  return absl::OkStatus();
}

void ServiceRuntime::Shutdown(absl::Duration grace) {
  if (server_ != nullptr) server_->Shutdown(grace);
  exporter_.reset();
}

ServiceRuntime::~ServiceRuntime() { Shutdown(absl::ZeroDuration()); }

}  // namespace goprobe::rpc
