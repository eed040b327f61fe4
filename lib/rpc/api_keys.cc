#include "lib/rpc/api_keys.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace goprobe::rpc {
namespace {

// Compares in time that depends on the lengths only, not on where the first
// difference is.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> LoadApiKeys(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read API key file ", path));
  std::vector<std::string> keys;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const absl::string_view key = absl::StripAsciiWhitespace(line);
    if (key.empty() || key[0] == '#') continue;
    if (key.size() < kMinApiKeyLength) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": API key shorter than ",
                                                     kMinApiKeyLength, " characters"));
    }
    for (char c : key) {
      if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ":", number, ": API key has white space or control characters"));
      }
    }
    keys.emplace_back(key);
  }
  if (keys.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no API key in file"));
  return keys;
}

grpc::Status ApiKeyAuthorizer::Check(const grpc::CallbackServerContext& context,
                                     absl::string_view method) const {
  if (keys_.empty()) return grpc::Status::OK;
  const std::string peer = context.peer();
  if (trust_unix_sockets_ && absl::StartsWith(peer, "unix:")) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find(std::string(kAuthorizationHeader));
  if (it != metadata.end()) {
    const absl::string_view value(it->second.data(), it->second.size());
    constexpr absl::string_view kBearer = "Bearer ";
    if (absl::StartsWith(value, kBearer)) {
      const absl::string_view presented = value.substr(kBearer.size());
      bool match = false;
      for (const std::string& key : keys_) match |= ConstantTimeEquals(presented, key);
      if (match) return grpc::Status::OK;
    }
  }
  const bool missing = it == metadata.end();
  spdlog::warn("refused {} from {}: {} API key", std::string(method), peer,
               missing ? "no" : "invalid");
  if (refusals_ != nullptr) {
    refusals_->Labels({method, missing ? "missing_key" : "invalid_key"}).Increment();
  }
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      "missing or invalid API key (send \"authorization: Bearer <key>\")");
}

bool RefuseUnauthorized(const ApiKeyAuthorizer* auth, grpc::CallbackServerContext* context,
                        grpc::ServerUnaryReactor* reactor, absl::string_view method) {
  if (auth == nullptr) return false;
  grpc::Status allowed = auth->Check(*context, method);
  if (allowed.ok()) return false;
  reactor->Finish(allowed);
  return true;
}

void AddApiKey(absl::string_view key, grpc::ClientContext* context) {
  if (!key.empty()) {
    context->AddMetadata(std::string(kAuthorizationHeader), absl::StrCat("Bearer ", key));
  }
}

}  // namespace goprobe::rpc
