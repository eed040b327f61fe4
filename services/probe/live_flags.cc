#include "services/probe/live_flags.h"

#include "absl/strings/str_cat.h"
#include "lib/metrics/http_exporter.h"
#include "lib/rpc/config_schema.h"
#include "lib/rpc/grpc_server.h"
#include "lib/rpc/log_level.h"
#include "lib/rpc/logging.h"

namespace goprobe::probe {
namespace {

absl::Status FlagError(const std::string& flag, const std::string& value, const absl::Status& s) {
  return absl::InvalidArgumentError(absl::StrCat(flag, ": ", s.message(), " (got \"", value, "\")"));
}

}  // namespace

void LiveFlags::Register(CLI::App* app, CLI::Option* config_flag) {
  listen_flag_ =
      app->add_option("--listen", listen_,
                      "live: serve the Probe API on this address: host:port, [ipv6]:port or "
                      "unix:/path (repeatable; replaces api.listen)")
          ->needs(config_flag);
  const auto text = [&](const char* flag, const char* help, Text* t) {
    t->option = app->add_option(flag, t->value, help)->needs(config_flag);
  };
  text("--api-key-file",
       "live: file of API keys TCP clients of the Probe API must present  [config: api.api_key_file]",
       &api_key_file_);
  text("--tls-cert", "live: PEM certificate for the API's TCP listeners  [config: api.tls.cert_file]",
       &tls_cert_);
  text("--tls-key", "live: its PEM key  [config: api.tls.key_file]", &tls_key_);
  text("--tls-client-ca",
       "live: PEM CA API clients must present a certificate of  [config: api.tls.client_ca_file]",
       &tls_client_ca_);
  text("--metrics-listen",
       "live: host:port to serve Prometheus metrics on at /metrics  [config: metrics.listen]",
       &metrics_listen_);
  text("--max-receive-message-bytes",
       "live: largest API message accepted  [config: api.limits.max_receive_message_bytes]",
       &max_receive_);
  text("--log-destination", "live: console, syslog or a file path  [config: logging.destination]",
       &log_destination_);
  text("--log-level", "live: trace, debug, info, warn, error or off  [config: logging.level]",
       &log_level_);
}

absl::Status LiveFlags::ApplyTo(ProbeConfig* config) const {
  rpc::ServiceConfig& api = config->api;
  if (listen_flag_ != nullptr && listen_flag_->count() > 0) {
    api.listen.clear();
    for (const std::string& a : listen_) {
      absl::Status s = rpc::ValidateListenAddress(a);
      if (!s.ok()) return FlagError("--listen", a, s);
      api.listen.push_back(a);
    }
    api.origins.Set("listen", "--listen");
  }
  struct Override {
    const Text& flag;
    const char* name;
    const char* key;
    std::function<absl::Status(const std::string&)> apply;
  };
  const Override overrides[] = {
      {api_key_file_, "--api-key-file", "api_key_file",
       [&](const std::string& v) { api.api_key_file = v; return absl::OkStatus(); }},
      {tls_cert_, "--tls-cert", "tls.cert_file",
       [&](const std::string& v) { api.tls.cert_file = v; return absl::OkStatus(); }},
      {tls_key_, "--tls-key", "tls.key_file",
       [&](const std::string& v) { api.tls.key_file = v; return absl::OkStatus(); }},
      {tls_client_ca_, "--tls-client-ca", "tls.client_ca_file",
       [&](const std::string& v) { api.tls.client_ca_file = v; return absl::OkStatus(); }},
      {metrics_listen_, "--metrics-listen", "metrics.listen",
       [&](const std::string& v) {
         absl::Status s = v.empty() ? absl::OkStatus() : metrics::ValidateMetricsAddress(v);
         if (s.ok()) api.metrics_listen = v;
         return s;
       }},
      {max_receive_, "--max-receive-message-bytes", "limits.max_receive_message_bytes",
       [&](const std::string& v) {
         return rpc::setters::Bytes(&api.max_receive_message_bytes, 4 << 20, int64_t{1} << 30)(v);
       }},
      {log_destination_, "--log-destination", "logging.destination",
       [&](const std::string& v) {
         absl::Status s = rpc::ValidateLogDestination(v);
         if (s.ok()) config->logging.destination = v;
         return s;
       }},
      {log_level_, "--log-level", "logging.level",
       [&](const std::string& v) {
         absl::Status s = rpc::ValidateLogLevel(v);
         if (s.ok()) config->logging.level = v;
         return s;
       }},
  };
  for (const Override& o : overrides) {
    if (o.flag.option == nullptr || o.flag.option->count() == 0) continue;
    absl::Status s = o.apply(o.flag.value);
    if (!s.ok()) return FlagError(o.name, o.flag.value, s);
    api.origins.Set(o.key, o.name);
  }
  if (host_id_flag != nullptr && host_id_flag->count() > 0) {
    config->host_id = host_id;
    api.origins.Set("host_id", "--host-id");
  }
  if (hostname_flag != nullptr && hostname_flag->count() > 0) {
    config->hostname = hostname;
    api.origins.Set("hostname", "--hostname");
  }
  api.machine_id_file = machine_id_file;
  if (machine_id_flag != nullptr && machine_id_flag->count() > 0) {
    api.origins.Set("machine_id_file", "--machine-id-file");
  }
  api.host_id = config->host_id;
  api.hostname = config->hostname;
  api.logging.destination = config->logging.destination;
  api.logging.level = config->logging.level;
  if (api.listen.empty()) {
    if (api.tls.enabled() || !api.api_key_file.empty()) {
      return absl::InvalidArgumentError(
          "API keys and TLS are for the Probe API: give api.listen or --listen too");
    }
    return absl::OkStatus();
  }
  return api.Validate();
}

}  // namespace goprobe::probe
