#ifndef GOPROBE_LIB_RPC_API_KEYS_H_
#define GOPROBE_LIB_RPC_API_KEYS_H_

#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "lib/metrics/metrics.h"
#include "lib/rpc/call_limits.h"

namespace goprobe::rpc {

// The header a client puts its key in: "authorization: Bearer <key>".
inline constexpr absl::string_view kAuthorizationHeader = "authorization";
// Keys shorter than this are refused when loaded: guessable keys are worse
// than none, because they look like protection.
inline constexpr size_t kMinApiKeyLength = 16;

// Reads API keys from a file: one key per line; blank lines and lines
// starting with '#' are skipped; surrounding white space is ignored. Errors
// name the file and line (never the key).
// A file that other users may read is loaded, with a warning naming the
// file and its mode.
absl::StatusOr<std::vector<std::string>> LoadApiKeys(const std::string& path);

// Reads API keys from the environment variable `name`: keys separated by
// commas, white space or new lines, each checked as in a file. Errors name
// the variable (never a key). For containers that hand secrets over as
// environment.
absl::StatusOr<std::vector<std::string>> LoadApiKeysFromEnv(const std::string& name);

// A non-secret name of a key, for logs, metrics and rate limits:
// "key-" and the first 12 hex digits of the key's SHA-256. It tells keys
// apart without telling them (a key has at least 16 characters).
std::string ApiKeyId(absl::string_view key);

// Decides whether a call may proceed, from the pre-shared keys of one
// service. Each service has its own keys, so a key for another service is
// refused like any wrong key.
//
// A call passes when the service has no keys configured, or when it arrived
// on a unix socket and unix sockets are trusted (file permissions guard them),
// or when its "authorization" metadata is "Bearer <k>" for a configured k.
// Keys are compared in constant time. Refusals are UNAUTHENTICATED and are
// logged with the peer and method, never with the key presented; with
// `refusals` (labels: method, reason) they are also counted, the reason being
// "missing_key" or "invalid_key".
//
// A call that passes is then admitted by `limits` (may be null: none;
// call_limits.h) as its caller: the key's ApiKeyId, "unix" for a trusted
// unix-socket client, "anonymous" when the service has no keys.
class ApiKeyAuthorizer {
 public:
  ApiKeyAuthorizer() = default;
  ApiKeyAuthorizer(std::vector<std::string> keys, bool trust_unix_sockets,
                   metrics::Family<metrics::Counter>* refusals = nullptr,
                   const CallLimits* limits = nullptr);

  bool enabled() const { return !keys_.empty(); }
  grpc::Status Check(const grpc::CallbackServerContext& context, absl::string_view method) const;

 private:
  struct Key {
    std::string value;
    std::string id;
  };
  grpc::Status Admit(absl::string_view method, absl::string_view caller) const;

  std::vector<Key> keys_;
  bool trust_unix_sockets_ = true;
  metrics::Family<metrics::Counter>* refusals_ = nullptr;
  const CallLimits* limits_ = nullptr;
};

// For unary handlers: when `auth` (may be null) refuses the call, finishes
// `reactor` with the refusal and returns true.
bool RefuseUnauthorized(const ApiKeyAuthorizer* auth, grpc::CallbackServerContext* context,
                        grpc::ServerUnaryReactor* reactor, absl::string_view method);

// Adds "authorization: Bearer <key>" to a client call (no-op for an empty key).
void AddApiKey(absl::string_view key, grpc::ClientContext* context);

}  // namespace goprobe::rpc

#endif  // GOPROBE_LIB_RPC_API_KEYS_H_
