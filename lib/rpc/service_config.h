#ifndef GOPROBE_LIB_RPC_SERVICE_CONFIG_H_
#define GOPROBE_LIB_RPC_SERVICE_CONFIG_H_

// What gostore and goqueryd share: the settings of a gRPC service (from its
// YAML file and flags, config_schema.h) and the start-up that turns them into
// a running server with logging, API keys, TLS, metrics and the host identity.
//
// A service's main declares its settings once and starts from them:
//
//   rpc::ServiceConfig config;
//   rpc::ConfigSchema schema("gostore", &config.origins);
//   config.Register(&schema);
//   schema.AddScalar("compression", ...);          // the service's own keys
//   schema.AddFlags(&app); CLI11_PARSE(app, argc, argv);
//   schema.Load(), config.Validate()               // exit 2 on error
//   auto runtime = rpc::ServiceRuntime::Prepare("gostore", config);
//   ... build the service over runtime->identity(), runtime->auth(),
//       runtime->registry() ...
//   runtime->Serve({&service}); WaitForTerminationSignal(); runtime->Shutdown(grace);

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "lib/host/host_identity.h"
#include "lib/metrics/http_exporter.h"
#include "lib/metrics/metrics.h"
#include "lib/rpc/api_keys.h"
#include "lib/rpc/call_limits.h"
#include "lib/rpc/config_schema.h"
#include "lib/rpc/grpc_server.h"
#include "lib/rpc/logging.h"
#include "lib/rpc/rpc_metrics.h"
#include "lib/rpc/tls.h"

namespace goprobe::rpc {

// The shared settings. Keys, flags and defaults:
//
//   db_path                           --db                         (RequireDbPath)
//   listen: [ADDR, ...]               --listen ADDR (repeatable)   required; host:port, [v6]:port, unix:/path
//   host_id                           --host-id                    from machine_id_file
//   hostname                          --hostname                   the kernel's host name
//   machine_id_file                   --machine-id-file            /etc/machine-id
//   api_key_file                      --api-key-file               keys TCP clients must present
//   api_key_env                       --api-key-env                variable holding more such keys
//   insecure_no_auth                  --insecure-no-auth           false: TCP without keys refused
//   tls.cert_file                     --tls-cert                   none: plaintext TCP
//   tls.key_file                      --tls-key
//   tls.client_ca_file                --tls-client-ca              none: no client certificate asked
//   logging.destination               --log-destination            console (or syslog, or a file)
//   logging.level                     --log-level                  info
//   metrics.listen                    --metrics-listen             none: no /metrics
//   limits.max_receive_message_bytes  --max-receive-message-bytes  8MiB (4MiB to 1GiB)
//   limits.requests_per_second        --requests-per-second        100 per caller (0: no limit)
//   limits.request_burst              --request-burst              200 calls saved up per caller
//
// A TCP listener needs API keys (api_key_file or api_key_env): without them
// the service refuses to start unless insecure_no_auth says that the network
// alone is to guard it. Unix sockets need none (file permissions guard them).
struct ServiceConfig {
  std::string db_path;
  std::vector<std::string> listen;
  uint64_t host_id = 0;
  std::string hostname;
  std::string machine_id_file = "/etc/machine-id";
  std::string api_key_file;
  std::string api_key_env;
  bool insecure_no_auth = false;
  ServerTlsFiles tls;
  LogSettings logging;
  std::string metrics_listen;
  int64_t max_receive_message_bytes = 8 << 20;
  uint64_t requests_per_second = 100;
  uint64_t request_burst = 200;
  // Methods whose calls running at once are capped: set by the service
  // (goqueryd's query.max_concurrent), not a setting of its own.
  std::vector<CallLimitOptions::RunningCap> running_caps;

  // Where each value came from, for messages about it.
  Origins origins;

  // Declares the settings above on `schema`, each storing into this object
  // (which must outlive the schema's Load).
  void Register(ConfigSchema* schema);
  // What no single setting can check: a listen address is there, a TLS
  // certificate has its key. Call after ConfigSchema::Load.
  absl::Status Validate() const;
  // For services that always need a database (gostore, a leaf goqueryd).
  absl::Status RequireDbPath() const;

  // For a failed start: prints "<program>: <message>" to standard error,
  // where whoever started the service looks, and logs it too when the log
  // goes elsewhere. Returns `exit_code`.
  int FailStartup(absl::string_view program, const absl::Status& status, int exit_code) const;
};

// A service being started: what its configuration names, loaded and checked.
class ServiceRuntime {
 public:
  // Sets up logging first (so what follows is logged where configured),
  // then loads the API keys (file and environment) and the TLS files,
  // refuses a TCP listener without API keys (unless insecure_no_auth), resolves the host identity and
  // registers the process and gRPC metrics. Errors name the setting and
  // where it came from ("gostore.yaml:9: tls.key_file: TLS key ... does not
  // belong to the certificate in ...").
  static absl::StatusOr<std::unique_ptr<ServiceRuntime>> Prepare(std::string program,
                                                                const ServiceConfig& config);
  ~ServiceRuntime();

  const host::HostIdentity& identity() const { return identity_; }
  // The service's key check, counting refusals in the metrics, then its
  // call limits (rate per caller, running calls).
  const ApiKeyAuthorizer* auth() const { return &auth_; }
  // For the service's own metrics; served with the rest.
  metrics::Registry* registry() { return &registry_; }

  // Starts the metrics endpoint (when configured) and the gRPC server with
  // `services`, and logs every listener. Unavailable naming the address that
  // could not be bound.
  absl::Status Serve(const std::vector<grpc::Service*>& services);
  GrpcServer* server() { return server_.get(); }
  // The metrics endpoint's port; 0 when there is none.
  int metrics_port() const { return exporter_ == nullptr ? 0 : exporter_->port(); }

  // Stops the gRPC server (running calls get up to `grace`), then the
  // metrics endpoint.
  void Shutdown(absl::Duration grace);

 private:
  ServiceRuntime(std::string program, const ServiceConfig& config)
      : program_(std::move(program)), config_(config), rpc_metrics_(&registry_) {}

  const std::string program_;
  const ServiceConfig config_;
  host::HostIdentity identity_;
  metrics::Registry registry_;
  RpcMetrics rpc_metrics_;
  std::unique_ptr<CallLimits> limits_;
  ApiKeyAuthorizer auth_;
  std::shared_ptr<grpc::ServerCredentials> tls_;
  std::unique_ptr<metrics::HttpExporter> exporter_;
  std::unique_ptr<GrpcServer> server_;
};

}  // namespace goprobe::rpc

#endif  // GOPROBE_LIB_RPC_SERVICE_CONFIG_H_
