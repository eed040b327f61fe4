#include "lib/rpc/logging.h"

#include <syslog.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "lib/rpc/log_level.h"
#include "spdlog/sinks/basic_file_sink.h"
#include "spdlog/sinks/stdout_color_sinks.h"
#include "spdlog/sinks/syslog_sink.h"
#include "spdlog/spdlog.h"

namespace goprobe::rpc {

absl::Status ValidateLogDestination(absl::string_view destination) {
  if (destination.empty()) return absl::InvalidArgumentError("want console, syslog or a file path");
  return absl::OkStatus();
}

absl::Status SetUpLogging(absl::string_view program, const LogSettings& settings) {
  absl::Status s = ValidateLogDestination(settings.destination);
  if (s.ok()) s = ValidateLogLevel(settings.level);
  if (!s.ok()) return s;
  spdlog::sink_ptr sink;
  try {
    if (settings.destination == "console") {
      sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    } else if (settings.destination == "syslog") {
      sink = std::make_shared<spdlog::sinks::syslog_sink_mt>(std::string(program), LOG_PID,
                                                             LOG_DAEMON, /*enable_formatting=*/false);
    } else {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(settings.destination,
                                                                 /*truncate=*/false);
    }
  } catch (const spdlog::spdlog_ex& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot log to ", settings.destination, ": ", e.what()));
  }
  auto logger = std::make_shared<spdlog::logger>(std::string(program), std::move(sink));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(std::move(logger));
  return SetLogLevel(settings.level);
}

}  // namespace goprobe::rpc
