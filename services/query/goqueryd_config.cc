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
    for (const char* key : {"query.max_memory_bytes", "query.threads"}) {
      if (o.given(key)) {
        return absl::InvalidArgumentError(absl::StrCat(
            o.Describe(key), ": a leaf's setting; this goqueryd is a root (peers)"));
      }
    }
  } else {
    for (const char* key : {"peer_api_key_file", "host_timeout"}) {
      if (o.given(key)) {
        return absl::InvalidArgumentError(absl::StrCat(
            o.Describe(key), ": a root's setting; this goqueryd is a leaf (db_path)"));
      }
    }
  }
  return service.Validate();
}

LeafOptions GoquerydConfig::MakeLeafOptions() const {
  LeafOptions options;
  options.limits.max_memory_bytes = uint64_t(max_memory_bytes);
  options.threads = int(threads);
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
  return options;
}

}  // namespace goprobe::query
