#include "lib/rpc/log_level.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace goprobe::rpc {

namespace {

constexpr std::pair<absl::string_view, spdlog::level::level_enum> kLevels[] = {
    {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
    {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
    {"error", spdlog::level::err},   {"off", spdlog::level::off}};

}  // namespace

absl::Status ValidateLogLevel(absl::string_view name) {
  for (const auto& [level_name, level] : kLevels) {
    if (name == level_name) return absl::OkStatus();
  }
  return absl::InvalidArgumentError("want trace, debug, info, warn, error or off");
}

absl::Status SetLogLevel(absl::string_view name) {
  for (const auto& [level_name, level] : kLevels) {
    if (name == level_name) {
      spdlog::set_level(level);
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat("log level \"", name, "\": want trace, debug, info, warn, error or off"));
}

}  // namespace goprobe::rpc
