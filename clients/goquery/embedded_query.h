#ifndef GOPROBE_CLIENTS_GOQUERY_EMBEDDED_QUERY_H_
#define GOPROBE_CLIENTS_GOQUERY_EMBEDDED_QUERY_H_

// goquery -d DIR: the query engine in-process over a goDB directory, no
// server involved. The request is read exactly as a goqueryd leaf reads it
// (query_proto.h's SpecFromRequest) and the answer is handed on in the
// stream's form (a host status, then the summary), so both ways in print
// the same.

#include <functional>
#include <string>

#include "absl/status/status.h"
#include "clients/goquery/query_answer.h"
#include "lib/host/host_identity.h"
#include "proto/goprobe/v1/query.pb.h"

namespace goprobe::goquery {

struct EmbeddedSource {
  std::string db_path;
  // Labels rows when the query asks for host or hostid.
  host::HostIdentity identity;
  // Scanning threads; 0 uses every core.
  int threads = 0;
};

// Runs `request` over source.db_path, delivering the answer to `sink`
// (progress too when the request asks for it). Errors: NotFound when the
// directory holds no goDB; InvalidArgument when -i names an interface that
// is not in it (the message lists those that are) or the engine refuses the
// request; DeadlineExceeded for the timeout, ResourceExhausted for the
// memory cap, or what reading the database failed with.
absl::Status RunEmbeddedQuery(const EmbeddedSource& source, const v1::QueryRequest& request,
                              AnswerSink* sink);

// This host's identity for labels; the hostname alone when /etc/machine-id
// cannot be read (a container), since a missing host id must not stop a
// local query.
host::HostIdentity LocalIdentityForLabels();

}  // namespace goprobe::goquery

#endif  // GOPROBE_CLIENTS_GOQUERY_EMBEDDED_QUERY_H_
