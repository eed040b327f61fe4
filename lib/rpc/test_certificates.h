#ifndef GOPROBE_LIB_RPC_TEST_CERTIFICATES_H_
#define GOPROBE_LIB_RPC_TEST_CERTIFICATES_H_

// Throwaway certificates for TLS tests, made at test time with Debian's
// openssl binary (nothing secret is checked in): a CA, a server certificate
// for localhost / 127.0.0.1 / ::1 and a client certificate both signed by it,
// and an unrelated CA. EC P-256 keys, valid for two days, keys mode 0600.

#include <string>

#include "absl/status/statusor.h"

namespace goprobe::rpc {

struct TestCertificates {
  std::string ca_cert, ca_key;
  std::string server_cert, server_key;
  std::string client_cert, client_key;
  std::string other_ca_cert, other_ca_key;  // trusted by nobody here
};

// Writes the files into `dir` (which must exist). Errors carry openssl's
// output.
absl::StatusOr<TestCertificates> MakeTestCertificates(const std::string& dir);

}  // namespace goprobe::rpc

#endif  // GOPROBE_LIB_RPC_TEST_CERTIFICATES_H_
