#ifndef GOPROBE_LIB_METRICS_HTTP_EXPORTER_H_
#define GOPROBE_LIB_METRICS_HTTP_EXPORTER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/metrics/metrics.h"

namespace httplib {
class Server;
}

namespace goprobe::metrics {

// Checks a metrics listen address: "host:port" or "[ipv6]:port" with a port
// of 0 to 65535 (0 picks a free one). The host is required: exposing
// metrics on every address is a choice to spell out ("0.0.0.0:9101",
// "[::]:9101"). InvalidArgument says what is wrong.
absl::Status ValidateMetricsAddress(absl::string_view address);

// Serves a Registry over HTTP for Prometheus: GET /metrics answers the text
// exposition format; GET / a line pointing there; anything else 404. Two
// worker threads and short timeouts: a scraper is one client every few
// seconds, and a stuck connection must not pin threads of a store.
class HttpExporter {
 public:
  // Binds `address` and serves `registry` (which must outlive the exporter)
  // from a background thread. InvalidArgument for a malformed address,
  // Unavailable naming the address when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpExporter>> Start(const std::string& address,
                                                             const Registry* registry);
  // Stops serving and joins the threads.
  ~HttpExporter();

  // The bound TCP port (the chosen one when the address asked for port 0).
  int port() const { return port_; }

 private:
  HttpExporter() = default;

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace goprobe::metrics

#endif  // GOPROBE_LIB_METRICS_HTTP_EXPORTER_H_
