#include "lib/rpc/tls.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "spdlog/spdlog.h"

namespace goprobe::rpc {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::unique_ptr<BIO, BioFree> MemoryBio(const std::string& text) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(text.data(), int(text.size())));
}

absl::StatusOr<std::string> ReadPem(const std::string& path, absl::string_view what) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", what, " ", path, ": ", std::strerror(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": not a regular file"));
  }
  std::ifstream in(path);
  if (!in) {
    return absl::PermissionDeniedError(
        absl::StrCat("cannot read ", what, " ", path, ": ", std::strerror(errno)));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WarnAboutValidity(X509* cert, const std::string& path, absl::string_view what) {
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
    spdlog::warn("{} {} is not valid yet: peers will refuse it", std::string(what), path);
  }
  int days = 0, seconds = 0;
  if (ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert)) != 1) return;
  if (days < 0 || (days == 0 && seconds <= 0)) {
    spdlog::warn("{} {} has expired: peers will refuse it", std::string(what), path);
  } else if (days < 14) {
    spdlog::warn("{} {} expires in {} days", std::string(what), path, days);
  }
}

// Every certificate in a PEM file (a chain: the first is the leaf).
absl::StatusOr<std::vector<X509Ptr>> ParseCertificates(const std::string& pem,
                                                       const std::string& path,
                                                       absl::string_view what) {
  std::vector<X509Ptr> certs;
  auto bio = MemoryBio(pem);
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) certs.emplace_back(x);
  ERR_clear_error();  // the loop ends on "no start line"
  if (certs.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " ", path, ": no PEM certificate in it"));
  }
  for (const X509Ptr& c : certs) WarnAboutValidity(c.get(), path, what);
  return certs;
}

absl::StatusOr<PkeyPtr> ParseKey(const std::string& pem, const std::string& path) {
  auto bio = MemoryBio(pem);
  // A passphrase prompt would hang a daemon: refuse encrypted keys instead.
  PkeyPtr key(PEM_read_bio_PrivateKey(
      bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
  ERR_clear_error();
  if (key == nullptr) {
    if (absl::StrContains(pem, "ENCRYPTED")) {
      return absl::InvalidArgumentError(absl::StrCat(
          "TLS key ", path,
          " is encrypted; gRPC needs it unencrypted (openssl pkey -in KEY -out PLAIN_KEY)"));
    }
    return absl::InvalidArgumentError(absl::StrCat("TLS key ", path, ": no PEM private key in it"));
  }
  struct stat st;
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 0077) != 0) {
    spdlog::warn("TLS key {} is readable by other users (mode {:04o}); chmod 600 it", path,
                 st.st_mode & 07777);
  }
  return key;
}

struct CertAndKey {
  std::string cert_pem;
  std::string key_pem;
};

absl::StatusOr<CertAndKey> LoadCertAndKey(const std::string& cert_file, const std::string& key_file,
                                          absl::string_view what) {
  if (cert_file.empty() != key_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, ": a certificate needs its key and a key its certificate; got only the ",
        cert_file.empty() ? "key " + key_file : "certificate " + cert_file));
  }
  CertAndKey out;
  absl::StatusOr<std::string> cert_pem = ReadPem(cert_file, "TLS certificate");
  if (!cert_pem.ok()) return cert_pem.status();
  absl::StatusOr<std::vector<X509Ptr>> chain =
      ParseCertificates(*cert_pem, cert_file, "TLS certificate");
  if (!chain.ok()) return chain.status();
  absl::StatusOr<std::string> key_pem = ReadPem(key_file, "TLS key");
  if (!key_pem.ok()) return key_pem.status();
  absl::StatusOr<PkeyPtr> key = ParseKey(*key_pem, key_file);
  if (!key.ok()) return key.status();
  const bool matches = X509_check_private_key(chain->front().get(), key->get()) == 1;
  ERR_clear_error();
  if (!matches) {
    return absl::InvalidArgumentError(absl::StrCat("TLS key ", key_file,
                                                   " does not belong to the certificate in ",
                                                   cert_file));
  }
  out.cert_pem = std::move(*cert_pem);
  out.key_pem = std::move(*key_pem);
  return out;
}

absl::StatusOr<std::string> LoadCa(const std::string& path, absl::string_view what) {
  absl::StatusOr<std::string> pem = ReadPem(path, what);
  if (!pem.ok()) return pem.status();
  absl::StatusOr<std::vector<X509Ptr>> certs = ParseCertificates(*pem, path, what);
  if (!certs.ok()) return certs.status();
  return pem;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> LoadServerCredentials(
    const ServerTlsFiles& files) {
  if (!files.enabled()) {
    return absl::InvalidArgumentError("TLS: no server certificate and key given");
  }
  absl::StatusOr<CertAndKey> pair = LoadCertAndKey(files.cert_file, files.key_file, "server TLS");
  if (!pair.ok()) return pair.status();
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (!files.client_ca_file.empty()) {
    absl::StatusOr<std::string> ca = LoadCa(files.client_ca_file, "TLS client CA");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = std::move(*ca);
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  options.pem_key_cert_pairs.push_back({pair->key_pem, pair->cert_pem});
  return grpc::SslServerCredentials(options);
}

absl::Status CheckClientTlsAddress(absl::string_view address, const ClientTlsOptions& tls) {
  if (tls.enabled && absl::StartsWith(address, "unix:")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "TLS is for TCP addresses; ", address,
        " is a unix socket, which its file permissions guard (turn TLS off for it)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<ClientChannelFactory> ClientChannelFactory::Create(const ClientTlsOptions& tls) {
  ClientChannelFactory factory;
  if (!tls.enabled) {
    factory.credentials_ = grpc::InsecureChannelCredentials();
    return factory;
  }
  grpc::SslCredentialsOptions options;
  if (!tls.ca_file.empty()) {
    absl::StatusOr<std::string> ca = LoadCa(tls.ca_file, "TLS CA");
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = std::move(*ca);
  }
  if (!tls.cert_file.empty() || !tls.key_file.empty()) {
    absl::StatusOr<CertAndKey> pair = LoadCertAndKey(tls.cert_file, tls.key_file, "client TLS");
    if (!pair.ok()) return pair.status();
    options.pem_cert_chain = std::move(pair->cert_pem);
    options.pem_private_key = std::move(pair->key_pem);
  }
  factory.credentials_ = grpc::SslCredentials(options);
  factory.server_name_ = tls.server_name;
  factory.tls_ = true;
  return factory;
}

std::shared_ptr<grpc::Channel> ClientChannelFactory::Connect(const std::string& address) const {
  return Connect(address, "");
}

std::shared_ptr<grpc::Channel> ClientChannelFactory::Connect(const std::string& address,
                                                             absl::string_view verify_name) const {
  if (!tls_ || absl::StartsWith(address, "unix:")) {
    return grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  }
  grpc::ChannelArguments args;
  const std::string name = !server_name_.empty() ? server_name_ : std::string(verify_name);
  if (!name.empty()) args.SetSslTargetNameOverride(name);
  return grpc::CreateCustomChannel(address, credentials_, args);
}

}  // namespace goprobe::rpc
