#include "services/query/goqueryd_config.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "lib/rpc/api_keys.h"

namespace goprobe::query {

void GoquerydConfig::Register(rpc::ConfigSchema* schema) {
  service.Register(schema);
  schema->AddList(
      "peers", "--peers",
      "root: the leaves to fan out to, host:port, [ipv6]:port or unix:/path (a name with several "
      "addresses is one leaf per address); repeatable, or comma-separated",
      [this] { peers.clear(); },
      [this](absl::string_view v) {
        absl::StatusOr<PeerSet> parsed = PeerSet::Parse(v);
        if (!parsed.ok()) return parsed.status();
        for (const std::string& e : parsed->entries()) peers.push_back(e);
        return absl::OkStatus();
      });
  schema->AddScalar("peer_api_key_file", "--peer-api-key-file",
                    "root: file whose first key is sent to the leaves",
                    rpc::setters::Text(&peer_api_key_file));
  schema->AddScalar(
      "host_timeout", "--host-timeout",
      "root: seconds to wait for each leaf unless the query says otherwise",
      [this](absl::string_view v) {
        double seconds = 0;
        if (!absl::SimpleAtod(absl::StripSuffix(v, "s"), &seconds) || !(seconds > 0) ||
            seconds > 86400) {
          return absl::InvalidArgumentError("want seconds, more than 0 and at most 86400");
        }
        host_timeout_seconds = seconds;
        return absl::OkStatus();
      },
      "30");
  schema->AddSwitch("peer_tls.enabled", "--peer-tls", "root: reach the leaves over TLS",
                    &peer_tls.enabled);
  schema->AddScalar("peer_tls.ca_file", "--peer-tls-ca",
                    "root: PEM CAs the leaves' certificates must chain to (default: the system's)",
                    rpc::setters::Text(&peer_tls.ca_file));
  schema->AddScalar("peer_tls.cert_file", "--peer-tls-cert",
                    "root: PEM client certificate for leaves that require one",
                    rpc::setters::Text(&peer_tls.cert_file));
  schema->AddScalar("peer_tls.key_file", "--peer-tls-key", "root: the client certificate's key",
                    rpc::setters::Text(&peer_tls.key_file));
  schema->AddScalar("peer_tls.server_name", "--peer-tls-server-name",
                    "root: the name every leaf's certificate carries (default: the host name of "
                    "the peer entry the leaf was resolved from)",
                    rpc::setters::Text(&peer_tls.server_name));
  schema->AddScalar("probe.addr", "--probe",
                    "leaf: the co-located goprobe's API (host:port or unix:/path), whose current "
                    "window queries with --live also count",
                    rpc::setters::Checked(&probe_addr, [](absl::string_view v) {
                      return PeerSet::Parse(v).status();
                    }));
  schema->AddScalar("probe.api_key_file", "--probe-api-key-file",
                    "leaf: file whose first key is sent to the probe",
                    rpc::setters::Text(&probe_api_key_file));
  schema->AddScalar(
      "probe.timeout", "--probe-timeout",
      "leaf: seconds to wait for the probe's live window before answering without it",
      [this](absl::string_view v) {
        double seconds = 0;
        if (!absl::SimpleAtod(absl::StripSuffix(v, "s"), &seconds) || !(seconds > 0) ||
            seconds > 600) {
          return absl::InvalidArgumentError("want seconds, more than 0 and at most 600");
        }
        probe_timeout_seconds = seconds;
        return absl::OkStatus();
      },
      "2");
  schema->AddScalar("query.max_memory_bytes", "--max-memory",
                    "leaf: most memory one query's aggregation may use (KiB, MiB, GiB; 0: no cap "
                    "beyond what the query asks)",
                    [this](absl::string_view v) {
                      if (v == "0") {
                        max_memory_bytes = 0;
                        return absl::OkStatus();
                      }
                      return rpc::setters::Bytes(&max_memory_bytes, 1 << 20,
                                                 int64_t{1} << 40)(v);
                    });
  schema->AddScalar("query.threads", "--query-threads",
                    "leaf: scanning threads per query (0: every core)",
                    rpc::setters::Unsigned(&threads, 0, 1024), "0");
  schema->AddScalar("query.max_rows", "--max-rows",
                    "leaf: most result rows one query may return; a larger limit is refused, "
                    "a query for every row gets this many",
                    rpc::setters::Unsigned(&max_rows, 1, uint64_t{1} << 32), "1000000");
  // Refused rather than queued: a client told RESOURCE_EXHAUSTED retries,
  // where a queued query would hold its connection and memory meanwhile.
  const auto running_cap = [this] {
    service.running_caps = {{"Query.Run", int(max_concurrent), "query.max_concurrent"}};
  };
  running_cap();
  schema->AddScalar("query.max_concurrent", "--max-concurrent-queries",
                    "queries (Query.Run) running at once; more are refused RESOURCE_EXHAUSTED",
                    [this, running_cap](absl::string_view v) {
                      absl::Status s = rpc::setters::Unsigned(&max_concurrent, 1, 1024)(v);
                      if (s.ok()) running_cap();
                      return s;
                    },
                    "4");
}

absl::Status GoquerydConfig::Validate() const {
  const rpc::Origins& o = service.origins;
  if (service.db_path.empty() == peers.empty()) {
    return absl::InvalidArgumentError(
        service.db_path.empty()
            ? "give db_path (--db) for a leaf or peers (--peers) for a root"
            : absl::StrCat(o.Describe("peers"), ": a goqueryd is a leaf over ",
                           o.Describe("db_path"), " or a root over peers, not both"));
  }
  if (root()) {
    for (const char* key : {"query.max_memory_bytes", "query.threads", "probe.addr",
                            "probe.api_key_file", "probe.timeout"}) {
      if (o.given(key)) {
        return absl::InvalidArgumentError(absl::StrCat(
            o.Describe(key), ": a leaf's setting; this goqueryd is a root (peers)"));
      }
    }
  } else {
    for (const char* key : {"peer_api_key_file", "host_timeout", "peer_tls.enabled",
                            "peer_tls.ca_file", "peer_tls.cert_file", "peer_tls.key_file",
                            "peer_tls.server_name"}) {
      if (o.given(key)) {
        return absl::InvalidArgumentError(absl::StrCat(
            o.Describe(key), ": a root's setting; this goqueryd is a leaf (db_path)"));
      }
    }
  }
  if (root() && o.given("query.max_rows")) {
    return absl::InvalidArgumentError(
        absl::StrCat(o.Describe("query.max_rows"), ": a leaf's setting; this goqueryd is a root (peers)"));
  }
  return service.Validate();
}

absl::StatusOr<LeafOptions> GoquerydConfig::MakeLeafOptions() const {
  LeafOptions options;
  options.limits.max_memory_bytes = uint64_t(max_memory_bytes);
  options.limits.max_rows = max_rows;
  options.threads = int(threads);
  if (!probe_addr.empty()) {
    std::string key;
    if (!probe_api_key_file.empty()) {
      absl::StatusOr<std::vector<std::string>> keys = rpc::LoadApiKeys(probe_api_key_file);
      if (!keys.ok()) {
        return absl::Status(keys.status().code(),
                            absl::StrCat(service.origins.Describe("probe.api_key_file"), ": ",
                                         keys.status().message()));
      }
      key = keys->front();
    }
    options.live = std::make_shared<ProbeLiveSource>(
        grpc::CreateChannel(probe_addr, grpc::InsecureChannelCredentials()), probe_addr, key,
        absl::Seconds(probe_timeout_seconds));
  } else if (service.origins.given("probe.api_key_file")) {
    return absl::InvalidArgumentError(absl::StrCat(
        service.origins.Describe("probe.api_key_file"), ": set probe.addr (--probe) too"));
  }
  return options;
}

absl::StatusOr<PeerSet> GoquerydConfig::MakePeerSet() const {
  absl::StatusOr<PeerSet> set = PeerSet::Parse(absl::StrJoin(peers, ","));
  if (!set.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(service.origins.Describe("peers"), ": ", set.status().message()));
  }
  return set;
}

absl::StatusOr<RootOptions> GoquerydConfig::MakeRootOptions() const {
  RootOptions options;
  options.host_timeout = absl::Seconds(host_timeout_seconds);
  if (!peer_api_key_file.empty()) {
    absl::StatusOr<std::vector<std::string>> keys = rpc::LoadApiKeys(peer_api_key_file);
    if (!keys.ok()) {
      return absl::Status(keys.status().code(),
                          absl::StrCat(service.origins.Describe("peer_api_key_file"), ": ",
                                       keys.status().message()));
    }
    options.peer_api_key = keys->front();
  }
  if (!peer_tls.enabled) {
    for (const char* key : {"peer_tls.ca_file", "peer_tls.cert_file", "peer_tls.key_file",
                            "peer_tls.server_name"}) {
      if (service.origins.given(key)) {
        return absl::InvalidArgumentError(absl::StrCat(service.origins.Describe(key),
                                                       ": set peer_tls.enabled (--peer-tls) too"));
      }
    }
  } else {
    for (const std::string& peer : peers) {
      absl::Status s = rpc::CheckClientTlsAddress(peer, peer_tls);
      if (!s.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat(service.origins.Describe("peers"), ": ", s.message()));
      }
    }
  }
  absl::StatusOr<rpc::ClientChannelFactory> channels = rpc::ClientChannelFactory::Create(peer_tls);
  if (!channels.ok()) {
    return absl::Status(channels.status().code(),
                        absl::StrCat("peer_tls: ",
                                     channels.status().message()));
  }
  options.peer_channels = std::move(*channels);
  return options;
}

}  // namespace goprobe::query
