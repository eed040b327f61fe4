#ifndef GOPROBE_CLIENTS_GOQUERY_EXIT_CODES_H_
#define GOPROBE_CLIENTS_GOQUERY_EXIT_CODES_H_

// goquery's exit status, distinct per case so a scheduled job can react to
// each: retry later when the server is down, alert a person when its key is
// refused.

#include "absl/status/status.h"

namespace goprobe::goquery {

inline constexpr int kExitOk = 0;           // results, or a clear "no data" message
inline constexpr int kExitFailed = 1;       // the query or the database failed
inline constexpr int kExitUsage = 2;        // bad command line, stored query or condition
inline constexpr int kExitUnreachable = 3;  // the server could not be reached
inline constexpr int kExitRefused = 4;      // the server refused the API key / access
inline constexpr int kExitTimeout = 5;      // --timeout (or the server's deadline) passed

inline int ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kInvalidArgument:
      return kExitUsage;
    case absl::StatusCode::kUnavailable:
      return kExitUnreachable;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
      return kExitRefused;
    case absl::StatusCode::kDeadlineExceeded:
      return kExitTimeout;
    default:
      return kExitFailed;
  }
}

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_EXIT_CODES_H_
