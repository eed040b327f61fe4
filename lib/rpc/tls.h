#ifndef GOPROBE_LIB_RPC_TLS_H_
#define GOPROBE_LIB_RPC_TLS_H_

// TLS for goProbe's gRPC servers and clients, from PEM files.
//
// TLS protects TCP: a server's unix-socket listeners stay plaintext (their
// file permissions guard them, as they do for API keys), and a client given
// a unix: address with TLS options is refused, so nobody believes a local
// socket is encrypted when it is not.
//
// Files are checked when loaded, before gRPC sees them, so that a mistake is
// named at start rather than surfacing as a failed handshake later: a file
// that cannot be read (and why), one without a PEM certificate or with an
// encrypted or missing private key, and a key that does not belong to its
// certificate. A certificate outside its validity period and a private key
// readable by other users are logged as warnings, not refused: the store
// must still take batches over its unix socket.

#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace goprobe::rpc {

// A server's certificate chain and key, and optionally the CA that client
// certificates must chain to.
struct ServerTlsFiles {
  std::string cert_file;       // PEM: the server's certificate, then intermediates
  std::string key_file;        // PEM: its unencrypted private key
  std::string client_ca_file;  // PEM: when set, clients must present a certificate it signed

  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

// Credentials for a server's TCP listeners. InvalidArgument or NotFound
// naming the file and what is wrong with it; a certificate without a key
// (or the reverse) is refused.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> LoadServerCredentials(
    const ServerTlsFiles& files);

// How a client reaches a TLS server.
struct ClientTlsOptions {
  bool enabled = false;
  // PEM: CAs the server's certificate must chain to; empty uses the system's
  // roots (gRPC's default roots file).
  std::string ca_file;
  // PEM: a client certificate and its key, for servers that require one.
  std::string cert_file;
  std::string key_file;
  // The name the server's certificate must carry when it differs from the
  // address's host (connecting by IP address to a certificate for a name).
  std::string server_name;
};

// A connection recipe: credentials loaded and checked once, used for every
// channel (a shipper reconnects many times).
class ClientChannelFactory {
 public:
  // Plaintext when `tls.enabled` is false. Errors as for the server, naming
  // the file; InvalidArgument for a client certificate without a key.
  static absl::StatusOr<ClientChannelFactory> Create(const ClientTlsOptions& tls);

  // A channel to `address` (host:port or unix:/path). A unix address with
  // TLS was refused by CheckClientTlsAddress; here it gets plaintext.
  std::shared_ptr<grpc::Channel> Connect(const std::string& address) const;
  // As Connect, but with TLS the server's certificate must carry
  // `verify_name` (unless the options' server_name overrides it): for an
  // address resolved from a name, as a root's peers are.
  std::shared_ptr<grpc::Channel> Connect(const std::string& address,
                                         absl::string_view verify_name) const;
  bool tls() const { return tls_; }

 private:
  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::string server_name_;
  bool tls_ = false;
};

// InvalidArgument when TLS is enabled for a unix-socket address.
absl::Status CheckClientTlsAddress(absl::string_view address, const ClientTlsOptions& tls);

}  // namespace goprobe::rpc

#endif  // GOPROBE_LIB_RPC_TLS_H_
