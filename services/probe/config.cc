#include "services/probe/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/godb/layout.h"
#include "lib/metrics/http_exporter.h"
#include "lib/rpc/grpc_server.h"

namespace goprobe::probe {
namespace {

// A YAML complex key ("? a: b") is a mapping, not a name.
constexpr char kNotPlainKey[] = "keys must be plain names, not lists or mappings";

class Parser {
 public:
  explicit Parser(absl::string_view source) : source_(source) {}

  absl::Status Error(const std::string& path, const std::string& why) const {
    return absl::InvalidArgumentError(absl::StrCat(source_, ": ", path, ": ", why));
  }

  absl::Status Keys(const YAML::Node& map, const std::string& path,
                    const std::set<std::string>& allowed) const {
    if (!map.IsMap()) return Error(path, "must be a mapping");
    for (const auto& kv : map) {
      if (!kv.first.IsScalar()) return Error(path.empty() ? "(top)" : path, kNotPlainKey);
      const std::string k = kv.first.Scalar();
      if (!allowed.count(k)) {
        return Error(path.empty() ? k : absl::StrCat(path, ".", k),
                     absl::StrCat("unknown key (known: ",
                                  absl::StrJoin(allowed.begin(), allowed.end(), ", "), ")"));
      }
    }
    return absl::OkStatus();
  }

  template <typename T>
  absl::Status Get(const YAML::Node& node, const std::string& path, const char* what, T* out) const {
    try {
      *out = node.as<T>();
      return absl::OkStatus();
    } catch (const YAML::Exception&) {
      return Error(path, absl::StrCat("must be ", what));
    }
  }

  absl::Status Settings(const YAML::Node& node, const std::string& path, CaptureSettings* s) const {
    if (node.IsNull()) return absl::OkStatus();  // "eth0:" alone: defaults
    absl::Status st = Keys(node, path, {"bpf_filter", "buf_size", "promisc", "snaplen", "disable"});
    if (!st.ok()) return st;
    if (node["bpf_filter"]) {
      st = Get(node["bpf_filter"], path + ".bpf_filter", "a string", &s->bpf_filter);
      if (!st.ok()) return st;
    }
    if (node["buf_size"]) {
      st = Get(node["buf_size"], path + ".buf_size", "a number of bytes", &s->buf_size);
      if (!st.ok()) return st;
      if (s->buf_size < 65536 || s->buf_size > (int64_t{1} << 31)) {
        return Error(path + ".buf_size", "must be between 65536 and 2147483648");
      }
    }
    if (node["promisc"]) {
      st = Get(node["promisc"], path + ".promisc", "true or false", &s->promisc);
      if (!st.ok()) return st;
    }
    if (node["snaplen"]) {
      st = Get(node["snaplen"], path + ".snaplen", "a number of bytes", &s->snaplen);
      if (!st.ok()) return st;
      if (s->snaplen < 64 || s->snaplen > 262144) {
        return Error(path + ".snaplen", "must be between 64 and 262144");
      }
    }
    if (node["disable"]) {
      st = Get(node["disable"], path + ".disable", "true or false", &s->disable);
      if (!st.ok()) return st;
    }
    return absl::OkStatus();
  }

  // "probe.yaml:12: api.listen": where a value came from, as rpc::Origins
  // records it.
  std::string Where(const YAML::Node& node, const std::string& path) const {
    const YAML::Mark mark = node.Mark();
    return mark.is_null() ? absl::StrCat(source_, ": ", path)
                          : absl::StrCat(source_, ":", mark.line + 1, ": ", path);
  }

  // A string setting of the api or metrics section, checked by `check`.
  absl::Status Text(const YAML::Node& node, const std::string& path, const std::string& origin_key,
                    std::string* out, rpc::Origins* origins,
                    const std::function<absl::Status(absl::string_view)>& check = nullptr) const {
    absl::Status st = Get(node, path, "a string", out);
    if (!st.ok()) return st;
    if (check) {
      st = check(*out);
      if (!st.ok()) return Error(path, absl::StrCat(st.message(), " (got \"", *out, "\")"));
    }
    origins->Set(origin_key, Where(node, path));
    return absl::OkStatus();
  }

  absl::Status Api(const YAML::Node& api, rpc::ServiceConfig* c) const {
    if (api.IsNull()) return absl::OkStatus();
    absl::Status st = Keys(api, "api", {"listen", "api_key_file", "tls", "limits"});
    if (!st.ok()) return st;
    if (const YAML::Node listen = api["listen"]) {
      if (!listen.IsSequence() && !listen.IsScalar()) {
        return Error("api.listen", "must be an address or a list of them");
      }
      std::vector<YAML::Node> items;
      if (listen.IsScalar()) {
        items.push_back(listen);
      } else {
        for (const YAML::Node& item : listen) items.push_back(item);
      }
      for (size_t i = 0; i < items.size(); ++i) {
        std::string address;
        const std::string path = absl::StrCat("api.listen[", i, "]");
        st = Text(items[i], path, "listen", &address, &c->origins, rpc::ValidateListenAddress);
        if (!st.ok()) return st;
        c->listen.push_back(address);
      }
      c->origins.Set("listen", Where(listen, "api.listen"));
    }
    if (c->listen.empty()) return Error("api.listen", "give at least one address to serve on");
    if (api["api_key_file"]) {
      st = Text(api["api_key_file"], "api.api_key_file", "api_key_file", &c->api_key_file,
                &c->origins);
      if (!st.ok()) return st;
    }
    if (const YAML::Node tls = api["tls"]; tls && !tls.IsNull()) {
      st = Keys(tls, "api.tls", {"cert_file", "key_file", "client_ca_file"});
      if (!st.ok()) return st;
      for (const auto& [key, field] :
           {std::pair<const char*, std::string*>{"cert_file", &c->tls.cert_file},
            {"key_file", &c->tls.key_file},
            {"client_ca_file", &c->tls.client_ca_file}}) {
        if (!tls[key]) continue;
        st = Text(tls[key], absl::StrCat("api.tls.", key), absl::StrCat("tls.", key), field,
                  &c->origins);
        if (!st.ok()) return st;
      }
    }
    if (const YAML::Node limits = api["limits"]; limits && !limits.IsNull()) {
      st = Keys(limits, "api.limits", {"max_receive_message_bytes"});
      if (!st.ok()) return st;
      if (const YAML::Node max = limits["max_receive_message_bytes"]) {
        std::string text;
        const std::string path = "api.limits.max_receive_message_bytes";
        st = Text(max, path, "limits.max_receive_message_bytes", &text, &c->origins,
                  rpc::setters::Bytes(&c->max_receive_message_bytes, 4 << 20, int64_t{1} << 30));
        if (!st.ok()) return st;
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<ProbeConfig> Parse(absl::string_view text) const {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      return absl::InvalidArgumentError(
          absl::StrCat(source_, ": line ", e.mark.line + 1, ": ", e.msg));
    }
    if (!root.IsMap()) return Error("(top)", "must be a mapping");
    absl::Status st = Keys(root, "", {"db_path", "store", "host_id", "hostname", "interfaces",
                                      "max_flows", "logging", "api", "metrics", "run_as"});
    if (!st.ok()) return st;
    ProbeConfig c;
    if (bool(root["db_path"]) == bool(root["store"])) {
      return Error("db_path", "give exactly one of db_path (write goDB here) and store (ship to gostore)");
    }
    if (root["db_path"]) {
      st = Get(root["db_path"], "db_path", "a directory path", &c.db_path);
      if (!st.ok()) return st;
      if (c.db_path.empty()) return Error("db_path", "must not be empty");
    } else {
      const YAML::Node store = root["store"];
      st = Keys(store, "store", {"addr", "api_key_file", "spool_dir", "spool_max_bytes", "tls"});
      if (!st.ok()) return st;
      StoreConfig sc;
      if (!store["addr"]) return Error("store.addr", "missing");
      st = Get(store["addr"], "store.addr", "host:port or unix:/path", &sc.addr);
      if (!st.ok()) return st;
      if (!store["spool_dir"]) return Error("store.spool_dir", "missing");
      st = Get(store["spool_dir"], "store.spool_dir", "a directory path", &sc.spool_dir);
      if (!st.ok()) return st;
      if (store["api_key_file"]) {
        st = Get(store["api_key_file"], "store.api_key_file", "a file path", &sc.api_key_file);
        if (!st.ok()) return st;
      }
      if (store["spool_max_bytes"]) {
        int64_t m = 0;
        st = Get(store["spool_max_bytes"], "store.spool_max_bytes", "a number", &m);
        if (!st.ok()) return st;
        if (m < (1 << 20)) return Error("store.spool_max_bytes", "must be at least 1 MiB");
        sc.spool_max_bytes = uint64_t(m);
      }
      if (store["tls"]) {
        const YAML::Node tls = store["tls"];
        sc.tls.enabled = true;
        if (!tls.IsNull()) {
          st = Keys(tls, "store.tls", {"ca_file", "cert_file", "key_file", "server_name"});
          if (!st.ok()) return st;
          for (const auto& [key, field] :
               {std::pair<const char*, std::string*>{"ca_file", &sc.tls.ca_file},
                {"cert_file", &sc.tls.cert_file},
                {"key_file", &sc.tls.key_file},
                {"server_name", &sc.tls.server_name}}) {
            if (!tls[key]) continue;
            st = Get(tls[key], absl::StrCat("store.tls.", key), "a string", field);
            if (!st.ok()) return st;
          }
        }
        st = ValidateStoreTls(sc);
        if (!st.ok()) return Error("store.tls", std::string(st.message()));
      }
      c.store = std::move(sc);
    }
    if (root["host_id"]) {
      int64_t id = 0;
      st = Get(root["host_id"], "host_id", "a positive number", &id);
      if (!st.ok()) return st;
      if (id <= 0) return Error("host_id", "must be a positive number");
      c.host_id = uint64_t(id);
    }
    if (root["hostname"]) {
      st = Get(root["hostname"], "hostname", "a host name", &c.hostname);
      if (!st.ok()) return st;
    }
    if (root["run_as"]) {
      st = Get(root["run_as"], "run_as", "a user name or uid", &c.run_as);
      if (!st.ok()) return st;
      if (c.run_as.empty()) return Error("run_as", "must name a user (or leave the key out)");
    }
    if (root["max_flows"]) {
      int64_t m = 0;
      st = Get(root["max_flows"], "max_flows", "a number", &m);
      if (!st.ok()) return st;
      if (m < 1 || m > (int64_t{1} << 31)) return Error("max_flows", "must be between 1 and 2^31");
      c.max_flows = size_t(m);
    }
    if (root["logging"]) {
      st = Keys(root["logging"], "logging", {"destination", "level"});
      if (!st.ok()) return st;
      if (root["logging"]["destination"]) {
        st = Get(root["logging"]["destination"], "logging.destination",
                 "console, syslog or a file path", &c.logging.destination);
        if (!st.ok()) return st;
      }
      if (root["logging"]["level"]) {
        st = Get(root["logging"]["level"], "logging.level", "a level name", &c.logging.level);
        if (!st.ok()) return st;
        static const std::set<std::string> kLevels = {"trace", "debug", "info",
                                                      "warn",  "error", "off"};
        if (!kLevels.count(c.logging.level)) {
          return Error("logging.level", "must be trace, debug, info, warn, error or off");
        }
      }
    }
    if (root["api"]) {
      st = Api(root["api"], &c.api);
      if (!st.ok()) return st;
    }
    if (const YAML::Node metrics = root["metrics"]; metrics && !metrics.IsNull()) {
      st = Keys(metrics, "metrics", {"listen"});
      if (!st.ok()) return st;
      if (metrics["listen"]) {
        st = Text(metrics["listen"], "metrics.listen", "metrics.listen", &c.api.metrics_listen,
                  &c.api.origins, [](absl::string_view v) {
                    return v.empty() ? absl::OkStatus() : metrics::ValidateMetricsAddress(v);
                  });
        if (!st.ok()) return st;
      }
    }
    c.api.db_path = c.db_path;  // named in the API's start-up log when set
    c.api.host_id = c.host_id;
    c.api.hostname = c.hostname;
    c.api.logging.destination = c.logging.destination;
    c.api.logging.level = c.logging.level;
    if (!c.api.listen.empty()) {
      st = c.api.Validate();  // a certificate with its key, ...
      if (!st.ok()) return st;
    }
    const YAML::Node itfs = root["interfaces"];
    if (!itfs || !itfs.IsMap() || itfs.size() == 0) {
      return Error("interfaces", "must map at least one interface to its settings");
    }
    for (const auto& kv : itfs) {
      InterfaceRule rule;
      if (!kv.first.IsScalar()) return Error("interfaces", kNotPlainKey);
      rule.key = kv.first.Scalar();
      const std::string path = absl::StrCat("interfaces.", rule.key);
      if (rule.key.size() >= 2 && rule.key.front() == '/' && rule.key.back() == '/') {
        try {
          std::regex re(rule.key.substr(1, rule.key.size() - 2), std::regex::extended);
        } catch (const std::regex_error& e) {
          return Error(path, absl::StrCat("not a valid regular expression: ", e.what()));
        }
      } else if (rule.key != "any") {
        st = godb::ValidateInterfaceName(rule.key);
        if (!st.ok()) return Error(path, std::string(st.message()));
      }
      st = Settings(kv.second, path, &rule.settings);
      if (!st.ok()) return st;
      c.interfaces.push_back(std::move(rule));
    }
    return c;
  }

 private:
  std::string source_;
};

}  // namespace

absl::Status ValidateStoreTls(const StoreConfig& store) {
  if (!store.tls.enabled) return absl::OkStatus();
  if (absl::StartsWith(store.addr, "unix:")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS is for TCP addresses; ", store.addr,
        " is a unix socket, which its file permissions guard (drop the TLS settings)"));
  }
  if (store.tls.cert_file.empty() != store.tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        "a client certificate needs its key and a key its certificate (cert_file and key_file)");
  }
  return absl::OkStatus();
}

absl::StatusOr<ProbeConfig> ParseProbeConfig(absl::string_view yaml, absl::string_view source) {
  return Parser(source).Parse(yaml);
}

absl::StatusOr<ProbeConfig> LoadProbeConfig(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read the configuration"));
  std::stringstream ss;
  ss << in.rdbuf();
  return ParseProbeConfig(ss.str(), path);
}

std::vector<ResolvedInterface> ResolveInterfaces(const std::vector<InterfaceRule>& rules,
                                                 const std::vector<std::string>& present,
                                                 const std::vector<std::string>& up_non_loopback) {
  std::map<std::string, CaptureSettings> out;
  std::set<std::string> decided;  // including disabled ones, which stay out
  for (const InterfaceRule& r : rules) {
    const bool pattern = r.key == "any" || (r.key.size() >= 2 && r.key.front() == '/');
    if (pattern) continue;
    decided.insert(r.key);
    if (!r.settings.disable) out[r.key] = r.settings;
  }
  for (const InterfaceRule& r : rules) {
    if (r.key.size() < 2 || r.key.front() != '/') continue;
    const std::regex re(r.key.substr(1, r.key.size() - 2), std::regex::extended);
    for (const std::string& name : present) {
      if (decided.count(name) || !std::regex_match(name, re)) continue;
      decided.insert(name);
      if (!r.settings.disable && godb::ValidateInterfaceName(name).ok()) out[name] = r.settings;
    }
  }
  for (const InterfaceRule& r : rules) {
    if (r.key != "any") continue;
    for (const std::string& name : up_non_loopback) {
      if (decided.count(name)) continue;
      decided.insert(name);
      if (!r.settings.disable && godb::ValidateInterfaceName(name).ok()) out[name] = r.settings;
    }
  }
  std::vector<ResolvedInterface> result;
  for (auto& [name, settings] : out) result.push_back({name, settings});
  return result;
}

}  // namespace goprobe::probe
