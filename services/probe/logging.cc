#include "services/probe/logging.h"

#include <syslog.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "lib/rpc/log_level.h"
#include "spdlog/sinks/basic_file_sink.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/sinks/syslog_sink.h"
#include "spdlog/spdlog.h"

namespace goprobe::probe {

absl::Status SetUpLogging(const LoggingConfig& config) {
  std::shared_ptr<spdlog::logger> logger;
  try {
    if (config.destination == "console") {
      logger = spdlog::stderr_color_mt("goprobe");
    } else if (config.destination == "syslog") {
      logger = spdlog::syslog_logger_mt("goprobe", "goprobe", LOG_PID, LOG_DAEMON);
    } else {
      logger = spdlog::basic_logger_mt("goprobe", config.destination, /*truncate=*/false);
    }
  } catch (const spdlog::spdlog_ex& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("logging.destination ", config.destination, ": ", e.what()));
  }
  // A daemon logs little; what it logs should be on disk when it dies.
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return rpc::SetLogLevel(config.level);
}

}  // namespace goprobe::probe
