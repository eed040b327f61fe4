#include "lib/rpc/test_certificates.h"

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/harness/subprocess.h"

namespace goprobe::rpc {
namespace {

constexpr const char* kOpenssl = "/usr/bin/openssl";

absl::Status Run(const std::vector<std::string>& argv) {
  absl::StatusOr<testing::ProcessResult> r = testing::RunProcess(argv);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    return absl::InternalError(absl::StrCat(absl::StrJoin(argv, " "), ": ", r->err));
  }
  return absl::OkStatus();
}

// A self-signed CA.
absl::Status MakeCa(const std::string& cert, const std::string& key, const std::string& name) {
  return Run({kOpenssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
              "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=" + name,
              "-keyout", key, "-out", cert});
}

// A certificate signed by the CA, with the extensions in `ext`.
absl::Status MakeSigned(const std::string& dir, const std::string& name, const std::string& cn,
                        const std::string& ext, const TestCertificates& ca, std::string* cert,
                        std::string* key) {
  *cert = absl::StrCat(dir, "/", name, ".pem");
  *key = absl::StrCat(dir, "/", name, ".key");
  const std::string csr = absl::StrCat(dir, "/", name, ".csr");
  const std::string ext_file = absl::StrCat(dir, "/", name, ".ext");
  std::ofstream(ext_file) << ext;
  absl::Status s = Run({kOpenssl, "req", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=" + cn,
                        "-keyout", *key, "-out", csr});
  if (!s.ok()) return s;
  return Run({kOpenssl, "x509", "-req", "-in", csr, "-CA", ca.ca_cert, "-CAkey", ca.ca_key,
              "-CAcreateserial", "-days", "2", "-extfile", ext_file, "-out", *cert});
}

}  // namespace

absl::StatusOr<TestCertificates> MakeTestCertificates(const std::string& dir) {
  if (::access(kOpenssl, X_OK) != 0) {
    return absl::NotFoundError(
        absl::StrCat(kOpenssl, " not found: tools/install_deps.sh installs the openssl package"));
  }
  TestCertificates c;
  c.ca_cert = dir + "/ca.pem";
  c.ca_key = dir + "/ca.key";
  c.other_ca_cert = dir + "/other-ca.pem";
  c.other_ca_key = dir + "/other-ca.key";
  absl::Status s = MakeCa(c.ca_cert, c.ca_key, "goprobe test CA");
  if (s.ok()) s = MakeCa(c.other_ca_cert, c.other_ca_key, "unrelated test CA");
  if (s.ok()) {
    s = MakeSigned(dir, "server", "localhost",
                   "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\n"
                   "extendedKeyUsage=serverAuth\n",
                   c, &c.server_cert, &c.server_key);
  }
  if (s.ok()) {
    s = MakeSigned(dir, "client", "goprobe-test-probe", "extendedKeyUsage=clientAuth\n", c,
                   &c.client_cert, &c.client_key);
  }
  if (!s.ok()) return s;
  for (const std::string* key : {&c.ca_key, &c.other_ca_key, &c.server_key, &c.client_key}) {
    ::chmod(key->c_str(), 0600);
  }
  return c;
}

}  // namespace goprobe::rpc
