#include "lib/rpc/api_keys.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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

// Why `key` cannot be a key, or empty when it can. Never quotes the key.
std::string KeyProblem(absl::string_view key) {
  if (key.size() < kMinApiKeyLength) {
    return absl::StrCat("API key shorter than ", kMinApiKeyLength, " characters");
  }
  for (char c : key) {
    if (!absl::ascii_isgraph(static_cast<unsigned char>(c))) {
      return "API key has white space or control characters";
    }
  }
  return "";
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
    const std::string problem = KeyProblem(key);
    if (!problem.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ":", number, ": ", problem));
    keys.emplace_back(key);
  }
  if (keys.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no API key in file"));
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    spdlog::warn("API key file {} has mode {:04o}: other users may read it; chmod 600 it", path,
                 unsigned(st.st_mode & 07777));
  }
  return keys;
}

absl::StatusOr<std::vector<std::string>> LoadApiKeysFromEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    return absl::NotFoundError(absl::StrCat("environment variable ", name, " is not set"));
  }
  std::vector<std::string> keys;
  int number = 0;
  for (absl::string_view key : absl::StrSplit(value, absl::ByAnyChar(", \t\r\n"), absl::SkipEmpty())) {
    ++number;
    const std::string problem = KeyProblem(key);
    if (!problem.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("environment variable ", name, ", key ", number, ": ", problem));
    }
    keys.emplace_back(key);
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("environment variable ", name, " holds no API key"));
  }
  return keys;
}

std::string ApiKeyId(absl::string_view key) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  return absl::StrCat(
      "key-", absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), 6)));
}

ApiKeyAuthorizer::ApiKeyAuthorizer(std::vector<std::string> keys, bool trust_unix_sockets,
                                   metrics::Family<metrics::Counter>* refusals,
                                   const CallLimits* limits)
    : trust_unix_sockets_(trust_unix_sockets), refusals_(refusals), limits_(limits) {
  for (std::string& k : keys) {
    std::string id = ApiKeyId(k);
    keys_.push_back(Key{std::move(k), std::move(id)});
  }
}

grpc::Status ApiKeyAuthorizer::Admit(absl::string_view method, absl::string_view caller) const {
  return limits_ == nullptr ? grpc::Status::OK : limits_->Admit(method, caller);
}

grpc::Status ApiKeyAuthorizer::Check(const grpc::CallbackServerContext& context,
                                     absl::string_view method) const {
  const std::string peer = context.peer();
  if (keys_.empty()) return Admit(method, "anonymous");
  if (trust_unix_sockets_ && absl::StartsWith(peer, "unix:")) return Admit(method, "unix");
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find(std::string(kAuthorizationHeader));
  if (it != metadata.end()) {
    const absl::string_view value(it->second.data(), it->second.size());
    constexpr absl::string_view kBearer = "Bearer ";
    if (absl::StartsWith(value, kBearer)) {
      const absl::string_view presented = value.substr(kBearer.size());
      const Key* match = nullptr;
      // Every key is compared, so the time does not tell which one matched.
      for (const Key& key : keys_) {
        if (ConstantTimeEquals(presented, key.value)) match = &key;
      }
      if (match != nullptr) return Admit(method, match->id);
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
