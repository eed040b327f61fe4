#include "lib/metrics/http_exporter.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace goprobe::metrics {
namespace {

struct HostPort {
  std::string host;
  int port = 0;
};

absl::StatusOr<HostPort> ParseHostPort(absl::string_view address) {
  const auto bad = [&] {
    return absl::InvalidArgumentError("want host:port or [ipv6]:port");
  };
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return bad();
  HostPort hp;
  absl::string_view host = address.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != absl::string_view::npos) {
    return bad();  // an IPv6 address needs its brackets
  }
  hp.host = std::string(host);
  if (!absl::SimpleAtoi(address.substr(colon + 1), &hp.port) || hp.port < 0 || hp.port > 65535) {
    return bad();
  }
  return hp;
}

}  // namespace

absl::Status ValidateMetricsAddress(absl::string_view address) {
  return ParseHostPort(address).status();
}

absl::StatusOr<std::unique_ptr<HttpExporter>> HttpExporter::Start(const std::string& address,
                                                                  const Registry* registry) {
  absl::StatusOr<HostPort> hp = ParseHostPort(address);
  if (!hp.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address \"", address, "\": ", hp.status().message()));
  }
  auto exporter = std::unique_ptr<HttpExporter>(new HttpExporter);
  exporter->server_ = std::make_unique<httplib::Server>();
  httplib::Server& server = *exporter->server_;
  server.new_task_queue = [] { return new httplib::ThreadPool(2); };
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  server.set_keep_alive_timeout(5);
  server.set_payload_max_length(4096);
  // httplib's default sets SO_REUSEPORT, which lets a second process bind the
  // same port and take half the scrapes unnoticed. SO_REUSEADDR alone still
  // allows a quick restart past TIME_WAIT, and a port in use is refused.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server.Get("/metrics", [registry](const httplib::Request&, httplib::Response& response) {
    response.set_content(registry->Render(), std::string(kTextContentType).c_str());
  });
  server.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_content("Prometheus metrics are at /metrics\n", "text/plain; charset=utf-8");
  });
  if (hp->port == 0) {
    exporter->port_ = server.bind_to_any_port(hp->host);
  } else if (server.bind_to_port(hp->host, hp->port)) {
    exporter->port_ = hp->port;
  }
  if (exporter->port_ <= 0) {
    return absl::UnavailableError(absl::StrCat(
        "metrics: cannot listen on ", address,
        " (address in use, not available on this host, or no permission)"));
  }
  auto ended = std::make_shared<std::atomic<bool>>(false);
  exporter->thread_ = std::thread([&server, ended] {
    server.listen_after_bind();
    ended->store(true);
  });
  // stop() only takes effect once the loop runs: wait for it, so that a
  // destructor right after Start cannot hang on a loop that never saw it.
  while (!server.is_running() && !ended->load()) absl::SleepFor(absl::Milliseconds(1));
  if (ended->load()) {
    return absl::UnavailableError(absl::StrCat("metrics: serving on ", address, " failed"));
  }
  return exporter;
}

HttpExporter::~HttpExporter() {
  if (server_ == nullptr) return;
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace goprobe::metrics
